using ArmVirt.Cpu.A64.SimdFp;
using FP = ArmVirt.Cpu.A64.SimdFp.FloatingPoint;

namespace ArmVirt.Cpu.Tests;

/// <summary>Named edge cases of the Arm ARM floating-point library (values cross-checked with qemu-aarch64).</summary>
[TestClass]
public sealed class FpEdgeCaseTests
{
    private const uint QNaN1 = 0x7fc00001, SNaN2 = 0x7f800002, One = 0x3f800000, Two = 0x40000000;
    private const uint RP = 1u << 22, RM = 2u << 22, RZ = 3u << 22;

    [TestMethod]
    public void SignallingNaNInSecondOperandWinsOverQuietNaNInFirst()
    {
        uint fpsr = 0;
        Assert.AreEqual(0x7fc00002UL, FP.Add(QNaN1, SNaN2, 32, 0, ref fpsr), "the SNaN is quietened and returned");
        Assert.AreEqual(FP.Ioc, fpsr);
        fpsr = 0;
        Assert.AreEqual(0x7fc00001UL, FP.Mul(QNaN1, One, 32, 0, ref fpsr), "a QNaN propagates with its payload");
        Assert.AreEqual(0u, fpsr);
    }

    [TestMethod]
    public void DefaultNaNModeReplacesPropagatedNaNs()
    {
        uint fpsr = 0;
        Assert.AreEqual(0x7fc00000UL, FP.Add(QNaN1, One, 32, FP.FpcrDn, ref fpsr));
        Assert.AreEqual(0x7ff8000000000000UL, FP.Sub(0x7ff0000000000001, 0, 64, FP.FpcrDn, ref fpsr));
        Assert.AreEqual(FP.Ioc, fpsr);
    }

    [TestMethod]
    public void InvalidOperationsGiveTheDefaultNaN()
    {
        uint fpsr = 0;
        Assert.AreEqual(0x7fc00000UL, FP.Sub(0x7f800000, 0x7f800000, 32, 0, ref fpsr), "inf - inf");
        Assert.AreEqual(0x7fc00000UL, FP.Mul(0x7f800000, 0, 32, 0, ref fpsr), "inf * 0");
        Assert.AreEqual(0x7fc00000UL, FP.Sqrt(0xbf800000, 32, 0, ref fpsr), "sqrt(-1)");
        Assert.AreEqual(FP.Ioc, fpsr);
        fpsr = 0;
        Assert.AreEqual(0x40000000UL, FP.Mul(0x7f800000, 0, 32, 0, ref fpsr, mulx: true), "FMULX: inf * 0 = 2");
        Assert.AreEqual(0u, fpsr);
    }

    [TestMethod]
    public void FusedMultiplyAddOfQuietNaNAddendAndInfTimesZeroIsInvalid()
    {
        uint fpsr = 0;
        Assert.AreEqual(0x7fc00000UL, FP.MulAdd(QNaN1, 0x7f800000, 0, 32, 0, ref fpsr));
        Assert.AreEqual(FP.Ioc, fpsr);
    }

    [TestMethod]
    public void FlushToZeroFlushesDenormalInputsAndTinyResults()
    {
        uint fpsr = 0;
        Assert.AreEqual(0x3f800000UL, FP.Add(One, 0x00000001, 32, FP.FpcrFz, ref fpsr));
        Assert.AreEqual(FP.Idc, fpsr, "input denormal, no inexact");
        fpsr = 0;
        Assert.AreEqual(0UL, FP.Mul(0x00800000, 0x3f000000, 32, FP.FpcrFz, ref fpsr), "min normal / 2 flushes to +0");
        Assert.AreEqual(FP.Ufc, fpsr);
        fpsr = 0;
        Assert.AreEqual(0x00400000UL, FP.Mul(0x00800000, 0x3f000000, 32, 0, ref fpsr), "exact denormal without FZ: no underflow");
        Assert.AreEqual(0u, fpsr);
    }

    [TestMethod]
    public void EveryRoundingModeOnOneThird()
    {
        uint fpsr = 0;
        Assert.AreEqual(0x3eaaaaabUL, FP.Div(One, 0x40400000, 32, 0, ref fpsr));
        Assert.AreEqual(0x3eaaaaabUL, FP.Div(One, 0x40400000, 32, RP, ref fpsr));
        Assert.AreEqual(0x3eaaaaaaUL, FP.Div(One, 0x40400000, 32, RM, ref fpsr));
        Assert.AreEqual(0x3eaaaaaaUL, FP.Div(One, 0x40400000, 32, RZ, ref fpsr));
        Assert.AreEqual(0xbeaaaaaaUL, FP.Div(0xbf800000, 0x40400000, 32, RP, ref fpsr));
        Assert.AreEqual(0xbeaaaaabUL, FP.Div(0xbf800000, 0x40400000, 32, RM, ref fpsr));
        Assert.AreEqual(FP.Ixc, fpsr);
    }

    [TestMethod]
    public void OverflowRespectsTheRoundingMode()
    {
        uint fpsr = 0;
        Assert.AreEqual(0x7f800000UL, FP.Mul(0x7f7fffff, Two, 32, 0, ref fpsr));
        Assert.AreEqual(0x7f7fffffUL, FP.Mul(0x7f7fffff, Two, 32, RZ, ref fpsr));
        Assert.AreEqual(0xff7fffffUL, FP.Mul(0xff7fffff, Two, 32, RP, ref fpsr));
        Assert.AreEqual(FP.Ofc | FP.Ixc, fpsr);
    }

