/*
 * timing.elf: the timing models (armvirt --timing flat|cortex-a53|cortex-a57), started at EL1 on -M virt.
 *   - PMCEID0_EL0's BR_MIS_PRED (0x10) and BR_PRED (0x12) bits: set only under a model with a branch predictor;
 *   - PMCCNTR_EL0 over known instruction sequences, each starting at a 16-byte boundary (an issue group's start): the
 *     cycles less those of an empty sequence measured the same way;
 *   - BR_PRED, BR_MIS_PRED, INST_RETIRED and the cycle counter over branch patterns: a counted loop, an alternating
 *     branch, call/return pairs, a recursion deeper than the return stack, an indirect branch alternating targets;
 *   - virtual time follows cycles: the iterations of a loop (a load, a multiply and an add each using the previous
 *     result, a store) that polls CNTV_CTL_EL0.ISTATUS until the virtual timer, set 4000 ticks ahead, fires: fewer
 *     under a model that charges more cycles per instruction (cortex-a53), more under one that retires more than one
 *     instruction per cycle there (cortex-a57).
 * No QEMU recording (QEMU has no timing model): ArmVirt.Guests.Tests (TimingGuestTests) pins the values per model and
 * requires the same output, instruction and cycle counts under both engines.
 */
#include "guest.h"

#define PMCR_E (1ul << 0)
#define CYCLE  (1ul << 31)
#define EV_BR_MIS_PRED  0x10
#define EV_BR_PRED      0x12
#define EV_INST_RETIRED 0x08

static uint64_t buffer[8] __attribute__((aligned(64)));

/* PMCCNTR_EL0 around `body`, which starts at a 16-byte boundary after the first read; x9-x16 and d0-d3 are scratch. */
#define MEASURE(body) ({                                                                                  \
    uint64_t t0_, t1_;                                                                                    \
    __asm__ volatile(".balign 16\n isb\n mrs %[t0], pmccntr_el0\n .balign 16\n" body                       \
                     "\n mrs %[t1], pmccntr_el0\n"                                                        \
                     : [t0] "=&r"(t0_), [t1] "=&r"(t1_) : [buf] "r"(buffer)                               \
                     : "x9", "x10", "x11", "x12", "x13", "x14", "x15", "x16", "v0", "v1", "v2", "v3", "memory"); \
    t1_ - t0_; })

#define REP2(s) s s
#define REP4(s) REP2(s) REP2(s)

static void sequences(void)
{
    uint64_t empty = MEASURE("");
    print("empty measurement: %d cycles\n", empty);
#define SHOW(name, body) print("%s: %d cycles\n", name, MEASURE(body) - empty)
    SHOW("8 independent ADD", "add x9, x9, #1\n add x10, x10, #1\n add x11, x11, #1\n add x12, x12, #1\n"
                              "add x13, x13, #1\n add x14, x14, #1\n add x15, x15, #1\n add x16, x16, #1\n");
    SHOW("8 dependent ADD", REP4("add x9, x9, #1\n add x9, x9, #1\n"));
    SHOW("4 ADD shifted register", REP4("add x9, x10, x11, lsl #2\n"));
    SHOW("4 load-use pairs", REP4("ldr x9, [%[buf]]\n add x10, x9, #1\n"));
    SHOW("4 load + independent ADD", REP4("ldr x9, [%[buf]]\n add x10, x10, #1\n"));
    SHOW("4 STR + ADD", REP4("str x10, [%[buf], #8]\n add x11, x11, #1\n"));
    SHOW("4 LDP", REP4("ldp x9, x10, [%[buf]]\n"));
    SHOW("4 dependent MUL", "mov x10, #3\n" REP4("mul x9, x9, x10\n"));
    SHOW("4 UDIV W", "mov x10, #7\n" REP4("udiv w9, w11, w10\n"));
    SHOW("4 UDIV X", "mov x10, #7\n" REP4("udiv x9, x11, x10\n"));
    SHOW("4 dependent FADD D", REP4("fadd d0, d0, d1\n"));
    SHOW("4 dependent FMUL D", REP4("fmul d0, d0, d1\n"));
    SHOW("4 dependent FMADD D", REP4("fmadd d0, d0, d1, d2\n"));
    SHOW("2 FDIV S", REP2("fdiv s0, s1, s2\n"));
    SHOW("2 FDIV D", REP2("fdiv d0, d1, d2\n"));
    SHOW("2 FSQRT D", REP2("fsqrt d0, d1\n"));
    SHOW("4 SCVTF", REP4("scvtf d0, x10\n"));
    SHOW("4 ZIP1", REP4("zip1 v0.16b, v1.16b, v2.16b\n"));
    SHOW("DMB, DSB, ISB", "dmb ish\n dsb ish\n isb\n");
#undef SHOW
}

