namespace ArmVirt.Cpu.A32;

/// <summary>
/// The semantics of one A32 instruction over its decoded operands. The condition has already passed when it runs
/// (the execution loop applies ConditionPassed); <see cref="Cpu.NextPc"/> holds the address of the next
/// instruction, which branches and writes to the PC overwrite. As for A64 handlers, no architectural state may change
/// before the instruction's last possible fault.
/// </summary>
internal delegate void A32Handler(Cpu cpu, in A32Operands op);

/// <summary>Builds the operands of an A32 instruction from its word: one function per operand format.</summary>
internal delegate A32Operands A32OperandFormat(uint insn);
