/*
 * exceptions.elf: at EL1, takes SVC, BRK, an UNDEFINED instruction, an unaligned LDAR and loads/stores to
 * unmapped physical memory; the EL1 synchronous vector prints each syndrome and skips the instruction. Then
 * runs integer self-checks, printing PASS/FAIL per check, and powers off with PSCI.
 * Only architecturally defined syndrome fields are printed (for data aborts: WnR and DFSC, not ISV/EA).
 */
#include "guest.h"

/* A hole in the -M virt map (between the PL011 and the PL031): accesses are external aborts. */
#define UNMAPPED_PA 0x09008000ul

static unsigned failures, checks;

/* Hides a constant from the optimiser so that the instruction under test really executes. */
static inline uint64_t opaque(uint64_t v)
{
    __asm__ volatile("" : "+r"(v));
    return v;
}

static void check(const char *name, uint64_t got, uint64_t want)
{
    checks++;
    if (got == want) {
        print("PASS %s\n", name);
    } else {
        failures++;
        print("FAIL %s: got 0x%x want 0x%x\n", name, got, want);
    }
}

void exception_handler(struct frame *f, unsigned idx, unsigned el)
{
    uint64_t ec = f->esr >> 26, iss = f->esr & 0x1ffffff, il = (f->esr >> 25) & 1;
    if (el != 1 || idx != VEC_CUR_SPX_SYNC) {
        print("unexpected exception at EL%d vector %d ESR=0x%x ELR=0x%x\n", (uint64_t)el, (uint64_t)idx, f->esr, f->elr);
        system_off();
    }
    switch (ec) {
    case EC_SVC64:
        /* SVC's preferred return address is the next instruction. */
        print("  sync: SVC EC=0x%x IL=%d ISS=0x%x\n", ec, il, iss);
        return;
    case EC_BRK64:
        print("  sync: BRK EC=0x%x IL=%d ISS=0x%x\n", ec, il, iss);
        break;
    case EC_UNKNOWN:
        print("  sync: UNDEFINED EC=0x%x IL=%d ISS=0x%x\n", ec, il, iss);
        break;
    case EC_DABT_CUR:
        print("  sync: data abort EC=0x%x IL=%d WnR=%d DFSC=0x%x FAR=0x%x\n",
              ec, il, (iss >> 6) & 1, iss & 0x3f, f->far);
        break;
    default:
        print("  sync: unexpected EC=0x%x ISS=0x%x ELR=0x%x\n", ec, iss, f->elr);
        system_off();
    }
    f->elr += 4;
}

static uint64_t aligned_word[2] __attribute__((aligned(16)));

static void exceptions(void)
{
    print("SVC #0x42\n");
    __asm__ volatile("svc #0x42" ::: "memory");
    print("BRK #0x7\n");
    __asm__ volatile("brk #0x7" ::: "memory");
    print("UDF (word 0x00000000)\n");
    __asm__ volatile(".inst 0x00000000" ::: "memory");
    print("LDAR from an unaligned address\n");
    {
        register uint64_t x1 __asm__("x1") = (uint64_t)aligned_word + 4;
        register uint64_t x0 __asm__("x0") = 0;
        __asm__ volatile("ldar x0, [x1]" : "+r"(x0) : "r"(x1) : "memory");
    }
    print("LDR from unmapped physical memory\n");
    {
        register uint64_t x1 __asm__("x1") = UNMAPPED_PA;
        register uint64_t x0 __asm__("x0") = 0;
        __asm__ volatile("ldr x0, [x1]" : "+r"(x0) : "r"(x1) : "memory");
    }
    print("STR to unmapped physical memory\n");
    {
        register uint64_t x1 __asm__("x1") = UNMAPPED_PA + 0x10;
        register uint64_t x0 __asm__("x0") = 0;
        __asm__ volatile("str w0, [x1]" : : "r"(x0), "r"(x1) : "memory");
    }
}

static void arithmetic(void)
{
    uint64_t r, f;
    __asm__ volatile("adds %0, %2, %3\n mrs %1, nzcv" : "=r"(r), "=r"(f) : "r"(opaque(0x7fffffffffffffff)), "r"(opaque(1)) : "cc");
    check("adds x overflow value", r, 0x8000000000000000);
    check("adds x overflow nzcv", f, 0x90000000);
    uint32_t w;
    __asm__ volatile("subs %w0, %w2, %w3\n mrs %1, nzcv" : "=r"(w), "=r"(f) : "r"(opaque(1)), "r"(opaque(2)) : "cc");
    check("subs w borrow value", w, 0xffffffff);
    check("subs w borrow nzcv", f, 0x80000000);
    __asm__ volatile("cmp %1, %1\n adc %0, %2, %3" : "=r"(r) : "r"(opaque(9)), "r"(opaque(5)), "r"(opaque(7)) : "cc");
    check("adc carry in", r, 13);
    __asm__ volatile("cmp %1, %2\n sbc %0, %3, %4" : "=r"(r) : "r"(opaque(0)), "r"(opaque(1)), "r"(opaque(10)), "r"(opaque(3)) : "cc");
    check("sbc borrow in", r, 6);
    __asm__ volatile("cmn %1, #1\n mrs %0, nzcv" : "=r"(f) : "r"(opaque(~0ul)) : "cc");
    check("cmn -1,#1 nzcv", f, 0x60000000);
}

