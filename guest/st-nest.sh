#!/bin/sh
# Build the nest's L1 image: a Debian kernel with its own KVM modules and a
# busybox initramfs holding our QEMU and the test guests, so that the -kvm
# end-to-end tests can run their guest under a real (nested) KVM on a host
# without /dev/kvm.  tests/e2e/stnest.py boots it under TCG (-cpu max has
# AMD SVM with nested paging) and drives it; guest/nest-init.sh is its PID 1.
#
# usage: st-nest.sh OUT_DIR QEMU_BINARY KERNEL_GUEST_DIR GUEST_DIR...
#   OUT_DIR           receives kernel (the ELF image, booted through PVH),
#                     initrd.img, kernel.txt, guests.txt;
#                     rebuilt only when an input changes
#   QEMU_BINARY       our qemu-system-x86_64: a stripped copy, the shared
#                     libraries it needs and its firmware go into L1
#   KERNEL_GUEST_DIR  a test guest built by st-guest.sh: L1 runs the same
#                     Debian kernel package (resolved and downloaded there)
#   GUEST_DIR...      test guests L1 can boot, as /guests/NAME
set -eu

die() { echo "st-nest: $*" >&2; exit 1; }
[ $# -ge 4 ] || die "usage: st-nest.sh OUT_DIR QEMU_BINARY KERNEL_GUEST_DIR GUEST_DIR..."
out=$1
qemu=$2
kguest=$3
shift 3
here=$(cd "$(dirname "$0")" && pwd)
busybox=/bin/busybox
[ -x "$busybox" ] && "$busybox" --list >/dev/null 2>&1 ||
    die "$busybox missing: run 'make deps' (package busybox-static)"
[ -x "$qemu" ] || die "QEMU binary $qemu missing: build it first"
for t in strip cpio gzip sha256sum dpkg-deb; do
    command -v "$t" >/dev/null 2>&1 || die "$t missing: run 'make deps'"
done

# The L1 kernel: the package st-guest.sh resolved for KERNEL_GUEST_DIR.
[ -f "$kguest/kernel.txt" ] || die "$kguest/kernel.txt missing: build that guest first"
pkg=$(sed -n 's/^package=//p' "$kguest/kernel.txt")
ver=$(sed -n 's/^version=//p' "$kguest/kernel.txt")
deb=$kguest/cache/${pkg}_$(echo "$ver" | sed 's/^[0-9]*://')_amd64.deb
[ -f "$deb" ] || die "$deb missing: rebuild the guest in $kguest"

# Firmware a -kernel boot of the pc machine reads (seabios, the option ROMs
# for -kernel and for KVM's TPR patching); QEMU looks for it in the
# configured firmware path, which L1 reproduces.
firmware="/usr/share/seabios/bios-256k.bin /usr/share/qemu/linuxboot_dma.bin
          /usr/share/qemu/linuxboot.bin /usr/share/qemu/kvmvapic.bin
          /usr/share/qemu/pvh.bin /usr/share/qemu/multiboot_dma.bin"
for f in $firmware; do
    [ -f "$f" ] || die "$f missing: run 'make deps' (seabios, qemu-system-data)"
done

# The shared libraries, as the loader resolves them here.
libs=$(ldd "$qemu" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }') ||
    die "ldd $qemu failed"
[ -n "$libs" ] || die "ldd found no libraries for $qemu"

key=$(
    {
        echo "$pkg=$ver"
        "$busybox" 2>&1 | head -n 1
        sha256sum "$qemu" | cut -d' ' -f1
        for l in $libs $firmware; do
            echo "$l $(stat -L -c '%s %Y' "$l")"
        done
        for g in "$@"; do
            echo "$(basename "$g") $(cat "$g/.key" 2>/dev/null)"
        done
        cat "$0" "$here/nest-init.sh"
    } | sha256sum | cut -d' ' -f1
)
if [ -f "$out/.key" ] && [ "$(cat "$out/.key")" = "$key" ] &&
   [ -f "$out/kernel" ] && [ -f "$out/initrd.img" ]; then
    exit 0
fi

mkdir -p "$out"
work=$out/.work.$$
rm -rf "$work"
mkdir -p "$work/kernel" "$work/root"
trap 'rm -rf "$work"' EXIT
dpkg-deb --fsys-tarfile "$deb" |
    tar -x -C "$work/kernel" --wildcards './boot/vmlinuz-*' \
        './lib/modules/*/kernel/virt/lib/irqbypass.ko*' \
        './lib/modules/*/kernel/arch/x86/kvm/kvm.ko*' \
        './lib/modules/*/kernel/arch/x86/kvm/kvm-amd.ko*' \
        './lib/modules/*/kernel/drivers/crypto/ccp/ccp.ko*' ||
    die "cannot unpack the kernel and its KVM modules from $deb"
vmlinuz=$(ls "$work/kernel/boot/vmlinuz-"* | head -n 1)
release=${vmlinuz##*/vmlinuz-}

# L0 boots the kernel's ELF image through PVH: under TCG that saves the ~10 s
# the bzImage stub spends decompressing itself.  The payload's place is in
# the boot header (setup_sects at 0x1f1, payload_offset/length at 0x248).
u() { od -An -tu"$1" -j "$2" -N "$1" "$vmlinuz" | tr -d ' '; }
setup=$(u 1 497)
[ "$setup" -ne 0 ] || setup=4
off=$(( (setup + 1) * 512 + $(u 4 584) ))
len=$(u 4 588)
payload() { tail -c +$((off + 1)) "$vmlinuz" | head -c "$len"; }
case $(payload | od -An -tx1 -N 4 | tr -d ' ') in
    fd377a58) unpack="xz -dc --single-stream" ;;
    1f8b*) unpack="gzip -dc" ;;
    28b52ffd) unpack="zstd -qdc" ;;
    *) die "$vmlinuz: unknown kernel payload compression" ;;
