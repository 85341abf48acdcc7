// SPDX-License-Identifier: MIT
/* Signal system calls: dispositions, masks, the alternate stack, sending.
 * Delivery and rt_sigreturn are kernel/proc/signal.c. */
#include <string.h>
#include <kern/syscall.h>
#include <kern/uaccess.h>
#include <uapi/errno.h>
#include <uapi/signal.h>
#include <uapi/time.h>
#include <kern/clock.h>
#include <kern/wait.h>
#include "proc/internal.h"

void signal_send_process(struct process *p, int sig);
long sys_rt_sigreturn(void);
SYSCALL_REGISTER(__NR_rt_sigreturn, sys_rt_sigreturn);

long sys_rt_sigaction(int sig, unsigned long act, unsigned long oact, unsigned long size)
{
	if (size != 8)
		return -EINVAL;
	if (sig < 1 || sig > NSIG)
		return -EINVAL;
	struct process *p = proc_current();
	struct sigaction_k *k = &p->sigactions[sig - 1];
	struct linux_sigaction n;
	if (act) {
		if (copy_from_user(&n, act, sizeof(n)))
			return -EFAULT;
		if (sig == SIGKILL || sig == SIGSTOP)
			return -EINVAL;
	}
	if (oact) {
		struct linux_sigaction o = {k->handler, k->flags, k->restorer, k->mask};
		if (copy_to_user(oact, &o, sizeof(o)))
			return -EFAULT;
	}
	if (act) {
		k->handler = n.handler;
		k->flags = n.flags;
		k->restorer = n.restorer;
		k->mask = n.mask & ~UNBLOCKABLE;
		/* setting SIG_IGN (or DFL for an ignoring default) discards pending ones
		 */
		if (n.handler == SIG_IGN ||
		    (n.handler == SIG_DFL && signal_default_is_ignore(sig))) {
			p->sig_pending &= ~SIGBIT(sig);
			struct thread *t;
			list_for_each_entry(t, &p->threads, proc_link) t->sig_pending &=
			    ~SIGBIT(sig);
		}
	}
	return 0;
}
SYSCALL_REGISTER(__NR_rt_sigaction, sys_rt_sigaction);

long sys_rt_sigprocmask(int how, unsigned long set, unsigned long oset,
			unsigned long size)
{
	if (size != 8)
		return -EINVAL;
	struct thread *t = thread_current();
	uint64_t n = 0;
	if (set) {
		if (copy_from_user(&n, set, 8))
			return -EFAULT;
		if (how != SIG_BLOCK && how != SIG_UNBLOCK && how != SIG_SETMASK)
			return -EINVAL;
	}
	if (oset && copy_to_user(oset, &t->sigmask, 8))
		return -EFAULT;
	if (set) {
		if (how == SIG_BLOCK)
			t->sigmask |= n;
		else if (how == SIG_UNBLOCK)
			t->sigmask &= ~n;
		else
			t->sigmask = n;
		t->sigmask &= ~UNBLOCKABLE;
	}
	return 0;
}
SYSCALL_REGISTER(__NR_rt_sigprocmask, sys_rt_sigprocmask);

long sys_rt_sigpending(unsigned long set, unsigned long size)
{
	if (size != 8)
		return -EINVAL;
	struct thread *t = thread_current();
	uint64_t p = (t->sig_pending | t->proc->sig_pending) & t->sigmask;
	return copy_to_user(set, &p, 8);
}
SYSCALL_REGISTER(__NR_rt_sigpending, sys_rt_sigpending);

long sys_sigaltstack(unsigned long ss, unsigned long old)
{
	struct thread *t = thread_current();
	if (old) {
		struct linux_stack o = {t->altstack.ss_sp, t->altstack.ss_flags, 0,
					t->altstack.ss_size};
		if (!o.ss_size)
			o.ss_flags = SS_DISABLE;
		if (copy_to_user(old, &o, sizeof(o)))
			return -EFAULT;
	}
	if (ss) {
		struct linux_stack n;
		if (copy_from_user(&n, ss, sizeof(n)))
			return -EFAULT;
		if (n.ss_flags & ~(SS_DISABLE | (1 << 31)))
			return -EINVAL;
		if (n.ss_flags & SS_DISABLE) {
			t->altstack.ss_sp = 0;
			t->altstack.ss_size = 0;
			t->altstack.ss_flags = SS_DISABLE;
		} else {
			if (n.ss_size < 2048)
				return -ENOMEM;
			t->altstack.ss_sp = n.ss_sp;
			t->altstack.ss_size = n.ss_size;
			t->altstack.ss_flags = 0;
		}
	}
	return 0;
}
SYSCALL_REGISTER(__NR_sigaltstack, sys_sigaltstack);

/* Linux's check_kill_permission for a signal a program sends: its own
 * process, a process its credentials may signal (kern/cred.h), or SIGCONT
 * within its session.  Signal 0 is checked too. */
static int may_signal(struct process *p, int sig)
{
	struct process *self = proc_current();
	if (p == self || cred_may_signal(&self->cred, &p->cred))
		return 0;
	if (sig == SIGCONT && p->sid == self->sid)
		return 0;
	return -EPERM;
}

