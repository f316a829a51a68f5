using static ArmVirt.Differential.Tests.VfpSequenceGenerator;

namespace ArmVirt.Differential.Tests;

/// <summary>
/// Random Advanced SIMD instructions (Arm ARM F4.1 "Advanced SIMD data-processing" and element/structure loads and
/// stores) for the A32 batch harness, as A32 groups and as T32 groups (111U 1111 / 1111 1001 forms, never in an IT
/// block). Every class draws only allocated, defined encodings (element sizes, Q with even registers, pairwise forms on
/// D registers, register lists inside the file, aligned accesses inside scratch), over D0-D31 inputs biased to the FP
/// special values and integer saturation edges of <see cref="SimdFpValues"/>; FPSCR.QC and the cumulative FP flags are
/// compared with the registers.
/// </summary>
internal static class NeonSequenceGenerator
{
    private const int Block = A32BatchProgram.Block;

    private static readonly (string Name, Action<Random, List<Item>, int> Make)[] Kinds =
    [
        ("neon-int", Integer3),
        ("neon-logic", LogicImmediate),
        ("neon-float", Float),
        ("neon-shift", Shift),
        ("neon-long", LongAndScalar),
        ("neon-misc", Misc),
        ("neon-permute", Permute),
        ("neon-crypto", CryptoOps),
        ("neon-ldst", LoadStore),
        ("neon-rdm", RoundingDoublingMultiplyAccumulate),
    ];

    /// <summary>The A32 classes.</summary>
    public static readonly (string Name, Func<Random, InstructionGroup> Make)[] A32Classes =
        [.. Kinds.Select(k => (k.Name, (Func<Random, InstructionGroup>)(r => A32(k.Name, r, k.Make))))];

    /// <summary>The T32 classes.</summary>
    public static readonly (string Name, Func<Random, InstructionGroup> Make)[] T32Classes =
        [.. Kinds.Select(k => ("t-" + k.Name, (Func<Random, InstructionGroup>)(r => T32("t-" + k.Name, r, k.Make))))];

    // An A32 Advanced SIMD word as an item whose T32 form is 111U 1111 ... (or 1111 1001 ... for loads and stores).
    private static Item N(uint a32)
    {
        uint t32 = (a32 & 0xFE00_0000) == 0xF200_0000 ? 0xEF00_0000u | (a32 >> 24 & 1) << 28 | (a32 & 0x00FF_FFFF) : 0xF900_0000u | (a32 & 0x00FF_FFFF);
        return new Item(a32, false, Wide(t32));
    }

    private static int Reg(Random r, bool q) => q ? 2 * r.Next(16) : r.Next(32);
    private static uint Vd(int d) => (uint)(d >> 4) << 22 | (uint)(d & 15) << 12;
    private static uint Vn(int n) => (uint)(n >> 4) << 7 | (uint)(n & 15) << 16;
    private static uint Vm(int m) => (uint)(m >> 4) << 5 | (uint)(m & 15);
    private static uint Q(bool q) => q ? 1u << 6 : 0;
    private static uint U(int u) => (uint)u << 24;

    private static int Core(Random r, int memoryBase)
    {
        while (true) { int n = r.Next(15); if (n != Block && n != 13 && n != memoryBase) return n; }
    }

    // ---- three registers of the same length (integer) ----

    private static void Integer3(Random r, List<Item> items, int memoryBase)
    {
        int key;
        do key = r.Next(24); while (key == 3);
        bool pairwise = key is 20 or 21 or 23;
        bool q = !pairwise && r.Next(2) == 0;
        int u = r.Next(2);
        bool allow64 = key is 1 or 5 or 8 or 9 or 10 or 11 or 16;
        int size = r.Next(allow64 ? 4 : 3);
        if (key == 19 && u == 1) size = 0;        // VMUL.P8
        if (key == 22) size = 1 + r.Next(2);      // VQDMULH, VQRDMULH
        if (key == 23) u = 0;                     // VPADD (integer) has no U = 1 form
        items.Add(N(0xF200_0000u | U(u) | (uint)size << 20 | (uint)(key >> 1) << 8 | (uint)(key & 1) << 4 | Q(q)
            | Vd(Reg(r, q)) | Vn(Reg(r, q)) | Vm(Reg(r, q))));
    }

