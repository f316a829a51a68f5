using System.Net.Sockets;

namespace ArmVirt.Cli;

/// <summary>
/// The host side of <c>--console unix:PATH</c>, like QEMU's <c>-chardev socket,path=PATH,server=on,wait=on</c>: a
/// Unix socket listening at PATH one client accepted by <see cref="Accept"/>
/// before the guest starts. <see cref="Stream"/> carries the guest's console both ways; once the client has gone,
/// guest output is discarded and input ends.
/// </summary>
internal sealed class UnixSocketConsole : IDisposable
{
    private readonly Socket _listener;
    private readonly TaskCompletionSource<NetworkStream?> _client = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public UnixSocketConsole(string path)
    {
        Path = path;
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            if (File.Exists(path) || Directory.Exists(path)) throw new IOException("already exists (remove it first)");
            _listener.Bind(new UnixDomainSocketEndPoint(path));
            _listener.Listen(1);
        }
        catch (Exception e) when (e is SocketException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            _listener.Dispose();
            throw new UsageException($"--console unix:{path}: {e.Message}");
        }
        Stream = new ConnectionStream(this);
    }

    public string Path { get; }

    /// <summary>The console stream: reads and writes wait for the client.</summary>
    public Stream Stream { get; }

    /// <summary>Blocks until a client connects.</summary>
    public void Accept()
    {
        var socket = _listener.Accept();
        _client.TrySetResult(new NetworkStream(socket, ownsSocket: true));
    }

    public void Dispose()
    {
        _client.TrySetResult(null);
        _client.Task.Result?.Dispose();
        _listener.Dispose();
        try { File.Delete(Path); } catch (IOException) { }
    }

    private sealed class ConnectionStream(UnixSocketConsole owner) : Stream
    {
        private NetworkStream? Client => owner._client.Task.Result;

        public override int Read(byte[] buffer, int offset, int count)
        {
            try { return Client?.Read(buffer, offset, count) ?? 0; }
            catch (Exception e) when (e is IOException or ObjectDisposedException) { return 0; }
        }

        public override void Write(byte[] buffer, int offset, int count)
        {
            try { Client?.Write(buffer, offset, count); }
            catch (Exception e) when (e is IOException or ObjectDisposedException) { } // the client went away
        }

        public override void Flush() { }
        public override bool CanRead => true;
        public override bool CanWrite => true;
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
