/*
 * mmu_s1.elf: EL1 stage-1 translation (Arm ARM D8 "The AArch64 Virtual Memory System Architecture").
 * Reads ID_AA64MMFR0_EL1 for the supported granules, then for the 4 KiB granule (T0SZ 25: start level 1,
 * T0SZ 16: start level 0) and the 64 KiB granule (T0SZ 25: start level 2, T0SZ 16: start level 1) builds an
 * identity map (RAM Normal WB via MAIR attr 1, the UART in a Device-nGnRnE block via attr 0, block and page
 * descriptors), turns the MMU on and takes and fixes up faults: translation (map the page, TLBI, retry), access
 * flag (set AF), permission (write to a read-only page, make it writable), an EL0 load from an EL1-only page
 * (make it EL0-accessible), a call to a PXN page (instruction abort, clear PXN), and faults that cannot be fixed
 * (skipped). TTBR1 with an APTable read-only alias, TBI0, and an ASID switch without TLB maintenance. Each prints ESR EC, DFSC, WnR and FAR.
 * AT S1E1R / S1E1W / S1E0R print PAR_EL1 for mapped and unmapped addresses (SH masked for Device memory,
 * where QEMU 7.2 reports the descriptor's SH).
 */
#include "guest.h"

#define PAGE_4K   0x1000ul
#define PAGE_64K  0x10000ul

/* Stage-1 descriptor fields (D8.3 "Translation table descriptor formats"). */
#define D_VALID   (1ul << 0)
#define D_TABLE   (1ul << 1)   /* table at levels < 3, page at level 3 */
#define D_PAGE    (1ul << 1)
#define D_ATTR(i) ((uint64_t)(i) << 2)
#define D_AP_EL0  (1ul << 6)   /* AP[1]: EL0 access */
#define D_AP_RO   (1ul << 7)   /* AP[2]: read-only */
#define D_SH_IS   (3ul << 8)
#define D_AF      (1ul << 10)
#define D_PXN     (1ul << 53)
#define D_UXN     (1ul << 54)
#define D_AP_MASK (3ul << 6)

#define ATTR_DEVICE 0           /* MAIR attr 0: Device-nGnRnE */
#define ATTR_NORMAL 1           /* MAIR attr 1: Normal, Inner/Outer Write-Back RW-allocate */
#define MAIR_VALUE  ((0x00ul << 0) | (0xfful << 8))

#define NORMAL_PAGE  (D_VALID | D_PAGE | D_ATTR(ATTR_NORMAL) | D_SH_IS | D_AF | D_UXN)
#define NORMAL_BLOCK (D_VALID | D_ATTR(ATTR_NORMAL) | D_SH_IS | D_AF | D_UXN)
#define DEVICE_BLOCK (D_VALID | D_ATTR(ATTR_DEVICE) | D_AF | D_UXN | D_PXN)

/* TCR_EL1 (D13.2.123): T0SZ[5:0], IRGN0[9:8], ORGN0[11:10], SH0[13:12], TG0[15:14], EPD1[23], IPS[34:32]. */
#define TCR_WALK  ((1ul << 8) | (1ul << 10) | (3ul << 12) | (1ul << 23) | (1ul << 32))
#define TCR_TG0_4K  (0ul << 14)
#define TCR_TG0_64K (1ul << 14)

#define SCTLR_M (1ul << 0)
#define SCTLR_C (1ul << 2)
#define SCTLR_I (1ul << 12)

/* Test pages: a 2 MiB region of RAM mapped by a level-3 table (4 KiB granule). */
#define TEST_BASE   0x40400000ul
#define T_UNMAPPED  0   /* invalid until the translation fault handler maps it */
#define T_NOAF      1   /* AF = 0 */
#define T_RO        2   /* read-only at EL1 */
#define T_PRIV      3   /* EL1 only, loaded from EL0 */
#define T_MAPPED    4   /* plain RW page for AT */
#define T_RO2       5   /* read-only page for AT S1E1W */
#define T_PRIV2     6   /* EL1-only page for AT S1E0R */
#define T_NEVER     7   /* stays invalid */

