using System.Numerics;
using ArmVirt.Cpu.A32;

namespace ArmVirt.Cpu.Tests;

/// <summary>The A32 decode table walked row by row, and known encodings (from GNU as) to their rows and operands.</summary>
[TestClass]
public sealed class A32DecoderTests
{
    [TestMethod]
    public void EveryRowDecodesToItselfOrToAStrictlyMoreSpecificRow()
    {
        var decoder = A32Decoder.Instance;
        var rng = new Random(32);
        foreach (var row in decoder.Table)
        {
            int matched = 0;
            for (int i = 0; i < 4000 && matched < 200; i++)
            {
                uint word = row.Value | ((uint)rng.NextInt64() & ~row.Mask);
                if (!row.Unconditional && (word >> 28) == 0xF) word &= 0xEFFF_FFFF;
                if (!row.Matches(word)) continue;
                matched++;
                var decoded = decoder.DecodeRow(word);
                if (ReferenceEquals(decoded, row)) continue;
                Assert.IsTrue(decoded.Matches(word) && BitOperations.PopCount(decoded.Mask) > BitOperations.PopCount(row.Mask),
                    $"{word:x8}: row {row.Name} matches but {decoded.Name} was chosen without being more specific");
            }
            Assert.IsGreaterThan(0, matched, $"{row.Name}: no word satisfies its pattern and constraint");
        }
    }

    [TestMethod]
    [DataRow(0xE12F_FF1Eu, "BX")]                       // bx lr
    [DataRow(0xE92D_4010u, "STM")]                      // push {r4, lr}
    [DataRow(0xE8BD_8010u, "LDM")]                      // pop {r4, pc}
    [DataRow(0xE1A0_0000u, "MOV (register)")]           // nop (mov r0, r0)
    [DataRow(0xE1A0_1312u, "MOV (register-shifted register)")] // lsl r1, r2, r3
    [DataRow(0xE320_F000u, "NOP (hint)")]               // nop
    [DataRow(0xE320_F003u, "WFI")]
    [DataRow(0xF57F_F05Fu, "DMB")]                      // dmb sy
    [DataRow(0xE7F0_00F0u, "UDF")]                      // udf #0
    [DataRow(0xEE1D_0F70u, "MCR/MRC (CP15)")]           // mrc p15, 0, r0, c13, c0, 3
    [DataRow(0xE193_2F9Fu, "LDREX")]                    // ldrex r2, [r3]
    [DataRow(0xE181_0F92u, "STREX")]                    // strex r0, r2, [r1]
    [DataRow(0xE1C2_00D0u, "LDRD")]                     // ldrd r0, r1, [r2]
    [DataRow(0xE0C0_0092u, "SMULL")]                    // smull r0, r0, r2, r0
    [DataRow(0xE730_F211u, "UDIV")]                     // udiv r0, r1, r2
    [DataRow(0xE6EF_0071u, "UXTAB")]                    // uxtb r0, r1
    [DataRow(0xEF00_0000u, "SVC")]
    [DataRow(0xFA00_0000u, "BLX (immediate)")]
    [DataRow(0xEE30_0A00u, "VMLA/VMLS/VNMLA/VNMLS/VMUL/VNMUL/VADD/VSUB")] // vadd.f32 s0, s0, s0
    [DataRow(0xEE81_0B02u, "VDIV/VFNMA/VFNMS/VFMA/VFMS")] // vdiv.f64 d0, d1, d2
    [DataRow(0xEEB7_0AC0u, "VCVT (between double-precision and single-precision)")] // vcvt.f64.f32 d0, s0
    [DataRow(0xEEF1_FA10u, "VMRS")]                     // vmrs APSR_nzcv, fpscr
    [DataRow(0xED2D_8B10u, "VSTMDB/VPUSH")]             // vpush {d8-d15}
    [DataRow(0xECBD_8B10u, "VLDM/VLDMIA/VPOP")]         // vpop {d8-d15}
    [DataRow(0xED9F_0B02u, "VLDR")]                     // vldr d0, [pc, #8]
    [DataRow(0xEC41_0B10u, "VMOV (two general-purpose registers and two S / one D register)")] // vmov d0, r0, r1
    [DataRow(0xFE20_0A01u, "VSEL")]                     // vselge.f32 s0, s0, s2
    [DataRow(0xFEBC_0AC0u, "VCVTA/VCVTN/VCVTP/VCVTM")]  // vcvta.s32.f32 s0, s0
    [DataRow(0xE610_0F11u, "parallel add/subtract")]    // sadd16 r0, r0, r1
    [DataRow(0xE681_0FB2u, "SEL")]                      // sel r0, r1, r2
    [DataRow(0xE681_0412u, "PKHBT/PKHTB")]              // pkhbt r0, r1, r2, lsl #8
    [DataRow(0xE700_3211u, "SMLAD/SMUAD/SMLSD/SMUSD")]  // smlad r0, r1, r2, r3
    [DataRow(0xE780_F211u, "USAD8/USADA8")]             // usad8 r0, r1, r2
    [DataRow(0xE3A0_0000u, "MOV (immediate)")]
    [DataRow(0xE3B0_1000u, "MOV (immediate)")]          // movs r1, #0
    [DataRow(0xE153_0004u, "CMP (register)")]
    public void KnownEncodingsDecodeToTheirRows(uint word, string name) =>
        Assert.AreEqual(name, A32Decoder.Instance.DecodeRow(word).Name, $"{word:x8}");

