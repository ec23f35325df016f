#!/bin/sh
# Install everything secret-tracker needs from Debian 12 and bookworm-backports,
# enable trixie deb-src for the pinned QEMU source, and make the kernels of
# the other Debian lines downloadable for the test guests: bullseye (5.10),
# trixie (6.12) and sid (7.x).  Those three lines have their own sources
# file and are pinned to priority 1, so apt never installs or upgrades
# anything from them by itself; only st-guest.sh's explicit
# "apt-get download PACKAGE=VERSION" uses them.  Idempotent.
#
# Mirror host names are never written here: they are derived from the apt
# sources this machine already has.
set -eu

die() { echo "st-deps: $*" >&2; exit 1; }

if [ "$(id -u)" = 0 ]; then
    SUDO=
elif command -v sudo >/dev/null 2>&1; then
    SUDO=sudo
else
    die "run as root, or install sudo and run as a sudoer"
fi

PACKAGES="build-essential pkg-config ninja-build git ccache
    python3 python3-venv libglib2.0-dev libpixman-1-dev zlib1g-dev
    libslirp-dev libcapstone-dev libbpf-dev libelf-dev libfdt-dev liblzma-dev libzstd-dev
    liblz4-dev
    flex bison dpkg-dev xz-utils cpio busybox-static xfsprogs
    seabios qemu-system-data ipxe-qemu graphviz gdb socat
    clang libclang-rt-14-dev gcc-multilib
    rsyslog python3-jsonschema
    libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients"
BACKPORTS="meson python3-pycotap"
OUR_SOURCES=/etc/apt/sources.list.d/secret-tracker.sources
KERNEL_SOURCES=/etc/apt/sources.list.d/secret-tracker-kernels.sources
KERNEL_PREFS=/etc/apt/preferences.d/secret-tracker-kernels
# Debian lines used only for test-guest kernels, never for installing
KERNEL_LINES="bullseye trixie sid"

# The first URI that serves the "bookworm" suite, from deb822 or one-line files.
find_mirror() {
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] && [ "$f" != "$OUR_SOURCES" ] &&
            [ "$f" != "$KERNEL_SOURCES" ] || continue
        awk 'BEGIN { RS = ""; FS = "\n" }
             {
                 uri = ""; ok = 0; en = 1
                 for (i = 1; i <= NF; i++) {
                     if ($i ~ /^URIs:/) { split($i, a, /[ \t]+/); uri = a[2] }
                     if ($i ~ /^Suites:/ && $i ~ /[ \t]bookworm([ \t]|$)/) ok = 1
                     if ($i ~ /^Enabled:[ \t]*no/) en = 0
                 }
                 if (ok && en && uri != "") { print uri; exit }
             }' "$f"
    done
    cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
        awk '$1 == "deb" && $0 ~ / bookworm / {
                 for (i = 2; i <= NF; i++) if ($i ~ /:\/\//) { print $i; exit }
             }'
}

mirror=$(find_mirror | head -n 1)
[ -n "$mirror" ] || die "no apt source for Debian bookworm found in /etc/apt; add one, then run again"

want=$(printf 'Types: deb\nURIs: %s\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n\nTypes: deb-src\nURIs: %s\nSuites: trixie\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$mirror" "$mirror")
stamp=/var/lib/apt/lists/secret-tracker.stamp
if [ ! -f "$OUR_SOURCES" ] || [ "$(cat "$OUR_SOURCES")" != "$want" ]; then
    printf '%s\n' "$want" | $SUDO tee "$OUR_SOURCES" >/dev/null
    $SUDO rm -f "$stamp"
fi

# The kernel lines: pins first, so they are never a candidate for install
want_prefs=$(for l in $KERNEL_LINES; do
                 printf 'Package: *\nPin: release n=%s\nPin-Priority: 1\n\n' "$l"
             done)
if [ ! -f "$KERNEL_PREFS" ] || [ "$(cat "$KERNEL_PREFS")" != "$want_prefs" ]; then
    printf '%s\n' "$want_prefs" | $SUDO tee "$KERNEL_PREFS" >/dev/null
fi
want_kernels=$(printf 'Types: deb\nURIs: %s\nSuites: %s\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
                   "$mirror" "$KERNEL_LINES")
if [ ! -f "$KERNEL_SOURCES" ] || [ "$(cat "$KERNEL_SOURCES")" != "$want_kernels" ]; then
    printf '%s\n' "$want_kernels" | $SUDO tee "$KERNEL_SOURCES" >/dev/null
    $SUDO rm -f "$stamp"
fi

missing=
for p in $PACKAGES $BACKPORTS; do
    dpkg-query -W -f '${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' ||
        missing="$missing $p"
done
meson_ok=$(dpkg-query -W -f '${Version}' meson 2>/dev/null || true)
case "$meson_ok" in
    0.*|1.[0-4].*|'') missing="$missing meson" ;;
esac
lists_ok=$(ls /var/lib/apt/lists/*trixie*Sources* 2>/dev/null | head -n 1 || true)
for l in $KERNEL_LINES; do
    ls /var/lib/apt/lists/*_dists_"$l"_main_binary-amd64_Packages* >/dev/null 2>&1 ||
        lists_ok=
done

if [ -z "$missing" ] && [ -n "$lists_ok" ] && [ -f "$stamp" ]; then
    exit 0
fi

export DEBIAN_FRONTEND=noninteractive
if [ ! -f "$stamp" ] || [ -z "$lists_ok" ]; then
    $SUDO apt-get update -q || die "apt-get update failed: check network access to the Debian mirror ($mirror)"
    $SUDO touch "$stamp"
fi
[ -z "$missing" ] && exit 0
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $PACKAGES ||
    die "apt-get install failed: check apt access, then run 'make deps' again"
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends -t bookworm-backports $BACKPORTS ||
    die "could not install $BACKPORTS from bookworm-backports: check apt access, then run again"
