using System.Buffers.Binary;
using static ArmVirt.Mmu.TranslationGeometry;

namespace ArmVirt.Mmu;

/// <summary>
/// Stage 1 of an AArch32 EL1&amp;0 translation (VMSAv8-32, Arm ARM G5): the short-descriptor format
/// (AArch32.TranslationTableWalkSD: TTBCR.N and PD0/PD1, sections, supersections, large and small pages, domains by
/// DACR, AP[2:0] or with SCTLR.AFE the access flag and AP[2:1], XN/PXN, TEX[2:0]:C:B or with SCTLR.TRE the PRRR/NMRR
/// remap) and the long-descriptor format of TTBCR.EAE = 1 (AArch32.TranslationTableWalkLD: TTBR0/TTBR1 split by
/// T0SZ/T1SZ, 4 KiB granule, 40-bit output, MAIR0/MAIR1 attributes). Descriptor reads are IPAs translated by
/// <see cref="Stage2Walker"/> under stage 2, as in <see cref="Stage1Walker"/>.
/// </summary>
/// <remarks>
/// SCTLR.WXN makes writable regions XN, SCTLR.UWXN makes regions writable at PL0 PXN. A domain fault is reported at the
/// level of the descriptor that named the domain's region (level 1 for a section, level 2 for a page). In the Secure
/// PL1&amp;0 regime (<see cref="TranslationControl.Secure"/>) the NS bits (a section's bit 19, a page table descriptor's
/// bit 3; NSTable and NS in the long format) make the output Non-secure; the NOS and IMPLEMENTATION DEFINED TEX remap
/// bits are ignored.
/// </remarks>
internal static class Aarch32Stage1Walker
{
    private const ulong SctlrWxn = 1UL << 19, SctlrUwxn = 1UL << 20, SctlrTre = 1UL << 28, SctlrAfe = 1UL << 29;

    /// <summary>Walks the tables for the 32-bit <paramref name="va"/>; stage 1 must be enabled.</summary>
    public static StageWalk Walk(in TranslationControl c, IPhysicalMemory memory, ulong va, AccessType access)
    {
        bool write = (access & AccessType.Write) != 0;
        if ((va >> 32) != 0) return Fault(FaultKind.Translation, 1, write);
        return c.LongDescriptors ? WalkLong(in c, memory, (uint)va, access) : WalkShort(in c, memory, (uint)va, access);
    }

    // ---- Short-descriptor format ----

