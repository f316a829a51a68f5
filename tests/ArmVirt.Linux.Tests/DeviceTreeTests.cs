namespace ArmVirt.Linux.Tests;

/// <summary>
/// The device tree armvirt generates for the Linux boot must describe what Linux probes in it exactly as QEMU's
/// virt machine does (DESIGN.md: same memory map, so one guest runs on both). Every difference is listed at once,
/// so a failing run is the to-do list. Under the LinuxBoot category: off unless ARMVIRT_LINUX_BOOT=1.
/// </summary>
[TestClass]
[TestCategory("LinuxBoot")]
public sealed class DeviceTreeTests
{
    /// <summary>How a property is compared.</summary>
    public enum Compare
    {
        /// <summary>Same bytes.</summary>
        Exact,
        /// <summary>Both present or both absent (empty properties such as interrupt-controller).</summary>
        Presence,
        /// <summary>A phandle: the nodes it points at have the same first compatible string.</summary>
        PhandleTarget,
    }

    /// <summary>A node found by its path ("/chosen") or by a compatible string, and the property to compare.</summary>
    public sealed record Check(string Node, string Property, Compare How = Compare.Exact);

    /// <summary>What Debian's 6.1 kernel reads from the tree on this boot.</summary>
    public static readonly Check[] Checks =
    [
        new("/", "#address-cells"), new("/", "#size-cells"), new("/", "interrupt-parent", Compare.PhandleTarget),
        new("/cpus", "#address-cells"), new("/cpus", "#size-cells"),
        // Not enable-method: QEMU writes it only with -smp 2 or more, DESIGN.md always (Linux needs it for secondaries only).
        new("arm,cortex-a57", "reg"), new("arm,cortex-a57", "device_type"),
        new("/memory@40000000", "reg"), new("/memory@40000000", "device_type"),
        new("arm,psci-0.2", "compatible"), new("arm,psci-0.2", "method"),
        new("arm,cortex-a15-gic", "reg"), new("arm,cortex-a15-gic", "interrupts"),
        new("arm,cortex-a15-gic", "#interrupt-cells"), new("arm,cortex-a15-gic", "interrupt-controller", Compare.Presence),
        new("arm,armv8-timer", "compatible"), new("arm,armv8-timer", "interrupts"),
        new("arm,armv8-timer", "always-on", Compare.Presence),
        new("arm,armv8-pmuv3", "compatible"), new("arm,armv8-pmuv3", "interrupts"),
        new("arm,pl011", "reg"), new("arm,pl011", "interrupts"), new("arm,pl011", "compatible"),
        new("arm,pl011", "clocks", Compare.PhandleTarget),
        new("arm,pl031", "reg"), new("arm,pl031", "interrupts"), new("arm,pl031", "compatible"),
        new("/chosen", "bootargs"), new("/chosen", "stdout-path"),
    ];

    /// <summary>
    /// The same with <c>--gic-version 3</c> against QEMU's <c>gic-version=3,its=off</c>: the <c>arm,gic-v3</c> node
    /// (distributor + one redistributor region, maintenance PPI at EL2) and PPI specifiers without a CPU mask.
    /// </summary>
    public static readonly Check[] Gicv3Checks =
    [
        .. Checks.Where(c => c.Node != "arm,cortex-a15-gic"),
        new("arm,gic-v3", "reg"), new("arm,gic-v3", "interrupts"), new("arm,gic-v3", "#redistributor-regions"),
        new("arm,gic-v3", "#interrupt-cells"), new("arm,gic-v3", "interrupt-controller", Compare.Presence),
        new("arm,gic-v3", "#address-cells"), new("arm,gic-v3", "#size-cells"), new("arm,gic-v3", "ranges", Compare.Presence),
    ];

    [TestMethod]
    [DataRow(1)]
    [DataRow(2)]
    public void DescribesWhatLinuxProbesAsQemuDoes(int el) => CompareWithQemu(el, 2, Checks);

    [TestMethod]
    [DataRow(1)]
    [DataRow(2)]
    public void DescribesWhatLinuxProbesAsQemuDoesWithGicv3(int el) => CompareWithQemu(el, 3, Gicv3Checks);

