using System.Text;

namespace ArmVirt.Cpu.Tests;

/// <summary>A SIMD&amp;FP load/store run under qemu-aarch64: V0..V7 and X2 in, V0..V7, X1 - buffer and the 256-byte buffer out.</summary>
internal sealed record SimdLoadStoreVector(string Asm, uint Insn, ulong[] VIn, ulong X2, ulong[] VOut, ulong X1Offset, string Buffer);

[TestClass]
public sealed class SimdLoadStoreQemuTests
{
    private const ulong Buffer = CpuHarness.RamBase + 0x2000;

    [TestMethod]
    public void LoadsAndStoresMatchQemu()
    {
        using var h = new SimdFpHarness();
        var cpu = h.Cpu;
        var failures = new StringBuilder();
        int failed = 0;
        var pattern = new byte[256];
        for (int i = 0; i < 256; i++) pattern[i] = (byte)(i * i + 8 * i + 3);
        foreach (var c in SimdLoadStoreQemuVectors.Cases)
        {
            h.H.Bus.Load(Buffer, pattern);
            for (int r = 0; r < 8; r++) cpu.SetV128(r, c.VIn[2 * r], c.VIn[2 * r + 1]);
            cpu.SetX(1, Buffer + 64);
            cpu.SetX(2, c.X2);
            h.Execute(c.Insn);
            var sb = new StringBuilder();
            for (int i = 0; i < 256; i += 8) sb.Append(BitConverter.ToString(BitConverter.GetBytes(h.H.Read64(Buffer + (ulong)i))).Replace("-", "").ToLowerInvariant());
            string buffer = sb.ToString();
            bool ok = cpu.State.PC == CpuHarness.RamBase + 4 && cpu.X(1) - Buffer == c.X1Offset && buffer == c.Buffer;
            for (int r = 0; r < 8 && ok; r++)
                ok = cpu.VElement<ulong>(r, 0) == c.VOut[2 * r] && cpu.VElement<ulong>(r, 1) == c.VOut[2 * r + 1];
            if (!ok && ++failed <= 20)
                failures.AppendLine($"{c.Asm} (x2={c.X2}): pc={cpu.State.PC:x} esr={cpu.Sys.Esr[1]:x} x1-buf={cpu.X(1) - Buffer} (qemu {c.X1Offset})"
                    + (buffer != c.Buffer ? " buffer differs" : ""));
        }
        Assert.AreEqual("", failures.ToString(), $"{failed} differ");
    }
}
