// SPDX-License-Identifier: MIT
/* Threads and the scheduler: round-robin over runnable threads on one CPU, a
 * timer tick that wakes sleepers and preempts user code, and wait queues.
 * The kernel is never preempted inside a syscall; it only switches when a
 * thread sleeps or when returning to user mode. */
#include <string.h>
#include <kern/clock.h>
#include <kern/heap.h>
#include <kern/printk.h>
#include <kern/wait.h>
#include <uapi/errno.h>
#include "arch/x86_64/arch.h"
#include "arch/x86_64/cpu.h"
#include "drivers/console_internal.h"
#include "mm/mm_internal.h"
#include "proc/internal.h"

static LIST_HEAD(runqueue);
static LIST_HEAD(frozen); /* runnable threads held back by an upgrade */
static LIST_HEAD(sleepers);
static struct waitq poll_wq = WAITQ_INIT(poll_wq);
static uint64_t poll_clock_now;
static struct thread *current;
static int next_id = 1;		      /* pids and tids share one space, as on Linux */
static int next_kthread_id = 1 << 22; /* kernel threads: above PID_MAX */

int id_alloc(void)
{
	return next_id++;
}
static unsigned ticks_left;
bool need_resched;

#define TIMESLICE_TICKS 10

extern char thread_first_entry[];

struct thread *thread_current(void)
{
	return current;
}

struct process *proc_current(void)
{
	return current ? current->proc : NULL;
}

int thread_tid(const struct thread *t)
{
	return t->tid;
}

struct thread *thread_create(struct process *p)
{
	struct thread *t = kzalloc(sizeof(*t));
	if (!t)
		return NULL;
	t->kstack = kmalloc(KSTACK_SIZE);
	t->fpu_alloc = kmalloc(fpu_state_size + 64);
	if (!t->kstack || !t->fpu_alloc) {
		kfree(t->kstack);
		kfree(t->fpu_alloc);
		kfree(t);
		return NULL;
	}
	t->fpu = (void *)ALIGN_UP((uint64_t)t->fpu_alloc, 64);
	fpu_init_state(t->fpu);
	t->tid = p->pid == 0 ? next_kthread_id++ : id_alloc();
	t->proc = p;
	list_init(&t->wait_link);
	list_init(&t->sleep_link);
	list_init(&t->run_link);
	t->state = T_BLOCKED;
	uint64_t top = (uint64_t)t->kstack + KSTACK_SIZE;
	t->uregs = (struct regs *)(top - sizeof(struct regs));
	memset(t->uregs, 0, sizeof(struct regs));
	/* first switch: pop 6 callee-saved registers, return to thread_first_entry */
	uint64_t *sp = (uint64_t *)t->uregs;
	*--sp = (uint64_t)thread_first_entry;
	for (int i = 0; i < 6; i++)
		*--sp = 0;
	t->ksp = (uint64_t)sp;
	list_add_tail(&t->proc_link, &p->threads);
	return t;
}

extern char kthread_first_entry[];

/* A thread of process p that runs fn(arg) in the kernel and never returns to
 * user mode; fn must not return.  It starts blocked: make it runnable. */
struct thread *kthread_create(struct process *p, void (*fn)(void *), void *arg)
{
	struct thread *t = thread_create(p);
	if (!t)
		return NULL;
	uint64_t *sp = (uint64_t *)t->ksp;
	/* the frame context_switch pops: r15 r14 r13 r12 rbx rbp, then ret */
	sp[2] = (uint64_t)arg; /* r13 */
	sp[3] = (uint64_t)fn;  /* r12 */
	sp[6] = (uint64_t)kthread_first_entry;
	return t;
}

void thread_free(struct thread *t)
{
	list_del(&t->proc_link);
	kfree(t->kstack);
	kfree(t->fpu_alloc);
	kfree(t);
}

void sched_thread_started(void)
{
	irq_disable();
}

void sched_make_runnable(struct thread *t)
{
	uint64_t f = irq_save();
	if (t->state != T_RUNNABLE && t->state != T_RUNNING && t->state != T_DEAD) {
		t->state = T_RUNNABLE;
		if (t->proc->pid == 0) {
			/* kernel threads (the control channel) go first and preempt
			 * user code: they only do short work and then sleep */
			list_add(&t->run_link, &runqueue);
			need_resched = true;
		} else {
			list_add_tail(&t->run_link, &runqueue);
		}
	}
	irq_restore(f);
}

static void switch_to(struct thread *next)
{
	struct thread *prev = current;
	if (next == prev) {
		next->state = T_RUNNING;
		return;
	}
	if (prev) {
		prev->rseq_preempted = true;
		fpu_save(prev->fpu);
		prev->fs_base = rdmsr(MSR_FS_BASE);
	}
	current = next;
	next->state = T_RUNNING;
	cpu_set_kernel_stack((uint64_t)next->kstack + KSTACK_SIZE);
	if (!prev || prev->proc->mm != next->proc->mm)
		write_cr3(next->proc->mm->pml4);
	wrmsr(MSR_FS_BASE, next->fs_base);
	fpu_restore(next->fpu);
	ticks_left = TIMESLICE_TICKS;
	static uint64_t dummy_sp;
	context_switch(prev ? &prev->ksp : &dummy_sp, next->ksp);
}

/* Runs the next runnable thread; when there is none, halts until an interrupt
 * makes one runnable.  Called with the current thread already queued again if
 * it is to keep running.  Interrupts are disabled on return. */
