namespace ArmVirt.Machine.Loaders;

/// <summary>
/// What a module placed by <see cref="MachineBuilder.WithGuestModule"/> is to the hypervisor that finds it in
/// <c>/chosen</c> (the "multiboot" device-tree binding Xen reads, as QEMU's <c>-device guest-loader</c> writes it).
/// </summary>
public enum GuestModuleKind
{
    /// <summary>A guest kernel: <c>compatible = "multiboot,module", "multiboot,kernel"</c>, with its own <c>bootargs</c>.</summary>
    Kernel,

    /// <summary>A guest's initial ramdisk: <c>compatible = "multiboot,module", "multiboot,ramdisk"</c>.</summary>
    Ramdisk,
}
