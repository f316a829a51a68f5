#!/usr/bin/env bash
# SMP throughput side by side: four copies of cpubench (MODE_EL1, 100 rounds each; tests/guests/bin/cpubench_smp0-3.elf,
# linked 16 MiB apart, common/bench_mode.h SMP_COPIES) run one per CPU. Copy 0 is the kernel and starts the others
# with PSCI CPU_ON; each copy computes on its own data, so the four CPUs never wait for each other until copy 0 waits
# for the others to finish. Five runs a round, alternating, each one's time the fastest of N rounds:
#   QEMU 4      qemu-system-aarch64 -M virt -smp 4 (multi-threaded TCG: one host thread per CPU) with the copies
#               placed by -device loader
#   QEMU 4s     the same with -accel tcg,thread=single (QEMU's round robin on one host thread): QEMU's own parallel
#               speed-up, the yardstick of how many free cores the host gave this run (about 1.0 means none: then no
#               parallel mode can gain here, whatever the issue's 1.6 asks)
#   ArmVirt 4   armvirt --smp 4 with --device loader (the deterministic round robin on one host thread)
#   ArmVirt 4p  the same with --smp-mode parallel (one host thread per CPU)
#   ArmVirt 1   armvirt with copy 0 alone (its CPU_ONs fail, it runs one copy)
# and prints copies per second for each, ArmVirt 4 against QEMU 4, ArmVirt 4 against ArmVirt 1 (the issue's
# "deterministic mode with 4 CPUs loses at most 10% aggregate throughput against 1 CPU": 1.0 means no loss), and the
# parallel mode against the deterministic one (the issue asks at least 1.6 on 2 host cores; it is bounded by the
# host's free cores, so note the load printed first).
#   bench/smp-bench.sh [--runs N]
set -uo pipefail
RUNS=1
while [[ $# -gt 0 ]]; do
    case "$1" in
        --runs) RUNS="$2"; shift 2 ;;
        -h|--help) sed -n '2,/^set -uo/{/^#/p}' "$0"; exit 0 ;;
        *) echo "smp-bench.sh: unknown option '$1' (see --help)" >&2; exit 1 ;;
    esac
done
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || { echo "smp-bench.sh: --runs $RUNS: must be a positive number" >&2; exit 1; }
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=$ROOT/tests/guests/bin
for k in 0 1 2 3; do [[ -f $BIN/cpubench_smp$k.elf ]] || { echo "smp-bench.sh: $BIN/cpubench_smp$k.elf not found (make -C tests/guests)" >&2; exit 1; }; done
QEMU=${QEMU_SYSTEM_AARCH64:-$(command -v qemu-system-aarch64 || true)}
[[ -x "$QEMU" ]] || { echo "smp-bench.sh: qemu-system-aarch64 not found (apt-get install qemu-system-arm)" >&2; exit 1; }
LOGS=$(mktemp -d "${TMPDIR:-/tmp}/smp-bench.XXXXXX")
source "$ROOT/bench/armvirt-command.sh"
armvirt_command "$LOGS/build.log" || exit 1

# run_once NAME COPIES CMD...: wall seconds of one run; fails unless it printed "smp: COPIES copies ran".
run_once() {
    local name=$1 copies=$2; shift 2
    local t0 t1 rc
    t0=$(date +%s.%N)
    timeout 900 "$@" < /dev/null > "$LOGS/$name.out" 2> "$LOGS/$name.err"
    rc=$?
    t1=$(date +%s.%N)
    if [[ $rc != 0 ]] || ! grep -q "^smp: $copies copies ran" "$LOGS/$name.out"; then
        echo "smp-bench.sh: $name failed (exit $rc), see $LOGS/$name.out and $LOGS/$name.err" >&2
        return 1
    fi
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }'
}
min() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (a == "" || b < a) ? b : a }'; }

loaders_qemu=() loaders_armvirt=()
for k in 1 2 3; do
    loaders_qemu+=(-device "loader,file=$BIN/cpubench_smp$k.elf")
    loaders_armvirt+=(--device "loader,file=$BIN/cpubench_smp$k.elf")
done
echo "== $("$QEMU" --version | head -1), $(nproc) host CPUs, load $(cut -d' ' -f1-3 /proc/loadavg); fastest of $RUNS run(s)"
q4="" q4s="" a4="" p4="" a1=""
for ((i = 1; i <= RUNS; i++)); do
    t=$(run_once "qemu4.$i" 4 "$QEMU" -M virt -cpu cortex-a57 -smp 4 -m 128M -nographic -monitor none -serial stdio \
        -kernel "$BIN/cpubench_smp0.elf" "${loaders_qemu[@]}") || exit 1
    q4=$(min "$q4" "$t")
    t=$(run_once "qemu4s.$i" 4 "$QEMU" -M virt -accel tcg,thread=single -cpu cortex-a57 -smp 4 -m 128M -nographic -monitor none \
        -serial stdio -kernel "$BIN/cpubench_smp0.elf" "${loaders_qemu[@]}") || exit 1
    q4s=$(min "$q4s" "$t")
    t=$(run_once "armvirt4.$i" 4 "${ARMVIRT[@]}" --smp 4 --kernel "$BIN/cpubench_smp0.elf" "${loaders_armvirt[@]}") || exit 1
    a4=$(min "$a4" "$t")
    t=$(run_once "parallel4.$i" 4 "${ARMVIRT[@]}" --smp 4 --smp-mode parallel --kernel "$BIN/cpubench_smp0.elf" "${loaders_armvirt[@]}") || exit 1
    p4=$(min "$p4" "$t")
    t=$(run_once "armvirt1.$i" 1 "${ARMVIRT[@]}" --kernel "$BIN/cpubench_smp0.elf") || exit 1
    a1=$(min "$a1" "$t")
done
# The copies compute the same checksums everywhere.
for f in "$LOGS"/qemu4s.*.out "$LOGS"/armvirt4.*.out "$LOGS"/parallel4.*.out "$LOGS"/armvirt1.*.out; do
    diff -q <(grep -v '^smp:' "$LOGS/qemu4.1.out") <(grep -v '^smp:' "$f") > /dev/null \
        || { echo "smp-bench.sh: $f prints other checksums than QEMU" >&2; exit 1; }
done
awk -v q4="$q4" -v q4s="$q4s" -v a4="$a4" -v p4="$p4" -v a1="$a1" 'BEGIN {
    printf "%-34s %9s %16s\n", "run", "seconds", "copies per second"
    printf "%-34s %9.3f %16.3f\n", "QEMU -smp 4 (MTTCG), 4 copies", q4, 4 / q4
    printf "%-34s %9.3f %16.3f\n", "QEMU -smp 4 (one thread), 4 copies", q4s, 4 / q4s
    printf "%-34s %9.3f %16.3f\n", "ArmVirt --smp 4, 4 copies", a4, 4 / a4
    printf "%-34s %9.3f %16.3f\n", "ArmVirt --smp 4 parallel, 4 copies", p4, 4 / p4
    printf "%-34s %9.3f %16.3f\n", "ArmVirt, 1 CPU, 1 copy", a1, 1 / a1
    printf "ArmVirt 4 CPUs / QEMU 4 CPUs (speed): %.3f\n", q4 / a4
    printf "ArmVirt 4 CPUs / ArmVirt 1 CPU (aggregate throughput): %.3f\n", (4 / a4) / (1 / a1)
    printf "ArmVirt 4 CPUs parallel / deterministic (throughput): %.3f\n", a4 / p4
    printf "QEMU MTTCG / one thread (the free cores the host gave): %.3f\n", q4s / q4
}'
