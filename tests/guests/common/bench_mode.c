/*
 * The translation modes of the benchmark guests (see bench_mode.h): sets up the mode, runs bench_main() and powers
 * off. Identity maps of 1 GiB blocks with the 4 KiB granule and a 32-bit address space (T0SZ = 32, lookup starts at
 * level 1): [0, 1 GiB) Device-nGnRnE execute-never (the UART and the GIC), [1 GiB, 2 GiB) Normal write-back
 * (the RAM), the rest unmapped. Arm ARM D8.3 (descriptor formats), D8.5 (stage 2 MemAttr and S2AP).
 */
#include "bench_mode.h"

#define D_BLOCK (1ul << 0)          /* valid, bit 1 = 0: a block at level 1 */
#define D_SH_IS (3ul << 8)
#define D_AF    (1ul << 10)
#define D_XN    (1ul << 54)         /* EL1&0 regime: UXN; EL2 regime and stage 2: XN */
#define RAM_BASE 0x40000000ul

/* MAIR_ELx: Attr0 = Device-nGnRnE, Attr1 = Normal write-back, read/write-allocate. */
#define MAIR_VALUE 0xff00ul
/* SCTLR_ELx: M, C, I on; A (alignment checks) off. */
#define SCTLR_M (1ul << 0)
#define SCTLR_A (1ul << 1)
#define SCTLR_C (1ul << 2)
#define SCTLR_I (1ul << 12)

#if defined(MODE_MMUOFF)
const char bench_mode_name[] = "mmuoff";
#elif defined(MODE_EL1)
const char bench_mode_name[] = "el1";
#elif defined(MODE_EL2)
const char bench_mode_name[] = "el2";
#else
const char bench_mode_name[] = "s2";
#endif

#if defined(MODE_EL1) || defined(MODE_S2)
/* EL1's stage 1 (what cpubench.elf's mmu_on does): TCR_EL1 T0SZ 32, inner/outer WBWA, inner shareable, EPD1. */
static uint64_t el1_level1[512] __attribute__((aligned(4096)));

static void el1_stage1_on(void)
{
    el1_level1[0] = 0x00000000ul | (0ul << 2) | D_AF | D_XN | D_BLOCK;          /* AttrIndx 0: Device */
    el1_level1[1] = RAM_BASE | (1ul << 2) | D_AF | D_SH_IS | D_BLOCK;           /* AttrIndx 1: Normal */
    WRITE_SYSREG(mair_el1, MAIR_VALUE);
    WRITE_SYSREG(tcr_el1, 32ul | (1ul << 8) | (1ul << 10) | (3ul << 12) | (1ul << 23));
    WRITE_SYSREG(ttbr0_el1, (uint64_t)el1_level1);
    __asm__ volatile("dsb sy; tlbi vmalle1; dsb sy" ::: "memory");
    ISB();
    WRITE_SYSREG(sctlr_el1, (READ_SYSREG(sctlr_el1) | SCTLR_M | SCTLR_C | SCTLR_I) & ~SCTLR_A);
    ISB();
}
#endif

#if defined(MODE_EL2)
/* The EL2 regime's own stage 1 (TCR_EL2 with E2H = 0: T0SZ 32, WBWA, inner shareable, PS 32 bits, RES1 bits 23
 * and 31). In this regime AP[1] is RES1 (D8.4.1) and there is one XN bit. */
static uint64_t el2_level1[512] __attribute__((aligned(4096)));
#define EL2_AP1 (1ul << 6)

static void el2_stage1_on(void)
{
    el2_level1[0] = 0x00000000ul | (0ul << 2) | D_AF | EL2_AP1 | D_XN | D_BLOCK;
    el2_level1[1] = RAM_BASE | (1ul << 2) | D_AF | D_SH_IS | EL2_AP1 | D_BLOCK;
    WRITE_SYSREG(mair_el2, MAIR_VALUE);
    WRITE_SYSREG(tcr_el2, 32ul | (1ul << 8) | (1ul << 10) | (3ul << 12) | (1ul << 23) | (1ul << 31));
    WRITE_SYSREG(ttbr0_el2, (uint64_t)el2_level1);
    __asm__ volatile("dsb sy; tlbi alle2; dsb sy" ::: "memory");
    ISB();
    WRITE_SYSREG(sctlr_el2, (READ_SYSREG(sctlr_el2) | SCTLR_M | SCTLR_C | SCTLR_I) & ~SCTLR_A);
    ISB();
}
#endif

#if defined(MODE_S2)
/* Stage 2 (VTCR_EL2: T0SZ 32, SL0 = 1 so the walk starts at level 1, WBWA, inner shareable, 4 KiB granule,
 * PS 32 bits, RES1 bit 31): MemAttr[5:2] = 0b0000 Device-nGnRnE or 0b1111 Normal write-back, S2AP[7:6] = 0b11. */
