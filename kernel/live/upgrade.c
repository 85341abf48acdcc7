// SPDX-License-Identifier: MIT
/* UPGRADE: replace the main program by a new ELF without restarting the VM.
 * Everything that can fail is done first (files written, ELF loaded into a new
 * address space); then the old program's threads are frozen where they stand,
 * its address space, descriptor table, dispositions and credentials are put
 * aside, and the new program runs as the same pid with the same descriptors
 * and credentials.  If it exits with a failure or a signal within the grace
 * period, it is discarded and the old program is thawed exactly as it was;
 * otherwise the old image is freed. */
#include <string.h>
#include <kern/clock.h>
#include <kern/heap.h>
#include <kern/printk.h>
#include <kern/vfs.h>
#include <uapi/errno.h>
#include <uapi/signal.h>
#include "arch/x86_64/cpu.h"
#include "live/internal.h"
#include "live/live.h"
#include "mm/vm.h"
#include "net/net.h"
#include "proc/internal.h"

struct upgrade {
	struct process *p;
	struct list_head old_threads;
	struct mm *old_mm;
	struct process *fs_snapshot; /* holds a copy of the old fd table and cwd */
	struct sigaction_k *old_sigactions;
	struct cred old_cred; /* exec and the new program may change them */
	char old_exe[PROC_PATH_MAX];
	char old_comm[PROC_COMM_LEN];
	char *old_cmdline, *old_environ;
	size_t old_cmdline_len, old_environ_len;
	bool finished; /* the new program exited during the grace period */
	int status;    /* its wait status */
	struct waitq wq;
};

static struct upgrade *active;

/* How long the old program may take to finish the connections it accepted. */
#define DRAIN_NS 1000000000ULL

/* Called from process_finish when the main program ends. */
bool live_upgrade_exit(struct process *p, int wait_status)
{
	struct upgrade *u = active;
	if (!u || u->p != p || u->finished)
		return false;
	if (wait_status == 0)
		return false; /* a clean exit is an exit */
	u->finished = true;
	u->status = wait_status;
	waitq_wake_all(&u->wq);
	return true;
}

static void restore(struct upgrade *u)
{
	struct process *p = u->p;
	inet_upgrade_end(p, false);
	/* the new image: address space, descriptors, dispositions */
	struct mm *new_mm = p->mm;
	p->mm = u->old_mm;
	if (new_mm)
		mm_put(new_mm);
	fs_proc_exit(p);
	p->fdt = u->fs_snapshot->fdt;
	p->fs = u->fs_snapshot->fs;
	kfree(u->fs_snapshot);
	kfree(p->sigactions);
	p->sigactions = u->old_sigactions;
	cred_release(&p->cred);
	p->cred = u->old_cred; /* its reference moves back */
	strlcpy(p->exe_path, u->old_exe, sizeof(p->exe_path));
	memcpy(p->comm, u->old_comm, sizeof(p->comm));
	kfree(p->cmdline);
	kfree(p->environ);
	p->cmdline = u->old_cmdline;
	p->cmdline_len = u->old_cmdline_len;
	p->environ = u->old_environ;
	p->environ_len = u->old_environ_len;
	p->zombie = false;
	/* the old threads come back where they were */
	struct thread *t, *n;
	list_for_each_entry_safe(t, n, &u->old_threads, proc_link)
	{
		list_del(&t->proc_link);
		list_add_tail(&t->proc_link, &p->threads);
		sched_thaw(t);
	}
}

static void discard_old(struct upgrade *u)
{
	struct thread *t, *n;
	list_for_each_entry_safe(t, n, &u->old_threads, proc_link)
	{
		list_del(&t->proc_link);
		sched_discard_thread(t);
	}
	mm_put(u->old_mm);
	fs_proc_exit(u->fs_snapshot);
	kfree(u->fs_snapshot);
	kfree(u->old_sigactions);
	cred_release(&u->old_cred);
	kfree(u->old_cmdline);
	kfree(u->old_environ);
}

/* Waits, up to 500 ms, until every thread of p sleeps in the kernel: a
 * server is then frozen between requests (blocked in accept, poll, read)
 * rather than preempted in the middle of one it has read and not answered,
 * which the new program could never answer. */
static void wait_quiescent(struct process *p, struct waitq *wq)
{
	uint64_t end = clock_monotonic_ns() + 500000000ULL;
	for (;;) {
		bool busy = false;
		struct thread *t;
		list_for_each_entry(t, &p->threads, proc_link) busy |=
		    t->state != T_BLOCKED;
		uint64_t now = clock_monotonic_ns();
		if (!busy || now >= end)
			return;
		waitq_sleep(wq, now + 200000);
	}
}

