namespace ArmVirt.Mmu;

/// <summary>
/// An MMU fault (shared/translation/faults FaultRecord): what went wrong, at which level and stage, and the
/// addresses the syndrome registers need. Build ESR_ELx.ISS from <see cref="FaultStatusCode"/>,
/// <see cref="S1Ptw"/> (ISS[7]) and <see cref="IsWrite"/> (WnR); FAR_ELx is the faulting VA; for a stage 2 fault
/// HPFAR_EL2 is <see cref="Hpfar"/>. A stage 2 fault (including S1PTW) is taken to EL2.
/// </summary>
internal readonly struct TranslationFault
{
    /// <summary>Creates a fault record.</summary>
    public TranslationFault(FaultKind kind, int level, int stage, bool s1Ptw, ulong ipa, bool isWrite, int domain = 0)
    {
        Domain = (byte)domain;
        Kind = kind;
        Level = (sbyte)level;
        Stage = (byte)stage;
        S1Ptw = s1Ptw;
        Ipa = ipa;
        IsWrite = isWrite;
    }

    /// <summary>The fault kind; <see cref="FaultKind.None"/> when there is no fault.</summary>
    public FaultKind Kind { get; }

    /// <summary>The lookup level (0-3) for translation, access flag, permission, address size and walk faults.</summary>
    public int Level { get; }

    /// <summary>1 for a stage 1 fault, 2 for a stage 2 fault.</summary>
    public int Stage { get; }

    /// <summary>True for a stage 2 fault on the stage 1 translation table walk (ESR.ISS.S1PTW, PAR.PTW).</summary>
    public bool S1Ptw { get; }

    /// <summary>
    /// For a stage 2 fault: the faulting IPA (the descriptor's IPA when <see cref="S1Ptw"/>), the value HPFAR_EL2
    /// reports. Otherwise 0.
    /// </summary>
    public ulong Ipa { get; }

    /// <summary>True when the faulting access was a write (for S1PTW faults: false, walks only read).</summary>
    public bool IsWrite { get; }

    /// <summary>
    /// The domain (0-15) of a VMSAv8-32 short-descriptor stage 1 fault, which the short-format DFSR/IFSR report; 0
    /// otherwise.
    /// </summary>
    public int Domain { get; }

    /// <summary>True when this record holds a fault.</summary>
    public bool IsFault => Kind != FaultKind.None;

    /// <summary>True for a stage 2 fault (routed to EL2, HPFAR_EL2 valid).</summary>
    public bool IsStage2 => Stage == 2;

    /// <summary>
    /// The 6-bit DFSC/IFSC value (Arm ARM D24.2.? ESR_ELx, ISS encoding for an exception from a Data/Instruction
    /// Abort): 0b0000LL address size, 0b0001LL translation, 0b0010LL access flag, 0b0011LL permission, 0b0101LL
    /// synchronous external abort on walk, 0b100001 alignment.
    /// </summary>
    public uint FaultStatusCode => Kind switch
    {
        FaultKind.AddressSize => 0b000000u | (uint)(Level & 3),
        FaultKind.Translation => 0b000100u | (uint)(Level & 3),
        FaultKind.AccessFlag => 0b001000u | (uint)(Level & 3),
        FaultKind.Permission => 0b001100u | (uint)(Level & 3),
        FaultKind.SyncExternalOnWalk => 0b010100u | (uint)(Level & 3),
        FaultKind.Alignment => 0b100001u,
        FaultKind.Domain => Level == 1 ? 0b111101u : 0b111110u, // section / page domain fault (AArch32 stage 1)
        _ => 0u,
    };

    /// <summary>
    /// The VMSAv8-32 short-descriptor fault status FS[4:0] (DFSR/IFSR FS[4] in bit 10, FS[3:0] in bits 3..0; PAR.FS) of
    /// a fault given by its 6-bit long-format/AArch64 code (AArch32.CommonFaultStatus, EncodeSDFSC): translation,
    /// access flag, permission and walk external aborts by level (1: section, 2: page), domain, alignment, debug,
    /// asynchronous and synchronous External aborts.
    /// </summary>
    public static uint ShortDescriptorFaultStatus(uint fsc)
    {
        uint level = fsc & 3;
        return (fsc & 0x3C) switch
        {
            0b000100 => level == 1 ? 0b00101u : 0b00111u, // translation, section / page
            0b001000 => level == 1 ? 0b00011u : 0b00110u, // access flag
            0b001100 => level == 1 ? 0b01101u : 0b01111u, // permission
            0b010100 => level == 1 ? 0b01100u : 0b01110u, // synchronous External abort on a walk
            _ => fsc switch
            {
                0b111101 => 0b01001u, // section domain
                0b111110 => 0b01011u, // page domain
                0b100001 => 0b00001u, // alignment
                0b100010 => 0b00010u, // debug event
                0b010001 => 0b10110u, // asynchronous External abort
                0b110100 => 0b10100u, // IMPLEMENTATION DEFINED (lockdown)
                _ => 0b01000u,        // synchronous External abort
            },
        };
    }

    /// <summary>
    /// ESR_ELx.ISS of the Data Abort for this fault with ISV = 0: DFSC [5:0], WnR [6] (always 1 for cache
    /// maintenance), S1PTW [7], CM [8]. FnV and EA are 0.
    /// </summary>
    public uint DataAbortIss(bool cacheMaintenance)
        => FaultStatusCode
           | (IsWrite || cacheMaintenance ? 1u << 6 : 0)
           | (S1Ptw ? 1u << 7 : 0)
           | (cacheMaintenance ? 1u << 8 : 0);

    /// <summary>ESR_ELx.ISS of the Instruction Abort for this fault: IFSC [5:0], S1PTW [7].</summary>
    public uint InstructionAbortIss => FaultStatusCode | (S1Ptw ? 1u << 7 : 0);

    /// <summary>
    /// HPFAR_EL2 for a stage 2 fault: FIPA (IPA[47:12]) in bits [39:4]. Zero for a stage 1 fault.
    /// </summary>
    public ulong Hpfar => Stage == 2 ? ((Ipa & 0x0000_FFFF_FFFF_F000UL) >> 12) << 4 : 0;

    /// <summary>
    /// False for a Synchronous External abort on a walk: an AT instruction does not record it in PAR_EL1 but takes
    /// a Data Abort instead (PAR_EL1 "Exceptions to reporting the fault in PAR_EL1").
    /// </summary>
    public bool ReportableInPar => Kind != FaultKind.SyncExternalOnWalk;

    /// <inheritdoc />
    public override string ToString() => IsFault
        ? $"{Kind} fault, stage {Stage}, level {Level}{(S1Ptw ? ", S1PTW" : "")}, FSC 0x{FaultStatusCode:x2}"
        : "no fault";
}
