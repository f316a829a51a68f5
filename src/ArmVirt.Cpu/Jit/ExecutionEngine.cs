namespace ArmVirt.Cpu;

/// <summary>How a <see cref="Cpu"/> executes guest code.</summary>
public enum ExecutionEngine
{
    /// <summary>Decode and interpret one instruction at a time.</summary>
    Interpreter,

    /// <summary>
    /// Interpret cold code and translate hot code into .NET IL (<see cref="System.Reflection.Emit.DynamicMethod"/>s: warm
    /// blocks one by one, hot code as regions of a page), giving the same registers, memory and cycle counts as the
    /// interpreter.
    /// </summary>
    Jit,
}
