// SPDX-License-Identifier: MIT
/* The long-running main program of the control-channel e2e test (version 1).
 * It opens /ctl-state on fd 3 (written "state-from-v1") for a later version to
 * inherit, prints "v1 tick N" every 100 ms, and exits 7 on SIGUSR1 (99 if nobody
 * stops it within 300 s, so a broken test cannot hang the VM forever).  With the
 * argument "drop" it first gives up some credentials (euid 1234, egid 4242,
 * groups {4242}), which a later version must keep. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
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
	const char state[] = "state-from-v1\n";
	struct timespec ts = {0, 100 * 1000 * 1000};
	int fd = open("/ctl-state", O_RDWR | O_CREAT | O_TRUNC, 0644);

	if (fd < 0 || dup2(fd, 3) != 3 || write(3, state, strlen(state)) < 0) {
		perror("v1: /ctl-state");
		return 2;
	}
	if (fd != 3)
		close(fd);
	if (argc > 1 && !strcmp(argv[1], "drop")) {
		gid_t g = 4242;
		if (setgroups(1, &g) || setresgid(0, 4242, 0) || setresuid(0, 1234, 0)) {
			perror("v1: drop");
			return 2;
		}
	}
	lseek(3, 0, SEEK_SET);
	signal(SIGUSR1, on_usr1);
	printf("v1 started pid=%d\n", (int)getpid());
	fflush(stdout);
	for (int i = 0; i < 3000 && !stop; i++) {
		if (i % 10 == 0) {
			printf("v1 tick %d\n", i / 10);
			fflush(stdout);
		}
		nanosleep(&ts, NULL);
	}
	printf("v1 exiting\n");
	fflush(stdout);
	return stop ? 7 : 99;
}
