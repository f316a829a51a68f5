/*
 * pmu.elf: PMUv3 (Arm ARM D7 "The Performance Monitors Extension"), started at EL2 on -M virt (GICv2).
 *   EL2: ID_AA64DFR0_EL1.PMUVer, PMCR_EL0 (IMP, IDCODE, N), MDCR_EL2.HPMN at reset; SW_INCR counted by a counter
 *        whose PMEVTYPER includes EL2 (NSH) and not by one that excludes it; an event counter overflowing from SW_INCR
 *        raises the PMU interrupt (PPI 7, INTID 23) through the GICv2, taken at EL2 under HCR_EL2.IMO; the cycle
 *        counter advances; counters at or above MDCR_EL2.HPMN are enabled by MDCR_EL2.HPME, not PMCR_EL0.E.
 *   EL1 (HPMN = 4): PMCR_EL0.N and PMCNTENSET_EL0 as EL1 sees them; PMEVTYPER.P excluding EL1; EL0 accesses gated by
 *        PMUSERENR_EL0 (EN, CR, SW) trapped to EL1 (EC 0x18); MDCR_EL2.TPM trapping EL1's PMU accesses to EL2.
 * Built with -DEXACT_COUNTS (pmu_counts.elf, no QEMU recording: QEMU counts cycles from host time and INST_RETIRED
 * only with -icount) it then counts, at EL1: INST_RETIRED, CPU_CYCLES, LD/ST/BR_RETIRED and MEM_ACCESS over a known
 * sequence and over a hot loop, EXC_TAKEN/EXC_RETURN around an SVC, a CHAIN pair, and the overflow interrupts of an
 * INST_RETIRED counter and of the cycle counter, printing the values (ArmVirt.Guests.Tests pins them and requires
 * the same output from both engines).
 * EL1 asks EL2 with HVC #n: 1 = set MDCR_EL2.TPM, 2 = clear it, 3 = MDCR_EL2.HPMN = 6, 0 = SMCCC (PSCI SYSTEM_OFF,
 * forwarded by SMC).
 */
#include "guest.h"

#define HCR_IMO (1ul << 4)
#define HCR_RW  (1ul << 31)

#define PMCR_E  (1ul << 0)
#define PMCR_P  (1ul << 1)
#define PMCR_C  (1ul << 2)
#define PMCR_LC (1ul << 6)
#define EVT_P   (1ul << 31)
#define EVT_U   (1ul << 30)
#define EVT_NSH (1ul << 27)
#define CYCLE   (1ul << 31)

#define MDCR_HPME (1ul << 7)
#define MDCR_TPM  (1ul << 6)

#define EV_SW_INCR      0x00
#define EV_LD_RETIRED   0x06
#define EV_ST_RETIRED   0x07
#define EV_INST_RETIRED 0x08
#define EV_EXC_TAKEN    0x09
#define EV_EXC_RETURN   0x0a
#define EV_CPU_CYCLES   0x11
#define EV_MEM_ACCESS   0x13
#define EV_CHAIN        0x1e
#define EV_BR_RETIRED   0x21

/* GICv2 of -M virt: distributor and CPU interface. */
#define GICD_BASE 0x08000000ul
#define GICC_BASE 0x08010000ul
#define REG32(a) (*(volatile uint32_t *)(a))
#define PMU_INTID 23

static volatile unsigned pmu_irqs, last_intid;
static volatile uint64_t irq_ovs, irq_counter;
static volatile int irq_counter_index;
static volatile unsigned el0_traps, el2_traps;
static volatile uint64_t last_trap_iss;

static void gic_init(void)
{
    REG32(GICD_BASE + 0x000) = 1;                      /* GICD_CTLR.EnableGrp0 */
    REG32(GICD_BASE + 0x100) = 1u << PMU_INTID;        /* GICD_ISENABLER0: the PMU PPI */
    REG32(GICC_BASE + 0x004) = 0xf0;                   /* GICC_PMR */
    REG32(GICC_BASE + 0x000) = 1;                      /* GICC_CTLR.EnableGrp0 */
}

