using System.Globalization;
using System.Text;

namespace ArmVirt.Machine;

/// <summary>
/// The input log of <see cref="Machine.RecordInput"/> and <see cref="Machine.ReplayInput"/>: every external input the
/// guest received, named by the point where it entered. Host serial input enters only at the PL011's input polls, one of
/// <list type="bullet">
/// <item><c>d</c>: a deterministic poll, the guest reading UARTFR or the machine's virtual-time poll event, which every
/// run with the same input makes at the same point: named by its ordinal among such polls;</item>
/// <item><c>s</c>: the first poll of a <see cref="Machine.Run"/> call (the host decided when to run);</item>
/// <item><c>h</c>: a poll between the instruction slices of a run;</item>
/// <item><c>i</c>: the poll after an idle machine waited for host input;</item>
/// </list>
/// the last three named by the instructions the machine had retired. Virtio input enters at a device's input points,
/// named by their ordinal since the recording began: <c>nN</c> for the virtio-net device <c>N</c> of
/// <see cref="Machine.VirtioDevices"/> (each poll of its backend and each frame the guest sends: one line per frame
/// received during it) and <c>cN</c> for the virtio-console device <c>N</c> (each move of host input into the guest's
/// receive buffers: the bytes moved).
/// <para>
/// Version 2 (written): the line <c>armvirt-input 2</c>, then one line <c>KIND KEY CYCLES HEX</c> per <c>s</c> and
/// <c>i</c> poll, per <c>d</c> and <c>h</c> poll that delivered bytes and per virtio input (the key, the virtual time in
/// cycles, informative, and the bytes; <c>-</c> for none), then <c>end CRC</c>: the CRC-32 of everything before that
/// line, so that a truncated or altered log is refused. Version 1 (<c>armvirt-serial-input 1</c>, serial kinds only, no
/// end line) is still read.
/// </para>
/// </summary>
internal static class InputLog
{
    public const string Header = "armvirt-input 2";
    public const string HeaderVersion1 = "armvirt-serial-input 1";

    /// <summary>One logged input: kind (d, s, h, i, nN, cN), key, virtual time, bytes.</summary>
    public sealed record Entry(string Kind, ulong Key, ulong Cycles, byte[] Bytes)
    {
        public bool IsSerial => Kind.Length == 1;
    }

    private const int MaxLine = 2 * 65_600 + 64; // a whole virtio-net frame in hex

    /// <summary>Parses a log, treating it as untrusted: each line checked, keys in order, the checksum compared.</summary>
    public static List<Entry> Read(Stream stream)
    {
        var entries = new List<Entry>();
        using var reader = new StreamReader(stream, Encoding.Latin1, detectEncodingFromByteOrderMarks: false, bufferSize: 4096, leaveOpen: true);
        string? header = reader.ReadLine();
        bool v2 = header == Header;
        if (!v2 && header != HeaderVersion1)
            throw new InvalidDataException($"not an input log (the first line is not '{Header}', nor '{HeaderVersion1}' of the serial-only version 1)");
        var crc = new Crc32();
        crc.AppendLine(header!);
        int number = 1;
        ulong lastHost = 0, lastDevice = 0;
        bool anyDevice = false, ended = false;
        var lastVirtio = new Dictionary<string, ulong>();
        for (string? line; (line = reader.ReadLine()) != null;)
        {
            number++;
            if (ended) throw new InvalidDataException($"line {number}: text after the end line");
            if (line.Length > MaxLine) throw new InvalidDataException($"line {number}: too long");
            string[] f = line.Split(' ');
            if (v2 && f.Length == 2 && f[0] == "end")
            {
                // Exactly as written (8 lowercase digits): a flipped letter case is a changed log too.
                if (f[1].Length != 8 || !f[1].All(char.IsAsciiHexDigitLower) // [0-9a-f]
                    || !uint.TryParse(f[1], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out uint sum))
                    throw new InvalidDataException($"line {number}: expected end CRC (8 hexadecimal digits)");
                if (sum != crc.Value) throw new InvalidDataException($"line {number}: checksum mismatch: the log was altered or damaged");
                ended = true;
                continue;
            }
            if (f.Length != 4 || !IsKind(f[0], v2)
                || !ulong.TryParse(f[1], NumberStyles.None, CultureInfo.InvariantCulture, out ulong key)
                || !ulong.TryParse(f[2], NumberStyles.None, CultureInfo.InvariantCulture, out ulong cycles))
                throw new InvalidDataException(v2
                    ? $"line {number}: expected KIND (d, s, h, i, nN or cN) KEY CYCLES HEX, or end CRC"
                    : $"line {number}: expected KIND (d, s, h or i) KEY CYCLES HEX");
            string kind = f[0];
            if (kind == "d" ? anyDevice && key <= lastDevice
                : kind.Length == 1 ? key < lastHost
                : lastVirtio.TryGetValue(kind, out ulong last) && key < last)
                throw new InvalidDataException($"line {number}: {kind} {(kind.Length == 1 ? "poll" : "input")} {key} out of order");
            byte[] bytes;
            try { bytes = f[3] == "-" ? [] : Convert.FromHexString(f[3]); }
            catch (FormatException) { throw new InvalidDataException($"line {number}: '{Shorten(f[3])}' is not hexadecimal bytes"); }
            if (kind == "d") { lastDevice = key; anyDevice = true; }
            else if (kind.Length == 1) lastHost = key;
            else lastVirtio[kind] = key;
            entries.Add(new Entry(string.Intern(kind), key, cycles, bytes));
            crc.AppendLine(line);
        }
        if (v2 && !ended) throw new InvalidDataException($"truncated: no end line after line {number} (the recording was cut short)");
        return entries;
    }

