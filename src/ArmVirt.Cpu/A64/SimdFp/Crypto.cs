using System.Numerics;
using System.Runtime.Intrinsics;
using static ArmVirt.Cpu.A64.A64Fields;
using static ArmVirt.Cpu.A64.SimdFp.AdvSimd;
using X86Aes = System.Runtime.Intrinsics.X86.Aes;

namespace ArmVirt.Cpu.A64.SimdFp;

/// <summary>
/// The cryptographic extension (FEAT_AES, FEAT_PMULL, FEAT_SHA1, FEAT_SHA256): AESE, AESD, AESMC, AESIMC,
/// SHA1C/P/M/H/SU0/SU1, SHA256H/H2/SU0/SU1 (Arm ARM shared/functions/crypto). AES uses the host's AES-NI
/// when present (the byte layouts agree) and table-driven code otherwise.
/// </summary>
internal static class Crypto
{
    /// <summary>Whether AES uses host intrinsics; selected at start-up, overridable (tests run both paths).</summary>
    public static bool UseHostIntrinsics { get; set; } = X86Aes.IsSupported;

    private static readonly byte[] Sbox = new byte[256], InvSbox = new byte[256];

    static Crypto()
    {
        // FIPS-197 5.1.1: multiplicative inverse in GF(2^8) followed by the affine transformation.
        for (int x = 0; x < 256; x++)
        {
            byte inv = 0;
            if (x != 0)
                for (int y = 1; y < 256; y++)
                    if (GfMul((byte)x, (byte)y) == 1) { inv = (byte)y; break; }
            int s = inv ^ Rol8(inv, 1) ^ Rol8(inv, 2) ^ Rol8(inv, 3) ^ Rol8(inv, 4) ^ 0x63;
            Sbox[x] = (byte)s;
            InvSbox[(byte)s] = (byte)x;
        }
    }

    private static int Rol8(int x, int n) => ((x << n) | (x >> (8 - n))) & 0xFF;

    /// <summary>Multiplication in GF(2^8) modulo x^8 + x^4 + x^3 + x + 1.</summary>
    public static byte GfMul(byte a, byte b)
    {
        int r = 0, x = a;
        for (int i = 0; i < 8; i++)
        {
            if (((b >> i) & 1) != 0) r ^= x;
            x <<= 1;
            if ((x & 0x100) != 0) x ^= 0x11B;
        }
        return (byte)r;
    }

    private static bool HasAes(Cpu cpu) => ((cpu.Configuration.Model.IdAa64Isar0 >> 4) & 0xF) >= 1;
    private static bool HasPmull(Cpu cpu) => ((cpu.Configuration.Model.IdAa64Isar0 >> 4) & 0xF) >= 2;
    private static bool HasSha1(Cpu cpu) => ((cpu.Configuration.Model.IdAa64Isar0 >> 8) & 0xF) >= 1;
    private static bool HasSha256(Cpu cpu) => ((cpu.Configuration.Model.IdAa64Isar0 >> 12) & 0xF) >= 1;

    /// <summary>PMULL/PMULL2 (1Q): UNDEFINED without FEAT_PMULL.</summary>
    public static void Pmull64(Cpu cpu, uint insn)
    {
        if (!HasPmull(cpu)) cpu.Undefined(insn);
        AdvSimdThreeDifferent.Pmull64(cpu, insn);
    }

    private static Vector128<byte> ToVector(UInt128 v) => Vector128.Create((ulong)v, (ulong)(v >> 64)).AsByte();
    private static UInt128 FromVector(Vector128<byte> v) => new(v.AsUInt64().GetElement(1), v.AsUInt64().GetElement(0));

