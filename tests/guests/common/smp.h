/*
 * What the SMP guests share (litmus, pairs, wakeup, shootdown, smp): PSCI calls through HVC (the machine's firmware at
 * EL2, as QEMU's virt with virtualization=on provides it), and stage 1 at EL1 over an identity map: 0-1 GiB Device,
 * 1-2 GiB RAM as Normal write-back through 2 MiB blocks, inner shareable (4 KiB granule, T0SZ = 32).
 */
#ifndef GUEST_SMP_H
#define GUEST_SMP_H

#include "guest.h"

#define PSCI_CPU_OFF        0x84000002u
#define PSCI_CPU_ON         0xC4000003u

static inline uint64_t psci(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
{
    register uint64_t x0 __asm__("x0") = fn, x1 __asm__("x1") = a1, x2 __asm__("x2") = a2, x3 __asm__("x3") = a3;
    __asm__ volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) : : "memory");
    return x0;
}

/* The identity map above in l1 (level 1) and l2 (the level-2 table of RAM's 1 GiB). */
static inline void build_identity_tables(uint64_t *l1, uint64_t *l2)
{
    l1[0] = 0x00000000ul | (1ul << 10) | 1;
    l1[1] = (uint64_t)l2 | 3;
    for (unsigned i = 0; i < 512; i++)
        l2[i] = (0x40000000ul + ((uint64_t)i << 21)) | (1ul << 10) | (3ul << 8) | (1ul << 2) | 1;
    __asm__ volatile("dsb ish" ::: "memory");
}

/* Stage 1 on at EL1 with l1 as TTBR0_EL1 (MAIR Attr0 Device-nGnRnE, Attr1 Normal write-back), caches on. */
static inline void mmu_on_with(const uint64_t *l1)
{
    WRITE_SYSREG(mair_el1, 0xFF00ul);
    WRITE_SYSREG(tcr_el1, 32ul | (1ul << 8) | (1ul << 10) | (3ul << 12) | (1ul << 32));
    WRITE_SYSREG(ttbr0_el1, (uint64_t)l1);
    ISB();
    __asm__ volatile("tlbi vmalle1\n dsb nsh" ::: "memory");
    WRITE_SYSREG(sctlr_el1, READ_SYSREG(sctlr_el1) | 1ul | (1ul << 2) | (1ul << 12));
    ISB();
}

/*
 * The entry of a CPU that PSCI CPU_ON started with its index (1, 2, ...) as context ID: the stack at the top of
 * stacks[index] (cpus of them, 4 KiB each), then secondary_main(index), which the guest defines.
 */
#define SMP_SECONDARY_ENTRY(cpus)                                   \
    uint8_t stacks[cpus][4096] __attribute__((aligned(16)));        \
    __asm__(                                                        \
        "    .section .text\n"                                      \
        "    .global secondary_entry\n"                             \
        "secondary_entry:\n"                                        \
        "    adrp  x1, stacks\n"                                    \
        "    add   x1, x1, :lo12:stacks\n"                          \
        "    add   x2, x0, #1\n"                                    \
        "    add   x1, x1, x2, lsl #12\n"                           \
        "    mov   sp, x1\n"                                        \
        "    bl    secondary_main\n"                                \
        "1:  wfi\n"                                                 \
        "    b     1b\n")

void secondary_main(unsigned cpu);
extern void secondary_entry(void);

/* An exception the guest does not expect: which CPU, the vector, EL, ESR, ELR and FAR, then power off. */
static inline void unexpected_exception(struct frame *f, unsigned idx, unsigned el)
{
    print("cpu%d: unexpected exception %d at EL%d: ESR=0x%x ELR=0x%x FAR=0x%x\n",
          READ_SYSREG(mpidr_el1) & 0xff, (uint64_t)idx, (uint64_t)el, f->esr, f->elr, f->far);
    system_off();
}

#endif
