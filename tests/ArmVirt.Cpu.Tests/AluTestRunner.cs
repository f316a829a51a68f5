using ArmVirt.Core;

namespace ArmVirt.Cpu.Tests;

/// <summary>Shared helpers of the Alu* and Branch* tests.</summary>
internal static class AluTestRunner
{
    public const ulong VectorBase = CpuHarness.RamBase + 0x8000;

    /// <summary>
    /// Runs one instruction at RAM base with X0..X3 and NZCV set and checks X0, NZCV, that X1..X3 are
    /// unchanged and that the PC moved on by 4.
    /// </summary>
    public static void CheckBinary(string asm, uint insn, ulong x0, ulong x1, ulong x2, ulong x3, uint nzcv,
        ulong expectedX0, uint expectedNzcv)
    {
        using var h = new CpuHarness(1, insn);
        var cpu = h.Cpu;
        cpu.SetX(0, x0);
        cpu.SetX(1, x1);
        cpu.SetX(2, x2);
        cpu.SetX(3, x3);
        cpu.State.Nzcv = nzcv;
        h.Step();
        Assert.AreEqual(CpuHarness.RamBase + 4, cpu.State.PC, $"{asm}: PC (an exception was taken?)");
        Assert.AreEqual($"0x{expectedX0:x16}", $"0x{cpu.X(0):x16}", $"{asm}: X0");
        Assert.AreEqual($"0x{expectedNzcv:x8}", $"0x{cpu.State.Nzcv:x8}", $"{asm}: NZCV");
        Assert.AreEqual(x1, cpu.X(1), $"{asm}: X1 changed");
        Assert.AreEqual(x2, cpu.X(2), $"{asm}: X2 changed");
        Assert.AreEqual(x3, cpu.X(3), $"{asm}: X3 changed");
    }

    /// <summary>A harness with <paramref name="code"/> at RAM base, SP = <paramref name="sp"/>.</summary>
    public static CpuHarness Create(ulong sp, params uint[] code)
    {
        var h = new CpuHarness(1, code);
        h.Cpu.Sp = sp;
        return h;
    }

    /// <summary>
    /// Executes <paramref name="insn"/> at EL1 with SP_EL1 selected and checks that it is UNDEFINED: an
    /// exception with EC = 0 (Unknown) and IL = 1 taken to VBAR_EL1 + 0x200 with ELR_EL1 at the instruction,
    /// and no register changed.
    /// </summary>
    public static void AssertUndefined(uint insn, string what, CpuConfiguration? configuration = null)
    {
        var bus = new PhysicalBus();
        try
        {
            bus.AddRam(CpuHarness.RamBase, 1 << 16);
            bus.Load(CpuHarness.RamBase, BitConverter.GetBytes(insn));
            var cpu = new Cpu(bus, new VirtualClock(), configuration);
            Assert.AreEqual(1, cpu.State.EL);
            Assert.AreEqual(1, cpu.State.SpSel);
            cpu.Sys.Vbar[1] = VectorBase;
            cpu.State.PC = CpuHarness.RamBase;
            for (int i = 0; i < 31; i++) cpu.SetX(i, 0x1111_0000UL * (ulong)(i + 1));
            cpu.Sp = 0x4000_7000;
            cpu.State.Nzcv = 0x5000_0000;
            cpu.Step();
            Assert.AreEqual(VectorBase + 0x200, cpu.State.PC, $"{what} (0x{insn:x8}): not UNDEFINED");
            Assert.AreEqual(0UL, cpu.Sys.Esr[1] >> 26, $"{what}: ESR_EL1.EC");
            Assert.AreEqual(1UL << 25, cpu.Sys.Esr[1], $"{what}: ESR_EL1 (IL = 1, ISS = 0)");
            Assert.AreEqual(CpuHarness.RamBase, cpu.Sys.Elr[1], $"{what}: ELR_EL1");
            for (int i = 0; i < 31; i++) Assert.AreEqual(0x1111_0000UL * (ulong)(i + 1), cpu.X(i), $"{what}: X{i} changed");
            Assert.AreEqual(0x4000_7000UL, cpu.GetSpEl(1), $"{what}: SP_EL1 changed");
            Assert.AreEqual(0x5000_0000u, (uint)(cpu.Sys.Spsr[1] & 0xF000_0000), $"{what}: NZCV changed");
        }
        finally
        {
            bus.Dispose();
        }
    }
}
