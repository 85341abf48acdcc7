// SPDX-License-Identifier: MIT
/* Exceptions and interrupts.  A fault in user mode becomes a signal for the
 * process (or fills a page on demand); a fault in the kernel prints a crash
 * report (vector, error, RIP with its symbol, CR2, registers) and stops the VM. */
#include <kern/printk.h>
#include <kern/proc.h>
#include <uapi/errno.h>
#include "arch/x86_64/arch.h"
#include "arch/x86_64/cpu.h"
#include "core/ksyms.h"
#include "drivers/console_internal.h"
#include "drivers/virtio_net.h"
#include "live/live.h"
#include "mm/vm.h"
#include "proc/internal.h"

#define SIGILL	4
#define SIGTRAP 5
#define SIGBUS	7
#define SIGFPE	8
#define SIGSEGV 11
#define SIGKILL 9

static const char *const vector_names[32] = {
    "divide error",
    "debug",
    "NMI",
    "breakpoint",
    "overflow",
    "bound range",
    "invalid opcode",
    "device not available",
    "double fault",
    "coprocessor overrun",
    "invalid TSS",
    "segment not present",
    "stack fault",
    "general protection",
    "page fault",
    "reserved",
    "x87 FP error",
    "alignment check",
    "machine check",
    "SIMD FP error",
    "virtualization",
    "control protection",
};

static void crash_report(struct regs *r)
{
	const char *name = r->vector < 32 && vector_names[r->vector]
			       ? vector_names[r->vector]
			       : "exception";
	uint64_t off = 0;
	const char *sym = ksym_lookup(r->rip, &off);
	printk("KERNEL FAULT: %s (vector %lu) error %lx at rip %lx <%s+0x%lx> cr2 %lx",
	       name, r->vector, r->error, r->rip, sym ? sym : "?", off, read_cr2());
	printk("  rax %016lx rbx %016lx rcx %016lx rdx %016lx", r->rax, r->rbx, r->rcx,
	       r->rdx);
	printk("  rsi %016lx rdi %016lx rbp %016lx rsp %016lx", r->rsi, r->rdi, r->rbp,
	       r->rsp);
	printk("  r8  %016lx r9  %016lx r10 %016lx r11 %016lx", r->r8, r->r9, r->r10,
	       r->r11);
	printk("  r12 %016lx r13 %016lx r14 %016lx r15 %016lx", r->r12, r->r13, r->r14,
	       r->r15);
	printk("  cs %lx ss %lx rflags %lx", r->cs, r->ss, r->rflags);
	/* a short backtrace through frame pointers */
	uint64_t *fp = (uint64_t *)r->rbp;
	for (int i = 0;
	     i < 8 && (uint64_t)fp >= 0xffff800000000000UL && !((uint64_t)fp & 7); i++) {
		uint64_t ret = fp[1];
		sym = ksym_lookup(ret, &off);
		printk("  called from %lx <%s+0x%lx>", ret, sym ? sym : "?", off);
		fp = (uint64_t *)fp[0];
	}
	panic("%s in the kernel at %s+0x%lx", name, ksym_lookup(r->rip, &off) ?: "?",
	      off);
}

static void user_exception(struct regs *r)
{
	struct process *p = proc_current();
	switch (r->vector) {
	case 14: {
		uint64_t addr = read_cr2();
		bool write = r->error & 2, exec = r->error & 16;
		int e = -EFAULT;
		if (!(r->error & 1))
			e = vm_fault(p->mm, addr, write, exec);
		else if (write)
			e = vm_fault(p->mm, addr, true, false); /* copy on write */
		if (e == 0)
			return;
		if (e == -ENOMEM) {
			/* what Linux's OOM killer would do: SIGKILL */
			printk("mm: out of memory: killing pid %d (%s)", p->pid,
			       p->exe_path);
			proc_exit_group(SIGKILL);
		}
		signal_fault(r, SIGSEGV, vm_find(p->mm, addr) ? 2 : 1, addr);
		return;
	}
	case 0:
		signal_fault(r, SIGFPE, 1, r->rip);
		return;
	case 16:
	case 19:
		signal_fault(r, SIGFPE, 0, r->rip);
		return;
	case 6:
		signal_fault(r, SIGILL, 2, r->rip);
		return;
	case 1:
	case 3:
		signal_fault(r, SIGTRAP, 1, r->rip);
		return;
	case 17:
		signal_fault(r, SIGBUS, 1, 0);
		return;
	default:
		signal_fault(r, SIGSEGV, 0x80, 0);
	}
}

/* Work done on every way back to user mode: preemption and signals. */
void return_to_user_work(struct regs *r)
{
	if (need_resched)
		sched_yield_current();
	signal_deliver_pending(r, -1);
}

void trap_dispatch(struct regs *r)
{
	if (r->vector == VEC_TIMER) {
		timer_eoi();
		sched_tick();
	} else if (r->vector == VEC_SPURIOUS) {
		return;
	} else if (r->vector == VEC_COM1) {
		console_poll_input();
		timer_eoi();
	} else if (r->vector == VEC_COM2) {
		live_control_irq();
		timer_eoi();
	} else if (r->vector == VEC_NET) {
		virtio_net_irq(); /* acknowledges the device first: the line may be level
				   */
		timer_eoi();
	} else if (r->vector < 32) {
		if (!regs_from_user(r)) {
			/* A kernel page fault on a user address inside a VMA: uaccess
			 * goes through vm_user_page, so this is a kernel bug. */
			crash_report(r);
		}
		user_exception(r);
	}
	if (regs_from_user(r))
		return_to_user_work(r);
}
