using ArmVirt.Cpu.A64.SimdFp;

namespace ArmVirt.Cpu.Tests;

/// <summary>Known-answer tests that compose the crypto instructions into AES-128 (FIPS-197 C.1), SHA-1 and SHA-256 ("abc").</summary>
[TestClass]
public sealed class SimdCryptoTests
{
    private static uint Three(uint baseWord, int d, int n, int m) => baseWord | (uint)(m << 16) | (uint)(n << 5) | (uint)d;

    private static UInt128 V(Cpu cpu, int n) => new(cpu.VElement<ulong>(n, 1), cpu.VElement<ulong>(n, 0));
    private static void SetV(Cpu cpu, int n, UInt128 v) => cpu.SetV128(n, (ulong)v, (ulong)(v >> 64));

    private static UInt128 Bytes(string hex)
    {
        UInt128 v = 0;
        for (int i = 0; i < 16; i++) v |= (UInt128)Convert.ToByte(hex.Substring(2 * i, 2), 16) << (8 * i);
        return v;
    }

    private static UInt128 Words(uint a, uint b, uint c, uint d) => ((UInt128)d << 96) | ((UInt128)c << 64) | ((UInt128)b << 32) | a;
    private static uint Word(UInt128 v, int i) => (uint)(v >> (32 * i));
    private static UInt128 AddWords(UInt128 x, UInt128 y) => Words(Word(x, 0) + Word(y, 0), Word(x, 1) + Word(y, 1), Word(x, 2) + Word(y, 2), Word(x, 3) + Word(y, 3));

    // FIPS-197 5.2 key expansion, written independently of the emulator's tables.
    private static UInt128[] ExpandKey(UInt128 key)
    {
        var sbox = new byte[256];
        for (int x = 0; x < 256; x++)
        {
            byte inv = 0;
            for (int y = 1; y < 256 && x != 0; y++)
                if (Crypto.GfMul((byte)x, (byte)y) == 1) { inv = (byte)y; break; }
            int b = inv, s = 0x63;
            for (int k = 0; k < 5; k++) s ^= ((b << k) | (b >> (8 - k))) & 0xFF;
            sbox[x] = (byte)s;
        }
        var w = new uint[44];
        for (int i = 0; i < 4; i++) w[i] = Word(key, i);
        byte rcon = 1;
        for (int i = 4; i < 44; i++)
        {
            uint t = w[i - 1];
            if (i % 4 == 0)
            {
                t = (t >> 8) | (t << 24); // RotWord on little-endian byte order
                t = (uint)(sbox[t & 0xFF] | (sbox[(t >> 8) & 0xFF] << 8) | (sbox[(t >> 16) & 0xFF] << 16) | (sbox[t >> 24] << 24));
                t ^= rcon;
                rcon = Crypto.GfMul(rcon, 2);
            }
            w[i] = w[i - 4] ^ t;
        }
        var rk = new UInt128[11];
        for (int r = 0; r < 11; r++) rk[r] = Words(w[4 * r], w[4 * r + 1], w[4 * r + 2], w[4 * r + 3]);
        return rk;
    }

    private static void Aes128(bool host)
    {
        bool saved = Crypto.UseHostIntrinsics;
        Crypto.UseHostIntrinsics = host;
        try
        {
            using var h = new SimdFpHarness();
            var cpu = h.Cpu;
            var rk = ExpandKey(Bytes("000102030405060708090a0b0c0d0e0f"));
            SetV(cpu, 0, Bytes("00112233445566778899aabbccddeeff"));
            for (int r = 0; r < 10; r++)
            {
                SetV(cpu, 1, rk[r]);
                h.Execute(0x4e284820); // aese v0.16b, v1.16b
                if (r < 9) h.Execute(0x4e286800); // aesmc v0.16b, v0.16b
            }
            SetV(cpu, 0, V(cpu, 0) ^ rk[10]);
            Assert.AreEqual(Bytes("69c4e0d86a7b0430d8cdb78070b4c55a"), V(cpu, 0), "FIPS-197 C.1 ciphertext");

            SetV(cpu, 1, rk[10]);
            h.Execute(0x4e285820); // aesd v0.16b, v1.16b
            for (int r = 9; r >= 1; r--)
            {
                h.Execute(0x4e287800); // aesimc v0.16b, v0.16b
                SetV(cpu, 2, rk[r]);
                h.Execute(0x4e287841); // aesimc v1.16b, v2.16b
                h.Execute(0x4e285820); // aesd v0.16b, v1.16b
            }
            SetV(cpu, 0, V(cpu, 0) ^ rk[0]);
            Assert.AreEqual(Bytes("00112233445566778899aabbccddeeff"), V(cpu, 0), "decrypts back to the plaintext");
        }
        finally { Crypto.UseHostIntrinsics = saved; }
    }

    [TestMethod] public void Aes128Fips197WithHostAes() => Aes128(true);
    [TestMethod] public void Aes128Fips197Portable() => Aes128(false);

    private static UInt128[] AbcBlock()
    {
        var w = new uint[16];
        w[0] = 0x61626380;
        w[15] = 0x18;
        var v = new UInt128[4];
        for (int i = 0; i < 4; i++) v[i] = Words(w[4 * i], w[4 * i + 1], w[4 * i + 2], w[4 * i + 3]);
        return v;
    }

