// SPDX-License-Identifier: MIT
/*
 * epoll over pipes, eventfd and stdin: level-triggered reports and their
 * order, edge-triggered ones (the event after "read until EAGAIN, then new
 * data before the next wait" included), EPOLLONESHOT and re-arming with
 * EPOLL_CTL_MOD, EPOLL_CTL_DEL, a closed file leaving the set, nested sets
 * (also seen by poll and select), timeouts, EINTR from a signal handler
 * (never restarted), epoll_pwait's temporary signal mask, epoll_pwait2, and
 * the error codes of every call.  Expects a few lines on stdin (a pipe).
 */
#define _GNU_SOURCE
#include "apptest.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/time.h>
#include <time.h>

#ifndef SYS_epoll_pwait2
#define SYS_epoll_pwait2 441
#endif

static volatile sig_atomic_t alarms, usr1s;

static void on_alarm(int sig)
{
	alarms++;
}

static void on_usr1(int sig)
{
	usr1s++;
}

static void add(int ep, int fd, uint32_t events, uint64_t data)
{
	struct epoll_event ev = {.events = events, .data.u64 = data};
	CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
}

/* The events of one epoll_wait as "data:events" pairs. */
static const char *wait_str(int ep, int max, int timeout)
{
	static char out[256];
	struct epoll_event ev[16];
	int n = epoll_wait(ep, ev, max, timeout);
	CHECK(n >= 0, "epoll_wait");
	out[0] = 0;
	for (int i = 0; i < n; i++)
		snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s%llu:%x",
			 i ? " " : "", (unsigned long long)ev[i].data.u64, ev[i].events);
	return out;
}

#define EXPECT(ep, max, timeout, want)                                                   \
	do {                                                                             \
		const char *got_ = wait_str(ep, max, timeout);                           \
		CHECK(!strcmp(got_, want), "epoll_wait: got \"%s\", want \"%s\"", got_,  \
		      want);                                                             \
	} while (0)

static long ms_since(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

static void drain(int fd)
{
	char buf[256];
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	CHECK(errno == EAGAIN, "drain ended without EAGAIN");
}

static void check_level(void)
{
	int a[2], b[2], c[2];
	int ep = epoll_create1(0);
	CHECK(ep >= 0, "epoll_create1");
	CHECK_OK(pipe2(a, O_NONBLOCK));
	CHECK_OK(pipe2(b, O_NONBLOCK));
	CHECK_OK(pipe2(c, O_NONBLOCK));
	add(ep, a[0], EPOLLIN, 1);
	add(ep, b[0], EPOLLIN, 2);
	add(ep, c[0], EPOLLIN, 3);
	EXPECT(ep, 8, 0, "");
	app_write_all(c[1], "c", 1);
	app_write_all(a[1], "a", 1);
	app_write_all(b[1], "b", 1);
	EXPECT(ep, 8, 0, "3:1 1:1 2:1");
	EXPECT(ep, 8, 0, "3:1 1:1 2:1");
	OK("level-triggered: reported in the order data came, again while readable");
	EXPECT(ep, 2, 0, "3:1 1:1");
	EXPECT(ep, 8, 0, "2:1 3:1 1:1");
	OK("maxevents 2 of 3 ready: the one left over comes first next time");
	drain(a[0]);
	EXPECT(ep, 8, 0, "2:1 3:1");
	drain(b[0]);
	drain(c[0]);
	EXPECT(ep, 8, 0, "");
	add(ep, a[1], EPOLLOUT, 4);
	EXPECT(ep, 8, 0, "4:4");
	CHECK_OK(close(a[1]));
	EXPECT(ep, 8, 0, "1:10");
	CHECK_OK(close(b[0]));
	add(ep, b[1], EPOLLOUT, 5);
	EXPECT(ep, 8, 0, "1:10 5:c");
	OK("drained pipes leave; write end POLLOUT; POLLHUP and POLLERR without asking");
	CHECK_OK(close(a[0]));
	CHECK_OK(close(b[1]));
	CHECK_OK(close(c[0]));
	CHECK_OK(close(c[1]));
	CHECK_OK(close(ep));
}

static void check_edge(void)
{
	int p[2];
	int ep = epoll_create1(EPOLL_CLOEXEC);
	CHECK(fcntl(ep, F_GETFD) == FD_CLOEXEC, "EPOLL_CLOEXEC");
	CHECK((fcntl(ep, F_GETFL) & O_ACCMODE) == O_RDWR, "epoll fd is O_RDWR");
	CHECK_OK(pipe2(p, O_NONBLOCK));
	add(ep, p[0], EPOLLIN | EPOLLET, 7);
	EXPECT(ep, 8, 0, "");
	app_write_all(p[1], "abc", 3);
	EXPECT(ep, 8, 0, "7:1");
	EXPECT(ep, 8, 0, "");
	OK("edge-triggered: one report per event");

	char buf[2];
	CHECK(read(p[0], buf, 2) == 2, "partial read");
	EXPECT(ep, 8, 0, "");
	OK("edge-triggered: a partial read is no new event");
	drain(p[0]);
	app_write_all(p[1], "d", 1);
	EXPECT(ep, 8, 0, "7:1");
	EXPECT(ep, 8, 0, "");
	OK("edge-triggered: read to EAGAIN, new data before the next wait: reported");
	app_write_all(p[1], "e", 1);
	EXPECT(ep, 8, 0, "7:1");
	OK("edge-triggered: more data while still readable: reported again");

	/* the write end: an edge when a full pipe gets room */
	int n = 0;
	char big[4096];
	memset(big, 'x', sizeof(big));
	drain(p[0]);
	add(ep, p[1], EPOLLOUT | EPOLLET, 8);
	EXPECT(ep, 8, 0, "8:4");
	while (write(p[1], big, sizeof(big)) > 0)
		n++;
	CHECK(errno == EAGAIN && n > 0, "fill the pipe");
	EXPECT(ep, 8, 0, "7:1");
	drain(p[0]);
	EXPECT(ep, 8, 0, "8:4");
	EXPECT(ep, 8, 0, "");
	OK("edge-triggered write end: filled to EAGAIN, drained: POLLOUT once");

	/* the writer goes away: POLLHUP is an event (EPOLLRDHUP is not a pipe's) */
	struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP | EPOLLET, .data.u64 = 9};
	CHECK_OK(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev));
	EXPECT(ep, 8, 0, "");
	CHECK_OK(close(p[1]));
	EXPECT(ep, 8, 0, "9:10");
	EXPECT(ep, 8, 0, "");
	OK("edge-triggered: the writer closing is POLLHUP, once");
	CHECK_OK(close(p[0]));

	int efd = eventfd(0, EFD_NONBLOCK);
	uint64_t one = 1;
	add(ep, efd, EPOLLIN | EPOLLET, 10);
	EXPECT(ep, 8, 0, "");
	CHECK(write(efd, &one, 8) == 8, "eventfd write");
	EXPECT(ep, 8, 0, "10:1");
	EXPECT(ep, 8, 0, "");
	CHECK(write(efd, &one, 8) == 8, "eventfd write");
	EXPECT(ep, 8, 0, "10:1");
	OK("edge-triggered eventfd: each write is an event");
	CHECK_OK(close(efd));
	CHECK_OK(close(ep));
}

static void check_oneshot_del_close(void)
{
	int p[2], q[2];
	int ep = epoll_create(1);
	CHECK(ep >= 0, "epoll_create");
	CHECK_OK(pipe2(p, O_NONBLOCK));
	add(ep, p[0], EPOLLIN | EPOLLONESHOT, 11);
	app_write_all(p[1], "x", 1);
	EXPECT(ep, 8, 0, "11:1");
	EXPECT(ep, 8, 0, "");
	app_write_all(p[1], "y", 1);
	EXPECT(ep, 8, 0, "");
	struct epoll_event ev = {.events = EPOLLIN | EPOLLONESHOT, .data.u64 = 12};
	CHECK_OK(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev));
	EXPECT(ep, 8, 0, "12:1");
	EXPECT(ep, 8, 0, "");
	OK("EPOLLONESHOT: one report, silent until EPOLL_CTL_MOD re-arms it");

	CHECK_OK(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL));
	CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev), ENOENT);
	CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL), ENOENT);
	EXPECT(ep, 8, 0, "");
	OK("EPOLL_CTL_DEL: no more reports, then ENOENT");

	/* the interest is (fd, file): a dup keeps the file, not the key */
	add(ep, p[0], EPOLLIN, 13);
	int d = dup(p[0]);
	CHECK(d >= 0, "dup");
	CHECK_OK(close(p[0]));
	EXPECT(ep, 8, 0, "13:1");
	CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL), EBADF);
	CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_DEL, d, NULL), ENOENT);
	CHECK_OK(close(d));
	EXPECT(ep, 8, 0, "");
	/* the same fd number for a new pipe: a new interest, no EEXIST */
	CHECK_OK(pipe2(q, O_NONBLOCK));
	CHECK(q[0] == p[0], "fd numbers: expected %d got %d", p[0], q[0]);
	add(ep, q[0], EPOLLIN, 14);
	EXPECT(ep, 8, 0, "");
	OK("closing the last descriptor of a file takes it out of the set (a dup keeps "
	   "it)");

	/* the set closed with files in it, the files still work */
	CHECK_OK(close(ep));
	app_write_all(q[1], "z", 1);
	CHECK(read(q[0], &ev, 1) == 1, "pipe after its set closed");
	CHECK_OK(close(q[0]));
	CHECK_OK(close(q[1]));
	CHECK_OK(close(p[1]));
	OK("closing the set first leaves its files alone");
}

