using ArmVirt.Core;
using ArmVirt.Cpu.Exceptions;

namespace ArmVirt.Cpu.Tests;

/// <summary>
/// A CPU of a chosen model at EL1 with 1 MiB of RAM at 0x4000_0000 (MMU off), for load/store tests: each
/// instruction is written at the current PC and stepped; exception entry is recorded.
/// </summary>
internal sealed class LoadStoreTestHarness : IDisposable
{
    public const ulong RamBase = 0x4000_0000;
    public const ulong Code = RamBase;            // instructions go here
    public const ulong Data = RamBase + 0x1_0000; // a data area tests use
    public const ulong Vectors = RamBase + 0x8_0000;

    public LoadStoreTestHarness(CpuModel? model = null, int highestEl = 1)
    {
        Bus = new PhysicalBus();
        Bus.AddRam(RamBase, 1 << 20);
        Cpu = new Cpu(Bus, new VirtualClock(), new CpuConfiguration { HighestEl = highestEl, Model = model ?? CpuModel.CortexA57 });
        Cpu.State.PC = Code;
        for (int el = 1; el <= highestEl; el++) Cpu.Sys.Vbar[el] = Vectors;
        Cpu.ExceptionEntered += (kind, el) => { Exceptions++; LastExceptionEl = el; };
    }

    public PhysicalBus Bus { get; }
    public Cpu Cpu { get; }
    public int Exceptions { get; private set; }
    public int LastExceptionEl { get; private set; }

    public ulong this[int n]
    {
        get => Cpu.State.X[n];
        set => Cpu.State.X[n] = value;
    }

    /// <summary>Executes one instruction at the current PC; returns true when it completed without an exception.</summary>
    public bool Exec(uint insn)
    {
        int before = Exceptions;
        ulong pc = Cpu.State.PC;
        if (pc >= Vectors) pc = Cpu.State.PC = Code; // after an exception, continue from code again
        Bus.TryWrite(pc, 4, insn);
        Cpu.Step();
        return Exceptions == before;
    }

    /// <summary>Executes one instruction and asserts that it raised a synchronous exception; returns ESR_EL1.</summary>
    public ulong ExecFault(uint insn, int el = 1)
    {
        Assert.IsFalse(Exec(insn), $"0x{insn:x8} should fault");
        Assert.AreEqual(el, LastExceptionEl);
        return Cpu.Sys.Esr[el];
    }

    public static ExceptionClass Ec(ulong esr) => (ExceptionClass)(esr >> 26);

    public void Write(ulong pa, int size, ulong value) => Assert.IsTrue(Bus.TryWrite(pa, size, value));

    public ulong Read(ulong pa, int size) => Bus.TryRead(pa, size, out ulong v) ? v : throw new InvalidOperationException();

    public void Dispose() => Bus.Dispose();
}
