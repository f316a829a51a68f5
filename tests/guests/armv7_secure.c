/*
 * armv7_secure.elf: the Security Extensions on -M virt,secure=on,virtualization=on -cpu cortex-a15 (armvirt --cpu
 * cortex-a15 --el 3), built by arm-linux-gnueabihf-gcc. Starting in Secure Supervisor mode it prints the reset state of
 * SCR, NSACR, SDER and SCTLR(S), writes the Secure instances of banked CP15 registers, takes an SVC and an UNDEFINED in
 * Secure state (VBAR(S)), turns on the Secure PL1&0 MMU with a section whose NS bit is set (ATS1CPR: PAR(S).NS) and SMCs
 * into Monitor mode (MVBAR + 0x08). The monitor reads and writes both banks by SCR.NS, saves SP_svc by MRS (banked), and
 * enters Non-secure Supervisor mode, where the Non-secure banks are seen, SCR is UNDEFINED, NSACR readable, an SVC uses
 * VBAR(NS); an IRQ under SCR.IRQ is taken to Monitor mode (MVBAR + 0x18) and without it to Non-secure IRQ mode; Hyp mode
 * is entered from the monitor (SCR.NS = 1) and takes an HVC; then the monitor returns to Secure state, whose registers
 * are as it left them. The guest ends waiting for an interrupt with all masked (QEMU's secure=on has no PSCI).
 */
#include <stdint.h>
#include "common/armv7_console.h"

#define GICD 0x08000000u
#define GICC 0x08010000u

static inline uint32_t cpsr(void) { uint32_t v; __asm__ volatile("mrs %0, cpsr" : "=r"(v)); return v; }
static inline uint32_t spsr(void) { uint32_t v; __asm__ volatile("mrs %0, spsr" : "=r"(v)); return v; }
static inline void set_spsr(uint32_t v) { __asm__ volatile("msr spsr_cxsf, %0" :: "r"(v)); }

#define SCR_NS (1u << 0)
#define SCR_IRQ (1u << 1)
#define SCR_HCE (1u << 8)
#define SCR() MRC(0, 1, 1, 0)
#define SET_SCR(v) do { MCR(0, 1, 1, 0, v); ISB(); } while (0)

static uint32_t smc(uint32_t fn)
{
    register uint32_t r0 __asm__("r0") = fn;
    __asm__ volatile("smc #0" : "+r"(r0) :: "memory", "r1", "r2", "r3", "r12", "lr");
    return r0;
}

extern char pl1_vectors[], hyp_vectors[], ns_entry[], hyp_entry[];

static volatile uint32_t in_ns;
static volatile uint32_t shared_word = 0x5ec0ffeeu;
static uint32_t l1_table[4096] __attribute__((aligned(16384)));

/* ---- The PL1 modes' exceptions (both worlds: each VBAR points at pl1_vectors) ---- */

void pl1_exception(uint32_t offset, uint32_t *frame)
{
    uint32_t lr = frame[13];
    puts_(in_ns ? "ns" : "secure");
    puts_(" pl1 exception: offset=");
    hex(offset);
    puts_(" cpsr.mode=");
    hex(cpsr() & 0x1F);
    puts_(" spsr.mode=");
    hex(spsr() & 0x1F);
    puts_("\n");
    if (offset == 0x04) frame[13] = lr;          /* UNDEFINED: LR = the next instruction (A32) */
    if (offset == 0x18) {
        uint32_t iar = r32(GICC + 0x0C);
        kv("  intid", iar & 0x3FF);
        w32(GICC + 0x10, iar);
        frame[13] = lr - 4;
    }
}

/* ---- Hyp mode (entered from the monitor) ---- */

void hyp_exception(uint32_t unused, uint32_t *frame)
{
    (void)unused; (void)frame;
    uint32_t hsr = MRC(4, 5, 2, 0);
    puts_("hyp exception: hsr.ec=");
    hex(hsr >> 26);
    puts_(" hsr.iss=");
    hex(hsr & 0xFFFF);
    puts_(" cpsr.mode=");
    hex(cpsr() & 0x1F);
    puts_("\n");
}

uint32_t hyp_main(void)
{
    kv("hyp: cpsr.mode", cpsr() & 0x1F);
    kv("hyp: hvbar", MRC(4, 12, 0, 0) == (uint32_t)hyp_vectors);
    __asm__ volatile("hvc #0x5" ::: "memory");
    return 3;                                     /* back to Secure state */
}

/* ---- Monitor mode ---- */

static uint32_t saved_sp_svc, saved_lr_svc, saved_secure_lr, saved_secure_spsr;

