using System.Text;
using ArmVirt.Cpu.Exceptions;

namespace ArmVirt.Cpu.Firmware;

/// <summary>
/// Arm semihosting for AArch64 callers (Arm "Semihosting for AArch32 and AArch64", 2020Q4): HLT #0xF000 with the
/// operation in W0 and the parameter (usually a block of 64-bit fields) at X1, the result in X0.
/// <para>
/// The console is the output stream given to the constructor (stdout; stderr too unless a separate stream is
/// given) and an optional input stream. Handles 0, 1 and 2 are open from the start as console input, stdout and
/// stderr; SYS_OPEN of <c>:tt</c> opens more console handles (read modes: input, write modes: stdout, append
/// modes: stderr, extension SH_EXT_STDOUT_STDERR) and <c>:semihosting-features</c> reports SH_EXT_EXIT_EXTENDED
/// and SH_EXT_STDOUT_STDERR. No host file is ever opened, removed or run: those calls fail with -1 (errno
/// ENOENT or ENOSYS), so a guest cannot reach the host file system and runs stay deterministic.
/// </para>
/// <para>
/// Time is virtual: SYS_CLOCK, SYS_TIME and SYS_ELAPSED derive from the calling CPU's cycle counter and the
/// clock's frequency, never from the host clock. Guest memory is accessed through <see cref="Cpu.ReadMemory"/> and
/// <see cref="Cpu.WriteMemory"/> without alignment checks, as a debugger would; a fault makes the operation fail
/// (-1, errno EFAULT; SYS_READ and SYS_WRITE report the bytes not transferred) instead of raising an exception.
/// </para>
/// </summary>
internal sealed class Semihosting : ISemihostingHandler
{
    /// <summary>SYS_EXIT reason ADP_Stopped_ApplicationExit: the subcode is the program's exit status.</summary>
    public const ulong AdpStoppedApplicationExit = 0x2_0026;

    /// <summary>Content of the <c>:semihosting-features</c> file: magic "SHFB", then feature byte 0 with
    /// SH_EXT_EXIT_EXTENDED (bit 0) and SH_EXT_STDOUT_STDERR (bit 1).</summary>
    private static readonly byte[] FeatureBytes = [0x53, 0x48, 0x46, 0x42, 0b0000_0011];

    // errno values reported by SYS_ERRNO: the host-specific values of the spec, taken from Linux.
    internal const int E2Big = 7, ENoEnt = 2, EBadF = 9, EFault = 14, EInval = 22, ESPipe = 29, ENoSys = 38;

    private const ulong Failure = ulong.MaxValue; // -1 in X0
    private const int TransferChunk = 64 * 1024;
    private const int MaxPathLength = 4096;

    private delegate ulong? OperationHandler(Semihosting host, Cpu cpu, ulong parameter);

    private readonly record struct Operation(SemihostingOperation Number, OperationHandler Handler);

    // Every implemented operation; a null result leaves X0 unchanged (the spec's "RETURN REGISTER is corrupted").
    private static readonly Operation[] Table =
    [
        new(SemihostingOperation.Open, Open),
        new(SemihostingOperation.Close, Close),
        new(SemihostingOperation.WriteC, WriteC),
        new(SemihostingOperation.Write0, Write0),
        new(SemihostingOperation.Write, Write),
        new(SemihostingOperation.Read, Read),
        new(SemihostingOperation.ReadC, ReadC),
        new(SemihostingOperation.IsError, IsError),
        new(SemihostingOperation.IsTty, IsTty),
        new(SemihostingOperation.Seek, Seek),
        new(SemihostingOperation.FLen, FLen),
        new(SemihostingOperation.TmpNam, NoHostAccess),
        new(SemihostingOperation.Remove, NoHostAccess),
        new(SemihostingOperation.Rename, NoHostAccess),
        new(SemihostingOperation.Clock, Clock),
        new(SemihostingOperation.Time, Time),
        new(SemihostingOperation.System, NoHostAccess),
        new(SemihostingOperation.Errno, Errno),
        new(SemihostingOperation.GetCmdline, GetCmdline),
        new(SemihostingOperation.HeapInfo, HeapInfo),
        new(SemihostingOperation.Exit, Exit),
        new(SemihostingOperation.ExitExtended, Exit),
        new(SemihostingOperation.Elapsed, Elapsed),
        new(SemihostingOperation.TickFreq, TickFreq),
    ];

