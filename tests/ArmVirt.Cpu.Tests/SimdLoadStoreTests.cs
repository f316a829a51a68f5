namespace ArmVirt.Cpu.Tests;

[TestClass]
public sealed class SimdLoadStoreTests
{
    private const ulong Data = CpuHarness.RamBase + 0x1000;

    private static SimdFpHarness WithPattern()
    {
        var h = new SimdFpHarness();
        var bytes = new byte[512];
        for (int i = 0; i < bytes.Length; i++) bytes[i] = (byte)i;
        h.H.Bus.Load(Data, bytes);
        h.Cpu.SetX(1, Data + 0x40);
        return h;
    }

    // Little-endian value of `count` pattern bytes starting at offset `start` of the pattern.
    private static ulong Pattern(int start, int count)
    {
        ulong v = 0;
        for (int i = 0; i < count; i++) v |= (ulong)(byte)(start + i) << (8 * i);
        return v;
    }

    [TestMethod]
    public void LdrQUnsignedOffsetAndPreIndex()
    {
        using var h = WithPattern();
        h.Execute(0x3dc00020); // ldr q0, [x1]
        Assert.AreEqual(Pattern(0x40, 8), h.Cpu.VElement<ulong>(0, 0));
        Assert.AreEqual(Pattern(0x48, 8), h.Cpu.VElement<ulong>(0, 1));
        h.Execute(0x3cc10c20); // ldr q0, [x1, #16]!
        Assert.AreEqual(Pattern(0x50, 8), h.Cpu.VElement<ulong>(0, 0));
        Assert.AreEqual(Data + 0x50, h.Cpu.X(1));
    }

    [TestMethod]
    public void StrQPostIndexWritesSixteenBytes()
    {
        using var h = WithPattern();
        h.Cpu.SetV128(1, 0x1122334455667788, 0x99AABBCCDDEEFF00);
        h.Execute(0x3c9e0421); // str q1, [x1], #-32
        Assert.AreEqual(0x1122334455667788UL, h.H.Read64(Data + 0x40));
        Assert.AreEqual(0x99AABBCCDDEEFF00UL, h.H.Read64(Data + 0x48));
        Assert.AreEqual(Data + 0x20, h.Cpu.X(1));
    }

    [TestMethod]
    public void ScalarLoadsClearTheRestOfTheRegister()
    {
        using var h = WithPattern();
        h.Cpu.SetV128(2, ulong.MaxValue, ulong.MaxValue);
        h.Execute(0xfd400422); // ldr d2, [x1, #8]
        Assert.AreEqual(Pattern(0x48, 8), h.Cpu.VElement<ulong>(2, 0));
        Assert.AreEqual(0UL, h.Cpu.VElement<ulong>(2, 1));
        h.Cpu.SetX(2, unchecked((ulong)-2));
        h.Execute(0x7c62d824); // ldr h4, [x1, w2, sxtw #1]
        Assert.AreEqual(Pattern(0x3C, 2), h.Cpu.VElement<ulong>(4, 0));
        h.Execute(0x3c5ff025); // ldur b5, [x1, #-1]
        Assert.AreEqual(0x3FUL, h.Cpu.VElement<ulong>(5, 0));
    }

    [TestMethod]
    public void StrSRegisterOffset()
    {
        using var h = WithPattern();
        h.Cpu.SetV128(3, 0xCAFEBABE_DEADBEEF, 1);
        h.Cpu.SetX(2, 3);
        h.Execute(0xbc227823); // str s3, [x1, x2, lsl #2]
        Assert.AreEqual(0xDEADBEEFUL | (Pattern(0x50, 4) << 32), h.H.Read64(Data + 0x4C));
    }

    [TestMethod]
    public void LdpQAndStpDPreIndex()
    {
        using var h = WithPattern();
        h.Execute(0xad411c26); // ldp q6, q7, [x1, #32]
        Assert.AreEqual(Pattern(0x60, 8), h.Cpu.VElement<ulong>(6, 0));
        Assert.AreEqual(Pattern(0x78, 8), h.Cpu.VElement<ulong>(7, 1));
        h.Cpu.SetV128(6, 0x6666, 9);
        h.Cpu.SetV128(7, 0x7777, 9);
        h.Execute(0x6dbf1c26); // stp d6, d7, [x1, #-16]!
        Assert.AreEqual(Data + 0x30, h.Cpu.X(1));
        Assert.AreEqual(0x6666UL, h.H.Read64(Data + 0x30));
        Assert.AreEqual(0x7777UL, h.H.Read64(Data + 0x38));
    }

    [TestMethod]
    public void LdrQLiteral()
    {
        using var h = new SimdFpHarness();
        h.H.Load(CpuHarness.RamBase, 0x9c000108); // ldr q8, pc + 0x20
        h.H.Load(CpuHarness.RamBase + 0x20, 0x55667788, 0x11223344, 0xddeeff00, 0x99aabbcc);
        h.Cpu.State.PC = CpuHarness.RamBase;
        h.Cpu.Step();
        Assert.AreEqual(0x1122334455667788UL, h.Cpu.VElement<ulong>(8, 0));
        Assert.AreEqual(0x99aabbccddeeff00UL, h.Cpu.VElement<ulong>(8, 1));
    }

