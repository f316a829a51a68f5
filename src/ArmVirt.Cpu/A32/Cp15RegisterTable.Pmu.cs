namespace ArmVirt.Cpu.A32;

internal static partial class Cp15RegisterTable
{
    // The Performance Monitors' AArch32 views (Arm ARM G8.4 "Performance Monitors registers", each "architecturally
    // mapped to" its AArch64 register): CRn = 9 (PMCR ... PMOVSSET) and CRn = 14 (PMEVCNTR<n>, PMEVTYPER<n>, PMCCFILTR),
    // all with opc1 = 0, and PMCCNTR's 64-bit MRRC view (Registers64). Reads and writes go through the AArch64 registers'
    // behaviour and checks: PMUSERENR (EN, SW, CR, ER) at EL0, MDCR_EL2.TPM/TPMCR and the HPMN partition from EL0/EL1
    // (a trap to EL2 is EC 0x03/0x04), MDCR_EL3.TPM; without a PMU (pmu=off) they are UNDEFINED as their AArch64 views.
    // PMCEID2/PMCEID3 (the upper halves, FEAT_PMUv3p1) are not implemented, as PMUVer is Armv8.0's.
    private static void AddPmu(Dictionary<int, Cp15Register> t)
    {
        t[Key32(0, 9, 12, 0)] = new("PMCR", Sys(3, 9, 12, 0), MinEl: 0);
        t[Key32(0, 9, 12, 1)] = new("PMCNTENSET", Sys(3, 9, 12, 1), MinEl: 0);
        t[Key32(0, 9, 12, 2)] = new("PMCNTENCLR", Sys(3, 9, 12, 2), MinEl: 0);
        t[Key32(0, 9, 12, 3)] = new("PMOVSR", Sys(3, 9, 12, 3), MinEl: 0);     // PMOVSCLR_EL0
        t[Key32(0, 9, 12, 4)] = new("PMSWINC", Sys(3, 9, 12, 4), Cp15View.Full, MinEl: 0); // write-only: no read of the other half
        t[Key32(0, 9, 12, 5)] = new("PMSELR", Sys(3, 9, 12, 5), MinEl: 0);
        t[Key32(0, 9, 12, 6)] = new("PMCEID0", Sys(3, 9, 12, 6), MinEl: 0) { ReadOnly = true };
        t[Key32(0, 9, 12, 7)] = new("PMCEID1", Sys(3, 9, 12, 7), MinEl: 0) { ReadOnly = true };
        t[Key32(0, 9, 13, 0)] = new("PMCCNTR", Sys(3, 9, 13, 0), MinEl: 0);    // bits 31..0; MRRC p15, 0, c9: all 64
        t[Key32(0, 9, 13, 1)] = new("PMXEVTYPER", Sys(3, 9, 13, 1), MinEl: 0);
        t[Key32(0, 9, 13, 2)] = new("PMXEVCNTR", Sys(3, 9, 13, 2), MinEl: 0);
        t[Key32(0, 9, 14, 0)] = new("PMUSERENR", Sys(3, 9, 14, 0), MinEl: 0);  // read-only at EL0 (its AArch64 check)
        t[Key32(0, 9, 14, 1)] = new("PMINTENSET", Sys(0, 9, 14, 1));
        t[Key32(0, 9, 14, 2)] = new("PMINTENCLR", Sys(0, 9, 14, 2));
        t[Key32(0, 9, 14, 3)] = new("PMOVSSET", Sys(3, 9, 14, 3), MinEl: 0);
        for (int n = 0; n < 31; n++)
        {
            // PMEVCNTR<n>: CRm = 0b10:n<4:3>, opc2 = n<2:0>; PMEVTYPER<n>: CRm = 0b11:n<4:3> (as their AArch64 encodings).
            t[Key32(0, 14, 8 | (n >> 3), n & 7)] = new($"PMEVCNTR{n}", Sys(3, 14, 8 | (n >> 3), n & 7), MinEl: 0);
            t[Key32(0, 14, 12 | (n >> 3), n & 7)] = new($"PMEVTYPER{n}", Sys(3, 14, 12 | (n >> 3), n & 7), MinEl: 0);
        }
        t[Key32(0, 14, 15, 7)] = new("PMCCFILTR", Sys(3, 14, 15, 7), MinEl: 0);
    }
}
