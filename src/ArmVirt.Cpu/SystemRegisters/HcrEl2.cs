namespace ArmVirt.Cpu.SystemRegisters;

/// <summary>HCR_EL2 bits (Arm ARM D17.2.48 "HCR_EL2, Hypervisor Configuration Register"), Armv8.0 set.</summary>
internal static class HcrEl2
{
    /// <summary>VM: stage 2 translation enable.</summary>
    public const ulong Vm = 1UL << 0;
    /// <summary>SWIO: set/way invalidation override.</summary>
    public const ulong Swio = 1UL << 1;
    /// <summary>PTW: protected table walk.</summary>
    public const ulong Ptw = 1UL << 2;
    /// <summary>FMO: physical FIQ routing.</summary>
    public const ulong Fmo = 1UL << 3;
    /// <summary>IMO: physical IRQ routing.</summary>
    public const ulong Imo = 1UL << 4;
    /// <summary>AMO: physical SError routing.</summary>
    public const ulong Amo = 1UL << 5;
    /// <summary>VF: virtual FIQ pending.</summary>
    public const ulong Vf = 1UL << 6;
    /// <summary>VI: virtual IRQ pending.</summary>
    public const ulong Vi = 1UL << 7;
    /// <summary>VSE: virtual SError pending.</summary>
    public const ulong Vse = 1UL << 8;
    /// <summary>FB: force broadcast of TLB and I-cache maintenance.</summary>
    public const ulong Fb = 1UL << 9;
    /// <summary>DC: default cacheability (stage 1 off behaves as Normal memory).</summary>
    public const ulong Dc = 1UL << 12;
    /// <summary>TWI: trap WFI.</summary>
    public const ulong Twi = 1UL << 13;
    /// <summary>TWE: trap WFE.</summary>
    public const ulong Twe = 1UL << 14;
    /// <summary>TID0: trap ID group 0 (AArch32 FPSID/JIDR only; no AArch64 register is in group 0).</summary>
    public const ulong Tid0 = 1UL << 15;
    /// <summary>TID1: trap ID group 1 (REVIDR_EL1, AIDR_EL1).</summary>
    public const ulong Tid1 = 1UL << 16;
    /// <summary>TID2: trap ID group 2 (CTR_EL0, CCSIDR_EL1, CLIDR_EL1, CSSELR_EL1).</summary>
    public const ulong Tid2 = 1UL << 17;
    /// <summary>TID3: trap ID group 3 (op0=3, op1=0, CRn=0, CRm=1..7).</summary>
    public const ulong Tid3 = 1UL << 18;
    /// <summary>TSC: trap SMC.</summary>
    public const ulong Tsc = 1UL << 19;
    /// <summary>TIDCP: trap IMPLEMENTATION DEFINED registers (CRn 11 and 15).</summary>
    public const ulong Tidcp = 1UL << 20;
    /// <summary>TACR: trap ACTLR_EL1.</summary>
    public const ulong Tacr = 1UL << 21;
    /// <summary>TSW: trap DC ISW/CSW/CISW.</summary>
    public const ulong Tsw = 1UL << 22;
    /// <summary>TPC (TPCP in later versions): trap DC IVAC/CIVAC/CVAC.</summary>
    public const ulong Tpc = 1UL << 23;
    /// <summary>TPU: trap IC IVAU/IALLU/IALLUIS and DC CVAU.</summary>
    public const ulong Tpu = 1UL << 24;
    /// <summary>TTLB: trap TLBI at EL1.</summary>
    public const ulong Ttlb = 1UL << 25;
    /// <summary>TVM: trap writes of the EL1 virtual memory controls.</summary>
    public const ulong Tvm = 1UL << 26;
    /// <summary>TGE: trap general exceptions (EL0 runs under EL2).</summary>
    public const ulong Tge = 1UL << 27;
    /// <summary>TDZ: trap DC ZVA.</summary>
    public const ulong Tdz = 1UL << 28;
    /// <summary>HCD: HVC disable (only when EL3 is not implemented).</summary>
    public const ulong Hcd = 1UL << 29;
    /// <summary>TRVM: trap reads of the EL1 virtual memory controls.</summary>
    public const ulong Trvm = 1UL << 30;
    /// <summary>RW: EL1 is AArch64 (RAO/WI: EL1 cannot use AArch32 on the models here).</summary>
    public const ulong Rw = 1UL << 31;
    /// <summary>CD: stage 2 data cacheability disable.</summary>
    public const ulong Cd = 1UL << 32;
    /// <summary>ID: stage 2 instruction cacheability disable.</summary>
    public const ulong Id = 1UL << 33;
}