    [TestMethod]
    public void Sha256OfAbc()
    {
        uint[] k =
        [
            0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
            0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
            0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
            0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
            0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
            0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
            0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
            0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
        ];
        using var h = new SimdFpHarness();
        var cpu = h.Cpu;
        UInt128 abcd0 = Words(0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a), efgh0 = Words(0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19);
        UInt128 abcd = abcd0, efgh = efgh0;
        var w = new List<UInt128>(AbcBlock());
        for (int i = 0; i < 16; i++)
        {
            UInt128 wk = AddWords(w[i], Words(k[4 * i], k[4 * i + 1], k[4 * i + 2], k[4 * i + 3]));
            SetV(cpu, 0, abcd); SetV(cpu, 1, efgh); SetV(cpu, 2, wk);
            h.Execute(Three(0x5e004000, 0, 1, 2)); // sha256h q0, q1, v2.4s
            UInt128 newAbcd = V(cpu, 0);
            SetV(cpu, 0, efgh); SetV(cpu, 1, abcd);
            h.Execute(Three(0x5e005000, 0, 1, 2)); // sha256h2 q0, q1, v2.4s
            efgh = V(cpu, 0);
            abcd = newAbcd;
            if (i < 12)
            {
                SetV(cpu, 0, w[i]); SetV(cpu, 1, w[i + 1]);
                h.Execute(0x5e282820); // sha256su0 v0.4s, v1.4s
                SetV(cpu, 1, w[i + 2]); SetV(cpu, 2, w[i + 3]);
                h.Execute(Three(0x5e006000, 0, 1, 2)); // sha256su1 v0.4s, v1.4s, v2.4s
                w.Add(V(cpu, 0));
            }
        }
        abcd = AddWords(abcd, abcd0);
        efgh = AddWords(efgh, efgh0);
        string digest = string.Concat(Enumerable.Range(0, 4).Select(i => Word(abcd, i).ToString("x8")))
            + string.Concat(Enumerable.Range(0, 4).Select(i => Word(efgh, i).ToString("x8")));
        Assert.AreEqual("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", digest);
    }

    [TestMethod]
    public void Sha1OfAbc()
    {
        uint[] k = [0x5a827999, 0x6ed9eba1, 0x8f1bbcdc, 0xca62c1d6];
        uint[] h0 = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0];
        using var h = new SimdFpHarness();
        var cpu = h.Cpu;
        UInt128 abcd = Words(h0[0], h0[1], h0[2], h0[3]);
        uint e = h0[4];
        var w = new List<UInt128>(AbcBlock());
        for (int i = 0; i < 20; i++)
        {
            UInt128 wk = AddWords(w[i], Words(k[i / 5], k[i / 5], k[i / 5], k[i / 5]));
            SetV(cpu, 1, abcd);
            h.Execute(0x5e280820); // sha1h s0, s1
            uint nextE = cpu.VElement<uint>(0, 0);
            uint baseWord = i < 5 ? 0x5e000000u : i < 10 ? 0x5e001000u : i < 15 ? 0x5e002000u : 0x5e001000u; // C, P, M, P
            SetV(cpu, 0, abcd); cpu.SetVScalar(1, 32, e); SetV(cpu, 2, wk);
            h.Execute(Three(baseWord, 0, 1, 2));
            abcd = V(cpu, 0);
            e = nextE;
            if (i < 16)
            {
                SetV(cpu, 0, w[i]); SetV(cpu, 1, w[i + 1]); SetV(cpu, 2, w[i + 2]);
                h.Execute(Three(0x5e003000, 0, 1, 2)); // sha1su0 v0.4s, v1.4s, v2.4s
                SetV(cpu, 1, w[i + 3]);
                h.Execute(0x5e281820); // sha1su1 v0.4s, v1.4s
                w.Add(V(cpu, 0));
            }
        }
        string digest = string.Concat(Enumerable.Range(0, 4).Select(i => (Word(abcd, i) + h0[i]).ToString("x8"))) + (e + h0[4]).ToString("x8");
        Assert.AreEqual("a9993e364706816aba3e25717850c26c9cd0d89d", digest);
    }

    [TestMethod]
    [DataRow(true)]
    [DataRow(false)]
    public void Pmull64KnownProducts(bool host)
    {
        bool saved = CarrylessMultiply.UseHostIntrinsics;
        CarrylessMultiply.UseHostIntrinsics = host;
        try
        {
            using var h = new SimdFpHarness();
            var cpu = h.Cpu;
            cpu.SetV128(1, 0x8000000000000001, ulong.MaxValue);
            cpu.SetV128(2, 3, ulong.MaxValue);
            h.Execute(0x0ee2e020); // pmull v0.1q, v1.1d, v2.1d
            Assert.AreEqual(new UInt128(1, 0x8000000000000003), V(cpu, 0));
            h.Execute(0x4ee2e020); // pmull2 v0.1q, v1.2d, v2.2d
            Assert.AreEqual(new UInt128(0x5555555555555555, 0x5555555555555555), V(cpu, 0));
        }
        finally { CarrylessMultiply.UseHostIntrinsics = saved; }
    }
}
