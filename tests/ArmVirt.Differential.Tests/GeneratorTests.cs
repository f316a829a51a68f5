namespace ArmVirt.Differential.Tests;

/// <summary>Checks on the generators themselves, independent of ArmVirt.</summary>
[TestClass]
public sealed class GeneratorTests
{
    /// <summary>Every generated word is an allocated encoding according to GNU objdump (when installed).</summary>
    [TestMethod]
    public void GeneratedWordsAreAllocatedEncodings()
    {
        var rng = new Random(7);
        var words = new List<uint>();
        foreach (var (_, make) in SequenceGenerator.Classes.Concat(SimdFpGenerator.Classes))
            for (int i = 0; i < 300; i++) words.AddRange(make(rng).Words);
        string listing = Disassembler.TryDisassemble([.. words], 0)
            ?? Inconclusive("aarch64-linux-gnu-objdump is not installed");
        var bad = listing.Split('\n').Where(l => l.Contains("undefined") || l.Contains(".inst")).Take(20).ToList();
        Assert.IsEmpty(bad, "unallocated encodings generated:\n" + string.Join('\n', bad));
        Assert.AreEqual(words.Count, listing.Split('\n').Length, "one listing line per word");
    }

    /// <summary>A batch is a well-formed ELF whose single PT_LOAD covers the whole file at the load address.</summary>
    [TestMethod]
    public void BatchImageHasOneLoadSegmentAndEntryAtCode()
    {
        var rng = new Random(3);
        var sequences = Enumerable.Range(0, 5).Select(_ => SequenceGenerator.Sequence(rng, [.. SequenceGenerator.Classes.Select(c => c.Make)], false)).ToList();
        var program = new BatchProgram(3, sequences, rng);
        var image = program.Image;
        CollectionAssert.AreEqual(new byte[] { 0x7F, (byte)'E', (byte)'L', (byte)'F', 2, 1, 1 }, image[..7]);
        Assert.AreEqual(183, BitConverter.ToUInt16(image, 18), "EM_AARCH64");
        Assert.AreEqual(program.SequenceStarts[0], BitConverter.ToUInt64(image, 24), "entry is the first sequence");
        Assert.AreEqual(1, BitConverter.ToUInt16(image, 56), "one program header");
        Assert.AreEqual(BatchProgram.LoadAddress, BitConverter.ToUInt64(image, 64 + 16));
        Assert.AreEqual((ulong)image.Length, BitConverter.ToUInt64(image, 64 + 32));
        Assert.IsTrue(program.EndAddress < program.BlocksAddress);
        Assert.AreEqual(5 * BatchProgram.BlockSize, program.InitialBlocks.Length);
    }

    private static string Inconclusive(string message)
    {
        Assert.Inconclusive(message);
        return "";
    }
}
