#!/usr/bin/env bash
# Side-by-side Linux boot benchmark: boots the same Debian arm64 kernel + test initramfs on
#   QEMU     qemu-system-aarch64 -M virt,virtualization=on,gic-version=2 -cpu cortex-a57   (EL2 by default)
#   ArmVirt  armvirt --kernel Image --initrd initrd.gz --append ... --memory 128M --el 2 --stats
# and prints the wall and CPU time of each boot (start to PSCI SYSTEM_OFF, i.e. process exit) and the ratios.
#
#   bench/linux-boot.sh [--arch arm64|armhf] [--el 1|2] [--gic 2|3] [--nested | --xen] [--runs N]
#
# --arch armhf: the ARMv7 machine instead (issue #19): Debian's armhf LPAE zImage (fetch.sh: zImage-armhf) and the armhf
# busybox initramfs (ArmhfLinuxBootTests' builder) in 256M on qemu-system-arm -M virt,highmem=off[,virtualization=on]
# -cpu cortex-a15 and armvirt --cpu cortex-a15, in Supervisor mode (--el 1) or Hyp mode (--el 2); with --xen Debian's
# armhf Xen 4.17 (fetch-xen.sh: xen-4.17-armhf) with that kernel and initramfs as dom0 (ArmhfXenBootTests). GICv2 only.
# --gic 3: a GICv3 (QEMU gic-version=3,its=off as the tests use it; ArmVirt --gic-version 3), KVM with vgic-v3 at EL2.
# --nested: nested virtualization (implies --el 2): the initramfs also holds tests/linux/kvm/minivmm, the kernel and a
# nested initramfs; with armvirt.nested=1 on the command line /init runs the same kernel as a KVM guest under minivmm
# (vGICv2 or vGICv3 as the outer GIC) to its PSCI SYSTEM_OFF, then powers off; 512M of RAM. The time is the whole run.
# --xen: Debian's Xen 4.17 (tests/linux/fetch-xen.sh) at EL2 with the same kernel and initramfs as its dom0, placed by the
# guest loader (QEMU -device guest-loader, armvirt --device guest-loader; LinuxBootEnvironment's Xen boot), 512M of RAM,
# to dom0's power-off (Xen then halts the machine).
# A boot counts only if the process exited 0 and /init printed ARMVIRT-BOOT-DONE (nested: also the nested guest's
# NESTED-GUEST-DONE and ARMVIRT-NESTED-EXIT 0); the times are those of the run with the least wall time of N. The
# marker lines of the two emulators' (first) runs must agree.
# Exit status: 0 both booted, 2 QEMU booted but ArmVirt did not (or printed other markers),
# 1 the QEMU reference failed (or setup failed).
# Environment: ARMVIRT_CACHE (cache root), ARMVIRT_CLI (command running armvirt instead of
# src/ArmVirt.Cli published by bench/publish-cli.sh), ARMVIRT_LINUX_TIMEOUT (seconds per ArmVirt boot, default 600),
# QEMU_SYSTEM_AARCH64 / QEMU_SYSTEM_ARM (QEMU binaries). Logs of every run go to $CACHE/bench-logs/.
set -uo pipefail

ARCH=arm64
EL=2
GIC=2
NESTED=0
XEN=0
RUNS=1
while [[ $# -gt 0 ]]; do
    case "$1" in
        --arch) ARCH="$2"; shift 2 ;;
        --el) EL="$2"; shift 2 ;;
        --gic) GIC="$2"; shift 2 ;;
        --nested) NESTED=1; shift ;;
        --xen) XEN=1; EL=2; shift ;;
        --runs) RUNS="$2"; shift 2 ;;
        -h|--help) sed -n '2,27p' "$0"; exit 0 ;;
        *) echo "linux-boot.sh: unknown option '$1' (see --help)" >&2; exit 1 ;;
    esac
done
[[ "$EL" == 1 || "$EL" == 2 ]] || { echo "linux-boot.sh: --el must be 1 or 2" >&2; exit 1; }
[[ "$GIC" == 2 || "$GIC" == 3 ]] || { echo "linux-boot.sh: --gic must be 2 or 3" >&2; exit 1; }
if [[ $NESTED == 1 && "$EL" != 2 ]]; then echo "linux-boot.sh: --nested needs --el 2 (KVM)" >&2; exit 1; fi
if [[ $NESTED == 1 && $XEN == 1 ]]; then echo "linux-boot.sh: --nested and --xen are separate boots" >&2; exit 1; fi
[[ "$ARCH" == arm64 || "$ARCH" == armhf ]] || { echo "linux-boot.sh: --arch must be arm64 or armhf" >&2; exit 1; }
if [[ $ARCH == armhf && ( $NESTED == 1 || $GIC == 3 ) ]]; then echo "linux-boot.sh: --arch armhf has no --nested or --gic 3" >&2; exit 1; fi

