// SPDX-License-Identifier: MIT
/* Interval timers that send signals: alarm and setitimer(ITIMER_REAL), and
 * POSIX timers (timer_create with SIGEV_SIGNAL, SIGEV_THREAD_ID or SIGEV_NONE);
 * and kernel timeouts (kern/timer.h), the callbacks timerfd uses.  Expiry is
 * checked on every timer tick (1 ms) by timers_tick. */
#include <string.h>
#include <kern/clock.h>
#include <kern/heap.h>
#include <kern/syscall.h>
#include <kern/timer.h>
#include <kern/uaccess.h>
#include <uapi/errno.h>
#include <uapi/signal.h>
#include <uapi/time.h>
#include "arch/x86_64/cpu.h"
#include "proc/internal.h"

#define ITIMER_REAL	0
#define ITIMER_VIRTUAL	1
#define ITIMER_PROF	2
#define SIGEV_SIGNAL	0
#define SIGEV_NONE	1
#define SIGEV_THREAD	2
#define SIGEV_THREAD_ID 4
#define TIMER_ABSTIME	1
#define REAL_ID		(-1)

struct ktimer {
	struct process *p;
	int id;
	int clock;
	int signo;
	int notify;	  /* SIGEV_* */
	int tid;	  /* SIGEV_THREAD_ID target */
	uint64_t expires; /* monotonic ns, 0 = disarmed */
	uint64_t interval;
	int overrun;
	struct list_head link;
};

static LIST_HEAD(timers);
static LIST_HEAD(timeouts); /* armed struct ktimeouts, in no order */

void ktimeout_arm(struct ktimeout *t, uint64_t expires)
{
	uint64_t f = irq_save();
	if (t->expires)
		list_del(&t->link);
	t->expires = expires ? expires : 1;
	list_add_tail(&t->link, &timeouts);
	irq_restore(f);
}

void ktimeout_cancel(struct ktimeout *t)
{
	uint64_t f = irq_save();
	if (t->expires) {
		list_del(&t->link);
		t->expires = 0;
	}
	irq_restore(f);
}

uint64_t ktimeout_lock(void)
{
	return irq_save();
}

void ktimeout_unlock(uint64_t flags)
{
	irq_restore(flags);
}

/* In the timer interrupt.  A callback may re-arm its own timeout (it goes to
 * the tail with a later deadline) but must not touch others. */
static void timeouts_tick(uint64_t now)
{
	struct ktimeout *t, *n;
	list_for_each_entry_safe(t, n, &timeouts, link)
	{
		if (now < t->expires)
			continue;
		list_del(&t->link);
		t->expires = 0;
		t->fn(t);
	}
}

void timers_tick(uint64_t now)
{
	timeouts_tick(now);
	struct ktimer *k;
	list_for_each_entry(k, &timers, link)
	{
		if (!k->expires || now < k->expires)
			continue;
		if (k->interval) {
			uint64_t late = now - k->expires;
			k->overrun = (int)MIN(late / k->interval, 0x7fffffffULL);
			k->expires += (late / k->interval + 1) * k->interval;
		} else {
			k->expires = 0;
		}
		if (k->notify == SIGEV_NONE)
			continue;
		if (k->notify == SIGEV_THREAD_ID) {
			struct thread *t;
			list_for_each_entry(t, &k->p->threads,
					    proc_link) if (t->tid == k->tid)
			    signal_send_thread(t, k->signo);
		} else {
			signal_send_process(k->p, k->signo);
		}
	}
}

void timers_exit(struct process *p)
{
	struct ktimer *k, *n;
	list_for_each_entry_safe(k, n, &timers, link)
	{
		if (k->p == p) {
			list_del(&k->link);
			kfree(k);
		}
	}
}

static struct ktimer *find(struct process *p, int id)
{
	struct ktimer *k;
	list_for_each_entry(k, &timers, link) if (k->p == p && k->id == id) return k;
	return NULL;
}

