/*
 * aborts.elf: data aborts of every kind, many of each, from the instructions whose registers an abort must leave
 * alone (the Arm ARM restores a written-back base register when the instruction aborts and makes the registers it
 * would load UNKNOWN, which QEMU, and ArmVirt, leave unchanged). Started at EL2:
 *   1. EL2 turns on its own stage 1 (TTBR0_EL2, 4 KiB granule) over RAM pages that are: invalid (translation fault,
 *      level 3), read-only (permission fault for stores), without the access flag (access flag fault), ordinary
 *      (alignment faults with SCTLR_EL2.A = 1, and the second half of an access crossing into the invalid page), and
 *      a VA whose PA is the hole between the PL011 and the PL031 (synchronous external abort).
 *   2. EL1 under stage 2 (HCR_EL2.VM) with its own stage 1 over the same kinds of pages, plus a page stage 2 leaves
 *      out (stage-2 translation fault taken to EL2, with HPFAR_EL2) and a page stage 2 makes read-only (stage-2
 *      permission fault for stores).
 * For every (instruction, kind) pair the instruction runs ROUNDS times with its registers preset to a sentinel; the
 * handler skips it; the line printed gives the number of aborts taken, whether any register changed, and the last
 * ESR (EC, IL, WnR, CM and DFSC of stage-1 and external aborts; the whole ESR of stage-2 aborts, whose instruction
 * syndrome a hypervisor reads), FAR and HPFAR. The read-only pages are checked unchanged at the end.
 * Instructions: LDR (offset, pre- and post-index), STR (pre- and post-index), LDP/STP (post/pre-index), LDXR,
 * LDAR, STLR, DC ZVA, LD1/ST1 of four registers (post-index), and with FEAT_LSE (-cpu max) LDADD, SWP and CAS.
 * Built with -DBENCH (aborts_bench.elf): 1,000,000 stage-1 translation faults at EL2, then 1,000,000 stage-2
 * translation faults of EL1 taken to EL2 (the per-abort cost in bench/README.md).
 */
#include "guest.h"

#define PAGE 0x1000ul
#define RAM_BASE 0x40000000ul
#define UNMAPPED_PA 0x09008000ul
#define SENT 0x5e5e5e5e5e5e5e5eul
#define PATTERN 0xa5a5a5a5a5a5a5a5ul

#ifndef ROUNDS
#define ROUNDS 64
#endif

#define D_VALID (1ul << 0)
#define D_TABLE (1ul << 1)
#define D_PAGE  (1ul << 1)
#define D_AP1   (1ul << 6)      /* EL0 access in the EL1&0 regime; RES1 in the EL2 regime */
#define D_AP2   (1ul << 7)      /* read-only */
#define D_SH_IS (3ul << 8)
#define D_AF    (1ul << 10)
#define D_XN    (1ul << 54)
#define S1_NORMAL (D_VALID | (1ul << 2) | D_SH_IS | D_AF)          /* MAIR attr 1 */
#define S1_DEVICE (D_VALID | (0ul << 2) | D_AF | D_XN)              /* MAIR attr 0 */
#define S2_NORMAL (D_VALID | (0xful << 2) | (3ul << 6) | D_SH_IS | D_AF)
#define S2_DEVICE (D_VALID | (0ul << 2) | (3ul << 6) | D_AF | D_XN)

#define HCR_VM (1ul << 0)
#define HCR_RW (1ul << 31)
#define VTCR_VALUE (32ul | (0ul << 6) | (1ul << 8) | (1ul << 10) | (3ul << 12) | (0ul << 14) | (0ul << 16) | (1ul << 31))
#define TCR_EL2_VALUE (25ul | (1ul << 8) | (1ul << 10) | (3ul << 12) | (0ul << 14) | (1ul << 16) | (1ul << 23) | (1ul << 31))
#define TCR_EL1_VALUE (25ul | (1ul << 8) | (1ul << 10) | (3ul << 12) | (1ul << 23) | (1ul << 32))
#define SCTLR_A (1ul << 1)

/* The test pages, in this order: an ordinary page right before the invalid one (page-crossing accesses). */
enum { P_RW, P_INVALID, P_RO, P_NOAF, P_S2MISS, P_S2RO, NPAGES };
static volatile uint8_t pages[NPAGES][PAGE] __attribute__((aligned(4096)));

