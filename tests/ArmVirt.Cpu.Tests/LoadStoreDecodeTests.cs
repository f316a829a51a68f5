using ArmVirt.Cpu.A64;

namespace ArmVirt.Cpu.Tests;

/// <summary>Every load/store form decodes to its row, SIMD&amp;FP forms to the FP table, and unallocated encodings to nothing.</summary>
[TestClass]
public sealed class LoadStoreDecodeTests
{
    [TestMethod]
        [DataRow(0x393FFC41u, "STR (unsigned immediate)")] // strb w1, [x2, #4095]
        [DataRow(0x79000441u, "STR (unsigned immediate)")] // strh w1, [x2, #2]
        [DataRow(0xB9000441u, "STR (unsigned immediate)")] // str w1, [x2, #4]
        [DataRow(0xF93FFFE1u, "STR (unsigned immediate)")] // str x1, [sp, #32760]
        [DataRow(0x39400441u, "LDR (unsigned immediate)")] // ldrb w1, [x2, #1]
        [DataRow(0x79400041u, "LDR (unsigned immediate)")] // ldrh w1, [x2]
        [DataRow(0xB9400041u, "LDR (unsigned immediate)")] // ldr w1, [x2]
        [DataRow(0xF9400041u, "LDR (unsigned immediate)")] // ldr x1, [x2]
        [DataRow(0x39800041u, "LDRS (64-bit) (unsigned immediate)")] // ldrsb x1, [x2]
        [DataRow(0x79800041u, "LDRS (64-bit) (unsigned immediate)")] // ldrsh x1, [x2]
        [DataRow(0xB9800041u, "LDRS (64-bit) (unsigned immediate)")] // ldrsw x1, [x2]
        [DataRow(0x39C00041u, "LDRS (32-bit) (unsigned immediate)")] // ldrsb w1, [x2]
        [DataRow(0x79C00041u, "LDRS (32-bit) (unsigned immediate)")] // ldrsh w1, [x2]
        [DataRow(0xF9800440u, "PRFM (unsigned immediate)")] // prfm pldl1keep, [x2, #8]
        [DataRow(0x381FF041u, "STR (unscaled immediate, LDUR/STUR)")] // sturb w1, [x2, #-1]
        [DataRow(0xF84FF041u, "LDR (unscaled immediate, LDUR/STUR)")] // ldur x1, [x2, #255]
        [DataRow(0xB8900041u, "LDRS (64-bit) (unscaled immediate, LDUR/STUR)")] // ldursw x1, [x2, #-256]
        [DataRow(0x78C03041u, "LDRS (32-bit) (unscaled immediate, LDUR/STUR)")] // ldursh w1, [x2, #3]
        [DataRow(0xF89FD043u, "PRFM (unscaled immediate, LDUR/STUR)")] // prfum pldl2strm, [x2, #-3]
        [DataRow(0xF8008441u, "STR (immediate, post-index)")] // str x1, [x2], #8
        [DataRow(0x785FE441u, "LDR (immediate, post-index)")] // ldrh w1, [x2], #-2
        [DataRow(0xB8804441u, "LDRS (64-bit) (immediate, post-index)")] // ldrsw x1, [x2], #4
        [DataRow(0x38C01441u, "LDRS (32-bit) (immediate, post-index)")] // ldrsb w1, [x2], #1
        [DataRow(0xF81F0C41u, "STR (immediate, pre-index)")] // str x1, [x2, #-16]!
        [DataRow(0xB8404C41u, "LDR (immediate, pre-index)")] // ldr w1, [x2, #4]!
        [DataRow(0x78802C41u, "LDRS (64-bit) (immediate, pre-index)")] // ldrsh x1, [x2, #2]!
        [DataRow(0xF8008841u, "STR (unprivileged, LDTR/STTR)")] // sttr x1, [x2, #8]
        [DataRow(0x38400841u, "LDR (unprivileged, LDTR/STTR)")] // ldtrb w1, [x2]
        [DataRow(0xB8800841u, "LDRS (64-bit) (unprivileged, LDTR/STTR)")] // ldtrsw x1, [x2]
        [DataRow(0x78C00841u, "LDRS (32-bit) (unprivileged, LDTR/STTR)")] // ldtrsh w1, [x2]
        [DataRow(0xF8236841u, "STR (register)")] // str x1, [x2, x3]
        [DataRow(0xF8635841u, "LDR (register)")] // ldr x1, [x2, w3, uxtw #3]
        [DataRow(0xB8A3F841u, "LDRS (64-bit) (register)")] // ldrsw x1, [x2, x3, sxtx #2]
        [DataRow(0x38E3C841u, "LDRS (32-bit) (register)")] // ldrsb w1, [x2, w3, sxtw]
        [DataRow(0xF8A37850u, "PRFM (register)")] // prfm pstl1keep, [x2, x3, lsl #3]
        [DataRow(0x18000041u, "LDR (literal, 32-bit)")] // ldr w1, .+8
        [DataRow(0x58FFFFC1u, "LDR (literal, 64-bit)")] // ldr x1, .-8
        [DataRow(0x98002001u, "LDRSW (literal)")] // ldrsw x1, .+1024
        [DataRow(0xD8000088u, "PRFM (literal)")] // prfm plil1keep, .+16
        [DataRow(0x28000861u, "STNP")] // stnp w1, w2, [x3]
        [DataRow(0xA8600861u, "LDNP")] // ldnp x1, x2, [x3, #-512]
        [DataRow(0xA8810BE1u, "STP (post-index)")] // stp x1, x2, [sp], #16
        [DataRow(0x28FF0861u, "LDP (post-index)")] // ldp w1, w2, [x3], #-8
        [DataRow(0x291F8861u, "STP (signed offset)")] // stp w1, w2, [x3, #252]
        [DataRow(0xA95F8861u, "LDP (signed offset)")] // ldp x1, x2, [x3, #504]
        [DataRow(0xA9BF7BFDu, "STP (pre-index)")] // stp x29, x30, [sp, #-16]!
        [DataRow(0xA9C10861u, "LDP (pre-index)")] // ldp x1, x2, [x3, #16]!
        [DataRow(0x68C10861u, "LDPSW (post-index)")] // ldpsw x1, x2, [x3], #8
        [DataRow(0x69600861u, "LDPSW (signed offset)")] // ldpsw x1, x2, [x3, #-256]
        [DataRow(0x69C10861u, "LDPSW (pre-index)")] // ldpsw x1, x2, [x3, #8]!
        [DataRow(0x08017C62u, "STXR/STLXR")] // stxrb w1, w2, [x3]
        [DataRow(0xC801FFE2u, "STXR/STLXR")] // stlxr w1, x2, [sp]
        [DataRow(0x485F7C61u, "LDXR/LDAXR")] // ldxrh w1, [x3]
        [DataRow(0xC85FFC61u, "LDXR/LDAXR")] // ldaxr x1, [x3]
        [DataRow(0x88210C82u, "STXP/STLXP")] // stxp w1, w2, w3, [x4]
        [DataRow(0xC8218C82u, "STXP/STLXP")] // stlxp w1, x2, x3, [x4]
        [DataRow(0x887F0881u, "LDXP/LDAXP")] // ldxp w1, w2, [x4]
        [DataRow(0xC87F8881u, "LDXP/LDAXP")] // ldaxp x1, x2, [x4]
        [DataRow(0x089FFC41u, "STLR")] // stlrb w1, [x2]
        [DataRow(0xC89FFC41u, "STLR")] // stlr x1, [x2]
        [DataRow(0x48DFFC41u, "LDAR")] // ldarh w1, [x2]
        [DataRow(0x88DFFC41u, "LDAR")] // ldar w1, [x2]
        [DataRow(0x08A17C62u, "CAS")] // casb w1, w2, [x3]
        [DataRow(0xC8E1FFE2u, "CAS")] // casal x1, x2, [sp]
        [DataRow(0x48A1FC62u, "CAS")] // caslh w1, w2, [x3]
        [DataRow(0x08607C82u, "CASP")] // caspa w0, w1, w2, w3, [x4]
        [DataRow(0x483CFC9Eu, "CASP")] // caspl x28, x29, x30, xzr, [x4]
        [DataRow(0x38210062u, "LDADD")] // ldaddb w1, w2, [x3]
        [DataRow(0xF861007Fu, "LDADD")] // staddl x1, [x3]
        [DataRow(0x78211062u, "LDCLR")] // ldclrh w1, w2, [x3]
        [DataRow(0xF8A12062u, "LDEOR")] // ldeora x1, x2, [x3]
        [DataRow(0xB821307Fu, "LDSET")] // stset w1, [x3]
        [DataRow(0xF8E14062u, "LDSMAX")] // ldsmaxal x1, x2, [x3]
        [DataRow(0x38215062u, "LDSMIN")] // ldsminb w1, w2, [x3]
        [DataRow(0x78216062u, "LDUMAX")] // ldumaxh w1, w2, [x3]
        [DataRow(0xF861707Fu, "LDUMIN")] // stuminl x1, [x3]
        [DataRow(0xF8E18062u, "SWP")] // swpal x1, x2, [x3]
        [DataRow(0x38218062u, "SWP")] // swpb w1, w2, [x3]
    public void DecodesToRow(uint insn, string name)
    {
        Assert.AreEqual(name, A64Decoder.Instance.Decode(insn).Name, $"0x{insn:x8}");
    }

