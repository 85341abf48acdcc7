// SPDX-License-Identifier: MIT
/* Signals: dispositions per process, masks and pending sets per thread,
 * default actions, delivery to user handlers through a Linux-layout
 * rt_sigframe, and rt_sigreturn.  Faults (trap.c) and the console's Ctrl-C
 * arrive here; the system calls are in syscall/sys_signal.c. */
#include <string.h>
#include <kern/console.h>
#include <kern/heap.h>
#include <kern/poll.h>
#include <kern/printk.h>
#include <kern/uaccess.h>
#include <uapi/errno.h>
#include <uapi/signal.h>
#include "arch/x86_64/arch.h"
#include "arch/x86_64/cpu.h"
#include "proc/internal.h"

/* The most recent fault, for the siginfo of a synchronous signal. */
static struct linux_siginfo fault_info;
static bool fault_info_valid;

static bool default_ignores(int sig)
{
	return sig == SIGCHLD || sig == SIGCONT || sig == SIGURG || sig == SIGWINCH;
}

int signal_default_is_ignore(int sig)
{
	return default_ignores(sig);
}

static uint64_t pending_mask(struct thread *t)
{
	return (t->sig_pending | t->proc->sig_pending) & ~t->sigmask;
}

bool signal_pending_current(void)
{
	struct thread *t = thread_current();
	return t && pending_mask(t);
}

uint64_t signal_pending_set_current(void)
{
	struct thread *t = thread_current();
	return t->sig_pending | t->proc->sig_pending;
}

int signal_dequeue_current(uint64_t mask)
{
	struct thread *t = thread_current();
	uint64_t *set = t->sig_pending & mask ? &t->sig_pending : &t->proc->sig_pending;
	uint64_t ready = *set & mask;
	if (!ready)
		return 0;
	int sig = __builtin_ctzll(ready) + 1;
	*set &= ~SIGBIT(sig);
	return sig;
}

struct waitq signal_wq = WAITQ_INIT(signal_wq);
uint64_t signal_seq;

static bool is_stop_signal(int sig);

static void wake_for_signal(struct process *p)
{
	/* signalfd readers and pollers wait for signals they have blocked */
	poll_seq_bump(&signal_seq);
	waitq_wake_all(&signal_wq);
	struct thread *t;
	list_for_each_entry(t, &p->threads,
			    proc_link) if (t->state == T_BLOCKED && pending_mask(t))
	    sched_make_runnable(t);
}

void signal_send_thread(struct thread *t, int sig)
{
	if (sig < 1 || sig > NSIG)
		return;
	t->sig_pending |= SIGBIT(sig);
	wake_for_signal(t->proc);
}

void signal_send_process(struct process *p, int sig)
{
	if (sig < 1 || sig > NSIG)
		return;
	if (sig == SIGCONT || sig == SIGKILL) {
		/* continues a stopped process whatever its disposition */
		p->sig_pending &= ~(SIGBIT(SIGSTOP) | SIGBIT(SIGTSTP) | SIGBIT(SIGTTIN) |
				    SIGBIT(SIGTTOU));
		if (p->stopped) {
			p->stopped = false;
			p->cont_report = true;
			waitq_wake_all(&p->stop_wq);
			if (p->parent)
				waitq_wake_all(&p->parent->child_wq);
		}
	} else if (is_stop_signal(sig)) {
		p->sig_pending &= ~SIGBIT(SIGCONT);
	}
	struct sigaction_k *sa = &p->sigactions[sig - 1];
	if (sig != SIGKILL &&
	    (sa->handler == SIG_IGN || (sa->handler == SIG_DFL && default_ignores(sig))))
		return;
	p->sig_pending |= SIGBIT(sig);
	wake_for_signal(p);
}

static volatile uint64_t console_sigs;

/* Ctrl-C and friends from the host terminal, called from the console's
 * interrupt: only noted here; process lists are walked at a safe point
 * (signal_console_flush, from the scheduler and on the way to user mode). */
void proc_console_signal(int sig)
{
	if (sig >= 1 && sig <= NSIG)
		__atomic_or_fetch(&console_sigs, SIGBIT(sig), __ATOMIC_RELAXED);
}

/* Delivers noted console signals to the terminal's foreground process group
 * (set by a shell with tcsetpgrp), else pid 1's group. */
static void console_signal_deliver(int sig)
{
	int pg = console_foreground();
	if (!pg) {
		struct process *init = proc_find(1);
		if (!init)
			return;
		pg = init->pgid;
	}
	struct process *p;
	list_for_each_entry(p, proc_all(),
			    link) if (!p->zombie && !p->reaped && p->pgid == pg)
	    signal_send_process(p, sig);
}

void signal_console_flush(void)
{
	if (!console_sigs)
		return;
	uint64_t set = __atomic_exchange_n(&console_sigs, 0, __ATOMIC_RELAXED);
	while (set) {
		int sig = __builtin_ctzll(set) + 1;
		set &= set - 1;
		console_signal_deliver(sig);
	}
}

static __attribute__((noreturn)) void die_of(int sig)
{
	proc_exit_group(sig); /* wait status: terminated by signal */
}

