/*
 * minivmm: a minimal KVM userspace for arm64 Linux hosts, written for ArmVirt's nested-virtualization boot test
 * and benchmark (tests/linux/README.md). It runs one guest with one vCPU, or with --cpus N several, each on its own
 * thread (vCPUs 1..N-1 start powered off, KVM_ARM_VCPU_POWER_OFF, until the guest's PSCI CPU_ON, which KVM answers):
 *
 *   1. opens /dev/kvm, checks the API version, KVM_CREATE_VM (default 40-bit IPA space);
 *   2. maps anonymous memory as guest RAM at IPA 0x4000_0000 (KVM_SET_USER_MEMORY_REGION, slot 0);
 *   3. KVM_CREATE_VCPU (per vCPU), KVM_ARM_PREFERRED_TARGET + KVM_ARM_VCPU_INIT with the PSCI 0.2 feature, so that KVM
 *      answers the guest's PSCI calls (HVC) itself and reports SYSTEM_OFF / SYSTEM_RESET as system events;
 *   4. creates the in-kernel vGIC (KVM_CREATE_DEVICE: a vGICv3 if the host has one, else a vGICv2; --gic picks),
 *      places its distributor and CPU interface / redistributor where the device tree says and initialises it,
 *      so the guest gets its generic timer interrupts from KVM without any help from here; when KVM reports
 *      KVM_CAP_ARM_PMU_V3 (the host has a PMUv3), gives the vCPU KVM's virtual PMU with its overflow interrupt on
 *      PPI 7 (KVM_ARM_VCPU_PMU_V3, then KVM_ARM_VCPU_PMU_V3_IRQ and _INIT once the vGIC exists), as QEMU's virt;
 *   5. loads a Linux arm64 Image (at RAM base + text_offset, as Documentation/arch/arm64/booting.rst asks), an
 *      optional initramfs and a device tree it writes itself (memory, one cpu with enable-method psci, psci with
 *      method hvc, the GIC node matching the vGIC, arm,armv8-timer, arm,armv8-pmuv3 with the vPMU, a PL011 and
 *      its clock, chosen with bootargs,
 *      stdout-path and linux,initrd-start/end); x0 = DTB address, PC = kernel entry (KVM_SET_ONE_REG);
 *   6. runs each vCPU (KVM_RUN) and handles the exits: KVM_EXIT_MMIO for a PL011 UART at 0x0900_0000 (enough of
 *      it for earlycon=pl011 and the amba-pl011 driver: DR, FR, the ID registers; the rest read back what was
 *      written; no interrupts, the driver never needs them because the transmit FIFO is never full) whose output
 *      goes to stdout, line by line, each line prefixed with --prefix; KVM_EXIT_SYSTEM_EVENT ends the run.
 *
 * Exit status: 0 the guest powered off (PSCI SYSTEM_OFF), 3 it asked for a reset (PSCI SYSTEM_RESET, e.g. a
 * panic with panic=-1), 4 it crashed (KVM_SYSTEM_EVENT_CRASH), 1 anything else (a message names it), 2 bad usage.
 * On exit it prints one line "minivmm: ..." with the reason, the number of exits and the guest run time (and, with
 * several vCPUs, each one's MMIO exits: a vCPU that printed has some).
 *
 * Freestanding: no C library (raw Linux system calls, its own _start), so that it builds with nothing but
 * Debian's gcc-aarch64-linux-gnu (no arm64 libc or kernel headers); the KVM ABI it needs is declared below from
 * the kernel's documentation (Documentation/virt/kvm/api.rst, devices/arm-vgic.rst, devices/arm-vgic-v3.rst).
 *
 *   minivmm --kernel IMAGE [--initrd FILE] [--append "CMDLINE"] [--memory MIB] [--gic auto|2|3] [--cpus N] [--prefix STR]
 *   minivmm --aarch32 IMAGE [--memory MIB] [--gic auto|2|3] [--prefix STR]
 *      (an AArch32 EL1 guest, KVM_ARM_VCPU_EL1_32BIT: a flat A32 image loaded and entered at RAM base, in Supervisor
 *      mode as KVM resets a 32-bit vCPU; the host's KVM must report KVM_CAP_ARM_EL1_32BIT)
 *   minivmm --dump-dtb FILE [--gic 2|3] [--append ...] [--memory MIB]    (writes the device tree, no KVM needed)
 *
 * Our own code (ArmVirt project).
 */

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long u64;
typedef long s64;

/* ---- Linux system calls (arm64 numbers, include/uapi/asm-generic/unistd.h) ---- */

enum {
    SYS_ioctl = 29, SYS_openat = 56, SYS_close = 57, SYS_lseek = 62, SYS_read = 63, SYS_write = 64,
    SYS_exit = 93, SYS_exit_group = 94, SYS_sched_yield = 124, SYS_clock_gettime = 113, SYS_clone = 220, SYS_mmap = 222,
};

