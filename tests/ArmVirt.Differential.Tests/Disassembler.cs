using System.Diagnostics;

namespace ArmVirt.Differential.Tests;

/// <summary>Disassembles instruction words with aarch64-linux-gnu-objdump for failure reports, when it is installed.</summary>
internal static class Disassembler
{
    private const string Objdump = "aarch64-linux-gnu-objdump";

    public static string? TryDisassemble(uint[] words, ulong address)
    {
        string? tool = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Where(d => d.Length > 0).Select(d => Path.Combine(d, Objdump)).FirstOrDefault(File.Exists);
        if (tool == null || words.Length == 0) return null;
        string path = Path.GetTempFileName();
        try
        {
            var bytes = new byte[words.Length * 4];
            Buffer.BlockCopy(words, 0, bytes, 0, bytes.Length);
            File.WriteAllBytes(path, bytes);
            var psi = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { "-b", "binary", "-m", "aarch64", "-D", $"--adjust-vma=0x{address:x}", path }) psi.ArgumentList.Add(a);
            using var p = Process.Start(psi);
            if (p == null) return null;
            string output = p.StandardOutput.ReadToEnd();
            p.WaitForExit(10_000);
            var lines = output.Split('\n').Where(l => l.Length > 0 && char.IsWhiteSpace(l[0]) && l.Contains(':')).Select(l => "      " + l.Trim());
            return string.Join('\n', lines);
        }
        catch (Exception e) when (e is IOException or System.ComponentModel.Win32Exception)
        {
            return null;
        }
        finally
        {
            File.Delete(path);
        }
    }
}