void signal_fault(struct regs *r, int sig, int code, uint64_t addr)
{
	struct thread *t = thread_current();
	struct sigaction_k *sa = &t->proc->sigactions[sig - 1];
	if (sa->handler == SIG_DFL || sa->handler == SIG_IGN ||
	    (t->sigmask & SIGBIT(sig))) {
		printk("proc: pid %d tid %d: signal %d (code %d) at rip %lx, address "
		       "%lx, rsp %lx",
		       t->proc->pid, t->tid, sig, code, r->rip, addr, r->rsp);
		die_of(sig); /* a blocked or ignored fault kills, as on Linux */
	}
	memset(&fault_info, 0, sizeof(fault_info));
	fault_info.si_signo = sig;
	fault_info.si_code = code;
	fault_info.addr = addr;
	fault_info_valid = true;
	t->sig_pending |= SIGBIT(sig);
}

static int next_signal(uint64_t set)
{
	/* synchronous faults first, as Linux does */
	static const int sync[] = {SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGFPE, SIGSYS};
	for (unsigned i = 0; i < sizeof(sync) / sizeof(sync[0]); i++)
		if (set & SIGBIT(sync[i]))
			return sync[i];
	return __builtin_ctzll(set) + 1;
}

static int setup_frame(struct thread *t, struct regs *r, int sig, struct sigaction_k *sa)
{
	uint64_t sp = r->rsp;
	if ((sa->flags & SA_ONSTACK) && !(t->altstack.ss_flags & SS_DISABLE) &&
	    t->altstack.ss_size &&
	    !(sp > t->altstack.ss_sp && sp <= t->altstack.ss_sp + t->altstack.ss_size))
		sp = t->altstack.ss_sp + t->altstack.ss_size;
	else
		sp -= 128; /* red zone */
	fpu_save(t->fpu);
	sp = (sp - fpu_state_size) & ~63UL;
	uint64_t fpstate = sp;
	sp -= sizeof(struct linux_rt_sigframe);
	sp = ((sp + 8) & ~15UL) - 8; /* as if called: (rsp + 8) % 16 == 0 */

	struct linux_rt_sigframe f;
	memset(&f, 0, sizeof(f));
	f.pretcode = sa->restorer;
	f.uc.uc_stack.ss_sp = t->altstack.ss_sp;
	f.uc.uc_stack.ss_flags = t->altstack.ss_flags;
	f.uc.uc_stack.ss_size = t->altstack.ss_size;
	struct linux_sigcontext *c = &f.uc.uc_mcontext;
	c->r8 = r->r8, c->r9 = r->r9, c->r10 = r->r10, c->r11 = r->r11;
	c->r12 = r->r12, c->r13 = r->r13, c->r14 = r->r14, c->r15 = r->r15;
	c->rdi = r->rdi, c->rsi = r->rsi, c->rbp = r->rbp, c->rbx = r->rbx;
	c->rdx = r->rdx, c->rax = r->rax, c->rcx = r->rcx, c->rsp = r->rsp;
	c->rip = r->rip, c->eflags = r->rflags;
	c->cs = USER_CS, c->ss = USER_DS;
	c->fpstate = fpstate;
	f.uc.uc_sigmask = t->restore_sigmask ? t->saved_sigmask : t->sigmask;
	t->restore_sigmask = false;
	if (fault_info_valid && fault_info.si_signo == sig) {
		f.info = fault_info;
		c->trapno = r->vector;
		c->err = r->error;
		c->cr2 = fault_info.addr;
		fault_info_valid = false;
	} else {
		f.info.si_signo = sig;
		f.info.si_code = SI_USER;
	}
	if (copy_to_user(fpstate, t->fpu, fpu_state_size) ||
	    copy_to_user(sp, &f, sizeof(f)))
		return -EFAULT;

	r->rsp = sp;
	r->rip = sa->handler;
	r->rdi = sig;
	r->rsi = sp + __builtin_offsetof(struct linux_rt_sigframe, info);
	r->rdx = sp + __builtin_offsetof(struct linux_rt_sigframe, uc);
	r->rax = 0;
	r->rflags &= ~(0x100UL | 0x400UL); /* TF, DF */
	r->cs = USER_CS;
	r->ss = USER_DS;
	t->sigmask |= sa->mask & ~UNBLOCKABLE;
	if (!(sa->flags & SA_NODEFER))
		t->sigmask |= SIGBIT(sig);
	if (sa->flags & SA_RESETHAND)
		sa->handler = SIG_DFL;
	return 0;
}

