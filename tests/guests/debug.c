/*
 * debug.elf: AArch64 self-hosted debug exceptions (Arm ARM D2), printed as the handler sees them.
 * Started at EL1: the OS lock registers; hardware breakpoints at EL1 (same EL, MDSCR_EL1.KDE) and at EL0,
 * with BAS, PMC, MDSCR_EL1.MDE and a linked context ID breakpoint; watchpoints with BAS, MASK, LSC and LDTR against
 * an EL0-only watchpoint; software step of EL0 code (through SVC and LDXR) and of EL1 code.
 * Started at EL2: EL2 debugging itself (MDCR_EL2.TDE, KDE, PSTATE.D clear) and its EL1 guest with the debug
 * exceptions routed to EL2 (breakpoint, watchpoint, software step, BRK); MDCR_EL2.TDA/TDOSA/TDRA traps.
 * Handlers print the EC, the syndrome fields the Arm ARM defines for it, ELR as an offset from the code under test
 * and, for watchpoints, FAR as an offset from the watched variable.
 */
#include "guest.h"

#define MDSCR_SS  (1ul << 0)
#define MDSCR_KDE (1ul << 13)
#define MDSCR_MDE (1ul << 15)
#define MDCR_TDE   (1ul << 8)
#define MDCR_TDA   (1ul << 9)
#define MDCR_TDOSA (1ul << 10)
#define MDCR_TDRA  (1ul << 11)
#define SPSR_SS   (1ul << 21)
#define SPSR_D    (1ul << 9)
#define SPSR_EL0T 0x0ul
#define SPSR_EL1H 0x5ul
#define SPSR_EL2H 0x9ul
#define SPSR_DAIF (0xful << 6)

#define EC_BKPT_LOWER 0x30
#define EC_BKPT_CUR   0x31
#define EC_SSTEP_LOWER 0x32
#define EC_SSTEP_CUR   0x33
#define EC_WPT_LOWER  0x34
#define EC_WPT_CUR    0x35

/* DBGBCR: E, PMC, BAS = 0b1111, HMC, LBN, BT. DBGWCR: E, PAC, LSC, BAS, HMC, WT, MASK. */
static uint64_t bcr(uint64_t pmc, uint64_t hmc, uint64_t bt, uint64_t lbn)
{
    return 1 | pmc << 1 | 0xful << 5 | hmc << 13 | lbn << 16 | bt << 20;
}
static uint64_t wcr(uint64_t pac, uint64_t lsc, uint64_t bas, uint64_t hmc, uint64_t mask)
{
    return 1 | pac << 1 | lsc << 3 | bas << 5 | hmc << 13 | mask << 24;
}

/* Code under test, in its own section so that its offsets do not depend on the compiler. Each piece returns to
 * run_at's caller through SVC #0xffff (run at EL0 or EL1 by an EL1 guest) or HVC #0xffff (run by the EL2 guest). */
extern char step_code[], step_hvc_code[], bp_code[], bp_code_target[], bp_hvc_code[], bp_hvc_target[],
    wp_el0_code[], wp_hvc_code[], brk_hvc_code[], trap_hvc_code[], run_return[], run_return_el2[];
uint64_t run_at(uint64_t entry, uint64_t spsr, uint64_t sp_el0);
uint64_t run_at_el2(uint64_t entry, uint64_t spsr, uint64_t sp_el1);

static uint64_t watched[8] __attribute__((used, aligned(64)));
static uint64_t masked_block[8] __attribute__((aligned(64)));
static uint64_t step_var __attribute__((used, aligned(16)));

