/*
 * doorbell.elf: the guest of samples/CustomDevice, a custom MMIO device a user adds to the machine with
 * MachineBuilder.WithDevice (compatible "acme,doorbell"). At EL1 it
 * - finds the device and the interrupt controller in the device tree the machine generated (for an ELF kernel both
 *   ArmVirt and QEMU put the DTB at the base of RAM: hw/arm/boot.c), reading "reg" and "interrupts" as a driver does
 *   (Devicetree Specification v0.4, 5.4 "Structure Block"; the arm,gic binding's three interrupt cells);
 * - brings up the GIC the tree names, GICv2 (arm,cortex-a15-gic: GICD_ITARGETSR) or GICv3 (arm,gic-v3: GICD_IROUTER,
 *   the GICR_WAKER handshake and the ICC_* system registers), with the device's SPI enabled (Group 0 on GICv2, Group 1 on GICv3);
 * - rings the doorbell three times and takes each interrupt: the handler acknowledges it at the GIC, reads the
 *   device's DATA, acknowledges the device (which lowers the level-sensitive line) and ends the interrupt;
 * - rings with interrupts masked: the SPI is pending (ISR_EL1.I, GICD_ISPENDR) until the device is acknowledged, and a
 *   level-sensitive interrupt is pending only while its input is asserted, unless software made it pending (the
 *   interrupt handling state machine of the GIC architecture specifications, IHI 0048B and IHI 0069);
 * - waits in WFI for the host to ring it (the sample's program does so when it sees "waiting for the host").
 * Without the device (QEMU, or armvirt without the sample) it says so and powers off.
 * Register map of the device: samples/CustomDevice/Doorbell.cs.
 */
#include "guest.h"

#define REG32(a) (*(volatile uint32_t *)(a))

/* ---- The doorbell's registers (samples/CustomDevice/Doorbell.cs) ---- */
#define DB_ID     0x00  /* RO: "DBEL" */
#define DB_RING   0x04  /* WO: rings with a value */
#define DB_DATA   0x08  /* RO: the value of the last ring */
#define DB_STATUS 0x0c  /* RO: bit 0 PENDING (the interrupt line), bit 1 OVERRUN */
#define DB_ACK    0x10  /* WO: 1 clears PENDING and OVERRUN, lowering the line */
#define DB_COUNT  0x14  /* RO: rings so far */

/* ---- A flattened device tree reader (Devicetree Specification v0.4, chapter 5) ---- */
#define FDT_MAGIC 0xd00dfeedu
enum { FDT_BEGIN_NODE = 1, FDT_END_NODE = 2, FDT_PROP = 3, FDT_NOP = 4, FDT_END = 9 };

static uint32_t be32(const void *p)
{
    const uint8_t *b = p;
    return ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) | ((uint32_t)b[2] << 8) | b[3];
}

static uint64_t be64(const void *p) { return ((uint64_t)be32(p) << 32) | be32((const uint8_t *)p + 4); }

static int streq(const char *a, const char *b)
{
    while (*a && *a == *b) { a++; b++; }
    return *a == *b;
}

/* Whether a "compatible" string list contains want. */
static int compatible_has(const char *list, uint32_t len, const char *want)
{
    for (uint32_t i = 0; i < len; ) {
        if (streq(list + i, want)) return 1;
        while (i < len && list[i]) i++;
        i++;
    }
    return 0;
}

struct node_info {
    const char *compatible;
    uint32_t compatible_len;
    const uint8_t *reg;
    uint32_t reg_len;
    const uint8_t *interrupts;
    uint32_t interrupts_len;
};

struct found {
    uint64_t db_base, db_size;
    uint32_t db_spi_type, db_spi, db_flags;
    int gic_version;                   /* 0: no GIC node found */
    uint64_t gicd, gicc_or_gicr;
};

