using ArmVirt.Cpu.A64;
using static ArmVirt.Cpu.Tests.A64Assembler;

namespace ArmVirt.Cpu.Tests;

/// <summary>
/// Seeded random programs with control flow inside one 4 KiB page, for the JIT's region tier: forward and backward
/// conditional branches (B.cond after CMP/SUBS/ADDS/ANDS/CCMP, CBZ/CBNZ, TBZ/TBNZ), bounded loops (nested up to three
/// deep, each with its own counter), if/else diamonds, BL and BLR to leaf routines in the same page and RET, BR,
/// loads and stores of every integer size and addressing mode (including SP as the base), random integer
/// data-processing instructions of every decode row (32- and 64-bit, register 31 as XZR where it means XZR) and
/// explicit SP-destination forms, exclusive load/store retry loops and load-acquire/store-release, random scalar and
/// vector SIMD&amp;FP data processing with SIMD&amp;FP loads and stores (those run through the interpreter's handlers),
/// the odd SVC and MRS/MSR NZCV. Every program terminates: it ends in <c>b .</c>.
/// </summary>
/// <remarks>
/// Register use: x0..x15 are the random instructions' destinations; x16 counts the leaves' loops and x17..x19 the
/// main program's loops (by depth); x20 is the address base and x21 the index of each access (set just before it);
/// x22 holds BLR/BR targets; w23 is the store-exclusive status; x27 belongs to the exception handler; x28 is the data area (<see cref="DataSize"/>
/// bytes); SP stays 16-byte aligned inside the data area; x30 is the link register.
/// </remarks>
internal sealed class RegionProgramGenerator(Random rng)
{
    public const int DataSize = 0x2000;
    public const int MaxWords = 1000;

    private const int Base = 20, Index = 21, Target = 22, Status = 23, Data = 28, Sp = 31, Zr = 31;

    private static readonly A64Encoding[] FpRows =
        [.. SimdFpTable.Entries.Where(e => Jit.InstructionClassifier.Classify(e) == Jit.InstructionClass.Plain)];

    private static readonly A64Encoding[] Rows = [.. DataProcessingTable.Entries];

    // Rows whose Rd 31 is SP (C6.2: ADD/SUB immediate and extended register, AND/ORR/EOR immediate): a random SP
    // would make later SP-based accesses fault, so these get Rd 31 only in the explicit SP forms below.
    private static readonly HashSet<System.Reflection.MethodInfo> SpDestinationHandlers =
    [
        ((A64Handler)AluImmediate.AddImmediate).Method, ((A64Handler)AluImmediate.SubImmediate).Method,
        ((A64Handler)AluImmediate.AndImmediate).Method, ((A64Handler)AluImmediate.OrrImmediate).Method,
        ((A64Handler)AluImmediate.EorImmediate).Method, ((A64Handler)AluExtendedRegister.Add).Method,
        ((A64Handler)AluExtendedRegister.Sub).Method,
    ];

    private readonly A64Assembler _asm = new();
    private readonly List<int> _leaves = [];

    /// <summary>Word index of the final <c>b .</c> of the last program generated.</summary>
    public int EndIndex { get; private set; }

    /// <summary>A new program (at most <see cref="MaxWords"/> words).</summary>
    public static uint[] Generate(Random rng, out int endIndex)
    {
        var g = new RegionProgramGenerator(rng);
        var words = g.Generate();
        endIndex = g.EndIndex;
        return words;
    }

    private uint[] Generate()
    {
        int leafCount = rng.Next(4);
        for (int i = 0; i < leafCount; i++) _leaves.Add(_asm.NewLabel());
        Body(depth: 0, items: 8 + rng.Next(40), leaf: false, limit: 700);
        var end = _asm.NewLabel();
        _asm.Bind(end);
        EndIndex = _asm.Count;
        _asm.Emit(SelfBranch);
        foreach (var l in _leaves)
        {
            _asm.Bind(l);
            Body(depth: 0, items: 2 + rng.Next(6), leaf: true, limit: _asm.Count + 60);
            _asm.Emit(rng.Next(4) == 0 ? Br(30) : Ret);
        }
        if (_asm.Count > MaxWords) throw new InvalidOperationException("program too long");
        return _asm.Finish();
    }

    private int Reg() => rng.Next(16);

