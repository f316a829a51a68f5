using static ArmVirt.Cpu.A64.A64Encoding;

namespace ArmVirt.Cpu.A64;

/// <summary>
/// Decode rows of the System family (C4.1.66 "Branches, Exception Generating and System instructions": system
/// instructions and exception generation; ERET is decoded with the branches in <see cref="BranchTable"/>). Encodings without a row (CFINV, SB, TSTART, DCPS1-3, DRPS,
/// ERETAA/AB, MSR UAO and the other post-Armv8.1 PSTATE fields) are UNDEFINED on the modelled cores.
/// </summary>
internal static class SystemTable
{
    /// <summary>The rows.</summary>
    public static IReadOnlyList<A64Encoding> Entries { get; } =
    [
        // MSR (immediate): op0 = 00, CRn = 0100, Rt = 11111.
        Pattern("MSR SPSel, #imm", "1101_0101_0000_0000_0100_xxxx_1011_1111", PstateFieldMove.SpSel),
        Pattern("MSR DAIFSet, #imm", "1101_0101_0000_0011_0100_xxxx_1101_1111", PstateFieldMove.DaifSet),
        Pattern("MSR DAIFClr, #imm", "1101_0101_0000_0011_0100_xxxx_1111_1111", PstateFieldMove.DaifClr),
        Pattern("MSR PAN, #imm", "1101_0101_0000_0000_0100_xxxx_1001_1111", PstateFieldMove.Pan),
        // Hints: op1 = 011, CRn = 0010, Rt = 11111.
        Pattern("HINT", "1101_0101_0000_0011_0010_xxxx_xxx1_1111", Hints.Nop),
        Pattern("YIELD", "1101_0101_0000_0011_0010_0000_0011_1111", Hints.Yield),
        Pattern("WFE", "1101_0101_0000_0011_0010_0000_0101_1111", Hints.Wfe),
        Pattern("WFI", "1101_0101_0000_0011_0010_0000_0111_1111", Hints.Wfi),
        Pattern("SEV", "1101_0101_0000_0011_0010_0000_1001_1111", Hints.Sev),
        Pattern("SEVL", "1101_0101_0000_0011_0010_0000_1011_1111", Hints.Sevl),
        // Barriers: op1 = 011, CRn = 0011, Rt = 11111.
        Pattern("CLREX", "1101_0101_0000_0011_0011_xxxx_0101_1111", Barriers.Clrex),
        Pattern("DSB", "1101_0101_0000_0011_0011_xxxx_1001_1111", Barriers.Dsb),
        Pattern("DMB", "1101_0101_0000_0011_0011_xxxx_1011_1111", Barriers.Dmb),
        Pattern("ISB", "1101_0101_0000_0011_0011_xxxx_1101_1111", Barriers.Isb),
        // System instructions (op0 = 01) and register moves (op0 = 1x).
        Pattern("SYS", "1101_0101_0000_1xxx_xxxx_xxxx_xxxx_xxxx", SystemRegisterMove.Sys),
        Pattern("SYSL", "1101_0101_0010_1xxx_xxxx_xxxx_xxxx_xxxx", SystemRegisterMove.Sysl),
        Pattern("MSR (register)", "1101_0101_0001_xxxx_xxxx_xxxx_xxxx_xxxx", SystemRegisterMove.Msr),
        Pattern("MRS", "1101_0101_0011_xxxx_xxxx_xxxx_xxxx_xxxx", SystemRegisterMove.Mrs),
        // Exception generation.
        Pattern("SVC", "1101_0100_000x_xxxx_xxxx_xxxx_xxx0_0001", ExceptionGeneration.Svc),
        Pattern("HVC", "1101_0100_000x_xxxx_xxxx_xxxx_xxx0_0010", ExceptionGeneration.Hvc),
        Pattern("SMC", "1101_0100_000x_xxxx_xxxx_xxxx_xxx0_0011", ExceptionGeneration.Smc),
        Pattern("BRK", "1101_0100_001x_xxxx_xxxx_xxxx_xxx0_0000", ExceptionGeneration.Brk),
        Pattern("HLT", "1101_0100_010x_xxxx_xxxx_xxxx_xxx0_0000", ExceptionGeneration.Hlt),
    ];
}
