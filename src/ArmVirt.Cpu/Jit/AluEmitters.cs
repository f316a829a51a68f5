using System.Buffers.Binary;
using System.Numerics;
using System.Reflection;
using System.Reflection.Emit;
using ArmVirt.Cpu.A64;
using static ArmVirt.Cpu.A64.A64Fields;

namespace ArmVirt.Cpu.Jit;

/// <summary>
/// IL for integer data processing (Arm ARM C4.1.2 "Data Processing -- Immediate", C4.1.6 "Data Processing --
/// Register") on the region's register locals. The operand fields are decoded here, at compile time; the value
/// functions are the ones the handlers use (<see cref="ShiftReg"/>, <see cref="ExtendReg"/>, <see cref="AddWithCarry"/>,
/// <see cref="Bitfield"/>, ...), called with constant shapes so that RyuJIT inlines and folds them.
/// </summary>
internal static class AluEmitters
{
    private static readonly MethodInfo Add64 = Method(typeof(AddWithCarry), nameof(AddWithCarry.Add64));
    private static readonly MethodInfo Add32 = Method(typeof(AddWithCarry), nameof(AddWithCarry.Add32));
    private static readonly MethodInfo Shift64 = Method(typeof(ShiftReg), nameof(ShiftReg.Shift64));
    private static readonly MethodInfo Shift32 = Method(typeof(ShiftReg), nameof(ShiftReg.Shift32));
    private static readonly MethodInfo Extend = Method(typeof(ExtendReg), nameof(ExtendReg.Extend));
    private static readonly MethodInfo Ubfm64 = Method(typeof(Bitfield), nameof(Bitfield.Ubfm64));
    private static readonly MethodInfo Ubfm32 = Method(typeof(Bitfield), nameof(Bitfield.Ubfm32));
    private static readonly MethodInfo Sbfm64 = Method(typeof(Bitfield), nameof(Bitfield.Sbfm64));
    private static readonly MethodInfo Sbfm32 = Method(typeof(Bitfield), nameof(Bitfield.Sbfm32));
    private static readonly MethodInfo Bfm64 = Method(typeof(Bitfield), nameof(Bitfield.Bfm64));
    private static readonly MethodInfo Bfm32 = Method(typeof(Bitfield), nameof(Bitfield.Bfm32));
    private static readonly MethodInfo Extr64 = Method(typeof(Extract), nameof(Extract.Extr64));
    private static readonly MethodInfo Extr32 = Method(typeof(Extract), nameof(Extract.Extr32));
    private static readonly MethodInfo Udiv64 = Method(typeof(DataProcessing2Source), nameof(DataProcessing2Source.Udiv64));
    private static readonly MethodInfo Udiv32 = Method(typeof(DataProcessing2Source), nameof(DataProcessing2Source.Udiv32));
    private static readonly MethodInfo Sdiv64 = Method(typeof(DataProcessing2Source), nameof(DataProcessing2Source.Sdiv64));
    private static readonly MethodInfo Sdiv32 = Method(typeof(DataProcessing2Source), nameof(DataProcessing2Source.Sdiv32));
    private static readonly MethodInfo ReverseBits64 = Method(typeof(DataProcessing1Source), nameof(DataProcessing1Source.ReverseBits64));
    private static readonly MethodInfo ReverseBits32 = Method(typeof(DataProcessing1Source), nameof(DataProcessing1Source.ReverseBits32));
    private static readonly MethodInfo ReverseEndianness64 = typeof(BinaryPrimitives).GetMethod(nameof(BinaryPrimitives.ReverseEndianness), [typeof(ulong)])!;
    private static readonly MethodInfo ReverseEndianness32 = typeof(BinaryPrimitives).GetMethod(nameof(BinaryPrimitives.ReverseEndianness), [typeof(uint)])!;
    private static readonly MethodInfo LeadingZeroCount64 = typeof(BitOperations).GetMethod(nameof(BitOperations.LeadingZeroCount), [typeof(ulong)])!;
    private static readonly MethodInfo LeadingZeroCount32 = typeof(BitOperations).GetMethod(nameof(BitOperations.LeadingZeroCount), [typeof(uint)])!;
    private static readonly MethodInfo BigMulUnsigned = typeof(Math).GetMethod(nameof(Math.BigMul), [typeof(ulong), typeof(ulong), typeof(ulong).MakeByRefType()])!;
    private static readonly MethodInfo BigMulSigned = typeof(Math).GetMethod(nameof(Math.BigMul), [typeof(long), typeof(long), typeof(long).MakeByRefType()])!;

