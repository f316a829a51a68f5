using ArmVirt.Core;
using ArmVirt.Cpu;

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
        cpu.State.PC = program.SequenceStarts.Length > 0 ? program.SequenceStarts[0] : program.EndAddress;
        var errors = BatchStepper.Run(cpu, bus, program.SequenceStarts, program.EndAddress,
            () => { string? e = exception; exception = null; return e; },
            next =>
            {
                cpu.SetElAndSpSel(el, el); // resume with the next sequence at the EL the batch runs at
                cpu.State.PC = next;
            });
        var blocks = BatchStepper.ReadBlocks(bus, program.BlocksAddress, program.Count * BatchProgram.BlockSize);
        return new Result(blocks, errors);
    }
}
