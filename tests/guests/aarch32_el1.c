/*
 * aarch32_el1.elf: an AArch64 EL2 that runs an AArch32 EL1 (HCR_EL2.RW = 0) under stage 2, as a hypervisor runs a
 * 32-bit guest. The EL2 maps the guest's IPA space with a stage-2 table (RAM identity-mapped in 2 MiB blocks, with a
 * hole at HOLE_IPA and no UART: its accesses are MMIO exits emulated here from the ISV/SAS/SRT syndrome), sets the
 * AArch32 stack pointers of every mode through their AArch64 registers (SP_svc = X19, SP_irq = X17, SP_abt = X21,
 * SP_und = X23, SP_fiq = X29) and ERETs to Supervisor mode (SPSR_EL2.M = 0b10011) at the A32 kernel built from
 * aarch32_el1_kernel.c, copied to KERNEL_BASE. The "lower EL using AArch32" vector (VBAR_EL2 + 0x600) serves the
 * kernel's HVCs (print, virtual IRQ/FIQ/SError on and off, traps on and off, a dump of the AArch32 registers as EL2
 * sees them, exit) and prints the syndrome of everything else it takes: CP15 accesses trapped by HSTR_EL2, HCR_EL2.TVM
 * and TID3 (EC 0x03 and 0x04, emulated: a read returns a marker in the mapped Rt), SMC trapped by
 * TSC, stage-2 data and instruction aborts with HPFAR_EL2.
 */
#include "guest.h"

#define KERNEL_BASE 0x40400000ul
#define HOLE_IPA 0x50000000ul     /* not mapped by stage 2 */
#define UART_IPA 0x09000000ul     /* not mapped by stage 2: MMIO exits */
#define VEC_LOWER32_SYNC 12
#define EC_WFX32 0x01
#define EC_CP15_32 0x03
#define EC_FP_ACCESS 0x07
#define EC_VMRS_ID 0x08
#define EC_CP15_64 0x04
#define EC_HVC32 0x12
#define EC_SMC32 0x13
#define EC_IABT_LOWER 0x20
#define EC_DABT_LOWER 0x24

#define HCR_VM (1ul << 0)
#define HCR_FMO (1ul << 3)
#define HCR_IMO (1ul << 4)
#define HCR_AMO (1ul << 5)
#define HCR_VF (1ul << 6)
#define HCR_VI (1ul << 7)
#define HCR_VSE (1ul << 8)
#define HCR_TID0 (1ul << 15)
#define HCR_TID3 (1ul << 18)
#define HCR_TSC (1ul << 19)
#define HCR_TVM (1ul << 26)

extern const char user_image[], user_image_end[];

/* Stage 2 (VTCR_EL2: T0SZ 32, SL0 = 1, WBWA, inner shareable, 4 KiB granule, PS 32 bits): the second GiB (RAM) in
 * 2 MiB Normal blocks except HOLE_IPA; the first GiB (devices) not mapped at all. */
#define D_VALID (1ul << 0)
#define D_TABLE (1ul << 1)
#define D_AF (1ul << 10)
#define D_SH_IS (3ul << 8)
#define S2_RW (3ul << 6)
#define S2_NORMAL (0xful << 2)
static uint64_t s2_level1[512] __attribute__((aligned(4096)));
static uint64_t s2_level2[512] __attribute__((aligned(4096)));

static void stage2_on(void)
{
    s2_level1[1] = (uint64_t)s2_level2 | D_VALID | D_TABLE;
    for (uint64_t i = 0; i < 512; i++) {
        uint64_t pa = 0x40000000ul + (i << 21);
        s2_level2[i] = pa == HOLE_IPA ? 0 : pa | S2_NORMAL | S2_RW | D_SH_IS | D_AF | D_VALID;
    }
    WRITE_SYSREG(vtcr_el2, 32ul | (1ul << 6) | (1ul << 8) | (1ul << 10) | (3ul << 12) | (1ul << 31));
    WRITE_SYSREG(vttbr_el2, (uint64_t)s2_level1 | (1ul << 48));
    __asm__ volatile("dsb sy; tlbi alle1; dsb sy; isb" ::: "memory");
}

#define CPTR_TFP (1ul << 10)

