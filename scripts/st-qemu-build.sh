#!/bin/sh
# Configure (once, or when the options change) and build the pinned QEMU
# with our overlay, for x86_64-softmmu only.
#
# usage: st-qemu-build.sh [--stamp FILE] REPO_ROOT BUILD_DIR [NINJA_TARGET...]
set -eu
stamp=
if [ "${1:-}" = --stamp ]; then
    stamp=$2
    shift 2
fi

die() { echo "st-qemu-build: $*" >&2; exit 1; }

repo=$(cd "$1" && pwd)
mkdir -p "$2"
build=$(cd "$2" && pwd)
shift 2
src=$repo/subprojects/qemu-10.0.13
out=$build/qemu

sh "$repo/scripts/st-qemu-source.sh" "$repo" "$build/downloads"

firmware=/usr/share/qemu:/usr/share/seabios:/usr/lib/ipxe/qemu
cc=cc
command -v ccache >/dev/null 2>&1 && cc="ccache cc"
opts="--python=/usr/bin/python3 --cc=$cc --target-list=x86_64-softmmu
      --enable-kvm --enable-tcg --enable-capstone --enable-slirp --enable-bpf
      --disable-docs --disable-tools --disable-guest-agent --disable-werror
      --disable-install-blobs --disable-download
      --firmwarepath=$firmware"
want=$(echo $opts)
if [ ! -f "$out/build.ninja" ] || [ "$(cat "$out/.st-configured" 2>/dev/null)" != "$want" ]; then
    rm -rf "$out"
    mkdir -p "$out"
    # shellcheck disable=SC2086
    (cd "$out" && "$src/configure" --python=/usr/bin/python3 --cc="$cc" \
        $(echo "$opts" | tr ' ' '\n' | grep -v -e '^--python=' -e '^--cc=' -e '^ccache$' -e '^cc$' -e '^$') \
        >"$build/qemu-configure.log" 2>&1) ||
        { rm -f "$out/build.ninja"; die "QEMU configure failed (see $build/qemu-configure.log): run 'make deps', then again"; }
    echo "$want" >"$out/.st-configured"
fi

[ $# -gt 0 ] || set -- qemu-system-x86_64
ninja -C "$out" "$@" || die "QEMU build failed; see the compiler output above"

# Run from the build tree, QEMU looks for firmware under qemu-bundle/ only:
# point the configured firmware directories there at Debian's packages.
for d in $(echo "$firmware" | tr ':' ' '); do
    [ -d "$d" ] || die "$d missing: run 'make deps' (seabios, qemu-system-data, ipxe-qemu)"
    link=$out/qemu-bundle$d
    [ -L "$link" ] && continue
    mkdir -p "$(dirname "$link")"
    ln -s "$d" "$link"
done
[ -z "$stamp" ] || touch "$stamp"
