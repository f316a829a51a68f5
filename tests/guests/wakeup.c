/*
 * wakeup.elf: how long a CPU waiting in WFE takes to wake, in virtual time, on two CPUs at EL1 with the MMU on. ROUNDS
 * times each:
 * - SEV ping-pong: CPU 0 reads the counter (CNTVCT_EL0), publishes the round and sends SEV; CPU 1, waiting in WFE for
 *   the round, reads the counter when it sees it. Then the same from CPU 1 to CPU 0.
 * - Spinlock: CPU 1 waits for a lock held by CPU 0 as Linux's arch_spin_lock does (LDAXR; WFE while it is taken: the
 *   global monitor's clear by the releasing store is the wake-up event, Arm ARM D1.6.1); CPU 0 reads the counter and
 *   releases it (STLR); CPU 1 reads the counter once it holds it.
 * - Spinlock release racing the load-exclusive (RACE_ROUNDS): the same, but CPU 1 polls for the round without WFE, so
 *   that both CPUs run at once, and CPU 0 holds the lock for 0 to 60 loop iterations: its release often lands just as
 *   CPU 1's LDAXR reads the lock taken, the window where an emulator can lose the monitor clear's event (a lost one
 *   leaves CPU 1 asleep until something else wakes it: its maximum shows it).
 * Prints the wake-up latency (the waker's counter to the woken CPU's, in counter ticks of 16 ns) as average and
 * maximum. The counters are each CPU's own (the system counter at its own cycle count); in armvirt's deterministic
 * round robin the woken CPU runs its part of the turn after the waker, so its latency is within a turn either way.
 * Not compared with QEMU (its latency is the host's); SmpParallelGuestTests bounds it.
 */
#include "smp.h"

#define ROUNDS 2000
#define RACE_ROUNDS 4000

/* 4 KiB granule, T0SZ = 32: 0-1 GiB Device, 1-2 GiB RAM as Normal write-back through 2 MiB blocks. */
static uint64_t l1[512] __attribute__((aligned(4096)));
static uint64_t l2[512] __attribute__((aligned(4096)));

static volatile uint64_t round_ping __attribute__((aligned(64)));
static volatile uint64_t round_pong __attribute__((aligned(64)));
static volatile uint64_t sent_at[2] __attribute__((aligned(64)));
static volatile uint64_t lock __attribute__((aligned(64)));
static volatile uint64_t lock_round __attribute__((aligned(64)));
static volatile int64_t latency_sum[4], latency_max[4] = { INT64_MIN, INT64_MIN, INT64_MIN, INT64_MIN };
static volatile uint64_t online, finished;

static uint64_t now(void)
{
    uint64_t t;
    __asm__ volatile("isb\n mrs %0, cntvct_el0" : "=r"(t) :: "memory");
    return t;
}

static void record(unsigned kind, uint64_t from)
{
    int64_t d = (int64_t)(now() - from);
    latency_sum[kind] += d;
    if (d > latency_max[kind]) latency_max[kind] = d;
}

/* Waits in WFE until *p >= v. */
static void wait_for(volatile uint64_t *p, uint64_t v)
{
    while (*p < v) __asm__ volatile("wfe" ::: "memory");
    __asm__ volatile("dmb ish" ::: "memory");
}

static void publish(volatile uint64_t *p, uint64_t v)
{
    __asm__ volatile("stlr %0, [%1]\n dsb ish\n sev" :: "r"(v), "r"(p) : "memory");
}

/* arch_spin_lock's shape: a load-acquire-exclusive, WFE while taken, then the store-exclusive. */
static void spin_lock(volatile uint64_t *l)
{
    uint64_t v, fail;
    __asm__ volatile("   sevl\n"
                     "1: wfe\n"
                     "2: ldaxr %0, [%2]\n"
                     "   cbnz %0, 1b\n"
                     "   stxr %w1, %3, [%2]\n"
                     "   cbnz %w1, 2b"
                     : "=&r"(v), "=&r"(fail) : "r"(l), "r"(1ul) : "memory");
}

