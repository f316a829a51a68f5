/*
 * cpubench.elf: integer kernels for comparing engines and emulators (bench/cpubench.sh): table-driven CRC-32,
 * quicksort and heapsort of a PRNG array, integer matrix multiply, sorted linked-list insertion and traversal,
 * string handling (strlen/strcmp/memcpy-like loops and an FNV-1a hash). Runs at EL1 with the MMU and caches on
 * (an identity map of 1 GiB blocks: Device below RAM, Normal write-back for RAM), as a kernel would.
 * Each kernel prints a checksum so a wrong result is visible; the program is deterministic, so its instruction
 * count is the same on every correct emulator. ROUNDS scales the run (QEMU TCG: about 1-3 s).
 * Built with one of -DMODE_MMUOFF/EL1/EL2/S2 (common/bench_mode.h) the same kernels run in that translation mode
 * instead (bench/cpubench.sh --matrix); without one it is cpubench.elf as it has always been, whose own mmu_on
 * below is what MODE_EL1 does.
 */
#if defined(CPUBENCH_KERNELS_ONLY)
/* Only the kernels, for a program that includes this file (cpubench_a32_user.c) and supplies print(). */
#elif defined(MODE_MMUOFF) || defined(MODE_EL1) || defined(MODE_EL2) || defined(MODE_S2)
#define BENCH_MODE 1
#include "bench_mode.h"
#else
#include "guest.h"
#endif

#ifndef ROUNDS
#define ROUNDS 200
#endif

#define CRC_BYTES 65536
#define SORT_N 8192
#define MAT_N 48
#define LIST_N 1024
#define TEXT_N 16384

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint32_t next_random(void)
{
    /* xorshift64* (Vigna) */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 0x2545F4914F6CDD1Dull) >> 32);
}

#if !defined(BENCH_MODE) && !defined(CPUBENCH_KERNELS_ONLY)
/* ---- MMU: level-1 table, 4 KiB granule, T0SZ = 32 (4 GiB of VA, lookup starts at level 1) ---- */
static uint64_t level1[512] __attribute__((aligned(4096)));

static void mmu_on(void)
{
    level1[0] = 0x00000000ull | (0ull << 2) | (1ull << 10) | (1ull << 54) | 1; /* Device-nGnRnE, AF, XN, block */
    level1[1] = 0x40000000ull | (1ull << 2) | (1ull << 10) | (3ull << 8) | 1;  /* Normal WB, AF, inner shareable */
    WRITE_SYSREG(mair_el1, 0xFF00ull);                  /* Attr0 = Device-nGnRnE, Attr1 = Normal WB RW-allocate */
    WRITE_SYSREG(tcr_el1, 32ull | (1ull << 8) | (1ull << 10) | (3ull << 12) | (1ull << 23)); /* T0SZ, WBWA, ISH, EPD1 */
    WRITE_SYSREG(ttbr0_el1, (uint64_t)level1);
    __asm__ volatile("dsb sy; tlbi vmalle1; dsb sy" ::: "memory");
    ISB();
    uint64_t sctlr = READ_SYSREG(sctlr_el1);
    sctlr |= (1ull << 0) | (1ull << 2) | (1ull << 12);  /* M, C, I */
    sctlr &= ~(1ull << 1);                               /* A */
    WRITE_SYSREG(sctlr_el1, sctlr);
    ISB();
}
#endif

/* ---- CRC-32 (IEEE 802.3, reflected), one table lookup per byte ---- */
static uint32_t crc_table[256];
static uint8_t crc_buffer[CRC_BYTES];

static void crc_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1)));
        crc_table[i] = c;
    }
}

static uint32_t crc32(const uint8_t *p, unsigned n)
{
    uint32_t crc = 0xFFFFFFFFu;
    for (unsigned i = 0; i < n; i++) crc = crc_table[(crc ^ p[i]) & 0xFF] ^ (crc >> 8);
    return ~crc;
}

