/* The AArch32 program of aarch32.elf (bin/aarch32_user.bin, a flat image for USER_BASE; USER_IMAGE names the T32 build
 * for aarch32_thumb.elf), carried in its AArch64 image. */
#ifndef USER_IMAGE
#define USER_IMAGE "bin/aarch32_user.bin"
#endif
    .section .rodata.user, "a"
    .balign 16
    .global user_image, user_image_end
user_image:
    .incbin USER_IMAGE
user_image_end:
