using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;

namespace ArmVirt.Devices.Virtio;

/// <summary>
/// A Linux TAP interface (<c>/dev/net/tun</c> with <c>TUNSETIFF</c>, <c>IFF_TAP | IFF_NO_PI</c>). Creating one needs
/// CAP_NET_ADMIN or a persistent TAP owned by the user. A reader thread queues incoming frames (pooled buffers,
/// at most <see cref="MaxQueuedFrames"/>); <see cref="Poll"/> hands them to the device on the emulation thread.
/// The interface disappears when disposed (unless it was made persistent by someone else).
/// </summary>
public sealed unsafe class TapNetBackend : INetBackend
{
    /// <summary>Frames kept while the emulation thread has not polled; later ones are dropped.</summary>
    public const int MaxQueuedFrames = 1024;
    private const int MaxFrame = 65536 + 14;

    private const int O_RDWR = 2, O_CLOEXEC = 0x80000;
    private const ulong TUNSETIFF = 0x400454CA;
    private const short IFF_TAP = 0x0002, IFF_NO_PI = 0x1000;
    private const short POLLIN = 1;
    private const int IfNameSize = 16, IfReqSize = 40;

    private readonly int _fd;
    private readonly Thread _reader;
    private readonly ReceivedFrameQueue _received = new(MaxQueuedFrames);
    private volatile bool _stopping;
    private long _txErrors;

    /// <summary>Creates or attaches to TAP interface <paramref name="interfaceName"/> ("" or a pattern like "tap%d" lets the kernel choose).</summary>
    /// <exception cref="PlatformNotSupportedException">Not running on Linux.</exception>
    /// <exception cref="IOException">The device could not be opened or configured (for example, no CAP_NET_ADMIN).</exception>
    public TapNetBackend(string interfaceName = "")
    {
        if (!OperatingSystem.IsLinux()) throw new PlatformNotSupportedException("TAP networking needs Linux.");
        if (Encoding.ASCII.GetByteCount(interfaceName) >= IfNameSize)
            throw new ArgumentException($"Interface name '{interfaceName}' is longer than {IfNameSize - 1} bytes.", nameof(interfaceName));
        _fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
        if (_fd < 0) throw Error("cannot open /dev/net/tun");
        byte* ifr = stackalloc byte[IfReqSize];
        new Span<byte>(ifr, IfReqSize).Clear();
        Encoding.ASCII.GetBytes(interfaceName, new Span<byte>(ifr, IfNameSize - 1));
        *(short*)(ifr + IfNameSize) = IFF_TAP | IFF_NO_PI;
        if (ioctl(_fd, TUNSETIFF, ifr) < 0)
        {
            var e = Error($"TUNSETIFF {interfaceName}");
            close(_fd);
            throw e;
        }
        var name = new ReadOnlySpan<byte>(ifr, IfNameSize);
        int end = name.IndexOf((byte)0);
        Name = Encoding.ASCII.GetString(end < 0 ? name : name[..end]);
        _reader = new Thread(ReadLoop) { IsBackground = true, Name = $"tap {Name}" };
        _reader.Start();
    }

    /// <summary>The interface name the kernel assigned.</summary>
    public string Name { get; }

    /// <inheritdoc />
    public NetFrameReceiver? Receiver { get; set; }

    /// <inheritdoc />
    public bool NeedsPolling => true;

    /// <summary>Frames dropped because the queue was full.</summary>
    public long ReceiveDropped => _received.Dropped;

    /// <summary>Frames the kernel refused (for example while the interface is down).</summary>
    public long SendErrors => Interlocked.Read(ref _txErrors);

    private static IOException Error(string what)
    {
        int errno = Marshal.GetLastPInvokeError();
        return new IOException($"TAP: {what}: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
    }

    /// <inheritdoc />
    public void Send(ReadOnlySpan<byte> frame)
    {
        fixed (byte* p = frame)
        {
            if (write(_fd, p, (nint)frame.Length) != frame.Length) Interlocked.Increment(ref _txErrors);
        }
    }

    /// <inheritdoc />
    public void Poll() => _received.Deliver(Receiver);

    private void ReadLoop()
    {
        PollFd pfd = new() { Fd = _fd, Events = POLLIN };
        while (!_stopping)
        {
            int r = poll(&pfd, 1, 100);
            if (r <= 0 || (pfd.Revents & POLLIN) == 0) continue;
            byte[] buffer = ArrayPool<byte>.Shared.Rent(MaxFrame);
            nint n;
            fixed (byte* p = buffer) n = read(_fd, p, buffer.Length);
            if (n <= 0)
            {
                ArrayPool<byte>.Shared.Return(buffer);
                continue;
            }
            _received.Add(buffer, (int)n);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_stopping) return;
        _stopping = true;
        _reader.Join();
        close(_fd);
        _received.Clear();
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int open([MarshalAs(UnmanagedType.LPStr)] string path, int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern int ioctl(int fd, ulong request, byte* argument);

    [DllImport("libc", SetLastError = true)]
    private static extern nint read(int fd, byte* buffer, nint count);

    [DllImport("libc", SetLastError = true)]
    private static extern nint write(int fd, byte* buffer, nint count);

    [DllImport("libc", SetLastError = true)]
    private static extern int close(int fd);

    [DllImport("libc", SetLastError = true)]
    private static extern int poll(PollFd* fds, nuint count, int timeout);
}
