namespace ArmVirt.Cpu.Jit;

/// <summary>
/// One instruction of a block's predecoded form: its decode row's handler as a function pointer (0: the row's handler
/// is a lambda or closure, called through its delegate), its word and its class.
/// </summary>
internal readonly record struct PredecodedInstruction(nint Handler, uint Word, InstructionClass Class);
