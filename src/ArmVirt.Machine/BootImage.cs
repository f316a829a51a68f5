using ArmVirt.Core;
using ArmVirt.Machine.Loaders;

namespace ArmVirt.Machine;

/// <summary>
/// The images a machine boots and where they go, kept so that a guest-requested reset can reload them.
/// </summary>
internal sealed class BootImage
{
    public required LoadedKernel Kernel { get; init; }
    public required Action<PhysicalBus> LoadKernel { get; init; }
    public byte[]? InitrdData { get; init; }
    public (ulong Start, ulong End)? Initrd { get; init; }
    public required byte[] Dtb { get; init; }
    public ulong? DtbAddress { get; init; }
    public IReadOnlyList<LoaderImage> LoaderImages { get; init; } = [];

    /// <summary>An ELF kernel's function and object symbols (none for an Image or raw binary).</summary>
    public IReadOnlyDictionary<string, ulong> Symbols { get; init; } = ElfSymbols.None;

    /// <summary>Where the CPU starts when a loader says so (QEMU's cpu-num), instead of the kernel's entry.</summary>
    public ulong? StartPc { get; init; }

    public void LoadInto(PhysicalBus bus)
    {
        LoadKernel(bus);
        if (InitrdData != null && Initrd is { } range) bus.Load(range.Start, InitrdData);
        if (DtbAddress is { } at) bus.Load(at, Dtb);
        foreach (var x in LoaderImages)
        {
            bus.Load(x.Address, x.Data);
            ElfLoader.ZeroRam(bus, x.Address + (ulong)x.Data.Length, x.ZeroFill);
        }
    }
}