ROOT=$(cd "$(dirname "$0")/.." && pwd)
if [[ $ARCH == armhf ]]; then QEMU=${QEMU_SYSTEM_ARM:-$(command -v qemu-system-arm || true)}
else QEMU=${QEMU_SYSTEM_AARCH64:-$(command -v qemu-system-aarch64 || true)}; fi
[[ -x "$QEMU" ]] || { echo "linux-boot.sh: ${QEMU:-qemu-system-$ARCH} not found (apt-get install qemu-system-arm)" >&2; exit 1; }
ARMVIRT_TIMEOUT=${ARMVIRT_LINUX_TIMEOUT:-600}
# Same command line as tests/ArmVirt.Linux.Tests (LinuxBootEnvironment.KernelCommandLine).
APPEND='console=ttyAMA0 earlycon=pl011,0x9000000 panic=-1 dyndbg="file vgic-v2.c +p"'
MEMORY=128M
# The armhf boot: ArmhfLinuxBootTests.Memory.
[[ $ARCH == armhf ]] && MEMORY=256M
# The nested boot: LinuxBootEnvironment.NestedKernelCommandLine and NestedGuestMemory.
if [[ $NESTED == 1 ]]; then APPEND+=' armvirt.nested=1'; MEMORY=512M; fi
# Names the configuration in the output and the log files.
if [[ $NESTED == 1 ]]; then CONFIG="EL2 nested GICv$GIC"; TAG="nested-gic$GIC"; else CONFIG="EL$EL GICv$GIC"; TAG="el$EL-gic$GIC"; fi
if [[ $XEN == 1 ]]; then CONFIG="Xen dom0 GICv$GIC"; TAG="xen-gic$GIC"; fi
if [[ $ARCH == armhf ]]; then CONFIG="armhf $CONFIG"; TAG="armhf-$TAG"; fi

# 1. Kernel and busybox (cached), 2. the initramfs from the test project's builder (one builder for both).
CACHE=$("$ROOT/tests/linux/fetch.sh" | tail -1) || { echo "linux-boot.sh: fetch.sh failed" >&2; exit 1; }
LOGS="$CACHE/bench-logs"
mkdir -p "$LOGS"
if [[ $NESTED == 1 ]]; then
    INITRD="$CACHE/initrd-nested.img"; BUILDER=WritesNestedInitramfsToCache
elif [[ $ARCH == armhf ]]; then
    INITRD="$CACHE/initrd-armhf.gz"; BUILDER=WritesArmhfInitramfsToCache
else
    INITRD="$CACHE/initrd.gz"; BUILDER=WritesBootInitramfsToCache
fi
echo "== building the initramfs (tests/ArmVirt.Linux.Tests: $BUILDER)"
if ! dotnet test "$ROOT/tests/ArmVirt.Linux.Tests" -nologo -v q --filter "FullyQualifiedName~$BUILDER" \
        > "$LOGS/initramfs-build.log" 2>&1 || [[ ! -s "$INITRD" ]]; then
    echo "linux-boot.sh: building the initramfs failed, see $LOGS/initramfs-build.log" >&2
    exit 1
fi
KERNEL="$CACHE/Image"
[[ $ARCH == armhf ]] && KERNEL="$CACHE/zImage-armhf"
if [[ $XEN == 1 ]]; then
    XEN_IMAGE=$("$ROOT/tests/linux/fetch-xen.sh" | tail -1) || { echo "linux-boot.sh: fetch-xen.sh failed" >&2; exit 1; }
    [[ $ARCH == armhf ]] && XEN_IMAGE="$CACHE/xen-4.17-armhf"
    # LinuxBootEnvironment: XenCommandLine, Dom0CommandLine, Dom0KernelAddress/Dom0InitrdAddress, XenGuestMemory.
    MEMORY=512M
    XEN_APPEND="dom0_mem=128M console=dtuart dtuart=/pl011@9000000"
    DOM0_KERNEL="guest-loader,addr=0x49000000,kernel=$KERNEL,bootargs=console=hvc0 earlycon=xen panic=-1"
    DOM0_INITRD="guest-loader,addr=0x4d000000,initrd=$INITRD"
fi

