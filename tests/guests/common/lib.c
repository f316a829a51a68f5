/* PL011 console, formatted output and PSCI power-off for the bare-metal guests. */
#include <stdarg.h>
#include <stddef.h>
#include "guest.h"

/* PL011 at 0x09000000 on -M virt (PrimeCell UART PL011 TRM, "Register descriptions"). */
#define UART_BASE 0x09000000UL
#define UART_DR   (*(volatile uint32_t *)(UART_BASE + 0x000))
#define UART_FR   (*(volatile uint32_t *)(UART_BASE + 0x018))
#define UART_LCRH (*(volatile uint32_t *)(UART_BASE + 0x02c))
#define UART_CR   (*(volatile uint32_t *)(UART_BASE + 0x030))
#define FR_TXFF   (1u << 5)

static int uart_ready;

void uart_init(void)
{
    UART_CR = 0;                      /* disable while configuring */
    UART_LCRH = (3u << 5) | (1u << 4); /* 8 bits, FIFOs enabled */
    UART_CR = (1u << 0) | (1u << 8) | (1u << 9); /* UARTEN, TXE, RXE */
    uart_ready = 1;
}

void putchar_uart(char c)
{
    if (!uart_ready) uart_init();
    while (UART_FR & FR_TXFF) { }
    UART_DR = (uint8_t)c;
}

void puts_uart(const char *s)
{
    while (*s) putchar_uart(*s++);
}

static void put_unsigned(uint64_t v, unsigned base)
{
    char buf[24];
    int n = 0;
    do {
        unsigned d = (unsigned)(v % base);
        buf[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
        v /= base;
    } while (v != 0);
    while (n > 0) putchar_uart(buf[--n]);
}

void print(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    for (; *fmt; fmt++) {
        if (*fmt != '%') { putchar_uart(*fmt); continue; }
        switch (*++fmt) {
        case 'x': put_unsigned(va_arg(ap, uint64_t), 16); break;
        case 'd': put_unsigned(va_arg(ap, uint64_t), 10); break;
        case 's': puts_uart(va_arg(ap, const char *)); break;
        case 'c': putchar_uart((char)va_arg(ap, int)); break;
        case '%': putchar_uart('%'); break;
        case 0: va_end(ap); return;
        default: putchar_uart('%'); putchar_uart(*fmt); break;
        }
    }
    va_end(ap);
}

unsigned current_el(void)
{
    return (unsigned)((READ_SYSREG(CurrentEL) >> 2) & 3);
}

/* SMC Calling Convention (Arm DEN 0028): function ID in W0, result in X0. */
uint64_t smc_call(uint64_t fn)
{
    register uint64_t x0 __asm__("x0") = fn;
    __asm__ volatile("smc #0" : "+r"(x0) : : "x1", "x2", "x3", "memory");
    return x0;
}

uint64_t hvc_call(uint64_t fn)
{
    register uint64_t x0 __asm__("x0") = fn;
    __asm__ volatile("hvc #0" : "+r"(x0) : : "x1", "x2", "x3", "memory");
    return x0;
}

/* PSCI SYSTEM_OFF through the conduit QEMU -M virt uses: HVC when booted at EL1, SMC when at EL2. */
void system_off(void)
{
    if (current_el() >= 2) smc_call(PSCI_SYSTEM_OFF);
    else hvc_call(PSCI_SYSTEM_OFF);
    print("PSCI SYSTEM_OFF returned\n");
    for (;;) __asm__ volatile("wfi");
}

/* The compiler may emit calls to these even in freestanding code. */
void *memset(void *d, int c, size_t n)
{
    unsigned char *p = d;
    while (n--) *p++ = (unsigned char)c;
    return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
    unsigned char *p = d;
    const unsigned char *q = s;
    while (n--) *p++ = *q++;
    return d;
}
