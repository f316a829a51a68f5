using ArmVirt.Cpu.SystemRegisters;

namespace ArmVirt.Cpu.A64;

/// <summary>
/// Semantics of the SYS instructions (DC, IC, AT, TLBI). The access checks and traps are done by
/// <see cref="SystemRegisterMove"/> through the table entries that call these methods.
/// </summary>
internal static class SystemInstructions
{
    /// <summary>
    /// DC ZVA (AArch64.DC ZVA / AArch64.DataMemZero): zeroes the DCZID_EL0.BS-sized block containing Xt through
    /// the data memory path. Device memory (stage 1 off without HCR_EL2.DC) takes an alignment fault, with FAR =
    /// Xt. Both ends of the block are probed first so that a fault leaves memory untouched; the block, aligned to its
    /// size, lies in one page, so the translation of Xt is that of every byte of it, and a RAM block is cleared at once.
    /// </summary>
    public static unsafe void DataCacheZero(Cpu cpu, ulong xt)
    {
        int bytes = 4 << (int)(cpu.Configuration.Model.Dczid & 0xF);
        ulong block = xt & ~(ulong)(bytes - 1);
        // A fault is recorded, not thrown (Cpu.DataAborts.cs): DC ZVA is a load/store-class instruction for the JIT.
        ulong pa = cpu.TranslateDataOrAbort(xt, 1, MemoryAccessKind.Write | MemoryAccessKind.ZeroBlock, 1); // Device memory: alignment fault
        if (cpu.AbortPending) return;
        ulong paBlock = pa & ~(ulong)(bytes - 1);
        byte* host = cpu.Bus.RamPointer(paBlock, (ulong)bytes);
        if (host != null)
        {
            new Span<byte>(host, bytes).Clear();
            cpu.AfterRamWrite(paBlock, bytes);
            cpu.ReportMemoryAccess(block, bytes, 0, write: true);
            return;
        }
        cpu.ProbeStore(block, 8);
        cpu.ProbeStore(block + (ulong)bytes - 8, 8);
        for (int i = 0; i < bytes && !cpu.AbortPending; i += 8) cpu.Store(block + (ulong)i, 8, 0);
    }

    /// <summary>
    /// DC IVAC/CVAC/CVAU/CIVAC: caches are not modelled, but the VA is translated as the Arm ARM requires, so
    /// translation faults are reported with ESR.CM = 1 (and IVAC needs write permission).
    /// </summary>
    public static void DataCacheByVa(Cpu cpu, ulong xt, bool invalidateOnly) =>
        cpu.TranslateDataOrAbort(xt, 1, MemoryAccessKind.CacheMaintenance | (invalidateOnly ? MemoryAccessKind.Write : MemoryAccessKind.Read));

    /// <summary>IC IALLUIS/IALLU/IVAU: raises <see cref="Cpu.InstructionCacheMaintenance"/> (IVAU with the PA Xt translates to).</summary>
    public static void InstructionCache(Cpu cpu, InstructionCacheOperation op, ulong xt)
    {
        ulong pa = op == InstructionCacheOperation.ByVirtualAddress ? cpu.TranslateData(xt, 1, MemoryAccessKind.CacheMaintenance) : 0;
        cpu.OnInstructionCacheMaintenance(op, pa);
    }

    /// <summary>AT: PAR_EL1 = <see cref="Cpu.AddressTranslationHook"/>(request).</summary>
    public static void AddressTranslate(Cpu cpu, ulong xt, int el, bool includeStage2, bool write)
    {
        ulong par = cpu.AddressTranslationHook(cpu, new AtRequest(xt, el, includeStage2, write));
        cpu.Sys.Par = par;
    }

    /// <summary>TLBI: decodes Xt for the operation and raises <see cref="Cpu.TlbMaintenance"/>.</summary>
    public static void TlbInvalidate(Cpu cpu, TlbiOperation op, ulong xt, bool broadcast)
    {
        ulong address = 0;
        ushort asid = 0;
        switch (op)
        {
            case TlbiOperation.VaE1 or TlbiOperation.ValeE1:
                asid = (ushort)(xt >> 48);
                address = VaOperand(xt);
                break;
            case TlbiOperation.AsidE1:
                asid = (ushort)(xt >> 48);
                break;
            case TlbiOperation.VaaE1 or TlbiOperation.VaaleE1 or TlbiOperation.VaE2 or TlbiOperation.ValeE2
                or TlbiOperation.VaE3 or TlbiOperation.ValeE3:
                address = VaOperand(xt);
                break;
            case TlbiOperation.Ipas2E1 or TlbiOperation.Ipas2LE1:
                address = (xt & 0xF_FFFF_FFFFUL) << 12;
                break;
        }
        bool el10Regime = op is not (TlbiOperation.AllE2 or TlbiOperation.VaE2 or TlbiOperation.ValeE2
            or TlbiOperation.AllE3 or TlbiOperation.VaE3 or TlbiOperation.ValeE3 or TlbiOperation.AllE1);
        ushort vmid = el10Regime && cpu.IsEl2Enabled ? (ushort)((cpu.Sys.Vttbr >> 48) & 0xFF) : (ushort)0;
        // HCR_EL2.FB: EL1 TLB maintenance is broadcast within the Inner Shareable domain.
        if (cpu.State.EL == 1 && (cpu.EffectiveHcr & HcrEl2.Fb) != 0) broadcast = true;
        cpu.OnTlbMaintenance(new TlbInvalidation(op, address, asid, vmid, broadcast, xt));
    }

    // Xt[43:0] holds VA[55:12]; VA[63:56] copy VA[55].
    private static ulong VaOperand(ulong xt) => (ulong)((long)((xt & 0xFFF_FFFF_FFFFUL) << 20) >> 8);
}
