/*
 * The AArch32 EL1 of aarch32_el1.elf: an A32 kernel (arm-linux-gnueabihf-gcc -marm -march=armv8-a, general registers
 * only) entered by aarch32_el1.c's EL2 in Supervisor mode with the MMU off, under the EL2's stage 2. It prints through
 * HVCs (#1 a string, #2 "name = value") and, once, through MMIO exits (stores to the UART, which stage 2 does not map).
 * It checks the CP15 registers and their AArch64 views, the banked registers of every mode (CPS, MSR CPSR_c, MRS/MSR
 * banked), the exceptions taken at EL1 (SVC, UDF, BKPT, alignment faults with the short- and long-format DFSR, virtual
 * IRQ, FIQ and SError) with their LR, SPSR and fault registers and five kinds of exception return, T32 exceptions, the
 * VMSAv8-32 stage 1 in both formats (sections, pages, domains, permissions, XN, the access flag, and their DFSR/IFSR,
 * DFAR/IFAR), and the traps and faults taken to EL2 (HVC, HSTR_EL2, HCR_EL2.TVM/TID3/TSC, stage-2 data and instruction aborts).
 */
#include <stdint.h>

#define BASE 0x40400000u
#define HOLE 0x50000000u
#define UART 0x09000000u

#include "common/aarch32_kernel.h"
#define MRC(op1, crn, crm, op2) ({ uint32_t v_; __asm__ volatile("mrc p15, " #op1 ", %0, " #crn ", " #crm ", " #op2 : "=r"(v_) :: "memory"); v_; })
#define MCR(op1, crn, crm, op2, v) __asm__ volatile("mcr p15, " #op1 ", %0, " #crn ", " #crm ", " #op2 :: "r"((uint32_t)(v)) : "memory")
#define MRRC(op1, crm, lo, hi) __asm__ volatile("mrrc p15, " #op1 ", %0, %1, " #crm : "=r"(lo), "=r"(hi) :: "memory")
#define MCRR(op1, crm, lo, hi) __asm__ volatile("mcrr p15, " #op1 ", %0, %1, " #crm :: "r"((uint32_t)(lo)), "r"((uint32_t)(hi)) : "memory")
#define MRS_BANKED(reg) ({ uint32_t v_; __asm__ volatile("mrs %0, " #reg : "=r"(v_)); v_; })

/* VFP system registers by VMRS/VMSR through R2 (whose AArch64 view is X2), preset so that an access that traps or is
 * UNDEFINED reads as the marker. */