static void show_banks(const char *when)
{
    uint32_t scr = SCR();
    SET_SCR(scr & ~SCR_NS);
    uint32_t s_tpidr = MRC(0, 13, 0, 4), s_vbar = MRC(0, 12, 0, 0), s_dacr = MRC(0, 3, 0, 0), s_ctx = MRC(0, 13, 0, 1);
    SET_SCR(scr | SCR_NS);
    uint32_t ns_tpidr = MRC(0, 13, 0, 4), ns_vbar = MRC(0, 12, 0, 0), ns_dacr = MRC(0, 3, 0, 0), ns_ctx = MRC(0, 13, 0, 1);
    SET_SCR(scr);
    puts_(when);
    puts_(": tpidrprw s/ns=");
    hex(s_tpidr); puts_("/"); hex(ns_tpidr);
    puts_(" vbar s/ns=");
    hex(s_vbar == (uint32_t)pl1_vectors); puts_("/"); hex(ns_vbar == (uint32_t)pl1_vectors);
    puts_(" dacr s/ns=");
    hex(s_dacr); puts_("/"); hex(ns_dacr);
    puts_(" contextidr s/ns=");
    hex(s_ctx); puts_("/"); hex(ns_ctx);
    puts_("\n");
}

void mon_exception(uint32_t offset, uint32_t *frame)
{
    uint32_t scr = SCR();
    puts_("monitor: offset=");
    hex(offset);
    puts_(" cpsr.mode=");
    hex(cpsr() & 0x1F);
    puts_(" spsr=");
    hex(spsr() & 0xFF);
    puts_(" scr=");
    hex(scr);
    puts_("\n");
    if (offset == 0x18) {                          /* an IRQ routed here by SCR.IRQ */
        uint32_t iar = r32(GICC + 0x0C);
        kv("  intid", iar & 0x3FF);
        w32(GICC + 0x10, iar);
        frame[13] -= 4;
        return;
    }
    if (offset != 0x08) return;
    switch (frame[0]) {
    case 1: {                                      /* from Secure SVC: go to Non-secure SVC */
        __asm__ volatile("mrs %0, SP_svc" : "=r"(saved_sp_svc));
        __asm__ volatile("mrs %0, LR_svc" : "=r"(saved_lr_svc));
        saved_secure_lr = frame[13];
        saved_secure_spsr = spsr();
        MCR(0, 1, 1, 2, 3u << 10);                 /* NSACR: cp10, cp11 */
        SET_SCR(SCR_NS | SCR_HCE | SCR_IRQ);
        MCR(0, 13, 0, 4, 0x4e500001u);             /* TPIDRPRW(NS) */
        MCR(0, 12, 0, 0, (uint32_t)pl1_vectors);   /* VBAR(NS) */
        MCR(0, 3, 0, 0, 0xffffffffu);              /* DACR(NS) */
        MCR(0, 13, 0, 1, 0x4e500003u);             /* CONTEXTIDR(NS) */
        show_banks("  monitor");
        frame[13] = (uint32_t)ns_entry;
        set_spsr(0x1d3);                           /* Non-secure SVC, A, I, F masked */
        break;
    }
    case 4:                                        /* from NS: raise SGI 1 as Group 0, taken to Monitor (SCR.IRQ) */
        w32(GICD + 0xF00, (2u << 24) | 1);
        DSB();
        set_spsr(spsr() & ~0x80u);                 /* return with IRQs unmasked */
        break;
    case 5:                                        /* from NS: SGI 2 as Group 1 with SCR.IRQ clear: Non-secure IRQ mode */
        SET_SCR(scr & ~SCR_IRQ);
        w32(GICD + 0x80, 1u << 2);                 /* GICD_IGROUPR0: INTID 2 in Group 1 */
        w32(GICD + 0xF00, (2u << 24) | (1u << 15) | 2);
        DSB();
        set_spsr(spsr() & ~0x80u);
        break;
    case 2:                                        /* from NS: enter Hyp mode */
        MCR(4, 12, 0, 0, (uint32_t)hyp_vectors);   /* HVBAR, writable from Monitor mode with SCR.NS = 1 */
        frame[13] = (uint32_t)hyp_entry;
        set_spsr(0x1da);
        break;
    case 3:                                        /* back to Secure SVC */
        SET_SCR(scr & ~(SCR_NS | SCR_IRQ));
        __asm__ volatile("msr SP_svc, %0" :: "r"(saved_sp_svc));
        __asm__ volatile("msr LR_svc, %0" :: "r"(saved_lr_svc));
        frame[13] = saved_secure_lr;
        set_spsr(saved_secure_spsr);
        frame[0] = 0x600d;
        break;
    default:
        frame[0] = 0xdead;
    }
}

/* ---- Non-secure Supervisor mode ---- */

