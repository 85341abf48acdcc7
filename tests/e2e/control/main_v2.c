// SPDX-License-Identifier: MIT
/* Version 2 of the e2e main program: started by UPGRADE, it checks that it kept
 * pid 1, sees UNIELF_UPGRADED=1 and inherited fd 3 from version 1, says so with
 * the credentials it runs with, and exits 8 on SIGUSR1 (98 after 300 s). */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_usr1(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	const char *up = getenv("UNIELF_UPGRADED");
	char buf[64] = "";
	struct timespec ts = {0, 100 * 1000 * 1000};
	ssize_t n;

	signal(SIGUSR1, on_usr1);
	lseek(3, 0, SEEK_SET);
	n = read(3, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	uid_t r, e, s;
	gid_t gr, ge, gs, g[4];
	getresuid(&r, &e, &s);
	getresgid(&gr, &ge, &gs);
	int ng = getgroups(4, g);
	printf("v2 started pid=%d upgraded=%s fd3=%s arg=%s ids=%u/%u/%u gids=%u/%u/%u "
	       "groups=%d:%u\n",
	       (int)getpid(), up ? up : "(unset)", n > 0 ? buf : "(unreadable)",
	       argc > 1 ? argv[1] : "-", (unsigned)r, (unsigned)e, (unsigned)s,
	       (unsigned)gr, (unsigned)ge, (unsigned)gs, ng, ng > 0 ? (unsigned)g[0] : 0);
	fflush(stdout);
	for (int i = 0; i < 3000 && !stop; i++) {
		if (i % 10 == 0) {
			printf("v2 tick %d\n", i / 10);
			fflush(stdout);
		}
		nanosleep(&ts, NULL);
	}
	printf("v2 exiting\n");
	fflush(stdout);
	return stop ? 8 : 98;
}
