/*
 * The A32 kernel of aarch32_el1.elf, linked at KERNEL_BASE (common/aarch32_user.ld): its vector table (VBAR = the
 * image base; entry 0, the reset vector, is where the EL2's ERET enters it in Supervisor mode) and the exception entry
 * code of each mode. Every handler saves R0-R12 and LR on its mode's stack (the stack pointers the EL2 set through
 * X17, X19, X21, X23, X29) and calls el1_exception(type, frame), which may change the saved LR; each then returns
 * another way: LDM with the PC and ^, MOVS PC, LR, SUBS PC, LR, #0, ERET, SUBS PC, LR, #4, and SRS/RFE.
 */
    .arm
    .syntax unified
    .section .text.boot, "ax"
    .global _user_start
_user_start:
    b       reset
    b       und_entry
    b       svc_entry
    b       pabt_entry
    b       dabt_entry
    b       .
    b       irq_entry
    b       fiq_entry

reset:
    bl      kernel_main
    mov     r0, #0
    hvc     #0
1:  b       1b

und_entry:                      @ Undefined: LDM (exception return)
    push    {r0-r12, lr}
    mov     r0, #1
    mov     r1, sp
    bl      el1_exception
    ldmfd   sp!, {r0-r12, pc}^

svc_entry:                      @ SVC: MOVS PC, LR
    push    {r0-r12, lr}
    mov     r0, #2
    mov     r1, sp
    bl      el1_exception
    pop     {r0-r12, lr}
    movs    pc, lr

pabt_entry:                     @ Prefetch Abort: SUBS PC, LR, #0 to the address the handler chose
    push    {r0-r12, lr}
    mov     r0, #3
    mov     r1, sp
    bl      el1_exception
    pop     {r0-r12, lr}
    subs    pc, lr, #0

dabt_entry:                     @ Data Abort: ERET (SUBS PC, LR, #0 outside Hyp mode)
    push    {r0-r12, lr}
    mov     r0, #4
    mov     r1, sp
    bl      el1_exception
    pop     {r0-r12, lr}
    eret

irq_entry:                      @ IRQ: SUBS PC, LR, #4
    push    {r0-r12, lr}
    mov     r0, #6
    mov     r1, sp
    bl      el1_exception
    pop     {r0-r12, lr}
    subs    pc, lr, #4

fiq_entry:                      @ FIQ: SRS of LR - 4 and SPSR_fiq, then RFE
    sub     lr, lr, #4
    srsdb   sp!, #0x11
    push    {r0-r12, lr}
    mov     r0, #7
    mov     r1, sp
    bl      el1_exception
    pop     {r0-r12, lr}
    rfeia   sp!

/* Gives each mode's banked registers a marker (LR_<mode> = 0xMM00000e, R8_fiq and R12_fiq), switching with CPS and
 * coming back to Supervisor mode with MSR CPSR_c. */
    .global modes_setup
modes_setup:
    push    {r4, lr}
    cps     #0x12
    ldr     lr, =0x1200000e
    cps     #0x11
    ldr     r8, =0x11000008
    ldr     r12, =0x1100000c
    ldr     lr, =0x1100000e
    cps     #0x17
    ldr     lr, =0x1700000e
    cps     #0x1b
    ldr     lr, =0x1b00000e
    cps     #0x1f
    ldr     lr, =0x1f00000e
    msr     cpsr_c, #0xd3
    pop     {r4, pc}
    .ltorg

/* T32 code at EL1: SVC, a 16-bit UDF and a 16-bit BKPT taken from T32 (SPSR.T = 1, LR offsets of T32); then the T32
 * forms of CPS (16- and 32-bit), MRS, MRS (banked), MSR SPSR and SUBS PC, LR, SRS and RFE (DB and IA, with and without
 * write-back), loads and stores to the stage-2 hole (their T32 instruction syndromes), and HVCs (#0x31: EL2 prints r0-r3). */
    .thumb
    .thumb_func
    .global thumb_part
thumb_part:
    push    {r4, lr}
    svc     #5
    udf     #1
    bkpt    #2
    cpsie   i
    cpsid   i
    cps     #0x1f
    mrs     r0, cpsr
    cps     #0x13
    mrs     r1, lr_irq
    mrs     r2, cpsr
    orr     r3, r2, #0x20
    msr     spsr_fsxc, r3
    mrs     r3, spsr
    adr     lr, 1f
    subs    pc, lr, #0
    .balign 4
1:  hvc     #0x31
    @ T32 SRS and RFE: SRSDB with write-back (EL2 prints the SP change and the stored LR and SPSR), RFEIA with write-back
    @ back into T32 at 2f, then SRSIA without write-back and RFEDB with write-back through another register.
    mov     r4, sp
    adr.w   lr, 2f
    mrs     r0, cpsr
    orr     r0, r0, #0x20
    msr     spsr_fsxc, r0
    srsdb   sp!, #0x13
    sub     r1, r4, sp
    ldr     r2, [sp]
    ldr     r3, [sp, #4]
    hvc     #0x31
    rfeia   sp!
    .balign 4
2:  sub     r0, r4, sp
    sub     sp, sp, #16
    adr.w   lr, 3f
    srsia   sp, #0x13
    add     r1, sp, #8
    rfedb   r1!
    .balign 4
3:  sub     r1, r1, sp
    add     sp, sp, #16
    mrs     r2, cpsr
    sub     r3, r4, sp
    hvc     #0x31
    @ T32 loads and stores to the stage-2 hole: their instruction syndromes (16-bit ones with IL = 0), for EL2 to emulate.
    mov.w   r1, #0x50000000
    add.w   r1, r1, #0x100
    movs    r2, #0x5a
    str     r2, [r1, #4]
    strh    r2, [r1, #6]
    ldrh    r0, [r1, r2]
    ldrsb.w r3, [r1, #9]
    ldrsh   r3, [r1, #-2]
    strb.w  r2, [r1, #-3]
    ldr     r2, [r1, #16]!
    lda     r3, [r1]
    hvc     #0x31
    movs    r0, #0x32
    pop     {r4, pc}

/* Big-endian data at EL1: SETEND BE, STRD and loads of each size, literal loads, LDREXD/STREXD, the SPSR.E an HVC saves
 * (its ERET restores PSTATE.E), then SETEND LE and the words read back little-endian. EL2 prints r0-r3 and SPSR_EL2 (#0x32). */
    .arm
    .global endian_part
endian_part:
    push    {r4-r8, lr}
    sub     sp, sp, #16
    mov     r4, sp
    ldr     r0, =0x11223344
    ldr     r1, =0x55667788
    setend  be
    strd    r0, r1, [r4]
    ldrh    r2, [r4]
    ldrb    r3, [r4, #6]
    hvc     #0x32
    ldrexd  r0, r1, [r4]
    ldr     r6, =0xaabbccdd         @ literal loads are data accesses: these read 0xddccbbaa and 0x1100ffee
    ldr     r7, =0xeeff0011
    strexd  r3, r6, r7, [r4]
    ldrsh   r2, [r4, #4]
    hvc     #0x32
    ldr     r2, [r4]
    setend  le
    ldr     r0, [r4]
    ldr     r1, [r4, #4]
    mrs     r3, cpsr
    hvc     #0x32
    add     sp, sp, #16
    pop     {r4-r8, pc}
    .ltorg
