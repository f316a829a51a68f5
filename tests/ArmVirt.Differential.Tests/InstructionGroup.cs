namespace ArmVirt.Differential.Tests;

/// <summary>How a group's last word is patched once the sequence is laid out.</summary>
internal enum FixupKind
{
    None,
    /// <summary>B.cond / CBZ / CBNZ: imm19 at bits 23..5.</summary>
    Imm19Branch,
    /// <summary>TBZ / TBNZ: imm14 at bits 18..5.</summary>
    Imm14Branch,
    /// <summary>B / BL: imm26.</summary>
    Imm26Branch,
    /// <summary>LDR (literal): imm19 pointing back into the sequence, aligned to <see cref="InstructionGroup.LiteralAlignment"/>.</summary>
    LiteralLoad,
    /// <summary>A32 B / BL: imm24 (words, relative to the branch + 8).</summary>
    A32Branch,
    /// <summary>A32 ADD Rd, PC, #const (ADR) whose target is the group after the skip: the modified immediate (byte offset from the ADD + 8, ROR 30).</summary>
    A32Adr,
}

/// <summary>
/// Instructions that must run together (e.g. the ADD that points X26 into the scratch area and the load using
/// it). Branches only ever target the first word of a group, so a group is never entered halfway.
/// </summary>
internal sealed class InstructionGroup(string className, params uint[] words)
{
    public string ClassName { get; } = className;
    public uint[] Words { get; } = words;
    public FixupKind Fixup { get; init; }
    /// <summary>Branches: how many following groups to skip (clamped to the end of the sequence).</summary>
    public int Skip { get; init; }
    /// <summary>A32 groups: the index of the word the fixup patches (the last word when -1).</summary>
    public int FixupWord { get; init; } = -1;
    /// <summary>Literal loads: minimum distance back, in words, and the alignment the loaded address needs.</summary>
    public int LiteralBack { get; init; }
    public int LiteralAlignment { get; init; }
}
