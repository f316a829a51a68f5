using ArmVirt.Core;
using ArmVirt.Cpu;
using ArmVirt.Cpu.Exceptions;

namespace ArmVirt.Differential.Tests;

/// <summary>
/// Runs a batch on ArmVirt's CPU directly at EL0 or EL1 (MMU off, so virtual = physical addresses) and returns the
/// data blocks; a sequence that takes an exception or stops the CPU is recorded and skipped.
/// </summary>
internal static class ArmVirtRunner
{
    /// <summary>A vector base far from the program: any PC inside it means an exception was taken.</summary>
    private const ulong VectorBase = BatchProgram.LoadAddress + 0x00F0_0000;

    public sealed record Result(byte[] Blocks, Dictionary<int, string> Errors);

    public static Result Run(BatchProgram program, int el)
    {
        if (el is not (0 or 1)) throw new ArgumentOutOfRangeException(nameof(el));
        ulong ramSize = 16UL << 20;
        if ((ulong)program.Image.Length > VectorBase - BatchProgram.LoadAddress) throw new InvalidOperationException("batch too large");
        using var bus = new PhysicalBus();
        bus.AddRam(BatchProgram.LoadAddress, ramSize);
        bus.Load(BatchProgram.LoadAddress, program.Image);
        var cpu = new ArmVirt.Cpu.Cpu(bus, new VirtualClock(), new CpuConfiguration { HighestEl = 1, Model = CpuModel.Max });
        cpu.Sys.Vbar[1] = VectorBase;
        cpu.Sys.Cpacr |= 3UL << 20; // CPACR_EL1.FPEN = 0b11: FP/AdvSIMD untrapped at EL0 and EL1, as under Linux
        string? exception = null;
        cpu.ExceptionEntered += (kind, el) =>
            exception = $"{kind} exception to EL{el}: ESR_EL1=0x{cpu.Sys.Esr[1]:x8} (EC 0x{cpu.Sys.Esr[1] >> 26:x2}) ELR_EL1=0x{cpu.Sys.Elr[1]:x} FAR_EL1=0x{cpu.Sys.Far[1]:x}";

        cpu.SetElAndSpSel(el, el); // EL0 runs on SP_EL0, EL1 on SP_EL1
        var errors = new Dictionary<int, string>();
        cpu.State.PC = program.SequenceStarts.Length > 0 ? program.SequenceStarts[0] : program.EndAddress;
        ulong budget = (ulong)program.Count * 400 + 1000;
        int current = 0;
        while (cpu.State.PC != program.EndAddress)
        {
            while (current + 1 < program.Count && cpu.State.PC >= program.SequenceStarts[current + 1] && cpu.State.PC < program.EndAddress)
                current++;
            if (budget-- == 0)
            {
                errors[current] = $"did not reach the end of the batch: still running at PC 0x{cpu.State.PC:x}";
                break;
            }
            ulong pc = cpu.State.PC;
            string? failure = null;
            try
            {
                cpu.Step();
            }
            catch (Exception e) when (e is not GuestException)
            {
                failure = $"host exception at PC 0x{pc:x}: {e.GetType().Name}: {e.Message}";
            }
            if (failure == null && exception != null) failure = exception;
            if (failure == null && cpu.StopReason != StopReason.None) failure = $"CPU stopped ({cpu.StopReason}) at PC 0x{pc:x}: {cpu.StopMessage}";
            if (failure == null && (cpu.State.PC < program.SequenceStarts[0] || cpu.State.PC > program.EndAddress))
                failure = $"left the program: PC 0x{pc:x} -> 0x{cpu.State.PC:x}";
            if (failure == null) continue;

            int seq = SequenceOf(program, pc);
            if (!errors.ContainsKey(seq)) errors[seq] = $"{failure} (instruction 0x{ReadWord(bus, pc):x8})";
            exception = null;
            cpu.ClearStop();
            // Resume with the next sequence at the EL the batch runs at.
            cpu.SetElAndSpSel(el, el);
            cpu.State.PC = seq + 1 < program.Count ? program.SequenceStarts[seq + 1] : program.EndAddress;
            current = Math.Min(seq + 1, program.Count - 1);
        }

        var blocks = new byte[program.Count * BatchProgram.BlockSize];
        for (int i = 0; i < blocks.Length; i += 8)
        {
            if (!bus.TryRead(program.BlocksAddress + (ulong)i, 8, out ulong v)) throw new InvalidOperationException("blocks unreadable");
            BitConverter.TryWriteBytes(blocks.AsSpan(i), v);
        }
        return new Result(blocks, errors);
    }

    private static int SequenceOf(BatchProgram program, ulong pc)
    {
        int index = Array.BinarySearch(program.SequenceStarts, pc);
        if (index < 0) index = ~index - 1;
        return Math.Clamp(index, 0, program.Count - 1);
    }

    private static uint ReadWord(PhysicalBus bus, ulong pa) => bus.TryRead(pa, 4, out ulong v) ? (uint)v : 0;
}
