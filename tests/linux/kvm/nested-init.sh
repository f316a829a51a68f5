#!/bin/sh
# /init of the nested guest's initramfs: the same Debian kernel, run by tests/linux/kvm/minivmm under KVM inside the
# outer guest (tests/linux/init.sh with armvirt.nested=1). Prints what it runs on, proves the timer interrupt works
# (sleep needs it to wake up) and powers off (PSCI SYSTEM_OFF through HVC, which KVM reports to minivmm).
mount -t proc proc /proc
echo "NESTED-GUEST-OK $(uname -r)"
grep -E "^CPU implementer|^BogoMIPS" /proc/cpuinfo | head -n 2
sleep 0.1
echo "--- nested /proc/interrupts"
cat /proc/interrupts
echo "NESTED-GUEST-DONE"
poweroff -f
echo "NESTED-POWEROFF-FAILED"
exit 1
