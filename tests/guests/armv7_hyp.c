/*
 * armv7_hyp.elf: an ARMv7-A hypervisor on -M virt,virtualization=on -cpu cortex-a15 (armvirt --cpu cortex-a15 --el 2),
 * built by arm-linux-gnueabihf-gcc. At Hyp mode (PL2) it prints the identification and the PL2 registers' reset values,
 * takes exceptions in Hyp mode (UDF, SVC, HVC: HVBAR + 0x04 / 0x08) and enters a PL1 guest in Supervisor mode by ERET,
 * whose HVCs and trapped instructions (HCR.TSC, TWI, TVM, TID3, HSTR with TJDBX, HCPTR) come back through the Hyp Trap vector
 * (0x14) with their HSR; a virtual IRQ (HCR.VI with IMO) taken at PL1; stage 2 (VTCR/VTTBR, HCR.VM) with an alias and a
 * hole whose abort reports HSR, HDFAR and HPFAR; the Hyp timer's interrupt (CNTHP, PPI 10 = INTID 26) taken in Hyp mode
 * through the GICv2; then PSCI SYSTEM_OFF by SMC.
 */
#include <stdint.h>
#include "common/armv7_console.h"

#define HSCTLR_RES1 0x30C50818u   /* bits 29, 28, 23, 22, 18, 16, 11, 4, 3 */
#define HCPTR_FIELDS 0x80108C00u  /* TCPAC, TTA, TASE, TCP11, TCP10 */
#define GICD 0x08000000u
#define GICC 0x08010000u
#define GICH 0x08030000u
#define GICV 0x08040000u

#define MRRC(op1, crm) ({ uint32_t lo_, hi_; __asm__ volatile("mrrc p15, " #op1 ", %0, %1, c" #crm : "=r"(lo_), "=r"(hi_)); ((uint64_t)hi_ << 32) | lo_; })
#define MCRR(op1, crm, v) do { uint64_t x_ = (v); __asm__ volatile("mcrr p15, " #op1 ", %0, %1, c" #crm :: "r"((uint32_t)x_), "r"((uint32_t)(x_ >> 32)) : "memory"); } while (0)

static inline uint32_t cpsr(void) { uint32_t v; __asm__ volatile("mrs %0, cpsr" : "=r"(v)); return v; }
static inline uint32_t elr_hyp(void) { uint32_t v; __asm__ volatile("mrs %0, ELR_hyp" : "=r"(v)); return v; }
static inline void set_elr_hyp(uint32_t v) { __asm__ volatile("msr ELR_hyp, %0" :: "r"(v)); }
static inline uint32_t spsr(void) { uint32_t v; __asm__ volatile("mrs %0, spsr" : "=r"(v)); return v; }

extern void enter_pl1(uint32_t spsr, void (*entry)(void));

static void psci_off(void)
{
    register uint32_t r0 __asm__("r0") = 0x84000008u;
    __asm__ volatile("smc #0" : "+r"(r0) :: "memory");
    for (;;) { }
}

/* ---- Hyp mode's exception handler ---- */

static volatile uint32_t hyp_irqs;
static volatile uint32_t shared_word = 0x5a5aa5a5u;