static void program(int n, uint64_t event)
{
    WRITE_SYSREG(pmselr_el0, n);
    ISB();
    WRITE_SYSREG(pmxevtyper_el0, event);
    WRITE_SYSREG(pmxevcntr_el0, 0);
}

static uint64_t counter(int n)
{
    WRITE_SYSREG(pmselr_el0, n);
    ISB();
    return READ_SYSREG(pmxevcntr_el0);
}

static void start(void)
{
    program(0, EV_BR_PRED);
    program(1, EV_BR_MIS_PRED);
    program(2, EV_INST_RETIRED);
    WRITE_SYSREG(pmccntr_el0, 0);
    WRITE_SYSREG(pmcntenset_el0, 7 | CYCLE);
    ISB();
}

static void stop(const char *what)
{
    WRITE_SYSREG(pmcntenclr_el0, 7 | CYCLE);
    ISB();
    print("%s: BR_PRED=%d BR_MIS_PRED=%d INST_RETIRED=%d PMCCNTR=%d\n", what, counter(0), counter(1), counter(2),
          READ_SYSREG(pmccntr_el0));
}

static uint64_t __attribute__((noinline)) leaf(uint64_t x) { return x + 1; }

static uint64_t __attribute__((noinline)) recurse(uint64_t depth)
{
    if (depth == 0) return 0;
    uint64_t r = recurse(depth - 1);
    __asm__ volatile("" : "+r"(r));
    return r + 1;
}

static void branches(void)
{
    uint64_t n = 1000, x = 0;
    start();
    __asm__ volatile("1: subs %[n], %[n], #1\n b.ne 1b\n" : [n] "+r"(n) :: "cc");
    stop("counted loop, 1000 x SUBS, B.NE");

    n = 1000;
    start();
    __asm__ volatile("1: tbz %[n], #0, 2f\n add %[x], %[x], #1\n 2: subs %[n], %[n], #1\n b.ne 1b\n"
                     : [n] "+r"(n), [x] "+r"(x) :: "cc");
    stop("alternating TBZ in a 1000-iteration loop");

    uint64_t s = 0;
    start();
    for (int i = 0; i < 100; i++) s = leaf(s);
    stop("100 calls (BL, RET)");

    start();
    s += recurse(16);
    stop("recursion 16 deep (return stack of 8)");

    static void *const targets[2] = { &&even, &&odd };
    uint64_t i = 0, sum = 0;
    start();
again:
    goto *targets[i & 1];
even:
    sum += 1;
    goto next;
odd:
    sum += 2;
next:
    if (++i < 100) goto again;
    stop("100 BR alternating between two targets");
    print("(checks: x=%d s=%d sum=%d)\n", x, s, sum);
}

/* Polls the virtual timer, 4000 ticks (62.5 MHz: 64000 cycles at 1 GHz) ahead, until it fires; IMASK set. */
static void timer(void)
{
    uint64_t iterations = 0, ctl;
    WRITE_SYSREG(cntv_tval_el0, 4000);
    WRITE_SYSREG(cntv_ctl_el0, 3); /* ENABLE, IMASK */
    ISB();
    start();
    __asm__ volatile("mov x10, #3\n"
                     "1: ldr x9, [%[buf]]\n mul x9, x9, x10\n add x9, x9, #1\n str x9, [%[buf]]\n add %[it], %[it], #1\n"
                     " mrs %[ctl], cntv_ctl_el0\n tbz %[ctl], #2, 1b\n"
                     : [it] "+r"(iterations), [ctl] "=&r"(ctl) : [buf] "r"(buffer) : "x9", "x10", "memory");
    stop("timer loop");
    WRITE_SYSREG(cntv_ctl_el0, 0);
    print("virtual timer fired after %d iterations\n", iterations);
}

int main(unsigned el)
{
    (void)el;
    WRITE_SYSREG(cpacr_el1, 3ul << 20); /* FPEN: no FP/SIMD trap */
    ISB();
    uint64_t ceid = READ_SYSREG(pmceid0_el0);
    print("PMCEID0_EL0: BR_MIS_PRED=%d BR_PRED=%d\n", (ceid >> EV_BR_MIS_PRED) & 1, (ceid >> EV_BR_PRED) & 1);
    WRITE_SYSREG(pmcr_el0, PMCR_E);
    WRITE_SYSREG(pmcntenset_el0, CYCLE);
    ISB();
    sequences();
    branches();
    timer();
    print("done\n");
    system_off();
}

void exception_handler(struct frame *f, unsigned idx, unsigned el)
{
    print("unexpected exception at EL%d: vector %d ESR=0x%x ELR=0x%x\n", (uint64_t)el, (uint64_t)idx, f->esr, f->elr);
    system_off();
}
