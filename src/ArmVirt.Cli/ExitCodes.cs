namespace ArmVirt.Cli;

/// <summary>The runner's process exit codes.</summary>
internal static class ExitCodes
{
    /// <summary>PSCI SYSTEM_OFF (or --help, --dump-dtb).</summary>
    public const int PowerOff = 0;
    /// <summary>The guest halted with nothing that could ever wake it.</summary>
    public const int Halted = 1;
    /// <summary>A bad option or machine configuration.</summary>
    public const int UsageError = 2;
    /// <summary>--max-insns reached (the code timeout(1) uses).</summary>
    public const int InstructionLimit = 124;
    /// <summary>An internal error (EX_SOFTWARE) or a condition the emulator does not model.</summary>
    public const int InternalError = 70;
    /// <summary>Stopped by Ctrl-C (128 + SIGINT).</summary>
    public const int Interrupted = 130;
}
