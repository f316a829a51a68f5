/*
 * armv7_debug.elf: the ARMv7 debug architecture (v7.1 debug of cortex-a15) through CP14, on -M virt,virtualization=on
 * -cpu cortex-a15 (armvirt --cpu cortex-a15 --el 2). In Hyp mode it prints the debug identification (DBGDIDR,
 * ID_DFR0), the OS lock and DBGDSCRext, then enters a PL1 guest in Supervisor mode that unlocks the OS lock, sets
 * DBGDSCRext.MDBGen and takes, at PL1, a BKPT, an address breakpoint and a watchpoint (Prefetch and Data Aborts with
 * IFSR/DFSR, DFAR and DBGDSCRext.MOE). Then HDCR traps its CP14 accesses to Hyp mode (TDA, TDOSA, TDRA: the Hyp Trap
 * vector with HSR EC 0x05, emulated) and HDCR.TDE routes its BKPT and breakpoint to Hyp mode (their HSR is not printed:
 * QEMU 7.2 reports its AArch64 syndrome, EC 0x38/0x30, where the Arm ARM's AArch32 Hyp has a Prefetch Abort, EC 0x20:
 * Cp14RegisterTests checks it). PSCI SYSTEM_OFF by SMC.
 */
#include <stdint.h>
#include "common/armv7_console.h"

#define MRC14(op1, crn, crm, op2) ({ uint32_t v_; __asm__ volatile("mrc p14, " #op1 ", %0, c" #crn ", c" #crm ", " #op2 : "=r"(v_) :: "memory"); v_; })
#define MCR14(op1, crn, crm, op2, v) __asm__ volatile("mcr p14, " #op1 ", %0, c" #crn ", c" #crm ", " #op2 :: "r"((uint32_t)(v)) : "memory")

#define BCR(bas) (((bas) << 5) | (3u << 1) | 1u)
#define WCR(lsc, bas) (((bas) << 5) | ((lsc) << 3) | (3u << 1) | 1u)
#define HDCR_TDE (1u << 8)
#define HDCR_TDA (1u << 9)
#define HDCR_TDOSA (1u << 10)
#define HDCR_TDRA (1u << 11)

static inline uint32_t cpsr(void) { uint32_t v; __asm__ volatile("mrs %0, cpsr" : "=r"(v)); return v; }
static inline uint32_t elr_hyp(void) { uint32_t v; __asm__ volatile("mrs %0, ELR_hyp" : "=r"(v)); return v; }
static inline void set_elr_hyp(uint32_t v) { __asm__ volatile("msr ELR_hyp, %0" :: "r"(v)); }
static inline uint32_t spsr(void) { uint32_t v; __asm__ volatile("mrs %0, spsr" : "=r"(v)); return v; }

extern void enter_pl1(uint32_t spsr, void (*entry)(void));
extern char _start[];

static void psci_off(void)
{
    register uint32_t r0 __asm__("r0") = 0x84000008u;
    __asm__ volatile("smc #0" : "+r"(r0) :: "memory");
    for (;;) { }
}

volatile uint32_t watched[4] __attribute__((aligned(8)));
static volatile uint32_t returned;
__attribute__((noinline)) void target(void) { returned++; }

static uint32_t rel(uint32_t a) { return a - (uint32_t)_start; }

/* ---- Hyp mode ---- */

void hyp_exception(uint32_t offset, uint32_t *frame)
{
    uint32_t hsr = MRC(4, 5, 2, 0), elr = elr_hyp(), ec = hsr >> 26;
    if (offset == 0x14 && ec == 0x12) {               /* HVC from PL1: r0 = HDCR to set; #9 ends */
        if ((hsr & 0xffff) == 9) {
            puts_("guest done\n");
            psci_off();
        }
        MCR(4, 1, 1, 1, frame[0]);
        ISB();
        return;
    }
    if (offset == 0x14 && ec == 0x05) {               /* a trapped CP14 access: emulated */
        uint32_t rt = (hsr >> 5) & 0xf;
        puts_("hyp: CP14 trap hsr=");
        hex(hsr);
        puts_(" elr=+");
        hex(rel(elr));
        puts_("\n");
        if (hsr & 1) frame[rt] = 0xdb900000u | rt;
        set_elr_hyp(elr + 4);
        return;
    }
    if (offset == 0x14 && (MRC(4, 1, 1, 1) & HDCR_TDE)) {  /* a debug exception routed by HDCR.TDE */
        puts_("hyp: debug exception from PL1 elr=+");
        hex(rel(elr));
        puts_(" (HSR not compared)\n");
        if (elr == (uint32_t)target) {                 /* the breakpoint: off, and run the instruction */
            MCR14(0, 0, 0, 5, 0);
            ISB();
        } else {
            set_elr_hyp(elr + 4);                      /* BKPT: skip it */
        }
        return;
    }
    puts_("hyp: unexpected offset=");
    hex(offset);
    kv(" hsr", hsr);
    psci_off();
}

