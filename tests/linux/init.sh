#!/bin/sh
# /init of the ArmVirt Linux boot test initramfs, run by busybox sh as PID 1.
# The tests and bench/linux-boot.sh look for the ARMVIRT-BOOT-OK and ARMVIRT-BOOT-DONE lines.
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
echo "uname: $(uname -a)"
echo "ARMVIRT-BOOT-OK"
echo "--- /proc/cpuinfo"
head -n 9 /proc/cpuinfo
echo "--- ls /"
ls /
echo "--- dmesg (kvm/hyp/vgic/EL2)"
dmesg | grep -i -E "kvm|hyp|vgic|EL2"
echo "ARMVIRT-BOOT-DONE"
poweroff -f
# Only reached if poweroff failed (PSCI SYSTEM_OFF missing): let the kernel panic so panic=-1 reboots
# and -no-reboot exits, rather than hang.
echo "ARMVIRT-POWEROFF-FAILED"
exit 1
