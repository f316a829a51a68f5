using System.Text;
using ArmVirt.Cli;

namespace ArmVirt.Cli.Tests;

/// <summary>What one in-process run of the CLI (<see cref="Program.Run"/>) wrote and returned.</summary>
internal sealed record CliRun(int Code, string Stdout, string Stderr)
{
    /// <summary>The non-empty lines of stderr.</summary>
    public string[] ErrorLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Runs the CLI with <paramref name="args"/> (and <paramref name="input"/> as stdin, or none).</summary>
    public static CliRun Of(byte[]? input, params string[] args)
    {
        var stdout = new MemoryStream();
        var stderr = new StringWriter();
        int code = Program.Run(args, stdout, stderr, input == null ? null : new MemoryStream(input));
        return new CliRun(code, Encoding.UTF8.GetString(stdout.ToArray()), stderr.ToString());
    }
}
