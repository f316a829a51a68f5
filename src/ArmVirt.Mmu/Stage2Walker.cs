using static ArmVirt.Mmu.TranslationGeometry;

namespace ArmVirt.Mmu;

/// <summary>
/// Stage 2 of the EL1&amp;0 regime (AArch64.S2Translate, AArch64.S2Walk): VTCR_EL2 T0SZ/SL0/TG0/PS with the
/// start-level consistency checks, concatenated initial tables, S2AP/XN rights, MemAttr attributes, address
/// size, translation, access flag and permission faults (all reported as stage 2, with the IPA for HPFAR_EL2).
/// </summary>
internal static class Stage2Walker
{
    /// <summary>Walks the stage 2 tables for <paramref name="ipa"/> without checking rights.</summary>
    /// <param name="c">The control snapshot (VTCR_EL2, VTTBR_EL2, PAMax).</param>
    /// <param name="memory">Physical memory holding the tables.</param>
    /// <param name="ipa">The intermediate physical address.</param>
    /// <param name="s1Ptw">True when translating a stage 1 descriptor address (faults carry S1PTW).</param>
    /// <param name="write">Whether the access is a write (recorded in the fault).</param>
    public static StageWalk Walk(in TranslationControl c, IPhysicalMemory memory, ulong ipa, bool s1Ptw, bool write)
    {
        ulong vtcr = c.Vtcr;
        int tsz = (int)(vtcr & 0x3F);
        uint sl0 = (uint)(vtcr >> 6) & 3;
        int g = (int)c.DecodeGranule((uint)(vtcr >> 14) & 3, tg1: false);
        int paMax = c.PaBits;
        int outputSize = TranslationControl.DecodePhysicalSize((uint)(vtcr >> 16) & 7, paMax);
        int inputSize = 64 - tsz;

        // AArch64.S2TxSZFaults, AArch64.S2InvalidSL, AArch64.S2InconsistentSL: a VTCR_EL2 that cannot start a walk
        // gives a level 0 translation fault, as does an IPA beyond the input size. An input size above the output
        // size (VTCR_EL2.PS capped at PAMax) is CONSTRAINED UNPREDICTABLE; like QEMU we fault.
        if (tsz < 16 || tsz > 39 || inputSize > outputSize || sl0 == 3) return Fault(FaultKind.Translation, 0, ipa, s1Ptw, write);
        int start = g == 12 ? 2 - (int)sl0 : 3 - (int)sl0;
        int stride = g - 3;
        int minInput = (3 - start) * stride + g + 1;
        int maxInput = minInput + (stride - 1) + 4; // one more stride, or up to 16 concatenated tables
        if (inputSize < minInput || inputSize > maxInput) return Fault(FaultKind.Translation, 0, ipa, s1Ptw, write);
        // Starting at level 0 (4K) or level 1 (16K, 64K) needs a large enough output size.
        if ((g == 12 && start == 0 && outputSize < 44) || (g == 14 && start == 1 && outputSize < 42) || (g == 16 && start == 1 && outputSize < 44))
            return Fault(FaultKind.Translation, 0, ipa, s1Ptw, write);
        if ((ipa >> inputSize) != 0) return Fault(FaultKind.Translation, 0, ipa, s1Ptw, write);

        ulong baseRegister = c.Vttbr & 0x0000_FFFF_FFFF_FFFEUL;
        if ((baseRegister >> outputSize) != 0) return Fault(FaultKind.AddressSize, 0, ipa, s1Ptw, write);
        ulong table = baseRegister & ~((1UL << BaseLowBit(inputSize, start, g, c.El2Aarch32)) - 1);
        ulong granuleMask = ~((1UL << g) - 1);

        for (int level = start; ; level++)
        {
            ulong descPa = table | (Index(ipa, level, start, inputSize, g) << 3);
            if (!memory.TryReadDescriptor(descPa, out ulong desc))
                return Fault(FaultKind.SyncExternalOnWalk, level, ipa, s1Ptw, write);
            if ((desc & 1) == 0) return Fault(FaultKind.Translation, level, ipa, s1Ptw, write);
            if ((desc & 2) != 0 && level < 3)
            {
                ulong next = desc & AddressMask & granuleMask;
                if ((next >> outputSize) != 0) return Fault(FaultKind.AddressSize, level, ipa, s1Ptw, write);
                table = next;
                continue;
            }
            if (level == 3 ? (desc & 2) == 0 : !BlockAllowed(level, g))
                return Fault(FaultKind.Translation, level, ipa, s1Ptw, write);
            int blockShift = LevelShift(level, g);
            ulong oa = desc & AddressMask & ~((1UL << blockShift) - 1);
            if ((oa >> outputSize) != 0) return Fault(FaultKind.AddressSize, level, ipa, s1Ptw, write);
            if ((desc & (1UL << 10)) == 0) return Fault(FaultKind.AccessFlag, level, ipa, s1Ptw, write);

            // S2AP[0] (bit 6) read, S2AP[1] (bit 7) write, XN (bit 54). Stage 2 rights apply equally to EL0 and
            // EL1; PanBlocked is kept so that combining with stage 1 preserves stage 1's PAN mark.
            var perms = TlbPermissions.PanBlocked;
            if ((desc & (1UL << 6)) != 0) perms |= TlbPermissions.PrivRead | TlbPermissions.UserRead;
            if ((desc & (1UL << 7)) != 0) perms |= TlbPermissions.PrivWrite | TlbPermissions.UserWrite;
            if ((desc & (1UL << 54)) == 0) perms |= TlbPermissions.PrivExec | TlbPermissions.UserExec;
            var attrs = MemoryAttributes.FromStage2((uint)(desc >> 2) & 0xF, DecodeShareability(desc >> 8));
            return new StageWalk(oa | (ipa & ((1UL << blockShift) - 1)), level, blockShift, attrs, perms, true, true);
        }
    }

