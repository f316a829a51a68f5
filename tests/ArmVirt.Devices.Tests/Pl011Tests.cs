using ArmVirt.Core;
using ArmVirt.Devices;

namespace ArmVirt.Devices.Tests;

[TestClass]
public sealed class Pl011Tests
{
    private const ulong DR = 0x000, RSR = 0x004, FR = 0x018, ILPR = 0x020, IBRD = 0x024, FBRD = 0x028, LCRH = 0x02C,
        CR = 0x030, IFLS = 0x034, IMSC = 0x038, RIS = 0x03C, MIS = 0x040, ICR = 0x044, DMACR = 0x048;
    private const uint TXFE = 0x80, RXFF = 0x40, TXFF = 0x20, RXFE = 0x10, BUSY = 0x08;
    private const uint RXI = 0x10, TXI = 0x20, RTI = 0x40, OEI = 0x400;
    private const uint UARTEN = 1, LBE = 0x80, TXE = 0x100, RXE = 0x200, FEN = 0x10;

    private sealed class Capture : ISerialBackend
    {
        public readonly List<byte> Bytes = new();
        public void Write(byte value) => Bytes.Add(value);
    }

    private VirtualClock _clock = null!;
    private Capture _out = null!;
    private Pl011 _uart = null!;

    [TestInitialize]
    public void Setup()
    {
        _clock = new VirtualClock();
        _out = new Capture();
        _uart = new Pl011(_clock, _out);
        // The model leaves reset enabled (as firmware would, for guests written for QEMU); these tests start from
        // the TRM's disabled state so that characters queue.
        Assert.AreEqual(UARTEN | TXE | RXE, Read(CR));
        Write(CR, TXE | RXE);
    }

    private uint Read(ulong offset, int size = 4)
    {
        Assert.IsTrue(_uart.TryRead(offset, size, out ulong v));
        return (uint)v;
    }

    private void Write(ulong offset, uint value, int size = 4) => Assert.IsTrue(_uart.TryWrite(offset, size, value));

    [TestMethod]
    public void ResetValuesMatchTheTrm()
    {
        Assert.AreEqual(TXFE | RXFE, Read(FR));
        Assert.AreEqual(0x300u, Read(CR));
        Assert.AreEqual(0x12u, Read(IFLS));
        foreach (var off in new[] { RSR, ILPR, IBRD, FBRD, LCRH, IMSC, RIS, MIS, DMACR }) Assert.AreEqual(0u, Read(off), $"offset 0x{off:x}");
        uint[] ids = [0x11, 0x10, 0x34, 0x00, 0x0D, 0xF0, 0x05, 0xB1];
        for (int i = 0; i < 8; i++) Assert.AreEqual(ids[i], Read(0xFE0 + (ulong)(4 * i)));
        Assert.IsFalse(_uart.Interrupt.IsAsserted);
    }

    [TestMethod]
    public void IdRegistersAreReadOnlyAndRegistersKeepTheirWidths()
    {
        Write(0xFE0, 0xFF);
        Assert.AreEqual(0x11u, Read(0xFE0));
        Write(IBRD, 0xFFFF_FFFF);
        Write(FBRD, 0xFFFF_FFFF);
        Write(ILPR, 0xFFFF_FFFF);
        Write(DMACR, 0xFFFF_FFFF);
        Assert.AreEqual(0xFFFFu, Read(IBRD));
        Assert.AreEqual(0x3Fu, Read(FBRD));
        Assert.AreEqual(0xFFu, Read(ILPR));
        Assert.AreEqual(0x7u, Read(DMACR));
        Write(CR, 0xFFFF_FFFF & ~LBE);
        Assert.AreEqual(0xFF07u, Read(CR)); // bits 6:3 reserved
    }

    [TestMethod]
    public void TransmitsWhenEnabledAndQueuesWhenDisabled()
    {
        Write(DR, 'A'); // UARTEN is 0: the character waits in the holding register
        Assert.AreEqual(0, _out.Bytes.Count);
        Assert.AreEqual(TXFF | BUSY | RXFE, Read(FR));
        Write(CR, UARTEN | TXE | RXE);
        CollectionAssert.AreEqual(new[] { (byte)'A' }, _out.Bytes);
        Assert.AreEqual(TXFE | RXFE, Read(FR));
        Write(DR, 'B', size: 1); // byte-wide strb to DR
        CollectionAssert.AreEqual("AB"u8.ToArray(), _out.Bytes);
    }

    [TestMethod]
    public void TransmitFifoFlagsFollowTheFillLevel()
    {
        Write(LCRH, FEN);
        for (int i = 0; i < 31; i++)
        {
            Write(DR, (uint)('a' + i % 26));
            Assert.AreEqual(BUSY | RXFE, Read(FR), $"after {i + 1} characters");
        }
        Write(DR, 'z');
        Assert.AreEqual(BUSY | RXFE | TXFF, Read(FR));
        Write(DR, '!'); // dropped: FIFO full
        Assert.AreEqual(32, _uart.TransmitFifoCount);
        Write(CR, UARTEN | TXE | RXE);
        Assert.AreEqual(32, _out.Bytes.Count);
        Assert.AreEqual((byte)'z', _out.Bytes[^1]);
        Assert.AreEqual(TXFE | RXFE, Read(FR));
    }

    [TestMethod]
    public void TxInterruptFiresWhenTheFifoDrainsThroughTheTriggerLevel()
    {
        Write(LCRH, FEN);
        Write(IFLS, 0); // TX at <= 1/8 (4 entries)
        Write(IMSC, TXI);
        for (int i = 0; i < 5; i++) Write(DR, 'x');
        Assert.AreEqual(0u, Read(RIS) & TXI);
        Write(CR, UARTEN | TXE);
        Assert.AreEqual(TXI, Read(RIS) & TXI);
        Assert.AreEqual(TXI, Read(MIS));
        Assert.IsTrue(_uart.Interrupt.IsAsserted);
        Write(ICR, TXI);
        Assert.AreEqual(0u, Read(RIS));
        Assert.IsFalse(_uart.Interrupt.IsAsserted);
    }

    [TestMethod]
    public void TxInterruptWithoutFifoFollowsEachCharacterAndIsClearedByTheNextWrite()
    {
        Write(CR, UARTEN | TXE | RXE);
        Write(IMSC, TXI);
        Write(DR, 'q');
        Assert.IsTrue(_uart.Interrupt.IsAsserted);
        Write(IMSC, 0);
        Assert.IsFalse(_uart.Interrupt.IsAsserted, "masked");
        Assert.AreEqual(TXI, Read(RIS));
        Assert.AreEqual(0u, Read(MIS));
    }

    [TestMethod]
    public void ReceiveFifoFlagsAndRxInterruptAtTheTriggerLevel()
    {
        Write(LCRH, FEN);
        Write(IFLS, 0); // RX at >= 1/8 (4 entries)
        Write(IMSC, RXI);
        _uart.EnqueueInput("abc"u8);
        Assert.AreEqual(RXFE | TXFE, Read(FR), "receiver disabled: input stays with the host");
        Write(CR, UARTEN | RXE | TXE);
        Assert.AreEqual(TXFE, Read(FR));
        Assert.AreEqual(0u, Read(RIS) & RXI, "3 < trigger");
        _uart.EnqueueInput("d"u8);
        Assert.AreEqual(TXFE, Read(FR));
        Assert.AreEqual(RXI, Read(RIS) & RXI);
        Assert.IsTrue(_uart.Interrupt.IsAsserted);
        Assert.AreEqual((uint)'a', Read(DR));
        Assert.AreEqual(0u, Read(RIS) & RXI, "reading below the trigger level clears it");
        Assert.IsFalse(_uart.Interrupt.IsAsserted);
        Assert.AreEqual((uint)'b', Read(DR));
        Assert.AreEqual((uint)'c', Read(DR));
        Assert.AreEqual((uint)'d', Read(DR));
        Assert.AreEqual(RXFE | TXFE, Read(FR));
    }

    [TestMethod]
    public void ReceiveFifoFillsToRxffAndHostInputWaitsForRoom()
    {
        Write(LCRH, FEN);
        Write(CR, UARTEN | RXE | TXE);
        var input = Enumerable.Range(0, 40).Select(i => (byte)i).ToArray();
        _uart.EnqueueInput(input);
        Assert.AreEqual(RXFF | TXFE, Read(FR));
        Assert.AreEqual(32, _uart.ReceiveFifoCount);
        Assert.IsTrue(_uart.HasPendingInput);
        for (int i = 0; i < 40; i++) Assert.AreEqual((uint)i, Read(DR), $"byte {i}");
        Assert.AreEqual(RXFE | TXFE, Read(FR));
        Assert.IsFalse(_uart.HasPendingInput);
    }

    [TestMethod]
    public void WithoutFifosTheHoldingRegisterHoldsOneCharacter()
    {
        Write(CR, UARTEN | RXE | TXE);
        Write(IMSC, RXI);
        _uart.EnqueueInput("xy"u8);
        Assert.AreEqual(RXFF | TXFE, Read(FR));
        Assert.IsTrue(_uart.Interrupt.IsAsserted);
        Assert.AreEqual((uint)'x', Read(DR));
        Assert.AreEqual(RXFF | TXFE, Read(FR), "the next character moved in");
        Assert.AreEqual((uint)'y', Read(DR));
        Assert.AreEqual(RXFE | TXFE, Read(FR));
        Assert.IsFalse(_uart.Interrupt.IsAsserted);
    }

    [TestMethod]
    public void ReceiveTimeoutAssertsAfter32BitPeriodsOfVirtualTime()
    {
        Write(LCRH, FEN);
        Write(IBRD, 13);
        Write(FBRD, 1);
        Write(CR, UARTEN | RXE | TXE);
        Write(IMSC, RTI | RXI);
        _uart.EnqueueInput("k"u8);
        Assert.AreEqual(TXFE, Read(FR));
        Assert.IsFalse(_uart.Interrupt.IsAsserted);
        // 32 bits * 16 * (13 + 1/64) / 24 MHz = 277.67 us = 277,666 cycles at 1 GHz.
        Assert.AreEqual(277_666UL, _uart.ReceiveTimeoutCycles);
        _clock.AdvanceTo(277_000);
        Assert.AreEqual(0u, Read(RIS) & RTI);
        _clock.AdvanceTo(277_666);
        Assert.AreEqual(RTI, Read(RIS) & RTI);
        Assert.IsTrue(_uart.Interrupt.IsAsserted);
        Assert.AreEqual((uint)'k', Read(DR));
        Assert.AreEqual(0u, Read(RIS) & RTI, "emptying the FIFO clears the timeout");
        Assert.IsFalse(_uart.Interrupt.IsAsserted);
    }

    [TestMethod]
    public void IcrClearsOnlyTheWrittenBits()
    {
        Write(LCRH, FEN);
        Write(IFLS, 0);
        Write(CR, UARTEN | RXE | TXE);
        _uart.EnqueueInput("1234"u8);
        Assert.AreEqual(TXFE, Read(FR));
        _clock.AdvanceTo(_uart.ReceiveTimeoutCycles + 1);
        Assert.AreEqual(RXI | RTI, Read(RIS));
        Write(ICR, RTI);
        Assert.AreEqual(RXI, Read(RIS));
        Write(ICR, 0x7FF);
        Assert.AreEqual(0u, Read(RIS));
        Assert.AreEqual(0u, Read(ICR), "ICR is write-only");
    }

    [TestMethod]
    public void LoopbackFeedsTheReceiverAndOverrunsWhenFull()
    {
        Write(CR, UARTEN | RXE | TXE | LBE);
        Write(IMSC, OEI);
        Write(DR, 'L');
        Assert.AreEqual(0, _out.Bytes.Count);
        Write(DR, 'M'); // holding register already full: overrun
        Assert.AreEqual(0x8u, Read(RSR));
        Assert.AreEqual(OEI, Read(RIS) & OEI);
        Assert.IsTrue(_uart.Interrupt.IsAsserted);
        Assert.AreEqual('L' | 0x800u, Read(DR), "the character in the FIFO carries OE");
        Write(RSR, 0); // ECR
        Assert.AreEqual(0u, Read(RSR));
    }

    [TestMethod]
    public void ByteAndHalfwordReadsAtARegisterSeeItsLowBits()
    {
        Assert.AreEqual(TXFE | RXFE, Read(FR, size: 1));
        Assert.AreEqual(0x300u, Read(CR, size: 2));
        Assert.AreEqual(0x00u, Read(CR, size: 1));
        Write(CR, UARTEN | TXE | RXE);
        _uart.EnqueueInput("r"u8);
        Assert.AreEqual((uint)'r', Read(DR, size: 1));
    }

    [TestMethod]
    public void ReservedOffsetsReadAsZero()
    {
        Assert.AreEqual(0u, Read(0x008));
        Assert.AreEqual(0u, Read(0x04C));
        Write(0x008, 0xFFFF);
        Assert.AreEqual(0u, Read(0x008));
    }
}
