#!/bin/sh
# /init of the virtio test initramfs (tests/ArmVirt.Linux.Tests VirtioInitramfs), run by busybox sh as PID 1.
# Loads the virtio-mmio, virtio-blk, virtio-net and ext4 modules from /lib/modules (Debian builds them as modules;
# tests/linux/fetch.sh extracts them), then runs the scenario named on the kernel command line:
#   armvirt.test=ext4          mount /dev/vda as ext4, read /host.txt, write /guest.txt and /dir/lines.txt, sync, umount
#   armvirt.test=dd            dd 64 MiB from /dev/vda to /dev/null between two kernel log lines (their timestamps time it)
#   armvirt.test=ping-server   eth0 up at armvirt.ip, wait for a line on the console, power off
#   armvirt.test=ping-client   eth0 up at armvirt.ip, wait for a line on the console, ping armvirt.peer 3 times
#   armvirt.test=devices       write a line to hvc0 (virtio-console), read 16 bytes of /dev/hwrng (virtio-rng)
#   armvirt.test=hvc0-ping     eth0 up at armvirt.ip, read a line from hvc0 (virtio-console input), ping armvirt.peer
# Markers the tests look for: ARMVIRT-BOOT-OK, ARMVIRT-<STEP>-OK, ARMVIRT-BOOT-DONE.
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for m in $(cat /lib/modules/order); do
    insmod "/lib/modules/$m.ko" || echo "ARMVIRT-INSMOD-FAILED $m"
done
echo "ARMVIRT-BOOT-OK"
test="" ip="" peer=""
for w in $(cat /proc/cmdline); do
    case "$w" in
        armvirt.test=*) test=${w#*=} ;;
        armvirt.ip=*) ip=${w#*=} ;;
        armvirt.peer=*) peer=${w#*=} ;;
    esac
done
wait_for() { # wait_for TEST ARG: up to 10 s for a device to appear (drivers probe as their modules load)
    i=0
    while ! test "$1" "$2" && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
}
net_up() {
    wait_for -e /sys/class/net/eth0
    ifconfig eth0 "$ip" netmask 255.255.255.0 up && echo "ARMVIRT-NET-OK $ip $(cat /sys/class/net/eth0/address)"
}
case "$test" in
ext4)
    wait_for -b /dev/vda
    mkdir -p /mnt
    mount -t ext4 /dev/vda /mnt && echo "ARMVIRT-MOUNT-OK"
    echo "host.txt: $(cat /mnt/host.txt)"
    echo "written by the guest on $(uname -r)" > /mnt/guest.txt
    mkdir -p /mnt/dir
    i=0
    while [ $i -lt 200 ]; do echo "line $i" >> /mnt/dir/lines.txt; i=$((i + 1)); done
    sync && echo "ARMVIRT-SYNC-OK"
    echo "guest.txt: $(cat /mnt/guest.txt)"
    umount /mnt && echo "ARMVIRT-UMOUNT-OK"
    ;;
dd)
    wait_for -b /dev/vda
    # busybox dd prints no rate: the kernel log's microsecond timestamps around it time the copy.
    echo "ARMVIRT-DD-START" > /dev/kmsg
    dd if=/dev/vda of=/dev/null bs=1M count=64 2>&1 && echo "ARMVIRT-DD-END" > /dev/kmsg && echo "ARMVIRT-DD-OK"
    ;;
ping-server)
    net_up
    echo "ARMVIRT-WAITING"
    read -r line
    echo "ARMVIRT-PING-SERVER-OK"
    ;;
ping-client)
    net_up
    echo "ARMVIRT-WAITING"
    read -r line
    # The peer runs on another thread with its own virtual time: retry until it answers (ARP included), then ping.
    i=0
    until ping -c 1 -W 2 "$peer" > /dev/null 2>&1 || [ $i -ge 30 ]; do i=$((i + 1)); done
    ping -c 3 "$peer" && echo "ARMVIRT-PING-OK"
    ;;
hvc0-ping)
    # Record/replay (NetworkReplayLinuxTests): console input on hvc0, then frames from the peer.
    net_up
    wait_for -c /dev/hvc0
    echo "ARMVIRT-WAITING"
    read -r line < /dev/hvc0
    echo "ARMVIRT-HVC0-READ $line"
    i=0
    until ping -c 1 -W 2 "$peer" > /dev/null 2>&1 || [ $i -ge 30 ]; do i=$((i + 1)); done
    ping -c 3 "$peer" && echo "ARMVIRT-PING-OK"
    ;;
devices)
    # virtio-console (hvc0) and virtio-rng (/dev/hwrng) with the CLI's --console stdio --rng.
    wait_for -c /dev/hvc0
    echo "ARMVIRT-HVC0 hello from hvc0" > /dev/hvc0
    echo "hwrng: $(cat /sys/class/misc/hw_random/rng_current)"
    dd if=/dev/hwrng bs=16 count=1 2>/dev/null | hexdump -C | head -n 1
    echo "ARMVIRT-DEVICES-OK"
    ;;
*)
    echo "ARMVIRT-UNKNOWN-TEST '$test'"
    ;;
esac
echo "ARMVIRT-BOOT-DONE"
poweroff -f
echo "ARMVIRT-POWEROFF-FAILED"
exit 1
