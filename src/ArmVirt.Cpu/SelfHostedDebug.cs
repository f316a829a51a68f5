namespace ArmVirt.Cpu;

/// <summary>
/// The breakpoint and watchpoint comparisons of AArch64 self-hosted debug (Arm ARM D2.8 "Breakpoint exceptions",
/// D2.9 "Watchpoint exceptions"; pseudocode aarch64/debug/breakpoint and watchpoint): whether unit n of
/// DBGBCR/DBGBVR or DBGWCR/DBGWVR matches an instruction or a data access in the current state. Whether a match
/// becomes an exception (MDSCR_EL1.MDE, the OS locks, AArch64.GenerateDebugExceptions) is the caller's.
/// </summary>
internal static class SelfHostedDebug
{
    // DBGBCR<n>_EL1 and DBGWCR<n>_EL1 fields.
    private const int BcrBtShift = 20, CrLbnShift = 16, CrSscShift = 14, CrHmcBit = 13, BcrBasShift = 5, CrPmcShift = 1;
    private const int WcrMaskShift = 24, WcrWt = 20, WcrBasShift = 5, WcrLscShift = 3;

    /// <summary>DBGBVR/DBGWVR bits 63:49 are RESS: compared as the sign extension of bit 48, as QEMU does.</summary>
    internal static ulong SignExtendedValue(ulong value) => (ulong)((long)(value << 15) >> 15);

    /// <summary>The breakpoint type, DBGBCR.BT.</summary>
    internal static int BreakpointType(ulong bcr) => (int)(bcr >> BcrBtShift) & 0xF;

    /// <summary>True for an address-match type (BT = 0b000x: unlinked or linked instruction address match).</summary>
    internal static bool IsAddressMatch(ulong bcr) => (BreakpointType(bcr) & 0b1110) == 0;

    /// <summary>
    /// True for an enabled unlinked context type (context ID, VMID, or both), which matches every instruction executed
    /// in that context, at any address.
    /// </summary>
    internal static bool IsUnlinkedContextMatch(ulong bcr) =>
        (bcr & 1) != 0 && BreakpointType(bcr) is 0b0010 or 0b1000 or 0b1010;

    /// <summary>AArch64.BreakpointMatch for the A64 instruction at <paramref name="pc"/>.</summary>
    public static bool BreakpointMatch(Cpu cpu, int n, ulong pc)
    {
        ulong bcr = cpu.Sys.Dbgbcr[n];
        if ((bcr & 1) == 0) return false;
        bool linked = BreakpointType(bcr) == 0b0001;
        return BreakpointValueMatch(cpu, n, pc, linkedTo: false)
            && StateMatch(cpu, bcr, linked, isBreakpoint: true, isPrivileged: cpu.State.EL != 0);
    }

    /// <summary>
    /// AArch64.BreakpointValueMatch: the address, context ID and VMID comparisons of breakpoint <paramref name="n"/>.
    /// <paramref name="linkedTo"/> is the call from StateMatch for a linked breakpoint or watchpoint, which matches only
    /// linked context types. Reserved types (address mismatch, the Armv8.1 VHE context types, context types of a unit
    /// that is not context-aware, VMID types without EL2) behave as disabled, one of the permitted choices.
    /// </summary>
    public static bool BreakpointValueMatch(Cpu cpu, int n, ulong pc, bool linkedTo)
    {
        if (n >= cpu.BreakpointCount) return false;
        ulong bcr = cpu.Sys.Dbgbcr[n];
        if ((bcr & 1) == 0) return false;
        int type = BreakpointType(bcr);
        bool contextAware = n >= cpu.BreakpointCount - cpu.ContextAwareBreakpointCount;
        if ((type & 0b1110) == 0b0100 || (type & 0b0110) == 0b0110 || (type & 0b1100) == 0b1100
            || ((type & 0b1010) != 0 && !contextAware) || ((type & 0b1000) != 0 && !cpu.Configuration.HasEl2))
            return false;
        bool matchAddress = (type & 0b1010) == 0;
        bool matchVmid = (type & 0b1100) == 0b1000;
        bool matchContextId = (type & 0b0110) == 0b0010;
        bool linked = (type & 1) != 0;
        if (linkedTo && (!linked || matchAddress)) return false;
        if (!linkedTo && linked && !matchAddress) return false;
        ulong bvr = cpu.Sys.Dbgbvr[n];
        bool el01 = cpu.State.EL <= 1;
        if (matchAddress)
        {
            // A64 instructions are word aligned: byte 0 of the word, BAS<0> (QEMU ignores a breakpoint whose BAS is 0). In
            // AArch32 an instruction is halfword aligned: BAS<byte> for byte 0 or 2 of the word (BAS 0b0011 a T32
            // instruction at the word, 0b1100 at its second halfword, 0b1111 an A32 one or both). The PC is never
            // tagged, so bits 63:2 are compared.
            int b = cpu.State.Aarch32 ? (int)(pc & 2) : 0;
            if (((bcr >> (BcrBasShift + b)) & 1) == 0) return false;
            return ((pc ^ SignExtendedValue(bvr)) & ~3UL) == 0;
        }
        if (matchContextId && !(el01 && cpu.Sys.ContextIdr == (bvr & 0xFFFF_FFFF))) return false;
        if (matchVmid && !(el01 && cpu.IsEl2Enabled && ((cpu.Sys.Vttbr >> 48) & 0xFF) == ((bvr >> 32) & 0xFF))) return false;
        return true;
    }

