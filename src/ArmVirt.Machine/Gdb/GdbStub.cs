using System.Globalization;
using System.Text;
using ArmVirt.Cpu;
using ArmVirt.Mmu;
using CpuCore = ArmVirt.Cpu.Cpu;

namespace ArmVirt.Machine.Gdb;

/// <summary>How a <see cref="GdbStub.Serve"/> session ended.</summary>
public enum GdbSessionEnd
{
    /// <summary>GDB detached (<c>detach</c>, <c>D</c>): its breakpoints are removed and the machine may run on.</summary>
    Detached,
    /// <summary>GDB killed the target (<c>kill</c>, <c>k</c>) or closed the connection.</summary>
    Killed,
    /// <summary>The guest stopped for good (power off, semihosting exit); <see cref="GdbStub.LastExit"/> says how.</summary>
    GuestExited,
}

/// <summary>
/// A GDB remote stub for a <see cref="Machine"/> (QEMU's <c>-gdb</c>): one GDB thread per CPU (thread ids 1..N), the
/// core, FP/SIMD and system registers of <see cref="GdbRegisters"/>, memory by virtual address through the selected
/// CPU's current translation regime (or by physical address after <c>monitor memory physical</c>), breakpoints
/// (<c>Z0</c>/<c>Z1</c>) and watchpoints (<c>Z2</c>-<c>Z4</c>) on the CPUs' host breakpoints and watchpoints (the
/// guest's DBGB*/DBGW* registers are untouched), <c>s</c>/<c>c</c>/<c>vCont</c> and Ctrl-C. The session runs the
/// machine on the calling thread; the machine is stopped whenever GDB is being answered. On a one-CPU machine whose input
/// is deterministic (none, or <see cref="Machine.ReplayInput"/>), reverse execution too (<c>bs</c>, <c>bc</c>:
/// reverse-stepi, reverse-continue and what GDB builds on them), over checkpoints taken as the machine runs under the
/// stub (<see cref="ReverseHistory"/>).
/// </summary>
public sealed class GdbStub
{
    private readonly Machine _machine;
    private GdbPacketConnection? _connection;
    private int _gThread; // the CPU index for register and memory packets (Hg)
    private bool _physical; // monitor memory physical
    private volatile bool _running;
    private readonly HashSet<ulong> _breakpoints = [];
    private readonly List<(ulong Address, ulong Length, WatchKind Kind, HostWatchpoint[] PerCpu)> _watchpoints = [];
    private string _lastStop = "S05";
    private ReverseHistory? _history;

    /// <summary>Creates a stub for <paramref name="machine"/> (nothing happens until <see cref="Serve"/>).</summary>
    public GdbStub(Machine machine) => _machine = machine;

    /// <summary>How the guest stopped for good, when a session ended with <see cref="GdbSessionEnd.GuestExited"/>.</summary>
    public MachineExit? LastExit { get; private set; }

    /// <summary>
    /// Answers one GDB client on <paramref name="stream"/> until it detaches, kills the target or disconnects, or the
    /// guest stops for good. The machine is stopped meanwhile except while GDB continues or steps it.
    /// </summary>
    public GdbSessionEnd Serve(Stream stream)
    {
        using var connection = new GdbPacketConnection(stream);
        _connection = connection;
        connection.Interrupted += () =>
        {
            if (!_running) return;
            if (_history is { } history) history.RequestStop();
            else _machine.RequestStop();
        };
        connection.Start();
        _lastStop = StopReply(StopReason.HostRequest, _gThread);
        _history = ReverseHistory.TryStart(_machine);
        try
        {
            while (connection.Receive() is { } packet)
            {
                var end = Handle(packet);
                if (end != null) return end.Value;
            }
            RemoveAll();
            return GdbSessionEnd.Killed;
        }
        finally
        {
            _connection = null;
            _history = null;
        }
    }

    private void Reply(string payload) => _connection!.Send(payload);