    private static MethodInfo Method(Type type, string name) => type.GetMethod(name, BindingFlags.Static | BindingFlags.Public)!;

    /// <summary>The handlers this family replaces, with their emitters.</summary>
    public static IEnumerable<(A64Handler Handler, A64Emitter Emitter)> Entries =>
    [
        // Add/subtract (immediate)
        (AluImmediate.AddImmediate, (c, i) => AddSubImmediate(c, i, subtract: false)),
        (AluImmediate.SubImmediate, (c, i) => AddSubImmediate(c, i, subtract: true)),
        (AluImmediate.AddsImmediate, (c, i) => AddSubImmediateFlags(c, i, subtract: false)),
        (AluImmediate.SubsImmediate, (c, i) => AddSubImmediateFlags(c, i, subtract: true)),
        // Logical (immediate), move wide, PC-relative
        (AluImmediate.AndImmediate, (c, i) => LogicalImmediate(c, i, OpCodes.And)),
        (AluImmediate.OrrImmediate, (c, i) => LogicalImmediate(c, i, OpCodes.Or)),
        (AluImmediate.EorImmediate, (c, i) => LogicalImmediate(c, i, OpCodes.Xor)),
        (AluImmediate.AndsImmediate, AndsImmediate),
        (AluImmediate.Movz, (c, i) => MoveWide(c, i, invert: false)),
        (AluImmediate.Movn, (c, i) => MoveWide(c, i, invert: true)),
        (AluImmediate.Movk, Movk),
        (AluImmediate.Adr, (c, i) => Constant(c, i, c.Pc + (ulong)((SignedBits(i, 23, 5) << 2) | Bits(i, 30, 29)))),
        (AluImmediate.Adrp, (c, i) => Constant(c, i, (c.Pc & ~0xFFFUL) + (ulong)(((SignedBits(i, 23, 5) << 2) | Bits(i, 30, 29)) << 12))),
        // Logical and add/subtract (shifted register)
        (AluShiftedRegister.And, (c, i) => LogicalShifted(c, i, OpCodes.And, flags: false)),
        (AluShiftedRegister.Orr, (c, i) => LogicalShifted(c, i, OpCodes.Or, flags: false)),
        (AluShiftedRegister.Eor, (c, i) => LogicalShifted(c, i, OpCodes.Xor, flags: false)),
        (AluShiftedRegister.Ands, (c, i) => LogicalShifted(c, i, OpCodes.And, flags: true)),
        (AluShiftedRegister.Add, (c, i) => AddSubShifted(c, i, subtract: false)),
        (AluShiftedRegister.Sub, (c, i) => AddSubShifted(c, i, subtract: true)),
        (AluShiftedRegister.Adds, (c, i) => AddSubShiftedFlags(c, i, subtract: false)),
        (AluShiftedRegister.Subs, (c, i) => AddSubShiftedFlags(c, i, subtract: true)),
        // Add/subtract (extended register), with carry
        (AluExtendedRegister.Add, (c, i) => AddSubExtended(c, i, subtract: false)),
        (AluExtendedRegister.Sub, (c, i) => AddSubExtended(c, i, subtract: true)),
        (AluExtendedRegister.Adds, (c, i) => AddSubExtendedFlags(c, i, subtract: false)),
        (AluExtendedRegister.Subs, (c, i) => AddSubExtendedFlags(c, i, subtract: true)),
        (AddSubtractWithCarry.Adc, (c, i) => WithCarry(c, i, subtract: false, flags: false)),
        (AddSubtractWithCarry.Adcs, (c, i) => WithCarry(c, i, subtract: false, flags: true)),
        (AddSubtractWithCarry.Sbc, (c, i) => WithCarry(c, i, subtract: true, flags: false)),
        (AddSubtractWithCarry.Sbcs, (c, i) => WithCarry(c, i, subtract: true, flags: true)),
        // Bitfield, extract
        (Bitfield.Ubfm, (c, i) => BitfieldMove(c, i, Ubfm64, Ubfm32, insert: false)),
        (Bitfield.Sbfm, (c, i) => BitfieldMove(c, i, Sbfm64, Sbfm32, insert: false)),
        (Bitfield.Bfm, (c, i) => BitfieldMove(c, i, Bfm64, Bfm32, insert: true)),
        (Extract.Extr, ExtractRegister),
        // Data processing (3 source)
        (DataProcessing3Source.Madd, (c, i) => MultiplyAdd(c, i, subtract: false)),
        (DataProcessing3Source.Msub, (c, i) => MultiplyAdd(c, i, subtract: true)),
        (DataProcessing3Source.Smaddl, (c, i) => MultiplyAddLong(c, i, signed: true, subtract: false)),
        (DataProcessing3Source.Smsubl, (c, i) => MultiplyAddLong(c, i, signed: true, subtract: true)),
        (DataProcessing3Source.Umaddl, (c, i) => MultiplyAddLong(c, i, signed: false, subtract: false)),
        (DataProcessing3Source.Umsubl, (c, i) => MultiplyAddLong(c, i, signed: false, subtract: true)),
        (DataProcessing3Source.Smulh, (c, i) => MultiplyHigh(c, i, BigMulSigned)),
        (DataProcessing3Source.Umulh, (c, i) => MultiplyHigh(c, i, BigMulUnsigned)),
        // Data processing (2 source, 1 source)
        (DataProcessing2Source.Udiv, (c, i) => Binary(c, i, Udiv64, Udiv32)),
        (DataProcessing2Source.Sdiv, (c, i) => Binary(c, i, Sdiv64, Sdiv32)),
        (DataProcessing2Source.Lslv, (c, i) => ShiftVariable(c, i, ShiftReg.Lsl)),
        (DataProcessing2Source.Lsrv, (c, i) => ShiftVariable(c, i, ShiftReg.Lsr)),
        (DataProcessing2Source.Asrv, (c, i) => ShiftVariable(c, i, ShiftReg.Asr)),
        (DataProcessing2Source.Rorv, (c, i) => ShiftVariable(c, i, ShiftReg.Ror)),
        (DataProcessing1Source.Rbit, (c, i) => Unary(c, i, ReverseBits64, ReverseBits32)),
        (DataProcessing1Source.Rev, (c, i) => Unary(c, i, ReverseEndianness64, ReverseEndianness32)),
        (DataProcessing1Source.Clz, (c, i) => Unary(c, i, LeadingZeroCount64, LeadingZeroCount32)),
        // Conditional select and compare
        (ConditionalSelect.Csel, (c, i) => Select(c, i, null)),
        (ConditionalSelect.Csinc, (c, i) => Select(c, i, il => { il.Emit(OpCodes.Ldc_I8, 1L); il.Emit(OpCodes.Add); })),
        (ConditionalSelect.Csinv, (c, i) => Select(c, i, il => il.Emit(OpCodes.Not))),
        (ConditionalSelect.Csneg, (c, i) => Select(c, i, il => il.Emit(OpCodes.Neg))),
        (ConditionalCompare.CcmpRegister, (c, i) => CompareConditional(c, i, register: true, negative: false)),
        (ConditionalCompare.CcmpImmediate, (c, i) => CompareConditional(c, i, register: false, negative: false)),
        (ConditionalCompare.CcmnRegister, (c, i) => CompareConditional(c, i, register: true, negative: true)),
        (ConditionalCompare.CcmnImmediate, (c, i) => CompareConditional(c, i, register: false, negative: true)),
    ];

