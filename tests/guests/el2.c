/*
 * el2.elf: started at EL2, runs an EL1 program under HCR_EL2 traps and prints what EL2 sees:
 *   TSC: SMC at EL1 trapped to EL2 (EC 0x17);   TWI: WFI at EL1 trapped (EC 0x01);
 *   TVM: MSR SCTLR_EL1 at EL1 trapped (EC 0x18; MRS is not);
 *   HCR_EL2.VI with IMO: a virtual IRQ taken at EL1's IRQ vector once EL1 unmasks PSTATE.I.
 * EL1 talks to EL2 with HVC #n: 1 = assert HCR_EL2.VI, 2 = clear it, 0 = SMCCC (PSCI SYSTEM_OFF, forwarded by SMC).
 */
#include "guest.h"

#define HCR_IMO (1ul << 4)
#define HCR_VI  (1ul << 7)
#define HCR_TWI (1ul << 13)
#define HCR_TSC (1ul << 19)
#define HCR_TVM (1ul << 26)
#define HCR_RW  (1ul << 31)

static volatile unsigned irqs_taken;

static void hyp_call(uint64_t imm_is_1_or_2)
{
    if (imm_is_1_or_2 == 1) __asm__ volatile("hvc #1" ::: "memory");
    else __asm__ volatile("hvc #2" ::: "memory");
}

static void el2_handler(struct frame *f, unsigned idx)
{
    uint64_t ec = f->esr >> 26, iss = f->esr & 0x1ffffff;
    if (idx != VEC_LOWER64_SYNC) {
        print("EL2: unexpected vector %d ESR=0x%x ELR=0x%x\n", (uint64_t)idx, f->esr, f->elr);
        system_off();
    }
    switch (ec) {
    case EC_SMC64:
        print("EL2: trapped SMC (HCR_EL2.TSC): EC=0x%x ISS=0x%x ELR_EL2=0x%x\n", ec, iss, f->elr);
        f->elr += 4;   /* a trapped SMC returns to itself */
        return;
    case EC_WFX:
        print("EL2: trapped WFI (HCR_EL2.TWI): EC=0x%x ISS=0x%x ELR_EL2=0x%x\n", ec, iss, f->elr);
        f->elr += 4;
        return;
    case EC_SYSREG:
        print("EL2: trapped MSR (HCR_EL2.TVM): EC=0x%x ISS=0x%x (Op0=%d Op1=%d CRn=%d CRm=%d Op2=%d Rt=%d %s) value.I=%d\n",
              ec, iss, (iss >> 20) & 3, (iss >> 14) & 7, (iss >> 10) & 15, (iss >> 1) & 15, (iss >> 17) & 7,
              (iss >> 5) & 31, (iss & 1) ? "read" : "write", (f->x[(iss >> 5) & 31] >> 12) & 1);
        f->elr += 4;
        return;
    case EC_HVC64:
        if (iss == 1) {
            print("EL2: HVC #1: setting HCR_EL2.VI\n");
            WRITE_SYSREG(hcr_el2, READ_SYSREG(hcr_el2) | HCR_VI);
        } else if (iss == 2) {
            print("EL2: HVC #2: clearing HCR_EL2.VI\n");
            WRITE_SYSREG(hcr_el2, READ_SYSREG(hcr_el2) & ~HCR_VI);
        } else if (iss == 0 && (uint32_t)f->x[0] == PSCI_SYSTEM_OFF) {
            print("EL2: SYSTEM_OFF requested by EL1, forwarding with SMC\n");
            system_off();
        } else {
            print("EL2: unexpected HVC ISS=0x%x\n", iss);
            system_off();
        }
        ISB();
        return;
    default:
        print("EL2: unexpected EC=0x%x ISS=0x%x ELR=0x%x FAR=0x%x\n", ec, iss, f->elr, f->far);
        system_off();
    }
}

static void el1_handler(struct frame *f, unsigned idx)
{
    if (idx == VEC_CUR_SPX_IRQ) {
        irqs_taken++;
        print("EL1: IRQ vector taken, ISR_EL1=0x%x SPSR_EL1=0x%x ELR_EL1=0x%x\n", READ_SYSREG(isr_el1), f->spsr, f->elr);
        hyp_call(2);
        print("EL1: after clearing VI, ISR_EL1=0x%x\n", READ_SYSREG(isr_el1));
        return;
    }
    print("EL1: unexpected vector %d ESR=0x%x ELR=0x%x\n", (uint64_t)idx, f->esr, f->elr);
    hvc_call(PSCI_SYSTEM_OFF);
}

