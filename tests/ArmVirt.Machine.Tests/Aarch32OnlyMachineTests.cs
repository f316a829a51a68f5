using System.Buffers.Binary;
using ArmVirt.Cpu;
using static ArmVirt.Machine.Tests.TestImages;

namespace ArmVirt.Machine.Tests;

/// <summary>
/// The ARMv7-A machine (<c>--cpu cortex-a15</c> / <c>cortex-a7</c>): 32-bit Arm ELF kernels, the boot state (Supervisor
/// mode, or Hyp mode with EL2, as QEMU's virtualization=on), and the configurations it refuses with one line.
/// </summary>
[TestClass]
public sealed class Aarch32OnlyMachineTests
{
    private const uint MovR0_42 = 0xE3A0_002A, BranchToSelf = 0xEAFF_FFFE; // A32: MOV R0, #42; B .
    private const ushort MovsR0_42 = 0x202A, T16BranchToSelf = 0xE7FE;    // T32: MOVS R0, #42; B .

    /// <summary>An ELF32 little-endian Arm (EM_ARM) executable with one PT_LOAD segment at <paramref name="paddr"/>.</summary>
    internal static byte[] Elf32(uint entry, uint paddr, byte[] code)
    {
        const int phoff = 52, phsize = 32, dataOffset = phoff + phsize;
        var f = new byte[dataOffset + code.Length];
        f[0] = 0x7F; f[1] = (byte)'E'; f[2] = (byte)'L'; f[3] = (byte)'F';
        f[4] = 1; f[5] = 1; f[6] = 1; // ELFCLASS32, ELFDATA2LSB, EV_CURRENT
        BinaryPrimitives.WriteUInt16LittleEndian(f.AsSpan(16), 2); // ET_EXEC
        BinaryPrimitives.WriteUInt16LittleEndian(f.AsSpan(18), 40); // EM_ARM
        BinaryPrimitives.WriteUInt32LittleEndian(f.AsSpan(20), 1);
        BinaryPrimitives.WriteUInt32LittleEndian(f.AsSpan(24), entry);
        BinaryPrimitives.WriteUInt32LittleEndian(f.AsSpan(28), phoff);
        BinaryPrimitives.WriteUInt16LittleEndian(f.AsSpan(40), 52);
        BinaryPrimitives.WriteUInt16LittleEndian(f.AsSpan(42), phsize);
        BinaryPrimitives.WriteUInt16LittleEndian(f.AsSpan(44), 1);
        var ph = f.AsSpan(phoff);
        BinaryPrimitives.WriteUInt32LittleEndian(ph, 1); // PT_LOAD
        BinaryPrimitives.WriteUInt32LittleEndian(ph[4..], dataOffset);
        BinaryPrimitives.WriteUInt32LittleEndian(ph[8..], paddr);
        BinaryPrimitives.WriteUInt32LittleEndian(ph[12..], paddr);
        BinaryPrimitives.WriteUInt32LittleEndian(ph[16..], (uint)code.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(ph[20..], (uint)code.Length + 16); // a little BSS
        BinaryPrimitives.WriteUInt32LittleEndian(ph[24..], 5); // R X
        code.CopyTo(f, dataOffset);
        return f;
    }

    // A zImage header (magic 0x016F2818 at 0x24, end at 0x2C) after MOV R0, #42; B . in place of its NOPs.
    private static byte[] ZImage()
    {
        var image = new byte[0x40];
        BinaryPrimitives.WriteUInt32LittleEndian(image, MovR0_42);
        BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan(4), BranchToSelf);
        BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan(0x24), 0x016F_2818);
        BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan(0x2C), (uint)image.Length);
        return image;
    }

    private static byte[] Words(params uint[] words) => words.SelectMany(BitConverter.GetBytes).ToArray();
    private static byte[] Halfwords(params ushort[] halves) => halves.SelectMany(BitConverter.GetBytes).ToArray();

    [TestMethod]
    [DataRow("cortex-a15", 1, 0x13, DisplayName = "cortex-a15 boots in Supervisor mode")]
    [DataRow("cortex-a15", 2, 0x1A, DisplayName = "cortex-a15 --el 2 boots in Hyp mode")]
    [DataRow("cortex-a7", 2, 0x1A, DisplayName = "cortex-a7 --el 2 boots in Hyp mode")]
    [DataRow("cortex-a15", 3, 0x13, DisplayName = "cortex-a15 --el 3 boots in Secure Supervisor mode (EL3)")]
    public void A32ElfBootsInTheHighestElsMode(string cpu, int el, int mode)
    {
        using var m = new MachineBuilder().WithCpu(cpu).WithHighestEl(el)
            .WithKernel(Elf32(0x4008_0000, 0x4008_0000, Words(MovR0_42, BranchToSelf)), "a32.elf").Build();
        var c = m.Cpu;
        Assert.IsTrue(c.State.Aarch32);
        Assert.AreEqual(0x10 | mode, (int)(c.GetAarch32Spsr() & 0x1F), "CPSR.M");
        Assert.AreEqual(0x1C0u, c.State.Daif, "A, I, F masked");
        Assert.AreEqual(el, c.State.EL);
        m.Run(2);
        Assert.AreEqual(42u, c.R(0));
        Assert.AreEqual(0x4008_0004UL, c.State.PC);
    }

    [TestMethod]
    [DataRow(1, 0xE140_0070u, DisplayName = "Supervisor mode: HVC")]
    [DataRow(2, 0xE160_0070u, DisplayName = "Hyp mode: SMC")]
    public void PsciSystemOffThroughTheConduitTheDeviceTreeNames(int el, uint call)
    {
        // MOVW R0, #8; MOVT R0, #0x8400 (SYSTEM_OFF, 0x84000008); HVC #0 or SMC #0; B .
        using var m = new MachineBuilder().WithCpu("cortex-a15").WithHighestEl(el)
            .WithKernel(Elf32(0x4008_0000, 0x4008_0000, Words(0xE300_0008, 0xE348_0400, call, BranchToSelf)), "off.elf").Build();
        Assert.AreEqual(StopReason.PowerOff, m.Run(100).Reason);
    }

    [TestMethod]
    public void AnEntryPointWithBit0SetStartsInT32()
    {
        using var m = new MachineBuilder().WithCpu("cortex-a15")
            .WithKernel(Elf32(0x4008_0001, 0x4008_0000, Halfwords(MovsR0_42, T16BranchToSelf)), "t32.elf").Build();
        Assert.IsTrue(m.Cpu.State.Thumb);
        m.Run(2);
        Assert.AreEqual(42u, m.Cpu.R(0));
        Assert.AreEqual(0x4008_0002UL, m.Cpu.State.PC);
    }

    [TestMethod]
    public void ZImageIsEnteredWithTheArmLinuxBootProtocol()
    {
        // A zImage header (magic 0x016F2818 at 0x24, start/end at 0x28/0x2C) after a MOV R0, #42; B . in place of its
        // NOPs: the image is copied to RAM base + 0x10000 and entered there in Hyp mode with r0 = 0, r1 = ~0, r2 = DTB.
        var image = ZImage();
        using var m = new MachineBuilder().WithCpu("cortex-a15").WithHighestEl(2).WithMemory(256UL << 20).WithKernel(image, "zImage").Build();
        var c = m.Cpu;
        Assert.AreEqual(0x4001_0000UL, c.State.PC);
        Assert.AreEqual(0x1A, (int)(c.GetAarch32Spsr() & 0xF) | 0x10);
        Assert.AreEqual(0u, c.R(0));
        Assert.AreEqual(0xFFFF_FFFFu, c.R(1));
        // QEMU's placement: the DTB at RAM base + min(RAM / 2, 128 MiB) (no initrd), 4 KiB aligned.
        Assert.AreEqual(0x4800_0000u, c.R(2));
        Assert.AreEqual(0xD00D_FEEDu, BinaryPrimitives.ReadUInt32BigEndian(ReadRam(m, 0x4800_0000, 4)), "the FDT magic");
        m.Run(2);
        Assert.AreEqual(42u, c.R(0));
    }

    [TestMethod]
    public void TheDeviceTreeIsQemusFor32BitVirt()
    {
        // As qemu-system-arm -M virt,virtualization=on -cpu cortex-a15 (dumpdtb) describes it: the CPU, the ARMv7 timer,
        // the SMC32 PSCI function IDs (SMC conduit when booting in Hyp mode), no PMU, the GIC with GICH/GICV.
        using var m = new MachineBuilder().WithCpu("cortex-a15").WithHighestEl(2)
            .WithKernel(Elf32(0x4008_0000, 0x4008_0000, Words(MovR0_42, BranchToSelf)), "a32.elf").Build();
        var root = ArmVirt.Machine.DeviceTree.FdtReader.Read(m.Dtb);
        Assert.AreEqual("arm,cortex-a15", root.Find("/cpus/cpu@0")!.Property("compatible")!.AsString());
        CollectionAssert.AreEqual(new[] { "arm,armv7-timer" }, root.Find("/timer")!.Property("compatible")!.AsStrings());
        var psci = root.Find("/psci")!;
        Assert.AreEqual("smc", psci.Property("method")!.AsString());
        Assert.AreEqual(0x8400_0003u, psci.Property("cpu_on")!.AsCells()[0]);
        Assert.AreEqual(0x8400_0001u, psci.Property("cpu_suspend")!.AsCells()[0]);
        Assert.AreEqual(0x8400_0005u, psci.Property("migrate")!.AsCells()[0]);
        Assert.IsNull(root.Find("/pmu"), "no PMU on the ARMv7 models");
        Assert.AreEqual("arm,cortex-a15-gic", root.Find("/intc@8000000")!.Property("compatible")!.AsString());
        Assert.AreEqual(4 * 4, root.Find("/intc@8000000")!.Property("reg")!.AsCells().Length, "GICD, GICC, GICH, GICV: 2 + 2 cells each");
    }

    [TestMethod]
    public void MismatchedImagesAndConfigurationsAreRejectedInOneLine()
    {
        var a64 = Elf(0x4008_0000, [new(0x4008_0000, 0x4008_0000, Pattern(16, 1), 16)]);
        var a32 = Elf32(0x4008_0000, 0x4008_0000, Words(MovR0_42, BranchToSelf));
        StringAssert.Contains(Fails(b => b.WithCpu("cortex-a15").WithKernel(a64, "a64.elf")),
            "kernel 'a64.elf': an AArch64 ELF cannot run on an AArch32-only CPU");
        StringAssert.Contains(Fails(b => b.WithKernel(a32, "a32.elf")), "kernel 'a32.elf': a 32-bit Arm ELF needs an AArch32-only CPU (--cpu cortex-a15 or cortex-a7)");
        StringAssert.Contains(Fails(b => b.WithCpu("cortex-a15").WithKernel(LinuxImage(0x80000, 0x1000, Pattern(64, 1)), "Image")),
            "kernel 'Image': an arm64 Image cannot run on the AArch32-only cortex-a15");
        StringAssert.StartsWith(Fails(b => b.WithCpu("cortex-a7").WithHighestEl(3).WithCpus(2).WithKernel(a32, "a32.elf")),
            "cpu 'cortex-a7' with --el 3: more than one CPU is not implemented");
        StringAssert.StartsWith(Fails(b => b.WithCpu("cortex-a15").WithGicVersion(3).WithKernel(a32, "a32.elf")),
            "cpu 'cortex-a15': GICv3 (its CP15 CPU interface) is not implemented");
    }

    [TestMethod]
    public void El3IsQemusSecureOn()
    {
        // qemu-system-arm -M virt,secure=on,virtualization=on -cpu cortex-a15 (7.2, dumpdtb): no PSCI (an SMC reaches
        // Monitor mode), no enable-method, the Secure RAM at 0x0e000000 for Secure software only; ELF boot in Secure state.
        var elf = Elf32(0x4008_0000, 0x4008_0000, Words(0xE300_0008, 0xE348_0400, 0xE160_0070, BranchToSelf)); // SYSTEM_OFF by SMC
        using var m = new MachineBuilder().WithCpu("cortex-a15").WithHighestEl(3).WithKernel(elf, "smc.elf").Build();
        var root = ArmVirt.Machine.DeviceTree.FdtReader.Read(m.Dtb);
        Assert.IsNull(root.Find("/psci"));
        Assert.IsNull(root.Find("/cpus/cpu@0")!.Property("enable-method"));
        var secram = root.Find("/secram@e000000")!;
        Assert.AreEqual("disabled", secram.Property("status")!.AsString());
        Assert.AreEqual("okay", secram.Property("secure-status")!.AsString());
        Assert.AreEqual(0u, (uint)m.Cpu.Sys.Scr, "SCR.NS = 0: Secure state");
        // The SMC is not PSCI's: Monitor mode at MVBAR (0) + 0x08, LR_mon after the SMC.
        Assert.AreEqual(StopReason.InstructionLimit, m.Run(3).Reason);
        Assert.AreEqual(0x16u, m.Cpu.GetAarch32Spsr() & 0x1F, "Monitor mode");
        Assert.AreEqual(0x08UL, m.Cpu.State.PC);
        Assert.AreEqual(0x4008_000Cu, m.Cpu.R(14));
        new byte[] { 1, 2, 3, 4 }.CopyTo(m.Bus.FindRam(VirtMemoryMap.SecureRamBase, 4)!.AsSpan(VirtMemoryMap.SecureRamBase, 4));
        CollectionAssert.AreEqual(new byte[] { 1, 2, 3, 4 }, ReadRam(m, VirtMemoryMap.SecureRamBase, 4), "Secure RAM is RAM");
    }

    [TestMethod]
    public void El3BootsALinuxImageInNonSecureHypMode()
    {
        // QEMU's do_cpu_reset for a Linux image: SCR.NS and NSACR.CP10/CP11 set, then Hyp mode (virtualization=on).
        var image = ZImage();
        using var m = new MachineBuilder().WithCpu("cortex-a15").WithHighestEl(3).WithMemory(256UL << 20).WithKernel(image, "zImage").Build();
        var c = m.Cpu;
        Assert.AreEqual(0x1A, (int)(c.GetAarch32Spsr() & 0xF) | 0x10, "Hyp mode");
        Assert.AreEqual(2, c.State.EL);
        Assert.AreEqual(1UL, c.Sys.Scr & 1, "SCR.NS");
        Assert.AreEqual(0xC00UL, c.Sys.Nsacr);
        m.Run(2);
        Assert.AreEqual(42u, c.R(0));
    }
}