    // ---- logical (register) and modified immediate ----

    private static void LogicImmediate(Random r, List<Item> items, int memoryBase)
    {
        bool q = r.Next(2) == 0;
        if (r.Next(2) == 0)
        {
            items.Add(N(0xF200_0110u | U(r.Next(2)) | (uint)r.Next(4) << 20 | Q(q) | Vd(Reg(r, q)) | Vn(Reg(r, q)) | Vm(Reg(r, q))));
            return;
        }
        int cmode = r.Next(16), op = r.Next(2);
        if (op == 1 && cmode == 15) op = 0;
        int imm8 = r.Next(256);
        items.Add(N(0xF280_0010u | (uint)(imm8 >> 7) << 24 | (uint)(imm8 >> 4 & 7) << 16 | (uint)cmode << 8 | (uint)op << 5 | (uint)(imm8 & 15) | Q(q) | Vd(Reg(r, q))));
    }

    // ---- floating-point: three same, two-register misc, fixed-point conversion ----

    // (opc:o1, U, size<1>) of the defined single-precision three-same forms.
    private static readonly (int Key, int U, int Hi)[] FloatThree =
    [
        (0b11010, 0, 0), (0b11010, 0, 1), (0b11010, 1, 0), (0b11010, 1, 1), (0b11011, 0, 0), (0b11011, 0, 1), (0b11011, 1, 0),
        (0b11100, 0, 0), (0b11100, 1, 0), (0b11100, 1, 1), (0b11101, 1, 0), (0b11101, 1, 1), (0b11110, 0, 0), (0b11110, 0, 1),
        (0b11110, 1, 0), (0b11110, 1, 1), (0b11111, 0, 0), (0b11111, 0, 1), (0b11111, 1, 0), (0b11111, 1, 1), (0b11001, 0, 0), (0b11001, 0, 1),
    ];

    // opc1:opc2 (bits 17..16, 10..7) of the single-precision two-register misc forms.
    private static readonly int[] FloatMisc =
    [
        0b01_1000, 0b01_1001, 0b01_1010, 0b01_1011, 0b01_1100, 0b01_1110, 0b01_1111,             // compares with zero, VABS, VNEG
        0b10_1000, 0b10_1001, 0b10_1010, 0b10_1011, 0b10_1101, 0b10_1111,                        // VRINTN X A Z M P
        0b11_0000, 0b11_0001, 0b11_0010, 0b11_0011, 0b11_0100, 0b11_0101, 0b11_0110, 0b11_0111, // VCVTA/N/P/M
        0b11_1000, 0b11_1001, 0b11_1010, 0b11_1011,                                              // VRECPE, VRSQRTE (U32, F32)
        0b11_1100, 0b11_1101, 0b11_1110, 0b11_1111,                                              // VCVT between F32 and S32/U32
    ];

    private static void Float(Random r, List<Item> items, int memoryBase)
    {
        switch (r.Next(5))
        {
            case 0: case 1:
            {
                var (key, u, hi) = FloatThree[r.Next(FloatThree.Length)];
                bool pairwise = u == 1 && (key == 0b11110 || (key == 0b11010 && hi == 0));
                bool q = !pairwise && r.Next(2) == 0;
                items.Add(N(0xF200_0000u | U(u) | (uint)hi << 21 | (uint)(key >> 1) << 8 | (uint)(key & 1) << 4 | Q(q)
                    | Vd(Reg(r, q)) | Vn(Reg(r, q)) | Vm(Reg(r, q))));
                break;
            }
            case 2: case 3:
            {
                int key = FloatMisc[r.Next(FloatMisc.Length)];
                bool q = r.Next(2) == 0;
                items.Add(N(0xF3B8_0000u | (uint)(key >> 4) << 16 | (uint)(key & 15) << 7 | Q(q) | Vd(Reg(r, q)) | Vm(Reg(r, q))));
                break;
            }
            default: // VCVT fixed-point: imm6 = 32..63 (fraction bits 64 - imm6), op = bit 8
            {
                bool q = r.Next(2) == 0;
                items.Add(N(0xF280_0E10u | U(r.Next(2)) | (uint)(32 + r.Next(32)) << 16 | (uint)r.Next(2) << 8 | Q(q) | Vd(Reg(r, q)) | Vm(Reg(r, q))));
                break;
            }
        }
    }