static uint64_t bench_crc(void)
{
    for (unsigned i = 0; i < CRC_BYTES; i++) crc_buffer[i] = (uint8_t)next_random();
    return crc32(crc_buffer, CRC_BYTES);
}

/* ---- sorting ---- */
static uint32_t sort_a[SORT_N], sort_b[SORT_N];

static void quicksort(uint32_t *a, int lo, int hi)
{
    while (lo < hi) {
        uint32_t pivot = a[lo + (hi - lo) / 2];
        int i = lo, j = hi;
        while (i <= j) {
            while (a[i] < pivot) i++;
            while (a[j] > pivot) j--;
            if (i <= j) { uint32_t t = a[i]; a[i] = a[j]; a[j] = t; i++; j--; }
        }
        if (j - lo < hi - i) { quicksort(a, lo, j); lo = i; }
        else { quicksort(a, i, hi); hi = j; }
    }
}

static void sift_down(uint32_t *a, unsigned root, unsigned n)
{
    for (;;) {
        unsigned child = 2 * root + 1;
        if (child >= n) return;
        if (child + 1 < n && a[child + 1] > a[child]) child++;
        if (a[root] >= a[child]) return;
        uint32_t t = a[root]; a[root] = a[child]; a[child] = t;
        root = child;
    }
}

static void heapsort(uint32_t *a, unsigned n)
{
    for (unsigned i = n / 2; i-- > 0;) sift_down(a, i, n);
    for (unsigned end = n - 1; end > 0; end--) {
        uint32_t t = a[0]; a[0] = a[end]; a[end] = t;
        sift_down(a, 0, end);
    }
}

static uint64_t bench_sort(void)
{
    for (unsigned i = 0; i < SORT_N; i++) sort_a[i] = sort_b[i] = next_random();
    quicksort(sort_a, 0, SORT_N - 1);
    heapsort(sort_b, SORT_N);
    uint64_t sum = 0;
    for (unsigned i = 0; i < SORT_N; i++) {
        if (sort_a[i] != sort_b[i] || (i > 0 && sort_a[i - 1] > sort_a[i])) {
            print("sort: mismatch at %d\n", (uint64_t)i);
            return 0;
        }
        sum = sum * 31 + sort_a[i];
    }
    return sum;
}

/* ---- integer matrix multiply ---- */
static uint32_t ma[MAT_N][MAT_N], mb[MAT_N][MAT_N], mc[MAT_N][MAT_N];

static uint64_t bench_matmul(void)
{
    for (int i = 0; i < MAT_N; i++)
        for (int j = 0; j < MAT_N; j++) { ma[i][j] = next_random() & 0xFFFF; mb[i][j] = next_random() & 0xFFFF; }
    for (int i = 0; i < MAT_N; i++)
        for (int j = 0; j < MAT_N; j++) {
            uint32_t acc = 0;
            for (int k = 0; k < MAT_N; k++) acc += ma[i][k] * mb[k][j];
            mc[i][j] = acc;
        }
    uint64_t sum = 0;
    for (int i = 0; i < MAT_N; i++)
        for (int j = 0; j < MAT_N; j++) sum = (sum << 1 | sum >> 63) ^ mc[i][j];
    return sum;
}

/* ---- linked list: insertion in key order into a singly linked list, traversal, deletion of every third ---- */
struct node { struct node *next; uint32_t key; uint32_t value; };
static struct node pool[LIST_N];

static uint64_t bench_list(void)
{
    struct node *head = 0;
    for (unsigned i = 0; i < LIST_N; i++) {
        struct node *n = &pool[i];
        n->key = next_random() & 0xFFFFF;
        n->value = i;
        struct node **link = &head;
        while (*link && (*link)->key < n->key) link = &(*link)->next;
        n->next = *link;
        *link = n;
    }
    uint64_t sum = 0;
    unsigned position = 0;
    for (struct node **link = &head; *link;) {
        if (position++ % 3 == 0) { *link = (*link)->next; continue; }
        link = &(*link)->next;
    }
    for (int pass = 0; pass < 4; pass++)
        for (struct node *n = head; n; n = n->next) sum = sum * 33 + (n->key ^ n->value);
    return sum;
}