    [TestMethod]
    [DataRow(0xE1A5_0000u, "MOV with Rn != 0 (SBZ)")]
    [DataRow(0xE151_1002u, "CMP with Rd != 0 (SBZ)")]
    [DataRow(0xE8B0_0000u, "LDM with an empty list")]
    [DataRow(0xE1C2_10D0u, "LDRD with an odd Rt")]
    [DataRow(0xE7AF_0A51u, "SBFX with lsb + width > 32")]
    [DataRow(0xE7C0_0A91u, "BFI with msb < lsb")]
    [DataRow(0xE8F0_0001u, "LDM (User registers) with write-back")]
    [DataRow(0xF000_0000u, "unallocated unconditional")]
    public void UnallocatedOrUnpredictableEncodingsAreUndefined(uint word, string why) =>
        Assert.AreSame(A32Decoder.Undefined, A32Decoder.Instance.DecodeRow(word), why);

    [TestMethod]
    public void OperandsArriveExpanded()
    {
        // add r1, r2, #0xFF000000 (imm12 = 0x4FF: 0xFF ror 8): the constant and its carry out (bit 31 = 1).
        var add = A32Decoder.Instance.Decode(0xE282_14FF).Operands;
        Assert.AreEqual((1, 2, 0xFF00_0000u, 1), (add.Rd, add.Rn, add.Imm, add.ImmCarry));
        // mov r0, r1, lsr #32 is encoded as LSR #0; ror #0 is RRX.
        var lsr = A32Decoder.Instance.Decode(0xE1A0_0021).Operands;
        Assert.AreEqual((A32Shift.Lsr, 32), (lsr.ShiftType, lsr.ShiftAmount));
        var rrx = A32Decoder.Instance.Decode(0xE1A0_0061).Operands;
        Assert.AreEqual((A32Shift.Rrx, 1), (rrx.ShiftType, rrx.ShiftAmount));
        // ldr r0, [r1, #-4]!: P = 1, U = 0, W = 1.
        var ldr = A32Decoder.Instance.Decode(0xE531_0004).Operands;
        Assert.AreEqual((true, false, true, 4u), (ldr.Index, ldr.Add, ldr.WriteBack, ldr.Imm));
        // ldr r0, [r1], #4: post-indexed writes back (P = 0, W = 0).
        var post = A32Decoder.Instance.Decode(0xE491_0004).Operands;
        Assert.AreEqual((false, true, true, false), (post.Index, post.Add, post.WriteBack, post.Unprivileged));
        // b . : imm24 = -2 words, sign-extended to -8 bytes.
        Assert.AreEqual(unchecked((uint)-8), A32Decoder.Instance.Decode(0xEAFF_FFFE).Operands.Imm);
        // blx with H = 1: the offset has bit 1 set.
        Assert.AreEqual(2u, A32Decoder.Instance.Decode(0xFB00_0000).Operands.Imm);
    }
}
