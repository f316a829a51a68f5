/*
 * FP/AdvSIMD guest, built with -O3 and the FP/SIMD registers allowed (see the Makefile): auto-vectorised loops,
 * byte copy and string length loops, AES-128 (FIPS-197 appendix C.1) and SHA-256 (FIPS 180-4) through the
 * ARMv8 Cryptographic Extension intrinsics, CRC32/CRC32C through the ACLE __crc32* intrinsics, and scalar
 * double/float arithmetic. Every result is printed as hex so that the output compares bit for bit.
 */
#include <arm_acle.h>
#include <arm_neon.h>
#include <stddef.h>
#include "guest.h"

#define N 1024

static int32_t ia[N], ib[N], ic[N];
static uint8_t ba[N], bb[N], bc[N];
static int16_t ha[N], hb[N];
static float fa[N], fb[N], fc[N];
static double da[N], db[N];
static char text[N + 64];
static uint8_t copy_src[N + 7], copy_dst[N + 7];

static uint64_t fnv(const void *p, size_t n)
{
    const uint8_t *b = p;
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 0x100000001b3ull;
    return h;
}

static uint64_t bits_d(double d) { union { double d; uint64_t u; } v = { .d = d }; return v.u; }
static uint64_t bits_f(float f) { union { float f; uint32_t u; } v = { .f = f }; return v.u; }

static void __attribute__((noinline)) fill(void)
{
    uint32_t s = 12345;
    for (int i = 0; i < N; i++) {
        s = s * 1103515245u + 12345u;
        ia[i] = (int32_t)s >> 7;
        ib[i] = (int32_t)(s >> 16) - 30000;
        ba[i] = (uint8_t)(s >> 9);
        bb[i] = (uint8_t)(s >> 19);
        ha[i] = (int16_t)(s >> 3);
        hb[i] = (int16_t)(s >> 13);
        fa[i] = (float)(int32_t)(s >> 8) / 4096.0f;
        fb[i] = (float)(i + 1) * 0.375f;
        da[i] = (double)(int32_t)s / 65536.0;
        db[i] = 1.0 / (double)(i + 3);
        copy_src[i] = (uint8_t)(s >> 24);
    }
}

static void __attribute__((noinline)) vector_loops(void)
{
    for (int i = 0; i < N; i++) ic[i] = ia[i] * 3 + (ib[i] >> 2) - (ia[i] & ib[i]);
    for (int i = 0; i < N; i++) { unsigned t = ba[i] + bb[i]; bc[i] = t > 255 ? 255 : (uint8_t)t; }
    for (int i = 0; i < N; i++) ha[i] = (int16_t)((ha[i] * hb[i]) >> 8);
    for (int i = 0; i < N; i++) fc[i] = fa[i] * fb[i] + fa[i] / fb[i];
    for (int i = 0; i < N; i++) da[i] = da[i] * db[i] - db[i];
    int64_t isum = 0;
    for (int i = 0; i < N; i++) isum += ic[i];
    uint32_t bmax = 0, bsum = 0;
    for (int i = 0; i < N; i++) { bsum += bc[i]; if (bc[i] > bmax) bmax = bc[i]; }
    int32_t hmin = 0x7fffffff;
    for (int i = 0; i < N; i++) if (ha[i] < hmin) hmin = ha[i];
    print("vec int32  %x sum %x\n", fnv(ic, sizeof ic), (uint64_t)isum);
    print("vec uint8  %x sum %x max %x\n", fnv(bc, sizeof bc), (uint64_t)bsum, (uint64_t)bmax);
    print("vec int16  %x min %x\n", fnv(ha, sizeof ha), (uint64_t)(uint32_t)hmin);
    print("vec float  %x\n", fnv(fc, sizeof fc));
    print("vec double %x\n", fnv(da, sizeof da));
}

static void __attribute__((noinline)) byte_copy(uint8_t *d, const uint8_t *s, size_t n)
{
    for (size_t i = 0; i < n; i++) d[i] = s[i];
}

static size_t __attribute__((noinline)) string_length(const char *s)
{
    size_t n = 0;
    while (s[n]) n++;
    return n;
}

static void __attribute__((noinline)) strings(void)
{
    for (size_t n = 0; n < 40; n += 13) {
        for (size_t i = 0; i < sizeof copy_dst; i++) copy_dst[i] = (uint8_t)n;
        byte_copy(copy_dst + 1, copy_src + 3, N - n);
        print("copy %d %x\n", (uint64_t)n, fnv(copy_dst, sizeof copy_dst));
    }
    for (int i = 0; i < N; i++) text[i] = (char)('a' + i % 26);
    size_t lens[] = { 0, 1, 15, 16, 17, 100, 1000 };
    for (unsigned i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        char saved = text[lens[i]];
        text[lens[i]] = 0;
        print("strlen %d\n", (uint64_t)string_length(text));
        text[lens[i]] = saved;
    }
}

/* FIPS-197 5.2 KeyExpansion; SubWord uses AESE with a zero round key on four copies of the word (ShiftRows
 * then only permutes equal columns). */
static uint32_t sub_word(uint32_t w)
{
    uint8x16_t v = vreinterpretq_u8_u32(vdupq_n_u32(w));
    return vgetq_lane_u32(vreinterpretq_u32_u8(vaeseq_u8(v, vdupq_n_u8(0))), 0);
}

static void __attribute__((noinline)) aes128(void)
{
    static const uint8_t key[16] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };
    static const uint8_t plain[16] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
                                       0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff };
    uint32_t w[44];
    uint32_t rcon = 1;
    for (int i = 0; i < 4; i++)
        w[i] = key[4 * i] | key[4 * i + 1] << 8 | key[4 * i + 2] << 16 | (uint32_t)key[4 * i + 3] << 24;
    for (int i = 4; i < 44; i++) {
        uint32_t t = w[i - 1];
        if (i % 4 == 0) {
            t = sub_word((t >> 8) | (t << 24)) ^ rcon;
            rcon = (rcon << 1) ^ ((rcon >> 7) * 0x11b);
        }
        w[i] = w[i - 4] ^ t;
    }
    uint8x16_t rk[11];
    for (int r = 0; r < 11; r++) rk[r] = vreinterpretq_u8_u32(vld1q_u32(&w[4 * r]));

    uint8x16_t s = vld1q_u8(plain);
    for (int r = 0; r < 9; r++) s = vaesmcq_u8(vaeseq_u8(s, rk[r]));
    s = veorq_u8(vaeseq_u8(s, rk[9]), rk[10]);
    uint8_t out[16];
    vst1q_u8(out, s);
    print("aes128 enc ");
    for (int i = 0; i < 16; i++) print("%x%x", (uint64_t)(out[i] >> 4), (uint64_t)(out[i] & 15));

    /* Equivalent inverse cipher (FIPS-197 5.3.5): AESD with round keys 9..1 passed through InvMixColumns. */
    s = vaesimcq_u8(vaesdq_u8(s, rk[10]));
    for (int r = 9; r > 1; r--) s = vaesimcq_u8(vaesdq_u8(s, vaesimcq_u8(rk[r])));
    s = veorq_u8(vaesdq_u8(s, vaesimcq_u8(rk[1])), rk[0]);
    vst1q_u8(out, s);
    print("\naes128 dec ");
    for (int i = 0; i < 16; i++) print("%x%x", (uint64_t)(out[i] >> 4), (uint64_t)(out[i] & 15));
    print("\n");
}

