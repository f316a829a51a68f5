using ArmVirt.Cpu.SystemRegisters;
using ArmVirt.Gic;
using CpuCore = ArmVirt.Cpu.Cpu;

namespace ArmVirt.Machine;

/// <summary>
/// Plugs a GICv3 CPU interface into a CPU's system-register table: the ICC_* registers at EL1/EL2/EL3 (IHI 0069 12.2)
/// with their accessibility pseudocode (ICH_HCR_EL2 traps first, then SCR_EL3.IRQ/FIQ), the redirection of EL1 accesses
/// to the virtual CPU interface (ICV_*) when HCR_EL2.IMO/FMO route the group to EL2 (IHI 0069 12.1.10), the EL2 trap of
/// ICC_SGI*R_EL1 under IMO/FMO and of ICC_SRE_EL1 under ICC_SRE_EL2.Enable = 0, and ID_AA64PFR0_EL1.GIC = 1.
/// </summary>
internal static class Gicv3SystemRegisters
{
    private enum Kind { Group0, Group1, Common }

    // (register, CRn, CRm, op2, kind, readable, writable), all op0 = 3, op1 = 0 (IHI 0069 Table 12-1).
    private static readonly (Gicv3CpuRegister Register, int Crn, int Crm, int Op2, Kind Kind, bool Read, bool Write)[] El1Registers =
    [
        (Gicv3CpuRegister.Pmr, 4, 6, 0, Kind.Common, true, true),
        (Gicv3CpuRegister.Iar0, 12, 8, 0, Kind.Group0, true, false),
        (Gicv3CpuRegister.Eoir0, 12, 8, 1, Kind.Group0, false, true),
        (Gicv3CpuRegister.Hppir0, 12, 8, 2, Kind.Group0, true, false),
        (Gicv3CpuRegister.Bpr0, 12, 8, 3, Kind.Group0, true, true),
        (Gicv3CpuRegister.Ap0r0, 12, 8, 4, Kind.Group0, true, true),
        (Gicv3CpuRegister.Ap0r1, 12, 8, 5, Kind.Group0, true, true),
        (Gicv3CpuRegister.Ap0r2, 12, 8, 6, Kind.Group0, true, true),
        (Gicv3CpuRegister.Ap0r3, 12, 8, 7, Kind.Group0, true, true),
        (Gicv3CpuRegister.Ap1r0, 12, 9, 0, Kind.Group1, true, true),
        (Gicv3CpuRegister.Ap1r1, 12, 9, 1, Kind.Group1, true, true),
        (Gicv3CpuRegister.Ap1r2, 12, 9, 2, Kind.Group1, true, true),
        (Gicv3CpuRegister.Ap1r3, 12, 9, 3, Kind.Group1, true, true),
        (Gicv3CpuRegister.Dir, 12, 11, 1, Kind.Common, false, true),
        (Gicv3CpuRegister.Rpr, 12, 11, 3, Kind.Common, true, false),
        (Gicv3CpuRegister.Iar1, 12, 12, 0, Kind.Group1, true, false),
        (Gicv3CpuRegister.Eoir1, 12, 12, 1, Kind.Group1, false, true),
        (Gicv3CpuRegister.Hppir1, 12, 12, 2, Kind.Group1, true, false),
        (Gicv3CpuRegister.Bpr1, 12, 12, 3, Kind.Group1, true, true),
        (Gicv3CpuRegister.Ctlr, 12, 12, 4, Kind.Common, true, true),
        (Gicv3CpuRegister.Igrpen0, 12, 12, 6, Kind.Group0, true, true),
        (Gicv3CpuRegister.Igrpen1, 12, 12, 7, Kind.Group1, true, true),
    ];

    // ICH_HCR_EL2 is part B's; the only bit the physical side consults is TDIR through IGicv3VirtualCpuInterface.
    private const int IdAa64Pfr0GicShift = 24;

