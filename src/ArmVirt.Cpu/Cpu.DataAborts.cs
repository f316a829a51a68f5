using System.Runtime.CompilerServices;
using ArmVirt.Cpu.Exceptions;

namespace ArmVirt.Cpu;

/// <summary>
/// Data aborts of loads and stores as values, not .NET exceptions: the access's slow path records the abort here and
/// returns a dummy, the handler checks <see cref="AbortPending"/> before any architectural write (registers, base
/// write-back, flags, the exclusive monitor, memory not yet written), and the execution loop that ran the instruction
/// takes it (<see cref="TakePendingAbort"/>) as it took a caught <see cref="GuestException"/>: the instruction's
/// address as the preferred return, the instruction counted. A .NET throw and catch cost 2-4 us, and demand paging,
/// a hypervisor's MMIO exits (stage 2 aborts) and Xen's dom0 take many.
/// </summary>
/// <remarks>
/// When a load or store takes a synchronous Data Abort, the Arm ARM makes the registers it would load UNKNOWN (every
/// register of LDP, LDM and the multi-register SIMD loads) and restores a written-back base register to its value
/// before the instruction: ArmVirt changes none of them, as QEMU does (tests/guests/aborts.c checks both against QEMU). Memory an instruction wrote before the faulting access of the same instruction stays written,
/// as the Arm ARM allows; the pair and multiple stores probe every access before their first write.
/// </remarks>
public sealed partial class Cpu
{
    // The recorded abort, and the address of its instruction (State.PC while a handler runs, in every engine: compiled
    // code stores it before a load or store, as it always has for a thrown exception).
    private bool _abortPending;
    private ulong _abortPc;
    private ExceptionClass _abortClass;
    private uint _abortIss;
    private int _abortTarget;
    private ulong? _abortFar;
    private ulong? _abortIpa;

    /// <summary>True between a load or store's faulting access and the execution loop taking its abort.</summary>
    internal bool AbortPending
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _abortPending;
    }

    // Records an abort of the running instruction (the first one: an access after it does nothing). Returns 0, the value
    // a faulting access yields. Sets JitCheckAfterAccess so that compiled code and the predecoded tier ask
    // JitMustLeaveBlock after the access: the code leaves, and ExecuteChain takes the abort at _abortPc.
    private ulong RecordAbort(ExceptionClass ec, uint iss, int target, ulong? far, ulong? ipa)
    {
        if (_abortPending) return 0;
        _abortPending = true;
        _abortPc = State.PC;
        _abortClass = ec;
        _abortIss = iss;
        _abortTarget = target;
        _abortFar = far;
        _abortIpa = ipa;
        JitCheckAfterAccess = true;
        return 0;
    }

    /// <summary>
    /// Records the trap of a load/store-class instruction (a data cache maintenance instruction by VA, which blocks go on
    /// after: <c>InstructionClassifier</c>) as its pending exception, so that the loop that runs it takes it there
    /// (no FAR).
    /// </summary>
    internal void RecordTrap(ExceptionClass ec, uint iss, int target) => RecordAbort(ec, iss, target, null, null);

    // The public entry points that throw (ReadMemory, WriteMemory, ProbeWrite, TranslateData: semihosting, the GDB stub,
    // library users, the handlers not converted): the pending abort becomes a GuestException, as before.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong ThrowIfAborted(ulong value) => _abortPending ? throw PendingAbortAsException() : value;

    private GuestException PendingAbortAsException()
    {
        _abortPending = false;
        return new GuestException(_abortClass, _abortIss, _abortTarget, far: _abortFar, ipa: _abortIpa);
    }

    /// <summary>
    /// Takes the pending abort of the instruction at <paramref name="pc"/> (AArch64.TakeException, or the AArch32 entry
    /// for an AArch32 EL1): the caller counts the instruction as it counts one whose handler threw.
    /// </summary>
    internal void TakePendingAbort(ulong pc)
    {
        _abortPending = false;
        TakeException(ExceptionKind.Synchronous, _abortTarget, pc, _abortClass, _abortIss, il: true, far: _abortFar, ipa: _abortIpa);
    }
}