static s64 syscall6(s64 n, s64 a, s64 b, s64 c, s64 d, s64 e, s64 f)
{
    register s64 x8 __asm__("x8") = n;
    register s64 x0 __asm__("x0") = a;
    register s64 x1 __asm__("x1") = b;
    register s64 x2 __asm__("x2") = c;
    register s64 x3 __asm__("x3") = d;
    register s64 x4 __asm__("x4") = e;
    register s64 x5 __asm__("x5") = f;
    __asm__ volatile("svc #0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5) : "memory");
    return x0;
}

#define AT_FDCWD (-100)
#define O_RDONLY 0
#define O_RDWR 2
#define O_CLOEXEC 02000000
#define PROT_READ 1
#define PROT_WRITE 2
#define MAP_SHARED 0x01
#define MAP_PRIVATE 0x02
#define MAP_ANONYMOUS 0x20
#define MAP_NORESERVE 0x4000
#define EINTR 4
#define EAGAIN 11
#define CLOCK_MONOTONIC 1

static s64 sys_open(const char *path, int flags) { return syscall6(SYS_openat, AT_FDCWD, (s64)path, flags | O_CLOEXEC, 0, 0, 0); }
static s64 sys_read(int fd, void *buf, u64 n) { return syscall6(SYS_read, fd, (s64)buf, (s64)n, 0, 0, 0); }
static s64 sys_write(int fd, const void *buf, u64 n) { return syscall6(SYS_write, fd, (s64)buf, (s64)n, 0, 0, 0); }
static s64 sys_lseek(int fd, s64 off, int whence) { return syscall6(SYS_lseek, fd, off, whence, 0, 0, 0); }
static s64 sys_close(int fd) { return syscall6(SYS_close, fd, 0, 0, 0, 0, 0); }
static s64 sys_ioctl(int fd, u64 request, u64 arg) { return syscall6(SYS_ioctl, fd, (s64)request, (s64)arg, 0, 0, 0); }
static void *sys_mmap(u64 len, int prot, int flags, int fd)
{
    return (void *)syscall6(SYS_mmap, 0, (s64)len, prot, flags, fd, 0);
}
static int mmap_failed(void *p) { return (u64)p >= (u64)-4095; }
static __attribute__((noreturn)) void sys_exit(int code)
{
    for (;;) syscall6(SYS_exit_group, code, 0, 0, 0, 0, 0);
}

struct timespec { s64 tv_sec; s64 tv_nsec; };
static u64 now_ns(void)
{
    struct timespec t;
    syscall6(SYS_clock_gettime, CLOCK_MONOTONIC, (s64)&t, 0, 0, 0, 0);
    return (u64)t.tv_sec * 1000000000ul + (u64)t.tv_nsec;
}

/* ---- the few library functions the compiler and this file need ---- */

void *memset(void *d, int c, u64 n)
{
    u8 *p = d;
    while (n--) *p++ = (u8)c;
    return d;
}

void *memcpy(void *d, const void *s, u64 n)
{
    u8 *p = d;
    const u8 *q = s;
    while (n--) *p++ = *q++;
    return d;
}

static u64 str_len(const char *s)
{
    u64 n = 0;
    while (s[n]) n++;
    return n;
}

static int str_eq(const char *a, const char *b)
{
    while (*a && *a == *b) a++, b++;
    return *a == *b;
}

static void put_str(int fd, const char *s) { sys_write(fd, s, str_len(s)); }

/* Appends the decimal (or, with base 16, 0x-prefixed hex) form of v to buf at *len. */
static void fmt_u64(char *buf, u64 *len, u64 v, int base)
{
    char tmp[24];
    int n = 0;
    if (base == 16) buf[(*len)++] = '0', buf[(*len)++] = 'x';
    do tmp[n++] = "0123456789abcdef"[v % base], v /= base; while (v);
    while (n) buf[(*len)++] = tmp[--n];
}

/* Prints "minivmm: " + text + [number] + "\n" to fd as one write. */
static void say(int fd, const char *text, const char *more, s64 number, int base)
{
    char line[512];
    u64 n = 0;
    for (const char *s = "minivmm: "; *s; s++) line[n++] = *s;
    for (const char *s = text; *s && n < 300; s++) line[n++] = *s;
    for (const char *s = more ? more : ""; *s && n < 440; s++) line[n++] = *s;
    if (base) {
        if (number < 0 && base == 10) line[n++] = '-', number = -number;
        fmt_u64(line, &n, (u64)number, base);
    }
    line[n++] = '\n';
    sys_write(fd, line, n);
}

static __attribute__((noreturn)) void die(const char *what, s64 error)
{
    say(2, what, error ? " failed: errno " : "", error ? -error : 0, error ? 10 : 0);
    sys_exit(1);
}

/* ---- the KVM ABI (include/uapi/linux/kvm.h, arch/arm64/include/uapi/asm/kvm.h) ---- */

#define KVMIO 0xAE
#define IOC(dir, nr, size) (((u64)(dir) << 30) | ((u64)(size) << 16) | ((u64)KVMIO << 8) | (nr))
#define IO(nr) IOC(0, nr, 0)
#define IOW(nr, size) IOC(1, nr, size)
#define IOR(nr, size) IOC(2, nr, size)
#define IOWR(nr, size) IOC(3, nr, size)

struct kvm_userspace_memory_region { u32 slot, flags; u64 guest_phys_addr, memory_size, userspace_addr; };
struct kvm_one_reg { u64 id, addr; };
struct kvm_vcpu_init { u32 target; u32 features[7]; };
struct kvm_create_device { u32 type, fd, flags; };
struct kvm_device_attr { u32 flags, group; u64 attr, addr; };

#define KVM_GET_API_VERSION IO(0x00)
#define KVM_CREATE_VM IO(0x01)
#define KVM_CHECK_EXTENSION IO(0x03)
#define KVM_GET_VCPU_MMAP_SIZE IO(0x04)
#define KVM_CREATE_VCPU IO(0x41)
#define KVM_SET_USER_MEMORY_REGION IOW(0x46, sizeof(struct kvm_userspace_memory_region))
#define KVM_RUN IO(0x80)
#define KVM_SET_ONE_REG IOW(0xac, sizeof(struct kvm_one_reg))
#define KVM_ARM_VCPU_INIT IOW(0xae, sizeof(struct kvm_vcpu_init))
#define KVM_ARM_PREFERRED_TARGET IOR(0xaf, sizeof(struct kvm_vcpu_init))
#define KVM_CREATE_DEVICE IOWR(0xe0, sizeof(struct kvm_create_device))
#define KVM_SET_DEVICE_ATTR IOW(0xe1, sizeof(struct kvm_device_attr))

#define KVM_API_VERSION 12
#define KVM_ARM_VCPU_POWER_OFF 0       /* vcpu feature bits */
#define KVM_ARM_VCPU_EL1_32BIT 1
#define KVM_ARM_VCPU_PSCI_0_2 2
#define KVM_ARM_VCPU_PMU_V3 3
#define KVM_CAP_ARM_PMU_V3 126
#define KVM_CAP_ARM_EL1_32BIT 93
#define KVM_ARM_VCPU_PMU_V3_CTRL 0     /* vcpu device attribute group */
#define KVM_ARM_VCPU_PMU_V3_IRQ 0
#define KVM_ARM_VCPU_PMU_V3_INIT 1
#define PMU_PPI 7
#define KVM_DEV_TYPE_ARM_VGIC_V2 5
#define KVM_DEV_TYPE_ARM_VGIC_V3 7
#define KVM_CREATE_DEVICE_TEST 1
#define KVM_DEV_ARM_VGIC_GRP_ADDR 0
#define KVM_DEV_ARM_VGIC_GRP_NR_IRQS 3
#define KVM_DEV_ARM_VGIC_GRP_CTRL 4
#define KVM_DEV_ARM_VGIC_CTRL_INIT 0
#define KVM_VGIC_V2_ADDR_TYPE_DIST 0
#define KVM_VGIC_V2_ADDR_TYPE_CPU 1
#define KVM_VGIC_V3_ADDR_TYPE_DIST 2
#define KVM_VGIC_V3_ADDR_TYPE_REDIST 3

/* KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | (offset in struct kvm_regs / 4): x0 at 0, pc at 32 * 8. */
#define REG_CORE(word) (0x6030000000100000ul | (word))
#define REG_X0 REG_CORE(0)
#define REG_PC REG_CORE(64)

/* struct kvm_run: exit_reason at offset 8, the exit's data at offset 32. */
struct kvm_run_head { u8 request_interrupt_window, immediate_exit, padding[6]; u32 exit_reason; u8 ready, if_flag; u16 flags; u64 cr8, apic_base; };
struct kvm_run_mmio { u64 phys_addr; u8 data[8]; u32 len; u8 is_write; };
struct kvm_run_system_event { u32 type, ndata; u64 data[16]; };
struct kvm_run_fail_entry { u64 hardware_entry_failure_reason; u32 cpu; };
#define KVM_EXIT_MMIO 6
#define KVM_EXIT_FAIL_ENTRY 9
#define KVM_EXIT_INTR 10
#define KVM_EXIT_INTERNAL_ERROR 17
#define KVM_EXIT_SYSTEM_EVENT 24
#define KVM_SYSTEM_EVENT_SHUTDOWN 1
#define KVM_SYSTEM_EVENT_RESET 2
#define KVM_SYSTEM_EVENT_CRASH 3

/* ---- the guest's memory map: QEMU -M virt's, as ArmVirt's ---- */

#define RAM_BASE 0x40000000ul
#define GIC_DIST 0x08000000ul
#define GIC_CPU 0x08010000ul         /* vGICv2 CPU interface (8 KiB, KVM maps the GICV frame there) */
#define GIC_REDIST 0x080A0000ul      /* vGICv3 redistributors, 2 x 64 KiB per vCPU */
#define GIC_REDIST_SIZE 0x20000ul
#define MAX_CPUS 8
#define UART_BASE 0x09000000ul
#define UART_SIZE 0x1000ul
#define UART_SPI 1

/* ---- a flattened device tree writer (Devicetree Specification v0.4, chapter 5) ---- */

#define FDT_BEGIN_NODE 1
#define FDT_END_NODE 2
#define FDT_PROP 3
#define FDT_END 9

static u8 dt_struct[8192], dt_strings[1024];
static u32 dt_struct_len, dt_strings_len;

static void be32_at(u8 *p, u32 v) { p[0] = v >> 24, p[1] = v >> 16, p[2] = v >> 8, p[3] = (u8)v; }

static void dt_word(u32 v)
{
    if (dt_struct_len + 4 > sizeof dt_struct) die("device tree too large", 0);
    be32_at(dt_struct + dt_struct_len, v);
    dt_struct_len += 4;
}

static void dt_bytes(const void *data, u32 n)
{
    if (dt_struct_len + n + 3 > sizeof dt_struct) die("device tree too large", 0);
    memcpy(dt_struct + dt_struct_len, data, n);
    dt_struct_len += n;
    while (dt_struct_len & 3) dt_struct[dt_struct_len++] = 0;
}

/* Offset of name in the strings block, adding it the first time. */
static u32 dt_string(const char *name)
{
    for (u32 i = 0; i < dt_strings_len; i += (u32)str_len((char *)dt_strings + i) + 1)
        if (str_eq((char *)dt_strings + i, name)) return i;
    u32 n = (u32)str_len(name) + 1, at = dt_strings_len;
    if (at + n > sizeof dt_strings) die("device tree strings too large", 0);
    memcpy(dt_strings + at, name, n);
    dt_strings_len += n;
    return at;
}

static void dt_begin(const char *name) { dt_word(FDT_BEGIN_NODE); dt_bytes(name, (u32)str_len(name) + 1); }
static void dt_end(void) { dt_word(FDT_END_NODE); }

static void dt_prop(const char *name, const void *value, u32 n)
{
    dt_word(FDT_PROP);
    dt_word(n);
    dt_word(dt_string(name));
    dt_bytes(value, n);
}

/* A property of big-endian cells. */
static void dt_cells(const char *name, const u32 *cells, u32 count)
{
    u8 buf[64];
    for (u32 i = 0; i < count; i++) be32_at(buf + 4 * i, cells[i]);
    dt_prop(name, buf, 4 * count);
}

static void dt_u32(const char *name, u32 v) { dt_cells(name, &v, 1); }
static void dt_u64(const char *name, u64 v) { u32 c[2] = { (u32)(v >> 32), (u32)v }; dt_cells(name, c, 2); }
static void dt_str(const char *name, const char *s) { dt_prop(name, s, (u32)str_len(s) + 1); }

/* A string list: the strings separated by '\0' in s, n bytes in all including the last '\0'. */
static void dt_strs(const char *name, const char *s, u32 n) { dt_prop(name, s, n); }

/* Two address/size pairs of 2 cells each per region. */
static void dt_reg(u64 a0, u64 s0, u64 a1, u64 s1, int regions)
{
    u32 c[8] = { (u32)(a0 >> 32), (u32)a0, (u32)(s0 >> 32), (u32)s0, (u32)(a1 >> 32), (u32)a1, (u32)(s1 >> 32), (u32)s1 };
    dt_cells("reg", c, 4 * regions);
}

#define PHANDLE_GIC 1
#define PHANDLE_CLOCK 2

/* Writes the guest's device tree into dst (at most max bytes); returns its size. */
static u32 build_fdt(u8 *dst, u32 max, u64 ram_size, const char *bootargs, u64 initrd_start, u64 initrd_end, int gic, u32 cpus, int pmu)
{
    dt_begin("");
    dt_u32("#address-cells", 2);
    dt_u32("#size-cells", 2);
    dt_str("compatible", "linux,dummy-virt");
    dt_str("model", "minivmm");
    dt_u32("interrupt-parent", PHANDLE_GIC);

    dt_begin("chosen");
    dt_str("bootargs", bootargs);
    dt_str("stdout-path", "/pl011@9000000");
    if (initrd_end > initrd_start) {
        dt_u64("linux,initrd-start", initrd_start);
        dt_u64("linux,initrd-end", initrd_end);
    }
    dt_end();

    dt_begin("memory@40000000");
    dt_str("device_type", "memory");
    dt_reg(RAM_BASE, ram_size, 0, 0, 1);
    dt_end();

    dt_begin("cpus");
    dt_u32("#address-cells", 1);
    dt_u32("#size-cells", 0);
    for (u32 i = 0; i < cpus; i++) {
        char name[8] = "cpu@0";
        name[4] = (char)('0' + i);
        dt_begin(name);
        dt_str("device_type", "cpu");
        dt_str("compatible", "arm,armv8");
        dt_u32("reg", i);      /* KVM's MPIDR for vCPU i: Aff0 = i */
        dt_str("enable-method", "psci");
        dt_end();
    }
    dt_end();

    dt_begin("psci");
    static const char psci[] = "arm,psci-1.0\0arm,psci-0.2";
    dt_strs("compatible", psci, sizeof psci);
    dt_str("method", "hvc");
    dt_end();

    if (gic == 3) {
        dt_begin("intc@8000000");
        dt_str("compatible", "arm,gic-v3");
        dt_reg(GIC_DIST, 0x10000, GIC_REDIST, GIC_REDIST_SIZE * cpus, 2);
        dt_u32("#redistributor-regions", 1);
    } else {
        dt_begin("intc@8000000");
        dt_str("compatible", "arm,cortex-a15-gic");
        dt_reg(GIC_DIST, 0x1000, GIC_CPU, 0x2000, 2);
    }
    dt_u32("#interrupt-cells", 3);
    dt_u32("#address-cells", 0);
    dt_prop("interrupt-controller", "", 0);
    dt_u32("phandle", PHANDLE_GIC);
    dt_end();

    /* PPIs 13, 14, 11, 10 (secure phys, non-secure phys, virtual, hyp), level-high; a GICv2 also takes the
     * mask of CPUs the PPI goes to in bits 15:8 (every vCPU). */
    u32 ppi_flags = gic == 3 ? 0x04 : ((1u << cpus) - 1) << 8 | 0x04;
    u32 timer[12] = { 1, 13, ppi_flags, 1, 14, ppi_flags, 1, 11, ppi_flags, 1, 10, ppi_flags };
    dt_begin("timer");
    dt_str("compatible", "arm,armv8-timer");
    dt_cells("interrupts", timer, 12);
    dt_prop("always-on", "", 0);
    dt_end();

    if (pmu) {
        u32 pmu_irq[3] = { 1, PMU_PPI, ppi_flags };
        dt_begin("pmu");
        dt_str("compatible", "arm,armv8-pmuv3");
        dt_cells("interrupts", pmu_irq, 3);
        dt_end();
    }

    /* The PL011's clock, which the AMBA bus enables before it reads the peripheral ID registers. */
    dt_begin("apb-pclk");
    dt_str("compatible", "fixed-clock");
    dt_u32("#clock-cells", 0);
    dt_u32("clock-frequency", 24000000);
    dt_str("clock-output-names", "clk24mhz");
    dt_u32("phandle", PHANDLE_CLOCK);
    dt_end();

    dt_begin("pl011@9000000");
    static const char uart[] = "arm,pl011\0arm,primecell";
    static const char clock_names[] = "uartclk\0apb_pclk";
    u32 uart_irq[3] = { 0, UART_SPI, 4 };
    u32 clocks[2] = { PHANDLE_CLOCK, PHANDLE_CLOCK };
    dt_strs("compatible", uart, sizeof uart);
    dt_reg(UART_BASE, UART_SIZE, 0, 0, 1);
    dt_cells("interrupts", uart_irq, 3);
    dt_strs("clock-names", clock_names, sizeof clock_names);
    dt_cells("clocks", clocks, 2);
    dt_end();

    dt_end();
    dt_word(FDT_END);

    /* Header (10 big-endian words), an empty memory reservation map, the structure block, the strings. */
    u32 off_rsvmap = 40, off_struct = off_rsvmap + 16, off_strings = off_struct + dt_struct_len;
    u32 total = off_strings + dt_strings_len;
    if (total > max) die("device tree does not fit", 0);
    memset(dst, 0, total);
    u32 header[10] = { 0xd00dfeed, total, off_struct, off_strings, off_rsvmap, 17, 16, 0, dt_strings_len, dt_struct_len };
    for (int i = 0; i < 10; i++) be32_at(dst + 4 * i, header[i]);
    memcpy(dst + off_struct, dt_struct, dt_struct_len);
    memcpy(dst + off_strings, dt_strings, dt_strings_len);
    return total;
}

/* ---- the guest's console: a PL011 (Arm PrimeCell UART PL011 TRM, DDI 0183) ---- */

#define UART_DR 0x000
#define UART_FR 0x018
#define UART_FR_RXFE 0x10    /* receive FIFO empty: there is never input */
#define UART_FR_TXFE 0x80    /* transmit FIFO empty: output is written out at once */

static u32 uart_regs[UART_SIZE / 4];
/* Peripheral ID 0x00141011 (PL011 r1p5) and the PrimeCell ID 0xb105f00d, one byte per word at 0xFE0..0xFFC. */
static const u8 uart_id[8] = { 0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };

static char out_line[4096];
static u64 out_len;

/* The UART and the console line are shared by the vCPU threads: one lock around each MMIO exit's handling. */
static volatile u32 uart_lock;
static void lock_uart(void) { while (__atomic_exchange_n(&uart_lock, 1, __ATOMIC_ACQUIRE)) syscall6(SYS_sched_yield, 0, 0, 0, 0, 0, 0); }
static void unlock_uart(void) { __atomic_store_n(&uart_lock, 0, __ATOMIC_RELEASE); }
static const char *out_prefix = "";

static void console_flush(void)
{
    if (!out_len) return;
    char buf[4096 + 256];
    u64 n = 0;
    for (const char *s = out_prefix; *s && n < 256; s++) buf[n++] = *s;
    memcpy(buf + n, out_line, out_len);
    n += out_len;
    sys_write(1, buf, n);
    out_len = 0;
}

static void console_putc(char c)
{
    if (c == '\r') return;                 /* the outer console adds its own */
    out_line[out_len++] = c;
    if (c == '\n' || out_len == sizeof out_line) console_flush();
}

static u32 uart_read(u64 offset)
{
    if (offset == UART_FR) return UART_FR_RXFE | UART_FR_TXFE;
    if (offset == UART_DR) return 0;
    if (offset >= 0xFE0) return uart_id[(offset - 0xFE0) / 4];
    if (offset == 0x03C || offset == 0x040) return 0;   /* RIS, MIS: no interrupt is ever raised */
    return uart_regs[offset / 4];
}

static void uart_write(u64 offset, u32 value)
{
    if (offset == UART_DR) console_putc((char)value);
    else if (offset < 0xFE0) uart_regs[offset / 4] = value;
}

/* ---- loading ---- */

/* Reads the whole file at path into dst (at most max bytes); returns its size. */
static u64 load_file(const char *path, u8 *dst, u64 max, const char *what)
{
    s64 fd = sys_open(path, O_RDONLY);
    if (fd < 0) {
        say(2, "cannot open ", path, 0, 0);
        sys_exit(1);
    }
    s64 size = sys_lseek((int)fd, 0, 2 /* SEEK_END */), r = size < 0 ? size : sys_lseek((int)fd, 0, 0 /* SEEK_SET */);
    if (r < 0) die("lseek", r);
    if ((u64)size > max) {
        say(2, what, " does not fit in guest RAM (bytes): ", size, 10);
        sys_exit(1);
    }
    u64 done = 0;
    while (done < (u64)size) {
        s64 r = sys_read((int)fd, dst + done, (u64)size - done);
        if (r == -EINTR) continue;
        if (r <= 0) die("read", r ? r : -5);
        done += (u64)r;
    }
    sys_close((int)fd);
    return done;
}

static u64 le64(const u8 *p)
{
    u64 v = 0;
    for (int i = 7; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}

static u64 parse_u64(const char *s)
{
    u64 v = 0;
    if (!*s) return 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9') return 0;
        v = v * 10 + (u64)(*s - '0');
    }
    return v;
}

static __attribute__((noreturn)) void usage(void)
{
    put_str(2, "usage: minivmm --kernel IMAGE [--initrd FILE] [--append CMDLINE] [--memory MIB] [--gic auto|2|3] [--cpus N] [--prefix STR]\n"
                 "       minivmm --aarch32 IMAGE [--memory MIB] [--gic auto|2|3] [--prefix STR]\n"
                 "       minivmm --dump-dtb FILE [--gic 2|3] [--append CMDLINE] [--memory MIB]\n");
    sys_exit(2);
}

/* ---- the VMM ---- */

static int set_device_attr(int fd, u32 group, u64 attr, u64 *value)
{
    struct kvm_device_attr a = { 0, group, attr, (u64)value };
    return (int)sys_ioctl(fd, KVM_SET_DEVICE_ATTR, (u64)&a);
}

/* Creates the in-kernel vGIC of version gic (2 or 3, or 0: v3 if the host has one, else v2); returns the version. */
static int create_vgic(int vm, int gic)
{
    struct kvm_create_device dev;
    if (gic == 0) {
        dev = (struct kvm_create_device){ KVM_DEV_TYPE_ARM_VGIC_V3, 0, KVM_CREATE_DEVICE_TEST };
        gic = sys_ioctl(vm, KVM_CREATE_DEVICE, (u64)&dev) == 0 ? 3 : 2;
    }
    dev = (struct kvm_create_device){ gic == 3 ? KVM_DEV_TYPE_ARM_VGIC_V3 : KVM_DEV_TYPE_ARM_VGIC_V2, 0, 0 };
    s64 r = sys_ioctl(vm, KVM_CREATE_DEVICE, (u64)&dev);
    if (r < 0) die(gic == 3 ? "KVM_CREATE_DEVICE (vGICv3)" : "KVM_CREATE_DEVICE (vGICv2)", r);
    int fd = (int)dev.fd;
    u64 dist = GIC_DIST, cpu = GIC_CPU, redist = GIC_REDIST, nr_irqs = 64 + 32;
    if (gic == 3) {
        if ((r = set_device_attr(fd, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V3_ADDR_TYPE_DIST, &dist)) < 0) die("vGICv3 distributor address", r);
        if ((r = set_device_attr(fd, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V3_ADDR_TYPE_REDIST, &redist)) < 0) die("vGICv3 redistributor address", r);
    } else {
        if ((r = set_device_attr(fd, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V2_ADDR_TYPE_DIST, &dist)) < 0) die("vGICv2 distributor address", r);
        if ((r = set_device_attr(fd, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V2_ADDR_TYPE_CPU, &cpu)) < 0) die("vGICv2 CPU interface address", r);
    }
    /* 64 SPIs are plenty (the PL011's is SPI 1); the attribute takes a u32. */
    u32 nr = (u32)nr_irqs;
    if ((r = set_device_attr(fd, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, (u64 *)&nr)) < 0) die("vGIC number of interrupts", r);
    if ((r = set_device_attr(fd, KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_ARM_VGIC_CTRL_INIT, 0)) < 0) die("vGIC init", r);
    return gic;
}

/* ---- the vCPUs ---- */

static u32 vcpu_count = 1;
static int vcpu_fds[MAX_CPUS];
static struct kvm_run_head *vcpu_runs[MAX_CPUS];
static u64 vcpu_exits[MAX_CPUS], vcpu_mmio_exits[MAX_CPUS];
static u64 run_start_ns;

/* Handles one KVM_EXIT_MMIO of a vCPU: the PL011, or nothing (reads as zero, writes ignored, the first few reported). */
static void handle_mmio(struct kvm_run_mmio *mmio)
{
    static u32 unhandled;
    u64 addr = mmio->phys_addr;
    lock_uart();
    if (addr >= UART_BASE && addr < UART_BASE + UART_SIZE && mmio->len <= 4) {
        u64 offset = (addr - UART_BASE) & ~3ul;
        if (mmio->is_write) {
            u32 v = 0;
            for (u32 i = 0; i < mmio->len; i++) v |= (u32)mmio->data[i] << (8 * i);
            uart_write(offset, v);
        } else {
            u32 v = uart_read(offset);
            for (u32 i = 0; i < 8; i++) mmio->data[i] = i < mmio->len ? (u8)(v >> (8 * i)) : 0;
        }
    } else {
        if (!mmio->is_write) memset(mmio->data, 0, 8);
        if (unhandled++ < 4) {
            console_flush();
            say(2, mmio->is_write ? "unhandled MMIO write at " : "unhandled MMIO read at ", 0, (s64)addr, 16);
        }
    }
    unlock_uart();
}

/* Runs vCPU index until the guest ends (then the whole process exits with the guest's status). */
static __attribute__((noreturn)) void vcpu_loop(u64 index)
{
    struct kvm_run_head *head = vcpu_runs[index];
    u8 *exit_data = (u8 *)head + 32;
    for (;;) {
        s64 r = sys_ioctl(vcpu_fds[index], KVM_RUN, 0);
        vcpu_exits[index]++;
        if (r < 0) {
            if (r == -EINTR || r == -EAGAIN) continue;
            lock_uart();
            console_flush();
            die("KVM_RUN", r);
        }
        u32 reason = head->exit_reason;
        if (reason == KVM_EXIT_MMIO) {
            vcpu_mmio_exits[index]++;
            handle_mmio((struct kvm_run_mmio *)exit_data);
            continue;
        }
        if (reason == KVM_EXIT_INTR) continue;
        lock_uart();   /* held until the process exits: the other vCPUs stop at their next MMIO exit */
        console_flush();
        u64 ms = (now_ns() - run_start_ns) / 1000000;
        char line[400];
        u64 n = 0;
        int status = 1;
        const char *what;
        if (reason == KVM_EXIT_SYSTEM_EVENT) {
            u32 type = ((struct kvm_run_system_event *)exit_data)->type;
            what = type == KVM_SYSTEM_EVENT_SHUTDOWN ? "guest powered off (PSCI SYSTEM_OFF)"
                 : type == KVM_SYSTEM_EVENT_RESET ? "guest asked for a reset (PSCI SYSTEM_RESET)"
                 : type == KVM_SYSTEM_EVENT_CRASH ? "guest crashed" : "unknown system event";
            status = type == KVM_SYSTEM_EVENT_SHUTDOWN ? 0 : type == KVM_SYSTEM_EVENT_RESET ? 3 : type == KVM_SYSTEM_EVENT_CRASH ? 4 : 1;
        } else if (reason == KVM_EXIT_FAIL_ENTRY) {
            what = "KVM_EXIT_FAIL_ENTRY";
        } else if (reason == KVM_EXIT_INTERNAL_ERROR) {
            what = "KVM_EXIT_INTERNAL_ERROR";
        } else {
            what = "unexpected exit reason";
        }
        u64 exits = 0, mmio_exits = 0;
        for (u32 i = 0; i < vcpu_count; i++) exits += vcpu_exits[i], mmio_exits += vcpu_mmio_exits[i];
        for (const char *t = "minivmm: "; *t; t++) line[n++] = *t;
        for (const char *t = what; *t; t++) line[n++] = *t;
        if (status == 1) line[n++] = ' ', fmt_u64(line, &n, reason, 10);
        for (const char *t = " after "; *t; t++) line[n++] = *t;
        fmt_u64(line, &n, ms, 10);
        for (const char *t = " ms, "; *t; t++) line[n++] = *t;
        fmt_u64(line, &n, exits, 10);
        for (const char *t = " exits ("; *t; t++) line[n++] = *t;
        fmt_u64(line, &n, mmio_exits, 10);
        for (const char *t = " MMIO)"; *t; t++) line[n++] = *t;
        if (vcpu_count > 1) {
            for (const char *t = "; MMIO exits by vCPU:"; *t; t++) line[n++] = *t;
            for (u32 i = 0; i < vcpu_count; i++) line[n++] = ' ', fmt_u64(line, &n, vcpu_mmio_exits[i], 10);
        }
        line[n++] = '\n';
        sys_write(status == 0 ? 1 : 2, line, n);
        syscall6(SYS_exit_group, status, 0, 0, 0, 0, 0);
        for (;;) { }
    }
}

/* Starts a thread (clone with the caller's memory, files and signal handlers) that runs fn(arg) on stack_top. */
static s64 spawn_thread(void (*fn)(u64), u64 arg, u8 *stack_top)
{
    register s64 x8 __asm__("x8") = SYS_clone;
    register s64 x0 __asm__("x0") = 0x100 | 0x200 | 0x400 | 0x800 | 0x10000 | 0x40000; /* VM FS FILES SIGHAND THREAD SYSVSEM */
    register s64 x1 __asm__("x1") = (s64)stack_top;
    register s64 x2 __asm__("x2") = 0, x3 __asm__("x3") = 0, x4 __asm__("x4") = 0;
    register u64 x9 __asm__("x9") = (u64)fn, x10 __asm__("x10") = arg;
    /* The child returns 0 on its new stack with the registers copied: it calls fn(arg) and, should fn return, exits. */
    __asm__ volatile("svc #0\n\tcbnz x0, 1f\n\tmov x0, x10\n\tblr x9\n\tmov x0, #0\n\tmov x8, #93\n\tsvc #0\n1:"
                     : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x9), "r"(x10) : "memory", "x30");
    return x0;
}

