using System.Text;
using System.Text.RegularExpressions;
using ArmVirt.Cpu;
using ArmVirt.Machine;

namespace ArmVirt.Guests.Tests;

/// <summary>
/// The MMU guests (tests/guests/mmu_s1.c, mmu_s2.c) are compared byte for byte with QEMU by <see cref="GuestTests"/>.
/// These tests pin the lines that matter to the values the Arm ARM gives, so that re-recording the expected output
/// from a QEMU that got one of them wrong cannot go unnoticed.
/// </summary>
[TestClass]
public sealed class MmuGuestTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public void Stage1FaultSyndromesFollowTheArmArm()
    {
        string text = Run("mmu_s1");
        // ID_AA64MMFR0_EL1 of the Cortex-A57: 4K and 64K granules, no 16K granule (TGran16 = 0b0000).
        Contains(text, "4 KiB granule supported, 64 KiB granule supported, 16 KiB granule absent");
        // ESR_ELx.ISS.DFSC (D13.2.39): 0b0001LL translation, 0b0010LL access flag, 0b0011LL permission, LL = level.
        Contains(text, "EL1: data abort from EL1: EC=0x25 DFSC=0x7 (translation, level 3) WnR=0 FAR=0x40400000");
        Contains(text, "EL1: data abort from EL1: EC=0x25 DFSC=0xb (access flag, level 3) WnR=0 FAR=0x40401008");
        Contains(text, "EL1: data abort from EL1: EC=0x25 DFSC=0xf (permission, level 3) WnR=1 FAR=0x40402010");
        Contains(text, "EL1: data abort from EL0: EC=0x24 DFSC=0xf (permission, level 3) WnR=0 FAR=0x40403000");
        Contains(text, "EL1: SVC from EL0 (EC=0x15), EL0 loaded 0x4444");
        // PXN: an instruction abort taken from the current EL (EC 0x21), IFSC permission level 3, FAR = the PC.
        Matches(text, @"EL1: instruction abort from EL1: EC=0x21 IFSC=0xf \(permission, level 3\) FAR=0x(?<pc>[0-9a-f]+) ELR=0x\k<pc>\n  fix: cleared PXN\n  returned 0x99\n");
        // AArch64.VAIsOutOfRange: a VA beyond T0SZ is a level 0 translation fault, whatever the start level.
        Contains(text, "EL1: data abort from EL1: EC=0x25 DFSC=0x4 (translation, level 0) WnR=0 FAR=0x8000000000");
        // Hierarchical APTable[1]: read-only below the table descriptor, reported at the final level.
        Contains(text, "EL1: data abort from EL1: EC=0x25 DFSC=0xf (permission, level 3) WnR=1 FAR=0xffffff80c0404000");
        // nG entries are tagged by ASID: switching TTBR0.ASID needs no TLB maintenance.
        Contains(text, "ASID 1 reads 0x5555\nASID 2 reads 0x6666\n");
        Contains(text, "ASID 1 again reads 0x5555\n");
        Contains(text, "TBI0=1: tagged load reads 0x5555");
        // PAR_EL1 (D13.2.94): bit 11 RES1, NS bit 9 (Non-secure), SH 0b11, ATTR from MAIR attr 1 = 0xff.
        Contains(text, "AT s1e1r 0x40404123: PAR=0xff00000040404b80");
        Contains(text, "AT s1e1w 0x40405000: PAR=0x81f (F=1 FST=0xf permission level 3");
        Contains(text, "AT s1e1r 0x40401000: PAR=0x817 (F=1 FST=0xb access flag level 3");
        Contains(text, "AT s1e1r 0x80000000: PAR=0x80b (F=1 FST=0x5 translation level 1");
        // 64 KiB granule: the PA keeps VA[15:12]; a 512 MiB level 2 block.
        Contains(text, "AT s1e1r 0x4040f123: PAR=0xff0000004040fb80");
        Contains(text, "AT s1e1r 0x61234567: PAR=0xff00000061234b80");
        Contains(text, "fix: mapped the 64 KiB page 0x40800000\n  value 0x6464");
        Contains(text, "AT s1e1r 0x80000000: PAR=0x80d (F=1 FST=0x6 translation level 2");
        Contains(text, "mmu_s1 done");
    }

    [TestMethod]
    public void Stage2FaultSyndromesFollowTheArmArm()
    {
        string text = Run("mmu_s2");
        // EL2's own stage 1 (TTBR0_EL2): AT S1E2R/W and a level 1 translation fault taken to EL2 itself (EC 0x25).
        Contains(text, "AT s1e2r 0x40404123: PAR=0xff00000040404b80");
        Contains(text, "AT s1e2r 0x80000000: PAR=0x80b (F=1 FST=0x5 PTW=0 S=0)");
        Contains(text, "EL2: data abort from EL2: EC=0x25 DFSC=0x5 WnR=0 FAR_EL2=0x80000010, skipping the load");
        // ESR_EL2 ISS for a stage 2 data abort on LDR X1 (D13.2.39): ISV=1, SAS=0b11, SRT=1; HPFAR_EL2.FIPA = IPA[47:12].
        Matches(text, @"EL2: stage-2 data abort: EC=0x24 ISV=1 SAS=3 SRT=1 WnR=0 S1PTW=0 xFSC=0x7 HPFAR_EL2=0x(?<p>[0-9a-f]+)0 \(IPA 0x\k<p>000\) FAR_EL2=0x\k<p>000\n");
        Contains(text, "EL2: emulated UART read (ISV=1 SAS=2 SRT=7 WnR=0) offset 0x18: 0x90");
        Contains(text, "EL2: emulated UART write (ISV=1 SAS=2 SRT=5 WnR=1) offset 0x0 value 0x68: 'h'");
        Contains(text, "EL2: emulated UART write (ISV=1 SAS=0 SRT=6 WnR=1) offset 0x0 value 0x69: 'i'");
        Contains(text, "EL2: emulated UART write (ISV=1 SAS=1 SRT=9 WnR=1) offset 0x0 value 0xa");
        Contains(text, "EL1: UART FR as emulated by EL2: 0x90");
        // A stage 2 fault on a stage 1 table walk: S1PTW=1 and no instruction syndrome (ISV=0).
        Matches(text, @"EL2: stage-2 data abort: EC=0x24 ISV=0 SAS=0 SRT=0 WnR=0 S1PTW=1 xFSC=0x7 HPFAR_EL2=0x[0-9a-f]+ \(IPA 0x[0-9a-f]+\) FAR_EL2=0x40404000\n");
        Contains(text, "EL1:   loaded 0x4444");
        // S2AP read-only: a stage 2 permission fault at level 3, WnR=1.
        Matches(text, @"EL2: stage-2 data abort: EC=0x24 ISV=1 SAS=3 SRT=\d+ WnR=1 S1PTW=0 xFSC=0xf ");
        Contains(text, "EL2: stage-2 instruction abort: EC=0x20 ISV=0 SAS=0 SRT=0 WnR=0 S1PTW=0 xFSC=0xf");
        Contains(text, "EL1:   returned 0x77");
        // AT S12E1R: a stage 2 fault reports PAR.S=1, and PTW=1 when it happened on the stage 1 walk; also for AT S1E1R.
        Contains(text, "AT s12e1r 0x40600000: PAR=0xa0d (F=1 FST=0x6 PTW=0 S=1)");
        Contains(text, "AT s12e1r 0x40800010: PAR=0xb0f (F=1 FST=0x7 PTW=1 S=1)");
        Contains(text, "AT s1e1r 0x40800010: PAR=0xb0f (F=1 FST=0x7 PTW=1 S=1)");
        Contains(text, "AT s1e1r 0x40600000: PAR=0xff00000040600b80");
        // Stage 2 Device-nGnRnE overrides stage 1 Normal in the combined attributes (S2CombineS1MemAttrs).
        Matches(text, @"stage 1 on\n(.*\n)*EL2:   AT s12e1r 0x(?<p>[0-9a-f]+)008: PAR=0x\k<p>a00 \(PA=0x\k<p>000 ATTR=0x0 Device");
        // 64 KiB stage 2 granule: HPFAR_EL2 still holds IPA[47:12].
        Contains(text, "xFSC=0x7 HPFAR_EL2=0x404040 (IPA 0x40404000) FAR_EL2=0x40404008");
        Contains(text, "EL1: load from 0x40404008 (left out of the 64 KiB stage 2): 0x4848");
        Contains(text, "AT s12e1r 0x9000000: PAR=0xa0d (F=1 FST=0x6 PTW=0 S=1)");
        // Stage 2 TLB entries are tagged by VMID: switching VTTBR_EL2.VMID needs no TLB maintenance.
        Contains(text, "EL1: VMID 2: load from 0x40404000: 0x2244");
        Contains(text, "EL1: VMID 1: load from 0x40404000: 0x4444");
        Contains(text, "EL1: VMID 2 again: load from 0x40404000: 0x2244");
        Contains(text, "EL2: SYSTEM_OFF requested by EL1, forwarding with SMC");
    }

    /// <summary>
    /// AArch64.S2Translate checks AArch64.S2HasAlignmentFault against the stage 2 attributes: an unaligned load from
    /// memory that stage 1 makes Normal and stage 2 Device-nGnRnE is a stage 2 Alignment fault (DFSC 0b100001) taken
    /// to EL2, with the instruction syndrome (a stage 2 fault not on a stage 1 walk). QEMU 7.2 performs the access
    /// without a fault, so bin/mmu_s2_align.elf (mmu_s2.c built with STAGE2_ALIGNMENT) has no recorded QEMU output.
    /// </summary>
    [TestMethod]
    public void Stage2DeviceAttributeMakesUnalignedAccessAStage2AlignmentFault()
    {
        string text = Run(new GuestCase("mmu_s2_align", "mmu_s2_align.elf", 2, false, StopReason.PowerOff, 0));
        Matches(text, @"EL1: unaligned load from the stage-2 Device page \(stage 1 Normal\)\n" +
                      @"EL2: stage-2 data abort: EC=0x24 ISV=1 SAS=3 SRT=\d+ WnR=0 S1PTW=0 xFSC=0x21 HPFAR_EL2=0x(?<p>[0-9a-f]+)0 \(IPA 0x\k<p>000\) FAR_EL2=0x\k<p>004\n" +
                      @"EL2:   mapped IPA 0x\k<p>000, retrying\n" +
                      @"EL1:   loaded 0xb0a090807060504\n");
    }

    private static void Matches(string text, string pattern) =>
        Assert.IsTrue(Regex.IsMatch(text, pattern), $"no match in the guest output for /{pattern}/\n--- output:\n{text}");

    private static void Contains(string text, string expected) =>
        Assert.Contains(expected, text, $"missing from the guest output: \"{expected}\"\n--- output:\n{text}");

    private string Run(string name) => Run(GuestCase.Named(name));

    private string Run(GuestCase guest)
    {
        string name = guest.Name;
        using var serial = new MemoryStream();
        using var machine = new MachineBuilder()
            .WithMemory(128UL << 20)
            .WithCpu("cortex-a57")
            .WithHighestEl(guest.HighestEl)
            .WithKernel(guest.ElfPath)
            .WithSerial(serial)
            .Build();
        MachineExit exit = machine.Run(GuestCase.DefaultMaxInstructions);
        TestContext.WriteLine($"{name}: {exit.Reason} after {machine.Cpu.State.Instructions} instructions");
        Assert.AreEqual(StopReason.PowerOff, exit.Reason, $"{name}: {exit.Message}");
        return Encoding.ASCII.GetString(serial.ToArray());
    }
}