    // ---- operands ----

    // Pushes W[n] as a uint (WZR for 31).
    private static void LoadW(IlEmitContext c, int n)
    {
        c.LoadX(n);
        c.Il.Emit(OpCodes.Conv_U4);
    }

    // Pushes the operand at the size sf selects: X[n] (ulong) or W[n] (uint).
    private static void LoadOperand(IlEmitContext c, uint insn, int n)
    {
        if (Sf(insn)) c.LoadX(n);
        else LoadW(c, n);
    }

    // Pops the result at the size sf selects (ulong, or uint zero-extended) into X[d] (XZR discards).
    private static void StoreResult(IlEmitContext c, uint insn, int d)
    {
        if (!Sf(insn)) c.Il.Emit(OpCodes.Conv_U8);
        c.StoreX(d);
    }

    // ShiftReg(Rm, shift, imm6) at the size sf selects, inverted when invert (pushes ulong or uint).
    private static void LoadShiftedRegister(IlEmitContext c, uint insn, bool invert)
    {
        var il = c.Il;
        int type = (int)Bits(insn, 23, 22), amount = (int)Bits(insn, 15, 10);
        LoadOperand(c, insn, Rm(insn));
        if (amount != 0)
        {
            il.Emit(OpCodes.Ldc_I4, type);
            il.Emit(OpCodes.Ldc_I4, amount);
            il.Emit(OpCodes.Call, Sf(insn) ? Shift64 : Shift32);
        }
        if (invert) il.Emit(OpCodes.Not);
    }

