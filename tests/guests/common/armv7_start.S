/*
 * Entry and vector tables of the ARMv7-A guests (armv7_*.c). The PE starts in Hyp mode (qemu-system-arm
 * -M virt,virtualization=on -cpu cortex-a15; armvirt --cpu cortex-a15 --el 2): _start sets SP_hyp, HVBAR, VBAR and the
 * PL1 modes' stack pointers (MSR banked) and calls hyp_main. Hyp vectors save R0-R12 and LR on the Hyp stack, call
 * hyp_exception(offset, frame) and return by ERET (to ELR_hyp, which the handler may move). PL1 vectors do the same on
 * their mode's stack with pl1_exception(offset, frame), which sets the saved LR to the return address; they return
 * with LDM (exception return), which restores the CPSR from the mode's SPSR.
 */
    .arm
    .syntax unified
    .arch armv7ve
    .section .text.boot, "ax"
    .global _start
_start:
    ldr     sp, =stack_hyp
    ldr     r0, =hyp_vectors
    mcr     p15, 4, r0, c12, c0, 0      @ HVBAR
    ldr     r0, =pl1_vectors
    mcr     p15, 0, r0, c12, c0, 0      @ VBAR
    ldr     r0, =stack_svc
    msr     SP_svc, r0
    ldr     r0, =stack_abt
    msr     SP_abt, r0
    ldr     r0, =stack_und
    msr     SP_und, r0
    ldr     r0, =stack_irq
    msr     SP_irq, r0
    bl      hyp_main
1:  b       1b

    .balign 32
hyp_vectors:
    b       .
    b       hyp_04
    b       hyp_08
    b       hyp_0c
    b       hyp_10
    b       hyp_14
    b       hyp_18
    b       hyp_1c

    .macro HYP_ENTRY off
hyp_\off:
    push    {r0-r12, lr}
    mov     r0, #0x\off
    mov     r1, sp
    bl      hyp_exception
    pop     {r0-r12, lr}
    eret
    .endm
    HYP_ENTRY 04
    HYP_ENTRY 08
    HYP_ENTRY 0c
    HYP_ENTRY 10
    HYP_ENTRY 14
    HYP_ENTRY 18
    HYP_ENTRY 1c

#include "armv7_pl1_vectors.S"

    /* enter_pl1(spsr, entry): ERET from Hyp mode to a PL1 mode at entry. */
    .global enter_pl1
enter_pl1:
    msr     SPSR_fsxc, r0          @ SPSR_hyp, the current mode's SPSR
    msr     ELR_hyp, r1
    eret
