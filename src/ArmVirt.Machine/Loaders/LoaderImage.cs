namespace ArmVirt.Machine.Loaders;

/// <summary>
/// A file placed in guest RAM at a fixed address besides the kernel: QEMU's <c>-device loader,file=F,addr=A</c>
/// (<see cref="Module"/> null) or <c>-device guest-loader</c> (a module described in <c>/chosen</c>).
/// </summary>
/// <param name="Source">The file's path (for messages).</param>
/// <param name="Address">Where its first byte goes.</param>
/// <param name="Data">Its bytes.</param>
/// <param name="Module">For guest-loader images, what the module is; null for a plain loader image.</param>
/// <param name="Bootargs">A guest kernel module's command line, or null.</param>
internal sealed record LoaderImage(string Source, ulong Address, byte[] Data, GuestModuleKind? Module, string? Bootargs)
{
    /// <summary>A generic-loader file given without an address: an ELF file, placed by its program headers.</summary>
    public bool ByHeaders { get; init; }

    /// <summary>The CPU starts here (QEMU's <c>cpu-num</c>): at <see cref="Address"/>, or at the ELF entry when <see cref="ByHeaders"/>.</summary>
    public bool SetsPc { get; init; }

    /// <summary>Zero bytes that follow <see cref="Data"/> (an ELF segment's BSS).</summary>
    public ulong ZeroFill { get; init; }

    /// <summary>The bytes it occupies: its data and the zeroes after them.</summary>
    public ulong Size => (ulong)Data.Length + ZeroFill;

    /// <summary>The address after its last byte.</summary>
    public ulong End => Address + Size;

    /// <summary>What it is, as the command line names it: <c>loader</c>, <c>guest-loader kernel</c> or <c>guest-loader initrd</c>.</summary>
    public string What => Module switch
    {
        GuestModuleKind.Kernel => "guest-loader kernel",
        GuestModuleKind.Ramdisk => "guest-loader initrd",
        _ => "loader",
    };

    /// <summary>How messages name it: <c>loader 'F'</c>, <c>guest-loader kernel 'F'</c>, ...</summary>
    public string Description => $"{What} '{Source}'";
}
