using System.Text.RegularExpressions;

namespace ArmVirt.Linux.Tests;

/// <summary>A console line that may differ between QEMU and ArmVirt, and why.</summary>
/// <param name="Pattern">Matches the line (after <see cref="ConsoleComparison.Normalize"/>).</param>
/// <param name="Reason">Why the line differs: a device or behaviour one emulator has and the other does not, or a value
/// that depends on time.</param>
/// <param name="Unordered">The line is in both consoles but its place depends on timing (an asynchronous initcall): it is
/// compared as present in both, not in sequence.</param>
public sealed record ConsoleException(Regex Pattern, string Reason, bool Unordered = false);

/// <summary>
/// Compares two boots' consoles line by line apart from the kernel's timestamps and a listed set of justified
/// exceptions (<see cref="ConsoleException"/>): what remains must be the same lines in the same order.
/// </summary>
public static class ConsoleComparison
{
    private static readonly Regex Timestamp = new(@"^\[ *\d+\.\d+\] ", RegexOptions.Compiled);

    /// <summary>The console's lines without the kernel's timestamps, carriage returns and ArmVirt's --stats lines.</summary>
    public static string[] Normalize(string output) =>
        [.. output.Replace("\r", "").Split('\n').Select(l => Timestamp.Replace(l, "")).Where(l => l.Length > 0 && !l.StartsWith("armvirt: ", StringComparison.Ordinal))];

    /// <summary>
    /// The differences between <paramref name="qemu"/> and <paramref name="armvirt"/> (empty when the consoles agree):
    /// lines matching an exception are dropped from the ordered comparison, an unordered exception's lines must still
    /// appear as often in both.
    /// </summary>
    public static List<string> Differences(string qemu, string armvirt, IReadOnlyList<ConsoleException> exceptions)
    {
        string[] q = Normalize(qemu), a = Normalize(armvirt);
        var differences = new List<string>();
        foreach (var e in exceptions.Where(e => e.Unordered))
        {
            int inQemu = q.Count(e.Pattern.IsMatch), inArmVirt = a.Count(e.Pattern.IsMatch);
            if (inQemu != inArmVirt) differences.Add($"'{e.Pattern}': {inQemu} line(s) on QEMU, {inArmVirt} on ArmVirt");
        }
        string[] qs = [.. q.Where(l => !exceptions.Any(e => e.Pattern.IsMatch(l)))];
        string[] avs = [.. a.Where(l => !exceptions.Any(e => e.Pattern.IsMatch(l)))];
        int i = 0, j = 0;
        while (i < qs.Length || j < avs.Length)
        {
            if (i < qs.Length && j < avs.Length && qs[i] == avs[j]) { i++; j++; continue; }
            // Resynchronise on the next line both have (a small window: the consoles are long and mostly equal).
            int di = -1, dj = -1;
            for (int k = 0; k < 40 && di < 0; k++)
                for (int m = 0; m <= k && di < 0; m++)
                    if (i + m < qs.Length && j + k - m < avs.Length && qs[i + m] == avs[j + k - m]) { di = m; dj = k - m; }
            if (di < 0) { di = qs.Length - i; dj = avs.Length - j; }
            for (int m = 0; m < di; m++) differences.Add("QEMU only:    " + qs[i + m]);
            for (int m = 0; m < dj; m++) differences.Add("ArmVirt only: " + avs[j + m]);
            i += di;
            j += dj;
        }
        return differences;
    }

    /// <summary>Fails with the differences and the exceptions' reasons unless the consoles agree.</summary>
    public static void AssertSame(BootRun qemu, BootRun armvirt, IReadOnlyList<ConsoleException> exceptions)
    {
        var differences = Differences(qemu.Output, armvirt.Output, exceptions);
        Assert.IsEmpty(differences, "the consoles differ beyond the listed exceptions:\n" + string.Join('\n', differences)
            + "\n(exceptions: " + string.Join("; ", exceptions.Select(e => $"{e.Pattern}: {e.Reason}")) + ")\n" + armvirt.Describe());
    }
}
