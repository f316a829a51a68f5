/* Entry of the A32 program of aarch32.elf: the EL1 has set SP (R13); call user_main and exit through SVC #0. */
    .arm
    .section .text.boot, "ax"
    .global _user_start
_user_start:
    bl      user_main
    svc     #0
1:  b       1b
