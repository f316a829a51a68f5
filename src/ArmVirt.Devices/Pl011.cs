using System.Collections.Concurrent;
using ArmVirt.Core;

namespace ArmVirt.Devices;

/// <summary>
/// Arm PrimeCell UART (PL011), revision r1p5, as described by its Technical Reference Manual (Arm DDI 0183G):
/// 32-entry transmit and receive FIFOs (or one-entry holding registers when LCR_H.FEN is 0), the flag register,
/// the RX, TX and receive-timeout interrupts with programmable FIFO trigger levels, and loopback.
/// Transmission is instantaneous: a byte written while the transmitter is enabled reaches the
/// <see cref="ISerialBackend"/> during the write. Reception takes bytes the host queued with
/// <see cref="EnqueueInput(ReadOnlySpan{byte})"/> whenever the receive FIFO has room (the host side is flow
/// controlled, like QEMU's character backends), so no input is lost. The receive timeout is measured in
/// virtual time from the programmed baud rate divisor. There are no modem lines: CTS, DSR, DCD and RI read as
/// inactive and their interrupts never assert; framing, parity and break errors cannot occur.
/// </summary>
public sealed class Pl011 : RegisterMappedDevice, ISnapshotState
{
    /// <summary>Size of the PL011's register window.</summary>
    public const ulong WindowSize = 0x1000;

    /// <summary>Frequency of UARTCLK, the reference clock the baud rate divisor applies to (QEMU's virt: 24 MHz).</summary>
    public const ulong UartClockHz = 24_000_000;

    private const int FifoDepth = 32;

    // UARTFR bits (TRM 3.3.3).
    internal const uint FrBusy = 1 << 3, FrRxfe = 1 << 4, FrTxff = 1 << 5, FrRxff = 1 << 6, FrTxfe = 1 << 7;

    // UARTRIS/MIS/IMSC/ICR bits (TRM 3.3.10-3.3.14).
    internal const uint IntRx = 1 << 4, IntTx = 1 << 5, IntRt = 1 << 6, IntOe = 1 << 10, IntAll = 0x7FF;

    // UARTCR bits (TRM 3.3.8).
    private const uint CrUarten = 1 << 0, CrLbe = 1 << 7, CrTxe = 1 << 8, CrRxe = 1 << 9;

    // UARTLCR_H.FEN (TRM 3.3.7).
    private const uint LcrhFen = 1 << 4;

    // UARTDR / UARTRSR error bits: DR carries them in 11:8, RSR in 3:0 (TRM 3.3.1, 3.3.2).
    private const ushort DrOe = 1 << 11;
    private const uint RsrOe = 1 << 3;

    // UARTIFLS trigger points in eighths of the FIFO: 1/8, 1/4, 1/2, 3/4, 7/8 (TRM 3.3.9; 5-7 are reserved).
    private static readonly int[] TriggerLevels = [4, 8, 16, 24, 28, 28, 28, 28];

    private readonly VirtualClock _clock;
    private readonly ISerialBackend _backend;
    private readonly SerialFifo _tx = new(FifoDepth);
    private readonly SerialFifo _rx = new(FifoDepth);
    private readonly ConcurrentQueue<byte> _hostInput = new();
    private readonly MmioRegister _rsr, _ibrd, _fbrd, _lcrh, _cr, _ifls, _imsc;
    private ScheduledEvent? _receiveTimeout;
    private uint _ris;

