namespace ArmVirt.Mmu;

/// <summary>
/// A per-CPU address translation unit: the full two-stage translation (AArch64.FullTranslate) and a soft TLB in
/// front of it.
/// </summary>
/// <remarks>
/// How the CPU uses it:
/// <list type="bullet">
/// <item>Build a <see cref="TranslationControl"/> for the access's regime (cache it; rebuild after an MSR to a
/// register it holds, an exception entry/return or a PSTATE.PAN change).</item>
/// <item>Check the alignment rules that do not depend on the memory type (SCTLR.A, exclusives, atomics) first,
/// then call <see cref="TranslateCached"/> with <c>unaligned</c> set when the access is not aligned to its size
/// (or for DC ZVA, which faults on any Device memory), so Device memory gives an alignment fault.</item>
/// <item>On a fault, build ESR from <see cref="TranslationFault.FaultStatusCode"/>, S1PTW and WnR; a stage 2 fault
/// goes to EL2 with HPFAR_EL2 = <see cref="TranslationFault.Hpfar"/>.</item>
/// <item>AT instructions call <see cref="Translate(in TranslationControl, ulong, AccessType, bool, bool)"/> (no TLB fill) with <see cref="AccessType.AtInstruction"/>,
/// <c>stage1Only</c> for the ATS1* forms, and write <see cref="ParEl1.Format"/> to PAR_EL1.</item>
/// <item>TLBI instructions call <see cref="Tlb.Invalidate(TlbiOperation, ulong, ushort)"/>.</item>
/// </list>
/// </remarks>
internal sealed class AddressTranslator
{
    /// <summary>Creates a translator over <paramref name="memory"/> with a TLB of <paramref name="tlbEntries"/> entries.</summary>
    public AddressTranslator(IPhysicalMemory memory, int tlbEntries = Tlb.DefaultEntries)
    {
        Memory = memory;
        Tlb = new Tlb(memory, tlbEntries);
    }

    /// <summary>The memory the tables are read from.</summary>
    public IPhysicalMemory Memory { get; }

    /// <summary>The soft TLB filled by <see cref="TranslateCached"/>.</summary>
    public Tlb Tlb { get; }

    /// <summary>Walks made by <see cref="TranslateCached"/> because the TLB did not answer (statistics).</summary>
    public long Walks { get; private set; }

    /// <summary>Translates through the TLB: a hit whose rights allow the access returns without walking.</summary>
    public TranslationResult TranslateCached(in TranslationControl control, ulong va, AccessType access, bool unaligned = false)
    {
        ulong context = control.TlbContext;
        ref readonly TlbEntry e = ref Tlb.Lookup(va, context);
        if (!System.Runtime.CompilerServices.Unsafe.IsNullRef(in e)
            && PermissionCheck.For(in control, access).Allows(e.Permissions)
            && !(unaligned && (access & AccessType.Execute) == 0 && e.Attributes.IsDevice))
            return e.ToResult(va);
        Walks++;
        var r = Translate(in control, Memory, va, access, unaligned);
        if (!r.IsFault) Tlb.Insert(va, context, in r);
        return r;
    }

    /// <summary>Translates by walking the tables (no TLB lookup or fill).</summary>
    public TranslationResult Translate(in TranslationControl control, ulong va, AccessType access, bool unaligned = false, bool stage1Only = false)
        => Translate(in control, Memory, va, access, unaligned, stage1Only);

    /// <summary>
    /// AArch64.FullTranslate: stage 1 (walk, or the flat map when disabled), an alignment fault for an unaligned
    /// data access to Device memory, the stage 1 permission check, then stage 2 when enabled (unless
    /// <paramref name="stage1Only"/>, as for AT S1E*: the result is then the IPA; stage 1 walks still go through
    /// stage 2) and the stage 1 + stage 2 attribute combination.
    /// </summary>
    public static TranslationResult Translate(in TranslationControl control, IPhysicalMemory memory, ulong va, AccessType access,
        bool unaligned = false, bool stage1Only = false)
    {
        bool exec = (access & AccessType.Execute) != 0;
        bool write = (access & AccessType.Write) != 0;
        bool s1Enabled = control.Stage1Enabled;
        StageWalk s1 = s1Enabled
            ? Stage1Walker.Walk(in control, memory, va, access)
            : Stage1Walker.Disabled(in control, va, access);
        if (s1.IsFault) return new TranslationResult(va, s1.Fault);
        if (unaligned && !exec && s1.Attributes.IsDevice)
            return new TranslationResult(va, new TranslationFault(FaultKind.Alignment, 0, 1, false, 0, write));
        if (s1Enabled && !PermissionCheck.For(in control, access).Allows(s1.Permissions))
            return new TranslationResult(va, new TranslationFault(FaultKind.Permission, s1.Level, 1, false, 0, write, s1.Domain));

        ulong ipa = s1.OutputAddress;
        if (!control.Stage2Enabled || stage1Only)
            return new TranslationResult(va, ipa, ipa, s1.Attributes, s1.Permissions, s1.BlockShift, 0, s1.Global, s1.NonSecure);

        var s2 = Stage2Walker.Translate(in control, memory, ipa, access, unaligned);
        if (s2.IsFault) return new TranslationResult(va, s2.Fault);
        var attrs = MemoryAttributes.CombineS1S2(s1.Attributes, s2.Attributes);
        return new TranslationResult(va, ipa, s2.OutputAddress, attrs, s1.Permissions & s2.Permissions,
            s1.BlockShift, s2.BlockShift, s1.Global, s1.NonSecure);
    }
}