__asm__(
    "    .pushsection .text.debugcode, \"ax\"\n"
    "    .balign 64\n"
    "    .global step_code\n"
    "step_code:\n"
    "    mov  x0, #1\n"
    "    adrp x1, step_var\n"
    "    add  x1, x1, :lo12:step_var\n"
    "    ldxr x2, [x1]\n"
    "    clrex\n"
    "    svc  #1\n"
    "    add  x0, x0, #1\n"
    "    b    1f\n"
    "    nop\n"
    "1:  svc  #0xffff\n"
    "    .balign 64\n"
    "    .global step_hvc_code\n"
    "step_hvc_code:\n"
    "    mov  x0, #1\n"
    "    adrp x1, step_var\n"
    "    add  x1, x1, :lo12:step_var\n"
    "    ldxr x2, [x1]\n"
    "    clrex\n"
    "    cbz  x0, 1f\n"
    "    add  x0, x0, #1\n"
    "1:  hvc  #0xffff\n"
    "    .balign 64\n"
    "    .global bp_code, bp_code_target\n"
    "bp_code:\n"
    "    nop\n"
    "bp_code_target:\n"
    "    nop\n"
    "    svc  #0xffff\n"
    "    .balign 64\n"
    "    .global bp_hvc_code, bp_hvc_target\n"
    "bp_hvc_code:\n"
    "    nop\n"
    "bp_hvc_target:\n"
    "    nop\n"
    "    hvc  #0xffff\n"
    "    .balign 64\n"
    "    .global wp_el0_code\n"
    "wp_el0_code:\n"
    "    adrp x1, watched\n"
    "    add  x1, x1, :lo12:watched\n"
    "    ldr  x0, [x1, #8]\n"
    "    str  x0, [x1, #16]\n"
    "    svc  #0xffff\n"
    "    .balign 64\n"
    "    .global wp_hvc_code\n"
    "wp_hvc_code:\n"
    "    adrp x1, watched\n"
    "    add  x1, x1, :lo12:watched\n"
    "    ldr  w0, [x1, #4]\n"
    "    str  w0, [x1, #8]\n"
    "    hvc  #0xffff\n"
    "    .balign 64\n"
    "    .global brk_hvc_code\n"
    "brk_hvc_code:\n"
    "    brk  #0x5\n"
    "    hvc  #0xffff\n"
    "    .balign 64\n"
    "    .global trap_hvc_code\n"
    "trap_hvc_code:\n"
    "    mrs  x0, dbgbcr0_el1\n"
    "    msr  oslar_el1, xzr\n"
    "    mrs  x0, mdrar_el1\n"
    "    mrs  x0, mdscr_el1\n"
    "    mrs  x0, oslsr_el1\n"
    "    hvc  #0xffff\n"
    /* run_at(entry, spsr, sp_el0): ERET into the code under test at EL1; it comes back through run_return. */
    "    .balign 64\n"
    "    .global run_at, run_return\n"
    "run_at:\n"
    "    msr  elr_el1, x0\n"
    "    msr  spsr_el1, x1\n"
    "    msr  sp_el0, x2\n"
    "    isb\n"
    "    eret\n"
    "run_return:\n"
    "    ret\n"
    "    .global run_at_el2, run_return_el2\n"
    "run_at_el2:\n"
    "    msr  elr_el2, x0\n"
    "    msr  spsr_el2, x1\n"
    "    msr  sp_el1, x2\n"
    "    isb\n"
    "    eret\n"
    "run_return_el2:\n"
    "    ret\n"
    "    .popsection\n");

static uint64_t code_base;     /* ELR is printed relative to this */
static unsigned steps_left;    /* software step exceptions still to re-arm */
static unsigned exceptions_seen;

static void disable_breakpoints(void)
{
    WRITE_SYSREG(dbgbcr0_el1, 0); WRITE_SYSREG(dbgbcr1_el1, 0); WRITE_SYSREG(dbgbcr2_el1, 0);
    WRITE_SYSREG(dbgbcr3_el1, 0); WRITE_SYSREG(dbgbcr4_el1, 0); WRITE_SYSREG(dbgbcr5_el1, 0);
    ISB();
}

