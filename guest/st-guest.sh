#!/bin/sh
# Build a bootable test guest: a Debian kernel and a busybox initramfs that
# runs one scenario script, prints an end marker and powers off.
#
# usage: st-guest.sh KERNEL_PACKAGE SCENARIO OUT_DIR
#   KERNEL_PACKAGE  a Debian kernel package, or a metapackage resolved through
#                   its dependency, from any Debian line st-deps.sh enables:
#                   linux-image-amd64 (bookworm 6.1),
#                   linux-image-amd64/bookworm-backports (6.12),
#                   linux-image-amd64/trixie (6.12), linux-image-amd64/sid (7.x),
#                   linux-image-5.10.0-NN-amd64 (bullseye), linux-image-6.1.0-NN-amd64,
#                   linux-image-cloud-amd64/sid, linux-image-rt-amd64/bullseye, ...
#                   From 7.x the linux-image package is empty: the image is
#                   in linux-binary-RELEASE as /usr/lib/modules/RELEASE/vmlinuz
#                   and the modules in linux-modules-RELEASE.
#   SCENARIO        shell script run as root inside the guest; every *.sh
#                   beside it is also put in /scenarios, and the kernel
#                   argument st.scenario=NAME runs /scenarios/NAME.sh instead
#   OUT_DIR         receives vmlinuz, initrd.img and kernel.txt; rebuilt only
#                   when an input changes
#
# The guest programs guest/progs/st-NAME.c (each with its own main()) are
# built with the host's compiler and static glibc into one binary,
# /bin/st-progs, and each is /bin/st-NAME, a link to it: glibc's static
# runtime is most of such a binary.  Adding a program is adding its file.
# guest/progs32/st-copy32.c is built apart, as a 32-bit program (gcc
# -m32, package gcc-multilib).
#
# The kernel modules scenarios load with insmod (tun, fuse, loop,
# af_packet, vsock, xfs and what it needs, overlay) are put, decompressed,
# in /lib/st-modules as NAME.ko; one the package does not have (the kernel
# has it built in) is left out.
#
# /lib/st-xfs.img.gz is an empty 32 MiB XFS filesystem with reflinks, for
# the scenarios that need a filesystem that shares extents (FICLONE).
set -eu

die() { echo "st-guest: $*" >&2; exit 1; }
[ $# -eq 3 ] || die "usage: st-guest.sh KERNEL_PACKAGE SCENARIO OUT_DIR"
spec=$1
scenario=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
out=$3
here=$(cd "$(dirname "$0")" && pwd)
progs=$here/progs
cc=${CC:-gcc}
[ -f "$scenario" ] || die "scenario $2 not found"
busybox=/bin/busybox
[ -x "$busybox" ] && "$busybox" --list >/dev/null 2>&1 ||
    die "$busybox missing: run 'make deps' (package busybox-static)"
"$cc" --version >/dev/null 2>&1 ||
    die "no C compiler '$cc' for the guest programs: run 'make deps' (package build-essential)"

# Resolve SPEC to a concrete package and version.  "name/suite" picks that
# suite's version; a metapackage is followed to the kernel it depends on.
show() { apt-cache show --no-all-versions "$1" 2>/dev/null || true; }
field() { sed -n "s/^$1: //p" | head -n 1; }
info=$(show "$spec")
[ -n "$info" ] || die "cannot resolve kernel package '$spec': run 'make deps' (apt-get update), or name an existing package"
pkg=$(echo "$info" | field Package)
ver=$(echo "$info" | field Version)
dep=$(echo "$info" | field Depends | tr ',' '\n' |
      sed -n 's/^ *\(linux-image-[0-9][^ ]*\)\( (= \([^)]*\))\)\{0,1\}.*/\1 \3/p' | head -n 1)
if [ -n "$dep" ]; then
    pkg=${dep%% *}
    depver=${dep#* }
    if [ -n "$depver" ] && [ "$depver" != "$pkg" ]; then
        ver=$depver
    else
        ver=$(show "$pkg" | field Version)
    fi
    [ -n "$ver" ] || die "kernel package $pkg (from $spec) has no installable version: run 'make deps'"
fi
case "$pkg" in
    linux-image-*) ;;
    *) die "'$spec' is not a kernel image package" ;;
esac