/* FIPS 180-4 6.2: SHA-256 with SHA256H/SHA256H2/SHA256SU0/SHA256SU1. */
static const uint32_t K256[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static void sha256_block(uint32x4_t *abcd, uint32x4_t *efgh, const uint8_t *p)
{
    uint32x4_t m[4];
    for (int i = 0; i < 4; i++) m[i] = vreinterpretq_u32_u8(vrev32q_u8(vld1q_u8(p + 16 * i)));
    uint32x4_t a = *abcd, e = *efgh;
    for (int i = 0; i < 16; i++) {
        uint32x4_t wk = vaddq_u32(m[i & 3], vld1q_u32(&K256[4 * i]));
        uint32x4_t a0 = a;
        a = vsha256hq_u32(a, e, wk);
        e = vsha256h2q_u32(e, a0, wk);
        if (i < 12) m[i & 3] = vsha256su1q_u32(vsha256su0q_u32(m[i & 3], m[(i + 1) & 3]), m[(i + 2) & 3], m[(i + 3) & 3]);
    }
    *abcd = vaddq_u32(*abcd, a);
    *efgh = vaddq_u32(*efgh, e);
}

static void sha256(const uint8_t *data, size_t n, uint8_t out[32])
{
    static const uint32_t h0[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                    0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
    uint32x4_t abcd = vld1q_u32(h0), efgh = vld1q_u32(h0 + 4);
    size_t i = 0;
    for (; i + 64 <= n; i += 64) sha256_block(&abcd, &efgh, data + i);
    uint8_t last[128] = { 0 };
    size_t rest = n - i;
    for (size_t j = 0; j < rest; j++) last[j] = data[i + j];
    last[rest] = 0x80;
    size_t blocks = rest + 9 > 64 ? 2 : 1;
    uint64_t bitlen = (uint64_t)n * 8;
    for (int j = 0; j < 8; j++) last[blocks * 64 - 1 - j] = (uint8_t)(bitlen >> (8 * j));
    for (size_t b = 0; b < blocks; b++) sha256_block(&abcd, &efgh, last + 64 * b);
    vst1q_u8(out, vrev32q_u8(vreinterpretq_u8_u32(abcd)));
    vst1q_u8(out + 16, vrev32q_u8(vreinterpretq_u8_u32(efgh)));
}

static void __attribute__((noinline)) sha(void)
{
    uint8_t out[32];
    static const uint8_t abc[3] = { 'a', 'b', 'c' };
    sha256(abc, 3, out);
    print("sha256 abc ");
    for (int i = 0; i < 32; i++) print("%x%x", (uint64_t)(out[i] >> 4), (uint64_t)(out[i] & 15));
    sha256(copy_src, 1000, out);
    print("\nsha256 buf ");
    for (int i = 0; i < 32; i++) print("%x%x", (uint64_t)(out[i] >> 4), (uint64_t)(out[i] & 15));
    print("\n");
}

static void __attribute__((noinline)) crc(void)
{
    uint32_t c = 0xffffffff, cc = 0xffffffff;
    size_t i = 0;
    for (; i + 8 <= 1000; i += 8) {
        uint64_t v = 0;
        for (int j = 0; j < 8; j++) v |= (uint64_t)copy_src[i + j] << (8 * j);
        c = __crc32d(c, v);
        cc = __crc32cd(cc, v);
    }
    c = __crc32w(c, 0x04030201u);
    cc = __crc32cw(cc, 0x04030201u);
    c = __crc32h(c, 0x0605);
    cc = __crc32ch(cc, 0x0605);
    c = __crc32b(c, 0x07);
    cc = __crc32cb(cc, 0x07);
    print("crc32 %x crc32c %x\n", (uint64_t)~c, (uint64_t)~cc);
}

static void __attribute__((noinline)) scalar_math(void)
{
    volatile double x = 2.0, y = 3.0, tiny = 0x1p-1070, big = 0x1.fffffffffffffp1023;
    volatile float xf = 10.0f, yf = 3.0f;
    print("sqrt2  %x\n", bits_d(__builtin_sqrt(x)));
    print("div    %x %x\n", bits_d(x / y), bits_f(xf / yf));
    print("fma    %x\n", bits_d(__builtin_fma(x / y, y, -x)));
    print("round  %x %x %x %x\n", bits_d(__builtin_floor(-x / y)), bits_d(__builtin_ceil(-x / y)),
          bits_d(__builtin_round(2.5)), bits_d(__builtin_trunc(-2.7 * x)));
    print("denorm %x %x\n", bits_d(tiny * 0.75), bits_d(tiny / 3.0));
    print("ovf    %x %x\n", bits_d(big * x), bits_d(-big - big));
    print("cvt    %x %x %x\n", (uint64_t)(int64_t)(-x * 1e10), (uint64_t)(uint32_t)(xf * 1e9f), bits_f((float)(x / y)));
    volatile double inf = big * x;
    print("nan    %x\n", bits_d(inf - inf));
    /* Leibniz series for pi and a float harmonic sum: long dependent chains of FADD/FDIV. */
    double pi = 0;
    for (int k = 0; k < 2000; k++) pi += (k & 1 ? -4.0 : 4.0) / (2 * k + 1);
    float h = 0;
    for (int k = 1; k <= 2000; k++) h += 1.0f / (float)k;
    print("pi     %x %d\n", bits_d(pi), (uint64_t)(int64_t)(pi * 1e9));
    print("harm   %x %d\n", bits_f(h), (uint64_t)(int64_t)(h * 1e6f));
    uint64_t fpsr;
    __asm__ volatile("mrs %0, fpsr" : "=r"(fpsr));
    print("fpsr   %x\n", fpsr);
}

static void __attribute__((noinline)) run(unsigned el)
{
    print("simd guest at EL%d\n", (uint64_t)el);
    fill();
    vector_loops();
    strings();
    aes128();
    sha();
    crc();
    scalar_math();
    print("done\n");
}

/* This guest takes no exceptions: report one and power off (general registers only, FP state untouched). */
__attribute__((target("general-regs-only"))) void exception_handler(struct frame *f, unsigned idx, unsigned el)
{
    print("unexpected exception: vector %d EL%d ESR %x ELR %x FAR %x\n", (uint64_t)idx, (uint64_t)el, f->esr, f->elr, f->far);
    system_off();
}

/* Runs before any FP/SIMD instruction: CPACR_EL1.FPEN = 0b11 (no EL0/EL1 trap) and, at EL2, CPTR_EL2.TFP = 0. */
__attribute__((target("general-regs-only"))) int main(unsigned el)
{
    WRITE_SYSREG(cpacr_el1, READ_SYSREG(cpacr_el1) | (3ull << 20));
    if (el == 2) WRITE_SYSREG(cptr_el2, READ_SYSREG(cptr_el2) & ~(1ull << 10));
    ISB();
    run(el);
    return 0;
}