static struct ktimer *real_timer(struct process *p)
{
	struct ktimer *k = find(p, REAL_ID);
	if (!k && (k = kzalloc(sizeof(*k)))) {
		k->p = p;
		k->id = REAL_ID;
		k->signo = SIGALRM;
		k->notify = SIGEV_SIGNAL;
		list_add_tail(&k->link, &timers);
	}
	return k;
}

static uint64_t remaining(struct ktimer *k)
{
	uint64_t now = clock_monotonic_ns();
	return !k || !k->expires ? 0 : (k->expires > now ? k->expires - now : 1);
}

long sys_alarm(unsigned seconds)
{
	struct ktimer *k = real_timer(proc_current());
	if (!k)
		return -ENOMEM;
	uint64_t left = remaining(k);
	k->interval = 0;
	k->expires = seconds ? clock_monotonic_ns() + seconds * NSEC_PER_SEC : 0;
	return (long)((left + NSEC_PER_SEC / 2) / NSEC_PER_SEC) +
	       (left && left < NSEC_PER_SEC / 2);
}
SYSCALL_REGISTER(__NR_alarm, sys_alarm);

struct itimerval_k {
	struct linux_timeval interval, value;
};

static uint64_t tv_ns(const struct linux_timeval *tv)
{
	return tv->tv_sec * NSEC_PER_SEC + tv->tv_usec * 1000;
}

static struct linux_timeval ns_tv(uint64_t ns)
{
	return (struct linux_timeval){ns / NSEC_PER_SEC, (ns % NSEC_PER_SEC) / 1000};
}

long sys_getitimer(int which, unsigned long uval)
{
	if (which != ITIMER_REAL)
		return which == ITIMER_VIRTUAL || which == ITIMER_PROF ? -ENOSYS
								       : -EINVAL;
	struct ktimer *k = find(proc_current(), REAL_ID);
	struct itimerval_k v = {ns_tv(k ? k->interval : 0), ns_tv(remaining(k))};
	return copy_to_user(uval, &v, sizeof(v));
}
SYSCALL_REGISTER(__NR_getitimer, sys_getitimer);

long sys_setitimer(int which, unsigned long unew, unsigned long uold)
{
	if (which != ITIMER_REAL)
		return which == ITIMER_VIRTUAL || which == ITIMER_PROF ? -ENOSYS
								       : -EINVAL;
	struct itimerval_k n = {0};
	if (unew && copy_from_user(&n, unew, sizeof(n)))
		return -EFAULT;
	if (n.value.tv_usec < 0 || n.value.tv_usec >= 1000000 || n.interval.tv_usec < 0 ||
	    n.interval.tv_usec >= 1000000 || n.value.tv_sec < 0 || n.interval.tv_sec < 0)
		return -EINVAL;
	struct ktimer *k = real_timer(proc_current());
	if (!k)
		return -ENOMEM;
	if (uold) {
		struct itimerval_k o = {ns_tv(k->interval), ns_tv(remaining(k))};
		if (copy_to_user(uold, &o, sizeof(o)))
			return -EFAULT;
	}
	if (unew) {
		k->interval = tv_ns(&n.interval);
		uint64_t v = tv_ns(&n.value);
		k->expires = v ? clock_monotonic_ns() + v : 0;
	}
	return 0;
}
SYSCALL_REGISTER(__NR_setitimer, sys_setitimer);

struct sigevent_k {
	uint64_t value;
	int32_t signo;
	int32_t notify;
	int32_t tid;
	int32_t pad[11];
};