    private CpuCore Selected => _machine.Cpus[_gThread];

    // One packet (GDB manual, "Packets"); null while the session goes on.
    private GdbSessionEnd? Handle(string p)
    {
        if (p.Length == 0) { Reply(""); return null; }
        switch (p[0])
        {
            case '?': Reply(_lastStop); return null;
            case 'g': Reply(ReadAllRegisters()); return null;
            case 'G': Reply(Changed(WriteAllRegisters(p.AsSpan(1)) ? "OK" : "E01")); return null;
            case 'p': Reply(ReadRegister(p[1..])); return null;
            case 'P': Reply(Changed(WriteRegister(p[1..]))); return null;
            case 'm': Reply(ReadMemoryPacket(p[1..])); return null;
            case 'M': Reply(Changed(WriteMemoryPacket(p[1..], binary: false))); return null;
            case 'X': Reply(Changed(WriteMemoryPacket(p[1..], binary: true))); return null;
            case 'b': return Reverse(p);
            case 'H': Reply(SetThread(p)); return null;
            case 'T': Reply(ParseThread(p[1..]) is int t && t >= 0 && t < _machine.Cpus.Count ? "OK" : "E01"); return null;
            case 'Z': case 'z': Reply(BreakOrWatch(p)); return null;
            case 'c': return Continue(p.Length > 1 ? p[1..] : null);
            case 'C': return Continue(null); // continue with a signal: there are no signals to deliver
            case 's': return Step(_gThread, p.Length > 1 ? p[1..] : null);
            case 'D':
                RemoveAll();
                Reply("OK");
                return GdbSessionEnd.Detached;
            case 'k':
                RemoveAll();
                return GdbSessionEnd.Killed;
            case 'q': Reply(Query(p)); return null;
            case 'Q':
                if (p == "QStartNoAckMode")
                {
                    Reply("OK");
                    _connection!.NoAck = true;
                }
                else Reply("");
                return null;
            case 'v': return VPacket(p);
            default: Reply(""); return null; // unsupported: the empty reply
        }
    }

    // GDB changed the machine's state: what the history would re-execute no longer leads here, so it begins anew.
    private string Changed(string reply)
    {
        if (reply == "OK") _history?.Restart();
        return reply;
    }

    // ---- Registers ----

    private string ReadAllRegisters()
    {
        var b = new StringBuilder(GdbRegisters.GPacketCount * 20);
        for (int i = 0; i < GdbRegisters.GPacketCount; i++) GdbRegisters.Append(b, Selected, GdbRegisters.Table[i]);
        return b.ToString();
    }

    private bool WriteAllRegisters(ReadOnlySpan<char> hex)
    {
        for (int i = 0; i < GdbRegisters.GPacketCount && hex.Length > 0; i++)
        {
            var r = GdbRegisters.Table[i];
            if (!GdbRegisters.Write(Selected, r, hex)) return false;
            hex = hex[Math.Min(hex.Length, r.Bits / 4)..];
        }
        return true;
    }

    private string ReadRegister(string arg)
    {
        if (!TryHex(arg, out ulong n) || n >= (ulong)GdbRegisters.Table.Length) return "E01";
        var b = new StringBuilder(32);
        GdbRegisters.Append(b, Selected, GdbRegisters.Table[n]);
        return b.ToString();
    }

    private string WriteRegister(string arg)
    {
        int eq = arg.IndexOf('=');
        if (eq < 0 || !TryHex(arg[..eq], out ulong n) || n >= (ulong)GdbRegisters.Table.Length) return "E01";
        return GdbRegisters.Write(Selected, GdbRegisters.Table[n], arg.AsSpan(eq + 1)) ? "OK" : "E01";
    }

    // ---- Memory: by VA through the selected CPU's current regime, without side effects ----

