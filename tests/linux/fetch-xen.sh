#!/usr/bin/env bash
# Fetches Debian's Xen hypervisor for arm64 (xen-hypervisor-4.17-arm64, apt-get download) into the Linux test cache,
# never into the repository: $CACHE/xen-4.17-arm64 is the hypervisor image (an arm64 Image-format binary that both
# QEMU's -kernel and armvirt --kernel boot). Dom0 is the kernel and initramfs of fetch.sh, placed with the guest
# loader (QEMU -device guest-loader, armvirt --device guest-loader). Cached: a second run does nothing (FORCE=1 refetches).
# Prints the image's path on stdout as its last line.
#   Usage: tests/linux/fetch-xen.sh            (ARMVIRT_CACHE overrides ~/.cache/armvirt)
set -euo pipefail

CACHE="${ARMVIRT_CACHE:-$HOME/.cache/armvirt}/linux"
XEN="$CACHE/xen-4.17-arm64"
mkdir -p "$CACHE"
if [[ "${FORCE:-0}" != 1 && -s "$XEN" && -s "$CACHE/xen-version" ]]; then
    echo "fetch-xen.sh: cached: xen $(cat "$CACHE/xen-version")" >&2
    echo "$XEN"
    exit 0
fi
die() { echo "fetch-xen.sh: $*" >&2; exit 1; }
command -v apt-get >/dev/null || die "apt-get not found: this script needs a Debian (or derived) host"
# The arm64 package lists are set up by fetch.sh (run it first).
WORK=$(mktemp -d "$CACHE/tmp.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
(cd "$WORK" && apt-get download -q -o APT::Sandbox::User="$(id -un)" xen-hypervisor-4.17-arm64:arm64 >&2) \
    || die "apt-get download xen-hypervisor-4.17-arm64:arm64 failed (run tests/linux/fetch.sh first for the arm64 lists)"
DEB=$(ls "$WORK"/xen-hypervisor-4.17-arm64_*_arm64.deb)
dpkg-deb -x "$DEB" "$WORK/x"
[[ -s "$WORK/x/boot/xen-4.17-arm64" ]] || die "no boot/xen-4.17-arm64 in $DEB"
# arm64 Image header: magic "ARM\x64" at offset 56.
[[ $(dd if="$WORK/x/boot/xen-4.17-arm64" bs=1 skip=56 count=4 2>/dev/null | od -An -tx1 | tr -d ' \n') == 41524d64 ]] \
    || die "boot/xen-4.17-arm64 is not an arm64 Image (no ARM\\x64 magic)"
mv "$WORK/x/boot/xen-4.17-arm64" "$XEN"
dpkg-deb -f "$DEB" Version > "$CACHE/xen-version"
echo "fetch-xen.sh: xen $(cat "$CACHE/xen-version") -> $XEN" >&2
echo "$XEN"