static uint64_t read_counter(int n)
{
    WRITE_SYSREG(pmselr_el0, n);
    ISB();
    return READ_SYSREG(pmxevcntr_el0);
}

/* The PMU interrupt: acknowledge, record the overflow flags and the counter, clear the flags, end it. */
static void pmu_irq(void)
{
    uint32_t iar = REG32(GICC_BASE + 0x00c);
    last_intid = iar & 0x3ff;
    irq_ovs = READ_SYSREG(pmovsset_el0);
    irq_counter = irq_counter_index == 31 ? READ_SYSREG(pmccntr_el0) : read_counter(irq_counter_index);
    WRITE_SYSREG(pmovsclr_el0, irq_ovs);
    ISB();
    REG32(GICC_BASE + 0x010) = iar;
    pmu_irqs++;
}

static void el1_after_el0(void) __attribute__((noreturn));
static volatile int el0_phase;

static void el2_handler(struct frame *f, unsigned idx)
{
    uint64_t ec = f->esr >> 26, iss = f->esr & 0x1ffffff;
    if (idx == VEC_CUR_SPX_IRQ) {
        pmu_irq();
        return;
    }
    if (idx != VEC_LOWER64_SYNC) {
        print("EL2: unexpected vector %d ESR=0x%x ELR=0x%x\n", (uint64_t)idx, f->esr, f->elr);
        system_off();
    }
    if (ec == EC_SYSREG) {
        el2_traps++;
        print("EL2: trapped %s from EL1 (MDCR_EL2.TPM): EC=0x%x Op0=%d Op1=%d CRn=%d CRm=%d Op2=%d\n",
              (iss & 1) ? "MRS" : "MSR", ec, (iss >> 20) & 3, (iss >> 14) & 7, (iss >> 10) & 15, (iss >> 1) & 15, (iss >> 17) & 7);
        if ((iss & 1) && ((iss >> 5) & 31) != 31) f->x[(iss >> 5) & 31] = 0x7e57;   /* the value a trapped MRS reads */
        f->elr += 4;
        return;
    }
    if (ec == EC_HVC64) {
        if (iss == 1) WRITE_SYSREG(mdcr_el2, READ_SYSREG(mdcr_el2) | MDCR_TPM);
        else if (iss == 2) WRITE_SYSREG(mdcr_el2, READ_SYSREG(mdcr_el2) & ~MDCR_TPM);
        else if (iss == 3) WRITE_SYSREG(mdcr_el2, 6);
        else if (iss == 0 && (uint32_t)f->x[0] == PSCI_SYSTEM_OFF) {
            print("EL2: SYSTEM_OFF requested by EL1, forwarding with SMC\n");
            system_off();
        }
        ISB();
        return;
    }
    print("EL2: unexpected EC=0x%x ISS=0x%x ELR=0x%x\n", ec, iss, f->elr);
    system_off();
}

#ifdef EXACT_COUNTS
static volatile unsigned svcs;
#endif

static void el1_handler(struct frame *f, unsigned idx)
{
    uint64_t ec = f->esr >> 26, iss = f->esr & 0x1ffffff;
    if (idx == VEC_CUR_SPX_IRQ) {
        pmu_irq();
        return;
    }
    if (idx == VEC_LOWER64_SYNC && ec == EC_SYSREG) {
        el0_traps++;
        last_trap_iss = iss;
        print("EL1: trapped %s from EL0: EC=0x%x Op0=%d Op1=%d CRn=%d CRm=%d Op2=%d\n",
              (iss & 1) ? "MRS" : "MSR", ec, (iss >> 20) & 3, (iss >> 14) & 7, (iss >> 10) & 15, (iss >> 1) & 15, (iss >> 17) & 7);
        f->elr += 4;
        return;
    }
    if (idx == VEC_LOWER64_SYNC && ec == EC_SVC64) {
        /* EL0 is done: continue at EL1 in el1_after_el0 with the EL1 stack. */
        f->elr = (uint64_t)el1_after_el0;
        f->spsr = 0x3c5;
        return;
    }
#ifdef EXACT_COUNTS
    if (idx == VEC_CUR_SPX_SYNC && ec == EC_SVC64) {
        svcs++;
        return;
    }
#endif
    print("EL1: unexpected vector %d ESR=0x%x ELR=0x%x\n", (uint64_t)idx, f->esr, f->elr);
    hvc_call(PSCI_SYSTEM_OFF);
}