    /// <summary>
    /// AArch64.StateMatch: the exception level (HMC, SSC, PxC), security state and linked-breakpoint conditions of a
    /// breakpoint (<paramref name="isBreakpoint"/>, at the current EL) or a watchpoint (for a privileged access at the
    /// current EL, or an unprivileged one: EL0 or LDTR/STTR).
    /// </summary>
    public static bool StateMatch(Cpu cpu, ulong control, bool linked, bool isBreakpoint, bool isPrivileged)
    {
        int ssc = (int)(control >> CrSscShift) & 3;
        bool hmc = ((control >> CrHmcBit) & 1) != 0;
        int pxc = (int)(control >> CrPmcShift) & 3;
        bool el3Match = cpu.Configuration.HasEl3 && hmc && (ssc & 1) == 0;
        bool el2Match = cpu.Configuration.HasEl2 && ((hmc && ((ssc << 2) | pxc) != 0b1000) || ssc == 0b11);
        bool el1Match = (pxc & 1) != 0;
        bool el0Match = (pxc & 2) != 0;
        bool privilegeMatch = !isPrivileged && !isBreakpoint
            ? el0Match
            : cpu.State.EL switch { 3 => el3Match, 2 => el2Match, 1 => el1Match, _ => el0Match };
        bool secure = cpu.IsSecure;
        bool securityMatch = ssc switch
        {
            0b00 => true,
            0b01 => !secure,
            0b10 => secure,
            _ => hmc || !secure,
        };
        if (!privilegeMatch || !securityMatch) return false;
        if (!linked) return true;
        // The linked unit must be a context-aware breakpoint; another LBN gives no match (a permitted choice).
        int lbn = (int)(control >> CrLbnShift) & 0xF;
        if (lbn < cpu.BreakpointCount - cpu.ContextAwareBreakpointCount || lbn >= cpu.BreakpointCount) return false;
        return BreakpointValueMatch(cpu, lbn, 0, linkedTo: true);
    }

    /// <summary>
    /// AArch64.WatchpointMatch for an access of <paramref name="size"/> bytes at <paramref name="va"/>: any byte of it
    /// watched (AArch64.WatchpointByteMatch), the state matching and DBGWCR.LSC selecting loads or stores.
    /// </summary>
    public static bool WatchpointMatch(Cpu cpu, int n, ulong va, int size, bool isPrivileged, bool isWrite)
    {
        ulong wcr = cpu.Sys.Dbgwcr[n];
        if ((wcr & 1) == 0) return false;
        if (((wcr >> (WcrLscShift + (isWrite ? 1 : 0))) & 1) == 0) return false;
        if (!StateMatch(cpu, wcr, linked: ((wcr >> WcrWt) & 1) != 0, isBreakpoint: false, isPrivileged)) return false;
        for (int i = 0; i < size; i++)
            if (WatchpointByteMatch(cpu, n, va + (ulong)i)) return true;
        return false;
    }

    /// <summary>
    /// AArch64.WatchpointByteMatch: DBGWVR compared down to the MASK bits, or to the word (DBGWVR bit 2 set) or
    /// doubleword with BAS selecting its bytes. Tagged addresses (TBI) compare bits 55 down; the reserved MASK values 1
    /// and 2 mean no masking, and a non-contiguous BAS watches the bytes it selects (permitted choices).
    /// </summary>
    public static bool WatchpointByteMatch(Cpu cpu, int n, ulong va)
    {
        ulong wcr = cpu.Sys.Dbgwcr[n];
        ulong wvr = SignExtendedValue(cpu.Sys.Dbgwvr[n]);
        int top = cpu.DataAddressTop(va);
        int mask = (int)(wcr >> WcrMaskShift) & 0x1F;
        if (mask is 1 or 2) mask = 0;
        int bottom = (wvr & 4) != 0 ? 2 : 3;
        ulong compare = (top == 63 ? ~0UL : (2UL << top) - 1);
        if (mask > bottom)
        {
            // BAS must be all ones with a MASK (CONSTRAINED UNPREDICTABLE otherwise: the bytes still match here).
            compare &= ~((1UL << mask) - 1);
            return ((va ^ wvr) & compare) == 0;
        }
        compare &= ~((1UL << bottom) - 1);
        int bas = (int)(wcr >> WcrBasShift) & 0xFF;
        bool byteSelect = ((bas >> (int)(va & ((1UL << bottom) - 1))) & 1) != 0;
        return byteSelect && ((va ^ wvr) & compare) == 0;
    }

    /// <summary>
    /// The addresses watchpoint <paramref name="n"/> covers, [lo, hi), ignoring its state conditions: the MASK-aligned
    /// block, or from the first to the last byte BAS selects. Used for the fault address (QEMU's: the higher of the access
    /// address and lo) and by the host TLB to keep the pages it touches out of the compiled fast path.
    /// </summary>
    public static (ulong Lo, ulong Hi) WatchedRange(Cpu cpu, int n)
    {
        ulong wcr = cpu.Sys.Dbgwcr[n];
        ulong wvr = SignExtendedValue(cpu.Sys.Dbgwvr[n]);
        int mask = (int)(wcr >> WcrMaskShift) & 0x1F;
        if (mask is 1 or 2) mask = 0;
        int bottom = (wvr & 4) != 0 ? 2 : 3;
        if (mask > bottom)
        {
            ulong lo = wvr & ~((1UL << mask) - 1);
            return (lo, lo + (1UL << mask));
        }
        int bas = (int)(wcr >> WcrBasShift) & (bottom == 2 ? 0xF : 0xFF);
        if (bas == 0) return (0, 0);
        ulong start = wvr & ~((1UL << bottom) - 1);
        int first = System.Numerics.BitOperations.TrailingZeroCount(bas);
        int last = 31 - System.Numerics.BitOperations.LeadingZeroCount((uint)bas);
        return (start + (ulong)first, start + (ulong)last + 1);
    }
}
