// SPDX-License-Identifier: MIT
/*
 * eventfd and timerfd.  eventfd: the counter read whole or one at a time
 * (EFD_SEMAPHORE), 8-byte reads and writes (EINVAL shorter), EAGAIN, the
 * 0xfffffffffffffffe ceiling, blocking reads and writes woken by another
 * process, EINTR, poll bits, flags.  timerfd: one-shot and interval timers
 * (expiration counts, gettime, the old value from settime, disarming),
 * TFD_TIMER_ABSTIME on CLOCK_MONOTONIC and CLOCK_REALTIME (a time in the past
 * counts the periods since), CLOCK_BOOTTIME, blocking and EAGAIN reads, poll
 * and epoll wake-ups, and the error codes.  Counts that depend on timing are
 * checked within bounds; only what is certain is printed.
 */
#define _GNU_SOURCE
#include "apptest.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>

#define MS 1000000L

static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
	alarms++;
}

static uint64_t rd(int fd)
{
	uint64_t v = 0;
	ssize_t n = read(fd, &v, sizeof(v));
	CHECK(n == 8, "read returned %zd", n);
	return v;
}

static void wr(int fd, uint64_t v)
{
	ssize_t n = write(fd, &v, sizeof(v));
	CHECK(n == 8, "write returned %zd", n);
}

static short revents(int fd, short events)
{
	struct pollfd p = {fd, events, 0};
	CHECK(poll(&p, 1, 0) >= 0, "poll");
	return p.revents;
}

static long ms_since(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

static void link_of(int fd, char *buf, size_t size)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(path, buf, size - 1);
	CHECK(n > 0, "readlink %s", path);
	buf[n] = 0;
}

static void check_eventfd(void)
{
	uint64_t v = 0;
	char link[64];
	int e = eventfd(5, 0);
	CHECK(e >= 0, "eventfd");
	CHECK(fcntl(e, F_GETFL) == O_RDWR && fcntl(e, F_GETFD) == 0, "eventfd flags");
	link_of(e, link, sizeof(link));
	CHECK(!strcmp(link, "anon_inode:[eventfd]"), "link %s", link);
	struct stat st;
	CHECK_OK(fstat(e, &st));
	CHECK((st.st_mode & 0777) == 0600, "mode %o", st.st_mode);
	CHECK(revents(e, POLLIN | POLLOUT) == (POLLIN | POLLOUT), "poll with a count");
	CHECK(rd(e) == 5, "initial value");
	wr(e, 3);
	wr(e, 4);
	CHECK(rd(e) == 7, "writes add up");
	CHECK(revents(e, POLLIN | POLLOUT) == POLLOUT, "poll at 0");
	CHECK_ERR(read(e, &v, 4), EINVAL);
	CHECK_ERR(write(e, &v, 7), EINVAL);
	v = UINT64_MAX;
	CHECK_ERR(write(e, &v, 8), EINVAL);
	char big[16] = {1};
	CHECK_ERR(write(e, big, 16), EINVAL);
	CHECK(write(e, big, 8) == 8, "write");
	CHECK(read(e, big, 16) == 8 && big[0] == 1, "a 16-byte read gives 8");
	CHECK_ERR(open(link, O_RDONLY), ENOENT);
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", e);
	CHECK_ERR(open(path, O_RDONLY), ENXIO);
	OK("eventfd: counts add, read takes all, reads >= 8 and writes of 8 bytes, anon "
	   "inode");
	CHECK_OK(close(e));

	e = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	CHECK(fcntl(e, F_GETFL) == (O_RDWR | O_NONBLOCK) &&
		  fcntl(e, F_GETFD) == FD_CLOEXEC,
	      "EFD_NONBLOCK|EFD_CLOEXEC");
	CHECK_ERR(read(e, &v, 8), EAGAIN);
	wr(e, 0xfffffffffffffffeULL);
	CHECK(revents(e, POLLIN | POLLOUT) == POLLIN, "poll at the ceiling");
	v = 1;
	CHECK_ERR(write(e, &v, 8), EAGAIN);
	wr(e, 0);
	CHECK(rd(e) == 0xfffffffffffffffeULL, "ceiling value");
	CHECK_ERR(syscall(SYS_eventfd2, 0, 0x10), EINVAL);
	OK("eventfd: EAGAIN when empty and past 0xfffffffffffffffe; EINVAL flags");
	CHECK_OK(close(e));

	e = eventfd(3, EFD_SEMAPHORE | EFD_NONBLOCK);
	CHECK(rd(e) == 1 && rd(e) == 1 && rd(e) == 1, "semaphore reads");
	CHECK_ERR(read(e, &v, 8), EAGAIN);
	wr(e, 2);
	CHECK(rd(e) == 1 && revents(e, POLLIN) == POLLIN && rd(e) == 1,
	      "semaphore again");
	OK("EFD_SEMAPHORE: each read takes 1");
	CHECK_OK(close(e));

	/* blocking both ways, woken by another process */
	int go[2];
	char byte = 'g';
	CHECK_OK(pipe(go));
	e = eventfd(0, 0);
	pid_t pid = fork();
	CHECK(pid >= 0, "fork");
	if (pid == 0) {
		usleep(30000);
		wr(e, 42);
		/* the parent has read the 42 and filled the counter */
		CHECK(read(go[0], &byte, 1) == 1, "go");
		usleep(30000);
		CHECK(rd(e) == 0xfffffffffffffffeULL, "child read");
		_exit(0);
	}
	CHECK(rd(e) == 42, "blocking read");
	wr(e, 0xfffffffffffffffeULL);
	app_write_all(go[1], &byte, 1);
	wr(e, 5); /* fits only once the child took the counter: it blocks */
	CHECK_OK(close(go[0]));
	CHECK_OK(close(go[1]));
	int status;
	CHECK_OK(waitpid(pid, &status, 0));
	CHECK(WIFEXITED(status) && !WEXITSTATUS(status), "child failed");
	CHECK(rd(e) == 5, "value after the blocked write");
	OK("eventfd: a blocked read and a blocked write, woken by another process");

	struct sigaction sa = {0};
	sa.sa_handler = on_alarm;
	CHECK_OK(sigaction(SIGALRM, &sa, NULL));
	/* every 20 ms, so one comes during the read however late it starts */
	struct itimerval it = {{0, 20000}, {0, 20000}}, off = {{0, 0}, {0, 0}};
	CHECK_OK(setitimer(ITIMER_REAL, &it, NULL));
	CHECK_ERR(read(e, &v, 8), EINTR);
	CHECK_OK(setitimer(ITIMER_REAL, &off, NULL));
	CHECK(alarms >= 1, "handler");
	OK("eventfd: a signal interrupts a blocked read (EINTR)");
	CHECK_OK(close(e));
}

