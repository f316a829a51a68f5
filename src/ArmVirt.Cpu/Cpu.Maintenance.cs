using ArmVirt.Cpu.SystemRegisters;

namespace ArmVirt.Cpu;

public sealed partial class Cpu
{
    /// <summary>
    /// Raised by IC IALLUIS/IALLU/IVAU with the operation and, for IVAU, the physical address its VA translated to
    /// (0 otherwise), so that translated-code caches can drop what they hold.
    /// </summary>
    internal event Action<InstructionCacheOperation, ulong>? InstructionCacheMaintenance;

    /// <summary>Raised by every TLBI instruction; the MMU's TLB subscribes and invalidates.</summary>
    internal event Action<TlbInvalidation>? TlbMaintenance;

    /// <summary>Raised by SEV so that the machine can set the event register of every other PE.</summary>
    internal event Action<Cpu>? EventSignalled;

    /// <summary>
    /// Performs an AT instruction and returns the PAR_EL1 value. The default,
    /// <see cref="FlatAddressTranslation"/>, covers stage 1 and stage 2 disabled; the MMU replaces it.
    /// </summary>
    internal Func<Cpu, AtRequest, ulong> AddressTranslationHook { get; set; } = FlatAddressTranslation;

    /// <summary>
    /// Delivers an event from another PE's SEV (or a global monitor clear): sets the event register and ends a
    /// WFE wait. A WFI wait ends too, which the Arm ARM permits (a PE may leave low-power state spuriously).
    /// </summary>
    internal void SignalEvent()
    {
        EventRegister = true;
        if (IsWaiting)
        {
            IsWaiting = false;
            Pmu.Woke();
        }
    }

    /// <summary>
    /// Applies a TLB invalidation broadcast by another PE of the Inner Shareable domain (a TLBI ...IS, or one HCR_EL2.FB
    /// upgraded): this PE's TLB entries it names are dropped, with the issuer's VMID. The machine calls it for each other
    /// PE while this one is not running.
    /// </summary>
    internal void InvalidateTlbFromPeer(in TlbInvalidation op) => OnTlbInvalidation(op);

    /// <summary>
    /// Applies an instruction cache invalidation broadcast by another PE (IC IALLUIS, or IC IVAU, which reaches every PE
    /// of the Inner Shareable domain): <paramref name="pa"/> is the physical address the issuer's VA translated to.
    /// </summary>
    internal void InvalidateInstructionCacheFromPeer(InstructionCacheOperation op, ulong pa) => OnInstructionCacheInvalidate(op, pa);

    internal void OnInstructionCacheMaintenance(InstructionCacheOperation op, ulong va) => InstructionCacheMaintenance?.Invoke(op, va);

    internal void OnTlbMaintenance(in TlbInvalidation op) => TlbMaintenance?.Invoke(op);

    internal void OnEventSignalled() => EventSignalled?.Invoke(this);

    /// <summary>
    /// AT with the translation regime's stage 1 (and, for S12 forms, stage 2) disabled (AArch64.S1DisabledOutput):
    /// PA = VA, Device-nGnRnE (ATTR 0x00, SH = Outer Shareable) or, in the EL1&amp;0 regime with HCR_EL2.DC set,
    /// Normal Write-Back Non-shareable (ATTR 0xFF). A VA beyond the PA size gives PAR_EL1.F = 1 with an address
    /// size fault at level 0. When a stage is enabled the MMU is needed and the CPU stops with an explanation.
    /// </summary>
    internal static ulong FlatAddressTranslation(Cpu cpu, AtRequest request)
    {
        int regime = request.El <= 1 ? 1 : request.El;
        bool stage2 = request.IncludeStage2 && regime == 1 && (cpu.EffectiveHcr & HcrEl2.Vm) != 0;
        if ((cpu.Sys.Sctlr[regime] & SctlrEl1.M) != 0 || stage2)
            cpu.StopUnsupported($"AT with address translation enabled is not implemented yet; PC 0x{cpu.State.PC:x}");
        ulong va = request.Address;
        if ((va >> cpu.PhysicalAddressBits) != 0)
            return 1UL | (1UL << 11); // F = 1, FST = address size fault level 0 (0b000000), bit 11 RES1
        bool nonSecure = !cpu.Configuration.HasEl3 || (regime != 3 && (cpu.Sys.Scr & ScrEl3.Ns) != 0);
        bool normal = regime == 1 && (cpu.EffectiveHcr & HcrEl2.Dc) != 0;
        ulong attr = normal ? 0xFFUL : 0x00UL;
        ulong sh = normal ? 0b00UL : 0b10UL;
        return (attr << 56) | (va & 0x000F_FFFF_FFFF_F000UL) | (nonSecure ? 1UL << 9 : 0) | (sh << 7);
    }
}
