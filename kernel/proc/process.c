// SPDX-License-Identifier: MIT
/* Processes: creation, fork and threads (clone), exit of a thread or of a
 * whole process, zombies and wait, orphans reparented to pid 1.  When pid 1
 * exits the VM stops with its status (docs/console-protocol.md): the status,
 * or 128+N for death by signal N. */
#include <string.h>
#include <kern/clock.h>
#include <kern/heap.h>
#include <kern/printk.h>
#include <kern/uaccess.h>
#include <kern/vfs.h>
#include <uapi/errno.h>
#include <uapi/signal.h>
#include "arch/x86_64/arch.h"
#include "arch/x86_64/cpu.h"
#include "drivers/console_internal.h"
#include "live/live.h"
#include "mm/vm.h"
#include "proc/internal.h"

static LIST_HEAD(all_procs);
static struct process *init_proc;

struct process *proc_alloc(void)
{
	struct process *p = kzalloc(sizeof(*p));
	if (!p)
		return NULL;
	p->sigactions = kzalloc(NSIG * sizeof(struct sigaction_k));
	if (!p->sigactions) {
		kfree(p);
		return NULL;
	}
	p->pid = id_alloc();
	p->pgid = p->sid = p->pid;
	list_init(&p->threads);
	list_init(&p->children);
	list_init(&p->sibling);
	waitq_init(&p->child_wq);
	waitq_init(&p->vfork_wq);
	waitq_init(&p->stop_wq);
	list_add_tail(&p->link, &all_procs);
	if (!init_proc)
		init_proc = p;
	return p;
}

static void proc_free(struct process *p)
{
	list_del(&p->link);
	list_del(&p->sibling);
	cred_release(&p->cred);
	kfree(p->sigactions);
	kfree(p->cmdline);
	kfree(p->environ);
	kfree(p->auxv);
	kfree(p);
}

/* Undoes proc_alloc (and thread_create, fs_proc_init) for a process that
 * never ran. */
void proc_discard(struct process *p, struct thread *t)
{
	if (t)
		thread_free(t);
	if (p->fdt)
		fs_proc_exit(p);
	if (p->mm)
		mm_put(p->mm);
	proc_free(p);
}

struct process *proc_find(int pid)
{
	struct process *p;
	list_for_each_entry(p, &all_procs,
			    link) if (p->pid == pid && !p->reaped) return p;
	return NULL;
}

struct list_head *proc_all(void)
{
	return &all_procs;
}

void proc_set_comm_from_path(struct process *p, const char *path)
{
	const char *s = strrchr(path, '/');
	strlcpy(p->comm, s ? s + 1 : path, sizeof(p->comm));
}

/* The vfork parent waits for this: the child execs or exits. */
void proc_vfork_release(struct process *p)
{
	if (p->vfork_parent) {
		p->vfork_parent->vfork_done = true;
		waitq_wake_all(&p->vfork_parent->vfork_wq);
		p->vfork_parent = NULL;
	}
}

/* A kmalloc'd copy of len bytes (NULL, with *out_len 0, when src is NULL or
 * memory is short: /proc then shows the field empty). */
static void *dup_blob(const void *src, size_t len, size_t *out_len)
{
	void *d = src ? kmalloc(len + 1) : NULL;
	if (d)
		memcpy(d, src, len);
	*out_len = d ? len : 0;
	return d;
}

/* clone(2): a new thread of the current process (CLONE_THREAD) or a new
 * process (fork, vfork, posix_spawn).  Returns the new tid/pid or -errno. */