    // ---- shifts by an immediate ----

    private static void Shift(Random r, List<Item> items, int memoryBase)
    {
        int kind = r.Next(4);
        if (kind <= 1) // VSHR .. VQSHL: L:imm6 with esize 8/16/32/64
        {
            int opc = r.Next(8), u = r.Next(2);
            if (opc is 4 or 6) u = 1;
            int esizeLog = r.Next(4);
            bool q = r.Next(2) == 0;
            int l = esizeLog == 3 ? 1 : 0;
            int imm6 = esizeLog == 3 ? r.Next(64) : (8 << esizeLog) + r.Next(8 << esizeLog);
            items.Add(N(0xF280_0010u | U(u) | (uint)imm6 << 16 | (uint)opc << 8 | (uint)l << 7 | Q(q) | Vd(Reg(r, q)) | Vm(Reg(r, q))));
        }
        else if (kind == 2) // narrowing: opc 1000/1001, imm6 8..63 (esize 8/16/32 of the result)
        {
            int esizeLog = r.Next(3);
            int imm6 = (8 << esizeLog) + r.Next(8 << esizeLog);
            items.Add(N(0xF280_0810u | U(r.Next(2)) | (uint)imm6 << 16 | (uint)r.Next(2) << 8 | (uint)r.Next(2) << 6 | Vd(r.Next(32)) | Vm(Reg(r, true))));
        }
        else // VSHLL / VMOVL
        {
            int esizeLog = r.Next(3);
            int imm6 = (8 << esizeLog) + (r.Next(3) == 0 ? 0 : r.Next(8 << esizeLog));
            items.Add(N(0xF280_0A10u | U(r.Next(2)) | (uint)imm6 << 16 | Vd(Reg(r, true)) | Vm(r.Next(32))));
        }
    }

    // ---- three registers of different lengths, two registers and a scalar ----

    private static void LongAndScalar(Random r, List<Item> items, int memoryBase)
    {
        if (r.Next(2) == 0)
        {
            int opc = r.Next(15), u = r.Next(2), size = r.Next(3);
            if (opc is 0b1001 or 0b1011 or 0b1101) { u = 0; size = 1 + r.Next(2); }
            if (opc == 0b1110) { u = 0; size = 0; }
            bool narrow = opc is 0b0100 or 0b0110, wide = opc is 0b0001 or 0b0011;
            int d = narrow ? r.Next(32) : Reg(r, true), n = wide || narrow ? Reg(r, true) : r.Next(32), m = narrow ? Reg(r, true) : r.Next(32);
            items.Add(N(0xF280_0000u | U(u) | (uint)size << 20 | (uint)opc << 8 | Vd(d) | Vn(n) | Vm(m)));
            return;
        }
        int[] opcs = [0b0000, 0b0001, 0b0100, 0b0101, 0b1000, 0b1001, 0b1100, 0b1101, 0b0010, 0b0011, 0b0110, 0b0111, 0b1010, 0b1011];
        int o = opcs[r.Next(opcs.Length)];
        bool floating = o is 0b0001 or 0b0101 or 0b1001;
        bool longForm = o is 0b0010 or 0b0011 or 0b0110 or 0b0111 or 0b1010 or 0b1011;
        int sz = floating ? 2 : 1 + r.Next(2);
        int bit24 = o is 0b0011 or 0b0111 or 0b1011 ? 0 : r.Next(2);
        bool qq = !longForm && bit24 == 1;
        int vm = sz == 1 ? r.Next(8) | r.Next(2) << 3 : r.Next(16); // 16-bit scalars: D0-D7
        int mBit = r.Next(2);
        items.Add(N(0xF280_0040u | U(bit24) | (uint)sz << 20 | (uint)o << 8 | Vd(longForm ? Reg(r, true) : Reg(r, qq)) | Vn(Reg(r, qq))
            | (uint)mBit << 5 | (uint)vm));
    }