    private int RegOrZr() => rng.Next(10) == 0 ? Zr : Reg();

    private void Body(int depth, int items, bool leaf, int limit)
    {
        for (int i = 0; i < items && _asm.Count < limit; i++)
        {
            int r = rng.Next(100);
            if (r < 36) _asm.Emit(RandomDataProcessing());
            else if (r < 39) _asm.Emit(RandomSimdFp());
            else if (r < 58) Access();
            else if (r < 60) Exclusive();
            else if (r < 67) StackPointerForms();
            else if (r < 76) ForwardSkip(depth, leaf, limit);
            else if (r < 81) IfElse(depth, leaf, limit);
            else if (r < 91) Loop(depth, leaf, limit);
            else if (r < 96) Call(leaf);
            else Miscellaneous();
        }
    }

    // A random data-processing instruction whose destination is x0..x15, or XZR where Rd 31 means XZR.
    private uint RandomDataProcessing()
    {
        while (true)
        {
            uint w = LockstepRandomTests.RandomDataProcessing(rng);
            var row = A64Decoder.Instance.Decode(w);
            int rd = SpDestinationHandlers.Contains(row.Handler.Method) ? Reg() : RegOrZr();
            w = (w & ~31u) | (uint)rd;
            if (ReferenceEquals(A64Decoder.Instance.Decode(w), row)) return w;
        }
    }

    // A random SIMD&FP data-processing instruction (scalar or vector) with Rd (a V or an X register) below 16.
    private uint RandomSimdFp()
    {
        while (true)
        {
            var row = FpRows[rng.Next(FpRows.Length)];
            uint w = ((uint)rng.NextInt64(1L << 32) & ~row.Mask) | row.Value;
            w = (w & ~31u) | (uint)Reg();
            if (ReferenceEquals(A64Decoder.Instance.Decode(w), row)) return w;
        }
    }

    // retry: ld[a]xr{b,h,,} t, [x20]; add t, t, #k; st[l]xr{b,h,,} w23, t, [x20]; cbnz w23, retry — or LDAR/STLR.
    private void Exclusive()
    {
        int size = rng.Next(4);
        _asm.Emit(AddImm(true, false, false, Base, Data, (uint)(0x100 + 8 * rng.Next(0x1C0))));
        int t = Reg();
        uint ordered = rng.Next(2) == 0 ? 1u << 15 : 0;
        if (rng.Next(3) == 0)
        {
            _asm.Emit((uint)size << 30 | (rng.Next(2) == 0 ? 0x08dffc00u : 0x089ffc00u) | Base << 5 | (uint)t); // ldar / stlr
            return;
        }
        var retry = _asm.NewLabel();
        _asm.Bind(retry);
        _asm.Emit((uint)size << 30 | 0x085f7c00u | ordered | Base << 5 | (uint)t);
        _asm.Emit(AddImm(true, false, false, t, t, (uint)rng.Next(4096)));
        _asm.Emit((uint)size << 30 | 0x08007c00u | ordered | Status << 16 | Base << 5 | (uint)t);
        _asm.Cbz(false, true, Status, retry);
    }