    // By VA through the selected CPU's current regime (Machine.ReadVirtual: RAM only, no side effects), or physical
    // after "monitor memory physical".
    private int CopyRam(ulong address, Span<byte> buffer, ReadOnlySpan<byte> data, bool write) =>
        write ? (_physical ? _machine.WritePhysical(address, data) : _machine.WriteVirtual(address, data, _gThread))
              : (_physical ? _machine.ReadPhysical(address, buffer) : _machine.ReadVirtual(address, buffer, _gThread));

    private string ReadMemoryPacket(string arg)
    {
        int comma = arg.IndexOf(',');
        if (comma < 0 || !TryHex(arg[..comma], out ulong addr) || !TryHex(arg[(comma + 1)..], out ulong len) || len > 0x10000) return "E01";
        var buffer = new byte[len];
        int n = CopyRam(addr, buffer, default, write: false);
        if (n == 0 && len != 0) return "E14"; // EFAULT; a partial read returns what was read, as the protocol allows
        return Convert.ToHexStringLower(buffer, 0, n);
    }

    private string WriteMemoryPacket(string arg, bool binary)
    {
        int comma = arg.IndexOf(','), colon = arg.IndexOf(':');
        if (comma < 0 || colon < comma || !TryHex(arg[..comma], out ulong addr) || !TryHex(arg[(comma + 1)..colon], out ulong len)) return "E01";
        string body = arg[(colon + 1)..];
        byte[] data;
        if (binary) data = Encoding.Latin1.GetBytes(body);
        else
        {
            try { data = Convert.FromHexString(body); }
            catch (FormatException) { return "E01"; }
        }
        if ((ulong)data.Length != len) return "E01";
        if (len == 0) return "OK";
        return CopyRam(addr, new byte[len], data, write: true) == data.Length ? "OK" : "E14";
    }

    // ---- Threads: one per CPU, ids 1..N ----

    // A thread id in hex; 0 (any) and -1 (all) mean the selected thread; returns the CPU index or null.
    private int? ParseThread(string s)
    {
        if (s.StartsWith("p", StringComparison.Ordinal)) s = s[(s.IndexOf('.') + 1)..]; // multiprocess pPID.TID
        if (s is "-1" or "0") return _gThread;
        return TryHex(s, out ulong t) && t >= 1 && t <= (ulong)_machine.Cpus.Count ? (int)t - 1 : null;
    }

    private string SetThread(string p)
    {
        if (p.Length < 2 || ParseThread(p[2..]) is not int cpu) return "E01";
        if (p[1] == 'g') _gThread = cpu;
        return "OK";
    }

    // ---- Breakpoints and watchpoints on every CPU's host sets ----

    private string BreakOrWatch(string p)
    {
        bool insert = p[0] == 'Z';
        var parts = p[1..].Split(',');
        if (parts.Length < 3 || !TryHex(parts[1], out ulong addr) || !TryHex(parts[2].Split(';')[0], out ulong kind)) return "E01";
        switch (parts[0])
        {
            case "0": // software breakpoint: a host breakpoint (no BRK written into guest memory)
            case "1": // hardware breakpoint: the same, without using the guest's DBGBVR/DBGBCR
                if (insert ? _breakpoints.Add(addr) : _breakpoints.Remove(addr))
                    foreach (var c in _machine.Cpus)
                        if (insert) c.Breakpoints.Add(addr); else c.Breakpoints.Remove(addr);
                return "OK";
            case "2": return Watch(insert, addr, kind, WatchKind.Write);
            case "3": return Watch(insert, addr, kind, WatchKind.Read);
            case "4": return Watch(insert, addr, kind, WatchKind.ReadWrite);
            default: return "";
        }
    }

    private string Watch(bool insert, ulong addr, ulong length, WatchKind kind)
    {
        if (length == 0) return "E01";
        if (insert)
        {
            var perCpu = _machine.Cpus.Select(c => c.Watchpoints.Add(addr, length, kind)).ToArray();
            _watchpoints.Add((addr, length, kind, perCpu));
            return "OK";
        }
        int i = _watchpoints.FindIndex(w => w.Address == addr && w.Length == length && w.Kind == kind);
        if (i < 0) return "E01";
        for (int c = 0; c < _machine.Cpus.Count; c++) _machine.Cpus[c].Watchpoints.Remove(_watchpoints[i].PerCpu[c]);
        _watchpoints.RemoveAt(i);
        return "OK";
    }