static uint64_t l0[512] __attribute__((aligned(4096)));
static uint64_t l1[512] __attribute__((aligned(4096)));
static uint64_t l2[512] __attribute__((aligned(4096)));
static uint64_t l3code[512] __attribute__((aligned(4096)));
static uint64_t l3test[512] __attribute__((aligned(4096)));

static uint64_t hl1[512] __attribute__((aligned(4096)));
static uint64_t l1b[512] __attribute__((aligned(4096)));
static uint64_t l2b[512] __attribute__((aligned(4096)));
static uint64_t l3b[512] __attribute__((aligned(4096)));

static uint64_t g1[64] __attribute__((aligned(65536)));
static uint64_t g2[8192] __attribute__((aligned(65536)));
static uint64_t g3[8192] __attribute__((aligned(65536)));

static volatile int granule64;   /* which tables the fault handler fixes up */
static volatile int el0_done;

extern char el0_code[];
extern char pxn_page[];
uint64_t pxn_func(void);
void run_el0(uint64_t addr);
extern char el0_return[];

/*
 * EL0 code lives alone on a 4 KiB page that is read-only at EL0 and EL1 and executable at both (a page writable
 * at EL0 would be privileged-execute-never). It loads from X0 into X1 and returns to EL1 with SVC #0.
 * run_el0 saves the callee-saved registers and ERETs to EL0t; the SVC handler resumes at el0_return.
 */
__asm__(
    "    .section .text.el0, \"ax\"\n"
    "    .balign 4096\n"
    "    .global el0_code\n"
    "el0_code:\n"
    "    ldr x1, [x0]\n"
    "    svc #0\n"
    "    b .\n"
    "    .balign 4096\n"
    "    .global pxn_page, pxn_func\n"   /* alone on a page that stage 1 makes privileged-execute-never */
    "pxn_page:\n"
    "pxn_func:\n"
    "    mov x0, #0x99\n"
    "    ret\n"
    "    .balign 4096\n"
    "    .text\n"
    "    .global run_el0\n"
    "run_el0:\n"
    "    stp x29, x30, [sp, #-96]!\n"
    "    stp x19, x20, [sp, #16]\n"
    "    stp x21, x22, [sp, #32]\n"
    "    stp x23, x24, [sp, #48]\n"
    "    stp x25, x26, [sp, #64]\n"
    "    stp x27, x28, [sp, #80]\n"
    "    adrp x1, el0_code\n"
    "    add x1, x1, :lo12:el0_code\n"
    "    msr elr_el1, x1\n"
    "    mov x1, #0x3c0\n"        /* EL0t, DAIF masked */
    "    msr spsr_el1, x1\n"
    "    eret\n"
    "    .global el0_return\n"
    "el0_return:\n"
    "    ldp x19, x20, [sp, #16]\n"
    "    ldp x21, x22, [sp, #32]\n"
    "    ldp x23, x24, [sp, #48]\n"
    "    ldp x25, x26, [sp, #64]\n"
    "    ldp x27, x28, [sp, #80]\n"
    "    ldp x29, x30, [sp], #96\n"
    "    ret\n");

static void tlbi_va(uint64_t va)
{
    __asm__ volatile("dsb ishst\n tlbi vae1is, %0\n dsb ish\n isb" : : "r"(va >> 12) : "memory");
}

static void tlbi_all(void)
{
    __asm__ volatile("dsb ishst\n tlbi vmalle1is\n dsb ish\n isb" ::: "memory");
}

static uint64_t read64(uint64_t va) { return *(volatile uint64_t *)va; }
static void write64(uint64_t va, uint64_t v) { *(volatile uint64_t *)va = v; }

