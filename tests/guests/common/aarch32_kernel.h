/*
 * The AArch32 EL1 kernels' (aarch32_el1_kernel.c, debug32_kernel.c, pmu32_kernel.c) way to their AArch64 EL2's console:
 * HVC #1 prints the string at r0, HVC #2 prints "name = value" (r0, r1); other HVC numbers ask the EL2 for its services.
 */
#ifndef AARCH32_KERNEL_H
#define AARCH32_KERNEL_H
#include <stdint.h>

static void puts32(const char *s)
{
    register const char *r0 __asm__("r0") = s;
    __asm__ volatile("hvc #1" :: "r"(r0) : "memory");
}

static void show(const char *name, uint32_t v)
{
    register const char *r0 __asm__("r0") = name;
    register uint32_t r1 __asm__("r1") = v;
    __asm__ volatile("hvc #2" :: "r"(r0), "r"(r1) : "memory");
}

#define HVC(n) __asm__ volatile("hvc #" #n ::: "memory")

#endif
