/*
 * The AArch32 half of aarch32.elf and aarch32_thumb.elf: an A32 (or, built with -mthumb, T32) program that aarch32.c's EL1 copies to USER_BASE and enters at EL0 in
 * AArch32 User mode (SPSR_EL1.M = 0b10000). Built with arm-linux-gnueabihf-gcc -marm -march=armv8-a, general
 * registers only. It reaches its EL1 through SVCs: #1 prints the string at r0, #2 prints "r0 = r1" with r0 a string
 * and r1 a value, #0 exits. Integer kernels exercise data processing, multiplies, divides, loads and stores in every
 * width, LDM/STM, jump tables (loads to the PC), calls through pointers (BLX), exclusives (LDAEX/STLEX), saturation
 * and the bit-manipulation instructions, the generic timer through MRC/MRRC, unaligned loads and stores (the MMU is on);
 * then deliberate exceptions: a permission fault on EL1's memory, counter reads
 * trapped by CNTKCTL_EL1, UDF, BKPT, a trapped WFI with a condition, a trapped VFP instruction, an unaligned LDREX and
 * permission faults of LDM/STM, LDR, LDRH, LDRD and STRB with write-back (base and loaded registers checked unchanged).
 */
#include <stdint.h>
#include <arm_acle.h>

#define SVC(n, a, b) do { register uint32_t r0_ __asm__("r0") = (uint32_t)(a); register uint32_t r1_ __asm__("r1") = (uint32_t)(b); \
    __asm__ volatile("svc %2" : "+r"(r0_) : "r"(r1_), "i"(n) : "memory"); } while (0)

static void puts32(const char *s) { SVC(1, s, 0); }
static void show(const char *name, uint32_t v) { SVC(2, name, v); }

static inline uint32_t opaque(uint32_t v) { __asm__ volatile("" : "+r"(v)); return v; }

static uint32_t crc_table[256];

static uint32_t crc32(const uint8_t *p, uint32_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    for (uint32_t i = 0; i < n; i++) c = crc_table[(c ^ p[i]) & 0xFF] ^ (c >> 8);
    return ~c;
}

static uint32_t lcg = 12345;
static uint32_t next_random(void) { lcg = lcg * 1103515245u + 12345u; return lcg >> 1; }

static int32_t values[64];
static uint16_t halves[64];
static uint8_t bytes[64];

static uint32_t sort_checksum(void)
{
    for (int i = 0; i < 64; i++) values[i] = (int32_t)next_random() - 0x40000000;
    for (int i = 1; i < 64; i++) {
        int32_t v = values[i];
        int j = i - 1;
        while (j >= 0 && values[j] > v) { values[j + 1] = values[j]; j--; }
        values[j + 1] = v;
    }
    uint32_t sum = 0;
    for (int i = 0; i < 64; i++) sum = (sum << 5 | sum >> 27) ^ (uint32_t)values[i];
    return sum;
}

/* A switch dense enough for a jump table (ldr pc, [pc, rN, lsl #2]). */
static uint32_t __attribute__((noinline)) dispatch(uint32_t op, uint32_t a, uint32_t b)
{
    switch (op) {
    case 0: return a + b;
    case 1: return a - b;
    case 2: return a * b;
    case 3: return b ? a / b : 0xDEAD;
    case 4: return (uint32_t)((int32_t)a / (int32_t)(b | 1));
    case 5: return a << (b & 31);
    case 6: return (uint32_t)((int32_t)a >> (b & 31));
    case 7: return a ^ ~b;
    case 8: return __builtin_clz(a | 1);
    case 9: return __builtin_bswap32(a);
    default: return op;
    }
}

typedef uint32_t (*binop)(uint32_t, uint32_t);
static uint32_t __attribute__((noinline)) rotl(uint32_t a, uint32_t b) { return a << (b & 31) | a >> ((32 - b) & 31); }
static uint32_t __attribute__((noinline)) mulhi(uint32_t a, uint32_t b) { return (uint32_t)(((uint64_t)a * b) >> 32); }
static uint32_t __attribute__((noinline)) smulhi(uint32_t a, uint32_t b) { return (uint32_t)(((int64_t)(int32_t)a * (int32_t)b) >> 32); }
static const binop ops[] = { rotl, mulhi, smulhi };

