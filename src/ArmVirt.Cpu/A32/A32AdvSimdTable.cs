using F = ArmVirt.Cpu.A32.A32AdvSimdFormats;
using S = ArmVirt.Cpu.A32.A32AdvSimd;

namespace ArmVirt.Cpu.A32;

/// <summary>
/// The Advanced SIMD rows (Arm ARM F4.1 "Advanced SIMD data-processing" and "Advanced SIMD element or structure
/// load/store"), written as A32 encodings (1111 001U ..., 1111 0100 ...). The T32 rows are the same with the T32
/// prefix (F3.1: 111U 1111 ... and 1111 1001 ...), their words mapped to the A32 form before the operand format and
/// the constraint run, so one format and one handler serve both.
/// </summary>
internal static class A32AdvSimdTable
{
    private static readonly (string Name, string Bits, A32OperandFormat Format, A32Handler Handler, Func<uint, bool>? Constraint)[] Rows =
    [
        // ---- three registers of the same length: 1111 001U 0 D size Vn Vd opc N Q M o1 Vm ----
        ("VQRDMLAH (three same)", "1111 0011 0xxx xxxx xxxx 1011 xxx1 xxxx", F.ThreeSame, S.Vqrdmlah, null),
        ("VQRDMLSH (three same)", "1111 0011 0xxx xxxx xxxx 1100 xxx1 xxxx", F.ThreeSame, S.Vqrdmlah, null),
        ("VHADD..VQRDMULH (integer, three same)", "1111 001x 0xxx xxxx xxxx 0xxx xxxx xxxx", F.ThreeSame, S.ThreeSameInteger, null),
        ("VADD..VPADD (integer, three same)", "1111 001x 0xxx xxxx xxxx 10xx xxxx xxxx", F.ThreeSame, S.ThreeSameInteger, null),
        ("VAND/VBIC/VORR/VORN/VEOR/VBSL/VBIT/VBIF (register)", "1111 001x 0xxx xxxx xxxx 0001 xxx1 xxxx", F.ThreeSame, S.Logical, null),
        ("SHA1C/SHA1P/SHA1M/SHA1SU0/SHA256H/SHA256H2/SHA256SU1", "1111 001x 0xxx xxxx xxxx 1100 xxx0 xxxx", F.ThreeSame, S.Sha3, null),
        ("VFMA/VFMS (Advanced SIMD)", "1111 001x 0xxx xxxx xxxx 1100 xxx1 xxxx", F.ThreeSame, S.ThreeSameFloat, null),
        ("floating-point three same", "1111 001x 0xxx xxxx xxxx 1101 xxxx xxxx", F.ThreeSame, S.ThreeSameFloat, null),
        ("floating-point compares (three same)", "1111 001x 0xxx xxxx xxxx 1110 xxxx xxxx", F.ThreeSame, S.ThreeSameFloat, null),
        ("VMAX/VMIN/VPMAX/VPMIN/VRECPS/VRSQRTS/VMAXNM/VMINNM (floating-point)", "1111 001x 0xxx xxxx xxxx 1111 xxxx xxxx", F.ThreeSame, S.ThreeSameFloat, null),

        // ---- one register and a modified immediate: 1111 001i 1 D 000 imm3 Vd cmode 0 Q op 1 imm4 ----
        ("VMOV/VMVN/VORR/VBIC (immediate)", "1111 001x 1x00 0xxx xxxx xxxx 0xx1 xxxx", F.ModifiedImmediate, S.ModifiedImmediate, null),

        // ---- two registers and a shift amount: 1111 001U 1 D imm6 Vd opc L Q M 1 Vm (L:imm6 != 0000xxx) ----
        ("VSHR/VSRA/VRSHR/VRSRA/VSRI/VSHL/VSLI/VQSHLU/VQSHL (immediate)", "1111 001x 1xxx xxxx xxxx 0xxx xxx1 xxxx", F.Shift, S.Shift, ShiftAllocated),
        ("VSHRN/VRSHRN/VQSHRUN/VQRSHRUN/VQSHRN/VQRSHRN", "1111 001x 1xxx xxxx xxxx 100x 0xx1 xxxx", F.Shift, S.ShiftNarrow, ShiftAllocated),
        ("VSHLL/VMOVL", "1111 001x 1xxx xxxx xxxx 1010 00x1 xxxx", F.Shift, S.ShiftLong, ShiftAllocated),
        ("VCVT (between floating-point and fixed-point, Advanced SIMD)", "1111 001x 1xxx xxxx xxxx 111x 0xx1 xxxx", F.Shift, S.ConvertFixed, ShiftAllocated),

        // ---- three registers of different lengths and two registers and a scalar (size != 11) ----
        ("VADDL..VMULL (three different)", "1111 001x 1xxx xxxx xxxx xxxx x0x0 xxxx", F.ThreeDifferent, S.ThreeDifferent, SizeNot3),
        ("VQRDMLAH/VQRDMLSH (by scalar)", "1111 001x 1xxx xxxx xxxx 111x x1x0 xxxx", F.TwoRegisterScalar, S.VqrdmlahScalar, SizeNot3),
        ("VMLA..VQRDMULH (by scalar)", "1111 001x 1xxx xxxx xxxx xxxx x1x0 xxxx", F.TwoRegisterScalar, S.Scalar, SizeNot3),

        // ---- size = 11: VEXT, two registers miscellaneous, VTBL/VTBX, VDUP (scalar) ----
        ("VEXT", "1111 0010 1x11 xxxx xxxx xxxx xxx0 xxxx", F.Extract, S.Extract, null),
        ("two registers, miscellaneous", "1111 0011 1x11 xxxx xxxx 0xxx xxx0 xxxx", F.TwoRegisterMisc, S.TwoRegisterMisc, null),
        ("VTBL/VTBX", "1111 0011 1x11 xxxx xxxx 10xx xxx0 xxxx", F.Table, S.Table, null),
        ("VDUP (scalar)", "1111 0011 1x11 xxxx xxxx 1100 0xx0 xxxx", F.DuplicateScalar, S.DuplicateScalar, null),

        // ---- element or structure load/store: 1111 0100 A D L 0 Rn Vd ... Rm ----
        ("VLD1-VLD4/VST1-VST4", "1111 0100 xxx0 xxxx xxxx xxxx xxxx xxxx", F.ElementOrStructure, A32AdvSimdLoadStore.Execute, null),
    ];