static const char *dfsc_name(uint64_t dfsc)
{
    switch (dfsc & 0x3c) {
    case 0x04: return "translation";
    case 0x08: return "access flag";
    case 0x0c: return "permission";
    case 0x00: return "address size";
    default: return "other";
    }
}

/* Fixes the descriptor behind a fault at va; returns 0 when the fault is not one this guest repairs. */
static int fix_up(uint64_t va, uint64_t dfsc)
{
    if (granule64) {
        if ((dfsc & 0x3c) != 0x04 || va < 0x40000000ul || va >= 0x48000000ul) return 0;
        uint64_t pa = va & ~(PAGE_64K - 1);
        g3[(pa - 0x40000000ul) / PAGE_64K] = pa | NORMAL_PAGE;
        print("  fix: mapped the 64 KiB page 0x%x\n", pa);
        tlbi_va(pa);
        return 1;
    }
    if (va < TEST_BASE || va >= TEST_BASE + 512 * PAGE_4K) return 0;
    uint64_t idx = (va - TEST_BASE) / PAGE_4K, pa = TEST_BASE + idx * PAGE_4K;
    if (idx == T_NEVER) return 0;
    switch (dfsc & 0x3c) {
    case 0x04: l3test[idx] = pa | NORMAL_PAGE; print("  fix: mapped the page\n"); break;
    case 0x08: l3test[idx] |= D_AF; print("  fix: set AF\n"); break;
    case 0x0c:
        if (l3test[idx] & D_AP_RO) { l3test[idx] &= ~D_AP_RO; print("  fix: made the page writable\n"); }
        else { l3test[idx] |= D_AP_EL0; print("  fix: made the page accessible at EL0\n"); }
        break;
    default: return 0;
    }
    tlbi_va(va);
    return 1;
}

void exception_handler(struct frame *f, unsigned idx, unsigned el)
{
    uint64_t ec = f->esr >> 26, iss = f->esr & 0x1ffffff;
    (void)el;
    if (ec == EC_SVC64 && idx == VEC_LOWER64_SYNC) {
        print("EL1: SVC from EL0 (EC=0x%x), EL0 loaded 0x%x\n", ec, f->x[1]);
        el0_done = 1;
        f->elr = (uint64_t)el0_return;
        f->spsr = 0x3c5;   /* back to EL1h */
        return;
    }
    if ((ec == EC_DABT_CUR && idx == VEC_CUR_SPX_SYNC) || (ec == EC_DABT_LOWER && idx == VEC_LOWER64_SYNC)) {
        uint64_t dfsc = iss & 0x3f;
        print("EL1: data abort from EL%d: EC=0x%x DFSC=0x%x (%s, level %d) WnR=%d FAR=0x%x\n",
              (uint64_t)(ec == EC_DABT_CUR ? 1 : 0), ec, dfsc, dfsc_name(dfsc), dfsc & 3, (iss >> 6) & 1, f->far);
        if (!fix_up(f->far, dfsc)) {
            print("  not fixable: skipping the access\n");
            f->elr += 4;
        }
        return;
    }
    if (ec == 0x21 && idx == VEC_CUR_SPX_SYNC && f->far == (uint64_t)pxn_page && !granule64) {
        uint64_t ifsc = iss & 0x3f;
        print("EL1: instruction abort from EL1: EC=0x%x IFSC=0x%x (%s, level %d) FAR=0x%x ELR=0x%x\n", ec, ifsc,
              dfsc_name(ifsc), ifsc & 3, f->far, f->elr);
        l3code[((uint64_t)pxn_page - 0x40000000ul) / PAGE_4K] &= ~D_PXN;
        tlbi_va((uint64_t)pxn_page);
        print("  fix: cleared PXN\n");
        return;
    }
    print("EL1: unexpected vector %d EC=0x%x ISS=0x%x ELR=0x%x FAR=0x%x\n", (uint64_t)idx, ec, iss, f->elr, f->far);
    system_off();
}

