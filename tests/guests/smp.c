/*
 * smp.elf: several CPUs at EL1 (-smp 4; GICv2 or, with gic-version=3, GICv3). CPU 0 starts the others with PSCI CPU_ON
 * (DEN 0022: the return codes for an off, an on and a missing CPU, AFFINITY_INFO before and after) and prints every
 * result; the others only compute and report through shared memory. With the MMU on (identity map, RAM Normal
 * write-back, one 4 KiB page remappable) every CPU:
 * - increments one counter under an LDAXR/STLXR spinlock that waits with WFE (woken by the global monitor clear of
 *   the unlocking store), another with an LDXR/STXR loop, and with LSE (-cpu max) a third with CAS;
 * - answers SGIs: CPU 0 and CPU 1 play ping-pong with SGI 1 and SGI 2 (GICD_SGIR or ICC_SGI1R_EL1), CPU 0 sends
 *   SGI 3 to all others at once (target list filter "all but self" / IRM);
 * - CPU 1 keeps a VA in its TLB while CPU 0 remaps it and broadcasts TLBI VAE1IS: CPU 1 then reads the new page;
 * - CPU 0 writes a function that CPU 1 has already run many times, cleans it to the PoU and broadcasts IC IVAU:
 *   CPU 1 runs the new code;
 * - SEV wakes a CPU waiting in WFE;
 * and finally CPUs 1-3 call CPU_OFF and CPU 0 waits for AFFINITY_INFO to say OFF. The output is the same with any
 * number of instructions per scheduling turn, so it is compared with QEMU's.
 */
#include "smp.h"

#define NCPUS 4
#define ROUNDS 500
#define PINGS 64

#define PSCI_VERSION        0x84000000u
#define PSCI_AFFINITY_INFO  0xC4000004u

#define GICD_BASE 0x08000000ul
#define GICC_BASE 0x08010000ul
#define GICR_BASE 0x080A0000ul
#define REG32(a) (*(volatile uint32_t *)(a))

#define DSB_ISH() __asm__ volatile("dsb ish" ::: "memory")

/* ---- Translation: 4 KiB granule, T0SZ = 32 (4 GiB), level 1 start. 0-1 GiB Device, 1-2 GiB RAM through a level-2
 * table of 2 MiB blocks, except the 2 MiB at 0x4800_0000, mapped by a level-3 table (its page REMAP_VA can be moved). */
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
    l1[0] = 0x00000000ul | DESC_AF | 1;               /* block, AttrIndx 0: Device-nGnRnE */
    l1[1] = (uint64_t)l2 | 3;                         /* table */
    for (unsigned i = 0; i < 512; i++)
        l2[i] = (0x40000000ul + ((uint64_t)i << 21)) | DESC_AF | DESC_ISH | NORMAL | 1;
    for (unsigned i = 0; i < 512; i++)
        l3[i] = (REMAP_VA + ((uint64_t)i << 12)) | DESC_AF | DESC_ISH | NORMAL | 3;
    l2[(REMAP_VA - 0x40000000ul) >> 21] = (uint64_t)l3 | 3;
    l3[0] = (uint64_t)page_a | DESC_AF | DESC_ISH | NORMAL | 3;
    DSB_ISH();
}

static void mmu_on(void)
{
    WRITE_SYSREG(mair_el1, 0xFF00ul);                 /* Attr0 Device-nGnRnE, Attr1 Normal WB */
    WRITE_SYSREG(tcr_el1, 32ul | (1ul << 8) | (1ul << 10) | (3ul << 12) | (1ul << 32)); /* T0SZ 32, WB, ISH, 36-bit IPS */
    WRITE_SYSREG(ttbr0_el1, (uint64_t)l1);
    ISB();
    __asm__ volatile("tlbi vmalle1\n dsb nsh" ::: "memory");
    WRITE_SYSREG(sctlr_el1, READ_SYSREG(sctlr_el1) | 1ul | (1ul << 2) | (1ul << 12)); /* M, C, I */
    ISB();
}

/* ---- GIC ---- */
static int gicv3;

static void gic_cpu_init(unsigned cpu)
{
    if (gicv3) {
        uint64_t rd = GICR_BASE + 0x20000ul * cpu;
        REG32(rd + 0x14) &= ~2u;                      /* GICR_WAKER.ProcessorSleep */
        while (REG32(rd + 0x14) & 4u) { }             /* ChildrenAsleep */
        REG32(rd + 0x10000 + 0x080) = 0xFFFFFFFFu;    /* GICR_IGROUPR0: Group 1 */
        REG32(rd + 0x10000 + 0x100) = 0xEu;           /* GICR_ISENABLER0: SGI 1, 2, 3 */
        WRITE_SYSREG(S3_0_C12_C12_5, READ_SYSREG(S3_0_C12_C12_5) | 1); /* ICC_SRE_EL1.SRE */
        ISB();
        WRITE_SYSREG(S3_0_C4_C6_0, 0xF0);             /* ICC_PMR_EL1 */
        WRITE_SYSREG(S3_0_C12_C12_7, 1);              /* ICC_IGRPEN1_EL1 */
        ISB();
    } else {
        REG32(GICD_BASE + 0x100) = 0xEu;              /* GICD_ISENABLER0 (banked): SGI 1, 2, 3 */
        REG32(GICC_BASE + 0x4) = 0xF0;                /* GICC_PMR */
        REG32(GICC_BASE + 0x0) = 1;                   /* GICC_CTLR.Enable */
    }
}

static void gic_init(void)
{
    gicv3 = ((READ_SYSREG(id_aa64pfr0_el1) >> 24) & 0xf) != 0;
    if (gicv3) {
        REG32(GICD_BASE) = 0x2u | 0x10u;              /* EnableGrp1, ARE */
        while (REG32(GICD_BASE) & (1u << 31)) { }     /* RWP */
    } else {
        REG32(GICD_BASE) = 1;                         /* GICD_CTLR.Enable */
    }
}

/* An SGI to the CPUs in target_mask (bit n = CPU n), or to all other CPUs when target_mask is 0. */
static void send_sgi(unsigned intid, unsigned target_mask)
{
    DSB_ISH();
    if (gicv3) {
        uint64_t v = (uint64_t)intid << 24;
        v |= target_mask == 0 ? 1ul << 40 : target_mask; /* IRM, or the Aff0 target list */
        WRITE_SYSREG(S3_0_C12_C11_5, v);                 /* ICC_SGI1R_EL1 */
        ISB();
    } else {
        uint32_t v = intid | (target_mask == 0 ? 1u << 24 : target_mask << 16);
        REG32(GICD_BASE + 0xF00) = v;                 /* GICD_SGIR */
    }
}

static unsigned gic_ack(void)
{
    return gicv3 ? (unsigned)READ_SYSREG(S3_0_C12_C12_0) : REG32(GICC_BASE + 0x0C);
}

static void gic_eoi(unsigned iar)
{
    if (gicv3) WRITE_SYSREG(S3_0_C12_C12_1, iar);
    else REG32(GICC_BASE + 0x10) = iar;
}

/* ---- Shared state ---- */
static volatile unsigned lock_word;
static volatile uint64_t locked_count, ll_sc_count, cas_count;
static volatile unsigned online[NCPUS], done[NCPUS];
static volatile unsigned pings[NCPUS], pongs, broadcast_sgis[NCPUS], bad_iar;
static volatile unsigned stage, stage_ack;
static volatile uint64_t seen_before, seen_after;
static volatile unsigned code_results[2];
static volatile unsigned sev_flag, sev_woken;
static int have_lse;
static uint32_t code_buffer[16] __attribute__((aligned(64)));

static unsigned cpu_index(void) { return (unsigned)(READ_SYSREG(mpidr_el1) & 0xff); }