void exception_handler(struct frame *f, unsigned idx, unsigned el)
{
    if (el == 2) el2_handler(f, idx);
    else el1_handler(f, idx);
}

/* EL0: PMCCNTR_EL0 read, PMEVCNTR0_EL0 read, PMSWINC_EL0 write (counters 0 and 1), then SVC back to EL1. */
static void el0_main(void) __attribute__((noreturn));
static void el0_main(void)
{
    uint64_t cycles, count;
    __asm__ volatile("mrs %0, pmccntr_el0" : "=r"(cycles));
    __asm__ volatile("mrs %0, pmevcntr0_el0" : "=r"(count));
    __asm__ volatile("msr pmswinc_el0, %0" :: "r"(3ul));
    (void)cycles;
    (void)count;
    __asm__ volatile("svc #0");
    for (;;) ;
}

static void enter_el0(void)
{
    __asm__ volatile(
        "msr spsr_el1, %0\n msr elr_el1, %1\n msr sp_el0, %2\n isb\n eret"
        :: "r"(0ul), "r"(el0_main), "r"((uint64_t)__stack_el1_top - 0x2000) : "memory");
}

#ifdef EXACT_COUNTS
static uint64_t buffer[64];

static void program(int n, uint64_t type)
{
    WRITE_SYSREG(pmselr_el0, n);
    ISB();
    WRITE_SYSREG(pmxevtyper_el0, type);
    WRITE_SYSREG(pmxevcntr_el0, 0);
}

/*
 * Counters 0-3 on INST_RETIRED, LD_RETIRED, ST_RETIRED, BR_RETIRED, the cycle counter at 0: the sequence between the
 * enabling MSR and the disabling one is 9 instructions (ISB, 2 loads, 2 stores, 3 branches, ADD); the enabling MSR
 * itself retires after the counters start and counts too.
 */
static void count_sequence(void)
{
    program(0, EV_INST_RETIRED);
    program(1, EV_LD_RETIRED);
    program(2, EV_ST_RETIRED);
    program(3, EV_BR_RETIRED);
    program(4, EV_MEM_ACCESS);
    program(5, EV_CPU_CYCLES);
    WRITE_SYSREG(pmccntr_el0, 0);
    WRITE_SYSREG(pmcr_el0, PMCR_E);
    ISB();
    uint64_t mask = 0x3f | CYCLE, x1, x2 = 0;
    __asm__ volatile(
        "msr pmcntenset_el0, %[mask]\n"
        "isb\n"
        "ldr %[x1], [%[buf]]\n"
        "str %[x1], [%[buf], #8]\n"
        "ldp %[x1], %[x2], [%[buf]]\n"
        "stp %[x1], %[x2], [%[buf], #16]\n"
        "b 1f\n"
        "1: cbz xzr, 2f\n"
        "2: cbnz xzr, 3f\n"
        "3: add %[x2], %[x2], #1\n"
        "msr pmcntenclr_el0, %[mask]\n"
        : [x1] "=&r"(x1), [x2] "+r"(x2) : [mask] "r"(mask), [buf] "r"(buffer) : "memory");
    ISB();
    print("EL1: known sequence: INST_RETIRED=%d LD_RETIRED=%d ST_RETIRED=%d BR_RETIRED=%d MEM_ACCESS=%d CPU_CYCLES=%d PMCCNTR=%d\n",
          read_counter(0), read_counter(1), read_counter(2), read_counter(3), read_counter(4), read_counter(5),
          READ_SYSREG(pmccntr_el0));
}

