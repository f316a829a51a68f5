namespace ArmVirt.Cpu.Jit;

/// <summary>Compiled code and the region entry index it is entered at (see <see cref="TranslationBlock.Compiled"/>).</summary>
internal sealed class CompiledCode(Action<Cpu> code, int entry, bool region = false)
{
    /// <summary>True for a compiled region's code (which charges a timing model's cycles itself: Cpu.Timing.cs).</summary>
    public readonly bool IsRegion = region;

    /// <summary>The code.</summary>
    public readonly Action<Cpu> Code = code;

    /// <summary>The entry index passed in <c>Cpu.JitRegionEntry</c>.</summary>
    public readonly int Entry = entry;
}
