#!/usr/bin/env bash
# Publishes src/ArmVirt.Cli (Release, self-contained, ReadyToRun as one composite image of the ArmVirt assemblies and the
# .NET framework) into bench/bin/cli and prints the path of its executable. The bench scripts time whole processes:
# without ReadyToRun RyuJIT spends about 0.2 s of each run compiling the CLI, the machine builder and the run loop
# before the guest starts; a composite of our assemblies alone still left ~300 methods to RyuJIT at start-up (the
# framework's generics instantiated over our types and over tuples: Dictionary, List, Linq), which a composite that
# takes the framework in precompiles too (session 14: the start-up of an empty shapes run 0.29-0.34 s against
# 0.45-0.61 s, shapes_el1 2.49-2.75 s against 2.68-3.12 s, on a loaded host). The runtime-specific intermediate files
# and the output folder are deleted first: a publish after one with other ReadyToRun settings once left a folder mixing
# precompiled and IL-only assemblies that aborted at start-up (src/ArmVirt.Cpu/Jit/README.md).
# Usage: EXE=$(bench/publish-cli.sh LOGFILE) || exit 1
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
LOG=${1:-/dev/null}
case "$(uname -m)" in
    x86_64) RID=linux-x64 ;;
    aarch64) RID=linux-arm64 ;;
    *) echo "publish-cli.sh: no .NET runtime identifier known for $(uname -m)" >&2; exit 1 ;;
esac
OUT="$ROOT/bench/bin/cli"
rm -rf "$ROOT"/src/*/obj/Release/net10.0/"$RID" "$OUT"
dotnet publish "$ROOT/src/ArmVirt.Cli" -c Release -r "$RID" --self-contained true -p:PublishReadyToRun=true -p:PublishReadyToRunComposite=true \
    -o "$OUT" -nologo -v q > "$LOG" 2>&1 \
    || { echo "publish-cli.sh: publishing src/ArmVirt.Cli failed, see $LOG" >&2; exit 1; }
[[ -x "$OUT/armvirt" ]] || { echo "publish-cli.sh: published, but no $OUT/armvirt" >&2; exit 1; }
echo "$OUT/armvirt"