/* Walks the root's children (the nodes of -M virt's tree are all children of the root, with 2 address and 2 size cells). */
static int fdt_scan(const uint8_t *fdt, struct found *out)
{
    if (be32(fdt) != FDT_MAGIC) return 0;
    const uint8_t *p = fdt + be32(fdt + 8);           /* off_dt_struct */
    const char *strings = (const char *)fdt + be32(fdt + 12); /* off_dt_strings */
    int depth = 0, found_db = 0;
    struct node_info n = { 0 };
    for (;;) {
        uint32_t token = be32(p);
        p += 4;
        if (token == FDT_BEGIN_NODE) {
            const char *name = (const char *)p;
            uint32_t len = 0;
            while (name[len]) len++;
            p += (len + 1 + 3) & ~3u;
            depth++;
            if (depth == 2) n = (struct node_info){ 0 };
        } else if (token == FDT_END_NODE) {
            if (depth == 2 && n.compatible && n.reg) {
                if (compatible_has(n.compatible, n.compatible_len, "acme,doorbell") && n.reg_len >= 16 && n.interrupts_len >= 12) {
                    out->db_base = be64(n.reg);
                    out->db_size = be64(n.reg + 8);
                    out->db_spi_type = be32(n.interrupts);
                    out->db_spi = be32(n.interrupts + 4);
                    out->db_flags = be32(n.interrupts + 8);
                    found_db = 1;
                } else if (compatible_has(n.compatible, n.compatible_len, "arm,cortex-a15-gic") && n.reg_len >= 32) {
                    out->gic_version = 2;
                    out->gicd = be64(n.reg);
                    out->gicc_or_gicr = be64(n.reg + 16);
                } else if (compatible_has(n.compatible, n.compatible_len, "arm,gic-v3") && n.reg_len >= 32) {
                    out->gic_version = 3;
                    out->gicd = be64(n.reg);
                    out->gicc_or_gicr = be64(n.reg + 16);
                }
            }
            if (--depth == 0) break;
        } else if (token == FDT_PROP) {
            uint32_t len = be32(p), nameoff = be32(p + 4);
            const uint8_t *value = p + 8;
            p += 8 + ((len + 3) & ~3u);
            if (depth != 2) continue;
            const char *name = strings + nameoff;
            if (streq(name, "compatible")) { n.compatible = (const char *)value; n.compatible_len = len; }
            else if (streq(name, "reg")) { n.reg = value; n.reg_len = len; }
            else if (streq(name, "interrupts")) { n.interrupts = value; n.interrupts_len = len; }
        } else if (token == FDT_NOP) {
            continue;
        } else {
            break; /* FDT_END or a malformed tree */
        }
    }
    return found_db;
}

/* ---- The GIC the tree names ---- */
static struct found dev;
static unsigned intid;

#define GICD(off) REG32(dev.gicd + (off))
#define GICC(off) REG32(dev.gicc_or_gicr + (off))

static void gic_init(void)
{
    if (dev.gic_version == 3) {
        GICD(0x000) = (1u << 4) | (1u << 1);              /* GICD_CTLR: ARE, EnableGrp1 (DS = 1) */
        while (GICD(0x000) & (1u << 31)) { }              /* RWP */
        REG32(dev.gicc_or_gicr + 0x14) &= ~(1u << 1);     /* GICR_WAKER.ProcessorSleep */
        while (REG32(dev.gicc_or_gicr + 0x14) & (1u << 2)) { } /* ChildrenAsleep */
        *(volatile uint64_t *)(dev.gicd + 0x6000 + 8 * intid) = 0; /* GICD_IROUTER: affinity 0.0.0.0, this CPU */
        WRITE_SYSREG(S3_0_C12_C12_5, READ_SYSREG(S3_0_C12_C12_5) | 1); /* ICC_SRE_EL1.SRE */
        ISB();
        WRITE_SYSREG(S3_0_C4_C6_0, 0xf0);                 /* ICC_PMR_EL1 */
        WRITE_SYSREG(S3_0_C12_C12_7, 1);                  /* ICC_IGRPEN1_EL1 */
        ISB();
        GICD(0x080 + 4 * (intid / 32)) |= 1u << (intid % 32); /* GICD_IGROUPR: Group 1 (ICC_IAR1_EL1) */
    } else {
        /* Group 0 (the reset value), signalled as IRQ while GICC_CTLR.FIQEn is 0, as pmu.c uses it. */
        GICD(0x000) = 1;                                  /* GICD_CTLR.EnableGrp0 */
        *(volatile uint8_t *)(dev.gicd + 0x800 + intid) = 1; /* GICD_ITARGETSR: CPU interface 0 */
        GICC(0x004) = 0xf0;                               /* GICC_PMR */
        GICC(0x000) = 1;                                  /* GICC_CTLR.EnableGrp0 */
    }
    *(volatile uint8_t *)(dev.gicd + 0x400 + intid) = 0xa0; /* GICD_IPRIORITYR */
    GICD(0x100 + 4 * (intid / 32)) = 1u << (intid % 32);  /* GICD_ISENABLER */
}

static unsigned gic_ack(void) { return dev.gic_version == 3 ? (unsigned)READ_SYSREG(S3_0_C12_C12_0) : GICC(0x00c); }

static void gic_eoi(unsigned iar)
{
    if (dev.gic_version == 3) WRITE_SYSREG(S3_0_C12_C12_1, iar);
    else GICC(0x010) = iar;
}

static unsigned gic_pending(void) { return (GICD(0x200 + 4 * (intid / 32)) >> (intid % 32)) & 1; }

/* ---- The interrupt handler ---- */
static volatile unsigned interrupts;
static volatile uint32_t last_data;

