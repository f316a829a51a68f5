#!/usr/bin/env bash
# Fetches Debian's arm64 kernel and busybox-static from Debian's package archive (apt-get download) into a
# cache directory, never into the repository, and extracts:
#   $CACHE/Image           the kernel, decompressed from Debian's gzip-compressed vmlinuz
#   $CACHE/busybox         the static arm64 busybox binary
#   $CACHE/busybox-armhf   Debian's static armhf busybox (busybox-static:armhf), for the COMPAT test
#   $CACHE/zImage-armhf    Debian's armhf LPAE kernel (linux-image-*-armmp-lpae:armhf), for the ARMv7 boot
#   $CACHE/kernel-version  e.g. "6.1.0-56-arm64 6.1.192-2"
#   $CACHE/modules/*.ko    the kernel's modules the virtio tests insmod (Debian builds virtio-mmio, virtio-blk,
#                          virtio-net, ext4 and their dependencies as modules), listed in $CACHE/modules/order
#                          in a valid insmod order
# Cached between runs: a second run with both files present does nothing (FORCE=1 refetches).
# Prints the cache directory on stdout as its last line.
#   Usage: tests/linux/fetch.sh            (ARMVIRT_CACHE overrides ~/.cache/armvirt)
set -euo pipefail

CACHE="${ARMVIRT_CACHE:-$HOME/.cache/armvirt}/linux"
mkdir -p "$CACHE"

# Modules in insmod order (each after its dependencies, from the .ko files' "depends=" modinfo field).
MODULES="crc16 mbcache jbd2 crc32c_generic ext4 virtio_mmio virtio_blk failover net_failover virtio_net virtio-rng virtio_console"

die() { echo "fetch.sh: $*" >&2; exit 1; }
command -v apt-get >/dev/null || die "apt-get not found: this script needs a Debian (or derived) host"

sudo_if_needed() {
    if [[ $(id -u) == 0 ]]; then "$@"
    elif command -v sudo >/dev/null; then sudo "$@"
    else die "need root to run: $*"; fi
}

# Debian's armhf busybox-static ($CACHE/busybox-armhf): the 32-bit EABI5 executable the COMPAT test
# (CompatLinuxTests) runs at AArch32 EL0 under the arm64 kernel; fetched on its own so that an older cache gains it.
if [[ "${FORCE:-0}" == 1 || ! -x "$CACHE/busybox-armhf" ]]; then
    if [[ $(dpkg --print-architecture) != armhf ]] && ! dpkg --print-foreign-architectures | grep -qx armhf; then
        echo "fetch.sh: adding the armhf architecture to dpkg and updating package lists" >&2
        sudo_if_needed dpkg --add-architecture armhf
        sudo_if_needed apt-get update -q >&2
    fi
    AWORK=$(mktemp -d "$CACHE/tmp.XXXXXX")
    ( cd "$AWORK" && apt-get download -q -o APT::Sandbox::User="$(id -un)" busybox-static:armhf >&2 ) \
        || { rm -rf "$AWORK"; die "apt-get download busybox-static:armhf failed"; }
    dpkg-deb -x "$(ls "$AWORK"/busybox-static_*_armhf.deb)" "$AWORK/x"
    [[ -x "$AWORK/x/bin/busybox" ]] || { rm -rf "$AWORK"; die "no bin/busybox in busybox-static:armhf"; }
    cp "$AWORK/x/bin/busybox" "$CACHE/busybox-armhf"
    chmod 755 "$CACHE/busybox-armhf"
    echo "fetch.sh: busybox-static:armhf $(dpkg-deb -f "$(ls "$AWORK"/busybox-static_*_armhf.deb)" Version) -> $CACHE/busybox-armhf" >&2
    rm -rf "$AWORK"
fi

# Debian's armhf LPAE kernel ($CACHE/zImage-armhf, a zImage): the ARMv7 machine's boot (--cpu cortex-a15,
# ArmhfLinuxBootTests), with an initramfs of busybox-armhf; fetched on its own as busybox-armhf is.
if [[ "${FORCE:-0}" == 1 || ! -s "$CACHE/zImage-armhf" ]]; then
    # (the armhf architecture and its package lists were added for busybox-armhf above)
    armhf_kernel_pkg() { apt-cache depends linux-image-armmp-lpae:armhf 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[^:]*\).*/\1/p' | head -1; }
    AKPKG=$(armhf_kernel_pkg)
    if [[ -z "$AKPKG" ]]; then
        sudo_if_needed apt-get update -q >&2
        AKPKG=$(armhf_kernel_pkg)
    fi
    [[ -n "$AKPKG" ]] || die "linux-image-armmp-lpae:armhf has no candidate in the apt lists"
    KWORK=$(mktemp -d "$CACHE/tmp.XXXXXX")
    ( cd "$KWORK" && apt-get download -q -o APT::Sandbox::User="$(id -un)" "$AKPKG:armhf" >&2 ) \
        || { rm -rf "$KWORK"; die "apt-get download $AKPKG:armhf failed"; }
    dpkg-deb -x "$(ls "$KWORK"/"$AKPKG"_*_armhf.deb)" "$KWORK/x"
    AZ=$(ls "$KWORK"/x/boot/vmlinuz-* | head -1)
    # ARM zImage: magic 0x016f2818 at offset 0x24.
    [[ -f "$AZ" && $(dd if="$AZ" bs=1 skip=36 count=4 2>/dev/null | od -An -tx1 | tr -d ' \n') == 18286f01 ]] \
        || { rm -rf "$KWORK"; die "no ARM zImage (boot/vmlinuz-*) in $AKPKG:armhf"; }
    cp "$AZ" "$CACHE/zImage-armhf"
    echo "${AZ##*/vmlinuz-} $(dpkg-deb -f "$(ls "$KWORK"/"$AKPKG"_*_armhf.deb)" Version)" > "$CACHE/kernel-armhf-version"
    echo "fetch.sh: $AKPKG:armhf -> $CACHE/zImage-armhf" >&2
    rm -rf "$KWORK"
