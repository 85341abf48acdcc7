/* SPDX-License-Identifier: MIT */
/* PVH entry: QEMU (or any PVH loader) jumps here in 32-bit protected mode, paging
 * off, %ebx = physical address of the hvm_start_info.  We build temporary page
 * tables mapping the first GiB three times (identity, physmap, kernel), enter long
 * mode and call kmain in the higher half; kernel/arch/x86_64/mmu.c then builds the
 * real tables. */

#define KERNEL_VMA 0xffffffff80000000
#define PHYS(x) ((x) - KERNEL_VMA)

	.section .note.pvh, "a"
	.p2align 2
	.long 4			/* namesz "Xen\0" */
	.long 4			/* descsz */
	.long 18		/* XEN_ELFNOTE_PHYS32_ENTRY */
	.asciz "Xen"
	.long pvh_start32

	.section .boot.text, "ax"
	.code32
	.globl pvh_start32
pvh_start32:
	cli
	cld
	mov %ebx, %edi				/* keep start_info for kmain */
	mov $boot_stack_top_phys, %esp

	/* pml4[0] = pml4[256] = pdpt_low; pml4[511] = pdpt_high */
	mov $boot_pdpt_low, %eax
	or $0x3, %eax
	mov %eax, boot_pml4
	mov %eax, boot_pml4 + 256 * 8
	mov $boot_pdpt_high, %eax
	or $0x3, %eax
	mov %eax, boot_pml4 + 511 * 8
	/* pdpt_low[0] = pdpt_high[510] = pd */
	mov $boot_pd, %eax
	or $0x3, %eax
	mov %eax, boot_pdpt_low
	mov %eax, boot_pdpt_high + 510 * 8
	/* pd: 512 x 2 MiB, present, writable, large */
	xor %ecx, %ecx
1:	mov %ecx, %eax
	shl $21, %eax
	or $0x83, %eax
	mov %eax, boot_pd(, %ecx, 8)
	movl $0, boot_pd + 4(, %ecx, 8)
	inc %ecx
	cmp $512, %ecx
	jne 1b

	mov %cr4, %eax
	or $0x20, %eax				/* PAE */
	mov %eax, %cr4
	mov $boot_pml4, %eax
	mov %eax, %cr3
	mov $0xc0000080, %ecx			/* EFER */
	rdmsr
	or $0x901, %eax				/* LME | NXE | SCE */
	wrmsr
	mov %cr0, %eax
	or $0x80010001, %eax			/* PG | WP | PE */
	mov %eax, %cr0

	lgdt boot_gdt_ptr
	ljmp $0x08, $long_mode_entry

	.code64
long_mode_entry:
	mov $0x10, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	xor %ax, %ax
	mov %ax, %fs
	mov %ax, %gs
	movabs $higher_half, %rax
	jmp *%rax

	.section .boot.data, "aw"
	.p2align 12
boot_pml4:	.fill 512, 8, 0
boot_pdpt_low:	.fill 512, 8, 0
boot_pdpt_high:	.fill 512, 8, 0
boot_pd:	.fill 512, 8, 0
	.p2align 4
boot_gdt:
	.quad 0
	.quad 0x00af9a000000ffff		/* 0x08: 64-bit code */
	.quad 0x00cf92000000ffff		/* 0x10: data */
boot_gdt_end:
boot_gdt_ptr:
	.word boot_gdt_end - boot_gdt - 1
	.long boot_gdt
	.p2align 4
	.fill 1024, 1, 0
boot_stack_top_phys:

	.text
	.code64
higher_half:
	movabs $boot_stack_top, %rsp
	xor %ebp, %ebp
	/* %rdi still holds the start_info physical address */
	call kmain
2:	cli
	hlt
	jmp 2b

	.bss
	.p2align 12
	.globl boot_stack
boot_stack:
	.skip 32768
	.globl boot_stack_top
boot_stack_top:
