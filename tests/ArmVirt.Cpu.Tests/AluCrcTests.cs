namespace ArmVirt.Cpu.Tests;

/// <summary>CRC32* and CRC32C* composed over a message the way software uses them.</summary>
[TestClass]
public sealed class AluCrcTests
{
    private const uint Crc32b = 0x1ac14000;   // crc32b w0, w0, w1
    private const uint Crc32x = 0x9ac14c00;   // crc32x w0, w0, x1
    private const uint Crc32cb = 0x1ac15000;  // crc32cb w0, w0, w1
    private const uint Crc32cx = 0x9ac15c00;  // crc32cx w0, w0, x1
    private static readonly byte[] Message = "123456789"u8.ToArray();

    // Runs the accumulating instruction once per chunk (bytes or 8-byte little-endian words) with
    // the standard initial value ~0 and final inversion.
    private static uint Compute(uint byteInsn, uint wordInsn, bool useWords)
    {
        using var h = new CpuHarness(1);
        var cpu = h.Cpu;
        cpu.SetX(0, 0xFFFF_FFFF);
        int i = 0;
        while (i < Message.Length)
        {
            bool word = useWords && Message.Length - i >= 8;
            cpu.SetX(1, word ? BitConverter.ToUInt64(Message, i) : Message[i]);
            h.Load(cpu.State.PC, word ? wordInsn : byteInsn);
            h.Step();
            i += word ? 8 : 1;
        }
        return ~cpu.W(0);
    }

    [TestMethod]
    public void Crc32OfCheckString()
    {
        Assert.AreEqual(0xCBF4_3926u, Compute(Crc32b, Crc32x, useWords: false));
        Assert.AreEqual(0xCBF4_3926u, Compute(Crc32b, Crc32x, useWords: true));
    }

    [TestMethod]
    public void Crc32COfCheckString()
    {
        Assert.AreEqual(0xE306_9283u, Compute(Crc32cb, Crc32cx, useWords: false));
        Assert.AreEqual(0xE306_9283u, Compute(Crc32cb, Crc32cx, useWords: true));
    }

    [TestMethod]
    public void HalfAndWordFormsUseOnlyTheirBytes()
    {
        // crc32h w0, w0, w1 over 0x3231 equals crc32b over 0x31 then 0x32; crc32w likewise over 4 bytes.
        using var h = new CpuHarness(1, 0x1ac14400 /* crc32h w0, w0, w1 */, 0x1ac14800 /* crc32w w0, w0, w1 */);
        h.Cpu.SetX(0, 0xFFFF_FFFF);
        h.Cpu.SetX(1, 0xFFFF_FFFF_FFFF_3231); // garbage above the halfword must be ignored
        h.Step();
        h.Cpu.SetX(1, 0xFFFF_FFFF_3635_3433);
        h.Step();
        uint viaHalfAndWord = h.Cpu.W(0);
        using var b = new CpuHarness(1);
        b.Cpu.SetX(0, 0xFFFF_FFFF);
        foreach (byte c in "123456"u8.ToArray())
        {
            b.Cpu.SetX(1, c);
            b.Load(b.Cpu.State.PC, Crc32b);
            b.Step();
        }
        Assert.AreEqual(b.Cpu.W(0), viaHalfAndWord);
    }

    [TestMethod]
    public void UndefinedWithoutFeatCrc32()
    {
        var noCrc = CpuModel.CortexA57 with { Name = "no-crc", IdAa64Isar0 = 0x0000_0000_0000_1120 };
        Assert.IsFalse(noCrc.HasCrc32);
        AluTestRunner.AssertUndefined(Crc32b, "CRC32B without FEAT_CRC32", new CpuConfiguration { Model = noCrc });
        AluTestRunner.AssertUndefined(Crc32cx, "CRC32CX without FEAT_CRC32", new CpuConfiguration { Model = noCrc });
    }
}
