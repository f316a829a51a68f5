using System.Globalization;
using System.Text;

namespace ArmVirt.Machine;

/// <summary>
/// The serial input log of <see cref="Machine.RecordSerialInput"/> and <see cref="Machine.ReplaySerialInput"/>. Host input
/// enters the guest only at the PL011's input polls; a poll is one of
/// <list type="bullet">
/// <item><c>d</c>: a deterministic poll, the guest reading UARTFR or the machine's virtual-time poll event, which every
/// run with the same input makes at the same point: named by its ordinal among such polls;</item>
/// <item><c>s</c>: the first poll of a <see cref="Machine.Run"/> call (the host decided when to run);</item>
/// <item><c>h</c>: a poll between the instruction slices of a run;</item>
/// <item><c>i</c>: the poll after an idle machine waited for host input;</item>
/// </list>
/// the last three named by the instructions the machine had retired. The file is the line <c>armvirt-serial-input 1</c>,
/// then one line <c>KIND KEY CYCLES HEX</c> per <c>s</c> and <c>i</c> poll and per <c>d</c> and <c>h</c> poll that
/// delivered bytes: the key, the virtual time (cycles) and the bytes that entered the receive FIFO (<c>-</c> for none).
/// Replay makes the same <c>s</c> polls by ending its slices at their instruction counts, and feeds each poll's bytes
/// at the poll of the same kind and key.
/// </summary>
internal static class SerialInputLog
{
    public const string Header = "armvirt-serial-input 1";

    /// <summary>One logged poll.</summary>
    public sealed record Entry(char Kind, ulong Key, ulong Cycles, byte[] Bytes);

    private const int MaxLine = 4096;

    /// <summary>Parses a log, treating it as untrusted: each line checked, keys in order.</summary>
    public static List<Entry> Read(Stream stream)
    {
        var entries = new List<Entry>();
        using var reader = new StreamReader(stream, Encoding.ASCII, detectEncodingFromByteOrderMarks: false, bufferSize: 4096, leaveOpen: true);
        if (reader.ReadLine() != Header) throw new InvalidDataException($"not a serial input log (the first line is not '{Header}')");
        int number = 1;
        ulong lastHost = 0, lastDevice = 0;
        bool anyDevice = false;
        for (string? line; (line = reader.ReadLine()) != null;)
        {
            number++;
            if (line.Length > MaxLine) throw new InvalidDataException($"line {number}: too long");
            string[] f = line.Split(' ');
            if (f.Length != 4 || f[0].Length != 1 || !"dshi".Contains(f[0][0])
                || !ulong.TryParse(f[1], NumberStyles.None, CultureInfo.InvariantCulture, out ulong key)
                || !ulong.TryParse(f[2], NumberStyles.None, CultureInfo.InvariantCulture, out ulong cycles))
                throw new InvalidDataException($"line {number}: expected KIND (d, s, h or i) KEY CYCLES HEX");
            char kind = f[0][0];
            if (kind == 'd' ? anyDevice && key <= lastDevice : key < lastHost)
                throw new InvalidDataException($"line {number}: {kind} poll {key} out of order");
            byte[] bytes;
            try { bytes = f[3] == "-" ? [] : Convert.FromHexString(f[3]); }
            catch (FormatException) { throw new InvalidDataException($"line {number}: '{f[3]}' is not hexadecimal bytes"); }
            if (kind == 'd') { lastDevice = key; anyDevice = true; }
            else lastHost = key;
            entries.Add(new Entry(kind, key, cycles, bytes));
        }
        return entries;
    }

    /// <summary>Writes each poll to log as it completes (the next poll, or the end of the machine, completes it).</summary>
    internal sealed class Recorder(Stream stream)
    {
        private readonly StreamWriter _writer = new(stream, Encoding.ASCII, bufferSize: 4096, leaveOpen: true) { NewLine = "\n" };
        private readonly List<byte> _bytes = [];
        private Entry? _open;

        public void Start()
        {
            _writer.WriteLine(Header);
            _writer.Flush();
        }

        public void Polling(char kind, ulong key, ulong cycles)
        {
            Complete();
            _open = new Entry(kind, key, cycles, []);
        }

        public void Received(byte b) => _bytes.Add(b);

        public void Complete()
        {
            if (_open is not { } e) return;
            _open = null;
            if (_bytes.Count == 0 && e.Kind is 'd' or 'h') return;
            string hex = _bytes.Count == 0 ? "-" : Convert.ToHexString(_bytes.ToArray());
            _writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{e.Kind} {e.Key} {e.Cycles} {hex}"));
            _writer.Flush();
            _bytes.Clear();
        }
    }

    /// <summary>Feeds each logged poll's bytes at the poll of the same kind and key; reports a run that went elsewhere.</summary>
    internal sealed class Replayer(List<Entry> entries)
    {
        private int _next;

        /// <summary>Whether logged polls remain (an idle machine then goes on instead of halting).</summary>
        public bool HasMore => _next < entries.Count;

        /// <summary>
        /// The instruction count of the next logged <c>s</c> poll (where the recorded run started a <see cref="Machine.Run"/>
        /// call), which the replay's slices must end at, or <see cref="ulong.MaxValue"/>.
        /// </summary>
        public ulong NextStart
        {
            get
            {
                for (int i = _next; i < entries.Count; i++)
                    if (entries[i].Kind == 's') return entries[i].Key;
                return ulong.MaxValue;
            }
        }

        /// <summary>The bytes to feed at this poll, null when the log has none for it, or a divergence message.</summary>
        public byte[]? Take(char kind, ulong key, ulong instructions, out string? diverged)
        {
            diverged = null;
            if (_next >= entries.Count) return null;
            var e = entries[_next];
            if (e.Kind == kind && e.Key == key)
            {
                _next++;
                return e.Bytes;
            }
            // A host-side poll the run has passed without making it: the replay no longer follows the recording.
            if (e.Kind != 'd' && e.Key < instructions)
                diverged = $"replay diverged: the log has an input poll ({e.Kind}) after {e.Key} instructions, this run is at {instructions}";
            return null;
        }
    }
}