static uint64_t hcr = HCR_VM | HCR_IMO | HCR_FMO | HCR_AMO; /* RW = 0: EL1 is AArch32 */

static void set_hcr(uint64_t v)
{
    hcr = v;
    WRITE_SYSREG(hcr_el2, v);
    ISB();
}

static void dump_aarch32_registers(struct frame *f)
{
    print("EL2: AArch32 registers as AArch64 sees them:\n");
    print("  X13 (SP_usr)=0x%x X14 (LR_usr)=0x%x\n", f->x[13], f->x[14]);
    print("  X16 (LR_irq)=0x%x X17 (SP_irq)=0x%x\n", f->x[16], f->x[17]);
    print("  X18 (LR_svc)=0x%x X19 (SP_svc)=0x%x\n", f->x[18], f->x[19]);
    print("  X20 (LR_abt)=0x%x X21 (SP_abt)=0x%x\n", f->x[20], f->x[21]);
    print("  X22 (LR_und)=0x%x X23 (SP_und)=0x%x\n", f->x[22], f->x[23]);
    print("  X24 (R8_fiq)=0x%x X28 (R12_fiq)=0x%x X29 (SP_fiq)=0x%x X30 (LR_fiq)=0x%x\n", f->x[24], f->x[28], f->x[29], f->x[30]);
    print("  SPSR_EL1 (svc)=0x%x SPSR_irq=0x%x SPSR_abt=0x%x SPSR_und=0x%x SPSR_fiq=0x%x\n", READ_SYSREG(spsr_el1),
          READ_SYSREG(spsr_irq), READ_SYSREG(spsr_abt), READ_SYSREG(spsr_und), READ_SYSREG(spsr_fiq));
}

static void dump_system_registers(void)
{
    print("EL2: EL1's system registers as AArch64 sees them:\n");
    print("  SCTLR_EL1=0x%x TCR_EL1=0x%x TTBR0_EL1=0x%x TTBR1_EL1=0x%x\n", READ_SYSREG(sctlr_el1), READ_SYSREG(tcr_el1),
          READ_SYSREG(ttbr0_el1), READ_SYSREG(ttbr1_el1));
    print("  MAIR_EL1=0x%x AMAIR_EL1=0x%x VBAR_EL1=0x%x CONTEXTIDR_EL1=0x%x\n", READ_SYSREG(mair_el1),
          READ_SYSREG(amair_el1), READ_SYSREG(vbar_el1), READ_SYSREG(contextidr_el1));
    print("  TPIDR_EL1=0x%x TPIDR_EL0=0x%x TPIDRRO_EL0=0x%x DACR32_EL2=0x%x\n", READ_SYSREG(tpidr_el1),
          READ_SYSREG(tpidr_el0), READ_SYSREG(tpidrro_el0), READ_SYSREG(dacr32_el2));
    print("  ESR_EL1 (DFSR)=0x%x IFSR32_EL2=0x%x FAR_EL1 (IFAR:DFAR)=0x%x\n", READ_SYSREG(esr_el1),
          READ_SYSREG(ifsr32_el2), READ_SYSREG(far_el1));
}

