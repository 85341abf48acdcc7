/* SPDX-License-Identifier: MIT */
/* Linux x86_64 time structures and clock ids. */
#pragma once
#include <stdint.h>

struct linux_timespec {
	int64_t tv_sec;
	int64_t tv_nsec;
};
_Static_assert(sizeof(struct linux_timespec) == 16, "timespec");

struct linux_timeval {
	int64_t tv_sec;
	int64_t tv_usec;
};
_Static_assert(sizeof(struct linux_timeval) == 16, "timeval");

#define LINUX_CLOCK_REALTIME	       0
#define LINUX_CLOCK_MONOTONIC	       1
#define LINUX_CLOCK_PROCESS_CPUTIME_ID 2
#define LINUX_CLOCK_THREAD_CPUTIME_ID  3
#define LINUX_CLOCK_MONOTONIC_RAW      4
#define LINUX_CLOCK_REALTIME_COARSE    5
#define LINUX_CLOCK_MONOTONIC_COARSE   6
#define LINUX_CLOCK_BOOTTIME	       7
#define LINUX_TIMER_ABSTIME	       1
