/*
 * The PL1 vector table of the ARMv7-A guests (included by common/armv7_start.S and armv7_secure_start.S): each vector
 * saves R0-R12 and LR on its mode's stack, calls pl1_exception(offset, frame), which may move the saved LR (the return
 * address), and returns with LDM (exception return), restoring the CPSR from the mode's SPSR.
 */
    .balign 32
    .global pl1_vectors
pl1_vectors:
    b       .
    b       pl1_04
    b       pl1_08
    b       pl1_0c
    b       pl1_10
    b       .
    b       pl1_18
    b       pl1_1c

    .macro PL1_ENTRY off
pl1_\off:
    push    {r0-r12, lr}
    mov     r0, #0x\off
    mov     r1, sp
    bl      pl1_exception
    ldmfd   sp!, {r0-r12, pc}^
    .endm
    PL1_ENTRY 04
    PL1_ENTRY 08
    PL1_ENTRY 0c
    PL1_ENTRY 10
    PL1_ENTRY 18
    PL1_ENTRY 1c