    private static readonly OperationHandler?[] Handlers = BuildHandlers();

    private enum HandleKind { ConsoleIn, ConsoleOut, ConsoleErr, Features }

    private sealed class OpenHandle(HandleKind kind)
    {
        public HandleKind Kind { get; } = kind;
        public long Position { get; set; }
    }

    private readonly Stream _output;
    private readonly Stream _errorOutput;
    private readonly Stream? _input;
    private readonly SemihostingHeapInfo _heapInfo;
    private readonly byte[] _commandLine;
    private readonly Dictionary<ulong, OpenHandle> _handles = new();
    private readonly Lock _lock = new();
    private ulong _nextHandle = 3;
    private int _errno;

    /// <summary>Creates the semihosting handler.</summary>
    /// <param name="output">Console output (stdout, SYS_WRITEC and SYS_WRITE0).</param>
    /// <param name="input">Console input for SYS_READC and reads of console handles, or null for end-of-file.</param>
    /// <param name="heapInfo">What SYS_HEAPINFO reports (e.g. <see cref="SemihostingHeapInfo.FromRam"/>); all zeros
    /// when null, which the spec allows and C libraries take as "use your own defaults".</param>
    /// <param name="commandLine">What SYS_GET_CMDLINE returns.</param>
    /// <param name="errorOutput">Where stderr goes; <paramref name="output"/> when null.</param>
    public Semihosting(Stream output, Stream? input = null, SemihostingHeapInfo? heapInfo = null, string commandLine = "",
        Stream? errorOutput = null)
    {
        _output = output ?? throw new ArgumentNullException(nameof(output));
        _errorOutput = errorOutput ?? output;
        _input = input;
        _heapInfo = heapInfo ?? default;
        _commandLine = Encoding.UTF8.GetBytes(commandLine ?? "");
        _handles[0] = new OpenHandle(HandleKind.ConsoleIn);
        _handles[1] = new OpenHandle(HandleKind.ConsoleOut);
        _handles[2] = new OpenHandle(HandleKind.ConsoleErr);
    }

    /// <summary>The errno value SYS_ERRNO would return now.</summary>
    public int LastErrno => _errno;

    /// <inheritdoc />
    public void Handle(Cpu cpu)
    {
        uint number = cpu.W(0); // the spec: the top half of X0 must not be assumed zero
        ulong parameter = cpu.X(1);
        ulong? result;
        lock (_lock)
        {
            var handler = number < (uint)Handlers.Length ? Handlers[number] : null;
            if (handler == null)
            {
                _errno = ENoSys;
                result = Failure;
            }
            else
            {
                try
                {
                    result = handler(this, cpu, parameter);
                }
                catch (GuestException)
                {
                    _errno = EFault;
                    result = Failure;
                }
            }
        }
        if (result.HasValue) cpu.SetX(0, result.Value);
    }

    private static OperationHandler?[] BuildHandlers()
    {
        var handlers = new OperationHandler?[(int)Table.Max(o => o.Number) + 1];
        foreach (var op in Table) handlers[(int)op.Number] = op.Handler;
        return handlers;
    }

    // ---- Guest memory (faults surface as GuestException and fail the operation) ----

    private static ulong Field(Cpu cpu, ulong block, int index) =>
        cpu.ReadMemory(block + (ulong)index * 8, 8, MemoryAccessKind.Read, alignment: 1);

    private static void SetField(Cpu cpu, ulong block, int index, ulong value) =>
        cpu.WriteMemory(block + (ulong)index * 8, 8, value, MemoryAccessKind.Write, alignment: 1);

    private static byte ReadByte(Cpu cpu, ulong va) => (byte)cpu.ReadMemory(va, 1, MemoryAccessKind.Read, alignment: 1);

