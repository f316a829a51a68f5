using ArmVirt.Bench;
using ArmVirt.Cpu;
using BenchmarkDotNet.Running;

// `--exception-loop KIND ENGINE SECONDS`: runs one ExceptionBenchmarks loop (Hvc, Svc, Stage2Abort, Mmio, Irq under
// Interpreter or Jit) hot for that long and prints ns per round trip, for a profiler to attach to (perf record -g with
// DOTNET_PerfMapEnabled=1); anything else goes to BenchmarkDotNet.
if (args.Length == 4 && args[0] == "--exception-loop")
{
    ExceptionGuestCode.ProfileLoop(Enum.Parse<ExceptionGuestCode.Kind>(args[1]), Enum.Parse<ExecutionEngine>(args[2]),
        double.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture));
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