static void mmu_on(uint64_t tcr, uint64_t *ttbr)
{
    WRITE_SYSREG(mair_el1, MAIR_VALUE);
    WRITE_SYSREG(tcr_el1, tcr);
    WRITE_SYSREG(ttbr0_el1, ttbr);
    ISB();
    tlbi_all();
    WRITE_SYSREG(sctlr_el1, READ_SYSREG(sctlr_el1) | SCTLR_M | SCTLR_C | SCTLR_I);
    ISB();
}

static void mmu_off(void)
{
    WRITE_SYSREG(sctlr_el1, READ_SYSREG(sctlr_el1) & ~(SCTLR_M | SCTLR_C | SCTLR_I));
    ISB();
    tlbi_all();
}

/* PAR_EL1 (D13.2.94): on success PA[47:12], ATTR[63:56], SH[8:7], NS[9]; on a fault F=1, FST[6:1], PTW[8], S[9]. */
static void show_par(const char *op, uint64_t va, int device)
{
    uint64_t par = READ_SYSREG(par_el1);
    if (par & 1) {
        print("  AT %s 0x%x: PAR=0x%x (F=1 FST=0x%x %s level %d PTW=%d S=%d)\n", op, va, par, (par >> 1) & 0x3f,
              dfsc_name((par >> 1) & 0x3f), (par >> 1) & 3, (par >> 8) & 1, (par >> 9) & 1);
    } else {
        if (device) par &= ~(3ul << 7);
        print("  AT %s 0x%x: PAR=0x%x (PA=0x%x ATTR=0x%x%s)\n", op, va, par, par & 0xfffffffff000ul, par >> 56,
              device ? ", SH not compared" : "");
    }
}

