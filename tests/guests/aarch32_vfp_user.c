/*
 * The AArch32 half of aarch32_vfp.elf and aarch32_vfp_thumb.elf: a program built with arm-linux-gnueabihf-gcc
 * -march=armv8-a+crc -mfpu=crypto-neon-fp-armv8 -mfloat-abi=hard -mfp16-format=ieee -O3 (A32, and T32 with -mthumb) that aarch32.c's EL1
 * (built with -DFP_ENABLED: CPACR_EL1.FPEN = 0b11) runs at EL0. Float and double math through VFP (arithmetic, fused
 * and chained multiply-add, square root, conversions to and from integers, fixed point and half precision, rounding
 * modes set in FPSCR, flush-to-zero, default NaN, the cumulative exception flags), loops gcc vectorizes into Advanced
 * SIMD (saxpy, dot products, byte sums, min/max, shifts, widening multiplies), and Advanced SIMD intrinsics (table
 * lookups, zips, saturating arithmetic, structure loads and stores, AES, SHA-256, polynomial multiply, CRC32). Results
 * are printed as hexadecimal bit patterns through SVC #2, so that the output compares bit for bit with QEMU.
 */
#include <stdint.h>
#include <arm_neon.h>
#include <arm_acle.h>

#define SVC(n, a, b) do { register uint32_t r0_ __asm__("r0") = (uint32_t)(a); register uint32_t r1_ __asm__("r1") = (uint32_t)(b); \
    __asm__ volatile("svc %2" : "+r"(r0_) : "r"(r1_), "i"(n) : "memory"); } while (0)

static void puts32(const char *s) { SVC(1, s, 0); }
static void show(const char *name, uint32_t v) { SVC(2, name, v); }
static uint32_t fbits(float f) { union { float f; uint32_t u; } x = { f }; return x.u; }
static void showf(const char *name, float f) { show(name, fbits(f)); }
static void showd(const char *name, double d)
{
    union { double d; uint64_t u; } x = { d };
    show(name, (uint32_t)(x.u >> 32));
    show("  (low word)", (uint32_t)x.u);
}

static inline float opaquef(float v) { __asm__ volatile("" : "+w"(v)); return v; }
static inline double opaqued(double v) { __asm__ volatile("" : "+w"(v)); return v; }

static uint32_t get_fpscr(void) { uint32_t v; __asm__ volatile("vmrs %0, fpscr" : "=r"(v)); return v; }
static void set_fpscr(uint32_t v) { __asm__ volatile("vmsr fpscr, %0" :: "r"(v) : "memory"); }

#define N 64
static float xs[N], ys[N];
static int32_t ia[N], ib[N];
static int16_t ha[N], hb[N];
static uint8_t bytes[256];

static uint32_t lcg = 2024;
static uint32_t next_random(void) { lcg = lcg * 1664525u + 1013904223u; return lcg; }

static void __attribute__((noinline)) saxpy(float a, const float *x, float *y, int n)
{
    for (int i = 0; i < n; i++) y[i] = a * x[i] + y[i];
}

static int32_t __attribute__((noinline)) dot(const int32_t *a, const int32_t *b, int n)
{
    int32_t s = 0;
    for (int i = 0; i < n; i++) s += a[i] * b[i];
    return s;
}

static int32_t __attribute__((noinline)) dot16(const int16_t *a, const int16_t *b, int n)
{
    int32_t s = 0;
    for (int i = 0; i < n; i++) s += (int32_t)a[i] * b[i];
    return s;
}

static uint32_t __attribute__((noinline)) byte_sum(const uint8_t *p, int n)
{
    uint32_t s = 0;
    for (int i = 0; i < n; i++) s += p[i];
    return s;
}

static void __attribute__((noinline)) clamp_shift(int32_t *a, int n)
{
    for (int i = 0; i < n; i++) {
        int32_t v = a[i] >> 3;
        a[i] = v < -1000 ? -1000 : v > 1000 ? 1000 : v;
    }
}

