using System.Diagnostics;

namespace ArmVirt.Tests.Fuzzing;

/// <summary>
/// A deterministic mutation fuzzer for the CI (#22): every file of a committed seed corpus, then mutations of those
/// seeds (bit flips, boundary values over 1-, 4- and 8-byte fields in either byte order, truncation, insertion,
/// deletion, a splice of two seeds), each handed to a target that must accept it or refuse it as its input format
/// documents, never throw. The random stream is seeded by the target's name (a stable hash, not string.GetHashCode, which
/// .NET randomizes per process) and ARMVIRT_FUZZ_SEED, so a failure names an iteration that repeats on every run;
/// ARMVIRT_FUZZ_ITERATIONS runs longer when hunting.
/// </summary>
/// <remarks>
/// The targets (LoaderTargets, VirtqueueTarget) take a byte span as libFuzzer's LLVMFuzzerTestOneInput does; the same
/// targets run coverage-guided under SharpFuzz with libFuzzer or AFL through fuzz/ArmVirt.Fuzz. CI runs only this
/// seeded mutator, which repeats exactly.
/// </remarks>
internal static class SeededFuzzer
{
    /// <summary>The base seed (ARMVIRT_FUZZ_SEED, or a fixed one).</summary>
    public static int Seed { get; } = int.Parse(Environment.GetEnvironmentVariable("ARMVIRT_FUZZ_SEED") ?? "20261207",
        System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Mutations per target (ARMVIRT_FUZZ_ITERATIONS, or <paramref name="ci"/>).</summary>
    public static int Iterations(int ci) => int.Parse(Environment.GetEnvironmentVariable("ARMVIRT_FUZZ_ITERATIONS") ?? ci.ToString(
        System.Globalization.CultureInfo.InvariantCulture), System.Globalization.CultureInfo.InvariantCulture);

    private static readonly ulong[] Boundaries =
    [
        0, 1, 0x7F, 0x80, 0xFF, 0xFFFF, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 0x1_0000_0000, 0x7FFF_FFFF_FFFF_FFFF,
        0x8000_0000_0000_0000, ulong.MaxValue, 0x4000_0000, 0x4008_0000, 0x4800_0000, 0x20_0000, 0x1000, 56, 64,
    ];

    /// <summary>The files of corpus directory <paramref name="name"/> (beside the test assembly), in name order.</summary>
    public static byte[][] Corpus(string name)
    {
        string dir = Path.Combine(AppContext.BaseDirectory, "corpus", name);
        var files = Directory.GetFiles(dir).Order(StringComparer.Ordinal).ToArray();
        if (files.Length == 0) throw new InvalidOperationException($"empty seed corpus {dir}");
        return [.. files.Select(File.ReadAllBytes)];
    }

    // FNV-1a: the same on every run and every host.
    private static int StableHash(string s)
    {
        uint h = 2166136261;
        foreach (char c in s) h = (h ^ c) * 16777619;
        return (int)h;
    }

    /// <summary>One mutation of a seed (a new array), chosen by <paramref name="rng"/>.</summary>
    public static byte[] Mutate(byte[][] seeds, Random rng)
    {
        var d = new List<byte>(seeds[rng.Next(seeds.Length)]);
        int edits = 1 + rng.Next(4);
        for (int e = 0; e < edits; e++)
        {
            int at = d.Count == 0 ? 0 : rng.Next(d.Count);
            switch (rng.Next(8))
            {
                case 0 when d.Count > 0: d[at] ^= (byte)(1 << rng.Next(8)); break;
                case 1 when d.Count > 0: d[at] = (byte)Boundaries[rng.Next(Boundaries.Length)]; break;
                case 2:
                case 3:
                {
                    // A boundary value over a 4- or 8-byte field (sizes, offsets, counts), little- or big-endian.
                    ulong v = Boundaries[rng.Next(Boundaries.Length)];
                    int width = rng.Next(2) == 0 ? 4 : 8;
                    bool big = rng.Next(2) == 0;
                    at &= ~3;
                    for (int i = 0; i < width && at + i < d.Count; i++)
                        d[at + i] = (byte)(v >> (8 * (big ? width - 1 - i : i)));
                    break;
                }
                case 4 when d.Count > 0: d.RemoveRange(at, d.Count - at); break; // truncation
                case 5: d.InsertRange(at, new byte[1 + rng.Next(16)]); break;
                case 6:
                {
                    // Splice: the tail of another seed from the same offset.
                    var other = seeds[rng.Next(seeds.Length)];
                    if (at < other.Length) { d.RemoveRange(at, d.Count - at); d.AddRange(other.AsSpan(at).ToArray()); }
                    break;
                }
                default: if (d.Count > 0) d.RemoveAt(at); break;
            }
        }
        return [.. d];
    }

    /// <summary>
    /// Runs <paramref name="target"/> on every seed of corpus <paramref name="name"/> and then on
    /// <paramref name="iterations"/> mutations; fails on the first exception (a target returns false for an input it
    /// refused as documented), naming the iteration, the seed and the input (base64) so that it can be replayed.
    /// Returns how many inputs were accepted and how many refused.
    /// </summary>
    public static (int Accepted, int Refused) Run(string name, int iterations, Func<byte[], bool> target)
    {
        var seeds = Corpus(name);
        var rng = new Random(Seed ^ StableHash(name));
        int accepted = 0, refused = 0;
        var clock = Stopwatch.StartNew();
        for (int i = -seeds.Length; i < iterations; i++)
        {
            byte[] input = i < 0 ? seeds[seeds.Length + i] : Mutate(seeds, rng);
            try
            {
                if (target(input)) accepted++;
                else refused++;
            }
            catch (Exception e)
            {
                string data = input.Length <= 4096 ? Convert.ToBase64String(input) : $"({input.Length} bytes)";
                Assert.Fail($"{name}: {(i < 0 ? $"seed {seeds.Length + i}" : $"iteration {i}")} (ARMVIRT_FUZZ_SEED={Seed}): " +
                    $"{e.GetType().Name}: {e.Message}\ninput: {data}\n{e}");
            }
        }
        Console.WriteLine($"{name}: {seeds.Length} seeds + {iterations} mutations, {accepted} accepted, {refused} refused, {clock.Elapsed.TotalSeconds:F1} s");
        return (accepted, refused);
    }
}
