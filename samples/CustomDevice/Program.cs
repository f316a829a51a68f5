// A custom MMIO device with an interrupt (samples/README.md): the doorbell of Doorbell.cs mapped into the virt machine
// with MachineBuilder.WithDevice, which also gives it a device-tree node and wires its line to an SPI. The guest
// (tests/guests/doorbell.c) finds it in the device tree, rings it, takes its interrupts through the GIC and waits for
// the host to ring it; this program prints the guest's console, rings once when the guest asks, and checks what the
// device saw. Usage: CustomDevice [--gic-version 2|3] [GUEST.elf]
using ArmVirt.Cpu;
using ArmVirt.Machine;
using CustomDevice;

int gicVersion = 2;
string guest = Path.Combine(AppContext.BaseDirectory, "doorbell.elf");
for (int i = 0; i < args.Length; i++)
{
    if (args[i] == "--gic-version" && i + 1 < args.Length && args[i + 1] is "2" or "3") gicVersion = int.Parse(args[++i]);
    else if (!args[i].StartsWith('-')) guest = args[i];
    else
    {
        Console.Error.WriteLine($"CustomDevice: unknown option '{args[i]}' (usage: CustomDevice [--gic-version 2|3] [GUEST.elf])");
        return 2;
    }
}

// QEMU's virt puts its dynamic (platform-bus) devices from 0x0C00_0000 with SPIs from 112: so does this sample.
const ulong DoorbellBase = 0x0C00_0000;
const int DoorbellSpi = 112;
const uint HostValue = 0xC0FFEE;

var doorbell = new Doorbell();
using var machine = new MachineBuilder()
    .WithKernel(guest)
    .WithGicVersion(gicVersion)
    .WithDevice(DoorbellBase, Doorbell.Size, doorbell, Doorbell.Compatible, doorbell.Interrupt, DoorbellSpi)
    .WithSerial(Console.OpenStandardOutput())
    .Build();

// Run until the guest sleeps waiting for the host (virtual time: the same on every host), then ring it.
SerialWait wait = machine.WaitForSerial("waiting for the host\n", TimeSpan.FromSeconds(1));
if (!wait.Found)
{
    Console.Error.WriteLine($"CustomDevice: the guest did not wait for the host ({wait.Exit.Reason}: {wait.Exit.Message})");
    return 1;
}
Console.WriteLine($"[host] ringing the doorbell with 0x{HostValue:x}");
doorbell.Ring(HostValue);
MachineExit exit = machine.Run(10_000_000);

// The device's side of the conversation.
Console.WriteLine($"[host] guest stopped: {exit.Reason}; {machine.InstructionsExecuted} instructions");
Console.WriteLine($"[host] doorbell: guest rang {string.Join(", ", doorbell.GuestRings.Select(v => $"0x{v:x}"))}; " +
                  $"{doorbell.Count} rings, {doorbell.InterruptsRaised} interrupts raised, {doorbell.Acknowledgements} acknowledgements, " +
                  $"line {(doorbell.Interrupt.IsAsserted ? "high" : "low")}");
bool ok = exit.Reason == StopReason.PowerOff
          && doorbell.GuestRings.SequenceEqual<uint>([0x1234, 0xcafe, 0xd00dfeed, 0x55, 0x66])
          && doorbell.Count == 6 && doorbell.InterruptsRaised == 5 && doorbell.Acknowledgements == 5
          && !doorbell.Interrupt.IsAsserted;
Console.WriteLine(ok ? "[host] OK" : "[host] FAILED: not what tests/guests/doorbell.c does");
return ok ? 0 : 1;