# LinuxBootEnvironment.QemuMachine: GICv3 without an ITS (ArmVirt models no LPIs).
if [[ "$EL" == 2 ]]; then MACHINE=virt,virtualization=on; else MACHINE=virt; fi
if [[ "$GIC" == 3 ]]; then MACHINE+=,gic-version=3,its=off; else MACHINE+=,gic-version=2; fi
if [[ $ARCH == armhf ]]; then
    # ArmhfLinuxBootTests / ArmhfXenBootTests: no highmem (a 32-bit machine), GICv2.
    if [[ "$EL" == 2 ]]; then MACHINE=virt,highmem=off,virtualization=on; else MACHINE=virt,highmem=off; fi
    QEMU_CMD=("$QEMU" -M "$MACHINE" -cpu cortex-a15 -smp 1 -m "$MEMORY" -nographic -no-reboot -monitor none)
else
    QEMU_CMD=("$QEMU" -M "$MACHINE" -cpu cortex-a57 -smp 1 -m "$MEMORY" -nographic -no-reboot -monitor none)
fi
if [[ $XEN == 1 ]]; then
    QEMU_CMD+=(-kernel "$XEN_IMAGE" -append "$XEN_APPEND" -device "$DOM0_KERNEL" -device "$DOM0_INITRD")
else
    QEMU_CMD+=(-kernel "$KERNEL" -initrd "$INITRD" -append "$APPEND")
fi

# ArmVirt: build Release once (not timed), then run the built program directly so dotnet run's own start-up
# (project evaluation) is not counted.
ARMVIRT_CMD=()
ARMVIRT_SETUP_ERROR=""
source "$ROOT/bench/armvirt-command.sh"
if armvirt_command "$LOGS/armvirt-build.log" 2>/dev/null; then
    ARMVIRT_CMD=("${ARMVIRT[@]}")
else
    ARMVIRT_SETUP_ERROR="publish failed: $(grep -m1 -E 'error' "$LOGS/armvirt-build.log" | sed 's/^ *//')"
fi
# --stats: armvirt prints instructions, cycles and MIPS to stderr at exit (shown below from the log).
if [[ $XEN == 1 ]]; then
    ARMVIRT_CMD+=(--kernel "$XEN_IMAGE" --append "$XEN_APPEND" --device "$DOM0_KERNEL" --device "$DOM0_INITRD")
else
    ARMVIRT_CMD+=(--kernel "$KERNEL" --initrd "$INITRD" --append "$APPEND")
fi
ARMVIRT_CMD+=(--memory "$MEMORY" --el "$EL" --stats)
[[ $ARCH == armhf ]] && ARMVIRT_CMD+=(--cpu cortex-a15)
[[ "$GIC" == 3 ]] && ARMVIRT_CMD+=(--gic-version 3)

# run NAME TIMEOUT CMD...: prints "WALL CPU" in seconds (CPU = user + system of the emulator process tree, which a
# loaded or shared machine disturbs less than wall time) on success; on failure prints why on stderr.
run() {
    local name=$1 limit=$2; shift 2
    local log="$LOGS/$name.log" times="$LOGS/$name.time" rc
    local TIMEFORMAT='%R %U %S'
    { time timeout --kill-after=5 "$limit" "$@" < /dev/null > "$log" 2>&1; } 2> "$times"
    rc=$?
    if [[ $rc == 124 || $rc == 137 ]]; then echo "timed out after ${limit} s (log: $log)" >&2; return 1; fi
    if [[ $rc != 0 ]]; then
        local last; last=$(tr -d '\r' < "$log" | grep -v '^$' | tail -1)
        echo "exit $rc: ${last:-(no output)} (log: $log)" >&2; return 1
    fi
    if ! grep -q ARMVIRT-BOOT-DONE "$log"; then echo "exit 0 without reaching ARMVIRT-BOOT-DONE (log: $log)" >&2; return 1; fi
    if grep -q "Kernel panic" "$log"; then echo "kernel panic (log: $log)" >&2; return 1; fi
    if [[ $NESTED == 1 ]] && ! { grep -q "nested| NESTED-GUEST-DONE" "$log" && grep -q "ARMVIRT-NESTED-EXIT 0" "$log"; }; then
        echo "the nested guest did not run to its power-off: $(grep -a -m1 -E 'ARMVIRT-NESTED-EXIT|minivmm: [^v]' "$log" | tr -d '\r') (log: $log)" >&2
        return 1
    fi
    awk '{ printf "%.3f %.3f\n", $1, $2 + $3 }' "$times"
}