/* A hot loop (compiled by the JIT when nothing forces stepping): 20000 iterations of LDR, ADD, SUBS, B.NE. */
static void count_loop(uint64_t types[4], const char *what)
{
    for (int n = 0; n < 4; n++) program(n, types[n]);
    WRITE_SYSREG(pmccntr_el0, 0);
    uint64_t mask = 0xf | CYCLE, i = 20000, sum = 0, tmp;
    __asm__ volatile(
        "msr pmcntenset_el0, %[mask]\n"
        "1: ldr %[tmp], [%[buf]]\n"
        "add %[sum], %[sum], %[tmp]\n"
        "subs %[i], %[i], #1\n"
        "b.ne 1b\n"
        "msr pmcntenclr_el0, %[mask]\n"
        : [i] "+r"(i), [sum] "+r"(sum), [tmp] "=&r"(tmp) : [mask] "r"(mask), [buf] "r"(buffer) : "memory", "cc");
    ISB();
    print("EL1: hot loop (%s): %d %d %d %d PMCCNTR=%d\n", what,
          read_counter(0), read_counter(1), read_counter(2), read_counter(3), READ_SYSREG(pmccntr_el0));
}

static void exact_counts(void)
{
    WRITE_SYSREG(pmcntenclr_el0, ~0ul);
    WRITE_SYSREG(pmovsclr_el0, ~0ul);
    WRITE_SYSREG(pmccfiltr_el0, 0);       /* count at EL1 (and EL0), not at EL2 */
    count_sequence();
    count_sequence();

    uint64_t derived[4] = { EV_INST_RETIRED, EV_CPU_CYCLES, EV_SW_INCR, EV_EXC_TAKEN };
    count_loop(derived, "INST_RETIRED CPU_CYCLES SW_INCR EXC_TAKEN");
    uint64_t stream[4] = { EV_INST_RETIRED, EV_LD_RETIRED, EV_BR_RETIRED, EV_MEM_ACCESS };
    count_loop(stream, "INST_RETIRED LD_RETIRED BR_RETIRED MEM_ACCESS");

    /* EXC_TAKEN and EXC_RETURN around an SVC taken at EL1 (counted at EL1: the handler's ERET too). */
    program(0, EV_EXC_TAKEN);
    program(1, EV_EXC_RETURN);
    program(2, EV_INST_RETIRED);
    WRITE_SYSREG(pmcntenset_el0, 7);
    __asm__ volatile("svc #0x42" ::: "memory");
    WRITE_SYSREG(pmcntenclr_el0, 7);
    ISB();
    print("EL1: SVC: svcs=%d EXC_TAKEN=%d EXC_RETURN=%d INST_RETIRED=%d\n", (uint64_t)svcs, read_counter(0), read_counter(1),
          read_counter(2));

    /* CHAIN: counter 0 on SW_INCR two below its overflow, counter 1 chained to it. */
    program(0, EV_SW_INCR);
    program(1, EV_CHAIN);
    WRITE_SYSREG(pmselr_el0, 0);
    ISB();
    WRITE_SYSREG(pmxevcntr_el0, 0xfffffffeul);
    WRITE_SYSREG(pmcntenset_el0, 3);
    for (int k = 0; k < 3; k++) WRITE_SYSREG(pmswinc_el0, 1);
    ISB();
    print("EL1: CHAIN: counter 0=0x%x counter 1=%d PMOVSSET=0x%x\n", read_counter(0), read_counter(1), READ_SYSREG(pmovsset_el0));
    WRITE_SYSREG(pmcntenclr_el0, 3);
    WRITE_SYSREG(pmovsclr_el0, ~0ul);

    /* Overflow interrupt of INST_RETIRED: 100 instructions before the wrap; the IRQ is taken at EL1. */
    gic_init();
    program(2, EV_INST_RETIRED);
    WRITE_SYSREG(pmselr_el0, 2);
    ISB();
    WRITE_SYSREG(pmxevcntr_el0, 0xffffffffful - 99);
    irq_counter_index = 2;
    pmu_irqs = 0;
    WRITE_SYSREG(pmintenset_el1, 4);
    __asm__ volatile("msr daifclr, #2" ::: "memory");
    WRITE_SYSREG(pmcntenset_el0, 4);
    for (volatile int k = 0; k < 100 && !pmu_irqs; k++) ;
    __asm__ volatile("msr daifset, #2" ::: "memory");
    WRITE_SYSREG(pmcntenclr_el0, 4);
    WRITE_SYSREG(pmintenclr_el1, 4);
    print("EL1: INST_RETIRED overflow: irqs=%d INTID=%d PMOVSSET in the handler=0x%x counter there=%d\n",
          (uint64_t)pmu_irqs, (uint64_t)last_intid, irq_ovs, irq_counter);

    /* Overflow interrupt of the cycle counter (PMCR_EL0.LC = 0: at 32 bits), 1000 cycles before it. */
    irq_counter_index = 31;
    pmu_irqs = 0;
    WRITE_SYSREG(pmccntr_el0, 0x100000000ul - 1000);
    WRITE_SYSREG(pmintenset_el1, CYCLE);
    __asm__ volatile("msr daifclr, #2" ::: "memory");
    WRITE_SYSREG(pmcntenset_el0, CYCLE);
    for (volatile int k = 0; k < 1000 && !pmu_irqs; k++) ;
    __asm__ volatile("msr daifset, #2" ::: "memory");
    WRITE_SYSREG(pmcntenclr_el0, CYCLE);
    print("EL1: PMCCNTR overflow: irqs=%d INTID=%d PMOVSSET in the handler=0x%x PMCCNTR there=0x%x\n",
          (uint64_t)pmu_irqs, (uint64_t)last_intid, irq_ovs, irq_counter);
}
#endif