static void disable_watchpoints(void)
{
    WRITE_SYSREG(dbgwcr0_el1, 0); WRITE_SYSREG(dbgwcr1_el1, 0); WRITE_SYSREG(dbgwcr2_el1, 0); WRITE_SYSREG(dbgwcr3_el1, 0);
    ISB();
}

static const char *el_name(uint64_t spsr)
{
    switch ((spsr >> 2) & 3) {
    case 0: return "EL0";
    case 1: return "EL1";
    default: return "EL2";
    }
}

/* Shared by the EL1 and EL2 vectors: the debug exceptions and the ways back from the code under test. */
void exception_handler(struct frame *f, unsigned idx, unsigned el)
{
    uint64_t ec = f->esr >> 26, iss = f->esr & 0x1ffffff, il = (f->esr >> 25) & 1;
    exceptions_seen++;
    if (idx != VEC_CUR_SPX_SYNC && idx != VEC_LOWER64_SYNC) {
        print("  EL%d: unexpected vector %d ESR=0x%x ELR=0x%x\n", (uint64_t)el, (uint64_t)idx, f->esr, f->elr);
        system_off();
    }
    switch (ec) {
    case EC_BKPT_LOWER: case EC_BKPT_CUR:
        print("  EL%d: breakpoint EC=0x%x IL=%d IFSC=0x%x from %s at +0x%x\n", (uint64_t)el, ec, il, iss & 0x3f,
              el_name(f->spsr), f->elr - code_base);
        disable_breakpoints();      /* the instruction runs when the handler returns */
        return;
    case EC_WPT_LOWER: case EC_WPT_CUR:
        print("  EL%d: watchpoint EC=0x%x IL=%d WnR=%d CM=%d DFSC=0x%x from %s at +0x%x FAR=watched+0x%x\n",
              (uint64_t)el, ec, il, (iss >> 6) & 1, (iss >> 8) & 1, iss & 0x3f, el_name(f->spsr),
              f->elr - code_base, f->far - (uint64_t)watched);
        disable_watchpoints();      /* the access is made when the handler returns */
        return;
    case EC_SSTEP_LOWER: case EC_SSTEP_CUR:
        print("  EL%d: software step EC=0x%x IL=%d ISV=%d EX=%d IFSC=0x%x from %s at +0x%x SPSR.SS=%d\n",
              (uint64_t)el, ec, il, (iss >> 24) & 1, (iss >> 6) & 1, iss & 0x3f, el_name(f->spsr),
              f->elr - code_base, (f->spsr >> 21) & 1);
        if (steps_left > 0) {
            steps_left--;
            f->spsr |= SPSR_SS;     /* step the next instruction too */
        } else {
            /* Stop stepping: with MDSCR_EL1.SS still set, returning with SPSR.SS = 0 would step again at once. */
            WRITE_SYSREG(mdscr_el1, READ_SYSREG(mdscr_el1) & ~MDSCR_SS);
            ISB();
        }
        return;
    case EC_BRK64:
        print("  EL%d: BRK EC=0x%x ISS=0x%x from %s at +0x%x\n", (uint64_t)el, ec, iss, el_name(f->spsr), f->elr - code_base);
        f->elr += 4;
        return;
    case EC_SYSREG:
        print("  EL%d: trapped %s Op0=%d Op1=%d CRn=%d CRm=%d Op2=%d from %s at +0x%x\n", (uint64_t)el,
              (iss & 1) ? "MRS" : "MSR", (iss >> 20) & 3, (iss >> 14) & 7, (iss >> 10) & 15, (iss >> 1) & 15,
              (iss >> 17) & 7, el_name(f->spsr), f->elr - code_base);
        f->elr += 4;
        return;
    case EC_SVC64:
        if (iss == 0xffff) {
            f->elr = (uint64_t)run_return;
            f->spsr = SPSR_EL1H | SPSR_DAIF;
            return;
        }
        print("  EL%d: SVC #0x%x from %s, SPSR.SS=%d\n", (uint64_t)el, iss, el_name(f->spsr), (f->spsr >> 21) & 1);
        return;
    case EC_HVC64:
        if (iss == 0xffff) {
            if (el == 2) {
                f->elr = (uint64_t)run_return_el2;
                f->spsr = SPSR_EL2H | SPSR_DAIF;
                return;
            }
        }
        /* fall through */
    default:
        print("  EL%d: unexpected EC=0x%x ISS=0x%x ELR=0x%x FAR=0x%x\n", (uint64_t)el, ec, iss, f->elr, f->far);
        system_off();
    }
}

