using System.Reflection;
using ArmVirt.Core;

namespace ArmVirt.Cpu.SystemRegisters;

public sealed partial class SystemRegisterFile
{
    // This class is plain storage, so its snapshot is every field, in name order: a register added later is saved
    // without a second list to keep in step (a field of a type not handled here fails the first save, loudly).
    private static readonly FieldInfo[] SnapshotFields = typeof(SystemRegisterFile)
        .GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
        .OrderBy(f => f.Name, StringComparer.Ordinal).ToArray();

    /// <summary>Writes every register stored here (for <c>Cpu.SaveState</c>).</summary>
    public void SaveState(SnapshotWriter writer)
    {
        writer.Section("sysregs");
        writer.Write(SnapshotFields.Length);
        foreach (var f in SnapshotFields)
        {
            writer.Write(f.Name);
            switch (f.GetValue(this))
            {
                case ulong v: writer.Write(v); break;
                case bool b: writer.Write(b); break;
                case ulong[] a: writer.Write(a); break;
                default: throw new NotSupportedException($"SystemRegisterFile.{f.Name}: type {f.FieldType} has no snapshot form");
            }
        }
    }

    /// <summary>Reads back what <see cref="SaveState"/> wrote.</summary>
    public void RestoreState(SnapshotReader reader)
    {
        reader.Section("sysregs");
        int count = reader.ReadInt32();
        if (count != SnapshotFields.Length) throw new SnapshotFormatException($"{count} system register fields in the snapshot, {SnapshotFields.Length} here (another version)");
        foreach (var f in SnapshotFields)
        {
            string name = reader.ReadString();
            if (name != f.Name) throw new SnapshotFormatException($"system register {f.Name} expected, found another (another version, or corrupt)");
            if (f.FieldType == typeof(ulong)) f.SetValue(this, reader.ReadUInt64());
            else if (f.FieldType == typeof(bool)) f.SetValue(this, reader.ReadBool());
            else if (f.FieldType == typeof(ulong[])) reader.Read((ulong[])f.GetValue(this)!, "SystemRegisterFile." + f.Name);
            else throw new NotSupportedException($"SystemRegisterFile.{f.Name}: type {f.FieldType} has no snapshot form");
        }
    }
}
