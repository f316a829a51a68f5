namespace ArmVirt.Differential.Tests;

/// <summary>
/// Random VFP instructions (Arm ARM F4.1 floating-point data-processing, transfers, loads and stores) for the A32 batch
/// harness, as A32 groups with random conditions and as T32 groups (the same words with 1110 in front, conditional
/// ones sometimes in an IT block). Operands are the whole S0-S31 / D0-D31 file, whose inputs are biased to the special
/// values of <see cref="SimdFpValues"/>, under the random FPSCR of each sequence (rounding mode, FZ, DN, AHP, flags);
/// the fpscr class also writes FPSCR inside the sequence. Nothing generated is UNDEFINED or UNPREDICTABLE (no PC
/// operands, register lists inside the file, Len and Stride zero); memory accesses stay word-aligned in scratch.
/// </summary>
internal static class VfpSequenceGenerator
{
    private const int Block = A32BatchProgram.Block;

    /// <summary>The A32 classes.</summary>
    public static readonly (string Name, Func<Random, InstructionGroup> Make)[] A32Classes =
    [
        ("vfp-arith", r => A32("vfp-arith", r, Arithmetic)),
        ("vfp-misc", r => A32("vfp-misc", r, Miscellaneous)),
        ("vfp-convert", r => A32("vfp-convert", r, Convert)),
        ("vfp-v8", r => A32("vfp-v8", r, Armv8)),
        ("vfp-fpscr", r => A32("vfp-fpscr", r, Fpscr)),
        ("vfp-move", r => A32("vfp-move", r, Move)),
        ("vfp-ldst", r => A32("vfp-ldst", r, LoadStore)),
    ];

    /// <summary>The T32 classes.</summary>
    public static readonly (string Name, Func<Random, InstructionGroup> Make)[] T32Classes =
    [
        ("t-vfp-arith", r => T32("t-vfp-arith", r, Arithmetic)),
        ("t-vfp-misc", r => T32("t-vfp-misc", r, Miscellaneous)),
        ("t-vfp-convert", r => T32("t-vfp-convert", r, Convert)),
        ("t-vfp-v8", r => T32("t-vfp-v8", r, Armv8)),
        ("t-vfp-fpscr", r => T32("t-vfp-fpscr", r, Fpscr)),
        ("t-vfp-move", r => T32("t-vfp-move", r, Move)),
        ("t-vfp-ldst", r => T32("t-vfp-ldst", r, LoadStore)),
    ];

    /// <summary>
    /// One generated instruction: the A32 word with cond = 1110 (or the unconditional 1111), whether a condition may be
    /// applied, and for the non-VFP helpers whose T32 encoding differs, the T32 halfwords.
    /// </summary>
    internal readonly record struct Item(uint Word, bool Conditional = true, ushort[]? Thumb = null);

    internal static ushort[] Wide(uint insn) => [(ushort)(insn >> 16), (ushort)insn];

    // MOVW/MOVT Rd, #imm16 in both instruction sets.
    internal static Item MoveWide(bool top, int rd, uint imm16) =>
        new((top ? 0xE340_0000u : 0xE300_0000u) | (imm16 >> 12) << 16 | (uint)rd << 12 | (imm16 & 0xFFF), false,
            Wide((top ? 0xF2C0_0000u : 0xF240_0000u) | (imm16 >> 11 & 1) << 26 | (imm16 >> 12) << 16 | (imm16 >> 8 & 7) << 12 | (uint)rd << 8 | (imm16 & 0xFF)));

    // ---- groups ----

    internal static InstructionGroup A32(string name, Random r, Action<Random, List<Item>, int> make)
    {
        var items = new List<Item>();
        int count = r.Next(1, 4);
        for (int i = 0; i < count; i++) make(r, items, 10);
        var words = items.Select(it => it.Conditional && r.Next(3) == 0 ? (it.Word & 0x0FFF_FFFFu) | (uint)r.Next(14) << 28 : it.Word).ToArray();
        return new InstructionGroup(name, words);
    }

