// SPDX-License-Identifier: MIT
/* ppoll and pselect wait under the caller's temporary signal mask: a signal
 * blocked outside the call but unblocked by the call's mask interrupts it
 * (EINTR, the handler runs), a signal the call's mask blocks does not, and the
 * thread's own mask is back afterwards. */
#define _GNU_SOURCE
#include <poll.h>
#include <signal.h>
#include <sys/select.h>
#include "apptest.h"

static volatile sig_atomic_t got;

static void on_usr1(int sig)
{
	got++;
}

static sigset_t current_mask(void)
{
	sigset_t m;
	sigprocmask(SIG_BLOCK, NULL, &m);
	return m;
}

int main(void)
{
	struct sigaction sa = {.sa_handler = on_usr1};
	sigaction(SIGUSR1, &sa, NULL);
	sigset_t blocked, empty;
	sigemptyset(&blocked);
	sigaddset(&blocked, SIGUSR1);
	sigemptyset(&empty);
	sigprocmask(SIG_BLOCK, &blocked, NULL);
	int p[2];
	CHECK(pipe(p) == 0, "pipe");
	struct pollfd pfd = {.fd = p[0], .events = POLLIN};
	struct timespec ts = {0, 50 * 1000 * 1000};

	/* pending but blocked: the call's empty mask lets it in */
	raise(SIGUSR1);
	CHECK(got == 0, "SIGUSR1 stays pending while blocked");
	errno = 0;
	int r = ppoll(&pfd, 1, &ts, &empty);
	CHECK(r == -1 && errno == EINTR, "ppoll with an empty mask: EINTR (got %d)", r);
	CHECK(got == 1, "the handler ran once");
	sigset_t now = current_mask();
	CHECK(sigismember(&now, SIGUSR1), "SIGUSR1 blocked again after ppoll");
	printf("ppoll: pending signal let in by the call's mask, EINTR, mask restored\n");

	/* the call's mask blocks it: a plain timeout */
	raise(SIGUSR1);
	r = ppoll(&pfd, 1, &ts, &blocked);
	CHECK(r == 0, "ppoll under a blocking mask times out (got %d)", r);
	CHECK(got == 1, "no handler while blocked");
	printf("ppoll: a signal the call's mask blocks waits\n");

	/* pselect: the same, the signal is still pending from above */
	fd_set rd;
	FD_ZERO(&rd);
	FD_SET(p[0], &rd);
	errno = 0;
	r = pselect(p[0] + 1, &rd, NULL, NULL, &ts, &empty);
	CHECK(r == -1 && errno == EINTR, "pselect with an empty mask: EINTR (got %d)", r);
	CHECK(got == 2, "the handler ran");
	now = current_mask();
	CHECK(sigismember(&now, SIGUSR1), "SIGUSR1 blocked again after pselect");
	printf(
	    "pselect: pending signal let in by the call's mask, EINTR, mask restored\n");

	raise(SIGUSR1);
	FD_ZERO(&rd);
	FD_SET(p[0], &rd);
	r = pselect(p[0] + 1, &rd, NULL, NULL, &ts, &blocked);
	CHECK(r == 0, "pselect under a blocking mask times out (got %d)", r);
	CHECK(got == 2, "no handler while blocked");
	printf("pselect: a signal the call's mask blocks waits\n");

	/* ready at once: the call succeeds and, as on Linux, the old mask is
	 * back before the signal could be delivered: it stays pending */
	CHECK(write(p[1], "x", 1) == 1, "write");
	r = ppoll(&pfd, 1, &ts, &empty);
	CHECK(r == 1, "ppoll with data ready reports it (got %d)", r);
	CHECK(got == 2, "no handler: the call did not sleep");
	sigprocmask(SIG_UNBLOCK, &blocked, NULL);
	CHECK(got == 3, "the handler runs once unblocked");
	printf("ppoll: ready at once, the signal stays pending until unblocked\n");
	return 0;
}
