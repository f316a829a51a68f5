using System.Buffers.Binary;
using System.Text;

namespace ArmVirt.Machine.DeviceTree;

/// <summary>
/// Parses a flattened device tree blob (versions 16 and 17) back into a <see cref="DeviceTreeNode"/> tree, so a
/// user-supplied DTB can be amended (memory, <c>/chosen</c>) and generated blobs can be checked.
/// </summary>
internal static class FdtReader
{
    /// <summary>
    /// The deepest nesting of nodes accepted (real trees are under 10 deep; libfdt's own limit is 64 in places): a blob
    /// nested deeper is refused, so that nothing that walks the tree recursively (the writer) can overflow the stack.
    /// </summary>
    public const int MaxDepth = 256;

    /// <summary>Parses <paramref name="blob"/>; throws <see cref="FormatException"/> when it is not a valid FDT.</summary>
    public static DeviceTreeNode Read(ReadOnlySpan<byte> blob) => Read(blob, out _);

    /// <summary>Parses <paramref name="blob"/> and returns its memory reservation entries too.</summary>
    public static DeviceTreeNode Read(ReadOnlySpan<byte> blob, out List<(ulong Address, ulong Size)> reservations)
    {
        if (blob.Length < FdtWriter.HeaderSize || BinaryPrimitives.ReadUInt32BigEndian(blob) != FdtWriter.Magic)
            throw new FormatException("not a flattened device tree (bad magic)");
        uint total = U32(blob, 4), offStruct = U32(blob, 8), offStrings = U32(blob, 12), offReserve = U32(blob, 16);
        uint version = U32(blob, 20), sizeStrings = U32(blob, 32), sizeStruct = U32(blob, 36);
        if (total > blob.Length) throw new FormatException($"totalsize {total} exceeds the {blob.Length}-byte blob");
        if (version < 16) throw new FormatException($"FDT version {version} is not supported (need 16 or later)");
        if (offStruct + (ulong)sizeStruct > total || offStrings + (ulong)sizeStrings > total || offReserve >= total)
            throw new FormatException("FDT blocks lie outside the blob");

        reservations = new List<(ulong, ulong)>();
        for (int at = (int)offReserve; ; at += 16)
        {
            if (at + 16 > total) throw new FormatException("unterminated memory reservation block");
            ulong address = BinaryPrimitives.ReadUInt64BigEndian(blob[at..]), size = BinaryPrimitives.ReadUInt64BigEndian(blob[(at + 8)..]);
            if (address == 0 && size == 0) break;
            reservations.Add((address, size));
        }

        var structure = blob.Slice((int)offStruct, (int)sizeStruct);
        var strings = blob.Slice((int)offStrings, (int)sizeStrings);
        int pos = 0;
        var stack = new Stack<DeviceTreeNode>();
        DeviceTreeNode? root = null;
        while (true)
        {
            if (pos + 4 > structure.Length) throw new FormatException("structure block ends without FDT_END");
            uint token = U32(structure, pos);
            pos += 4;
            switch (token)
            {
                case FdtWriter.BeginNode:
                {
                    string name = CString(structure, pos, out int length);
                    pos += (length + 1 + 3) & ~3;
                    if (stack.Count == MaxDepth) throw new FormatException($"nodes nested deeper than {MaxDepth} levels");
                    var node = stack.Count == 0 ? new DeviceTreeNode(name) : stack.Peek().AddNode(name);
                    if (stack.Count == 0)
                    {
                        if (root != null) throw new FormatException("more than one root node");
                        root = node;
                    }
                    stack.Push(node);
                    break;
                }
                case FdtWriter.EndNode:
                    if (stack.Count == 0) throw new FormatException("FDT_END_NODE without a node");
                    stack.Pop();
                    break;
                case FdtWriter.Prop:
                {
                    if (stack.Count == 0 || pos + 8 > structure.Length) throw new FormatException("FDT_PROP outside a node");
                    // 32-bit fields from the blob: compared in 64 bits, so that a length or offset of 2^31 or more is
                    // refused rather than wrapped.
                    uint len = U32(structure, pos), nameOff = U32(structure, pos + 4);
                    pos += 8;
                    if ((ulong)pos + len > (ulong)structure.Length || nameOff >= (uint)strings.Length)
                        throw new FormatException("property runs past the structure or strings block");
                    stack.Peek().Set(CString(strings, (int)nameOff, out _), structure.Slice(pos, (int)len).ToArray());
                    pos += ((int)len + 3) & ~3;
                    break;
                }
                case FdtWriter.Nop:
                    break;
                case FdtWriter.End:
                    if (stack.Count != 0 || root == null) throw new FormatException("FDT_END inside a node");
                    return root;
                default:
                    throw new FormatException($"unknown structure token 0x{token:x} at offset {pos - 4}");
            }
        }
    }

    private static uint U32(ReadOnlySpan<byte> b, int at) => BinaryPrimitives.ReadUInt32BigEndian(b[at..]);

    private static string CString(ReadOnlySpan<byte> b, int at, out int length)
    {
        length = b[at..].IndexOf((byte)0);
        if (length < 0) throw new FormatException("unterminated string");
        return Encoding.UTF8.GetString(b.Slice(at, length));
    }
}