    /// <summary>
    /// Creates a PL011 whose receive timeout runs on <paramref name="clock"/> and whose transmitted bytes go to
    /// <paramref name="backend"/>.
    /// </summary>
    public Pl011(VirtualClock clock, ISerialBackend backend) : base("pl011")
    {
        _clock = clock ?? throw new ArgumentNullException(nameof(clock));
        _backend = backend ?? throw new ArgumentNullException(nameof(backend));
        var r = Registers;
        r.Define("UARTDR", 0x000, read: () => ReadData(), write: v => WriteData((byte)v));
        _rsr = r.Define("UARTRSR/UARTECR", 0x004, write: _ => ClearReceiveErrors());
        r.Define("UARTFR", 0x018, reset: FrRxfe | FrTxfe, writeMask: 0, read: () => Flags);
        r.Define("UARTILPR", 0x020, writeMask: 0xFF);
        _ibrd = r.Define("UARTIBRD", 0x024, writeMask: 0xFFFF);
        _fbrd = r.Define("UARTFBRD", 0x028, writeMask: 0x3F);
        _lcrh = r.Define("UARTLCR_H", 0x02C, write: v => WriteLineControl((uint)v & 0xFF));
        // The TRM's reset value is 0x300 (UART disabled). Guests written for QEMU -M virt, Linux's earlycon among
        // them, transmit without enabling the UART (QEMU does not gate its data path on UARTEN), so the UART comes
        // out of reset enabled, as boot firmware would leave it; software that clears UARTEN still sees it gate.
        _cr = r.Define("UARTCR", 0x030, reset: CrUarten | CrTxe | CrRxe, write: v => WriteControl((uint)v & 0xFF87));
        _ifls = r.Define("UARTIFLS", 0x034, reset: 0x12, write: v => WriteFifoLevels((uint)v & 0x3F));
        _imsc = r.Define("UARTIMSC", 0x038, write: v => WriteInterruptMask((uint)v & IntAll));
        r.Define("UARTRIS", 0x03C, writeMask: 0, read: () => _ris);
        r.Define("UARTMIS", 0x040, writeMask: 0, read: () => MaskedStatus);
        r.Define("UARTICR", 0x044, writeMask: 0, read: () => 0, write: v => ClearInterrupts((uint)v & IntAll));
        r.Define("UARTDMACR", 0x048, writeMask: 0x7);
        // Identification registers (TRM 3.3.15-3.3.22): part number 0x011, designer 0x41 (Arm), revision 3 (r1p5).
        ReadOnlySpan<byte> ids = [0x11, 0x10, 0x34, 0x00, 0x0D, 0xF0, 0x05, 0xB1];
        string[] names = ["UARTPeriphID0", "UARTPeriphID1", "UARTPeriphID2", "UARTPeriphID3",
            "UARTPCellID0", "UARTPCellID1", "UARTPCellID2", "UARTPCellID3"];
        for (int i = 0; i < ids.Length; i++) r.Define(names[i], 0xFE0 + (ulong)(4 * i), reset: ids[i], writeMask: 0);
        Interrupt = new InterruptLine("pl011.uartintr");
    }

    /// <summary>
    /// Byte and halfword accesses at a register's address act on its low bits (the PL011's registers are at most
    /// 16 bits wide and bare-metal code commonly uses STRB to UARTDR); other narrow accesses are reserved.
    /// </summary>
    public override bool TryRead(ulong offset, int size, out ulong value)
    {
        if (size >= 4 || (offset & 3) != 0) return base.TryRead(offset, size, out value);
        value = Registers.Read(offset, 4) & ((1UL << (size * 8)) - 1);
        return true;
    }

    /// <inheritdoc cref="TryRead"/>
    public override bool TryWrite(ulong offset, int size, ulong value)
    {
        if (size >= 4 || (offset & 3) != 0) return base.TryWrite(offset, size, value);
        Registers.Write(offset, 4, value & ((1UL << (size * 8)) - 1));
        return true;
    }

    /// <summary>UARTINTR: the OR of the masked interrupt status bits (wired to SPI 1 on the virt machine).</summary>
    public InterruptLine Interrupt { get; }

    /// <summary>True while host input is queued that the receive FIFO has not taken yet.</summary>
    public bool HasPendingInput => !_hostInput.IsEmpty;

    /// <summary>Characters waiting in the receive FIFO.</summary>
    public int ReceiveFifoCount => _rx.Count;

    /// <summary>Bytes waiting in the transmit FIFO (non-zero only while the transmitter is disabled).</summary>
    public int TransmitFifoCount => _tx.Count;

    /// <summary>
    /// Queues bytes typed by the host for the guest to receive. Safe to call from any thread; the bytes enter
    /// the receive FIFO on the guest's thread as it polls the UART or when <see cref="ReceivePendingInput"/> runs.
    /// </summary>
    public void EnqueueInput(ReadOnlySpan<byte> bytes)
    {
        foreach (byte b in bytes) _hostInput.Enqueue(b);
    }

    /// <summary>
    /// Moves queued host input into the receive FIFO while it has room and reception is enabled. Each call is an input
    /// poll (<see cref="InputPolls"/>): the points where host input can enter the guest, which record and replay name.
    /// </summary>
    public void ReceivePendingInput()
    {
        InputPolling?.Invoke(InputPolls++);
        if (!ReceiveEnabled) return;
        bool received = false;
        while (_rx.Count < RxCapacity && _hostInput.TryDequeue(out byte b))
        {
            _rx.Push(b);
            InputReceived?.Invoke(b);
            received = true;
        }
        if (received) AfterReceive();
    }