static void bitfield(void)
{
    uint64_t v = opaque(0x123456789abcdef0), r;
    __asm__("ubfx %0, %1, #8, #12" : "=r"(r) : "r"(v));
    check("ubfx", r, 0xcde);
    __asm__("sbfx %0, %1, #28, #8" : "=r"(r) : "r"(v));
    check("sbfx", r, 0xffffffffffffff89);
    r = opaque(~0ul);
    __asm__("bfi %0, %1, #4, #4" : "+r"(r) : "r"(opaque(5)));
    check("bfi", r, 0xffffffffffffff5f);
    __asm__("extr %0, %1, %2, #16" : "=r"(r) : "r"(opaque(0x1122334455667788)), "r"(opaque(0x99aabbccddeeff00)));
    check("extr", r, 0x778899aabbccddee);
    __asm__("lsl %0, %1, %2" : "=r"(r) : "r"(opaque(3)), "r"(opaque(65)));
    check("lslv shift mod 64", r, 6);
    __asm__("asr %0, %1, %2" : "=r"(r) : "r"(opaque(0x8000000000000000)), "r"(opaque(4)));
    check("asrv", r, 0xf800000000000000);
    __asm__("ror %w0, %w1, #8" : "=r"(r) : "r"(opaque(0x12345678)));
    check("ror w imm", r, 0x78123456);
    __asm__("and %0, %1, #0x00ff00ff00ff00ff" : "=r"(r) : "r"(opaque(0x123456789abcdef0)));
    check("and bitmask imm", r, 0x0034007800bc00f0);
}

static void muldiv(void)
{
    uint64_t r;
    __asm__("mul %0, %1, %2" : "=r"(r) : "r"(opaque(0x123456789)), "r"(opaque(0xabcdef)));
    check("mul", r, 0xc379aaaa375de7);
    __asm__("madd %0, %1, %2, %3" : "=r"(r) : "r"(opaque(0x123456789)), "r"(opaque(0xabcdef)), "r"(opaque(0x1111)));
    check("madd", r, 0xc379aaaa376ef8);
    __asm__("msub %0, %1, %2, %3" : "=r"(r) : "r"(opaque(0x123456789)), "r"(opaque(0xabcdef)), "r"(opaque(0x1111)));
    check("msub", r, 0xff3c865555c8b32a);
    __asm__("smulh %0, %1, %2" : "=r"(r) : "r"(opaque(-3ul)), "r"(opaque(0x7fffffffffffffff)));
    check("smulh", r, 0xfffffffffffffffe);
    __asm__("umulh %0, %1, %2" : "=r"(r) : "r"(opaque(~0ul)), "r"(opaque(~0ul)));
    check("umulh", r, 0xfffffffffffffffe);
    __asm__("smaddl %0, %w1, %w2, %3" : "=r"(r) : "r"(opaque(0xfffffffe)), "r"(opaque(3)), "r"(opaque(100)));
    check("smaddl", r, 94);
    __asm__("umaddl %0, %w1, %w2, %3" : "=r"(r) : "r"(opaque(0xffffffff)), "r"(opaque(2)), "r"(opaque(1)));
    check("umaddl", r, 0x1ffffffff);
    __asm__("udiv %0, %1, %2" : "=r"(r) : "r"(opaque(100)), "r"(opaque(7)));
    check("udiv", r, 14);
    __asm__("sdiv %0, %1, %2" : "=r"(r) : "r"(opaque(-100ul)), "r"(opaque(7)));
    check("sdiv", r, 0xfffffffffffffff2);
    __asm__("udiv %0, %1, %2" : "=r"(r) : "r"(opaque(100)), "r"(opaque(0)));
    check("udiv by zero", r, 0);
    __asm__("sdiv %0, %1, %2" : "=r"(r) : "r"(opaque(0x8000000000000000)), "r"(opaque(-1ul)));
    check("sdiv INT64_MIN/-1", r, 0x8000000000000000);
}

static void bitops(void)
{
    uint64_t r;
    __asm__("clz %0, %1" : "=r"(r) : "r"(opaque(0x0000100000000000)));
    check("clz", r, 19);
    __asm__("clz %0, %1" : "=r"(r) : "r"(opaque(0)));
    check("clz zero", r, 64);
    __asm__("cls %0, %1" : "=r"(r) : "r"(opaque(0xfff0000000000000)));
    check("cls", r, 11);
    __asm__("rbit %0, %1" : "=r"(r) : "r"(opaque(1)));
    check("rbit", r, 0x8000000000000000);
    __asm__("rev %0, %1" : "=r"(r) : "r"(opaque(0x0102030405060708)));
    check("rev", r, 0x0807060504030201);
    __asm__("rev16 %0, %1" : "=r"(r) : "r"(opaque(0x0102030405060708)));
    check("rev16", r, 0x0201040306050807);
    __asm__("rev32 %0, %1" : "=r"(r) : "r"(opaque(0x0102030405060708)));
    check("rev32", r, 0x0403020108070605);
}

static uint64_t excl_word __attribute__((aligned(16))) = 41;

static void exclusives(void)
{
    uint64_t val, status, tries = 0;
    do {
        __asm__ volatile("ldxr %0, [%2]\n add %0, %0, #1\n stxr %w1, %0, [%2]"
                         : "=&r"(val), "=&r"(status) : "r"(&excl_word) : "memory");
        tries++;
    } while (status != 0 && tries < 100);
    check("ldxr/stxr increments", excl_word, 42);
    check("ldxr/stxr status", status, 0);
    __asm__ volatile("clrex\n stxr %w0, %1, [%2]" : "=&r"(status) : "r"(opaque(7)), "r"(&excl_word) : "memory");
    check("stxr after clrex fails", status, 1);
    check("failed stxr leaves memory", excl_word, 42);
}

static uint64_t pair_buf[6] __attribute__((aligned(16)));

static void pairs(void)
{
    uint64_t base = (uint64_t)pair_buf, p = base, a, b;
    __asm__ volatile("stp %1, %2, [%0, #16]!" : "+r"(p) : "r"(opaque(0x1111)), "r"(opaque(0x2222)) : "memory");
    check("stp pre-index writeback", p - base, 16);
    check("stp pre-index data", pair_buf[2] + (pair_buf[3] << 16), 0x1111 + (0x2222ul << 16));
    __asm__ volatile("ldp %1, %2, [%0], #-16" : "+r"(p), "=&r"(a), "=&r"(b) : : "memory");
    check("ldp post-index writeback", p, base);
    check("ldp post-index data", a + (b << 16), 0x1111 + (0x2222ul << 16));
    __asm__ volatile("stp %w1, %w2, [%0, #40]" : : "r"(p), "r"(opaque(0x80000001)), "r"(opaque(0x7fffffff)) : "memory");
    __asm__ volatile("ldpsw %0, %1, [%2, #40]" : "=&r"(a), "=&r"(b) : "r"(p) : "memory");
    check("ldpsw sign-extends", a, 0xffffffff80000001);
    check("ldpsw second", b, 0x7fffffff);
}

static void conditional(void)
{
    uint64_t r;
    __asm__("cmp %1, %2\n csel %0, %3, %4, lt" : "=r"(r) : "r"(opaque(-1ul)), "r"(opaque(1)), "r"(opaque(10)), "r"(opaque(20)) : "cc");
    check("csel lt (signed)", r, 10);
    __asm__("cmp %1, %2\n csel %0, %3, %4, lo" : "=r"(r) : "r"(opaque(-1ul)), "r"(opaque(1)), "r"(opaque(10)), "r"(opaque(20)) : "cc");
    check("csel lo (unsigned)", r, 20);
    __asm__("cmp %1, %1\n csinc %0, %2, %2, ne" : "=r"(r) : "r"(opaque(3)), "r"(opaque(5)) : "cc");
    check("csinc", r, 6);
    __asm__("cmp %1, %1\n csinv %0, %2, %2, ne" : "=r"(r) : "r"(opaque(3)), "r"(opaque(5)) : "cc");
    check("csinv", r, ~5ul);
    __asm__("cmp %1, %1\n csneg %0, %2, %2, ne" : "=r"(r) : "r"(opaque(3)), "r"(opaque(5)) : "cc");
    check("csneg", r, -5ul);
    __asm__("cmp %1, %1\n cset %0, eq" : "=r"(r) : "r"(opaque(3)) : "cc");
    check("cset", r, 1);
    __asm__("cmp %1, #1\n ccmp %2, #3, #0x4, eq\n cset %0, eq" : "=r"(r) : "r"(opaque(1)), "r"(opaque(3)) : "cc");
    check("ccmp taken", r, 1);
    __asm__("cmp %1, #2\n ccmp %2, #5, #0x2, eq\n mrs %0, nzcv" : "=r"(r) : "r"(opaque(1)), "r"(opaque(3)) : "cc");
    check("ccmp not taken sets nzcv", r, 0x20000000);
}

int main(unsigned el)
{
    print("exceptions guest at EL%d\n", (uint64_t)el);
    exceptions();
    arithmetic();
    bitfield();
    muldiv();
    bitops();
    exclusives();
    pairs();
    conditional();
    print("%d checks, %d failed\n", (uint64_t)checks, (uint64_t)failures);
    return 0;
}