uint32_t ns_main(void)
{
    in_ns = 1;
    kv("ns: cpsr", cpsr() & 0x1FF);
    kv("ns: tpidrprw", MRC(0, 13, 0, 4));
    kv("ns: contextidr", MRC(0, 13, 0, 1));
    kv("ns: dacr", MRC(0, 3, 0, 0));
    kv("ns: sctlr", MRC(0, 1, 0, 0));
    kv("ns: nsacr", MRC(0, 1, 1, 2));
    puts_("ns: reading SCR\n");
    (void)MRC(0, 1, 1, 0);                         /* UNDEFINED in Non-secure state */
    __asm__ volatile("svc #0x22" ::: "memory");
    MCR(0, 7, 8, 0, 0x40081234u);                  /* ATS1CPR with the MMU off: PAR(NS).NS = 1 */
    ISB();
    kv("ns: par", MRC(0, 7, 4, 0));
    /* The GIC was set up from Secure state; the monitor raises the SGIs. */
    smc(4);
    puts_("ns: after the irq taken to monitor\n");
    smc(5);
    puts_("ns: after the irq taken in ns\n");
    __asm__ volatile("cpsid i" ::: "memory");
    return 2;                                      /* to Hyp mode */
}

/* ---- Secure Supervisor mode ---- */

static void secure_mmu(void)
{
    /* Sections: the GIC and UART as Device memory, RAM as Normal write-back (NS = 0), and 0x80000000 mapping the RAM
       at 0x40000000 with NS = 1. AP = 0b011 (full access), domain 0. */
    for (uint32_t mb = 0x080; mb < 0x0A0; mb++) l1_table[mb] = (mb << 20) | (3u << 10) | (1u << 4) | (1u << 2) | 2;
    for (uint32_t mb = 0x400; mb < 0x410; mb++) l1_table[mb] = (mb << 20) | (3u << 10) | (3u << 2) | 2;
    l1_table[0x800] = 0x40000000u | (1u << 19) | (3u << 10) | (3u << 2) | 2;
    DSB();
    MCR(0, 2, 0, 2, 0);                            /* TTBCR(S) = 0 */
    MCR(0, 2, 0, 0, (uint32_t)l1_table);           /* TTBR0(S) */
    MCR(0, 3, 0, 0, 0x55555555u);                  /* DACR(S): clients */
    MCR(0, 8, 7, 0, 0);                            /* TLBIALL */
    DSB();
    ISB();
    MCR(0, 1, 0, 0, MRC(0, 1, 0, 0) | 1);          /* SCTLR(S).M */
    ISB();
}

void secure_main(void)
{
    puts_("armv7_secure: Security Extensions on cortex-a15\n");
    kv("cpsr", cpsr() & 0x1FF);
    kv("scr", SCR());
    kv("nsacr", MRC(0, 1, 1, 2));
    kv("sder", MRC(0, 1, 1, 1));
    kv("sctlr(s)", MRC(0, 1, 0, 0));
    kv("mvbar is mon_vectors", MRC(0, 12, 0, 1) != 0);
    kv("id_pfr1", MRC(0, 0, 1, 1));

    /* The Secure banks. */
    MCR(0, 13, 0, 4, 0x5ec00001u);                 /* TPIDRPRW(S) */
    MCR(0, 13, 0, 1, 0x5ec00003u);                 /* CONTEXTIDR(S) */
    MCR(2, 0, 0, 0, 2);                            /* CSSELR(S): L1 instruction cache */
    kv("csselr(s)", MRC(2, 0, 0, 0));
    kv("ccsidr for csselr(s)", MRC(1, 0, 0, 0));
    MCR(0, 1, 1, 1, 3);                            /* SDER */
    kv("sder written", MRC(0, 1, 1, 1));

    __asm__ volatile("svc #0x11" ::: "memory");
    __asm__ volatile(".word 0xe7f000f0" ::: "memory"); /* UDF */

    /* GIC: both groups enabled, AckCtl (Secure may acknowledge Group 1), SGIs in Group 0. */
    w32(GICD + 0x000, 3);
    w32(GICD + 0x080, 0);
    w32(GICC + 0x004, 0xFF);
    w32(GICC + 0x000, 7);

    secure_mmu();
    kv("sctlr(s).m", MRC(0, 1, 0, 0) & 1);
    MCR(0, 7, 8, 0, (uint32_t)&shared_word);       /* ATS1CPR: Secure section */
    ISB();
    kv("par(s) secure section", MRC(0, 7, 4, 0));
    uint32_t alias = 0x80000000u + ((uint32_t)&shared_word - 0x40000000u);
    MCR(0, 7, 8, 0, alias);                        /* ATS1CPR: the NS = 1 section */
    ISB();
    kv("par(s) ns section", MRC(0, 7, 4, 0));
    kv("read through the ns alias", *(volatile uint32_t *)alias);
    uint32_t par_s = MRC(0, 7, 4, 0);

    /* To Non-secure state and back, through the monitor. */
    uint32_t r = smc(1);
    kv("secure: smc returned", r);
    kv("secure: cpsr", cpsr() & 0x1FF);
    kv("secure: scr", SCR());
    kv("secure: tpidrprw", MRC(0, 13, 0, 4));
    kv("secure: contextidr", MRC(0, 13, 0, 1));
    kv("secure: dacr", MRC(0, 3, 0, 0));
    kv("secure: par unchanged", MRC(0, 7, 4, 0) == par_s);
    kv("secure: sctlr.m", MRC(0, 1, 0, 0) & 1);
    puts_("armv7_secure: done\n");
}
