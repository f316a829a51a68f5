using System.Reflection;

namespace ArmVirt.Cpu.Jit;

/// <summary>The <see cref="Cpu"/> and <see cref="CpuState"/> members compiled code reads and writes.</summary>
internal static class CpuMembers
{
    private const BindingFlags Private = BindingFlags.Instance | BindingFlags.NonPublic;

    public static readonly FieldInfo State = typeof(Cpu).GetField(nameof(Cpu.State))!;
    public static readonly FieldInfo NextPc = typeof(Cpu).GetField(nameof(Cpu.NextPc), Private)!;
    public static readonly FieldInfo Pc = typeof(CpuState).GetField(nameof(CpuState.PC))!;
    public static readonly FieldInfo Cycles = typeof(CpuState).GetField(nameof(CpuState.Cycles))!;
    public static readonly FieldInfo Instructions = typeof(CpuState).GetField(nameof(CpuState.Instructions))!;
    public static readonly FieldInfo LeftEarly = typeof(Cpu).GetField(nameof(Cpu.JitLeftEarly), Private)!;
    public static readonly FieldInfo CheckAfterAccess = typeof(Cpu).GetField(nameof(Cpu.JitCheckAfterAccess), Private)!;
    public static readonly MethodInfo MustLeaveBlock = typeof(Cpu).GetMethod(nameof(Cpu.JitMustLeaveBlock), Private)!;
    public static readonly FieldInfo StoresObserved = typeof(Cpu).GetField(nameof(Cpu._storesObserved), Private)!;
    public static readonly MethodInfo NotifyWrite = typeof(Cpu).GetMethod(nameof(Cpu.JitNotifyWrite), Private)!;
    public static readonly FieldInfo X = typeof(CpuState).GetField(nameof(CpuState.X))!;
    public static readonly FieldInfo Nzcv = typeof(CpuState).GetField(nameof(CpuState.Nzcv))!;
    public static readonly MethodInfo ItAdvance = typeof(Cpu).GetMethod(nameof(Cpu.ItAdvance), Private)!;
    public static readonly MethodInfo LoopAgainAarch32 = typeof(Cpu).GetMethod(nameof(Cpu.JitLoopAgainAarch32), Private)!;
}
