using ArmVirt.Cpu.Exceptions;
using ArmVirt.Cpu.SystemRegisters;
using ArmVirt.Mmu;

namespace ArmVirt.Cpu.Tests;

/// <summary>
/// The cheap paths of issue #15 item 4 (exceptions at hypervisor rates): trapped MRS/MSR take their exception without a
/// .NET throw, MSR drops the cached translation regime only for the registers the regime reads, the register table's
/// array lookup, and GuestException formats its message only when asked.
/// </summary>
[TestClass]
public sealed class ExceptionFastPathTests
{
    // Counts GuestExceptions thrown on this thread while `action` runs (first-chance: caught ones too).
    internal static int GuestThrowsDuring(Action action)
    {
        int thread = Environment.CurrentManagedThreadId, count = 0;
        EventHandler<System.Runtime.ExceptionServices.FirstChanceExceptionEventArgs> handler = (_, e) =>
        {
            if (e.Exception is GuestException && Environment.CurrentManagedThreadId == thread) count++;
        };
        AppDomain.CurrentDomain.FirstChanceException += handler;
        try
        {
            action();
        }
        finally
        {
            AppDomain.CurrentDomain.FirstChanceException -= handler;
        }
        return count;
    }

    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void TrappedMsrAndMrsTakeTheirExceptionWithoutAThrow(bool read)
    {
        // HCR_EL2.TVM traps EL1's writes of SCTLR_EL1, TRVM its reads (KVM's guest boot).
        using var s = new SysCpu(highestEl: 2);
        s.Cpu.Sys.Hcr |= read ? HcrEl2.Trvm : HcrEl2.Tvm;
        s.Cpu.Sys.Vbar[2] = SysCpu.RamBase + 0x1000;
        s.Enter(1);
        ulong pc = s.Cpu.State.PC;
        ulong sctlr = s.Cpu.Sys.Sctlr[1];
        s.Cpu.SetX(3, 0x1234);
        uint insn = read ? Enc.Mrs(s.Cpu, "SCTLR_EL1", 3) : Enc.Msr(s.Cpu, "SCTLR_EL1", 3);
        int throws = GuestThrowsDuring(() => s.Exec(insn));
        Assert.AreEqual(0, throws, "no GuestException thrown");
        Assert.AreEqual(2, s.Cpu.State.EL);
        Assert.AreEqual(SysCpu.RamBase + 0x1000 + 0x400, s.Cpu.State.PC, "lower EL synchronous vector");
        Assert.AreEqual(pc, s.Cpu.Sys.Elr[2], "returns to the trapped instruction");
        Assert.AreEqual(Enc.Esr(0x18, Enc.Iss18(3, 0, 1, 0, 0, 3, read)), s.Cpu.Sys.Esr[2]);
        Assert.AreEqual(0x3c5UL, s.Cpu.Sys.Spsr[2], "EL1h with DAIF masked");
        Assert.AreEqual(1UL, s.Cpu.State.Instructions, "the trapped instruction counts as executed");
        Assert.AreEqual(0x1234UL, s.Cpu.X(3), "MRS wrote nothing");
        Assert.AreEqual(sctlr, s.Cpu.Sys.Sctlr[1], "MSR wrote nothing");
    }

    [TestMethod]
    public void UndefinedSystemRegisterIsStillUndefinedWithoutAThrow()
    {
        using var s = new SysCpu();
        s.Enter(0);
        int throws = GuestThrowsDuring(() => s.Exec(Enc.Msr(s.Cpu, "SCTLR_EL1", 0)));
        Assert.AreEqual(0, throws);
        Assert.AreEqual(1, s.Cpu.State.EL);
        Assert.AreEqual(Enc.Esr(0, 0), s.Cpu.Sys.Esr[1]);
    }

    [TestMethod]
    public void ResolveStillThrowsForOtherCallers()
    {
        using var s = new SysCpu();
        s.Enter(0);
        var e = Assert.ThrowsExactly<GuestException>(() => A64.SystemRegisterMove.Resolve(s.Cpu, Enc.Msr(s.Cpu, "SCTLR_EL1", 0), write: true));
        Assert.AreEqual(ExceptionClass.Unknown, e.Class);
        Assert.AreEqual(1, e.TargetEl);
    }

    // Everything the cached regime is built from, at every EL.
    private static (TranslationControl, TranslationControl, TranslationControl, TranslationControl, bool, bool) RegimeInputs(Cpu cpu) =>
        (cpu.TranslationControlFor(0), cpu.TranslationControlFor(1), cpu.TranslationControlFor(2), cpu.TranslationControlFor(3),
         cpu.TranslationEnabled, cpu.IsEl2Enabled);

