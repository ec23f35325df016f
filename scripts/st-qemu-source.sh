#!/bin/sh
# Prepare the pinned upstream QEMU tree: fetch Debian's pristine orig tarball
# with apt's source client, check its hash, unpack it under subprojects/,
# apply our patch series and overlay our own files.  Idempotent: running it
# again repairs a half-unpacked or half-patched tree.
#
# usage: st-qemu-source.sh REPO_ROOT DOWNLOAD_DIR
set -eu

QEMU_VERSION=10.0.13
DEB_VERSION=1:10.0.13+ds-0+deb13u1
ORIG=qemu_10.0.13+ds.orig.tar.xz
SHA256=6a0888e806c2ffc0c5f0733e974f9aea55491950d3c47c98669c8b236dde59ae
# Our files live at these QEMU-relative paths and are linked into the tree.
OVERLAY_DIRS="accel hw include monitor qapi target tests/qtest tests/guests docs contrib"

die() { echo "st-qemu-source: $*" >&2; exit 1; }

repo=$(cd "$1" && pwd)
dl=$(mkdir -p "$2" && cd "$2" && pwd)
tree=$repo/subprojects/qemu-$QEMU_VERSION
state=$tree/.secret-tracker

fetch() {
    if [ -f "$dl/$ORIG" ] &&
       echo "$SHA256  $dl/$ORIG" | sha256sum -c --status; then
        return 0
    fi
    rm -f "$dl/$ORIG"
    (cd "$dl" && apt-get source --download-only -q "qemu=$DEB_VERSION" \
        >"$dl/apt-source.log" 2>&1) ||
        die "apt-get source qemu=$DEB_VERSION failed (see $dl/apt-source.log): run 'make deps' for the trixie deb-src entry and check network access to the Debian mirror"
    [ -f "$dl/$ORIG" ] || die "apt-get source did not produce $ORIG: run 'make deps', then again"
    if ! echo "$SHA256  $dl/$ORIG" | sha256sum -c --status; then
        mv "$dl/$ORIG" "$dl/$ORIG.bad"
        die "$ORIG has the wrong sha256 (kept as $ORIG.bad): the mirror served another file; remove it and run again"
    fi
}

unpack() {
    if [ -f "$state/unpacked" ] && [ "$(cat "$state/unpacked")" = "$SHA256" ]; then
        return 0
    fi
    if [ -e "$tree" ]; then
        echo "st-qemu-source: $tree is incomplete, unpacking it again" >&2
        rm -rf "$tree"
    fi
    tmp=$repo/subprojects/.unpack.$$
    rm -rf "$tmp"
    mkdir -p "$tmp"
    tar -xJf "$dl/$ORIG" -C "$tmp" ||
        { rm -rf "$tmp"; die "unpacking $ORIG failed: check free disk space, then run again"; }
    [ -f "$tmp/qemu-$QEMU_VERSION/VERSION" ] ||
        { rm -rf "$tmp"; die "$ORIG does not hold qemu-$QEMU_VERSION/: remove $dl/$ORIG and run again"; }
    mkdir -p "$tmp/qemu-$QEMU_VERSION/.secret-tracker/applied"
    echo "$SHA256" >"$tmp/qemu-$QEMU_VERSION/.secret-tracker/unpacked"
    mv "$tmp/qemu-$QEMU_VERSION" "$tree"
    rm -rf "$tmp"
}

# Applied patches are recorded by copy.  The longest prefix of the series that
# is applied unchanged stays; everything after it is reverted, newest first,
# and the rest of the series is applied.
apply_series() {
    applied=$state/applied
    mkdir -p "$applied"
    series=$(ls "$repo/patches/qemu" 2>/dev/null | grep '\.patch$' | sort || true)
    have=$(ls "$applied" | sort)
    keep=
    for p in $have; do
        echo "$series" | grep -qx "$p" && cmp -s "$applied/$p" "$repo/patches/qemu/$p" ||
            break
        [ "$(echo "$series" | sed -n "$(($(echo "$keep" | wc -w) + 1))p")" = "$p" ] || break
        keep="$keep $p"
    done
    for p in $(echo "$have" | sort -r); do
        case " $keep " in *" $p "*) continue ;; esac
        patch -s -R -p1 -d "$tree" <"$applied/$p" >/dev/null 2>&1 ||
            { rm -f "$state/unpacked"; die "cannot revert $p: the tree was edited by hand; run again to unpack it afresh"; }
        rm -f "$applied/$p"
    done
    for p in $series; do
        case " $keep " in *" $p "*) continue ;; esac
        patch -s -N -p1 -d "$tree" <"$repo/patches/qemu/$p" >"$state/patch.log" 2>&1 ||
            { rm -f "$state/unpacked"; die "patches/qemu/$p does not apply to QEMU $QEMU_VERSION (see $state/patch.log): fix the patch, then run again"; }
        cp "$repo/patches/qemu/$p" "$applied/$p"
    done
}

# Link our files into the tree; an upstream file is never shadowed.
overlay() {
    list=$state/overlay.new
    : >"$list"
    for d in $OVERLAY_DIRS; do
        [ -d "$repo/$d" ] || continue
        (cd "$repo" && find "$d" -type f ! -name '*~' ! -name '.*') >>"$list"
    done
    while read -r f; do
        dst=$tree/$f
        if [ -L "$dst" ]; then
            [ "$(readlink "$dst")" = "$repo/$f" ] && continue
            rm -f "$dst"
        elif [ -e "$dst" ]; then
            die "$f exists upstream; our files must not replace upstream files (change it through patches/qemu/)"
        fi
        mkdir -p "$(dirname "$dst")"
        ln -s "$repo/$f" "$dst"
    done <"$list"
    # Drop links to files we no longer have.
    if [ -f "$state/overlay" ]; then
        sort "$state/overlay" >"$state/overlay.old"
        sort "$list" | comm -23 "$state/overlay.old" - | while read -r f; do
            [ -L "$tree/$f" ] && rm -f "$tree/$f"
        done
    fi
    mv "$list" "$state/overlay"
}

fetch
unpack
apply_series
overlay
