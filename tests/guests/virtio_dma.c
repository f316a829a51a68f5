/*
 * virtio-blk DMA into code that already ran: a minimal polling virtio-mmio (version 2) driver for the block device
 * in the highest slot (0x0a003e00, where QEMU and ArmVirt put the first drive) reads sector 0 of the disk over a
 * function the guest called 100,000 times (so a recompiling emulator has translated it), then calls it again.
 * Sector 0 of the test's image holds "mov w0, #2; ret" (and sector 1 "mov w0, #3; ret"); the function first holds
 * "mov w0, #1; ret". The guest does no instruction-cache maintenance after the DMA on purpose (as on a CPU with
 * CTR_EL0.DIC = 1): the device's write alone must make the emulator drop the translation. QEMU's TCG does.
 * VIRTIO 1.2: 4.2.2 MMIO register layout, 3.1.1 initialisation, 2.7 split virtqueues, 5.2.6 block requests.
 */
#include "guest.h"

#define VIRTIO_BASE 0x0a003e00UL
#define REG(off) (*(volatile uint32_t *)(VIRTIO_BASE + (off)))
enum {
    MAGIC = 0x000, VERSION = 0x004, DEVICE_ID = 0x008, DEVICE_FEATURES = 0x010, DEVICE_FEATURES_SEL = 0x014,
    DRIVER_FEATURES = 0x020, DRIVER_FEATURES_SEL = 0x024, QUEUE_SEL = 0x030, QUEUE_NUM_MAX = 0x034, QUEUE_NUM = 0x038,
    QUEUE_READY = 0x044, QUEUE_NOTIFY = 0x050, INTERRUPT_STATUS = 0x060, INTERRUPT_ACK = 0x064, STATUS = 0x070,
    QUEUE_DESC = 0x080, QUEUE_DRIVER = 0x090, QUEUE_DEVICE = 0x0a0,
};
enum { ACKNOWLEDGE = 1, DRIVER = 2, DRIVER_OK = 4, FEATURES_OK = 8 };
#define QSIZE 8

struct desc { uint64_t addr; uint32_t len; uint16_t flags, next; };
struct avail { uint16_t flags, idx, ring[QSIZE], used_event; };
struct used_elem { uint32_t id, len; };
struct used { uint16_t flags, idx; struct used_elem ring[QSIZE]; uint16_t avail_event; };
struct blk_req { uint32_t type, reserved; uint64_t sector; };

static volatile struct desc descs[QSIZE] __attribute__((aligned(16)));
static volatile struct avail avail __attribute__((aligned(16)));
static volatile struct used used __attribute__((aligned(16)));
static volatile struct blk_req req __attribute__((aligned(16)));
static volatile uint8_t status_byte;
/* The function the device overwrites: one page of its own. */
static uint32_t code[1024] __attribute__((aligned(4096)));

typedef uint64_t (*fn_t)(void);

static void sync_icache(void *p)
{
    /* The guest's own write to code (before the first call) does need maintenance (Arm ARM B2.4.4). */
    __asm__ volatile("dc cvau, %0\n dsb ish\n ic ivau, %0\n dsb ish\n isb" :: "r"(p) : "memory");
}

static uint64_t call_many(void)
{
    uint64_t sum = 0;
    for (int i = 0; i < 100000; i++) sum += ((fn_t)(void *)code)();
    return sum;
}

static void set64(unsigned off, uint64_t v)
{
    REG(off) = (uint32_t)v;
    REG(off + 4) = (uint32_t)(v >> 32);
}

static int init_device(void)
{
    if (REG(MAGIC) != 0x74726976 || REG(VERSION) != 2 || REG(DEVICE_ID) != 2) return -1;
    REG(STATUS) = 0;
    REG(STATUS) = ACKNOWLEDGE;
    REG(STATUS) = ACKNOWLEDGE | DRIVER;
    REG(DEVICE_FEATURES_SEL) = 1;
    if (!(REG(DEVICE_FEATURES) & 1)) return -2; /* VIRTIO_F_VERSION_1 (bit 32) */
    REG(DRIVER_FEATURES_SEL) = 0;
    REG(DRIVER_FEATURES) = 0;
    REG(DRIVER_FEATURES_SEL) = 1;
    REG(DRIVER_FEATURES) = 1;
    REG(STATUS) = ACKNOWLEDGE | DRIVER | FEATURES_OK;
    if (!(REG(STATUS) & FEATURES_OK)) return -3;
    REG(QUEUE_SEL) = 0;
    if (REG(QUEUE_NUM_MAX) < QSIZE) return -4;
    REG(QUEUE_NUM) = QSIZE;
    set64(QUEUE_DESC, (uint64_t)descs);
    set64(QUEUE_DRIVER, (uint64_t)&avail);
    set64(QUEUE_DEVICE, (uint64_t)&used);
    REG(QUEUE_READY) = 1;
    REG(STATUS) = ACKNOWLEDGE | DRIVER | FEATURES_OK | DRIVER_OK;
    return 0;
}

/* VIRTIO_BLK_T_IN of one sector into code[]: header (device-readable), data and status (device-writable). */
static int read_sector(uint64_t sector)
{
    req.type = 0;
    req.reserved = 0;
    req.sector = sector;
    status_byte = 0xff;
    descs[0] = (struct desc){ (uint64_t)&req, sizeof req, 1, 1 };
    descs[1] = (struct desc){ (uint64_t)code, 512, 1 | 2, 2 };
    descs[2] = (struct desc){ (uint64_t)&status_byte, 1, 2, 0 };
    uint16_t idx = avail.idx;
    avail.ring[idx % QSIZE] = 0;
    __asm__ volatile("dmb ishst" ::: "memory");
    avail.idx = idx + 1;
    __asm__ volatile("dsb sy" ::: "memory");
    REG(QUEUE_NOTIFY) = 0;
    while (used.idx != (uint16_t)(idx + 1)) { }
    __asm__ volatile("dmb ish" ::: "memory");
    REG(INTERRUPT_ACK) = REG(INTERRUPT_STATUS);
    return status_byte;
}

int main(unsigned el)
{
    (void)el;
    uart_init();
    code[0] = 0x52800020; /* mov w0, #1 */
    code[1] = 0xd65f03c0; /* ret */
    sync_icache(code);
    print("before: %d\n", call_many());
    int r = init_device();
    if (r != 0) {
        print("virtio-blk init failed: %d\n", (uint64_t)(int64_t)r);
        return 0;
    }
    for (uint64_t sector = 0; sector < 2; sector++) {
        int status = read_sector(sector);
        __asm__ volatile("isb" ::: "memory"); /* no IC IVAU: see the comment at the top */
        print("sector %d: status %d, code %x, sum %d\n", sector, (uint64_t)status, (uint64_t)code[0], call_many());
    }
    return 0;
}

void exception_handler(struct frame *f, unsigned idx, unsigned el)
{
    print("unexpected exception: vector %d EL%d ESR %x ELR %x FAR %x\n", (uint64_t)idx, (uint64_t)el, f->esr, f->elr, f->far);
    system_off();
}