static void hvc(struct frame *f, unsigned imm)
{
    switch (imm) {
    case 0:
        print("EL2: HVC #0 (exit) from AArch32 EL1, r0=0x%x\n", f->x[0]);
        dump_aarch32_registers(f);
        dump_system_registers();
        system_off();
    case 1: print("%s", (const char *)(uintptr_t)(uint32_t)f->x[0]); return;
    case 2: print("  %s = 0x%x\n", (const char *)(uintptr_t)(uint32_t)f->x[0], (uint32_t)f->x[1]); return;
    case 3: dump_aarch32_registers(f); return;
    case 4: dump_system_registers(); return;
    case 0x31:
        print("EL2: HVC #0x31 from T32 ESR=0x%x SPSR=0x%x: r0=0x%x r1=0x%x r2=0x%x r3=0x%x\n", READ_SYSREG(esr_el2), f->spsr,
              f->x[0], f->x[1], f->x[2], f->x[3]);
        return;
    case 0x32:
        print("EL2: HVC #0x32 SPSR=0x%x: r0=0x%x r1=0x%x r2=0x%x r3=0x%x\n", f->spsr, f->x[0], f->x[1], f->x[2], f->x[3]);
        return;
    case 0x10: set_hcr(hcr | HCR_VI); return;
    case 0x11: set_hcr(hcr & ~HCR_VI); return;
    case 0x12: set_hcr(hcr | HCR_VF); return;
    case 0x13: set_hcr(hcr & ~HCR_VF); return;
    case 0x14: set_hcr(hcr | HCR_VSE); return;
    case 0x20: WRITE_SYSREG(hstr_el2, 1ul << 1); return;            /* trap CP15 c1 */
    case 0x21: WRITE_SYSREG(hstr_el2, 0); return;
    case 0x22: set_hcr(hcr | HCR_TVM | HCR_TID3 | HCR_TSC); return;
    case 0x23: set_hcr(hcr & ~(HCR_TVM | HCR_TID3 | HCR_TSC)); return;
    case 0x24: set_hcr(hcr | HCR_TID0 | HCR_TID3); return;
    case 0x25: set_hcr(hcr & ~(HCR_TID0 | HCR_TID3)); return;
    case 0x26: WRITE_SYSREG(cptr_el2, READ_SYSREG(cptr_el2) | CPTR_TFP); ISB(); return;
    case 0x27: print("EL2: FPEXC32_EL2=0x%x\n", READ_SYSREG(fpexc32_el2) & ~0x700ul); return; /* VECITR: see the kernel */
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
        print("EL2: MRC/MCR trap ESR=0x%x ELR=+0x%x (opc1 %d CRn %d CRm %d opc2 %d, X%d)", f->esr, f->elr - KERNEL_BASE,
              (iss >> 14) & 7, (iss >> 10) & 0xf, (iss >> 1) & 0xf, (iss >> 17) & 7, (uint64_t)rt);
        if (read) { f->x[rt] = 0xc0ffee00u | rt; print(" read: emulated\n"); }
        else print(" write of 0x%x\n", (uint32_t)f->x[rt]);
        f->elr += 4;
        return;
    }
    case EC_VMRS_ID: { /* HCR_EL2.TID0/TID3: VMRS of FPSID or MVFR0-2 (the ISS of an MRC trap with opc1 = 7, CRn = reg) */
        unsigned rt = (iss >> 5) & 0x1f;
        print("EL2: VMRS trap ESR=0x%x ELR=+0x%x (reg %d, X%d) read: emulated\n", f->esr, f->elr - KERNEL_BASE,
              (iss >> 10) & 0xf, (uint64_t)rt);
        f->x[rt] = 0xc0ffee00u | rt;
        f->elr += 4;
        return;
    }
    case EC_FP_ACCESS: /* CPTR_EL2.TFP: lift the trap and run the instruction again */
        print("EL2: FP access trap ESR=0x%x ELR=+0x%x\n", f->esr, f->elr - KERNEL_BASE);
        WRITE_SYSREG(cptr_el2, READ_SYSREG(cptr_el2) & ~CPTR_TFP);
        return;
    case EC_CP15_64: {
        unsigned rt = (iss >> 5) & 0x1f, rt2 = (iss >> 10) & 0x1f;
        print("EL2: MRRC/MCRR trap ESR=0x%x ELR=+0x%x (opc1 %d CRm %d, X%d X%d) value 0x%x:0x%x\n", f->esr,
              f->elr - KERNEL_BASE, (iss >> 16) & 0xf, (iss >> 1) & 0xf, (uint64_t)rt, (uint64_t)rt2,
              (uint32_t)f->x[rt2], (uint32_t)f->x[rt]);
        f->elr += 4;
        return;
    }
    case EC_WFX32:
    case EC_SMC32:
        print("EL2: %s trap ESR=0x%x ELR=+0x%x\n", ec == EC_WFX32 ? "WFx" : "SMC", f->esr, f->elr - KERNEL_BASE);
        f->elr += 4;
        return;
    case EC_DABT_LOWER: {
        uint64_t ipa = (READ_SYSREG(hpfar_el2) >> 4) << 12 | (f->far & 0xfff);
        unsigned srt = (iss >> 16) & 0x1f, write = (iss >> 6) & 1;
        unsigned length = (f->esr >> 25) & 1 ? 4 : 2; /* IL: a 16-bit T32 instruction with a valid syndrome has IL = 0 */
        if ((iss >> 24) & 1 && ipa == UART_IPA && write) { /* MMIO exit: the UART's data register */
            putchar_uart((char)f->x[srt]);
            f->elr += length;
            return;
        }
        print("EL2: stage-2 data abort ESR=0x%x FAR=0x%x HPFAR=0x%x ELR=+0x%x SRT=X%d\n", f->esr, f->far,
              READ_SYSREG(hpfar_el2), f->elr - KERNEL_BASE, (uint64_t)srt);
        if (!write) f->x[srt] = 0xdada0000u | srt;
        else print("  store of 0x%x emulated\n", (uint32_t)f->x[srt]);
        f->elr += length;
        return;
    }
    case EC_IABT_LOWER:
        print("EL2: stage-2 instruction abort ESR=0x%x FAR=0x%x HPFAR=0x%x; back to LR_svc (X18) +0x%x\n", f->esr,
              f->far, READ_SYSREG(hpfar_el2), f->x[18] - KERNEL_BASE);
        f->elr = f->x[18];
        return;
    default:
        print("EL2: unexpected EC 0x%x ESR=0x%x ELR=+0x%x SPSR=0x%x\n", ec, f->esr, f->elr - KERNEL_BASE, f->spsr);
        system_off();
    }
}

int main(unsigned el)
{
    if (el != 2) {
        print("aarch32_el1 needs EL2 (virtualization=on)\n");
        return 0;
    }
    /* EL1 and EL0 = 2: AArch32 supported (QEMU's cortex-a57 also reports EL2 and EL3 as 2, an AArch32 EL2 that ArmVirt
     * does not implement and reports as 1). */
    print("EL2: ID_AA64PFR0_EL1.EL1=%d EL0=%d\n", (READ_SYSREG(id_aa64pfr0_el1) >> 4) & 0xf, READ_SYSREG(id_aa64pfr0_el1) & 0xf);
    volatile char *dst = (volatile char *)KERNEL_BASE;
    for (const char *p = user_image; p < user_image_end; p++) *dst++ = *p;
    for (int i = 0; i < 0x2000; i++) *dst++ = 0; /* the kernel's .bss */
    __asm__ volatile("dsb sy; ic iallu; dsb sy; isb" ::: "memory");
    stage2_on();
    /* EL1's state as a hypervisor would reset it for a 32-bit guest. */
    WRITE_SYSREG(vpidr_el2, READ_SYSREG(midr_el1));
    WRITE_SYSREG(vmpidr_el2, READ_SYSREG(mpidr_el1));
    WRITE_SYSREG(sctlr_el1, 0x00c50838ul);
    WRITE_SYSREG(tcr_el1, 0);
    WRITE_SYSREG(ttbr0_el1, 0);
    WRITE_SYSREG(ttbr1_el1, 0);
    WRITE_SYSREG(mair_el1, 0);
    WRITE_SYSREG(amair_el1, 0);
    WRITE_SYSREG(vbar_el1, KERNEL_BASE);
    WRITE_SYSREG(cpacr_el1, 0);
    WRITE_SYSREG(contextidr_el1, 0);
    WRITE_SYSREG(tpidr_el1, 0);
    WRITE_SYSREG(tpidr_el0, 0);
    WRITE_SYSREG(tpidrro_el0, 0);
    WRITE_SYSREG(esr_el1, 0);
    WRITE_SYSREG(far_el1, 0);
    WRITE_SYSREG(dacr32_el2, 0);
    WRITE_SYSREG(ifsr32_el2, 0);
    WRITE_SYSREG(spsr_irq, 0);
    WRITE_SYSREG(spsr_abt, 0);
    WRITE_SYSREG(spsr_und, 0);
    WRITE_SYSREG(spsr_fiq, 0);
    WRITE_SYSREG(spsr_el1, 0);
    WRITE_SYSREG(hstr_el2, 0);
    WRITE_SYSREG(cptr_el2, READ_SYSREG(cptr_el2));
    set_hcr(hcr);
    print("EL2: HCR_EL2=0x%x, stage 2 on; ERET to AArch32 Supervisor mode at 0x%x\n", READ_SYSREG(hcr_el2), KERNEL_BASE);
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
