// SPDX-License-Identifier: MIT
/* timerfd: a timer behind a descriptor.  Expiry comes from a kernel timeout
 * (kern/timer.h, the 1 kHz tick) that counts one expiration, stamps the poll
 * sequence and wakes readers and pollers; as on Linux the timer then stays
 * stopped until a read or timerfd_gettime forwards an interval timer past
 * now, adding the periods that went by.  A read returns the 8-byte count and
 * clears it (EAGAIN or sleep while it is 0); poll says POLLIN while it is not
 * 0.  Times are kept as monotonic nanoseconds: CLOCK_REALTIME absolute times
 * are converted when set, CLOCK_BOOTTIME is CLOCK_MONOTONIC (no suspend). */
#include <string.h>
#include <kern/clock.h>
#include <kern/err.h>
#include <kern/heap.h>
#include <kern/poll.h>
#include <kern/syscall.h>
#include <kern/timer.h>
#include <kern/uaccess.h>
#include <kern/wait.h>
#include <uapi/epoll.h>
#include <uapi/errno.h>
#include "fs/internal.h"
#include "fs/sysutil.h"

#define CLOCK_REALTIME_ALARM 8
#define CLOCK_BOOTTIME_ALARM 9
#define NS_MAX		     ((uint64_t)INT64_MAX)

struct timerfd {
	int clock;
	struct ktimeout to; /* armed while waiting for the next expiry */
	int64_t expires;    /* monotonic ns of the next (or last) expiry, before
			     * boot (< 0) for a CLOCK_REALTIME time long past */
	uint64_t interval;  /* ns; 0 = one shot */
	uint64_t ticks;	    /* expirations not read yet */
	bool expired;	    /* fired and not forwarded yet */
	struct waitq wq;
	uint64_t seq; /* poll sequence (kern/poll.h) */
};

static const struct file_ops timerfd_ops;

/* Counts the expiry.  Timer interrupt, or a system call with callbacks held
 * off (catch_up). */
static void expire(struct timerfd *t)
{
	t->expired = true;
	t->ticks++;
	poll_seq_bump(&t->seq);
	waitq_wake_all(&t->wq);
}

/* Runs the kernel timeout for t->expires (the next tick when it is past). */
static void arm(struct timerfd *t)
{
	ktimeout_arm(&t->to, t->expires > 0 ? (uint64_t)t->expires : 1);
}

static void timerfd_fire(struct ktimeout *to)
{
	expire(container_of(to, struct timerfd, to));
}

/* The tick comes up to 1 ms late: a system call that looks at the timer
 * first counts an expiry that is due.  Callbacks held off. */
static void catch_up(struct timerfd *t, int64_t now)
{
	if (t->to.expires && now >= t->expires) {
		ktimeout_cancel(&t->to);
		expire(t);
	}
}

/* An expired interval timer moves to its first expiry after now, counting
 * the periods in between (hrtimer_forward_now), and runs again.  Callbacks
 * held off. */
static void forward(struct timerfd *t, int64_t now)
{
	if (!t->expired || !t->interval)
		return;
	uint64_t n =
	    now >= t->expires ? (uint64_t)(now - t->expires) / t->interval + 1 : 0;
	if (n) {
		t->ticks += n - 1;
		t->expires += (int64_t)(n * t->interval);
	}
	t->expired = false;
	arm(t);
}

static long timerfd_read(struct file *f, void *buf, size_t len)
{
	struct timerfd *t = f->priv;
	if (len < sizeof(uint64_t))
		return -EINVAL;
	for (;;) {
		uint64_t fl = ktimeout_lock();
		int64_t now = (int64_t)clock_monotonic_ns();
		catch_up(t, now);
		if (t->ticks) {
			forward(t, now);
			uint64_t v = t->ticks;
			t->ticks = 0;
			t->expired = false;
			ktimeout_unlock(fl);
			memcpy(buf, &v, sizeof(v));
			return sizeof(v);
		}
		uint64_t wake = t->to.expires;
		ktimeout_unlock(fl);
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		/* the deadline brings us back at the expiry even if its wake-up
		 * came between the check and the sleep */
		int r = waitq_sleep(&t->wq, wake);
		if (r && r != -ETIMEDOUT)
			return r;
	}
}

static unsigned int timerfd_poll(struct file *f)
{
	struct timerfd *t = f->priv;
	uint64_t fl = ktimeout_lock();
	catch_up(t, (int64_t)clock_monotonic_ns());
	unsigned int m = t->ticks ? POLLIN | POLLRDNORM : 0;
	ktimeout_unlock(fl);
	return m;
}

static uint64_t timerfd_poll_seq(struct file *f, unsigned int events)
{
	struct timerfd *t = f->priv;
	return t->seq;
}

static void timerfd_release(struct file *f)
{
	struct timerfd *t = f->priv;
	ktimeout_cancel(&t->to);
	kfree(t);
}

static const struct file_ops timerfd_ops = {
    .read = timerfd_read,
    .poll = timerfd_poll,
    .poll_seq = timerfd_poll_seq,
    .release = timerfd_release,
};