/* WFI until *v == want, woken by interrupts: the check runs with IRQs masked, so an interrupt that makes it true cannot
 * be taken between the check and the WFI (which would then sleep with nothing left to wake it); a masked pending
 * interrupt still ends the WFI, and is taken once unmasked. */
static void wfi_until(volatile unsigned *v, unsigned want)
{
    for (;;) {
        __asm__ volatile("msr daifset, #2" ::: "memory");
        if (*v == want) break;
        __asm__ volatile("wfi");
        __asm__ volatile("msr daifclr, #2\n isb" ::: "memory");
    }
    __asm__ volatile("msr daifclr, #2" ::: "memory");
}

static void lock(void)
{
    unsigned tmp, one = 1;
    __asm__ volatile(
        "   sevl\n"
        "1: wfe\n"
        "2: ldaxr %w0, [%1]\n"
        "   cbnz  %w0, 1b\n"
        "   stxr  %w0, %w2, [%1]\n"
        "   cbnz  %w0, 2b\n"
        : "=&r"(tmp) : "r"(&lock_word), "r"(one) : "memory");
}

static void unlock(void)
{
    __asm__ volatile("stlr wzr, [%0]" : : "r"(&lock_word) : "memory");
}

static void ll_sc_add(volatile uint64_t *p)
{
    uint64_t v;
    unsigned fail;
    __asm__ volatile(
        "1: ldxr  %0, [%2]\n"
        "   add   %0, %0, #1\n"
        "   stxr  %w1, %0, [%2]\n"
        "   cbnz  %w1, 1b\n"
        : "=&r"(v), "=&r"(fail) : "r"(p) : "memory");
}

static void cas_add(volatile uint64_t *p)
{
    uint64_t old = *p, seen;
    for (;;) {
        seen = old;
        __asm__ volatile(".arch_extension lse\n casal %0, %2, [%1]" : "+r"(seen) : "r"(p), "r"(old + 1) : "memory");
        if (seen == old) return;
        old = seen;
    }
}

static void counting(void)
{
    for (unsigned i = 0; i < ROUNDS; i++) {
        lock();
        locked_count = locked_count + 1;              /* a plain read-modify-write: only the lock makes it exact */
        unlock();
        ll_sc_add(&ll_sc_count);
        if (have_lse) cas_add(&cas_count);
    }
}

typedef unsigned (*fn_t)(void);

static void write_function(unsigned value)
{
    code_buffer[0] = 0x52800000u | (value << 5);      /* mov w0, #value */
    code_buffer[1] = 0xd65f03c0u;                     /* ret */
    __asm__ volatile("dc cvau, %0\n dsb ish\n ic ivau, %0\n dsb ish" : : "r"(code_buffer) : "memory");
}

static void wait_stage(unsigned s) { while (stage != s) { } }
static void ack_stage(unsigned s) { stage_ack = s; DSB_ISH(); }

void exception_handler(struct frame *f, unsigned idx, unsigned el)
{
    (void)el;
    if (idx == VEC_CUR_SPX_IRQ) {
        unsigned iar = gic_ack();
        unsigned intid = iar & 0x3ff;
        unsigned cpu = cpu_index();
        if (intid == 1 && cpu == 1) {                 /* ping: answer CPU 0 */
            pings[1]++;
            gic_eoi(iar);
            send_sgi(2, 1u << 0);
            return;
        }
        if (intid == 2 && cpu == 0) pongs++;
        else if (intid == 3) broadcast_sgis[cpu]++;
        else bad_iar = iar | 0x80000000u;
        gic_eoi(iar);
        return;
    }
    print("cpu%d: unexpected vector %d ESR=0x%x ELR=0x%x FAR=0x%x\n", (uint64_t)cpu_index(), (uint64_t)idx, f->esr, f->elr, f->far);
    system_off();
}

static void secondary_work(unsigned cpu)
{
    counting();
    if (cpu == 1) {
        /* TLB maintenance: read the remappable VA (a TLB entry for page_a), let CPU 0 move it, read it again. */
        wait_stage(1);
        seen_before = *(volatile uint64_t *)REMAP_VA;
        ack_stage(1);
        wait_stage(2);
        ISB();
        seen_after = *(volatile uint64_t *)REMAP_VA;
        ack_stage(2);
        /* Cross-modified code: run it (often enough to be compiled), CPU 0 rewrites it, run it again. */
        wait_stage(3);
        ISB();
        unsigned r = 0;
        for (unsigned i = 0; i < 200; i++) r = ((fn_t)code_buffer)();
        code_results[0] = r;
        ack_stage(3);
        wait_stage(4);
        ISB();
        code_results[1] = ((fn_t)code_buffer)();
        ack_stage(4);
        /* WFE until SEV. */
        while (!sev_flag) __asm__ volatile("wfe" ::: "memory");
        sev_woken = 1;
        DSB_ISH();
    }
}

void secondary_main(unsigned cpu)
{
    mmu_on();
    gic_cpu_init(cpu);
    __asm__ volatile("msr daifclr, #2" ::: "memory");
    online[cpu] = 1;
    DSB_ISH();
    __asm__ volatile("sev");
    secondary_work(cpu);
    wfi_until(&done[cpu], 1);                         /* CPU 0's broadcast SGI and pings still arrive here */
    __asm__ volatile("msr daifset, #2" ::: "memory");
    psci(PSCI_CPU_OFF, 0, 0, 0);
    print("cpu%d: CPU_OFF returned\n", (uint64_t)cpu);
    for (;;) __asm__ volatile("wfi");
}

/* CPU_ON's entry: a stack per CPU (X0 = context_id = CPU index), the EL1 vectors, then secondary_main. */
uint8_t stacks[NCPUS][4096] __attribute__((aligned(16)));
extern void secondary_entry(void);
__asm__(
    "    .section .text\n"
    "    .global secondary_entry\n"
    "secondary_entry:\n"
    "    adrp  x1, stacks\n"
    "    add   x1, x1, :lo12:stacks\n"
    "    add   x2, x0, #1\n"
    "    add   x1, x1, x2, lsl #12\n"
    "    mov   sp, x1\n"
    "    adrp  x1, vectors_el1\n"
    "    add   x1, x1, :lo12:vectors_el1\n"
    "    msr   vbar_el1, x1\n"
    "    isb\n"
    "    bl    secondary_main\n"
    "1:  wfi\n"
    "    b     1b\n");

static void wait_ack(unsigned s) { while (stage_ack != s) { } }

/* DEN 0022 return codes and AFFINITY_INFO states by name. */
static const char *psci_ret(uint64_t r)
{
    switch ((int64_t)r) {
    case 0: return "SUCCESS";
    case -1: return "NOT_SUPPORTED";
    case -2: return "INVALID_PARAMETERS";
    case -4: return "ALREADY_ON";
    case -5: return "ON_PENDING";
    case -9: return "INVALID_ADDRESS";
    default: return "?";
    }
}

static const char *affinity(uint64_t r)
{
    switch ((int64_t)r) {
    case 0: return "ON";
    case 1: return "OFF";
    case 2: return "ON_PENDING";
    default: return psci_ret(r);
    }
}

int main(unsigned el)
{
    (void)stacks;
    print("smp guest at EL%d\n", (uint64_t)el);
    have_lse = ((READ_SYSREG(id_aa64isar0_el1) >> 20) & 0xf) >= 2;
    build_tables();
    mmu_on();
    gic_init();
    gic_cpu_init(0);
    print("GIC v%d, LSE %s\n", (uint64_t)(gicv3 ? 3 : 2), have_lse ? "yes" : "no");
    uint64_t v = psci(PSCI_VERSION, 0, 0, 0);
    print("PSCI %d.%d\n", v >> 16, v & 0xffff);
    print("AFFINITY_INFO(1) before CPU_ON: %s\n", affinity(psci(PSCI_AFFINITY_INFO, 1, 0, 0)));
    print("CPU_ON(99): %s\n", psci_ret(psci(PSCI_CPU_ON, 99, (uint64_t)secondary_entry, 99)));
    print("CPU_ON(0): %s\n", psci_ret(psci(PSCI_CPU_ON, 0, (uint64_t)secondary_entry, 0)));
    for (unsigned cpu = 1; cpu < NCPUS; cpu++) {
        print("CPU_ON(%d): %s\n", (uint64_t)cpu, psci_ret(psci(PSCI_CPU_ON, cpu, (uint64_t)secondary_entry, cpu)));
        while (!online[cpu]) __asm__ volatile("wfe" ::: "memory");
        const char *info = affinity(psci(PSCI_AFFINITY_INFO, cpu, 0, 0));
        print("cpu%d online, AFFINITY_INFO: %s, CPU_ON again: %s\n", (uint64_t)cpu, info,
              psci_ret(psci(PSCI_CPU_ON, cpu, (uint64_t)secondary_entry, cpu)));
    }
    __asm__ volatile("msr daifclr, #2" ::: "memory");

    counting();
    while (locked_count != NCPUS * ROUNDS || ll_sc_count != NCPUS * ROUNDS) { }
    while (have_lse && cas_count != NCPUS * ROUNDS) { }
    print("counters: locked %d, ldxr/stxr %d, cas %d\n", locked_count, ll_sc_count, cas_count);

    for (unsigned i = 0; i < PINGS; i++) {
        send_sgi(1, 1u << 1);
        wfi_until(&pongs, i + 1);
    }
    print("ping-pong: %d pings, %d pongs\n", (uint64_t)pings[1], (uint64_t)pongs);
    send_sgi(3, 0);                                   /* to every other CPU */
    for (unsigned cpu = 1; cpu < NCPUS; cpu++) while (broadcast_sgis[cpu] != 1) { }
    print("broadcast SGI: %d %d %d, cpu0 %d, stray 0x%x\n", (uint64_t)broadcast_sgis[1], (uint64_t)broadcast_sgis[2],
          (uint64_t)broadcast_sgis[3], (uint64_t)broadcast_sgis[0], (uint64_t)bad_iar);

    page_a[0] = 0xAAAA;
    page_b[0] = 0xBBBB;
    DSB_ISH();
    stage = 1;
    wait_ack(1);
    l3[0] = (uint64_t)page_b | DESC_AF | DESC_ISH | NORMAL | 3;
    DSB_ISH();
    __asm__ volatile("tlbi vae1is, %0\n dsb ish\n isb" : : "r"(REMAP_VA >> 12) : "memory");
    stage = 2;
    wait_ack(2);
    print("TLBI VAE1IS: cpu1 read 0x%x, then 0x%x\n", seen_before, seen_after);

    write_function(7);
    stage = 3;
    wait_ack(3);
    write_function(9);
    stage = 4;
    wait_ack(4);
    print("cross-modified code: cpu1 ran %d, then %d\n", (uint64_t)code_results[0], (uint64_t)code_results[1]);

    sev_flag = 1;
    DSB_ISH();
    __asm__ volatile("sev");
    while (!sev_woken) { }
    print("SEV woke cpu1\n");

    for (unsigned cpu = 1; cpu < NCPUS; cpu++) {
        done[cpu] = 1;
        DSB_ISH();
    }
    send_sgi(3, 0);                                   /* wake the WFIs */
    for (unsigned cpu = 1; cpu < NCPUS; cpu++) {
        while (psci(PSCI_AFFINITY_INFO, cpu, 0, 0) != 1) { }
        print("cpu%d: AFFINITY_INFO OFF\n", (uint64_t)cpu);
    }
    return 0;
}
