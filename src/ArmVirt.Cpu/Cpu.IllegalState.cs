using ArmVirt.Cpu.Exceptions;

namespace ArmVirt.Cpu;

public sealed partial class Cpu
{
    /// <summary>
    /// The Illegal Execution state check (Arm ARM D1.4.4 "The Illegal Execution state bit", CheckIllegalState):
    /// when PSTATE.IL is set, every instruction raises an Illegal State exception (EC 0x0E) instead of executing.
    /// The execution loop calls it after the instruction is fetched (a fetch abort has priority) and before it
    /// is decoded; the exception is taken with the instruction's address as the preferred return.
    /// </summary>
    internal void CheckIllegalState()
    {
        if (State.IllegalState) throw new GuestException(ExceptionClass.IllegalState, 0, SyncExceptionTargetEl);
    }
}