static void __attribute__((noinline)) bp_function(void)
{
    __asm__ volatile("nop");
}

/* Calls bp_function with PSTATE.D clear (debug exceptions from the current EL need it) and says whether an
 * exception was taken. */
static void call_unmasked(const char *what)
{
    unsigned before = exceptions_seen;
    code_base = (uint64_t)bp_function;
    __asm__ volatile("msr daifclr, #8" ::: "memory");
    bp_function();
    __asm__ volatile("msr daifset, #8" ::: "memory");
    if (exceptions_seen == before) print("  %s: no exception\n", what);
}

/* QEMU 7.2 does not model the OS lock's effect on debug exceptions (OSLSR_EL1.OSLK, OSDLR_EL1.DLK): only the
 * registers are compared here; tests/ArmVirt.Cpu.Tests checks the locks against the Arm ARM. */
static void el1_os_lock(void)
{
    print("OS lock: OSLSR_EL1=0x%x at reset\n", READ_SYSREG(oslsr_el1));
    WRITE_SYSREG(oslar_el1, 0);
    ISB();
    print("OSLAR_EL1 = 0: OSLSR_EL1=0x%x\n", READ_SYSREG(oslsr_el1));
    WRITE_SYSREG(osdlr_el1, 1);
    ISB();
    print("OSDLR_EL1 = 1: OSDLR_EL1=0x%x\n", READ_SYSREG(osdlr_el1));
    WRITE_SYSREG(osdlr_el1, 0);
    ISB();
    print("OSDLR_EL1 = 0: OSDLR_EL1=0x%x\n", READ_SYSREG(osdlr_el1));
}

static void el1_breakpoints(void)
{
    print("Breakpoints at EL1\n");
    WRITE_SYSREG(dbgbvr1_el1, (uint64_t)bp_function);
    WRITE_SYSREG(dbgbcr1_el1, bcr(3, 0, 0, 0));
    WRITE_SYSREG(mdscr_el1, MDSCR_KDE);
    ISB();
    call_unmasked("MDSCR_EL1.MDE = 0");
    WRITE_SYSREG(mdscr_el1, MDSCR_MDE | MDSCR_KDE);
    ISB();
    call_unmasked("MDE = 1");
    WRITE_SYSREG(mdscr_el1, MDSCR_MDE);
    WRITE_SYSREG(dbgbcr2_el1, bcr(3, 0, 0, 0));
    WRITE_SYSREG(dbgbvr2_el1, (uint64_t)bp_function);
    ISB();
    call_unmasked("KDE = 0 (EL1 to EL1)");
    WRITE_SYSREG(mdscr_el1, MDSCR_MDE | MDSCR_KDE);
    disable_breakpoints();
    WRITE_SYSREG(dbgbvr3_el1, (uint64_t)bp_function);
    WRITE_SYSREG(dbgbcr3_el1, bcr(2, 0, 0, 0)); /* PMC = EL0 only */
    ISB();
    call_unmasked("PMC = EL0 only");
    WRITE_SYSREG(dbgbcr3_el1, bcr(3, 0, 0, 0) & ~(0xful << 5)); /* BAS = 0 */
    ISB();
    call_unmasked("BAS = 0");
    WRITE_SYSREG(dbgbcr3_el1, bcr(1, 0, 0, 0));
    ISB();
    {
        unsigned before = exceptions_seen;
        bp_function();
        if (exceptions_seen == before) print("  PSTATE.D set: no exception\n");
    }
    call_unmasked("PMC = EL1 only");

    print("Linked context ID breakpoint (DBGBCR0 linked to context-aware DBGBCR4, CONTEXTIDR_EL1 0x55)\n");
    WRITE_SYSREG(dbgbvr4_el1, 0x55);
    WRITE_SYSREG(dbgbcr4_el1, bcr(3, 0, 3, 0));
    WRITE_SYSREG(dbgbvr0_el1, (uint64_t)bp_function);
    WRITE_SYSREG(dbgbcr0_el1, bcr(3, 0, 1, 4));
    WRITE_SYSREG(contextidr_el1, 0x66);
    ISB();
    call_unmasked("CONTEXTIDR_EL1 = 0x66");
    WRITE_SYSREG(contextidr_el1, 0x55);
    ISB();
    call_unmasked("CONTEXTIDR_EL1 = 0x55");

    print("Breakpoint at EL0 (PMC = EL0)\n");
    code_base = (uint64_t)bp_code;
    WRITE_SYSREG(dbgbvr5_el1, (uint64_t)bp_code_target);
    WRITE_SYSREG(dbgbcr5_el1, bcr(2, 0, 0, 0));
    ISB();
    run_at((uint64_t)bp_code, SPSR_EL0T, (uint64_t)__stack_el1_top);
    disable_breakpoints();
}

