#!/usr/bin/env bash
# Side-by-side CPU benchmark: runs the bare-metal integer guest tests/guests/bin/cpubench.elf (CRC-32, sorting,
# matrix multiply, linked lists, strings; source tests/guests/cpubench.c) on
#   QEMU     qemu-system-aarch64 -M virt -cpu cortex-a57 -nographic -kernel cpubench.elf   (TCG)
#   ArmVirt  armvirt --kernel cpubench.elf --engine jit --stats   and   --engine interp --stats
# and prints guest MIPS for each (instructions / wall seconds of the whole process) and the ratios ArmVirt/QEMU.
# The guest is deterministic, so QEMU retires the instruction count ArmVirt reports with --stats; every run must
# print the same checksums (the script fails otherwise).
#
#   bench/cpubench.sh [--runs N] [--skip-interp]
#
# Times are those of the fastest of N runs (default 1). Environment: ARMVIRT_CLI (command running armvirt instead
# of src/ArmVirt.Cli published by bench/publish-cli.sh), QEMU_SYSTEM_AARCH64 (QEMU binary), CPUBENCH_ELF (guest to run).
set -uo pipefail

RUNS=1
INTERP=1
while [[ $# -gt 0 ]]; do
    case "$1" in
        --runs) RUNS="$2"; shift 2 ;;
        --skip-interp) INTERP=0; shift ;;
        -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
        *) echo "cpubench.sh: unknown option '$1' (see --help)" >&2; exit 1 ;;
    esac
done

ROOT=$(cd "$(dirname "$0")/.." && pwd)
ELF=${CPUBENCH_ELF:-$ROOT/tests/guests/bin/cpubench.elf}
[[ -f "$ELF" ]] || { echo "cpubench.sh: $ELF not found (make -C tests/guests)" >&2; exit 1; }
QEMU=${QEMU_SYSTEM_AARCH64:-$(command -v qemu-system-aarch64 || true)}
[[ -x "$QEMU" ]] || { echo "cpubench.sh: qemu-system-aarch64 not found (apt-get install qemu-system-arm)" >&2; exit 1; }
LOGS=$(mktemp -d "${TMPDIR:-/tmp}/cpubench.XXXXXX")

if [[ -n "${ARMVIRT_CLI:-}" ]]; then
    read -r -a ARMVIRT <<< "$ARMVIRT_CLI"
else
    echo "== publishing src/ArmVirt.Cli (Release, ReadyToRun; bench/publish-cli.sh)"
    DLL=$("$ROOT/bench/publish-cli.sh" "$LOGS/build.log") || exit 1
    ARMVIRT=(dotnet "$DLL")
fi

# run NAME CMD...: the wall seconds of the fastest of $RUNS runs; the guest's console output goes to $LOGS/NAME.out
# (stdout) and $LOGS/NAME.err (stderr). Fails if a run exits non-zero or prints no "total" checksum.
run() {
    local name=$1; shift
    local best="" i t0 t1 rc
    for ((i = 1; i <= RUNS; i++)); do
        t0=$(date +%s.%N)
        timeout 900 "$@" < /dev/null > "$LOGS/$name.out" 2> "$LOGS/$name.err"
        rc=$?
        t1=$(date +%s.%N)
        if [[ $rc != 0 ]] || ! grep -q '^total ' "$LOGS/$name.out"; then
            echo "cpubench.sh: $name failed (exit $rc), see $LOGS/$name.out and $LOGS/$name.err" >&2
            return 1
        fi
        best=$(awk -v a="$t0" -v b="$t1" -v best="$best" 'BEGIN { t = b - a; if (best == "" || t < best) best = t; printf "%.3f", best }')
    done
    echo "$best"
}

echo "== $("$QEMU" --version | head -1), $(dotnet --version 2>/dev/null | sed 's/^/.NET SDK /'), $(nproc) CPUs, load $(cut -d' ' -f1 /proc/loadavg)"
echo "== guest $ELF, fastest of $RUNS run(s)"
QEMU_T=$(run qemu "$QEMU" -M virt -cpu cortex-a57 -m 128M -nographic -monitor none -serial stdio -kernel "$ELF") || exit 1
JIT_T=$(run jit "${ARMVIRT[@]}" --kernel "$ELF" --engine jit --stats) || exit 1
ENGINES=(jit)
if [[ $INTERP == 1 ]]; then
    INTERP_T=$(run interp "${ARMVIRT[@]}" --kernel "$ELF" --engine interp --stats) || exit 1
    ENGINES+=(interp)
fi

# --stats: "armvirt: N instructions, N cycles, X MIPS (T s)" on stderr.
INSNS=$(grep -m1 -oE '^armvirt: [0-9]+ instructions' "$LOGS/jit.err" | grep -oE '[0-9]+')
[[ -n "$INSNS" ]] || { echo "cpubench.sh: no --stats line in $LOGS/jit.err" >&2; exit 1; }
status=0
for e in "${ENGINES[@]}"; do
    n=$(grep -m1 -oE '^armvirt: [0-9]+ instructions' "$LOGS/$e.err" | grep -oE '[0-9]+')
    if [[ "$n" != "$INSNS" ]]; then echo "cpubench.sh: $e retired $n instructions, jit $INSNS" >&2; status=1; fi
done
for e in "${ENGINES[@]}"; do
    if ! cmp -s "$LOGS/qemu.out" "$LOGS/$e.out"; then
        echo "cpubench.sh: $e printed other checksums than QEMU:" >&2
        diff "$LOGS/qemu.out" "$LOGS/$e.out" >&2
        status=1
    fi
done
grep -E '^total ' "$LOGS/qemu.out" | sed 's/^/checksum: /'
# --stats with the JIT also prints "armvirt: jit: N compiles (R of them regions), M guest instructions, in T s, X us per
# guest instruction".
grep -h '^armvirt: jit:' "$LOGS/jit.err" | sed 's/^armvirt: jit: /jit compile: /'

awk -v n="$INSNS" -v q="$QEMU_T" -v j="$JIT_T" -v i="${INTERP_T:-}" 'BEGIN {
    printf "guest instructions: %d\n", n
    printf "%-16s %8.2f s %9.1f MIPS\n", "QEMU TCG", q, n / q / 1e6
    printf "%-16s %8.2f s %9.1f MIPS   ArmVirt/QEMU %.3f\n", "ArmVirt jit", j, n / j / 1e6, q / j
    if (i != "") printf "%-16s %8.2f s %9.1f MIPS   ArmVirt/QEMU %.3f\n", "ArmVirt interp", i, n / i / 1e6, q / i
}'
[[ $status == 0 ]] && rm -rf "$LOGS"
exit $status
