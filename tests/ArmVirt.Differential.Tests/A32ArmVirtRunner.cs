using ArmVirt.Core;
using ArmVirt.Cpu;

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
        var cpu = new ArmVirt.Cpu.Cpu(bus, new VirtualClock(), new CpuConfiguration { HighestEl = 1, Model = CpuModel.Max });
        cpu.Sys.Vbar[1] = VectorBase;
        cpu.Sys.Cpacr = 3UL << 20; // CPACR_EL1.FPEN: VFP and Advanced SIMD at EL0, as Linux gives qemu-arm's process
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

        Enter(program.Count > 0 ? program.SequenceStarts[0] : program.EndAddress);
        var errors = BatchStepper.Run(cpu, bus, program.SequenceStarts.Select(a => (ulong)a).ToArray(), program.EndAddress,
            () => { string? e = exception; exception = null; return e; }, Enter);
        var blocks = BatchStepper.ReadBlocks(bus, program.BlocksAddress, program.Count * A32BatchProgram.BlockSize);
        return new Result(blocks, errors);
    }
}