    // ---- FEAT_RDM (ArmVirt's and QEMU's max): VQRDMLAH/VQRDMLSH, vector and by scalar, 16- and 32-bit elements ----

    private static void RoundingDoublingMultiplyAccumulate(Random r, List<Item> items, int memoryBase)
    {
        bool q = r.Next(2) == 0;
        int size = 1 + r.Next(2);
        if (r.Next(2) == 0)
        {
            uint opc = r.Next(2) == 0 ? 0b1011u : 0b1100u; // VQRDMLAH, VQRDMLSH
            items.Add(N(0xF300_0010u | (uint)size << 20 | opc << 8 | Q(q) | Vd(Reg(r, q)) | Vn(Reg(r, q)) | Vm(Reg(r, q))));
            return;
        }
        int vm = size == 1 ? r.Next(8) | r.Next(2) << 3 : r.Next(16); // 16-bit scalars: D0-D7
        uint o = r.Next(2) == 0 ? 0b1110u : 0b1111u;
        items.Add(N(0xF280_0040u | U(q ? 1 : 0) | (uint)size << 20 | o << 8 | Vd(Reg(r, q)) | Vn(Reg(r, q)) | (uint)r.Next(2) << 5 | (uint)vm));
    }

    // ---- two registers, miscellaneous (integer) ----

    private static void Misc(Random r, List<Item> items, int memoryBase)
    {
        bool q = r.Next(2) == 0;
        int opc1, opc2, size;
        switch (r.Next(8))
        {
            case 0: opc1 = 0; opc2 = r.Next(3); size = r.Next(3 - opc2 + (opc2 == 0 ? 0 : 0)); if (opc2 == 2) size = 0; if (opc2 == 1) size = r.Next(2); break; // VREV64/32/16
            case 1: opc1 = 0; opc2 = r.Next(2) == 0 ? 0b0100 | r.Next(2) : 0b1100 | r.Next(2); size = r.Next(3); break;     // VPADDL, VPADAL
            case 2: opc1 = 0; opc2 = 0b1000 + r.Next(2); size = r.Next(3); break;                                            // VCLS, VCLZ
            case 3: opc1 = 0; opc2 = r.Next(2) == 0 ? 0b1010 : 0b1011; size = 0; break;                                      // VCNT, VMVN
            case 4: opc1 = 0; opc2 = 0b1110 + r.Next(2); size = r.Next(3); break;                                            // VQABS, VQNEG
            case 5: { int[] k = [0, 1, 2, 3, 4, 6, 7]; opc1 = 1; opc2 = k[r.Next(k.Length)]; size = r.Next(3); break; }     // compares with zero, VABS, VNEG
            case 6: opc1 = 2; opc2 = 0b0100 + r.Next(2); size = r.Next(3); items.Add(N(0xF3B0_0000u | (uint)size << 18 | (uint)opc1 << 16 | (uint)opc2 << 7 | Q(r.Next(2) == 0) | Vd(r.Next(32)) | Vm(Reg(r, true)))); return; // VMOVN, VQMOVUN, VQMOVN
            default: opc1 = 2; opc2 = 0b0110; size = r.Next(3); items.Add(N(0xF3B0_0000u | (uint)size << 18 | (uint)opc1 << 16 | (uint)opc2 << 7 | Vd(Reg(r, true)) | Vm(r.Next(32)))); return; // VSHLL (maximum)
        }
        items.Add(N(0xF3B0_0000u | (uint)size << 18 | (uint)opc1 << 16 | (uint)opc2 << 7 | Q(q) | Vd(Reg(r, q)) | Vm(Reg(r, q))));
    }