    [TestMethod]
    public void Ld1FourRegistersAndLd4Deinterleaves()
    {
        using var h = WithPattern();
        h.Execute(0x4c402020); // ld1 {v0.16b-v3.16b}, [x1]
        for (int r = 0; r < 4; r++) Assert.AreEqual(Pattern(0x40 + 16 * r, 8), h.Cpu.VElement<ulong>(r, 0));
        h.Execute(0x4cdf0820); // ld4 {v0.4s-v3.4s}, [x1], #64
        for (int r = 0; r < 4; r++)
            for (int e = 0; e < 4; e++)
                Assert.AreEqual((uint)Pattern(0x40 + 16 * e + 4 * r, 4), h.Cpu.VElement<uint>(r, e), $"v{r}.s[{e}]");
        Assert.AreEqual(Data + 0x80, h.Cpu.X(1));
    }

    [TestMethod]
    public void St2InterleavesWithRegisterPostIndex()
    {
        using var h = WithPattern();
        for (int e = 0; e < 8; e++)
        {
            h.Cpu.SetVElement(4, e, (ushort)(0x4400 + e));
            h.Cpu.SetVElement(5, e, (ushort)(0x5500 + e));
        }
        h.Cpu.SetX(2, 100);
        h.Execute(0x4c828424); // st2 {v4.8h, v5.8h}, [x1], x2
        for (int e = 0; e < 8; e++)
        {
            Assert.AreEqual(0x4400UL + (ulong)e, h.H.Read64(Data + 0x40 + (ulong)(4 * e)) & 0xFFFF);
            Assert.AreEqual(0x5500UL + (ulong)e, (h.H.Read64(Data + 0x40 + (ulong)(4 * e)) >> 16) & 0xFFFF);
        }
        Assert.AreEqual(Data + 0x40 + 100, h.Cpu.X(1));
    }

    [TestMethod]
    public void Ld1rLd3LaneSt1Lane()
    {
        using var h = WithPattern();
        h.Execute(0x4d40c826); // ld1r {v6.4s}, [x1]
        for (int e = 0; e < 4; e++) Assert.AreEqual((uint)Pattern(0x40, 4), h.Cpu.VElement<uint>(6, e));
        h.Cpu.SetV128(7, 0x7777, 0x7777);
        h.Execute(0x4ddf6827); // ld3 {v7.h-v9.h}[5], [x1], #6
        Assert.AreEqual((ushort)Pattern(0x40, 2), h.Cpu.VElement<ushort>(7, 5));
        Assert.AreEqual((ushort)Pattern(0x42, 2), h.Cpu.VElement<ushort>(8, 5));
        Assert.AreEqual((ushort)Pattern(0x44, 2), h.Cpu.VElement<ushort>(9, 5));
        Assert.AreEqual(0x7777UL, h.Cpu.VElement<ulong>(7, 0), "other lanes are kept");
        Assert.AreEqual(Data + 0x46, h.Cpu.X(1));
        h.Cpu.SetV128(10, 1, 0xABCDEF);
        h.Cpu.SetX(1, Data + 0x48);
        h.Execute(0x4d00842a); // st1 {v10.d}[1], [x1]
        Assert.AreEqual(0xABCDEFUL, h.H.Read64(Data + 0x48));
        Assert.AreEqual(Pattern(0x50, 8), h.H.Read64(Data + 0x50), "only one element stored");
    }

    [TestMethod]
    public void UnalignedQuadLoadWithMmuOffFaultsWithoutChangingRegisters()
    {
        using var h = WithPattern();
        h.Cpu.SetX(1, Data + 8);
        h.Cpu.SetV128(0, 5, 6);
        h.Execute(0x3cc10c20); // ldr q0, [x1, #16]! (address Data + 0x18 is 8- but not 16-byte aligned)
        Assert.AreEqual(0x25UL, h.Cpu.Sys.Esr[1] >> 26, "data abort, same EL");
        Assert.AreEqual(0x21UL, h.Cpu.Sys.Esr[1] & 0x3F, "alignment fault");
        Assert.AreEqual(5UL, h.Cpu.VElement<ulong>(0, 0));
        Assert.AreEqual(Data + 8, h.Cpu.X(1), "no writeback");
    }

    [TestMethod]
    public void FaultingStoreWritesNothing()
    {
        using var h = WithPattern();
        h.Cpu.SetX(1, CpuHarness.RamBase + (1 << 20) - 16); // the second register of the pair lies outside RAM
        h.Execute(0xad011c26); // stp q6, q7, [x1, #32] -> beyond RAM: external abort
        h.Cpu.SetX(1, CpuHarness.RamBase + (1 << 20) - 16);
        h.Cpu.SetV128(6, 0x1111, 0x2222);
        h.Cpu.State.PC = CpuHarness.RamBase;
        h.Execute(0xad001c26); // stp q6, q7, [x1] -> second half beyond RAM
        Assert.AreEqual(0x25UL, h.Cpu.Sys.Esr[1] >> 26);
        Assert.AreEqual(0UL, h.H.Read64(CpuHarness.RamBase + (1 << 20) - 16), "first register not written");
    }
}