    /// <summary>Truncates the ulong on the stack to its low 32 bits, zero-extended.</summary>
    internal static void EmitZeroExtend32(ILGenerator il)
    {
        il.Emit(OpCodes.Conv_U4);
        il.Emit(OpCodes.Conv_U8);
    }

    private static bool Constant(IlEmitContext c, uint insn, ulong value)
    {
        c.Il.Emit(OpCodes.Ldc_I8, (long)value);
        c.StoreX(Rd(insn));
        return true;
    }

    /// <summary>
    /// AddWithCarry (shared/functions/integer/AddWithCarry) at the size sf selects on two pushed operands, then a
    /// pushed carry-in: leaves the result (ulong) on the stack and, when <paramref name="setFlags"/>, stores NZCV.
    /// <paramref name="loadOperands"/> pushes operand 1 and operand 2 (ulong, or uint for 32-bit), then the carry-in.
    /// </summary>
    private static void EmitAddWithCarry(IlEmitContext c, uint insn, Action loadOperands, bool setFlags)
    {
        var il = c.Il;
        var flags = c.Temp(typeof(uint));
        loadOperands();
        il.Emit(OpCodes.Ldloca, flags);
        il.Emit(OpCodes.Call, Sf(insn) ? Add64 : Add32);
        if (!Sf(insn)) il.Emit(OpCodes.Conv_U8);
        if (setFlags)
        {
            il.Emit(OpCodes.Ldloc, flags);
            c.StoreNzcv();
        }
    }

    /// <summary>
    /// ADDS/SUBS with lazy flags: operand 1 and operand 2 (pushed by the two actions at the size sf selects), the sum
    /// or difference to Rd (XZR for 31), and NZCV held as the operands (<see cref="IlEmitContext.SetFlagsLazy"/>).
    /// </summary>
    private static void EmitAddSubFlags(IlEmitContext c, uint insn, Action loadOperand1, Action loadOperand2, bool subtract)
    {
        var il = c.Il;
        var type = Sf(insn) ? typeof(ulong) : typeof(uint);
        var a = c.Temp(type);
        var b = c.Temp(type);
        loadOperand1();
        il.Emit(OpCodes.Stloc, a);
        loadOperand2();
        il.Emit(OpCodes.Stloc, b);
        il.Emit(OpCodes.Ldloc, a);
        il.Emit(OpCodes.Ldloc, b);
        il.Emit(subtract ? OpCodes.Sub : OpCodes.Add);
        StoreResult(c, insn, Rd(insn));
        il.Emit(OpCodes.Ldloc, a);
        il.Emit(OpCodes.Ldloc, b);
        c.SetFlagsLazy(subtract ? FlagSource.Subtract : FlagSource.Add, Sf(insn));
    }

