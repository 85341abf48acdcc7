/* SPDX-License-Identifier: MIT */
/* Every way into the kernel: exception and interrupt stubs, and the SYSCALL
 * entry.  Each builds the same struct regs frame (kernel/arch/x86_64/regs.h) and
 * calls C (trap.c, syscall/table.c); each leaves through trap_return. */

#define USER_CS 0x2b
#define USER_DS 0x23

.macro PUSH_REGS
	push %rax
	push %rbx
	push %rcx
	push %rdx
	push %rsi
	push %rdi
	push %rbp
	push %r8
	push %r9
	push %r10
	push %r11
	push %r12
	push %r13
	push %r14
	push %r15
.endm

.macro POP_REGS
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %r11
	pop %r10
	pop %r9
	pop %r8
	pop %rbp
	pop %rdi
	pop %rsi
	pop %rdx
	pop %rcx
	pop %rbx
	pop %rax
.endm

	.text
/* Stubs: vectors with a CPU error code push only the vector. */
.macro ISR_NOERR n
	.p2align 4
isr_\n:
	push $0
	push $\n
	jmp isr_common
.endm
.macro ISR_ERR n
	.p2align 4
isr_\n:
	push $\n
	jmp isr_common
.endm

ISR_NOERR 0
ISR_NOERR 1
ISR_NOERR 2
ISR_NOERR 3
ISR_NOERR 4
ISR_NOERR 5
ISR_NOERR 6
ISR_NOERR 7
ISR_ERR 8
ISR_NOERR 9
ISR_ERR 10
ISR_ERR 11
ISR_ERR 12
ISR_ERR 13
ISR_ERR 14
ISR_NOERR 15
ISR_NOERR 16
ISR_ERR 17
ISR_NOERR 18
ISR_NOERR 19
ISR_NOERR 20
ISR_ERR 21
ISR_NOERR 22
ISR_NOERR 23
ISR_NOERR 24
ISR_NOERR 25
ISR_NOERR 26
ISR_NOERR 27
ISR_NOERR 28
ISR_ERR 29
ISR_ERR 30
ISR_NOERR 31
ISR_NOERR 35
ISR_NOERR 36
ISR_NOERR 37
ISR_NOERR 64
ISR_NOERR 255

isr_common:
	cld
	PUSH_REGS
	mov %rsp, %rdi
	call trap_dispatch
	.globl trap_return
trap_return:
	cli
	POP_REGS
	add $16, %rsp
	iretq

	.section .rodata
	.globl isr_table
isr_table:
	.quad isr_0, isr_1, isr_2, isr_3, isr_4, isr_5, isr_6, isr_7
	.quad isr_8, isr_9, isr_10, isr_11, isr_12, isr_13, isr_14, isr_15
	.quad isr_16, isr_17, isr_18, isr_19, isr_20, isr_21, isr_22, isr_23
	.quad isr_24, isr_25, isr_26, isr_27, isr_28, isr_29, isr_30, isr_31
	.globl isr_timer, isr_spurious, isr_35, isr_36, isr_37
	.set isr_timer, isr_64
	.set isr_spurious, isr_255

	.text
/* SYSCALL: RCX = user RIP, R11 = user RFLAGS, interrupts masked by SFMASK.
 * One CPU, so the kernel stack of the current thread is a plain global. */
	.p2align 4
	.globl syscall_entry
syscall_entry:
	mov %rsp, syscall_scratch_rsp(%rip)
	mov cpu_kernel_rsp(%rip), %rsp
	push $USER_DS
	push syscall_scratch_rsp(%rip)
	push %r11
	push $USER_CS
	push %rcx
	push $0
	push $0x100
	PUSH_REGS
	mov %rsp, %rdi
	sti
	call syscall_dispatch
	cli
	/* Fast return with SYSRET only when it restores the frame exactly: SYSRET
	 * loads RIP from RCX and RFLAGS from R11, so the frame's rcx must equal its
	 * rip and its r11 its rflags.  That holds for an ordinary syscall; after
	 * rt_sigreturn into code a signal interrupted, or entering a handler, it
	 * does not, and IRET must restore every register (a SYSRET there clobbered
	 * the interrupted code's rcx and r11: bash crashed under SIGCHLD). */
	cmpq $USER_CS, 8*18(%rsp)
	jne trap_return
	mov 8*17(%rsp), %rcx		/* rip */
	cmp 8*12(%rsp), %rcx		/* == frame rcx? */
	jne trap_return
	mov 8*19(%rsp), %r11		/* rflags */
	cmp 8*4(%rsp), %r11		/* == frame r11? */
	jne trap_return
	mov %rcx, %r11
	shr $47, %r11
	jnz trap_return			/* non-canonical or kernel: let IRET fault */
	POP_REGS
	mov 8*5(%rsp), %rsp		/* user rsp: above vector, error, rip, cs, rflags */
	sysretq

	.bss
	.p2align 3
	.globl cpu_kernel_rsp
cpu_kernel_rsp:	.quad 0
syscall_scratch_rsp: .quad 0
