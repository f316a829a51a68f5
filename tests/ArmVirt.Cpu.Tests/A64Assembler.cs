namespace ArmVirt.Cpu.Tests;

/// <summary>
/// A minimal A64 assembler for generated test programs: instruction words appended in order, and labels for the
/// PC-relative forms (B, BL, B.cond, CBZ/CBNZ, TBZ/TBNZ, ADR) resolved by <see cref="Finish"/>. The encoders follow
/// the Arm ARM's encoding diagrams (C4.1) and were checked against GNU objdump's disassembly when written.
/// </summary>
internal sealed class A64Assembler
{
    private enum Fixup { Imm26, Imm19, Imm14, Adr }

    private readonly List<uint> _words = [];
    private readonly List<int> _labels = [];
    private readonly List<(int At, int Label, Fixup Kind)> _fixups = [];

    /// <summary>Words emitted so far.</summary>
    public int Count => _words.Count;

    public int NewLabel()
    {
        _labels.Add(-1);
        return _labels.Count - 1;
    }

    public void Bind(int label) => _labels[label] = _words.Count;

    /// <summary>The word index a bound label names.</summary>
    public int IndexOf(int label) => _labels[label];

    public void Emit(uint word) => _words.Add(word);

    public void B(int label) => Branch(0x14000000, label, Fixup.Imm26);
    public void Bl(int label) => Branch(0x94000000, label, Fixup.Imm26);
    public void BCond(int cond, int label) => Branch(0x54000000 | (uint)cond, label, Fixup.Imm19);
    public void Cbz(bool sf, bool nonZero, int rt, int label) =>
        Branch((sf ? 1u << 31 : 0) | 0x34000000 | (nonZero ? 1u << 24 : 0) | (uint)rt, label, Fixup.Imm19);
    public void Tbz(bool nonZero, int rt, int bit, int label) =>
        Branch(((uint)bit >> 5 << 31) | 0x36000000 | (nonZero ? 1u << 24 : 0) | ((uint)bit & 31) << 19 | (uint)rt, label, Fixup.Imm14);
    public void Adr(int rd, int label) => Branch(0x10000000 | (uint)rd, label, Fixup.Adr);

    private void Branch(uint word, int label, Fixup kind)
    {
        _fixups.Add((_words.Count, label, kind));
        _words.Add(word);
    }

    public uint[] Finish()
    {
        var words = _words.ToArray();
        foreach (var (at, label, kind) in _fixups)
        {
            int target = _labels[label];
            if (target < 0) throw new InvalidOperationException($"label {label} not bound");
            int delta = target - at; // in words
            words[at] |= kind switch
            {
                Fixup.Imm26 => (uint)delta & 0x3FFFFFF,
                Fixup.Imm19 => ((uint)delta & 0x7FFFF) << 5,
                Fixup.Imm14 => ((uint)delta & 0x3FFF) << 5,
                _ => (((uint)(delta * 4) & 3) << 29) | ((((uint)(delta * 4) >> 2) & 0x7FFFF) << 5),
            };
        }
        return words;
    }

    // ---- encoders of single instructions ----

    public const uint Ret = 0xd65f03c0, Eret = 0xd69f03e0, SelfBranch = 0x14000000;

    public static uint Br(int rn) => 0xd61f0000 | (uint)rn << 5;
    public static uint Blr(int rn) => 0xd63f0000 | (uint)rn << 5;

    /// <summary>MOVZ/MOVN/MOVK (opc 10/00/11).</summary>
    public static uint Movz(bool sf, int rd, uint imm16, int hw = 0) => Move(sf, 0b10, rd, imm16, hw);
    public static uint Movn(bool sf, int rd, uint imm16, int hw = 0) => Move(sf, 0b00, rd, imm16, hw);
    public static uint Movk(bool sf, int rd, uint imm16, int hw = 0) => Move(sf, 0b11, rd, imm16, hw);
    private static uint Move(bool sf, uint opc, int rd, uint imm16, int hw) =>
        (sf ? 1u << 31 : 0) | opc << 29 | 0x12800000 | (uint)hw << 21 | (imm16 & 0xFFFF) << 5 | (uint)rd;

