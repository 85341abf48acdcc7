// SPDX-License-Identifier: MIT
/* The vDSO: clock_gettime, gettimeofday, time, getcpu and clock_getres
 * answered in user mode from the TSC and the kernel's shared data page, which
 * sits one page below this object.  Clocks it does not know fall back to the
 * real system call.  Built as its own shared object (-fPIC, no libc) and
 * embedded in the kernel (loader/vdso_blob.S). */
#include <stddef.h>
#include <stdint.h>
#include "vdso.h"

struct kts {
	int64_t sec, nsec;
};
struct ktv {
	int64_t sec, usec;
};

extern const struct vdso_data vvar_data __attribute__((visibility("hidden")));

static inline long raw_syscall2(long nr, long a, long b)
{
	long r;
	__asm__ volatile("syscall"
			 : "=a"(r)
			 : "a"(nr), "D"(a), "S"(b)
			 : "rcx", "r11", "memory");
	return r;
}

static inline uint64_t rdtsc_ordered(void)
{
	uint32_t lo, hi;
	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static void now(uint64_t *mono, int64_t *offset)
{
	uint32_t s;
	do {
		s = vvar_data.seq;
		__asm__ volatile("" ::: "memory");
		uint64_t t = rdtsc_ordered() - vvar_data.tsc_base;
		*mono = (uint64_t)(((unsigned __int128)t * vvar_data.ns_mult) >> 32);
		*offset = vvar_data.realtime_offset;
		__asm__ volatile("" ::: "memory");
	} while ((s & 1) || s != vvar_data.seq);
}

int __vdso_clock_gettime(int id, struct kts *ts)
{
	uint64_t mono, ns;
	int64_t off;
	switch (id) {
	case 0: /* REALTIME */
	case 5: /* REALTIME_COARSE */
		now(&mono, &off);
		ns = mono + off;
		break;
	case 1: /* MONOTONIC */
	case 4: /* MONOTONIC_RAW */
	case 6: /* MONOTONIC_COARSE */
	case 7: /* BOOTTIME */
		now(&mono, &off);
		ns = mono;
		break;
	default:
		return (int)raw_syscall2(228, id, (long)ts);
	}
	ts->sec = ns / 1000000000ULL;
	ts->nsec = ns % 1000000000ULL;
	return 0;
}

int __vdso_gettimeofday(struct ktv *tv, void *tz)
{
	if (tz)
		return (int)raw_syscall2(96, (long)tv, (long)tz);
	if (tv) {
		uint64_t mono;
		int64_t off;
		now(&mono, &off);
		uint64_t ns = mono + off;
		tv->sec = ns / 1000000000ULL;
		tv->usec = (ns % 1000000000ULL) / 1000;
	}
	return 0;
}

long __vdso_time(long *t)
{
	uint64_t mono;
	int64_t off;
	now(&mono, &off);
	long s = (long)((mono + off) / 1000000000ULL);
	if (t)
		*t = s;
	return s;
}

int __vdso_getcpu(unsigned *cpu, unsigned *node, void *unused __attribute__((unused)))
{
	if (cpu)
		*cpu = 0;
	if (node)
		*node = 0;
	return 0;
}

int __vdso_clock_getres(int id, struct kts *ts)
{
	if (id < 0 || id > 7 || id == 2 || id == 3)
		return (int)raw_syscall2(229, id, (long)ts);
	if (ts) {
		ts->sec = 0;
		ts->nsec = (id == 5 || id == 6) ? 4000000 : 1;
	}
	return 0;
}

int clock_gettime(int, struct kts *) __attribute__((weak, alias("__vdso_clock_gettime")));
int gettimeofday(struct ktv *, void *)
    __attribute__((weak, alias("__vdso_gettimeofday")));
long time(long *) __attribute__((weak, alias("__vdso_time")));
int getcpu(unsigned *, unsigned *, void *) __attribute__((weak, alias("__vdso_getcpu")));
int clock_getres(int, struct kts *) __attribute__((weak, alias("__vdso_clock_getres")));
