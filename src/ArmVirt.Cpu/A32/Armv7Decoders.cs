namespace ArmVirt.Cpu.A32;

/// <summary>
/// The A32 and T32 decoders of an ARMv7-A PE (<see cref="CpuModel.Aarch32Only"/>): the shared tables with the rows of
/// instructions Armv8 added to AArch32 (Arm ARM "Changes to the A32 and T32 instruction sets" in Armv8: the A32
/// load-acquire/store-release family, VSEL, VMAXNM/VMINNM, VRINT*, VCVTA/N/P/M) decoding as UNDEFINED, which is what
/// their encodings are in ARMv7. CRC32 and the Cryptographic Extension are UNDEFINED through ID_ISAR5 (0 on these models)
/// already. Not filtered yet: T32's load-acquire/store-release (one row shared with the v7 exclusives), Advanced SIMD's
/// VMAXNM/VMINNM, VRINT and VCVT{A,N,P,M} (in rows shared with ARMv7 instructions), and the double-precision VCVTB/VCVTT.
/// </summary>
internal static class Armv7Decoders
{
    private static readonly HashSet<string> Armv8Only =
    [
        "LDA", "LDAB", "LDAH", "STL", "STLB", "STLH", "LDAEX", "LDAEXB", "LDAEXH", "LDAEXD", "STLEX", "STLEXB", "STLEXH", "STLEXD",
        "VSEL", "VMAXNM/VMINNM", "VRINTA/VRINTN/VRINTP/VRINTM", "VRINTR/VRINTZ", "VRINTX", "VCVTA/VCVTN/VCVTP/VCVTM",
    ];

    private static bool IsArmv8Only(A32Encoding e) =>
        Armv8Only.Contains(e.Name.EndsWith(" (T32)", StringComparison.Ordinal) ? e.Name[..^6] : e.Name);

    // The same rows, Armv8's as UNDEFINED rows of the same encoding (kept, so that no less specific row decodes them).
    private static A32Encoding[] Filter(IReadOnlyList<A32Encoding> table) =>
        [.. table.Select(e => IsArmv8Only(e)
            ? new A32Encoding(e.Name + " (Armv8: UNDEFINED in ARMv7)", e.Mask, e.Value, A32Formats.None, A32Decoder.Undefined.Handler, e.Constraint)
            : e)];

    /// <summary>The A32 decoder of an ARMv7-A PE.</summary>
    public static A32Decoder A32 { get; } = new(Filter(A32DecodeTable.All));

    /// <summary>The T32 decoder of an ARMv7-A PE.</summary>
    public static T32Decoder T32 { get; } = new(Filter(T32DecodeTable.Narrow), Filter(T32DecodeTable.Wide));
}
