using ArmVirt.Core;
using ArmVirt.Cpu;
using ArmVirt.Cpu.Exceptions;

namespace ArmVirt.Differential.Tests;

/// <summary>
/// Runs an A32 batch on ArmVirt's CPU as AArch32 EL0 code under a minimal AArch64 EL1 (MMU off, so virtual = physical
/// addresses): each sequence is entered by an ERET from EL1 with SPSR_EL1.M = 0b10000 (AArch32 User) and ELR_EL1 = its
/// start, and the batch runs on to its exit code. A sequence that takes an exception to EL1 or stops the CPU is
/// recorded and the next one is entered. Returns the data blocks.
/// </summary>
internal static class A32ArmVirtRunner
{
    /// <summary>EL1's vector base, far from the program: any PC there means an exception was taken.</summary>
    private const ulong VectorBase = A32BatchProgram.LoadAddress + 0x00F0_0000;
    /// <summary>The EL1 code that enters a sequence: one ERET.</summary>
    private const ulong EretStub = A32BatchProgram.LoadAddress + 0x00E0_0000;

    public sealed record Result(byte[] Blocks, Dictionary<int, string> Errors);

    public static Result Run(A32BatchProgram program)
    {
        ulong ramSize = 16UL << 20;
        if (program.Image.Length > 0x00E0_0000) throw new InvalidOperationException("batch too large");
        using var bus = new PhysicalBus();
        bus.AddRam(A32BatchProgram.LoadAddress, ramSize);
        bus.Load(A32BatchProgram.LoadAddress, program.Image);
        bus.Load(EretStub, BitConverter.GetBytes(0xD69F_03E0u));
        var cpu = new ArmVirt.Cpu.Cpu(bus, new VirtualClock(), new CpuConfiguration { HighestEl = 1, Model = CpuModel.CortexA57 });
        cpu.Sys.Vbar[1] = VectorBase;
        string? exception = null;
        cpu.ExceptionEntered += (kind, el) =>
            exception = $"{kind} exception to EL{el}: ESR_EL1=0x{cpu.Sys.Esr[1]:x8} (EC 0x{cpu.Sys.Esr[1] >> 26:x2}) ELR_EL1=0x{cpu.Sys.Elr[1]:x} FAR_EL1=0x{cpu.Sys.Far[1]:x}";

        void Enter(ulong pc)
        {
            cpu.ClearStop();
            exception = null;
            cpu.Sys.Spsr[1] = 0x10; // AArch32, User mode, NZCV = 0 (the prologue sets the APSR)
            cpu.Sys.Elr[1] = pc;
            cpu.State.PC = EretStub;
            cpu.Step();
            if (!cpu.State.Aarch32 || cpu.State.EL != 0) throw new InvalidOperationException("the ERET did not enter AArch32 EL0");
        }

        var errors = new Dictionary<int, string>();
        Enter(program.Count > 0 ? program.SequenceStarts[0] : program.EndAddress);
        ulong budget = (ulong)program.Count * 400 + 1000;
        while (cpu.State.PC != program.EndAddress)
        {
            if (budget-- == 0)
            {
                errors[SequenceOf(program, cpu.State.PC)] = $"did not reach the end of the batch: still running at PC 0x{cpu.State.PC:x}";
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
            Enter(seq + 1 < program.Count ? program.SequenceStarts[seq + 1] : program.EndAddress);
        }

        var blocks = new byte[program.Count * A32BatchProgram.BlockSize];
        for (int i = 0; i < blocks.Length; i += 8)
        {
            if (!bus.TryRead(program.BlocksAddress + (ulong)i, 8, out ulong v)) throw new InvalidOperationException("blocks unreadable");
            BitConverter.TryWriteBytes(blocks.AsSpan(i), v);
        }
        return new Result(blocks, errors);
    }

    private static int SequenceOf(A32BatchProgram program, ulong pc)
    {
        int index = Array.BinarySearch(program.SequenceStarts, (uint)pc);
        if (index < 0) index = ~index - 1;
        return Math.Clamp(index, 0, program.Count - 1);
    }

    private static uint ReadWord(PhysicalBus bus, ulong pa) => bus.TryRead(pa, 4, out ulong v) ? (uint)v : 0;
}