static uint64_t h_l1[512] __attribute__((aligned(4096)));     /* EL2's stage 1 */
static uint64_t h_l2[512] __attribute__((aligned(4096)));
static uint64_t h_l3[512] __attribute__((aligned(4096)));
static uint64_t e_l1[512] __attribute__((aligned(4096)));     /* EL1's stage 1 */
static uint64_t e_l2[512] __attribute__((aligned(4096)));
static uint64_t e_l3[512] __attribute__((aligned(4096)));
static uint64_t s2l2[2048] __attribute__((aligned(16384)));   /* stage 2: four concatenated level-2 tables */
static uint64_t s2l3[512] __attribute__((aligned(4096)));

static uint64_t page(int p) { return (uint64_t)pages[p]; }

/* What the handler saw. */
static volatile uint64_t g_count, g_esr, g_far, g_hpfar, g_el;

void exception_handler(struct frame *f, unsigned idx, unsigned el)
{
    uint64_t ec = f->esr >> 26;
    if (el == 2 && idx == VEC_LOWER64_SYNC && ec == EC_HVC64) system_off();   /* EL1's PSCI SYSTEM_OFF */
    if (ec != EC_DABT_CUR && ec != EC_DABT_LOWER) {
        print("unexpected exception at EL%d vector %d ESR=0x%x ELR=0x%x FAR=0x%x\n", (uint64_t)el, (uint64_t)idx,
              f->esr, f->elr, f->far);
        system_off();
    }
    g_count++;
    g_esr = f->esr;
    g_far = f->far;
    g_el = el;
    g_hpfar = ec == EC_DABT_LOWER ? READ_SYSREG(hpfar_el2) : 0;
    f->elr += 4;
}

/* ---- The faulting instructions: each returns a mask of the registers (and base) that changed. ---- */

#define CHK(r, v, bit) (((r) != (v)) ? (1ul << (bit)) : 0)

static uint64_t t_ldr(uint64_t a)
{
    register uint64_t x1 __asm__("x1") = a, x2 __asm__("x2") = SENT;
    __asm__ volatile("ldr x2, [x1]" : "+r"(x1), "+r"(x2) : : "memory");
    return CHK(x1, a, 0) | CHK(x2, SENT, 1);
}

static uint64_t t_ldr_pre(uint64_t a)
{
    register uint64_t x1 __asm__("x1") = a - 8, x2 __asm__("x2") = SENT;
    __asm__ volatile("ldr x2, [x1, #8]!" : "+r"(x1), "+r"(x2) : : "memory");
    return CHK(x1, a - 8, 0) | CHK(x2, SENT, 1);
}

static uint64_t t_ldr_post(uint64_t a)
{
    register uint64_t x1 __asm__("x1") = a, x2 __asm__("x2") = SENT;
    __asm__ volatile("ldr x2, [x1], #8" : "+r"(x1), "+r"(x2) : : "memory");
    return CHK(x1, a, 0) | CHK(x2, SENT, 1);
}

static uint64_t t_str_pre(uint64_t a)
{
    register uint64_t x1 __asm__("x1") = a + 8, x2 __asm__("x2") = SENT;
    __asm__ volatile("str x2, [x1, #-8]!" : "+r"(x1), "+r"(x2) : : "memory");
    return CHK(x1, a + 8, 0) | CHK(x2, SENT, 1);
}

static uint64_t t_str_post(uint64_t a)
{
    register uint64_t x1 __asm__("x1") = a, x2 __asm__("x2") = SENT;
    __asm__ volatile("str x2, [x1], #16" : "+r"(x1), "+r"(x2) : : "memory");
    return CHK(x1, a, 0) | CHK(x2, SENT, 1);
}

static uint64_t t_ldp_post(uint64_t a)
{
    register uint64_t x1 __asm__("x1") = a, x2 __asm__("x2") = SENT, x3 __asm__("x3") = ~SENT;
    __asm__ volatile("ldp x2, x3, [x1], #32" : "+r"(x1), "+r"(x2), "+r"(x3) : : "memory");
    return CHK(x1, a, 0) | CHK(x2, SENT, 1) | CHK(x3, ~SENT, 2);
}

