/* SPDX-License-Identifier: MIT */
/* Processes and threads (kernel/proc/).  A process owns an address space (mm),
 * a descriptor table and a file-system context (both owned by kernel/fs/),
 * credentials and signal dispositions; a thread owns its kernel stack, saved
 * registers, FS base and XSAVE area. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <kern/cred.h>
#include <kern/list.h>
#include <kern/wait.h>

#define PROC_PATH_MAX 4096
#define PROC_COMM_LEN 16 /* TASK_COMM_LEN, the NUL included */

struct mm;
struct fdtable;
struct fs_context;

struct process {
	int pid;
	int ppid;
	int pgid, sid;
	struct mm *mm;
	struct fdtable *fdt;   /* kernel/fs/fdtable.c */
	struct fs_context *fs; /* kernel/fs/: cwd, umask */
	struct cred cred;      /* ids and groups, shared by the threads (kern/cred.h) */
	char exe_path[PROC_PATH_MAX]; /* absolute path of the running ELF */
	char comm[PROC_COMM_LEN]; /* its name (/proc/<pid>/comm, PR_SET_NAME); one for all
				     threads */
	char *cmdline;		  /* argv joined with NULs (for /proc/self/cmdline) */
	size_t cmdline_len;
	char *environ; /* envp joined with NULs */
	size_t environ_len;
	uint64_t *auxv;	 /* the auxiliary vector it started with (/proc/self/auxv) */
	size_t auxv_len; /* bytes, AT_NULL pair included */
	uint64_t start_ns;
	struct list_head threads;
	struct list_head link; /* all processes */
	int exit_status;       /* wait status once a zombie */
	bool zombie;
	bool reaped;	 /* auto-reaped (SIGCHLD ignored) */
	int exit_signal; /* sent to the parent at exit (SIGCHLD) */
	struct process *parent;
	struct list_head children;
	struct list_head sibling;
	struct process *vfork_parent; /* set while a vfork child has not exec'd */
	bool vfork_done;
	struct waitq vfork_wq;
	uint64_t child_utime_ns;
	bool stopped;	  /* by SIGSTOP/SIGTSTP/SIGTTIN/SIGTTOU */
	int stop_report;  /* wait status to report with WUNTRACED, 0 once reported */
	bool cont_report; /* to report with WCONTINUED */
	struct waitq stop_wq;
	struct sigaction_k *sigactions; /* kernel/proc/signal.c, 64 entries */
	uint64_t sig_pending;		/* process-wide pending signals */
	struct waitq child_wq;
};

struct thread;

struct process *proc_current(void);
/* Names p after the last component of path, cut to PROC_COMM_LEN - 1 bytes
 * (what exec does to the task's comm). */
void proc_set_comm_from_path(struct process *p, const char *path);
/* The live process with this pid, or NULL. */
struct process *proc_find(int pid);
/* Every process, linked through struct process.link. */
struct list_head *proc_all(void);
struct thread *thread_current(void);
/* Thread id of the current thread. */
int thread_tid(const struct thread *t);
/* true when the current thread has an unblocked signal pending (sleeps return -EINTR). */
bool signal_pending_current(void);
/* For signalfd: the signals pending for the current thread (its own and its
 * process's), blocked or not; and taking the lowest one in mask (the
 * thread's own first), which returns its number or 0. */
uint64_t signal_pending_set_current(void);
int signal_dequeue_current(uint64_t mask);
/* Woken, and signal_seq stamped (kern/poll.h), whenever a signal is queued. */
extern struct waitq signal_wq;
extern uint64_t signal_seq;
