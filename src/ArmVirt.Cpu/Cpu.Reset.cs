namespace ArmVirt.Cpu;

public sealed partial class Cpu
{
    private void ResetSystemRegisters()
    {
        for (int el = 0; el < 4; el++)
        {
            Sys.Vbar[el] = 0; Sys.Esr[el] = 0; Sys.Far[el] = 0; Sys.Elr[el] = 0; Sys.Spsr[el] = 0;
        }
        // SCTLR_EL1 reset: RES1 bits 29,28,23,22,20,11 (Arm ARM D17.2.118); SCTLR_EL2/EL3: 29,28,23,22,18,16,11,5,4.
        Sys.Sctlr[1] = 0x30D0_0800;
        Sys.Sctlr[2] = 0x30C5_0830;
        Sys.Sctlr[3] = 0x30C5_0830;
        Sys.Hcr = 0;
        Sys.Scr = 0;
        Sys.Hpfar = 0;
    }
}
