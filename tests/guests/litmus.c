/*
 * litmus.elf: the store-buffering litmus test (SB) on two CPUs at EL1 with the MMU on (RAM Normal write-back, inner
 * shareable), ITERATIONS times in each of three forms, CPU 0 and CPU 1 starting each iteration together:
 *     CPU 0: x = 1; r0 = y          CPU 1: y = 1; r1 = x
 * - plain STR then LDR: r0 == r1 == 0 is allowed (the Arm memory model, like x86's, lets a store pass a later load);
 * - STR; DMB ISH; LDR: forbidden (the DMB orders the store before the load);
 * - STLR then LDAR: forbidden (a store-release is ordered before a later load-acquire: Arm ARM B2.3, "Barrier-ordered-
 *   before", the RCsc rule for LDAR after STLR).
 * It prints how often each form ended with both loads seeing 0. With the CPUs on host threads (armvirt --smp-mode
 * parallel, QEMU's MTTCG) the plain form usually shows some; the other two must show none.
 */
#include "smp.h"

#define ITERATIONS 10000

/* 4 KiB granule, T0SZ = 32: 0-1 GiB Device, 1-2 GiB RAM as Normal write-back through 2 MiB blocks. */
static uint64_t l1[512] __attribute__((aligned(4096)));
static uint64_t l2[512] __attribute__((aligned(4096)));

/* The two locations, and the results, each in a cache line of its own. */
static volatile uint64_t x __attribute__((aligned(64)));
static volatile uint64_t y __attribute__((aligned(64)));
static volatile uint64_t r[2][8] __attribute__((aligned(64)));
static volatile unsigned arrived __attribute__((aligned(64)));
static volatile unsigned online;

/* Both CPUs arrive (count reaches target) before either goes on. */
static void rendezvous(unsigned target)
{
    unsigned v, fail;
    __asm__ volatile("1: ldaxr %w0, [%2]\n add %w0, %w0, #1\n stlxr %w1, %w0, [%2]\n cbnz %w1, 1b"
                     : "=&r"(v), "=&r"(fail) : "r"(&arrived) : "memory");
    while (arrived < target) { }
    __asm__ volatile("dmb ish" ::: "memory");
}

/* One SB run of form `form` on this CPU: store 1 to mine, then load other. */
static uint64_t run(unsigned form, volatile uint64_t *mine, volatile uint64_t *other)
{
    uint64_t v, one = 1;
    switch (form) {
    case 0:
        __asm__ volatile("str %1, [%2]\n ldr %0, [%3]" : "=&r"(v) : "r"(one), "r"(mine), "r"(other) : "memory");
        break;
    case 1:
        __asm__ volatile("str %1, [%2]\n dmb ish\n ldr %0, [%3]" : "=&r"(v) : "r"(one), "r"(mine), "r"(other) : "memory");
        break;
    default:
        __asm__ volatile("stlr %1, [%2]\n ldar %0, [%3]" : "=&r"(v) : "r"(one), "r"(mine), "r"(other) : "memory");
        break;
    }
    return v;
}

/* ITERATIONS runs of each form, in step with the other CPU; CPU 0 counts the runs where both loads saw 0. */
static void test(unsigned cpu, uint64_t counts[3])
{
    volatile uint64_t *mine = cpu == 0 ? &x : &y, *other = cpu == 0 ? &y : &x;
    unsigned target = 0;
    for (unsigned form = 0; form < 3; form++) {
        for (unsigned i = 0; i < ITERATIONS; i++) {
            rendezvous(target += 2);                  /* both start together */
            r[cpu][0] = run(form, mine, other);
            rendezvous(target += 2);                  /* both done */
            if (cpu == 0) {
                if (r[0][0] == 0 && r[1][0] == 0) counts[form]++;
                x = 0;
                y = 0;
                __asm__ volatile("dsb ish" ::: "memory");
            }
            rendezvous(target += 2);                  /* x and y reset */
        }
    }
}

void secondary_main(unsigned cpu)
{
    mmu_on_with(l1);
    online = 1;
    __asm__ volatile("dsb ish\n sev" ::: "memory");
    uint64_t unused[3] = {0, 0, 0};
    test(cpu, unused);
    psci(PSCI_CPU_OFF, 0, 0, 0);
    for (;;) __asm__ volatile("wfi");
}

void exception_handler(struct frame *f, unsigned idx, unsigned el)
{
    unexpected_exception(f, idx, el);
}

SMP_SECONDARY_ENTRY(2);

int main(unsigned el)
{
    (void)stacks;
    print("litmus guest at EL%d\n", (uint64_t)el);
    build_identity_tables(l1, l2);
    mmu_on_with(l1);
    if (psci(PSCI_CPU_ON, 1, (uint64_t)secondary_entry, 1) != 0) {
        print("CPU_ON(1) failed: this test needs two CPUs\n");
        return 1;
    }
    while (!online) __asm__ volatile("wfe" ::: "memory");
    uint64_t counts[3] = {0, 0, 0};
    test(0, counts);
    print("SB, %d runs of each form; both loads saw 0:\n", (uint64_t)ITERATIONS);
    print("STR; LDR (allowed): %d\n", counts[0]);
    print("STR; DMB ISH; LDR (forbidden): %d\n", counts[1]);
    print("STLR; LDAR (forbidden): %d\n", counts[2]);
    return 0;
}
