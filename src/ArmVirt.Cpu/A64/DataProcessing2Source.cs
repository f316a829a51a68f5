using System.Runtime.CompilerServices;
using static ArmVirt.Cpu.A64.A64Fields;

namespace ArmVirt.Cpu.A64;

/// <summary>
/// C4.1.6 "Data-processing (2 source)": UDIV, SDIV, LSLV, LSRV, ASRV, RORV and the FEAT_CRC32 instructions
/// CRC32B/H/W/X and CRC32CB/H/W/X. Register 31 is ZR.
/// </summary>
internal static class DataProcessing2Source
{
    /// <summary>UDIV at 64 bits: a zero divisor gives 0 (no exception in AArch64).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Udiv64(ulong dividend, ulong divisor) => divisor == 0 ? 0 : dividend / divisor;

    /// <summary>UDIV at 32 bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Udiv32(uint dividend, uint divisor) => divisor == 0 ? 0 : dividend / divisor;

    /// <summary>SDIV at 64 bits, rounding towards zero; 0 for a zero divisor, and MinValue / -1 wraps.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Sdiv64(ulong dividend, ulong divisor) =>
        (ulong)((long)divisor == 0 ? 0 : (long)divisor == -1 ? unchecked(0 - (long)dividend) : (long)dividend / (long)divisor);

    /// <summary>SDIV at 32 bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Sdiv32(uint dividend, uint divisor) =>
        (uint)((int)divisor == 0 ? 0 : (int)divisor == -1 ? unchecked(0 - (int)dividend) : (int)dividend / (int)divisor);

    /// <summary>C6.2 UDIV.</summary>
    public static void Udiv(Cpu cpu, uint insn)
    {
        if (Sf(insn)) cpu.SetX(Rd(insn), Udiv64(cpu.X(Rn(insn)), cpu.X(Rm(insn))));
        else cpu.SetW(Rd(insn), Udiv32(cpu.W(Rn(insn)), cpu.W(Rm(insn))));
    }

    /// <summary>C6.2 SDIV.</summary>
    public static void Sdiv(Cpu cpu, uint insn)
    {
        if (Sf(insn)) cpu.SetX(Rd(insn), Sdiv64(cpu.X(Rn(insn)), cpu.X(Rm(insn))));
        else cpu.SetW(Rd(insn), Sdiv32(cpu.W(Rn(insn)), cpu.W(Rm(insn))));
    }

    // ---- Variable shifts: ShiftReg(Rn, type, UInt(Rm) MOD datasize) ----

    private static void ShiftVariable(Cpu cpu, uint insn, int type)
    {
        if (Sf(insn))
            cpu.SetX(Rd(insn), ShiftReg.Shift64(cpu.X(Rn(insn)), type, (int)(cpu.X(Rm(insn)) & 63)));
        else
            cpu.SetW(Rd(insn), ShiftReg.Shift32(cpu.W(Rn(insn)), type, (int)(cpu.X(Rm(insn)) & 31)));
    }

    /// <summary>C6.2 LSLV.</summary>
    public static void Lslv(Cpu cpu, uint insn) => ShiftVariable(cpu, insn, ShiftReg.Lsl);

    /// <summary>C6.2 LSRV.</summary>
    public static void Lsrv(Cpu cpu, uint insn) => ShiftVariable(cpu, insn, ShiftReg.Lsr);

    /// <summary>C6.2 ASRV.</summary>
    public static void Asrv(Cpu cpu, uint insn) => ShiftVariable(cpu, insn, ShiftReg.Asr);

    /// <summary>C6.2 RORV.</summary>
    public static void Rorv(Cpu cpu, uint insn) => ShiftVariable(cpu, insn, ShiftReg.Ror);

    // ---- CRC32 ----

    // Reflected polynomials (BitReverse of 0x04C11DB7 and 0x1EDC6F41): the pseudocode's
    // BitReverse(Poly32Mod2(BitReverse(acc):Zeros(size) EOR BitReverse(val):Zeros(32), poly)) is the
    // LSB-first CRC update below, byte by byte from the least significant byte of the value.
    private const uint Crc32Polynomial = 0xEDB8_8320u;
    private const uint Crc32CPolynomial = 0x82F6_3B78u;
    private static readonly uint[] Crc32Table = BuildTable(Crc32Polynomial);
    private static readonly uint[] Crc32CTable = BuildTable(Crc32CPolynomial);

    private static uint[] BuildTable(uint polynomial)
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            uint crc = i;
            for (int bit = 0; bit < 8; bit++) crc = (crc >> 1) ^ (polynomial & (0u - (crc & 1)));
            table[i] = crc;
        }
        return table;
    }

    /// <summary>
    /// CRC32/CRC32C accumulation of the low <paramref name="bytes"/> bytes of <paramref name="value"/> into
    /// <paramref name="accumulator"/>, as the CRC32* / CRC32C* instructions compute it (no pre/post inversion).
    /// </summary>
    public static uint Crc32Update(uint accumulator, ulong value, int bytes, bool castagnoli)
    {
        uint[] table = castagnoli ? Crc32CTable : Crc32Table;
        uint crc = accumulator;
        for (int i = 0; i < bytes; i++)
        {
            crc = (crc >> 8) ^ table[(byte)(crc ^ (uint)value)];
            value >>= 8;
        }
        return crc;
    }

    // C6.2 CRC32B..X / C6.2 CRC32CB..X: sz (bits 11..10) selects 1, 2, 4 or 8 bytes, C (bit 12) CRC32C.
    // UNDEFINED unless FEAT_CRC32 is implemented; the decode table already ties sf to sz.
    private static void Crc(Cpu cpu, uint insn)
    {
        if (!cpu.Configuration.Model.HasCrc32) cpu.Undefined(insn);
        int bytes = 1 << (int)Bits(insn, 11, 10);
        bool castagnoli = (insn & (1u << 12)) != 0;
        cpu.SetW(Rd(insn), Crc32Update(cpu.W(Rn(insn)), cpu.X(Rm(insn)), bytes, castagnoli));
    }

    /// <summary>C6.2 CRC32B, CRC32H, CRC32W, CRC32X.</summary>
    public static void Crc32(Cpu cpu, uint insn) => Crc(cpu, insn);

    /// <summary>C6.2 CRC32CB, CRC32CH, CRC32CW, CRC32CX.</summary>
    public static void Crc32C(Cpu cpu, uint insn) => Crc(cpu, insn);

    /// <summary>True for the CRC32 encodings whose sf matches sz (sf = 1 exactly for the X forms).</summary>
    public static bool IsCrcSizeAllocated(uint insn) => Sf(insn) == (Bits(insn, 11, 10) == 3);
}
