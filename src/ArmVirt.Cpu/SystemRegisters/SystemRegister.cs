namespace ArmVirt.Cpu.SystemRegisters;

/// <summary>
/// One system register or system instruction, addressed by (op0, op1, CRn, CRm, op2). Devices outside the
/// CPU (the generic timer, a GICv3 CPU interface) add their registers through <see cref="SystemRegisterTable.Add"/>.
/// </summary>
internal sealed class SystemRegister
{
    /// <summary>Declares a register.</summary>
    /// <param name="name">Arm ARM name, e.g. "SCTLR_EL1".</param>
    /// <param name="op0">op0 field.</param>
    /// <param name="op1">op1 field.</param>
    /// <param name="crn">CRn field.</param>
    /// <param name="crm">CRm field.</param>
    /// <param name="op2">op2 field.</param>
    /// <param name="read">Read behaviour, null when write-only.</param>
    /// <param name="write">Write behaviour, null when read-only.</param>
    /// <param name="check">Access check for the current state, null when only the minimum EL matters.</param>
    /// <param name="minEl">Lowest EL at which the register is accessible at all.</param>
    public SystemRegister(string name, int op0, int op1, int crn, int crm, int op2,
        Func<Cpu, ulong>? read, Action<Cpu, ulong>? write, Func<Cpu, bool, SystemRegisterAccess>? check = null, int minEl = 1)
    {
        Name = name;
        Key = EncodeKey(op0, op1, crn, crm, op2);
        Read = read;
        Write = write;
        Check = check;
        MinEl = minEl;
    }

    /// <summary>
    /// The same register (encoding, access check, minimum EL, <see cref="ChangesTranslation"/>) with other read and write
    /// behaviour, for a machine that wraps a device's registers (for instance in a lock).
    /// </summary>
    public SystemRegister WithBehaviour(Func<Cpu, ulong>? read, Action<Cpu, ulong>? write) =>
        new(Name, Key, read, write, Check, MinEl) { ChangesTranslation = ChangesTranslation };

    private SystemRegister(string name, int key, Func<Cpu, ulong>? read, Action<Cpu, ulong>? write,
        Func<Cpu, bool, SystemRegisterAccess>? check, int minEl)
    {
        Name = name;
        Key = key;
        Read = read;
        Write = write;
        Check = check;
        MinEl = minEl;
    }

    /// <summary>Register name.</summary>
    public string Name { get; }

    /// <summary>op0:op1:CRn:CRm:op2 packed as in instruction bits 20..5.</summary>
    public int Key { get; }

    /// <summary>Read behaviour.</summary>
    public Func<Cpu, ulong>? Read { get; }

    /// <summary>Write behaviour.</summary>
    public Action<Cpu, ulong>? Write { get; }

    /// <summary>Access check; the second argument is true for a write.</summary>
    public Func<Cpu, bool, SystemRegisterAccess>? Check { get; }

    /// <summary>Lowest exception level with access.</summary>
    public int MinEl { get; }

    /// <summary>
    /// True when a write can change what the current translation regime reads (Cpu.TranslationControlFor: SCTLR_ELx,
    /// TCR_ELx, TTBRn_ELx, MAIR_ELx, HCR_EL2, VTCR_EL2, VTTBR_EL2, SCR_EL3, and for an AArch32 EL1 CONTEXTIDR_EL1 and
    /// DACR32_EL2) or PSTATE.PAN: MSR then drops the CPU's
    /// cached regime. Every other MSR (ELR, SPSR, ESR, FAR, VBAR, TPIDR, the timer's and the GIC's registers, DC, IC,
    /// TLBI, AT ...) leaves it, so that a KVM world switch saving and restoring dozens of registers does not rebuild
    /// it for each. A register added from outside the CPU whose write reaches those registers must set this.
    /// </summary>
    public bool ChangesTranslation { get; init; }

    /// <summary>Packs the encoding fields the way MRS/MSR hold them in bits 20..5.</summary>
    public static int EncodeKey(int op0, int op1, int crn, int crm, int op2) =>
        (op0 << 14) | (op1 << 11) | (crn << 7) | (crm << 3) | op2;

    /// <summary>The key of the register an MRS/MSR/SYS instruction addresses.</summary>
    public static int KeyOf(uint insn) => (int)((insn >> 5) & 0xFFFF);
}
