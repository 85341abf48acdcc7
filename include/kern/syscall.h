/* SPDX-License-Identifier: MIT */
/* System call registration.  Each kernel/syscall/sys_<family>.c file defines
 * handlers named sys_<linuxname> with their real C types (all arguments are
 * integers or user addresses passed as unsigned long) and registers each with
 * SYSCALL_REGISTER; kernel/syscall/table.c builds the table indexed by Linux
 * x86_64 number at boot.  A handler returns a value or -errno.  An unregistered
 * number returns -ENOSYS and is counted for --report. */
#pragma once
#include <uapi/unistd.h>

struct syscall_entry {
	unsigned long nr;
	const char *name;
	void *fn;
};

#define SYSCALL_CAT_(a, b) a##b
#define SYSCALL_CAT(a, b)  SYSCALL_CAT_(a, b)
#define SYSCALL_REGISTER(number, handler)                                                \
	static const struct syscall_entry SYSCALL_CAT(__syscall_entry_, __LINE__)        \
	    __attribute__((used, section(".syscalls"), aligned(8))) = {                  \
		(number), #handler, (void *)(handler)}
