#!/usr/bin/env bash
# Side-by-side CPU benchmark: runs the bare-metal integer guest tests/guests/bin/cpubench.elf (CRC-32, sorting,
# matrix multiply, linked lists, strings; source tests/guests/cpubench.c) on
#   QEMU     qemu-system-aarch64 -M virt -cpu cortex-a57 -nographic -kernel cpubench.elf   (TCG)
#   ArmVirt  armvirt --kernel cpubench.elf --engine jit --stats   and   --engine interp --stats
# and prints guest MIPS for each (instructions / wall seconds of the whole process) and the ratios ArmVirt/QEMU.
# The guest is deterministic, so QEMU retires the instruction count ArmVirt reports with --stats; every run must
# print the same checksums (the script fails otherwise).
#
# --matrix runs the same kernels in every translation mode of tests/guests/common/bench_mode.h, and a second program
# with other code shapes (tests/guests/shapes.c: a switch-dispatched bytecode interpreter, a lexer state machine,
# function-pointer dispatch, unrolled SHA-256, pointer chasing and calls across pages), one table row per
# (program, mode): instructions, QEMU seconds and MIPS, ArmVirt (jit) seconds and MIPS, ArmVirt speed / QEMU speed.
#   mode    where the kernels run                                                  guests (tests/guests/bin)
#   mmuoff  EL1, MMU off: every data access is Device                              cpubench_mmuoff, shapes_mmuoff
#   el1     EL1, stage 1 on (1 GiB identity blocks)                                cpubench, shapes_el1
#   el2     EL2 (QEMU virtualization=on, armvirt --el 2) with the EL2 stage 1      cpubench_el2, shapes_el2
#   s2      EL1, stage 1 on, under stage 2 set up by an EL2 monitor in the image    cpubench_s2, shapes_s2
# QEMU and ArmVirt runs alternate, and each side's time is the fastest of its N runs; every run must print what
# QEMU's first run printed, byte for byte, and every ArmVirt run of a row must retire the same number of instructions.
# --only PROGRAM (cpubench or shapes) and --mode MODE pick rows of the matrix (and imply --matrix).
#
#   bench/cpubench.sh [--runs N] [--skip-interp]
#   bench/cpubench.sh --matrix [--runs N] [--only cpubench|shapes] [--mode mmuoff|el1|el2|s2]
#
# Times are those of the fastest of N runs (default 1). Environment: ARMVIRT_CLI (command running armvirt instead
# of src/ArmVirt.Cli published by bench/publish-cli.sh), QEMU_SYSTEM_AARCH64 (QEMU binary), CPUBENCH_ELF (guest to run
# without --matrix).
set -uo pipefail

RUNS=1
INTERP=1
MATRIX=0
ONLY=""
MODE=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --runs) RUNS="$2"; shift 2 ;;
        --skip-interp) INTERP=0; shift ;;
        --matrix) MATRIX=1; shift ;;
        --only) ONLY="$2"; MATRIX=1; shift 2 ;;
        --mode) MODE="$2"; MATRIX=1; shift 2 ;;
        -h|--help) sed -n '2,/^set -uo/{/^#/p}' "$0"; exit 0 ;;
        *) echo "cpubench.sh: unknown option '$1' (see --help)" >&2; exit 1 ;;
    esac
done
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || { echo "cpubench.sh: --runs $RUNS: must be a positive number" >&2; exit 1; }
case "$ONLY" in ""|cpubench|shapes) ;; *) echo "cpubench.sh: --only $ONLY: must be cpubench or shapes" >&2; exit 1 ;; esac
case "$MODE" in ""|mmuoff|el1|el2|s2) ;; *) echo "cpubench.sh: --mode $MODE: must be mmuoff, el1, el2 or s2" >&2; exit 1 ;; esac

ROOT=$(cd "$(dirname "$0")/.." && pwd)
ELF=${CPUBENCH_ELF:-$ROOT/tests/guests/bin/cpubench.elf}
[[ $MATRIX == 1 || -f "$ELF" ]] || { echo "cpubench.sh: $ELF not found (make -C tests/guests)" >&2; exit 1; }
QEMU=${QEMU_SYSTEM_AARCH64:-$(command -v qemu-system-aarch64 || true)}
[[ -x "$QEMU" ]] || { echo "cpubench.sh: qemu-system-aarch64 not found (apt-get install qemu-system-arm)" >&2; exit 1; }
LOGS=$(mktemp -d "${TMPDIR:-/tmp}/cpubench.XXXXXX")

source "$ROOT/bench/armvirt-command.sh"
armvirt_command "$LOGS/build.log" || exit 1

# run_once NAME CMD...: runs CMD once, its console output going to $LOGS/NAME.out (stdout) and $LOGS/NAME.err (stderr),
# and prints its wall seconds. Fails if it exits non-zero or prints no "total" checksum.
run_once() {
    local name=$1; shift
    local t0 t1 rc
    t0=$(date +%s.%N)
    timeout 900 "$@" < /dev/null > "$LOGS/$name.out" 2> "$LOGS/$name.err"
    rc=$?
    t1=$(date +%s.%N)
    if [[ $rc != 0 ]] || ! grep -q '^total ' "$LOGS/$name.out"; then
        echo "cpubench.sh: $name failed (exit $rc), see $LOGS/$name.out and $LOGS/$name.err" >&2
        return 1
    fi
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }'
}