    /// <summary>Reads up to <paramref name="buffer"/>.Length bytes; returns how many were read before a fault.</summary>
    private static int ReadGuest(Cpu cpu, ulong va, Span<byte> buffer)
    {
        for (int i = 0; i < buffer.Length; i++)
        {
            try
            {
                buffer[i] = ReadByte(cpu, va + (ulong)i);
            }
            catch (GuestException)
            {
                return i;
            }
        }
        return buffer.Length;
    }

    /// <summary>Writes <paramref name="data"/>; returns how many bytes were written before a fault.</summary>
    private static int WriteGuest(Cpu cpu, ulong va, ReadOnlySpan<byte> data)
    {
        for (int i = 0; i < data.Length; i++)
        {
            try
            {
                cpu.WriteMemory(va + (ulong)i, 1, data[i], MemoryAccessKind.Write, alignment: 1);
            }
            catch (GuestException)
            {
                return i;
            }
        }
        return data.Length;
    }

    private ulong Fail(int errno)
    {
        _errno = errno;
        return Failure;
    }

    private Stream? OutputFor(HandleKind kind) => kind switch
    {
        HandleKind.ConsoleOut => _output,
        HandleKind.ConsoleErr => _errorOutput,
        _ => null,
    };

    private static void Emit(Stream stream, ReadOnlySpan<byte> data)
    {
        stream.Write(data);
        stream.Flush();
    }

    // ---- Console ----

    // SYS_WRITEC: X1 points to the character.
    private static ulong? WriteC(Semihosting host, Cpu cpu, ulong parameter)
    {
        Emit(host._output, [ReadByte(cpu, parameter)]);
        return null;
    }

    // SYS_WRITE0: X1 points to a null-terminated string; what precedes a fault is still written.
    private static ulong? Write0(Semihosting host, Cpu cpu, ulong parameter)
    {
        var chunk = new byte[256];
        ulong va = parameter;
        while (true)
        {
            int n = 0;
            bool fault = false, end = false;
            while (n < chunk.Length)
            {
                byte b;
                try
                {
                    b = ReadByte(cpu, va);
                }
                catch (GuestException)
                {
                    fault = true;
                    break;
                }
                if (b == 0)
                {
                    end = true;
                    break;
                }
                chunk[n++] = b;
                va++;
            }
            if (n > 0) Emit(host._output, chunk.AsSpan(0, n));
            if (fault) return host.Fail(EFault);
            if (end) return null;
        }
    }

    // SYS_READC: the next byte of console input, or -1 at end of input.
    private static ulong? ReadC(Semihosting host, Cpu cpu, ulong parameter)
    {
        int b = host._input?.ReadByte() ?? -1;
        return b < 0 ? Failure : (ulong)b;
    }

    // ---- Handles ----

    // SYS_OPEN {name, mode, length}: only the special names exist.
    private static ulong? Open(Semihosting host, Cpu cpu, ulong parameter)
    {
        ulong namePointer = Field(cpu, parameter, 0);
        ulong mode = Field(cpu, parameter, 1);
        ulong length = Field(cpu, parameter, 2);
        if (mode > 11) return host.Fail(EInval);
        if (length > MaxPathLength) return host.Fail(ENoEnt);
        var name = new byte[(int)length];
        if (ReadGuest(cpu, namePointer, name) != name.Length) return host.Fail(EFault);
        HandleKind kind;
        switch (Encoding.UTF8.GetString(name))
        {
            case ":tt":
                kind = mode < 4 ? HandleKind.ConsoleIn : mode < 8 ? HandleKind.ConsoleOut : HandleKind.ConsoleErr;
                break;
            case ":semihosting-features":
                if (mode > 1) return host.Fail(EInval); // only "r" and "rb" may open it
                kind = HandleKind.Features;
                break;
            default:
                return host.Fail(ENoEnt);
        }
        ulong handle = host._nextHandle++;
        host._handles[handle] = new OpenHandle(kind);
        return handle;
    }

