/*
 * aarch32.elf: an AArch64 EL1 that runs an A32 program at EL0 (AArch32 User mode). It prints ID_AA64PFR0_EL1.EL0 and
 * AArch32 ID registers, turns the MMU on (EL0 may use only its own 2 MiB block) and ERETs with SPSR_EL1.M = 0b10000
 * into the program built from aarch32_user.c. The "lower EL using AArch32" synchronous vector (VBAR_EL1 + 0x600) serves
 * its SVCs (print, exit, counter access off) and prints the syndrome, return address and SPSR of every other exception
 * it takes (a permission fault, MRRC/MRC of the counters trapped by CNTKCTL_EL1, UDF, BKPT, a trapped WFI, a trapped
 * VFP instruction, an unaligned LDREX), then skips the instruction. At the exit it prints TPIDR_EL0 as the program left
 * it and powers off. Built twice: with the program compiled for A32 (aarch32.elf) and for T32 (aarch32_thumb.elf,
 * -mthumb: the same C code as Thumb-2, entered from the A32 start code by BLX). With -DFP_ENABLED (aarch32_vfp.elf,
 * aarch32_vfp_thumb.elf) CPACR_EL1.FPEN = 0b11 and the program is aarch32_vfp_user.c's VFP and Advanced SIMD code.
 */
#include "guest.h"

#define USER_BASE 0x40400000ul
#define USER_STACK 0x40480000ul
#define VEC_LOWER32_SYNC 12
#define EC_SVC32 0x11
#define EC_FP 0x07
#define EC_BKPT32 0x38
#define EC_DABT_LOWER32 0x24

extern const char user_image[], user_image_end[];

/*
 * Stage 1 for EL1&0 with 4 KiB granules, T0SZ = 32 (a level 1 table): the first GiB a Device block (the UART), the
 * second (RAM) in 2 MiB blocks of Normal write-back memory, EL1-only except the block at USER_BASE, which EL0 may read,
 * write and execute (and EL1 may not execute, as for any EL0-writable page).
 */
#define DESC_VALID (1ul << 0)
#define DESC_TABLE (1ul << 1)
#define DESC_ATTR(i) ((uint64_t)(i) << 2) /* MAIR_EL1 index: 0 Device-nGnRnE, 1 Normal WB */
#define DESC_AP_EL0_RW (1ul << 6)
#define DESC_SH_INNER (3ul << 8)
#define DESC_AF (1ul << 10)
#define DESC_PXN (1ul << 53)
#define DESC_UXN (1ul << 54)
static uint64_t level1[512] __attribute__((aligned(4096)));
static uint64_t level2[512] __attribute__((aligned(4096)));

static void mmu_on(void)
{
    level1[0] = DESC_VALID | DESC_ATTR(0) | DESC_AF | DESC_PXN | DESC_UXN;
    level1[1] = (uint64_t)level2 | DESC_VALID | DESC_TABLE;
    for (uint64_t i = 0; i < 512; i++) {
        uint64_t pa = 0x40000000ul + (i << 21);
        level2[i] = pa | DESC_VALID | DESC_ATTR(1) | DESC_SH_INNER | DESC_AF
            | (pa == USER_BASE ? DESC_AP_EL0_RW | DESC_PXN : DESC_UXN);
    }
    WRITE_SYSREG(mair_el1, 0xff00ul);
    /* T0SZ = 32, IRGN0/ORGN0 = WBWA, SH0 = inner, TG0 = 4 KiB, EPD1, IPS = 32 bits. */
    WRITE_SYSREG(tcr_el1, 32ul | (1ul << 8) | (1ul << 10) | (3ul << 12) | (1ul << 23));
    WRITE_SYSREG(ttbr0_el1, (uint64_t)level1);
    __asm__ volatile("dsb ish\n\ttlbi vmalle1\n\tdsb ish\n\tisb" ::: "memory");
    WRITE_SYSREG(sctlr_el1, READ_SYSREG(sctlr_el1) | 1 | (1ul << 2) | (1ul << 12)); /* M, C, I */
    ISB();
}

static void __attribute__((noreturn)) finish(void)
{
    print("EL1: back from AArch32, TPIDR_EL0=0x%x\n", READ_SYSREG(tpidr_el0));
    system_off();
}