static u8 thread_stacks[MAX_CPUS][65536] __attribute__((aligned(16)));

static int run(int argc, char **argv)
{
    const char *kernel = 0, *initrd = 0, *append = "console=ttyAMA0 earlycon=pl011,0x9000000 panic=-1";
    const char *dump_dtb = 0;
    u64 memory_mib = 128;
    int gic = 0, aarch32 = 0;
    for (int i = 1; i < argc; i++) {
        if (i + 1 >= argc) usage();
        const char *opt = argv[i], *val = argv[++i];
        if (str_eq(opt, "--kernel")) kernel = val;
        else if (str_eq(opt, "--aarch32")) kernel = val, aarch32 = 1;
        else if (str_eq(opt, "--initrd")) initrd = val;
        else if (str_eq(opt, "--append")) append = val;
        else if (str_eq(opt, "--memory")) memory_mib = parse_u64(val);
        else if (str_eq(opt, "--prefix")) out_prefix = val;
        else if (str_eq(opt, "--dump-dtb")) dump_dtb = val;
        else if (str_eq(opt, "--gic")) gic = str_eq(val, "2") ? 2 : str_eq(val, "3") ? 3 : str_eq(val, "auto") ? 0 : -1;
        else if (str_eq(opt, "--cpus")) vcpu_count = (u32)parse_u64(val);
        else usage();
    }
    if ((!kernel && !dump_dtb) || memory_mib < 16 || memory_mib > 4096 || gic < 0 || vcpu_count < 1 || vcpu_count > MAX_CPUS) usage();
    u64 ram_size = memory_mib << 20;

    if (dump_dtb) {
        /* Writes the device tree for --gic 2 or 3 (an initrd at 0x4400_0000, 1 MiB) to a file, without KVM. */
        static u8 dtb[65536];
        u32 size = build_fdt(dtb, sizeof dtb, ram_size, append, 0x44000000, 0x44100000, gic ? gic : 2, vcpu_count, 1);
        s64 fd = syscall6(SYS_openat, AT_FDCWD, (s64)dump_dtb, 01 | 0100 | 01000 /* O_WRONLY|O_CREAT|O_TRUNC */, 0644, 0, 0);
        if (fd < 0 || sys_write((int)fd, dtb, size) != size) die("writing the device tree", fd < 0 ? fd : -5);
        return 0;
    }

    s64 r, kvm = sys_open("/dev/kvm", O_RDWR);
    if (kvm < 0) die("open /dev/kvm", kvm);
    if ((r = sys_ioctl((int)kvm, KVM_GET_API_VERSION, 0)) != KVM_API_VERSION) die("KVM API version 12", r < 0 ? r : -22);
    s64 vm = sys_ioctl((int)kvm, KVM_CREATE_VM, 0);
    if (vm < 0) die("KVM_CREATE_VM", vm);

    /* Guest RAM: anonymous memory, touched (and so allocated) only where the guest uses it. */
    u8 *ram = sys_mmap(ram_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1);
    if (mmap_failed(ram)) die("mmap of guest RAM", (s64)ram);
    struct kvm_userspace_memory_region region = { 0, 0, RAM_BASE, ram_size, (u64)ram };
    if ((r = sys_ioctl((int)vm, KVM_SET_USER_MEMORY_REGION, (u64)&region)) < 0) die("KVM_SET_USER_MEMORY_REGION", r);

    /* The Image: text_offset at byte 8, image_size at byte 16 (0 in images before 3.17: text_offset 0x80000). */
    u8 *header = ram;   /* read the header into the start of RAM first; the Image is then loaded at text_offset */
    u64 kernel_size = load_file(kernel, header, ram_size, "kernel");
    u64 text_offset = 0, image_size = kernel_size;
    if (aarch32) {
        /* A flat A32 image at RAM base; KVM must be able to run an AArch32 EL1 (ID_AA64PFR0_EL1.EL1 = 2). */
        if (sys_ioctl((int)kvm, KVM_CHECK_EXTENSION, KVM_CAP_ARM_EL1_32BIT) <= 0) {
            say(2, "KVM cannot run an AArch32 EL1 guest (no KVM_CAP_ARM_EL1_32BIT)", 0, 0, 0);
            return 1;
        }
    } else if (kernel_size < 64 || (u32)le64(header + 56) != 0x644d5241 /* "ARM\x64" */) {
        say(2, kernel, " is not an arm64 Image", 0, 0);
        return 1;
    } else {
        text_offset = le64(header + 8), image_size = le64(header + 16);
        if (image_size == 0) text_offset = 0x80000, image_size = kernel_size;
    }
    if (text_offset) {
        if (text_offset + image_size > ram_size) die("kernel does not fit in guest RAM", 0);
        u8 *dst = ram + text_offset;
        for (u64 i = kernel_size; i-- > 0;) dst[i] = ram[i];   /* overlapping move upwards */
        memset(ram, 0, text_offset);
    }
    u64 kernel_end = text_offset + (image_size > kernel_size ? image_size : kernel_size);

    /* The DTB in the last 2 MiB of RAM (8-byte aligned, at most 2 MiB); the initrd page-aligned below it. */
    u64 dtb_offset = ram_size - (2ul << 20);
    u64 initrd_start = 0, initrd_end = 0;
    if (initrd) {
        if (dtb_offset <= kernel_end) die("no room for the initrd", 0);
        /* Load at the kernel's end first to learn the size, then move it up under the DTB. */
        u64 at = (kernel_end + 0xFFF) & ~0xFFFul;
        u64 size = load_file(initrd, ram + at, dtb_offset - at, "initrd");
        u64 start = (dtb_offset - size) & ~0xFFFul;
        for (u64 i = size; i-- > 0;) ram[start + i] = ram[at + i];
        initrd_start = RAM_BASE + start;
        initrd_end = initrd_start + size;
    }

    /* The vCPUs: KVM's preferred target for this host CPU, PSCI 0.2+ in the kernel; all but vCPU 0 powered off. */
    struct kvm_vcpu_init init;
    memset(&init, 0, sizeof init);
    if ((r = sys_ioctl((int)vm, KVM_ARM_PREFERRED_TARGET, (u64)&init)) < 0) die("KVM_ARM_PREFERRED_TARGET", r);
    init.features[0] |= 1u << KVM_ARM_VCPU_PSCI_0_2;
    if (aarch32) init.features[0] |= 1u << KVM_ARM_VCPU_EL1_32BIT;
    int pmu = sys_ioctl((int)vm, KVM_CHECK_EXTENSION, KVM_CAP_ARM_PMU_V3) > 0;
    if (pmu) init.features[0] |= 1u << KVM_ARM_VCPU_PMU_V3;
    for (u32 i = 0; i < vcpu_count; i++) {
        s64 vcpu = sys_ioctl((int)vm, KVM_CREATE_VCPU, i);
        if (vcpu < 0) die("KVM_CREATE_VCPU", vcpu);
        struct kvm_vcpu_init this = init;
        if (i > 0) this.features[0] |= 1u << KVM_ARM_VCPU_POWER_OFF;
        if ((r = sys_ioctl((int)vcpu, KVM_ARM_VCPU_INIT, (u64)&this)) < 0) die("KVM_ARM_VCPU_INIT", r);
        vcpu_fds[i] = (int)vcpu;
    }

    /* The vGIC, after the vCPUs (its init needs every vCPU created); each vPMU's interrupt and init after the vGIC. */
    gic = create_vgic((int)vm, gic);
    for (u32 i = 0; pmu && i < vcpu_count; i++) {
        u32 irq = 16 + PMU_PPI;
        if ((r = set_device_attr(vcpu_fds[i], KVM_ARM_VCPU_PMU_V3_CTRL, KVM_ARM_VCPU_PMU_V3_IRQ, (u64 *)&irq)) < 0) die("vPMU interrupt", r);
        if ((r = set_device_attr(vcpu_fds[i], KVM_ARM_VCPU_PMU_V3_CTRL, KVM_ARM_VCPU_PMU_V3_INIT, 0)) < 0) die("vPMU init", r);
    }
    u32 dtb_size = build_fdt(ram + dtb_offset, 2u << 20, ram_size, append, initrd_start, initrd_end, gic, vcpu_count, pmu);

    /* Boot protocol: x0 = DTB, x1..x3 = 0 (reset values), PC = Image start; KVM_ARM_VCPU_INIT left the vCPU
     * in EL1h with DAIF masked and the MMU off (an AArch32 vCPU in Supervisor mode, A, I, F masked, R0 the DTB). */
    u64 x0 = RAM_BASE + dtb_offset, pc = RAM_BASE + text_offset;
    struct kvm_one_reg reg = { REG_X0, (u64)&x0 };
    if ((r = sys_ioctl(vcpu_fds[0], KVM_SET_ONE_REG, (u64)&reg)) < 0) die("KVM_SET_ONE_REG x0", r);
    reg = (struct kvm_one_reg){ REG_PC, (u64)&pc };
    if ((r = sys_ioctl(vcpu_fds[0], KVM_SET_ONE_REG, (u64)&reg)) < 0) die("KVM_SET_ONE_REG pc", r);

    s64 run_size = sys_ioctl((int)kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (run_size < (s64)sizeof(struct kvm_run_head) + 256) die("KVM_GET_VCPU_MMAP_SIZE", run_size < 0 ? run_size : -22);
    for (u32 i = 0; i < vcpu_count; i++) {
        u8 *run_area = sys_mmap((u64)run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu_fds[i]);
        if (mmap_failed(run_area)) die("mmap of kvm_run", (s64)run_area);
        vcpu_runs[i] = (struct kvm_run_head *)run_area;
    }

    {
        char line[200];
        u64 n = 0;
        const char *parts[] = { aarch32 ? "minivmm: AArch32 EL1 guest, vGICv" : "minivmm: vGICv", gic == 3 ? "3" : "2", pmu ? ", vPMU, " : ", ", 0 };
        for (int i = 0; parts[i]; i++) for (const char *t = parts[i]; *t; t++) line[n++] = *t;
        if (vcpu_count > 1) {
            fmt_u64(line, &n, vcpu_count, 10);
            for (const char *t = " vCPUs, "; *t; t++) line[n++] = *t;
        }
        fmt_u64(line, &n, memory_mib, 10);
        for (const char *t = " MiB, kernel "; *t; t++) line[n++] = *t;
        fmt_u64(line, &n, kernel_size, 10);
        for (const char *t = " bytes at "; *t; t++) line[n++] = *t;
        fmt_u64(line, &n, pc, 16);
        for (const char *t = ", initrd "; *t; t++) line[n++] = *t;
        fmt_u64(line, &n, initrd_end - initrd_start, 10);
        for (const char *t = " bytes, dtb "; *t; t++) line[n++] = *t;
        fmt_u64(line, &n, dtb_size, 10);
        for (const char *t = " bytes at "; *t; t++) line[n++] = *t;
        fmt_u64(line, &n, x0, 16);
        line[n++] = '\n';
        sys_write(1, line, n);
    }

    run_start_ns = now_ns();
    for (u32 i = 1; i < vcpu_count; i++)
        if ((r = spawn_thread(vcpu_loop, i, thread_stacks[i] + sizeof thread_stacks[i])) < 0) die("clone of a vCPU thread", r);
    vcpu_loop(0);
}

/* The process entry point: the kernel leaves argc at [sp], argv[] after it. */
__attribute__((used)) static void start_c(u64 *sp)
{
    sys_exit(run((int)sp[0], (char **)(sp + 1)));
}

__asm__(".text\n.global _start\n.type _start, %function\n_start:\n\tmov x29, #0\n\tmov x30, #0\n\tmov x0, sp\n\tbl start_c\n\tbrk #0\n");
