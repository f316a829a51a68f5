using System.Buffers.Binary;
using System.Text;

namespace ArmVirt.Linux.Tests;

/// <summary>A node of a flattened device tree: its full path, properties (raw big-endian bytes) and children.</summary>
public sealed class FdtNode(string path)
{
    /// <summary>Full path, "/" for the root.</summary>
    public string Path { get; } = path;

    /// <summary>Properties by name, values as stored (big-endian cells, NUL-terminated strings).</summary>
    public Dictionary<string, byte[]> Properties { get; } = [];

    /// <summary>Child nodes in blob order.</summary>
    public List<FdtNode> Children { get; } = [];

    /// <summary>This node and all below it, depth first.</summary>
    public IEnumerable<FdtNode> DescendantsAndSelf()
    {
        yield return this;
        foreach (FdtNode child in Children)
        {
            foreach (FdtNode node in child.DescendantsAndSelf()) yield return node;
        }
    }

    /// <summary>The NUL-separated strings of a property (e.g. compatible), empty if absent.</summary>
    public string[] Strings(string name) =>
        Properties.TryGetValue(name, out byte[]? value)
            ? Encoding.ASCII.GetString(value).TrimEnd('\0').Split('\0')
            : [];

    /// <summary>The 32-bit cells of a property, or null if absent.</summary>
    public uint[]? Cells(string name)
    {
        if (!Properties.TryGetValue(name, out byte[]? value)) return null;
        var cells = new uint[value.Length / 4];
        for (int i = 0; i < cells.Length; i++) cells[i] = BinaryPrimitives.ReadUInt32BigEndian(value.AsSpan(i * 4));
        return cells;
    }
}

/// <summary>
/// Reads a flattened device tree blob (Devicetree Specification v0.4, chapter 5: header, structure block of
/// FDT_BEGIN_NODE/FDT_PROP/FDT_END_NODE/FDT_NOP/FDT_END tokens, strings block) into <see cref="FdtNode"/>s.
/// Used to compare the device tree ArmVirt gives Linux with QEMU's.
/// </summary>
public static class FdtReader
{
    private const uint Magic = 0xD00DFEED, BeginNode = 1, EndNode = 2, Prop = 3, Nop = 4, End = 9;

    /// <summary>Parses <paramref name="blob"/> and returns the root node.</summary>
    public static FdtNode Read(ReadOnlySpan<byte> blob)
    {
        uint U32(ReadOnlySpan<byte> b, int offset) => BinaryPrimitives.ReadUInt32BigEndian(b[offset..]);
        if (blob.Length < 40 || U32(blob, 0) != Magic) throw new InvalidDataException("not a flattened device tree (bad magic)");
        int structOffset = (int)U32(blob, 8), stringsOffset = (int)U32(blob, 12);
        ReadOnlySpan<byte> strings = blob[stringsOffset..];

        var stack = new Stack<FdtNode>();
        FdtNode? root = null;
        int pos = structOffset;
        while (true)
        {
            uint token = U32(blob, pos);
            pos += 4;
            switch (token)
            {
                case BeginNode:
                {
                    int nameEnd = blob[pos..].IndexOf((byte)0);
                    string name = Encoding.ASCII.GetString(blob.Slice(pos, nameEnd));
                    pos = Align(pos + nameEnd + 1);
                    FdtNode node;
                    if (stack.Count == 0)
                    {
                        node = root = new FdtNode("/");
                    }
                    else
                    {
                        FdtNode parent = stack.Peek();
                        node = new FdtNode(parent.Path == "/" ? "/" + name : parent.Path + "/" + name);
                        parent.Children.Add(node);
                    }
                    stack.Push(node);
                    break;
                }
                case EndNode:
                    stack.Pop();
                    break;
                case Prop:
                {
                    int length = (int)U32(blob, pos), nameOffset = (int)U32(blob, pos + 4);
                    int nameEnd = strings[nameOffset..].IndexOf((byte)0);
                    string name = Encoding.ASCII.GetString(strings.Slice(nameOffset, nameEnd));
                    stack.Peek().Properties[name] = blob.Slice(pos + 8, length).ToArray();
                    pos = Align(pos + 8 + length);
                    break;
                }
                case Nop:
                    break;
                case End:
                    return root ?? throw new InvalidDataException("device tree has no root node");
                default:
                    throw new InvalidDataException($"bad structure token 0x{token:x} at 0x{pos - 4:x}");
            }
        }
    }

    private static int Align(int offset) => (offset + 3) & ~3;
}
