/*
 * debug32.elf: the debug architecture from AArch32 (Arm ARM G2 "AArch32 Self-hosted Debug", the CP14 registers of G8.3):
 * an AArch64 EL2 runs an AArch32 EL1 kernel (debug32_kernel.c, A32 and T32, HCR_EL2.RW = 0, no stage 2) that programs
 * the debug registers through CP14 and takes BKPT, breakpoint and watchpoint exceptions at EL1 (Prefetch and Data
 * Aborts with the debug event status and DBGDSCRext.MOE). The kernel's HVCs print, dump the AArch64 view of what it
 * wrote (DBGBVR0_EL1 ... MDSCR_EL1), program breakpoint and watchpoint 0 for it while CP14 is trapped, and set MDCR_EL2: TDA, TDOSA and TDRA trap its CP14 accesses here (EC 0x05 for
 * MRC/MCR, 0x0C for MRRC, with the AArch32 ISS: emulated, a read returns a marker in Rt), and TDE routes its debug
 * exceptions here (BKPT EC 0x38, breakpoint EC 0x30, watchpoint EC 0x34 with FAR).
 */
#include "guest.h"

#define KERNEL_BASE 0x40400000ul
#define VEC_LOWER32_SYNC 12
#define EC_CP14_32 0x05
#define EC_CP14_64 0x0c
#define EC_HVC32 0x12
#define EC_BREAKPOINT_LOWER 0x30
#define EC_WATCHPOINT_LOWER 0x34
#define EC_BKPT32 0x38

#define MDCR_TDE (1ul << 8)
#define MDCR_TDA (1ul << 9)
#define MDCR_TDOSA (1ul << 10)
#define MDCR_TDRA (1ul << 11)

extern const char user_image[], user_image_end[];

static void dump_debug_registers(void)
{
    print("EL2: the AArch64 view: MDSCR_EL1=0x%x DBGBVR0_EL1=0x%x DBGBCR0_EL1=0x%x\n", READ_SYSREG(mdscr_el1),
          READ_SYSREG(dbgbvr0_el1), READ_SYSREG(dbgbcr0_el1));
    print("  DBGBVR5_EL1=0x%x DBGBCR5_EL1=0x%x DBGWVR0_EL1=0x%x DBGWCR0_EL1=0x%x OSLSR_EL1=0x%x\n", READ_SYSREG(dbgbvr5_el1),
          READ_SYSREG(dbgbcr5_el1), READ_SYSREG(dbgwvr0_el1), READ_SYSREG(dbgwcr0_el1), READ_SYSREG(oslsr_el1));
}

static void hvc(struct frame *f, unsigned imm)
{
    switch (imm) {
    case 0:
        print("EL2: HVC #0 (exit) from AArch32 EL1, r0=0x%x\n", f->x[0]);
        system_off();
    case 1: print("%s", (const char *)(uintptr_t)(uint32_t)f->x[0]); return;
    case 2: print("  %s = 0x%x\n", (const char *)(uintptr_t)(uint32_t)f->x[0], (uint32_t)f->x[1]); return;
    case 5: dump_debug_registers(); return;
    case 6: WRITE_SYSREG(dbgbvr0_el1, (uint32_t)f->x[0]); WRITE_SYSREG(dbgbcr0_el1, (uint32_t)f->x[1]); ISB(); return;
    case 7: WRITE_SYSREG(dbgwvr0_el1, (uint32_t)f->x[0]); WRITE_SYSREG(dbgwcr0_el1, (uint32_t)f->x[1]); ISB(); return;
    case 0x20: WRITE_SYSREG(mdcr_el2, MDCR_TDA); return;
    case 0x21: WRITE_SYSREG(mdcr_el2, MDCR_TDOSA); return;
    case 0x22: WRITE_SYSREG(mdcr_el2, MDCR_TDRA); return;
    case 0x23: WRITE_SYSREG(mdcr_el2, MDCR_TDE); return;
    case 0x24: WRITE_SYSREG(mdcr_el2, 0); return;
    default:
        print("EL2: HVC #0x%x ESR=0x%x ELR=+0x%x SPSR=0x%x\n", (uint64_t)imm, READ_SYSREG(esr_el2), f->elr - KERNEL_BASE, f->spsr);
        return;
    }
}

