/* The A32 program of aarch32.elf (bin/aarch32_user.bin, a flat image for USER_BASE), carried in its AArch64 image. */
    .section .rodata.user, "a"
    .balign 16
    .global user_image, user_image_end
user_image:
    .incbin "bin/aarch32_user.bin"
user_image_end:
