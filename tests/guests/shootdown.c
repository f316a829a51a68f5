/*
 * shootdown.elf: TLB shootdown completed by DSB, on two CPUs at EL1 with the MMU on. CPU 0 moves one VA between two
 * physical pages ROUNDS times; each time it writes the level-3 descriptor, then DSB ISH; TLBI VAE1IS; DSB ISH, and only
 * then publishes the round's number (STLR). CPU 1 reads the VA all the while (its TLB holds the old translation), and
 * once it sees the new round (LDAR) it reads the VA again: the Arm ARM (D8.14.2, "TLB maintenance instructions"; B2.3,
 * the DSB's completion of a TLBI for every PE of the shareability domain) says that read uses the new translation. The
 * guest prints how many of the ROUNDS reads after a round's publication saw the page of the round before.
 */
#include "smp.h"

#define ROUNDS 20000

/* 4 KiB granule, T0SZ = 32: 0-1 GiB Device, 1-2 GiB RAM as Normal write-back through 2 MiB blocks, except the 2 MiB at
 * 0x4800_0000, mapped by a level-3 table whose first page (REMAP_VA) moves between page_a and page_b. */
static uint64_t l1[512] __attribute__((aligned(4096)));
static uint64_t l2[512] __attribute__((aligned(4096)));
static uint64_t l3[512] __attribute__((aligned(4096)));
static volatile uint64_t page_a[512] __attribute__((aligned(4096)));
static volatile uint64_t page_b[512] __attribute__((aligned(4096)));
#define REMAP_VA 0x48000000ul
#define DESC_AF (1ul << 10)
#define DESC_ISH (3ul << 8)
#define NORMAL (1ul << 2) /* AttrIndx 1 */

static void build_tables(void)
{
    l1[0] = 0x00000000ul | DESC_AF | 1;
    l1[1] = (uint64_t)l2 | 3;
    for (unsigned i = 0; i < 512; i++)
        l2[i] = (0x40000000ul + ((uint64_t)i << 21)) | DESC_AF | DESC_ISH | NORMAL | 1;
    for (unsigned i = 0; i < 512; i++)
        l3[i] = (REMAP_VA + ((uint64_t)i << 12)) | DESC_AF | DESC_ISH | NORMAL | 3;
    l2[(REMAP_VA - 0x40000000ul) >> 21] = (uint64_t)l3 | 3;
    l3[0] = (uint64_t)page_a | DESC_AF | DESC_ISH | NORMAL | 3;
    __asm__ volatile("dsb ish" ::: "memory");
}

static volatile uint64_t round_published __attribute__((aligned(64)));
static volatile uint64_t round_seen __attribute__((aligned(64)));
static volatile uint64_t stale, online;

/* The value at REMAP_VA in round r: page_b's in odd rounds, page_a's in even ones. */
static uint64_t expected(uint64_t r) { return (r & 1) ? 0xBBBB : 0xAAAA; }

void secondary_main(unsigned cpu)
{
    (void)cpu;
    mmu_on_with(l1);
    online = 1;
    __asm__ volatile("dsb ish\n sev" ::: "memory");
    volatile uint64_t *va = (volatile uint64_t *)REMAP_VA;
    uint64_t stale_reads = 0;
    for (uint64_t r = 1; r <= ROUNDS; r++) {
        uint64_t now;
        /* 64 reads of the VA (the old translation in use) between two reads of the round: a compiled loop checks
         * for requests from other CPUs at its head, so a TLBI that reaches CPU 1 meanwhile is applied only after
         * the round's read unless CPU 0's DSB waits for it. */
        do {
            __asm__ volatile(".rept 64\n ldr xzr, [%1]\n .endr\n ldar %0, [%2]"
                             : "=&r"(now) : "r"(va), "r"(&round_published) : "memory");
        } while (now < r);
        if (*va != expected(r)) stale_reads++;
        __asm__ volatile("stlr %0, [%1]" :: "r"(r), "r"(&round_seen) : "memory");
    }
    stale = stale_reads;
    __asm__ volatile("dsb ish" ::: "memory");
    round_seen = ROUNDS + 1;
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
    print("shootdown guest at EL%d\n", (uint64_t)el);
    page_a[0] = 0xAAAA;
    page_b[0] = 0xBBBB;
    build_tables();
    mmu_on_with(l1);
    if (psci(PSCI_CPU_ON, 1, (uint64_t)secondary_entry, 1) != 0) {
        print("CPU_ON(1) failed: this test needs two CPUs\n");
        return 1;
    }
    while (!online) __asm__ volatile("wfe" ::: "memory");
    for (uint64_t r = 1; r <= ROUNDS; r++) {
        while (round_seen < r - 1) { }
        l3[0] = (uint64_t)((r & 1) ? page_b : page_a) | DESC_AF | DESC_ISH | NORMAL | 3;
        __asm__ volatile("dsb ish\n tlbi vae1is, %0\n dsb ish" :: "r"(REMAP_VA >> 12) : "memory");
        __asm__ volatile("stlr %0, [%1]" :: "r"(r), "r"(&round_published) : "memory");
    }
    while (round_seen != ROUNDS + 1) { }
    __asm__ volatile("dmb ish" ::: "memory");
    print("TLBI VAE1IS; DSB ISH, %d remaps: CPU 1 read the old page after the DSB %d times\n", (uint64_t)ROUNDS, stale);
    return 0;
}