static void check_nested(void)
{
	int p[2];
	int inner = epoll_create1(0), outer = epoll_create1(0);
	CHECK_OK(pipe2(p, O_NONBLOCK));
	add(inner, p[0], EPOLLIN, 21);
	add(outer, inner, EPOLLIN, 22);
	struct pollfd pf = {outer, POLLIN, 0};
	CHECK(poll(&pf, 1, 0) == 0, "empty nested set polls ready");
	EXPECT(outer, 8, 0, "");
	app_write_all(p[1], "x", 1);
	EXPECT(outer, 8, 0, "22:1");
	CHECK(poll(&pf, 1, 0) == 1 && pf.revents == POLLIN, "poll on an epoll fd");
	fd_set r;
	FD_ZERO(&r);
	FD_SET(inner, &r);
	struct timeval tv = {0, 0};
	CHECK(select(inner + 1, &r, NULL, NULL, &tv) == 1, "select on an epoll fd");
	EXPECT(inner, 8, 0, "21:1");
	drain(p[0]);
	EXPECT(outer, 8, 0, "");
	OK("nested: an epoll fd is readable in epoll, poll and select while events wait");

	struct epoll_event ev = {.events = EPOLLIN};
	CHECK_ERR(epoll_ctl(inner, EPOLL_CTL_ADD, outer, &ev), ELOOP);
	CHECK_ERR(epoll_ctl(inner, EPOLL_CTL_ADD, inner, &ev), EINVAL);
	int chain[6];
	for (int i = 0; i < 6; i++)
		chain[i] = epoll_create1(0);
	for (int i = 0; i < 4; i++)
		CHECK_OK(epoll_ctl(chain[i], EPOLL_CTL_ADD, chain[i + 1], &ev));
	CHECK_ERR(epoll_ctl(chain[4], EPOLL_CTL_ADD, chain[5], &ev), ELOOP);
	for (int i = 0; i < 6; i++)
		CHECK_OK(close(chain[i]));
	OK("nested: loops and chains deeper than 5 sets are ELOOP, itself EINVAL");

	/* a blocked wait on the outer set wakes for the inner one */
	pid_t pid = fork();
	CHECK(pid >= 0, "fork");
	if (pid == 0) {
		usleep(30000);
		app_write_all(p[1], "y", 1);
		_exit(0);
	}
	EXPECT(outer, 8, 5000, "22:1");
	CHECK_OK(waitpid(pid, NULL, 0));
	OK("nested: a sleeping wait wakes when another process writes");
	CHECK_OK(close(inner));
	EXPECT(outer, 8, 0, "");
	CHECK_OK(close(outer));
	CHECK_OK(close(p[0]));
	CHECK_OK(close(p[1]));
}

static void check_stdin(void)
{
	int ep = epoll_create1(0);
	char buf[64];
	size_t total = 0;
	unsigned long long h = APP_FNV_INIT;
	add(ep, 0, EPOLLIN, 30);
	for (;;) {
		struct epoll_event ev;
		int n = epoll_wait(ep, &ev, 1, 10000);
		/* a pipe at its end is POLLHUP only; the guest's stdin POLLIN */
		CHECK(n == 1 && ev.data.u64 == 30 && (ev.events & (EPOLLIN | EPOLLHUP)),
		      "stdin not readable (%d)", n);
		ssize_t got = read(0, buf, sizeof(buf));
		CHECK(got >= 0, "read stdin");
		if (!got)
			break;
		h = app_fnv1a(h, buf, (size_t)got);
		total += (size_t)got;
	}
	OK("stdin through epoll: %zu bytes, fnv1a %016llx, then EOF", total, h);
	CHECK_OK(close(ep));
}