static uint64_t t_stp_pre(uint64_t a)
{
    register uint64_t x1 __asm__("x1") = a - 16, x2 __asm__("x2") = SENT, x3 __asm__("x3") = ~SENT;
    __asm__ volatile("stp x2, x3, [x1, #16]!" : "+r"(x1), "+r"(x2), "+r"(x3) : : "memory");
    return CHK(x1, a - 16, 0) | CHK(x2, SENT, 1) | CHK(x3, ~SENT, 2);
}

static uint64_t t_ldxr(uint64_t a)
{
    register uint64_t x1 __asm__("x1") = a, x2 __asm__("x2") = SENT, x4 __asm__("x4") = 7;
    /* The monitor must stay clear: a STXR right after the faulting LDXR fails (W4 = 1) without storing. */
    __asm__ volatile("clrex\n ldxr x2, [x1]\n stxr w4, x2, [%3]" : "+r"(x1), "+r"(x2), "+r"(x4)
                     : "r"(page(P_RW) + 256) : "memory");
    return CHK(x1, a, 0) | CHK(x2, SENT, 1) | CHK(x4, 1, 4);
}

/* Not in the table: whether a store-exclusive checks the monitor before the translation is IMPLEMENTATION DEFINED
 * (AArch64.ExclusiveMonitorsPass); QEMU fails it without a fault, ArmVirt reports the fault (ExclusiveTests). */
static __attribute__((unused)) uint64_t t_stxr(uint64_t a)
{
    register uint64_t x1 __asm__("x1") = a, x2 __asm__("x2") = SENT, x4 __asm__("x4") = SENT;
    __asm__ volatile("ldxr x5, [%3]\n stxr w4, x2, [x1]\n clrex" : "+r"(x1), "+r"(x2), "+r"(x4)
                     : "r"(page(P_RW) + 256) : "x5", "memory");
    return CHK(x1, a, 0) | CHK(x2, SENT, 1) | CHK(x4, SENT, 4);
}

static uint64_t t_ldar(uint64_t a)
{
    register uint64_t x1 __asm__("x1") = a, x2 __asm__("x2") = SENT;
    __asm__ volatile("ldar x2, [x1]" : "+r"(x1), "+r"(x2) : : "memory");
    return CHK(x1, a, 0) | CHK(x2, SENT, 1);
}

static uint64_t t_stlr(uint64_t a)
{
    register uint64_t x1 __asm__("x1") = a, x2 __asm__("x2") = SENT;
    __asm__ volatile("stlr x2, [x1]" : "+r"(x1), "+r"(x2) : : "memory");
    return CHK(x1, a, 0) | CHK(x2, SENT, 1);
}

static uint64_t t_dczva(uint64_t a)
{
    register uint64_t x1 __asm__("x1") = a;
    __asm__ volatile("dc zva, x1" : "+r"(x1) : : "memory");
    return CHK(x1, a, 0);
}

/* V0-V3 preset to the sentinel, then compared lane by lane (the C code uses no FP/SIMD register). */
static uint64_t t_ld1(uint64_t a)
{
    register uint64_t x1 __asm__("x1") = a;
    uint64_t diff;
    __asm__ volatile("dup v0.2d, %[s]\n dup v1.2d, %[s]\n dup v2.2d, %[s]\n dup v3.2d, %[s]\n"
                     "ld1 {v0.2d, v1.2d, v2.2d, v3.2d}, [x1], #64\n"
                     "eor v0.16b, v0.16b, v1.16b\n eor v2.16b, v2.16b, v3.16b\n orr v0.16b, v0.16b, v2.16b\n"
                     "dup v1.2d, %[s]\n eor v1.16b, v1.16b, v3.16b\n orr v0.16b, v0.16b, v1.16b\n"
                     "umov %[d], v0.d[0]\n umov x9, v0.d[1]\n orr %[d], %[d], x9"
                     : [d] "=&r"(diff), "+r"(x1) : [s] "r"(SENT) : "x9", "memory");
    return CHK(x1, a, 0) | (diff ? 1ul << 8 : 0);
}

static uint64_t t_st1(uint64_t a)
{
    register uint64_t x1 __asm__("x1") = a;
    __asm__ volatile("dup v0.2d, %[s]\n dup v1.2d, %[s]\n dup v2.2d, %[s]\n dup v3.2d, %[s]\n"
                     "st1 {v0.2d, v1.2d, v2.2d, v3.2d}, [x1], #64" : "+r"(x1) : [s] "r"(SENT) : "memory");
    return CHK(x1, a, 0);
}

