using ArmVirt.Tests.Shared;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace ArmVirt.Linux.Tests;

/// <summary>
/// gdb-multiarch on Debian's vmlinux (the -dbg package's ELF with DWARF, tests/linux/fetch-vmlinux.sh) against
/// <c>armvirt --gdb tcp::PORT --gdb-wait</c> booting the cached Image and initramfs with <c>nokaslr</c>: a hardware
/// breakpoint at <c>start_kernel</c> (reached with the MMU on, after the kernel has relocated itself), <c>bt</c>,
/// <c>info registers</c>, <c>x/4gx</c> and <c>x/s</c> of kernel data through the current translation, <c>next</c>, a
/// breakpoint at <c>do_one_initcall</c> and <c>finish</c>, a watchpoint on <c>system_state</c> hit twice in
/// <c>kernel_init</c>, <c>kill</c>. The same script against <c>qemu-system-aarch64 -gdb tcp::PORT -S</c> must print the same
/// stops, backtraces, memory and register values, at EL1 and at EL2 (the kernel starts at EL2, installs its hyp stub and
/// runs start_kernel at EL1). Gated with the other ArmVirt Linux boots (ARMVIRT_LINUX_BOOT=1): the fetch takes 8-27 s
/// here (an 800 MB .deb, only the 300 MB vmlinux kept), each session 10-20 s against armvirt.
/// </summary>
[TestClass]
[TestCategory("LinuxBoot")]
public sealed class GdbLinuxTests
{
    // system_state goes SYSTEM_SCHEDULING -> SYSTEM_FREEING_INITMEM -> SYSTEM_RUNNING in kernel_init, before /init runs.
    private const string Script = """
        set pagination off
        set confirm off
        target remote :PORT
        hbreak start_kernel
        continue
        bt
        info registers
        p/x $cpsr
        x/4gx &init_task
        x/s linux_banner
        next
        next
        info registers pc
        break do_one_initcall
        continue
        bt 3
        finish
        delete
        watch system_state
        continue
        bt 2
        print system_state
        continue
        print system_state
        echo ==monitor==\n
        eval "monitor translate 0x%lx", &init_task
        monitor memory physical
        eval "x/2gx 0x%lx", (unsigned long)&init_task - 0xffff800008000000 + 0x40200000
        monitor memory virtual
        x/2gx &init_task
        kill
        """;

    [TestMethod]
    [Timeout(600_000)]
    [DataRow(1)]
    [DataRow(2)]
    public void KernelSessionStopsWhereQemuStopsWithTheSameRegisters(int el)
    {
        if (!LinuxBootEnvironment.ArmVirtBootEnabled) Assert.Inconclusive("ArmVirt Linux boots are off: set ARMVIRT_LINUX_BOOT=1 to run them.");
        LinuxBootEnvironment.RequireKernelCache();
        string vmlinux = Path.Combine(LinuxBootEnvironment.CacheDirectory, "vmlinux");
        if (!File.Exists(vmlinux)) Assert.Inconclusive($"No vmlinux in {LinuxBootEnvironment.CacheDirectory}: run tests/linux/fetch-vmlinux.sh first.");
        if (!OnPath("gdb-multiarch")) Assert.Inconclusive("gdb-multiarch is not installed (.ci/run installs it)");

        int port = FreePort();
        string[] arguments = [.. LinuxBootEnvironment.GuestArguments(el), "--gdb", $"tcp::{port}", "--gdb-wait"];
        arguments[Array.IndexOf(arguments, "--append") + 1] = CommandLine;
        var armvirt = Task.Run(() => LinuxBootEnvironment.RunArmVirt(arguments, TimeSpan.FromMinutes(8)));
        WaitForListener(port, armvirt);
        string ours = RunGdb(vmlinux, port);
        BootRun run = armvirt.Result;
        Assert.AreEqual(130, run.ExitCode, "armvirt ends on gdb's kill (exit 130)\n" + run.Describe() + "\n" + ours);

        // What the session must show whatever QEMU does (addresses as patterns: the cache follows Debian's current ABI).
        Assert.IsTrue(Regex.IsMatch(ours, @"Breakpoint 1\.1, 0x(ffff8000[0-9a-f]{8}) in start_kernel \(\)\n#0  0x\1 in start_kernel \(\)\n#1  0x[0-9a-f]+ in __primary_switched \(\)"), ours);
        StringAssert.Contains(ours, "<init_task>:\t0x0000000000000008\t0x0000000000000001", ours); // thread_info.flags (TIF_NEED_RESCHED), preempt count
        StringAssert.Contains(ours, "<linux_banner>:\t\"Linux version 6.", ours);
        StringAssert.Contains(ours, "Breakpoint 2.2, do_one_initcall (fn=", ours);
        StringAssert.Contains(ours, "Old value = SYSTEM_SCHEDULING\nNew value = SYSTEM_FREEING_INITMEM\nkernel_init (unused=<optimized out>) at init/main.c:", ours);
        StringAssert.Contains(ours, "Old value = SYSTEM_FREEING_INITMEM\nNew value = SYSTEM_RUNNING", ours);
        StringAssert.Contains(ours, "CurrentEL      0x4", ours); // start_kernel runs at EL1 from either start
        // The armvirt-only part: the stub's monitor commands on the kernel's mapping (the Image at RAM + 2 MiB, linked
        // at 0xffff800008000000), and the physical view showing the same bytes.
        string monitor = ours[ours.IndexOf("==monitor==", StringComparison.Ordinal)..];
        var translated = Regex.Match(monitor, @"0x(ffff8000[0-9a-f]{8}) \(CPU#0 EL1 EL10\) -> PA 0x([0-9a-f]+)\n");
        Assert.IsTrue(translated.Success, monitor);
        ulong va = Convert.ToUInt64(translated.Groups[1].Value, 16), pa = Convert.ToUInt64(translated.Groups[2].Value, 16);
        Assert.AreEqual(va - 0xffff800008000000 + 0x40200000, pa, monitor);
        var physical = Regex.Match(monitor, $@"memory view: physical\n0x{pa:x}:\t(0x[0-9a-f]+\t0x[0-9a-f]+)\n");
        Assert.IsTrue(physical.Success, monitor);
        StringAssert.Contains(monitor, $"memory view: virtual\n0x{va:x} <init_task>:\t{physical.Groups[1].Value}\n", monitor);

        string? qemu = LinuxBootEnvironment.FindQemu();
        if (qemu == null) Assert.Inconclusive("qemu-system-aarch64 is not installed: armvirt's session checked, not compared");
        int qport = FreePort();
        var qemuRun = Task.Run(() => LinuxBootEnvironment.Run(qemu,
        [
            "-M", LinuxBootEnvironment.QemuMachine(el), "-cpu", "cortex-a57", "-smp", "1", "-m", LinuxBootEnvironment.GuestMemory,
            "-nographic", "-no-reboot", "-monitor", "none", "-kernel", LinuxBootEnvironment.KernelPath,
            "-initrd", LinuxBootEnvironment.Initramfs, "-append", CommandLine, "-gdb", $"tcp::{qport}", "-S",
        ], TimeSpan.FromMinutes(5)));
        WaitForListener(qport, qemuRun);
        string theirs = RunGdb(vmlinux, qport);
        qemuRun.Wait();
        Assert.AreEqual(Comparable(theirs), Comparable(ours));
    }

