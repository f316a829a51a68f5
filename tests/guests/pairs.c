/*
 * pairs.elf: 16-byte atomics against racing plain stores and 8-byte atomics, on three CPUs at EL1 with the MMU on (RAM
 * Normal write-back, inner shareable). Needs LSE (-cpu max). One 16-byte-aligned pair {lo, hi}; in each of four phases,
 * started together:
 *     CPU 1 (the pair writer): ROUNDS times, lo += 1 by a 16-byte atomic that reads the pair and writes it back with hi
 *           as it read it: a CASP loop, or LDXP; STXP;
 *     CPU 2 (the racer): until CPU 1 is done, hi = 1, 2, 3, ... by plain STR, or hi += 1 by STADD (an 8-byte atomic);
 *     CPU 0 (the reader): until both are done, reads the pair with a 16-byte atomic (LDXP then STXP of the same values,
 *           retried until the STXP succeeds, which makes the pair's read single-copy atomic; or CASP of {0, 0} with
 *           {0, 0}, which returns the pair and never changes it) and counts each time lo or hi is smaller than before.
 * A pair write that is single-copy atomic (Arm ARM B2.2.1) is ordered before or after each of CPU 2's accesses: it
 * never writes back an older hi over a newer one. So hi and lo only grow, and at the end lo = ROUNDS and hi is the
 * racer's last value (its count). A pair write made of two stores with a racing plain store between its read and its
 * write shows up as hi going back (seen by the reader, or by the racer reading its plain store back), a final hi that
 * is not the racer's last, or both. LDP is not used to read: without FEAT_LSE2 its two halves are two single-copy
 * atomic accesses, so it may see a pair that never existed.
 */
#include "smp.h"

#define ROUNDS 200000

/* 4 KiB granule, T0SZ = 32: 0-1 GiB Device, 1-2 GiB RAM as Normal write-back through 2 MiB blocks. */
static uint64_t l1[512] __attribute__((aligned(4096)));
static uint64_t l2[512] __attribute__((aligned(4096)));

static volatile uint64_t pair[2] __attribute__((aligned(64)));
static volatile unsigned phase_start __attribute__((aligned(64)));
static volatile unsigned done[3] __attribute__((aligned(64)));
static volatile unsigned online[3];
static volatile uint64_t raced[5], racer_back[5];

/* The four phases: the pair writer's operation and the racer's. */
static const char *const writer_name[2] = { "CASP", "LDXP; STXP" };
static const char *const racer_name[2] = { "STR", "STADD" };

/* lo += 1, hi written back as read, by one 16-byte atomic (op 0: a CASP loop; op 1: LDAXP; STLXP). */
static void pair_increment(unsigned op)
{
    volatile uint64_t *p = pair;
    if (op == 0) {
        /* x4:x5 the pair expected (first guess {0, 0}, then what CASP returned), x6:x7 the pair to write. */
        __asm__ volatile(".arch_extension lse\n"
                         "   mov x4, #0\n"
                         "   mov x5, #0\n"
                         "1: add x6, x4, #1\n"
                         "   mov x7, x5\n"
                         "   mov x8, x4\n"
                         "   mov x9, x5\n"
                         "   caspal x4, x5, x6, x7, [%0]\n"
                         "   cmp x4, x8\n"
                         "   ccmp x5, x9, #0, eq\n"
                         "   b.ne 1b"
                         :: "r"(p) : "x4", "x5", "x6", "x7", "x8", "x9", "cc", "memory");
        return;
    }
    uint64_t lo, hi;
    unsigned fail;
    __asm__ volatile("1: ldaxp %0, %1, [%3]\n"
                     "   add %0, %0, #1\n"
                     "   stlxp %w2, %0, %1, [%3]\n"
                     "   cbnz %w2, 1b"
                     : "=&r"(lo), "=&r"(hi), "=&r"(fail) : "r"(p) : "memory");
}

/* The pair read by one 16-byte atomic (form 0: LDXP; STXP of the same values; form 1: CASP {0,0} -> {0,0}). */
static void pair_read(unsigned form, uint64_t *lo, uint64_t *hi)
{
    volatile uint64_t *p = pair;
    uint64_t a, b;
    if (form == 0) {
        unsigned fail;
        __asm__ volatile("1: ldxp %0, %1, [%3]\n"
                         "   stxp %w2, %0, %1, [%3]\n"
                         "   cbnz %w2, 1b"
                         : "=&r"(a), "=&r"(b), "=&r"(fail) : "r"(p) : "memory");
    } else {
        __asm__ volatile(".arch_extension lse\n"
                         "mov x4, #0\n"
                         "mov x5, #0\n"
                         "mov x6, #0\n"
                         "mov x7, #0\n"
                         "casp x4, x5, x6, x7, [%2]\n"
                         "mov %0, x4\n"
                         "mov %1, x5"
                         : "=r"(a), "=r"(b) : "r"(p) : "x4", "x5", "x6", "x7", "memory");
    }
    *lo = a;
    *hi = b;
}

