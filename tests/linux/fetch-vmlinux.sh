#!/usr/bin/env bash
# Fetches the vmlinux with debug symbols of the kernel fetch.sh cached (Debian's linux-image-<abi>-arm64-dbg, about
# 800 MB, apt-get download) into the Linux test cache, never into the repository, for gdb on the kernel
# (GdbLinuxTests): only the one member usr/lib/debug/boot/vmlinux-<abi> is extracted and the .deb is deleted.
#   $CACHE/vmlinux          the ELF with DWARF whose text is the Image fetch.sh extracted (same ABI and version)
#   $CACHE/vmlinux-version  e.g. "6.1.0-57-arm64 6.1.192-3"
# Cached: a second run with the file present (and the version equal to $CACHE/kernel-version) does nothing (FORCE=1
# refetches). Prints the vmlinux's path on stdout as its last line.
#   Usage: tests/linux/fetch-vmlinux.sh     (run after fetch.sh; ARMVIRT_CACHE overrides ~/.cache/armvirt)
set -euo pipefail

CACHE="${ARMVIRT_CACHE:-$HOME/.cache/armvirt}/linux"
die() { echo "fetch-vmlinux.sh: $*" >&2; exit 1; }
[[ -s "$CACHE/kernel-version" ]] || die "no $CACHE/kernel-version: run tests/linux/fetch.sh first"
read -r KVER PKGVER < "$CACHE/kernel-version"
if [[ "${FORCE:-0}" != 1 && -s "$CACHE/vmlinux" && "$(cat "$CACHE/vmlinux-version" 2>/dev/null)" == "$KVER $PKGVER" ]]; then
    echo "fetch-vmlinux.sh: cached: vmlinux $KVER $PKGVER" >&2
    echo "$CACHE/vmlinux"
    exit 0
fi
command -v apt-get >/dev/null || die "apt-get not found: this script needs a Debian (or derived) host"
PKG="linux-image-$KVER-dbg"
WORK=$(mktemp -d "$CACHE/tmp.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
start=$SECONDS
# The exact version of the kernel package, so that the symbols match the cached Image byte for byte.
(cd "$WORK" && apt-get download -q -o APT::Sandbox::User="$(id -un)" "$PKG:arm64=$PKGVER" >&2) \
    || die "apt-get download $PKG:arm64=$PKGVER failed (run tests/linux/fetch.sh first for the arm64 lists)"
DEB=$(ls "$WORK"/"$PKG"_*_arm64.deb)
echo "fetch-vmlinux.sh: downloaded $(du -m "$DEB" | cut -f1) MB in $((SECONDS - start)) s" >&2
# Only the one member; --occurrence stops tar at it instead of reading the rest of the ~5 GB archive (dpkg-deb then
# complains of the closed pipe: silenced).
MEMBER="./usr/lib/debug/boot/vmlinux-$KVER"
dpkg-deb --fsys-tarfile "$DEB" 2>/dev/null | tar -x -C "$WORK" --occurrence=1 "$MEMBER" 2>/dev/null || true
rm -f "$DEB"
[[ -s "$WORK/$MEMBER" ]] || die "no $MEMBER in $PKG"
# An AArch64 ELF (e_machine 183 = 0xb7 at offset 18).
[[ $(head -c4 "$WORK/$MEMBER" | od -An -tx1 | tr -d ' \n') == 7f454c46 \
    && $(dd if="$WORK/$MEMBER" bs=1 skip=18 count=2 2>/dev/null | od -An -tx1 | tr -d ' \n') == b700 ]] \
    || die "$MEMBER is not an AArch64 ELF"
mv "$WORK/$MEMBER" "$CACHE/vmlinux"
echo "$KVER $PKGVER" > "$CACHE/vmlinux-version"
echo "fetch-vmlinux.sh: vmlinux $KVER ($PKG $PKGVER, $(du -m "$CACHE/vmlinux" | cut -f1) MB) in $((SECONDS - start)) s -> $CACHE/vmlinux" >&2
echo "$CACHE/vmlinux"
