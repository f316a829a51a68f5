namespace ArmVirt.Cpu.A64;

/// <summary>
/// The semantics of one A64 instruction: reads its operand fields from <paramref name="insn"/> and updates
/// <paramref name="cpu"/>. The interpreter calls it directly; the JIT emits a call with <paramref name="insn"/>
/// as a constant so that field extraction folds away. A handler must not change architectural state before
/// its last possible fault (it may throw <see cref="Exceptions.GuestException"/>); the PC is advanced by the
/// caller to <see cref="Cpu.NextPc"/>, which branches overwrite.
/// </summary>
internal delegate void A64Handler(Cpu cpu, uint insn);