void hyp_exception(uint32_t offset, uint32_t *frame)
{
    if (offset == 0x18) {
        uint32_t iar = r32(GICC + 0x0C);
        puts_("hyp irq: offset=0x18 intid=");
        hex(iar & 0x3FF);
        puts_(" cpsr.mode=");
        hex(cpsr() & 0x1F);
        puts_(" spsr_hyp.mode=");
        hex(spsr() & 0x1F);
        puts_("\n");
        if ((iar & 0x3FF) == 26) {
            MCR(4, 14, 2, 1, 0);             /* CNTHP_CTL: disable */
        } else if ((iar & 0x3FF) == 27) {
            /* The guest's virtual timer: masked here, its interrupt injected as vINTID 27 (pending, priority 0xa0). */
            MCR(0, 14, 3, 1, MRC(0, 14, 3, 1) | 2);
            w32(GICH + 0x100, (1u << 28) | ((0xa0u >> 3) << 23) | 27);
        }
        w32(GICC + 0x10, iar);
        hyp_irqs++;
        return;
    }
    uint32_t hsr = MRC(4, 5, 2, 0), elr = elr_hyp();
    uint32_t ec = hsr >> 26;
    /* A data abort in Hyp mode itself: only EC and DFSC are compared. QEMU reports an instruction syndrome (ISV, SAS,
       SRT, and IL with it) for it; ArmVirt's data-abort path gives one only for aborts from PL1 and PL0. */
    if (ec == 0x25) hsr &= 0xFC00003Fu;
    puts_("hyp exception: offset=");
    hex(offset);
    puts_(" hsr=");
    hex(hsr);
    puts_(" elr_hyp=");
    hex(elr);
    puts_(" spsr_hyp=");
    hex(spsr());
    puts_("\n");
    if (ec == 0x24 || ec == 0x25) kv("  hdfar", MRC(4, 6, 0, 0));
    if (ec == 0x24) kv("  hpfar", MRC(4, 6, 0, 4));
    if (ec == 0x12) {
        /* HVC from the PL1 guest: its immediate asks for a service; the return address is already past the HVC. */
        uint32_t imm = hsr & 0xFFFF;
        uint32_t hcr = MRC(4, 1, 1, 0);
        if (imm == 2) MCR(4, 1, 1, 0, hcr | (1u << 4) | (1u << 7));  /* IMO + VI: a virtual IRQ pending */
        if (imm == 3) MCR(4, 1, 1, 0, hcr & ~(1u << 7));             /* VI cleared */
        if (imm == 4) {                                               /* traps on */
            MCR(4, 1, 1, 0, hcr | (1u << 19) | (1u << 13) | (1u << 26));  /* TSC, TWI, TVM */
            MCR(4, 1, 1, 3, (1u << 2) | (1u << 17));                   /* HSTR.T2, TJDBX */
            MCR(4, 1, 1, 2, MRC(4, 1, 1, 2) | (3u << 10));             /* HCPTR.TCP10, TCP11 */
        }
        if (imm == 5) {                                               /* traps off */
            MCR(4, 1, 1, 0, hcr & ~((1u << 19) | (1u << 13) | (1u << 26)));
            MCR(4, 1, 1, 3, 0);
            MCR(4, 1, 1, 2, MRC(4, 1, 1, 2) & ~(3u << 10));
        }
        if (imm == 6) {                                               /* the virtual CPU interface on, vINTID 42 */
            w32(GICH + 0x000, 1);                                     /* GICH_HCR.En */
            w32(GICH + 0x100, (1u << 28) | ((0xa0u >> 3) << 23) | 42);
        }
        if (imm == 7) {
            kv("  gich_lr0", r32(GICH + 0x100));
            kv("  gich_elrsr0", r32(GICH + 0x030));
            kv("  gich_misr", r32(GICH + 0x010));
        }
        if (imm == 9) {
            puts_("guest done\n");
            psci_off();
        }
        frame[0] = MRC(4, 1, 1, 0);      /* r0 of the guest: HCR after the service */
        return;
    }
    /* SVC's return address is already past it; everything else: skip the instruction (A32). */
    if (ec != 0x11) set_elr_hyp(elr + 4);
}

/* ---- the PL1 guest ---- */

static volatile uint32_t pl1_virqs;
static volatile uint32_t gicv_on;

void pl1_exception(uint32_t offset, uint32_t *frame)
{
    uint32_t lr = frame[13];
    puts_("pl1 exception: offset=");
    hex(offset);
    puts_(" mode=");
    hex(cpsr() & 0x1F);
    puts_(" spsr=");
    hex(spsr());
    if (offset == 0x18 && gicv_on) {
        uint32_t iar = r32(GICV + 0x0C);
        puts_(" gicv_iar=");
        hex(iar);
        puts_("\n");
        if ((iar & 0x3FF) == 27) MCR(0, 14, 3, 1, 0);   /* CNTV_CTL: the virtual timer off */
        w32(GICV + 0x10, iar);
        pl1_virqs++;
        frame[13] = lr - 4;
        return;
    }
    if (offset == 0x18) {
        puts_(" (virtual irq)\n");
        register uint32_t r0 __asm__("r0");
        __asm__ volatile("hvc #3" : "=r"(r0) :: "memory");   /* the hypervisor drops HCR.VI */
        pl1_virqs++;
        frame[13] = lr - 4;
        return;
    }
    if (offset == 0x10) {
        puts_(" dfsr=");
        hex(MRC(0, 5, 0, 0));
        puts_(" dfar=");
        hex(MRC(0, 6, 0, 0));
        frame[13] = lr - 4;           /* skip the faulting load: LR_abt = address + 8 */
    }
    puts_("\n");
}