long proc_clone(unsigned long flags, uint64_t newsp, uint64_t ptid, uint64_t ctid,
		uint64_t tls)
{
	struct thread *cur = thread_current();
	struct process *parent = cur->proc;
	struct regs *pr = cur->uregs;
	struct thread *t;
	if ((flags & CLONE_THREAD) && !(flags & CLONE_SIGHAND))
		return -EINVAL;
	if ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM))
		return -EINVAL;

	if (flags & CLONE_THREAD) {
		t = thread_create(parent);
		if (!t)
			return -ENOMEM;
	} else {
		struct process *p = proc_alloc();
		if (!p)
			return -ENOMEM;
		int r;
		if (flags & CLONE_VM) {
			p->mm = parent->mm;
			mm_get(p->mm);
		} else {
			p->mm = mm_clone(parent->mm);
		}
		r = p->mm ? fs_proc_clone(p, parent) : -ENOMEM;
		t = r ? NULL : thread_create(p);
		if (!t) {
			if (!r)
				fs_proc_exit(p);
			if (p->mm)
				mm_put(p->mm);
			proc_free(p);
			return -ENOMEM;
		}
		memcpy(p->sigactions, parent->sigactions,
		       NSIG * sizeof(struct sigaction_k));
		cred_copy(&p->cred, &parent->cred);
		p->ppid = parent->pid;
		p->parent = parent;
		p->pgid = parent->pgid;
		p->sid = parent->sid;
		p->exit_signal = flags & 0xff;
		strlcpy(p->exe_path, parent->exe_path, sizeof(p->exe_path));
		memcpy(p->comm, parent->comm, sizeof(p->comm));
		p->cmdline =
		    dup_blob(parent->cmdline, parent->cmdline_len, &p->cmdline_len);
		p->environ =
		    dup_blob(parent->environ, parent->environ_len, &p->environ_len);
		p->auxv = dup_blob(parent->auxv, parent->auxv_len, &p->auxv_len);
		p->start_ns = clock_monotonic_ns();
		list_add_tail(&p->sibling, &parent->children);
	}
	/* the child resumes where the parent made the call, with 0 */
	*t->uregs = *pr;
	t->uregs->rax = 0;
	if (newsp)
		t->uregs->rsp = newsp;
	t->fs_base = (flags & CLONE_SETTLS) ? tls : rdmsr(MSR_FS_BASE);
	fpu_save(t->fpu);
	t->sigmask = cur->sigmask;
	t->altstack = cur->altstack;
	if (flags & CLONE_CHILD_CLEARTID)
		t->clear_child_tid = ctid;
	if (!(flags & CLONE_VM)) {
		/* fork keeps the rseq registration, in the copied memory */
		t->rseq = cur->rseq;
		t->rseq_len = cur->rseq_len;
		t->rseq_sig = cur->rseq_sig;
	}
	int id = (flags & CLONE_THREAD) ? t->tid : t->proc->pid;
	if (!(flags & CLONE_THREAD))
		t->tid = id; /* a process's first thread has tid == pid */
	if (flags & CLONE_PARENT_SETTID)
		copy_to_user(ptid, &id, sizeof(int));
	if (flags & CLONE_CHILD_SETTID) {
		/* written in the child's address space */
		struct mm *save = parent->mm;
		parent->mm = t->proc->mm;
		copy_to_user(ctid, &id, sizeof(int));
		parent->mm = save;
	}
	bool vfork = (flags & CLONE_VFORK) && !(flags & CLONE_THREAD);
	if (vfork) {
		t->proc->vfork_parent = parent;
		parent->vfork_done = false;
	}
	sched_make_runnable(t);
	if (vfork) {
		while (!parent->vfork_done)
			if (waitq_sleep(&parent->vfork_wq, 0) && !parent->vfork_done &&
			    signal_pending_current())
				continue; /* vfork waits are not interruptible */
	}
	return id;
}

static void wake_futex_word(uint64_t uaddr)
{
	int zero = 0;
	if (copy_to_user(uaddr, &zero, sizeof(zero)) == 0)
		futex_wake_addr(thread_current()->proc->mm, uaddr, 1);
}

/* Walks the robust futex list of the exiting thread (glibc's layout). */
static void exit_robust_list(struct thread *t)
{
	struct {
		uint64_t next;
		int64_t offset;
		uint64_t pending;
	} head;
	if (!t->robust_list || copy_from_user(&head, t->robust_list, sizeof(head)))
		return;
	uint64_t entry = head.next;
	for (int i = 0; i < 2048 && entry != t->robust_list; i++) {
		uint64_t next;
		if (copy_from_user(&next, entry, sizeof(next)))
			return;
		uint64_t word = entry + head.offset;
		uint32_t v;
		if (copy_from_user(&v, word, 4) == 0 &&
		    (v & 0x3fffffff) == (uint32_t)t->tid) {
			v = (v & 0x80000000) |
			    0x40000000; /* FUTEX_OWNER_DIED, keep WAITERS */
			copy_to_user(word, &v, 4);
			futex_wake_addr(t->proc->mm, word, 1);
		}
		entry = next;
	}
}

static LIST_HEAD(dead_threads);

/* Frees threads that died; never the one running. */
void proc_reap_dead_threads(void)
{
	struct thread *t, *n;
	list_for_each_entry_safe(t, n, &dead_threads, run_link)
	{
		if (t == thread_current())
			continue;
		list_del(&t->run_link);
		kfree(t->kstack);
		kfree(t->fpu_alloc);
		kfree(t);
	}
}

/* A thread removed from its process by execve: freed at the next switch. */
void proc_bury_thread(struct thread *t)
{
	t->state = T_DEAD;
	list_add_tail(&t->run_link, &dead_threads);
}

static __attribute__((noreturn)) void thread_die(struct thread *t)
{
	irq_disable();
	list_del(&t->proc_link);
	t->state = T_DEAD;
	list_add_tail(&t->run_link, &dead_threads);
	schedule();
	panic("dead thread scheduled");
}

static bool process_finish(struct process *p, int wait_status);