    // As T32SequenceGenerator's groups: BLX to the next word, the instructions, BX PC back to A32.
    internal static InstructionGroup T32(string name, Random r, Action<Random, List<Item>, int> make)
    {
        var items = new List<Item>();
        int count = r.Next(1, 4);
        for (int i = 0; i < count; i++) make(r, items, 7);
        var hw = new List<ushort>();
        foreach (var it in items)
        {
            if (it.Conditional && r.Next(4) == 0)
            {
                int cond = r.Next(14);
                hw.Add((ushort)(0xBF08 | cond << 4)); // IT<cond>, one instruction
            }
            hw.AddRange(it.Thumb ?? Wide(it.Word));
        }
        if (hw.Count % 2 != 0) hw.Add(0xBF00);
        hw.Add(0x4778);
        hw.Add(0xBF00);
        var words = new uint[1 + hw.Count / 2];
        words[0] = 0xFAFF_FFFF;
        for (int i = 0; i < hw.Count / 2; i++) words[1 + i] = hw[2 * i] | (uint)hw[2 * i + 1] << 16;
        return new InstructionGroup(name, words);
    }

    // ---- register fields (F5.1 VFP register encodings) ----

    private static uint Vd(int d, int size) => size == 64 ? (uint)(d >> 4) << 22 | (uint)(d & 15) << 12 : (uint)(d & 1) << 22 | (uint)(d >> 1) << 12;
    private static uint Vn(int n, int size) => size == 64 ? (uint)(n >> 4) << 7 | (uint)(n & 15) << 16 : (uint)(n & 1) << 7 | (uint)(n >> 1) << 16;
    private static uint Vm(int m, int size) => size == 64 ? (uint)(m >> 4) << 5 | (uint)(m & 15) : (uint)(m & 1) << 5 | (uint)(m >> 1);
    private static uint Sz(int size) => size == 64 ? 1u << 8 : 0;
    private static int Size(Random r) => r.Next(2) == 0 ? 32 : 64;
    private static int Reg(Random r) => r.Next(32);

    // A core destination: R0-R10, R12, R14 but R11 and the memory base.
    private static int Core(Random r, int memoryBase)
    {
        while (true) { int n = r.Next(15); if (n != Block && n != 13 && n != memoryBase) return n; }
    }

    // ---- classes ----

    // VMLA VMLS VNMLS VNMLA VMUL VNMUL VADD VSUB VDIV VFNMS VFNMA VFMA VFMS
    private static readonly uint[] ThreeOps =
        [0x0E00_0A00, 0x0E00_0A40, 0x0E10_0A00, 0x0E10_0A40, 0x0E20_0A00, 0x0E20_0A40, 0x0E30_0A00, 0x0E30_0A40,
         0x0E80_0A00, 0x0E90_0A00, 0x0E90_0A40, 0x0EA0_0A00, 0x0EA0_0A40];

    private static void Arithmetic(Random r, List<Item> items, int memoryBase)
    {
        int size = Size(r);
        items.Add(new(0xE000_0000u | ThreeOps[r.Next(ThreeOps.Length)] | Sz(size) | Vd(Reg(r), size) | Vn(Reg(r), size) | Vm(Reg(r), size)));
    }

    private static void Miscellaneous(Random r, List<Item> items, int memoryBase)
    {
        int size = Size(r);
        uint d = Vd(Reg(r), size), m = Vm(Reg(r), size), base_ = 0xEEB0_0A00u | Sz(size);
        switch (r.Next(9))
        {
            case 0: items.Add(new(base_ | d | (uint)r.Next(16) << 16 | (uint)r.Next(16))); break;               // VMOV immediate
            case 1: items.Add(new(base_ | d | m | 0x40)); break;                                                 // VMOV register
            case 2: items.Add(new(base_ | d | m | 0xC0)); break;                                                 // VABS
            case 3: items.Add(new(base_ | 0x1_0000 | d | m | (uint)r.Next(2) << 7 | 0x40)); break;              // VNEG, VSQRT
            case 4:                                                                                             // VCMP(E), then VMRS
                items.Add(new(r.Next(4) == 0 ? base_ | 0x5_0040 | d | (uint)r.Next(2) << 7 : base_ | 0x4_0040 | d | m | (uint)r.Next(2) << 7));
                items.Add(new(r.Next(2) == 0 ? 0xEEF1_FA10u : 0xEEF1_0A10u | (uint)Core(r, memoryBase) << 12));
                break;
            case 5: items.Add(new(base_ | 0x6_0040 | d | m | (uint)r.Next(2) << 7)); break;                    // VRINTR, VRINTZ
            case 6: items.Add(new(base_ | 0x7_0040 | d | m)); break;                                             // VRINTX
            case 7: items.Add(new(base_ | 0x7_00C0 | Vd(Reg(r), 96 - size) | m)); break;                        // VCVT double <-> single
            default:                                                                                            // VCVTB/VCVTT
            {
                bool toHalf = r.Next(2) == 0;
                uint dd = Vd(Reg(r), toHalf ? 32 : size), mm = Vm(Reg(r), toHalf ? size : 32);
                items.Add(new(base_ | 0x2_0040 | (toHalf ? 0x1_0000u : 0) | (uint)r.Next(2) << 7 | dd | mm));
                break;
            }
        }
    }