    // An access into the data area: x20 = x28 + offset (x21 an index), then one load or store.
    private void Access()
    {
        int kind = rng.Next(8);
        if (kind == 6)
        {
            SpAccess();
            return;
        }
        if (kind == 7)
        {
            // LDR/STR S, D, Q (unsigned offset) or LDP/STP Q (signed offset): SIMD&FP, through the handlers.
            _asm.Emit(AddImm(true, false, false, Base, Data, (uint)(0x100 + 16 * rng.Next(0xE0))));
            uint[] forms = [0xbd400000, 0xbd000000, 0xfd400000, 0xfd000000, 0x3dc00000, 0x3d800000, 0xad400000, 0xad000000];
            uint form = forms[rng.Next(forms.Length)];
            uint fields = (form & 0x3f000000) == 0x2d000000
                ? (uint)rng.Next(8) << 15 | (uint)Reg() << 10       // imm7 (x16 bytes), Rt2
                : (uint)rng.Next(8) << 10;                           // imm12 (x size)
            _asm.Emit(form | fields | Base << 5 | (uint)Reg());
            return;
        }
        uint offset = (uint)(0x100 + 8 * rng.Next(0x1C0));
        if (rng.Next(20) == 0) offset += (uint)rng.Next(1, 8); // misaligned: the slow path (an alignment fault, Device memory)
        _asm.Emit(AddImm(true, false, false, Base, Data, offset));
        if (rng.Next(10) == 0)
        {
            // 2 GiB further: outside RAM (an external abort with the MMU off) or through an invalid level 1 entry (a
            // translation fault with it on), in every form below, write-back included: the abort changes no register.
            _asm.Emit(Movz(true, Index, 0x8000, 1));
            _asm.Emit(AddShifted(true, false, false, Base, Base, Index));
        }
        int size = rng.Next(4);
        int opc = RandomOpc(size);
        int rt = opc == 0 ? RegOrZr() : RegOrZr();
        switch (kind)
        {
            case 0:
                _asm.Emit(LdrUImm(size, opc, rt, Base, (uint)rng.Next(32)));
                break;
            case 1:
                _asm.Emit(LdrImm9(size, opc, rt, Base, (rng.Next(-8, 8) << size) + (rng.Next(16) == 0 ? 1 : 0), 0));
                break;
            case 2:
                _asm.Emit(LdrImm9(size, opc, rt, Base, (rng.Next(-8, 8) << size) + (rng.Next(8) == 0 ? 1 : 0), rng.Next(2) == 0 ? 1 : 3));
                break;
            case 3:
            {
                // The index counts elements when scaled, bytes (a multiple of the size) when not. A negative index
                // subtracts with SXTW, SXTX and LSL; with UXTW (rarely) it adds about 4 GiB: an external abort.
                int option = new[] { 2, 3, 6, 7 }[rng.Next(4)];
                bool scaled = rng.Next(2) == 0;
                uint k = (uint)rng.Next(1, 16) << (scaled ? 0 : size);
                if (rng.Next(2) == 0 || (option == 2 && rng.Next(8) != 0)) _asm.Emit(Movz(true, Index, k));
                else _asm.Emit(Movn(true, Index, k - 1));
                int rm = rng.Next(16) == 0 ? Zr : Index;
                _asm.Emit(LdrRegister(size, opc, rt, Base, rm, option, scaled));
                break;
            }
            default:
            {
                int popc = rng.Next(3);
                bool load = popc == 1 || rng.Next(2) == 0;
                int t = RegOrZr(), t2 = RegOrZr();
                while (load && t2 == t) t2 = Reg();
                int mode = 1 + rng.Next(3);
                _asm.Emit(Pair(popc, load, t, t2, Base, rng.Next(-8, 8), mode));
                break;
            }
        }
    }

    // opc for a size: store, load, or the signed loads that exist for it (LDRSB/LDRSH to 32 or 64, LDRSW).
    private int RandomOpc(int size) => size switch
    {
        3 => rng.Next(2),
        2 => rng.Next(3),
        _ => rng.Next(4),
    };

    private void SpAccess()
    {
        int rt = RegOrZr();
        switch (rng.Next(4))
        {
            case 0:
            {
                int size = rng.Next(4);
                _asm.Emit(LdrUImm(size, RandomOpc(size), rt, Sp, (uint)rng.Next(16)));
                break;
            }
            case 1:
                _asm.Emit(Pair(2, rng.Next(2) == 0, rt, rt == Zr ? Reg() : (rt + 1) % 16, Sp, rng.Next(-8, 8) * 2, 2));
                break;
            case 2:
                _asm.Emit(Movz(true, Index, (uint)rng.Next(16) * 8));
                _asm.Emit(LdrRegister(3, rng.Next(2), rt, Sp, Index, 3, false));
                break;
            default:
                _asm.Emit(LdrImm9(3, rng.Next(2), rt, Sp, rng.Next(-16, 16) * 8, 0));
                break;
        }
    }