void schedule(void)
{
	irq_disable();
	need_resched = false;
	for (;;) {
		if (!list_empty(&runqueue)) {
			struct thread *next =
			    list_first_entry(&runqueue, struct thread, run_link);
			list_del(&next->run_link);
			if (next->frozen) {
				list_add_tail(&next->run_link, &frozen);
				continue;
			}
			switch_to(next);
			proc_reap_dead_threads();
			return;
		}
		cpu_idle(); /* sti; hlt; cli — the timer tick wakes sleepers */
		signal_console_flush(); /* a safe point: no list is half changed */
	}
}

void sched_start_first(struct thread *t)
{
	irq_disable();
	switch_to(t);
	panic("first thread returned");
}

/* Puts the running thread at the back of the run queue and runs the next. */
void sched_yield_current(void)
{
	irq_disable();
	current->state = T_RUNNABLE;
	list_add_tail(&current->run_link, &runqueue);
	schedule();
}

void thread_wake(struct thread *t)
{
	uint64_t f = irq_save();
	if (t->state == T_BLOCKED) {
		t->woken = true;
		sched_make_runnable(t);
	}
	irq_restore(f);
}

/* An upgrade holds t where it is: it keeps its state and wait queues but is
 * never picked to run until thawed. */
void sched_freeze(struct thread *t)
{
	uint64_t f = irq_save();
	t->frozen = true;
	if (t->state == T_RUNNABLE) {
		list_del(&t->run_link);
		list_add_tail(&t->run_link, &frozen);
	}
	irq_restore(f);
}

void sched_thaw(struct thread *t)
{
	uint64_t f = irq_save();
	t->frozen = false;
	if (t->state == T_RUNNABLE) {
		list_del(&t->run_link);
		list_add_tail(&t->run_link, &runqueue);
	}
	irq_restore(f);
}

/* A thread that will never run again (its process exits or execs, or an
 * upgrade replaced its program for good): unhooked from the run queue, the
 * frozen list, its wait queue and the sleepers, and freed at the next switch.
 * Not for the running thread. */
void sched_discard_thread(struct thread *t)
{
	uint64_t f = irq_save();
	list_del(&t->run_link);
	list_del(&t->wait_link);
	list_del(&t->sleep_link);
	irq_restore(f);
	proc_bury_thread(t);
}

void sched_tick(void)
{
	console_poll_input();
	uint64_t now = clock_monotonic_ns();
	timers_tick(now);
	struct thread *t, *n;
	list_for_each_entry_safe(t, n, &sleepers, sleep_link)
	{
		if (t->deadline && now >= t->deadline && t->state == T_BLOCKED)
			sched_make_runnable(t);
	}
	if (ticks_left && --ticks_left == 0 && !list_empty(&runqueue))
		need_resched = true;
}

void waitq_init(struct waitq *wq)
{
	list_init(&wq->waiters);
}

int waitq_sleep(struct waitq *wq, uint64_t deadline_ns)
{
	struct thread *t = current;
	if (signal_pending_current())
		return -ERESTARTSYS;
	uint64_t f = irq_save();
	t->woken = false;
	t->state = T_BLOCKED;
	if (wq)
		list_add_tail(&t->wait_link, &wq->waiters);
	t->deadline = deadline_ns;
	if (deadline_ns)
		list_add_tail(&t->sleep_link, &sleepers);
	schedule();
	list_del(&t->wait_link);
	list_del(&t->sleep_link);
	irq_restore(f);
	if (t->woken)
		return 0;
	if (signal_pending_current())
		return -ERESTARTSYS; /* -EINTR, or restarted under SA_RESTART */
	if (deadline_ns && clock_monotonic_ns() >= deadline_ns)
		return -ETIMEDOUT;
	return 0;
}

void waitq_wake_all(struct waitq *wq)
{
	uint64_t f = irq_save();
	poll_clock_advance();
	struct thread *t, *n;
	list_for_each_entry_safe(t, n, &wq->waiters, wait_link) thread_wake(t);
	if (wq != &poll_wq)
		list_for_each_entry_safe(t, n, &poll_wq.waiters, wait_link)
		    thread_wake(t);
	irq_restore(f);
}

int poll_wait_any(uint64_t deadline_ns)
{
	int r = waitq_sleep(&poll_wq, deadline_ns);
	return r == -ERESTARTSYS ? -EINTR : r; /* poll and select are never restarted */
}

uint64_t poll_clock(void)
{
	return __atomic_load_n(&poll_clock_now, __ATOMIC_RELAXED);
}

uint64_t poll_clock_advance(void)
{
	return __atomic_add_fetch(&poll_clock_now, 1, __ATOMIC_RELAXED);
}

int poll_wait_since(uint64_t seen, uint64_t deadline_ns)
{
	/* interrupts off from the check until the thread is on poll_wq: a wake-up
	 * in between would otherwise be lost */
	uint64_t f = irq_save();
	int r;
	if (poll_clock() == seen)
		r = waitq_sleep(&poll_wq, deadline_ns);
	else if (signal_pending_current())
		r = -ERESTARTSYS;
	else if (deadline_ns && clock_monotonic_ns() >= deadline_ns)
		r = -ETIMEDOUT; /* a caller that never sleeps still times out */
	else
		r = 0;
	irq_restore(f);
	return r == -ERESTARTSYS ? -EINTR : r;
}
