namespace ArmVirt.Machine.Loaders;

/// <summary>Where a kernel image landed in guest physical memory.</summary>
/// <param name="Format">How it was recognised.</param>
/// <param name="Entry">The physical address to start executing at.</param>
/// <param name="LowAddress">Lowest physical address written.</param>
/// <param name="HighAddress">One past the highest physical address the image occupies (including its BSS / image_size).</param>
public sealed record LoadedKernel(KernelFormat Format, ulong Entry, ulong LowAddress, ulong HighAddress)
{
    /// <summary>True for the formats booted with the Linux arm64 protocol (X0 = DTB, initrd supported).</summary>
    public bool IsLinux => Format != KernelFormat.Elf;
}