    // Register 31 as SP: pushes and pops, SP as a source and SP set from x28 (16-byte aligned, in the data area).
    private void StackPointerForms()
    {
        switch (rng.Next(8))
        {
            case 0:
            {
                // stp a, b, [sp, #-16]! ... ldp c, d, [sp], #16 (or str/ldr pre/post-index)
                bool pair = rng.Next(2) == 0;
                int a = RegOrZr(), b = RegOrZr();
                _asm.Emit(pair ? Pair(2, false, a, b, Sp, -2, 3) : LdrImm9(3, 0, a, Sp, -16, 3));
                for (int i = rng.Next(3); i > 0; i--) _asm.Emit(RandomDataProcessing());
                int c = Reg(), d = Reg();
                while (d == c) d = Reg();
                _asm.Emit(pair ? Pair(2, true, c, d, Sp, 2, 1) : LdrImm9(3, 1, c, Sp, 16, 1));
                break;
            }
            case 1:
                _asm.Emit(AddImm(true, false, false, Sp, Data, (uint)(0x40 + rng.Next(0x140)) * 16)); // add sp, x28, #k*16
                break;
            case 2:
                _asm.Emit(LogicalImm(true, 1, Sp, Data, 1, 64 - 11, 0)); // orr sp, x28, #0x800
                break;
            case 3:
                _asm.Emit(Movz(true, Index, (uint)(0x40 + rng.Next(0x140))));
                _asm.Emit(AddExtended(true, false, false, Sp, Data, Index, 3, 4)); // add sp, x28, x21, uxtx #4
                break;
            case 4:
                _asm.Emit(AddImm(rng.Next(2) == 0, rng.Next(2) == 0, rng.Next(2) == 0, Reg(), Sp, (uint)rng.Next(4096))); // add/sub(s) xd, sp, #imm
                break;
            case 5:
            {
                bool setFlags = rng.Next(2) == 0; // Rd 31 is XZR for ADDS/SUBS, SP for ADD/SUB
                _asm.Emit(AddExtended(rng.Next(2) == 0, rng.Next(2) == 0, setFlags, setFlags ? RegOrZr() : Reg(), Sp, Reg(), rng.Next(8), rng.Next(5)));
                break;
            }
            case 6:
                _asm.Emit(AddImm(true, true, true, Zr, Sp, (uint)rng.Next(4096))); // cmp sp, #imm
                break;
            default:
                _asm.Emit(AddImm(true, false, false, Sp, Sp, 0)); // mov sp, sp
                break;
        }
    }

    // Sets flags, then branches on them (or on a register) to `label`; cond 14/15 (AL/NV) branch always.
    private void RandomBranchTo(int label)
    {
        switch (rng.Next(4))
        {
            case 0:
                _asm.Cbz(rng.Next(2) == 0, rng.Next(2) == 0, RegOrZr(), label);
                return;
            case 1:
            {
                bool sf = rng.Next(2) == 0;
                _asm.Tbz(rng.Next(2) == 0, RegOrZr(), rng.Next(sf ? 64 : 32), label);
                return;
            }
            case 2:
                _asm.Emit(FlagSetter());
                break;
        }
        _asm.BCond(rng.Next(16), label);
    }

    private uint FlagSetter()
    {
        bool sf = rng.Next(2) == 0;
        return rng.Next(6) switch
        {
            0 => AddImm(sf, true, true, Zr, Reg(), (uint)rng.Next(64)),                  // cmp
            1 => AddImm(sf, false, true, RegOrZr(), Reg(), (uint)rng.Next(4096)),       // adds / cmn
            2 => AddShifted(sf, rng.Next(2) == 0, true, RegOrZr(), Reg(), RegOrZr(), rng.Next(3), rng.Next(sf ? 64 : 32)), // subs/adds shifted
            3 => LogicalImm(sf, 3, RegOrZr(), Reg(), sf ? rng.Next(2) : 0, rng.Next(sf ? 64 : 32), rng.Next(sf ? 63 : 31)), // ands / tst
            4 => 0x7a400800u | (sf ? 1u << 31 : 0) | (uint)rng.Next(32) << 16 | (uint)rng.Next(16) << 12 | (uint)Reg() << 5 | (uint)rng.Next(16), // ccmp (imm)
            _ => RandomDataProcessing(),
        };
    }

    private void ForwardSkip(int depth, bool leaf, int limit)
    {
        var skip = _asm.NewLabel();
        RandomBranchTo(skip);
        Body(depth, 1 + rng.Next(4), leaf, limit);
        _asm.Bind(skip);
    }

    private void IfElse(int depth, bool leaf, int limit)
    {
        var otherwise = _asm.NewLabel();
        var end = _asm.NewLabel();
        RandomBranchTo(otherwise);
        Body(depth, 1 + rng.Next(3), leaf, limit);
        _asm.B(end);
        _asm.Bind(otherwise);
        Body(depth, 1 + rng.Next(3), leaf, limit);
        _asm.Bind(end);
    }

