using ArmVirt.Cpu.SystemRegisters;
using ArmVirt.Gic;
using CpuCore = ArmVirt.Cpu.Cpu;

namespace ArmVirt.Machine;

/// <summary>
/// Plugs a <see cref="Gicv3VirtualCpuInterface"/> into a CPU's system-register table: the hypervisor's ICH_*_EL2
/// registers (IHI 0069; encodings op0 = 3, op1 = 4, CRn = 12), accessible at EL2 and EL3 only and UNDEFINED
/// when EL2 is not implemented. The ICV_*_EL1 side is reached through the physical ICC_* installer, which hands EL1
/// accesses to the same object when HCR_EL2.IMO/FMO redirect them.
/// </summary>
internal static class Gicv3VirtualSystemRegisters
{
    /// <summary>Adds the ICH_*_EL2 registers of <paramref name="virtualInterface"/> to <paramref name="cpu"/>
    /// (nothing when the CPU has no EL2).</summary>
    public static void Install(CpuCore cpu, Gicv3VirtualCpuInterface virtualInterface)
    {
        ArgumentNullException.ThrowIfNull(virtualInterface);
        if (!cpu.Configuration.HasEl2) return;
        var t = cpu.SystemRegisters;
        var v = virtualInterface;

        // ICH_AP0R<n>_EL2 (CRm 8) and ICH_AP1R<n>_EL2 (CRm 9): only n = 0 exists with 5 preemption bits (ICH_VTR_EL2.PREbits).
        Add(t, "ICH_AP0R0_EL2", 8, 0, _ => v.ReadActivePriorities(0, 0), (_, x) => v.WriteActivePriorities(0, 0, x));
        Add(t, "ICH_AP1R0_EL2", 9, 0, _ => v.ReadActivePriorities(1, 0), (_, x) => v.WriteActivePriorities(1, 0, x));

        Add(t, "ICH_HCR_EL2", 11, 0, _ => v.Hcr, (_, x) => v.Hcr = x);
        Add(t, "ICH_VTR_EL2", 11, 1, _ => v.Vtr, null);
        Add(t, "ICH_MISR_EL2", 11, 2, _ => v.Misr, null);
        Add(t, "ICH_EISR_EL2", 11, 3, _ => v.Eisr, null);
        Add(t, "ICH_ELRSR_EL2", 11, 5, _ => v.Elrsr, null);
        Add(t, "ICH_VMCR_EL2", 11, 7, _ => v.Vmcr, (_, x) => v.Vmcr = x);

        // ICH_LR<n>_EL2: CRm = 12 + n / 8, op2 = n % 8; list registers beyond ICH_VTR_EL2.ListRegs are UNDEFINED.
        for (int n = 0; n < v.ListRegisterCount; n++)
        {
            int i = n;
            Add(t, $"ICH_LR{n}_EL2", 12 + n / 8, n % 8, _ => v.ReadListRegister(i), (_, x) => v.WriteListRegister(i, x));
        }
    }

    private static void Add(SystemRegisterTable t, string name, int crm, int op2, Func<CpuCore, ulong> read, Action<CpuCore, ulong>? write) =>
        t.Add(new SystemRegister(name, 3, 4, 12, crm, op2, read, write, minEl: 2));
}