static void el1_main(void) __attribute__((noreturn));
static void el1_main(void)
{
    print("EL1: PMCR_EL0.N=%d (MDCR_EL2.HPMN) PMCNTENSET_EL0=0x%x\n", (READ_SYSREG(pmcr_el0) >> 11) & 0x1f,
          READ_SYSREG(pmcntenset_el0));
    /* Counter 0 counts SW_INCR at EL1, counter 1 excludes EL1 (P). */
    WRITE_SYSREG(pmevtyper0_el0, EV_SW_INCR);
    WRITE_SYSREG(pmevtyper1_el0, EVT_P | EV_SW_INCR);
    WRITE_SYSREG(pmevcntr0_el0, 0);
    WRITE_SYSREG(pmevcntr1_el0, 0);
    WRITE_SYSREG(pmcr_el0, PMCR_E);
    WRITE_SYSREG(pmcntenset_el0, 3);
    for (int k = 0; k < 2; k++) WRITE_SYSREG(pmswinc_el0, 3);
    ISB();
    print("EL1: SW_INCR x2: counter 0 (EL1 counted)=%d counter 1 (P: EL1 excluded)=%d\n",
          READ_SYSREG(pmevcntr0_el0), READ_SYSREG(pmevcntr1_el0));

    /* EL0 with PMUSERENR_EL0 = 0: every access traps to EL1. */
    WRITE_SYSREG(pmuserenr_el0, 0);
    print("EL1: PMUSERENR_EL0=0x%x, entering EL0\n", READ_SYSREG(pmuserenr_el0));
    el0_phase = 0;
    enter_el0();
    __builtin_unreachable();
}

