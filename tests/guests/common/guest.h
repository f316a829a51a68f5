/* Shared declarations for the bare-metal guests (PL011 console, PSCI, exception frames). */
#ifndef GUEST_H
#define GUEST_H
#include <stdint.h>

/* Saved by the vector entry code in start.S; field order and size must match its offsets. */
struct frame {
    uint64_t x[31];
    uint64_t elr, spsr, esr, far;
    uint64_t pad;
};

/* Vector indexes within a table (Arm ARM D1.10.2 "Exception vectors"). */
enum {
    VEC_CUR_SP0_SYNC = 0, VEC_CUR_SPX_SYNC = 4, VEC_CUR_SPX_IRQ = 5,
    VEC_LOWER64_SYNC = 8, VEC_LOWER64_IRQ = 9,
};

/* ESR_ELx.EC values used by the guests. */
enum {
    EC_UNKNOWN = 0x00, EC_WFX = 0x01, EC_SVC64 = 0x15, EC_HVC64 = 0x16, EC_SMC64 = 0x17, EC_SYSREG = 0x18,
    EC_DABT_LOWER = 0x24, EC_DABT_CUR = 0x25, EC_BRK64 = 0x3c,
};

#define PSCI_SYSTEM_OFF 0x84000008u

#define READ_SYSREG(name) ({ uint64_t v_; __asm__ volatile("mrs %0, " #name : "=r"(v_)); v_; })
#define WRITE_SYSREG(name, v) __asm__ volatile("msr " #name ", %0" :: "r"((uint64_t)(v)) : "memory")
#define ISB() __asm__ volatile("isb" ::: "memory")

void uart_init(void);
void putchar_uart(char c);
void puts_uart(const char *s);
/* Minimal printf: %x (uint64_t, hex without prefix), %d (uint64_t, decimal), %s, %c. Arguments must be 64-bit. */
void print(const char *fmt, ...);
unsigned current_el(void);
void system_off(void) __attribute__((noreturn));
uint64_t smc_call(uint64_t fn);
uint64_t hvc_call(uint64_t fn);

int main(unsigned el);
void exception_handler(struct frame *f, unsigned idx, unsigned el);

extern char vectors_el1[], vectors_el2[], __stack_el1_top[];

#endif
