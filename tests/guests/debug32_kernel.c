/*
 * The AArch32 EL1 of debug32.elf: an A32 kernel (with a little T32) entered by debug32.c's EL2 in Supervisor mode with
 * the MMU off. Through CP14 it reads the debug identification and status registers, takes and releases the OS lock,
 * and programs breakpoints and a watchpoint (DBGDSCRext.MDBGen): a BKPT, an address breakpoint on an
 * A32 function and on a T32 instruction at a halfword (BAS 0b1100), a watchpoint on a store, each taken at EL1 as a
 * Prefetch or Data Abort with IFSR/DFSR, DFAR and DBGDSCRext.MOE; then the MDCR_EL2 traps of its CP14 accesses and the
 * same debug exceptions routed to EL2 by MDCR_EL2.TDE. It prints through HVCs (#1 a string, #2 "name = value").
 */
#include <stdint.h>

#define BASE 0x40400000u

#include "common/aarch32_kernel.h"
#define MRC(op1, crn, crm, op2) ({ uint32_t v_; __asm__ volatile("mrc p15, " #op1 ", %0, " #crn ", " #crm ", " #op2 : "=r"(v_) :: "memory"); v_; })
#define MRC14(op1, crn, crm, op2) ({ uint32_t v_; __asm__ volatile("mrc p14, " #op1 ", %0, " #crn ", " #crm ", " #op2 : "=r"(v_) :: "memory"); v_; })
#define MCR14(op1, crn, crm, op2, v) __asm__ volatile("mcr p14, " #op1 ", %0, " #crn ", " #crm ", " #op2 :: "r"((uint32_t)(v)) : "memory")
#define MRRC14(op1, crm, lo, hi) __asm__ volatile("mrrc p14, " #op1 ", %0, %1, " #crm : "=r"(lo), "=r"(hi) :: "memory")
#define ISB() __asm__ volatile("isb" ::: "memory")

/* The registers named as the Arm ARM's G8.3 encodings give them. */
#define DBGDIDR() MRC14(0, c0, c0, 0)
#define DBGDSCRint() MRC14(0, c0, c1, 0)
#define DBGDSCRext() MRC14(0, c0, c2, 2)
#define SET_DBGDSCRext(v) MCR14(0, c0, c2, 2, v)
#define MOE() ((DBGDSCRext() >> 2) & 0xf)
#define DSCR_MDBGEN (1u << 15)

static inline uint32_t spsr(void) { uint32_t v; __asm__ volatile("mrs %0, spsr" : "=r"(v)); return v; }

/* BCR: E, PMC = 0b11 (PL0 and PL1), BAS; WCR: E, PAC = 0b11, LSC, BAS. */
#define BCR(bas) (((bas) << 5) | (3u << 1) | 1u)
#define WCR(lsc, bas) (((bas) << 5) | ((lsc) << 3) | (3u << 1) | 1u)

void el1_exception(unsigned type, uint32_t *frame);
void kernel_main(void);
void thumb_target(void);
uint32_t thumb_call(void);

volatile uint32_t watched[4] __attribute__((aligned(8)));
static unsigned tde; /* MDCR_EL2.TDE set: CP14 accesses trap, the EL2 programs the units */
static volatile uint32_t returned;

__attribute__((noinline)) void a32_target(void) { returned++; }

/* T32: a 16-bit NOP at a word boundary, then the instruction at +2 that BAS 0b1100 selects. */
__asm__(
    ".thumb\n"
    ".balign 4\n"
    ".thumb_func\n"
    ".global thumb_target\n"
    "thumb_target:\n"
    "    nop\n"
    "    movs r0, #7\n"
    "    bx lr\n"
    ".arm\n");

__attribute__((noinline)) uint32_t thumb_call(void)
{
    register uint32_t r0 __asm__("r0");
    __asm__ volatile("blx %1" : "=r"(r0) : "r"((uint32_t)thumb_target | 1) : "r1", "r2", "r3", "r12", "lr", "memory");
    return r0;
}

void el1_exception(unsigned type, uint32_t *frame)
{
    uint32_t s = spsr(), lr = frame[13];
    switch (type) {
    case 1: /* Undefined Instruction: skip the A32 instruction (LR = after it) */
        show("EL1: Undefined Instruction, LR - base", lr - BASE);
        break;
    case 3: {
        uint32_t ifsr = MRC(0, c5, c0, 1), moe = MOE();
        show("EL1: Prefetch Abort, LR - base", lr - BASE);
        show("  IFSR", ifsr);
        show("  SPSR.T", (s >> 5) & 1);
        show("  DBGDSCRext.MOE", moe);
        if (moe == 3) {                 /* BKPT: resume after it (LR = the BKPT + 4) */
            frame[13] = lr;
        } else {                        /* a breakpoint: disable it, run the instruction (LR = it + 4) */
            MCR14(0, c0, c0, 5, 0);
            ISB();
            frame[13] = lr - 4;
        }
        break;
    }
    case 4: {                           /* a watchpoint: disable it, run the access again (LR = it + 8) */
        show("EL1: Data Abort, LR - base", lr - BASE);
        show("  DFSR", MRC(0, c5, c0, 0));
        show("  DFAR - base", MRC(0, c6, c0, 0) - BASE);
        show("  DBGDSCRext.MOE", MOE());
        MCR14(0, c0, c0, 7, 0);
        ISB();
        frame[13] = lr - 8;
        break;
    }
    default:
        show("EL1: unexpected exception", type);
        HVC(0);
    }
}