# dep PREFIX WHAT: "NAME VERSION" of the PREFIX-* package $pkg=$ver depends
# on (its version as pinned, else the candidate's), or nothing if none.
dep() {
    d=$(show "$pkg=$ver" | field Depends | tr ',' '\n' |
        sed -n "s/^ *\($1-[^ ]*\)\( (= \([^)]*\))\)\{0,1\}.*/\1 \3/p" | head -n 1)
    [ -n "$d" ] || return 0
    n=${d%% *}
    v=${d#* }
    if [ -z "$v" ] || [ "$v" = "$n" ]; then
        v=$(show "$n" | field Version)
    fi
    [ -n "$v" ] || die "kernel $2 package $n (from $pkg) has no installable version: run 'make deps'"
    echo "$n $v"
}
# The package that holds the image: linux-image-RELEASE itself (up to 6.x,
# /boot/vmlinuz-RELEASE), or the linux-binary-RELEASE it depends on (7.x).
# The modules: the image's, or from 7.x the linux-modules-RELEASE it
# depends on (as large as a 6.x image package, which holds both).
bin=$(dep linux-binary binary)
img=${bin%% *}
imgver=${bin#* }
[ -n "$bin" ] || { img=$pkg; imgver=$ver; }
mod=$(dep linux-modules modules)
modpkg=${mod%% *}
modver=${mod#* }
[ -n "$mod" ] || { modpkg=$img; modver=$imgver; }

key=$(
    { echo "$pkg=$ver $img=$imgver $modpkg=$modver";
      "$busybox" 2>&1 | head -n 1;
      "$cc" --version | head -n 1;
      cat "$here/init.sh" "$0" "$scenario" "$(dirname "$scenario")"/*.sh \
          "$progs"/*.h "$progs"/*.c "$here"/progs32/*.c; } |
    sha256sum | cut -d' ' -f1
)
if [ -f "$out/.key" ] && [ "$(cat "$out/.key")" = "$key" ] &&
   [ -f "$out/vmlinuz" ] && [ -f "$out/initrd.img" ]; then
    exit 0
fi

# The cache keeps the packages' .debs, only those of the current kernel.
mkdir -p "$out/cache"
debfile() { echo "$out/cache/${1}_$(echo "$2" | sed 's/^[0-9]*://')_amd64.deb"; }
deb=$(debfile "$img" "$imgver")
moddeb=$(debfile "$modpkg" "$modver")
for f in "$out/cache/"*.deb; do
    [ "$f" = "$deb" ] || [ "$f" = "$moddeb" ] || rm -f "$f"
done
for p in "$img=$imgver" "$modpkg=$modver"; do
    f=$(debfile "${p%%=*}" "${p#*=}")
    [ ! -f "$f" ] || continue
    (cd "$out/cache" && apt-get download -q "$p" >download.log 2>&1) ||
        die "apt-get download $p failed (see $out/cache/download.log): check apt access, then run again"
    [ -f "$f" ] || die "apt-get download did not produce $f"
done

# Link every guest program into DIR/st-progs; DIR/st-NAME -> st-progs.
build_progs() {
    main=$work/st-progs-main.c
    objs=
    {
        echo '#include <stdio.h>'
        echo '#include <string.h>'
        for src in "$progs"/st-*.c; do
            fn=$(basename "$src" .c | tr -c 'a-zA-Z0-9\n' _)
            echo "int ${fn}_main(int argc, char **argv);"
        done
        echo 'static const struct { const char *name;'
        echo '    int (*main)(int argc, char **argv); } progs[] = {'
        for src in "$progs"/st-*.c; do
            name=$(basename "$src" .c)
            fn=$(echo "$name" | tr -c 'a-zA-Z0-9\n' _)
            echo "    { \"$name\", ${fn}_main },"
        done
        echo '};'
        echo 'int main(int argc, char **argv)'
        echo '{'
        echo '    const char *n = strrchr(argv[0], 0x2f);'
        echo '    unsigned i;'
        echo '    n = n ? n + 1 : argv[0];'
        echo '    for (i = 0; i < sizeof(progs) / sizeof(progs[0]); i++) {'
        echo '        if (!strcmp(n, progs[i].name)) {'
        echo '            return progs[i].main(argc, argv);'
        echo '        }'
        echo '    }'
        echo '    fprintf(stderr, "st-progs: no program %s\\n", n);'
        echo '    return 127;'
        echo '}'
    } >"$main"
    for src in "$progs"/st-*.c; do
        name=$(basename "$src" .c)
        fn=$(echo "$name" | tr -c 'a-zA-Z0-9\n' _)
        "$cc" -O2 -Wall -Wextra -Werror -D_GNU_SOURCE "-Dmain=${fn}_main" \
            -c -o "$work/$name.o" "$src" || die "cannot compile $src"
        objs="$objs $work/$name.o"
        ln -s st-progs "$1/$name"
    done
    # shellcheck disable=SC2086
    "$cc" -static -O2 -s -o "$1/st-progs" "$main" $objs ||
        die "cannot link the guest programs (static glibc: package libc6-dev)"
}

work=$out/.work.$$
rm -rf "$work"
mkdir -p "$work/kernel" "$work/root"
trap 'rm -rf "$work"' EXIT
case "$img" in
    linux-binary-*) member='./usr/lib/modules/*/vmlinuz' ;;
    *) member='./boot/vmlinuz-*' ;;
esac
# unpack DEB MEMBER...: extract the members (tar patterns) into $work/kernel.
unpack() {
    d=$1
    shift
    dpkg-deb --fsys-tarfile "$d" | tar -x -C "$work/kernel" --wildcards "$@" ||
        die "cannot unpack $* from $d"
}
# The modules: ./lib/modules/RELEASE/kernel/... up to 6.x,
# ./usr/lib/modules/RELEASE/kernel/... from 7.x.  tar fails on a pattern
# that matches nothing, so list the package and name the ones it has.
modules='drivers/net/tun fs/fuse/fuse drivers/block/loop net/packet/af_packet
    net/vmw_vsock/vsock net/vmw_vsock/vmw_vsock_virtio_transport_common
    net/vmw_vsock/vsock_loopback crypto/crc32c_generic lib/libcrc32c
    fs/xfs/xfs fs/overlayfs/overlay'
dpkg-deb --fsys-tarfile "$moddeb" | tar -t >"$work/members.txt" ||
    die "cannot list the contents of $moddeb"
mods=
for mod in $modules; do
    m=$(grep -E "^\./(usr/)?lib/modules/[^/]+/kernel/$mod\.ko(\.xz|\.zst)?\$" \
        "$work/members.txt" || true)
    [ -z "$m" ] || mods="$mods $m"
done
# One pass over the package when it holds both the image and the modules.
# shellcheck disable=SC2086
if [ "$moddeb" = "$deb" ]; then
    unpack "$deb" "$member" $mods
else
    unpack "$deb" "$member"
    [ -z "$mods" ] || unpack "$moddeb" $mods
fi
vmlinuz=$(ls "$work/kernel/boot/vmlinuz-"* "$work/kernel/usr/lib/modules/"*/vmlinuz \
          2>/dev/null | head -n 1 || true)
[ -n "$vmlinuz" ] && [ -f "$vmlinuz" ] || die "$deb has no kernel image ($member)"
case "$vmlinuz" in
    */boot/vmlinuz-*) release=${vmlinuz##*/vmlinuz-} ;;
    *) release=$(basename "$(dirname "$vmlinuz")") ;;
esac

r=$work/root
mkdir -p "$r/bin" "$r/sbin" "$r/usr/bin" "$r/usr/sbin" "$r/proc" "$r/sys" \
         "$r/dev" "$r/tmp" "$r/root" "$r/etc" "$r/mnt" "$r/srv"
cp "$busybox" "$r/bin/busybox"
for a in $("$busybox" --list-full); do
    [ -e "$r/$a" ] || ln -s /bin/busybox "$r/$a"
done
build_progs "$r/bin"
# A 32-bit program: its system calls enter through sysenter or the compat
# syscall instruction (the vDSO picks one), not int $0x80.
"$cc" -m32 -static -O2 -s -Wall -Wextra -Werror -D_GNU_SOURCE -I"$progs" \
    -o "$r/bin/st-copy32" "$here/progs32/st-copy32.c" ||
    die "cannot build the 32-bit guest program (package gcc-multilib)"
# Modules, decompressed here so that insmod needs no decompressor.
mkdir -p "$r/lib/st-modules"
for mod in $modules; do
    to=$r/lib/st-modules/$(basename "$mod").ko
    for m in "$work/kernel/lib/modules/$release/kernel/$mod" \
             "$work/kernel/usr/lib/modules/$release/kernel/$mod"; do
        if [ -f "$m.ko" ]; then
            cp "$m.ko" "$to"
        elif [ -f "$m.ko.xz" ]; then
            xz -dc "$m.ko.xz" >"$to"
        elif [ -f "$m.ko.zst" ]; then
            zstd -qdc "$m.ko.zst" >"$to"
        fi || die "cannot decompress $m.ko (packages xz-utils, zstd)"
    done
done
# Below 300 MiB mkfs.xfs makes a filesystem only for its own test suite
# (fstests), which it tells by these variables; 32 MiB is plenty here.
TEST_DIR=/nonexistent TEST_DEV=/nonexistent QA_CHECK_FS=1 \
    mkfs.xfs -q -f -m reflink=1 -d file,name="$work/xfs.img",size=32m ||
    die "mkfs.xfs failed (package xfsprogs: run 'make deps')"
gzip -9n <"$work/xfs.img" >"$r/lib/st-xfs.img.gz"
rm -f "$work/xfs.img"
cp "$here/init.sh" "$r/init"
cp "$scenario" "$r/scenario.sh"
mkdir -p "$r/scenarios"
cp "$(dirname "$scenario")"/*.sh "$r/scenarios/"
chmod 755 "$r/init" "$r/scenario.sh" "$r/scenarios/"*.sh
echo "root:x:0:0:root:/root:/bin/sh" >"$r/etc/passwd"
echo "root:x:0:" >"$r/etc/group"
echo "127.0.0.1 localhost" >"$r/etc/hosts"
echo st-guest >"$r/etc/hostname"
(cd "$r" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -9n) >"$work/initrd.img" ||
    die "cannot build the initramfs"

cp "$vmlinuz" "$out/vmlinuz"
mv "$work/initrd.img" "$out/initrd.img"
printf 'package=%s\nversion=%s\nrelease=%s\nimage_package=%s\n' \
    "$pkg" "$ver" "$release" "$img" >"$out/kernel.txt"
echo "$key" >"$out/.key"
echo "st-guest: $pkg $ver, scenario $(basename "$scenario") -> $out"
