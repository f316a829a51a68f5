using System.Buffers.Binary;
using System.Text;

namespace ArmVirt.Machine.DeviceTree;

/// <summary>
/// A node of a device tree being built or read back: a name (<c>node-name@unit-address</c>), ordered properties
/// and child nodes. The root node's name is empty.
/// </summary>
internal sealed class DeviceTreeNode
{
    private readonly List<DeviceTreeProperty> _properties = new();
    private readonly List<DeviceTreeNode> _children = new();

    /// <summary>Creates a node called <paramref name="name"/>.</summary>
    public DeviceTreeNode(string name) => Name = name;

    /// <summary>Node name including any unit address.</summary>
    public string Name { get; }

    /// <summary>Properties in the order they were set.</summary>
    public IReadOnlyList<DeviceTreeProperty> Properties => _properties;

    /// <summary>Child nodes in the order they were added.</summary>
    public IReadOnlyList<DeviceTreeNode> Children => _children;

    /// <summary>Returns the child called <paramref name="name"/>, adding it if it does not exist.</summary>
    public DeviceTreeNode AddNode(string name)
    {
        var existing = Child(name);
        if (existing != null) return existing;
        var node = new DeviceTreeNode(name);
        _children.Add(node);
        return node;
    }

    /// <summary>Removes the child called <paramref name="name"/>; true if it existed.</summary>
    public bool RemoveNode(string name) => _children.RemoveAll(c => c.Name == name) != 0;

    /// <summary>The child called <paramref name="name"/>, or null.</summary>
    public DeviceTreeNode? Child(string name) => _children.FirstOrDefault(c => c.Name == name);

    /// <summary>The node at <paramref name="path"/> relative to this one (for example <c>/cpus/cpu@0</c>), or null.</summary>
    public DeviceTreeNode? Find(string path)
    {
        var node = this;
        foreach (var part in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            node = node.Child(part);
            if (node == null) return null;
        }
        return node;
    }

    /// <summary>The property called <paramref name="name"/>, or null.</summary>
    public DeviceTreeProperty? Property(string name) => _properties.FirstOrDefault(p => p.Name == name);

    /// <summary>Sets (or replaces) a property with a raw value.</summary>
    public DeviceTreeNode Set(string name, byte[] value)
    {
        int i = _properties.FindIndex(p => p.Name == name);
        var prop = new DeviceTreeProperty(name, value);
        if (i >= 0) _properties[i] = prop;
        else _properties.Add(prop);
        return this;
    }

    /// <summary>Removes a property; true if it existed.</summary>
    public bool Remove(string name) => _properties.RemoveAll(p => p.Name == name) != 0;

    /// <summary>Sets an empty (boolean) property.</summary>
    public DeviceTreeNode SetEmpty(string name) => Set(name, []);

    /// <summary>Sets a <c>&lt;stringlist&gt;</c> property.</summary>
    public DeviceTreeNode SetStrings(string name, params string[] values)
    {
        var bytes = new List<byte>();
        foreach (var v in values)
        {
            bytes.AddRange(Encoding.UTF8.GetBytes(v));
            bytes.Add(0);
        }
        return Set(name, bytes.ToArray());
    }

    /// <summary>Sets a property of 32-bit cells.</summary>
    public DeviceTreeNode SetCells(string name, params uint[] cells)
    {
        var bytes = new byte[cells.Length * 4];
        for (int i = 0; i < cells.Length; i++) BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(4 * i), cells[i]);
        return Set(name, bytes);
    }

    /// <summary>Sets a property of 64-bit values, each two cells.</summary>
    public DeviceTreeNode SetU64(string name, params ulong[] values)
    {
        var bytes = new byte[values.Length * 8];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(8 * i), values[i]);
        return Set(name, bytes);
    }
}
