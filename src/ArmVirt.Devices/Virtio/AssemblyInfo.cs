using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("ArmVirt.Devices.Virtio.Tests")]