/*
 * Until the pair writer is done: hi = 1, 2, 3, ... (op 0; each store is read back four times, and any read below it, an
 * older hi written back over it, counts in *back) or hi += 1 (op 1); returns how many.
 */
static uint64_t racer(unsigned op, unsigned phase, uint64_t *back)
{
    volatile uint64_t *hi = &pair[1];
    uint64_t i = 0;
    while (done[1] < phase) {
        i++;
        if (op == 0) {
            __asm__ volatile("str %0, [%1]" :: "r"(i), "r"(hi) : "memory");
            for (unsigned k = 0; k < 4; k++)
                if (*hi < i) (*back)++;
        } else {
            __asm__ volatile(".arch_extension lse\n stadd %0, [%1]" :: "r"(1ul), "r"(hi) : "memory");
        }
    }
    return i;
}

static void wait_start(unsigned phase)
{
    while (phase_start < phase) __asm__ volatile("wfe" ::: "memory");
    __asm__ volatile("dmb ish" ::: "memory");
}

void secondary_main(unsigned cpu)
{
    mmu_on_with(l1);
    online[cpu] = 1;
    __asm__ volatile("dsb ish\n sev" ::: "memory");
    for (unsigned phase = 1; phase <= 4; phase++) {
        wait_start(phase);
        unsigned writer = (phase - 1) >> 1, race = (phase - 1) & 1;
        if (cpu == 1)
            for (unsigned i = 0; i < ROUNDS; i++) pair_increment(writer);
        else
        {
            uint64_t back = 0;
            raced[phase] = racer(race, phase, &back);
            racer_back[phase] = back;
        }
        __asm__ volatile("dmb ish" ::: "memory");
        done[cpu] = phase;
    }
    psci(PSCI_CPU_OFF, 0, 0, 0);
    for (;;) __asm__ volatile("wfi");
}

void exception_handler(struct frame *f, unsigned idx, unsigned el)
{
    unexpected_exception(f, idx, el);
}

SMP_SECONDARY_ENTRY(3);

int main(unsigned el)
{
    (void)stacks;
    print("pairs guest at EL%d\n", (uint64_t)el);
    build_identity_tables(l1, l2);
    mmu_on_with(l1);
    for (uint64_t cpu = 1; cpu <= 2; cpu++) {
        if (psci(PSCI_CPU_ON, cpu, (uint64_t)secondary_entry, cpu) != 0) {
            print("CPU_ON(%d) failed: this test needs three CPUs\n", cpu);
            return 1;
        }
        while (!online[cpu]) __asm__ volatile("wfe" ::: "memory");
    }
    unsigned failures = 0;
    for (unsigned phase = 1; phase <= 4; phase++) {
        unsigned writer = (phase - 1) >> 1, race = (phase - 1) & 1;
        pair[0] = 0;
        pair[1] = 0;
        __asm__ volatile("dsb ish" ::: "memory");
        phase_start = phase;
        __asm__ volatile("dsb ish\n sev" ::: "memory");
        uint64_t lo = 0, hi = 0, back = 0, reads = 0;
        unsigned form = 0;
        while (done[1] < phase || done[2] < phase) {
            uint64_t l, h;
            pair_read(form, &l, &h);
            form ^= 1;
            if (l < lo || h < hi) back++;
            lo = l;
            hi = h;
            reads++;
        }
        __asm__ volatile("dmb ish" ::: "memory");
        pair_read(0, &lo, &hi);
        back += racer_back[phase];
        int ok = back == 0 && lo == ROUNDS && hi == raced[phase];
        if (!ok) failures++;
        print("%s against %s: lo %d (%d expected), hi %s the racer's last, went back %d times: %s\n", writer_name[writer],
              racer_name[race], lo, (uint64_t)ROUNDS, hi == raced[phase] ? "is" : "is not", back, ok ? "ok" : "TORN");
        (void)reads;
    }
    print("%s\n", failures == 0 ? "pairs: all atomic" : "pairs: FAILED");
    return 0;
}