static uint64_t t_ldadd(uint64_t a)
{
    register uint64_t x1 __asm__("x1") = a, x2 __asm__("x2") = SENT, x5 __asm__("x5") = 3;
    __asm__ volatile(".arch_extension lse\n ldadd x5, x2, [x1]" : "+r"(x1), "+r"(x2), "+r"(x5) : : "memory");
    return CHK(x1, a, 0) | CHK(x2, SENT, 1) | CHK(x5, 3, 5);
}

static uint64_t t_swp(uint64_t a)
{
    register uint64_t x1 __asm__("x1") = a, x2 __asm__("x2") = SENT, x5 __asm__("x5") = 3;
    __asm__ volatile(".arch_extension lse\n swp x5, x2, [x1]" : "+r"(x1), "+r"(x2), "+r"(x5) : : "memory");
    return CHK(x1, a, 0) | CHK(x2, SENT, 1) | CHK(x5, 3, 5);
}

static uint64_t t_cas(uint64_t a)
{
    register uint64_t x1 __asm__("x1") = a, x2 __asm__("x2") = SENT, x5 __asm__("x5") = PATTERN;
    __asm__ volatile(".arch_extension lse\n cas x5, x2, [x1]" : "+r"(x1), "+r"(x2), "+r"(x5) : : "memory");
    return CHK(x1, a, 0) | CHK(x2, SENT, 1) | CHK(x5, PATTERN, 5);
}

/* Which fault kinds an instruction meets. */
enum { K_LOAD = 1, K_STORE = 2, K_MULTI = 4, K_EXCL = 8, K_ZVA = 16 };

struct insn { const char *name; uint64_t (*run)(uint64_t); unsigned kind; int lse; };

static const struct insn insns[] __attribute__((unused)) = {
    { "LDR", t_ldr, K_LOAD, 0 },
    { "LDR pre", t_ldr_pre, K_LOAD, 0 },
    { "LDR post", t_ldr_post, K_LOAD, 0 },
    { "STR pre", t_str_pre, K_STORE, 0 },
    { "STR post", t_str_post, K_STORE, 0 },
    { "LDP post", t_ldp_post, K_LOAD | K_MULTI, 0 },
    { "STP pre", t_stp_pre, K_STORE | K_MULTI, 0 },
    { "LDXR", t_ldxr, K_LOAD | K_EXCL, 0 },
    { "LDAR", t_ldar, K_LOAD | K_EXCL, 0 },
    { "STLR", t_stlr, K_STORE | K_EXCL, 0 },
    { "DC ZVA", t_dczva, K_STORE | K_ZVA, 0 },
    { "LD1 x4", t_ld1, K_LOAD | K_MULTI, 0 },
    { "ST1 x4", t_st1, K_STORE | K_MULTI, 0 },
    { "LDADD", t_ldadd, K_STORE | K_EXCL, 1 },
    { "SWP", t_swp, K_STORE | K_EXCL, 1 },
    { "CAS", t_cas, K_STORE | K_EXCL, 1 },
};

enum { F_S1_TRANSLATION, F_S1_ACCESS_FLAG, F_S1_PERMISSION, F_ALIGNMENT, F_EXTERNAL, F_CROSSING, F_S2_TRANSLATION,
       F_S2_PERMISSION, NFAULTS };
static __attribute__((unused)) const char *const fault_names[NFAULTS] = {
    "s1 translation", "s1 access flag", "s1 permission", "alignment", "external abort", "page crossing",
    "s2 translation", "s2 permission",
};

static __attribute__((unused)) int has_lse(void) { return ((READ_SYSREG(id_aa64isar0_el1) >> 20) & 0xf) != 0; }

static __attribute__((unused)) void set_alignment_check(unsigned el, int on)
{
    uint64_t s = el == 2 ? READ_SYSREG(sctlr_el2) : READ_SYSREG(sctlr_el1);
    s = on ? s | SCTLR_A : s & ~SCTLR_A;
    if (el == 2) WRITE_SYSREG(sctlr_el2, s);
    else WRITE_SYSREG(sctlr_el1, s);
    ISB();
}

