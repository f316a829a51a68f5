/*
 * gicv3_hyp.elf: a tiny EL2 hypervisor on the GICv3 (-M virt,virtualization=on,gic-version=3) that runs an EL1
 * guest with HCR_EL2.IMO/FMO set, so the guest's ICC_* accesses reach the virtual CPU interface (ICV_*), and
 * injects virtual interrupts through the list registers (IHI 0069 chapter 6 "Virtual interrupt handling").
 *   HVC #1: a software vINTID 42 with LR.EOI = 1: the guest's EOI raises the maintenance interrupt (MISR.EOI).
 *   HVC #2: two entries (vINTIDs 43, 44) with ICH_HCR_EL2.UIE: underflow once the first is EOId (MISR.U).
 *   HVC #3: arms the EL1 physical timer (INTID 30); EL2 takes it, drops its priority (EOImode = 1) and forwards it
 *           as a HW entry (vINTID 27); the guest's ICV_DIR_EL1 deactivates the physical interrupt.
 *   HVC #4: reports the physical active state and EOIcount (the guest also wrote ICV_DIR_EL1 for an unknown vINTID).
 *   HVC #7: a Group 0 vINTID 45 (priority 0x60, a virtual FIQ) and a Group 1 vINTID 46 (0xc0): the FIQ is taken
 *           first; HVC #8 from its handler reports ICH_AP0R0_EL2/ICH_AP1R0_EL2 and LR2 while 45 is active.
 *   HVC #9: ICH_HCR_EL2.TALL1 and TDIR: the guest's ICC_HPPIR1_EL1 read and ICC_DIR_EL1 write trap to EL2 (EC 0x18),
 *           ICC_PMR_EL1 (TC clear) does not; HVC #10 clears the traps.
 *   HVC #5: ICH_HCR_EL2.NPIE with nothing pending (MISR.NP), then (HVC #6) VGrp1DIE before the guest clears
 *           ICV_IGRPEN1.
 *   HVC #0 with X0 = PSCI SYSTEM_OFF: forwarded by SMC.
 * Every maintenance interrupt (PPI 9, INTID 25) is taken at EL2 as a physical IRQ; its handler prints ICH_MISR_EL2,
 * ICH_EISR_EL2 and ICH_ELRSR_EL2 and clears the condition. The guest prints only where the order of output does not
 * depend on timing.
 */
#include "guest.h"

#define HCR_FMO (1ul << 3)
#define HCR_IMO (1ul << 4)
#define HCR_RW  (1ul << 31)

/* -M virt GICv3: distributor 0x0800_0000, redistributor of CPU 0 at 0x080A_0000 (RD frame, then SGI frame). */
#define GICD_BASE   0x08000000ul
#define GICR_RD     0x080A0000ul
#define GICR_SGI    (GICR_RD + 0x10000ul)
#define REG32(a)    (*(volatile uint32_t *)(a))
#define GICD_CTLR   REG32(GICD_BASE + 0x0)
#define GICR_WAKER  REG32(GICR_RD + 0x14)
#define GICR_IGROUPR0   REG32(GICR_SGI + 0x080)
#define GICR_ISENABLER0 REG32(GICR_SGI + 0x100)
#define GICR_ISACTIVER0 REG32(GICR_SGI + 0x300)
#define GICR_IPRIORITYR(n) REG32(GICR_SGI + 0x400 + 4 * (n))

#define INTID_MAINTENANCE 25
#define INTID_CNTP        30

/* ICH_LR<n>_EL2 fields (IHI 0069). */
#define LR_PENDING (1ul << 62)
#define LR_HW      (1ul << 61)
#define LR_GROUP1  (1ul << 60)
#define LR_EOI     (1ul << 41)
#define LR_PRIO(p) ((uint64_t)(p) << 48)
#define LR_PINTID(i) ((uint64_t)(i) << 32)

/* ICH_HCR_EL2 fields (IHI 0069). */
#define ICH_EN       (1ul << 0)
#define ICH_UIE      (1ul << 1)
#define ICH_NPIE     (1ul << 3)
#define ICH_VGRP1DIE (1ul << 7)
#define ICH_TALL1    (1ul << 12)
#define ICH_TDIR     (1ul << 14)

#define HVC(n) __asm__ volatile("hvc #" #n ::: "memory")

static volatile unsigned guest_irqs;
static volatile uint64_t guest_iar[4];

/* ---------------------------------------------------------------- EL2 */