void exception_handler(struct frame *f, unsigned idx, unsigned el)
{
    uint64_t ec = f->esr >> 26, iss = f->esr & 0x1ffffff, il = (f->esr >> 25) & 1, thumb = (f->spsr >> 5) & 1;
    if (el != 1 || idx != VEC_LOWER32_SYNC) {
        print("unexpected exception at EL%d vector %d ESR=0x%x ELR=0x%x\n", (uint64_t)el, (uint64_t)idx, f->esr, f->elr);
        system_off();
    }
    if (ec == EC_SVC32) {
        switch (iss & 0xffff) {
        case 0:
            print("EL1: SVC #0 (exit) code %d, ELR=+0x%x SPSR=0x%x\n", f->x[0], f->elr - USER_BASE, f->spsr);
            f->elr = (uint64_t)finish;
            f->spsr = 0x3c5; /* EL1h, DAIF masked */
            return;
        case 1:
            print("%s", (const char *)(uintptr_t)(uint32_t)f->x[0]);
            return;
        case 2:
            print("  %s = 0x%x\n", (const char *)(uintptr_t)(uint32_t)f->x[0], f->x[1]);
            return;
        case 3:
            WRITE_SYSREG(cntkctl_el1, 0);
            return;
        default:
            print("EL1: unexpected SVC ISS=0x%x\n", iss);
            system_off();
        }
    }
    /* The IL of a 16-bit T32 BKPT is 0 in the Arm ARM (ESR_ELx.IL, "Breakpoint instruction exceptions") but QEMU reports
     * 1: not printed for it, so that the outputs compare (ArmVirt's T32StateTests check the 0). */
    if (ec == EC_BKPT32 && thumb)
        print("  EL1: EC=0x%x ISS=0x%x ELR=+0x%x SPSR=0x%x", ec, iss, f->elr - USER_BASE, f->spsr);
    else
        print("  EL1: EC=0x%x IL=%d ISS=0x%x ELR=+0x%x SPSR=0x%x", ec, il, iss, f->elr - USER_BASE, f->spsr);
    if (ec == EC_DABT_LOWER32) print(" FAR=0x%x", f->far);
    print("\n");
    /* Skip the instruction: 4 bytes in A32; in T32 (SPSR.T) 2 or 4 by its first halfword (IL is 1 for the syndromes
     * that do not report the length, such as a data abort without a valid instruction syndrome). */
    f->elr += thumb && (*(volatile uint16_t *)(uintptr_t)f->elr >> 11) < 0x1d ? 2 : 4;
}

int main(unsigned el)
{
    print("EL%d: ID_AA64PFR0_EL1.EL0=%d ID_PFR0=0x%x ID_ISAR0=0x%x ID_ISAR5=0x%x MVFR0=0x%x\n", (uint64_t)el,
          (READ_SYSREG(id_aa64pfr0_el1) >> 0) & 0xf, READ_SYSREG(id_pfr0_el1), READ_SYSREG(id_isar0_el1),
          READ_SYSREG(id_isar5_el1), READ_SYSREG(mvfr0_el1));
    volatile char *dst = (volatile char *)USER_BASE;
    for (const char *p = user_image; p < user_image_end; p++) *dst++ = *p;
    for (int i = 0; i < 0x1000; i++) *dst++ = 0; /* the program's .bss */
    WRITE_SYSREG(tpidrro_el0, 0x5a5a1234u);
    WRITE_SYSREG(tpidr_el0, 0xffffffff00000000ul);
    /* SCTLR_EL1: nTWI = 0 (WFI at EL0 traps), CP15BEN = 1; CPACR_EL1.FPEN = 0 (FP traps), or 0b11 for the VFP program. */
    WRITE_SYSREG(sctlr_el1, (READ_SYSREG(sctlr_el1) & ~(1ul << 16)) | (1ul << 5));
#ifdef FP_ENABLED
    WRITE_SYSREG(cpacr_el1, 3ul << 20);
#else
    WRITE_SYSREG(cpacr_el1, 0);
#endif
    WRITE_SYSREG(cntkctl_el1, 3); /* EL0PCTEN, EL0VCTEN: EL0 reads the counters */
    ISB();
    mmu_on();
    print("EL1: MMU on, ERET to AArch32 EL0 at 0x%x\n", USER_BASE);
    __asm__ volatile(
        "msr elr_el1, %0\n\t"
        "msr spsr_el1, %1\n\t"
        "mov x13, %2\n\t"
        "isb\n\t"
        "eret"
        :: "r"(USER_BASE), "r"(0x10ul), "r"(USER_STACK) : "x13", "memory");
    __builtin_unreachable();
}