/* The address the instruction's (first faulting) access uses for a fault kind, or 0 when it does not apply. */
static __attribute__((unused)) uint64_t fault_address(int f, const struct insn *in, unsigned el)
{
    unsigned k = in->kind;
    switch (f) {
    case F_S1_TRANSLATION: return page(P_INVALID) + 64;
    case F_S1_ACCESS_FLAG: return page(P_NOAF) + 64;
    case F_S1_PERMISSION: return (k & K_STORE) ? page(P_RO) + 64 : 0;
    case F_ALIGNMENT: return (k & K_ZVA) ? 0 : page(P_RW) + 64 + 4;
    /* Exclusives, atomics and DC ZVA on the unassigned PA are left out: what QEMU's slow paths do there is not
     * what this guest is about. */
    case F_EXTERNAL: return (k & (K_EXCL | K_ZVA)) ? 0 : UNMAPPED_PA + 64;
    case F_CROSSING: return (k & K_MULTI) ? page(P_INVALID) - 8 : 0;   /* the second element faults */
    case F_S2_TRANSLATION: return el == 1 ? page(P_S2MISS) + 64 : 0;
    case F_S2_PERMISSION: return el == 1 && (k & K_STORE) ? page(P_S2RO) + 64 : 0;
    }
    return 0;
}

#ifndef BENCH
static void run_all(unsigned el)
{
    int lse = has_lse();
    print("EL%d: LSE %s\n", (uint64_t)el, lse ? "yes" : "no (LDADD, SWP, CAS left out)");
    for (unsigned i = 0; i < sizeof insns / sizeof insns[0]; i++) {
        const struct insn *in = &insns[i];
        if (in->lse && !lse) continue;
        for (int f = 0; f < NFAULTS; f++) {
            uint64_t a = fault_address(f, in, el);
            if (a == 0) continue;
            if (f == F_ALIGNMENT) set_alignment_check(el, 1);
            uint64_t before = g_count, changed = 0;
            for (int r = 0; r < ROUNDS; r++) changed |= in->run(a);
            if (f == F_ALIGNMENT) set_alignment_check(el, 0);
            uint64_t taken = g_count - before, esr = g_esr;
            int stage2 = (esr >> 26) == EC_DABT_LOWER;
            if (!stage2) esr &= (0x3ful << 26) | (1ul << 25) | (1ul << 8) | (1ul << 6) | 0x3f;
            print("EL%d %s, %s: aborts=%d to EL%d %s ESR=0x%x FAR=0x%x", (uint64_t)el, in->name, fault_names[f],
                  taken, g_el, changed ? "CHANGED" : "unchanged", esr, g_far);
            if (stage2) print(" HPFAR=0x%x", g_hpfar);
            if (changed) print(" (mask 0x%x)", changed);
            print("\n");
        }
    }
}
#endif

static __attribute__((unused)) void check_read_only_pages(unsigned el)
{
    uint64_t bad = 0;
    for (int p = P_RO; p <= P_S2RO; p += P_S2RO - P_RO) {
        if (p == P_S2RO && el != 1) continue;
        for (unsigned i = 0; i < 256; i += 8)
            if (*(volatile uint64_t *)(page(p) + i) != PATTERN) bad++;
    }
    print("EL%d: read-only pages %s\n", (uint64_t)el, bad ? "WRITTEN" : "intact");
}

/* Builds a stage-1 map (4 KiB granule, start level 1): Device below RAM, RAM's first 2 MiB as pages (the test pages
 * among them), the rest of 128 MiB as 2 MiB blocks. ap1 is D_AP1 for the EL2 regime (RES1), 0 for EL1&0. */
static void build_stage1(uint64_t *l1, uint64_t *l2, uint64_t *l3, uint64_t ap1)
{
    l1[0] = 0 | S1_DEVICE | ap1;
    l1[1] = (uint64_t)l2 | D_VALID | D_TABLE;
    for (uint64_t i = 0; i < 64; i++) l2[i] = (RAM_BASE + (i << 21)) | S1_NORMAL | ap1;
    l2[0] = (uint64_t)l3 | D_VALID | D_TABLE;
    for (uint64_t i = 0; i < 512; i++) l3[i] = (RAM_BASE + i * PAGE) | S1_NORMAL | D_PAGE | ap1;
    uint64_t first = (page(0) - RAM_BASE) / PAGE;
    l3[first + P_INVALID] = 0;
    l3[first + P_RO] |= D_AP2;
    l3[first + P_NOAF] &= ~D_AF;
}

