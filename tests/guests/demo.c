/*
 * demo.elf: the guest `armvirt` boots when given no kernel.
 * Started at EL2 (QEMU -M virt,virtualization=on / armvirt --el 2): prints from EL2, makes EL1 AArch64
 * (HCR_EL2.RW), installs VBAR_EL2, drops to EL1h with ERET, prints from EL1, makes an HVC that the EL2 vector
 * reports, and powers off with PSCI SYSTEM_OFF: EL1 asks its hypervisor with HVC and the EL2 handler makes the
 * SMC on its behalf. Started at EL1 it says so and powers off with HVC.
 */
#include "guest.h"

#define HCR_RW (1ul << 31)
#define SPSR_EL1H_DAIF_MASKED 0x3c5ul  /* M[3:0] = EL1h, D, A, I, F set */

static void el1_main(void) __attribute__((noreturn));

static void el1_main(void)
{
    print("EL1: running at EL%d after ERET from EL2\n", (uint64_t)current_el());
    register uint64_t x0 __asm__("x0") = 0xfeed;
    __asm__ volatile("hvc #0x1234" : "+r"(x0) : : "x1", "x2", "x3", "memory");
    print("EL1: back from HVC, hypervisor returned x0=0x%x\n", x0);
    print("EL1: asking EL2 to power off (PSCI SYSTEM_OFF via HVC)\n");
    hvc_call(PSCI_SYSTEM_OFF);
    print("EL1: SYSTEM_OFF returned\n");
    for (;;) __asm__ volatile("wfi");
}

void exception_handler(struct frame *f, unsigned idx, unsigned el)
{
    uint64_t ec = f->esr >> 26, iss = f->esr & 0x1ffffff;
    if (el == 2 && idx == VEC_LOWER64_SYNC && ec == EC_HVC64) {
        if (iss == 0 && (uint32_t)f->x[0] == PSCI_SYSTEM_OFF) {
            print("EL2: guest asked for SYSTEM_OFF, forwarding with SMC\n");
            smc_call(PSCI_SYSTEM_OFF);
            print("EL2: SYSTEM_OFF returned\n");
            for (;;) __asm__ volatile("wfi");
        }
        print("EL2: HVC from EL1: EC=0x%x ISS=0x%x ELR_EL2=0x%x x0=0x%x\n", ec, iss, f->elr, f->x[0]);
        f->x[0] = 0x600d;   /* HVC's preferred return address is the next instruction: nothing to skip */
        return;
    }
    print("EL%d: unexpected exception: vector %d ESR=0x%x ELR=0x%x FAR=0x%x\n",
          (uint64_t)el, (uint64_t)idx, f->esr, f->elr, f->far);
    system_off();
}

int main(unsigned el)
{
    print("ArmVirt demo guest (AArch64, bare metal on the -M virt memory map)\n");
    if (el < 2) {
        print("EL%d: started at EL%d (no EL2: run with --el 2 or QEMU -M virt,virtualization=on for the hypervisor demo)\n",
              (uint64_t)el, (uint64_t)el);
        print("EL%d: powering off with PSCI SYSTEM_OFF via HVC\n", (uint64_t)el);
        return 0;
    }
    print("EL2: hello from the hypervisor level (CurrentEL=%d)\n", (uint64_t)current_el());
    WRITE_SYSREG(hcr_el2, HCR_RW);
    WRITE_SYSREG(vbar_el2, vectors_el2);
    WRITE_SYSREG(vbar_el1, vectors_el1);
    WRITE_SYSREG(sp_el1, __stack_el1_top);
    WRITE_SYSREG(spsr_el2, SPSR_EL1H_DAIF_MASKED);
    WRITE_SYSREG(elr_el2, el1_main);
    ISB();
    print("EL2: HCR_EL2.RW set, VBAR_EL2 installed, dropping to EL1h with ERET\n");
    __asm__ volatile("eret" ::: "memory");
    __builtin_unreachable();
}
