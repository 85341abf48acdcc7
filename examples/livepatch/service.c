// SPDX-License-Identifier: MIT
/* A small long-running service with a bug, for the live-patch walk-through
 * (README.md): once a second it serves a "request", appends a line to its log
 * file and prints its status line -- with the count off by one.  fix.c
 * corrects report() while it runs; the count and the open log file carry on. */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

static long served;	/* the state a restart would lose */
static int log_fd = -1; /* an open file a restart would reopen */

/* Formats the status line.  The bug: it reports one request less. */
__attribute__((noinline)) void report(long n, char *buf, size_t cap)
{
	snprintf(buf, cap, "served %ld requests", n - 1);
}

int main(void)
{
	char line[128];
	log_fd = open("/tmp/service.log", O_WRONLY | O_CREAT | O_APPEND, 0644);
	for (;;) {
		served++;
		if (log_fd >= 0)
			dprintf(log_fd, "request %ld\n", served);
		report(served, line, sizeof(line));
		printf("%s\n", line);
		fflush(stdout);
		sleep(1);
	}
}