static struct itimerspec spec(long value_ns, long interval_ns)
{
	struct itimerspec s = {{interval_ns / 1000000000L, interval_ns % 1000000000L},
			       {value_ns / 1000000000L, value_ns % 1000000000L}};
	return s;
}

static void check_timerfd_errors(void)
{
	struct itimerspec s = spec(0, 0);
	CHECK_ERR(timerfd_create(CLOCK_PROCESS_CPUTIME_ID, 0), EINVAL);
	CHECK_ERR(timerfd_create(99, 0), EINVAL);
	CHECK_ERR(timerfd_create(CLOCK_MONOTONIC, 1), EINVAL);
	int t = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	CHECK(t >= 0, "timerfd_create");
	CHECK(fcntl(t, F_GETFL) == (O_RDWR | O_NONBLOCK) &&
		  fcntl(t, F_GETFD) == FD_CLOEXEC,
	      "TFD_NONBLOCK|TFD_CLOEXEC");
	char link[64];
	link_of(t, link, sizeof(link));
	CHECK(!strcmp(link, "anon_inode:[timerfd]"), "link %s", link);
	int e = eventfd(0, 0);
	s.it_value.tv_nsec = -1;
	CHECK_ERR(timerfd_settime(t, 0, &s, NULL), EINVAL);
	CHECK_ERR(timerfd_settime(999, 0, &s, NULL), EINVAL); /* the value first */
	s.it_value.tv_nsec = 1000000000;
	CHECK_ERR(timerfd_settime(t, 0, &s, NULL), EINVAL);
	s = spec(0, 0);
	s.it_interval.tv_sec = -1;
	CHECK_ERR(timerfd_settime(t, 0, &s, NULL), EINVAL);
	s = spec(0, 0);
	CHECK_ERR(timerfd_settime(t, 4, &s, NULL), EINVAL);
	CHECK_ERR(timerfd_settime(999, 0, &s, NULL), EBADF);
	CHECK_ERR(timerfd_settime(e, 0, &s, NULL), EINVAL);
	CHECK_ERR(timerfd_settime(t, 0, NULL, NULL), EFAULT);
	CHECK_ERR(timerfd_gettime(e, &s), EINVAL);
	CHECK_ERR(timerfd_gettime(999, &s), EBADF);
	CHECK_ERR(timerfd_gettime(t, NULL), EFAULT);
	uint64_t v;
	CHECK_ERR(read(t, &v, 4), EINVAL);
	CHECK_ERR(read(t, &v, 8), EAGAIN);
	CHECK_ERR(write(t, &v, 8), EINVAL);
	CHECK_OK(timerfd_gettime(t, &s));
	CHECK(!s.it_value.tv_sec && !s.it_value.tv_nsec && !s.it_interval.tv_sec,
	      "disarmed");
	OK("timerfd: EINVAL clocks, flags and times, EBADF, EFAULT, short read, EAGAIN");
	CHECK_OK(close(e));
	CHECK_OK(close(t));
}

static void check_timerfd_oneshot(void)
{
	struct itimerspec s = spec(60 * MS, 0), cur;
	int t = timerfd_create(CLOCK_MONOTONIC, 0);
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK_OK(timerfd_settime(t, 0, &s, NULL));
	CHECK_OK(timerfd_gettime(t, &cur));
	/* (a loaded host may have let it expire already: then 0) */
	CHECK(cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec <= 60 * MS &&
		  !cur.it_interval.tv_nsec,
	      "gettime %ld", cur.it_value.tv_nsec);
	CHECK(rd(t) == 1, "one expiration");
	long ms = ms_since(&t0);
	CHECK(ms >= 59 && ms < 5000, "read after %ld ms", ms);
	CHECK_OK(timerfd_gettime(t, &cur));
	CHECK(!cur.it_value.tv_sec && !cur.it_value.tv_nsec,
	      "expired one-shot still armed");
	CHECK_OK(fcntl(t, F_SETFL, O_NONBLOCK));
	uint64_t v;
	CHECK_ERR(read(t, &v, 8), EAGAIN);
	OK("timerfd one-shot 60 ms: gettime counts down, a blocking read gives 1, then "
	   "EAGAIN");

	/* settime gives the old value and clears unread expirations */
	s = spec(1 * MS, 0);
	CHECK_OK(timerfd_settime(t, 0, &s, NULL));
	usleep(20000);
	CHECK(revents(t, POLLIN) == POLLIN, "expired timer not readable");
	s = spec(10000 * MS, 0);
	struct itimerspec old;
	CHECK_OK(timerfd_settime(t, 0, &s, &old));
	CHECK(!old.it_value.tv_sec && !old.it_value.tv_nsec,
	      "old value of an expired timer");
	CHECK_ERR(read(t, &v, 8), EAGAIN);
	s = spec(0, 0);
	CHECK_OK(timerfd_settime(t, 0, &s, &old));
	CHECK(old.it_value.tv_sec >= 9 && old.it_value.tv_sec <= 10, "old value %ld s",
	      (long)old.it_value.tv_sec);
	CHECK_OK(timerfd_gettime(t, &cur));
	CHECK(!cur.it_value.tv_sec && !cur.it_value.tv_nsec, "disarmed timer armed");
	OK("timerfd: settime returns the old value, drops unread expirations, 0 disarms");

	/* a signal interrupts a blocked read */
	CHECK_OK(fcntl(t, F_SETFL, 0));
	s = spec(10000 * MS, 0);
	CHECK_OK(timerfd_settime(t, 0, &s, NULL));
	struct sigaction sa = {0};
	sa.sa_handler = on_alarm;
	CHECK_OK(sigaction(SIGALRM, &sa, NULL));
	struct itimerval it = {{0, 20000}, {0, 20000}}, off = {{0, 0}, {0, 0}};
	int before = alarms;
	CHECK_OK(setitimer(ITIMER_REAL, &it, NULL));
	CHECK_ERR(read(t, &v, 8), EINTR);
	CHECK_OK(setitimer(ITIMER_REAL, &off, NULL));
	CHECK(alarms > before, "handler");
	OK("timerfd: a signal interrupts a blocked read (EINTR)");
	CHECK_OK(close(t));
}

static void check_timerfd_interval(void)
{
	int t = timerfd_create(CLOCK_BOOTTIME, TFD_NONBLOCK);
	CHECK(t >= 0, "CLOCK_BOOTTIME");
	struct itimerspec s = spec(20 * MS, 20 * MS), cur;
	CHECK_OK(timerfd_settime(t, 0, &s, NULL));
	usleep(130000);
	uint64_t n = rd(t);
	CHECK(n >= 5 && n <= 50, "expirations in 130 ms of 20 ms periods: %llu",
	      (unsigned long long)n);
	CHECK_OK(timerfd_gettime(t, &cur));
	CHECK(cur.it_interval.tv_sec == 0 && cur.it_interval.tv_nsec == 20 * MS,
	      "interval");
	CHECK(cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec <= 20 * MS, "next expiry");
	CHECK_OK(fcntl(t, F_SETFL, 0));
	n = rd(t);
	CHECK(n >= 1 && n <= 50, "blocking read of an interval timer: %llu",
	      (unsigned long long)n);
	OK("timerfd interval 20 ms (CLOCK_BOOTTIME): expirations add up between reads");

	/* an unread interval timer is one edge: its timer stops until a read */
	int ep = epoll_create1(0);
	struct epoll_event ev = {.events = EPOLLIN | EPOLLET, .data.u64 = 1};
	CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, t, &ev));
	CHECK(epoll_wait(ep, &ev, 1, 2000) == 1 && ev.events == EPOLLIN, "first expiry");
	CHECK(epoll_wait(ep, &ev, 1, 70) == 0, "more edges while unread");
	n = rd(t);
	CHECK(n >= 3 && n <= 100, "expirations counted while stopped: %llu",
	      (unsigned long long)n);
	CHECK(epoll_wait(ep, &ev, 1, 2000) == 1, "edge after a read");
	OK("timerfd + EPOLLET: one edge until read, the count still grows");
	CHECK_OK(close(ep));
	CHECK_OK(close(t));
}

static void check_timerfd_abstime(void)
{
	struct timespec now, t0;
	int t = timerfd_create(CLOCK_MONOTONIC, 0);
	clock_gettime(CLOCK_MONOTONIC, &now);
	t0 = now;
	now.tv_nsec += 40 * MS;
	if (now.tv_nsec >= 1000000000L) {
		now.tv_sec++;
		now.tv_nsec -= 1000000000L;
	}
	struct itimerspec s = {{0, 0}, now};
	CHECK_OK(timerfd_settime(t, TFD_TIMER_ABSTIME, &s, NULL));
	CHECK(rd(t) == 1, "absolute monotonic");
	long ms = ms_since(&t0);
	CHECK(ms >= 39 && ms < 5000, "absolute 40 ms took %ld ms", ms);
	OK("timerfd TFD_TIMER_ABSTIME on CLOCK_MONOTONIC");
	CHECK_OK(close(t));

	/* CLOCK_REALTIME 10.5 s ago, every second: 11 expirations so far */
	t = timerfd_create(CLOCK_REALTIME, 0);
	clock_gettime(CLOCK_REALTIME, &now);
	now.tv_sec -= 11;
	now.tv_nsec += 500 * MS;
	if (now.tv_nsec >= 1000000000L) {
		now.tv_sec++;
		now.tv_nsec -= 1000000000L;
	}
	s = (struct itimerspec){{1, 0}, now};
	CHECK_OK(
	    timerfd_settime(t, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &s, NULL));
	uint64_t n = rd(t);
	CHECK(n == 11, "expirations of a past absolute timer: %llu",
	      (unsigned long long)n);
	struct itimerspec cur;
	CHECK_OK(timerfd_gettime(t, &cur));
	CHECK(cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec > 0 &&
		  cur.it_value.tv_nsec <= 500 * MS,
	      "next in %ld ns", cur.it_value.tv_nsec);
	OK("timerfd TFD_TIMER_ABSTIME on CLOCK_REALTIME 10.5 s ago, 1 s period: 11, next "
	   "within 0.5 s");
	CHECK_OK(close(t));

	/* poll and epoll wake up for a timer */
	t = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK);
	s = spec(30 * MS, 0);
	CHECK_OK(timerfd_settime(t, 0, &s, NULL));
	struct pollfd p = {t, POLLIN, 0};
	CHECK(poll(&p, 1, 5000) == 1 && p.revents == POLLIN, "poll on a timerfd");
	CHECK(rd(t) == 1, "after poll");
	int ep = epoll_create1(0);
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 5};
	CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, t, &ev));
	CHECK(epoll_wait(ep, &ev, 1, 0) == 0, "epoll before the timer");
	CHECK_OK(timerfd_settime(t, 0, &s, NULL));
	CHECK(epoll_wait(ep, &ev, 1, 5000) == 1 && ev.data.u64 == 5,
	      "epoll on a timerfd");
	CHECK(epoll_wait(ep, &ev, 1, 0) == 1, "level-triggered timerfd");
	CHECK(rd(t) == 1, "after epoll");
	CHECK(epoll_wait(ep, &ev, 1, 0) == 0, "read timer still ready");
	OK("timerfd: poll and epoll sleep until it expires");
	CHECK_OK(close(ep));
	CHECK_OK(close(t));
}

int main(void)
{
	check_eventfd();
	check_timerfd_errors();
	check_timerfd_oneshot();
	check_timerfd_interval();
	check_timerfd_abstime();
	return 0;
}