    // SYS_CLOSE {handle}.
    private static ulong? Close(Semihosting host, Cpu cpu, ulong parameter)
    {
        ulong handle = Field(cpu, parameter, 0);
        return host._handles.Remove(handle) ? 0 : host.Fail(EBadF);
    }

    // SYS_WRITE {handle, data, length}: 0 on success, else the number of bytes not written
    // (-1 for a handle that cannot be written, as QEMU does).
    private static ulong? Write(Semihosting host, Cpu cpu, ulong parameter)
    {
        ulong handle = Field(cpu, parameter, 0);
        ulong data = Field(cpu, parameter, 1);
        ulong length = Field(cpu, parameter, 2);
        if (!host._handles.TryGetValue(handle, out var open) || host.OutputFor(open.Kind) is not { } stream)
            return host.Fail(EBadF);
        var chunk = new byte[(int)Math.Min(length, (ulong)TransferChunk)];
        ulong done = 0;
        while (done < length)
        {
            int want = (int)Math.Min(length - done, (ulong)chunk.Length);
            int got = ReadGuest(cpu, data + done, chunk.AsSpan(0, want));
            if (got > 0) Emit(stream, chunk.AsSpan(0, got));
            done += (ulong)got;
            if (got < want)
            {
                host._errno = EFault;
                break;
            }
        }
        return length - done;
    }

    // SYS_READ {handle, buffer, length}: the number of bytes not filled (length = end of file).
    private static ulong? Read(Semihosting host, Cpu cpu, ulong parameter)
    {
        ulong handle = Field(cpu, parameter, 0);
        ulong buffer = Field(cpu, parameter, 1);
        ulong length = Field(cpu, parameter, 2);
        if (!host._handles.TryGetValue(handle, out var open)) return host.Fail(EBadF);
        var chunk = new byte[(int)Math.Min(length, (ulong)TransferChunk)];
        int got;
        switch (open.Kind)
        {
            case HandleKind.ConsoleIn:
                // An interactive device: return what one read delivers (at least one byte unless at end of input).
                got = host._input?.Read(chunk) ?? 0;
                break;
            case HandleKind.Features:
                long available = Math.Max(0, FeatureBytes.Length - open.Position);
                got = (int)Math.Min(available, chunk.Length);
                if (got > 0) FeatureBytes.AsSpan((int)open.Position, got).CopyTo(chunk);
                open.Position += got;
                break;
            default:
                return host.Fail(EBadF);
        }
        int written = WriteGuest(cpu, buffer, chunk.AsSpan(0, got));
        if (written < got) host._errno = EFault;
        return length - (ulong)written;
    }

    // SYS_ISTTY {handle}: 1 for the console, 0 for a file.
    private static ulong? IsTty(Semihosting host, Cpu cpu, ulong parameter)
    {
        ulong handle = Field(cpu, parameter, 0);
        if (!host._handles.TryGetValue(handle, out var open)) return host.Fail(EBadF);
        return open.Kind == HandleKind.Features ? 0UL : 1UL;
    }

    // SYS_SEEK {handle, position}: only files are seekable.
    private static ulong? Seek(Semihosting host, Cpu cpu, ulong parameter)
    {
        ulong handle = Field(cpu, parameter, 0);
        ulong position = Field(cpu, parameter, 1);
        if (!host._handles.TryGetValue(handle, out var open)) return host.Fail(EBadF);
        if (open.Kind != HandleKind.Features) return host.Fail(ESPipe);
        if (position > (ulong)FeatureBytes.Length) return host.Fail(EInval);
        open.Position = (long)position;
        return 0;
    }

    // SYS_FLEN {handle}: the length of a file; a console has none.
    private static ulong? FLen(Semihosting host, Cpu cpu, ulong parameter)
    {
        ulong handle = Field(cpu, parameter, 0);
        if (!host._handles.TryGetValue(handle, out var open)) return host.Fail(EBadF);
        return open.Kind == HandleKind.Features ? (ulong)FeatureBytes.Length : host.Fail(EInval);
    }

