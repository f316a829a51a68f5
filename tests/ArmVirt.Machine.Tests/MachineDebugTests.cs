using ArmVirt.Cpu;
using static ArmVirt.Machine.Tests.TestImages;

namespace ArmVirt.Machine.Tests;

/// <summary>The machine's host debugging surface (issue #17 item 3): RunUntil, breakpoints, watchpoints and memory hooks.</summary>
[TestClass]
public sealed class MachineDebugTests
{
    private const ulong Code = 0x4008_0000, Data = 0x4009_0000;

    // movz x2, #0x4009, lsl #16; movz x1, #0; loop: add x1, x1, #1; str x1, [x2]; b loop
    private static readonly uint[] Loop = [0xd2a80122, 0xd2800001, 0x91000421, 0xf9000041, 0x17fffffe];

    private static Machine Build(ExecutionEngine engine)
    {
        var text = new byte[Loop.Length * 4];
        Buffer.BlockCopy(Loop, 0, text, 0, text.Length);
        return new MachineBuilder().WithEngine(engine).WithKernel(Elf(Code, [new(Code, Code, text, (ulong)text.Length)]), "loop.elf").Build();
    }

    [TestMethod]
    [DataRow(ExecutionEngine.Interpreter)]
    [DataRow(ExecutionEngine.Jit)]
    public void RunUntilBreakpointsWatchpointsAndHooksStopAndReport(ExecutionEngine engine)
    {
        using var m = Build(engine);
        var exit = m.RunUntil(Code + 12);
        Assert.AreEqual(StopReason.Breakpoint, exit.Reason);
        Assert.AreEqual(Code + 12, m.Cpu.State.PC);
        Assert.AreEqual(3UL, m.InstructionsExecuted, "movz, movz, add: the STR has not executed");
        Assert.AreEqual(1UL, m.Cpu.X(1));

        m.Breakpoints.Add(Code + 8);
        Assert.AreEqual(StopReason.Breakpoint, m.Run(1000).Reason, "resumed past the STR, stopped at the ADD");
        Assert.AreEqual(5UL, m.InstructionsExecuted);
        m.Breakpoints.Clear();

        var stores = new List<ulong>();
        using var hook = m.Hooks.AddMemory(Data, Data + 8, (_, a) => { if (a.IsWrite) stores.Add(a.Value); });
        m.Watchpoints.Add(Data, 8, WatchKind.Write);
        exit = m.Run(1000);
        Assert.AreEqual(StopReason.Watchpoint, exit.Reason);
        StringAssert.Contains(exit.Message, "write of 8 bytes at 0x40090000");
        Assert.AreEqual(Code + 12, m.Cpu.State.PC);
        Assert.AreEqual(2UL, m.Cpu.X(1));
        CollectionAssert.AreEqual(new List<ulong>(), stores, "stopped before the store");
        m.Watchpoints.Clear();
        Assert.AreEqual(StopReason.InstructionLimit, m.Run(30).Reason);
        CollectionAssert.AreEqual(new ulong[] { 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 }, stores);
    }
}
