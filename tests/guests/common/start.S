/*
 * Entry point and exception vector tables shared by the guests.
 * _start: set SP, zero .bss, install the vector table of the current EL (and of EL1 when started at EL2),
 * call main(current_el), then power off through PSCI.
 * Each vector entry saves X0-X30, ELR, SPSR, ESR and FAR of its EL into a struct frame on the stack and calls
 * exception_handler(frame, vector_index, el); on return ELR/SPSR and the registers are restored from the frame
 * and the handler ERETs, so a C handler can skip an instruction by adding 4 to frame->elr.
 */
    .section .text.boot, "ax"
    .global _start
_start:
    adrp    x1, __stack_top
    add     x1, x1, :lo12:__stack_top
    mov     sp, x1
    adrp    x1, __bss_start
    add     x1, x1, :lo12:__bss_start
    adrp    x2, __bss_end
    add     x2, x2, :lo12:__bss_end
1:  cmp     x1, x2
    b.hs    2f
    stp     xzr, xzr, [x1], #16
    b       1b
2:  mrs     x0, CurrentEL
    ubfx    x0, x0, #2, #2
    adrp    x1, vectors_el1
    add     x1, x1, :lo12:vectors_el1
    msr     vbar_el1, x1
    cmp     x0, #2
    b.ne    3f
    adrp    x1, vectors_el2
    add     x1, x1, :lo12:vectors_el2
    msr     vbar_el2, x1
3:  isb
    bl      main
    bl      system_off
4:  wfi
    b       4b

#define FRAME_SIZE 288

.macro ventry el, idx
    .balign 0x80
    sub     sp, sp, #FRAME_SIZE
    stp     x0, x1, [sp, #0]
    mov     x1, #\idx
    b       save_el\el
.endm

.macro vtable el
    .balign 0x800
    .global vectors_el\el
vectors_el\el:
    ventry \el, 0
    ventry \el, 1
    ventry \el, 2
    ventry \el, 3
    ventry \el, 4
    ventry \el, 5
    ventry \el, 6
    ventry \el, 7
    ventry \el, 8
    ventry \el, 9
    ventry \el, 10
    ventry \el, 11
    ventry \el, 12
    ventry \el, 13
    ventry \el, 14
    ventry \el, 15

save_el\el:
    stp     x2, x3, [sp, #16]
    stp     x4, x5, [sp, #32]
    stp     x6, x7, [sp, #48]
    stp     x8, x9, [sp, #64]
    stp     x10, x11, [sp, #80]
    stp     x12, x13, [sp, #96]
    stp     x14, x15, [sp, #112]
    stp     x16, x17, [sp, #128]
    stp     x18, x19, [sp, #144]
    stp     x20, x21, [sp, #160]
    stp     x22, x23, [sp, #176]
    stp     x24, x25, [sp, #192]
    stp     x26, x27, [sp, #208]
    stp     x28, x29, [sp, #224]
    str     x30, [sp, #240]
    mrs     x2, elr_el\el
    mrs     x3, spsr_el\el
    stp     x2, x3, [sp, #248]
    mrs     x2, esr_el\el
    mrs     x3, far_el\el
    stp     x2, x3, [sp, #264]
    mov     x0, sp
    mov     x2, #\el
    bl      exception_handler
    ldp     x2, x3, [sp, #248]
    msr     elr_el\el, x2
    msr     spsr_el\el, x3
    ldp     x0, x1, [sp, #0]
    ldp     x2, x3, [sp, #16]
    ldp     x4, x5, [sp, #32]
    ldp     x6, x7, [sp, #48]
    ldp     x8, x9, [sp, #64]
    ldp     x10, x11, [sp, #80]
    ldp     x12, x13, [sp, #96]
    ldp     x14, x15, [sp, #112]
    ldp     x16, x17, [sp, #128]
    ldp     x18, x19, [sp, #144]
    ldp     x20, x21, [sp, #160]
    ldp     x22, x23, [sp, #176]
    ldp     x24, x25, [sp, #192]
    ldp     x26, x27, [sp, #208]
    ldp     x28, x29, [sp, #224]
    ldr     x30, [sp, #240]
    add     sp, sp, #FRAME_SIZE
    eret
.endm

    .text
    vtable 1
    vtable 2
