using System.Reflection;
using ArmVirt.Cpu.A64;

namespace ArmVirt.Cpu.Jit;

/// <summary>
/// The hand-written IL of the hot instruction families, keyed by the interpreter handler of the decode row they
/// replace (so decoding stays in the decode tables). Every emitter implements exactly its handler's semantics on the
/// region's register locals; the lockstep tests run both against each other. Rows without an emitter, and encodings
/// an emitter declines, call the handler.
/// </summary>
internal static class EmitterTable
{
    private static readonly Dictionary<MethodInfo, A64Emitter> Emitters = Build();

    private static Dictionary<MethodInfo, A64Emitter> Build()
    {
        var table = new Dictionary<MethodInfo, A64Emitter>();
        foreach (var (handler, emitter) in LoadStoreEmitters.Entries) table.Add(handler.Method, emitter);
        foreach (var (handler, emitter) in AluEmitters.Entries) table.Add(handler.Method, emitter);
        // NOP, YIELD, DMB, DSB: their handlers do nothing in this model, so neither does their code; once a parallel SMP
        // domain exists in the process (Barriers.HostFences), DMB and DSB call their handler, a host fence in that mode.
        foreach (var handler in InstructionClassifier.NoEffectSystemHandlers)
            table.Add(handler, handler == ((A64Handler)Barriers.Dmb).Method || handler == ((A64Handler)Barriers.Dsb).Method
                ? (_, _) => !Barriers.HostFences : (_, _) => true);
        return table;
    }

    /// <summary>The emitter for rows handled by <paramref name="handler"/>, or null.</summary>
    public static A64Emitter? For(A64Handler handler) =>
        handler.HasSingleTarget && Emitters.TryGetValue(handler.Method, out var e) ? e : null;
}
