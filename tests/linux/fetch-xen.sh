#!/usr/bin/env bash
# Fetches Debian's Xen hypervisors (apt-get download) into the Linux test cache, never into the repository:
#   $CACHE/xen-4.17-arm64   xen-hypervisor-4.17-arm64: an arm64 Image-format binary that both QEMU's -kernel and
#                           armvirt --kernel boot (the arm64 Xen boot)
#   $CACHE/xen-4.17-armhf   xen-hypervisor-4.17-armhf: an ARM zImage-format binary, booted the same way on the ARMv7
#                           machine (qemu-system-arm -cpu cortex-a15, armvirt --cpu cortex-a15 --el 2; ArmhfXenBootTests)
# Dom0 is the kernel and initramfs of fetch.sh (Image, or zImage-armhf with the armhf busybox), placed with the guest
# loader (QEMU -device guest-loader, armvirt --device guest-loader). Cached: a second run does nothing (FORCE=1 refetches).
# Prints the arm64 image's path on stdout as its last line.
#   Usage: tests/linux/fetch-xen.sh            (ARMVIRT_CACHE overrides ~/.cache/armvirt)
set -euo pipefail

CACHE="${ARMVIRT_CACHE:-$HOME/.cache/armvirt}/linux"
mkdir -p "$CACHE"
die() { echo "fetch-xen.sh: $*" >&2; exit 1; }

# fetch ARCH MAGIC_OFFSET MAGIC_HEX WHAT: xen-hypervisor-4.17-ARCH:ARCH's boot/xen-4.17-ARCH into $CACHE/xen-4.17-ARCH,
# checked by its image header's magic; its version in $CACHE/xen-version (arm64) or xen-ARCH-version.
fetch() {
    local arch=$1 offset=$2 magic=$3 what=$4
    local xen="$CACHE/xen-4.17-$arch" version="$CACHE/xen-version"
    [[ $arch == arm64 ]] || version="$CACHE/xen-$arch-version"
    if [[ "${FORCE:-0}" != 1 && -s "$xen" && -s "$version" ]]; then
        echo "fetch-xen.sh: cached: xen $arch $(cat "$version")" >&2
        return 0
    fi
    command -v apt-get >/dev/null || die "apt-get not found: this script needs a Debian (or derived) host"
    local work
    work=$(mktemp -d "$CACHE/tmp.XXXXXX")
    # The arm64 and armhf package lists are set up by fetch.sh (run it first).
    if ! (cd "$work" && apt-get download -q -o APT::Sandbox::User="$(id -un)" "xen-hypervisor-4.17-$arch:$arch" >&2); then
        rm -rf "$work"
        die "apt-get download xen-hypervisor-4.17-$arch:$arch failed (run tests/linux/fetch.sh first for the $arch lists)"
    fi
    local deb
    deb=$(ls "$work"/xen-hypervisor-4.17-"$arch"_*_"$arch".deb)
    dpkg-deb -x "$deb" "$work/x"
    [[ -s "$work/x/boot/xen-4.17-$arch" ]] || { rm -rf "$work"; die "no boot/xen-4.17-$arch in $deb"; }
    [[ $(dd if="$work/x/boot/xen-4.17-$arch" bs=1 skip="$offset" count=4 2>/dev/null | od -An -tx1 | tr -d ' \n') == "$magic" ]] \
        || { rm -rf "$work"; die "boot/xen-4.17-$arch is not $what"; }
    mv "$work/x/boot/xen-4.17-$arch" "$xen"
    dpkg-deb -f "$deb" Version > "$version"
    rm -rf "$work"
    echo "fetch-xen.sh: xen $arch $(cat "$version") -> $xen" >&2
}

# arm64 Image header: magic "ARM\x64" at offset 56; ARM zImage: 0x016f2818 at offset 0x24.
fetch armhf 36 18286f01 "an ARM zImage (no 0x016f2818 magic)"
fetch arm64 56 41524d64 "an arm64 Image (no ARM\\x64 magic)"
echo "$CACHE/xen-4.17-arm64"
