/*
 * The AArch32 half of cpubench_a32.elf: cpubench.c's integer kernels (the same source, CPUBENCH_KERNELS_ONLY) built
 * for A32 by arm-linux-gnueabihf-gcc and run at AArch32 EL0 under aarch32.c's AArch64 EL1, as an armhf user program
 * runs under an arm64 kernel (issue #18: the armhf cpubench row of bench/, `CPUBENCH_ELF=tests/guests/bin/cpubench_a32.elf
 * bench/cpubench.sh --skip-interp`). It prints cpubench's checksum lines through SVC #1 (a string for EL1 to print).
 */
#include <stdint.h>

#define SVC(n, a, b) do { register uint32_t r0_ __asm__("r0") = (uint32_t)(a); register uint32_t r1_ __asm__("r1") = (uint32_t)(b); \
    __asm__ volatile("svc %2" : "+r"(r0_) : "r"(r1_), "i"(n) : "memory"); } while (0)

static void puts32(const char *s) { SVC(1, s, 0); }

/* cpubench.c's only print outside RUN_KERNELS reports a sort mismatch: the message without its index. */
#define print(fmt, ...) puts32(fmt)

#ifndef ROUNDS
#define ROUNDS 20
#endif
#define CPUBENCH_KERNELS_ONLY
#include "cpubench.c"

/* "name" then the value in lower-case hex without leading zeros, as guest.h's print("%x") writes it, and a newline. */
static void line(const char *name, uint64_t v)
{
    char buf[48];
    int n = 0;
    while (name[n]) { buf[n] = name[n]; n++; }
    char digits[16];
    int d = 0;
    do { digits[d++] = "0123456789abcdef"[v & 15]; v >>= 4; } while (v);
    while (d) buf[n++] = digits[--d];
    buf[n++] = '\n';
    buf[n] = 0;
    puts32(buf);
}

void user_main(void)
{
    line("cpubench: A32 at EL0, rounds 0x", ROUNDS);
    crc_init();
    uint64_t crc = 0, sort = 0, matmul = 0, list = 0, strings = 0;
    for (int r = 0; r < ROUNDS; r++) {
        crc = (crc << 7 | crc >> 57) ^ bench_crc();
        sort = (sort << 7 | sort >> 57) ^ bench_sort();
        matmul = (matmul << 7 | matmul >> 57) ^ bench_matmul();
        list = (list << 7 | list >> 57) ^ bench_list();
        strings = (strings << 7 | strings >> 57) ^ bench_strings();
    }
    line("crc32   ", crc);
    line("sort    ", sort);
    line("matmul  ", matmul);
    line("list    ", list);
    line("strings ", strings);
    line("total   ", crc ^ sort ^ matmul ^ list ^ strings);
}
