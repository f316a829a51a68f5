#!/usr/bin/env bash
# Publishes src/ArmVirt.Cli (Release, ReadyToRun: its own code precompiled, as a shipped tool is, as one composite
# image of the ArmVirt assemblies, so that code in one may use the layout of another's types) into bench/bin/cli
# and prints the path of armvirt.dll. The bench scripts time whole processes, and without ReadyToRun RyuJIT spends
# about 0.2 s of each run compiling the CLI, the machine builder and the run loop before the guest starts. The
# runtime-specific intermediate files are deleted first: a publish after one with other ReadyToRun settings once left a
# folder mixing precompiled and IL-only assemblies that aborted at start-up (src/ArmVirt.Cpu/Jit/README.md).
# Usage: DLL=$(bench/publish-cli.sh LOGFILE) || exit 1
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
LOG=${1:-/dev/null}
case "$(uname -m)" in
    x86_64) RID=linux-x64 ;;
    aarch64) RID=linux-arm64 ;;
    *) echo "publish-cli.sh: no .NET runtime identifier known for $(uname -m)" >&2; exit 1 ;;
esac
OUT="$ROOT/bench/bin/cli"
rm -rf "$ROOT"/src/*/obj/Release/net10.0/"$RID"
dotnet publish "$ROOT/src/ArmVirt.Cli" -c Release -r "$RID" --self-contained false -p:PublishReadyToRun=true -p:PublishReadyToRunComposite=true \
    -o "$OUT" -nologo -v q > "$LOG" 2>&1 \
    || { echo "publish-cli.sh: publishing src/ArmVirt.Cli failed, see $LOG" >&2; exit 1; }
[[ -f "$OUT/armvirt.dll" ]] || { echo "publish-cli.sh: published, but no $OUT/armvirt.dll" >&2; exit 1; }
echo "$OUT/armvirt.dll"
