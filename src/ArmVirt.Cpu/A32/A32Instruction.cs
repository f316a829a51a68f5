namespace ArmVirt.Cpu.A32;

/// <summary>A decoded A32 instruction: its row and its operands, built once per word and cached by the CPU.</summary>
/// <param name="Encoding">The decode-table row (<see cref="A32Decoder.Undefined"/> for an unallocated word).</param>
/// <param name="Operands">The typed operands.</param>
internal sealed record A32Instruction(A32Encoding Encoding, A32Operands Operands);