#define AT(op, va, device) do { \
        __asm__ volatile("at " #op ", %0\n isb" : : "r"((uint64_t)(va)) : "memory"); \
        show_par(#op, (uint64_t)(va), device); \
    } while (0)

static void build_4k(void)
{
    /* l1[0]: 1 GiB Device block (UART); l1[1] -> l2: 2 MiB Normal blocks over the 128 MiB of RAM, except
     * 0x40000000 (code, data, stacks; -> l3code) and TEST_BASE (-> l3test). */
    l1[0] = 0 | DEVICE_BLOCK;
    l1[1] = (uint64_t)l2 | D_VALID | D_TABLE;
    for (uint64_t i = 0; i < 64; i++) l2[i] = (0x40000000ul + i * 0x200000ul) | NORMAL_BLOCK;
    l2[0] = (uint64_t)l3code | D_VALID | D_TABLE;
    l2[(TEST_BASE - 0x40000000ul) >> 21] = (uint64_t)l3test | D_VALID | D_TABLE;
    for (uint64_t i = 0; i < 512; i++) l3code[i] = (0x40000000ul + i * PAGE_4K) | NORMAL_PAGE;
    uint64_t el0_page = (uint64_t)el0_code;
    l3code[(el0_page - 0x40000000ul) / PAGE_4K] = el0_page | (NORMAL_PAGE & ~D_UXN) | D_AP_EL0 | D_AP_RO;
    l3code[((uint64_t)pxn_page - 0x40000000ul) / PAGE_4K] |= D_PXN;
    for (uint64_t i = 0; i < 512; i++) l3test[i] = 0;
    l3test[T_NOAF] = (TEST_BASE + T_NOAF * PAGE_4K) | (NORMAL_PAGE & ~D_AF);
    l3test[T_RO] = (TEST_BASE + T_RO * PAGE_4K) | NORMAL_PAGE | D_AP_RO;
    l3test[T_PRIV] = (TEST_BASE + T_PRIV * PAGE_4K) | NORMAL_PAGE;
    l3test[T_MAPPED] = (TEST_BASE + T_MAPPED * PAGE_4K) | NORMAL_PAGE;
    l3test[T_RO2] = (TEST_BASE + T_RO2 * PAGE_4K) | NORMAL_PAGE | D_AP_RO;
    l3test[T_PRIV2] = (TEST_BASE + T_PRIV2 * PAGE_4K) | NORMAL_PAGE;
    l0[0] = (uint64_t)l1 | D_VALID | D_TABLE;
}

static void test_4k(void)
{
    print("4 KiB granule, T0SZ=25 (39-bit VA, start level 1)\n");
    build_4k();
    for (uint64_t i = 0; i < 8; i++) write64(TEST_BASE + i * PAGE_4K, 0x1111 * (i + 1));
    mmu_on(TCR_WALK | TCR_TG0_4K | 25, l1);
    print("MMU on: SCTLR_EL1.M=%d, read through the map: 0x%x\n", READ_SYSREG(sctlr_el1) & 1, read64(TEST_BASE + T_MAPPED * PAGE_4K));

    AT(s1e1r, TEST_BASE + T_MAPPED * PAGE_4K + 0x123, 0);
    AT(s1e1r, 0x40600000ul + 0x1234, 0);          /* inside a 2 MiB block */
    AT(s1e1r, 0x09000000ul, 1);                    /* UART, inside the 1 GiB Device block */
    AT(s1e1w, TEST_BASE + T_RO2 * PAGE_4K, 0);
    AT(s1e1r, TEST_BASE + T_RO2 * PAGE_4K, 0);
    AT(s1e0r, TEST_BASE + T_PRIV2 * PAGE_4K, 0);
    AT(s1e0r, (uint64_t)el0_code, 0);
    AT(s1e1r, TEST_BASE + T_NEVER * PAGE_4K, 0);
    AT(s1e1r, TEST_BASE + T_NOAF * PAGE_4K, 0);
    AT(s1e1r, 0x80000000ul, 0);                    /* l1[2] invalid: level 1 fault */

    print("load from an unmapped page\n");
    print("  value 0x%x\n", read64(TEST_BASE + T_UNMAPPED * PAGE_4K));
    print("load from a page with AF=0\n");
    print("  value 0x%x\n", read64(TEST_BASE + T_NOAF * PAGE_4K + 8));
    print("store to a read-only page\n");
    write64(TEST_BASE + T_RO * PAGE_4K + 16, 0xabcd);
    print("  reads back 0x%x\n", read64(TEST_BASE + T_RO * PAGE_4K + 16));
    print("EL0 load from an EL1-only page\n");
    run_el0(TEST_BASE + T_PRIV * PAGE_4K);
    print("back at EL%d, el0_done=%d\n", (uint64_t)current_el(), (uint64_t)el0_done);
    print("call a function on a PXN page\n");
    print("  returned 0x%x\n", pxn_func());
    print("load from a page that stays unmapped\n");
    uint64_t v = 0x5a5a;
    __asm__ volatile("ldr %0, [%1]" : "+r"(v) : "r"(TEST_BASE + T_NEVER * PAGE_4K) : "memory");
    print("  x unchanged: 0x%x\n", v);
    print("load beyond the 39-bit input range\n");
    __asm__ volatile("ldr %0, [%1]" : "+r"(v) : "r"(0x8000000000ul) : "memory");
    AT(s1e1r, 0x8000000000ul, 0);
    mmu_off();

    print("4 KiB granule, T0SZ=16 (48-bit VA, start level 0)\n");
    mmu_on(TCR_WALK | TCR_TG0_4K | 16, l0);
    print("MMU on, reads 0x%x\n", read64(TEST_BASE + T_RO * PAGE_4K + 16));
    AT(s1e1r, TEST_BASE + T_MAPPED * PAGE_4K + 0x8, 0);
    AT(s1e1r, 0x8000000000ul, 0);                   /* l0[1] invalid: level 0 fault */
    print("load from 0x8000000000 (l0[1] invalid)\n");
    __asm__ volatile("ldr %0, [%1]" : "+r"(v) : "r"(0x8000000000ul) : "memory");
    mmu_off();
}

/*
 * TTBR1 (T1SZ 25): hl1[1] -> l2, so 0xffffff8040000000 aliases the RAM; hl1[3] -> l2 through a table descriptor
 * with APTable[1] set (D8.4.2 "Hierarchical control of data access permissions"): read-only below it.
 * ASIDs: l1b is l1 with the test page T_MAPPED (nG=1 in both) pointing at another PA; TTBR0 switches between
 * (l1, ASID 1) and (l1b, ASID 2) without TLB maintenance. TBI0 (D8.8 "Address tagging"): the top byte is ignored.
 */
#define D_NG (1ul << 11)
#define D_APTABLE_RO (1ul << 62)
#define TCR_TTBR1_4K ((25ul << 16) | (1ul << 24) | (1ul << 26) | (3ul << 28) | (2ul << 30))
#define TCR_TBI0 (1ul << 37)

static void test_4k_ttbr1_asid(void)
{
    hl1[1] = (uint64_t)l2 | D_VALID | D_TABLE;
    hl1[3] = (uint64_t)l2 | D_VALID | D_TABLE | D_APTABLE_RO;
    l3test[T_MAPPED] |= D_NG;
    for (uint64_t i = 0; i < 512; i++) { l1b[i] = l1[i]; l2b[i] = l2[i]; l3b[i] = l3test[i]; }
    l1b[1] = (uint64_t)l2b | D_VALID | D_TABLE;
    l2b[(TEST_BASE - 0x40000000ul) >> 21] = (uint64_t)l3b | D_VALID | D_TABLE;
    l3b[T_MAPPED] = (TEST_BASE + T_RO2 * PAGE_4K) | NORMAL_PAGE | D_NG;

    print("4 KiB granule, TTBR0 T0SZ=25 with ASIDs, TTBR1 T1SZ=25, TBI0\n");
    WRITE_SYSREG(ttbr1_el1, hl1);
    mmu_on((TCR_WALK & ~(1ul << 23)) | TCR_TG0_4K | 25 | TCR_TTBR1_4K | TCR_TBI0, (uint64_t *)((uint64_t)l1 | (1ul << 48)));
    uint64_t hi = 0xffffff8040000000ul + (TEST_BASE - 0x40000000ul);
    print("TTBR1 alias reads 0x%x\n", read64(hi + T_MAPPED * PAGE_4K));
    AT(s1e1r, hi + T_MAPPED * PAGE_4K + 0x10, 0);
    AT(s1e1r, hi + 0x80000000ul + T_MAPPED * PAGE_4K, 0);
    AT(s1e1w, hi + 0x80000000ul + T_MAPPED * PAGE_4K, 0);
    AT(s1e1r, 0xffffff0000000000ul, 0);           /* below the TTBR1 range */
    print("store through the APTable read-only alias\n");
    __asm__ volatile("str %0, [%1]" : : "r"(0x77ul), "r"(hi + 0x80000000ul + T_MAPPED * PAGE_4K) : "memory");
    print("TBI0=1: tagged load reads 0x%x\n", read64(0x5a00000000000000ul | (TEST_BASE + T_MAPPED * PAGE_4K)));
    AT(s1e1r, 0x5a00000000000000ul | (TEST_BASE + T_MAPPED * PAGE_4K), 0);
    print("ASID 1 reads 0x%x\n", read64(TEST_BASE + T_MAPPED * PAGE_4K));
    WRITE_SYSREG(ttbr0_el1, (uint64_t)l1b | (2ul << 48));
    ISB();
    print("ASID 2 reads 0x%x\n", read64(TEST_BASE + T_MAPPED * PAGE_4K));
    AT(s1e1r, TEST_BASE + T_MAPPED * PAGE_4K, 0);
    WRITE_SYSREG(ttbr0_el1, (uint64_t)l1 | (1ul << 48));
    ISB();
    print("ASID 1 again reads 0x%x\n", read64(TEST_BASE + T_MAPPED * PAGE_4K));
    mmu_off();
    print("TBI0=0: tagged load\n");
    mmu_on(TCR_WALK | TCR_TG0_4K | 25, l1);
    uint64_t v = 0x5a5a;
    __asm__ volatile("ldr %0, [%1]" : "+r"(v) : "r"(0x5a00000000000000ul | (TEST_BASE + T_MAPPED * PAGE_4K)) : "memory");
    print("  x unchanged: 0x%x\n", v);
    mmu_off();
}

static void build_64k(void)
{
    /* g2 (level 2, 512 MiB per entry): [0] Device block (UART), [2] -> g3 (64 KiB pages over RAM, one left out),
     * [3] a Normal 512 MiB block at 0x60000000 (never accessed, only translated by AT). */
    for (uint64_t i = 0; i < 8192; i++) g2[i] = 0;
    g2[0] = 0 | DEVICE_BLOCK;
    g2[2] = (uint64_t)g3 | D_VALID | D_TABLE;
    g2[3] = 0x60000000ul | NORMAL_BLOCK;
    for (uint64_t i = 0; i < 8192; i++) g3[i] = i < 2048 ? (0x40000000ul + i * PAGE_64K) | NORMAL_PAGE : 0;
    g3[(0x40800000ul - 0x40000000ul) / PAGE_64K] = 0;
    g1[0] = (uint64_t)g2 | D_VALID | D_TABLE;
}

static void test_64k(void)
{
    granule64 = 1;
    build_64k();
    write64(0x40800000ul + 0x5000, 0x6464);
    print("64 KiB granule, T0SZ=25 (39-bit VA, start level 2)\n");
    mmu_on(TCR_WALK | TCR_TG0_64K | 25, g2);
    print("MMU on, reads 0x%x\n", read64(TEST_BASE + T_RO * PAGE_4K + 16));
    AT(s1e1r, 0x4040f123ul, 0);
    AT(s1e1r, 0x61234567ul, 0);                     /* inside the 512 MiB block */
    AT(s1e1r, 0x09000000ul, 1);
    AT(s1e1r, 0x40805000ul, 0);
    print("load from the unmapped 64 KiB page\n");
    print("  value 0x%x\n", read64(0x40805000ul));
    AT(s1e1r, 0x4080f000ul, 0);
    mmu_off();

    print("64 KiB granule, T0SZ=16 (48-bit VA, start level 1)\n");
    mmu_on(TCR_WALK | TCR_TG0_64K | 16, g1);
    print("MMU on, reads 0x%x\n", read64(0x40805000ul));
    AT(s1e1r, 0x40805008ul, 0);
    AT(s1e1r, 0x40000000000ul, 0);                  /* g1[1] invalid: level 1 fault */
    AT(s1e1r, 0x80000000ul, 0);                     /* g2[4] invalid: level 2 fault */
    mmu_off();
}

int main(unsigned el)
{
    print("mmu_s1 guest at EL%d\n", (uint64_t)el);
    uint64_t mmfr0 = READ_SYSREG(id_aa64mmfr0_el1);
    print("ID_AA64MMFR0_EL1: PARange=%d TGran4=0x%x TGran64=0x%x TGran16=0x%x\n", mmfr0 & 15, (mmfr0 >> 28) & 15,
          (mmfr0 >> 24) & 15, (mmfr0 >> 20) & 15);
    print("4 KiB granule %s, 64 KiB granule %s, 16 KiB granule %s\n",
          ((mmfr0 >> 28) & 15) == 0 ? "supported" : "absent", ((mmfr0 >> 24) & 15) == 0 ? "supported" : "absent",
          ((mmfr0 >> 20) & 15) == 0 ? "absent" : "supported");
    test_4k();
    test_4k_ttbr1_asid();
    test_64k();
    print("mmu_s1 done\n");
    return 0;
}