    // L:imm6 = 0000xxx is the modified-immediate space.
    private static bool ShiftAllocated(uint insn) => (insn & 0x0038_0080) != 0;

    // size = 11 in bits 21..20 is VEXT and the two-register spaces.
    private static bool SizeNot3(uint insn) => (insn & 0x0030_0000) != 0x0030_0000;

    /// <summary>The A32 rows.</summary>
    public static IEnumerable<A32Encoding> A32Rows() =>
        Rows.Select(r => A32Encoding.Pattern(r.Name, r.Bits, r.Format, r.Handler, r.Constraint));

    /// <summary>The T32 rows: 111U 1111 for 1111 001U, 1111 1001 for 1111 0100, the word mapped back for the format and constraint.</summary>
    public static IEnumerable<A32Encoding> T32Rows() => Rows.Select(r =>
    {
        string bits = r.Bits.Replace(" ", "");
        string t32 = bits.StartsWith("1111001") ? "111" + bits[7] + "1111" + bits[8..] : "11111001" + bits[8..];
        var format = r.Format;
        var constraint = r.Constraint;
        return A32Encoding.Pattern(r.Name + " (T32)", t32, insn => format(ToA32(insn)), r.Handler,
            constraint == null ? null : insn => constraint(ToA32(insn)));
    });

    /// <summary>The A32 form of a T32 Advanced SIMD word: 111U 1111 ... to 1111 001U ..., 1111 1001 ... to 1111 0100 ....</summary>
    public static uint ToA32(uint t32) => (t32 & 0x0F00_0000) == 0x0F00_0000
        ? 0xF200_0000u | (t32 >> 28 & 1) << 24 | (t32 & 0x00FF_FFFF)
        : 0xF400_0000u | (t32 & 0x00FF_FFFF);
}
