/*
 * gicv3_el1.elf: the physical GICv3 (-M virt,gic-version=3) from EL1 through the ICC_* system registers
 * (IHI 0069 chapters 2-4, 12): identification (ID_AA64PFR0_EL1.GIC, GICD_TYPER, PIDR2, GICR_TYPER), the
 * GICR_WAKER handshake, an SPI made pending through GICD_ISPENDR, routed by GICD_IROUTER and acknowledged with
 * ICC_IAR1_EL1; the running priority (ICC_RPR_EL1) and preemption as ISR_EL1.I shows it; the priority mask; an
 * SGI sent to itself through ICC_SGI1R_EL1; EOImode = 1 (ICC_EOIR1_EL1 drops, ICC_DIR_EL1 deactivates); a Group 0
 * SPI taken as FIQ and acknowledged with ICC_IAR0_EL1; and the virtual timer PPI (INTID 27), level-sensitive.
 * Register values are printed masked to the fields both GICs define the same way (QEMU's default GICv3 has
 * LPIs and an ITS; ArmVirt's has neither).
 */
#include "guest.h"

#define GICD_BASE   0x08000000ul
#define GICR_RD     0x080A0000ul
#define GICR_SGI    (GICR_RD + 0x10000ul)
#define REG32(a)    (*(volatile uint32_t *)(a))
#define REG64(a)    (*(volatile uint64_t *)(a))
#define GICD_CTLR   REG32(GICD_BASE + 0x0)
#define GICD_TYPER  REG32(GICD_BASE + 0x4)
#define GICD_IGROUPR(n)   REG32(GICD_BASE + 0x080 + 4 * (n))
#define GICD_ISENABLER(n) REG32(GICD_BASE + 0x100 + 4 * (n))
#define GICD_ISPENDR(n)   REG32(GICD_BASE + 0x200 + 4 * (n))
#define GICD_ISACTIVER(n) REG32(GICD_BASE + 0x300 + 4 * (n))
#define GICD_IPRIORITYB(i) (*(volatile uint8_t *)(GICD_BASE + 0x400 + (i)))
#define GICD_IROUTER(i)   REG64(GICD_BASE + 0x6000 + 8 * (i))
#define GICD_PIDR2  REG32(GICD_BASE + 0xFFE8)
#define GICR_TYPER  REG64(GICR_RD + 0x8)
#define GICR_WAKER  REG32(GICR_RD + 0x14)
#define GICR_PIDR2  REG32(GICR_RD + 0xFFE8)
#define GICR_IGROUPR0   REG32(GICR_SGI + 0x080)
#define GICR_ISENABLER0 REG32(GICR_SGI + 0x100)
#define GICR_ISACTIVER0 REG32(GICR_SGI + 0x300)
#define GICR_IPRIORITYB(i) (*(volatile uint8_t *)(GICR_SGI + 0x400 + (i)))
#define GICR_ICFGR1     REG32(GICR_SGI + 0xC04)

#define ICC_SGI1R_EL1 S3_0_C12_C11_5
#define ISR_I (1ul << 7)

static volatile unsigned irqs, fiqs;
static volatile uint64_t last_iar;
static volatile unsigned mode; /* what the IRQ handler does */

static void set_pending(unsigned intid) { GICD_ISPENDR(intid / 32) = 1u << (intid % 32); }

static void spi(unsigned intid, unsigned prio, int group1)
{
    GICD_IPRIORITYB(intid) = (uint8_t)prio;
    GICD_IROUTER(intid) = 0;                  /* Aff3.Aff2.Aff1.Aff0 = 0.0.0.0: this CPU */
    if (group1) GICD_IGROUPR(intid / 32) |= 1u << (intid % 32);
    else GICD_IGROUPR(intid / 32) &= ~(1u << (intid % 32));
    GICD_ISENABLER(intid / 32) = 1u << (intid % 32);
}

