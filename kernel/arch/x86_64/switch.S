/* SPDX-License-Identifier: MIT */
/* context_switch(uint64_t *old_sp, uint64_t new_sp): kernel-to-kernel thread
 * switch.  Only callee-saved registers need keeping; the user frame, FS base and
 * FPU state are handled by proc/sched.c around this call. */
	.text
	.globl context_switch
context_switch:
	push %rbp
	push %rbx
	push %r12
	push %r13
	push %r14
	push %r15
	mov %rsp, (%rdi)
	mov %rsi, %rsp
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbx
	pop %rbp
	ret

/* A new thread's first switch lands here (its stack was prepared by
 * thread_prepare_stack): leave the kernel through the user frame above. */
	.globl thread_first_entry
thread_first_entry:
	call sched_thread_started
	jmp trap_return

/* A kernel thread's first switch lands here with the function in %r12 and its
 * argument in %r13 (see kthread_create). */
	.globl kthread_first_entry
kthread_first_entry:
	sti
	mov %r13, %rdi
	call *%r12
	ud2
