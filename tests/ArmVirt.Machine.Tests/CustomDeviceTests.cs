using ArmVirt.Core;
using ArmVirt.Machine;
using ArmVirt.Machine.DeviceTree;

namespace ArmVirt.Machine.Tests;

/// <summary>MachineBuilder.WithDevice (#21 item 3): a user's MMIO device with an interrupt, in the bus, the GIC and the DTB.</summary>
[TestClass]
public sealed class CustomDeviceTests
{
    // A register file of one 32-bit register that raises its interrupt while non-zero.
    private sealed class Widget : IMmioDevice
    {
        public readonly InterruptLine Irq = new("widget");
        public uint Value;
        public bool TryRead(ulong offset, int size, out ulong value)
        {
            value = offset == 0 ? Value : 0;
            return true;
        }
        public bool TryWrite(ulong offset, int size, ulong value)
        {
            if (offset == 0) Value = (uint)value;
            Irq.Set(Value != 0);
            return true;
        }
    }

    private static MachineBuilder Builder() => new MachineBuilder().WithKernel(TestImages.Pattern(16, 1), "raw");

    [TestMethod]
    public void DeviceIsOnTheBusInTheDeviceTreeAndDrivesItsSpi()
    {
        var widget = new Widget();
        using var m = Builder().WithDevice(0x0C00_0000, 0x1000, widget, "acme,widget", widget.Irq, spi: 10).Build();
        Assert.IsTrue(m.Bus.TryWrite(0x0C00_0000, 4, 5));
        Assert.AreEqual(5u, widget.Value);
        Assert.IsTrue(m.Bus.TryRead(0x0C00_0000, 4, out ulong v));
        Assert.AreEqual(5UL, v);
        // GICD_ISPENDR1 (0x204) bit 10: INTID 42 = SPI 10 is pending (level-high, asserted).
        Assert.IsTrue(m.Gicv2!.Distributor.TryRead(0x204, 4, out ulong pending));
        Assert.AreEqual(1UL << 10, pending & (1UL << 10));
        var node = FdtReader.Read(m.Dtb).Find("/widget@c000000")!;
        Assert.AreEqual("acme,widget", node.Property("compatible")!.AsString());
        CollectionAssert.AreEqual(new uint[] { 0, 0x0C00_0000, 0, 0x1000 }, node.Property("reg")!.AsCells());
        CollectionAssert.AreEqual(new uint[] { 0, 10, 4 }, node.Property("interrupts")!.AsCells());
    }

    private sealed class ListLogger : Microsoft.Extensions.Logging.ILogger
    {
        public readonly List<string> Lines = [];
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;
        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state,
            Exception? exception, Func<TState, Exception?, string> formatter) => Lines.Add($"{logLevel}: {formatter(state, exception)}");
    }

    [TestMethod]
    public void GuestMistakesWithoutArchitecturalEffectGoToTheLogger()
    {
        var log = new ListLogger();
        using var m = Builder().WithLogger(log).Build();
        Assert.IsTrue(m.Bus.TryWrite(0x0900_0000 + 0x100, 4, 1), "a reserved PL011 offset is write-ignored");
        Assert.AreEqual(1, log.Lines.Count, string.Join("\n", log.Lines));
        StringAssert.StartsWith(log.Lines[0], "Warning: guest: ");
        StringAssert.Contains(log.Lines[0], "reserved offset 0x100");
    }

    [TestMethod]
    public void MistakesAreConfigurationErrors()
    {
        var w = new Widget();
        Assert.AreEqual("device 'acme,widget' at 0x9000000: Region at 0x9000000 overlaps pl011 at 0x9000000.",
            Assert.ThrowsExactly<MachineConfigurationException>(() => Builder().WithDevice(0x0900_0000, 0x1000, w, "acme,widget").Build()).Message);
        Assert.AreEqual("device 'acme,widget' at 0xc000000: SPI 1 is already used",
            Assert.ThrowsExactly<MachineConfigurationException>(() => Builder().WithDevice(0x0C00_0000, 0x1000, w, "acme,widget", w.Irq, 1).Build()).Message);
        StringAssert.StartsWith(
            Assert.ThrowsExactly<MachineConfigurationException>(() => Builder().WithDevice(0x0C00_0000, 0x1000, w, "acme,widget", w.Irq, 5000).Build()).Message,
            "device 'acme,widget' at 0xc000000: SPI 5000 does not exist");
    }
}
