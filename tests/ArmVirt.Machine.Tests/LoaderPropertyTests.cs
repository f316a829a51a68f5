using System.IO.Compression;
using ArmVirt.Machine.DeviceTree;
using ArmVirt.Machine.Loaders;
using CsCheck;

namespace ArmVirt.Machine.Tests;

/// <summary>
/// Properties of the gzip and device-tree code over generated inputs (CsCheck: a failure is shrunk to a smallest
/// example and prints the seed; CsCheck_Seed=... replays it), complementing the mutation fuzzing of
/// <see cref="LoaderFuzzTests"/>, which starts from valid files: here the valid files themselves are generated.
/// </summary>
[TestClass]
public sealed class LoaderPropertyTests
{
    private static byte[] Gzip(byte[] data)
    {
        var o = new MemoryStream();
        using (var z = new GZipStream(o, CompressionLevel.Fastest, leaveOpen: true)) z.Write(data);
        return o.ToArray();
    }

    [TestMethod]
    public void GzipDataDecompressesToItselfAndEveryTruncationIsRefused()
    {
        Gen.Select(Gen.Byte.Array[0, 8192], Gen.Double[0, 1]).Sample((data, cut) =>
        {
            byte[] gz = Gzip(data);
            CollectionAssert.AreEqual(data, LinuxImageLoader.Decompress(gz, "k.gz", 1 << 20));
            // Any prefix that still has the gzip magic is refused, never half the data. (GZipStream writes nothing at all
            // for empty data: no prefix to cut.)
            if (gz.Length >= 3)
            {
                int length = 2 + (int)(cut * (gz.Length - 3));
                Assert.ThrowsExactly<MachineConfigurationException>(() => LinuxImageLoader.Decompress(gz[..length], "k.gz", 1 << 20),
                    $"{length} of {gz.Length} bytes");
            }
            // A limit below the data's size is refused, one at or above it is not.
            if (data.Length > 0)
                Assert.ThrowsExactly<MachineConfigurationException>(() => LinuxImageLoader.Decompress(gz, "k.gz", (ulong)data.Length - 1));
        }, iter: 300, threads: 1);
    }

    // A device tree built from generated choices (CsCheck shrinks the choices): up to 4 levels, up to 3 children and
    // 4 properties per node, names from the FDT name characters, values of up to 24 bytes.
    private static DeviceTreeNode Tree(byte[] choices)
    {
        int at = 0;
        int Next() => at < choices.Length ? choices[at++] : 0;
        const string chars = "abcdefghijklmnopqrstuvwxyz0123456789,._+-";
        string Name(string prefix, int index)
        {
            var name = new System.Text.StringBuilder(prefix).Append(index);
            for (int n = Next() % 6; n > 0; n--) name.Append(chars[Next() % chars.Length]);
            return name.ToString();
        }
        void Fill(DeviceTreeNode node, int depth)
        {
            for (int p = Next() % 5; p > 0; p--)
            {
                var value = new byte[Next() % 25];
                for (int i = 0; i < value.Length; i++) value[i] = (byte)Next();
                node.Set(Name("p", p), value);
            }
            if (depth == 4) return;
            for (int c = Next() % 4; c > 0; c--) Fill(node.AddNode(Name("n", c) + (Next() % 2 == 0 ? "" : $"@{Next():x}")), depth + 1);
        }
        var root = new DeviceTreeNode("");
        Fill(root, 0);
        return root;
    }

    private static void AssertSame(DeviceTreeNode expected, DeviceTreeNode actual, string path)
    {
        Assert.AreEqual(expected.Name, actual.Name, path);
        Assert.HasCount(expected.Properties.Count, actual.Properties, path);
        for (int i = 0; i < expected.Properties.Count; i++)
        {
            Assert.AreEqual(expected.Properties[i].Name, actual.Properties[i].Name, path);
            CollectionAssert.AreEqual(expected.Properties[i].Value, actual.Properties[i].Value, $"{path}/{expected.Properties[i].Name}");
        }
        Assert.HasCount(expected.Children.Count, actual.Children, path);
        for (int i = 0; i < expected.Children.Count; i++) AssertSame(expected.Children[i], actual.Children[i], $"{path}/{expected.Children[i].Name}");
    }

    [TestMethod]
    public void DeviceTreesReadBackAsWritten()
    {
        Gen.Byte.Array[0, 400].Sample(choices =>
        {
            var tree = Tree(choices);
            byte[] blob = FdtWriter.Write(tree, [(0x4800_0000, 0x1000)]);
            var read = FdtReader.Read(blob, out var reservations);
            AssertSame(tree, read, "");
            Assert.Contains((0x4800_0000UL, 0x1000UL), reservations);
            CollectionAssert.AreEqual(blob, FdtWriter.Write(read, reservations));
        }, iter: 500, threads: 1);
    }
}