    /// <summary>
    /// With four CPUs (<c>--smp 4</c>, QEMU's <c>-smp 4</c>): every <c>cpu@n</c> node as QEMU writes it (reg = Aff0,
    /// enable-method psci), and the timer's PPI specifiers masked for four CPUs (GICv2) or unmasked (GICv3).
    /// </summary>
    [TestMethod]
    [DataRow(2)]
    [DataRow(3)]
    public void DescribesFourCpusAsQemuDoes(int gicVersion) =>
        CompareWithQemu(2, gicVersion, [
            .. gicVersion == 3 ? Gicv3Checks : Checks,
            .. Enumerable.Range(0, 4).SelectMany(n => new Check[]
            {
                new($"/cpus/cpu@{n}", "reg"), new($"/cpus/cpu@{n}", "enable-method"), new($"/cpus/cpu@{n}", "compatible"),
                new($"/cpus/cpu@{n}", "device_type"),
            }),
        ], cpus: 4);

    private static void CompareWithQemu(int el, int gicVersion, Check[] checks, int cpus = 1)
    {
        if (!LinuxBootEnvironment.ArmVirtBootEnabled)
        {
            Assert.Inconclusive("ArmVirt Linux boots are off: set ARMVIRT_LINUX_BOOT=1 to run them.");
        }
        FdtNode qemu = LinuxBootEnvironment.QemuDeviceTree(el, gicVersion, cpus);
        FdtNode armvirt = LinuxBootEnvironment.ArmVirtDeviceTree(el, gicVersion, cpus);
        var differences = new List<string>();
        foreach (Check check in checks)
        {
            FdtNode? q = Find(qemu, check.Node), a = Find(armvirt, check.Node);
            if (q is null)
            {
                differences.Add($"{check.Node}: not in QEMU's tree either (the check is wrong for this QEMU)");
                continue;
            }
            if (a is null)
            {
                string missing = $"{check.Node}: no such node (QEMU: {q.Path})";
                if (!differences.Contains(missing)) differences.Add(missing);
                continue;
            }
            string qv = Show(qemu, q, check), av = Show(armvirt, a, check);
            if (qv != av) differences.Add($"{a.Path} {check.Property}: QEMU {qv}, ArmVirt {av}");
        }
        // The initrd: same size, inside RAM (its placement is the loader's choice).
        ulong? qSize = InitrdSize(qemu), aSize = InitrdSize(armvirt);
        if (qSize != aSize) differences.Add($"/chosen linux,initrd-end - linux,initrd-start: QEMU {qSize}, ArmVirt {aSize}");
        Assert.IsEmpty(differences, $"EL{el} GICv{gicVersion} device tree differs from QEMU's:\n" + string.Join('\n', differences));
    }

    private static FdtNode? Find(FdtNode root, string node) =>
        node.StartsWith('/')
            ? root.DescendantsAndSelf().FirstOrDefault(n => n.Path == node)
            : root.DescendantsAndSelf().FirstOrDefault(n => n.Strings("compatible").Contains(node));

    private static string Show(FdtNode root, FdtNode node, Check check)
    {
        if (!node.Properties.TryGetValue(check.Property, out byte[]? value)) return "(absent)";
        switch (check.How)
        {
            case Compare.Presence:
                return "(present)";
            case Compare.PhandleTarget:
                uint[] cells = node.Cells(check.Property)!;
                return string.Join(", ", cells.Select(phandle =>
                    root.DescendantsAndSelf().FirstOrDefault(n => n.Cells("phandle") is [var p] && p == phandle) is { } target
                        ? $"-> {target.Strings("compatible").FirstOrDefault() ?? target.Path}"
                        : $"-> dangling phandle 0x{phandle:x}"));
            default:
                bool text = value.Length > 0 && value[^1] == 0 && value[..^1].All(b => b == 0 || (b >= 0x20 && b < 0x7F));
                return text
                    ? "\"" + string.Join("\", \"", node.Strings(check.Property)) + "\""
                    : "<" + string.Join(' ', (node.Cells(check.Property) ?? []).Select(c => $"0x{c:x}")) + ">";
        }
    }

    private static ulong? InitrdSize(FdtNode root)
    {
        FdtNode? chosen = Find(root, "/chosen");
        ulong? Address(string name) => chosen?.Cells(name) switch
        {
            [var lo] => lo,
            [var hi, var lo] => ((ulong)hi << 32) | lo,
            _ => null,
        };
        return Address("linux,initrd-end") - Address("linux,initrd-start");
    }
}