static uint64_t s2_level1[512] __attribute__((aligned(4096)));
#define S2_RW (3ul << 6)
#define HCR_VM (1ul << 0)
#define HCR_RW (1ul << 31)

static void el1_entry(void) __attribute__((noreturn));

static void el1_entry(void)
{
    el1_stage1_on();
    bench_main();
    system_off();   /* HVC: the monitor forwards it */
}

static void enter_el1_under_stage2(void) __attribute__((noreturn));

static void enter_el1_under_stage2(void)
{
    s2_level1[0] = 0x00000000ul | (0x0ul << 2) | S2_RW | D_AF | D_XN | D_BLOCK;
    s2_level1[1] = RAM_BASE | (0xful << 2) | S2_RW | D_SH_IS | D_AF | D_BLOCK;
    WRITE_SYSREG(vtcr_el2, 32ul | (1ul << 6) | (1ul << 8) | (1ul << 10) | (3ul << 12) | (1ul << 31));
    WRITE_SYSREG(vttbr_el2, (uint64_t)s2_level1 | (1ul << 48));     /* VMID 1 */
    WRITE_SYSREG(hcr_el2, HCR_RW | HCR_VM);
    ISB();
    __asm__ volatile("dsb sy; tlbi alle1; dsb sy" ::: "memory");
    ISB();
    WRITE_SYSREG(sp_el1, __stack_el1_top);
    WRITE_SYSREG(spsr_el2, 0x3c5ul);   /* EL1h, DAIF masked */
    WRITE_SYSREG(elr_el2, el1_entry);
    ISB();
    __asm__ volatile("eret" ::: "memory");
    __builtin_unreachable();
}
#endif

void exception_handler(struct frame *f, unsigned idx, unsigned el)
{
    (void)f, (void)idx, (void)el;   /* unused where print is compiled out (SMP copies other than 0) */
#if defined(MODE_S2)
    /* The monitor: EL1's PSCI SYSTEM_OFF (HVC #0, function ID in W0) goes to the firmware through SMC. */
    if (el == 2 && idx == VEC_LOWER64_SYNC && (f->esr >> 26) == EC_HVC64 && (uint32_t)f->x[0] == PSCI_SYSTEM_OFF)
        system_off();
#endif
    print("unexpected exception at EL%d vector %d ESR=0x%x ELR=0x%x FAR=0x%x\n",
          (uint64_t)el, (uint64_t)idx, f->esr, f->elr, f->far);
    system_off();
}

#if defined(SMP_COPIES)
/* One word per copy at the top of the default 128 MiB of RAM, past every copy's image: set when that copy is done. */
#define SMP_DONE ((volatile uint64_t *)0x47FF0000ul)
#define PSCI_CPU_ON 0xC4000003u
#define PSCI_CPU_OFF 0x84000002u

static uint64_t psci3(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
{
    register uint64_t x0 __asm__("x0") = fn, x1 __asm__("x1") = a1, x2 __asm__("x2") = a2, x3 __asm__("x3") = a3;
    __asm__ volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) : : "memory");
    return x0;
}

static void smp_main(void)
{
#if SMP_COPY == 0
    unsigned started = 1;
    for (unsigned k = 1; k < SMP_COPIES; k++) {
        SMP_DONE[k] = 0;
        __asm__ volatile("dsb ish" ::: "memory");
        if (psci3(PSCI_CPU_ON, k, SMP_IMAGE(k), 0) == 0) started++;   /* no such CPU: fewer copies run */
    }
    bench_main();
    for (unsigned k = 1; k < started; k++) while (SMP_DONE[k] == 0) __asm__ volatile("yield" ::: "memory");
    print("smp: %d copies ran\n", (uint64_t)started);
#else
    bench_main();
    SMP_DONE[SMP_COPY] = 1;
    __asm__ volatile("dsb ish" ::: "memory");
    psci3(PSCI_CPU_OFF, 0, 0, 0);
    for (;;) __asm__ volatile("wfi");
#endif
}
#endif

int main(unsigned el)
{
#if defined(MODE_EL2) || defined(MODE_S2)
    if (el != 2) {
        print("mode %s needs EL2 (armvirt --el 2, QEMU -M virt,virtualization=on); started at EL%d\n",
              bench_mode_name, (uint64_t)el);
        return 0;
    }
#else
    if (el != 1) {
        print("mode %s runs at EL1 (armvirt without --el, QEMU -M virt); started at EL%d\n", bench_mode_name, (uint64_t)el);
        return 0;
    }
#endif
#if defined(MODE_EL1)
    el1_stage1_on();
#elif defined(MODE_EL2)
    el2_stage1_on();
#elif defined(MODE_S2)
    enter_el1_under_stage2();
#endif
#if defined(SMP_COPIES)
    smp_main();
#else
    bench_main();
#endif
    return 0;
}
