using System.Buffers.Binary;

namespace ArmVirt.Differential.Tests;

/// <summary>
/// Writes the ELF64 header and one PT_LOAD program header at the start of an image that is loaded whole at
/// <c>vaddr</c> (System V gABI "ELF Header" / "Program Header"; AArch64 ELF ABI: EM_AARCH64 = 183).
/// </summary>
internal static class ElfWriter
{
    public static void WriteHeaders(byte[] image, ulong vaddr, ulong entry)
    {
        var s = image.AsSpan();
        s[..64].Clear();
        s[0] = 0x7F; s[1] = (byte)'E'; s[2] = (byte)'L'; s[3] = (byte)'F';
        s[4] = 2;  // ELFCLASS64
        s[5] = 1;  // ELFDATA2LSB
        s[6] = 1;  // EV_CURRENT
        BinaryPrimitives.WriteUInt16LittleEndian(s[16..], 2);     // e_type ET_EXEC
        BinaryPrimitives.WriteUInt16LittleEndian(s[18..], 183);   // e_machine EM_AARCH64
        BinaryPrimitives.WriteUInt32LittleEndian(s[20..], 1);     // e_version
        BinaryPrimitives.WriteUInt64LittleEndian(s[24..], entry); // e_entry
        BinaryPrimitives.WriteUInt64LittleEndian(s[32..], 64);    // e_phoff
        BinaryPrimitives.WriteUInt64LittleEndian(s[40..], 0);     // e_shoff
        BinaryPrimitives.WriteUInt32LittleEndian(s[48..], 0);     // e_flags
        BinaryPrimitives.WriteUInt16LittleEndian(s[52..], 64);    // e_ehsize
        BinaryPrimitives.WriteUInt16LittleEndian(s[54..], 56);    // e_phentsize
        BinaryPrimitives.WriteUInt16LittleEndian(s[56..], 1);     // e_phnum
        BinaryPrimitives.WriteUInt16LittleEndian(s[58..], 64);    // e_shentsize
        BinaryPrimitives.WriteUInt16LittleEndian(s[60..], 0);     // e_shnum
        BinaryPrimitives.WriteUInt16LittleEndian(s[62..], 0);     // e_shstrndx
        var ph = s.Slice(64, 56);
        ph.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(ph, 1);              // PT_LOAD
        BinaryPrimitives.WriteUInt32LittleEndian(ph[4..], 7);         // PF_R | PF_W | PF_X
        BinaryPrimitives.WriteUInt64LittleEndian(ph[8..], 0);         // p_offset
        BinaryPrimitives.WriteUInt64LittleEndian(ph[16..], vaddr);    // p_vaddr
        BinaryPrimitives.WriteUInt64LittleEndian(ph[24..], vaddr);    // p_paddr
        BinaryPrimitives.WriteUInt64LittleEndian(ph[32..], (ulong)image.Length); // p_filesz
        BinaryPrimitives.WriteUInt64LittleEndian(ph[40..], (ulong)image.Length); // p_memsz
        BinaryPrimitives.WriteUInt64LittleEndian(ph[48..], 0x1000);   // p_align
    }
}
