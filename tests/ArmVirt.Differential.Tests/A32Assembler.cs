namespace ArmVirt.Differential.Tests;

/// <summary>Encodes the A32 instructions the AArch32 differential tests generate (Arm ARM F4.1 encoding diagrams).</summary>
internal static class A32Assembler
{
    public const int Al = 0xE;

    private static uint C(int cond) => (uint)cond << 28;

    /// <summary>Data-processing (immediate): cond 001 opcode S Rn Rd imm12.</summary>
    public static uint DpImm(int cond, int opcode, int s, int rn, int rd, int imm12) =>
        C(cond) | 0x0200_0000u | (uint)opcode << 21 | (uint)s << 20 | (uint)rn << 16 | (uint)rd << 12 | (uint)imm12;

    /// <summary>Data-processing (register): cond 000 opcode S Rn Rd imm5 type 0 Rm.</summary>
    public static uint DpReg(int cond, int opcode, int s, int rn, int rd, int imm5, int type, int rm) =>
        C(cond) | (uint)opcode << 21 | (uint)s << 20 | (uint)rn << 16 | (uint)rd << 12 | (uint)imm5 << 7 | (uint)type << 5 | (uint)rm;

    /// <summary>Data-processing (register-shifted register): cond 000 opcode S Rn Rd Rs 0 type 1 Rm.</summary>
    public static uint DpRsr(int cond, int opcode, int s, int rn, int rd, int rs, int type, int rm) =>
        C(cond) | (uint)opcode << 21 | (uint)s << 20 | (uint)rn << 16 | (uint)rd << 12 | (uint)rs << 8 | (uint)type << 5 | 0x10u | (uint)rm;

    /// <summary>MOVW (top = false) / MOVT (top = true).</summary>
    public static uint MovWide(int cond, bool top, int rd, int imm16) =>
        C(cond) | (top ? 0x0340_0000u : 0x0300_0000u) | (uint)(imm16 >> 12) << 16 | (uint)rd << 12 | (uint)(imm16 & 0xFFF);

    /// <summary>Multiply family: cond 0000 op S RdHi/Rd RdLo/Ra Rm 1001 Rn.</summary>
    public static uint Multiply(int cond, int op, int s, int rdHi, int rdLo, int rm, int rn) =>
        C(cond) | (uint)op << 21 | (uint)s << 20 | (uint)rdHi << 16 | (uint)rdLo << 12 | (uint)rm << 8 | 0x90u | (uint)rn;

    /// <summary>Halfword multiplies: cond 0001 0 op 0 Rd Ra Rm 1 y x 0 Rn (op: 00 SMLAxy, 01 SMLAWy/SMULWy, 10 SMLALxy, 11 SMULxy).</summary>
    public static uint HalfwordMultiply(int cond, int op, int rd, int ra, int rm, int y, int x, int rn) =>
        C(cond) | 0x0100_0000u | (uint)op << 21 | (uint)rd << 16 | (uint)ra << 12 | (uint)rm << 8 | 0x80u | (uint)y << 6 | (uint)x << 5 | (uint)rn;

    /// <summary>Load/store word or byte (immediate): cond 010 P U B W L Rn Rt imm12.</summary>
    public static uint LdStImm(int cond, int p, int u, int b, int w, int l, int rn, int rt, int imm12) =>
        C(cond) | 0x0400_0000u | (uint)p << 24 | (uint)u << 23 | (uint)b << 22 | (uint)w << 21 | (uint)l << 20 | (uint)rn << 16 | (uint)rt << 12 | (uint)imm12;

    /// <summary>Load/store word or byte (register): cond 011 P U B W L Rn Rt imm5 type 0 Rm.</summary>
    public static uint LdStReg(int cond, int p, int u, int b, int w, int l, int rn, int rt, int imm5, int type, int rm) =>
        C(cond) | 0x0600_0000u | (uint)p << 24 | (uint)u << 23 | (uint)b << 22 | (uint)w << 21 | (uint)l << 20 | (uint)rn << 16 | (uint)rt << 12 | (uint)imm5 << 7 | (uint)type << 5 | (uint)rm;

    /// <summary>Extra load/store: cond 000 P U I W L Rn Rt imm4H 1 op2 1 imm4L/Rm (I = 1: imm8, else Rm).</summary>
    public static uint LdStExtra(int cond, int p, int u, int i, int w, int l, int rn, int rt, int op2, int imm8OrRm) =>
        C(cond) | (uint)p << 24 | (uint)u << 23 | (uint)i << 22 | (uint)w << 21 | (uint)l << 20 | (uint)rn << 16 | (uint)rt << 12
        | (i == 1 ? (uint)(imm8OrRm >> 4) << 8 | (uint)(imm8OrRm & 0xF) : (uint)imm8OrRm) | 0x90u | (uint)op2 << 5;

    /// <summary>LDM/STM: cond 100 P U 0 W L Rn register_list.</summary>
    public static uint LdmStm(int cond, int p, int u, int w, int l, int rn, int list) =>
        C(cond) | 0x0800_0000u | (uint)p << 24 | (uint)u << 23 | (uint)w << 21 | (uint)l << 20 | (uint)rn << 16 | (uint)list;

    /// <summary>B (link = 0) / BL (link = 1), offset patched later.</summary>
    public static uint Branch(int cond, int link) => C(cond) | 0x0A00_0000u | (uint)link << 24;

    /// <summary>BX / BLX (register): op 1 BX, 3 BLX.</summary>
    public static uint BranchExchange(int cond, int op, int rm) => C(cond) | 0x012F_FF00u | (uint)op << 4 | (uint)rm;

    /// <summary>SVC #imm24.</summary>
    public static uint Svc(int imm24) => C(Al) | 0x0F00_0000u | (uint)imm24;

    /// <summary>MRS Rd, APSR.</summary>
    public static uint Mrs(int cond, int rd) => C(cond) | 0x010F_0000u | (uint)rd << 12;

    /// <summary>MSR APSR_&lt;mask&gt;, Rn (mask bit 3 nzcvq, bit 2 g).</summary>
    public static uint MsrReg(int cond, int mask, int rn) => C(cond) | 0x0120_F000u | (uint)mask << 16 | (uint)rn;

    /// <summary>MSR APSR_&lt;mask&gt;, #imm12 (modified immediate).</summary>
    public static uint MsrImm(int cond, int mask, int imm12) => C(cond) | 0x0320_F000u | (uint)mask << 16 | (uint)imm12;

    /// <summary>A two-register miscellaneous form: cond fixed-bits Rd/Rm placed at 15..12 and 3..0 of <paramref name="pattern"/>.</summary>
    public static uint RdRm(int cond, uint pattern, int rd, int rm) => C(cond) | pattern | (uint)rd << 12 | (uint)rm;
}