    private static StageWalk WalkShort(in TranslationControl c, IPhysicalMemory memory, uint va, AccessType access)
    {
        bool write = (access & AccessType.Write) != 0;
        uint ttbcr = (uint)c.Tcr;
        int n = (int)(ttbcr & 7);
        bool useTtbr1 = n != 0 && (va >> (32 - n)) != 0;
        if ((ttbcr & (useTtbr1 ? 1u << 5 : 1u << 4)) != 0) return Fault(FaultKind.Translation, 1, write); // PD1 / PD0
        ulong l1Address = useTtbr1
            ? ((uint)c.Ttbr1 & 0xFFFF_C000u) | ((va >> 20) << 2)
            : ((uint)c.Ttbr0 & ~((1u << (14 - n)) - 1)) | (((va >> 20) & ((1u << (12 - n)) - 1)) << 2);
        if (!ReadDescriptor(in c, memory, l1Address, 1, write, out uint l1, out var walkFault)) return walkFault;

        uint type = l1 & 3;
        if (type == 0) return Fault(FaultKind.Translation, 1, write);
        if (type == 1)
        {
            // Page table: domain [8:5], PXN [2]; the level 2 table at [31:10].
            int domain = (int)((l1 >> 5) & 0xF);
            bool pxnTable = (l1 & 4) != 0;
            ulong l2Address = (l1 & 0xFFFF_FC00u) | (((va >> 12) & 0xFF) << 2);
            if (!ReadDescriptor(in c, memory, l2Address, 2, write, out uint l2, out walkFault)) return walkFault;
            if ((l2 & 3) == 0) return new(new TranslationFault(FaultKind.Translation, 2, 1, false, 0, write, domain));
            bool large = (l2 & 3) == 1;
            uint ap = ((l2 >> 4) & 3) | ((l2 >> 7) & 4);
            uint texcb = large ? (((l2 >> 12) & 7) << 2) | ((l2 >> 2) & 3) : (((l2 >> 6) & 7) << 2) | ((l2 >> 2) & 3);
            bool xn = large ? (l2 & (1u << 15)) != 0 : (l2 & 1) != 0;
            int shift = large ? 16 : 12;
            ulong pa = (l2 & ~((1u << shift) - 1)) | (va & ((1u << shift) - 1));
            return Leaf(in c, pa, 2, shift, domain, ap, texcb, (l2 & (1u << 10)) != 0, xn, pxnTable, (l2 & (1u << 11)) != 0, write,
                !c.Secure || (l1 & (1u << 3)) != 0); // the page table descriptor's NS bit
        }
        // Section (bit 18 = 0) or supersection (bit 18 = 1); bits [1:0] = 0b11 set PXN.
        bool super = (l1 & (1u << 18)) != 0;
        ulong paSection = super
            ? (l1 & 0xFF00_0000u) | ((ulong)((l1 >> 20) & 0xF) << 32) | ((ulong)((l1 >> 5) & 0xF) << 36) | (va & 0x00FF_FFFFu)
            : (l1 & 0xFFF0_0000u) | (va & 0x000F_FFFFu);
        uint apS = ((l1 >> 10) & 3) | ((l1 >> 13) & 4);
        uint texcbS = (((l1 >> 12) & 7) << 2) | ((l1 >> 2) & 3);
        int domainS = super ? 0 : (int)((l1 >> 5) & 0xF);
        return Leaf(in c, paSection, 1, super ? 24 : 20, domainS, apS, texcbS, (l1 & (1u << 16)) != 0,
            (l1 & (1u << 4)) != 0, type == 3, (l1 & (1u << 17)) != 0, write, !c.Secure || (l1 & (1u << 19)) != 0); // NS
    }

    // AArch32.CheckDomain, the access flag and the permissions (AArch32.S1ComputePermissions for the short format).
    private static StageWalk Leaf(in TranslationControl c, ulong pa, int level, int shift, int domain, uint ap, uint texcb,
        bool shareable, bool xn, bool pxn, bool notGlobal, bool write, bool nonSecure)
    {
        uint dacr = (c.Dacr >> (2 * domain)) & 3;
        if (dacr is 0 or 2) return new(new TranslationFault(FaultKind.Domain, level, 1, false, 0, write, domain));
        bool afe = (c.Sctlr & SctlrAfe) != 0;
        if (afe && (ap & 1) == 0) return new(new TranslationFault(FaultKind.AccessFlag, level, 1, false, 0, write, domain));
        var attrs = ShortAttributes(in c, texcb, shareable);
        TlbPermissions p;
        if (dacr == 3) p = TlbPermissions.All; // Manager: no permission checks
        else
        {
            // AP[2:0] (AFE = 0) or AP[2:1] (AFE = 1, AP[0] the access flag): privileged and unprivileged read/write.
            (bool pr, bool pw, bool ur, bool uw) = afe
                ? ((ap >> 1) & 3) switch { 0 => (true, true, false, false), 1 => (true, true, true, true), 2 => (true, false, false, false), _ => (true, false, true, false) }
                : ap switch
                {
                    1 => (true, true, false, false),
                    2 => (true, true, true, false),
                    3 => (true, true, true, true),
                    5 => (true, false, false, false),
                    6 or 7 => (true, false, true, false),
                    _ => (false, false, false, false), // 000 no access; 100 reserved
                };
            p = Permissions(in c, pr, pw, ur, uw, xn, pxn);
        }
        return new StageWalk(pa, level, shift, attrs, p, !notGlobal, nonSecure) { Domain = domain };
    }