    // The carry-in constant at the size sf selects.
    private static void LoadCarryConstant(ILGenerator il, uint insn, uint carry)
    {
        if (Sf(insn)) il.Emit(OpCodes.Ldc_I8, (long)carry);
        else il.Emit(OpCodes.Ldc_I4, (int)carry);
    }

    // A constant operand at the size sf selects.
    private static void LoadConstant(ILGenerator il, uint insn, ulong value)
    {
        if (Sf(insn)) il.Emit(OpCodes.Ldc_I8, (long)value);
        else il.Emit(OpCodes.Ldc_I4, unchecked((int)(uint)value));
    }

    // ---- add/subtract ----

    // imm12, shifted left by 12 when sh (bit 22) is set.
    private static ulong AddSubImmediateValue(uint insn) => (ulong)Bits(insn, 21, 10) << (int)(((insn >> 22) & 1) * 12);

    // C6.2 ADD/SUB (immediate): Rd|SP = Rn|SP +/- imm (32-bit forms zero-extend).
    private static bool AddSubImmediate(IlEmitContext c, uint insn, bool subtract)
    {
        var il = c.Il;
        c.LoadXSp(Rn(insn));
        il.Emit(OpCodes.Ldc_I8, (long)AddSubImmediateValue(insn));
        il.Emit(subtract ? OpCodes.Sub : OpCodes.Add);
        if (!Sf(insn)) EmitZeroExtend32(il);
        c.StoreXSp(Rd(insn));
        return true;
    }

    // C6.2 ADDS/SUBS (immediate): AddWithCarry(Rn|SP, imm or NOT(imm), carry) to Rd (XZR for 31) and NZCV.
    private static bool AddSubImmediateFlags(IlEmitContext c, uint insn, bool subtract)
    {
        EmitAddSubFlags(c, insn, () =>
        {
            c.LoadXSp(Rn(insn));
            if (!Sf(insn)) c.Il.Emit(OpCodes.Conv_U4);
        }, () => LoadConstant(c.Il, insn, AddSubImmediateValue(insn)), subtract);
        return true;
    }

    // C6.2 ADD/SUB (shifted register).
    private static bool AddSubShifted(IlEmitContext c, uint insn, bool subtract)
    {
        var il = c.Il;
        LoadOperand(c, insn, Rn(insn));
        LoadShiftedRegister(c, insn, invert: false);
        il.Emit(subtract ? OpCodes.Sub : OpCodes.Add);
        StoreResult(c, insn, Rd(insn));
        return true;
    }

    // C6.2 ADDS/SUBS (shifted register): AddWithCarry(Rn, operand2 or NOT(operand2), carry).
    private static bool AddSubShiftedFlags(IlEmitContext c, uint insn, bool subtract)
    {
        EmitAddSubFlags(c, insn, () => LoadOperand(c, insn, Rn(insn)), () => LoadShiftedRegister(c, insn, invert: false), subtract);
        return true;
    }

    // ExtendReg(Rm, option, imm3) (ulong; a 32-bit operation uses its low half).
    private static void LoadExtendedRegister(IlEmitContext c, uint insn)
    {
        var il = c.Il;
        c.LoadX(Rm(insn));
        il.Emit(OpCodes.Ldc_I4, (int)Bits(insn, 15, 13));
        il.Emit(OpCodes.Ldc_I4, (int)Bits(insn, 12, 10));
        il.Emit(OpCodes.Call, Extend);
    }

    // C6.2 ADD/SUB (extended register): Rd|SP = Rn|SP +/- ExtendReg(Rm).
    private static bool AddSubExtended(IlEmitContext c, uint insn, bool subtract)
    {
        var il = c.Il;
        c.LoadXSp(Rn(insn));
        LoadExtendedRegister(c, insn);
        il.Emit(subtract ? OpCodes.Sub : OpCodes.Add);
        if (!Sf(insn)) EmitZeroExtend32(il);
        c.StoreXSp(Rd(insn));
        return true;
    }

