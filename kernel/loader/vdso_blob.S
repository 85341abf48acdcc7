/* SPDX-License-Identifier: MIT */
/* The vDSO image, built from kernel/loader/vdso/ by the Makefile, embedded. */
	.section .rodata
	.p2align 12
	.globl vdso_image_start, vdso_image_end
vdso_image_start:
	.incbin VDSO_PATH
vdso_image_end:
	.p2align 12
