using System.Globalization;
using System.Text;
using ArmVirt.Mmu;

namespace ArmVirt.Machine.Gdb;

/// <summary>
/// GDB's <c>monitor</c> commands (qRcmd), one table row each: the memory view of the m/M/X packets and translations
/// of the selected CPU's current regime.
/// </summary>
internal static class GdbMonitor
{
    private sealed record Command(string Name, string Usage, string Help, Func<GdbStub, string[], string> Run);

    private static readonly Command[] Table =
    [
        new("help", "help", "this list", (_, _) => Help()),
        new("memory", "memory virtual|physical", "m/M/X packets address virtual memory through the selected CPU's current translation regime (default) or physical memory", SetMemoryView),
        new("translate", "translate VA", "the selected CPU's current regime: VA -> IPA (stage 1) -> PA (stage 2), or the fault", Translate),
        new("stage2", "stage2 IPA", "stage 2 translation of an intermediate physical address under the selected CPU's VTTBR_EL2/VTCR_EL2", Stage2),
        new("reverse", "reverse", "whether reverse execution (reverse-stepi, reverse-continue) is available, and its history", Reverse),
    ];

    /// <summary>Runs <paramref name="line"/> and returns its output (newline-terminated).</summary>
    public static string Execute(GdbStub stub, string line)
    {
        var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0) return Help();
        var command = Table.FirstOrDefault(c => c.Name == words[0]);
        return command == null ? $"unknown monitor command '{words[0]}' (try 'monitor help')\n" : command.Run(stub, words[1..]);
    }

    private static string Help()
    {
        var b = new StringBuilder();
        foreach (var c in Table) b.Append($"{c.Usage,-26} {c.Help}\n");
        return b.ToString();
    }

    private static string SetMemoryView(GdbStub stub, string[] args)
    {
        if (args.Length == 1 && args[0] is "virtual" or "physical")
        {
            stub.PhysicalMemory = args[0] == "physical";
            return $"memory view: {args[0]}\n";
        }
        return $"memory view: {(stub.PhysicalMemory ? "physical" : "virtual")} (usage: memory virtual|physical)\n";
    }

    // AArch64.FullTranslate of a debugger read: no TLB fill, no exception.
    private static string Translate(GdbStub stub, string[] args)
    {
        if (args.Length != 1 || !TryAddress(args[0], out ulong va)) return "usage: translate VA\n";
        var cpu = stub.SelectedCpu;
        var control = cpu.CurrentTranslationControl(); // for the regime it names
        var r = cpu.DebugTranslate(va);
        // gdb does not tell the stub which thread a monitor command is for: name the CPU (the last Hg selected).
        string regime = $"CPU#{cpu.Configuration.Index} EL{cpu.State.EL} {control.Regime}";
        if (r.IsFault) return $"0x{va:x} ({regime}): {r.Fault.Kind} fault at level {r.Fault.Level}{(r.Fault.IsStage2 ? " (stage 2)" : "")}\n";
        return control.Stage2Enabled
            ? $"0x{va:x} ({regime}) -> IPA 0x{r.Ipa:x} -> PA 0x{r.PhysicalAddress:x}\n"
            : $"0x{va:x} ({regime}) -> PA 0x{r.PhysicalAddress:x}{(control.Stage1Enabled ? "" : " (stage 1 off)")}\n";
    }

    // AArch64.S2Translate of a debugger read.
    private static string Stage2(GdbStub stub, string[] args)
    {
        if (args.Length != 1 || !TryAddress(args[0], out ulong ipa)) return "usage: stage2 IPA\n";
        var cpu = stub.SelectedCpu;
        var control = cpu.TranslationControlFor(1);
        if (!control.Stage2Enabled) return "stage 2 is off (HCR_EL2.VM = 0 or EL2 not enabled)\n";
        var w = Stage2Walker.Translate(in control, new PhysicalBusMemory(stub.Machine.Bus), ipa, AccessType.Read, unaligned: false);
        if (w.IsFault) return $"IPA 0x{ipa:x}: {w.Fault.Kind} fault at level {w.Fault.Level}\n";
        return $"IPA 0x{ipa:x} -> PA 0x{w.OutputAddress:x} (level {w.Level}, {1UL << w.BlockShift:x} bytes, {w.Permissions}, {w.Attributes})\n";
    }

    private static string Reverse(GdbStub stub, string[] args) =>
        stub.History is { } h
            ? $"reverse execution: on; history from instruction {h.Begin} to {h.Furthest}, now at {h.Position}; {h.CheckpointCount} checkpoints, one every {h.Interval} instructions\n"
            : $"reverse execution: off ({ReverseHistory.Unavailable(stub.Machine)}); record the run with --record F and debug --replay F\n";

    private static bool TryAddress(string s, out ulong value)
    {
        if (s.StartsWith("0x", StringComparison.OrdinalIgnoreCase)) s = s[2..];
        return ulong.TryParse(s, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
    }
}