    private void RemoveAll()
    {
        foreach (ulong a in _breakpoints)
            foreach (var c in _machine.Cpus) c.Breakpoints.Remove(a);
        _breakpoints.Clear();
        foreach (var w in _watchpoints)
            for (int c = 0; c < _machine.Cpus.Count; c++) _machine.Cpus[c].Watchpoints.Remove(w.PerCpu[c]);
        _watchpoints.Clear();
    }

    // ---- Execution ----

    private GdbSessionEnd? Continue(string? address)
    {
        if (address != null && TryHex(address, out ulong pc))
        {
            Selected.State.PC = pc;
            _history?.Restart();
        }
        foreach (var c in _machine.Cpus)
            if (c.StopReason is StopReason.HostRequest or StopReason.InstructionLimit) c.ClearStop();
        _connection!.TakeInterrupt(); // an interrupt sent while stopped has nothing to stop
        MachineExit exit;
        _running = true;
        try
        {
            exit = _history != null ? _history.Run(ulong.MaxValue) : _machine.Run();
        }
        finally
        {
            _running = false;
        }
        return ReportStop(exit);
    }

    // One instruction forward through the history's run loop (the path its re-execution takes, so that going back and
    // forth meets the same states); a breakpoint on the instruction stops the first run before it, the second executes it.
    private GdbSessionEnd? StepWithHistory(ReverseHistory history)
    {
        MachineExit exit;
        _running = true;
        try
        {
            ulong before = history.Position;
            exit = history.Run(1);
            if (exit.Reason == StopReason.Breakpoint && history.Position == before) exit = history.Run(1);
        }
        finally
        {
            _running = false;
        }
        if (exit.Reason is not (StopReason.InstructionLimit or StopReason.Breakpoint or StopReason.Watchpoint)) return ReportStop(exit);
        var cpu = _machine.Cpus[0];
        if (cpu.StopReason == StopReason.InstructionLimit) cpu.ClearStop();
        _gThread = 0;
        _lastStop = StopReply(cpu.StopReason == StopReason.Watchpoint ? StopReason.Watchpoint : StopReason.Breakpoint, 0);
        Reply(_lastStop);
        return null;
    }

    // bs and bc (GDB manual, "Packets": reverse step and reverse continue). At the beginning of the history the stop
    // reply says so (replaylog:begin), which GDB reports as "No more reverse-execution history".
    private GdbSessionEnd? Reverse(string p)
    {
        if (_history == null || p is not ("bs" or "bc"))
        {
            Reply("");
            return null;
        }
        _connection!.TakeInterrupt();
        bool moved;
        _running = true;
        try
        {
            moved = p == "bs" ? _history.StepBack() : _history.ContinueBack();
        }
        finally
        {
            _running = false;
        }
        var cpu = _machine.Cpus[0];
        _gThread = 0;
        _lastStop = !moved ? "T05thread:01;replaylog:begin;"
            : StopReply(p == "bc" && cpu.StopReason == StopReason.Watchpoint ? StopReason.Watchpoint : StopReason.Breakpoint, 0);
        Reply(_lastStop);
        return null;
    }