static void gic_init(void)
{
    WRITE_SYSREG(S3_4_C12_C9_5, 0xful); /* ICC_SRE_EL2: SRE, DFB, DIB, Enable (EL1 may use system registers) */
    ISB();
    print("EL2: ICC_SRE_EL2=0x%x ICH_VTR_EL2=0x%x\n", READ_SYSREG(S3_4_C12_C9_5), READ_SYSREG(S3_4_C12_C11_1));
    GICD_CTLR = (1u << 4) | (1u << 1); /* ARE, EnableGrp1 (one Security state: GICD_CTLR.DS = 1) */
    while (GICD_CTLR & (1u << 31)) { } /* RWP */
    GICR_WAKER &= ~(1u << 1);          /* ProcessorSleep = 0 */
    while (GICR_WAKER & (1u << 2)) { } /* ChildrenAsleep */
    GICR_IGROUPR0 = 0xffffffffu;
    GICR_IPRIORITYR(INTID_MAINTENANCE / 4) = 0x80808080u;
    GICR_IPRIORITYR(INTID_CNTP / 4) = 0x80808080u;
    GICR_ISENABLER0 = (1u << INTID_MAINTENANCE) | (1u << INTID_CNTP);
    WRITE_SYSREG(icc_pmr_el1, 0xfful);
    WRITE_SYSREG(icc_ctlr_el1, 2ul);   /* EOImode = 1: EOIR drops priority, DIR (or a HW list register) deactivates */
    WRITE_SYSREG(icc_igrpen1_el1, 1ul);
    ISB();
    print("EL2: GICD_CTLR=0x%x GICR_WAKER=0x%x ICC_CTLR_EL1=0x%x\n", (uint64_t)GICD_CTLR, (uint64_t)GICR_WAKER,
          READ_SYSREG(icc_ctlr_el1));
}

static void print_ich(const char *when)
{
    print("EL2: %s: ICH_MISR_EL2=0x%x ICH_EISR_EL2=0x%x ICH_ELRSR_EL2=0x%x EOIcount=%d\n", when,
          READ_SYSREG(ich_misr_el2), READ_SYSREG(ich_eisr_el2), READ_SYSREG(ich_elrsr_el2),
          READ_SYSREG(ich_hcr_el2) >> 27);
}

static void el2_irq(void)
{
    uint64_t intid = READ_SYSREG(icc_iar1_el1);
    if (intid == INTID_MAINTENANCE) {
        uint64_t misr = READ_SYSREG(ich_misr_el2);
        print_ich("maintenance interrupt");
        if (misr & 1) {          /* EOI: the list registers in EISR are done */
            uint64_t eisr = READ_SYSREG(ich_eisr_el2);
            if (eisr & 1) WRITE_SYSREG(ich_lr0_el2, 0ul);
            if (eisr & 2) WRITE_SYSREG(ich_lr1_el2, 0ul);
        }
        if (misr & 2) print("EL2: underflow: LR1=0x%x\n", READ_SYSREG(ich_lr1_el2));
        /* Each condition is reported once: clear its enable. */
        WRITE_SYSREG(ich_hcr_el2, READ_SYSREG(ich_hcr_el2) & ~(ICH_UIE | ICH_NPIE | ICH_VGRP1DIE));
        ISB();
        print_ich("after handling");
    } else if (intid == INTID_CNTP) {
        print("EL2: physical IRQ INTID %d, forwarding it as vINTID 27 (LR.HW = 1)\n", intid);
        WRITE_SYSREG(icc_eoir1_el1, intid); /* priority drop only: INTID 30 stays active until the guest's DIR */
        WRITE_SYSREG(ich_lr1_el2, LR_PENDING | LR_HW | LR_GROUP1 | LR_PRIO(0xa0) | LR_PINTID(INTID_CNTP) | 27);
        ISB();
        print("EL2: GICR_ISACTIVER0 INTID 30=%d\n", (uint64_t)(GICR_ISACTIVER0 >> INTID_CNTP) & 1);
        return;
    } else {
        print("EL2: unexpected physical INTID %d\n", intid);
        system_off();
    }
    WRITE_SYSREG(icc_eoir1_el1, intid);
    WRITE_SYSREG(icc_dir_el1, intid);
    ISB();
}

