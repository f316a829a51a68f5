/*
 * mmu_s2.elf: started at EL2, runs an EL1 program under stage-2 translation (Arm ARM D8 "The AArch64 Virtual
 * Memory System Architecture", D8.2.4 stage 2 translation; D13 ESR_EL2 ISS encoding for Data/Instruction Aborts).
 * EL2 first turns on its own stage 1 (TTBR0_EL2) for AT S1E2R/S1E2W and a fault taken to EL2 itself, then
 * builds a stage-2 identity map (VTCR_EL2: 4 KiB granule, 32-bit IPA, start level 2 with four concatenated
 * tables) over the RAM, leaving out a data page, two pages that hold EL1's stage-1 tables and the 2 MiB at
 * 0x40600000, with the UART IPA unmapped and one code page stage-2 execute-never; HCR_EL2.VM on, then ERETs to EL1.
 * EL1 (stage 1 off, then on) reports through HVC #2/#3 (EL2 prints its message) and triggers:
 *   a stage-2 data abort on the missing page (EL2 prints ESR_EL2 EC, ISV, SAS, SRT, WnR, DFSC, HPFAR_EL2,
 *   FAR_EL2, maps the page and retries); UART accesses through the unmapped IPA (EL2 emulates the PL011 from the
 *   syndrome and skips the instruction); a fetch from the execute-never page (instruction abort at EL2); a
 *   stage-1 walk that hits a stage-2 fault (S1PTW); stores to an S2AP read-only page; loads from a page that is
 *   Device in stage 2; HVC #1 makes EL2 print PAR_EL1 after AT S12E1R / S12E1W / S1E1R. HVC #4 switches stage 2
 *   to the 64 KiB granule (start level 2) leaving out the 64 KiB page at 0x40400000, HVC #5 prints AT results,
 *   HVC #6 / #7 switch VTTBR_EL2 between VMID 2 (another stage 2 for 0x40400000) and VMID 1 without TLB maintenance.
 */
#include "guest.h"

#define PAGE 0x1000ul
#define RAM_BASE 0x40000000ul
#define UART_IPA 0x09000000ul

#define EC_IABT_LOWER 0x20

/* Descriptor bits shared by both stages (D8.3); stage 2 has MemAttr[5:2] and S2AP[7:6] instead of AttrIndx/AP. */
#define D_VALID (1ul << 0)
#define D_TABLE (1ul << 1)
#define D_PAGE  (1ul << 1)
#define D_SH_IS (3ul << 8)
#define D_AF    (1ul << 10)
#define D_XN    (1ul << 54)     /* stage 2 XN[1] (XN[0] is RES0 without FEAT_XNX); stage 1 UXN */

#define S2_NORMAL (D_VALID | (0xful << 2) | (3ul << 6) | D_SH_IS | D_AF)   /* Normal WB, S2AP read/write */
#define S1_NORMAL (D_VALID | (1ul << 2) | D_SH_IS | D_AF)                  /* MAIR attr 1, EL1 RW */
#define S1_DEVICE (D_VALID | (0ul << 2) | D_AF | D_XN | (1ul << 53))          /* MAIR attr 0 */

#define HCR_VM (1ul << 0)
#define HCR_RW (1ul << 31)

/* VTCR_EL2 (D13.2.150): T0SZ=32, SL0=0 (start level 2), IRGN0/ORGN0 WB, SH0 inner, TG0 4K, PS 32 bits, RES1 31. */
#define VTCR_VALUE (32ul | (0ul << 6) | (1ul << 8) | (1ul << 10) | (3ul << 12) | (0ul << 14) | (0ul << 16) | (1ul << 31))
#define TCR_EL1_VALUE (25ul | (1ul << 8) | (1ul << 10) | (3ul << 12) | (1ul << 23) | (1ul << 32))

/* Stage 2: four concatenated level-2 tables (2 MiB entries over the 4 GiB IPA space) and a level-3 table for the
 * first 2 MiB of RAM (image, stacks, tables). */
