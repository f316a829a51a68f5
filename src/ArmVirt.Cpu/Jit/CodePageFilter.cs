using System.Runtime.CompilerServices;

namespace ArmVirt.Cpu.Jit;

/// <summary>
/// Physical pages that may hold translated code, counted by page number modulo <see cref="Size"/>: a zero count proves
/// that a written page holds none without a dictionary lookup, which every guest store to RAM asks. Each
/// <see cref="TranslationCache"/> keeps one for its own pages; the PEs of an <see cref="InnerShareableDomain"/> share one
/// more that sums theirs, so that no PE's store fast path (host TLB write tags, the interpreter's RAM pointer) covers a
/// page holding any PE's code, and a store there reaches every PE's cache.
/// </summary>
internal sealed class CodePageFilter
{
    internal const int Size = 1 << 16;
    private readonly int[] _counts = new int[Size];

    /// <summary>False when the page holding physical address <paramref name="pa"/> surely holds no translated code.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool MayHoldCode(ulong pa) => _counts[Slot(pa / TranslationBlock.PageSize)] != 0;

    /// <summary>The same for a page number (physical address / <see cref="TranslationBlock.PageSize"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal bool MayHoldPage(ulong page) => _counts[Slot(page)] != 0;

    /// <summary>
    /// True for the filter of a parallel domain (<see cref="InnerShareableDomain.Parallel"/>), which PEs on several host
    /// threads change at once: its counts then change with interlocked operations.
    /// </summary>
    internal bool Concurrent { get; set; }

    internal void AddPage(ulong page)
    {
        if (Concurrent) Interlocked.Increment(ref _counts[Slot(page)]);
        else _counts[Slot(page)]++;
    }

    internal void RemovePage(ulong page)
    {
        if (Concurrent) Interlocked.Decrement(ref _counts[Slot(page)]);
        else _counts[Slot(page)]--;
    }

    internal void Clear() => Array.Clear(_counts);

    // The shared filter gains (sign 1) or loses (sign -1) every count of one member's filter.
    internal void Merge(CodePageFilter member, int sign)
    {
        for (int i = 0; i < Size; i++)
        {
            int n = member._counts[i];
            if (n == 0) continue;
            if (Concurrent) Interlocked.Add(ref _counts[i], sign * n);
            else _counts[i] += sign * n;
        }
    }

    private static int Slot(ulong page) => (int)(page & (Size - 1));
}