/* ---- strings: build words, strlen, strcmp between neighbours, copy, FNV-1a hash ---- */
static char text[TEXT_N], copy[TEXT_N];

static unsigned string_length(const char *s)
{
    const char *p = s;
    while (*p) p++;
    return (unsigned)(p - s);
}

static int string_compare(const char *a, const char *b)
{
    while (*a && *a == *b) { a++; b++; }
    return (unsigned char)*a - (unsigned char)*b;
}

static void string_copy(char *d, const char *s)
{
    while ((*d++ = *s++) != 0) { }
}

static uint64_t bench_strings(void)
{
    /* NUL-separated words of 1..15 lowercase letters */
    unsigned at = 0, words = 0;
    while (at + 17 < TEXT_N) {
        unsigned len = 1 + next_random() % 15;
        for (unsigned k = 0; k < len; k++) text[at++] = (char)('a' + next_random() % 26);
        text[at++] = 0;
        words++;
    }
    text[at] = 0;
    uint64_t hash = 0xcbf29ce484222325ull;
    int order = 0;
    const char *previous = 0;
    for (unsigned i = 0; i < at;) {
        const char *word = &text[i];
        unsigned len = string_length(word);
        string_copy(&copy[i], word);
        if (previous) order += string_compare(previous, &copy[i]) < 0 ? 1 : -1;
        for (unsigned k = 0; k < len; k++) { hash ^= (unsigned char)copy[i + k]; hash *= 0x100000001b3ull; }
        previous = &copy[i];
        i += len + 1;
    }
    return hash ^ ((uint64_t)words << 32) ^ (uint32_t)order;
}

#if !defined(BENCH_MODE) && !defined(CPUBENCH_KERNELS_ONLY)
void exception_handler(struct frame *f, unsigned idx, unsigned el)
{
    print("unexpected exception at EL%d vector %d ESR=0x%x ELR=0x%x FAR=0x%x\n",
          (uint64_t)el, (uint64_t)idx, f->esr, f->elr, f->far);
    system_off();
}
#endif

/* The rounds and the checksums, shared by cpubench.elf's main and the mode builds' bench_main (a macro, so that
 * cpubench.elf is compiled from the same tokens as before the modes existed). */
#define RUN_KERNELS() do { \
    crc_init(); \
    uint64_t crc = 0, sort = 0, matmul = 0, list = 0, strings = 0; \
    for (int r = 0; r < ROUNDS; r++) { \
        crc = (crc << 7 | crc >> 57) ^ bench_crc(); \
        sort = (sort << 7 | sort >> 57) ^ bench_sort(); \
        matmul = (matmul << 7 | matmul >> 57) ^ bench_matmul(); \
        list = (list << 7 | list >> 57) ^ bench_list(); \
        strings = (strings << 7 | strings >> 57) ^ bench_strings(); \
    } \
    print("crc32   %x\n", crc); \
    print("sort    %x\n", sort); \
    print("matmul  %x\n", matmul); \
    print("list    %x\n", list); \
    print("strings %x\n", strings); \
    print("total   %x\n", crc ^ sort ^ matmul ^ list ^ strings); \
} while (0)

#if defined(CPUBENCH_KERNELS_ONLY)
#elif defined(BENCH_MODE)
void bench_main(void)
{
    print("cpubench: %d rounds, mode %s, at EL%d\n", (uint64_t)ROUNDS, bench_mode_name, (uint64_t)current_el());
    RUN_KERNELS();
}
#else
int main(unsigned el)
{
    print("cpubench: %d rounds at EL%d\n", (uint64_t)ROUNDS, (uint64_t)el);
    mmu_on();
    RUN_KERNELS();
    return 0;
}
#endif
