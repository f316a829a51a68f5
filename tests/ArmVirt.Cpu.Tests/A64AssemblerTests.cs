using static ArmVirt.Cpu.Tests.A64Assembler;

namespace ArmVirt.Cpu.Tests;

/// <summary>The test assembler's encoders against the words GNU as (binutils, aarch64-linux-gnu) produced for them.</summary>
[TestClass]
public sealed class A64AssemblerTests
{
    [TestMethod]
    public void EncodersMatchGnuAs()
    {
        Assert.AreEqual(0xf100577fu, AddImm(true, true, true, 31, 27, 0x15), "cmp x27, #0x15");
        Assert.AreEqual(0x9100137bu, AddImm(true, false, false, 27, 27, 4), "add x27, x27, #4");
        Assert.AreEqual(0x9110039fu, AddImm(true, false, false, 31, 28, 0x400), "add sp, x28, #0x400");
        Assert.AreEqual(0xb275039fu, LogicalImm(true, 1, 31, 28, 1, 53, 0), "orr sp, x28, #0x800");
        Assert.AreEqual(0xf2401e3fu, LogicalImm(true, 3, 31, 17, 1, 0, 7), "tst x17, #0xff");
        Assert.AreEqual(0x8b35739fu, AddExtended(true, false, false, 31, 28, 21, 3, 4), "add sp, x28, x21, uxtx #4");
        Assert.AreEqual(0x92800071u, Movn(true, 17, 3), "movn x17, #3");
        Assert.AreEqual(0xa9ff0a81u, Pair(2, true, 1, 2, 20, -2, 3), "ldp x1, x2, [x20, #-16]!");
        Assert.AreEqual(0x68c10a81u, Pair(1, true, 1, 2, 20, 2, 1), "ldpsw x1, x2, [x20], #8");
        Assert.AreEqual(0xf8757a83u, LdrRegister(3, 1, 3, 20, 21, 3, true), "ldr x3, [x20, x21, lsl #3]");
        Assert.AreEqual(0x38f5ca83u, LdrRegister(0, 3, 3, 20, 21, 6, false), "ldrsb w3, [x20, w21, sxtw]");
        Assert.AreEqual(0xb85fb283u, LdrImm9(2, 1, 3, 20, -5, 0), "ldur w3, [x20, #-5]");
        Assert.AreEqual(0x78808e83u, LdrImm9(1, 2, 3, 20, 8, 3), "ldrsh x3, [x20, #8]!");
        Assert.AreEqual(0xd40000a1u, Svc(5), "svc #5");
        Assert.AreEqual(0xd53b4203u, MrsNzcv(3), "mrs x3, nzcv");
        Assert.AreEqual(0xd51b4203u, MsrNzcv(3), "msr nzcv, x3");

        var asm = new A64Assembler();
        var self = asm.NewLabel();
        asm.Bind(self);
        asm.Tbz(false, 17, 63, self);
        var here = asm.NewLabel();
        asm.Bind(here);
        asm.Tbz(true, 5, 3, here);
        var cb = asm.NewLabel();
        asm.Bind(cb);
        asm.Cbz(false, true, 17, cb);
        var after = asm.NewLabel();
        asm.Adr(22, after);
        asm.Emit(0);
        asm.Bind(after);
        var back = asm.NewLabel();
        asm.Bind(back);
        asm.BCond(1, self);
        asm.Bl(back);
        CollectionAssert.AreEqual(
            new uint[] { 0xb6f80011, 0x37180005, 0x35000011, 0x10000056, 0, 0x54ffff61, 0x97ffffff },
            asm.Finish(), "tbz x17, #63, .; tbnz w5, #3, .; cbnz w17, .; adr x22, .+8; .word 0; b.ne -20; bl -4");
    }
}