static uint32_t hvc(uint32_t imm)
{
    register uint32_t r0 __asm__("r0") = 0;
    switch (imm) {
    case 1: __asm__ volatile("hvc #1" : "+r"(r0) :: "memory"); break;
    case 2: __asm__ volatile("hvc #2" : "+r"(r0) :: "memory"); break;
    case 4: __asm__ volatile("hvc #4" : "+r"(r0) :: "memory"); break;
    case 5: __asm__ volatile("hvc #5" : "+r"(r0) :: "memory"); break;
    case 6: __asm__ volatile("hvc #6" : "+r"(r0) :: "memory"); break;
    case 7: __asm__ volatile("hvc #7" : "+r"(r0) :: "memory"); break;
    case 9: __asm__ volatile("hvc #9" : "+r"(r0) :: "memory"); break;
    }
    return r0;
}

static void pl1_main(void)
{
    kv("pl1: cpsr.mode", cpsr() & 0x1F);
    kv("pl1: midr (VPIDR)", MRC(0, 0, 0, 0));
    kv("pl1: mpidr (VMPIDR)", MRC(0, 0, 0, 5));
    kv("pl1: hvc #1 returns hcr", hvc(1));

    /* A PL1 UDF and SVC stay at PL1 (VBAR + 0x04, + 0x08). */
    __asm__ volatile(".word 0xe7f000f0" ::: "memory");       /* UDF #0 */
    __asm__ volatile("svc #0x42" ::: "memory");

    /* Traps to Hyp mode. The FP access trap (HCPTR.TCP10) needs CPACR.cp10/cp11 and FPEXC.EN, whose UNDEFINED
       comes first. (HCR.TID3 is left out: QEMU does not trap the ARMv7 ID registers with it.) */
    MCR(0, 1, 0, 2, 0xFu << 20);
    ISB();
    { uint32_t v; __asm__ volatile(".fpu vfpv4\n vmrs %0, fpscr" : "=r"(v) :: "memory"); } /* FPEXC.EN = 0: UNDEFINED */
    __asm__ volatile(".fpu vfpv4\n vmsr fpexc, %0" :: "r"(1u << 30) : "memory");
    { uint32_t v; __asm__ volatile(".fpu vfpv4\n vmrs %0, fpexc" : "=r"(v)); kv("pl1: fpexc", v); }
    kv("pl1: hvc #4 (traps on) hcr", hvc(4));
    __asm__ volatile("mov r0, #0\n smc #0" ::: "r0", "memory");           /* HCR.TSC */
    __asm__ volatile("wfi" ::: "memory");                                    /* HCR.TWI */
    MCR(0, 1, 0, 0, MRC(0, 1, 0, 0));                                        /* HCR.TVM: SCTLR write */
    (void)MRC(0, 2, 0, 2);                                                   /* HSTR.T2: TTBCR */
    __asm__ volatile("mrc p15, 0, lr, c2, c0, 2" ::: "lr", "memory");        /* the same into LR_svc: HSR.Rt = 14 */
    __asm__ volatile("mcr p14, 7, %0, c1, c0, 0" :: "r"(0) : "memory");      /* HSTR.TJDBX: JOSCR (EC 0x05) */
    { uint32_t v; __asm__ volatile(".fpu vfpv4\n vmrs %0, fpscr" : "=r"(v) :: "memory"); } /* HCPTR.TCP10 */
    kv("pl1: hvc #5 (traps off) hcr", hvc(5));
    /* The c0 encodings ARMv7 reserves (CRm = c3-c7: ID_PFR2 and ID_DFR1 in Armv8, which Xen reads) and the trivial
       Jazelle implementation's JIDR and JMCR: all read as zero. */
    kv("pl1: c0,c3,4 (ID_PFR2)", MRC(0, 0, 3, 4));
    kv("pl1: c0,c3,5 (ID_DFR1)", MRC(0, 0, 3, 5));
    { uint32_t v; __asm__ volatile("mrc p14, 7, %0, c0, c0, 0" : "=r"(v)); kv("pl1: jidr", v); }
    { uint32_t v; __asm__ volatile("mrc p14, 7, %0, c2, c0, 0" : "=r"(v)); kv("pl1: jmcr", v); }

    /* A virtual IRQ: HCR.VI with HCR.IMO, taken at VBAR + 0x18 once CPSR.I is clear. */
    hvc(2);
    __asm__ volatile("cpsie i" ::: "memory");
    for (int i = 0; i < 100 && !pl1_virqs; i++) { }
    __asm__ volatile("cpsid i" ::: "memory");
    kv("pl1: virtual irqs taken", pl1_virqs);

    /* Stage 2: IPA 0xc0000000 is RAM at 0x40000000; IPA 0x80000000 is unmapped. */
    kv("pl1: shared_word", shared_word);
    kv("pl1: shared_word via the stage-2 alias", r32((uint32_t)&shared_word + 0x80000000u));
    (void)r32(0x80000010u);
    puts_("pl1: back from the stage-2 hole\n");

    /* The GICv2 virtual interface: the guest's GICV (at its physical address: stage 2 maps devices 1:1), a vINTID the
       hypervisor puts in a list register, then the guest's virtual timer, whose physical PPI (INTID 27) is taken in Hyp
       mode (HCR.IMO) and injected as vINTID 27. */
    w32(GICV + 0x004, 0xF0);
    w32(GICV + 0x000, 1);
    gicv_on = 1;
    pl1_virqs = 0;
    hvc(6);
    __asm__ volatile("cpsie i" ::: "memory");
    for (int i = 0; i < 100 && !pl1_virqs; i++) { }
    __asm__ volatile("cpsid i" ::: "memory");
    kv("pl1: gicv irqs taken", pl1_virqs);
    hvc(7);
    kv("pl1: cntvct advances", (uint32_t)(MRRC(1, 14) != 0));
    MCR(0, 14, 3, 0, 2000);                        /* CNTV_TVAL */
    MCR(0, 14, 3, 1, 1);                           /* CNTV_CTL.ENABLE */
    __asm__ volatile("cpsie i" ::: "memory");
    while (pl1_virqs < 2) __asm__ volatile("wfi" ::: "memory");
    __asm__ volatile("cpsid i" ::: "memory");
    kv("pl1: cntv_ctl", MRC(0, 14, 3, 1));
    hvc(7);
    hvc(9);
}

