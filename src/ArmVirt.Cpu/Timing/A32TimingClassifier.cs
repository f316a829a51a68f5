using System.Collections.Concurrent;
using ArmVirt.Cpu.A32;

namespace ArmVirt.Cpu.Timing;

/// <summary>
/// The <see cref="TimingClass"/> of an A32 or T32 instruction, from its decode row (<see cref="A32Encoding.Name"/>, the
/// mnemonic the A32/T32 tables give it) and, for the FP divide and square root, the word's size bit: the same classes,
/// and so the same per-model costs, as the A64 rows of the same kind (<see cref="TimingClassifier"/>).
/// </summary>
internal static class A32TimingClassifier
{
    private static readonly ConcurrentDictionary<A32Encoding, TimingClass> ByRow = new();

    /// <summary>The class of <paramref name="word"/> decoded by <paramref name="row"/>.</summary>
    public static TimingClass Classify(A32Encoding row, uint word)
    {
        var c = ByRow.GetOrAdd(row, static r => OfName(r.Name));
        // VDIV, VSQRT: sz (bit 8) selects double precision (F6.1.100 / F6.1.245).
        return c switch
        {
            TimingClass.FpDiv32 when (word & 0x100) != 0 => TimingClass.FpDiv64,
            TimingClass.FpSqrt32 when (word & 0x100) != 0 => TimingClass.FpSqrt64,
            _ => c,
        };
    }

    // The row's mnemonic (its name's first word) to a class.
    private static TimingClass OfName(string name)
    {
        string m = name.Split(' ', '(')[0].ToUpperInvariant();
        return m switch
        {
            "B" => TimingClass.Branch,
            "BL" => TimingClass.Call,
            "BLX" => TimingClass.IndirectCall,
            "BX" or "BXJ" => TimingClass.IndirectBranch,
            "CBZ" or "CBNZ" => TimingClass.ConditionalBranch,
            "TBB" or "TBH" => TimingClass.IndirectBranch,
            "LDREX" or "LDREXB" or "LDREXH" or "LDREXD" or "LDAEX" or "LDAEXB" or "LDAEXH" or "LDAEXD"
                or "STREX" or "STREXB" or "STREXH" or "STREXD" or "STLEX" or "STLEXB" or "STLEXH" or "STLEXD" or "SWP" or "SWPB" => TimingClass.Atomic,
            "LDRD" or "LDM" or "LDMIA" or "LDMDA" or "LDMDB" or "LDMIB" or "POP" or "VLDM" or "VLDMDB" or "VLD1" or "VLD2" or "VLD3" or "VLD4" => TimingClass.LoadPair,
            "STRD" or "STM" or "STMIA" or "STMDA" or "STMDB" or "STMIB" or "PUSH" or "VSTM" or "VSTMDB" or "VST1" or "VST2" or "VST3" or "VST4" => TimingClass.StorePair,
            _ when m.StartsWith("LDR", StringComparison.Ordinal) || m.StartsWith("LDA", StringComparison.Ordinal) || m == "VLDR" => TimingClass.Load,
            _ when m.StartsWith("STR", StringComparison.Ordinal) || m.StartsWith("STL", StringComparison.Ordinal) || m == "VSTR" => TimingClass.Store,
            "UMULL" or "SMULL" or "UMLAL" or "SMLAL" or "UMAAL" or "SMLALD" or "SMLSLD" => TimingClass.IntMul64,
            _ when m is "MUL" or "MLA" or "MLS" or "SMMLA" or "SMMLS" or "SMMUL" or "SMLAD" or "SMLSD" or "SMUAD" or "SMUSD" or "USAD8" or "USADA8"
                || m.StartsWith("SMLA", StringComparison.Ordinal) || m.StartsWith("SMUL", StringComparison.Ordinal) => TimingClass.IntMul32,
            "SDIV" or "UDIV" => TimingClass.IntDiv32,
            "MRC" or "MCR" or "MRRC" or "MCRR" or "MRS" or "MSR" or "VMRS" or "VMSR" or "CPS" or "SETEND" => TimingClass.SystemRegister,
            "DMB" or "DSB" or "ISB" => TimingClass.Barrier,
            "SVC" or "HVC" or "SMC" or "BKPT" or "UDF" => TimingClass.ExceptionGenerating,
            "ERET" or "RFE" or "SRS" => TimingClass.ExceptionReturn,
            "NOP" or "YIELD" or "WFE" or "WFI" or "SEV" or "SEVL" or "PLD" or "PLDW" or "PLI" or "CLREX" or "IT" => TimingClass.Hint,
            "VDIV" => TimingClass.FpDiv32,
            "VSQRT" => TimingClass.FpSqrt32,
            "VMUL" or "VNMUL" => TimingClass.FpMul,
            "VMLA" or "VMLS" or "VNMLA" or "VNMLS" or "VFMA" or "VFMS" or "VFNMA" or "VFNMS" => TimingClass.FpFma,
            _ when m.StartsWith("VCVT", StringComparison.Ordinal) || m.StartsWith("VRINT", StringComparison.Ordinal) => TimingClass.FpConvert,
            "VTBL" or "VTBX" or "VEXT" or "VDUP" or "VMOV" or "VZIP" or "VUZP" or "VTRN" or "VREV16" or "VREV32" or "VREV64" or "VSWP" => TimingClass.SimdPermute,
            "VABS" or "VNEG" or "VADD" or "VSUB" or "VCMP" or "VCMPE" or "VSEL" or "VMAXNM" or "VMINNM" or "VFP" => TimingClass.FpAdd,
            _ when m.StartsWith('V') => TimingClass.SimdArithmetic,
            "CRC32" or "CRC32C" => TimingClass.IntMul32,
            "AESE" or "AESD" or "AESMC" or "AESIMC" or "SHA1C" or "SHA256H" => TimingClass.Crypto,
            _ => TimingClass.IntAlu,
        };
    }
}
