using ArmVirt.Cpu.A64;

namespace ArmVirt.Cpu.Tests;

[TestClass]
public sealed class DecoderTests
{
    [TestMethod]
    public void PatternBuildsMaskAndValue()
    {
        var e = A64Encoding.Pattern("X", "1x0x_xxxx_xxxx_xxxx_xxxx_xxxx_xxxx_xxx1", static (_, _) => { });
        Assert.AreEqual(0xA000_0001u, e.Mask);
        Assert.AreEqual(0x8000_0001u, e.Value);
    }

    [TestMethod]
    public void MoreSpecificRowWins()
    {
        var general = A64Encoding.Pattern("general", "1xxx_xxxx_xxxx_xxxx_xxxx_xxxx_xxxx_xxxx", static (_, _) => { });
        var specific = A64Encoding.Pattern("specific", "1111_xxxx_xxxx_xxxx_xxxx_xxxx_xxxx_xxxx", static (_, _) => { });
        var d = new A64Decoder([general, specific]);
        Assert.AreSame(specific, d.Decode(0xF000_0000));
        Assert.AreSame(general, d.Decode(0x8000_0000));
        Assert.AreSame(A64Decoder.Unallocated, d.Decode(0x0000_0000));
    }
}