static void identification(void)
{
    uint32_t lo, hi;
    puts32("EL1: CP14 identification and status\n");
    /* nSUHD_imp and SE_imp (bits 14, 12) say whether EL3 is implemented: QEMU 7.2 keeps cortex-a57's (set) without
     * EL3, ArmVirt clears them as the Arm ARM's DBGDIDR says (DebugIdentificationTests checks them). */
    show("DBGDIDR (without bits 14, 12)", DBGDIDR() & ~0x5000u);
    show("DBGDSCRext", DBGDSCRext());
    show("DBGDSCRint", DBGDSCRint());
    show("DBGDRAR", MRC14(0, c1, c0, 0));
    MRRC14(0, c1, lo, hi);
    show("DBGDRAR (64) low", lo);
    show("DBGDRAR (64) high", hi);
    show("DBGDSAR", MRC14(0, c2, c0, 0));
    MRRC14(0, c2, lo, hi);
    show("DBGDSAR (64) low", lo);
    show("ID_DFR0", MRC(0, c0, c1, 2));
}

static void os_lock(void)
{
    puts32("EL1: OS lock\n");
    show("DBGOSLSR (reset)", MRC14(0, c1, c1, 4));
    MCR14(0, c1, c0, 4, 0xc5acce55);
    show("DBGOSLSR (locked)", MRC14(0, c1, c1, 4));
    MCR14(0, c1, c0, 4, 0);
    show("DBGOSLSR (unlocked)", MRC14(0, c1, c1, 4));
    show("DBGOSDLR", MRC14(0, c1, c3, 4));
    /* DBGPRCR, DBGCLAIMSET/CLR, DBGAUTHSTATUS and DBGDEVID* are UNDEFINED on QEMU 7.2 (no AArch32 views):
     * Cp14RegisterTests checks them. */
}

/* Breakpoint 0 and watchpoint 0: through CP14, or under MDCR_EL2.TDE (which traps CP14) by the EL2 (HVC #6, #7). */
static void set_breakpoint(uint32_t address, uint32_t control)
{
    if (tde) {
        register uint32_t r0 __asm__("r0") = address;
        register uint32_t r1 __asm__("r1") = control;
        __asm__ volatile("hvc #6" :: "r"(r0), "r"(r1) : "memory");
    } else {
        MCR14(0, c0, c0, 4, address);
        MCR14(0, c0, c0, 5, control);
    }
    ISB();
}

static void set_watchpoint(uint32_t address, uint32_t control)
{
    if (tde) {
        register uint32_t r0 __asm__("r0") = address;
        register uint32_t r1 __asm__("r1") = control;
        __asm__ volatile("hvc #7" :: "r"(r0), "r"(r1) : "memory");
    } else {
        MCR14(0, c0, c0, 6, address);
        MCR14(0, c0, c0, 7, control);
    }
    ISB();
}

static void debug_exceptions(const char *where)
{
    puts32(where);
    puts32(": BKPT\n");
    __asm__ volatile("bkpt #0x12" ::: "memory");

    puts32(where);
    puts32(": breakpoint on a32_target (BAS 0b1111)\n");
    set_breakpoint((uint32_t)a32_target, BCR(0xfu));
    HVC(5);
    a32_target();
    show("  returned", returned);

    puts32(where);
    puts32(": breakpoint on thumb_target + 2 (BAS 0b1100)\n");
    set_breakpoint((uint32_t)thumb_target, BCR(0xcu));
    show("  thumb_call", thumb_call());

    puts32(where);
    puts32(": watchpoint on a store to watched[1] (bytes 4-7 of a doubleword, LSC = store)\n");
    set_watchpoint((uint32_t)&watched[0], WCR(2u, 0xf0u));
    HVC(5);
    uint32_t v = watched[1];    /* a load: not watched */
    watched[1] = v + 0x11;
    show("  watched[1]", watched[1]);
}

static void traps(void)
{
    puts32("EL1: MDCR_EL2.TDA\n");
    HVC(0x20);
    show("DBGBCR0", MRC14(0, c0, c0, 5));
    MCR14(0, c0, c0, 4, 0x1234);
    show("DBGDSCRext", DBGDSCRext());
    show("DBGDIDR", DBGDIDR());
    show("DBGOSLSR (not TDA)", MRC14(0, c1, c1, 4));
    puts32("EL1: MDCR_EL2.TDOSA\n");
    HVC(0x21);
    show("DBGOSLSR", MRC14(0, c1, c1, 4));
    MCR14(0, c1, c0, 4, 0);
    show("DBGBCR0 (not TDOSA)", MRC14(0, c0, c0, 5));
    puts32("EL1: MDCR_EL2.TDRA\n");
    HVC(0x22);
    show("DBGDRAR", MRC14(0, c1, c0, 0));
    /* (The MRRC form traps too, EC 0x0C, as the Arm ARM's DBGDRAR says; QEMU 7.2 does not trap it: Cp14RegisterTests.) */
    show("DBGDSAR", MRC14(0, c2, c0, 0));
    HVC(0x24);
}

void kernel_main(void)
{
    puts32("EL1: AArch32 debug\n");
    identification();
    os_lock();
    SET_DBGDSCRext(DSCR_MDBGEN);
    show("DBGDSCRext (MDBGen)", DBGDSCRext());
    debug_exceptions("EL1");
    traps();
    puts32("EL1: MDCR_EL2.TDE\n");
    HVC(0x23);
    tde = 1;
    debug_exceptions("EL1 (TDE)");
    tde = 0;
    HVC(0x24);
    puts32("EL1: done\n");
}
