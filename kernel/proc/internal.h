/* SPDX-License-Identifier: MIT */
/* Process internals shared by the files of kernel/proc/: threads, the
 * scheduler, signals and exec. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <kern/list.h>
#include <kern/proc.h>
#include "arch/x86_64/regs.h"
#include <uapi/sched.h>

#define KSTACK_SIZE (32 * 1024)
#define NSIG	    64

enum thread_state { T_RUNNABLE, T_RUNNING, T_BLOCKED, T_DEAD };

struct linux_sigaltstack {
	uint64_t ss_sp;
	int32_t ss_flags;
	int32_t pad;
	uint64_t ss_size;
};

struct thread {
	int tid;
	struct process *proc;
	void *kstack;	    /* KSTACK_SIZE bytes */
	uint64_t ksp;	    /* saved by context_switch */
	struct regs *uregs; /* the user frame at the top of kstack */
	uint64_t fs_base;
	void *fpu; /* XSAVE area, 64-byte aligned */
	void *fpu_alloc;
	enum thread_state state;
	struct waitq *wq; /* what it sleeps on, if any */
	struct list_head wait_link;
	uint64_t deadline; /* monotonic ns, 0 = none */
	struct list_head sleep_link;
	bool woken;
	struct list_head run_link;
	struct list_head proc_link;
	uint64_t sigmask;
	uint64_t sig_pending;
	uint64_t saved_sigmask; /* rt_sigsuspend: restored after the handler */
	bool restore_sigmask;
	struct linux_sigaltstack altstack;
	uint64_t clear_child_tid;
	uint64_t robust_list;
	uint64_t robust_len;
	uint64_t rseq; /* registered struct rseq, 0 if none */
	uint32_t rseq_len, rseq_sig;
	bool rseq_preempted;		  /* switched out since it last ran */
	bool frozen;			  /* held by an upgrade in progress */
	const struct cred *cred_override; /* access(): acting with the real ids */
};

struct sigaction_k {
	uint64_t handler;
	uint64_t flags;
	uint64_t restorer;
	uint64_t mask;
};

/* sched.c */
void sched_init(void);
/* The next free pid/tid (one space for both, as on Linux). */
int id_alloc(void);
struct thread *thread_create(struct process *p);
void thread_free(struct thread *t);
struct thread *kthread_create(struct process *p, void (*fn)(void *), void *arg);
void sched_make_runnable(struct thread *t);
void schedule(void);
void sched_yield_current(void);
void sched_start_first(struct thread *t) __attribute__((noreturn));
void sched_tick(void);
void sched_freeze(struct thread *t);
void sched_thaw(struct thread *t);
void sched_discard_thread(struct thread *t);
void proc_bury_thread(struct thread *t);
extern bool need_resched;
void thread_wake(struct thread *t);

/* process.c */
struct process *proc_alloc(void);
void proc_discard(struct process *p, struct thread *t);
void proc_exit_group(int wait_status) __attribute__((noreturn));
void proc_exit_thread(int code) __attribute__((noreturn));
long proc_clone(unsigned long flags, uint64_t newsp, uint64_t ptid, uint64_t ctid,
		uint64_t tls);
long proc_wait(int pid, int *status, int options);
void proc_vfork_release(struct process *p);
void proc_reap_dead_threads(void);
void proc_kill_other_threads(struct process *p, struct thread *keep);
void futex_wake_addr(struct mm *mm, uint64_t uaddr, int n); /* syscall/sys_futex.c */

/* signal.c */
/* A signal's bit in a mask; the signals no mask can block. */
#define SIGBIT(s)   (1ULL << ((s)-1))
#define UNBLOCKABLE (SIGBIT(SIGKILL) | SIGBIT(SIGSTOP))
/* The temporary signal mask of ppoll, pselect6 and epoll_pwait: with umask
 * non-zero, installs the user's mask (size must be 8) and saves the thread's in
 * *old (*swapped true).  0, -EINVAL or -EFAULT.  sigmask_temp_end restores
 * it; when the call was interrupted, the handler still runs under the
 * temporary mask and its sigreturn restores the old one (as sigsuspend). */
long sigmask_temp_begin(unsigned long umask, size_t size, uint64_t *old, bool *swapped);
void sigmask_temp_end(uint64_t old, bool swapped, bool interrupted);
/* On the way back to user mode: runs default actions and sets up a handler
 * frame for the next deliverable signal.  restart_nr: the syscall that
 * returned -ERESTARTSYS (-1 if none; read is 0) is restarted when no handler
 * runs or the handler has SA_RESTART, else it returns -EINTR. */
void signal_deliver_pending(struct regs *r, long restart_nr);
void signal_send_thread(struct thread *t, int sig);
void signal_send_process(struct process *p, int sig);
void signal_exec_reset(struct process *p);
void signal_console_flush(void);
void signal_fault(struct regs *r, int sig, int code, uint64_t addr);
int signal_default_is_ignore(int sig);

/* rseq.c */
void rseq_fixup(struct thread *t, struct regs *r);

/* timer.c */
void timers_tick(uint64_t now);
void timers_exit(struct process *p);

/* exec.c */
struct exec_args {
	char **argv;
	char **envp;
	int argc, envc;
};
/* Loads path into a fresh address space of p and sets *r to enter it.
 * On failure p is untouched; *why may name the reason. */
int exec_load(struct process *p, const char *path, struct exec_args *a, struct regs *r,
	      const char **why);

/* syscall/table.c */
void syscall_report(void);
extern bool report_enabled;