    /// <summary>Adds CPU interface <paramref name="icc"/>'s registers to <paramref name="cpu"/>.</summary>
    /// <param name="cpu">The CPU (its <c>Configuration.Index</c> selects the virtual interface).</param>
    /// <param name="icc">The physical CPU interface of this CPU.</param>
    /// <param name="virtualInterface">The virtual CPU interface (ICV_*) of a CPU index, or null while there is none:
    /// then nothing is redirected and ICH_HCR_EL2 traps nothing.</param>
    public static void Install(CpuCore cpu, Gicv3CpuInterface icc, Func<int, IGicv3VirtualCpuInterface?>? virtualInterface = null)
    {
        var t = cpu.SystemRegisters;
        var virt = virtualInterface?.Invoke(cpu.Configuration.Index);
        bool hasEl3 = cpu.Configuration.HasEl3;

        foreach (var (register, crn, crm, op2, kind, readable, writable) in El1Registers)
        {
            var reg = register;
            var k = kind;
            // With 5 preemption bits only ICC_AP0R0/ICC_AP1R0 exist; the others are UNDEFINED (unallocated encodings).
            if (reg is > Gicv3CpuRegister.Ap0r0 and <= Gicv3CpuRegister.Ap0r3 or > Gicv3CpuRegister.Ap1r0 and <= Gicv3CpuRegister.Ap1r3)
                continue;
            t.Add(new SystemRegister($"ICC_{Name(reg)}_EL1", 3, 0, crn, crm, op2,
                readable ? c => Redirected(c, virt, k) ? virt!.Read(reg) : icc.Read(reg, c.State.EL) : null,
                writable ? (c, v) => { if (Redirected(c, virt, k)) virt!.Write(reg, v); else icc.Write(reg, v, c.State.EL); } : null,
                (c, write) => Check(c, virt, reg, k, write, hasEl3)));
        }

        // SGI generation (IHI 0069 12.2.19..21): not virtualized; EL1 accesses trap to EL2 under IMO or FMO.
        AddSgi(t, "ICC_SGI1R_EL1", 5, icc, c => true, hasEl3);
        AddSgi(t, "ICC_ASGI1R_EL1", 6, icc, c => IsSecure(c), hasEl3); // the other Security state's Group 1; Group 0 with DS = 1
        AddSgi(t, "ICC_SGI0R_EL1", 7, icc, c => false, hasEl3);

        // ICC_SRE_EL1: SRE/DFB/DIB RAO/WI. EL1 accesses trap to EL2 when ICC_SRE_EL2.Enable is 0, to EL3 when
        // ICC_SRE_EL3.Enable is 0 (IHI 0069 12.2.22 accessibility).
        t.Add(new SystemRegister("ICC_SRE_EL1", 3, 0, 12, 12, 5, _ => icc.ReadSre(1), (_, v) => icc.WriteSre(1, v),
            (c, _) => c.State.EL == 1 && c.IsEl2Enabled && !icc.SreEl2Enable ? SystemRegisterAccess.TrapToEl2
                : c.State.EL < 3 && hasEl3 && !icc.SreEl3Enable ? SystemRegisterAccess.TrapToEl3
                : SystemRegisterAccess.Allowed));
        if (cpu.Configuration.HasEl2)
        {
            t.Add(new SystemRegister("ICC_SRE_EL2", 3, 4, 12, 9, 5, _ => icc.ReadSre(2), (_, v) => icc.WriteSre(2, v),
                (c, _) => c.State.EL == 2 && hasEl3 && !icc.SreEl3Enable ? SystemRegisterAccess.TrapToEl3 : SystemRegisterAccess.Allowed,
                minEl: 2));
        }
        if (hasEl3)
        {
            t.Add(new SystemRegister("ICC_CTLR_EL3", 3, 6, 12, 12, 4, _ => icc.ReadCtlrEl3(), (_, v) => icc.WriteCtlrEl3(v), minEl: 3));
            t.Add(new SystemRegister("ICC_SRE_EL3", 3, 6, 12, 12, 5, _ => icc.ReadSre(3), (_, v) => icc.WriteSre(3, v), minEl: 3));
            t.Add(new SystemRegister("ICC_IGRPEN1_EL3", 3, 6, 12, 12, 7, _ => icc.ReadIgrpen1El3(), (_, v) => icc.WriteIgrpen1El3(v), minEl: 3));
        }

        // ID_AA64PFR0_EL1.GIC [27:24] = 1: the GICv3 system register interface is implemented (D17.2.64).
        var pfr0 = t.Find("ID_AA64PFR0_EL1") ?? throw new InvalidOperationException("The CPU has no ID_AA64PFR0_EL1.");
        var read = pfr0.Read!;
        t.Add(new SystemRegister(pfr0.Name, 3, 0, 0, 4, 0,
            c => (read(c) & ~(0xFUL << IdAa64Pfr0GicShift)) | 1UL << IdAa64Pfr0GicShift, pfr0.Write, pfr0.Check, pfr0.MinEl));
    }

