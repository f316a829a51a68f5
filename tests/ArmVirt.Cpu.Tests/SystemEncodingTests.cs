using ArmVirt.Cpu.A64;
using ArmVirt.Cpu.SystemRegisters;

namespace ArmVirt.Cpu.Tests;

/// <summary>Walks the whole system instruction space and every declared register.</summary>
[TestClass]
public sealed class SystemEncodingTests
{
    [TestMethod]
    public void PstateHintAndBarrierSpaceDecodesOnlyAllocatedEncodings()
    {
        // op0 = 00, L = 0: 0xD500_0000 | op1 << 16 | CRn << 12 | CRm << 8 | op2 << 5 | Rt.
        var allocated = new HashSet<string> { "MSR SPSel, #imm", "MSR DAIFSet, #imm", "MSR DAIFClr, #imm", "MSR PAN, #imm",
            "HINT", "YIELD", "WFE", "WFI", "SEV", "SEVL", "CLREX", "DSB", "DMB", "ISB" };
        for (uint word = 0xD500_0000; word < 0xD508_0000; word++)
        {
            var e = A64Decoder.Instance.Decode(word);
            uint op1 = (word >> 16) & 7, crn = (word >> 12) & 15, op2 = (word >> 5) & 7, rt = word & 31;
            string expected = (op1, crn, op2, rt) switch
            {
                (0, 4, 5, 31) => "MSR SPSel, #imm",
                (3, 4, 6, 31) => "MSR DAIFSet, #imm",
                (3, 4, 7, 31) => "MSR DAIFClr, #imm",
                (0, 4, 4, 31) => "MSR PAN, #imm",
                (3, 2, _, 31) => e.Name, // one of the hint rows, checked below
                (3, 3, 2, 31) => "CLREX",
                (3, 3, 4, 31) => "DSB",
                (3, 3, 5, 31) => "DMB",
                (3, 3, 6, 31) => "ISB",
                _ => "UNALLOCATED",
            };
            Assert.AreEqual(expected, e.Name, $"0x{word:x8}");
            if (op1 == 3 && crn == 2 && rt == 31) Assert.IsTrue(allocated.Contains(e.Name), $"0x{word:x8}");
        }
    }

    [TestMethod]
    public void SystemAndRegisterMoveSpaceDecodes()
    {
        Assert.AreEqual("SYS", A64Decoder.Instance.Decode(0xD508_0000).Name);
        Assert.AreEqual("SYSL", A64Decoder.Instance.Decode(0xD528_0000).Name);
        Assert.AreEqual("MSR (register)", A64Decoder.Instance.Decode(0xD510_0000).Name);
        Assert.AreEqual("MRS", A64Decoder.Instance.Decode(0xD53F_FFFF).Name);
        Assert.AreEqual("UNALLOCATED", A64Decoder.Instance.Decode(0xD520_0000).Name); // L = 1, op0 = 00
        Assert.AreEqual("UNALLOCATED", A64Decoder.Instance.Decode(0xD69F_0BFF).Name); // ERETAA
        Assert.AreEqual("UNALLOCATED", A64Decoder.Instance.Decode(0xD400_0004).Name); // exception generation, LL/op2 unallocated
    }

    [TestMethod]
    [DataRow(1)]
    [DataRow(2)]
    [DataRow(3)]
    public void EveryDeclaredRegisterReadsAndWritesBackAtTheHighestEl(int highestEl)
    {
        using var s = new SysCpu(highestEl, CpuModel.Max);
        s.Cpu.Sys.Cpacr = 3UL << 20; // FPEN: FPCR/FPSR accessible at EL1
        foreach (var reg in s.Cpu.SystemRegisters.All.Where(r => (r.Key >> 14) >= 2).ToList())
        {
            s.Cpu.State.PC = SysCpu.CodeBase;
            s.Cpu.SetElAndSpSel(highestEl, 1);
            uint mrs = 0xD520_0000u | ((uint)reg.Key << 5);
            uint msr = 0xD500_0000u | ((uint)reg.Key << 5);
            ulong value = 0;
            if (reg.Read != null)
            {
                s.Exec(mrs | 3);
                Assert.AreEqual(SysCpu.CodeBase + 4, s.Cpu.State.PC, $"MRS {reg.Name} raised an exception");
                value = s.Cpu.X(3);
            }
            if (reg.Write != null && reg.Read != null && !reg.Name.StartsWith("DBGCLAIM")) // claim tags are write-1-to-set/clear
            {
                s.Cpu.SetX(4, value);
                s.Exec(msr | 4);
                Assert.AreEqual(SysCpu.CodeBase + 8, s.Cpu.State.PC, $"MSR {reg.Name} raised an exception");
                s.Exec(mrs | 5);
                Assert.AreEqual(value, s.Cpu.X(5), $"{reg.Name} did not keep its own value");
            }
        }
    }

    [TestMethod]
    public void RegisterNamesAreUnique()
    {
        using var s = new SysCpu(3, CpuModel.Max);
        var dup = s.Cpu.SystemRegisters.All.GroupBy(r => r.Name).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.AreEqual(0, dup.Count, string.Join(", ", dup));
    }
}