# min A B: the smaller of two times, B when A is empty.
min() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (a == "" || b < a) ? b : a }'; }

# run NAME CMD...: the wall seconds of the fastest of $RUNS runs (see run_once).
run() {
    local name=$1; shift
    local best="" i t
    for ((i = 1; i <= RUNS; i++)); do
        t=$(run_once "$name" "$@") || return 1
        best=$(min "$best" "$t")
    done
    echo "$best"
}

# --stats: "armvirt: N instructions, N cycles, X MIPS (T s)" on stderr.
instructions() { grep -m1 -oE '^armvirt: [0-9]+ instructions' "$1" | grep -oE '[0-9]+'; }

if [[ $MATRIX == 1 ]]; then
    echo "== $("$QEMU" --version | head -1), $(dotnet --version 2>/dev/null | sed 's/^/.NET SDK /'), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "== matrix: QEMU TCG and ArmVirt (--engine jit) alternating, fastest of $RUNS run(s) each; guests in $ROOT/tests/guests/bin"
    printf '%-9s %-7s %14s %9s %8s %10s %8s %13s\n' program mode instructions "QEMU s" MIPS "ArmVirt s" MIPS ArmVirt/QEMU
    status=0
    for program in cpubench shapes; do
        [[ -z "$ONLY" || "$ONLY" == "$program" ]] || continue
        for mode in mmuoff el1 el2 s2; do
            [[ -z "$MODE" || "$MODE" == "$mode" ]] || continue
            elf="$ROOT/tests/guests/bin/${program}_$mode.elf"
            [[ $program == cpubench && $mode == el1 ]] && elf="$ROOT/tests/guests/bin/cpubench.elf"
            row="${program}_$mode"
            if [[ ! -f "$elf" ]]; then
                echo "cpubench.sh: $elf not found (make -C tests/guests)" >&2; status=1; continue
            fi
            machine=virt; el=()
            if [[ $mode == el2 || $mode == s2 ]]; then machine=virt,virtualization=on; el=(--el 2); fi
            qemu_best="" armvirt_best="" insns="" problem=""
            for ((i = 1; i <= RUNS; i++)); do
                if ! t=$(run_once "$row.qemu$i" "$QEMU" -M "$machine" -cpu cortex-a57 -m 128M -nographic -monitor none \
                        -serial stdio -kernel "$elf"); then problem="QEMU failed"; break; fi
                qemu_best=$(min "$qemu_best" "$t")
                if ! t=$(run_once "$row.armvirt$i" "${ARMVIRT[@]}" --kernel "$elf" "${el[@]}" --engine jit --stats); then
                    problem="ArmVirt failed"; break
                fi
                armvirt_best=$(min "$armvirt_best" "$t")
                for side in qemu armvirt; do
                    if ! cmp -s "$LOGS/$row.qemu1.out" "$LOGS/$row.$side$i.out"; then
                        echo "cpubench.sh: $row: $side run $i printed other output than QEMU's first run:" >&2
                        diff "$LOGS/$row.qemu1.out" "$LOGS/$row.$side$i.out" >&2
                        problem="output differs"
                    fi
                done
                n=$(instructions "$LOGS/$row.armvirt$i.err")
                if [[ -z "$n" ]]; then problem="no --stats line"; break; fi
                if [[ -n "$insns" && "$n" != "$insns" ]]; then
                    echo "cpubench.sh: $row: ArmVirt run $i retired $n instructions, run 1 $insns" >&2
                    problem="instruction counts differ"
                fi
                insns=${insns:-$n}
            done
            if [[ -n "$problem" ]]; then
                printf '%-9s %-7s %s\n' "$program" "$mode" "FAILED: $problem (logs in $LOGS)"
                status=1
                continue
            fi
            awk -v p="$program" -v m="$mode" -v n="$insns" -v q="$qemu_best" -v a="$armvirt_best" 'BEGIN {
                printf "%-9s %-7s %14.0f %9.2f %8.1f %10.2f %8.1f %13.3f\n", p, m, n, q, n / q / 1e6, a, n / a / 1e6, q / a
            }'
        done
    done
    [[ $status == 0 ]] && rm -rf "$LOGS"
    exit $status
fi

echo "== $("$QEMU" --version | head -1), $(dotnet --version 2>/dev/null | sed 's/^/.NET SDK /'), $(nproc) CPUs, load $(cut -d' ' -f1 /proc/loadavg)"
echo "== guest $ELF, fastest of $RUNS run(s)"
QEMU_T=$(run qemu "$QEMU" -M virt -cpu cortex-a57 -m 128M -nographic -monitor none -serial stdio -kernel "$ELF") || exit 1
JIT_T=$(run jit "${ARMVIRT[@]}" --kernel "$ELF" --engine jit --stats) || exit 1
ENGINES=(jit)
if [[ $INTERP == 1 ]]; then
    INTERP_T=$(run interp "${ARMVIRT[@]}" --kernel "$ELF" --engine interp --stats) || exit 1
    ENGINES+=(interp)
fi

INSNS=$(instructions "$LOGS/jit.err")
[[ -n "$INSNS" ]] || { echo "cpubench.sh: no --stats line in $LOGS/jit.err" >&2; exit 1; }
status=0
for e in "${ENGINES[@]}"; do
    n=$(instructions "$LOGS/$e.err")
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
