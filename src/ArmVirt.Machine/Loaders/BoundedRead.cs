namespace ArmVirt.Machine.Loaders;

/// <summary>
/// Reads a stream that may not end (a device, a pipe, a decompressor fed a bomb) to its end, but no further than a
/// limit: the guest RAM its contents must fit in. Bytes are gathered in 1 MiB chunks rather than a doubling buffer, so
/// a refused input costs at most the limit plus one chunk of managed memory, and an accepted one its size twice
/// (the chunks and the result).
/// </summary>
internal static class BoundedRead
{
    private const int Chunk = 1 << 20;

    /// <summary>
    /// All of <paramref name="source"/>; <paramref name="tooLarge"/> is thrown as soon as it has given more than
    /// <paramref name="limit"/> bytes (at most <see cref="Array.MaxLength"/>).
    /// </summary>
    public static byte[] ToEnd(Stream source, long limit, Func<Exception> tooLarge)
    {
        limit = Math.Min(limit, Array.MaxLength);
        var chunks = new List<byte[]>();
        long total = 0;
        while (true)
        {
            var chunk = new byte[Chunk];
            int filled = 0, n;
            while (filled < Chunk && (n = source.Read(chunk, filled, Chunk - filled)) > 0)
            {
                filled += n;
                if (total + filled > limit) throw tooLarge();
            }
            if (filled == 0) break;
            chunks.Add(chunk);
            total += filled;
            if (filled < Chunk) break;
        }
        var result = new byte[total];
        long at = 0;
        foreach (var c in chunks)
        {
            int n = (int)Math.Min(c.Length, total - at);
            c.AsSpan(0, n).CopyTo(result.AsSpan((int)at));
            at += n;
        }
        return result;
    }
}
