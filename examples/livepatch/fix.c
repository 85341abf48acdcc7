// SPDX-License-Identifier: MIT
/* The live patch for service.c: report() prints the right count.  It reads
 * the service's own static variables (served, log_fd): the kernel resolves
 * them in the program's symbol table when it loads the patch.
 *	gcc -shared -fPIC -O2 -I../../include fix.c -o fix.so */
#include <stdio.h>
#include <sys/types.h>
#include <unistd.h>
#include <unielf/livepatch.h>

extern long served;
extern int log_fd;

static void report_fixed(long n, char *buf, size_t cap)
{
	off_t logged = log_fd >= 0 ? lseek(log_fd, 0, SEEK_CUR) : -1;
	snprintf(buf, cap, "served %ld requests (fixed; total %ld, log at byte %ld)", n,
		 served, (long)logged);
}

UNIELF_PATCH_FUNC(report, report_fixed);