long sys_timer_create(int clock, unsigned long uevp, unsigned long uid)
{
	if (clock != LINUX_CLOCK_REALTIME && clock != LINUX_CLOCK_MONOTONIC &&
	    clock != LINUX_CLOCK_BOOTTIME)
		return -EINVAL;
	struct sigevent_k ev = {.signo = SIGALRM, .notify = SIGEV_SIGNAL};
	if (uevp && copy_from_user(&ev, uevp, sizeof(ev)))
		return -EFAULT;
	if (ev.notify == SIGEV_THREAD)
		return -EINVAL; /* libc turns SIGEV_THREAD into SIGEV_THREAD_ID */
	if (ev.notify != SIGEV_NONE && (ev.signo < 1 || ev.signo > NSIG))
		return -EINVAL;
	struct process *p = proc_current();
	int id = 0;
	while (find(p, id))
		id++;
	struct ktimer *k = kzalloc(sizeof(*k));
	if (!k)
		return -ENOMEM;
	k->p = p;
	k->id = id;
	k->clock = clock;
	k->signo = ev.signo;
	k->notify = ev.notify;
	k->tid = ev.tid;
	if (copy_to_user(uid, &id, sizeof(id))) {
		kfree(k);
		return -EFAULT;
	}
	list_add_tail(&k->link, &timers);
	return 0;
}
SYSCALL_REGISTER(__NR_timer_create, sys_timer_create);

struct itimerspec_k {
	struct linux_timespec interval, value;
};

static uint64_t ts_ns(const struct linux_timespec *ts)
{
	return ts->tv_sec * NSEC_PER_SEC + ts->tv_nsec;
}

static struct linux_timespec ns_ts(uint64_t ns)
{
	return (struct linux_timespec){ns / NSEC_PER_SEC, ns % NSEC_PER_SEC};
}

long sys_timer_settime(int id, int flags, unsigned long unew, unsigned long uold)
{
	struct ktimer *k = id >= 0 ? find(proc_current(), id) : NULL;
	if (!k)
		return -EINVAL;
	struct itimerspec_k n;
	if (copy_from_user(&n, unew, sizeof(n)))
		return -EFAULT;
	if (n.value.tv_nsec < 0 || n.value.tv_nsec >= (int64_t)NSEC_PER_SEC ||
	    n.interval.tv_nsec < 0 || n.interval.tv_nsec >= (int64_t)NSEC_PER_SEC ||
	    n.value.tv_sec < 0 || n.interval.tv_sec < 0)
		return -EINVAL;
	if (uold) {
		struct itimerspec_k o = {ns_ts(k->interval), ns_ts(remaining(k))};
		if (copy_to_user(uold, &o, sizeof(o)))
			return -EFAULT;
	}
	uint64_t v = ts_ns(&n.value), mono = clock_monotonic_ns();
	k->interval = ts_ns(&n.interval);
	k->overrun = 0;
	if (!v) {
		k->expires = 0;
	} else if (flags & TIMER_ABSTIME) {
		uint64_t now =
		    k->clock == LINUX_CLOCK_REALTIME ? clock_realtime_ns() : mono;
		k->expires = v > now ? mono + (v - now) : mono;
		if (!k->expires)
			k->expires = 1;
	} else {
		k->expires = mono + v;
	}
	return 0;
}
SYSCALL_REGISTER(__NR_timer_settime, sys_timer_settime);

long sys_timer_gettime(int id, unsigned long ucur)
{
	struct ktimer *k = id >= 0 ? find(proc_current(), id) : NULL;
	if (!k)
		return -EINVAL;
	struct itimerspec_k o = {ns_ts(k->interval), ns_ts(remaining(k))};
	return copy_to_user(ucur, &o, sizeof(o));
}
SYSCALL_REGISTER(__NR_timer_gettime, sys_timer_gettime);

long sys_timer_getoverrun(int id)
{
	struct ktimer *k = id >= 0 ? find(proc_current(), id) : NULL;
	return k ? k->overrun : -EINVAL;
}
SYSCALL_REGISTER(__NR_timer_getoverrun, sys_timer_getoverrun);

long sys_timer_delete(int id)
{
	struct ktimer *k = id >= 0 ? find(proc_current(), id) : NULL;
	if (!k)
		return -EINVAL;
	list_del(&k->link);
	kfree(k);
	return 0;
}
SYSCALL_REGISTER(__NR_timer_delete, sys_timer_delete);