static void irq(void)
{
    uint64_t intid = READ_SYSREG(icc_iar1_el1);
    uint64_t rpr = READ_SYSREG(icc_rpr_el1);
    last_iar = intid;
    irqs++;
    print("IRQ: ICC_IAR1_EL1=%d ICC_RPR_EL1=0x%x\n", intid, rpr);
    if (intid == 41 && mode == 1) {
        /* Running at 0xc0: INTID 43 (0xd0) does not preempt, INTID 42 (0x80) does (ISR_EL1.I). */
        set_pending(43);
        print("  INTID 43 (0xd0) pending: ISR_EL1.I=%d ICC_HPPIR1_EL1=%d\n", (READ_SYSREG(isr_el1) & ISR_I) >> 7,
              READ_SYSREG(icc_hppir1_el1));
        set_pending(42);
        print("  INTID 42 (0x80) pending: ISR_EL1.I=%d ICC_HPPIR1_EL1=%d\n", (READ_SYSREG(isr_el1) & ISR_I) >> 7,
              READ_SYSREG(icc_hppir1_el1));
        uint64_t nested = READ_SYSREG(icc_iar1_el1); /* acknowledge the preempting interrupt here */
        print("  nested ICC_IAR1_EL1=%d ICC_RPR_EL1=0x%x ICC_AP1R0_EL1=0x%x\n", nested, READ_SYSREG(icc_rpr_el1),
              READ_SYSREG(S3_0_C12_C9_0));
        WRITE_SYSREG(icc_eoir1_el1, nested);
        print("  after EOI %d: ICC_RPR_EL1=0x%x\n", nested, READ_SYSREG(icc_rpr_el1));
    }
    if (intid == 27) {
        WRITE_SYSREG(cntv_ctl_el0, 3ul);     /* IMASK: the level-sensitive PPI input drops */
        ISB();
    }
    if (mode == 2) {                          /* EOImode = 1 */
        WRITE_SYSREG(icc_eoir1_el1, intid);
        ISB();
        print("  EOImode=1: after EOIR RPR=0x%x GICD_ISACTIVER1=0x%x\n", READ_SYSREG(icc_rpr_el1), (uint64_t)GICD_ISACTIVER(1));
        WRITE_SYSREG(icc_dir_el1, intid);
        ISB();
        print("  after DIR GICD_ISACTIVER1=0x%x\n", (uint64_t)GICD_ISACTIVER(1));
        return;
    }
    WRITE_SYSREG(icc_eoir1_el1, intid);
    ISB();
}

static void fiq(void)
{
    uint64_t intid = READ_SYSREG(icc_iar0_el1);
    fiqs++;
    print("FIQ: ICC_IAR0_EL1=%d ICC_RPR_EL1=0x%x ICC_AP0R0_EL1=0x%x\n", intid, READ_SYSREG(icc_rpr_el1),
          READ_SYSREG(S3_0_C12_C8_4));
    WRITE_SYSREG(icc_eoir0_el1, intid);
    ISB();
}

void exception_handler(struct frame *f, unsigned idx, unsigned el)
{
    (void)el;
    if (idx == VEC_CUR_SPX_IRQ) { irq(); return; }
    if (idx == VEC_CUR_SPX_IRQ + 1) { fiq(); return; }
    print("unexpected vector %d ESR=0x%x ELR=0x%x\n", (uint64_t)idx, f->esr, f->elr);
    system_off();
}

static void window(void)
{
    __asm__ volatile("msr daifclr, #3\n isb\n nop\n msr daifset, #3\n isb" ::: "memory");
}