static uint64_t s2l2[2048] __attribute__((aligned(16384)));
static uint64_t s2l3[512] __attribute__((aligned(4096)));

/* EL1 stage 1 (T0SZ 25, start level 1): e1l3x and e1l3y are left out of stage 2. */
static uint64_t e1l1[512] __attribute__((aligned(4096)));
static uint64_t e1l2[512] __attribute__((aligned(4096)));
static uint64_t e1l3a[512] __attribute__((aligned(4096)));
static uint64_t e1l3x[512] __attribute__((aligned(4096)));
static uint64_t e1l3y[512] __attribute__((aligned(4096)));

/* Stage 2 with the 64 KiB granule (HVC #4): level 2 (512 MiB entries, 8 used) and level 3 over the RAM. */
static uint64_t s2g2[8192] __attribute__((aligned(65536)));
static uint64_t s2g3[8192] __attribute__((aligned(65536)));
static int s2_granule64;
/* A second VM's stage 2 (VMID 2): the same map, but IPA 0x40400000-0x4040ffff backed by PA 0x40600000. */
static uint64_t s2h2[8192] __attribute__((aligned(65536)));
static uint64_t s2h3[8192] __attribute__((aligned(65536)));

/* VTCR_EL2 for the 64 KiB granule: T0SZ=32, SL0=1 (start level 2), TG0=0b01. */
#define VTCR_64K (32ul | (1ul << 6) | (1ul << 8) | (1ul << 10) | (3ul << 12) | (1ul << 14) | (0ul << 16) | (1ul << 31))

static volatile uint64_t missing[512] __attribute__((aligned(4096)));
static volatile uint64_t s2_readonly[512] __attribute__((aligned(4096)));   /* S2AP read-only */
static volatile uint64_t s2_device[512] __attribute__((aligned(4096)));     /* stage-2 MemAttr Device-nGnRnE */

extern char xn_page[];
uint64_t xn_func(void);

/* A function alone on its own page, which stage 2 makes execute-never. */
__asm__(
    "    .section .text.xn, \"ax\"\n"
    "    .balign 4096\n"
    "    .global xn_page, xn_func\n"
    "xn_page:\n"
    "xn_func:\n"
    "    mov x0, #0x77\n"
    "    ret\n"
    "    .balign 4096\n"
    "    .text\n");

static uint64_t s2_index(uint64_t pa) { return (pa - RAM_BASE) / PAGE; }

static void tlbi_ipa(uint64_t ipa)
{
    __asm__ volatile("dsb ishst\n tlbi ipas2e1is, %0\n dsb ish\n tlbi vmalle1is\n dsb ish\n isb"
                     : : "r"(ipa >> 12) : "memory");
}

