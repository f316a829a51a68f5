#!/usr/bin/env bash
# Stand-in for the armvirt CLI that runs the same guest on QEMU, to check the ArmVirt boot tests and
# bench/linux-boot.sh end to end before ArmVirt boots Linux:
#   ARMVIRT_CLI=tests/linux/qemu-as-armvirt.sh ARMVIRT_LINUX_BOOT=1 dotnet test tests/ArmVirt.Linux.Tests
# Takes armvirt's options: --kernel FILE --initrd FILE --append TEXT --memory SIZE --el 1|2 --gic-version 2|3
# --dump-dtb FILE --drive file=IMG[,format=raw][,readonly=on][,snapshot=on] (as -drive if=none + -device
# virtio-blk-device, which QEMU plugs into the virtio-mmio slots from the top, as armvirt does)
# (--stats is accepted and ignored).
# Deterministic like ArmVirt by default (instruction counting, no DTB random seeds, RTC on virtual time), so the
# determinism test passes; --nondeterministic drops that, and the determinism test must then fail.
set -euo pipefail
KERNEL="" INITRD="" APPEND="" MEMORY=128M EL=1 DETERMINISTIC=1 DUMPDTB="" GIC=2
DEVICES=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --kernel) KERNEL=$2; shift 2 ;;
        --initrd) INITRD=$2; shift 2 ;;
        --append) APPEND=$2; shift 2 ;;
        --el) EL=$2; shift 2 ;;
        --memory) MEMORY=$2; shift 2 ;;
        --gic-version) GIC=$2; shift 2 ;;
        --dump-dtb) DUMPDTB=$2; shift 2 ;;
        --drive)
            spec=$2
            [[ ",$spec," == *,format=* ]] || spec+=,format=raw
            id=drive${#DEVICES[@]}
            DEVICES+=(-drive "if=none,id=$id,$spec" -device "virtio-blk-device,drive=$id")
            shift 2 ;;
        --stats) shift ;;  # armvirt-only: nothing to print
        --nondeterministic) DETERMINISTIC=0; shift ;;
        *) echo "qemu-as-armvirt.sh: unknown option '$1'" >&2; exit 64 ;;
    esac
done
[[ -n "$KERNEL" ]] || { echo "qemu-as-armvirt.sh: --kernel is required" >&2; exit 64; }
# GICv3 as LinuxBootEnvironment.QemuMachine: without an ITS.
if [[ "$GIC" == 3 ]]; then MACHINE=virt,gic-version=3,its=off; else MACHINE=virt,gic-version=2; fi
[[ "$EL" == 2 ]] && MACHINE+=,virtualization=on
ARGS=(-cpu cortex-a57 -smp 1 -m "$MEMORY" -nographic -no-reboot -monitor none -kernel "$KERNEL")
[[ -n "$INITRD" ]] && ARGS+=(-initrd "$INITRD")
[[ -n "$APPEND" ]] && ARGS+=(-append "$APPEND")
ARGS+=("${DEVICES[@]}")
if [[ $DETERMINISTIC == 1 ]]; then
    MACHINE+=,dtb-randomness=off
    ARGS+=(-icount shift=0,sleep=off -rtc base=2000-01-01T00:00:00,clock=vm)
fi
[[ -n "$DUMPDTB" ]] && MACHINE+=,dumpdtb=$DUMPDTB
exec "${QEMU_SYSTEM_AARCH64:-qemu-system-aarch64}" -M "$MACHINE" "${ARGS[@]}"