static void el2_hvc(struct frame *f, uint64_t imm)
{
    switch (imm) {
    case 1:
        print("EL2: HVC #1: ICH_VMCR_EL2=0x%x, injecting vINTID 42 (Group 1, priority 0xa0, EOI) in LR0\n",
              READ_SYSREG(ich_vmcr_el2));
        WRITE_SYSREG(ich_lr0_el2, LR_PENDING | LR_GROUP1 | LR_EOI | LR_PRIO(0xa0) | 42);
        WRITE_SYSREG(ich_hcr_el2, ICH_EN);
        ISB();
        print("EL2: LR0=0x%x ELRSR=0x%x\n", READ_SYSREG(ich_lr0_el2), READ_SYSREG(ich_elrsr_el2));
        return;
    case 2:
        print("EL2: HVC #2: vINTID 43 (priority 0x80) in LR0, vINTID 44 (priority 0x90) in LR1, UIE\n");
        WRITE_SYSREG(ich_lr0_el2, LR_PENDING | LR_GROUP1 | LR_PRIO(0x80) | 43);
        WRITE_SYSREG(ich_lr1_el2, LR_PENDING | LR_GROUP1 | LR_PRIO(0x90) | 44);
        WRITE_SYSREG(ich_hcr_el2, READ_SYSREG(ich_hcr_el2) | ICH_UIE);
        ISB();
        print_ich("with two entries");
        return;
    case 3:
        print("EL2: HVC #3: arming CNTP (INTID 30)\n");
        WRITE_SYSREG(cnthctl_el2, 3ul);       /* EL1PCTEN, EL1PCEN: the guest may mask the timer */
        WRITE_SYSREG(cntp_tval_el0, 200ul);
        WRITE_SYSREG(cntp_ctl_el0, 1ul);
        ISB();
        return;
    case 4:
        print("EL2: HVC #4: GICR_ISACTIVER0 INTID 30=%d LR1=0x%x\n", (uint64_t)(GICR_ISACTIVER0 >> INTID_CNTP) & 1,
              READ_SYSREG(ich_lr1_el2));
        print_ich("after the guest's DIRs");
        WRITE_SYSREG(ich_hcr_el2, READ_SYSREG(ich_hcr_el2) & 0x7fffffful); /* EOIcount = 0 */
        return;
    case 5:
        print("EL2: HVC #5: NPIE with no pending entry\n");
        WRITE_SYSREG(ich_hcr_el2, READ_SYSREG(ich_hcr_el2) | ICH_NPIE);
        ISB();
        return;
    case 6:
        print("EL2: HVC #6: VGrp1DIE\n");
        WRITE_SYSREG(ich_hcr_el2, READ_SYSREG(ich_hcr_el2) | ICH_VGRP1DIE);
        ISB();
        print_ich("VGrp1DIE set");
        return;
    case 7:
        print("EL2: HVC #7: vINTID 46 (Group 1, priority 0xc0) in LR0, vINTID 45 (Group 0, priority 0x60) in LR2\n");
        WRITE_SYSREG(ich_lr0_el2, LR_PENDING | LR_GROUP1 | LR_PRIO(0xc0) | 46);
        WRITE_SYSREG(ich_lr2_el2, LR_PENDING | LR_PRIO(0x60) | 45);
        ISB();
        return;
    case 8:
        print("EL2: HVC #8: ICH_AP0R0_EL2=0x%x ICH_AP1R0_EL2=0x%x LR2=0x%x LR0=0x%x\n", READ_SYSREG(ich_ap0r0_el2),
              READ_SYSREG(ich_ap1r0_el2), READ_SYSREG(ich_lr2_el2), READ_SYSREG(ich_lr0_el2));
        return;
    case 9:
        print("EL2: HVC #9: ICH_HCR_EL2.TALL1 and TDIR\n");
        WRITE_SYSREG(ich_hcr_el2, READ_SYSREG(ich_hcr_el2) | ICH_TALL1 | ICH_TDIR);
        ISB();
        return;
    case 10:
        print("EL2: HVC #10: traps off, ICH_HCR_EL2=0x%x\n", READ_SYSREG(ich_hcr_el2));
        WRITE_SYSREG(ich_hcr_el2, READ_SYSREG(ich_hcr_el2) & ~(ICH_TALL1 | ICH_TDIR));
        ISB();
        return;
    case 0:
        if ((uint32_t)f->x[0] == PSCI_SYSTEM_OFF) {
            print("EL2: SYSTEM_OFF requested by EL1, forwarding with SMC\n");
            system_off();
        }
        /* fall through */
    default:
        print("EL2: unexpected HVC #%d X0=0x%x\n", imm, f->x[0]);
        system_off();
    }
}