    // SYS_TMPNAM, SYS_REMOVE, SYS_RENAME, SYS_SYSTEM: the host's files and shell are out of the guest's reach.
    private static ulong? NoHostAccess(Semihosting host, Cpu cpu, ulong parameter) => host.Fail(ENoSys);

    // SYS_ISERROR {status}: nonzero when the status is negative.
    private static ulong? IsError(Semihosting host, Cpu cpu, ulong parameter) =>
        (long)Field(cpu, parameter, 0) < 0 ? 1UL : 0UL;

    // SYS_ERRNO.
    private static ulong? Errno(Semihosting host, Cpu cpu, ulong parameter) => (ulong)host._errno;

    // ---- Time (virtual) ----

    private static ulong CyclesToUnits(Cpu cpu, ulong unitsPerSecond) =>
        (ulong)((UInt128)cpu.State.Cycles * unitsPerSecond / cpu.Clock.CpuFrequencyHz);

    // SYS_CLOCK: centiseconds of virtual time since the CPU was reset.
    private static ulong? Clock(Semihosting host, Cpu cpu, ulong parameter) => CyclesToUnits(cpu, 100);

    // SYS_TIME: the spec asks for host wall-clock seconds since 1970; virtual seconds since reset keep runs repeatable.
    private static ulong? Time(Semihosting host, Cpu cpu, ulong parameter) => CyclesToUnits(cpu, 1);

    // SYS_ELAPSED: ticks (cycles) into the 64-bit field at X1; on failure X0 and X1 are both -1.
    private static ulong? Elapsed(Semihosting host, Cpu cpu, ulong parameter)
    {
        try
        {
            SetField(cpu, parameter, 0, cpu.State.Cycles);
        }
        catch (GuestException)
        {
            cpu.SetX(1, Failure);
            return host.Fail(EFault);
        }
        return 0;
    }

    // SYS_TICKFREQ: ticks per second of SYS_ELAPSED.
    private static ulong? TickFreq(Semihosting host, Cpu cpu, ulong parameter) => cpu.Clock.CpuFrequencyHz;

    // ---- Program environment ----

    // SYS_GET_CMDLINE {buffer, length}: copies the null-terminated command line and sets length to its size.
    private static ulong? GetCmdline(Semihosting host, Cpu cpu, ulong parameter)
    {
        ulong buffer = Field(cpu, parameter, 0);
        ulong size = Field(cpu, parameter, 1);
        int needed = host._commandLine.Length + 1;
        if ((ulong)needed > size) return host.Fail(E2Big);
        var text = new byte[needed];
        host._commandLine.CopyTo(text, 0);
        if (WriteGuest(cpu, buffer, text) != needed) return host.Fail(EFault);
        SetField(cpu, parameter, 1, (ulong)host._commandLine.Length);
        return 0;
    }

    // SYS_HEAPINFO: X1 holds the address of a pointer to the four-field block to fill.
    private static ulong? HeapInfo(Semihosting host, Cpu cpu, ulong parameter)
    {
        ulong block = Field(cpu, parameter, 0);
        var info = host._heapInfo;
        SetField(cpu, block, 0, info.HeapBase);
        SetField(cpu, block, 1, info.HeapLimit);
        SetField(cpu, block, 2, info.StackBase);
        SetField(cpu, block, 3, info.StackLimit);
        return 0;
    }

    // SYS_EXIT and SYS_EXIT_EXTENDED (identical on A64) {reason, subcode}: ADP_Stopped_ApplicationExit exits with the
    // subcode as status; any other reason is an abnormal stop, exit status 1, as QEMU does.
    private static ulong? Exit(Semihosting host, Cpu cpu, ulong parameter)
    {
        ulong reason = Field(cpu, parameter, 0);
        ulong subcode = Field(cpu, parameter, 1);
        int status = reason == AdpStoppedApplicationExit ? (int)subcode : 1;
        cpu.RequestStop(StopReason.SemihostingExit, status,
            $"semihosting exit: reason 0x{reason:x}, subcode {(long)subcode}");
        return null;
    }
}
