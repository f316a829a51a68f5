// Reference guest for QemuParReferenceTests (two stages): started at EL2, builds EL1 stage 1 and stage 2 tables and
// prints PAR_EL1 after AT S12E1R/S12E1W/S12E0R/S1E1R on 6 VAs. Build and run:
//   aarch64-linux-gnu-gcc -nostdlib -static -Wl,-Ttext=0x40080000 -o at2.elf at_par_s2.S
//   qemu-system-aarch64 -M virt,virtualization=on -cpu cortex-a57 -m 256 -nographic -kernel at2.elf
    .global _start
    .text
_start:
    ldr x0, =0x41000000
    mov x2, #0
clr: str xzr, [x0, x2]
    add x2, x2, #8
    cmp x2, #0x3000
    b.ne clr
    ldr x0, =0x42000000
    mov x2, #0
clr2: str xzr, [x0, x2]
    add x2, x2, #8
    cmp x2, #0x4000
    b.ne clr2
    // Stage 1 (EL1) tables, as in at_par.S
    ldr x0, =0x41000000
    ldr x1, =0x00000401
    str x1, [x0, #0]
    ldr x1, =0x40000705
    str x1, [x0, #8]
    ldr x1, =0x41001003
    str x1, [x0, #16]
    ldr x3, =0x41001000
    ldr x1, =0x40200C49
    str x1, [x3, #0]
    ldr x1, =0x41002003
    str x1, [x3, #8]
    ldr x3, =0x41002000
    ldr x1, =0x403006C7
    str x1, [x3, #0]
    // Stage 2: 40-bit IPA, level 1 start, two concatenated tables at 0x42000000
    ldr x0, =0x42000000
    ldr x1, =0x000004C5          // [0] 1GB block PA 0, Device-nGnRE, RW
    str x1, [x0, #0]
    ldr x1, =0x42002003          // [1] table -> L2
    str x1, [x0, #8]
    ldr x3, =0x42002000
    ldr x1, =0x400007FD          // [0] 2MB 0x40000000 WB ISH RW
    str x1, [x3, #0]
    ldr x1, =0x40600455          // [1] 2MB IPA 0x40200000 -> PA 0x40600000, NC, read-only
    str x1, [x3, #8]
    ldr x1, =0x42003003          // [8] table -> L3 for IPA 0x41000000
    str x1, [x3, #64]
    ldr x3, =0x42003000
    ldr x1, =0x410007FF
    str x1, [x3, #0]
    ldr x1, =0x410017FF
    str x1, [x3, #8]
    // EL1 registers
    ldr x1, =0x0444FF00
    msr mair_el1, x1
    ldr x1, =0x0000000400803519
    msr tcr_el1, x1
    ldr x1, =0x41000000
    msr ttbr0_el1, x1
    ldr x1, =0x30d01805
    msr sctlr_el1, x1
    ldr x1, =0x00043558          // VTCR: T0SZ 24, SL0 1, IRGN/ORGN WB, SH ISH, TG0 4K, PS 44
    msr vtcr_el2, x1
    ldr x1, =0x0005000042000000  // VMID 5
    msr vttbr_el2, x1
    ldr x1, =0x80000001          // HCR_EL2: RW, VM
    msr hcr_el2, x1
    isb
    adr x20, vas
    mov x21, #6
loop:
    ldr x19, [x20], #8
    at s12e1r, x19
    isb
    mrs x0, par_el1
    bl hex
    at s12e1w, x19
    isb
    mrs x0, par_el1
    bl hex
    at s12e0r, x19
    isb
    mrs x0, par_el1
    bl hex
    at s1e1r, x19
    isb
    mrs x0, par_el1
    bl hex
    subs x21, x21, #1
    b.ne loop
    ldr x0, =0x84000008
    smc #0
1:  b 1b

hex:
    ldr x9, =0x09000000
    mov x10, #60
2:  lsr x11, x0, x10
    and x11, x11, #0xf
    cmp x11, #10
    add x12, x11, #'0'
    add x13, x11, #('a' - 10)
    csel x11, x12, x13, lt
    strb w11, [x9]
    subs x10, x10, #4
    b.ge 2b
    mov x11, #10
    strb w11, [x9]
    ret
    .ltorg
    .balign 8
vas:
    .quad 0x80000123, 0x80200456, 0x40001008, 0x09000010, 0xC0000000, 0x40200000
