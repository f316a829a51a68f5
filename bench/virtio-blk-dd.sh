#!/usr/bin/env bash
# virtio-blk sequential read throughput inside the guest: boots Debian's arm64 kernel with the virtio test initramfs
# (tests/linux/init-virtio.sh, scenario armvirt.test=dd) and a 72 MiB raw image on virtio-blk, runs
#   dd if=/dev/vda of=/dev/null bs=1M count=64
# in the guest, timed by the kernel log timestamps of two lines the guest writes to /dev/kmsg around it (busybox dd
# prints no rate), and prints the guest-measured seconds and MiB/s for
#   ArmVirt  armvirt --drive file=IMG,format=raw,readonly=on ... --stats   (guest seconds are virtual time)
#   QEMU     qemu-system-aarch64 -drive if=none,...,readonly=on -device virtio-blk-device  (guest seconds are host time)
# plus the wall time of each whole run (boot, module loading, dd, power-off).
#
#   bench/virtio-blk-dd.sh [--runs N] [--no-qemu]
#
# ArmVirt's guest-reported rate is in virtual time (1 GHz CPU clock): it says how many emulated cycles the guest and
# the device model spend per byte, and repeats exactly; the wall time says how fast the host ran them.
# Environment: ARMVIRT_CACHE, ARMVIRT_CLI, QEMU_SYSTEM_AARCH64 as bench/linux-boot.sh. Logs go to $CACHE/bench-logs/.
set -uo pipefail

RUNS=1
QEMU_TOO=1
while [[ $# -gt 0 ]]; do
    case "$1" in
        --runs) RUNS="$2"; shift 2 ;;
        --no-qemu) QEMU_TOO=0; shift ;;
        -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
        *) echo "virtio-blk-dd.sh: unknown option '$1' (see --help)" >&2; exit 1 ;;
    esac
done

ROOT=$(cd "$(dirname "$0")/.." && pwd)
CACHE=$("$ROOT/tests/linux/fetch.sh" | tail -1) || { echo "virtio-blk-dd.sh: fetch.sh failed" >&2; exit 1; }
LOGS="$CACHE/bench-logs"
mkdir -p "$LOGS"
echo "== building the virtio initramfs (tests/ArmVirt.Linux.Tests: WritesVirtioInitramfsToCache)"
if ! dotnet test "$ROOT/tests/ArmVirt.Linux.Tests" -c Release -nologo -v q --filter "FullyQualifiedName~WritesVirtioInitramfsToCache" \
        > "$LOGS/virtio-initramfs-build.log" 2>&1 || [[ ! -s "$CACHE/initrd-virtio.gz" ]]; then
    echo "virtio-blk-dd.sh: building the initramfs failed, see $LOGS/virtio-initramfs-build.log" >&2
    exit 1
fi
IMAGE="$CACHE/dd-72M.img"
if [[ ! -s "$IMAGE" ]]; then
    head -c $((72 << 20)) /dev/urandom > "$IMAGE.tmp" && mv "$IMAGE.tmp" "$IMAGE"
fi
KERNEL="$CACHE/Image"
INITRD="$CACHE/initrd-virtio.gz"
APPEND="console=ttyAMA0 earlycon=pl011,0x9000000 panic=-1 armvirt.test=dd"

source "$ROOT/bench/armvirt-command.sh"
armvirt_command "$LOGS/cli-build.log" || exit 1

# Runs a command, logs it, prints "<wall seconds> <guest report>"; fails unless the guest printed ARMVIRT-DD-OK.
measure() { # name command...
    local name=$1; shift
    local log="$LOGS/$name.log" start end
    start=$(date +%s.%N)
    "$@" < /dev/null > "$log" 2>&1
    local rc=$?
    end=$(date +%s.%N)
    if [[ $rc != 0 ]] || ! grep -q ARMVIRT-DD-OK "$log"; then
        echo "virtio-blk-dd.sh: $name failed (exit $rc), see $log" >&2
        return 1
    fi
    local report
    report=$(tr -d '\r' < "$log" | awk '
        /ARMVIRT-DD-START/ { gsub(/[][]/, " "); start = $1 }
        /ARMVIRT-DD-END/   { gsub(/[][]/, " "); end = $1 }
        END { if (end > start) printf "64 MiB in %.6f s = %.1f MiB/s", end - start, 64 / (end - start) }')
    printf '%.2f %s\n' "$(echo "$end - $start" | bc)" "$report"
}

for ((i = 1; i <= RUNS; i++)); do
    echo "== ArmVirt run $i"
    r=$(measure "dd-armvirt-$i" "${ARMVIRT[@]}" --kernel "$KERNEL" --initrd "$INITRD" --append "$APPEND" --memory 128M --el 1 \
        --drive "file=$IMAGE,format=raw,readonly=on" --stats) || exit 2
    echo "   wall ${r%% *} s; guest (virtual time): ${r#* }"
    grep -a '^armvirt: .* instructions' "$LOGS/dd-armvirt-$i.log" | sed 's/^/   /'
    if [[ $QEMU_TOO == 1 ]]; then
        QEMU=${QEMU_SYSTEM_AARCH64:-$(command -v qemu-system-aarch64 || true)}
        if [[ -x "$QEMU" ]]; then
            echo "== QEMU run $i"
            r=$(measure "dd-qemu-$i" "$QEMU" -M virt,gic-version=2 -cpu cortex-a57 -smp 1 -m 128M -nographic -no-reboot -monitor none \
                -kernel "$KERNEL" -initrd "$INITRD" -append "$APPEND" \
                -drive "if=none,id=d0,file=$IMAGE,format=raw,readonly=on" -device virtio-blk-device,drive=d0) || exit 1
            echo "   wall ${r%% *} s; guest (host time): ${r#* }"
        else
            echo "== QEMU: qemu-system-aarch64 not found, skipped"
        fi
    fi
done
