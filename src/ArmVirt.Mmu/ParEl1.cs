namespace ArmVirt.Mmu;

/// <summary>Formats PAR_EL1 (64-bit format) after an AT instruction (Arm ARM D24.2 PAR_EL1).</summary>
internal static class ParEl1
{
    /// <summary>
    /// Success (F = 0): ATTR [63:56], PA [47:12], RES1 [11], NS [9], SH [8:7]. Fault (F = 1): RES1 [11], S [9],
    /// PTW [8], FST [6:1]. A Synchronous External abort on the walk is not reported in PAR_EL1
    /// (<see cref="TranslationFault.ReportableInPar"/>): the CPU takes a Data Abort instead.
    /// </summary>
    public static ulong Format(in TranslationResult result)
    {
        if (result.IsFault)
        {
            var f = result.Fault;
            return 1UL | ((ulong)f.FaultStatusCode << 1) | (f.S1Ptw ? 1UL << 8 : 0) | (f.IsStage2 ? 1UL << 9 : 0) | (1UL << 11);
        }
        return ((ulong)result.Attributes.Attr << 56)
            | (result.PhysicalAddress & 0x0000_FFFF_FFFF_F000UL)
            | (1UL << 11)
            | (result.NonSecure ? 1UL << 9 : 0)
            | ((ulong)result.Attributes.Sh << 7);
    }
}
