using System.IO.Pipes;
using static ArmVirt.Machine.Tests.TestImages;

namespace ArmVirt.Machine.Tests;

[TestClass]
public sealed class SerialInputTests
{
    private static void EnableUart(Machine m) => Assert.IsTrue(m.Bus.TryWrite(0x0900_0030, 4, 0x301));

    private static string Drain(Machine m)
    {
        var s = new System.Text.StringBuilder();
        while (m.Bus.TryRead(0x0900_0018, 4, out ulong fr) && (fr & 0x10) == 0)
        {
            m.Bus.TryRead(0x0900_0000, 4, out ulong c);
            s.Append((char)(c & 0xFF));
        }
        return s.ToString();
    }

    [TestMethod]
    public void SeekableInputIsQueuedBeforeTheGuestRuns()
    {
        using var m = new MachineBuilder().WithKernel(Pattern(16, 1), "raw")
            .WithSerial(new MemoryStream(), new MemoryStream("boot\n"u8.ToArray())).Build();
        Assert.IsTrue(m.Uart.HasPendingInput);
        EnableUart(m);
        Assert.AreEqual("boot\n", Drain(m));
        Assert.IsFalse(m.Cpu.IdleWait!(), "input ended: nothing can wake an idle CPU");
    }

    [TestMethod]
    public void PipedInputWakesTheIdleWaitUntilEndOfFile()
    {
        using var pipe = new AnonymousPipeServerStream(PipeDirection.Out);
        using var reader = new AnonymousPipeClientStream(PipeDirection.In, pipe.ClientSafePipeHandle);
        using var m = new MachineBuilder().WithKernel(Pattern(16, 1), "raw").WithSerial(new MemoryStream(), reader).Build();
        EnableUart(m);
        pipe.Write("hi"u8);
        pipe.Flush();
        var wait = Task.Run(() => m.Cpu.IdleWait!());
        Assert.IsTrue(wait.Wait(TimeSpan.FromSeconds(10)), "IdleWait returns when input arrives");
        Assert.IsTrue(wait.Result);
        string got = Drain(m);
        while (got.Length < 2 && m.Cpu.IdleWait!()) got += Drain(m);
        Assert.AreEqual("hi", got);
        pipe.Dispose(); // end of input
        var end = Task.Run(() => { while (m.Cpu.IdleWait!()) { } return true; });
        Assert.IsTrue(end.Wait(TimeSpan.FromSeconds(10)), "IdleWait reports end of input");
    }
}