void exception_handler(struct frame *f, unsigned idx, unsigned el)
{
    uint64_t ec = f->esr >> 26, iss = f->esr & 0x1ffffff;
    if (el != 2 || idx != VEC_LOWER32_SYNC) {
        print("unexpected exception at EL%d vector %d ESR=0x%x ELR=0x%x SPSR=0x%x\n", (uint64_t)el, (uint64_t)idx,
              f->esr, f->elr, f->spsr);
        system_off();
    }
    unsigned thumb = (f->spsr >> 5) & 1;
    switch (ec) {
    case EC_HVC32:
        hvc(f, iss & 0xffff);
        return;
    case EC_CP14_32: {
        unsigned rt = (iss >> 5) & 0x1f, read = iss & 1;
        print("EL2: CP14 MRC/MCR trap ESR=0x%x ELR=+0x%x (opc1 %d CRn %d CRm %d opc2 %d, X%d)", f->esr, f->elr - KERNEL_BASE,
              (iss >> 14) & 7, (iss >> 10) & 0xf, (iss >> 1) & 0xf, (iss >> 17) & 7, (uint64_t)rt);
        if (read) { f->x[rt] = 0xdb900000u | rt; print(" read: emulated\n"); }
        else print(" write of 0x%x\n", (uint32_t)f->x[rt]);
        f->elr += 4;
        return;
    }
    case EC_CP14_64: {
        unsigned rt = (iss >> 5) & 0x1f, rt2 = (iss >> 10) & 0x1f;
        print("EL2: CP14 MRRC trap ESR=0x%x ELR=+0x%x (opc1 %d CRm %d, X%d X%d)\n", f->esr, f->elr - KERNEL_BASE,
              (iss >> 16) & 0xf, (iss >> 1) & 0xf, (uint64_t)rt, (uint64_t)rt2);
        f->x[rt] = 0xdb640000u;
        f->x[rt2] = 0xdb641111u;
        f->elr += 4;
        return;
    }
    case EC_BKPT32:
        print("EL2: BKPT ESR=0x%x ELR=+0x%x %s\n", f->esr, f->elr - KERNEL_BASE, thumb ? "T32" : "A32");
        f->elr += thumb ? 2 : 4;
        return;
    case EC_BREAKPOINT_LOWER:
        /* The breakpoint is disabled and the instruction runs again (FAR is UNKNOWN for a breakpoint: not printed). */
        print("EL2: breakpoint ESR=0x%x ELR=+0x%x %s\n", f->esr, f->elr - KERNEL_BASE, thumb ? "T32" : "A32");
        WRITE_SYSREG(dbgbcr0_el1, 0);
        ISB();
        return;
    case EC_WATCHPOINT_LOWER:
        print("EL2: watchpoint ESR=0x%x FAR=+0x%x ELR=+0x%x\n", f->esr, f->far - KERNEL_BASE, f->elr - KERNEL_BASE);
        WRITE_SYSREG(dbgwcr0_el1, 0);
        ISB();
        return;
    default:
        print("EL2: unexpected EC 0x%x ESR=0x%x ELR=+0x%x SPSR=0x%x\n", ec, f->esr, f->elr - KERNEL_BASE, f->spsr);
        system_off();
    }
}

int main(unsigned el)
{
    if (el != 2) {
        print("debug32 needs EL2 (virtualization=on)\n");
        return 0;
    }
    volatile char *dst = (volatile char *)KERNEL_BASE;
    for (const char *p = user_image; p < user_image_end; p++) *dst++ = *p;
    for (int i = 0; i < 0x2000; i++) *dst++ = 0; /* the kernel's .bss */
    __asm__ volatile("dsb sy; ic iallu; dsb sy; isb" ::: "memory");
    WRITE_SYSREG(vpidr_el2, READ_SYSREG(midr_el1));
    WRITE_SYSREG(vmpidr_el2, READ_SYSREG(mpidr_el1));
    WRITE_SYSREG(sctlr_el1, 0x00c50838ul);
    WRITE_SYSREG(vbar_el1, KERNEL_BASE);
    WRITE_SYSREG(cpacr_el1, 0);
    WRITE_SYSREG(esr_el1, 0);
    WRITE_SYSREG(far_el1, 0);
    WRITE_SYSREG(ifsr32_el2, 0);
    WRITE_SYSREG(hstr_el2, 0);
    WRITE_SYSREG(mdcr_el2, 0);
    WRITE_SYSREG(mdscr_el1, 0);
    WRITE_SYSREG(hcr_el2, 0ul); /* RW = 0: EL1 is AArch32 */
    ISB();
    print("EL2: ERET to AArch32 Supervisor mode at 0x%x\n", KERNEL_BASE);
    __asm__ volatile(
        "msr elr_el2, %0\n\t"
        "msr spsr_el2, %1\n\t"
        "movz x19, #0x4047, lsl #16\n\t"                        /* SP_svc */
        "movz x17, #0x4047, lsl #16\n\tmovk x17, #0x2000\n\t" /* SP_irq */
        "movz x21, #0x4047, lsl #16\n\tmovk x21, #0x4000\n\t" /* SP_abt */
        "movz x23, #0x4047, lsl #16\n\tmovk x23, #0x6000\n\t" /* SP_und */
        "movz x29, #0x4047, lsl #16\n\tmovk x29, #0x8000\n\t" /* SP_fiq */
        "movz x13, #0x4047, lsl #16\n\tmovk x13, #0xa000\n\t" /* SP_usr (and System mode's) */
        "isb\n\t"
        "eret"
        :: "r"(KERNEL_BASE), "r"(0x1d3ul) : "x13", "x17", "x19", "x21", "x23", "x29", "memory");
    __builtin_unreachable();
}
