namespace ArmVirt.Cpu.Pmu;

/// <summary>
/// The common architectural and microarchitectural events this PMU counts (Arm ARM D7.10 "The PMU event number
/// space and common events", numbers from the "Common event numbers" table). Other event numbers are accepted in
/// PMEVTYPER&lt;n&gt;_EL0.evtCount and count nothing, as the Arm ARM allows for events PMCEID0/1_EL0 do not list.
/// </summary>
internal enum PmuEvent
{
    /// <summary>Incremented by a write of 1 to its bit of PMSWINC_EL0.</summary>
    SwIncr = 0x00,
    /// <summary>Instruction fetches that missed the TLB and walked the translation tables.</summary>
    L1iTlbRefill = 0x02,
    /// <summary>Data accesses that missed the TLB and walked the translation tables.</summary>
    L1dTlbRefill = 0x05,
    /// <summary>Load instructions architecturally executed (atomics and compare-and-swap count as loads too).</summary>
    LdRetired = 0x06,
    /// <summary>Store instructions architecturally executed (atomics, compare-and-swap and DC ZVA count as stores).</summary>
    StRetired = 0x07,
    /// <summary>
    /// Instructions architecturally executed: not one that faulted, was UNDEFINED or was trapped (SVC, HVC and SMC
    /// count), although the CPU's own instruction count includes those.
    /// </summary>
    InstRetired = 0x08,
    /// <summary>Exceptions taken.</summary>
    ExcTaken = 0x09,
    /// <summary>Exception returns (ERET) architecturally executed.</summary>
    ExcReturn = 0x0A,
    /// <summary>
    /// Branches mispredicted or not predicted, by the timing model's <see cref="Timing.BranchPredictor"/>; not counted,
    /// and not listed in PMCEID0_EL0, under the flat model.
    /// </summary>
    BrMisPred = 0x10,
    /// <summary>Processor cycles.</summary>
    CpuCycles = 0x11,
    /// <summary>Predictable branches executed (every B, BL, B.cond, CBZ/CBNZ, TBZ/TBNZ, BR, BLR, RET), as <see cref="BrMisPred"/>.</summary>
    BrPred = 0x12,
    /// <summary>Data memory accesses: one per load and one per store of <see cref="LdRetired"/> and <see cref="StRetired"/>.</summary>
    MemAccess = 0x13,
    /// <summary>Operations speculatively executed: with no speculation, the instructions executed.</summary>
    InstSpec = 0x1B,
    /// <summary>On an odd counter: one per overflow of the even counter below it.</summary>
    Chain = 0x1E,
    /// <summary>Branch instructions architecturally executed, taken or not (B, BL, B.cond, CBZ/CBNZ, TBZ/TBNZ, BR, BLR, RET, ERET).</summary>
    BrRetired = 0x21,
}