    private static string Name(Gicv3CpuRegister r) => r.ToString().ToUpperInvariant();

    private static bool IsSecure(CpuCore c) => c.Configuration.HasEl3 && (c.State.EL == 3 || (c.Sys.Scr & ScrEl3.Ns) == 0);

    // HCR_EL2.IMO routes Group 1, FMO Group 0; the common registers follow either (IHI 0069 12.1.10).
    private static ulong RoutingBits(Kind kind) => kind switch
    {
        Kind.Group0 => HcrEl2.Fmo,
        Kind.Group1 => HcrEl2.Imo,
        _ => HcrEl2.Imo | HcrEl2.Fmo,
    };

    private static bool Redirected(CpuCore c, IGicv3VirtualCpuInterface? virt, Kind kind) =>
        virt != null && c.State.EL == 1 && (c.EffectiveHcr & RoutingBits(kind)) != 0;

    // The accessibility pseudocode of the ICC_*_EL1 registers (e.g. ICC_IAR1_EL1): at Non-secure EL1, ICH_HCR_EL2's
    // TALL0/TALL1/TC/TDIR first; then SCR_EL3.FIQ/IRQ send Group 0/Group 1 (both, for the common registers) to EL3
    // unless EL1's accesses are routed to EL2 by FMO/IMO.
    private static SystemRegisterAccess Check(CpuCore c, IGicv3VirtualCpuInterface? virt, Gicv3CpuRegister reg, Kind kind,
        bool write, bool hasEl3)
    {
        int el = c.State.EL;
        if (el == 1 && virt != null && c.IsEl2Enabled && virt.TrapsToEl2(reg, write)) return SystemRegisterAccess.TrapToEl2;
        return ScrTrap(c, kind, hasEl3);
    }

    private static SystemRegisterAccess ScrTrap(CpuCore c, Kind kind, bool hasEl3)
    {
        if (!hasEl3 || c.State.EL == 3) return SystemRegisterAccess.Allowed;
        ulong scr = c.Sys.Scr;
        bool routed = kind switch
        {
            Kind.Group0 => (scr & ScrEl3.Fiq) != 0,
            Kind.Group1 => (scr & ScrEl3.Irq) != 0,
            _ => (scr & (ScrEl3.Irq | ScrEl3.Fiq)) == (ScrEl3.Irq | ScrEl3.Fiq),
        };
        if (!routed) return SystemRegisterAccess.Allowed;
        if (c.State.EL == 1 && (c.EffectiveHcr & RoutingBits(kind)) != 0) return SystemRegisterAccess.Allowed;
        return SystemRegisterAccess.TrapToEl3;
    }

    private static void AddSgi(SystemRegisterTable t, string name, int op2, Gicv3CpuInterface icc, Func<CpuCore, bool> group1, bool hasEl3) =>
        t.Add(new SystemRegister(name, 3, 0, 12, 11, op2, null, (c, v) => icc.GenerateSgi(v, group1(c)),
            (c, _) => c.State.EL == 1 && (c.EffectiveHcr & (HcrEl2.Imo | HcrEl2.Fmo)) != 0 ? SystemRegisterAccess.TrapToEl2
                : ScrTrap(c, Kind.Common, hasEl3)));
}