    [TestMethod]
        [DataRow(0xC8DF7C20u)] // ldlar x0, [x1]
        [DataRow(0x889F7C20u)] // stllr w0, [x1]
        [DataRow(0xF8BFC020u)] // ldapr x0, [x1]
        [DataRow(0xF8200420u)] // ldraa x0, [x1]
        [DataRow(0x69000440u)] // stgp x0, x1, [x2]
        [DataRow(0xF8632841u)] // ldr x1, [x2, x3] with option = 001 (option<1> == 0)
        [DataRow(0xF8630841u)] // ldr x1, [x2, x3] with option = 000
        [DataRow(0xE9410861u)] // ldp with opc = 11
        [DataRow(0x68400861u)] // ldnp with opc = 01 (no LDPSW non-temporal)
        [DataRow(0x08617C82u)] // caspa with odd Rs
        [DataRow(0x08607C83u)] // caspa with odd Rt
        [DataRow(0xF8808C41u)] // pre-index with size = 11, opc = 10
        [DataRow(0xB9C00041u)] // unsigned offset size = 10, opc = 11
        [DataRow(0xF9C00041u)] // unsigned offset size = 11, opc = 11
        [DataRow(0xF8800841u)] // LDTR with size = 11, opc = 10
        [DataRow(0xC8A17862u)] // CAS with Rt2 != 11111
        [DataRow(0xC8C3FC41u)] // LDAR with Rs != 11111 (QEMU: UNDEFINED)
        [DataRow(0xC8DFF841u)] // LDAR with Rt2 != 11111
        [DataRow(0x889FF841u)] // STLR with Rt2 != 11111
        [DataRow(0xF8219062u)] // SWP encoding with o3 = 1, opc = 001
        [DataRow(0xF8210462u)] // atomic memory operation space with bits 11..10 = 01
    public void IsUnallocated(uint insn)
    {
        Assert.AreSame(A64Decoder.Unallocated, A64Decoder.Instance.Decode(insn), $"0x{insn:x8} decoded as {A64Decoder.Instance.Decode(insn).Name}");
    }

    [TestMethod]
        [DataRow(0xFD000420u)] // str d0, [x1, #8]
        [DataRow(0xBC404420u)] // ldr s0, [x1], #4
        [DataRow(0x3C5FF020u)] // ldur b0, [x1, #-1]
        [DataRow(0x7C626820u)] // ldr h0, [x1, x2]
        [DataRow(0xAD400420u)] // ldp q0, q1, [x1]
        [DataRow(0x6DBF07E0u)] // stp d0, d1, [sp, #-16]!
        [DataRow(0x2C400420u)] // ldnp s0, s1, [x1]
        [DataRow(0x9C000080u)] // ldr q0, .+16
        [DataRow(0x5C000080u)] // ldr d0, .+16
        [DataRow(0x3DC00020u)] // ldr q0, [x1]
    public void SimdFpFormsDecodeToTheFpTable(uint insn)
    {
        var e = A64Decoder.Instance.Decode(insn);
        Assert.IsTrue(SimdFpTable.Entries.Contains(e), $"0x{insn:x8} decoded as {e.Name}");
    }
}