    // The boots' command line with KASLR off: the symbols' addresses are the link addresses (QEMU's device tree has a
    // kaslr-seed, ours none: with nokaslr both kernels run at the same addresses).
    private const string CommandLine = LinuxBootEnvironment.KernelCommandLine + " nokaslr";

    // The transcript up to the armvirt-only part, without what legitimately differs: the first stop (QEMU starts in its
    // boot stub at 0x40000000, armvirt at the Image's entry, 0x40200000, with the stub's registers already set), system
    // registers (QEMU's set is its own), cpsr/fpsr/fpcr (`p/x $cpsr` compares the value) and the kill message.
    private static string Comparable(string transcript)
    {
        int end = transcript.IndexOf("==monitor==", StringComparison.Ordinal);
        return string.Join("\n", (end < 0 ? transcript : transcript[..end]).Split('\n')
            .Where(l => !Regex.IsMatch(l, @"^(cpsr|fpsr|fpcr|[A-Z][A-Za-z0-9_]*)\s+0x[0-9a-f]+\s")
                && !Regex.IsMatch(l, @"^0x00000000(40000000|40200000) in \?\? \(\)$")));
    }

    private static string RunGdb(string vmlinux, int port)
    {
        string script = Path.GetTempFileName();
        File.WriteAllText(script, Script.Replace("PORT", port.ToString()) + "\n");
        try
        {
            // gdb prints monitor output and some messages on stderr: one stream, in the order gdb wrote them.
            var psi = new ProcessStartInfo("sh", ["-c", "exec gdb-multiarch -nx -batch -x \"$0\" \"$1\" 2>&1", script, vmlinux])
            {
                RedirectStandardOutput = true,
                RedirectStandardInput = true,
            };
            using var gdb = Process.Start(psi)!;
            string output = gdb.StandardOutput.ReadToEnd();
            Assert.IsTrue(gdb.WaitForExit(300_000), "gdb finished");
            return output;
        }
        finally
        {
            File.Delete(script);
        }
    }

    // The emulator listens a moment after it starts (watched in /proc/net/tcp: GdbTestHost), or ends first.
    private static void WaitForListener(int port, Task<BootRun> emulator)
    {
        if (GdbTestHost.WaitForListener(port, TimeSpan.FromMinutes(3), () => emulator.IsCompleted)) return;
        if (emulator.IsCompleted) Assert.Fail("the emulator ended before listening for gdb:\n" + emulator.Result.Describe());
        Assert.Fail($"nothing listens on port {port}");
    }

    private static int FreePort() => GdbTestHost.FreePort();

    private static bool OnPath(string tool) => GdbTestHost.OnPath(tool);
}