/* ---- the PL1 guest ---- */

void pl1_exception(uint32_t offset, uint32_t *frame)
{
    uint32_t lr = frame[13], moe = (MRC14(0, 0, 2, 2) >> 2) & 0xf;
    puts_("pl1: offset=");
    hex(offset);
    puts_(" lr=+");
    hex(rel(lr));
    puts_(" moe=");
    hex(moe);
    if (offset == 0x0c) {
        puts_(" ifsr=");
        hex(MRC(0, 5, 0, 1));
        if (moe == 1) {                                 /* breakpoint: off, and run the instruction again */
            MCR14(0, 0, 0, 5, 0);
            ISB();
            frame[13] = lr - 4;
        }                                               /* BKPT: resume after it (LR = BKPT + 4) */
    } else if (offset == 0x10) {
        puts_(" dfsr=");
        hex(MRC(0, 5, 0, 0));
        puts_(" dfar=+");
        hex(rel(MRC(0, 6, 0, 0)));
        MCR14(0, 0, 0, 7, 0);                           /* watchpoint: off, and run the access again */
        ISB();
        frame[13] = lr - 8;
    } else {
        frame[13] = lr;                                 /* Undefined: skip (LR = the instruction + 4) */
    }
    puts_("\n");
}

static void hvc(uint32_t hdcr_or_exit, int exit)
{
    register uint32_t r0 __asm__("r0") = hdcr_or_exit;
    if (exit) __asm__ volatile("hvc #9" : "+r"(r0) :: "memory");
    else __asm__ volatile("hvc #1" : "+r"(r0) :: "memory");
}

static void debug_exceptions(void)
{
    __asm__ volatile("bkpt #0x21" ::: "memory");
    MCR14(0, 0, 0, 4, (uint32_t)target);
    MCR14(0, 0, 0, 5, BCR(0xfu));
    ISB();
    target();
    kv("guest: returned", returned);
}

static void guest(void)
{
    puts_("guest: PL1, cpsr.mode=");
    hex(cpsr() & 0x1f);
    puts_("\n");
    MCR14(0, 1, 0, 4, 0);                               /* DBGOSLAR: unlock */
    kv("guest: DBGOSLSR", MRC14(0, 1, 1, 4));
    MCR14(0, 0, 2, 2, 1u << 15);                        /* DBGDSCRext.MDBGen */
    kv("guest: DBGDSCRext", MRC14(0, 0, 2, 2));
    debug_exceptions();
    MCR14(0, 0, 0, 6, (uint32_t)&watched[0]);
    MCR14(0, 0, 0, 7, WCR(2u, 0xf0u));
    ISB();
    watched[1] = watched[1] + 5;
    kv("guest: watched[1]", watched[1]);

    puts_("guest: HDCR.TDA\n");
    hvc(HDCR_TDA, 0);
    kv("guest: DBGBCR0", MRC14(0, 0, 0, 5));
    kv("guest: DBGDSCRext", MRC14(0, 0, 2, 2));
    kv("guest: DBGOSLSR (not TDA)", MRC14(0, 1, 1, 4));
    puts_("guest: HDCR.TDOSA\n");
    hvc(HDCR_TDOSA, 0);
    kv("guest: DBGOSLSR", MRC14(0, 1, 1, 4));
    MCR14(0, 1, 0, 4, 0);
    puts_("guest: HDCR.TDRA\n");
    hvc(HDCR_TDRA, 0);
    kv("guest: DBGDRAR", MRC14(0, 1, 0, 0));
    kv("guest: DBGDSAR", MRC14(0, 2, 0, 0));
    hvc(0, 0);
    puts_("guest: HDCR.TDE, breakpoint programmed first\n");
    MCR14(0, 0, 0, 4, (uint32_t)target);
    MCR14(0, 0, 0, 5, BCR(0xfu));
    hvc(HDCR_TDE, 0);
    __asm__ volatile("bkpt #0x22" ::: "memory");
    target();
    kv("guest: returned", returned);
    hvc(0, 1);
}

void hyp_main(void)
{
    puts_("armv7_debug: Hyp mode\n");
    /* Without bits 14, 12 (nSUHD_imp, SE_imp: QEMU sets them without EL3) and 7..0 (QEMU's r2p1 with an r4p0 MIDR). */
    kv("DBGDIDR", MRC14(0, 0, 0, 0) & ~0x50ffu);
    kv("ID_DFR0", MRC(0, 0, 1, 2));
    kv("DBGDSCRext", MRC14(0, 0, 2, 2));
    kv("DBGOSLSR", MRC14(0, 1, 1, 4));
    kv("DBGDRAR", MRC14(0, 1, 0, 0));
    kv("DBGDSAR", MRC14(0, 2, 0, 0));
    MCR(4, 1, 1, 1, 0);                                 /* HDCR: no traps */
    enter_pl1(0x1d3, guest);                             /* Supervisor mode, A I F masked */
}
