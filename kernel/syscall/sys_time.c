// SPDX-License-Identifier: MIT
/* Time system calls: clocks, sleeps.  The clocks themselves are
 * arch/x86_64/time.c; sleeping is a wait-queue sleep with a deadline. */
#include <kern/clock.h>
#include <kern/syscall.h>
#include <kern/uaccess.h>
#include <kern/wait.h>
#include <uapi/errno.h>
#include <uapi/time.h>
#include "proc/internal.h"

static int clock_now(int id, uint64_t *ns)
{
	switch (id) {
	case LINUX_CLOCK_REALTIME:
	case LINUX_CLOCK_REALTIME_COARSE:
		*ns = clock_realtime_ns();
		return 0;
	case LINUX_CLOCK_MONOTONIC:
	case LINUX_CLOCK_MONOTONIC_RAW:
	case LINUX_CLOCK_MONOTONIC_COARSE:
	case LINUX_CLOCK_BOOTTIME:
		*ns = clock_monotonic_ns();
		return 0;
	case LINUX_CLOCK_PROCESS_CPUTIME_ID:
	case LINUX_CLOCK_THREAD_CPUTIME_ID:
		/* one program on the CPU: its CPU time is close to its lifetime */
		*ns = clock_monotonic_ns() - proc_current()->start_ns;
		return 0;
	default:
		return -EINVAL;
	}
}

long sys_clock_gettime(int id, unsigned long tp)
{
	uint64_t ns;
	int r = clock_now(id, &ns);
	if (r)
		return r;
	struct linux_timespec ts = {ns / NSEC_PER_SEC, ns % NSEC_PER_SEC};
	return copy_to_user(tp, &ts, sizeof(ts));
}
SYSCALL_REGISTER(__NR_clock_gettime, sys_clock_gettime);

long sys_clock_getres(int id, unsigned long tp)
{
	uint64_t ns;
	int r = clock_now(id, &ns);
	if (r)
		return r;
	struct linux_timespec ts = {0, 1};
	if (id == LINUX_CLOCK_REALTIME_COARSE || id == LINUX_CLOCK_MONOTONIC_COARSE)
		ts.tv_nsec = 4000000;
	return tp ? copy_to_user(tp, &ts, sizeof(ts)) : 0;
}
SYSCALL_REGISTER(__NR_clock_getres, sys_clock_getres);

long sys_gettimeofday(unsigned long tv, unsigned long tz)
{
	uint64_t ns = clock_realtime_ns();
	if (tv) {
		struct linux_timeval t = {ns / NSEC_PER_SEC, (ns % NSEC_PER_SEC) / 1000};
		if (copy_to_user(tv, &t, sizeof(t)))
			return -EFAULT;
	}
	if (tz) {
		int32_t z[2] = {0, 0};
		if (copy_to_user(tz, z, sizeof(z)))
			return -EFAULT;
	}
	return 0;
}
SYSCALL_REGISTER(__NR_gettimeofday, sys_gettimeofday);

long sys_time(unsigned long tloc)
{
	int64_t t = clock_realtime_ns() / NSEC_PER_SEC;
	if (tloc && copy_to_user(tloc, &t, sizeof(t)))
		return -EFAULT;
	return t;
}
SYSCALL_REGISTER(__NR_time, sys_time);

static int read_timespec(unsigned long up, uint64_t *ns)
{
	struct linux_timespec ts;
	if (copy_from_user(&ts, up, sizeof(ts)))
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= (int64_t)NSEC_PER_SEC)
		return -EINVAL;
	if ((uint64_t)ts.tv_sec > (UINT64_MAX / NSEC_PER_SEC) / 2)
		*ns = UINT64_MAX / 2;
	else
		*ns = ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
	return 0;
}

/* Sleeps until the monotonic deadline; writes what is left to rem on a signal. */
static long sleep_until(uint64_t deadline, unsigned long rem)
{
	for (;;) {
		uint64_t now = clock_monotonic_ns();
		if (now >= deadline)
			return 0;
		int r = waitq_sleep(NULL, deadline);
		if (r == -ERESTARTSYS) {
			if (rem) {
				uint64_t left = deadline - clock_monotonic_ns();
				struct linux_timespec ts = {left / NSEC_PER_SEC,
							    left % NSEC_PER_SEC};
				copy_to_user(rem, &ts, sizeof(ts));
			}
			return -EINTR;
		}
	}
}

long sys_nanosleep(unsigned long req, unsigned long rem)
{
	uint64_t ns;
	int r = read_timespec(req, &ns);
	if (r)
		return r;
	return sleep_until(clock_monotonic_ns() + ns, rem);
}
SYSCALL_REGISTER(__NR_nanosleep, sys_nanosleep);

long sys_clock_nanosleep(int id, int flags, unsigned long req, unsigned long rem)
{
	uint64_t ns, now;
	int r = clock_now(id, &now);
	if (r)
		return r;
	if (id == LINUX_CLOCK_THREAD_CPUTIME_ID)
		return -EINVAL;
	r = read_timespec(req, &ns);
	if (r)
		return r;
	uint64_t mono = clock_monotonic_ns();
	uint64_t deadline;
	if (flags & LINUX_TIMER_ABSTIME)
		deadline = ns > now ? mono + (ns - now) : mono;
	else
		deadline = mono + ns;
	return sleep_until(deadline, (flags & LINUX_TIMER_ABSTIME) ? 0 : rem);
}
SYSCALL_REGISTER(__NR_clock_nanosleep, sys_clock_nanosleep);