    [TestMethod]
    [DataRow(1)]
    [DataRow(2)]
    [DataRow(3)]
    public void OnlyRegistersMarkedChangesTranslationChangeTheRegime(int highestEl)
    {
        // Every register an MSR can write (op0 = 3; SYS operations at op0 = 1 change no control), written with patterns
        // straight through its write behaviour: a change of anything TranslationControlFor reads must be marked, or
        // the cached regime would be stale after the MSR.
        using var s = new SysCpu(highestEl);
        var cpu = s.Cpu;
        var changed = new List<string>();
        foreach (var reg in cpu.SystemRegisters.All.Where(r => r.Write != null && (r.Key >> 14) == 3).ToList())
        {
            foreach (ulong value in (ulong[])[ulong.MaxValue, 0, 0x5555_5555_5555_5555, 0xAAAA_AAAA_AAAA_AAAA, 1])
            {
                var before = RegimeInputs(cpu);
                try
                {
                    reg.Write!(cpu, value);
                }
                catch (GuestException)
                {
                    continue;
                }
                catch (CpuStoppedException) // SCTLR_ELx.EE at its own AArch64 EL: not modelled, the run stops
                {
                    cpu.ClearStop();
                    continue;
                }
                if (!before.Equals(RegimeInputs(cpu))) changed.Add(reg.Name);
            }
            cpu.SetElAndSpSel(highestEl, 1); // (SPSel and the like may have moved)
        }
        var unmarked = changed.Distinct().Where(n => !cpu.SystemRegisters.Find(n)!.ChangesTranslation).ToList();
        Assert.AreEqual(0, unmarked.Count, "change the regime but are not marked: " + string.Join(", ", unmarked));
        CollectionAssert.Contains(changed, "SCTLR_EL1", "the check itself sees a change");
        if (highestEl >= 2) CollectionAssert.Contains(changed, "HCR_EL2");
    }

    [TestMethod]
    public void TranslationRegistersAreMarkedAndOthersAreNot()
    {
        using var s = new SysCpu(highestEl: 3);
        foreach (var reg in s.Cpu.SystemRegisters.All)
            Assert.AreEqual(SystemRegisterTableBuilder.TranslationRegisters.Contains(reg.Name), reg.ChangesTranslation, reg.Name);
        foreach (string name in SystemRegisterTableBuilder.TranslationRegisters.Where(n => n != "PAN"))
            Assert.IsTrue(s.Cpu.SystemRegisters.Find(name)!.ChangesTranslation, name);
    }

    [TestMethod]
    [DataRow(ExecutionEngine.Interpreter)]
    [DataRow(ExecutionEngine.Jit)]
    public void MsrToATranslationRegisterTakesEffectAtTheNextFetch(ExecutionEngine engine)
    {
        // Run (which drops the cached regime only on entry): a load with the MMU off caches the flat map, then
        // MSR SCTLR_EL1 sets M with no valid tables (TTBR0_EL1 = 0), so the next fetch must take an instruction abort;
        // with a stale flat map the MOVZ after the MSR would run.
        using var h = new CpuHarness(1,
            0xF9400041,  // ldr x1, [x2]
            0xD5181003,  // msr sctlr_el1, x3
            0xD2800025,  // movz x5, #1
            0x14000000); // b .
        var cpu = h.Cpu;
        cpu.Engine = engine;
        cpu.JitThreshold = 0;
        cpu.JitBackgroundCompilation = false;
        cpu.Sys.Vbar[1] = CpuHarness.RamBase + 0x800;
        h.Load(CpuHarness.RamBase + 0x800 + 0x200, 0x14000000); // current EL SPx synchronous: b .
        cpu.Sys.Tcr[1] = 25;
        cpu.SetX(2, CpuHarness.RamBase + 0x100);
        cpu.SetX(3, cpu.Sys.Sctlr[1] | 1);
        cpu.Run(3);
        Assert.AreEqual((ulong)ExceptionClass.InstructionAbortSame, cpu.Sys.Esr[1] >> 26, "the fetch after the MSR faults");
        Assert.AreEqual(CpuHarness.RamBase + 8, cpu.Sys.Elr[1]);
        Assert.AreEqual(0UL, cpu.X(5), "the MOVZ did not run");
    }

    [TestMethod]
    public void TableLookupByKeyMatchesTheRegisters()
    {
        using var s = new SysCpu(highestEl: 3);
        var table = s.Cpu.SystemRegisters;
        foreach (var reg in table.All) Assert.AreSame(reg, table.Find(reg.Key), reg.Name);
        Assert.IsNull(table.Find(-1));
        Assert.IsNull(table.Find(0x10000));
        Assert.IsNull(table.Find(SystemRegister.EncodeKey(3, 7, 15, 15, 7)), "an undeclared encoding");
        var replacement = new SystemRegister("SCTLR_EL1", 3, 0, 1, 0, 0, _ => 42, null);
        table.Add(replacement);
        Assert.AreSame(replacement, table.Find(replacement.Key), "Add replaces");
    }

    [TestMethod]
    public void GuestExceptionFormatsItsMessageWhenAsked()
    {
        var e = new GuestException(ExceptionClass.DataAbortLower, 0x1000045, 2, far: 0x0900_0000, ipa: 0x0900_0000);
        Assert.AreEqual("DataAbortLower ISS=0x1000045 to EL2", e.Message);
        StringAssert.Contains(e.ToString(), "DataAbortLower ISS=0x1000045 to EL2");
    }
}
