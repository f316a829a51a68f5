using System.Buffers.Binary;

namespace ArmVirt.Machine.Tests;

/// <summary>Builds small kernel images for the loader tests.</summary>
internal static class TestImages
{
    internal sealed record Segment(ulong Vaddr, ulong Paddr, byte[] Data, ulong MemSize, uint Flags = 5, uint Type = 1);

    /// <summary>An ELF64 little-endian image with one program header per segment.</summary>
    public static byte[] Elf(ulong entry, IReadOnlyList<Segment> segments, ushort machine = 183, byte elfClass = 2, byte data = 1)
    {
        int phoff = 64, phsize = 56;
        int dataOffset = phoff + phsize * segments.Count;
        int total = dataOffset + segments.Sum(s => s.Data.Length);
        var f = new byte[total];
        f[0] = 0x7F; f[1] = (byte)'E'; f[2] = (byte)'L'; f[3] = (byte)'F';
        f[4] = elfClass; f[5] = data; f[6] = 1;
        BinaryPrimitives.WriteUInt16LittleEndian(f.AsSpan(16), 2); // ET_EXEC
        BinaryPrimitives.WriteUInt16LittleEndian(f.AsSpan(18), machine);
        BinaryPrimitives.WriteUInt32LittleEndian(f.AsSpan(20), 1);
        BinaryPrimitives.WriteUInt64LittleEndian(f.AsSpan(24), entry);
        BinaryPrimitives.WriteUInt64LittleEndian(f.AsSpan(32), (ulong)phoff);
        BinaryPrimitives.WriteUInt16LittleEndian(f.AsSpan(52), 64);
        BinaryPrimitives.WriteUInt16LittleEndian(f.AsSpan(54), (ushort)phsize);
        BinaryPrimitives.WriteUInt16LittleEndian(f.AsSpan(56), (ushort)segments.Count);
        int at = dataOffset;
        for (int i = 0; i < segments.Count; i++)
        {
            var s = segments[i];
            var ph = f.AsSpan(phoff + i * phsize);
            BinaryPrimitives.WriteUInt32LittleEndian(ph, s.Type);
            BinaryPrimitives.WriteUInt32LittleEndian(ph[4..], s.Flags);
            BinaryPrimitives.WriteUInt64LittleEndian(ph[8..], (ulong)at);
            BinaryPrimitives.WriteUInt64LittleEndian(ph[16..], s.Vaddr);
            BinaryPrimitives.WriteUInt64LittleEndian(ph[24..], s.Paddr);
            BinaryPrimitives.WriteUInt64LittleEndian(ph[32..], (ulong)s.Data.Length);
            BinaryPrimitives.WriteUInt64LittleEndian(ph[40..], s.MemSize);
            BinaryPrimitives.WriteUInt64LittleEndian(ph[48..], 0x1000);
            s.Data.CopyTo(f, at);
            at += s.Data.Length;
        }
        return f;
    }

    /// <summary>A Linux arm64 Image: 64-byte header (text_offset, image_size, magic) followed by <paramref name="body"/>.</summary>
    public static byte[] LinuxImage(ulong textOffset, ulong imageSize, byte[] body)
    {
        var f = new byte[64 + body.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(f, 0x91005a4d); // "MZ" + add x13, x18, #0x16 like real kernels
        BinaryPrimitives.WriteUInt64LittleEndian(f.AsSpan(8), textOffset);
        BinaryPrimitives.WriteUInt64LittleEndian(f.AsSpan(16), imageSize);
        BinaryPrimitives.WriteUInt32LittleEndian(f.AsSpan(56), 0x644D5241);
        body.CopyTo(f, 64);
        return f;
    }

    /// <summary>Guest RAM of <paramref name="m"/> at <paramref name="pa"/>.</summary>
    public static byte[] ReadRam(Machine m, ulong pa, int length) => m.Bus.FindRam(pa, (ulong)length)!.AsSpan(pa, length).ToArray();

    /// <summary>The one-line message of the <see cref="MachineConfigurationException"/> that building the configured machine throws.</summary>
    public static string Fails(Func<MachineBuilder, MachineBuilder> configure)
    {
        var e = Assert.ThrowsExactly<MachineConfigurationException>(() => configure(new MachineBuilder()).Build().Dispose());
        Assert.IsFalse(e.Message.Contains('\n'), "one line");
        return e.Message;
    }

    public static byte[] Pattern(int length, byte seed) => Enumerable.Range(0, length).Select(i => (byte)(i * 7 + seed)).ToArray();

    /// <summary>A temporary file that deletes itself.</summary>
    public sealed class TempFile : IDisposable
    {
        public TempFile(byte[] contents)
        {
            Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"armvirt-test-{Guid.NewGuid():N}");
            File.WriteAllBytes(Path, contents);
        }

        public string Path { get; }

        public void Dispose() => File.Delete(Path);
    }
}
