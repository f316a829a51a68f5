namespace ArmVirt.Differential.Tests;

/// <summary>
/// Encoders for the A64 integer instructions the generators emit (Arm ARM C4 "A64 Instruction Set Encoding").
/// Register numbers are 0..31; what 31 means (SP or ZR) is the encoding's business.
/// </summary>
internal static class A64Assembler
{
    // C4.1.92 Data Processing -- Immediate
    public static uint AddSubImm(int sf, int op, int s, int sh, int imm12, int rn, int rd) =>
        U(sf, 31) | U(op, 30) | U(s, 29) | (0b100010u << 23) | U(sh, 22) | U(imm12, 10) | U(rn, 5) | U(rd, 0);

    public static uint LogicalImm(int sf, int opc, int n, int immr, int imms, int rn, int rd) =>
        U(sf, 31) | U(opc, 29) | (0b100100u << 23) | U(n, 22) | U(immr, 16) | U(imms, 10) | U(rn, 5) | U(rd, 0);

    public static uint MoveWide(int sf, int opc, int hw, int imm16, int rd) =>
        U(sf, 31) | U(opc, 29) | (0b100101u << 23) | U(hw, 21) | U(imm16, 5) | U(rd, 0);

    public static uint Bitfield(int sf, int opc, int n, int immr, int imms, int rn, int rd) =>
        U(sf, 31) | U(opc, 29) | (0b100110u << 23) | U(n, 22) | U(immr, 16) | U(imms, 10) | U(rn, 5) | U(rd, 0);

    public static uint Extr(int sf, int rm, int imms, int rn, int rd) =>
        U(sf, 31) | (0b100111u << 23) | U(sf, 22) | U(rm, 16) | U(imms, 10) | U(rn, 5) | U(rd, 0);

    public static uint Adr(int page, long imm, int rd) =>
        U(page, 31) | U((int)(imm & 3), 29) | (0b10000u << 24) | (uint)(((imm >> 2) & 0x7FFFF) << 5) | U(rd, 0);

    // C4.1.95 Data Processing -- Register
    public static uint AddSubShifted(int sf, int op, int s, int shift, int rm, int imm6, int rn, int rd) =>
        U(sf, 31) | U(op, 30) | U(s, 29) | (0b01011u << 24) | U(shift, 22) | U(rm, 16) | U(imm6, 10) | U(rn, 5) | U(rd, 0);

    public static uint AddSubExtended(int sf, int op, int s, int rm, int option, int imm3, int rn, int rd) =>
        U(sf, 31) | U(op, 30) | U(s, 29) | (0b01011u << 24) | (1u << 21) | U(rm, 16) | U(option, 13) | U(imm3, 10) | U(rn, 5) | U(rd, 0);

    public static uint LogicalShifted(int sf, int opc, int shift, int n, int rm, int imm6, int rn, int rd) =>
        U(sf, 31) | U(opc, 29) | (0b01010u << 24) | U(shift, 22) | U(n, 21) | U(rm, 16) | U(imm6, 10) | U(rn, 5) | U(rd, 0);

    public static uint AddSubCarry(int sf, int op, int s, int rm, int rn, int rd) =>
        U(sf, 31) | U(op, 30) | U(s, 29) | (0b11010000u << 21) | U(rm, 16) | U(rn, 5) | U(rd, 0);

    public static uint CondCompare(int sf, int op, bool immediate, int rmOrImm5, int cond, int rn, int nzcv) =>
        U(sf, 31) | U(op, 30) | (1u << 29) | (0b11010010u << 21) | U(rmOrImm5, 16) | U(cond, 12) | (immediate ? 1u << 11 : 0) | U(rn, 5) | U(nzcv, 0);

    public static uint CondSelect(int sf, int op, int o2, int rm, int cond, int rn, int rd) =>
        U(sf, 31) | U(op, 30) | (0b11010100u << 21) | U(rm, 16) | U(cond, 12) | U(o2, 10) | U(rn, 5) | U(rd, 0);

    public static uint DataProc3(int sf, int op31, int o0, int rm, int ra, int rn, int rd) =>
        U(sf, 31) | (0b11011u << 24) | U(op31, 21) | U(rm, 16) | U(o0, 15) | U(ra, 10) | U(rn, 5) | U(rd, 0);

    public static uint DataProc2(int sf, int opcode, int rm, int rn, int rd) =>
        U(sf, 31) | (0b11010110u << 21) | U(rm, 16) | U(opcode, 10) | U(rn, 5) | U(rd, 0);

    public static uint DataProc1(int sf, int opcode, int rn, int rd) =>
        U(sf, 31) | (1u << 30) | (0b11010110u << 21) | U(opcode, 10) | U(rn, 5) | U(rd, 0);

