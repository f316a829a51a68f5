namespace ArmVirt.Cpu.SystemRegisters;

internal static partial class SystemRegisterTableBuilder
{
    // MDSCR_EL1 (D17.3.19): SS, TDCC, KDE, MDE are the bits software controls without an external debugger.
    internal const ulong MdscrWritable = (1UL << 0) | (1UL << 12) | (1UL << 13) | (1UL << 15);
    // DBGBCR<n>_EL1: E, PMC, BAS, HMC, SSC, LBN, BT.
    internal const ulong DbgbcrWritable = 0x00FF_E1E7;
    // DBGWCR<n>_EL1: E, PAC, LSC, BAS, HMC, SSC, LBN, WT, MASK.
    internal const ulong DbgwcrWritable = 0x1F1F_FFFF;
    // DBGWVR: an address; bits 1:0 are RES0. DBGBVR holds an address (bits 1:0 RES0, ignored by the comparison) or, for
    // the context types, a context ID in bits 31:0 and a VMID in bits 39:32: every bit is kept.
    internal const ulong DbgvrWritable = ~3UL;

    // DBGVCR32_EL2: the AArch32 DBGVCR's vector catch enables without EL3, U (1), S (2), P (3), D (4), I (6), F (7), kept
    // for a hypervisor that saves and restores a 32-bit guest's DBGVCR.
    internal const ulong Dbgvcr32Writable = 0xDE;

    /// <summary>
    /// DBGAUTHSTATUS_EL1: Non-secure invasive and non-invasive debug implemented and enabled (NSID, NSNID =
    /// 0b11); with EL3 Secure debug too (SID, SNID = 0b11), else not implemented (0b00).
    /// </summary>
    internal static ulong DbgAuthStatus(Cpu c) => c.Configuration.HasEl3 ? 0xFFUL : 0x0FUL;

    // D2 "AArch64 Self-hosted Debug" registers, as many breakpoints and watchpoints as ID_AA64DFR0_EL1 advertises. A write
    // to one that arms or disarms a debug event tells the CPU (Cpu.DebugRegistersChanged, Cpu.Debug.cs), which checks
    // breakpoints, watchpoints and software step from them.
    private static void AddDebug(Cpu cpu, SystemRegisterTable t)
    {
        var dbg = SystemRegisterTraps.Debug;
        var os = SystemRegisterTraps.DebugOs;
        Add(t, "MDCCINT_EL1", 2, 0, 0, 2, 0, c => c.Sys.Mdccint, (c, v) => c.Sys.Mdccint = v & (3UL << 29), dbg);
        Add(t, "MDSCR_EL1", 2, 0, 0, 2, 2, c => c.Sys.Mdscr, (c, v) => { c.Sys.Mdscr = v & MdscrWritable; c.DebugRegistersChanged(); }, dbg);
        // No debug communications channel is modelled: TXfull and RXfull read 0.
        Add(t, "MDCCSR_EL0", 2, 3, 0, 1, 0, _ => 0, null, SystemRegisterTraps.DebugComms);
        for (int n = 0; n < BreakpointCount(cpu); n++)
        {
            int i = n;
            Add(t, $"DBGBVR{i}_EL1", 2, 0, 0, i, 4, c => c.Sys.Dbgbvr[i], (c, v) => { c.Sys.Dbgbvr[i] = v; c.DebugRegistersChanged(); }, dbg);
            Add(t, $"DBGBCR{i}_EL1", 2, 0, 0, i, 5, c => c.Sys.Dbgbcr[i], (c, v) => { c.Sys.Dbgbcr[i] = v & DbgbcrWritable; c.DebugRegistersChanged(); }, dbg);
        }
        for (int n = 0; n < WatchpointCount(cpu); n++)
        {
            int i = n;
            Add(t, $"DBGWVR{i}_EL1", 2, 0, 0, i, 6, c => c.Sys.Dbgwvr[i], (c, v) => { c.Sys.Dbgwvr[i] = v & DbgvrWritable; c.DebugRegistersChanged(); }, dbg);
            Add(t, $"DBGWCR{i}_EL1", 2, 0, 0, i, 7, c => c.Sys.Dbgwcr[i], (c, v) => { c.Sys.Dbgwcr[i] = v & DbgwcrWritable; c.DebugRegistersChanged(); }, dbg);
        }
        // MDRAR_EL1.Valid = 0: no memory-mapped debug ROM table.
        Add(t, "MDRAR_EL1", 2, 0, 1, 0, 0, _ => 0, null, SystemRegisterTraps.DebugRom);
        Add(t, "OSLAR_EL1", 2, 0, 1, 0, 4, null, (c, v) => { c.Sys.OsLock = (v & 1) != 0; c.DebugRegistersChanged(); }, os);
        // OSLSR_EL1: OSLM = 0b10 (OS lock implemented, OSLAR_EL1 present), nTT = 0, OSLK.
        Add(t, "OSLSR_EL1", 2, 0, 1, 1, 4, c => 0x8UL | (c.Sys.OsLock ? 2UL : 0), null, os);
        Add(t, "OSDLR_EL1", 2, 0, 1, 3, 4, c => c.Sys.Osdlr, (c, v) => { c.Sys.Osdlr = v & 1; c.DebugRegistersChanged(); }, os);
        Add(t, "DBGPRCR_EL1", 2, 0, 1, 4, 4, c => c.Sys.Dbgprcr, (c, v) => { c.Sys.Dbgprcr = v & 1; c.DebugRegistersChanged(); }, os);
        // Claim tags: eight implemented bits; CLAIMSET reads the implemented mask, CLAIMCLR the current tags.
        Add(t, "DBGCLAIMSET_EL1", 2, 0, 7, 8, 6, _ => 0xFF, (c, v) => c.Sys.DbgClaim |= v & 0xFF, dbg);
        Add(t, "DBGCLAIMCLR_EL1", 2, 0, 7, 9, 6, c => c.Sys.DbgClaim, (c, v) => c.Sys.DbgClaim &= ~(v & 0xFF), dbg);
        Add(t, "DBGAUTHSTATUS_EL1", 2, 0, 7, 14, 6, DbgAuthStatus, null, dbg);
        // EL2's view of the AArch32 EL1's DBGVCR (with MDCR_EL3.TDA below EL3, as its other debug registers).
        if (cpu.Configuration.HasEl2)
            Add(t, "DBGVCR32_EL2", 2, 4, 0, 7, 0, c => c.Sys.Dbgvcr32, (c, v) => c.Sys.Dbgvcr32 = v & Dbgvcr32Writable, dbg);
    }
}