    private static TlbPermissions Permissions(in TranslationControl c, bool pr, bool pw, bool ur, bool uw, bool xn, bool pxn)
    {
        if ((c.Sctlr & SctlrWxn) != 0 && (pw || uw)) xn = true;
        if ((c.Sctlr & SctlrUwxn) != 0 && uw) pxn = true;
        var p = TlbPermissions.None;
        if (pr) p |= TlbPermissions.PrivRead;
        if (pw) p |= TlbPermissions.PrivWrite;
        if (ur) p |= TlbPermissions.UserRead | TlbPermissions.PanBlocked;
        if (uw) p |= TlbPermissions.UserWrite;
        if (!xn && ur) p |= TlbPermissions.UserExec;
        if (!xn && !pxn && pr) p |= TlbPermissions.PrivExec;
        return p;
    }

    /// <summary>
    /// The short-descriptor memory attributes as a MAIR-format byte: TEX[2:0]:C:B (SCTLR.TRE = 0, "Short-descriptor
    /// format memory region attributes, without TEX remap") or the PRRR/NMRR entry TEX[0]:C:B selects (TRE = 1); S, or
    /// PRRR.NS0/NS1, the shareability of Normal memory. SCTLR.C = 0 makes Normal memory Non-cacheable.
    /// </summary>
    internal static MemoryAttributes ShortAttributes(in TranslationControl c, uint texcb, bool s)
    {
        byte attr;
        bool shared = s;
        if ((c.Sctlr & SctlrTre) != 0)
        {
            int index = (int)(((texcb >> 2) & 1) << 2 | (texcb & 3));
            uint prrr = (uint)c.Mair, nmrr = (uint)(c.Mair >> 32);
            uint tr = (prrr >> (2 * index)) & 3;
            if (tr == 0) attr = 0x00;      // Strongly-ordered
            else if (tr == 1) attr = 0x04; // Device
            else
            {
                uint inner = (nmrr >> (2 * index)) & 3, outer = (nmrr >> (2 * index + 16)) & 3;
                attr = (byte)(CacheNibble(outer) << 4 | CacheNibble(inner));
                shared = (prrr & (1u << (s ? 19 : 18))) != 0;
            }
        }
        else
        {
            attr = texcb switch
            {
                0b00000 => 0x00,                 // Strongly-ordered
                0b00001 or 0b01000 => 0x04,      // Shareable / Non-shareable Device
                0b00010 => 0xAA,                 // Normal Write-Through, no Write-Allocate
                0b00011 => 0xEE,                 // Normal Write-Back, no Write-Allocate
                0b00100 => 0x44,                 // Normal Non-cacheable
                0b00111 => 0xFF,                 // Normal Write-Back, Write-Allocate
                >= 0b10000 => (byte)(CacheNibble((texcb >> 2) & 3) << 4 | CacheNibble(texcb & 3)), // TEX = 1BB, CB = AA
                _ => 0x44,                       // reserved: Non-cacheable
            };
        }
        if ((attr & 0xF0) != 0 && (c.Sctlr & 4) == 0) attr = 0x44;
        return new MemoryAttributes(attr, (attr & 0xF0) == 0 || shared ? Shareability.Outer : Shareability.NonShareable);
    }

    // The cacheability encodings of TEX remap and TEX = 1BB (00 Non-cacheable, 01 Write-Back Write-Allocate, 10
    // Write-Through, 11 Write-Back no Write-Allocate) as a MAIR nibble.
    private static uint CacheNibble(uint encoding) => encoding switch { 0 => 0x4, 1 => 0xF, 2 => 0xA, _ => 0xE };

    // ---- Long-descriptor format ----