esac
payload | $unpack >"$work/vmlinux" 2>/dev/null ||
    die "cannot decompress the kernel payload of $vmlinuz"
[ "$(od -An -c -N 4 "$work/vmlinux" | tr -d ' ')" = '177ELF' ] ||
    die "$vmlinuz: payload is not an ELF kernel"
# The PVH entry point is ELF note 18 (XEN_ELFNOTE_PHYS32_ENTRY) of owner Xen;
# without one, boot the bzImage and pay for its decompression.
if command -v readelf >/dev/null 2>&1 &&
   readelf -n "$work/vmlinux" | grep -q -e 'Xen.*(0x00000012)' -e 'XEN_ELFNOTE_PHYS32_ENTRY'; then
    :
else
    echo "st-nest: no PVH entry in $vmlinuz: L1 boots the compressed image (slower)"
    cp "$vmlinuz" "$work/vmlinux"
fi

r=$work/root
mkdir -p "$r/bin" "$r/sbin" "$r/usr/bin" "$r/usr/sbin" "$r/proc" "$r/sys" \
         "$r/dev" "$r/tmp" "$r/run" "$r/etc" "$r/lib/nest-modules" \
         "$r/usr/local/bin" "$r/guests"
cp "$busybox" "$r/bin/busybox"
for a in $("$busybox" --list-full); do
    [ -e "$r/$a" ] || ln -s /bin/busybox "$r/$a"
done

# Modules, decompressed here so that insmod needs no decompressor.
m=$work/kernel/lib/modules/$release/kernel
for mod in virt/lib/irqbypass arch/x86/kvm/kvm drivers/crypto/ccp/ccp \
           arch/x86/kvm/kvm-amd; do
    name=$(basename "$mod")
    if [ -f "$m/$mod.ko" ]; then
        cp "$m/$mod.ko" "$r/lib/nest-modules/$name.ko"
    elif [ -f "$m/$mod.ko.xz" ]; then
        xz -dc "$m/$mod.ko.xz" >"$r/lib/nest-modules/$name.ko"
    elif [ -f "$m/$mod.ko.zst" ]; then
        zstd -qdc "$m/$mod.ko.zst" >"$r/lib/nest-modules/$name.ko"
    else
        die "$deb has no $mod.ko (nor .ko.xz, .ko.zst)"
    fi
done

strip -o "$r/usr/local/bin/qemu-system-x86_64" "$qemu" ||
    die "cannot strip $qemu"
for l in $libs; do
    mkdir -p "$r$(dirname "$l")"
    cp -L "$l" "$r$l"
done
for f in $firmware; do
    mkdir -p "$r$(dirname "$f")"
    cp -L "$f" "$r$f"
done

: >"$work/guests.txt"
for g in "$@"; do
    name=$(basename "$g")
    [ -f "$g/vmlinuz" ] && [ -f "$g/initrd.img" ] && [ -f "$g/.key" ] ||
        die "guest $g is not built"
    mkdir -p "$r/guests/$name"
    cp "$g/vmlinuz" "$g/initrd.img" "$r/guests/$name/"
    echo "$name $(cat "$g/.key")" >>"$work/guests.txt"
done
cp "$here/nest-init.sh" "$r/init"
chmod 755 "$r/init"
echo "root:x:0:0:root:/root:/bin/sh" >"$r/etc/passwd"
echo "root:x:0:" >"$r/etc/group"
echo st-nest >"$r/etc/hostname"
# Uncompressed: most of it is compressed already, and TCG decompresses slowly.
(cd "$r" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) >"$work/initrd.img" ||
    die "cannot build the initramfs"

mv "$work/vmlinux" "$out/kernel"
mv "$work/initrd.img" "$out/initrd.img"
mv "$work/guests.txt" "$out/guests.txt"
printf 'package=%s\nversion=%s\nrelease=%s\n' "$pkg" "$ver" "$release" >"$out/kernel.txt"
echo "$key" >"$out/.key"
echo "st-nest: L1 $pkg $ver, QEMU $(basename "$qemu"), guests: $(cut -d' ' -f1 "$out/guests.txt" | tr '\n' ' ')-> $out"