static void el1_watchpoints(void)
{
    uint64_t v;
    code_base = 0;
    print("Watchpoints at EL1\n");
    WRITE_SYSREG(dbgwvr0_el1, (uint64_t)&watched[0]);
    WRITE_SYSREG(dbgwcr0_el1, wcr(3, 2, 0xff, 0, 0)); /* stores to watched[0] */
    ISB();
    __asm__ volatile("msr daifclr, #8" ::: "memory");
    v = *(volatile uint64_t *)&watched[0];
    print("  load from a store-only watchpoint: no exception\n");
    *(volatile uint64_t *)&watched[0] = v + 1;
    WRITE_SYSREG(dbgwvr1_el1, (uint64_t)&watched[2]);
    WRITE_SYSREG(dbgwcr1_el1, wcr(3, 3, 0x30, 0, 0)); /* bytes 4 and 5 of watched[2] */
    ISB();
    v = *(volatile uint8_t *)((char *)&watched[2] + 3);
    print("  byte 3 of a BAS = 0x30 doubleword: no exception\n");
    v = *(volatile uint64_t *)&watched[2];
    WRITE_SYSREG(dbgwvr2_el1, (uint64_t)&watched[4] + 4);
    WRITE_SYSREG(dbgwcr2_el1, wcr(3, 3, 0x2, 0, 0)); /* word-aligned DBGWVR: byte 5 of watched[4] */
    ISB();
    *(volatile uint16_t *)((char *)&watched[4] + 4) = 7;
    WRITE_SYSREG(dbgwvr3_el1, (uint64_t)masked_block);
    WRITE_SYSREG(dbgwcr3_el1, wcr(3, 1, 0xff, 0, 6)); /* loads from the 64-byte block */
    ISB();
    *(volatile uint64_t *)((char *)masked_block + 8) = 1;
    print("  store to a load-only MASK = 6 block: no exception\n");
    v = *(volatile uint32_t *)((char *)masked_block + 40);
    print("  (FAR above is masked_block+0x28 when it reads watched+0x%x)\n", (uint64_t)masked_block + 40 - (uint64_t)watched);
    WRITE_SYSREG(dbgwvr1_el1, (uint64_t)&watched[6]);
    WRITE_SYSREG(dbgwcr1_el1, wcr(2, 3, 0xff, 0, 0)); /* EL0 accesses only */
    ISB();
    v = *(volatile uint64_t *)&watched[6];
    print("  EL1 load from an EL0-only watchpoint: no exception\n");
    __asm__ volatile("ldtr %0, [%1]" : "=r"(v) : "r"(&watched[6]) : "memory");
    __asm__ volatile("msr daifset, #8" ::: "memory");
    (void)v;

    print("Watchpoint at EL0 (PAC = EL0, loads and stores of watched[2])\n");
    code_base = (uint64_t)wp_el0_code;
    WRITE_SYSREG(dbgwvr2_el1, (uint64_t)&watched[2]);
    WRITE_SYSREG(dbgwcr2_el1, wcr(2, 3, 0xff, 0, 0));
    ISB();
    run_at((uint64_t)wp_el0_code, SPSR_EL0T, (uint64_t)__stack_el1_top);
    disable_watchpoints();
}