    // C6.2 ADDS/SUBS (extended register): AddWithCarry(Rn|SP, ExtendReg(Rm) or its NOT, carry) to Rd (XZR) and NZCV.
    private static bool AddSubExtendedFlags(IlEmitContext c, uint insn, bool subtract)
    {
        var il = c.Il;
        EmitAddSubFlags(c, insn, () =>
        {
            c.LoadXSp(Rn(insn));
            if (!Sf(insn)) il.Emit(OpCodes.Conv_U4);
        }, () =>
        {
            LoadExtendedRegister(c, insn);
            if (!Sf(insn)) il.Emit(OpCodes.Conv_U4);
        }, subtract);
        return true;
    }

    // C6.2 ADC/ADCS/SBC/SBCS: AddWithCarry(Rn, Rm or NOT(Rm), PSTATE.C).
    private static bool WithCarry(IlEmitContext c, uint insn, bool subtract, bool flags)
    {
        var il = c.Il;
        EmitAddWithCarry(c, insn, () =>
        {
            LoadOperand(c, insn, Rn(insn));
            LoadOperand(c, insn, Rm(insn));
            if (subtract) il.Emit(OpCodes.Not);
            c.LoadNzcv();
            il.Emit(OpCodes.Ldc_I4, 29);
            il.Emit(OpCodes.Shr_Un);
            il.Emit(OpCodes.Ldc_I4_1);
            il.Emit(OpCodes.And);
            if (Sf(insn)) il.Emit(OpCodes.Conv_U8);
        }, setFlags: flags);
        c.StoreX(Rd(insn));
        return true;
    }

    // ---- logical ----

    // C6.2 AND/ORR/EOR (immediate): Rd|SP = (Rn OP imm), at the size sf selects.
    private static bool LogicalImmediate(IlEmitContext c, uint insn, OpCode op)
    {
        var il = c.Il;
        c.LoadX(Rn(insn));
        il.Emit(OpCodes.Ldc_I8, (long)BitMasks.LogicalImmediate(insn));
        il.Emit(op);
        if (!Sf(insn)) EmitZeroExtend32(il);
        c.StoreXSp(Rd(insn));
        return true;
    }

    // C6.2 ANDS (immediate): Rd = Rn AND imm; N and Z from the result, C = V = 0.
    private static bool AndsImmediate(IlEmitContext c, uint insn)
    {
        var il = c.Il;
        LoadOperand(c, insn, Rn(insn));
        LoadConstant(il, insn, BitMasks.LogicalImmediate(insn));
        il.Emit(OpCodes.And);
        EmitLogicalFlagsAndStore(c, insn);
        return true;
    }

    // C6.2 AND/BIC, ORR/ORN, EOR/EON, ANDS/BICS (shifted register): N (bit 21) inverts the shifted operand.
    private static bool LogicalShifted(IlEmitContext c, uint insn, OpCode op, bool flags)
    {
        var il = c.Il;
        LoadOperand(c, insn, Rn(insn));
        LoadShiftedRegister(c, insn, invert: (insn & (1u << 21)) != 0);
        il.Emit(op);
        if (flags) EmitLogicalFlagsAndStore(c, insn);
        else StoreResult(c, insn, Rd(insn));
        return true;
    }

    // The result on the stack (size sf) to Rd, and NZCV lazily from it (LogicalFlags: N, Z; C = V = 0).
    private static void EmitLogicalFlagsAndStore(IlEmitContext c, uint insn)
    {
        var il = c.Il;
        var result = c.Temp(Sf(insn) ? typeof(ulong) : typeof(uint));
        il.Emit(OpCodes.Stloc, result);
        il.Emit(OpCodes.Ldloc, result);
        c.SetFlagsLazy(FlagSource.Logical, Sf(insn));
        il.Emit(OpCodes.Ldloc, result);
        StoreResult(c, insn, Rd(insn));
    }

    // ---- move wide ----

    // C6.2 MOVZ / MOVN: Rd = (NOT) imm16 << hw*16, at the size sf selects.
    private static bool MoveWide(IlEmitContext c, uint insn, bool invert)
    {
        ulong value = (ulong)Bits(insn, 20, 5) << ((int)Bits(insn, 22, 21) * 16);
        if (invert) value = ~value;
        if (!Sf(insn)) value = (uint)value;
        return Constant(c, insn, value);
    }

