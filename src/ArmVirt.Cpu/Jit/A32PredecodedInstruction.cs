using ArmVirt.Cpu.A32;

namespace ArmVirt.Cpu.Jit;

/// <summary>
/// One instruction of an AArch32 block's predecoded form (A32 or T32): what <c>ExecuteA32</c>/<c>ExecuteT32</c> would
/// find for it at run time, found once when the block was built: the row's handler (as a function pointer, or its
/// delegate when the row's handler is a lambda), the operands its format built, the condition that applies (the
/// encoding's, or the IT block's: aarch32/functions/system/CurrentCond) and whether ITSTATE advances after it.
/// </summary>
internal readonly struct A32PredecodedInstruction(
    nint handler, A32Handler @delegate, A32Operands operands, uint pc, uint word, byte cond, InstructionClass @class, bool inIt, bool narrow)
{
    /// <summary>The handler's static method (<c>delegate*&lt;Cpu, in A32Operands, void&gt;</c>), or 0.</summary>
    public readonly nint Handler = handler;

    /// <summary>The row's handler, called when <see cref="Handler"/> is 0.</summary>
    public readonly A32Handler Delegate = @delegate;

    /// <summary>The decoded operands (a field: handlers take them by reference).</summary>
    public readonly A32Operands Operands = operands;

    /// <summary>The instruction's address.</summary>
    public readonly uint Pc = pc;

    /// <summary>The word decoded (T32: hw1:hw2, or the halfword, with bit 16 set inside an IT block).</summary>
    public readonly uint Word = word;

    /// <summary>The condition; 0xE when it always executes.</summary>
    public readonly byte Cond = cond;

    /// <summary>What the block does around it.</summary>
    public readonly InstructionClass Class = @class;

    /// <summary>T32: it executes inside an IT block (AArch32.ITAdvance follows it, executed or not).</summary>
    public readonly bool InIt = inIt;

    /// <summary>T32: a 16-bit instruction (ESR.IL = 0 for its exceptions).</summary>
    public readonly bool Narrow = narrow;

    /// <summary>The instruction's length in bytes.</summary>
    public uint Size => Narrow ? 2u : 4u;
}