#define DB(off) REG32(dev.db_base + (off))

void exception_handler(struct frame *f, unsigned idx, unsigned el)
{
    (void)el;
    if (idx != VEC_CUR_SPX_IRQ) {
        print("unexpected vector %d ESR=0x%x ELR=0x%x\n", (uint64_t)idx, f->esr, f->elr);
        system_off();
    }
    unsigned iar = gic_ack();
    unsigned id = iar & 0xffffff;
    if (dev.gic_version == 2) id &= 0x3ff;
    if (id != intid) {
        print("IRQ: unexpected INTID %d\n", (uint64_t)id);
        gic_eoi(iar);
        return;
    }
    uint32_t status = DB(DB_STATUS), data = DB(DB_DATA);
    DB(DB_ACK) = 1;                                       /* the device lowers its line */
    last_data = data;
    interrupts++;
    print("IRQ: INTID %d DATA=0x%x STATUS=0x%x COUNT=%d; acknowledged: STATUS=0x%x\n", (uint64_t)id, (uint64_t)data,
          (uint64_t)status, (uint64_t)DB(DB_COUNT), (uint64_t)DB(DB_STATUS));
    gic_eoi(iar);
}

static void irq_window(void) { __asm__ volatile("msr daifclr, #2\n isb\n nop\n msr daifset, #2\n isb" ::: "memory"); }

int main(unsigned el)
{
    const uint8_t *fdt = (const uint8_t *)0x40000000ul;
    print("doorbell guest at EL%d\n", (uint64_t)el);
    if (!fdt_scan(fdt, &dev)) {
        print("no acme,doorbell device in the device tree at 0x40000000\n");
        return 0;
    }
    if (dev.gic_version == 0 || dev.db_spi_type != 0) {
        print("doorbell: no GIC node, or an interrupt that is not an SPI (type %d)\n", (uint64_t)dev.db_spi_type);
        return 0;
    }
    intid = 32 + dev.db_spi;
    print("device tree: acme,doorbell at 0x%x size 0x%x, SPI %d (INTID %d, flags %d); GICv%d at 0x%x, 0x%x\n",
          dev.db_base, dev.db_size, (uint64_t)dev.db_spi, (uint64_t)intid, (uint64_t)dev.db_flags,
          (uint64_t)dev.gic_version, dev.gicd, dev.gicc_or_gicr);
    uint32_t id = DB(DB_ID);
    print("ID=0x%x (%c%c%c%c) STATUS=0x%x COUNT=%d\n", (uint64_t)id, (int)(id >> 24), (int)((id >> 16) & 0xff),
          (int)((id >> 8) & 0xff), (int)(id & 0xff), (uint64_t)DB(DB_STATUS), (uint64_t)DB(DB_COUNT));
    gic_init();

    /* Three rings, each taken as an interrupt in the window where IRQs are unmasked. */
    static const uint32_t values[] = { 0x1234, 0xcafe, 0xd00dfeed };
    for (unsigned i = 0; i < 3; i++) {
        print("ring 0x%x\n", (uint64_t)values[i]);
        DB(DB_RING) = values[i];
        __asm__ volatile("dsb sy" ::: "memory");
        irq_window();
    }
    print("%d interrupts, last DATA=0x%x\n", (uint64_t)interrupts, (uint64_t)last_data);

    /* Masked: the level-sensitive SPI stays pending while the line is high, and is not once the device drops it. */
    DB(DB_RING) = 0x55;
    DB(DB_RING) = 0x66;                                   /* before the first was acknowledged: OVERRUN */
    __asm__ volatile("dsb sy\n isb" ::: "memory");
    print("masked: rang twice: STATUS=0x%x ISR_EL1.I=%d pending=%d\n", (uint64_t)DB(DB_STATUS),
          (READ_SYSREG(isr_el1) >> 7) & 1, (uint64_t)gic_pending());
    DB(DB_ACK) = 1;
    __asm__ volatile("dsb sy\n isb" ::: "memory");
    print("masked: acknowledged: STATUS=0x%x ISR_EL1.I=%d pending=%d\n", (uint64_t)DB(DB_STATUS),
          (READ_SYSREG(isr_el1) >> 7) & 1, (uint64_t)gic_pending());
    irq_window();
    print("%d interrupts after unmasking\n", (uint64_t)interrupts);

    /* The host's turn: sleep until its ring arrives. */
    unsigned before = interrupts;
    print("waiting for the host\n");
    while (interrupts == before) {
        __asm__ volatile("wfi");
        irq_window();
    }
    print("the host rang: DATA=0x%x, COUNT=%d\n", (uint64_t)last_data, (uint64_t)DB(DB_COUNT));
    return 0;
}
