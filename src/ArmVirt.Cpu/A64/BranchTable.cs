using static ArmVirt.Cpu.A64.A64Encoding;

namespace ArmVirt.Cpu.A64;

/// <summary>
/// Decode rows of the branch classes of Arm ARM C4.1.3 "Branches, Exception Generating and System
/// instructions" (the exception-generating and system classes are in <see cref="SystemTable"/>).
/// The Armv8.3 pointer-authentication forms (BRAA, BLRAA, RETAA, ERETAA...) are not implemented by our
/// models, so their encodings (op3 or op4 non-zero) have no row and are UNDEFINED.
/// </summary>
internal static class BranchTable
{
    /// <summary>The rows.</summary>
    public static IReadOnlyList<A64Encoding> Entries { get; } =
    [
        // ---- Unconditional branch (immediate): op 00101 imm26 ----
        Pattern("B", "0 00101 xxxxxxxxxxxxxxxxxxxxxxxxxx", Branches.B),
        Pattern("BL", "1 00101 xxxxxxxxxxxxxxxxxxxxxxxxxx", Branches.Bl),

        // ---- Conditional branch (immediate): 0101010 o1 imm19 o0 cond (o0 = 1 is BC.cond, v8.8) ----
        Pattern("B.cond", "0101010 0 xxxxxxxxxxxxxxxxxxx 0 xxxx", Branches.BCond),

        // ---- Compare and branch (immediate): sf 011010 op imm19 Rt ----
        Pattern("CBZ", "x 011010 0 xxxxxxxxxxxxxxxxxxx xxxxx", Branches.Cbz),
        Pattern("CBNZ", "x 011010 1 xxxxxxxxxxxxxxxxxxx xxxxx", Branches.Cbnz),

        // ---- Test and branch (immediate): b5 011011 op b40 imm14 Rt ----
        Pattern("TBZ", "x 011011 0 xxxxx xxxxxxxxxxxxxx xxxxx", Branches.Tbz),
        Pattern("TBNZ", "x 011011 1 xxxxx xxxxxxxxxxxxxx xxxxx", Branches.Tbnz),

        // ---- Unconditional branch (register): 1101011 opc op2 op3 Rn op4 ----
        Pattern("BR", "1101011 0000 11111 000000 xxxxx 00000", Branches.Br),
        Pattern("BLR", "1101011 0001 11111 000000 xxxxx 00000", Branches.Blr),
        Pattern("RET", "1101011 0010 11111 000000 xxxxx 00000", Branches.Ret),
        Pattern("ERET", "1101011 0100 11111 000000 11111 00000", Branches.Eret),
    ];
}