    private static void Convert(Random r, List<Item> items, int memoryBase)
    {
        int size = Size(r);
        uint base_ = 0xEEB0_0A40u | Sz(size);
        switch (r.Next(3))
        {
            case 0: items.Add(new(base_ | 0x8_0000 | (uint)r.Next(2) << 7 | Vd(Reg(r), size) | Vm(Reg(r), 32))); break;          // VCVT from integer
            case 1: items.Add(new(base_ | 0xC_0000 | (uint)r.Next(2) << 16 | (uint)r.Next(2) << 7 | Vd(Reg(r), 32) | Vm(Reg(r), size))); break; // VCVT(R) to integer
            default:                                                                                                             // VCVT fixed
            {
                int sx = r.Next(2), fixedSize = sx == 1 ? 32 : 16;
                // fraction bits = size - imm5: imm5 0..31 (32-bit) or 0..16 (16-bit; more is UNPREDICTABLE)
                int imm5 = r.Next(3) == 0 ? (r.Next(2) == 0 ? 0 : fixedSize - 1) : r.Next(sx == 1 ? 32 : 17);
                items.Add(new(base_ | 0xA_0000 | (uint)r.Next(2) << 18 | (uint)r.Next(2) << 16 | (uint)sx << 7
                    | Vd(Reg(r), size) | (uint)(imm5 & 1) << 5 | (uint)(imm5 >> 1)));
                break;
            }
        }
    }

    // The unconditional Armv8 additions (never conditional, never in an IT block).
    private static void Armv8(Random r, List<Item> items, int memoryBase)
    {
        int size = Size(r);
        uint d = Vd(Reg(r), size), n = Vn(Reg(r), size), m = Vm(Reg(r), size);
        switch (r.Next(4))
        {
            case 0: items.Add(new(0xFE00_0A00u | (uint)r.Next(4) << 20 | Sz(size) | d | n | m, false)); break;                 // VSEL
            case 1: items.Add(new(0xFE80_0A00u | (uint)r.Next(2) << 6 | Sz(size) | d | n | m, false)); break;                  // VMAXNM/VMINNM
            case 2: items.Add(new(0xFEB8_0A40u | (uint)r.Next(4) << 16 | Sz(size) | d | m, false)); break;                     // VRINTA/N/P/M
            default: items.Add(new(0xFEBC_0A40u | (uint)r.Next(4) << 16 | (uint)r.Next(2) << 7 | Sz(size) | Vd(Reg(r), 32) | m, false)); break; // VCVTA/N/P/M
        }
    }

    // VMSR FPSCR with random controls (Len and Stride zero), an operation, VMRS.
    private static void Fpscr(Random r, List<Item> items, int memoryBase)
    {
        int rt = Core(r, memoryBase);
        uint value = (uint)r.Next(16) << 28 | (uint)SimdFpValues.Fpcr(r) | (uint)SimdFpValues.Fpsr(r);
        items.Add(MoveWide(false, rt, value & 0xFFFF));
        items.Add(MoveWide(true, rt, value >> 16));
        items.Add(new(0xEEE1_0A10u | (uint)rt << 12));
        switch (r.Next(3))
        {
            case 0: Arithmetic(r, items, memoryBase); break;
            case 1: Miscellaneous(r, items, memoryBase); break;
            default: Convert(r, items, memoryBase); break;
        }
        items.Add(new(0xEEF1_0A10u | (uint)Core(r, memoryBase) << 12));
    }