static bool is_stop_signal(int sig)
{
	return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

/* Default action of a stop signal: the whole process stops until SIGCONT. */
static void do_stop(struct process *p, int sig)
{
	p->stopped = true;
	p->stop_report = (sig << 8) | 0x7f; /* WIFSTOPPED status */
	struct process *parent = p->parent;
	if (parent) {
		struct sigaction_k *sa = &parent->sigactions[SIGCHLD - 1];
		if (!(sa->flags & SA_NOCLDSTOP))
			signal_send_process(parent, SIGCHLD);
		waitq_wake_all(&parent->child_wq);
	}
	while (p->stopped && !(thread_current()->sig_pending & SIGBIT(SIGKILL)) &&
	       !(p->sig_pending & SIGBIT(SIGKILL)))
		waitq_sleep(&p->stop_wq, 0);
}

void signal_deliver_pending(struct regs *r, long restart_nr)
{
	struct thread *t = thread_current();
	signal_console_flush();
	if (t->rseq_preempted)
		rseq_fixup(t, r);
	for (;;) {
		uint64_t set = pending_mask(t);
		if (!set)
			break;
		int sig = next_signal(set);
		if (t->sig_pending & SIGBIT(sig))
			t->sig_pending &= ~SIGBIT(sig);
		else
			t->proc->sig_pending &= ~SIGBIT(sig);
		struct sigaction_k *sa = &t->proc->sigactions[sig - 1];
		if (sig == SIGKILL)
			die_of(sig);
		if (sa->handler == SIG_IGN)
			continue;
		if (sa->handler == SIG_DFL) {
			if (default_ignores(sig))
				continue;
			if (is_stop_signal(sig)) {
				do_stop(t->proc, sig);
				continue;
			}
			die_of(sig);
		}
		if (restart_nr >= 0) {
			if (sa->flags & SA_RESTART) {
				r->rax = (uint64_t)restart_nr;
				r->rip -= 2; /* the syscall instruction again */
			}
			restart_nr = -1;
		}
		rseq_fixup(t, r);
		if (setup_frame(t, r, sig, sa))
			die_of(SIGSEGV);
		return;
	}
	if (t->restore_sigmask) {
		t->sigmask = t->saved_sigmask;
		t->restore_sigmask = false;
	}
	if (restart_nr >= 0) {
		/* woken by a signal no handler took: the call continues */
		r->rax = (uint64_t)restart_nr;
		r->rip -= 2;
	}
}

/* execve: handled signals go back to their default; ignored stay ignored. */
void signal_exec_reset(struct process *p)
{
	for (int i = 0; i < NSIG; i++) {
		struct sigaction_k *sa = &p->sigactions[i];
		if (sa->handler != SIG_IGN)
			memset(sa, 0, sizeof(*sa));
	}
	thread_current()->altstack = (struct linux_sigaltstack){0};
}

long sys_rt_sigreturn(void)
{
	struct thread *t = thread_current();
	struct regs *r = t->uregs;
	struct linux_rt_sigframe f;
	/* the handler's `ret` popped pretcode: the frame starts 8 below rsp */
	if (copy_from_user(&f, r->rsp - 8, sizeof(f)))
		die_of(SIGSEGV);
	struct linux_sigcontext *c = &f.uc.uc_mcontext;
	r->r8 = c->r8, r->r9 = c->r9, r->r10 = c->r10, r->r11 = c->r11;
	r->r12 = c->r12, r->r13 = c->r13, r->r14 = c->r14, r->r15 = c->r15;
	r->rdi = c->rdi, r->rsi = c->rsi, r->rbp = c->rbp, r->rbx = c->rbx;
	r->rdx = c->rdx, r->rax = c->rax, r->rcx = c->rcx, r->rsp = c->rsp;
	r->rip = c->rip;
	/* user may change arithmetic flags, TF, DF, AC, not IOPL or IF */
	r->rflags = (r->rflags & ~0x254dd5UL) | (c->eflags & 0x254dd5UL) | 0x200;
	r->cs = USER_CS;
	r->ss = USER_DS;
	t->sigmask = f.uc.uc_sigmask & ~UNBLOCKABLE;
	if (c->fpstate) {
		if (copy_from_user(t->fpu, c->fpstate, fpu_state_size))
			die_of(SIGSEGV);
		/* sanitize what XRSTOR would fault on */
		uint32_t *mxcsr = (uint32_t *)((char *)t->fpu + 24);
		*mxcsr &= 0xffff;
		if (fpu_state_size > 512) {
			uint64_t *hdr = (uint64_t *)((char *)t->fpu + 512);
			hdr[0] &= fpu_xcr0;
			memset(&hdr[1], 0, 56);
		}
		fpu_restore(t->fpu);
	}
	return (long)r->rax;
}

long sigmask_temp_begin(unsigned long umask, size_t size, uint64_t *old, bool *swapped)
{
	*swapped = false;
	if (!umask)
		return 0;
	if (size != sizeof(uint64_t))
		return -EINVAL;
	uint64_t m;
	if (copy_from_user(&m, umask, sizeof(m)))
		return -EFAULT;
	struct thread *t = thread_current();
	*old = t->sigmask;
	t->sigmask = m & ~UNBLOCKABLE;
	*swapped = true;
	return 0;
}

void sigmask_temp_end(uint64_t old, bool swapped, bool interrupted)
{
	if (!swapped)
		return;
	struct thread *t = thread_current();
	if (interrupted) {
		t->saved_sigmask = old;
		t->restore_sigmask = true;
	} else {
		t->sigmask = old;
	}
}
