using Microsoft.Extensions.Logging;

namespace ArmVirt.Cli;

/// <summary>
/// The machine's log (guest mistakes without an architectural consequence, MachineBuilder.WithLogger) on stderr under
/// --verbose: one line each, "armvirt: guest: ...". Warnings and above.
/// </summary>
internal sealed class StderrLogger(TextWriter stderr) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (IsEnabled(logLevel)) stderr.WriteLine($"armvirt: {formatter(state, exception)}");
    }
}
