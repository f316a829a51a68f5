using ArmVirt.Cpu.A64;

namespace ArmVirt.Cpu.SystemRegisters;

internal static partial class SystemRegisterTableBuilder
{
    // C5.3 "A64 System instructions for cache maintenance, address translation and TLB maintenance": the SYS
    // encodings (op0 = 1) of Armv8.0. Any other SYS/SYSL encoding is UNDEFINED.
    private static void AddSystemInstructions(Cpu cpu, SystemRegisterTable t)
    {
        static SystemRegisterAccess Uci(Cpu c, ulong hcrBit) =>
            SystemRegisterTraps.Then(SystemRegisterTraps.SctlrEl0(c, SctlrEl1.Uci), SystemRegisterTraps.HcrAtEl0Or1(c, hcrBit));

        // Instruction cache maintenance.
        Add(t, "IC IALLUIS", 1, 0, 7, 1, 0, null, (c, _) => SystemInstructions.InstructionCache(c, InstructionCacheOperation.AllInnerShareable, 0),
            static (c, _) => SystemRegisterTraps.HcrAtEl1(c, HcrEl2.Tpu));
        Add(t, "IC IALLU", 1, 0, 7, 5, 0, null, (c, _) => SystemInstructions.InstructionCache(c, InstructionCacheOperation.All, 0),
            static (c, _) => SystemRegisterTraps.HcrAtEl1(c, HcrEl2.Tpu));
        Add(t, "IC IVAU", 1, 3, 7, 5, 1, null, (c, x) => SystemInstructions.InstructionCache(c, InstructionCacheOperation.ByVirtualAddress, x),
            static (c, _) => Uci(c, HcrEl2.Tpu));

        // Data cache maintenance.
        Add(t, "DC IVAC", 1, 0, 7, 6, 1, null, (c, x) => SystemInstructions.DataCacheByVa(c, x, invalidateOnly: true),
            static (c, _) => SystemRegisterTraps.HcrAtEl1(c, HcrEl2.Tpc));
        Add(t, "DC ISW", 1, 0, 7, 6, 2, null, static (_, _) => { }, static (c, _) => SystemRegisterTraps.HcrAtEl1(c, HcrEl2.Tsw));
        Add(t, "DC CSW", 1, 0, 7, 10, 2, null, static (_, _) => { }, static (c, _) => SystemRegisterTraps.HcrAtEl1(c, HcrEl2.Tsw));
        Add(t, "DC CISW", 1, 0, 7, 14, 2, null, static (_, _) => { }, static (c, _) => SystemRegisterTraps.HcrAtEl1(c, HcrEl2.Tsw));
        Add(t, "DC ZVA", 1, 3, 7, 4, 1, null, SystemInstructions.DataCacheZero,
            static (c, _) => SystemRegisterTraps.Then(SystemRegisterTraps.SctlrEl0(c, SctlrEl1.Dze), SystemRegisterTraps.HcrAtEl0Or1(c, HcrEl2.Tdz)));
        Add(t, "DC CVAC", 1, 3, 7, 10, 1, null, (c, x) => SystemInstructions.DataCacheByVa(c, x, invalidateOnly: false),
            static (c, _) => Uci(c, HcrEl2.Tpc));
        Add(t, "DC CVAU", 1, 3, 7, 11, 1, null, (c, x) => SystemInstructions.DataCacheByVa(c, x, invalidateOnly: false),
            static (c, _) => Uci(c, HcrEl2.Tpu));
        Add(t, "DC CIVAC", 1, 3, 7, 14, 1, null, (c, x) => SystemInstructions.DataCacheByVa(c, x, invalidateOnly: false),
            static (c, _) => Uci(c, HcrEl2.Tpc));

        // Address translation (op1 = 0: EL1 and above; 4: EL2 and above; 6: EL3).
        AddAt(t, "AT S1E1R", 0, 0, 1, false, false);
        AddAt(t, "AT S1E1W", 0, 1, 1, false, true);
        AddAt(t, "AT S1E0R", 0, 2, 0, false, false);
        AddAt(t, "AT S1E0W", 0, 3, 0, false, true);
        if (cpu.Configuration.HasEl2)
        {
            AddAt(t, "AT S1E2R", 4, 0, 2, false, false);
            AddAt(t, "AT S1E2W", 4, 1, 2, false, true);
            AddAt(t, "AT S12E1R", 4, 4, 1, true, false);
            AddAt(t, "AT S12E1W", 4, 5, 1, true, true);
            AddAt(t, "AT S12E0R", 4, 6, 0, true, false);
            AddAt(t, "AT S12E0W", 4, 7, 0, true, true);
        }
        if (cpu.Configuration.HasEl3)
        {
            AddAt(t, "AT S1E3R", 6, 0, 3, false, false);
            AddAt(t, "AT S1E3W", 6, 1, 3, false, true);
        }

        // TLB maintenance: (op1, CRm, op2) per C5.5; CRm 3 = Inner Shareable, 7 = local, 0/4 = IPA forms.
        AddTlbi(t, "VMALLE1IS", 0, 3, 0, TlbiOperation.VmallE1, true);
        AddTlbi(t, "VAE1IS", 0, 3, 1, TlbiOperation.VaE1, true);
        AddTlbi(t, "ASIDE1IS", 0, 3, 2, TlbiOperation.AsidE1, true);
        AddTlbi(t, "VAAE1IS", 0, 3, 3, TlbiOperation.VaaE1, true);
        AddTlbi(t, "VALE1IS", 0, 3, 5, TlbiOperation.ValeE1, true);
        AddTlbi(t, "VAALE1IS", 0, 3, 7, TlbiOperation.VaaleE1, true);
        AddTlbi(t, "VMALLE1", 0, 7, 0, TlbiOperation.VmallE1, false);
        AddTlbi(t, "VAE1", 0, 7, 1, TlbiOperation.VaE1, false);
        AddTlbi(t, "ASIDE1", 0, 7, 2, TlbiOperation.AsidE1, false);
        AddTlbi(t, "VAAE1", 0, 7, 3, TlbiOperation.VaaE1, false);
        AddTlbi(t, "VALE1", 0, 7, 5, TlbiOperation.ValeE1, false);
        AddTlbi(t, "VAALE1", 0, 7, 7, TlbiOperation.VaaleE1, false);
        if (cpu.Configuration.HasEl2)
        {
            AddTlbi(t, "IPAS2E1IS", 4, 0, 1, TlbiOperation.Ipas2E1, true);
            AddTlbi(t, "IPAS2LE1IS", 4, 0, 5, TlbiOperation.Ipas2LE1, true);
            AddTlbi(t, "ALLE2IS", 4, 3, 0, TlbiOperation.AllE2, true);
            AddTlbi(t, "VAE2IS", 4, 3, 1, TlbiOperation.VaE2, true);
            AddTlbi(t, "ALLE1IS", 4, 3, 4, TlbiOperation.AllE1, true);
            AddTlbi(t, "VALE2IS", 4, 3, 5, TlbiOperation.ValeE2, true);
            AddTlbi(t, "VMALLS12E1IS", 4, 3, 6, TlbiOperation.VmallS12E1, true);
            AddTlbi(t, "IPAS2E1", 4, 4, 1, TlbiOperation.Ipas2E1, false);
            AddTlbi(t, "IPAS2LE1", 4, 4, 5, TlbiOperation.Ipas2LE1, false);
            AddTlbi(t, "ALLE2", 4, 7, 0, TlbiOperation.AllE2, false);
            AddTlbi(t, "VAE2", 4, 7, 1, TlbiOperation.VaE2, false);
            AddTlbi(t, "ALLE1", 4, 7, 4, TlbiOperation.AllE1, false);
            AddTlbi(t, "VALE2", 4, 7, 5, TlbiOperation.ValeE2, false);
            AddTlbi(t, "VMALLS12E1", 4, 7, 6, TlbiOperation.VmallS12E1, false);
        }
        if (cpu.Configuration.HasEl3)
        {
            AddTlbi(t, "ALLE3IS", 6, 3, 0, TlbiOperation.AllE3, true);
            AddTlbi(t, "VAE3IS", 6, 3, 1, TlbiOperation.VaE3, true);
            AddTlbi(t, "VALE3IS", 6, 3, 5, TlbiOperation.ValeE3, true);
            AddTlbi(t, "ALLE3", 6, 7, 0, TlbiOperation.AllE3, false);
            AddTlbi(t, "VAE3", 6, 7, 1, TlbiOperation.VaE3, false);
            AddTlbi(t, "VALE3", 6, 7, 5, TlbiOperation.ValeE3, false);
        }
    }

    private static void AddAt(SystemRegisterTable t, string name, int op1, int op2, int el, bool stage2, bool write) =>
        Add(t, name, 1, op1, 7, 8, op2, null, (c, x) => SystemInstructions.AddressTranslate(c, x, el, stage2, write));

    // HCR_EL2.TTLB traps the EL1 forms (op1 = 0) executed at EL1.
    private static void AddTlbi(SystemRegisterTable t, string name, int op1, int crm, int op2, TlbiOperation op, bool broadcast) =>
        Add(t, "TLBI " + name, 1, op1, 8, crm, op2, null, (c, x) => SystemInstructions.TlbInvalidate(c, op, x, broadcast),
            op1 == 0 ? static (c, _) => SystemRegisterTraps.HcrAtEl1(c, HcrEl2.Ttlb) : null);
}