static void check_timeouts_and_signals(void)
{
	int ep = epoll_create1(0);
	struct epoll_event ev;
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK(epoll_wait(ep, &ev, 1, 60) == 0, "timeout");
	long ms = ms_since(&t0);
	CHECK(ms >= 59 && ms < 5000, "60 ms timeout took %ld ms", ms);
	struct timespec ts = {0, 40 * 1000000L};
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK(syscall(SYS_epoll_pwait2, ep, &ev, 1, &ts, NULL, 8) == 0,
	      "epoll_pwait2 timeout");
	ms = ms_since(&t0);
	CHECK(ms >= 39 && ms < 5000, "40 ms epoll_pwait2 took %ld ms", ms);
	ts = (struct timespec){0, 0};
	CHECK(syscall(SYS_epoll_pwait2, ep, &ev, 1, &ts, NULL, 8) == 0,
	      "epoll_pwait2 zero");
	OK("timeouts: epoll_wait 60 ms, epoll_pwait2 40 ms and 0");

	struct sigaction sa = {0};
	sa.sa_handler = on_alarm;
	CHECK_OK(sigaction(SIGALRM, &sa, NULL));
	/* every 20 ms, so one comes during the wait however late it starts */
	struct itimerval it = {{0, 20000}, {0, 20000}}, off = {{0, 0}, {0, 0}};
	int before = alarms;
	CHECK_OK(setitimer(ITIMER_REAL, &it, NULL));
	CHECK_ERR(epoll_wait(ep, &ev, 1, -1), EINTR);
	CHECK_OK(setitimer(ITIMER_REAL, &off, NULL));
	CHECK(alarms > before, "handler did not run");
	sa.sa_flags = SA_RESTART;
	CHECK_OK(sigaction(SIGALRM, &sa, NULL));
	before = alarms;
	CHECK_OK(setitimer(ITIMER_REAL, &it, NULL));
	CHECK_ERR(epoll_wait(ep, &ev, 1, 5000), EINTR);
	CHECK_OK(setitimer(ITIMER_REAL, &off, NULL));
	CHECK(alarms > before, "handler did not run");
	OK("a signal handler interrupts epoll_wait: EINTR, even with SA_RESTART");

	/* epoll_pwait: the mask holds only while waiting */
	sigset_t usr1, none, old;
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigemptyset(&none);
	sa.sa_handler = on_usr1;
	sa.sa_flags = 0;
	CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
	CHECK_OK(sigprocmask(SIG_BLOCK, &usr1, &old));
	CHECK_OK(raise(SIGUSR1));
	CHECK(usr1s == 0, "blocked SIGUSR1 delivered");
	CHECK_ERR(epoll_pwait(ep, &ev, 1, -1, &none), EINTR);
	CHECK(usr1s == 1, "SIGUSR1 handler ran %d times", (int)usr1s);
	sigset_t now;
	CHECK_OK(sigprocmask(SIG_BLOCK, NULL, &now));
	CHECK(sigismember(&now, SIGUSR1), "the old mask was not restored");
	CHECK_OK(sigprocmask(SIG_SETMASK, &old, NULL));

	/* a signal the temporary mask blocks waits for the call to end */
	sigset_t alrm;
	sigemptyset(&alrm);
	sigaddset(&alrm, SIGALRM);
	before = alarms;
	pid_t parent = getpid(), pid = fork();
	CHECK(pid >= 0, "fork");
	if (pid == 0) {
		usleep(20000);
		kill(parent, SIGALRM);
		_exit(0);
	}
	CHECK(epoll_pwait(ep, &ev, 1, 100, &alrm) == 0, "masked SIGALRM interrupted");
	CHECK_OK(waitpid(pid, NULL, 0));
	CHECK(alarms == before + 1, "SIGALRM after epoll_pwait: %d",
	      (int)(alarms - before));
	OK("epoll_pwait: its mask lets a blocked signal in and keeps another out");
	CHECK_OK(close(ep));
}

/* epoll_wait with arguments the compiler would refuse to pass */
static long raw_wait(int ep, void *events, long max, int timeout)
{
	return syscall(SYS_epoll_wait, ep, events, max, timeout);
}