    // Executes one instruction on CPU `index` (GDB's step; QEMU steps with interrupts masked the same way). With one CPU
    // the clock follows, so timers stay in step; with several, the other CPUs stay where they are.
    private GdbSessionEnd? Step(int index, string? address)
    {
        var cpu = _machine.Cpus[index];
        if (!_machine.IsPoweredOn(index))
        {
            // A CPU that PSCI has not started (or has turned off) has nothing to execute.
            Reply("O" + Convert.ToHexStringLower(Encoding.UTF8.GetBytes($"armvirt: CPU#{index} is off\n")));
            Reply(_lastStop);
            return null;
        }
        if (address != null && TryHex(address, out ulong pc))
        {
            cpu.State.PC = pc;
            _history?.Restart();
        }
        if (cpu.StopReason is StopReason.HostRequest or StopReason.InstructionLimit) cpu.ClearStop();
        if (_history != null) return StepWithHistory(_history);
        if (cpu.IsWaiting)
        {
            // In WFI/WFE the next instruction runs only after a wake-up: with one CPU, virtual time runs to it and the
            // step ends after the first instruction then (an interrupt's vector, if one is taken). With several CPUs,
            // the others would have to run too: the step is refused, `continue` lets the CPU wake.
            if (_machine.Cpus.Count > 1)
            {
                Reply("O" + Convert.ToHexStringLower(Encoding.UTF8.GetBytes($"armvirt: CPU#{index} waits for an interrupt (WFI/WFE): continue to wake it\n")));
                Reply(_lastStop);
                return null;
            }
            _running = true;
            MachineExit exit;
            try
            {
                exit = _machine.Run(1);
            }
            finally
            {
                _running = false;
            }
            if (exit.Reason == StopReason.InstructionLimit) cpu.ClearStop();
            else return ReportStop(exit);
            _lastStop = StopReply(StopReason.Breakpoint, index);
            Reply(_lastStop);
            return null;
        }
        ulong before = cpu.State.Instructions;
        ulong beforePc = cpu.State.PC;
        cpu.Step();
        // A host breakpoint on the instruction stops it before it executes; the second Step executes it.
        if (cpu.State.Instructions == before && cpu.State.PC == beforePc && cpu.StopReason == StopReason.Breakpoint) cpu.Step();
        if (_machine.Cpus.Count == 1) _machine.Clock.AdvanceTo(cpu.State.Cycles);
        var reason = cpu.StopReason == StopReason.Watchpoint ? StopReason.Watchpoint : StopReason.Breakpoint;
        if (cpu.StopReason is StopReason.PowerOff or StopReason.SemihostingExit)
            return ReportStop(new MachineExit(cpu.StopReason, cpu.ExitCode, cpu.StopMessage));
        _gThread = index;
        _lastStop = StopReply(reason, index);
        Reply(_lastStop);
        return null;
    }

    private GdbSessionEnd? ReportStop(MachineExit exit)
    {
        if (exit.Reason is StopReason.PowerOff or StopReason.SemihostingExit or StopReason.Reset)
        {
            LastExit = exit;
            Reply(exit.Reason == StopReason.SemihostingExit ? $"W{(byte)exit.ExitCode:x2}" : "W00");
            return GdbSessionEnd.GuestExited;
        }
        int index = _gThread;
        for (int i = 0; i < _machine.Cpus.Count; i++)
            if (_machine.Cpus[i].StopReason is StopReason.Breakpoint or StopReason.Watchpoint)
            {
                index = i;
                break;
            }
        if (exit.Reason is StopReason.Halted or StopReason.Error)
            Reply("O" + Convert.ToHexStringLower(Encoding.UTF8.GetBytes($"armvirt: {exit.Message}\n")));
        _gThread = index;
        _lastStop = StopReply(_machine.Cpus[index].StopReason, index);
        Reply(_lastStop);
        return null;
    }

    // A T stop reply naming the thread (GDB manual, "Stop Reply Packets"); a watchpoint hit names the watched address.
    private string StopReply(StopReason reason, int index)
    {
        string watch = "";
        if (reason == StopReason.Watchpoint && _machine.Cpus[index].LastWatchpointHit is { } hit)
        {
            string kind = hit.Watchpoint.Kind switch { WatchKind.Write => "watch", WatchKind.Read => "rwatch", _ => "awatch" };
            ulong a = Math.Max(hit.Address, hit.Watchpoint.Address);
            watch = $"{kind}:{a:x};";
        }
        return $"T05{watch}thread:{index + 1:x2};";
    }