static void el2_handler(struct frame *f, unsigned idx)
{
    uint64_t ec = f->esr >> 26;
    if (idx == VEC_LOWER64_IRQ) {
        el2_irq();
        return;
    }
    if (idx == VEC_LOWER64_SYNC && ec == EC_HVC64) {
        el2_hvc(f, f->esr & 0xffff);
        return;
    }
    if (idx == VEC_LOWER64_SYNC && ec == EC_SYSREG) {
        uint64_t iss = f->esr & 0x1ffffff, rt = (iss >> 5) & 31;
        print("EL2: trapped %s S%d_%d_C%d_C%d_%d (X%d) ISS=0x%x\n", (iss & 1) ? "MRS" : "MSR", (iss >> 20) & 3,
              (iss >> 14) & 7, (iss >> 10) & 15, (iss >> 1) & 15, (iss >> 17) & 7, rt, iss);
        if ((iss & 1) && rt != 31) f->x[rt] = 0x5a;   /* emulated read */
        f->elr += 4;
        return;
    }
    print("EL2: unexpected vector %d ESR=0x%x ELR=0x%x\n", (uint64_t)idx, f->esr, f->elr);
    system_off();
}

/* ---------------------------------------------------------------- EL1 */

static void el1_irq(void)
{
    uint64_t iar = READ_SYSREG(icc_iar1_el1);    /* ICV_IAR1_EL1 */
    uint64_t rpr = READ_SYSREG(icc_rpr_el1);     /* ICV_RPR_EL1 */
    guest_iar[guest_irqs & 3] = iar;
    guest_irqs++;
    if (iar == 27) {
        WRITE_SYSREG(cntp_ctl_el0, 3ul);         /* IMASK: the timer line drops */
        ISB();
        WRITE_SYSREG(icc_eoir1_el1, iar);        /* priority drop (VEOIM = 1) */
        print("EL1: vIRQ %d RPR=0x%x, after EOIR RPR=0x%x, now ICV_DIR_EL1\n", iar, rpr, READ_SYSREG(icc_rpr_el1));
        WRITE_SYSREG(icc_dir_el1, iar);          /* deactivates vINTID 27 and, through LR.HW, physical INTID 30 */
        WRITE_SYSREG(icc_dir_el1, 99ul);         /* nothing active: counts in ICH_HCR_EL2.EOIcount */
        ISB();
        return;
    }
    print("EL1: vIRQ %d RPR=0x%x HPPIR1=%d\n", iar, rpr, READ_SYSREG(icc_hppir1_el1));
    WRITE_SYSREG(icc_eoir1_el1, iar);            /* EOImode 0: drop and deactivate */
    ISB();
    print("EL1: EOIR1 %d done, RPR=0x%x\n", iar, READ_SYSREG(icc_rpr_el1));
}

#define VEC_CUR_SPX_FIQ 6

static void el1_fiq(void)
{
    uint64_t iar = READ_SYSREG(icc_iar0_el1);    /* ICV_IAR0_EL1 */
    print("EL1: vFIQ %d RPR=0x%x HPPIR0=%d HPPIR1=%d IAR1=%d\n", iar, READ_SYSREG(icc_rpr_el1),
          READ_SYSREG(icc_hppir0_el1), READ_SYSREG(icc_hppir1_el1), READ_SYSREG(icc_iar1_el1));
    HVC(8);
    WRITE_SYSREG(icc_eoir0_el1, iar);
    ISB();
    print("EL1: EOIR0 %d done, RPR=0x%x\n", iar, READ_SYSREG(icc_rpr_el1));
    guest_irqs++;
}

static void el1_handler(struct frame *f, unsigned idx)
{
    if (idx == VEC_CUR_SPX_IRQ) {
        el1_irq();
        return;
    }
    if (idx == VEC_CUR_SPX_FIQ) {
        el1_fiq();
        return;
    }
    print("EL1: unexpected vector %d ESR=0x%x ELR=0x%x\n", (uint64_t)idx, f->esr, f->elr);
    hvc_call(PSCI_SYSTEM_OFF);
}

void exception_handler(struct frame *f, unsigned idx, unsigned el)
{
    if (el == 2) el2_handler(f, idx);
    else el1_handler(f, idx);
}

static void irq_window(void)
{
    __asm__ volatile("msr daifclr, #2\n isb\n msr daifset, #2" ::: "memory");
}

static void wait_for_irqs(unsigned n)
{
    __asm__ volatile("msr daifclr, #2" ::: "memory");
    while (guest_irqs < n) __asm__ volatile("wfi" ::: "memory");
    __asm__ volatile("msr daifset, #2" ::: "memory");
}

static void el1_main(void) __attribute__((noreturn));