static void check_errors(void)
{
	int p[2];
	int ep = epoll_create1(0);
	struct epoll_event ev = {.events = EPOLLIN};
	CHECK_OK(pipe(p));
	CHECK_ERR(syscall(SYS_epoll_create, 0), EINVAL);
	CHECK_ERR(syscall(SYS_epoll_create, -1), EINVAL);
	CHECK_ERR(syscall(SYS_epoll_create1, 1), EINVAL);
	OK("epoll_create(0), epoll_create1(1): EINVAL");

	CHECK_ERR(epoll_ctl(999, EPOLL_CTL_ADD, p[0], &ev), EBADF);
	CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, 999, &ev), EBADF);
	CHECK_ERR(epoll_ctl(p[0], EPOLL_CTL_ADD, p[1], &ev), EINVAL);
	CHECK_ERR(epoll_ctl(ep, 99, p[0], &ev), EINVAL);
	CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], (void *)8), EFAULT);
	CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, 999, NULL), EFAULT);
	CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
	CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev), EEXIST);
	CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_MOD, p[1], &ev), ENOENT);
	ev.events = EPOLLOUT | EPOLLEXCLUSIVE;
	CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev), EINVAL);
	ev.events = EPOLLOUT | EPOLLEXCLUSIVE | EPOLLONESHOT;
	CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &ev), EINVAL);
	ev.events = EPOLLOUT | EPOLLEXCLUSIVE;
	CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &ev));
	CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_MOD, p[1], &ev), EINVAL);
	OK("epoll_ctl: EBADF, EINVAL, EFAULT, EEXIST, ENOENT, EPOLLEXCLUSIVE rules");

	app_scratch_dir("epoll");
	int reg = open("file", O_RDWR | O_CREAT, 0644);
	int dir = open(".", O_RDONLY | O_DIRECTORY);
	int null = open("/dev/null", O_RDWR);
	int path = open("file", O_PATH);
	CHECK(reg >= 0 && dir >= 0 && null >= 0 && path >= 0, "open");
	ev.events = EPOLLIN;
	CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, reg, &ev), EPERM);
	CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, dir, &ev), EPERM);
	CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, null, &ev), EPERM);
	CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, path, &ev), EBADF);
	CHECK_ERR(epoll_ctl(ep, 99, reg, &ev), EPERM);
	OK("epoll_ctl: EPERM for a regular file, a directory, /dev/null; O_PATH EBADF");
	CHECK_OK(close(reg));
	CHECK_OK(close(dir));
	CHECK_OK(close(null));
	CHECK_OK(close(path));

	struct epoll_event out[2];
	CHECK_ERR(epoll_wait(ep, out, 0, 0), EINVAL);
	CHECK_ERR(raw_wait(ep, out, -1, 0), EINVAL);
	CHECK_ERR(epoll_wait(999, out, 0, 0), EBADF);
	CHECK_ERR(epoll_wait(p[0], out, 1, 0), EINVAL);
	CHECK_ERR(raw_wait(ep, (void *)-4096L, 1, 0), EFAULT);
	CHECK_ERR(raw_wait(ep, NULL, 1, 0), EFAULT);
	CHECK_ERR(raw_wait(ep, (void *)8, 1, 0), EFAULT); /* p[1] is writable */
	CHECK(epoll_wait(ep, out, 2, 0) == 1 && out[0].events == EPOLLOUT,
	      "the event a failed copy kept");
	CHECK_OK(epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL));
	CHECK(raw_wait(ep, NULL, 1, 0) == 0, "nothing ready with a NULL buffer");
	sigset_t s;
	sigemptyset(&s);
	CHECK_ERR(syscall(SYS_epoll_pwait, ep, out, 1, 0, &s, 4), EINVAL);
	CHECK_ERR(syscall(SYS_epoll_pwait, 999, out, 1, 0, &s, 4), EINVAL);
	CHECK(syscall(SYS_epoll_pwait, ep, out, 1, 0, NULL, 4) == 0,
	      "NULL mask, any size");
	struct timespec ts = {0, -1};
	CHECK_ERR(syscall(SYS_epoll_pwait2, ep, out, 1, &ts, NULL, 8), EINVAL);
	CHECK_ERR(syscall(SYS_epoll_pwait2, ep, out, 1, (void *)8, NULL, 8), EFAULT);
	OK("epoll_wait: EINVAL, EBADF, EFAULT (event kept); epoll_pwait and epoll_pwait2 "
	   "checks");
	CHECK_ERR(read(ep, out, 8), EINVAL);
	CHECK_ERR(write(ep, out, 8), EINVAL);
	OK("read and write on an epoll fd: EINVAL");
	CHECK_OK(close(ep));
	CHECK_OK(close(p[0]));
	CHECK_OK(close(p[1]));
}

int main(void)
{
	check_level();
	check_edge();
	check_oneshot_del_close();
	check_nested();
	check_stdin();
	check_timeouts_and_signals();
	check_errors();
	return 0;
}