#define VMRS(reg) ({ register uint32_t r2_ __asm__("r2") = 0xdeadbeefu; \
    __asm__ volatile(".fpu neon-fp-armv8\n\tvmrs r2, " #reg : "+r"(r2_) :: "memory"); r2_; })
#define VMSR(reg, v) ({ register uint32_t r2_ __asm__("r2") = (v); \
    __asm__ volatile(".fpu neon-fp-armv8\n\tvmsr " #reg ", r2" :: "r"(r2_) : "memory"); })

static inline uint32_t cpsr(void) { uint32_t v; __asm__ volatile("mrs %0, cpsr" : "=r"(v)); return v; }
static inline uint32_t spsr(void) { uint32_t v; __asm__ volatile("mrs %0, spsr" : "=r"(v)); return v; }

static const char *const names[] = { "?", "Undefined Instruction", "Supervisor Call", "Prefetch Abort", "Data Abort", "?",
                                     "IRQ", "FIQ" };

void el1_exception(unsigned type, uint32_t *frame);
void kernel_main(void);
void modes_setup(void);
void thumb_part(void);
void endian_part(void);

void el1_exception(unsigned type, uint32_t *frame)
{
    uint32_t s = spsr(), lr = frame[13];
    puts32("EL1: ");
    puts32(names[type]);
    puts32("\n");
    show("  CPSR", cpsr());
    show("  SPSR", s);
    show("  LR - base", lr - BASE);
    switch (type) {
    case 2: /* the SVC's immediate, before the return address */
        show("  imm", (s & 0x20) ? *(volatile uint16_t *)(lr - 2) & 0xff : *(volatile uint32_t *)(lr - 4) & 0xffffff);
        break;
    case 3: {
        uint32_t ifsr = MRC(0, c5, c0, 1);
        show("  IFSR", ifsr);
        if ((ifsr & 0x3f) == 0x2 || (ifsr & 0x3f) == 0x22) { /* BKPT: resume after it (A32: LR = BKPT + 4, T32: LR - 2) */
            frame[13] = (s & 0x20) ? lr - 2 : lr;
        } else {                                            /* a fetch fault: back to the caller of the branch (LR_svc) */
            show("  IFAR", MRC(0, c6, c0, 2));
            frame[13] = MRS_BANKED(lr_svc);
        }
        break;
    }
    case 4: {
        uint32_t dfsr = MRC(0, c5, c0, 0);
        show("  DFSR", dfsr);
        if (dfsr == 0x406 || dfsr == 0x211) { /* asynchronous (SError): resume where it was taken (LR - 8) */
            frame[13] = lr - 8;
        } else {                              /* synchronous: skip the A32 instruction at LR - 8 */
            show("  DFAR", MRC(0, c6, c0, 0));
            frame[13] = lr - 4;
        }
        break;
    }
    case 6: HVC(0x11); break; /* virtual IRQ off */
    case 7: HVC(0x13); break; /* virtual FIQ off */
    default: break;
    }
}

static void cp15_registers(void)
{
    puts32("EL1: CP15\n");
    MCR(0, c1, c0, 0, 0x00c50838);
    show("SCTLR", MRC(0, c1, c0, 0));
    show("MIDR", MRC(0, c0, c0, 0));
    show("MPIDR", MRC(0, c0, c0, 5));
    show("CTR", MRC(0, c0, c0, 1));
    show("ID_PFR0", MRC(0, c0, c1, 0));
    show("ID_PFR1", MRC(0, c0, c1, 1));
    show("ID_DFR0", MRC(0, c0, c1, 2));
    show("ID_MMFR0", MRC(0, c0, c1, 4));
    show("ID_MMFR3", MRC(0, c0, c1, 7));
    show("ID_ISAR0", MRC(0, c0, c2, 0));
    show("ID_ISAR5", MRC(0, c0, c2, 5));
    show("CLIDR", MRC(1, c0, c0, 1));
    MCR(2, c0, c0, 0, 0);
    show("CCSIDR (L1 D)", MRC(1, c0, c0, 0));
    MCR(2, c0, c0, 0, 1);
    show("CCSIDR (L1 I)", MRC(1, c0, c0, 0));
    show("CSSELR", MRC(2, c0, c0, 0));
    MCR(2, c0, c0, 0, 0);
    MCR(0, c12, c0, 0, BASE);
    MCR(0, c13, c0, 4, 0x11110004);
    MCR(0, c13, c0, 2, 0x11110002);
    MCR(0, c13, c0, 3, 0x11110003);
    MCR(0, c13, c0, 1, 0x42);
    MCR(0, c3, c0, 0, 0x55555555);
    MCR(0, c10, c2, 0, 0xff440400);
    MCR(0, c10, c2, 1, 0xee);
    MCRR(0, c2, 0x40001000, 0x00123456);
    MCR(0, c2, c0, 1, 0x40002000);
    MCR(0, c2, c0, 2, 0);
    MCR(0, c6, c0, 0, 0xdfa0);
    MCR(0, c6, c0, 2, 0x1fa0);
    show("VBAR", MRC(0, c12, c0, 0));
    show("TPIDRPRW", MRC(0, c13, c0, 4));
    show("TPIDRURW", MRC(0, c13, c0, 2));
    show("TPIDRURO", MRC(0, c13, c0, 3));
    show("CONTEXTIDR", MRC(0, c13, c0, 1));
    show("DACR", MRC(0, c3, c0, 0));
    show("PRRR", MRC(0, c10, c2, 0));
    show("NMRR", MRC(0, c10, c2, 1));
    uint32_t lo, hi;
    MRRC(0, c2, lo, hi);
    show("TTBR0 (64-bit) high", hi);
    show("TTBR0 (64-bit) low", lo);
    show("TTBR0 (32-bit)", MRC(0, c2, c0, 0));
    show("TTBR1", MRC(0, c2, c0, 1));
    show("TTBCR", MRC(0, c2, c0, 2));
    show("DFAR", MRC(0, c6, c0, 0));
    show("IFAR", MRC(0, c6, c0, 2));
    HVC(4);
}

static void banked_registers(void)
{
    puts32("EL1: modes and banked registers\n");
    modes_setup();
    show("CPSR after CPS and MSR CPSR_c", cpsr());
    show("LR_irq", MRS_BANKED(lr_irq));
    show("SP_irq", MRS_BANKED(sp_irq));
    show("R8_fiq", MRS_BANKED(r8_fiq));
    show("R12_fiq", MRS_BANKED(r12_fiq));
    show("SP_fiq", MRS_BANKED(sp_fiq));
    show("LR_fiq", MRS_BANKED(lr_fiq));
    show("LR_abt", MRS_BANKED(lr_abt));
    show("SP_abt", MRS_BANKED(sp_abt));
    show("LR_und", MRS_BANKED(lr_und));
    show("SP_und", MRS_BANKED(sp_und));
    show("R13_usr", MRS_BANKED(sp_usr));
    show("R14_usr", MRS_BANKED(lr_usr));
    uint32_t v = 0x600001d2;
    __asm__ volatile("msr spsr_irq, %0" :: "r"(v));
    show("SPSR_irq", MRS_BANKED(spsr_irq));
    v = 0x1f00001e;
    __asm__ volatile("msr lr_usr, %0" :: "r"(v));
    __asm__ volatile("msr spsr_fsxc, %0" :: "r"(0xf80f0010u));
    show("SPSR_svc (MSR SPSR_fsxc)", spsr());
    /* A round trip through System mode: QEMU 7.2 copies the current mode's SPSR to SPSR_EL1 only on a mode change
     * (the Arm ARM's SPSR_svc is SPSR_EL1 at once, as on ArmVirt), so that the EL2 dump below compares. */
    __asm__ volatile("cps #0x1f\n\tcps #0x13" ::: "memory");
    HVC(3);
}

static void el1_exceptions(void)
{
    puts32("EL1: exceptions at EL1\n");
    __asm__ volatile("svc #0x42" ::: "lr", "memory");
    __asm__ volatile("udf #7" ::: "memory");
    __asm__ volatile("bkpt #3" ::: "memory");
    MCR(0, c1, c0, 0, 0x00c5083a); /* SCTLR.A: alignment checks */
    uint32_t v;
    __asm__ volatile("ldr %0, [%1]" : "=r"(v) : "r"(BASE + 0x1001) : "memory");
    MCR(0, c2, c0, 2, 0x80000000); /* TTBCR.EAE: the long-descriptor fault status format */
    __asm__ volatile("str %0, [%1]" :: "r"(v), "r"(BASE + 0x1002) : "memory");
    __asm__ volatile("bkpt #4" ::: "memory");
    MCR(0, c2, c0, 2, 0);
    MCR(0, c1, c0, 0, 0x00c50838);
    HVC(0x10); /* virtual IRQ */
    __asm__ volatile("cpsie i\n\tnop\n\tcpsid i" ::: "memory");
    HVC(0x12); /* virtual FIQ */
    __asm__ volatile("cpsie f\n\tnop\n\tcpsid f" ::: "memory");
    HVC(0x14); /* virtual SError */
    __asm__ volatile("cpsie a\n\tnop\n\tcpsid a" ::: "memory");
    puts32("EL1: T32\n");
    thumb_part();
    show("CPSR after T32", cpsr());
}

static void el2_traps(void)
{
    puts32("EL1: traps and faults to EL2\n");
    HVC(0x1234);
    HVC(0x20); /* HSTR_EL2.T1 */
    show("SCTLR read under HSTR_EL2.T1", MRC(0, c1, c0, 0));
    HVC(0x21);
    HVC(0x22); /* HCR_EL2.TVM, TID3, TSC */
    MCR(0, c2, c0, 0, 0x40003000);
    MCRR(0, c2, 0x40004000, 0x1);
    show("ID_PFR0 read under TID3", MRC(0, c0, c1, 0));
    __asm__ volatile("smc #0" ::: "memory");
    HVC(0x23);
    show("TTBR0 after the trapped writes", MRC(0, c2, c0, 0));
    register uint32_t r2 __asm__("r2") = 0x5a5a0002;
    __asm__ volatile("str %0, [%1]" :: "r"(r2), "r"(HOLE) : "memory");
    uint32_t v;
    __asm__ volatile("ldr %0, [%1]" : "=r"(v) : "r"(HOLE + 8) : "memory");
    show("load from the stage-2 hole", v);
    ((void (*)(void))HOLE)();
    const char *msg = "EL1: printed through MMIO exits\n";
    for (const char *p = msg; *p; p++) *(volatile uint8_t *)UART = (uint8_t)*p;
}

/* Stage 1: the short-descriptor format (a level 1 table at L1_TABLE, a level 2 table at L2_TABLE), then the
 * long-descriptor format (TTBCR.EAE: a level 1 table at LD_L1, a level 2 table at LD_L2), identity maps of the RAM the
 * kernel uses, and the faults of each format. */
#define L1_TABLE 0x40480000u
#define L2_TABLE 0x40484000u
#define LD_L1 0x40485000u
#define LD_L2 0x40486000u
#define SCTLR_MMU_OFF 0x00c50838u
#define SCTLR_MMU_ON (SCTLR_MMU_OFF | 0x1005u) /* M, C, I */

static uint32_t section(uint32_t pa, uint32_t ap, uint32_t domain, uint32_t texcb)
{
    return (pa & 0xfff00000u) | 2 | ((texcb & 3) << 2) | (domain << 5) | ((ap & 3) << 10) | ((texcb >> 2) << 12) | ((ap >> 2) << 15);
}

static void tlbiall(void)
{
    __asm__ volatile("dsb\n\tmcr p15, 0, %0, c8, c7, 0\n\tdsb\n\tisb" :: "r"(0) : "memory");
}

static uint32_t load(uint32_t va) { uint32_t v; __asm__ volatile("ldr %0, [%1]" : "=r"(v) : "r"(va) : "memory"); return v; }
static void store(uint32_t va, uint32_t v) { __asm__ volatile("str %0, [%1]" :: "r"(v), "r"(va) : "memory"); }

static void short_descriptors(void)
{
    volatile uint32_t *l1 = (volatile uint32_t *)L1_TABLE, *l2 = (volatile uint32_t *)L2_TABLE;
    puts32("EL1: short-descriptor stage 1\n");
    for (int i = 0; i < 4096; i++) l1[i] = 0;
    for (int i = 0; i < 256; i++) l2[i] = 0;
    for (uint32_t i = 0x400; i < 0x410; i++) l1[i] = section(i << 20, 3, 0, 0x7);  /* RAM: Normal WB WA, RW */
    l1[0x090] = section(UART, 3, 0, 0x1);                                          /* the UART: Device */
    l1[0x411] = L2_TABLE | 1;                                                      /* a page table, domain 0 */
    l2[0x00] = 0x40490000u | 2 | (3u << 4) | 0xc;                                 /* small page, RW */
    l2[0x02] = 0x40491000u | 2 | (1u << 4) | (1u << 9) | 0xc;                     /* AP = 101: PL1 read-only */
    l1[0x412] = section(0x40400000u, 3, 2, 0x7);                                  /* domain 2: no access */
    l1[0x414] = section(0x40400000u, 3, 0, 0x7) | 0x10;                           /* XN */
    l1[0x415] = section(0x40400000u, 5, 0, 0x7);                                  /* PL1 read-only */
    l1[0x416] = section(0x40400000u, 2, 0, 0x7);                                  /* AP[0] = 0: the access flag under AFE */
    MCR(0, c3, c0, 0, 0x0000000du); /* DACR: domain 0 client, 1 manager, 2 no access */
    MCR(0, c2, c0, 2, 0);
    MCR(0, c2, c0, 0, L1_TABLE);
    MCR(0, c13, c0, 1, 0);
    tlbiall();
    MCR(0, c1, c0, 0, SCTLR_MMU_ON);
    __asm__ volatile("isb" ::: "memory");
    show("SCTLR", MRC(0, c1, c0, 0));
    store(0x41100010u, 0x12345678u);
    show("read back through the small page", *(volatile uint32_t *)0x40490010u);
    MCR(0, c7, c8, 0, 0x41100010u); /* ATS1CPR */
    show("PAR (ATS1CPR of the small page)", MRC(0, c7, c4, 0));
    MCR(0, c7, c8, 1, 0x41102000u); /* ATS1CPW: read-only page */
    show("PAR (ATS1CPW of the read-only page)", MRC(0, c7, c4, 0));
    MCR(0, c7, c8, 2, 0x40400000u); /* ATS1CUR */
    show("PAR (ATS1CUR of a section)", MRC(0, c7, c4, 0));
    MCR(0, c7, c8, 0, 0x41000000u); /* ATS1CPR: no mapping */
    show("PAR (ATS1CPR of a hole)", MRC(0, c7, c4, 0));
    load(0x41000000u);             /* level 1 translation fault */
    load(0x41101004u);             /* level 2 translation fault */
    store(0x41102008u, 1);         /* page permission fault (write) */
    load(0x41200000u);             /* section domain fault */
    ((void (*)(void))0x41400000u)(); /* execute-never: a Prefetch Abort */
    store(0x41500000u, 1);         /* section permission fault (write) */
    MCR(0, c1, c0, 0, SCTLR_MMU_ON | (1u << 29)); /* AFE */
    tlbiall();
    load(0x41600000u);             /* section access flag fault */
    MCR(0, c1, c0, 0, SCTLR_MMU_ON);
    tlbiall();
}

static void long_descriptors(void)
{
    volatile uint64_t *l1 = (volatile uint64_t *)LD_L1, *l2 = (volatile uint64_t *)LD_L2;
    puts32("EL1: long-descriptor stage 1 (TTBCR.EAE)\n");
    for (int i = 0; i < 512; i++) l1[i] = l2[i] = 0;
    /* MAIR0: attr 0 Device-nGnRnE, attr 1 Normal WB. Level 1: the first GiB a Device block, the second a table. */
    l1[0] = 0x00000000ull | (0u << 2) | (1u << 10) | 1;
    l1[1] = LD_L2 | 3;
    for (uint32_t i = 0; i < 8; i++) l2[i] = (0x40000000ull + (i << 21)) | (1u << 2) | (3u << 8) | (1u << 10) | 1;
    l2[9] = 0x40000000ull | (1u << 2) | (3u << 8) | 1;              /* 0x41200000: AF = 0 */
    l2[10] = 0x40000000ull | (1u << 2) | (3u << 8) | (1u << 10) | (1u << 7) | 1; /* 0x41400000: read-only */
    /* The switch of format with the MMU off (a TTBR0 write under the old format would make the fetches walk it). */
    MCR(0, c1, c0, 0, SCTLR_MMU_OFF);
    __asm__ volatile("isb" ::: "memory");
    MCR(0, c10, c2, 0, 0xff00u);
    MCRR(0, c2, LD_L1, 0);
    MCR(0, c2, c0, 2, 0x80000000u); /* EAE, T0SZ = 0 */
    tlbiall();
    MCR(0, c1, c0, 0, SCTLR_MMU_ON);
    __asm__ volatile("isb" ::: "memory");
    show("TTBCR", MRC(0, c2, c0, 2));
    show("read through the long-descriptor tables", *(volatile uint32_t *)0x40490010u);
    {
        uint32_t lo, hi;
        MCR(0, c7, c8, 0, 0x40490010u); /* ATS1CPR */
        MRRC(0, c7, lo, hi);
        show("PAR (ATS1CPR, long format) high", hi);
        show("PAR (ATS1CPR, long format) low", lo);
        MCR(0, c7, c8, 0, 0x41000000u);
        MRRC(0, c7, lo, hi);
        show("PAR (ATS1CPR of a hole, long format) low", lo);
    }
    load(0x41000000u);             /* level 2 translation fault */
    load(0x41200000u);             /* level 2 access flag fault */
    store(0x41400000u, 1);         /* level 2 permission fault */
    MCR(0, c1, c0, 0, SCTLR_MMU_OFF);
    MCR(0, c2, c0, 2, 0);
    tlbiall();
}

/* The VFP system registers at EL1: CPACR, FPEXC.EN (which gates every VFP instruction but VMRS/VMSR of the ID
 * registers and FPEXC while EL1 is AArch32), FPSID, MVFR0-2, and the EL2 traps: HCR_EL2.TID0 (FPSID), TID3 (MVFR0-2)
 * with EC 0x08 and CPTR_EL2.TFP with EC 0x07. */
static void fp_registers(void)
{
    puts32("EL1: VFP system registers\n");
    MCR(0, c1, c0, 2, 0);
    show("FPSID with CPACR.cp10 = 0", VMRS(fpsid));
    MCR(0, c1, c0, 2, 0x00f00000);
    show("CPACR", MRC(0, c1, c0, 2));
    VMSR(fpexc, 0);
    /* FPEXC.VECITR (bits 10:8) is RES1 in Armv8 (ArmVirt, the Cortex-A57 TRM's 0x700) and 0 on QEMU: masked here. */
    show("FPEXC", VMRS(fpexc) & ~0x700u);
    show("FPSCR with FPEXC.EN = 0", VMRS(fpscr));
    VMSR(fpexc, 0x40000000);
    show("FPEXC after EN = 1", VMRS(fpexc) & ~0x700u);
    HVC(0x27);
    VMSR(fpscr, 0x03c0009f);
    show("FPSCR", VMRS(fpscr));
    show("FPSID", VMRS(fpsid));
    show("MVFR0", VMRS(mvfr0));
    show("MVFR1", VMRS(mvfr1));
    show("MVFR2", VMRS(mvfr2));
    HVC(0x24); /* HCR_EL2.TID0, TID3 */
    show("FPSID under TID0", VMRS(fpsid));
    show("MVFR0 under TID3", VMRS(mvfr0));
    show("MVFR1 under TID3", VMRS(mvfr1));
    show("MVFR2 under TID3", VMRS(mvfr2));
    show("FPEXC under TID0/TID3", VMRS(fpexc) & ~0x700u);
    HVC(0x25);
    HVC(0x26); /* CPTR_EL2.TFP */
    show("FPSCR under CPTR_EL2.TFP", VMRS(fpscr));
    HVC(0x26);
    show("FPEXC under CPTR_EL2.TFP", VMRS(fpexc) & ~0x700u);
    HVC(0x26);
    show("FPSID under CPTR_EL2.TFP", VMRS(fpsid));
    VMSR(fpscr, 0);
    VMSR(fpexc, 0);
    MCR(0, c1, c0, 2, 0);
}

void kernel_main(void)
{
    puts32("EL1: AArch32 Supervisor mode\n");
    show("CPSR", cpsr());
    cp15_registers();
    banked_registers();
    el1_exceptions();
    short_descriptors();
    long_descriptors();
    fp_registers();
    puts32("EL1: big-endian data (SETEND)\n");
    endian_part();
    show("CPSR after SETEND LE", cpsr());
    el2_traps();
}