    // C4.1.93 Branches
    public static uint BCond(int imm19, int cond) => 0x5400_0000u | (uint)((imm19 & 0x7FFFF) << 5) | U(cond, 0);
    public static uint CompareBranch(int sf, int op, int imm19, int rt) =>
        U(sf, 31) | (0b011010u << 25) | U(op, 24) | (uint)((imm19 & 0x7FFFF) << 5) | U(rt, 0);
    public static uint TestBranch(int bit, int op, int imm14, int rt) =>
        U(bit >> 5, 31) | (0b011011u << 25) | U(op, 24) | U(bit & 31, 19) | (uint)((imm14 & 0x3FFF) << 5) | U(rt, 0);
    public static uint B(int link, int imm26) => U(link, 31) | (0b00101u << 26) | (uint)(imm26 & 0x3FF_FFFF);

    // C4.1.94 Loads and Stores
    public static uint LdStUnsignedImm(int size, int opc, int imm12, int rn, int rt) =>
        U(size, 30) | (0b111001u << 24) | U(opc, 22) | U(imm12, 10) | U(rn, 5) | U(rt, 0);

    /// <summary>idx: 0 unscaled (LDUR/STUR), 1 post-index, 2 unprivileged (LDTR/STTR), 3 pre-index.</summary>
    public static uint LdStImm9(int size, int opc, int imm9, int idx, int rn, int rt) =>
        U(size, 30) | (0b111000u << 24) | U(opc, 22) | (uint)((imm9 & 0x1FF) << 12) | U(idx, 10) | U(rn, 5) | U(rt, 0);

    public static uint LdStRegister(int size, int opc, int rm, int option, int s, int rn, int rt) =>
        U(size, 30) | (0b111000u << 24) | U(opc, 22) | (1u << 21) | U(rm, 16) | U(option, 13) | U(s, 12) | (0b10u << 10) | U(rn, 5) | U(rt, 0);

    public static uint LdLiteral(int opc, int imm19, int rt) => U(opc, 30) | (0b011000u << 24) | (uint)((imm19 & 0x7FFFF) << 5) | U(rt, 0);

    /// <summary>idx: 0 no-allocate (LDNP/STNP), 1 post-index, 2 signed offset, 3 pre-index.</summary>
    public static uint LdStPair(int opc, int idx, int load, int imm7, int rt2, int rn, int rt) =>
        U(opc, 30) | (0b101u << 27) | U(idx, 23) | U(load, 22) | (uint)((imm7 & 0x7F) << 15) | U(rt2, 10) | U(rn, 5) | U(rt, 0);

    /// <summary>Load/store exclusive, acquire/release and CAS (C4.1.94 "Load/store exclusive" and "Compare and swap").</summary>
    public static uint LdStExclusive(int size, int o2, int l, int o1, int rs, int o0, int rt2, int rn, int rt) =>
        U(size, 30) | (0b001000u << 24) | U(o2, 23) | U(l, 22) | U(o1, 21) | U(rs, 16) | U(o0, 15) | U(rt2, 10) | U(rn, 5) | U(rt, 0);

    /// <summary>LSE atomic memory operations: o3 = 0 with opc LDADD..LDUMIN, o3 = 1 with opc 0 is SWP.</summary>
    public static uint Atomic(int size, int a, int r, int rs, int o3, int opc, int rn, int rt) =>
        U(size, 30) | (0b111000u << 24) | U(a, 23) | U(r, 22) | (1u << 21) | U(rs, 16) | U(o3, 15) | U(opc, 12) | U(rn, 5) | U(rt, 0);

    // Fixed instructions used by the harness.
    public static uint MsrNzcv(int rt) => 0xD51B_4200u | U(rt, 0);
    public static uint MrsNzcv(int rt) => 0xD53B_4200u | U(rt, 0);
    public static uint MsrFpcr(int rt) => 0xD51B_4400u | U(rt, 0);
    public static uint MsrFpsr(int rt) => 0xD51B_4420u | U(rt, 0);
    public static uint MrsFpsr(int rt) => 0xD53B_4420u | U(rt, 0);
    /// <summary>C7.2.186 LDR (immediate, SIMD&amp;FP) / STR: the 128-bit unsigned-offset form, imm12 scaled by 16.</summary>
    public static uint LdStQ(int load, int imm12, int rn, int rt) => (load == 1 ? 0x3DC0_0000u : 0x3D80_0000u) | U(imm12, 10) | U(rn, 5) | U(rt, 0);
    public static uint Svc(int imm16) => 0xD400_0001u | U(imm16, 5);

    private static uint U(int value, int shift) => (uint)value << shift;

    /// <summary>
    /// Encodes a valid bitmask immediate (DecodeBitMasks): element size 2^k, <paramref name="ones"/> set bits
    /// (1..esize-1), rotated right by <paramref name="rotate"/>. Returns (N, immr, imms).
    /// </summary>
    public static (int N, int Immr, int Imms) BitmaskImmediate(int log2Esize, int ones, int rotate)
    {
        int esize = 1 << log2Esize;
        int n = esize == 64 ? 1 : 0;
        int imms = ((0x3F << (log2Esize + 1)) & 0x3F) | (ones - 1);
        return (n, rotate & (esize - 1), imms);
    }
}
