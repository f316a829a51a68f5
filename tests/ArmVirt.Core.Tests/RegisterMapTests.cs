namespace ArmVirt.Core.Tests;

[TestClass]
public sealed class RegisterMapTests
{
    [TestMethod]
    public void PlainRegisterHonoursWriteMaskAndReset()
    {
        var map = new RegisterMap("dev");
        var r = map.Define("CTRL", 0x0, reset: 0x300, writeMask: 0xFF);
        map.Write(0, 4, 0xFFFF_FFFF);
        Assert.AreEqual(0x3FFUL, map.Read(0, 4));
        map.Reset();
        Assert.AreEqual(0x300UL, r.Value);
    }

    [TestMethod]
    public void HooksOverrideStorage()
    {
        var map = new RegisterMap("dev");
        ulong written = 0;
        map.Define("STATUS", 0x4, read: () => 0xABCD, write: v => written = v);
        map.Write(4, 4, 0x55);
        Assert.AreEqual(0x55UL, written);
        Assert.AreEqual(0xABCDUL, map.Read(4, 4));
    }

    [TestMethod]
    public void ReservedOffsetsAreRazWiAndReported()
    {
        var map = new RegisterMap("dev");
        map.Define("A", 0x0);
        var errors = new List<string>();
        map.GuestError += errors.Add;
        Assert.AreEqual(0UL, map.Read(0x8, 4));
        map.Write(0x8, 4, 1);
        Assert.AreEqual(2, errors.Count);
    }

    [TestMethod]
    public void NarrowAccessOnlyWhereDeclared()
    {
        var map = new RegisterMap("dev");
        map.Define("PRIO", 0x0, reset: 0x4433_2211, narrowAccess: true);
        map.Define("WIDE", 0x4, reset: 0x8877_6655);
        Assert.AreEqual(0x33UL, map.Read(0x2, 1));
        map.Write(0x1, 1, 0xEE);
        Assert.AreEqual(0x4433_EE11UL, map.Read(0, 4));
        Assert.AreEqual(0UL, map.Read(0x5, 1), "byte access to a word-only register is reserved");
    }

    [TestMethod]
    public void ArraysExpandToIndexedRegisters()
    {
        var map = new RegisterMap("dev");
        var store = new ulong[4];
        map.DefineArray("R", 0x100, 4, 4, i => store[i] + (ulong)i, (i, v) => store[i] = v);
        map.Write(0x108, 4, 7);
        Assert.AreEqual(9UL, map.Read(0x108, 4));
        Assert.AreEqual("R3", map.At(0x10C)!.Name);
    }
}
