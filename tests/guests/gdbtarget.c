/*
 * gdbtarget.elf: the target of the scripted gdb-multiarch sessions (tests/ArmVirt.Machine.Tests GdbSessionTests),
 * built with -g so that gdb finds `step_counter` to break on and `counter` to watch. The same session runs against
 * QEMU's gdbstub (`-s -S`) and must stop at the same places with the same registers.
 */
#include "guest.h"

volatile uint64_t counter;
volatile uint64_t samples[4] = { 0x1111222233334444ull, 0x5555666677778888ull, 0x99990000aaaabbbbull, 0xccccddddeeeeffffull };

void exception_handler(struct frame *f, unsigned idx, unsigned el)
{
    print("unexpected exception at EL%d vector %d ESR=0x%x ELR=0x%x\n", (uint64_t)el, (uint64_t)idx, f->esr, f->elr);
    system_off();
}

/* A function to break on: mixes its argument into the samples and returns a checksum. */
__attribute__((noinline)) uint64_t step_counter(uint64_t k)
{
    uint64_t sum = k * 3 + 1;
    for (int i = 0; i < 4; i++) sum ^= samples[i] + (sum << 7);
    return sum;
}

int main(unsigned el)
{
    uint64_t total = 0;
    for (uint64_t k = 1; k <= 3; k++) {
        total += step_counter(k);
        counter = counter + k; /* the watched store */
    }
    print("gdbtarget: EL%d counter %d total %x\n", (uint64_t)el, counter, total);
    return 0;
}
