/*
 * semihosting.elf: Arm semihosting (IHI 0056) on AArch64, HLT #0xF000 with the operation in W0 and the
 * parameter block in X1. Prints with SYS_WRITE0 and SYS_WRITEC, then exits with SYS_EXIT_EXTENDED, code 3.
 */
#include "guest.h"

#define SYS_WRITEC        0x03
#define SYS_WRITE0        0x04
#define SYS_EXIT_EXTENDED 0x20
#define ADP_Stopped_ApplicationExit 0x20026

static uint64_t semihost(uint64_t op, const void *param)
{
    register uint64_t x0 __asm__("x0") = op;
    register uint64_t x1 __asm__("x1") = (uint64_t)param;
    __asm__ volatile("hlt #0xf000" : "+r"(x0) : "r"(x1) : "memory");
    return x0;
}

void exception_handler(struct frame *f, unsigned idx, unsigned el)
{
    print("unexpected exception at EL%d vector %d ESR=0x%x ELR=0x%x\n", (uint64_t)el, (uint64_t)idx, f->esr, f->elr);
    system_off();
}

int main(unsigned el)
{
    static const char hello[] = "semihosting: hello from SYS_WRITE0\n";
    static const char writec[] = "semihosting: SYS_WRITEC ok\n";
    static uint64_t exit_block[2] __attribute__((aligned(16)));
    (void)el;
    semihost(SYS_WRITE0, hello);
    for (const char *p = writec; *p; p++) semihost(SYS_WRITEC, p);
    semihost(SYS_WRITE0, "semihosting: exiting with SYS_EXIT_EXTENDED code 3\n");
    exit_block[0] = ADP_Stopped_ApplicationExit;
    exit_block[1] = 3;
    semihost(SYS_EXIT_EXTENDED, exit_block);
    semihost(SYS_WRITE0, "semihosting: SYS_EXIT_EXTENDED returned\n");
    return 1;
}