    /// <summary>AESE/AESD/AESMC/AESIMC on a state, selected by opcode (bits 13..12).</summary>
    public static UInt128 AesOp(int op, UInt128 d, UInt128 n)
    {
        if (UseHostIntrinsics && X86Aes.IsSupported)
        {
            var zero = Vector128<byte>.Zero;
            return op switch
            {
                0 => FromVector(X86Aes.EncryptLast(ToVector(d ^ n), zero)),
                1 => FromVector(X86Aes.DecryptLast(ToVector(d ^ n), zero)),
                2 => FromVector(X86Aes.Encrypt(X86Aes.DecryptLast(ToVector(n), zero), zero)),
                _ => FromVector(X86Aes.InverseMixColumns(ToVector(n))),
            };
        }
        Span<byte> s = stackalloc byte[16], t = stackalloc byte[16];
        UInt128 input = op < 2 ? d ^ n : n;
        for (int i = 0; i < 16; i++) s[i] = (byte)(input >> (8 * i));
        switch (op)
        {
            case 0: // AESE: ShiftRows, SubBytes
                for (int c = 0; c < 4; c++) for (int r = 0; r < 4; r++) t[r + 4 * c] = Sbox[s[r + 4 * ((c + r) & 3)]];
                break;
            case 1: // AESD: InvShiftRows, InvSubBytes
                for (int c = 0; c < 4; c++) for (int r = 0; r < 4; r++) t[r + 4 * ((c + r) & 3)] = InvSbox[s[r + 4 * c]];
                break;
            case 2: // AESMC: MixColumns
                for (int c = 0; c < 4; c++) MixColumn(s.Slice(4 * c, 4), t.Slice(4 * c, 4), 2, 3, 1, 1);
                break;
            default: // AESIMC: InvMixColumns
                for (int c = 0; c < 4; c++) MixColumn(s.Slice(4 * c, 4), t.Slice(4 * c, 4), 14, 11, 13, 9);
                break;
        }
        UInt128 result = 0;
        for (int i = 0; i < 16; i++) result |= (UInt128)t[i] << (8 * i);
        return result;
    }

    private static void MixColumn(ReadOnlySpan<byte> a, Span<byte> o, byte c0, byte c1, byte c2, byte c3)
    {
        for (int r = 0; r < 4; r++)
            o[r] = (byte)(GfMul(a[r], c0) ^ GfMul(a[(r + 1) & 3], c1) ^ GfMul(a[(r + 2) & 3], c2) ^ GfMul(a[(r + 3) & 3], c3));
    }

    /// <summary>AESE, AESD, AESMC, AESIMC.</summary>
    public static void Aes(Cpu cpu, uint insn)
    {
        if (!HasAes(cpu)) cpu.Undefined(insn);
        cpu.CheckFPAdvSIMDEnabled();
        Set(cpu, Rd(insn), AesOp((int)Bits(insn, 13, 12), Get(cpu, Rd(insn)), Get(cpu, Rn(insn))), true);
    }

    private static uint Choose(uint x, uint y, uint z) => ((y ^ z) & x) ^ z;
    private static uint Majority(uint x, uint y, uint z) => (x & y) | ((x | y) & z);
    private static uint Parity(uint x, uint y, uint z) => x ^ y ^ z;
    private static uint E(UInt128 v, int i) => (uint)(v >> (32 * i));
    private static UInt128 Lanes(uint a, uint b, uint c, uint d) => ((UInt128)d << 96) | ((UInt128)c << 64) | ((UInt128)b << 32) | a;

    /// <summary>SHA1C, SHA1P, SHA1M, SHA1SU0, SHA256H, SHA256H2, SHA256SU1 (opcode bits 14..12).</summary>
    public static void ShaThreeRegister(Cpu cpu, uint insn)
    {
        int opc = (int)Bits(insn, 14, 12);
        if (opc < 4 ? !HasSha1(cpu) : !HasSha256(cpu)) cpu.Undefined(insn);
        cpu.CheckFPAdvSIMDEnabled();
        Set(cpu, Rd(insn), ShaThree(opc, Get(cpu, Rd(insn)), Get(cpu, Rn(insn)), Get(cpu, Rm(insn))), true);
    }

    /// <summary>
    /// The value of SHA1C, SHA1P, SHA1M, SHA1SU0 (opc 0-3), SHA256H, SHA256H2, SHA256SU1 (4-6) from the destination
    /// <paramref name="x"/> and the sources <paramref name="n"/>, <paramref name="w"/> (shared with the A32 forms).
    /// </summary>
    public static UInt128 ShaThree(int opc, UInt128 x, UInt128 n, UInt128 w)
    {
        UInt128 result;
        switch (opc)
        {
            case 0: case 1: case 2:
            {
                uint y = (uint)n;
                for (int e = 0; e < 4; e++)
                {
                    uint t = opc == 0 ? Choose(E(x, 1), E(x, 2), E(x, 3)) : opc == 1 ? Parity(E(x, 1), E(x, 2), E(x, 3)) : Majority(E(x, 1), E(x, 2), E(x, 3));
                    y = y + BitOperations.RotateLeft(E(x, 0), 5) + t + E(w, e);
                    uint x1 = BitOperations.RotateLeft(E(x, 1), 30);
                    uint newY = E(x, 3);
                    x = Lanes(y, E(x, 0), x1, E(x, 2));
                    y = newY;
                }
                result = x;
                break;
            }
            case 3: // SHA1SU0
                result = (((UInt128)(ulong)n << 64) | (x >> 64)) ^ x ^ w;
                break;
            case 4: result = Sha256Hash(x, n, w, true); break;
            case 5: result = Sha256Hash(n, x, w, false); break;
            default: // SHA256SU1
            {
                UInt128 t0 = ((UInt128)E(w, 0) << 96) | (n >> 32);
                uint r0 = Sigma1Small(E(w, 2)) + E(x, 0) + E(t0, 0);
                uint r1 = Sigma1Small(E(w, 3)) + E(x, 1) + E(t0, 1);
                uint r2 = Sigma1Small(r0) + E(x, 2) + E(t0, 2);
                uint r3 = Sigma1Small(r1) + E(x, 3) + E(t0, 3);
                result = Lanes(r0, r1, r2, r3);
                break;
            }
        }
        return result;
    }

