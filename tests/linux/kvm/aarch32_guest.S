/*
 * The AArch32 EL1 guest of the nested KVM test: minivmm --aarch32 runs this flat A32 image as a 32-bit KVM guest
 * (KVM_ARM_VCPU_EL1_32BIT) at RAM base, where KVM enters it in Supervisor mode with the MMU off. It prints through
 * the PL011 data register (MMIO exits that minivmm emulates) its CPSR and a few CP15 registers, takes an SVC to its
 * own vector table (VBAR) and returns from it with MOVS PC, LR, then powers off with PSCI SYSTEM_OFF through HVC,
 * which KVM answers. Built by arm-linux-gnueabihf-gcc (Makefile), committed as bin/aarch32_guest.bin.
 */
    .arm
    .syntax unified
    .text
    .global _start
_start:
    ldr     sp, =0x40100000
    adr     r0, vectors
    mcr     p15, 0, r0, c12, c0, 0      @ VBAR
    isb
    mrs     r4, cpsr
    ldr     r0, =msg_ok
    bl      puts
    mov     r0, r4
    bl      puthex
    ldr     r0, =msg_midr
    bl      puts
    mrc     p15, 0, r0, c0, c0, 0       @ MIDR (VPIDR_EL2)
    bl      puthex
    ldr     r0, =msg_pfr0
    bl      puts
    mrc     p15, 0, r0, c0, c1, 0       @ ID_PFR0
    bl      puthex
    bl      newline
    svc     #0x32
    ldr     r0, =msg_back
    bl      puts
    mrs     r0, cpsr
    bl      puthex
    bl      newline
    ldr     r0, =msg_done
    bl      puts
    ldr     r0, =0x84000008             @ PSCI SYSTEM_OFF
    hvc     #0
1:  b       1b

    .balign 32
vectors:
    b       .                           @ reset
    b       .                           @ undefined
    b       svc_entry
    b       .                           @ prefetch abort
    b       .                           @ data abort
    b       .
    b       .                           @ IRQ
    b       .                           @ FIQ

svc_entry:
    push    {r0-r4, lr}
    mov     r4, lr                      @ LR_svc: the return address (BL below changes LR)
    ldr     r0, =msg_svc
    bl      puts
    ldr     r0, [r4, #-4]               @ the SVC's immediate
    bic     r0, r0, #0xff000000
    bl      puthex
    ldr     r0, =msg_spsr
    bl      puts
    mrs     r0, spsr
    bl      puthex
    bl      newline
    pop     {r0-r4, lr}
    movs    pc, lr

@ puts(r0): the string's bytes to the UART data register (r1-r3 clobbered).
puts:
    ldr     r1, =0x09000000
2:  ldrb    r2, [r0], #1
    cmp     r2, #0
    bxeq    lr
    strb    r2, [r1]
    b       2b

@ puthex(r0): 8 hexadecimal digits (r0-r3 clobbered).
puthex:
    ldr     r1, =0x09000000
    mov     r3, #28
3:  lsr     r2, r0, r3
    and     r2, r2, #0xf
    cmp     r2, #10
    addlo   r2, r2, #'0'
    addhs   r2, r2, #'a' - 10
    strb    r2, [r1]
    subs    r3, r3, #4
    bpl     3b
    bx      lr

newline:
    ldr     r1, =0x09000000
    mov     r2, #'\n'
    strb    r2, [r1]
    bx      lr

msg_ok:   .asciz "AARCH32-KVM-GUEST-OK cpsr="
msg_midr: .asciz " midr="
msg_pfr0: .asciz " id_pfr0="
msg_svc:  .asciz "AARCH32-KVM-GUEST svc #"
msg_spsr: .asciz " spsr="
msg_back: .asciz "AARCH32-KVM-GUEST back from SVC cpsr="
msg_done: .asciz "AARCH32-KVM-GUEST-DONE\n"
    .balign 4
    .ltorg