    [TestMethod]
    public void ExactZeroSumIsNegativeOnlyWhenRoundingDown()
    {
        uint fpsr = 0;
        Assert.AreEqual(0UL, FP.Add(One, 0xbf800000, 32, 0, ref fpsr));
        Assert.AreEqual(0x80000000UL, FP.Add(One, 0xbf800000, 32, RM, ref fpsr));
    }

    [TestMethod]
    public void FusedMultiplyAddRoundsOnce()
    {
        // (1 + 2^-23) * (1 - 2^-23) - 1 = -2^-46 exactly; an unfused multiply would round the product to 1 and give 0.
        uint fpsr = 0;
        Assert.AreEqual(0xa8800000UL, FP.MulAdd(0xbf800000, 0x3f800001, 0x3f7ffffe, 32, 0, ref fpsr));
        Assert.AreEqual(0u, fpsr);
    }

    [TestMethod]
    public void HalfPrecisionConversionsIeeeAndAlternative()
    {
        uint fpsr = 0;
        Assert.AreEqual(0x7c00UL, FP.Convert(0x47800000, 32, 16, 0, FPRounding.TieEven, ref fpsr), "65536 overflows IEEE half");
        Assert.AreEqual(FP.Ofc | FP.Ixc, fpsr);
        fpsr = 0;
        Assert.AreEqual(0x7c00UL, FP.Convert(0x47800000, 32, 16, FP.FpcrAhp, FPRounding.TieEven, ref fpsr), "65536 = 2^16 fits AHP");
        Assert.AreEqual(0u, fpsr);
        Assert.AreEqual(0x47800000UL, FP.Convert(0x7c00, 16, 32, FP.FpcrAhp, FPRounding.TieEven, ref fpsr), "AHP 0x7c00 is a number");
        Assert.AreEqual(0x7fffUL, FP.Convert(0x7f800000, 32, 16, FP.FpcrAhp, FPRounding.TieEven, ref fpsr), "infinity saturates in AHP");
        Assert.AreEqual(FP.Ioc, fpsr);
        fpsr = 0;
        Assert.AreEqual(0x7e01UL, FP.Convert(0x7f802000, 32, 16, 0, FPRounding.TieEven, ref fpsr), "SNaN payload kept, quietened");
        Assert.AreEqual(FP.Ioc, fpsr);
    }

    [TestMethod]
    public void FloatToIntegerSaturatesAndRaisesInvalid()
    {
        uint fpsr = 0;
        Assert.AreEqual(0x7fffffffUL, FP.ToFixed(0x4f000000, 32, 0, false, 32, 0, FPRounding.Zero, ref fpsr), "2^31 -> INT32_MAX");
        Assert.AreEqual(FP.Ioc, fpsr);
        fpsr = 0;
        Assert.AreEqual(0x80000000UL, FP.ToFixed(0xcf000000, 32, 0, false, 32, 0, FPRounding.Zero, ref fpsr), "-2^31 is exact");
        Assert.AreEqual(0u, fpsr);
        Assert.AreEqual(0UL, FP.ToFixed(0x7fc00000, 32, 0, true, 64, 0, FPRounding.Zero, ref fpsr), "NaN -> 0");
        Assert.AreEqual(FP.Ioc, fpsr);
        fpsr = 0;
        Assert.AreEqual(3UL, FP.ToFixed(0x40200000, 32, 0, false, 64, 0, FPRounding.TieAway, ref fpsr), "2.5 ties away -> 3");
        Assert.AreEqual(2UL, FP.ToFixed(0x40200000, 32, 0, false, 64, 0, FPRounding.TieEven, ref fpsr), "2.5 ties to even -> 2");
        Assert.AreEqual(FP.Ixc, fpsr);
    }

    [TestMethod]
    public void ReciprocalEstimatesFollowTheArmTables()
    {
        uint fpsr = 0;
        Assert.AreEqual(0x3f7f8000UL, FP.RecipEstimateFP(One, 32, 0, ref fpsr), "FRECPE(1.0) = 0.998046875");
        Assert.AreEqual(0x3f7f8000UL, FP.RSqrtEstimateFP(One, 32, 0, ref fpsr), "FRSQRTE(1.0) = 0.998046875");
        Assert.AreEqual(0x7f800000UL, FP.RecipEstimateFP(0, 32, 0, ref fpsr));
        Assert.AreEqual(FP.Dzc, fpsr);
        Assert.AreEqual(511, FP.RecipEstimate(256));
        Assert.AreEqual(256, FP.RecipEstimate(511));
        Assert.AreEqual(511, FP.RecipSqrtEstimate(128));
    }

    [TestMethod]
    public void SaturatingAddSetsQcInFpsr()
    {
        using var h = new SimdFpHarness();
        h.Cpu.SetV128(1, 0x7f, 0);
        h.Cpu.SetV128(2, 0x01, 0);
        h.Execute(0x5e220c20); // sqadd b0, b1, b2
        Assert.AreEqual(0x7fUL, h.Cpu.VElement<ulong>(0, 0));
        Assert.AreEqual(FP.Qc, h.Cpu.State.Fpsr);
    }
}
