// SPDX-License-Identifier: MIT
/*
 * Clocks: CLOCK_REALTIME after 2020-01-01 and agreeing with gettimeofday and time();
 * CLOCK_MONOTONIC (and BOOTTIME, the CPU-time clocks) never going backwards;
 * clock_getres; nanosleep and clock_nanosleep of 50 ms lasting at least 50 ms on the
 * monotonic clock.  Prints no times, only what held.
 */
#define _GNU_SOURCE
#include "apptest.h"

#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>

#define JAN_2020 1577836800L

static long long ns_of(const struct timespec *t)
{
	return t->tv_sec * 1000000000LL + t->tv_nsec;
}

static long long now(clockid_t c)
{
	struct timespec t;

	CHECK_OK(clock_gettime(c, &t));
	CHECK(t.tv_nsec >= 0 && t.tv_nsec < 1000000000L, "tv_nsec out of range");
	return ns_of(&t);
}

static void check_realtime(void)
{
	struct timespec ts;
	struct timeval tv;
	time_t t;

	CHECK_OK(clock_gettime(CLOCK_REALTIME, &ts));
	CHECK(ts.tv_sec > JAN_2020, "CLOCK_REALTIME %lld is before 2020-01-01",
	      (long long)ts.tv_sec);
	CHECK(ts.tv_sec < 4102444800L, "CLOCK_REALTIME after 2100");
	CHECK_OK(gettimeofday(&tv, NULL));
	CHECK(tv.tv_usec >= 0 && tv.tv_usec < 1000000, "tv_usec out of range");
	CHECK(tv.tv_sec >= ts.tv_sec && tv.tv_sec - ts.tv_sec <= 2,
	      "gettimeofday disagrees with CLOCK_REALTIME");
	t = time(NULL);
	CHECK(t >= tv.tv_sec && t - tv.tv_sec <= 2, "time() disagrees with gettimeofday");
	CHECK(syscall(SYS_time, NULL) >= t, "raw time syscall");
	CHECK_OK(syscall(SYS_gettimeofday, &tv, NULL));
	CHECK(tv.tv_sec >= t, "raw gettimeofday syscall");
	OK("CLOCK_REALTIME after 2020-01-01; gettimeofday and time() agree (libc and "
	   "raw)");
}

static void check_monotonic(void)
{
	static const clockid_t clocks[] = {
	    CLOCK_MONOTONIC,	    CLOCK_MONOTONIC_RAW,   CLOCK_BOOTTIME,
	    CLOCK_MONOTONIC_COARSE, CLOCK_REALTIME_COARSE, CLOCK_PROCESS_CPUTIME_ID,
	    CLOCK_THREAD_CPUTIME_ID};
	static const char *names[] = {"MONOTONIC",	  "MONOTONIC_RAW",
				      "BOOTTIME",	  "MONOTONIC_COARSE",
				      "REALTIME_COARSE",  "PROCESS_CPUTIME_ID",
				      "THREAD_CPUTIME_ID"};

	for (unsigned c = 0; c < sizeof(clocks) / sizeof(clocks[0]); c++) {
		long long prev = now(clocks[c]);
		for (int i = 0; i < 2000; i++) {
			long long t = now(clocks[c]);
			CHECK(t >= prev, "CLOCK_%s went backwards by %lld ns", names[c],
			      prev - t);
			prev = t;
		}
		OK("CLOCK_%s non-decreasing over 2000 reads", names[c]);
	}
	CHECK(now(CLOCK_MONOTONIC) > 0, "CLOCK_MONOTONIC is 0");
	CHECK_ERR(clock_gettime((clockid_t)12345, &(struct timespec){0}), EINVAL);
	OK("clock_gettime of an unknown clock is EINVAL");
}

static void check_getres(void)
{
	struct timespec r;

	CHECK_OK(clock_getres(CLOCK_REALTIME, &r));
	CHECK(r.tv_sec == 0 && r.tv_nsec > 0 && r.tv_nsec <= 1000000,
	      "CLOCK_REALTIME resolution not in (0, 1 ms]");
	CHECK_OK(clock_getres(CLOCK_MONOTONIC, &r));
	CHECK(r.tv_sec == 0 && r.tv_nsec > 0 && r.tv_nsec <= 1000000,
	      "CLOCK_MONOTONIC resolution not in (0, 1 ms]");
	CHECK_OK(clock_getres(CLOCK_MONOTONIC, NULL));
	OK("clock_getres REALTIME/MONOTONIC in (0, 1 ms], NULL result allowed");
}

static void check_sleep(void)
{
	struct timespec req = {0, 50 * 1000000L}, rem = {9, 9};
	long long t0, t1;

	t0 = now(CLOCK_MONOTONIC);
	CHECK_OK(nanosleep(&req, &rem));
	t1 = now(CLOCK_MONOTONIC);
	CHECK(t1 - t0 >= 50000000LL, "nanosleep(50 ms) lasted %lld ns", t1 - t0);
	OK("nanosleep 50 ms lasted >= 50 ms on CLOCK_MONOTONIC");

	t0 = now(CLOCK_MONOTONIC);
	CHECK(clock_nanosleep(CLOCK_MONOTONIC, 0, &req, NULL) == 0, "clock_nanosleep");
	t1 = now(CLOCK_MONOTONIC);
	CHECK(t1 - t0 >= 50000000LL, "clock_nanosleep(50 ms) lasted %lld ns", t1 - t0);
	{
		struct timespec until;
		CHECK_OK(clock_gettime(CLOCK_MONOTONIC, &until));
		until.tv_nsec += 20000000L;
		if (until.tv_nsec >= 1000000000L)
			until.tv_sec++, until.tv_nsec -= 1000000000L;
		CHECK(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL) == 0,
		      "clock_nanosleep TIMER_ABSTIME");
		CHECK(now(CLOCK_MONOTONIC) >= ns_of(&until), "woke before the deadline");
	}
	OK("clock_nanosleep relative 50 ms and TIMER_ABSTIME");

	req.tv_nsec = 0;
	CHECK_OK(nanosleep(&req, NULL));
	req.tv_nsec = 1000000000L;
	CHECK_ERR(nanosleep(&req, NULL), EINVAL);
	OK("nanosleep(0) returns, tv_nsec 1e9 is EINVAL");
}

int main(void)
{
	check_realtime();
	check_monotonic();
	check_getres();
	check_sleep();
	return 0;
}
