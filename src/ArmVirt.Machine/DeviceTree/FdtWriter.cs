using System.Buffers.Binary;
using System.Text;

namespace ArmVirt.Machine.DeviceTree;

/// <summary>
/// Serialises a <see cref="DeviceTreeNode"/> tree into a flattened device tree blob, version 17
/// (Devicetree Specification v0.4, chapter 5 "Flattened Devicetree (DTB) Format").
/// </summary>
internal static class FdtWriter
{
    /// <summary>FDT header magic.</summary>
    public const uint Magic = 0xD00D_FEED;

    internal const uint BeginNode = 1, EndNode = 2, Prop = 3, Nop = 4, End = 9;
    internal const int HeaderSize = 40;

    /// <summary>
    /// Writes the blob: header, memory reservation block (<paramref name="reservations"/> then the terminating empty
    /// entry), structure block and strings block, in that order.
    /// </summary>
    public static byte[] Write(DeviceTreeNode root, IReadOnlyList<(ulong Address, ulong Size)>? reservations = null, uint bootCpuId = 0)
    {
        ArgumentNullException.ThrowIfNull(root);
        var structure = new MemoryStream();
        var strings = new MemoryStream();
        var stringOffsets = new Dictionary<string, int>(StringComparer.Ordinal);
        WriteNode(root, structure, strings, stringOffsets);
        WriteToken(structure, End);

        reservations ??= [];
        int reserveOffset = Align(HeaderSize, 8); // 5.3: the reservation block is 8-byte aligned
        int reserveSize = (reservations.Count + 1) * 16;
        int structOffset = reserveOffset + reserveSize; // 5.4: 4-byte aligned, already 8-byte aligned here
        int stringsOffset = structOffset + (int)structure.Length;
        int total = stringsOffset + (int)strings.Length;

        var blob = new byte[total];
        var span = blob.AsSpan();
        BinaryPrimitives.WriteUInt32BigEndian(span[0..], Magic);
        BinaryPrimitives.WriteUInt32BigEndian(span[4..], (uint)total);
        BinaryPrimitives.WriteUInt32BigEndian(span[8..], (uint)structOffset);
        BinaryPrimitives.WriteUInt32BigEndian(span[12..], (uint)stringsOffset);
        BinaryPrimitives.WriteUInt32BigEndian(span[16..], (uint)reserveOffset);
        BinaryPrimitives.WriteUInt32BigEndian(span[20..], 17); // version
        BinaryPrimitives.WriteUInt32BigEndian(span[24..], 16); // last_comp_version
        BinaryPrimitives.WriteUInt32BigEndian(span[28..], bootCpuId);
        BinaryPrimitives.WriteUInt32BigEndian(span[32..], (uint)strings.Length);
        BinaryPrimitives.WriteUInt32BigEndian(span[36..], (uint)structure.Length);
        for (int i = 0; i < reservations.Count; i++)
        {
            BinaryPrimitives.WriteUInt64BigEndian(span[(reserveOffset + 16 * i)..], reservations[i].Address);
            BinaryPrimitives.WriteUInt64BigEndian(span[(reserveOffset + 16 * i + 8)..], reservations[i].Size);
        }
        structure.ToArray().CopyTo(span[structOffset..]);
        strings.ToArray().CopyTo(span[stringsOffset..]);
        return blob;
    }

    private static void WriteNode(DeviceTreeNode node, MemoryStream structure, MemoryStream strings, Dictionary<string, int> offsets)
    {
        WriteToken(structure, BeginNode);
        WritePadded(structure, [.. Encoding.UTF8.GetBytes(node.Name), 0]);
        foreach (var p in node.Properties)
        {
            if (!offsets.TryGetValue(p.Name, out int nameOffset))
            {
                nameOffset = (int)strings.Length;
                offsets.Add(p.Name, nameOffset);
                strings.Write(Encoding.UTF8.GetBytes(p.Name));
                strings.WriteByte(0);
            }
            WriteToken(structure, Prop);
            WriteToken(structure, (uint)p.Value.Length);
            WriteToken(structure, (uint)nameOffset);
            WritePadded(structure, p.Value);
        }
        foreach (var child in node.Children) WriteNode(child, structure, strings, offsets);
        WriteToken(structure, EndNode);
    }

    private static void WriteToken(MemoryStream s, uint value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(b, value);
        s.Write(b);
    }

    private static void WritePadded(MemoryStream s, ReadOnlySpan<byte> data)
    {
        s.Write(data);
        for (int i = data.Length; (i & 3) != 0; i++) s.WriteByte(0);
    }

    private static int Align(int value, int alignment) => (value + alignment - 1) & ~(alignment - 1);
}
