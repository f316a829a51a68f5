/*
 * pmu32.elf: the PMU from AArch32 (Arm ARM G8.4, the CP15 c9 and c14 views of PMUv3): an AArch64 EL2 runs an AArch32
 * EL1 kernel (pmu32_kernel.c, A32, HCR_EL2.RW = 0, no stage 2, the MMU off) that programs the Performance Monitors
 * through MRC/MCR/MRRC/MCRR and takes their overflow interrupt (PPI 7, INTID 23) through the GICv2 at EL1. The
 * kernel's HVCs print (#1 a string, #2 "name = value"), set MDCR_EL2 (#3 TPM, #4 HPMN = 2, #5 back to HPMN = 6): TPM traps
 * its PMU accesses here (EC 0x03 for MRC/MCR, 0x04 for MRRC, with the AArch32 ISS; emulated: a read returns a marker).
 */
#include "guest.h"

#define KERNEL_BASE 0x40400000ul
#define VEC_LOWER32_SYNC 12
#define EC_CP15_32 0x03
#define EC_CP15_64 0x04
#define EC_HVC32 0x12

#define MDCR_TPM (1ul << 6)

extern const char user_image[], user_image_end[];

static void hvc(struct frame *f, unsigned imm)
{
    switch (imm) {
    case 0:
        print("EL2: HVC #0 (exit) from AArch32 EL1, r0=0x%x\n", f->x[0]);
        system_off();
    case 1: print("%s", (const char *)(uintptr_t)(uint32_t)f->x[0]); return;
    case 2: print("  %s = 0x%x\n", (const char *)(uintptr_t)(uint32_t)f->x[0], (uint32_t)f->x[1]); return;
    case 3: WRITE_SYSREG(mdcr_el2, MDCR_TPM | 6); ISB(); return;
    case 4: WRITE_SYSREG(mdcr_el2, 2); ISB(); return;
    case 5: WRITE_SYSREG(mdcr_el2, 6); ISB(); return;
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
    switch (ec) {
    case EC_HVC32:
        hvc(f, iss & 0xffff);
        return;
    case EC_CP15_32: {
        unsigned rt = (iss >> 5) & 0x1f, read = iss & 1;
        print("EL2: CP15 %s trap (MDCR_EL2.TPM) ESR=0x%x ELR=+0x%x (opc1 %d CRn %d CRm %d opc2 %d, R%d)", read ? "MRC" : "MCR",
              f->esr, f->elr - KERNEL_BASE, (iss >> 14) & 7, (iss >> 10) & 0xf, (iss >> 1) & 0xf, (iss >> 17) & 7, (uint64_t)rt);
        if (read) { f->x[rt] = 0x7e570000u | rt; print(" read: emulated\n"); }
        else print(" write of 0x%x\n", (uint32_t)f->x[rt]);
        f->elr += 4;
        return;
    }
    case EC_CP15_64: {
        unsigned rt = (iss >> 5) & 0x1f, rt2 = (iss >> 10) & 0x1f;
        print("EL2: CP15 %s trap (MDCR_EL2.TPM) ESR=0x%x ELR=+0x%x (opc1 %d CRm %d, R%d R%d)\n", (iss & 1) ? "MRRC" : "MCRR",
              f->esr, f->elr - KERNEL_BASE, (iss >> 16) & 0xf, (iss >> 1) & 0xf, (uint64_t)rt, (uint64_t)rt2);
        if (iss & 1) {
            f->x[rt] = 0x7e576400u;
            f->x[rt2] = 0x7e576411u;
        }
        f->elr += 4;
        return;
    }
    default:
        print("EL2: unexpected EC 0x%x ESR=0x%x ELR=+0x%x SPSR=0x%x\n", ec, f->esr, f->elr - KERNEL_BASE, f->spsr);
        system_off();
    }
}

int main(unsigned el)
{
    if (el != 2) {
        print("pmu32 needs EL2 (virtualization=on)\n");
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
    WRITE_SYSREG(hstr_el2, 0);
    WRITE_SYSREG(mdcr_el2, 6);   /* HPMN = N: EL1 sees every counter */
    WRITE_SYSREG(hcr_el2, 0ul);  /* RW = 0: EL1 is AArch32; IMO = 0: the PMU interrupt goes to EL1 */
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
