using ArmVirt.Core;

namespace ArmVirt.Cpu;

public sealed partial class Cpu : ISnapshotState
{
    /// <summary>
    /// Writes the PE's architectural state for a machine snapshot: general and SIMD&amp;FP registers, PSTATE, every system
    /// register this class stores (<see cref="SystemRegisters.SystemRegisterFile"/>), the PMU, the software-step state machine, the local
    /// and global exclusive monitors, the WFI/WFE wait and event register, and a stop the guest caused. The generic timer
    /// and GICv3 CPU interface registers belong to their devices and are saved with them; translated code and the TLBs
    /// are caches, rebuilt after <see cref="RestoreState"/>. Call between runs, at an instruction boundary.
    /// </summary>
    public void SaveState(SnapshotWriter writer)
    {
        writer.Section("cpu");
        writer.Write(Configuration.Index);
        WriteCpuState(writer, ref State);
        writer.Write(NextPc);
        Sys.SaveState(writer);
        Pmu.SaveState(writer);
        writer.Section("cpu.debug");
        writer.Write(_lastInstructionStepped);
        writer.Write(_lastSteppedExclusive);
        writer.Write(_softwareStepAdvanceSuppressed);
        writer.Section("cpu.exclusive");
        writer.Write(ExclusiveMonitorLocal.Valid);
        writer.Write(ExclusiveMonitorLocal.Address);
        writer.Write(ExclusiveMonitorLocal.Size);
        var mark = _globalMonitor?.GetMark(_globalMonitorSlot) ?? default;
        writer.Write(mark.Valid);
        writer.Write(mark.Start);
        writer.Write(mark.End);
        writer.Section("cpu.wait");
        writer.Write(IsWaiting);
        writer.Write(_waitStartCycles);
        writer.Write(EventRegister);
        writer.Write(HaltedAtCycles);
        // A stop the guest caused (power-off, semihosting exit, halt) survives; one the host caused is cleared by the next run.
        writer.Write((int)StopReason);
        writer.Write(ExitCode);
        writer.Write(StopMessage ?? "");
        if (_timing != null) SaveTimingState(writer); // (none under flat: its snapshots are unchanged)
    }

    /// <summary>
    /// Reads back what <see cref="SaveState"/> wrote into this CPU (built with the same configuration), dropping its
    /// translated code, TLB and host TLB. Its interrupt inputs are driven again by the devices restored after it.
    /// </summary>
    public void RestoreState(SnapshotReader reader)
    {
        reader.Section("cpu");
        int index = reader.ReadInt32();
        if (index != Configuration.Index) throw new SnapshotFormatException($"CPU {index} in the snapshot where CPU {Configuration.Index} is expected");
        // A host stop's pass over the instruction it stopped at belongs to the run it stopped, not to a restored state
        // (the reverse debugger comes back to that very PC and instruction count and must stop there again).
        _resumeValid = false;
        ReadCpuState(reader, ref State);
        NextPc = reader.ReadUInt64();
        Sys.RestoreState(reader);
        Pmu.RestoreState(reader);
        reader.Section("cpu.debug");
        _lastInstructionStepped = reader.ReadBool();
        _lastSteppedExclusive = reader.ReadBool();
        _softwareStepAdvanceSuppressed = reader.ReadBool();
        reader.Section("cpu.exclusive");
        bool localValid = reader.ReadBool();
        ulong localAddress = reader.ReadUInt64();
        int localSize = reader.ReadInt32(0, 64, "exclusive access size");
        ExclusiveMonitorLocal.Restore(localValid, localAddress, localSize);
        bool globalValid = reader.ReadBool();
        ulong start = reader.ReadUInt64(), end = reader.ReadUInt64();
        if (globalValid || _globalMonitor != null) EnsureGlobalMonitor().SetMark(_globalMonitorSlot, globalValid, start, end);
        reader.Section("cpu.wait");
        IsWaiting = reader.ReadBool();
        _waitStartCycles = reader.ReadUInt64();
        EventRegister = reader.ReadBool();
        HaltedAtCycles = reader.ReadUInt64();
        int stop = reader.ReadInt32();
        if (!Enum.IsDefined((StopReason)stop)) throw new SnapshotFormatException($"corrupt (stop reason {stop})");
        StopReason = (StopReason)stop;
        ExitCode = reader.ReadInt32();
        string message = reader.ReadString();
        StopMessage = message.Length == 0 ? null : message;
        if (_timing != null) RestoreTimingState(reader);
        DropCachedTranslations();
    }

    // The caches a restore invalidates: the MMU TLB (and with it the host TLB, keyed on its generation), the regime and
    // debug summaries, and translated code (as a change of decoder would).
    private void DropCachedTranslations()
    {
        _translator?.Tlb.InvalidateAll();
        InvalidateRegimeCache();
        DebugRegistersChanged();
        FlushTranslatedCode();
    }

    private static void WriteCpuState(SnapshotWriter w, ref CpuState s)
    {
        for (int i = 0; i < 34; i++) w.Write(s.X[i]);
        w.Write(s.PC);
        w.Write(s.Nzcv);
        w.Write(s.EL);
        w.Write(s.SpSel);
        w.Write(s.Daif);
        w.Write(s.Pan);
        w.Write(s.Uao);
        w.Write(s.SoftwareStep);
        w.Write(s.IllegalState);
        for (int i = 0; i < 4; i++) w.Write(s.Sp[i]);
        Span<byte> v = stackalloc byte[16];
        for (int i = 0; i < 32; i++)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(v, s.V[i].Low);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(v[8..], s.V[i].High);
            w.WriteRaw(v);
        }
        w.Write(s.Fpcr);
        w.Write(s.Fpsr);
        w.Write(s.Cycles);
        w.Write(s.Instructions);
        w.Write(s.Aarch32);
        w.Write(s.Thumb);
        w.Write(s.It);
        w.Write(s.Saturation);
        w.Write(s.Ge);
        w.Write(s.E);
        w.Write(s.Mode);
    }

    private static void ReadCpuState(SnapshotReader r, ref CpuState s)
    {
        s = default;
        for (int i = 0; i < 34; i++) s.X[i] = r.ReadUInt64();
        s.PC = r.ReadUInt64();
        s.Nzcv = r.ReadUInt32();
        s.EL = r.ReadInt32(0, 3, "PSTATE.EL");
        s.SpSel = r.ReadInt32(0, 1, "PSTATE.SP");
        s.Daif = r.ReadUInt32();
        s.Pan = r.ReadBool();
        s.Uao = r.ReadBool();
        s.SoftwareStep = r.ReadBool();
        s.IllegalState = r.ReadBool();
        for (int i = 0; i < 4; i++) s.Sp[i] = r.ReadUInt64();
        Span<byte> v = stackalloc byte[16];
        for (int i = 0; i < 32; i++)
        {
            r.ReadExactly(v);
            s.V[i].Low = System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(v);
            s.V[i].High = System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(v[8..]);
        }
        s.Fpcr = r.ReadUInt32();
        s.Fpsr = r.ReadUInt32();
        s.Cycles = r.ReadUInt64();
        s.Instructions = r.ReadUInt64();
        s.Aarch32 = r.ReadBool();
        s.Thumb = r.ReadBool();
        s.It = r.ReadByte();
        s.Saturation = r.ReadBool();
        s.Ge = r.ReadUInt32();
        s.E = r.ReadBool();
        s.Mode = r.ReadByte();
    }
}
