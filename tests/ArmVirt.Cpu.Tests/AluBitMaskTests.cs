using ArmVirt.Cpu.A64;

namespace ArmVirt.Cpu.Tests;

/// <summary>DecodeBitMasks and the logical (immediate) decode constraint.</summary>
[TestClass]
public sealed class AluBitMaskTests
{
    [TestMethod]
    public void EveryValidLogicalImmediateIsCounted()
    {
        // The A64 logical immediates: 5334 distinct values for 64-bit operations, 1302 for 32-bit ones
        // (immr bits above the element size are ignored, so several encodings share a value), none of them
        // all-zeros or all-ones.
        var values64 = new HashSet<ulong>();
        var values32 = new HashSet<uint>();
        for (uint nImmrImms = 0; nImmrImms < 1 << 13; nImmrImms++)
        {
            uint and64 = 0x9200_0000u | (nImmrImms << 10);
            if (BitMasks.IsValidLogicalImmediate(and64))
            {
                ulong v = BitMasks.LogicalImmediate(and64);
                values64.Add(v);
                Assert.AreNotEqual(0UL, v);
                Assert.AreNotEqual(ulong.MaxValue, v);
            }
            uint and32 = 0x1200_0000u | (nImmrImms << 10);
            if (BitMasks.IsValidLogicalImmediate(and32))
            {
                uint v = (uint)BitMasks.LogicalImmediate(and32);
                values32.Add(v);
                Assert.AreNotEqual(0u, v);
                Assert.AreNotEqual(uint.MaxValue, v);
            }
        }
        Assert.AreEqual(5334, values64.Count);
        Assert.AreEqual(1302, values32.Count);
    }

    [TestMethod]
    [DataRow(1u, 0b000000u, 0b111110u, 0x7FFF_FFFF_FFFF_FFFFUL)]  // 63 ones
    [DataRow(1u, 0b000001u, 0b111110u, 0xBFFF_FFFF_FFFF_FFFFUL)]  // 63 ones rotated right by 1
    [DataRow(1u, 0b000000u, 0b000000u, 0x0000_0000_0000_0001UL)]
    [DataRow(0u, 0b000000u, 0b111100u, 0x5555_5555_5555_5555UL)]  // 2-bit element 01
    [DataRow(0u, 0b000001u, 0b111100u, 0xAAAA_AAAA_AAAA_AAAAUL)]
    [DataRow(0u, 0b000000u, 0b011110u, 0x7FFF_FFFF_7FFF_FFFFUL)]  // 32-bit element, 31 ones
    [DataRow(0u, 0b000100u, 0b110011u, 0xF0F0_F0F0_F0F0_F0F0UL)]  // 8-bit element 0x0F ror 4
    [DataRow(0u, 0b010000u, 0b001111u, 0xFFFF_0000_FFFF_0000UL)]  // 32-bit element 0xFFFF ror 16
    public void DecodesKnownMasks(uint n, uint immr, uint imms, ulong expected)
    {
        Assert.IsTrue(BitMasks.TryDecodeBitMasks(n, imms, immr, true, 64, out ulong wmask, out _));
        Assert.AreEqual($"0x{expected:x16}", $"0x{wmask:x16}");
    }

    [TestMethod]
    public void RejectsReservedPatterns()
    {
        Assert.IsFalse(BitMasks.TryDecodeBitMasks(1, 0b111111, 0, true, 64, out _, out _));  // all-ones 64-bit element
        Assert.IsFalse(BitMasks.TryDecodeBitMasks(0, 0b011111, 0, true, 64, out _, out _));  // all-ones 32-bit element
        Assert.IsFalse(BitMasks.TryDecodeBitMasks(0, 0b111101, 5, true, 64, out _, out _));  // all-ones 2-bit element
        Assert.IsFalse(BitMasks.TryDecodeBitMasks(0, 0b111110, 0, true, 64, out _, out _));  // no element size
        Assert.IsFalse(BitMasks.TryDecodeBitMasks(0, 0b111111, 0, false, 64, out _, out _)); // no element size
        Assert.IsFalse(BitMasks.TryDecodeBitMasks(1, 0b000000, 0, true, 32, out _, out _));  // element larger than M
        // As a bitfield mask (immediate = FALSE) the all-ones element is allowed.
        Assert.IsTrue(BitMasks.TryDecodeBitMasks(1, 0b111111, 0, false, 64, out ulong w, out ulong t));
        Assert.AreEqual(ulong.MaxValue, w);
        Assert.AreEqual(ulong.MaxValue, t);
    }

    [TestMethod]
    public void BitfieldTmaskFollowsSMinusR()
    {
        // UBFM x, x, #4, #3 (LSL #60): S - R = -1 mod 64 = 63, tmask all ones; wmask = ROR(Ones(4), 4).
        Assert.IsTrue(BitMasks.TryDecodeBitMasks(1, 3, 4, false, 64, out ulong w, out ulong t));
        Assert.AreEqual(0xF000_0000_0000_0000UL, w);
        Assert.AreEqual(ulong.MaxValue, t);
        // 32-bit UBFM w, w, #8, #15 (UBFX #8, #8): tmask = Ones(8).
        Assert.IsTrue(BitMasks.TryDecodeBitMasks(0, 15, 8, false, 32, out w, out t));
        Assert.AreEqual(0xFF00_00FFUL, w & 0xFFFF_FFFF);
        Assert.AreEqual(0xFFUL, t & 0xFFFF_FFFF);
    }
}
