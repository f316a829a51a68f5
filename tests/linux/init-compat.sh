#!/bin/sh
# /init of the COMPAT test initramfs (tests/ArmVirt.Linux.Tests CompatLinuxTests): the arm64 busybox runs /compat.sh,
# then Debian's armhf busybox-static runs it (every applet under /bin32 links to /bin32/busybox, a 32-bit EABI5 static
# executable run by the arm64 kernel's COMPAT layer at AArch32 EL0), each output between markers for the test to compare.
mount -t proc proc /proc
mount -t devtmpfs devtmpfs /dev
echo "uname: $(uname -m)"
echo "ARMVIRT-BOOT-OK"
# EI_CLASS of the running executable, read by each busybox's own od: 02 (ELFCLASS64) and 01 (ELFCLASS32).
echo "arm64 ELF class: $(/bin/od -An -tx1 -j4 -N1 /proc/self/exe)"
echo "armhf ELF class: $(/bin32/od -An -tx1 -j4 -N1 /proc/self/exe)"
echo "ARMVIRT-COMPAT-A64-BEGIN"
PATH=/bin /bin/sh /compat.sh
echo "ARMVIRT-COMPAT-A64-END"
echo "ARMVIRT-COMPAT-A32-BEGIN"
PATH=/bin32 /bin32/sh /compat.sh
echo "ARMVIRT-COMPAT-A32-END status $?"
echo "ARMVIRT-BOOT-DONE"
poweroff -f
echo "ARMVIRT-POWEROFF-FAILED"
exit 1