static void el1_software_step(void)
{
    print("Software step of EL0 code (MDSCR_EL1.SS, SPSR_EL1.SS = 1)\n");
    code_base = (uint64_t)step_code;
    steps_left = 20;
    WRITE_SYSREG(mdscr_el1, MDSCR_MDE | MDSCR_SS);
    ISB();
    run_at((uint64_t)step_code, SPSR_EL0T | SPSR_SS, (uint64_t)__stack_el1_top);
    print("Software step of EL0 code with SPSR_EL1.SS = 0 (active-pending at once)\n");
    steps_left = 1;
    WRITE_SYSREG(mdscr_el1, MDSCR_MDE | MDSCR_SS);
    ISB();
    run_at((uint64_t)step_code, SPSR_EL0T, (uint64_t)__stack_el1_top);
    print("Software step of EL1 code (KDE, SPSR_EL1.D = 0)\n");
    steps_left = 20;
    WRITE_SYSREG(mdscr_el1, MDSCR_MDE | MDSCR_SS | MDSCR_KDE);
    ISB();
    run_at((uint64_t)step_code, SPSR_EL1H | SPSR_SS | (0x7ul << 6), (uint64_t)__stack_el1_top);
    WRITE_SYSREG(mdscr_el1, MDSCR_MDE | MDSCR_KDE);
    ISB();
}

static void el2_self(void)
{
    print("EL2 debugging itself (MDCR_EL2.TDE, KDE, PSTATE.D clear)\n");
    WRITE_SYSREG(mdcr_el2, MDCR_TDE);
    WRITE_SYSREG(oslar_el1, 0);
    WRITE_SYSREG(mdscr_el1, MDSCR_MDE | MDSCR_KDE);
    WRITE_SYSREG(dbgbvr0_el1, (uint64_t)bp_function);
    WRITE_SYSREG(dbgbcr0_el1, bcr(1, 0, 0, 0)); /* EL1 only: not at EL2 */
    ISB();
    call_unmasked("HMC = 0, PMC = EL1");
    WRITE_SYSREG(dbgbcr0_el1, bcr(3, 1, 0, 0)); /* HMC = 1: EL2 too */
    ISB();
    call_unmasked("HMC = 1");
    code_base = 0;
    WRITE_SYSREG(dbgwvr0_el1, (uint64_t)&watched[1]);
    WRITE_SYSREG(dbgwcr0_el1, wcr(3, 3, 0xff, 1, 0));
    ISB();
    __asm__ volatile("msr daifclr, #8" ::: "memory");
    *(volatile uint64_t *)&watched[1] = 3;
    __asm__ volatile("msr daifset, #8" ::: "memory");
    print("Software step at EL2\n");
    code_base = (uint64_t)step_hvc_code;
    steps_left = 20;
    WRITE_SYSREG(mdscr_el1, MDSCR_MDE | MDSCR_KDE | MDSCR_SS);
    ISB();
    run_at_el2((uint64_t)step_hvc_code, SPSR_EL2H | SPSR_SS | (0x7ul << 6), (uint64_t)__stack_el1_top);
    WRITE_SYSREG(mdscr_el1, MDSCR_MDE | MDSCR_KDE);
    ISB();
}