    // ---- VSWP, VTRN, VUZP, VZIP, VEXT, VTBL/VTBX, VDUP ----

    private static void Permute(Random r, List<Item> items, int memoryBase)
    {
        bool q = r.Next(2) == 0;
        switch (r.Next(5))
        {
            case 0:
            {
                int opc2 = r.Next(4), size = opc2 == 0 ? 0 : r.Next(3);
                if (!q && size == 2 && opc2 >= 2) size = 1;
                int d = Reg(r, q), m;
                do m = Reg(r, q); while (m == d); // d = m is UNPREDICTABLE for VSWP, VTRN, VUZP, VZIP
                items.Add(N(0xF3B2_0000u | (uint)size << 18 | (uint)opc2 << 7 | Q(q) | Vd(d) | Vm(m)));
                break;
            }
            case 1: items.Add(N(0xF2B0_0000u | (uint)r.Next(q ? 16 : 8) << 8 | Q(q) | Vd(Reg(r, q)) | Vn(Reg(r, q)) | Vm(Reg(r, q)))); break; // VEXT
            case 2:
            {
                int len = r.Next(4), n = r.Next(32 - len);
                items.Add(N(0xF3B0_0800u | (uint)len << 8 | (uint)r.Next(2) << 6 | Vd(r.Next(32)) | Vn(n) | Vm(r.Next(32)))); // VTBL/VTBX
                break;
            }
            case 3:
            {
                int size = r.Next(3);
                int imm4 = size switch { 0 => 1 | r.Next(8) << 1, 1 => 2 | r.Next(4) << 2, _ => 4 | r.Next(2) << 3 };
                items.Add(N(0xF3B0_0C00u | (uint)imm4 << 16 | Q(q) | Vd(Reg(r, q)) | Vm(r.Next(32)))); // VDUP (scalar)
                break;
            }
            default:
            {
                // VDUP (core) and VMOV scalar moves (VFP space, here as Advanced SIMD companions)
                int be = r.Next(3), dd = Reg(r, q);
                items.Add(new Item(0xEE80_0B10u | (uint)(be >> 1) << 22 | (q ? 1u << 21 : 0) | (uint)(dd & 15) << 16 | (uint)(dd >> 4) << 7 | (uint)Core(r, memoryBase) << 12 | (uint)(be & 1) << 5, false));
                break;
            }
        }
    }

    // ---- AES, SHA1, SHA256, VMULL.P64 ----

    private static void CryptoOps(Random r, List<Item> items, int memoryBase)
    {
        switch (r.Next(4))
        {
            case 0: items.Add(N(0xF3B0_0300u | (uint)r.Next(4) << 6 | Vd(Reg(r, true)) | Vm(Reg(r, true)))); break;       // AESE/AESD/AESMC/AESIMC
            case 1:
            {
                int u = r.Next(2), size = r.Next(u == 1 ? 3 : 4);
                items.Add(N(0xF200_0C40u | U(u) | (uint)size << 20 | Vd(Reg(r, true)) | Vn(Reg(r, true)) | Vm(Reg(r, true)))); // SHA 3-register
                break;
            }
            case 2:
            {
                uint[] ops = [0xF3B9_02C0u, 0xF3BA_0380u, 0xF3BA_03C0u]; // SHA1H, SHA1SU1, SHA256SU0
                items.Add(N(ops[r.Next(3)] | Vd(Reg(r, true)) | Vm(Reg(r, true))));
                break;
            }
            default: items.Add(N(0xF2A0_0E00u | Vd(Reg(r, true)) | Vn(r.Next(32)) | Vm(r.Next(32)))); break;               // VMULL.P64
        }
    }