    // ---- Queries ----

    private string Query(string p)
    {
        if (p.StartsWith("qSupported", StringComparison.Ordinal))
            return "PacketSize=4000;qXfer:features:read+;QStartNoAckMode+;vContSupported+" + (_history != null ? ";ReverseStep+;ReverseContinue+" : "");
        if (p.StartsWith("qXfer:features:read:", StringComparison.Ordinal)) return XferFeatures(p["qXfer:features:read:".Length..]);
        if (p == "qAttached") return "1";
        if (p == "qC") return $"QC{_gThread + 1:x}";
        if (p == "qfThreadInfo") return "m" + string.Join(",", Enumerable.Range(1, _machine.Cpus.Count).Select(i => i.ToString("x")));
        if (p == "qsThreadInfo") return "l";
        if (p.StartsWith("qThreadExtraInfo,", StringComparison.Ordinal))
        {
            if (ParseThread(p["qThreadExtraInfo,".Length..]) is not int t) return "E01";
            var c = _machine.Cpus[t];
            string state = _machine.IsPoweredOn(t) ? $"EL{c.State.EL}" : "off";
            return Convert.ToHexStringLower(Encoding.ASCII.GetBytes($"CPU#{t} [{state}]"));
        }
        if (p.StartsWith("qRcmd,", StringComparison.Ordinal))
        {
            string command;
            try { command = Encoding.UTF8.GetString(Convert.FromHexString(p["qRcmd,".Length..])); }
            catch (FormatException) { return "E01"; }
            string output = GdbMonitor.Execute(this, command.Trim());
            if (output.Length > 0) Reply("O" + Convert.ToHexStringLower(Encoding.UTF8.GetBytes(output)));
            return "OK";
        }
        return "";
    }

    private static string XferFeatures(string args)
    {
        // annex:offset,length
        int colon = args.IndexOf(':');
        if (colon < 0) return "E00";
        string annex = args[..colon];
        var range = args[(colon + 1)..].Split(',');
        if (annex != "target.xml") return "E00";
        if (range.Length != 2 || !TryHex(range[0], out ulong offset) || !TryHex(range[1], out ulong length)) return "E00";
        string xml = GdbRegisters.TargetXml;
        if (offset >= (ulong)xml.Length) return "l";
        int n = (int)Math.Min(length, (ulong)xml.Length - offset);
        return (offset + (ulong)n >= (ulong)xml.Length ? "l" : "m") + xml.Substring((int)offset, n);
    }

    private GdbSessionEnd? VPacket(string p)
    {
        if (p == "vCont?")
        {
            Reply("vCont;c;C;s;S");
            return null;
        }
        if (p.StartsWith("vCont;", StringComparison.Ordinal))
        {
            // The first action that asks for a step decides: step that thread; otherwise continue every CPU.
            foreach (var action in p["vCont;".Length..].Split(';'))
            {
                var parts = action.Split(':');
                if (parts[0].Length > 0 && parts[0][0] is 's' or 'S')
                {
                    int t = parts.Length > 1 && ParseThread(parts[1]) is int i ? i : _gThread;
                    return Step(t, null);
                }
            }
            return Continue(null);
        }
        if (p.StartsWith("vKill", StringComparison.Ordinal))
        {
            RemoveAll();
            Reply("OK");
            return GdbSessionEnd.Killed;
        }
        Reply(""); // vMustReplyEmpty and others
        return null;
    }

    private static bool TryHex(string s, out ulong value) =>
        ulong.TryParse(s, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);

    // ---- For GdbMonitor ----

    internal Machine Machine => _machine;
    internal CpuCore SelectedCpu => Selected;
    internal bool PhysicalMemory { get => _physical; set => _physical = value; }
    internal ReverseHistory? History => _history;
}