    private static string Shorten(string s) => s.Length <= 16 ? s : s[..16] + "...";

    // d, s, h, i; and in version 2 n or c followed by a virtio device index 0..31.
    private static bool IsKind(string k, bool v2)
    {
        if (k.Length == 1) return "dshi".Contains(k[0]);
        if (!v2 || k.Length is < 2 or > 3 || k[0] is not ('n' or 'c') || (k.Length == 3 && k[1] == '0')) return false;
        return int.TryParse(k.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n < 32;
    }

    /// <summary>The kind of the virtio-net (<c>n</c>) or virtio-console (<c>c</c>) device at index <paramref name="device"/>.</summary>
    public static string VirtioKind(char type, int device) => string.Intern(string.Create(CultureInfo.InvariantCulture, $"{type}{device}"));

    /// <summary>Writes each serial poll to the log as it completes (the next poll, or the end of the machine, completes it) and each virtio input as it arrives.</summary>
    internal sealed class Recorder(Stream stream)
    {
        private readonly StreamWriter _writer = new(stream, Encoding.Latin1, bufferSize: 4096, leaveOpen: true) { NewLine = "\n" };
        private readonly List<byte> _bytes = [];
        private readonly Crc32 _crc = new();
        private Entry? _open;
        private bool _finished;

        public void Start() => Write(Header);

        public void Polling(char kind, ulong key, ulong cycles)
        {
            Complete();
            _open = new Entry(kind.ToString(), key, cycles, []);
        }

        public void Received(byte b) => _bytes.Add(b);

        /// <summary>Logs one virtio input at once: a frame, or the console bytes of one input point.</summary>
        public void Virtio(string kind, ulong key, ulong cycles, ReadOnlySpan<byte> bytes) =>
            Write(string.Create(CultureInfo.InvariantCulture, $"{kind} {key} {cycles} {(bytes.IsEmpty ? "-" : Convert.ToHexString(bytes))}"));

        /// <summary>Writes the serial poll in progress.</summary>
        public void Complete()
        {
            if (_open is not { } e) return;
            _open = null;
            if (_bytes.Count == 0 && e.Kind is "d" or "h") return;
            string hex = _bytes.Count == 0 ? "-" : Convert.ToHexString(_bytes.ToArray());
            Write(string.Create(CultureInfo.InvariantCulture, $"{e.Kind} {e.Key} {e.Cycles} {hex}"));
            _bytes.Clear();
        }

        /// <summary>Completes the log with its end line; nothing is written after it.</summary>
        public void Finish()
        {
            if (_finished) return;
            Complete();
            _writer.WriteLine($"end {_crc.Value:x8}");
            _writer.Flush();
            _finished = true;
        }

        private void Write(string line)
        {
            if (_finished) return;
            _crc.AppendLine(line);
            _writer.WriteLine(line);
            _writer.Flush();
        }
    }

    /// <summary>Feeds each logged serial poll's bytes at the poll of the same kind and key; reports a run that went elsewhere.</summary>
    internal sealed class Replayer(List<Entry> entries)
    {
        private int _next;

        /// <summary>The index of the next entry (saved with the reverse debugger's snapshots).</summary>
        public int Position { get => _next; set => _next = value; }

        /// <summary>Whether logged polls remain (an idle machine then goes on instead of halting).</summary>
        public bool HasMore => _next < entries.Count;

        /// <summary>
        /// The instruction count of the next logged poll between instruction slices (<c>s</c>: where the recorded run
        /// started a <see cref="Machine.Run"/> call; <c>h</c>: between its slices), which the replay's slices must end at
        /// so that it polls there too, or <see cref="ulong.MaxValue"/>. Ending slices there (rather than counting on the
        /// replay's own slices to fall where the recording's did) lets a replay run in other steps than the recording
        /// did, such as the GDB stub's.
        /// </summary>
        public ulong NextHostPoll
        {
            get
            {
                for (int i = _next; i < entries.Count; i++)
                    if (entries[i].Kind is "s" or "h") return entries[i].Key;
                return ulong.MaxValue;
            }
        }

        /// <summary>The bytes to feed at this poll, null when the log has none for it, or a divergence message.</summary>
        public byte[]? Take(char kind, ulong key, ulong instructions, out string? diverged)
        {
            diverged = null;
            if (_next >= entries.Count) return null;
            var e = entries[_next];
            // s and h are both polls between slices at an instruction count: either stands for the other.
            if ((e.Kind[0] == kind || (e.Kind is "s" or "h" && kind is 's' or 'h')) && e.Key == key)
            {
                _next++;
                return e.Bytes;
            }
            // A host-side poll the run has passed without making it: the replay no longer follows the recording.
            if (e.Kind != "d" && e.Key < instructions)
                diverged = $"replay diverged: the log has an input poll ({e.Kind}) after {e.Key} instructions, this run is at {instructions}";
            return null;
        }
    }

    /// <summary>One virtio device's logged inputs, fed at its input points by ordinal.</summary>
    internal sealed class VirtioReplayer(string kind, List<Entry> entries)
    {
        private int _next;

        /// <summary>The index of the next entry (saved with the reverse debugger's snapshots).</summary>
        public int Position { get => _next; set => _next = value; }

        /// <summary>Hands each input logged for input point <paramref name="key"/> to <paramref name="feed"/>; a divergence message when the log's next input was due at an earlier point.</summary>
        public string? Take(ulong key, Action<byte[]> feed)
        {
            if (_next < entries.Count && entries[_next].Key < key)
                return $"replay diverged: the log has {kind} input at its input point {entries[_next].Key}, this run is at {key}";
            while (_next < entries.Count && entries[_next].Key == key) feed(entries[_next++].Bytes);
            return null;
        }
    }

    // CRC-32 (IEEE 802.3, reflected 0xEDB88320) over each line and its line feed.
    private sealed class Crc32
    {
        private static readonly uint[] Table = MakeTable();
        private uint _crc = 0xFFFFFFFF;

        public uint Value => ~_crc;

        public void AppendLine(string line)
        {
            foreach (char c in line) Append((byte)c);
            Append((byte)'\n');
        }

        private void Append(byte b) => _crc = Table[(_crc ^ b) & 0xFF] ^ (_crc >> 8);

        private static uint[] MakeTable()
        {
            var t = new uint[256];
            for (uint i = 0; i < 256; i++)
            {
                uint c = i;
                for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
                t[i] = c;
            }
            return t;
        }
    }
}
