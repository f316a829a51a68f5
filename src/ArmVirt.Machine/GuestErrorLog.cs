using Microsoft.Extensions.Logging;

namespace ArmVirt.Machine;

/// <summary>The log messages of the machine (<see cref="MachineBuilder.WithLogger"/>), defined once (LoggerMessage).</summary>
internal static partial class GuestErrorLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "guest: {Message}")]
    public static partial void Warning(ILogger logger, string message);
}
