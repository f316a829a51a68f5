using ArmVirt.Cpu;
using ArmVirt.Devices;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Benchmarks;

/// <summary>
/// Guest MIPS: the instructions a whole run retires (counted once here by running the guest, the same count every
/// run and under both engines) over the benchmark's mean time.
/// </summary>
public sealed class GuestMipsColumn : IColumn
{
    private readonly Lazy<ulong> _instructions = new(() =>
    {
        using var machine = GuestRunBenchmarks.Build(ExecutionEngine.Jit, new NullSerial());
        machine.Run();
        return machine.InstructionsExecuted;
    });

    private sealed class NullSerial : ISerialBackend
    {
        public void Write(byte value) { }
    }

    public string Id => nameof(GuestMipsColumn);
    public string ColumnName => "Guest MIPS";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => "Guest instructions retired per run / mean run time, in millions per second";
    public bool IsAvailable(Summary summary) => true;
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        double? meanNs = summary[benchmarkCase]?.ResultStatistics?.Mean;
        return meanNs is > 0 ? (_instructions.Value / meanNs.Value * 1000).ToString("F1") : "-";
    }

    public override string ToString() => ColumnName;
}

/// <summary>The default configuration with the guest MIPS column.</summary>
public sealed class GuestMipsConfig : ManualConfig
{
    public GuestMipsConfig() => AddColumn(new GuestMipsColumn());
}
