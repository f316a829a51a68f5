/* The ARMv7-A guests' (armv7_*.c) console on the PL011 and CP15 accessors. */
#ifndef ARMV7_CONSOLE_H
#define ARMV7_CONSOLE_H
#include <stdint.h>

#define UART 0x09000000u

static inline void w32(uint32_t a, uint32_t v) { *(volatile uint32_t *)a = v; }
static inline uint32_t r32(uint32_t a) { return *(volatile uint32_t *)a; }

static void putc_(char c)
{
    while (r32(UART + 0x18) & (1u << 5)) { }
    w32(UART, (uint32_t)c);
}
static void puts_(const char *s) { while (*s) putc_(*s++); }
static void hex(uint32_t v)
{
    puts_("0x");
    for (int i = 28; i >= 0; i -= 4) putc_("0123456789abcdef"[(v >> i) & 0xF]);
}
static void kv(const char *k, uint32_t v)
{
    puts_(k);
    puts_("=");
    hex(v);
    puts_("\n");
}

#define MRC(op1, crn, crm, op2) ({ uint32_t v_; __asm__ volatile("mrc p15, " #op1 ", %0, c" #crn ", c" #crm ", " #op2 : "=r"(v_)); v_; })
#define MCR(op1, crn, crm, op2, v) __asm__ volatile("mcr p15, " #op1 ", %0, c" #crn ", c" #crm ", " #op2 :: "r"((uint32_t)(v)) : "memory")
#define ISB() __asm__ volatile("isb" ::: "memory")
#define DSB() __asm__ volatile("dsb" ::: "memory")
#endif
