namespace ArmVirt.Cpu.Tests;

/// <summary>
/// Unallocated encodings (and later-architecture extensions our models lack) inside the data-processing and
/// branch groups must raise UNDEFINED. Encodings checked with aarch64-linux-gnu-objdump.
/// </summary>
[TestClass]
public sealed class AluUnallocatedTests
{
    [TestMethod]
    [DataRow(0x12400020u, "logical immediate, sf=0 with N=1")]
    [DataRow(0xb240fc20u, "logical immediate, all-ones element (imms=111111, N=1)")]
    [DataRow(0x9200f420u, "logical immediate, all-ones 2-bit element")]
    [DataRow(0xd200f820u, "logical immediate, no element size (N=0, imms=11111x)")]
    [DataRow(0xb2800020u, "move wide, opc=01")]
    [DataRow(0x52c00020u, "move wide, sf=0 hw=10")]
    [DataRow(0x91800420u, "add immediate, bit 23 set (ADDG in v8.5)")]
    [DataRow(0xd3010820u, "bitfield, sf=1 N=0")]
    [DataRow(0x53410820u, "bitfield, sf=0 N=1")]
    [DataRow(0x13018820u, "bitfield, sf=0 imms<5>=1")]
    [DataRow(0x33210820u, "bitfield, sf=0 immr<5>=1")]
    [DataRow(0xf3410820u, "bitfield, opc=11")]
    [DataRow(0x93820c20u, "extract, sf=1 N=0")]
    [DataRow(0x13828c20u, "extract, sf=0 imms>=32")]
    [DataRow(0xb3c20c20u, "extract, op21=01")]
    [DataRow(0x93e20c20u, "extract, o0=1")]
    [DataRow(0x2a028020u, "logical shifted, sf=0 imm6>=32")]
    [DataRow(0x8bc20420u, "add shifted, shift=ROR")]
    [DataRow(0x6b028020u, "add shifted, sf=0 imm6>=32")]
    [DataRow(0x8b227420u, "add extended, imm3=5")]
    [DataRow(0x8b626020u, "add extended, opt=01")]
    [DataRow(0xba020420u, "adc, opcode2 != 0 (RMIF in v8.4)")]
    [DataRow(0xda420020u, "conditional compare, S=0")]
    [DataRow(0xfa420420u, "conditional compare, o2=1")]
    [DataRow(0xba420830u, "conditional compare, o3=1")]
    [DataRow(0xba820020u, "conditional select, S=1")]
    [DataRow(0x9a820820u, "conditional select, op2=10")]
    [DataRow(0xbb020c20u, "3-source, op54=01")]
    [DataRow(0x1b220c20u, "3-source, SMADDL with sf=0")]
    [DataRow(0x9b620c20u, "3-source, op31=011")]
    [DataRow(0x9b42fc20u, "3-source, SMULH with o0=1")]
    [DataRow(0x9bc2fc20u, "3-source, UMULH with o0=1")]
    [DataRow(0xbac20820u, "2-source, S=1")]
    [DataRow(0x9ac20020u, "2-source, opcode 000000")]
    [DataRow(0x9ac23020u, "2-source, opcode 001100 (PACGA in v8.3)")]
    [DataRow(0x1ac24c20u, "2-source, CRC32X with sf=0")]
    [DataRow(0x9ac24020u, "2-source, CRC32B with sf=1")]
    [DataRow(0x9ac25820u, "2-source, CRC32CW with sf=1")]
    [DataRow(0x9ac26020u, "2-source, opcode 011000 (SMAX in v8.9)")]
    [DataRow(0x5ac00c20u, "1-source, REV (64-bit opcode) with sf=0")]
    [DataRow(0xdac10020u, "1-source, opcode2=00001 (PACIA in v8.3)")]
    [DataRow(0xdac01820u, "1-source, opcode 000110 (CTZ in v8.9)")]
    [DataRow(0xfac00020u, "1-source, S=1")]
    [DataRow(0x54000050u, "BC.cond (v8.8)")]
    [DataRow(0x55000040u, "conditional branch, o1=1")]
    [DataRow(0xd61f0021u, "BR with op4 != 0")]
    [DataRow(0xd71f0822u, "BRAA (v8.3)")]
    [DataRow(0xd61f083fu, "BRAAZ (v8.3)")]
    [DataRow(0xd73f0822u, "BLRAA (v8.3)")]
    [DataRow(0xd65f0bffu, "RETAA (v8.3)")]
    [DataRow(0xd69f0bffu, "ERETAA (v8.3)")]
    [DataRow(0xd63e0020u, "BLR with op2 != 11111")]
    [DataRow(0xd67f0020u, "unconditional branch register, opc=0011")]
    [DataRow(0xd69f0020u, "ERET with Rn != 11111")]
    [DataRow(0xd6bf03e0u, "DRPS outside Debug state")]
    public void RaisesUndefined(uint insn, string what) => AluTestRunner.AssertUndefined(insn, what);

    [TestMethod]
    public void ReservedShiftAndExtendFieldsWalk()
    {
        // Every shift amount 32..63 of every 32-bit shifted-register logical and add/sub form.
        foreach (uint baseInsn in new uint[] { 0x0a020020, 0x2a020020, 0x4a020020, 0x6a020020, 0x0b020020, 0x2b020020, 0x4b020020, 0x6b020020 })
        {
            for (uint imm6 = 32; imm6 < 64; imm6 += 7)
                AluTestRunner.AssertUndefined(baseInsn | (imm6 << 10), $"sf=0 imm6={imm6}");
        }
        // Every extended-register shift 5..7, for each option.
        for (uint option = 0; option < 8; option++)
        {
            for (uint imm3 = 5; imm3 < 8; imm3++)
                AluTestRunner.AssertUndefined(0x8b220020 | (option << 13) | (imm3 << 10), $"option={option} imm3={imm3}");
        }
    }
}