static void build_tables(void)
{
    for (uint64_t i = 0; i < 2048; i++) s2l2[i] = 0;
    for (uint64_t i = 0; i < 64; i++) s2l2[(RAM_BASE >> 21) + i] = (RAM_BASE + (i << 21)) | S2_NORMAL;
    s2l2[RAM_BASE >> 21] = (uint64_t)s2l3 | D_VALID | D_TABLE;
    s2l2[0x40600000ul >> 21] = 0;
    for (uint64_t i = 0; i < 512; i++) s2l3[i] = (RAM_BASE + i * PAGE) | S2_NORMAL | D_PAGE;
    s2l3[s2_index((uint64_t)missing)] = 0;
    s2l3[s2_index((uint64_t)e1l3x)] = 0;
    s2l3[s2_index((uint64_t)e1l3y)] = 0;
    s2l3[s2_index((uint64_t)xn_page)] |= D_XN;
    s2l3[s2_index((uint64_t)s2_readonly)] &= ~(1ul << 7);             /* S2AP = 0b01: read-only */
    s2l3[s2_index((uint64_t)s2_device)] &= ~(0xful << 2);             /* MemAttr = 0b0000: Device-nGnRnE */

    e1l1[0] = 0 | S1_DEVICE;                           /* 1 GiB Device block: the UART IPA */
    e1l1[1] = (uint64_t)e1l2 | D_VALID | D_TABLE;
    for (uint64_t i = 0; i < 64; i++) e1l2[i] = (RAM_BASE + (i << 21)) | S1_NORMAL | D_XN;
    e1l2[0] = (uint64_t)e1l3a | D_VALID | D_TABLE;
    e1l2[2] = (uint64_t)e1l3x | D_VALID | D_TABLE;   /* 0x40400000 */
    e1l2[4] = (uint64_t)e1l3y | D_VALID | D_TABLE;   /* 0x40800000 */
    for (uint64_t i = 0; i < 512; i++) {
        e1l3a[i] = (RAM_BASE + i * PAGE) | S1_NORMAL | D_PAGE | D_XN;
        e1l3x[i] = (0x40400000ul + i * PAGE) | S1_NORMAL | D_PAGE | D_XN;
        e1l3y[i] = (0x40800000ul + i * PAGE) | S1_NORMAL | D_PAGE | D_XN;
    }
    missing[0] = 0x2222;
    s2_readonly[0] = 0x5555;
    s2_device[0] = 0x0706050403020100ul;
    s2_device[1] = 0x0f0e0d0c0b0a0908ul;
    *(volatile uint64_t *)0x40404000ul = 0x4444;
    *(volatile uint64_t *)0x40404008ul = 0x4848;
    *(volatile uint64_t *)0x40600000ul = 0x6060;
}

static void switch_to_64k(void)
{
    for (uint64_t i = 0; i < 8192; i++) {
        s2g2[i] = 0;
        s2g3[i] = i < 2048 ? (RAM_BASE + i * 0x10000ul) | S2_NORMAL | D_PAGE : 0;
    }
    s2g2[RAM_BASE >> 29] = (uint64_t)s2g3 | D_VALID | D_TABLE;
    s2g3[(0x40400000ul - RAM_BASE) >> 16] = 0;
    WRITE_SYSREG(vtcr_el2, VTCR_64K);
    WRITE_SYSREG(vttbr_el2, (uint64_t)s2g2 | (1ul << 48));
    ISB();
    __asm__ volatile("dsb ishst\n tlbi vmalls12e1is\n dsb ish\n isb" ::: "memory");
    s2_granule64 = 1;
    print("EL2: HVC #4: stage 2 now uses the 64 KiB granule (VTCR_EL2=0x%x), IPA 0x40400000-0x4040ffff left out\n",
          READ_SYSREG(vtcr_el2));
}

/* EL2's own stage 1 (TTBR0_EL2, TCR_EL2: T0SZ 25, start level 1): 1 GiB blocks, Device for the UART, Normal for
 * the RAM. In the EL2 regime AP[1] is RES1 and bit 53 is RES0 (D8.4 "Memory access control"). */
static uint64_t h2l1[512] __attribute__((aligned(4096)));
#define H2_AP1 (1ul << 6)
#define TCR_EL2_VALUE (25ul | (1ul << 8) | (1ul << 10) | (3ul << 12) | (0ul << 14) | (1ul << 16) | (1ul << 23) | (1ul << 31))
static int el2_mmu_test;

static void show_par(const char *op, uint64_t va);

