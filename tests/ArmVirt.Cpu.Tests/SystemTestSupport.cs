using ArmVirt.Core;
using ArmVirt.Cpu.Exceptions;

namespace ArmVirt.Cpu.Tests;

/// <summary>
/// A CPU for system-instruction tests: 1 MiB of RAM at 0x4000_0000, every VBAR_ELx at the RAM base (so vector
/// addresses are RAM base + offset) and code executed at <see cref="CodeBase"/>.
/// </summary>
internal sealed class SysCpu : IDisposable
{
    public const ulong RamBase = 0x4000_0000;
    public const ulong CodeBase = RamBase + 0x8000;

    public SysCpu(int highestEl = 1, CpuModel? model = null, Timing.TimingModel? timing = null)
    {
        Bus = new PhysicalBus();
        Bus.AddRam(RamBase, 1 << 20);
        Cpu = new Cpu(Bus, new VirtualClock(), new CpuConfiguration { HighestEl = highestEl, Model = model ?? CpuModel.CortexA57 })
        {
            Timing = timing ?? Timing.TimingModel.Flat,
        };
        for (int el = 1; el <= 3; el++) Cpu.Sys.Vbar[el] = RamBase;
        Cpu.State.PC = CodeBase;
    }

    public PhysicalBus Bus { get; }
    public Cpu Cpu { get; }

    /// <summary>Moves to <paramref name="el"/> (EL0 uses SP_EL0) without an exception return.</summary>
    public void Enter(int el, int spSel = -1) => Cpu.SetElAndSpSel(el, spSel >= 0 ? spSel : el == 0 ? 0 : 1);

    /// <summary>Places the instructions at the current PC and steps them.</summary>
    public void Exec(params uint[] insns)
    {
        var bytes = new byte[insns.Length * 4];
        Buffer.BlockCopy(insns, 0, bytes, 0, bytes.Length);
        Bus.Load(Cpu.State.PC, bytes);
        for (int i = 0; i < insns.Length; i++) Cpu.Step();
    }

    /// <summary>Steps once, raising the Illegal State exception first as the execution loop does with PSTATE.IL set.</summary>
    public void ExecWithIllegalStateCheck(uint insn)
    {
        Bus.Load(Cpu.State.PC, BitConverter.GetBytes(insn));
        try
        {
            Cpu.CheckIllegalState();
        }
        catch (GuestException e)
        {
            Cpu.TakeException(ExceptionKind.Synchronous, e.TargetEl, Cpu.State.PC, e.Class, e.Iss);
            return;
        }
        Cpu.Step();
    }

    /// <summary>MRS X0 of a named register at the current EL; returns X0.</summary>
    public ulong Read(string name)
    {
        Exec(Enc.Mrs(Cpu, name, 0));
        return Cpu.X(0);
    }

    /// <summary>MSR of a named register from X1 at the current EL.</summary>
    public void Write(string name, ulong value)
    {
        Cpu.SetX(1, value);
        Exec(Enc.Msr(Cpu, name, 1));
    }

    public void Dispose() => Bus.Dispose();
}

/// <summary>Instruction encodings (checked against aarch64-linux-gnu-as).</summary>
internal static class Enc
{
    public const uint Svc1234 = 0xd4024681, Hvc55 = 0xd4000aa2, Smc66 = 0xd4000cc3, Brk77 = 0xd4200ee0;
    public const uint HltF000 = 0xd45e0000, Hlt1 = 0xd4400020, Eret = 0xd69f03e0;
    public const uint Wfi = 0xd503207f, Wfe = 0xd503205f, Sev = 0xd503209f, Sevl = 0xd50320bf, Yield = 0xd503203f, Nop = 0xd503201f;
    public const uint DaifSet2 = 0xd50342df, DaifClr2 = 0xd50342ff, SpSel0 = 0xd50040bf, SpSel1 = 0xd50041bf, Pan1 = 0xd500419f;
    public const uint DcZvaX0 = 0xd50b7420, DcCivacX0 = 0xd50b7e20, DcIvacX0 = 0xd5087620, DcCvauX0 = 0xd50b7b20, DcCiswX0 = 0xd5087e40;
    public const uint IcIvauX0 = 0xd50b7520, IcIallu = 0xd508751f, TlbiVmalle1 = 0xd508871f, TlbiVae1isX0 = 0xd5088320;
    public const uint TlbiIpas2e1X0 = 0xd50c8420, AtS1e1rX0 = 0xd5087800, AtS12e0wX0 = 0xd50c78e0;
    public const uint Clrex = 0xd5033f5f, DsbSy = 0xd5033f9f, DmbIsh = 0xd5033bbf, Isb = 0xd5033fdf, MrsX0CtrEl0 = 0xd53b0020;
    public const uint Esb = 0xd503221f, BtiC = 0xd503245f, Cfinv = 0xd500401f, Drps = 0xd6bf03e0, Dcps1 = 0xd4a00001;

    public static uint Mrs(Cpu cpu, string name, int rt) => 0xD520_0000u | ((uint)Find(cpu, name).Key << 5) | (uint)rt;
    public static uint Msr(Cpu cpu, string name, int rt) => 0xD500_0000u | ((uint)Find(cpu, name).Key << 5) | (uint)rt;

    /// <summary>MRS/MSR by fields, for registers the CPU does not declare.</summary>
    public static uint Mrs(int op0, int op1, int crn, int crm, int op2, int rt) =>
        0xD520_0000u | (uint)((op0 << 19) | (op1 << 16) | (crn << 12) | (crm << 8) | (op2 << 5) | rt);
    public static uint Msr(int op0, int op1, int crn, int crm, int op2, int rt) => Mrs(op0, op1, crn, crm, op2, rt) & ~(1u << 21);

    /// <summary>The EC 0x18 ISS written out field by field.</summary>
    public static uint Iss18(int op0, int op1, int crn, int crm, int op2, int rt, bool read) =>
        (uint)((op0 << 20) | (op2 << 17) | (op1 << 14) | (crn << 10) | (rt << 5) | (crm << 1) | (read ? 1 : 0));

    /// <summary>ESR for a 32-bit instruction.</summary>
    public static ulong Esr(uint ec, uint iss) => ((ulong)ec << 26) | (1UL << 25) | iss;

    private static SystemRegisters.SystemRegister Find(Cpu cpu, string name) =>
        cpu.SystemRegisters.Find(name) ?? throw new ArgumentException($"{name} is not declared");
}