static void el1_after_el0(void)
{
    if (el0_phase == 0) {
        print("EL1: back from EL0, %d traps\n", (uint64_t)el0_traps);
        /* CR: PMCCNTR_EL0 reads; ER: event counter reads; EN still 0: PMSWINC_EL0 (SW clear) traps. */
        el0_phase = 1;
        el0_traps = 0;
        WRITE_SYSREG(pmuserenr_el0, (1ul << 2) | (1ul << 3));
        print("EL1: PMUSERENR_EL0=0x%x (CR, ER), entering EL0\n", READ_SYSREG(pmuserenr_el0));
        enter_el0();
    }
    if (el0_phase == 1) {
        print("EL1: back from EL0, %d traps\n", (uint64_t)el0_traps);
        /* SW: PMSWINC_EL0 writes allowed (and nothing else). */
        el0_phase = 2;
        el0_traps = 0;
        WRITE_SYSREG(pmuserenr_el0, 1ul << 1);
        print("EL1: PMUSERENR_EL0=0x%x (SW), entering EL0\n", READ_SYSREG(pmuserenr_el0));
        enter_el0();
    }
    print("EL1: back from EL0, %d traps\n", (uint64_t)el0_traps);
    print("EL1: SW_INCR from EL0: counter 0 (U=0)=%d counter 1 (P=1 U=0)=%d\n", READ_SYSREG(pmevcntr0_el0),
          READ_SYSREG(pmevcntr1_el0));

    /* MDCR_EL2.TPM: EL1's PMU accesses trap to EL2. */
    __asm__ volatile("hvc #1" ::: "memory");
    uint64_t v;
    __asm__ volatile("mrs %0, pmccntr_el0" : "=r"(v));
    print("EL1: MRS PMCCNTR_EL0 under TPM read 0x%x\n", v);
    __asm__ volatile("mrs %0, pmintenset_el1" : "=r"(v));
    __asm__ volatile("msr pmcr_el0, %0" :: "r"(0ul));
    __asm__ volatile("hvc #2" ::: "memory");
    print("EL1: EL2 saw %d traps; PMCR_EL0.E after the trapped write=%d\n", (uint64_t)el2_traps, READ_SYSREG(pmcr_el0) & 1);

#ifdef EXACT_COUNTS
    __asm__ volatile("hvc #3" ::: "memory");
    exact_counts();
#endif
    print("EL1: powering off via HVC to EL2\n");
    hvc_call(PSCI_SYSTEM_OFF);
    for (;;) __asm__ volatile("wfi");
}