fi

if [[ "${FORCE:-0}" != 1 && -s "$CACHE/Image" && -x "$CACHE/busybox" && -s "$CACHE/kernel-version" && -s "$CACHE/modules/order" ]]; then
    echo "fetch.sh: cached: kernel $(cat "$CACHE/kernel-version")" >&2
    echo "$CACHE"
    exit 0
fi


# apt-get download PKG:arm64 needs the arm64 package lists: add the foreign architecture once.
if [[ $(dpkg --print-architecture) != arm64 ]] && ! dpkg --print-foreign-architectures | grep -qx arm64; then
    echo "fetch.sh: adding the arm64 architecture to dpkg and updating package lists" >&2
    sudo_if_needed dpkg --add-architecture arm64
    sudo_if_needed apt-get update -q >&2
fi

# The metapackage linux-image-arm64 names the current ABI's package (linux-image-X.Y.Z-N-arm64).
kernel_pkg() { apt-cache depends linux-image-arm64:arm64 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[^:]*\).*/\1/p' | head -1; }
KPKG=$(kernel_pkg)
if [[ -z "$KPKG" ]]; then
    echo "fetch.sh: no arm64 kernel in the package lists, updating them" >&2
    sudo_if_needed apt-get update -q >&2
    KPKG=$(kernel_pkg)
fi
[[ -n "$KPKG" ]] || die "linux-image-arm64:arm64 has no candidate in the apt lists"

WORK=$(mktemp -d "$CACHE/tmp.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
(
    cd "$WORK"
    # apt-get download runs as the '_apt' user when it can; a private directory it cannot write is fine
    # as long as we are that directory's owner, so let it download as us.
    apt-get download -q -o APT::Sandbox::User="$(id -un)" "$KPKG:arm64" busybox-static:arm64 >&2
) || die "apt-get download $KPKG:arm64 busybox-static:arm64 failed"

KDEB=$(ls "$WORK"/"$KPKG"_*_arm64.deb)
BDEB=$(ls "$WORK"/busybox-static_*_arm64.deb)
mkdir "$WORK/k" "$WORK/b"
dpkg-deb -x "$KDEB" "$WORK/k"
dpkg-deb -x "$BDEB" "$WORK/b"

VMLINUZ=$(ls "$WORK"/k/boot/vmlinuz-* | head -1)
[[ -f "$VMLINUZ" ]] || die "no boot/vmlinuz-* in $KDEB"
# Debian's arm64 vmlinuz is a gzip-compressed Image (magic 1f 8b); older or other builds may be a plain Image.
if [[ $(head -c2 "$VMLINUZ" | od -An -tx1 | tr -d ' \n') == 1f8b ]]; then
    gzip -dc "$VMLINUZ" > "$WORK/Image"
else
    cp "$VMLINUZ" "$WORK/Image"
fi
# arm64 Image header: magic "ARM\x64" at offset 56.
[[ $(dd if="$WORK/Image" bs=1 skip=56 count=4 2>/dev/null | od -An -tx1 | tr -d ' \n') == 41524d64 ]] \
    || die "$VMLINUZ does not decompress to an arm64 Image (no ARM\\x64 magic)"
[[ -x "$WORK/b/bin/busybox" ]] || die "no bin/busybox in $BDEB"

KVER=${VMLINUZ##*/vmlinuz-}
mkdir "$WORK/modules"
for m in $MODULES; do
    ko=$(find "$WORK/k/lib/modules/$KVER" -name "$m.ko" | head -1)
    [[ -n "$ko" ]] || die "no $m.ko in $KDEB"
    cp "$ko" "$WORK/modules/"
done
echo "$MODULES" | tr ' ' '\n' > "$WORK/modules/order"
PKGVER=$(dpkg-deb -f "$KDEB" Version)
BBVER=$(dpkg-deb -f "$BDEB" Version)
mv "$WORK/Image" "$CACHE/Image"
rm -rf "$CACHE/modules"
mv "$WORK/modules" "$CACHE/modules"
cp "$WORK/b/bin/busybox" "$CACHE/busybox"
chmod 755 "$CACHE/busybox"
echo "$KVER $PKGVER" > "$CACHE/kernel-version"
echo "$BBVER" > "$CACHE/busybox-version"
echo "fetch.sh: kernel $KVER ($KPKG $PKGVER), busybox-static $BBVER -> $CACHE" >&2
echo "$CACHE"