# best NAME TIMEOUT CMD...: "WALL CPU" of the run with the least wall time of $RUNS runs, or nothing if any run failed.
best() {
    local name=$1 limit=$2; shift 2
    local b="" t i
    for ((i = 1; i <= RUNS; i++)); do
        t=$(run "$name-$i" "$limit" "$@") || return 1
        if [[ -z "$b" ]] || awk -v t="${t% *}" -v b="${b% *}" 'BEGIN { exit !(t < b) }'; then b=$t; fi
    done
    echo "$b"
}

# show LABEL "WALL CPU"
show() { awk -v l="$1" '{ printf "%s boot: %.2f s wall, %.2f s CPU\n", l, $1, $2 }' <<< "$2"; }

# markers LOG: the marker lines of a run (the outer /init's, the nested guest's and minivmm's, its times left out),
# which must be the same on both emulators.
markers() {
    tr -d '\r' < "$1" | grep -a -E '^(ARMVIRT-[A-Z-]+|nested\| NESTED-GUEST-[A-Z]+|minivmm: (vGIC|guest))' \
        | sed -E 's/ after [0-9]+ ms, [0-9]+ exits \([0-9]+ MMIO\)//'
}

# nested_line LOG: minivmm's last line (the nested guest's run time as the outer guest's clock measured it: host
# time on QEMU, virtual time on ArmVirt) for the report.
nested_line() { grep -a -h -m1 -E '^minivmm: guest' "$1" 2>/dev/null | tr -d '\r'; }

KVERSION_FILE="$CACHE/kernel-version"
[[ $ARCH == armhf ]] && KVERSION_FILE="$CACHE/kernel-armhf-version"
echo "== kernel $(cat "$KVERSION_FILE"), $("$QEMU" --version | head -1), $CONFIG, best of $RUNS"
echo "== QEMU:    $(printf '%q ' "${QEMU_CMD[@]}")"
QEMU_TIME=$(best qemu-$TAG 300 "${QEMU_CMD[@]}")
QEMU_OK=$?
if [[ $QEMU_OK == 0 ]]; then show "QEMU    $CONFIG" "$QEMU_TIME"; else echo "QEMU    $CONFIG boot: FAILED"; fi
[[ $NESTED == 1 && $QEMU_OK == 0 ]] && echo "        $(nested_line "$LOGS/qemu-$TAG-1.log")"

echo "== ArmVirt: $(printf '%q ' "${ARMVIRT_CMD[@]}")"
if [[ -n "$ARMVIRT_SETUP_ERROR" ]]; then
    echo "ArmVirt $CONFIG boot: FAILED ($ARMVIRT_SETUP_ERROR)"
    ARMVIRT_OK=1
else
    ARMVIRT_TIME=$(best armvirt-$TAG "$ARMVIRT_TIMEOUT" "${ARMVIRT_CMD[@]}")
    ARMVIRT_OK=$?
    if [[ $ARMVIRT_OK == 0 ]]; then show "ArmVirt $CONFIG" "$ARMVIRT_TIME"; else echo "ArmVirt $CONFIG boot: FAILED"; fi
    STATS=$(grep -h -m1 -E '^armvirt: [0-9]+ instructions' "$LOGS"/armvirt-$TAG-*.log 2>/dev/null | head -1 | tr -d '\r')
    [[ -n "$STATS" ]] && echo "        $STATS"
    [[ $NESTED == 1 && $ARMVIRT_OK == 0 ]] && echo "        $(nested_line "$LOGS/armvirt-$TAG-1.log")"
fi

if [[ $QEMU_OK != 0 ]]; then exit 1; fi
if [[ $ARMVIRT_OK != 0 ]]; then echo "ratio ArmVirt/QEMU: n/a (ArmVirt did not boot)"; exit 2; fi
if ! diff <(markers "$LOGS/qemu-$TAG-1.log") <(markers "$LOGS/armvirt-$TAG-1.log") > "$LOGS/markers-$TAG.diff"; then
    echo "markers differ (QEMU <, ArmVirt >):"; cat "$LOGS/markers-$TAG.diff"
    exit 2
fi
echo "markers agree: $(markers "$LOGS/qemu-$TAG-1.log" | awk 'NR > 1 { printf "; " } { printf "%s", $0 }')"
awk -v a="$ARMVIRT_TIME" -v q="$QEMU_TIME" 'BEGIN { split(a, x, " "); split(q, y, " ");
    printf "ratio ArmVirt/QEMU: %.2f wall, %.2f CPU\n", x[1] / y[1], x[2] / y[2] }'
