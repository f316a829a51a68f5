namespace ArmVirt.Cpu;

/// <summary>The entry point the execution loops call a decode row's handler through, without its delegate.</summary>
internal static class HandlerPointer
{
    /// <summary>
    /// The address of <paramref name="handler"/>'s static method (called as a managed function pointer with the
    /// delegate's signature, skipping its shuffle thunk), or 0 when it is not a single static method
    /// (a lambda or a closure, called through the delegate).
    /// </summary>
    public static nint Of(Delegate handler) =>
        handler.HasSingleTarget && handler.Target == null && handler.Method.IsStatic ? handler.Method.MethodHandle.GetFunctionPointer() : 0;
}