/* exit(2) of one thread; the last one ends the process. */
void proc_exit_thread(int code)
{
	struct thread *t = thread_current();
	struct process *p = t->proc;
	if (t->clear_child_tid)
		wake_futex_word(t->clear_child_tid);
	exit_robust_list(t);
	if (p->threads.next == &t->proc_link && p->threads.prev == &t->proc_link)
		process_finish(p, (code & 0xff) << 8);
	thread_die(t);
}

/* Every thread of p but keep dies where it stands: none of them is running
 * (one CPU), so each is only unhooked and freed at the next switch. */
void proc_kill_other_threads(struct process *p, struct thread *keep)
{
	struct thread *o, *n;
	list_for_each_entry_safe(o, n, &p->threads, proc_link)
	{
		if (o == keep)
			continue;
		list_del(&o->proc_link);
		sched_discard_thread(o);
	}
}

void proc_exit_group(int wait_status)
{
	struct thread *t = thread_current();
	struct process *p = t->proc;
	proc_kill_other_threads(p, t);
	exit_robust_list(t);
	process_finish(p, wait_status);
	thread_die(t);
}

static bool process_finish(struct process *p, int wait_status)
{
	if (p == init_proc && live_upgrade_exit(p, wait_status))
		return false; /* the upgrade rolls back: the old program resumes */
	if (p == init_proc) {
		int host = (wait_status & 0x7f) ? 128 + (wait_status & 0x7f)
						: (wait_status >> 8) & 0xff;
		if (wait_status & 0x7f)
			printk("proc: pid 1 (%s) killed by signal %d", p->exe_path,
			       wait_status & 0x7f);
		else
			printk("proc: pid 1 (%s) exited with %d", p->exe_path, host);
		syscall_report();
		console_exit(host);
	}
	proc_vfork_release(p);
	timers_exit(p);
	fs_proc_exit(p);
	/* the address space goes when we leave this stack: keep the kernel half */
	struct mm *mm = p->mm;
	p->mm = NULL;
	write_cr3(kernel_pml4);
	if (mm)
		mm_put(mm);
	/* orphans go to pid 1 */
	struct process *c, *n;
	list_for_each_entry_safe(c, n, &p->children, sibling)
	{
		list_del(&c->sibling);
		c->parent = init_proc;
		c->ppid = 1;
		list_add_tail(&c->sibling, &init_proc->children);
		if (c->zombie)
			waitq_wake_all(&init_proc->child_wq);
	}
	p->exit_status = wait_status;
	p->zombie = true;
	struct process *parent = p->parent ? p->parent : init_proc;
	struct sigaction_k *sa = &parent->sigactions[SIGCHLD - 1];
	if (sa->handler == SIG_IGN || (sa->flags & SA_NOCLDWAIT)) {
		p->reaped = true; /* nobody will wait: auto-reap */
		list_del(&p->sibling);
	} else if (p->exit_signal) {
		signal_send_process(parent, p->exit_signal);
	}
	waitq_wake_all(&parent->child_wq);
	return true;
}

/* wait4/waitid core: finds a child matching pid (-1 any, 0 same group, <-1
 * group) that exited (or stopped/continued, with WUNTRACED/WCONTINUED),
 * returns its pid and wait status, reaping it unless WNOWAIT.  0 with WNOHANG
 * when none is ready; -ECHILD when there is none to wait for. */
long proc_wait(int pid, int *status, int options)
{
	bool nohang = options & WNOHANG, nowait = options & WNOWAIT;
	struct process *self = thread_current()->proc;
	for (;;) {
		bool any = false;
		struct process *c, *n;
		list_for_each_entry_safe(c, n, &self->children, sibling)
		{
			if (pid > 0 && c->pid != pid)
				continue;
			if (pid == 0 && c->pgid != self->pgid)
				continue;
			if (pid < -1 && c->pgid != -pid)
				continue;
			any = true;
			if (!c->zombie || (options & 0x20000000)) {
				if (c->zombie)
					continue;
				if ((options & WUNTRACED) && c->stopped &&
				    c->stop_report) {
					*status = c->stop_report;
					if (!nowait)
						c->stop_report = 0;
					return c->pid;
				}
				if ((options & WCONTINUED) && c->cont_report) {
					*status = 0xffff;
					if (!nowait)
						c->cont_report = false;
					return c->pid;
				}
				continue;
			}
			int id = c->pid;
			*status = c->exit_status;
			if (!nowait) {
				self->child_utime_ns +=
				    clock_monotonic_ns() - c->start_ns;
				struct thread *t, *tn;
				list_for_each_entry_safe(t, tn, &c->threads, proc_link)
				    list_del(&t->proc_link);
				proc_free(c);
			}
			return id;
		}
		if (!any)
			return -ECHILD;
		if (nohang)
			return 0;
		int r = waitq_sleep(&self->child_wq, 0);
		if (r)
			return -ERESTARTSYS;
	}
}
