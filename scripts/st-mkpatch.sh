#!/bin/sh
# Developer tool: turn edits made in the unpacked tree into one patch of the
# series.  Edit upstream files in subprojects/qemu-10.0.13, then run
#   scripts/st-mkpatch.sh NNNN-name "Subject" "Why ..." FILE...
# It diffs each FILE against the pristine tarball, writes
# patches/qemu/NNNN-name.patch and records it as applied.
set -eu
[ $# -ge 4 ] || { echo "usage: st-mkpatch.sh NNNN-name SUBJECT WHY FILE..." >&2; exit 2; }
repo=$(cd "$(dirname "$0")/.." && pwd)
name=$1 subject=$2 why=$3
shift 3
tree=$repo/subprojects/qemu-10.0.13
orig=$(mktemp -d)
trap 'rm -rf "$orig"' EXIT
tarball=$(ls "$repo"/build/downloads/qemu_10.0.13+ds.orig.tar.xz)
# The pristine file with the earlier patches of the series applied.
earlier=
for p in $(ls "$repo/patches/qemu" | grep '\.patch$' | sort); do
    [ "$p" \< "$name.patch" ] && earlier="$earlier $p"
done
files=$(for p in $earlier; do sed -n 's|^+++ b/||p' "$repo/patches/qemu/$p"; done)
# shellcheck disable=SC2086
tar -xJf "$tarball" -C "$orig" $(for f in "$@" $files; do echo "qemu-10.0.13/$f"; done | sort -u)
for p in $earlier; do
    patch -s -p1 -d "$orig/qemu-10.0.13" <"$repo/patches/qemu/$p" >/dev/null
done
out=$repo/patches/qemu/$name.patch
{
    printf 'From: secret-tracker developers\nSubject: [PATCH %s] %s\n\n' "${name%%-*}" "$subject"
    printf '%s\n' "$why" | fold -s -w 74 | sed 's/ *$//'
    printf -- '---\n'
    for f in "$@"; do
        diff -u --label "a/$f" --label "b/$f" "$orig/qemu-10.0.13/$f" "$tree/$f" || true
    done
} >"$out"
cp "$out" "$tree/.secret-tracker/applied/$name.patch"
echo "wrote $out"
