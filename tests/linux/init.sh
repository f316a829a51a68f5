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
echo "processors: $(grep -c ^processor /proc/cpuinfo)"
echo "--- ls /"
ls /
echo "--- dmesg (kvm/hyp/vgic/EL2)"
dmesg | grep -i -E "kvm|hyp|vgic|EL2"
# With armvirt.nested=1 on the kernel command line (and the nested initramfs, which holds /nested): run the same
# kernel as a KVM guest under tests/linux/kvm/minivmm, its console lines prefixed "nested| ", and report its exit.
if grep -q "armvirt.nested=1" /proc/cmdline; then
    echo "--- nested KVM guest"
    # armvirt.nested-cpus=N: the nested guest gets N vCPUs (minivmm runs each on a thread).
    CPUS=$(sed -n 's/.*armvirt\.nested-cpus=\([0-9]\).*/\1/p' /proc/cmdline)
    if [ -x /nested/minivmm ]; then
        /nested/minivmm --kernel /nested/Image --initrd /nested/initrd.cpio --memory 128 --cpus "${CPUS:-1}" --prefix "nested| " \
            --append "console=ttyAMA0 earlycon=pl011,0x9000000 panic=-1"
        echo "ARMVIRT-NESTED-EXIT $?"
        # armvirt.nested-aarch32=1: then a 32-bit KVM guest (KVM_ARM_VCPU_EL1_32BIT), a small A32 program at AArch32 EL1
        # printing through MMIO exits, its lines prefixed "a32| ".
        if grep -q "armvirt.nested-aarch32=1" /proc/cmdline; then
            /nested/minivmm --aarch32 /nested/aarch32_guest.bin --memory 16 --prefix "a32| "
            echo "ARMVIRT-NESTED-AARCH32-EXIT $?"
        fi
    else
        echo "ARMVIRT-NESTED-EXIT missing (no /nested/minivmm in this initramfs)"
    fi
fi
echo "ARMVIRT-BOOT-DONE"
poweroff -f
# Only reached if poweroff failed (PSCI SYSTEM_OFF missing): let the kernel panic so panic=-1 reboots
# and -no-reboot exits, rather than hang.
echo "ARMVIRT-POWEROFF-FAILED"
exit 1