static void el1_main(void)
{
    print("EL1: running at EL%d, ICC_SRE_EL1=0x%x\n", (uint64_t)current_el(), READ_SYSREG(icc_sre_el1));
    WRITE_SYSREG(icc_pmr_el1, 0xfful);    /* ICV_PMR_EL1: 5 priority bits */
    WRITE_SYSREG(icc_igrpen1_el1, 1ul);   /* ICV_IGRPEN1_EL1 -> ICH_VMCR_EL2.VENG1 */
    ISB();
    print("EL1: ICV_PMR_EL1=0x%x ICV_BPR0_EL1=%d ICV_BPR1_EL1=%d ICV_CTLR_EL1=0x%x ICV_RPR_EL1=0x%x ICV_IGRPEN1_EL1=%d\n",
          READ_SYSREG(icc_pmr_el1), READ_SYSREG(icc_bpr0_el1), READ_SYSREG(icc_bpr1_el1), READ_SYSREG(icc_ctlr_el1),
          READ_SYSREG(icc_rpr_el1), READ_SYSREG(icc_igrpen1_el1));

    HVC(1);
    print("EL1: ICV_HPPIR1_EL1=%d before unmasking\n", READ_SYSREG(icc_hppir1_el1));
    irq_window();
    print("EL1: virtual IRQs taken: %d\n", (uint64_t)guest_irqs);

    HVC(2);
    irq_window();
    print("EL1: virtual IRQs taken: %d (last two: %d, %d)\n", (uint64_t)guest_irqs, guest_iar[1], guest_iar[2]);

    WRITE_SYSREG(icc_ctlr_el1, 2ul);      /* ICV_CTLR_EL1.EOImode -> ICH_VMCR_EL2.VEOIM */
    ISB();
    print("EL1: ICV_CTLR_EL1=0x%x\n", READ_SYSREG(icc_ctlr_el1));
    HVC(3);
    wait_for_irqs(4);
    HVC(4);

    WRITE_SYSREG(icc_ctlr_el1, 0ul);      /* EOImode 0 again */
    WRITE_SYSREG(icc_igrpen0_el1, 1ul);   /* ICV_IGRPEN0_EL1 -> ICH_VMCR_EL2.VENG0 */
    ISB();
    print("EL1: ICV_IGRPEN0_EL1=%d ICV_BPR0_EL1=%d\n", READ_SYSREG(icc_igrpen0_el1), READ_SYSREG(icc_bpr0_el1));
    HVC(7);
    __asm__ volatile("msr daifclr, #3\n isb\n msr daifset, #3" ::: "memory");
    print("EL1: virtual interrupts taken: %d (last: %d)\n", (uint64_t)guest_irqs, guest_iar[(guest_irqs - 1) & 3]);

    HVC(9);
    uint64_t hppir1 = READ_SYSREG(icc_hppir1_el1);   /* trapped (TALL1): EL2 returns 0x5a */
    WRITE_SYSREG(icc_dir_el1, 46ul);                  /* trapped (TDIR) */
    uint64_t pmr = READ_SYSREG(icc_pmr_el1);          /* not trapped: ICV_PMR_EL1 */
    HVC(10);
    print("EL1: under TALL1/TDIR: ICC_HPPIR1_EL1=0x%x ICC_PMR_EL1=0x%x\n", hppir1, pmr);

    HVC(5);
    HVC(6);
    WRITE_SYSREG(icc_igrpen1_el1, 0ul);   /* VENG1 = 0 with VGrp1DIE: maintenance interrupt */
    ISB();
    print("EL1: ICV_IGRPEN1_EL1=%d, powering off via HVC to EL2\n", READ_SYSREG(icc_igrpen1_el1));
    hvc_call(PSCI_SYSTEM_OFF);
    for (;;) __asm__ volatile("wfi");
}

int main(unsigned el)
{
    print("gicv3_hyp guest at EL%d\n", (uint64_t)el);
    if (el != 2) {
        print("this guest needs EL2 (armvirt --el 2 --gic-version 3, QEMU -M virt,virtualization=on,gic-version=3)\n");
        return 0;
    }
    gic_init();
    WRITE_SYSREG(hcr_el2, HCR_RW | HCR_IMO | HCR_FMO);
    WRITE_SYSREG(sp_el1, __stack_el1_top);
    WRITE_SYSREG(spsr_el2, 0x3c5ul);   /* EL1h, DAIF masked */
    WRITE_SYSREG(elr_el2, el1_main);
    ISB();
    print("EL2: HCR_EL2 = RW|IMO|FMO, entering EL1\n");
    __asm__ volatile("eret" ::: "memory");
    __builtin_unreachable();
}
