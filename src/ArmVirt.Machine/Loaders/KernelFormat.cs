namespace ArmVirt.Machine.Loaders;

/// <summary>The kind of image given as the kernel, which decides how it is loaded and entered.</summary>
public enum KernelFormat
{
    /// <summary>An ELF64 AArch64 executable, loaded by its program headers and entered at e_entry with no arguments.</summary>
    Elf,
    /// <summary>A Linux arm64 <c>Image</c> (possibly gzip-compressed), placed by its header; X0 = DTB.</summary>
    LinuxImage,
    /// <summary>Anything else: copied to RAM base + 0x80000 and entered there with X0 = DTB.</summary>
    Raw,
    /// <summary>
    /// A Linux ARM <c>zImage</c> (magic 0x016F2818 at offset 0x24) for an AArch32-only CPU, copied to RAM base + 0x10000
    /// as QEMU does and entered with the ARM boot protocol (r0 = 0, r1 = 0xffffffff, r2 = DTB); a raw binary for such a
    /// CPU goes to the same place, entered the same way (QEMU treats it as a Linux kernel too).
    /// </summary>
    ArmZImage,
}