    /// <summary>
    /// How many times host input was polled (<see cref="ReceivePendingInput"/>: between the machine's instruction slices,
    /// on UARTFR reads, while every CPU idles). The count is the same in every run with the same inputs, under either
    /// engine, and is saved in snapshots, so a poll's index says exactly when its input arrived.
    /// </summary>
    public ulong InputPolls { get; private set; }

    /// <summary>Called at the start of each input poll with its index (record and replay of serial input).</summary>
    public Action<ulong>? InputPolling { get; set; }

    /// <summary>Called with each host input byte as it enters the receive FIFO.</summary>
    public Action<byte>? InputReceived { get; set; }

    /// <summary>Returns every register and FIFO to its reset state (host input already queued is kept).</summary>
    public void Reset()
    {
        Registers.Reset();
        _tx.Clear();
        _rx.Clear();
        _ris = 0;
        _receiveTimeout?.Cancel();
        UpdateInterrupt();
    }

    /// <summary>
    /// Writes the registers, both FIFOs (with their error bits), the raw interrupt status, the receive timeout's deadline
    /// and the host input not yet moved into the receive FIFO.
    /// </summary>
    public void SaveState(SnapshotWriter writer)
    {
        Registers.SaveState(writer);
        _tx.SaveState(writer);
        _rx.SaveState(writer);
        writer.Write(_ris);
        writer.Write(_receiveTimeout);
        writer.Write(_hostInput.ToArray());
        writer.Write(InputPolls);
    }

    /// <summary>Reads back what <see cref="SaveState"/> wrote and drives UARTINTR from it.</summary>
    public void RestoreState(SnapshotReader reader)
    {
        Registers.RestoreState(reader);
        _tx.RestoreState(reader);
        _rx.RestoreState(reader);
        _ris = reader.ReadUInt32() & IntAll;
        _receiveTimeout = reader.ReadEvent(_clock, _receiveTimeout, ReceiveTimedOut);
        int pending = reader.ReadInt32(0, 1 << 20, "pending serial input");
        byte[] input = new byte[pending];
        reader.ReadExactly(input);
        _hostInput.Clear();
        foreach (byte b in input) _hostInput.Enqueue(b);
        InputPolls = reader.ReadUInt64();
        UpdateInterrupt();
    }

    private uint Cr => (uint)_cr.Value;
    private bool FifosEnabled => (_lcrh.Value & LcrhFen) != 0;
    private int RxCapacity => FifosEnabled ? FifoDepth : 1;
    private int TxCapacity => FifosEnabled ? FifoDepth : 1;
    private bool ReceiveEnabled => (Cr & (CrUarten | CrRxe)) == (CrUarten | CrRxe);
    private bool TransmitEnabled => (Cr & (CrUarten | CrTxe)) == (CrUarten | CrTxe);

    // With FIFOs disabled the TX interrupt asserts when the holding register empties and the RX interrupt when it
    // fills: trigger levels of 0 (at or below) and 1 (at or above).
    private int TxTrigger => FifosEnabled ? TriggerLevels[_ifls.Value & 7] : 0;
    private int RxTrigger => FifosEnabled ? TriggerLevels[(_ifls.Value >> 3) & 7] : 1;

    private uint MaskedStatus => _ris & (uint)_imsc.Value;

    private uint Flags
    {
        get
        {
            ReceivePendingInput();
            uint fr = 0;
            if (_tx.Count != 0) fr |= FrBusy;
            if (_rx.Count == 0) fr |= FrRxfe;
            if (_rx.Count >= RxCapacity) fr |= FrRxff;
            if (_tx.Count >= TxCapacity) fr |= FrTxff;
            if (_tx.Count == 0) fr |= FrTxfe;
            return fr;
        }
    }

    private ulong ReadData()
    {
        ReceivePendingInput();
        if (_rx.Count == 0) return 0;
        ushort entry = _rx.Pop();
        // RSR's break, parity and framing bits follow the character just read; OE is set when the overrun happens.
        _rsr.Value = (_rsr.Value & RsrOe) | (uint)((entry >> 8) & 7);
        if (_rx.Count < RxTrigger) _ris &= ~IntRx;
        if (_rx.Count == 0) _ris &= ~IntRt;
        ReceivePendingInput();
        UpdateInterrupt();
        return entry;
    }