    // ---- VLD1-4 / VST1-4 ----

    private static void LoadStore(Random r, List<Item> items, int memoryBase)
    {
        // add base, r11, #96 (A32) / addw base, r11, #96 (T32): up to 64 bytes are transferred, post-index up to +32
        items.Add(new Item(0xE28B_0060u | (uint)memoryBase << 12, false, Wide(0xF200_0060u | (uint)Block << 16 | (uint)memoryBase << 8)));
        int l = r.Next(2);
        int rmKind = r.Next(3);
        int rm = rmKind == 0 ? 15 : rmKind == 1 ? 13 : Core(r, memoryBase);
        if (rmKind == 2) items.Add(MoveWide(false, rm, (uint)(8 * r.Next(5))));
        uint common = (uint)l << 21 | (uint)memoryBase << 16 | (uint)rm;
        switch (r.Next(3))
        {
            case 0: // multiple structures
            {
                (int type, int n, int regs, int inc)[] types =
                    [(0b0111, 1, 1, 1), (0b1010, 1, 2, 1), (0b0110, 1, 3, 1), (0b0010, 1, 4, 1), (0b1000, 2, 1, 1), (0b1001, 2, 1, 2),
                     (0b0011, 2, 2, 2), (0b0100, 3, 1, 1), (0b0101, 3, 1, 2), (0b0000, 4, 1, 1), (0b0001, 4, 1, 2)];
                var (type, n, regs, inc) = types[r.Next(types.Length)];
                int size = r.Next(n == 1 ? 4 : 3);
                int span = n == 1 ? regs : n == 2 && regs == 2 ? 4 : 1 + (n - 1) * inc;
                // The alignment hint (64, 128 or 256 bits; the base is 32-byte aligned) where the encoding allows it.
                int[] aligns = (n, regs) switch { (1, 1) or (1, 3) or (3, _) => [0, 1], (1, 2) or (2, 1) => [0, 1, 2], _ => [0, 1, 2, 3] };
                int align = r.Next(2) == 0 ? 0 : aligns[r.Next(aligns.Length)];
                items.Add(N(0xF400_0000u | common | (uint)type << 8 | (uint)size << 6 | (uint)align << 4 | Vd(r.Next(33 - span))));
                break;
            }
            case 1: // one lane
            {
                int n = r.Next(4) + 1, size = r.Next(3);
                int index = r.Next(8 >> size), inc = n > 1 && size > 0 ? r.Next(2) + 1 : 1;
                int ia = index << (size + 1) | (n > 1 && size > 0 && inc == 2 ? 1 << size : 0);
                if (r.Next(2) == 0) // the alignment bits, where the encoding has them
                    ia |= (n, size) switch
                    {
                        (1, 1) => 1, (1, 2) => 3, (2, 0) => 1, (2, 1) => 1, (2, 2) => 1, (4, 0) => 1, (4, 1) => 1, (4, 2) => 1 + r.Next(2),
                        _ => 0,
                    };
                items.Add(N(0xF480_0000u | common | (uint)size << 10 | (uint)(n - 1) << 8 | (uint)ia << 4 | Vd(r.Next(32 - (n - 1) * inc))));
                break;
            }
            default: // all lanes (loads)
            {
                int n = r.Next(4) + 1, size = r.Next(3), t = r.Next(2);
                int span = n == 1 ? t + 1 : 1 + (n - 1) * (t + 1);
                int a = n == 3 || (n == 1 && size == 0) ? 0 : r.Next(2);
                if (n == 4 && r.Next(4) == 0) { size = 3; a = 1; } // VLD4 all lanes of 32-bit elements, 128-bit aligned
                items.Add(N(0xF4A0_0C00u | common | (uint)(n - 1) << 8 | (uint)size << 6 | (uint)t << 5 | (uint)a << 4 | Vd(r.Next(33 - span))));
                break;
            }
        }
    }
}