int main(unsigned el)
{
    print("gicv3_el1 guest at EL%d\n", (uint64_t)el);
    uint64_t pfr0 = READ_SYSREG(id_aa64pfr0_el1);
    print("ID_AA64PFR0_EL1.GIC=%d ICC_SRE_EL1=0x%x\n", (pfr0 >> 24) & 0xf, READ_SYSREG(icc_sre_el1));
    if (((pfr0 >> 24) & 0xf) == 0) {
        print("no GICv3 system registers (armvirt --gic-version 3, QEMU -M virt,gic-version=3)\n");
        return 0;
    }
    uint32_t typer = GICD_TYPER;
    uint64_t rtyper = GICR_TYPER;
    print("GICD_CTLR=0x%x GICD_TYPER.ITLinesNumber=%d IDbits=%d No1N=%d A3V=%d GICD_PIDR2.ArchRev=%d\n",
          (uint64_t)GICD_CTLR, (uint64_t)(typer & 0x1f), (uint64_t)((typer >> 19) & 0x1f), (uint64_t)((typer >> 25) & 1),
          (uint64_t)((typer >> 24) & 1), (uint64_t)((GICD_PIDR2 >> 4) & 0xf));
    print("GICR_TYPER.Affinity=0x%x ProcessorNumber=%d Last=%d GICR_PIDR2.ArchRev=%d GICR_WAKER=0x%x\n",
          rtyper >> 32, (rtyper >> 8) & 0xffff, (rtyper >> 4) & 1, (uint64_t)((GICR_PIDR2 >> 4) & 0xf), (uint64_t)GICR_WAKER);
    print("ICC_CTLR_EL1=0x%x ICC_PMR_EL1=0x%x ICC_BPR0_EL1=%d ICC_BPR1_EL1=%d ICC_RPR_EL1=0x%x ICC_IAR1_EL1=%d\n",
          READ_SYSREG(icc_ctlr_el1), READ_SYSREG(icc_pmr_el1), READ_SYSREG(icc_bpr0_el1), READ_SYSREG(icc_bpr1_el1),
          READ_SYSREG(icc_rpr_el1), READ_SYSREG(icc_iar1_el1));

    GICD_CTLR = 3;                          /* EnableGrp0 | EnableGrp1 (DS = 1, ARE RAO) */
    GICR_WAKER &= ~(1u << 1);
    while (GICR_WAKER & (1u << 2)) { }
    print("GICD_CTLR=0x%x GICR_WAKER=0x%x\n", (uint64_t)GICD_CTLR, (uint64_t)GICR_WAKER);
    WRITE_SYSREG(icc_pmr_el1, 0xfful);
    WRITE_SYSREG(icc_bpr1_el1, 0ul);        /* raised to the minimum */
    WRITE_SYSREG(icc_igrpen0_el1, 1ul);
    WRITE_SYSREG(icc_igrpen1_el1, 1ul);
    ISB();
    print("ICC_PMR_EL1=0x%x ICC_BPR1_EL1=%d ICC_IGRPEN1_EL1=%d\n", READ_SYSREG(icc_pmr_el1), READ_SYSREG(icc_bpr1_el1),
          READ_SYSREG(icc_igrpen1_el1));

    /* 1. An SPI set pending by software. */
    spi(40, 0xa0, 1);
    set_pending(40);
    print("SPI 40 pending: ISR_EL1.I=%d ICC_HPPIR1_EL1=%d\n", (READ_SYSREG(isr_el1) & ISR_I) >> 7, READ_SYSREG(icc_hppir1_el1));
    window();

    /* 2. The priority mask. */
    WRITE_SYSREG(icc_pmr_el1, 0xa0ul);
    ISB();
    set_pending(40);
    print("PMR=0xa0, SPI 40 (0xa0) pending: ISR_EL1.I=%d ICC_HPPIR1_EL1=%d ICC_IAR1_EL1=%d\n",
          (READ_SYSREG(isr_el1) & ISR_I) >> 7, READ_SYSREG(icc_hppir1_el1), READ_SYSREG(icc_iar1_el1));
    WRITE_SYSREG(icc_pmr_el1, 0xfful);
    ISB();
    window();

    /* 3. Running priority and preemption. */
    spi(41, 0xc0, 1);
    spi(42, 0x80, 1);
    spi(43, 0xd0, 1);
    mode = 1;
    set_pending(41);
    window();
    mode = 0;
    window();                                /* INTID 43 is still pending */

    /* 4. An SGI to this CPU: INTID 3, Aff3.Aff2.Aff1 = 0, TargetList = {0}. */
    GICR_IGROUPR0 |= 1u << 3;
    GICR_IPRIORITYB(3) = 0x90;
    GICR_ISENABLER0 = 1u << 3;
    WRITE_SYSREG(ICC_SGI1R_EL1, (3ul << 24) | 1);
    ISB();
    window();

    /* 5. EOImode = 1. */
    WRITE_SYSREG(icc_ctlr_el1, 2ul);
    ISB();
    print("ICC_CTLR_EL1=0x%x\n", READ_SYSREG(icc_ctlr_el1));
    mode = 2;
    set_pending(40);
    window();
    mode = 0;
    WRITE_SYSREG(icc_ctlr_el1, 0ul);
    ISB();

    /* 6. Group 0: FIQ. */
    spi(44, 0x40, 0);
    set_pending(44);
    window();

    /* 7. The virtual timer: PPI 11 = INTID 27, level-sensitive. */
    GICR_IGROUPR0 |= 1u << 27;
    GICR_IPRIORITYB(27) = 0xa0;
    GICR_ISENABLER0 = 1u << 27;
    print("GICR_ICFGR1=0x%x\n", (uint64_t)GICR_ICFGR1);
    WRITE_SYSREG(cntv_tval_el0, 100ul);
    WRITE_SYSREG(cntv_ctl_el0, 1ul);
    ISB();
    __asm__ volatile("msr daifclr, #3" ::: "memory");
    while (last_iar != 27) __asm__ volatile("wfi" ::: "memory");
    __asm__ volatile("msr daifset, #3" ::: "memory");
    print("IRQs taken: %d, FIQs taken: %d, GICR_ISACTIVER0=0x%x GICD_ISACTIVER1=0x%x\n", (uint64_t)irqs, (uint64_t)fiqs,
          (uint64_t)GICR_ISACTIVER0, (uint64_t)GICD_ISACTIVER(1));
    return 0;
}
