using ArmVirt.Cpu.A64.SimdFp;
using FP = ArmVirt.Cpu.A64.SimdFp.FloatingPoint;

namespace ArmVirt.Cpu.Tests;

/// <summary>The host fast path must give the same results and flags as the exact soft-float path.</summary>
[TestClass]
public sealed class FpHostPathTests
{
    private static ulong RandomOperand(Random r, int n)
    {
        int f = n == 64 ? 52 : 23, bias = n == 64 ? 1023 : 127;
        ulong frac = (ulong)r.NextInt64() & ((1UL << f) - 1);
        if (r.Next(3) == 0) frac &= ~((1UL << (f - r.Next(1, 6))) - 1); // few significant bits: exact results and ties
        int exp = r.Next(4) switch
        {
            0 => bias + r.Next(-3, 4),
            1 => r.Next(1, 2 * bias + 1),
            _ => bias + r.Next(-40, 40),
        };
        return ((ulong)r.Next(2) << (n - 1)) | ((ulong)exp << f) | frac;
    }

    [TestMethod]
    public void FastPathMatchesExactPath()
    {
        bool saved = HostFloatingPoint.Enabled;
        var r = new Random(12345);
        var failures = new List<string>();
        try
        {
            foreach (int n in new[] { 32, 64 })
            {
                for (int i = 0; i < 40000; i++)
                {
                    ulong a = RandomOperand(r, n), b = RandomOperand(r, n);
                    for (int op = 0; op < 5; op++)
                    {
                        ulong[] results = new ulong[2];
                        uint[] flags = new uint[2];
                        for (int pass = 0; pass < 2; pass++)
                        {
                            HostFloatingPoint.Enabled = pass == 1;
                            uint fpsr = 0;
                            results[pass] = op switch
                            {
                                0 => FP.Add(a, b, n, 0, ref fpsr),
                                1 => FP.Sub(a, b, n, 0, ref fpsr),
                                2 => FP.Mul(a, b, n, 0, ref fpsr),
                                3 => FP.Div(a, b, n, 0, ref fpsr),
                                _ => FP.Sqrt(a & ~(1UL << (n - 1)), n, 0, ref fpsr),
                            };
                            flags[pass] = fpsr;
                        }
                        if (results[0] != results[1] || flags[0] != flags[1])
                            failures.Add($"n={n} op={op} a={a:x} b={b:x}: exact {results[0]:x}/{flags[0]:x} host {results[1]:x}/{flags[1]:x}");
                    }
                }
            }
        }
        finally { HostFloatingPoint.Enabled = saved; }
        Assert.AreEqual("", string.Join("\n", failures.Take(20)));
    }

    [TestMethod]
    public void DoubleFusedMultiplyAddMatchesTheHostFma()
    {
        // The host FMA is IEEE 754 correctly rounded (round to nearest even): compare where no NaN is involved.
        var r = new Random(777);
        var failures = new List<string>();
        for (int i = 0; i < 200000; i++)
        {
            ulong a = RandomOperand(r, 64), b = RandomOperand(r, 64), c = RandomOperand(r, 64);
            if (r.Next(4) == 0)
            {
                // Force heavy cancellation: c close to -(a*b).
                double p = BitConverter.UInt64BitsToDouble(a) * BitConverter.UInt64BitsToDouble(b);
                c = BitConverter.DoubleToUInt64Bits(-p) ^ (ulong)r.Next(4);
            }
            double x = BitConverter.UInt64BitsToDouble(a), y = BitConverter.UInt64BitsToDouble(b), z = BitConverter.UInt64BitsToDouble(c);
            double expected = Math.FusedMultiplyAdd(x, y, z);
            if (double.IsNaN(expected) || double.IsNaN(z)) continue;
            uint fpsr = 0;
            ulong got = FP.MulAdd(c, a, b, 64, 0, ref fpsr);
            ulong want = BitConverter.DoubleToUInt64Bits(expected);
            if (got != want && failures.Count < 20) failures.Add($"{a:x} * {b:x} + {c:x}: got {got:x}, host {want:x}");
        }
        Assert.AreEqual("", string.Join("\n", failures));
    }

    [TestMethod]
    public void ScalarQemuVectorsWithoutFastPath()
    {
        bool saved = HostFloatingPoint.Enabled;
        try
        {
            HostFloatingPoint.Enabled = false;
            Assert.AreEqual("", SimdFpHarness.RunAll(FpScalarQemuVectors.Cases));
            Assert.AreEqual("", SimdFpHarness.RunAll(SimdQemuVectors.Cases));
        }
        finally { HostFloatingPoint.Enabled = saved; }
    }
}