    // C6.2 MOVK: replaces the 16 bits of Rd at hw*16 with imm16.
    private static bool Movk(IlEmitContext c, uint insn)
    {
        var il = c.Il;
        int pos = (int)Bits(insn, 22, 21) * 16;
        c.LoadX(Rd(insn));
        il.Emit(OpCodes.Ldc_I8, (long)~(0xFFFFUL << pos));
        il.Emit(OpCodes.And);
        il.Emit(OpCodes.Ldc_I8, (long)((ulong)Bits(insn, 20, 5) << pos));
        il.Emit(OpCodes.Or);
        if (!Sf(insn)) EmitZeroExtend32(il);
        c.StoreX(Rd(insn));
        return true;
    }

    // ---- bitfield, extract ----

    // C6.2 UBFM/SBFM (value function of Rn) and BFM (of Rd and Rn).
    private static bool BitfieldMove(IlEmitContext c, uint insn, MethodInfo at64, MethodInfo at32, bool insert)
    {
        var il = c.Il;
        if (insert) LoadOperand(c, insn, Rd(insn));
        LoadOperand(c, insn, Rn(insn));
        il.Emit(OpCodes.Ldc_I4, (int)Bits(insn, 21, 16));
        il.Emit(OpCodes.Ldc_I4, (int)Bits(insn, 15, 10));
        il.Emit(OpCodes.Call, Sf(insn) ? at64 : at32);
        StoreResult(c, insn, Rd(insn));
        return true;
    }

    // C6.2 EXTR.
    private static bool ExtractRegister(IlEmitContext c, uint insn)
    {
        var il = c.Il;
        LoadOperand(c, insn, Rn(insn));
        LoadOperand(c, insn, Rm(insn));
        il.Emit(OpCodes.Ldc_I4, (int)Bits(insn, 15, 10));
        il.Emit(OpCodes.Call, Sf(insn) ? Extr64 : Extr32);
        StoreResult(c, insn, Rd(insn));
        return true;
    }

    // ---- multiply, divide, shifts, one-source ----

    // C6.2 MADD/MSUB: Rd = Ra +/- Rn * Rm (the low half for 32-bit).
    private static bool MultiplyAdd(IlEmitContext c, uint insn, bool subtract)
    {
        var il = c.Il;
        c.LoadX(Ra(insn));
        c.LoadX(Rn(insn));
        c.LoadX(Rm(insn));
        il.Emit(OpCodes.Mul);
        il.Emit(subtract ? OpCodes.Sub : OpCodes.Add);
        if (!Sf(insn)) EmitZeroExtend32(il);
        c.StoreX(Rd(insn));
        return true;
    }

    // C6.2 SMADDL/SMSUBL/UMADDL/UMSUBL: Xd = Xa +/- Wn * Wm widened.
    private static bool MultiplyAddLong(IlEmitContext c, uint insn, bool signed, bool subtract)
    {
        var il = c.Il;
        c.LoadX(Ra(insn));
        foreach (int n in new[] { Rn(insn), Rm(insn) })
        {
            c.LoadX(n);
            if (signed)
            {
                il.Emit(OpCodes.Conv_I4);
                il.Emit(OpCodes.Conv_I8);
            }
            else EmitZeroExtend32(il);
        }
        il.Emit(OpCodes.Mul);
        il.Emit(subtract ? OpCodes.Sub : OpCodes.Add);
        c.StoreX(Rd(insn));
        return true;
    }

    // C6.2 SMULH/UMULH: the high 64 bits of the 128-bit product.
    private static bool MultiplyHigh(IlEmitContext c, uint insn, MethodInfo bigMul)
    {
        var il = c.Il;
        var low = c.Temp(bigMul == BigMulSigned ? typeof(long) : typeof(ulong));
        c.LoadX(Rn(insn));
        c.LoadX(Rm(insn));
        il.Emit(OpCodes.Ldloca, low);
        il.Emit(OpCodes.Call, bigMul);
        c.StoreX(Rd(insn));
        return true;
    }

