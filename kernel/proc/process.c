// SPDX-License-Identifier: MIT
/* Processes: creation, the first program started from the launch descriptor,
 * and exit.  When the first program exits, the VM stops with its status
 * (docs/console-protocol.md): the status, or 128+N for death by signal N. */
#include <string.h>
#include <kern/heap.h>
#include <kern/printk.h>

#include "arch/x86_64/arch.h"
#include "drivers/console_internal.h"
#include "mm/vm.h"
#include "proc/internal.h"

static LIST_HEAD(all_procs);
static int next_pid = 1;

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
	p->pid = next_pid++;
	p->pgid = p->sid = p->pid;
	list_init(&p->threads);
	waitq_init(&p->child_wq);
	list_add_tail(&p->link, &all_procs);
	return p;
}

/* wait_status is Linux's encoding: (code << 8) for exit, signal number for a
 * kill.  The host sees code, or 128 + signal. */
void proc_exit_group(int wait_status)
{
	struct process *p = proc_current();
	int host = (wait_status & 0x7f) ? 128 + (wait_status & 0x7f) : (wait_status >> 8) & 0xff;
	if (p->pid == 1) {
		if (wait_status & 0x7f)
			printk("proc: pid 1 (%s) killed by signal %d", p->exe_path,
			       wait_status & 0x7f);
		else
			printk("proc: pid 1 (%s) exited with %d", p->exe_path, host);
		syscall_report();
		console_exit(host);
	}
	/* other processes arrive with fork */
	panic("exit of pid %d without a parent", p->pid);
}
