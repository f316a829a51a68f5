using System.Text;

namespace ArmVirt.Linux.Tests;

/// <summary>
/// Writes a cpio archive in the "new ASCII" (newc, magic 070701) format that the Linux kernel unpacks as an
/// initramfs (Documentation/driver-api/early-userspace/buffer-format.rst): each entry is a 110-byte header of
/// thirteen 8-digit hex fields after the magic, the NUL-terminated name padded to 4 bytes, then the data
/// padded to 4 bytes; the archive ends with the entry "TRAILER!!!".
/// </summary>
public sealed class CpioNewcWriter
{
    /// <summary>File type bits of the mode field (S_IFMT values from stat.h).</summary>
    public const uint RegularFile = 0x8000, Directory = 0x4000, SymbolicLink = 0xA000, CharacterDevice = 0x2000;

    private readonly Stream output;
    private readonly uint modificationTime;
    private uint nextInode = 1;
    private long written;
    private bool finished;

    /// <summary>Creates a writer; every entry gets <paramref name="modificationTime"/> so archives are reproducible.</summary>
    public CpioNewcWriter(Stream output, uint modificationTime = 0)
    {
        this.output = output;
        this.modificationTime = modificationTime;
    }

    /// <summary>Adds a directory (mode e.g. 0755).</summary>
    public void AddDirectory(string path, uint permissions = 0x1ED /* 0755 */) =>
        WriteEntry(path, Directory | permissions, nlink: 2, ReadOnlySpan<byte>.Empty);

    /// <summary>Adds a regular file with the given contents.</summary>
    public void AddFile(string path, ReadOnlySpan<byte> contents, uint permissions = 0x1A4 /* 0644 */) =>
        WriteEntry(path, RegularFile | permissions, nlink: 1, contents);

    /// <summary>Adds a symbolic link; its data is the link target, without a terminating NUL.</summary>
    public void AddSymbolicLink(string path, string target) =>
        WriteEntry(path, SymbolicLink | 0x1FF /* 0777 */, nlink: 1, Encoding.UTF8.GetBytes(target));

    /// <summary>Adds a character device node with the given major and minor numbers.</summary>
    public void AddCharacterDevice(string path, uint major, uint minor, uint permissions = 0x180 /* 0600 */) =>
        WriteEntry(path, CharacterDevice | permissions, nlink: 1, ReadOnlySpan<byte>.Empty, major, minor);

    /// <summary>Writes the "TRAILER!!!" entry; no entry may be added afterwards.</summary>
    public void Finish()
    {
        WriteEntry("TRAILER!!!", 0, nlink: 1, ReadOnlySpan<byte>.Empty, inode: 0);
        finished = true;
    }

    private void WriteEntry(string path, uint mode, uint nlink, ReadOnlySpan<byte> data,
        uint rdevMajor = 0, uint rdevMinor = 0, uint? inode = null)
    {
        if (finished) throw new InvalidOperationException("The archive is already finished.");
        if (path.Length == 0 || path.StartsWith('/')) throw new ArgumentException($"cpio paths are relative and non-empty: '{path}'", nameof(path));
        byte[] name = Encoding.UTF8.GetBytes(path + "\0");
        var header = new StringBuilder(110);
        header.Append("070701");
        foreach (uint field in (ReadOnlySpan<uint>)[
            inode ?? nextInode++, mode, 0 /* uid */, 0 /* gid */, nlink, modificationTime, (uint)data.Length,
            0 /* devmajor */, 0 /* devminor */, rdevMajor, rdevMinor, (uint)name.Length, 0 /* check */])
        {
            header.Append(field.ToString("x8"));
        }
        Write(Encoding.ASCII.GetBytes(header.ToString()));
        Write(name);
        Pad();
        Write(data);
        Pad();
    }

    private void Write(ReadOnlySpan<byte> bytes)
    {
        output.Write(bytes);
        written += bytes.Length;
    }

    private void Pad()
    {
        int padding = (int)(-written & 3);
        Span<byte> zeros = stackalloc byte[3];
        zeros.Clear();
        Write(zeros[..padding]);
    }
}