struct fields { uint32_t a : 5, b : 11, c : 3, d : 13; };

static volatile uint32_t counter;

int user_main(void)
{
#ifdef __thumb__
    puts32("AArch32 EL0: hello from T32\n");
#else
    puts32("AArch32 EL0: hello from A32\n");
#endif

    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        crc_table[i] = c;
    }
    static const char text[] = "The quick brown fox jumps over the lazy dog";
    show("crc32", crc32((const uint8_t *)text, sizeof text - 1));
    show("sort", sort_checksum());

    uint32_t acc = 0;
    for (uint32_t op = 0; op < 11; op++) acc = acc * 31 + dispatch(op, opaque(0x12345678u + op), opaque(op * 3 + 1));
    show("dispatch", acc);

    acc = 0;
    for (uint32_t i = 0; i < 30; i++) acc += ops[i % 3](next_random(), next_random());
    show("pointers", acc);

    uint64_t wide = 0x0123456789ABCDEFull;
    for (int i = 0; i < 20; i++) wide = wide * 0x9E3779B97F4A7C15ull + (wide >> 7) - opaque(i);
    show("wide-lo", (uint32_t)wide);
    show("wide-hi", (uint32_t)(wide >> 32));

    for (int i = 0; i < 64; i++) { halves[i] = (uint16_t)next_random(); bytes[i] = (uint8_t)next_random(); }
    int32_t sx = 0;
    for (int i = 0; i < 64; i++) sx += (int16_t)halves[i] * (int8_t)bytes[63 - i];
    show("signed-loads", (uint32_t)sx);

    struct fields f = { 0 };
    for (int i = 0; i < 16; i++) { f.a += i; f.b ^= next_random(); f.c = f.c * 3 + 1; f.d += f.b >> 2; }
    show("bitfields", f.a | f.b << 5 | (uint32_t)f.c << 16 | (uint32_t)f.d << 19);

    int32_t sat = 0;
    for (int i = 0; i < 32; i++) sat = __qadd(sat, (int32_t)(next_random() << 1)) ^ __ssat((int32_t)next_random() - 0x40000000, 12);
    show("saturate", (uint32_t)sat);

    for (int i = 0; i < 100; i++) __atomic_fetch_add(&counter, (uint32_t)i, __ATOMIC_SEQ_CST);
    uint32_t expected = 4950;
    __atomic_compare_exchange_n(&counter, &expected, 7, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    show("atomics", counter);

    uint32_t tp;
    __asm__ volatile("mrc p15, 0, %0, c13, c0, 3" : "=r"(tp));  /* TPIDRURO */
    show("tpidruro", tp);
    __asm__ volatile("mcr p15, 0, %0, c13, c0, 2" :: "r"(0xC0FFEE00u | tp >> 24)); /* TPIDRURW */
    __asm__ volatile("mcr p15, 0, %0, c7, c10, 5" :: "r"(0) : "memory"); /* CP15DMB (SCTLR_EL1.CP15BEN = 1) */

    uint32_t apsr;
    __asm__ volatile("msr APSR_nzcvqg, %1\n\tmrs %0, APSR" : "=r"(apsr) : "r"(0xA80F0000u) : "cc");
    show("apsr", apsr & 0xF80F0000u);

    uint32_t frq, lo0, hi0, lo1, hi1;
    __asm__ volatile("mrc p15, 0, %0, c14, c0, 0" : "=r"(frq));            /* CNTFRQ */
    __asm__ volatile("mrrc p15, 1, %0, %1, c14" : "=r"(lo0), "=r"(hi0));   /* CNTVCT */
    for (int i = 0; i < 1000; i++) counter += (uint32_t)i;
    __asm__ volatile("mrrc p15, 1, %0, %1, c14" : "=r"(lo1), "=r"(hi1));
    show("cntfrq", frq);
    show("cntvct-advances", ((uint64_t)hi1 << 32 | lo1) > ((uint64_t)hi0 << 32 | lo0));

    /* Unaligned word and halfword accesses: permitted in A32 on Normal memory with SCTLR_EL1.A = 0. */
    static uint8_t unaligned[16];
    for (int i = 0; i < 16; i++) unaligned[i] = (uint8_t)(0x10 + i);
    *(volatile uint32_t *)(unaligned + 1) = 0xA1B2C3D4u;
    show("unaligned-word", *(volatile uint32_t *)(unaligned + 3));
    show("unaligned-half", *(volatile uint16_t *)(unaligned + 5) | (uint32_t)*(volatile int16_t *)(unaligned + 7) << 16);

    puts32("exceptions:\n");
    (void)*(volatile uint32_t *)0x40080000u; /* EL1's memory: a permission fault */
    SVC(3, 0, 0); /* EL1 clears CNTKCTL_EL1.EL0PCTEN/EL0VCTEN: the counter accesses below trap */
    __asm__ volatile("mrrc p15, 1, %0, %1, c14" : "=r"(lo0), "=r"(hi0) :: "memory");
    __asm__ volatile("mrc p15, 0, %0, c14, c0, 0" : "=r"(frq) :: "memory");
#ifdef __thumb__
    /* T32: a 32-bit UDF (EC 0x00 has IL = 1 whatever the length), a 16-bit BKPT (imm8), a 16-bit WFI (IL = 0) branched
     * around rather than in an IT block (QEMU's SPSR.IT for a WFx trapped inside one is stale: 0 where the Arm ARM saves
     * the WFI's IT state, which ArmVirt does), and an SVC whose IT condition fails. */
    __asm__ volatile("udf.w #0x42");
    __asm__ volatile("bkpt #0x34");
    __asm__ volatile("cmp %0, #1\n\tbeq 1f\n\twfi\n1:" :: "r"(opaque(2)) : "cc");
    __asm__ volatile("cmp %0, #1\n\tit ne\n\tsvcne #5" :: "r"(opaque(1)) : "cc");
#else
    __asm__ volatile("udf #0x42");
    __asm__ volatile("bkpt #0x1234");
    __asm__ volatile("cmp %0, #1\n\twfine" :: "r"(opaque(2)) : "cc"); /* NE holds: trapped with COND = 0001 */
    __asm__ volatile("cmp %0, #1\n\tsvcne #5" :: "r"(opaque(1)) : "cc"); /* NE fails: no exception */
#endif
    __asm__ volatile(".fpu vfpv4\n\tvmov.f32 s0, s1"); /* CPACR_EL1.FPEN = 0: EC 0x07 */
    uint32_t loaded;
    __asm__ volatile("ldrex %0, [%1]" : "=r"(loaded) : "r"((uintptr_t)&counter + 2) : "memory");
    /* Data aborts (permission faults on EL1's memory) of loads and stores with write-back, taken at EL1, which skips
     * them: the base and every register the instruction would load stay as they were (as QEMU keeps them). Bit n
     * of each value shown is 1 when register n of the test kept its value. */
#define FAULT_BASE 0x40080000u
#define WRITEBACK_TEST(name, insn) do { \
        register uint32_t r0 __asm__("r0") = FAULT_BASE, r1 __asm__("r1") = 0x11111111u, r2 __asm__("r2") = 0x22222222u, \
                          r3 __asm__("r3") = 0x33333333u; \
        __asm__ volatile(insn : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3) : : "memory"); \
        uint32_t kept = (r0 == FAULT_BASE) | (r1 == 0x11111111u) << 1 | (r2 == 0x22222222u) << 2 | (r3 == 0x33333333u) << 3; \
        show(name, kept); \
    } while (0)
    WRITEBACK_TEST("ldm-writeback-kept", "ldmia r0!, {r1, r2, r3}");
    WRITEBACK_TEST("stm-writeback-kept", "stmdb r0!, {r1, r2}");
    WRITEBACK_TEST("ldr-post-kept", "ldr r1, [r0], #4");
    WRITEBACK_TEST("ldrh-pre-kept", "ldrh r1, [r0, #2]!");
    WRITEBACK_TEST("ldrd-pre-kept", "ldrd r2, r3, [r0, #8]!");
    WRITEBACK_TEST("strb-post-kept", "strb r1, [r0], #1");
    puts32("AArch32 EL0: done\n");
    return 0;
}
