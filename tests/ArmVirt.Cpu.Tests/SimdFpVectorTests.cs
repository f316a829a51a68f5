using System.Text;
using ArmVirt.Cpu.SystemRegisters;

namespace ArmVirt.Cpu.Tests;

/// <summary>One instruction run under qemu-aarch64: inputs V1..V3, X1, X2, NZCV, FPCR and the V0, X0, NZCV, FPSR it produced.</summary>
internal sealed record SimdFpVector(string Asm, uint Insn, uint Fpcr, ulong V1Lo, ulong V1Hi, ulong V2Lo, ulong V2Hi, ulong V3Lo, ulong V3Hi,
    ulong X1, ulong X2, uint Nzcv, ulong V0Lo, ulong V0Hi, ulong X0, uint OutNzcv, ulong Fpsr);

/// <summary>A CPU at EL1 with CPACR_EL1.FPEN = 0b11 for SIMD&amp;FP instruction tests.</summary>
internal sealed class SimdFpHarness : IDisposable
{
    public const ulong Marker = 0xDEADBEEFCAFEF00D;
    private ulong _cpacr = 3UL << 20;

    public SimdFpHarness(int highestEl = 1)
    {
        H = new CpuHarness(highestEl);
        // CPACR_EL1 belongs to the system-register helper: use it when present (enabling FP/SIMD with FPEN = 0b11),
        // otherwise provide a plain storage register.
        var cpacr = Cpu.SystemRegisters.Find(SystemRegister.EncodeKey(3, 0, 1, 0, 2));
        if (cpacr == null)
            Cpu.SystemRegisters.Add(new SystemRegister("CPACR_EL1", 3, 0, 1, 0, 2, _ => _cpacr, (_, v) => _cpacr = v));
        else
            cpacr.Write?.Invoke(Cpu, 3UL << 20);
        // FPCR and FPSR are installed by the Cpu constructor once the lead wires InstallFloatingPointRegisters in;
        // installing again only replaces the same definitions.
        Cpu.InstallFloatingPointRegisters();
    }

    public CpuHarness H { get; }
    public Cpu Cpu => H.Cpu;

    /// <summary>Executes one instruction word at RAM base.</summary>
    public void Execute(uint insn)
    {
        H.Load(CpuHarness.RamBase, insn);
        Cpu.State.PC = CpuHarness.RamBase;
        Cpu.Step();
    }

    /// <summary>Runs every vector and returns a description of each mismatch.</summary>
    public static string RunAll(IEnumerable<SimdFpVector> cases)
    {
        using var h = new SimdFpHarness();
        var cpu = h.Cpu;
        var failures = new StringBuilder();
        int failed = 0;
        foreach (var c in cases)
        {
            cpu.State.Fpcr = c.Fpcr;
            cpu.State.Fpsr = 0;
            cpu.SetV128(0, Marker, Marker ^ 0xFFFF);
            cpu.SetV128(1, c.V1Lo, c.V1Hi);
            cpu.SetV128(2, c.V2Lo, c.V2Hi);
            cpu.SetV128(3, c.V3Lo, c.V3Hi);
            cpu.SetX(0, Marker);
            cpu.SetX(1, c.X1);
            cpu.SetX(2, c.X2);
            cpu.State.Nzcv = c.Nzcv << 28;
            h.Execute(c.Insn);
            ulong lo = cpu.VElement<ulong>(0, 0), hi = cpu.VElement<ulong>(0, 1);
            bool trapped = cpu.State.PC != CpuHarness.RamBase + 4;
            if (trapped || lo != c.V0Lo || hi != c.V0Hi || cpu.X(0) != c.X0 || cpu.State.Nzcv >> 28 != c.OutNzcv || cpu.State.Fpsr != c.Fpsr)
            {
                if (++failed <= 40)
                    failures.AppendLine($"{c.Asm} fpcr={c.Fpcr:x} v1={c.V1Hi:x}:{c.V1Lo:x} v2={c.V2Hi:x}:{c.V2Lo:x} v3={c.V3Hi:x}:{c.V3Lo:x} x1={c.X1:x} x2={c.X2:x}: "
                        + (trapped ? $"exception ESR={cpu.Sys.Esr[1]:x} " : "")
                        + $"got v0={hi:x}:{lo:x} x0={cpu.X(0):x} nzcv={cpu.State.Nzcv >> 28:x} fpsr={cpu.State.Fpsr:x}; "
                        + $"qemu v0={c.V0Hi:x}:{c.V0Lo:x} x0={c.X0:x} nzcv={c.OutNzcv:x} fpsr={c.Fpsr:x}");
            }
        }
        if (failed > 0) failures.Insert(0, $"{failed} of {cases.Count()} vectors differ from qemu:\n");
        return failures.ToString();
    }

    public void Dispose() => H.Dispose();
}

[TestClass]
public sealed class SimdFpVectorTests
{
    [TestMethod]
    public void ScalarFloatingPointMatchesQemu()
    {
        string failures = SimdFpHarness.RunAll(FpScalarQemuVectors.Cases);
        Assert.AreEqual("", failures);
    }
}

[TestClass]
public sealed class SimdQemuVectorTests
{
    [TestMethod]
    public void AdvancedSimdMatchesQemu()
    {
        string failures = SimdFpHarness.RunAll(SimdQemuVectors.Cases);
        Assert.AreEqual("", failures);
    }

    [TestMethod]
    public void AdvancedSimdMatchesQemuWithoutHostVectors()
    {
        bool saved = A64.SimdFp.HostVectorOps.Enabled;
        try
        {
            A64.SimdFp.HostVectorOps.Enabled = false;
            Assert.AreEqual("", SimdFpHarness.RunAll(SimdQemuVectors.Cases));
        }
        finally { A64.SimdFp.HostVectorOps.Enabled = saved; }
    }

    [TestMethod]
    public void AdvancedSimdMatchesQemuWithHostVectors()
    {
        bool saved = A64.SimdFp.HostVectorOps.Enabled;
        try
        {
            A64.SimdFp.HostVectorOps.Enabled = true;
            Assert.AreEqual("", SimdFpHarness.RunAll(SimdQemuVectors.Cases));
        }
        finally { A64.SimdFp.HostVectorOps.Enabled = saved; }
    }

    [TestMethod]
    public void AdvancedSimdMatchesQemuWithPortableCrypto()
    {
        bool aes = A64.SimdFp.Crypto.UseHostIntrinsics, clmul = A64.SimdFp.CarrylessMultiply.UseHostIntrinsics;
        try
        {
            A64.SimdFp.Crypto.UseHostIntrinsics = false;
            A64.SimdFp.CarrylessMultiply.UseHostIntrinsics = false;
            string failures = SimdFpHarness.RunAll(SimdQemuVectors.Cases.Where(c => c.Asm.StartsWith("aes") || c.Asm.StartsWith("pmull")));
            Assert.AreEqual("", failures);
        }
        finally
        {
            A64.SimdFp.Crypto.UseHostIntrinsics = aes;
            A64.SimdFp.CarrylessMultiply.UseHostIntrinsics = clmul;
        }
    }
}
