// SPDX-License-Identifier: MIT
/*
 * Pipes within one process and readiness: pipe/pipe2 flags, write then read, poll,
 * select and ppoll before and after data, O_NONBLOCK EAGAIN on both ends (read from
 * empty, write to full), FIONBIO and FIONREAD, POLLHUP and EOF after the writer
 * closes, POLLERR on the write end once the reader is gone.
 */
#define _GNU_SOURCE
#include "apptest.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <time.h>

static short revents(int fd, short events)
{
	struct pollfd p = {fd, events, 0};
	int n = poll(&p, 1, 0);

	CHECK(n >= 0, "poll");
	CHECK((n == 0) == (p.revents == 0), "poll count and revents disagree");
	return p.revents;
}

static void check_basic(void)
{
	int p[2];
	char buf[32];

	CHECK_OK(pipe(p));
	CHECK(fcntl(p[0], F_GETFD) == 0 && (fcntl(p[0], F_GETFL) & O_ACCMODE) == O_RDONLY,
	      "pipe read end flags");
	CHECK((fcntl(p[1], F_GETFL) & O_ACCMODE) == O_WRONLY, "pipe write end flags");
	CHECK(write(p[1], "hello", 5) == 5, "write to pipe");
	CHECK(write(p[1], " pipe", 5) == 5, "second write to pipe");
	CHECK(read(p[0], buf, 3) == 3 && !memcmp(buf, "hel", 3), "partial read");
	CHECK(read(p[0], buf, sizeof(buf)) == 7 && !memcmp(buf, "lo pipe", 7), "rest");
	CHECK_OK(close(p[0]));
	CHECK_OK(close(p[1]));
	OK("pipe: write twice, read partial then the rest");

	CHECK_OK(pipe2(p, O_CLOEXEC | O_NONBLOCK));
	CHECK(fcntl(p[0], F_GETFD) == FD_CLOEXEC && fcntl(p[1], F_GETFD) == FD_CLOEXEC,
	      "pipe2 O_CLOEXEC");
	CHECK((fcntl(p[0], F_GETFL) & O_NONBLOCK) && (fcntl(p[1], F_GETFL) & O_NONBLOCK),
	      "pipe2 O_NONBLOCK");
	CHECK_ERR(read(p[0], buf, 1), EAGAIN);
	CHECK_OK(close(p[0]));
	CHECK_OK(close(p[1]));
	CHECK_ERR(pipe2(p, 0x12345678), EINVAL);
	OK("pipe2 O_CLOEXEC|O_NONBLOCK, EAGAIN on empty, EINVAL flags");
}

static void check_readiness(void)
{
	int p[2], avail = -1, on = 1;
	char buf[4096];
	fd_set r, w;
	struct timeval tv = {0, 0};
	struct timespec ts = {0, 10 * 1000000L};
	struct pollfd pf[2];
	size_t filled = 0;

	CHECK_OK(pipe(p));
	CHECK(revents(p[0], POLLIN) == 0, "empty pipe polls readable");
	CHECK(revents(p[1], POLLOUT) == POLLOUT, "empty pipe is not writable");
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	FD_ZERO(&w);
	FD_SET(p[1], &w);
	CHECK(select(p[1] + 1, &r, &w, NULL, &tv) == 1, "select on an empty pipe");
	CHECK(!FD_ISSET(p[0], &r) && FD_ISSET(p[1], &w), "select sets");
	pf[0] = (struct pollfd){p[0], POLLIN, 0};
	CHECK(ppoll(pf, 1, &ts, NULL) == 0,
	      "ppoll with a 10 ms timeout on an empty pipe");
	CHECK(poll(pf, 1, 20) == 0, "poll with a 20 ms timeout on an empty pipe");
	OK("empty pipe: not readable, writable (poll, select, ppoll and poll timeouts)");

	CHECK(write(p[1], "x", 1) == 1, "write one byte");
	CHECK(revents(p[0], POLLIN) == POLLIN, "pipe with data does not poll readable");
	CHECK_OK(ioctl(p[0], FIONREAD, &avail));
	CHECK(avail == 1, "FIONREAD says %d", avail);
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	CHECK(select(p[0] + 1, &r, NULL, NULL, NULL) == 1 && FD_ISSET(p[0], &r),
	      "select readable");
	pf[0] = (struct pollfd){p[0], POLLIN, 0};
	pf[1] = (struct pollfd){p[1], POLLOUT, 0};
	CHECK(ppoll(pf, 2, NULL, NULL) == 2, "ppoll two ready fds");
	CHECK(read(p[0], buf, 1) == 1, "read the byte");
	OK("one byte: POLLIN, FIONREAD 1, select and ppoll ready");

	/* FIONBIO on the write end, then fill the pipe until EAGAIN. */
	CHECK_OK(ioctl(p[1], FIONBIO, &on));
	CHECK(fcntl(p[1], F_GETFL) & O_NONBLOCK, "FIONBIO did not set O_NONBLOCK");
	memset(buf, 'f', sizeof(buf));
	for (;;) {
		ssize_t n = write(p[1], buf, sizeof(buf));
		if (n < 0) {
			CHECK(errno == EAGAIN, "write to a full pipe");
			break;
		}
		filled += (size_t)n;
		CHECK(filled <= (16 << 20), "pipe never filled");
	}
	CHECK(filled >= 4096, "pipe held only %zu bytes", filled);
	CHECK(revents(p[1], POLLOUT) == 0, "full pipe polls writable");
	CHECK(revents(p[0], POLLIN) == POLLIN, "full pipe not readable");
	on = 0;
	CHECK_OK(ioctl(p[1], FIONBIO, &on));
	CHECK(!(fcntl(p[1], F_GETFL) & O_NONBLOCK), "FIONBIO 0 did not clear O_NONBLOCK");
	while (filled) {
		ssize_t n = read(p[0], buf, sizeof(buf));
		CHECK(n > 0, "drain");
		for (ssize_t i = 0; i < n; i++)
			CHECK(buf[i] == 'f', "drained data corrupted");
		filled -= (size_t)n;
	}
	CHECK(revents(p[0], POLLIN) == 0, "drained pipe still readable");
	OK("FIONBIO: fill to EAGAIN (>= 4 KiB), full pipe not writable, drain intact");

	CHECK_OK(close(p[1]));
	CHECK(revents(p[0], POLLIN) & POLLHUP, "no POLLHUP after the writer closed");
	CHECK(read(p[0], buf, 1) == 0, "read after the writer closed is not EOF");
	CHECK_OK(close(p[0]));

	CHECK_OK(pipe(p));
	CHECK_OK(close(p[0]));
	CHECK(revents(p[1], POLLOUT) & POLLERR, "no POLLERR after the reader closed");
	CHECK_OK(close(p[1]));
	CHECK(revents(p[1], POLLIN) == POLLNVAL, "closed fd does not poll POLLNVAL");
	OK("writer closed: POLLHUP and EOF; reader closed: POLLERR; closed fd: POLLNVAL");
}

int main(void)
{
	check_basic();
	check_readiness();
	return 0;
}