#define AT(op, va) do { \
        __asm__ volatile("at " #op ", %0\n isb" : : "r"((uint64_t)(va)) : "memory"); \
        show_par(#op, (uint64_t)(va)); \
    } while (0)

static void el2_stage1(void)
{
    h2l1[0] = 0 | D_VALID | (0ul << 2) | D_AF | H2_AP1 | D_XN;
    h2l1[1] = RAM_BASE | D_VALID | (1ul << 2) | D_SH_IS | D_AF | H2_AP1;
    WRITE_SYSREG(mair_el2, 0xff00ul);
    WRITE_SYSREG(tcr_el2, TCR_EL2_VALUE);
    WRITE_SYSREG(ttbr0_el2, h2l1);
    ISB();
    __asm__ volatile("tlbi alle2is\n dsb ish\n isb" ::: "memory");
    WRITE_SYSREG(sctlr_el2, READ_SYSREG(sctlr_el2) | 1 | (1ul << 2) | (1ul << 12));
    ISB();
    print("EL2: own stage 1 on (TCR_EL2=0x%x), SCTLR_EL2.M=%d\n", READ_SYSREG(tcr_el2), READ_SYSREG(sctlr_el2) & 1);
    AT(s1e2r, 0x40404123ul);
    AT(s1e2w, 0x47fff000ul);
    AT(s1e2r, UART_IPA + 0x18);
    AT(s1e2r, 0x80000000ul);
    el2_mmu_test = 1;
    uint64_t v = 0x5a5a;
    __asm__ volatile("ldr %0, [%1]" : "+r"(v) : "r"(0x80000010ul) : "memory");
    el2_mmu_test = 0;
    print("EL2:   x unchanged: 0x%x\n", v);
    WRITE_SYSREG(sctlr_el2, READ_SYSREG(sctlr_el2) & ~(1ul | (1ul << 2) | (1ul << 12)));
    ISB();
    __asm__ volatile("tlbi alle2is\n dsb ish\n isb" ::: "memory");
    print("EL2: own stage 1 off\n");
}

static void show_par(const char *op, uint64_t va)
{
    uint64_t par = READ_SYSREG(par_el1);
    if (par & 1)
        print("EL2:   AT %s 0x%x: PAR=0x%x (F=1 FST=0x%x PTW=%d S=%d)\n", op, va, par, (par >> 1) & 0x3f,
              (par >> 8) & 1, (par >> 9) & 1);
    else if ((par >> 60) == 0)   /* Device: QEMU 7.2 reports the descriptor's SH, the Arm ARM says 0b10 */
        print("EL2:   AT %s 0x%x: PAR=0x%x (PA=0x%x ATTR=0x%x Device, SH not compared)\n", op, va, par & ~(3ul << 7),
              par & 0xfffffffff000ul, par >> 56);
    else
        print("EL2:   AT %s 0x%x: PAR=0x%x (PA=0x%x ATTR=0x%x SH=%d)\n", op, va, par, par & 0xfffffffff000ul,
              par >> 56, (par >> 7) & 3);
}

static void at_report(void)
{
    print("EL2: HVC #1: address translation of EL1 addresses (EL1 stage 1 %s)\n",
          (READ_SYSREG(sctlr_el1) & 1) ? "on" : "off");
    AT(s12e1r, 0x40404123ul);      /* both stages map it */
    AT(s12e1r, (uint64_t)s2_device + 8);
    AT(s12e1w, (uint64_t)s2_readonly);
    AT(s12e1w, (uint64_t)missing);
    AT(s1e1r, 0x40600000ul);       /* stage 1 maps it, stage 2 does not */
    AT(s12e1r, 0x40600000ul);
    AT(s12e1r, 0x80000000ul);      /* stage 1 level 1 entry invalid */
    AT(s12e1r, 0x40800010ul);      /* stage-1 table in an IPA page stage 2 leaves out */
    AT(s1e1r, 0x40800010ul);
}

static void report_abort(const char *what, struct frame *f, uint64_t ec, uint64_t iss)
{
    uint64_t hpfar = READ_SYSREG(hpfar_el2);
    print("EL2: %s: EC=0x%x ISV=%d SAS=%d SRT=%d WnR=%d S1PTW=%d xFSC=0x%x HPFAR_EL2=0x%x (IPA 0x%x) FAR_EL2=0x%x\n",
          what, ec, (iss >> 24) & 1, (iss >> 22) & 3, (iss >> 16) & 31, (iss >> 6) & 1, (iss >> 7) & 1, iss & 0x3f,
          hpfar, (hpfar >> 4) << 12, f->far);
}

/* PL011 emulation for the unmapped UART IPA: DR writes print, FR reads say "transmit FIFO empty". */
static void emulate_uart(struct frame *f, uint64_t iss, uint64_t ipa)
{
    uint64_t srt = (iss >> 16) & 31, sas = (iss >> 22) & 3, offset = ipa & 0xfff;
    if ((iss >> 6) & 1) {
        uint64_t value = srt == 31 ? 0 : f->x[srt];
        print("EL2: emulated UART write (ISV=1 SAS=%d SRT=%d WnR=1) offset 0x%x value 0x%x", sas, srt, offset, value);
        if (offset == 0 && value >= 0x20 && value < 0x7f) print(": '%c'", (int)value);
        print("\n");
    } else {
        uint64_t value = offset == 0x18 ? 0x90 : 0;
        print("EL2: emulated UART read (ISV=1 SAS=%d SRT=%d WnR=0) offset 0x%x: 0x%x\n", sas, srt, offset, value);
        if (srt != 31) f->x[srt] = value;
    }
    f->elr += 4;
}

void exception_handler(struct frame *f, unsigned idx, unsigned el)
{
    uint64_t ec = f->esr >> 26, iss = f->esr & 0x1ffffff;
    if (el == 2 && idx == VEC_CUR_SPX_SYNC && ec == EC_DABT_CUR && el2_mmu_test) {
        print("EL2: data abort from EL2: EC=0x%x DFSC=0x%x WnR=%d FAR_EL2=0x%x, skipping the load\n", ec, iss & 0x3f,
              (iss >> 6) & 1, f->far);
        f->elr += 4;
        return;
    }
    if (el != 2 || idx != VEC_LOWER64_SYNC) {
        print("EL%d: unexpected vector %d ESR=0x%x ELR=0x%x FAR=0x%x\n", (uint64_t)el, (uint64_t)idx, f->esr, f->elr, f->far);
        system_off();
    }
    if (ec == EC_HVC64) {
        switch (iss) {
        case 0:
            print("EL2: SYSTEM_OFF requested by EL1, forwarding with SMC\n");
            system_off();
        case 1: at_report(); return;
        case 2: print("EL1: %s\n", (const char *)f->x[0]); return;
        case 3: print("EL1: %s 0x%x\n", (const char *)f->x[0], f->x[1]); return;
        case 4: switch_to_64k(); return;
        case 6:
        case 7: {
            uint64_t vmid = iss == 6 ? 2 : 1;
            if (iss == 6) {
                for (uint64_t i = 0; i < 8192; i++) { s2h2[i] = s2g2[i]; s2h3[i] = s2g3[i]; }
                s2h2[RAM_BASE >> 29] = (uint64_t)s2h3 | D_VALID | D_TABLE;
                s2h3[(0x40400000ul - RAM_BASE) >> 16] = 0x40600000ul | S2_NORMAL | D_PAGE;
                *(volatile uint64_t *)0x40604000ul = 0x2244;
                __asm__ volatile("dsb ish" ::: "memory");
            }
            WRITE_SYSREG(vttbr_el2, (iss == 6 ? (uint64_t)s2h2 : (uint64_t)s2g2) | (vmid << 48));
            ISB();
            print("EL2: HVC #%d: VTTBR_EL2 now VMID %d, no TLB maintenance\n", iss, vmid);
            return;
        }
        case 5:
            print("EL2: HVC #5: address translation with the 64 KiB stage 2\n");
            AT(s12e1r, 0x40404123ul);
            AT(s12e1r, 0x40600008ul);
            AT(s12e1r, 0x41234560ul);
            AT(s12e1r, 0x80000000ul);
            AT(s12e1r, UART_IPA);
            return;
        default: break;
        }
    } else if (ec == EC_DABT_LOWER) {
        uint64_t ipa = ((READ_SYSREG(hpfar_el2) >> 4) << 12) | (f->far & 0xfff);
        if ((ipa & ~0xffful) == UART_IPA && ((iss >> 24) & 1)) {
            emulate_uart(f, iss, ipa);
            return;
        }
        report_abort("stage-2 data abort", f, ec, iss);
        uint64_t page = ipa & ~0xffful;
        if (s2_granule64 && page >= RAM_BASE && page < RAM_BASE + 0x8000000ul) {
            page = ipa & ~0xfffful;
            s2g3[(page - RAM_BASE) >> 16] = page | S2_NORMAL | D_PAGE;
            tlbi_ipa(page);
            print("EL2:   mapped the 64 KiB IPA page 0x%x, retrying\n", page);
            return;
        }
        if (page >= RAM_BASE && page < RAM_BASE + 0x200000ul) {
            s2l3[s2_index(page)] = page | S2_NORMAL | D_PAGE;
            tlbi_ipa(page);
            print("EL2:   mapped IPA 0x%x, retrying\n", page);
            return;
        }
    } else if (ec == EC_IABT_LOWER) {
        report_abort("stage-2 instruction abort", f, ec, iss);
        uint64_t page = (READ_SYSREG(hpfar_el2) >> 4) << 12;
        if (page == (uint64_t)xn_page) {
            s2l3[s2_index(page)] &= ~D_XN;
            tlbi_ipa(page);
            print("EL2:   cleared stage-2 XN of IPA 0x%x, retrying\n", page);
            return;
        }
    }
    print("EL2: unexpected EC=0x%x ISS=0x%x ELR=0x%x FAR=0x%x\n", ec, iss, f->elr, f->far);
    system_off();
}

static void say(const char *msg)
{
    register uint64_t x0 __asm__("x0") = (uint64_t)msg;
    __asm__ volatile("hvc #2" : : "r"(x0) : "memory");
}

static void say_value(const char *msg, uint64_t value)
{
    register uint64_t x0 __asm__("x0") = (uint64_t)msg;
    register uint64_t x1 __asm__("x1") = value;
    __asm__ volatile("hvc #3" : : "r"(x0), "r"(x1) : "memory");
}

static void uart_accesses(void)
{
    uint64_t fr;
    __asm__ volatile("mov x4, %1\n"
                     "ldr w7, [x4, #0x18]\n"
                     "mov w5, #'h'\n"
                     "str w5, [x4]\n"
                     "mov w6, #'i'\n"
                     "strb w6, [x4]\n"
                     "mov w9, #'\\n'\n"
                     "strh w9, [x4]\n"
                     "mov %0, x7\n"
                     : "=r"(fr) : "r"(UART_IPA) : "x4", "x5", "x6", "x7", "x9", "memory");
    say_value("UART FR as emulated by EL2:", fr);
}

static void el1_main(void) __attribute__((noreturn));

static void el1_main(void)
{
    say_value("running at EL", current_el());
    say("stage 1 off: load from the IPA page stage 2 leaves out");
    say_value("  loaded", missing[0]);
    say("stage 1 off: store to it again (now mapped)");
    missing[1] = 0x3333;
    say("stage 1 off: UART accesses through the unmapped IPA");
    uart_accesses();
    __asm__ volatile("hvc #1" ::: "memory");

    WRITE_SYSREG(sctlr_el1, READ_SYSREG(sctlr_el1) | 1 | (1ul << 2) | (1ul << 12));
    ISB();
    say("stage 1 on");
    say("load through a stage-1 table that stage 2 leaves out (S1PTW)");
    say_value("  loaded", *(volatile uint64_t *)0x40404000ul);
    say("store through the Device block to the UART IPA");
    __asm__ volatile("mov w3, #'!'\n str w3, [%0]\n mov w3, #'\\n'\n str w3, [%0]" : : "r"(UART_IPA) : "x3", "memory");
    say_value("load from the S2AP read-only page:", s2_readonly[0]);
    say("store to the S2AP read-only page");
    s2_readonly[1] = 0x6666;
    say_value("  reads back", s2_readonly[1]);
    say_value("aligned load from the stage-2 Device page:", s2_device[1]);
#ifdef STAGE2_ALIGNMENT
    /* AArch64.S2Translate (S2HasAlignmentFault): an unaligned access to memory that stage 2 makes Device is a
     * stage-2 Alignment fault taken to EL2. QEMU 7.2 does not fault, so this is only in bin/mmu_s2_align.elf,
     * which MmuGuestTests checks against the Arm ARM instead of against QEMU. */
    say("unaligned load from the stage-2 Device page (stage 1 Normal)");
    uint64_t unaligned;
    __asm__ volatile("ldr %0, [%1]" : "=r"(unaligned) : "r"((uint64_t)s2_device + 4) : "memory");
    say_value("  loaded", unaligned);
#endif
    say("call a function on a stage-2 execute-never page");
    say_value("  returned", xn_func());
    __asm__ volatile("hvc #1" ::: "memory");
    __asm__ volatile("hvc #4" ::: "memory");
    say_value("load from 0x40404008 (left out of the 64 KiB stage 2):", *(volatile uint64_t *)0x40404008ul);
    say_value("load from 0x40600000 (now mapped in stage 2):", *(volatile uint64_t *)0x40600000ul);
    __asm__ volatile("hvc #5" ::: "memory");
    __asm__ volatile("hvc #6" ::: "memory");
    say_value("VMID 2: load from 0x40404000:", *(volatile uint64_t *)0x40404000ul);
    __asm__ volatile("hvc #7" ::: "memory");
    say_value("VMID 1: load from 0x40404000:", *(volatile uint64_t *)0x40404000ul);
    __asm__ volatile("hvc #6" ::: "memory");
    say_value("VMID 2 again: load from 0x40404000:", *(volatile uint64_t *)0x40404000ul);
    __asm__ volatile("hvc #7" ::: "memory");
    say("powering off via HVC to EL2");
    hvc_call(PSCI_SYSTEM_OFF);
    for (;;) __asm__ volatile("wfi");
}

int main(unsigned el)
{
    print("mmu_s2 guest at EL%d\n", (uint64_t)el);
    if (el != 2) {
        print("this guest needs EL2 (armvirt --el 2, QEMU -M virt,virtualization=on)\n");
        return 0;
    }
    el2_stage1();
    build_tables();
    print("EL2: stage 2 leaves out IPA 0x%x (data), 0x%x and 0x%x (EL1 stage-1 tables), 0x40600000-0x407fffff and "
          "the UART; 0x%x is execute-never\n", (uint64_t)missing, (uint64_t)e1l3x, (uint64_t)e1l3y, (uint64_t)xn_page);
    WRITE_SYSREG(vtcr_el2, VTCR_VALUE);
    WRITE_SYSREG(vttbr_el2, (uint64_t)s2l2 | (1ul << 48));
    WRITE_SYSREG(mair_el1, 0xff00ul);
    WRITE_SYSREG(tcr_el1, TCR_EL1_VALUE);
    WRITE_SYSREG(ttbr0_el1, e1l1);
    WRITE_SYSREG(hcr_el2, HCR_RW | HCR_VM);
    ISB();
    __asm__ volatile("tlbi alle1is\n dsb ish\n isb" ::: "memory");
    print("EL2: VTCR_EL2=0x%x VTTBR_EL2=0x%x HCR_EL2=0x%x\n", READ_SYSREG(vtcr_el2), READ_SYSREG(vttbr_el2),
          READ_SYSREG(hcr_el2));
    WRITE_SYSREG(sp_el1, __stack_el1_top);
    WRITE_SYSREG(spsr_el2, 0x3c5ul);   /* EL1h, DAIF masked */
    WRITE_SYSREG(elr_el2, el1_main);
    ISB();
    print("EL2: entering EL1\n");
    __asm__ volatile("eret" ::: "memory");
    __builtin_unreachable();
}