int main(unsigned el)
{
    print("pmu guest at EL%d\n", (uint64_t)el);
    if (el != 2) {
        print("this guest needs EL2 (armvirt --el 2, QEMU -M virt,virtualization=on)\n");
        return 0;
    }
    uint64_t dfr0 = READ_SYSREG(id_aa64dfr0_el1), pmcr = READ_SYSREG(pmcr_el0);
    print("EL2: ID_AA64DFR0_EL1.PMUVer=%d PMCR_EL0: IMP=0x%x IDCODE=0x%x N=%d E=%d\n", (dfr0 >> 8) & 0xf,
          (pmcr >> 24) & 0xff, (pmcr >> 16) & 0xff, (pmcr >> 11) & 0x1f, pmcr & 1);
    print("EL2: MDCR_EL2.HPMN=%d PMCEID0_EL0: SW_INCR=%d CPU_CYCLES=%d\n", READ_SYSREG(mdcr_el2) & 0x1f,
          READ_SYSREG(pmceid0_el0) & 1, (READ_SYSREG(pmceid0_el0) >> 17) & 1);

    /* SW_INCR at EL2: counter 0 includes EL2 (NSH), counter 1 does not. */
    WRITE_SYSREG(pmevtyper0_el0, EVT_NSH | EV_SW_INCR);
    WRITE_SYSREG(pmevtyper1_el0, EV_SW_INCR);
    WRITE_SYSREG(pmcr_el0, PMCR_P | PMCR_C);
    WRITE_SYSREG(pmcntenset_el0, 3);
    WRITE_SYSREG(pmcr_el0, PMCR_E);
    for (int k = 0; k < 3; k++) WRITE_SYSREG(pmswinc_el0, 3);
    ISB();
    print("EL2: SW_INCR x3: counter 0 (NSH)=%d counter 1 (EL2 not included)=%d PMCNTENSET=0x%x\n",
          READ_SYSREG(pmevcntr0_el0), READ_SYSREG(pmevcntr1_el0), READ_SYSREG(pmcntenset_el0));

    /* Overflow of counter 2 from SW_INCR: PMOVSSET bit 2 and the interrupt, taken at EL2 with HCR_EL2.IMO. */
    gic_init();
    WRITE_SYSREG(hcr_el2, HCR_RW | HCR_IMO);
    WRITE_SYSREG(pmevtyper2_el0, EVT_NSH | EV_SW_INCR);
    WRITE_SYSREG(pmevcntr2_el0, 0xfffffffful);
    WRITE_SYSREG(pmcntenset_el0, 4);
    WRITE_SYSREG(pmintenset_el1, 4);
    irq_counter_index = 2;
    ISB();
    __asm__ volatile("msr daifclr, #2" ::: "memory");
    WRITE_SYSREG(pmswinc_el0, 4);
    ISB();
    for (volatile int k = 0; k < 1000 && !pmu_irqs; k++) ;
    __asm__ volatile("msr daifset, #2" ::: "memory");
    print("EL2: counter 2 overflow: irqs=%d INTID=%d PMOVSSET in the handler=0x%x counter 2 there=%d PMOVSSET now=0x%x\n",
          (uint64_t)pmu_irqs, (uint64_t)last_intid, irq_ovs, irq_counter, READ_SYSREG(pmovsset_el0));
    WRITE_SYSREG(pmintenclr_el1, 4);
    WRITE_SYSREG(pmcntenclr_el0, 4);

    /* The cycle counter at EL2 (PMCCFILTR_EL0.NSH). */
    WRITE_SYSREG(pmccfiltr_el0, EVT_NSH);
    WRITE_SYSREG(pmcntenset_el0, CYCLE);
    uint64_t c0 = READ_SYSREG(pmccntr_el0);
    for (volatile int k = 0; k < 1000; k++) ;
    uint64_t c1 = READ_SYSREG(pmccntr_el0);
    print("EL2: PMCCNTR_EL0 advanced over a loop: %s\n", c1 > c0 ? "yes" : "no");
    WRITE_SYSREG(pmcntenclr_el0, CYCLE);

    /* HPMN = 4: counter 5 is EL2's, enabled by MDCR_EL2.HPME while PMCR_EL0.E is 0. */
    WRITE_SYSREG(mdcr_el2, 4 | MDCR_HPME);
    WRITE_SYSREG(pmcr_el0, 0);
    WRITE_SYSREG(pmevtyper5_el0, EVT_NSH | EV_SW_INCR);
    WRITE_SYSREG(pmevcntr5_el0, 0);
    WRITE_SYSREG(pmevcntr0_el0, 0);
    WRITE_SYSREG(pmcntenset_el0, 0x21);
    WRITE_SYSREG(pmswinc_el0, 0x21);
    ISB();
    print("EL2: HPMN=4 HPME=1 PMCR_EL0.E=0: SW_INCR counted by counter 5=%d, by counter 0=%d\n",
          READ_SYSREG(pmevcntr5_el0), READ_SYSREG(pmevcntr0_el0));
    WRITE_SYSREG(pmcntenclr_el0, 0x20);

    WRITE_SYSREG(hcr_el2, HCR_RW);
    WRITE_SYSREG(sp_el1, __stack_el1_top);
    WRITE_SYSREG(spsr_el2, 0x3c5ul);   /* EL1h, DAIF masked */
    WRITE_SYSREG(elr_el2, el1_main);
    ISB();
    print("EL2: entering EL1 with MDCR_EL2.HPMN=4\n");
    __asm__ volatile("eret" ::: "memory");
    __builtin_unreachable();
}