/* ---- Hyp mode ---- */

static uint64_t s2_l1[4] __attribute__((aligned(32)));
static uint64_t hyp_l1[4] __attribute__((aligned(32)));

static void print_par(const char *what)
{
    uint64_t par = MRRC(0, 7);
    puts_(what);
    puts_(": par=");
    hex((uint32_t)(par >> 32));
    puts_(":");
    hex((uint32_t)par);
    puts_("\n");
}

/* Hyp mode's own stage 1 (HTCR/HTTBR/HMAIR0, LPAE): 1 GiB blocks, devices below RAM, RAM, a hole, an alias of RAM. */
static void hyp_mmu(void)
{
    hyp_l1[0] = 0x00000000ull | (1u << 10) | (1u << 6) | (0u << 2) | 1;               /* Device-nGnRnE (attr 0) */
    hyp_l1[1] = 0x40000000ull | (1u << 10) | (3u << 8) | (1u << 6) | (1u << 2) | 1;   /* Normal WB (attr 1) */
    hyp_l1[2] = 0;
    hyp_l1[3] = 0x40000000ull | (1u << 10) | (3u << 8) | (1u << 6) | (1u << 2) | 1;
    DSB();
    MCR(4, 10, 2, 0, 0x0000ff00u);                 /* HMAIR0: attr0 Device-nGnRnE, attr1 Normal WB */
    MCR(4, 2, 0, 2, 0x80803500u);                  /* HTCR: T0SZ 0, inner shareable, WB WA */
    MCRR(4, 2, (uint64_t)(uint32_t)hyp_l1);        /* HTTBR */
    MCR(4, 8, 7, 0, 0);                            /* TLBIALLH */
    DSB();
    ISB();
    MCR(4, 1, 0, 0, MRC(4, 1, 0, 0) | 1u | (1u << 2) | (1u << 12));
    ISB();
    kv("hyp mmu: hsctlr.m", MRC(4, 1, 0, 0) & 1);
    kv("hyp mmu: shared_word via the alias", r32((uint32_t)&shared_word + 0x80000000u));
    MCR(4, 7, 8, 0, (uint32_t)&shared_word + 0x80000000u);   /* ATS1HR */
    ISB();
    print_par("hyp mmu: ATS1HR of the alias");
    MCR(4, 7, 8, 1, 0x80000000u);                            /* ATS1HW of the hole */
    ISB();
    print_par("hyp mmu: ATS1HW of the hole");
    (void)r32(0x80000020u);                                  /* a Hyp data abort: HVBAR + 0x10 */
    puts_("hyp mmu: back from the hole\n");
}

