/* SPDX-License-Identifier: MIT */
/* The null kernel: the floor of the whole-run measure.  A PVH ELF whose 32-bit
 * entry's first instruction writes to isa-debug-exit (port 0xf4), so QEMU exits
 * as soon as the guest runs anything.  Its run time is QEMU's own start-up,
 * firmware-free PVH load and tear-down: what no guest kernel can go below. */

#define XEN_ELFNOTE_PHYS32_ENTRY 18

	.section .note.Xen, "a"
	.p2align 2
	.long 2f - 1f		/* namesz */
	.long 4f - 3f		/* descsz */
	.long XEN_ELFNOTE_PHYS32_ENTRY
1:	.asciz "Xen"
2:	.p2align 2
3:	.long null_entry	/* 32-bit physical entry point */
4:	.p2align 2

	.text
	.code32
	.globl null_entry
null_entry:
	outb %al, $0xf4		/* first instruction: QEMU exits here */
1:	cli
	hlt
	jmp 1b
