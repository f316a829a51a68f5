using static ArmVirt.Mmu.TranslationGeometry;

namespace ArmVirt.Mmu;

/// <summary>
/// Stage 1 of a VMSAv8-64 translation (AArch64.S1Translate, AArch64.S1Walk; Arm ARM D8.2-D8.4): VA range and
/// TTBR selection, TBI, TxSZ/TG/EPD/IPS, the table walk for 4, 16 and 64 KiB granules from any start level,
/// address size, translation and access flag faults, MAIR attributes and the stage 1 rights including
/// hierarchical APTable/UXNTable/PXNTable and WXN. Permission checking against an access is done by
/// <see cref="AddressTranslator"/>. In the EL1&amp;0 regime with stage 2 enabled each descriptor address is an IPA
/// translated by <see cref="Stage2Walker"/>; a fault there is a stage 2 fault with S1PTW set.
/// </summary>
internal static class Stage1Walker
{
    /// <summary>Walks the stage 1 tables for <paramref name="va"/>. Stage 1 must be enabled.</summary>
    public static StageWalk Walk(in TranslationControl c, IPhysicalMemory memory, ulong va, AccessType access)
    {
        if (c.Aarch32) return Aarch32Stage1Walker.Walk(in c, memory, va, access);
        bool el10 = c.Regime == TranslationRegime.EL10;
        bool exec = (access & AccessType.Execute) != 0;
        bool write = (access & AccessType.Write) != 0;
        ulong tcr = c.Tcr;
        bool upper = el10 && ((va >> 55) & 1) != 0;

        // AArch64.GetS1TTWParams
        int tsz, ps;
        bool tbi, tbid, epd;
        TranslationGranule granule;
        if (el10)
        {
            if (upper)
            {
                tsz = (int)((tcr >> 16) & 0x3F);
                tbi = (tcr & (1UL << 38)) != 0;
                tbid = (tcr & (1UL << 52)) != 0;
                epd = (tcr & (1UL << 23)) != 0;
                granule = c.DecodeGranule((uint)(tcr >> 30) & 3, tg1: true);
            }
            else
            {
                tsz = (int)(tcr & 0x3F);
                tbi = (tcr & (1UL << 37)) != 0;
                tbid = (tcr & (1UL << 51)) != 0;
                epd = (tcr & (1UL << 7)) != 0;
                granule = c.DecodeGranule((uint)(tcr >> 14) & 3, tg1: false);
            }
            ps = (int)((tcr >> 32) & 7);
        }
        else
        {
            tsz = (int)(tcr & 0x3F);
            tbi = (tcr & (1UL << 20)) != 0;
            tbid = (tcr & (1UL << 29)) != 0;
            epd = false;
            granule = c.DecodeGranule((uint)(tcr >> 14) & 3, tg1: false);
            ps = (int)((tcr >> 16) & 7);
        }

        // AArch64.S1TxSZFaults: without FEAT_LVA/FEAT_TTST TxSZ must be 16..39; we take the fault option.
        if (tsz < 16 || tsz > 39) return Fault(FaultKind.Translation, 0, write);
        int inputSize = 64 - tsz;

        // AArch64.AddrTop / AArch64.VAIsOutOfRange: VA[top:inputSize] must be all zeros (TTBR0) or all ones (TTBR1).
        int top = tbi && !(tbid && exec) ? 55 : 63;
        ulong rangeMask = Bits(top, inputSize);
        if ((va & rangeMask) != (upper ? rangeMask : 0)) return Fault(FaultKind.Translation, 0, write);
        if (epd) return Fault(FaultKind.Translation, 0, write);

        int g = (int)granule;
        int start = StartLevel(inputSize, g);
        int outputSize = TranslationControl.DecodePhysicalSize((uint)ps, c.PaBits);

        // AArch64.S1InitialTTWState: the base must fit the output size (address size fault, level 0).
        ulong baseRegister = (upper ? c.Ttbr1 : c.Ttbr0) & 0x0000_FFFF_FFFF_FFFEUL;
        if ((baseRegister >> outputSize) != 0) return Fault(FaultKind.AddressSize, 0, write);
        ulong table = baseRegister & ~((1UL << BaseLowBit(inputSize, start, g, c.El2Aarch32)) - 1);

        bool stage2 = c.Stage2Enabled;
        ulong apTable = 0;
        bool xnTable = false, pxnTable = false, nsTable = false;
        ulong granuleMask = ~((1UL << g) - 1);
        for (int level = start; ; level++)
        {
            ulong descAddress = table | (Index(va, level, start, inputSize, g) << 3);
            ulong descPa = descAddress;
            if (stage2)
            {
                var s2 = Stage2Walker.TranslateTableAccess(in c, memory, descAddress);
                if (s2.IsFault) return s2;
                descPa = s2.OutputAddress;
            }
            if (!memory.TryReadDescriptor(descPa, out ulong desc))
                return Fault(FaultKind.SyncExternalOnWalk, level, write);
            if ((desc & 1) == 0) return Fault(FaultKind.Translation, level, write);

            if ((desc & 2) != 0 && level < 3)
            {
                // Table descriptor: next-level table address and hierarchical attributes.
                ulong next = desc & AddressMask & granuleMask;
                if ((next >> outputSize) != 0) return Fault(FaultKind.AddressSize, level, write);
                apTable |= (desc >> 61) & 3;
                xnTable |= (desc & (1UL << 60)) != 0;
                pxnTable |= (desc & (1UL << 59)) != 0;
                nsTable |= (desc & (1UL << 63)) != 0;
                table = next;
                continue;
            }

            // Block (levels 0-2, '01') or page (level 3, '11'); level 3 '01' is reserved.
            if (level == 3 ? (desc & 2) == 0 : !BlockAllowed(level, g))
                return Fault(FaultKind.Translation, level, write);
            int blockShift = LevelShift(level, g);
            ulong oa = desc & AddressMask & ~((1UL << blockShift) - 1);
            if ((oa >> outputSize) != 0) return Fault(FaultKind.AddressSize, level, write);
            // FEAT_HAFDBS is not advertised: TCR.HA is ignored and AF = 0 always faults.
            if ((desc & (1UL << 10)) == 0) return Fault(FaultKind.AccessFlag, level, write);

            var attrs = LeafAttributes(in c, desc, exec);
            var perms = LeafPermissions(in c, desc, apTable, xnTable, pxnTable);
            bool global = !el10 || (desc & (1UL << 11)) == 0;
            bool nonSecure = c.Regime != TranslationRegime.EL3 || nsTable || (desc & (1UL << 5)) != 0;
            return new StageWalk(oa | (va & ((1UL << blockShift) - 1)), level, blockShift, attrs, perms, global, nonSecure);
        }
    }

    /// <summary>
    /// The flat map of a disabled stage 1 (AArch64.S1DisabledOutput): VA = IPA/PA after an address size check
    /// against PAMax (TBI honoured); data is Device-nGnRnE, instruction fetches Normal (Write-Through when
    /// SCTLR.I is set, else Non-cacheable), and everything Normal Write-Back under HCR_EL2.DC.
    /// </summary>
    public static StageWalk Disabled(in TranslationControl c, ulong va, AccessType access)
    {
        bool exec = (access & AccessType.Execute) != 0;
        ulong tcr = c.Tcr;
        bool tbi, tbid;
        if (c.Aarch32)
        {
            tbi = tbid = false; // a 32-bit VA: TTBCR2 has no TBI
        }
        else if (c.Regime == TranslationRegime.EL10)
        {
            bool upper = ((va >> 55) & 1) != 0;
            tbi = (tcr & (1UL << (upper ? 38 : 37))) != 0;
            tbid = (tcr & (1UL << (upper ? 52 : 51))) != 0;
        }
        else
        {
            tbi = (tcr & (1UL << 20)) != 0;
            tbid = (tcr & (1UL << 29)) != 0;
        }
        int top = tbi && !(tbid && exec) ? 55 : 63;
        int pa = c.PaBits;
        if ((va & Bits(top, pa)) != 0)
            return Fault(FaultKind.AddressSize, 0, (access & AccessType.Write) != 0);
        MemoryAttributes attrs = c.DefaultCacheable ? MemoryAttributes.NormalWriteBack
            : exec ? (c.InstructionCacheEnabled ? MemoryAttributes.NormalWriteThrough : MemoryAttributes.NormalNonCacheable)
            : MemoryAttributes.DeviceNGnRnE;
        return new StageWalk(va & ((1UL << pa) - 1), -1, 12, attrs, TlbPermissions.All, true,
            c.Regime != TranslationRegime.EL3);
    }

    private static StageWalk Fault(FaultKind kind, int level, bool write)
        => new(new TranslationFault(kind, level, 1, false, 0, write));

    // AArch64.S1AttrDecode with SCTLR_ELx.C / SCTLR_ELx.I forcing Non-cacheable.
    internal static MemoryAttributes LeafAttributes(in TranslationControl c, ulong desc, bool exec)
    {
        int index = (int)((desc >> 2) & 7);
        byte attr = MemoryAttributes.NormaliseMair((byte)(c.Mair >> (index * 8)));
        var sh = DecodeShareability(desc >> 8);
        bool cacheDisabled = exec ? !c.InstructionCacheEnabled : (c.Sctlr & (1UL << 2)) == 0;
        if ((attr & 0xF0) != 0 && cacheDisabled) attr = 0x44;
        return new MemoryAttributes(attr, sh);
    }

    // AArch64.S1ComputePermissions (VMSAv8-64 direct permissions, no FEAT_HPDS/PAN3/EPAN).
    internal static TlbPermissions LeafPermissions(in TranslationControl c, ulong desc, ulong apTable, bool xnTable, bool pxnTable)
    {
        bool readOnly = (desc & (1UL << 7)) != 0 || (apTable & 2) != 0;
        bool wxn = c.Wxn;
        TlbPermissions p;
        if (c.Regime == TranslationRegime.EL10)
        {
            bool el0 = (desc & (1UL << 6)) != 0 && (apTable & 1) == 0;
            bool uxn = (desc & (1UL << 54)) != 0 || xnTable;
            bool pxn = (desc & (1UL << 53)) != 0 || pxnTable;
            bool userWrite = el0 && !readOnly;
            p = TlbPermissions.PrivRead;
            if (!readOnly) p |= TlbPermissions.PrivWrite;
            if (el0) p |= TlbPermissions.UserRead | TlbPermissions.PanBlocked;
            if (userWrite) p |= TlbPermissions.UserWrite;
            if (!uxn && !(wxn && userWrite)) p |= TlbPermissions.UserExec;
            // A location writable at EL0 is never executable at EL1.
            if (!pxn && !(wxn && !readOnly) && !userWrite) p |= TlbPermissions.PrivExec;
        }
        else
        {
            // One privilege level: AP[1], APTable[0], PXN and PXNTable are RES0/RES1 and ignored.
            bool xn = (desc & (1UL << 54)) != 0 || xnTable;
            p = TlbPermissions.PrivRead | TlbPermissions.UserRead;
            if (!readOnly) p |= TlbPermissions.PrivWrite | TlbPermissions.UserWrite;
            if (!xn && !(wxn && !readOnly)) p |= TlbPermissions.PrivExec | TlbPermissions.UserExec;
        }
        return p;
    }
}
