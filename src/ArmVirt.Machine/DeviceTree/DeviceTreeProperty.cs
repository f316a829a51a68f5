using System.Buffers.Binary;
using System.Text;

namespace ArmVirt.Machine.DeviceTree;

/// <summary>A device tree property: a name and its raw big-endian value (Devicetree Specification 2.2.4).</summary>
/// <param name="Name">Property name.</param>
/// <param name="Value">The encoded value.</param>
internal sealed record DeviceTreeProperty(string Name, byte[] Value)
{
    /// <summary>The value as a list of NUL-terminated strings (a <c>&lt;stringlist&gt;</c>).</summary>
    public string[] AsStrings()
    {
        if (Value.Length == 0) return [];
        var text = Encoding.UTF8.GetString(Value, 0, Value[^1] == 0 ? Value.Length - 1 : Value.Length);
        return text.Split('\0');
    }

    /// <summary>The value as a single string.</summary>
    public string AsString() => AsStrings().FirstOrDefault() ?? "";

    /// <summary>The value as 32-bit cells.</summary>
    public uint[] AsCells()
    {
        var cells = new uint[Value.Length / 4];
        for (int i = 0; i < cells.Length; i++) cells[i] = BinaryPrimitives.ReadUInt32BigEndian(Value.AsSpan(4 * i));
        return cells;
    }

    /// <summary>The value as an unsigned integer of one or two cells.</summary>
    public ulong AsNumber() => Value.Length switch
    {
        4 => BinaryPrimitives.ReadUInt32BigEndian(Value),
        8 => BinaryPrimitives.ReadUInt64BigEndian(Value),
        _ => throw new FormatException($"Property {Name} is {Value.Length} bytes, not one or two cells."),
    };
}