    /// <summary>ADD/ADDS/SUB/SUBS (immediate): Rd and Rn 31 are SP except Rd of the flag-setting forms (XZR).</summary>
    public static uint AddImm(bool sf, bool sub, bool setFlags, int rd, int rn, uint imm12, bool shift12 = false) =>
        (sf ? 1u << 31 : 0) | (sub ? 1u << 30 : 0) | (setFlags ? 1u << 29 : 0) | 0x11000000 | (shift12 ? 1u << 22 : 0)
        | (imm12 & 0xFFF) << 10 | (uint)rn << 5 | (uint)rd;

    /// <summary>ADD/SUB(S) (shifted register): shift 0 LSL, 1 LSR, 2 ASR.</summary>
    public static uint AddShifted(bool sf, bool sub, bool setFlags, int rd, int rn, int rm, int shift = 0, int amount = 0) =>
        (sf ? 1u << 31 : 0) | (sub ? 1u << 30 : 0) | (setFlags ? 1u << 29 : 0) | 0x0b000000 | (uint)shift << 22
        | (uint)rm << 16 | (uint)amount << 10 | (uint)rn << 5 | (uint)rd;

    /// <summary>ADD/SUB(S) (extended register): option 0..7 = UXTB..SXTX, amount 0..4; Rd (non-flag) and Rn 31 are SP.</summary>
    public static uint AddExtended(bool sf, bool sub, bool setFlags, int rd, int rn, int rm, int option, int amount) =>
        (sf ? 1u << 31 : 0) | (sub ? 1u << 30 : 0) | (setFlags ? 1u << 29 : 0) | 0x0b200000 | (uint)rm << 16
        | (uint)option << 13 | (uint)amount << 10 | (uint)rn << 5 | (uint)rd;

    /// <summary>Logical (immediate): opc 0 AND, 1 ORR, 2 EOR, 3 ANDS; (N, immr, imms) as C6.2's DecodeBitMasks takes them.</summary>
    public static uint LogicalImm(bool sf, int opc, int rd, int rn, int n, int immr, int imms) =>
        (sf ? 1u << 31 : 0) | (uint)opc << 29 | 0x12000000 | (uint)n << 22 | (uint)immr << 16 | (uint)imms << 10
        | (uint)rn << 5 | (uint)rd;

    /// <summary>LDR/STR (unsigned immediate): size 0..3, opc 0 store, 1 load, 2 load signed to 64, 3 signed to 32.</summary>
    public static uint LdrUImm(int size, int opc, int rt, int rn, uint imm12) =>
        (uint)size << 30 | 0x39000000 | (uint)opc << 22 | (imm12 & 0xFFF) << 10 | (uint)rn << 5 | (uint)rt;

    /// <summary>LDUR/STUR (mode 0), post-index (mode 1), pre-index (mode 3).</summary>
    public static uint LdrImm9(int size, int opc, int rt, int rn, int imm9, int mode) =>
        (uint)size << 30 | 0x38000000 | (uint)opc << 22 | ((uint)imm9 & 0x1FF) << 12 | (uint)mode << 10 | (uint)rn << 5 | (uint)rt;

    /// <summary>LDR/STR (register): option 2 UXTW, 3 LSL, 6 SXTW, 7 SXTX; S scales by the size.</summary>
    public static uint LdrRegister(int size, int opc, int rt, int rn, int rm, int option, bool scaled) =>
        (uint)size << 30 | 0x38200800 | (uint)opc << 22 | (uint)rm << 16 | (uint)option << 13 | (scaled ? 1u << 12 : 0)
        | (uint)rn << 5 | (uint)rt;

    /// <summary>LDP/STP/LDPSW: opc 0 32-bit, 1 LDPSW, 2 64-bit; mode 1 post-index, 2 signed offset, 3 pre-index.</summary>
    public static uint Pair(int opc, bool load, int rt, int rt2, int rn, int imm7, int mode) =>
        (uint)opc << 30 | 0x28000000 | (uint)mode << 23 | (load ? 1u << 22 : 0) | ((uint)imm7 & 0x7F) << 15
        | (uint)rt2 << 10 | (uint)rn << 5 | (uint)rt;

    public static uint Svc(uint imm16) => 0xd4000001 | (imm16 & 0xFFFF) << 5;
    public static uint MrsNzcv(int rt) => 0xd53b4200 | (uint)rt;
    public static uint MsrNzcv(int rt) => 0xd51b4200 | (uint)rt;
}
