/*
 * Translation mode of the benchmark guests (cpubench.c, shapes.c), chosen at compile time with one of
 *   -DMODE_MMUOFF  EL1, stage 1 off: every data access is Device-nGnRnE (hence -mstrict-align)
 *   -DMODE_EL1     EL1, stage 1 on: identity map of 1 GiB blocks, Device below RAM, Normal write-back for RAM
 *   -DMODE_EL2     starts at EL2 and stays there: the EL2 regime's own identity map (TTBR0_EL2, TCR_EL2, MAIR_EL2)
 *   -DMODE_S2      starts at EL2; a small EL2 monitor turns on a stage-2 identity map (VTTBR_EL2, VTCR_EL2,
 *                  HCR_EL2.VM) and ERETs to EL1, which turns on its stage 1 as MODE_EL1 does and runs the program;
 *                  power-off from EL1 is an HVC that the monitor forwards to the PSCI firmware with SMC
 * common/bench_mode.c provides main() and exception_handler(); the program provides bench_main(), which runs at the
 * mode's EL with its translation on. Any exception other than the monitor's HVC is reported and powers off.
 *
 * -DSMP_COPIES=N -DSMP_COPY=K (MODE_EL1 only): copy K of N copies of the program, each linked at SMP_IMAGE(K) with its
 * own data, one per CPU (bench/smp-bench.sh). Copy 0 is the kernel; it starts CPU k at copy k's entry with PSCI CPU_ON,
 * runs the program, waits for every started copy to report done in shared memory and powers off. The other copies run
 * the program without printing and power their CPU off.
 */
#ifndef BENCH_MODE_H
#define BENCH_MODE_H
#include "guest.h"

#if defined(MODE_MMUOFF) + defined(MODE_EL1) + defined(MODE_EL2) + defined(MODE_S2) != 1
#error "define exactly one of MODE_MMUOFF, MODE_EL1, MODE_EL2, MODE_S2"
#endif

/* "mmuoff", "el1", "el2" or "s2": the name bench/cpubench.sh --mode uses. */
extern const char bench_mode_name[];

/* The program. Its return value is ignored; the run ends with PSCI SYSTEM_OFF. */
void bench_main(void);

#if defined(SMP_COPIES)
#if !defined(MODE_EL1) || !defined(SMP_COPY)
#error "SMP_COPIES needs MODE_EL1 and SMP_COPY"
#endif
#define SMP_IMAGE(k) (0x40080000ul + 0x1000000ul * (k))   /* where copy k is linked: 16 MiB apart */
#if SMP_COPY > 0
#define print(...) ((void)0)   /* only copy 0 prints */
#endif
#endif

#endif
