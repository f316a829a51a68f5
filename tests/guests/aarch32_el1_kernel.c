/*
 * The AArch32 EL1 of aarch32_el1.elf: an A32 kernel (arm-linux-gnueabihf-gcc -marm -march=armv8-a, general registers
 * only) entered by aarch32_el1.c's EL2 in Supervisor mode with the MMU off, under the EL2's stage 2. It prints through
 * HVCs (#1 a string, #2 "name = value") and, once, through MMIO exits (stores to the UART, which stage 2 does not map).
 * It checks the CP15 registers and their AArch64 views, the banked registers of every mode (CPS, MSR CPSR_c, MRS/MSR
 * banked), the exceptions taken at EL1 (SVC, UDF, BKPT, alignment faults with the short- and long-format DFSR, virtual
 * IRQ, FIQ and SError) with their LR, SPSR and fault registers and five kinds of exception return, T32 exceptions, and
 * the traps and faults taken to EL2 (HVC, HSTR_EL2, HCR_EL2.TVM/TID3/TSC, stage-2 data and instruction aborts).
 */
#include <stdint.h>

#define BASE 0x40400000u
#define HOLE 0x50000000u
#define UART 0x09000000u

static void puts32(const char *s)
{
    register const char *r0 __asm__("r0") = s;
    __asm__ volatile("hvc #1" :: "r"(r0) : "memory");
}

static void show(const char *name, uint32_t v)
{
    register const char *r0 __asm__("r0") = name;
    register uint32_t r1 __asm__("r1") = v;
    __asm__ volatile("hvc #2" :: "r"(r0), "r"(r1) : "memory");
}

#define HVC(n) __asm__ volatile("hvc #" #n ::: "memory")
#define MRC(op1, crn, crm, op2) ({ uint32_t v_; __asm__ volatile("mrc p15, " #op1 ", %0, " #crn ", " #crm ", " #op2 : "=r"(v_) :: "memory"); v_; })
#define MCR(op1, crn, crm, op2, v) __asm__ volatile("mcr p15, " #op1 ", %0, " #crn ", " #crm ", " #op2 :: "r"((uint32_t)(v)) : "memory")
#define MRRC(op1, crm, lo, hi) __asm__ volatile("mrrc p15, " #op1 ", %0, %1, " #crm : "=r"(lo), "=r"(hi) :: "memory")
#define MCRR(op1, crm, lo, hi) __asm__ volatile("mcrr p15, " #op1 ", %0, %1, " #crm :: "r"((uint32_t)(lo)), "r"((uint32_t)(hi)) : "memory")
#define MRS_BANKED(reg) ({ uint32_t v_; __asm__ volatile("mrs %0, " #reg : "=r"(v_)); v_; })

static inline uint32_t cpsr(void) { uint32_t v; __asm__ volatile("mrs %0, cpsr" : "=r"(v)); return v; }
static inline uint32_t spsr(void) { uint32_t v; __asm__ volatile("mrs %0, spsr" : "=r"(v)); return v; }

static const char *const names[] = { "?", "Undefined Instruction", "Supervisor Call", "Prefetch Abort", "Data Abort", "?",
                                     "IRQ", "FIQ" };

void el1_exception(unsigned type, uint32_t *frame);
void kernel_main(void);
void modes_setup(void);
void thumb_part(void);

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
    case 3: /* BKPT: a debug event; resume after it (A32: LR = BKPT + 4, T32: a 16-bit BKPT at LR - 4) */
        show("  IFSR", MRC(0, c5, c0, 1));
        frame[13] = (s & 0x20) ? lr - 2 : lr;
        break;
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

void kernel_main(void)
{
    puts32("EL1: AArch32 Supervisor mode\n");
    show("CPSR", cpsr());
    cp15_registers();
    banked_registers();
    el1_exceptions();
    el2_traps();
}