    private static void Move(Random r, List<Item> items, int memoryBase)
    {
        int rt = Core(r, memoryBase), rt2 = Core(r, memoryBase);
        switch (r.Next(6))
        {
            case 0: items.Add(new(0xEE00_0A10u | (uint)r.Next(2) << 20 | Vn(Reg(r), 32) | (uint)rt << 12)); break;                    // VMOV Sn <-> Rt
            case 1:                                                                                                                   // VMOV Dm <-> Rt, Rt2
            {
                int op = r.Next(2);
                if (op == 1 && rt == rt2) rt2 = rt == 0 ? 1 : 0;
                items.Add(new(0xEC40_0B10u | (uint)op << 20 | (uint)rt2 << 16 | (uint)rt << 12 | Vm(Reg(r), 64)));
                break;
            }
            case 2:                                                                                                                   // VMOV Sm, Sm1 <-> Rt, Rt2
            {
                int op = r.Next(2);
                if (op == 1 && rt == rt2) rt2 = rt == 0 ? 1 : 0;
                items.Add(new(0xEC40_0A10u | (uint)op << 20 | (uint)rt2 << 16 | (uint)rt << 12 | Vm(r.Next(31), 32)));
                break;
            }
            case 3:                                                                                                                   // VMOV Dd[x], Rt
            case 4:                                                                                                                   // VMOV Rt, Dn[x]
            {
                int[] opcs = [0b0000, 0b0100, 0b0001, 0b0011, 0b0101, 0b0111, 0b1000, 0b1001, 0b1010, 0b1011, 0b1100, 0b1101, 0b1110, 0b1111];
                int opc = opcs[r.Next(opcs.Length)];
                bool toCore = r.Next(2) == 0;
                bool narrow = (opc & 0b1000) != 0 || (opc & 1) != 0;
                uint u = toCore && narrow && r.Next(2) == 0 ? 1u << 23 : 0; // U only for 8- and 16-bit elements
                int dn = Reg(r);
                items.Add(new(0xEE00_0B10u | u | (uint)(opc >> 2) << 21 | (toCore ? 1u << 20 : 0) | (uint)(dn & 15) << 16 | (uint)(dn >> 4) << 7
                    | (uint)rt << 12 | (uint)(opc & 3) << 5));
                break;
            }
            default:                                                                                                                  // VDUP Dd/Qd, Rt
            {
                int be = r.Next(3), q = r.Next(2), dd = q == 1 ? r.Next(16) * 2 : Reg(r);
                items.Add(new(0xEE80_0B10u | (uint)(be >> 1) << 22 | (uint)q << 21 | (uint)(dd & 15) << 16 | (uint)(dd >> 4) << 7 | (uint)rt << 12 | (uint)(be & 1) << 5));
                break;
            }
        }
    }

    // The base points to the middle of scratch (r11 + 128): VLDR/VSTR reach +/-124, VLDM/VSTM transfer up to 128 bytes up or down.
    private static void LoadStore(Random r, List<Item> items, int memoryBase)
    {
        int rn = r.Next(4) == 0 ? 13 : memoryBase;
        // add rn, r11, #128 (A32); addw r7, r11, #128 and, for SP, mov sp, r7 (T32)
        ushort[] thumb = [.. Wide(0xF200_0080u | (uint)Block << 16 | (uint)memoryBase << 8), .. rn == 13 ? new ushort[] { 0x46BD } : []];
        items.Add(new(0xE28B_0080u | (uint)rn << 12, false, thumb));
        int size = Size(r);
        int l = r.Next(2);
        if (r.Next(2) == 0)
        {
            items.Add(new(0xED00_0A00u | (uint)r.Next(2) << 23 | (uint)l << 20 | (uint)rn << 16 | Sz(size) | Vd(Reg(r), size) | (uint)r.Next(31)));
            return;
        }
        int max = size == 64 ? 16 : 32;
        int count = r.Next(1, max + 1), first = r.Next(0, 33 - count);
        if (size == 64 && count > 16) count = 16;
        int imm8 = size == 64 ? 2 * count : count;
        var (p, u, w) = r.Next(3) switch { 0 => (0, 1, 0), 1 => (0, 1, 1), _ => (1, 0, 1) };
        if (size == 64) first = r.Next(0, 33 - count);
        items.Add(new(0xEC00_0A00u | (uint)p << 24 | (uint)u << 23 | (uint)w << 21 | (uint)l << 20 | (uint)rn << 16 | Sz(size) | Vd(first, size) | (uint)imm8));
    }
}
