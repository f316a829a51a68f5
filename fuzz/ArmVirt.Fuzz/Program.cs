using ArmVirt.Tests.Fuzzing;
using SharpFuzz;

// armvirt-fuzz TARGET [--afl | FILE...]: one fuzz target under SharpFuzz. With no more arguments it serves libFuzzer
// (libfuzzer-dotnet); with --afl it serves afl-fuzz; with files it runs each once and reports (a crash replay).
var targets = new Dictionary<string, ReadOnlySpanAction>
{
    ["elf"] = input => LoaderTargets.Elf(input),
    ["image"] = input => LoaderTargets.Image(input),
    ["gzip"] = input => LoaderTargets.Gzip(input),
    ["fdt"] = input => LoaderTargets.Fdt(input),
    ["virtqueue"] = input => VirtqueueTarget.Run(input),
};

if (args.Length == 0 || !targets.TryGetValue(args[0], out var target))
{
    Console.Error.WriteLine($"usage: armvirt-fuzz {string.Join('|', targets.Keys)} [--afl | FILE...]");
    return 2;
}
if (args.Length == 1)
{
    Fuzzer.LibFuzzer.Run(target);
    return 0;
}
if (args[1] == "--afl")
{
    Fuzzer.OutOfProcess.Run(stream =>
    {
        using var input = new MemoryStream();
        stream.CopyTo(input);
        target(input.ToArray());
    });
    return 0;
}
foreach (var file in args[1..])
{
    target(File.ReadAllBytes(file));
    Console.WriteLine($"{file}: ok");
}
return 0;