    // f(Rn, Rm) at the size sf selects (UDIV, SDIV).
    private static bool Binary(IlEmitContext c, uint insn, MethodInfo at64, MethodInfo at32)
    {
        LoadOperand(c, insn, Rn(insn));
        LoadOperand(c, insn, Rm(insn));
        c.Il.Emit(OpCodes.Call, Sf(insn) ? at64 : at32);
        StoreResult(c, insn, Rd(insn));
        return true;
    }

    // f(Rn) at the size sf selects (RBIT, REV, CLZ; CLZ's int count is widened).
    private static bool Unary(IlEmitContext c, uint insn, MethodInfo at64, MethodInfo at32)
    {
        var il = c.Il;
        LoadOperand(c, insn, Rn(insn));
        var m = Sf(insn) ? at64 : at32;
        il.Emit(OpCodes.Call, m);
        if (m.ReturnType == typeof(int))
        {
            il.Emit(OpCodes.Conv_U8);
            c.StoreX(Rd(insn));
        }
        else StoreResult(c, insn, Rd(insn));
        return true;
    }

    // C6.2 LSLV/LSRV/ASRV/RORV: ShiftReg(Rn, type, UInt(Rm) MOD datasize).
    private static bool ShiftVariable(IlEmitContext c, uint insn, int type)
    {
        var il = c.Il;
        LoadOperand(c, insn, Rn(insn));
        il.Emit(OpCodes.Ldc_I4, type);
        c.LoadX(Rm(insn));
        il.Emit(OpCodes.Conv_I4);
        il.Emit(OpCodes.Ldc_I4, Sf(insn) ? 63 : 31);
        il.Emit(OpCodes.And);
        il.Emit(OpCodes.Call, Sf(insn) ? Shift64 : Shift32);
        StoreResult(c, insn, Rd(insn));
        return true;
    }

    // ---- conditional ----

    // Pushes ConditionHolds(cond) for the condition in bits 15..12.
    private static void LoadCondition(IlEmitContext c, uint insn) => c.EmitCondition((int)Bits(insn, 15, 12));

    // C6.2 CSEL/CSINC/CSINV/CSNEG: Rd = cond ? Rn : f(Rm).
    private static bool Select(IlEmitContext c, uint insn, Action<ILGenerator>? otherwise)
    {
        var il = c.Il;
        var result = c.Temp(typeof(ulong));
        var other = il.DefineLabel();
        var done = il.DefineLabel();
        LoadCondition(c, insn);
        il.Emit(OpCodes.Brfalse, other);
        c.LoadX(Rn(insn));
        il.Emit(OpCodes.Stloc, result);
        il.Emit(OpCodes.Br, done);
        il.MarkLabel(other);
        c.LoadX(Rm(insn));
        otherwise?.Invoke(il);
        il.Emit(OpCodes.Stloc, result);
        il.MarkLabel(done);
        il.Emit(OpCodes.Ldloc, result);
        if (!Sf(insn)) EmitZeroExtend32(il);
        c.StoreX(Rd(insn));
        return true;
    }

    // C6.2 CCMP/CCMN: NZCV = cond ? flags of AddWithCarry(Rn, op2 or NOT(op2), carry) : nzcv field.
    private static bool CompareConditional(IlEmitContext c, uint insn, bool register, bool negative)
    {
        var il = c.Il;
        var compare = il.DefineLabel();
        var done = il.DefineLabel();
        LoadCondition(c, insn);
        il.Emit(OpCodes.Brtrue, compare);
        il.Emit(OpCodes.Ldc_I4, (int)((insn & 0xF) << 28));
        c.StoreNzcv();
        il.Emit(OpCodes.Br, done);
        il.MarkLabel(compare);
        EmitAddWithCarry(c, insn, () =>
        {
            LoadOperand(c, insn, Rn(insn));
            if (register) LoadOperand(c, insn, Rm(insn));
            else LoadConstant(il, insn, Bits(insn, 20, 16));
            if (!negative) il.Emit(OpCodes.Not);
            LoadCarryConstant(il, insn, negative ? 0u : 1u);
        }, setFlags: true);
        il.Emit(OpCodes.Pop);
        il.MarkLabel(done);
        return true;
    }
}
