#!/usr/bin/env bash
# Times each kernel of tests/guests/shapes.c alone (interp, lexer, dispatch, sha256, chase) on QEMU TCG and on ArmVirt,
# so that a gap in bench/cpubench.sh's shapes row can be traced to the code shape that causes it. Each kernel is built
# (aarch64-linux-gnu-gcc, into bench/bin/shapes-sections) as shapes_<mode>.elf is, with -DSECTIONS picking it, and so
# is an image running none of them: its time (start-up, the checksums' printing) is subtracted from every row, and the
# table gives each kernel's own seconds on both and their ratio (QEMU / ArmVirt: above 1, ArmVirt is faster).
#   QEMU     qemu-system-aarch64 -M virt[,virtualization=on] -cpu cortex-a57 -m 128M -kernel ELF
#   ArmVirt  armvirt --kernel ELF [--el 2] --engine jit --stats
# The two run alternately, each the fastest of N runs (default 3).
#
# Usage: bench/shapes-sections.sh [--mode mmuoff|el1|el2|s2] [--runs N]
# Environment: ARMVIRT_CLI (command running armvirt instead of src/ArmVirt.Cli published by bench/publish-cli.sh),
# QEMU_SYSTEM_AARCH64 (QEMU binary).
set -uo pipefail

RUNS=3
MODE=el1
while [[ $# -gt 0 ]]; do
    case "$1" in
        --runs) RUNS="$2"; shift 2 ;;
        --mode) MODE="$2"; shift 2 ;;
        -h|--help) sed -n '2,/^set -uo/{/^#/p}' "$0"; exit 0 ;;
        *) echo "shapes-sections.sh: unknown option '$1' (see --help)" >&2; exit 1 ;;
    esac
done
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || { echo "shapes-sections.sh: --runs $RUNS: must be a positive number" >&2; exit 1; }
case "$MODE" in mmuoff|el1|el2|s2) ;; *) echo "shapes-sections.sh: --mode $MODE: must be mmuoff, el1, el2 or s2" >&2; exit 1 ;; esac

ROOT=$(cd "$(dirname "$0")/.." && pwd)
QEMU=${QEMU_SYSTEM_AARCH64:-$(command -v qemu-system-aarch64 || true)}
[[ -x "$QEMU" ]] || { echo "shapes-sections.sh: qemu-system-aarch64 not found (apt-get install qemu-system-arm)" >&2; exit 1; }
command -v aarch64-linux-gnu-gcc >/dev/null || { echo "shapes-sections.sh: aarch64-linux-gnu-gcc not found (apt-get install gcc-aarch64-linux-gnu)" >&2; exit 1; }
LOGS=$(mktemp -d "${TMPDIR:-/tmp}/shapes-sections.XXXXXX")
source "$ROOT/bench/armvirt-command.sh"
armvirt_command "$LOGS/publish.log" || exit 1

# The guest build of tests/guests/Makefile's bench_guest rule, with SECTIONS added.
GUESTS="$ROOT/tests/guests"
OUT="$ROOT/bench/bin/shapes-sections"
mkdir -p "$OUT"
declare -A BITS=([none]=0 [interp]=1 [lexer]=2 [dispatch]=4 [sha256]=8 [chase]=16)
NAMES=(none interp lexer dispatch sha256 chase)
mode_define=-DMODE_${MODE^^}
for name in "${NAMES[@]}"; do
    aarch64-linux-gnu-gcc -ffreestanding -nostdlib -mgeneral-regs-only -mstrict-align -O2 -Wall -Wextra -Werror -fno-pie \
        -fno-stack-protector -fno-asynchronous-unwind-tables -I"$GUESTS/common" "$mode_define" -DROUNDS=64 \
        -DSECTIONS="${BITS[$name]}" -static -no-pie -nostdlib -Wl,-T,"$GUESTS/common/link.ld" -Wl,--build-id=none \
        -Wl,--no-warn-rwx-segments -o "$OUT/shapes_${MODE}_$name.elf" "$GUESTS/common/start.S" "$GUESTS/common/lib.c" \
        "$GUESTS/common/bench_mode.c" "$GUESTS/shapes.c" \
        || { echo "shapes-sections.sh: building the $name image failed" >&2; exit 1; }
done

machine=virt; el=()
if [[ $MODE == el2 || $MODE == s2 ]]; then machine=virt,virtualization=on; el=(--el 2); fi

# seconds CMD...: the wall seconds of one run of CMD (fails when it fails or prints no checksum).
seconds() {
    local t0 t1
    t0=$(date +%s.%N)
    timeout 600 "$@" < /dev/null > "$LOGS/out" 2> "$LOGS/err" && grep -q '^total ' "$LOGS/out" \
        || { echo "shapes-sections.sh: '$*' failed, see $LOGS" >&2; return 1; }
    t1=$(date +%s.%N)
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }'
}
min() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (a == "" || b < a) ? b : a }'; }

echo "== $("$QEMU" --version | head -1), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), mode $MODE, fastest of $RUNS"
declare -A QEMU_S ARMVIRT_S
for name in "${NAMES[@]}"; do
    elf="$OUT/shapes_${MODE}_$name.elf"
    q="" a=""
    for ((i = 1; i <= RUNS; i++)); do
        t=$(seconds "$QEMU" -M "$machine" -cpu cortex-a57 -m 128M -nographic -monitor none -serial stdio -kernel "$elf") || exit 1
        q=$(min "$q" "$t")
        t=$(seconds "${ARMVIRT[@]}" --kernel "$elf" "${el[@]}" --engine jit --stats) || exit 1
        a=$(min "$a" "$t")
    done
    QEMU_S[$name]=$q
    ARMVIRT_S[$name]=$a
done
printf '%-9s %10s %12s %14s\n' kernel "QEMU s" "ArmVirt s" "QEMU/ArmVirt"
printf '%-9s %10s %12s %14s\n' "(none)" "${QEMU_S[none]}" "${ARMVIRT_S[none]}" "start-up"
for name in "${NAMES[@]:1}"; do
    awk -v n="$name" -v q="${QEMU_S[$name]}" -v a="${ARMVIRT_S[$name]}" -v q0="${QEMU_S[none]}" -v a0="${ARMVIRT_S[none]}" 'BEGIN {
        dq = q - q0; da = a - a0; if (dq < 0.001) dq = 0.001; if (da < 0.001) da = 0.001
        printf "%-9s %10.3f %12.3f %14.3f\n", n, dq, da, dq / da }'
done
rm -rf "$LOGS"