static float __attribute__((noinline)) fmax_of(const float *a, int n)
{
    float m = a[0];
    for (int i = 1; i < n; i++) m = a[i] > m ? a[i] : m;
    return m;
}

static void scalar_math(void)
{
    puts32("VFP scalar math\n");
    float a = opaquef(1.5f), b = opaquef(-2.25f), c = opaquef(3.0e-39f); /* c is a denormal */
    showf("a*b+c", a * b + c);
    showf("a/b", a / b);
    showf("sqrt(2)", __builtin_sqrtf(opaquef(2.0f)));
    showf("fma(a,b,1/3)", __builtin_fmaf(a, b, opaquef(1.0f / 3.0f)));
    showf("c*c (underflow)", c * c);
    showf("1/0", opaquef(1.0f) / opaquef(0.0f));
    double d = opaqued(1.0) / opaqued(3.0);
    showd("1/3", d);
    showd("sqrt(1/3)", __builtin_sqrt(d));
    showd("(float)(1/3) widened", (double)(float)d);
    show("(int)-2.75f", (uint32_t)(int32_t)opaquef(-2.75f));
    show("(unsigned)3e9f", (uint32_t)opaquef(3.0e9f));
    show("(int)1e10 (saturates)", (uint32_t)(int32_t)opaqued(1.0e10));
    showf("(float)0x7fffffff", (float)(int32_t)opaquef(0) + (float)0x7fffffff);
    showd("(double)-123456789", (double)(int32_t)(-123456789 + (int32_t)opaquef(0.0f)));
    __fp16 h = (__fp16)opaquef(65504.0f);
    showf("(float)(__fp16)65504", (float)h);
    h = (__fp16)opaquef(1.0e-5f);
    showf("(float)(__fp16)1e-5", (float)h);
    showf("rintf(2.5)", __builtin_rintf(opaquef(2.5f)));
    showf("roundf(2.5)", __builtin_roundf(opaquef(2.5f)));
    showf("floorf(-2.5)", __builtin_floorf(opaquef(-2.5f)));
    showf("ceilf(-2.5)", __builtin_ceilf(opaquef(-2.5f)));
    showf("truncf(-2.5)", __builtin_truncf(opaquef(-2.5f)));
    showf("fmaxf(nan,1)", __builtin_fmaxf(opaquef(__builtin_nanf("")), opaquef(1.0f)));
    show("lroundf(-3.5)", (uint32_t)__builtin_lroundf(opaquef(-3.5f)));
    show("FPSCR flags", get_fpscr());

    set_fpscr(3u << 22); /* round towards zero */
    showf("RZ: 1/3", opaquef(1.0f) / opaquef(3.0f));
    showf("RZ: rintf(2.7)", __builtin_rintf(opaquef(2.7f)));
    set_fpscr(1u << 22); /* round towards +infinity */
    showf("RP: -1/3", opaquef(-1.0f) / opaquef(3.0f));
    set_fpscr(1u << 24); /* flush to zero */
    showf("FZ: c + 0", c + opaquef(0.0f));
    show("FZ: FPSCR", get_fpscr());
    set_fpscr(1u << 25); /* default NaN */
    showf("DN: nan payload", opaquef(__builtin_nanf("0x123")) + opaquef(1.0f));
    set_fpscr(0);
    showf("nan payload", opaquef(__builtin_nanf("0x123")) + opaquef(1.0f));
    int lt = opaquef(1.0f) < opaquef(__builtin_nanf(""));
    show("1 < nan", (uint32_t)lt);
    show("FPSCR after compare", get_fpscr());
    set_fpscr(0);
}

static void vector_loops(void)
{
    puts32("vectorized loops\n");
    for (int i = 0; i < N; i++) {
        xs[i] = (float)(int32_t)(next_random() >> 16) / 256.0f;
        ys[i] = (float)i * 0.5f;
        ia[i] = (int32_t)next_random() >> 12;
        ib[i] = (int32_t)(next_random() >> 20) - 2048;
        ha[i] = (int16_t)next_random();
        hb[i] = (int16_t)(next_random() >> 7);
    }
    for (int i = 0; i < 256; i++) bytes[i] = (uint8_t)next_random();
    saxpy(opaquef(0.75f), xs, ys, N);
    uint32_t h = 0;
    for (int i = 0; i < N; i++) h = (h << 3 | h >> 29) ^ fbits(ys[i]);
    show("saxpy hash", h);
    show("dot", (uint32_t)dot(ia, ib, N));
    show("dot16", (uint32_t)dot16(ha, hb, N));
    show("byte sum", byte_sum(bytes, 256));
    clamp_shift(ia, N);
    h = 0;
    for (int i = 0; i < N; i++) h = h * 31 + (uint32_t)ia[i];
    show("clamp hash", h);
    showf("max", fmax_of(xs, N));
}

static void intrinsics(void)
{
    puts32("Advanced SIMD intrinsics\n");
    uint8x16_t v = vld1q_u8(bytes);
    uint8x8_t idx = vcreate_u8(0x0f0e0d0c03020100ull + (uint64_t)get_fpscr());
    uint8x8_t t = vtbl2_u8((uint8x8x2_t){ { vget_low_u8(v), vget_high_u8(v) } }, idx);
    show("vtbl2", vget_lane_u32(vreinterpret_u32_u8(t), 0));
    uint16x8x2_t z = vzipq_u16(vreinterpretq_u16_u8(v), vreinterpretq_u16_u8(vrev64q_u8(v)));
    show("vzip", vgetq_lane_u32(vreinterpretq_u32_u16(z.val[1]), 3));
    int16x8_t s = vqaddq_s16(vld1q_s16(ha), vld1q_s16(hb));
    s = vqrdmulhq_s16(s, vdupq_n_s16(0x7000));
    show("vqadd/vqrdmulh", (uint32_t)vgetq_lane_s16(s, 5) & 0xffff);
    show("QC", (get_fpscr() >> 27) & 1);
    set_fpscr(0);
    uint8x16x3_t rgb = vld3q_u8(bytes + 16);
    uint8x16_t gray = vhaddq_u8(vhaddq_u8(rgb.val[0], rgb.val[1]), rgb.val[2]);
    vst1q_u8(bytes + 128, gray);
    show("vld3 gray", byte_sum(bytes + 128, 16));
    float32x4_t f = vld1q_f32(xs);
    float32x4_t r = vrecpeq_f32(f);
    r = vmulq_f32(r, vrecpsq_f32(f, r));
    show("vrecpe/vrecps", fbits(vgetq_lane_f32(r, 2)));
    int32x4_t cv = vcvtq_n_s32_f32(f, 8);
    show("vcvt fixed", (uint32_t)vgetq_lane_s32(cv, 1));
    uint8x16_t key = vld1q_u8(bytes + 32), data = vld1q_u8(bytes + 48);
    uint8x16_t aes = vaesmcq_u8(vaeseq_u8(data, key));
    show("AESE+AESMC", vgetq_lane_u32(vreinterpretq_u32_u8(aes), 0));
    uint32x4_t abcd = vld1q_u32((const uint32_t *)(bytes + 64)), efgh = vld1q_u32((const uint32_t *)(bytes + 80));
    uint32x4_t wk = vld1q_u32((const uint32_t *)(bytes + 96));
    show("SHA256H", vgetq_lane_u32(vsha256hq_u32(abcd, efgh, wk), 1));
    poly128_t p = vmull_p64((poly64_t)0x87654321fedcba98ull, (poly64_t)0x0123456789abcdefull);
    union { poly128_t p; uint32_t w[4]; } pw = { p };
    show("VMULL.P64", pw.w[3] ^ pw.w[1]);
    show("CRC32W", __crc32w(0xffffffffu, 0x12345678u));
    show("CRC32CB", __crc32cb(0x1u, 0xabu));
}

uint32_t user_main(void)
{
    puts32("AArch32 VFP and Advanced SIMD at EL0\n");
    show("FPSCR at entry", get_fpscr());
    scalar_math();
    vector_loops();
    intrinsics();
    show("FPSCR at exit", get_fpscr());
    return 0;
}