static void build_stage2(void)
{
    for (uint64_t i = 0; i < 2048; i++) s2l2[i] = 0;
    for (uint64_t i = 0; i < 512; i++) s2l2[i] = (i << 21) | S2_DEVICE;   /* first GiB: devices and the hole */
    for (uint64_t i = 0; i < 64; i++) s2l2[(RAM_BASE >> 21) + i] = (RAM_BASE + (i << 21)) | S2_NORMAL;
    s2l2[RAM_BASE >> 21] = (uint64_t)s2l3 | D_VALID | D_TABLE;
    for (uint64_t i = 0; i < 512; i++) s2l3[i] = (RAM_BASE + i * PAGE) | S2_NORMAL | D_PAGE;
    uint64_t first = (page(0) - RAM_BASE) / PAGE;
    s2l3[first + P_S2MISS] = 0;
    s2l3[first + P_S2RO] &= ~(1ul << 7);   /* S2AP = 0b01: read-only */
}

#ifdef BENCH
static void bench(unsigned el, uint64_t a)
{
    uint64_t before = g_count;
    for (int r = 0; r < 1000000; r++) t_ldr(a);
    print("EL%d: %d aborts to EL%d, ESR=0x%x\n", (uint64_t)el, g_count - before, g_el, g_esr);
}
#endif

static void el1_main(void) __attribute__((noreturn));
static void el1_main(void)
{
    WRITE_SYSREG(cpacr_el1, 3ul << 20);   /* FPEN: LD1/ST1 do not trap */
    WRITE_SYSREG(sctlr_el1, READ_SYSREG(sctlr_el1) | 1 | (1ul << 2) | (1ul << 12));
    ISB();
    print("EL1: stage 1 on under stage 2\n");
#ifdef BENCH
    bench(1, page(P_S2MISS) + 64);
#else
    run_all(1);
    check_read_only_pages(1);
#endif
    hvc_call(PSCI_SYSTEM_OFF);
    for (;;) __asm__ volatile("wfi");
}

int main(unsigned el)
{
    print("aborts guest at EL%d\n", (uint64_t)el);
    if (el != 2) {
        print("this guest needs EL2 (armvirt --el 2, QEMU -M virt,virtualization=on)\n");
        return 0;
    }
    for (int p = 0; p < NPAGES; p++)
        for (unsigned i = 0; i < PAGE; i += 8) *(volatile uint64_t *)(page(p) + i) = PATTERN;
    build_stage1(h_l1, h_l2, h_l3, D_AP1);
    build_stage1(e_l1, e_l2, e_l3, 0);
    build_stage2();
    WRITE_SYSREG(cptr_el2, READ_SYSREG(cptr_el2) & ~(1ul << 10));   /* TFP = 0 */
    WRITE_SYSREG(mair_el2, 0xff00ul);
    WRITE_SYSREG(tcr_el2, TCR_EL2_VALUE);
    WRITE_SYSREG(ttbr0_el2, h_l1);
    ISB();
    __asm__ volatile("tlbi alle2is\n dsb ish\n isb" ::: "memory");
    WRITE_SYSREG(sctlr_el2, READ_SYSREG(sctlr_el2) | 1 | (1ul << 2) | (1ul << 12));
    ISB();
    print("EL2: own stage 1 on; test pages at 0x%x\n", page(0));
#ifdef BENCH
    bench(2, page(P_INVALID) + 64);
#else
    run_all(2);
    check_read_only_pages(2);
#endif
    WRITE_SYSREG(vtcr_el2, VTCR_VALUE);
    WRITE_SYSREG(vttbr_el2, (uint64_t)s2l2 | (1ul << 48));
    WRITE_SYSREG(mair_el1, 0xff00ul);
    WRITE_SYSREG(tcr_el1, TCR_EL1_VALUE);
    WRITE_SYSREG(ttbr0_el1, e_l1);
    WRITE_SYSREG(hcr_el2, HCR_RW | HCR_VM);
    ISB();
    __asm__ volatile("tlbi alle1is\n dsb ish\n isb" ::: "memory");
    WRITE_SYSREG(sp_el1, __stack_el1_top);
    WRITE_SYSREG(spsr_el2, 0x3c5ul);   /* EL1h, DAIF masked */
    WRITE_SYSREG(elr_el2, el1_main);
    ISB();
    print("EL2: entering EL1\n");
    __asm__ volatile("eret" ::: "memory");
    __builtin_unreachable();
}
