// Reference guest for QemuParReferenceTests: builds stage 1 tables, runs AT S1E1R/S1E1W/S1E0R/S1E0W on 8 VAs and
// prints PAR_EL1 in hex on the PL011. Build and run:
//   aarch64-linux-gnu-gcc -nostdlib -static -Wl,-Ttext=0x40080000 -o at.elf at_par.S
//   qemu-system-aarch64 -M virt -cpu cortex-a57 -m 256 -nographic -kernel at.elf
    .global _start
    .text
_start:
    ldr x0, =0x41000000
    mov x2, #0
clr: str xzr, [x0, x2]
    add x2, x2, #8
    cmp x2, #0x3000
    b.ne clr
    // L1 table at 0x41000000
    ldr x1, =0x00000401          // [0] block 0, Device idx0, AF
    str x1, [x0, #0]
    ldr x1, =0x40000705          // [1] block 0x40000000, idx1, SH=11, AF
    str x1, [x0, #8]
    ldr x1, =0x41001003          // [2] table -> L2
    str x1, [x0, #16]
    // L2 at 0x41001000
    ldr x3, =0x41001000
    ldr x1, =0x40200C49          // [0] 2MB block 0x40200000, idx2, AP=01, nG, AF
    str x1, [x3, #0]
    ldr x1, =0x41002003          // [1] table -> L3
    str x1, [x3, #8]
    // L3 at 0x41002000
    ldr x3, =0x41002000
    ldr x1, =0x403006C7          // [0] page 0x40300000 idx1 AP=11 SH=10 AF
    str x1, [x3, #0]
    ldr x1, =0x40301007          // [1] page, AF=0
    str x1, [x3, #8]
    ldr x1, =0x4030348F          // [3] page 0x40303000 idx3 AP=10 AF
    str x1, [x3, #24]
    ldr x1, =0x0444FF00
    msr mair_el1, x1
    ldr x1, =0x0000000400803519   // T0SZ 25, IRGN0/ORGN0 WB, SH0 ISH, EPD1, IPS 44
    msr tcr_el1, x1
    msr ttbr0_el1, x0
    isb
    ldr x1, =0x30d01805
    msr sctlr_el1, x1
    isb
    adr x20, vas
    mov x21, #8
loop:
    ldr x19, [x20], #8
    at s1e1r, x19
    isb
    mrs x0, par_el1
    bl hex
    at s1e1w, x19
    isb
    mrs x0, par_el1
    bl hex
    at s1e0r, x19
    isb
    mrs x0, par_el1
    bl hex
    at s1e0w, x19
    isb
    mrs x0, par_el1
    bl hex
    subs x21, x21, #1
    b.ne loop
    ldr x0, =0x84000008
    hvc #0
1:  b 1b

hex: // print x0 as 16 hex digits + newline to PL011
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
    .quad 0x80000123, 0x80200456, 0x80201000, 0x80202000, 0x80203000, 0x80400000, 0xC0000000, 0x8000000000