    /// <summary>
    /// AArch64.S2Translate for a data access or fetch: the walk, then an alignment fault for an unaligned data
    /// access to stage 2 Device memory, then the stage 2 permission check (cache maintenance needs no rights
    /// unless it writes).
    /// </summary>
    public static StageWalk Translate(in TranslationControl c, IPhysicalMemory memory, ulong ipa, AccessType access, bool unaligned)
    {
        bool write = (access & AccessType.Write) != 0;
        bool exec = (access & AccessType.Execute) != 0;
        var w = Walk(in c, memory, ipa, false, write);
        if (w.IsFault) return w;
        if (unaligned && !exec && w.Attributes.IsDevice) return Fault(FaultKind.Alignment, w.Level, ipa, false, write);
        TlbPermissions need = exec ? TlbPermissions.PrivExec
            : write ? TlbPermissions.PrivWrite
            : (access & AccessType.CacheMaintenance) != 0 ? TlbPermissions.None
            : TlbPermissions.PrivRead;
        if ((w.Permissions & need) != need) return Fault(FaultKind.Permission, w.Level, ipa, false, write);
        return w;
    }

    /// <summary>
    /// Stage 2 translation of a stage 1 descriptor address (AArch64.S2Translate for a walk access): needs read
    /// permission; under HCR_EL2.PTW, a Device-memory result is a stage 2 Permission fault. Faults carry S1PTW.
    /// </summary>
    public static StageWalk TranslateTableAccess(in TranslationControl c, IPhysicalMemory memory, ulong descriptorIpa)
    {
        var w = Walk(in c, memory, descriptorIpa, true, false);
        if (w.IsFault) return w;
        if ((w.Permissions & TlbPermissions.PrivRead) == 0 || (c.ProtectedTableWalk && w.Attributes.IsDevice))
            return Fault(FaultKind.Permission, w.Level, descriptorIpa, true, false);
        return w;
    }

    private static StageWalk Fault(FaultKind kind, int level, ulong ipa, bool s1Ptw, bool write)
        => new(new TranslationFault(kind, level, 2, s1Ptw, ipa, write && !s1Ptw));
}