/* kill: one process, a group (0: the caller's), or with -1 every process it
 * may signal except pid 1 and itself, as Linux's kill_something_info. */
long sys_kill(int pid, int sig)
{
	struct process *self = proc_current();
	if (sig < 0 || sig > NSIG)
		return -EINVAL;
	if (pid > 0) {
		struct process *p = proc_find(pid);
		if (!p)
			return -ESRCH;
		int r = may_signal(p, sig);
		if (r || p->zombie)
			return r;
		if (sig)
			signal_send_process(p, sig);
		return 0;
	}
	int pgid = pid == 0 ? self->pgid : -pid;
	int found = 0, sent = 0;
	struct process *p;
	list_for_each_entry(p, proc_all(), link)
	{
		if (p->reaped || p->zombie)
			continue;
		if (pid == -1 ? (p->pid == 1 || p == self) : p->pgid != pgid)
			continue;
		found++;
		if (may_signal(p, sig))
			continue;
		sent++;
		if (sig)
			signal_send_process(p, sig);
	}
	if (!found)
		return -ESRCH;
	/* a group: EPERM when no member could be signalled; -1 ignores EPERM */
	return sent || pid == -1 ? 0 : -EPERM;
}
SYSCALL_REGISTER(__NR_kill, sys_kill);

long sys_tgkill(int tgid, int tid, int sig)
{
	if (sig < 0 || sig > NSIG || tid <= 0)
		return -EINVAL;
	struct process *p;
	list_for_each_entry(p, proc_all(), link)
	{
		if (p->zombie || (tgid != -1 && p->pid != tgid))
			continue;
		struct thread *t;
		list_for_each_entry(t, &p->threads, proc_link)
		{
			if (t->tid == tid) {
				int r = may_signal(p, sig);
				if (!r && sig)
					signal_send_thread(t, sig);
				return r;
			}
		}
	}
	return -ESRCH;
}
SYSCALL_REGISTER(__NR_tgkill, sys_tgkill);

long sys_tkill(int tid, int sig)
{
	return sys_tgkill(-1, tid, sig);
}
SYSCALL_REGISTER(__NR_tkill, sys_tkill);

long sys_rt_sigsuspend(unsigned long umask, unsigned long size)
{
	if (size != 8)
		return -EINVAL;
	uint64_t mask;
	if (copy_from_user(&mask, umask, 8))
		return -EFAULT;
	struct thread *t = thread_current();
	uint64_t old = t->sigmask;
	t->sigmask = mask & ~UNBLOCKABLE;
	while (waitq_sleep(NULL, 0) != -ERESTARTSYS)
		;
	/* the handler runs with the temporary mask; sigreturn restores the old */
	t->saved_sigmask = old;
	t->restore_sigmask = true;
	return -EINTR;
}
SYSCALL_REGISTER(__NR_rt_sigsuspend, sys_rt_sigsuspend);

long sys_pause(void)
{
	while (waitq_sleep(NULL, 0) != -ERESTARTSYS)
		;
	return -EINTR;
}
SYSCALL_REGISTER(__NR_pause, sys_pause);

long sys_rt_sigtimedwait(unsigned long uset, unsigned long uinfo, unsigned long uts,
			 unsigned long size)
{
	if (size != 8)
		return -EINVAL;
	uint64_t set;
	if (copy_from_user(&set, uset, 8))
		return -EFAULT;
	set &= ~UNBLOCKABLE;
	uint64_t deadline = 0;
	if (uts) {
		struct linux_timespec ts;
		if (copy_from_user(&ts, uts, sizeof(ts)))
			return -EFAULT;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 ||
		    ts.tv_nsec >= (int64_t)NSEC_PER_SEC)
			return -EINVAL;
		deadline = clock_monotonic_ns() + ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
		if (!deadline)
			deadline = 1;
	}
	struct thread *t = thread_current();
	uint64_t old = t->sigmask;
	/* wait with the awaited signals unblocked, so they wake us */
	for (;;) {
		uint64_t ready = (t->sig_pending | t->proc->sig_pending) & set;
		if (ready) {
			int sig = __builtin_ctzll(ready) + 1;
			if (t->sig_pending & SIGBIT(sig))
				t->sig_pending &= ~SIGBIT(sig);
			else
				t->proc->sig_pending &= ~SIGBIT(sig);
			t->sigmask = old;
			if (uinfo) {
				struct linux_siginfo si;
				memset(&si, 0, sizeof(si));
				si.si_signo = sig;
				si.si_code = SI_USER;
				if (copy_to_user(uinfo, &si, sizeof(si)))
					return -EFAULT;
			}
			return sig;
		}
		if (uts && clock_monotonic_ns() >= deadline) {
			t->sigmask = old;
			return -EAGAIN;
		}
		t->sigmask = old & ~set;
		int r = waitq_sleep(NULL, deadline);
		t->sigmask = old;
		if (r == -ERESTARTSYS && !((t->sig_pending | t->proc->sig_pending) & set))
			return -EINTR;
	}
}
SYSCALL_REGISTER(__NR_rt_sigtimedwait, sys_rt_sigtimedwait);
