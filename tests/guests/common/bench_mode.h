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

#endif