static void spin_unlock(volatile uint64_t *l)
{
    __asm__ volatile("stlr xzr, [%0]" :: "r"(l) : "memory");
}

void secondary_main(unsigned cpu)
{
    (void)cpu;
    mmu_on_with(l1);
    online = 1;
    __asm__ volatile("dsb ish\n sev" ::: "memory");
    for (uint64_t r = 1; r <= ROUNDS; r++) {
        wait_for(&round_ping, r);
        record(0, sent_at[0]);
        sent_at[1] = now();
        publish(&round_pong, r);
    }
    for (uint64_t r = 1; r <= ROUNDS; r++) {
        wait_for(&lock_round, r);                     /* CPU 0 holds the lock for round r */
        spin_lock(&lock);
        record(2, sent_at[0]);
        spin_unlock(&lock);
        publish(&round_pong, ROUNDS + r);
    }
    for (uint64_t r = 1; r <= RACE_ROUNDS; r++) {
        while (lock_round < ROUNDS + r) { }            /* polled: this CPU runs while CPU 0 releases */
        spin_lock(&lock);
        record(3, sent_at[0]);
        spin_unlock(&lock);
        publish(&round_pong, 2 * ROUNDS + r);
    }
    finished = 1;
    __asm__ volatile("dsb ish\n sev" ::: "memory");
    psci(PSCI_CPU_OFF, 0, 0, 0);
    for (;;) __asm__ volatile("wfi");
}

void exception_handler(struct frame *f, unsigned idx, unsigned el)
{
    unexpected_exception(f, idx, el);
}

SMP_SECONDARY_ENTRY(2);

static void print_signed(int64_t v)
{
    if (v < 0) print("-%d", (uint64_t)-v);
    else print("%d", (uint64_t)v);
}

static void report(const char *what, unsigned kind, uint64_t rounds)
{
    print("%s: average ", what);
    print_signed(latency_sum[kind] / (int64_t)rounds);
    print(" ticks, maximum ");
    print_signed(latency_max[kind]);
    print(" ticks\n");
}

int main(unsigned el)
{
    (void)stacks;
    print("wakeup guest at EL%d\n", (uint64_t)el);
    build_identity_tables(l1, l2);
    mmu_on_with(l1);
    if (psci(PSCI_CPU_ON, 1, (uint64_t)secondary_entry, 1) != 0) {
        print("CPU_ON(1) failed: this test needs two CPUs\n");
        return 1;
    }
    while (!online) __asm__ volatile("wfe" ::: "memory");
    for (uint64_t r = 1; r <= ROUNDS; r++) {
        sent_at[0] = now();
        publish(&round_ping, r);
        wait_for(&round_pong, r);
        record(1, sent_at[1]);
    }
    for (uint64_t r = 1; r <= ROUNDS; r++) {
        spin_lock(&lock);
        publish(&lock_round, r);
        /* Hold the lock until CPU 1 waits for it (its LDAXR saw it taken: a little time for its WFE). */
        for (volatile unsigned i = 0; i < 200; i++) { }
        sent_at[0] = now();
        spin_unlock(&lock);
        wait_for(&round_pong, ROUNDS + r);
    }
    for (uint64_t r = 1; r <= RACE_ROUNDS; r++) {
        spin_lock(&lock);
        publish(&lock_round, ROUNDS + r);
        for (volatile unsigned i = 0; i < r % 61; i++) { }
        sent_at[0] = now();
        spin_unlock(&lock);
        wait_for(&round_pong, 2 * ROUNDS + r);
    }
    while (!finished) __asm__ volatile("wfe" ::: "memory");
    report("SEV, CPU 0 to CPU 1", 0, ROUNDS);
    report("SEV, CPU 1 to CPU 0", 1, ROUNDS);
    report("spinlock release (monitor clear), CPU 0 to CPU 1", 2, ROUNDS);
    report("spinlock release racing the load-exclusive, CPU 0 to CPU 1", 3, RACE_ROUNDS);
    return 0;
}
