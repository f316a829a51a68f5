/*
 * Entry and vector tables of armv7_secure.c (qemu-system-arm -M virt,secure=on,virtualization=on -cpu cortex-a15;
 * armvirt --cpu cortex-a15 --el 3). The PE starts in Secure Supervisor mode: _start gives each mode a stack (CPS into
 * FIQ, IRQ, Abort, Undefined and Monitor mode), sets MVBAR and VBAR(S) and calls secure_main.
 * Monitor vectors save R0-R12 and LR on the Monitor stack, call mon_exception(offset, frame) and return with MOVS PC, LR
 * (the handler adjusts the saved LR: + 0 for SMC, - 4 for IRQ and FIQ). The vectors of the PL1 modes (Secure and
 * Non-secure share this table; each world's VBAR points here) call pl1_exception(offset, frame) the same way.
 */
    .arm
    .syntax unified
    .arch armv7ve
    .section .text.boot, "ax"
    .global _start
_start:
    ldr     sp, =stack_svc
    cps     #0x11
    ldr     sp, =stack_fiq
    cps     #0x12
    ldr     sp, =stack_irq
    cps     #0x17
    ldr     sp, =stack_abt
    cps     #0x1b
    ldr     sp, =stack_und
    cps     #0x16
    ldr     sp, =stack_mon
    cps     #0x13
    ldr     r0, =mon_vectors
    mcr     p15, 0, r0, c12, c0, 1      @ MVBAR
    ldr     r0, =pl1_vectors
    mcr     p15, 0, r0, c12, c0, 0      @ VBAR (Secure: SCR.NS = 0)
    isb
    bl      secure_main
1:  cpsid   if
    wfi
    b       1b

    .balign 32
mon_vectors:
    b       .
    b       .
    b       mon_08
    b       mon_0c
    b       mon_10
    b       .
    b       mon_18
    b       mon_1c

    .macro MON_ENTRY off
mon_\off:
    push    {r0-r12, lr}
    mov     r0, #0x\off
    mov     r1, sp
    bl      mon_exception
    pop     {r0-r12, lr}
    movs    pc, lr
    .endm
    MON_ENTRY 08
    MON_ENTRY 0c
    MON_ENTRY 10
    MON_ENTRY 18
    MON_ENTRY 1c

#include "armv7_pl1_vectors.S"

    .balign 32
    .global hyp_vectors
hyp_vectors:
    b       .
    b       .
    b       hyp_08
    b       .
    b       .
    b       hyp_14
    b       .
    b       .
hyp_08:
hyp_14:
    push    {r0-r12, lr}
    mov     r1, sp
    bl      hyp_exception
    pop     {r0-r12, lr}
    eret

    /* Non-secure code gets its own stacks: the Secure world's stay untouched. */
    .global ns_entry
ns_entry:
    ldr     sp, =stack_ns_svc
    bl      ns_main
    smc     #0
    b       .

    .global hyp_entry
hyp_entry:
    ldr     sp, =stack_ns_svc
    bl      hyp_main
    smc     #0
    b       .
