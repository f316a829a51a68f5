// Times whole guest runs with BenchmarkDotNet (samples/README.md): `dotnet run -c Release --project samples/Benchmarks`
// for the full measurement, `-- --job dry` for one quick pass that only checks it all runs. Without a --filter every
// benchmark runs (BenchmarkSwitcher would otherwise ask which).
using BenchmarkDotNet.Running;

string[] arguments = args.Contains("--filter") ? args : [.. args, "--filter", "*"];
BenchmarkSwitcher.FromAssembly(typeof(Benchmarks.GuestRunBenchmarks).Assembly).Run(arguments);