    private void WriteData(byte value)
    {
        if (_tx.Count < TxCapacity)
        {
            _tx.Push(value);
            if (_tx.Count > TxTrigger) _ris &= ~IntTx; // written past the trigger level
        }
        Transmit();
        UpdateInterrupt();
    }

    // Sends everything in the transmit FIFO when the transmitter is enabled. The TX interrupt is an edge: it asserts
    // when the FIFO level passes from above the trigger level to at or below it (TRM, "Interrupts": UARTTXINTR).
    private void Transmit()
    {
        if (!TransmitEnabled || _tx.Count == 0) return;
        int before = _tx.Count;
        while (_tx.Count != 0)
        {
            byte b = (byte)_tx.Pop();
            if ((Cr & CrLbe) != 0) Loopback(b);
            else _backend.Write(b);
        }
        if (before > TxTrigger) _ris |= IntTx;
    }

    // Loopback (UARTCR.LBE): the transmit path feeds the receive path; a full receive FIFO overruns (TRM 3.3.1 OE).
    private void Loopback(byte b)
    {
        if (!ReceiveEnabled) return;
        if (_rx.Count >= RxCapacity)
        {
            _rsr.Value |= RsrOe;
            _ris |= IntOe;
            _rx.MarkLast(DrOe);
            return;
        }
        _rx.Push(b);
        AfterReceive();
    }

    // TRM, "Interrupts": UARTRXINTR and UARTRTINTR. The RX interrupt asserts when the FIFO reaches its trigger level; the
    // timeout asserts when the FIFO stays non-empty for 32 bit periods with no further character received.
    private void AfterReceive()
    {
        if (_rx.Count >= RxTrigger) _ris |= IntRx;
        ulong deadline = _clock.Now + ReceiveTimeoutCycles;
        if (_receiveTimeout == null) _receiveTimeout = _clock.Schedule(deadline, ReceiveTimedOut);
        else _clock.Reschedule(_receiveTimeout, deadline);
        UpdateInterrupt();
    }

    private void ReceiveTimedOut()
    {
        if (_rx.Count == 0) return;
        _ris |= IntRt;
        UpdateInterrupt();
    }

    /// <summary>
    /// 32 bit periods in CPU cycles. A bit lasts 16 × BAUDDIV UARTCLK periods, BAUDDIV = IBRD + FBRD/64 (TRM, "Baud rate divisor");
    /// an unprogrammed divisor counts as 115200 baud (IBRD 13, FBRD 1 at 24 MHz).
    /// </summary>
    internal ulong ReceiveTimeoutCycles
    {
        get
        {
            ulong ibrd = _ibrd.Value, fbrd = _fbrd.Value;
            if (ibrd == 0) { ibrd = 13; fbrd = 1; }
            ulong divisor64 = ibrd * 64 + fbrd; // BAUDDIV × 64
            return (ulong)((UInt128)(32 * 16) * divisor64 * _clock.CpuFrequencyHz / (64 * (UInt128)UartClockHz));
        }
    }

    private void ClearReceiveErrors() => _rsr.Value = 0;

    private void WriteLineControl(uint value)
    {
        // Switching the FIFOs on or off empties the receive FIFO (as QEMU does; the TRM leaves the contents undefined).
        if ((((uint)_lcrh.Value ^ value) & LcrhFen) != 0)
        {
            _rx.Clear();
            _ris &= ~(IntRx | IntRt);
        }
        _lcrh.Value = value;
        ReceivePendingInput();
        Transmit();
        UpdateInterrupt();
    }

    private void WriteControl(uint value)
    {
        _cr.Value = value;
        Transmit();
        ReceivePendingInput();
        UpdateInterrupt();
    }

    private void WriteFifoLevels(uint value)
    {
        _ifls.Value = value;
        UpdateInterrupt();
    }

    private void WriteInterruptMask(uint value)
    {
        _imsc.Value = value;
        UpdateInterrupt();
    }

    private void ClearInterrupts(uint bits)
    {
        _ris &= ~bits;
        UpdateInterrupt();
    }

    private void UpdateInterrupt()
    {
        Interrupt.Set(MaskedStatus != 0);
    }
}