void exception_handler(struct frame *f, unsigned idx, unsigned el)
{
    if (el == 2) el2_handler(f, idx);
    else el1_handler(f, idx);
}

/* cortex-a57/a53 IMPLEMENTATION DEFINED registers, by encoding (the assembler has no names for them). */
static void print_impdef(const char *who)
{
    uint64_t l2ctlr, l2ectlr, l2actlr, cpuactlr, cpuectlr, cpumerrsr, l2merrsr;
    __asm__ volatile("mrs %0, S3_1_C11_C0_2" : "=r"(l2ctlr));
    __asm__ volatile("mrs %0, S3_1_C11_C0_3" : "=r"(l2ectlr));
    __asm__ volatile("mrs %0, S3_1_C15_C0_0" : "=r"(l2actlr));
    __asm__ volatile("mrs %0, S3_1_C15_C2_0" : "=r"(cpuactlr));
    __asm__ volatile("mrs %0, S3_1_C15_C2_1" : "=r"(cpuectlr));
    __asm__ volatile("mrs %0, S3_1_C15_C2_2" : "=r"(cpumerrsr));
    __asm__ volatile("mrs %0, S3_1_C15_C2_3" : "=r"(l2merrsr));
    print("%s: L2CTLR=0x%x L2ECTLR=0x%x L2ACTLR=0x%x CPUACTLR=0x%x CPUECTLR=0x%x CPUMERRSR=0x%x L2MERRSR=0x%x\n", who,
          l2ctlr, l2ectlr, l2actlr, cpuactlr, cpuectlr, cpumerrsr, l2merrsr);
}

static void el1_main(void) __attribute__((noreturn));

static void el1_main(void)
{
    print("EL1: running at EL%d\n", (uint64_t)current_el());
    print_impdef("EL1");
    print("EL1: SMC #0x55\n");
    __asm__ volatile("smc #0x55" ::: "memory");
    print("EL1: WFI\n");
    __asm__ volatile("wfi" ::: "memory");
    print("EL1: MRS SCTLR_EL1 (not trapped by TVM)\n");
    uint64_t sctlr = READ_SYSREG(sctlr_el1);
    print("EL1: MSR SCTLR_EL1, x5\n");
    __asm__ volatile("mov x5, %0\n msr sctlr_el1, x5" : : "r"(sctlr | 0x1000) : "x5", "memory");
    print("EL1: SCTLR_EL1.I after the trapped write: %d\n", (READ_SYSREG(sctlr_el1) >> 12) & 1);
    print("EL1: ISR_EL1=0x%x before VI\n", READ_SYSREG(isr_el1));
    hyp_call(1);
    print("EL1: ISR_EL1=0x%x with VI set, PSTATE.I still masked\n", READ_SYSREG(isr_el1));
    __asm__ volatile("msr daifclr, #2\n isb" ::: "memory");
    __asm__ volatile("msr daifset, #2" ::: "memory");
    print("EL1: virtual IRQs taken: %d\n", (uint64_t)irqs_taken);
    print("EL1: powering off via HVC to EL2\n");
    hvc_call(PSCI_SYSTEM_OFF);
    for (;;) __asm__ volatile("wfi");
}

int main(unsigned el)
{
    print("el2 guest at EL%d\n", (uint64_t)el);
    if (el != 2) {
        print("this guest needs EL2 (armvirt --el 2, QEMU -M virt,virtualization=on)\n");
        return 0;
    }
    print_impdef("EL2");
    __asm__ volatile("mrs x0, S3_1_C15_C2_1\n orr x0, x0, #0x40\n msr S3_1_C15_C2_1, x0" ::: "x0");  /* CPUECTLR_EL1.SMPEN */
    print_impdef("EL2 after setting CPUECTLR_EL1.SMPEN");
    WRITE_SYSREG(hcr_el2, HCR_RW | HCR_TSC | HCR_TWI | HCR_TVM | HCR_IMO);
    WRITE_SYSREG(sp_el1, __stack_el1_top);
    WRITE_SYSREG(spsr_el2, 0x3c5ul);   /* EL1h, DAIF masked */
    WRITE_SYSREG(elr_el2, el1_main);
    ISB();
    print("EL2: HCR_EL2 = RW|TSC|TWI|TVM|IMO, entering EL1\n");
    __asm__ volatile("eret" ::: "memory");
    __builtin_unreachable();
}