static uint64_t ts_ns(const struct linux_timespec *ts)
{
	if ((uint64_t)ts->tv_sec >= NS_MAX / NSEC_PER_SEC)
		return NS_MAX; /* as Linux: KTIME_MAX, never in practice */
	return (uint64_t)ts->tv_sec * NSEC_PER_SEC + (uint64_t)ts->tv_nsec;
}

static struct linux_timespec ns_ts(uint64_t ns)
{
	return (struct linux_timespec){(int64_t)(ns / NSEC_PER_SEC),
				       (int64_t)(ns % NSEC_PER_SEC)};
}

static bool ts_valid(const struct linux_timespec *ts)
{
	return ts->tv_sec >= 0 && ts->tv_nsec >= 0 && ts->tv_nsec < (int64_t)NSEC_PER_SEC;
}

/* The timer of fd: -EBADF, or -EINVAL when fd is another kind of file. */
static struct timerfd *timerfd_of(int fd, long *err)
{
	struct file *f = fd_file(fd);
	*err = !f || (f->flags & O_PATH) ? -EBADF : f->ops != &timerfd_ops ? -EINVAL : 0;
	return *err ? NULL : f->priv;
}

/* What timerfd_gettime shows; forwards an expired interval timer first.
 * Callbacks held off. */
static struct linux_itimerspec current_value(struct timerfd *t, int64_t now)
{
	catch_up(t, now);
	forward(t, now);
	uint64_t left =
	    t->to.expires && t->expires > now ? (uint64_t)(t->expires - now) : 0;
	return (struct linux_itimerspec){ns_ts(t->interval), ns_ts(left)};
}

long sys_timerfd_create(int clock, int flags)
{
	if (flags & ~(TFD_CLOEXEC | TFD_NONBLOCK))
		return -EINVAL;
	if (clock != LINUX_CLOCK_REALTIME && clock != LINUX_CLOCK_MONOTONIC &&
	    clock != LINUX_CLOCK_BOOTTIME && clock != CLOCK_REALTIME_ALARM &&
	    clock != CLOCK_BOOTTIME_ALARM)
		return -EINVAL;
	struct timerfd *t = kzalloc(sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->clock = clock == CLOCK_REALTIME_ALARM ? LINUX_CLOCK_REALTIME : clock;
	t->to.fn = timerfd_fire;
	waitq_init(&t->wq);
	struct file *f = anon_file_open("[timerfd]", &timerfd_ops, t,
					O_RDWR | ((unsigned int)flags & TFD_NONBLOCK));
	if (IS_ERR(f)) {
		kfree(t);
		return PTR_ERR(f);
	}
	int fd = fd_install(fdt_current(), 0, f, flags & TFD_CLOEXEC);
	if (fd < 0)
		file_put(f);
	return fd;
}
SYSCALL_REGISTER(__NR_timerfd_create, sys_timerfd_create);

long sys_timerfd_settime(int fd, int flags, unsigned long unew, unsigned long uold)
{
	struct linux_itimerspec n;
	if (copy_from_user(&n, unew, sizeof(n)))
		return -EFAULT;
	if ((flags & ~(TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET)) ||
	    !ts_valid(&n.it_value) || !ts_valid(&n.it_interval))
		return -EINVAL;
	long err;
	struct timerfd *t = timerfd_of(fd, &err);
	if (!t)
		return err;
	/* TFD_TIMER_CANCEL_ON_SET is accepted; nothing here sets the clock
	 * under a running timer, so no read ever fails with ECANCELED */
	int64_t value = (int64_t)ts_ns(&n.it_value);
	uint64_t fl = ktimeout_lock();
	int64_t now = (int64_t)clock_monotonic_ns();
	struct linux_itimerspec old = current_value(t, now);
	ktimeout_cancel(&t->to);
	t->ticks = 0;
	t->expired = false;
	t->interval = ts_ns(&n.it_interval);
	t->expires = 0;
	if (value) {
		/* as monotonic ns; relative and realtime times saturate */
		if (!(flags & TFD_TIMER_ABSTIME))
			t->expires = value > INT64_MAX - now ? INT64_MAX : now + value;
		else if (t->clock == LINUX_CLOCK_REALTIME)
			t->expires = now + (value - (int64_t)clock_realtime_ns());
		else
			t->expires = value;
		arm(t);
		catch_up(t, now); /* a time already past: expired at once, as Linux */
	}
	ktimeout_unlock(fl);
	if (uold && copy_to_user(uold, &old, sizeof(old)))
		return -EFAULT; /* as Linux, after the timer was set */
	return 0;
}
SYSCALL_REGISTER(__NR_timerfd_settime, sys_timerfd_settime);

long sys_timerfd_gettime(int fd, unsigned long ucur)
{
	long err;
	struct timerfd *t = timerfd_of(fd, &err);
	if (!t)
		return err;
	uint64_t fl = ktimeout_lock();
	struct linux_itimerspec cur = current_value(t, (int64_t)clock_monotonic_ns());
	ktimeout_unlock(fl);
	return copy_to_user(ucur, &cur, sizeof(cur));
}
SYSCALL_REGISTER(__NR_timerfd_gettime, sys_timerfd_gettime);
