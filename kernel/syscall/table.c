// SPDX-License-Identifier: MIT
/* The system call table, indexed by Linux x86_64 number, filled at boot from
 * the SYSCALL_REGISTER entries of every sys_*.c file.  An unknown number
 * returns -ENOSYS and is counted, as is every -ENOSYS a handler returns (an
 * option or mode it lacks); with --report the counts are listed at exit. */
#include <string.h>
#include <kern/printk.h>
#include <kern/syscall.h>
#include <uapi/errno.h>
#include <uapi/syscall_names.h>
#include "arch/x86_64/regs.h"
#include "drivers/console_internal.h"
#include "proc/internal.h"

typedef long (*syscall_fn)(unsigned long, unsigned long, unsigned long, unsigned long,
			   unsigned long, unsigned long);

extern const struct syscall_entry __start_syscalls[], __stop_syscalls[];
static syscall_fn table[NR_SYSCALLS];
static uint32_t enosys_count[NR_SYSCALLS];
static uint32_t enosys_other;
bool report_enabled;

void syscall_init_table(void)
{
	for (const struct syscall_entry *e = __start_syscalls; e < __stop_syscalls; e++) {
		if (e->nr >= NR_SYSCALLS)
			panic("syscall %s has number %lu", e->name, e->nr);
		if (table[e->nr])
			panic("syscall %lu registered twice (%s)", e->nr, e->name);
		table[e->nr] = (syscall_fn)e->fn;
	}
}

void syscall_dispatch(struct regs *r)
{
	unsigned long nr = r->rax;
	long ret;
	if (nr < NR_SYSCALLS && table[nr]) {
		ret = table[nr](r->rdi, r->rsi, r->rdx, r->r10, r->r8, r->r9);
		if (ret == -ENOSYS)
			enosys_count[nr]++; /* an option or mode not implemented */
	} else {
		if (nr < NR_SYSCALLS)
			enosys_count[nr]++;
		else
			enosys_other++;
		ret = -ENOSYS;
	}
	long restart = -1;
	if (ret == -ERESTARTSYS) {
		ret = -EINTR;
		restart = (long)nr; /* signal delivery decides: EINTR or restart */
	}
	if (nr != __NR_rt_sigreturn)
		r->rax = (uint64_t)ret;
	if (need_resched)
		sched_yield_current();
	signal_deliver_pending(r, restart);
}

void syscall_report(void)
{
	if (!report_enabled)
		return;
	char line[128];
	for (unsigned i = 0; i < NR_SYSCALLS; i++) {
		if (!enosys_count[i])
			continue;
		const char *name = i < sizeof(syscall_names) / sizeof(syscall_names[0]) &&
					   syscall_names[i]
				       ? syscall_names[i]
				       : "unknown";
		/* a registered handler returned -ENOSYS: the call exists, a mode of it
		 * not */
		snprintf(line, sizeof(line), "syscall %u (%s): %u call%s, %s", i, name,
			 enosys_count[i], enosys_count[i] == 1 ? "" : "s",
			 table[i] ? "returned ENOSYS (option not implemented)"
				  : "not implemented");
		console_report(line);
	}
	if (enosys_other) {
		snprintf(line, sizeof(line),
			 "syscall numbers >= %d: %u calls, not implemented", NR_SYSCALLS,
			 enosys_other);
		console_report(line);
	}
}