    // A loop of n passes with its own counter; the latch is one of the forms below.
    private void Loop(int depth, bool leaf, int limit)
    {
        if (leaf ? depth > 0 : depth >= 3)
        {
            _asm.Emit(RandomDataProcessing());
            return;
        }
        int c = leaf ? 16 : 17 + depth;
        uint n = (uint)(1 + rng.Next(depth == 0 ? 12 : 5));
        var head = _asm.NewLabel();
        int form = rng.Next(8);
        switch (form)
        {
            case 2: _asm.Emit(Movz(true, c, n - 1)); break;
            case 3: _asm.Emit(Movz(true, c, 0)); break;
            case 4: _asm.Emit(Movn(true, c, n - 1)); break; // -n
            default: _asm.Emit(Movz(rng.Next(2) == 0, c, n)); break;
        }
        _asm.Bind(head);
        if (form == 6)
        {
            // while (c != 0) { body; c--; }: a forward CBZ exit and a backward B.
            var exit = _asm.NewLabel();
            _asm.Cbz(true, false, c, exit);
            Body(depth + 1, 1 + rng.Next(4), leaf, limit);
            _asm.Emit(AddImm(true, true, false, c, c, 1));
            _asm.B(head);
            _asm.Bind(exit);
            return;
        }
        Body(depth + 1, 1 + rng.Next(5), leaf, limit);
        switch (form)
        {
            case 0:
                _asm.Emit(AddImm(true, true, true, c, c, 1));          // subs c, c, #1
                _asm.BCond(new[] { 1, 8, 12 }[rng.Next(3)], head);    // b.ne / b.hi / b.gt
                break;
            case 1:
                _asm.Emit(AddImm(false, true, false, c, c, 1));         // sub wc, wc, #1
                _asm.Cbz(false, true, c, head);                          // cbnz wc
                break;
            case 2:
                _asm.Emit(AddImm(true, true, false, c, c, 1));          // sub c, c, #1
                _asm.Tbz(false, c, 63, head);                            // tbz c, #63 (n passes from n-1 to 0)
                break;
            case 3:
                _asm.Emit(AddImm(true, false, false, c, c, 1));         // add c, c, #1
                _asm.Emit(AddImm(true, true, true, Zr, c, n));           // cmp c, #n
                _asm.BCond(new[] { 1, 3, 11 }[rng.Next(3)], head);    // b.ne / b.lo / b.lt
                break;
            case 4:
                _asm.Emit(AddImm(true, false, true, c, c, 1));          // adds c, c, #1
                _asm.BCond(new[] { 1, 4 }[rng.Next(2)], head);         // b.ne / b.mi
                break;
            case 5:
                _asm.Emit(AddImm(true, true, false, c, c, 1));          // sub c, c, #1
                _asm.Emit(LogicalImm(true, 3, Zr, c, 1, 0, 7));          // tst c, #0xff
                _asm.BCond(1, head);                                      // b.ne
                break;
            default:
                _asm.Emit(AddImm(true, true, true, c, c, 1));          // subs c, c, #1
                _asm.Cbz(true, true, c, head);                           // cbnz c
                break;
        }
    }

    private void Call(bool leaf)
    {
        if (leaf || _leaves.Count == 0)
        {
            _asm.Emit(RandomDataProcessing());
            return;
        }
        int l = _leaves[rng.Next(_leaves.Count)];
        if (rng.Next(3) == 0)
        {
            _asm.Adr(Target, l);
            _asm.Emit(Blr(Target));
        }
        else _asm.Bl(l);
    }

    private void Miscellaneous()
    {
        switch (rng.Next(4))
        {
            case 0:
                _asm.Emit(Svc((uint)rng.Next(0x10000)));
                break;
            case 1:
                _asm.Emit(MrsNzcv(Reg()));
                break;
            case 2:
                _asm.Emit(MsrNzcv(RegOrZr()));
                break;
            default:
            {
                // adr x22, over; br x22; <skipped>; over:
                var over = _asm.NewLabel();
                _asm.Adr(Target, over);
                _asm.Emit(Br(Target));
                _asm.Emit(RandomDataProcessing());
                _asm.Bind(over);
                break;
            }
        }
    }
}