    private static uint Sigma1Small(uint x) => BitOperations.RotateRight(x, 17) ^ BitOperations.RotateRight(x, 19) ^ (x >> 10);

    // SHA256hash: four rounds; returns X for SHA256H and Y for SHA256H2.
    private static UInt128 Sha256Hash(UInt128 x, UInt128 y, UInt128 w, bool part1)
    {
        for (int e = 0; e < 4; e++)
        {
            uint chs = Choose(E(y, 0), E(y, 1), E(y, 2));
            uint maj = Majority(E(x, 0), E(x, 1), E(x, 2));
            uint y0 = E(y, 0), x0 = E(x, 0);
            uint t = E(y, 3) + (BitOperations.RotateRight(y0, 6) ^ BitOperations.RotateRight(y0, 11) ^ BitOperations.RotateRight(y0, 25)) + chs + E(w, e);
            uint x3 = t + E(x, 3);
            uint y3 = t + (BitOperations.RotateRight(x0, 2) ^ BitOperations.RotateRight(x0, 13) ^ BitOperations.RotateRight(x0, 22)) + maj;
            // <Y, X> = ROL(Y : X, 32)
            UInt128 newX = Lanes(y3, E(x, 0), E(x, 1), E(x, 2));
            UInt128 newY = Lanes(x3, E(y, 0), E(y, 1), E(y, 2));
            x = newX;
            y = newY;
        }
        return part1 ? x : y;
    }

    /// <summary>SHA1H, SHA1SU1, SHA256SU0 (opcode bits 16..12).</summary>
    public static void ShaTwoRegister(Cpu cpu, uint insn)
    {
        int opc = (int)Bits(insn, 16, 12);
        if (opc < 2 ? !HasSha1(cpu) : !HasSha256(cpu)) cpu.Undefined(insn);
        cpu.CheckFPAdvSIMDEnabled();
        Set(cpu, Rd(insn), ShaTwo(opc, Get(cpu, Rd(insn)), Get(cpu, Rn(insn))), true);
    }

    /// <summary>The value of SHA1H (opc 0), SHA1SU1 (1), SHA256SU0 (2) from the destination <paramref name="x"/> and source <paramref name="y"/>.</summary>
    public static UInt128 ShaTwo(int opc, UInt128 x, UInt128 y)
    {
        UInt128 result;
        switch (opc)
        {
            case 0: result = BitOperations.RotateLeft((uint)y, 30); break; // SHA1H
            case 1: // SHA1SU1
            {
                UInt128 t = x ^ (y >> 32);
                uint w0 = BitOperations.RotateLeft(E(t, 0), 1), w1 = BitOperations.RotateLeft(E(t, 1), 1), w2 = BitOperations.RotateLeft(E(t, 2), 1);
                uint w3 = BitOperations.RotateLeft(E(t, 3), 1) ^ BitOperations.RotateLeft(E(t, 0), 2);
                result = Lanes(w0, w1, w2, w3);
                break;
            }
            default: // SHA256SU0
            {
                UInt128 t = ((UInt128)E(y, 0) << 96) | (x >> 32);
                uint r0 = S0(E(t, 0)) + E(x, 0), r1 = S0(E(t, 1)) + E(x, 1), r2 = S0(E(t, 2)) + E(x, 2), r3 = S0(E(t, 3)) + E(x, 3);
                result = Lanes(r0, r1, r2, r3);
                break;
            }
        }
        return result;
        static uint S0(uint e) => BitOperations.RotateRight(e, 7) ^ BitOperations.RotateRight(e, 18) ^ (e >> 3);
    }
}