    private static StageWalk WalkLong(in TranslationControl c, IPhysicalMemory memory, uint va, AccessType access)
    {
        bool write = (access & AccessType.Write) != 0;
        bool exec = (access & AccessType.Execute) != 0;
        ulong ttbcr = c.Tcr;
        int t0sz = (int)(ttbcr & 7), t1sz = (int)((ttbcr >> 16) & 7);
        bool useTtbr1;
        if (t0sz == 0 || (va >> (32 - t0sz)) == 0) useTtbr1 = false;
        else if (t1sz == 0 || (va >> (32 - t1sz)) == (1u << t1sz) - 1) useTtbr1 = true;
        else return Fault(FaultKind.Translation, 1, write);
        int tsz = useTtbr1 ? t1sz : t0sz;
        if ((ttbcr & (useTtbr1 ? 1UL << 23 : 1UL << 7)) != 0) return Fault(FaultKind.Translation, 1, write); // EPD1 / EPD0
        int inputSize = 32 - tsz;
        const int g = 12;
        int start = inputSize > 30 ? 1 : 2;
        ulong baseRegister = (useTtbr1 ? c.Ttbr1 : c.Ttbr0) & 0x0000_00FF_FFFF_FFFFUL;
        ulong table = baseRegister & ~((1UL << BaseLowBit(inputSize, start, g, aarch32: true)) - 1);
        bool stage2 = c.Stage2Enabled;
        ulong apTable = 0;
        bool xnTable = false, pxnTable = false, nsTable = !c.Secure;
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
            if (!memory.TryReadDescriptor(descPa, out ulong desc)) return Fault(FaultKind.SyncExternalOnWalk, level, write);
            if (BigEndianWalk(in c)) desc = BinaryPrimitives.ReverseEndianness(desc);
            if ((desc & 1) == 0) return Fault(FaultKind.Translation, level, write);
            if ((desc & 2) != 0 && level < 3)
            {
                table = desc & 0x0000_00FF_FFFF_F000UL;
                apTable |= (desc >> 61) & 3;
                xnTable |= (desc & (1UL << 60)) != 0;
                pxnTable |= (desc & (1UL << 59)) != 0;
                nsTable |= (desc & (1UL << 63)) != 0; // NSTable: the rest of the walk is Non-secure
                continue;
            }
            if (level == 3 && (desc & 2) == 0) return Fault(FaultKind.Translation, level, write); // reserved at level 3
            int blockShift = LevelShift(level, g);
            ulong oa = desc & 0x0000_00FF_FFFF_F000UL & ~((1UL << blockShift) - 1);
            if ((desc & (1UL << 10)) == 0) return Fault(FaultKind.AccessFlag, level, write);
            var attrs = Stage1Walker.LeafAttributes(in c, desc, exec);
            bool readOnly = (desc & (1UL << 7)) != 0 || (apTable & 2) != 0;
            bool el0 = (desc & (1UL << 6)) != 0 && (apTable & 1) == 0;
            var perms = Permissions(in c, true, !readOnly, el0, el0 && !readOnly,
                (desc & (1UL << 54)) != 0 || xnTable, (desc & (1UL << 53)) != 0 || pxnTable);
            return new StageWalk(oa | (va & ((1UL << blockShift) - 1)), level, blockShift, attrs, perms, (desc & (1UL << 11)) == 0,
                nsTable || (desc & (1UL << 5)) != 0); // NSTable or the leaf's NS bit (always Non-secure outside the Secure regime)
        }
    }

    // A short-format descriptor read, through stage 2 when it is enabled; a failed read is a Synchronous External abort
    // on the walk at that level.
    private static bool ReadDescriptor(in TranslationControl c, IPhysicalMemory memory, ulong address, int level, bool write,
        out uint descriptor, out StageWalk fault)
    {
        descriptor = 0;
        fault = default;
        ulong pa = address;
        if (c.Stage2Enabled)
        {
            var s2 = Stage2Walker.TranslateTableAccess(in c, memory, address);
            if (s2.IsFault)
            {
                fault = s2;
                return false;
            }
            pa = s2.OutputAddress;
        }
        // Descriptors are read as doublewords: take the word at the address.
        if (!memory.TryReadDescriptor(pa & ~7UL, out ulong dword))
        {
            fault = Fault(FaultKind.SyncExternalOnWalk, level, write);
            return false;
        }
        descriptor = (pa & 4) != 0 ? (uint)(dword >> 32) : (uint)dword;
        if (BigEndianWalk(in c)) descriptor = BinaryPrimitives.ReverseEndianness(descriptor);
        return true;
    }

    // SCTLR.EE: the stage 1 translation table walks of the PL1&0 regime are big-endian (the descriptor's bytes reversed).
    private static bool BigEndianWalk(in TranslationControl c) => (c.Sctlr & (1UL << 25)) != 0;

    private static StageWalk Fault(FaultKind kind, int level, bool write) => new(new TranslationFault(kind, level, 1, false, 0, write));
}
