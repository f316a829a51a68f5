namespace ArmVirt.Timer;

/// <summary>
/// The system counter (Arm ARM D11.1.2 "The system counter"): a count derived from virtual CPU cycles, never from
/// the host clock. With the defaults (1 GHz CPU, 62.5 MHz counter) one tick is 16 cycles.
/// </summary>
internal sealed class SystemCounter
{
    /// <summary>Creates a counter ticking at <paramref name="frequencyHz"/> for a CPU clocked at <paramref name="cpuFrequencyHz"/>.</summary>
    public SystemCounter(ulong cpuFrequencyHz = 1_000_000_000, ulong frequencyHz = 62_500_000)
    {
        if (frequencyHz == 0 || cpuFrequencyHz == 0) throw new ArgumentOutOfRangeException(nameof(frequencyHz));
        if (frequencyHz > cpuFrequencyHz) throw new ArgumentOutOfRangeException(nameof(frequencyHz), "The counter cannot tick faster than the CPU clock.");
        CpuFrequencyHz = cpuFrequencyHz;
        FrequencyHz = frequencyHz;
    }

    /// <summary>Counter frequency (the value firmware programs into CNTFRQ_EL0).</summary>
    public ulong FrequencyHz { get; }

    /// <summary>CPU cycles per second of virtual time.</summary>
    public ulong CpuFrequencyHz { get; }

    /// <summary>The count at virtual time <paramref name="cycles"/>.</summary>
    public ulong CountAt(ulong cycles) => (ulong)((UInt128)cycles * FrequencyHz / CpuFrequencyHz);

    /// <summary>The first cycle at which the count is at least <paramref name="count"/> (saturating).</summary>
    public ulong FirstCycleAtCount(ulong count)
    {
        UInt128 c = ((UInt128)count * CpuFrequencyHz + FrequencyHz - 1) / FrequencyHz;
        return c > ulong.MaxValue ? ulong.MaxValue : (ulong)c;
    }
}