void live_upgrade(struct ctl_request *q, struct ctl_reply *r)
{
	struct process *p = proc_find(1);
	if (!p || p->zombie) {
		reply_error(r, "no main program to upgrade");
		return;
	}
	if (active) {
		reply_error(r, "an upgrade is already in progress");
		return;
	}
	if (!q->nargs && !q->exe) {
		reply_error(r, "UPGRADE needs ARG or EXE");
		return;
	}
	if (live_write_files(q, r))
		return;
	struct upgrade *u = kzalloc(sizeof(*u));
	struct exec_args a = {0};
	if (!u ||
	    live_build_args(q, "UNIELF_UPGRADED=1", &a.argv, &a.argc, &a.envp, &a.envc)) {
		kfree(u);
		reply_error(r, "out of memory");
		return;
	}
	const char *exe = q->exe ? q->exe : a.argv[0];
	list_init(&u->old_threads);
	waitq_init(&u->wq);
	u->p = p;

	/* Let the old program finish the connections it has accepted while new
	 * ones queue for its successor (net/inet_upgrade.c), then catch it between
	 * two system calls. */
	int open = inet_upgrade_drain(p, clock_monotonic_ns() + DRAIN_NS);
	if (open)
		printk("upgrade: %d connection(s) still open after %llu ms: they stay in "
		       "the "
		       "new program's descriptors",
		       open, DRAIN_NS / 1000000ULL);
	wait_quiescent(p, &u->wq);
	/* Put the old image aside: everything here is undone by restore(). */
	u->fs_snapshot = kzalloc(sizeof(struct process));
	u->old_sigactions = kzalloc(NSIG * sizeof(struct sigaction_k));
	struct thread *nt = NULL;
	int e = (!u->fs_snapshot || !u->old_sigactions)
		    ? -ENOMEM
		    : fs_proc_clone(u->fs_snapshot, p);
	if (e) {
		kfree(u->fs_snapshot);
		kfree(u->old_sigactions);
		kfree(u);
		inet_upgrade_undrain(p);
		live_free_args(a.argv, a.argc);
		live_free_args(a.envp, a.envc);
		reply_error(r, "cannot snapshot the descriptors (error %d)", -e);
		return;
	}
	memcpy(u->old_sigactions, p->sigactions, NSIG * sizeof(struct sigaction_k));
	cred_copy(&u->old_cred, &p->cred);
	inet_upgrade_begin(p);
	strlcpy(u->old_exe, p->exe_path, sizeof(u->old_exe));
	memcpy(u->old_comm, p->comm, sizeof(u->old_comm));
	u->old_cmdline = p->cmdline;
	u->old_cmdline_len = p->cmdline_len;
	u->old_environ = p->environ;
	u->old_environ_len = p->environ_len;
	p->cmdline = p->environ = NULL;
	u->old_mm = p->mm;
	mm_get(u->old_mm); /* exec_load drops one reference: ours keeps it */
	struct thread *t, *n;
	list_for_each_entry_safe(t, n, &p->threads, proc_link)
	{
		sched_freeze(t);
		list_del(&t->proc_link);
		list_add_tail(&t->proc_link, &u->old_threads);
	}
	nt = thread_create(p);
	const char *why = NULL;
	e = nt ? exec_load(p, exe, &a, nt->uregs, &why) : -ENOMEM;
	live_free_args(a.argv, a.argc);
	live_free_args(a.envp, a.envc);
	if (e) {
		if (nt)
			thread_free(nt);
		mm_put(u->old_mm); /* exec_load did not take it: drop our extra one */
		struct mm *keep = p->mm;
		p->mm = NULL;
		u->old_mm = keep;
		restore(u);
		kfree(u);
		if (e == -ENOENT)
			reply_error(r, "%s: not found; the old program keeps running",
				    exe);
		else
			reply_error(r,
				    "%s: cannot load: %s; the old program keeps running",
				    exe, why ? why : "error");
		return;
	}
	memset(p->sigactions, 0, NSIG * sizeof(struct sigaction_k));
	nt->tid = p->pid;
	active = u;
	sched_make_runnable(nt);
	printk("upgrade: pid %d now runs %s (grace %u ms)", p->pid, exe, q->grace_ms);

	uint64_t deadline = clock_monotonic_ns() + (uint64_t)q->grace_ms * 1000000;
	while (!u->finished && clock_monotonic_ns() < deadline)
		waitq_sleep(&u->wq, deadline);
	active = NULL;
	if (u->finished) {
		int st = u->status;
		restore(u);
		kfree(u);
		if (st & 0x7f)
			reply_error(r,
				    "%s died of signal %d within the grace period; the "
				    "old program was resumed",
				    exe, st & 0x7f);
		else
			reply_error(r,
				    "%s exited with status %d within the grace period; "
				    "the old program was resumed",
				    exe, (st >> 8) & 0xff);
		printk("upgrade: rolled back");
		return;
	}
	inet_upgrade_end(p, true);
	discard_old(u);
	kfree(u);
	uint32_t pid = (uint32_t)p->pid;
	reply_field(r, CTL_PID, &pid, 4);
	reply_text(r, "upgraded pid %d to %s", p->pid, exe);
}
