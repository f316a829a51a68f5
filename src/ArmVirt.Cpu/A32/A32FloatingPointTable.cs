using F = ArmVirt.Cpu.A32.A32Formats;
using FP = ArmVirt.Cpu.A32.A32FloatingPoint;
using X = ArmVirt.Cpu.A32.A32FloatingPointTransfer;

namespace ArmVirt.Cpu.A32;

/// <summary>
/// The VFP rows (Arm ARM F4.1 "Floating-point data-processing", "Advanced SIMD and floating-point 64-bit move",
/// "load/store", "8, 16 and 32-bit transfer", and the unconditional Armv8 additions), written once without the
/// condition field: the A32 table puts cond (or 1111) in front, the T32 table 1110 (or 1111), the T32 encodings of
/// this space being the A32 ones with cond = 1110 (F3.1 "Coprocessor, Advanced SIMD, and floating-point").
/// </summary>
internal static class A32FloatingPointTable
{
    private static readonly (string Name, string Bits, bool Unconditional, A32OperandFormat Format, A32Handler Handler, Func<uint, bool>? Constraint)[] Rows =
    [
        // ---- Floating-point data-processing: 1110 opc1 opc2 Vd 101 sz opc3 M 0 opc4 ----
        ("VMLA/VMLS/VNMLA/VNMLS/VMUL/VNMUL/VADD/VSUB", "1110 0x xx xxxx xxxx 101x xxx0 xxxx", false, F.VfpThreeRegister, FP.ThreeRegister, null),
        ("VDIV/VFNMA/VFNMS/VFMA/VFMS", "1110 1x xx xxxx xxxx 101x xxx0 xxxx", false, F.VfpThreeRegister, FP.ThreeRegister, NotOther),
        ("VMOV (immediate)", "1110 1x11 xxxx xxxx 101x 0000 xxxx", false, F.VfpImmediate, FP.MoveImmediate, null),
        ("VMOV (register)", "1110 1x11 0000 xxxx 101x 01x0 xxxx", false, F.VfpTwoRegister, FP.MoveRegister, null),
        ("VABS", "1110 1x11 0000 xxxx 101x 11x0 xxxx", false, F.VfpTwoRegister, FP.Abs, null),
        ("VNEG", "1110 1x11 0001 xxxx 101x 01x0 xxxx", false, F.VfpTwoRegister, FP.Neg, null),
        ("VSQRT", "1110 1x11 0001 xxxx 101x 11x0 xxxx", false, F.VfpTwoRegister, FP.Sqrt, null),
        ("VCVTB/VCVTT", "1110 1x11 001x xxxx 101x x1x0 xxxx", false, F.VfpConvertHalf, FP.ConvertHalf, null),
        ("VCMP/VCMPE", "1110 1x11 0100 xxxx 101x x1x0 xxxx", false, F.VfpTwoRegister, FP.Compare, null),
        ("VCMP/VCMPE (with zero)", "1110 1x11 0101 xxxx 101x x100 0000", false, F.VfpTwoRegister, FP.CompareZero, null),
        ("VRINTR/VRINTZ", "1110 1x11 0110 xxxx 101x x1x0 xxxx", false, F.VfpTwoRegister, FP.RoundIntRZ, null),
        ("VRINTX", "1110 1x11 0111 xxxx 101x 01x0 xxxx", false, F.VfpTwoRegister, FP.RoundIntX, null),
        ("VCVT (between double-precision and single-precision)", "1110 1x11 0111 xxxx 101x 11x0 xxxx", false, F.VfpConvertPrecision, FP.ConvertPrecision, null),
        ("VCVT (integer to floating-point)", "1110 1x11 1000 xxxx 101x x1x0 xxxx", false, F.VfpFromInteger, FP.FromInteger, null),
        ("VCVT (fixed-point to floating-point)", "1110 1x11 101x xxxx 101x x1x0 xxxx", false, F.VfpFixed, FP.FromFixed, FP.FixedFractionValid),
        ("VCVT (floating-point to fixed-point)", "1110 1x11 111x xxxx 101x x1x0 xxxx", false, F.VfpFixed, FP.ToFixed, FP.FixedFractionValid),
        ("VCVT/VCVTR (floating-point to integer)", "1110 1x11 110x xxxx 101x x1x0 xxxx", false, F.VfpToInteger, FP.ToInteger, null),

        // ---- Unconditional (Armv8): 1111 1110 ... ----
        ("VSEL", "1110 0xxx xxxx xxxx 101x x0x0 xxxx", true, F.VfpThreeRegister, FP.Select, null),
        ("VMAXNM/VMINNM", "1110 1x00 xxxx xxxx 101x xxx0 xxxx", true, F.VfpThreeRegister, FP.MaxMinNum, null),
        ("VRINTA/VRINTN/VRINTP/VRINTM", "1110 1x11 10xx xxxx 101x 01x0 xxxx", true, F.VfpTwoRegister, FP.RoundIntDirected, null),
        ("VCVTA/VCVTN/VCVTP/VCVTM", "1110 1x11 11xx xxxx 101x x1x0 xxxx", true, F.VfpToInteger, FP.ToIntegerDirected, null),

        // ---- Transfers ----
        ("VMOV (between general-purpose register and single-precision register)", "1110 000x xxxx xxxx 1010 x001 0000", false, F.VfpMoveSingle, X.MoveSingle, null),
        ("VMSR", "1110 1110 xxxx xxxx 1010 0001 0000", false, F.VfpSystem, X.Vmsr, null),
        ("VMRS", "1110 1111 xxxx xxxx 1010 0001 0000", false, F.VfpSystem, X.Vmrs, null),
        ("VMOV (general-purpose register to scalar)", "1110 0xx0 xxxx xxxx 1011 xxx1 0000", false, F.VfpScalarMove, X.MoveScalar, null),
        ("VMOV (scalar to general-purpose register)", "1110 xxx1 xxxx xxxx 1011 xxx1 0000", false, F.VfpScalarMove, X.MoveScalar, null),
        ("VDUP (general-purpose register)", "1110 1xx0 xxxx xxxx 1011 x0x1 0000", false, F.VfpDuplicate, X.Duplicate, null),
        ("VMOV (two general-purpose registers and two S / one D register)", "1100 010x xxxx xxxx 101x 00x1 xxxx", false, F.VfpMovePair, X.MovePair, null),
        ("VSTR", "1101 xx00 xxxx xxxx 101x xxxx xxxx", false, F.VfpLoadStore, X.Vstr, null),
        ("VLDR", "1101 xx01 xxxx xxxx 101x xxxx xxxx", false, F.VfpLoadStore, X.Vldr, null),
        ("VSTM/VSTMIA", "1100 1xx0 xxxx xxxx 101x xxxx xxxx", false, F.VfpLoadStore, X.Vstm, X.MultipleValid),
        ("VLDM/VLDMIA/VPOP", "1100 1xx1 xxxx xxxx 101x xxxx xxxx", false, F.VfpLoadStore, X.Vldm, X.MultipleValid),
        ("VSTMDB/VPUSH", "1101 0x10 xxxx xxxx 101x xxxx xxxx", false, F.VfpLoadStore, X.Vstm, X.MultipleValid),
        ("VLDMDB", "1101 0x11 xxxx xxxx 101x xxxx xxxx", false, F.VfpLoadStore, X.Vldm, X.MultipleValid),
    ];

    // opc1 = 1x11 is the "other" two-register space, with its own rows.
    private static bool NotOther(uint insn) => (insn & 0x00B0_0000) != 0x00B0_0000 && FP.ThreeRegisterAllocated(insn);

    /// <summary>The A32 rows: cond in front (1111 for the unconditional ones).</summary>
    public static IEnumerable<A32Encoding> A32Rows() =>
        Rows.Select(r => A32Encoding.Pattern(r.Name, (r.Unconditional ? "1111" : "cccc") + r.Bits, r.Format, r.Handler, r.Constraint));

    /// <summary>The T32 rows: 1110 in front (1111 for the unconditional ones).</summary>
    public static IEnumerable<A32Encoding> T32Rows() =>
        Rows.Select(r => A32Encoding.Pattern(r.Name + " (T32)", (r.Unconditional ? "1111" : "1110") + r.Bits, r.Format, r.Handler, r.Constraint));
}
