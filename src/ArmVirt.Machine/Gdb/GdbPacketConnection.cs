using System.Collections.Concurrent;
using System.Text;

namespace ArmVirt.Machine.Gdb;

/// <summary>
/// The framing of the GDB remote serial protocol over a byte stream (GDB manual, "Overview" of Remote Protocol):
/// packets <c>$data#cc</c> with a modulo-256 checksum, <c>+</c>/<c>-</c> acknowledgements until
/// <c>QStartNoAckMode</c>, <c>}</c> escapes, and the out-of-band interrupt byte 0x03 (Ctrl-C). A reader thread takes
/// the bytes as they arrive, so that an interrupt reaches <see cref="Interrupted"/> while the guest runs.
/// </summary>
internal sealed class GdbPacketConnection : IDisposable
{
    private readonly Stream _stream;
    private readonly BlockingCollection<string?> _packets = [];
    private readonly object _writeLock = new();
    private readonly Thread _reader;
    private volatile bool _noAck;

    /// <summary>Raised on the reader thread when the client sends the interrupt byte 0x03.</summary>
    public event Action? Interrupted;

    public GdbPacketConnection(Stream stream)
    {
        _stream = stream;
        _reader = new Thread(ReadLoop) { IsBackground = true, Name = "gdb packet reader" };
    }

    /// <summary>Starts reading (after the caller has subscribed to <see cref="Interrupted"/>).</summary>
    public void Start() => _reader.Start();

    /// <summary>Stops acknowledging packets (after the OK reply to QStartNoAckMode).</summary>
    public bool NoAck { get => _noAck; set => _noAck = value; }

    /// <summary>True once an interrupt byte arrived that nobody has taken with <see cref="TakeInterrupt"/>.</summary>
    private volatile bool _interruptPending;

    /// <summary>Takes a pending interrupt: true when the client sent 0x03 since the last call.</summary>
    public bool TakeInterrupt()
    {
        bool was = _interruptPending;
        _interruptPending = false;
        return was;
    }

    /// <summary>The next packet's payload (escapes removed), or null when the connection closed.</summary>
    public string? Receive()
    {
        try
        {
            return _packets.Take();
        }
        catch (InvalidOperationException)
        {
            return null; // completed
        }
    }

    /// <summary>Sends <paramref name="payload"/> as one packet (escaping '#', '$', '}' and '*').</summary>
    public void Send(string payload)
    {
        var b = new StringBuilder(payload.Length + 8);
        b.Append('$');
        byte sum = 0;
        foreach (char ch in payload)
        {
            if (ch is '#' or '$' or '}' or '*')
            {
                b.Append('}');
                sum += (byte)'}';
                char e = (char)(ch ^ 0x20);
                b.Append(e);
                sum += (byte)e;
            }
            else
            {
                b.Append(ch);
                sum += (byte)ch;
            }
        }
        b.Append('#').Append(sum.ToString("x2"));
        WriteRaw(Encoding.Latin1.GetBytes(b.ToString()));
    }

    private void WriteRaw(byte[] bytes)
    {
        lock (_writeLock)
        {
            try
            {
                _stream.Write(bytes);
                _stream.Flush();
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
                _packets.CompleteAdding(); // the client went away
            }
        }
    }

    // Reads packets until the stream ends: acknowledges each one (until no-ack mode), answers a bad checksum with '-'
    // (the client resends), ignores the client's own acknowledgements, and reports 0x03 at once.
    private void ReadLoop()
    {
        var payload = new List<byte>(256);
        try
        {
            while (true)
            {
                int c = _stream.ReadByte();
                if (c < 0) break;
                if (c == 0x03)
                {
                    _interruptPending = true;
                    Interrupted?.Invoke();
                    continue;
                }
                if (c != '$') continue; // '+', '-' and noise between packets
                payload.Clear();
                byte sum = 0;
                while ((c = _stream.ReadByte()) >= 0 && c != '#')
                {
                    sum += (byte)c;
                    payload.Add((byte)c);
                }
                if (c < 0) break;
                int hi = _stream.ReadByte(), lo = _stream.ReadByte();
                if (hi < 0 || lo < 0) break;
                bool good = HexValue(hi) is int h && HexValue(lo) is int l && (byte)(h * 16 + l) == sum;
                if (!_noAck) WriteRaw([(byte)(good ? '+' : '-')]);
                if (!good && !_noAck) continue;
                _packets.Add(Unescape(payload));
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
        }
        _packets.CompleteAdding();
    }

    private static int? HexValue(int c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => null,
    };

    // Binary data (X packets) escapes '#', '$', '}' and '*' as '}' followed by the byte XOR 0x20. Characters stay bytes
    // (Latin-1) so that the payload of an X packet survives as a string.
    private static string Unescape(List<byte> raw)
    {
        var b = new StringBuilder(raw.Count);
        for (int i = 0; i < raw.Count; i++)
        {
            byte c = raw[i];
            if (c == '}' && i + 1 < raw.Count) b.Append((char)(raw[++i] ^ 0x20));
            else b.Append((char)c);
        }
        return b.ToString();
    }

    public void Dispose()
    {
        try { _stream.Dispose(); } catch (IOException) { }
    }
}