static void gic_init_hyp_timer(void)
{
    w32(GICD + 0x000, 1);                         /* GICD_CTLR.Enable */
    w32(GICD + 0x100, (1u << 26) | (1u << 27));   /* GICD_ISENABLER0: INTIDs 26 and 27, the Hyp and virtual timers */
    w32(GICD + 0x400 + 24, 0xa0a00000u);          /* GICD_IPRIORITYR6: INTIDs 26 and 27 priority 0xa0 */
    w32(GICC + 0x004, 0xF0);                      /* GICC_PMR */
    w32(GICC + 0x000, 1);                         /* GICC_CTLR.Enable */
}

void hyp_main(void)
{
    puts_("armv7 hyp guest\n");
    kv("cpsr.mode", cpsr() & 0x1F);
    kv("cpsr.aif", (cpsr() >> 6) & 7);
    kv("midr", MRC(0, 0, 0, 0));
    kv("mpidr", MRC(0, 0, 0, 5));
    kv("ctr", MRC(0, 0, 0, 1));
    kv("clidr", MRC(1, 0, 0, 1));
    for (uint32_t l = 0; l < 3; l++) {
        MCR(2, 0, 0, 0, l == 0 ? 0 : l == 1 ? 1 : 2);
        ISB();
        kv("ccsidr", MRC(1, 0, 0, 0));
    }
    kv("id_pfr0", MRC(0, 0, 1, 0));
    kv("id_pfr1", MRC(0, 0, 1, 1));
    kv("id_dfr0", MRC(0, 0, 1, 2));
    kv("id_mmfr0", MRC(0, 0, 1, 4));
    kv("id_mmfr1", MRC(0, 0, 1, 5));
    kv("id_mmfr2", MRC(0, 0, 1, 6));
    kv("id_mmfr3", MRC(0, 0, 1, 7));
    kv("id_isar0", MRC(0, 0, 2, 0));
    kv("id_isar1", MRC(0, 0, 2, 1));
    kv("id_isar2", MRC(0, 0, 2, 2));
    kv("id_isar3", MRC(0, 0, 2, 3));
    kv("id_isar4", MRC(0, 0, 2, 4));
    kv("id_isar5", MRC(0, 0, 2, 5));
    {
        uint32_t fpsid, mvfr0, mvfr1;
        __asm__ volatile(".fpu vfpv4\n vmrs %0, fpsid\n vmrs %1, mvfr0\n vmrs %2, mvfr1" : "=r"(fpsid), "=r"(mvfr0), "=r"(mvfr1));
        kv("fpsid", fpsid);
        kv("mvfr0", mvfr0);
        kv("mvfr1", mvfr1);
    }
    kv("l2ctlr", MRC(1, 9, 0, 2));
    kv("l2ectlr", MRC(1, 9, 0, 3));
    kv("sctlr", MRC(0, 1, 0, 0));
    /* HSCTLR's and HCPTR's RES1 (ARMv7: UNK/SBOP) bits are masked: QEMU reads them as 0, the Arm ARM as 1. */
    kv("hsctlr", MRC(4, 1, 0, 0) & ~HSCTLR_RES1);
    kv("hcr", MRC(4, 1, 1, 0));
    kv("hcptr", MRC(4, 1, 1, 2) & HCPTR_FIELDS);
    kv("hstr", MRC(4, 1, 1, 3));
    kv("vpidr", MRC(4, 0, 0, 0));
    kv("vmpidr", MRC(4, 0, 0, 5));
    kv("hvbar", MRC(4, 12, 0, 0));

    /* HTCR and VTCR written and read back (T0SZ, SL0, cacheability, shareability). */
    MCR(4, 2, 0, 2, 0x80803500u | 1u);
    kv("htcr", MRC(4, 2, 0, 2));
    MCR(4, 2, 1, 2, 0x80003540u | 0x18u);   /* T0SZ = -8 (S = 1): 40-bit IPA, SL0 = 1 */
    kv("vtcr", MRC(4, 2, 1, 2));
    MCR(4, 2, 1, 2, 0x80000040u);           /* T0SZ = 0: 32-bit IPA, SL0 = 1 (start at level 1) */
    kv("vtcr", MRC(4, 2, 1, 2));
    MCRR(6, 2, ((uint64_t)5 << 48) | 0x12345000u);
    { uint64_t v = MRRC(6, 2); kv("vttbr.hi", (uint32_t)(v >> 32)); kv("vttbr.lo", (uint32_t)v); }
    MCR(4, 1, 0, 0, (1u << 30) | (1u << 12));   /* HSCTLR.TE and I */
    kv("hsctlr (TE, I written)", MRC(4, 1, 0, 0) & ~HSCTLR_RES1);
    MCR(4, 1, 0, 0, 0);
    kv("hsctlr (0 written)", MRC(4, 1, 0, 0) & ~HSCTLR_RES1);

    /* Exceptions taken in Hyp mode. */
    __asm__ volatile(".word 0xe7f000f0" ::: "memory");   /* UDF: HVBAR + 0x04 */
    __asm__ volatile("svc #0x12" ::: "memory");          /* SVC: HVBAR + 0x08 */
    __asm__ volatile("hvc #0x34" ::: "memory");          /* HVC: HVBAR + 0x08 */

    /* The guest's identification. */
    MCR(4, 0, 0, 0, 0x410fc0f0u);
    MCR(4, 0, 0, 5, 0x80000102u);

    /* Stage 2: level 1 blocks of 1 GiB. */
    s2_l1[0] = 0x00000000ull | (1u << 10) | (3u << 6) | (1u << 2) | 1;        /* devices: Device-nGnRE, RW */
    s2_l1[1] = 0x40000000ull | (1u << 10) | (3u << 8) | (3u << 6) | (0xFu << 2) | 1; /* RAM */
    s2_l1[2] = 0;                                                               /* a hole */
    s2_l1[3] = 0x40000000ull | (1u << 10) | (3u << 8) | (3u << 6) | (0xFu << 2) | 1; /* an alias of RAM */
    DSB();
    MCRR(6, 2, (uint64_t)(uint32_t)s2_l1);                     /* VTTBR, VMID 0 */
    MCR(4, 2, 1, 2, 0x80000040u | (1u << 8) | (1u << 10) | (3u << 12));
    MCR(4, 1, 1, 0, 1u);                                        /* HCR.VM */
    MCR(4, 8, 7, 4, 0);                                         /* TLBIALLNSNH */
    DSB();
    ISB();

    hyp_mmu();

    /* The Hyp timer's interrupt, taken in Hyp mode (IRQs are never routed away from Hyp: CPSR.I masks it). */
    gic_init_hyp_timer();
    kv("cntfrq", MRC(0, 14, 0, 0));
    MCR(4, 14, 2, 0, 1000);                       /* CNTHP_TVAL */
    MCR(4, 14, 2, 1, 1);                          /* CNTHP_CTL.ENABLE */
    __asm__ volatile("cpsie i" ::: "memory");
    while (!hyp_irqs) __asm__ volatile("wfi" ::: "memory");
    __asm__ volatile("cpsid i" ::: "memory");
    kv("cnthp_ctl", MRC(4, 14, 2, 1));

    /* Into the PL1 guest: Supervisor mode, IRQ and FIQ masked, A32. */
    enter_pl1(0x1D3, pl1_main);
}
