using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(ArmVirt.Bench.Mmu.TranslationBenchmarks).Assembly).Run(args);