static void el2_guest(void)
{
    print("EL1 guest with MDCR_EL2.TDE: debug exceptions go to EL2\n");
    WRITE_SYSREG(hcr_el2, 1ul << 31);     /* HCR_EL2.RW: EL1 is AArch64 */
    WRITE_SYSREG(mdcr_el2, MDCR_TDE);
    WRITE_SYSREG(mdscr_el1, MDSCR_MDE);   /* KDE = 0: EL1 to EL2 needs no KDE */
    code_base = (uint64_t)bp_hvc_code;
    WRITE_SYSREG(dbgbvr1_el1, (uint64_t)bp_hvc_target);
    WRITE_SYSREG(dbgbcr1_el1, bcr(1, 0, 0, 0));
    ISB();
    run_at_el2((uint64_t)bp_hvc_code, SPSR_EL1H | SPSR_DAIF, (uint64_t)__stack_el1_top);
    code_base = (uint64_t)wp_hvc_code;
    WRITE_SYSREG(dbgwvr1_el1, (uint64_t)&watched[1]);
    WRITE_SYSREG(dbgwcr1_el1, wcr(1, 2, 0x0f, 0, 0)); /* stores to bytes 0-3 of watched[1] */
    ISB();
    run_at_el2((uint64_t)wp_hvc_code, SPSR_EL1H | SPSR_DAIF, (uint64_t)__stack_el1_top);
    code_base = (uint64_t)brk_hvc_code;
    run_at_el2((uint64_t)brk_hvc_code, SPSR_EL1H | SPSR_DAIF, (uint64_t)__stack_el1_top);
    print("Software step of the EL1 guest from EL2\n");
    code_base = (uint64_t)step_hvc_code;
    steps_left = 20;
    WRITE_SYSREG(mdscr_el1, MDSCR_MDE | MDSCR_SS);
    ISB();
    run_at_el2((uint64_t)step_hvc_code, SPSR_EL1H | SPSR_SS | SPSR_DAIF, (uint64_t)__stack_el1_top);
    WRITE_SYSREG(mdscr_el1, 0);
    ISB();

    print("MDCR_EL2.TDA, TDOSA, TDRA: EL1's debug register accesses trap to EL2\n");
    code_base = (uint64_t)trap_hvc_code;
    WRITE_SYSREG(mdcr_el2, MDCR_TDA | MDCR_TDOSA | MDCR_TDRA);
    ISB();
    run_at_el2((uint64_t)trap_hvc_code, SPSR_EL1H | SPSR_DAIF, (uint64_t)__stack_el1_top);
    print("MDCR_EL2.TDOSA only\n");
    WRITE_SYSREG(mdcr_el2, MDCR_TDOSA);
    ISB();
    run_at_el2((uint64_t)trap_hvc_code, SPSR_EL1H | SPSR_DAIF, (uint64_t)__stack_el1_top);
    print("MDCR_EL2 = 0: no traps\n");
    WRITE_SYSREG(mdcr_el2, 0);
    ISB();
    run_at_el2((uint64_t)trap_hvc_code, SPSR_EL1H | SPSR_DAIF, (uint64_t)__stack_el1_top);
}

int main(unsigned el)
{
    print("debug: self-hosted debug exceptions, started at EL%d\n", (uint64_t)el);
    print("ID_AA64DFR0_EL1.BRPs=%d WRPs=%d CTX_CMPs=%d\n", (READ_SYSREG(id_aa64dfr0_el1) >> 12) & 0xf,
          (READ_SYSREG(id_aa64dfr0_el1) >> 20) & 0xf, (READ_SYSREG(id_aa64dfr0_el1) >> 28) & 0xf);
    if (el == 1) {
        el1_os_lock();
        el1_breakpoints();
        el1_watchpoints();
        el1_software_step();
    } else {
        el2_self();
        el2_guest();
    }
    print("debug: done\n");
    return 0;
}
