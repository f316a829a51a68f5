/*
 * cpubench.elf: integer kernels for comparing engines and emulators (bench/cpu-bench.sh): CRC-32 in software,
 * quicksort, matrix multiply, linked-list traversal and string handling. Each prints a checksum so that a wrong
 * result is visible; the instruction count is the same on every correct emulator.
 */
#include "guest.h"

#define ROUNDS 8
#define BUF 16384

static uint32_t seed = 12345;
static uint32_t next_random(void) { seed = seed * 1664525u + 1013904223u; return seed; }

static uint8_t buffer[BUF];
static uint32_t values[4096];
static uint32_t ma[32][32], mb[32][32], mc[32][32];
struct node { struct node *next; uint64_t value; };
static struct node nodes[4096];
static char text[8192];

static uint32_t crc32_sw(const uint8_t *p, unsigned n)
{
    uint32_t crc = 0xFFFFFFFFu;
    for (unsigned i = 0; i < n; i++) {
        crc ^= p[i];
        for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1)));
    }
    return ~crc;
}

static void quicksort(uint32_t *a, int lo, int hi)
{
    while (lo < hi) {
        uint32_t pivot = a[(lo + hi) / 2];
        int i = lo, j = hi;
        while (i <= j) {
            while (a[i] < pivot) i++;
            while (a[j] > pivot) j--;
            if (i <= j) { uint32_t t = a[i]; a[i] = a[j]; a[j] = t; i++; j--; }
        }
        if (j - lo < hi - i) { quicksort(a, lo, j); lo = i; } else { quicksort(a, i, hi); hi = j; }
    }
}

static uint64_t matmul(void)
{
    uint64_t sum = 0;
    for (int i = 0; i < 32; i++)
        for (int j = 0; j < 32; j++) {
            uint32_t acc = 0;
            for (int k = 0; k < 32; k++) acc += ma[i][k] * mb[k][j];
            mc[i][j] = acc;
            sum += acc;
        }
    return sum;
}

static uint64_t walk_list(void)
{
    uint64_t sum = 0;
    for (struct node *n = &nodes[0]; n; n = n->next) sum = sum * 31 + n->value;
    return sum;
}

static uint64_t strings(void)
{
    uint64_t hash = 5381;
    unsigned words = 0;
    for (unsigned i = 0; text[i]; i++) {
        hash = hash * 33 + (unsigned char)text[i];
        if (text[i] == ' ') words++;
    }
    /* reverse each word in place */
    unsigned start = 0;
    for (unsigned i = 0;; i++) {
        if (text[i] == ' ' || text[i] == 0) {
            for (unsigned a = start, b = i ? i - 1 : 0; a < b; a++, b--) { char t = text[a]; text[a] = text[b]; text[b] = t; }
            start = i + 1;
            if (text[i] == 0) break;
        }
    }
    return hash ^ words;
}

void exception_handler(struct frame *f, unsigned idx, unsigned el)
{
    print("unexpected exception at EL%d vector %d ESR=0x%x ELR=0x%x\n", (uint64_t)el, (uint64_t)idx, f->esr, f->elr);
    system_off();
}

int main(unsigned el)
{
    (void)el;
    uint64_t crc = 0, sorted = 0, mm = 0, list = 0, str = 0;
    for (int r = 0; r < ROUNDS; r++) {
        for (unsigned i = 0; i < BUF; i++) buffer[i] = (uint8_t)next_random();
        crc ^= crc32_sw(buffer, BUF);

        for (unsigned i = 0; i < 4096; i++) values[i] = next_random();
        quicksort(values, 0, 4095);
        for (unsigned i = 1; i < 4096; i++) if (values[i - 1] > values[i]) print("sort: not sorted at %d\n", (uint64_t)i);
        sorted += values[r * 100];

        for (int i = 0; i < 32; i++) for (int j = 0; j < 32; j++) { ma[i][j] = next_random() & 0xFF; mb[i][j] = next_random() & 0xFF; }
        mm += matmul();

        /* a random permutation threads the list through the array */
        static uint16_t order[4096];
        for (unsigned i = 0; i < 4096; i++) order[i] = (uint16_t)i;
        for (unsigned i = 4095; i > 0; i--) { unsigned j = next_random() % (i + 1); uint16_t t = order[i]; order[i] = order[j]; order[j] = t; }
        for (unsigned i = 0; i < 4096; i++) {
            nodes[order[i]].value = next_random();
            nodes[order[i]].next = i + 1 < 4096 ? &nodes[order[i + 1]] : 0;
        }
        nodes[0] = nodes[order[0]];
        for (int k = 0; k < 4; k++) list += walk_list();

        for (unsigned i = 0; i < sizeof text - 1; i++) text[i] = (next_random() % 7 == 0) ? ' ' : (char)('a' + next_random() % 26);
        text[sizeof text - 1] = 0;
        str += strings();
    }
    print("cpubench: crc %x sort %x matmul %x list %x strings %x\n", crc, sorted, mm, list, str);
    return 0;
}
