// SPDX-License-Identifier: MIT
/* epoll system calls: epoll_create, epoll_create1, epoll_ctl, epoll_wait,
 * epoll_pwait (with its signal mask) and epoll_pwait2.  They decode
 * arguments, look descriptors up and copy events out; the set itself is
 * kernel/fs/epoll.c.  A wait looks at the set, and when nothing is ready
 * sleeps in poll_wait_since() (woken by any wait queue) until the next look,
 * a signal (EINTR, never restarted, as Linux) or the deadline. */
#include <kern/clock.h>
#include <kern/err.h>
#include <kern/syscall.h>
#include <kern/uaccess.h>
#include <kern/wait.h>
#include <uapi/errno.h>
#include <uapi/signal.h>
#include "fs/epoll.h"
#include "fs/sysutil.h"
#include "proc/internal.h"

/* Deadlines: 0 waits for ever; NO_WAIT (a time long past) only looks once. */
#define NO_WAIT	      1
#define EP_MAX_EVENTS ((int)(INT32_MAX / sizeof(struct linux_epoll_event)))

static long do_epoll_create(int flags)
{
	struct file *f = epoll_create_file();
	if (IS_ERR(f))
		return PTR_ERR(f);
	int fd = fd_install(fdt_current(), 0, f, flags & EPOLL_CLOEXEC);
	if (fd < 0)
		file_put(f);
	return fd;
}

long sys_epoll_create(int size)
{
	return size <= 0 ? -EINVAL : do_epoll_create(0);
}
SYSCALL_REGISTER(__NR_epoll_create, sys_epoll_create);

long sys_epoll_create1(int flags)
{
	return flags & ~EPOLL_CLOEXEC ? -EINVAL : do_epoll_create(flags);
}
SYSCALL_REGISTER(__NR_epoll_create1, sys_epoll_create1);

/* A descriptor epoll may use: O_PATH ones are -EBADF, as Linux's fdget. */
static struct file *poll_fd(int fd)
{
	struct file *f = fd_file(fd);
	return f && !(f->flags & O_PATH) ? f : NULL;
}

long sys_epoll_ctl(int epfd, int op, int fd, unsigned long uev)
{
	struct linux_epoll_event ev = {0};
	if (op != EPOLL_CTL_DEL && copy_from_user(&ev, uev, sizeof(ev)))
		return -EFAULT;
	struct file *epf = poll_fd(epfd), *tf = poll_fd(fd);
	if (!epf || !tf)
		return -EBADF;
	return epoll_ctl_file(epf, op, fd, tf, &ev);
}
SYSCALL_REGISTER(__NR_epoll_ctl, sys_epoll_ctl);

struct user_sink {
	struct epoll_sink sink;
	unsigned long uev;
};

static int user_emit(struct epoll_sink *s, int i, const struct linux_epoll_event *ev)
{
	struct user_sink *u = container_of(s, struct user_sink, sink);
	return copy_to_user(u->uev + (unsigned long)i * sizeof(*ev), ev, sizeof(*ev))
		   ? -EFAULT
		   : 0;
}

static long do_epoll_wait(int epfd, unsigned long uev, int max, uint64_t deadline)
{
	struct file *epf = poll_fd(epfd);
	if (!epf)
		return -EBADF;
	if (max <= 0 || max > EP_MAX_EVENTS)
		return -EINVAL;
	if (!access_ok(uev, (size_t)max * sizeof(struct linux_epoll_event)))
		return -EFAULT;
	if (!file_is_epoll(epf))
		return -EINVAL;
	struct user_sink u = {{user_emit}, uev};
	bool last = false;
	for (;;) {
		uint64_t seen = poll_clock();
		long r = epoll_harvest(epf, max, &u.sink);
		if (r || last || deadline == NO_WAIT)
			return r;
		int w = poll_wait_since(seen, deadline);
		if (w == -ETIMEDOUT)
			last = true; /* one more look, then 0 */
		else if (w)
			return -EINTR;
		/* No reference is held across the sleep (exit_group discards a
		 * sleeping thread with its stack): look the set up again.  Closed
		 * meanwhile by another thread, the wait ends with EBADF where Linux
		 * would go on waiting on the set the closed descriptor named. */
		epf = poll_fd(epfd);
		if (!epf || !file_is_epoll(epf))
			return -EBADF;
	}
}

static uint64_t ms_deadline(int ms)
{
	if (ms < 0)
		return 0;
	if (ms == 0)
		return NO_WAIT;
	return clock_monotonic_ns() + (uint64_t)ms * 1000000;
}

long sys_epoll_wait(int epfd, unsigned long uev, int max, int timeout_ms)
{
	return do_epoll_wait(epfd, uev, max, ms_deadline(timeout_ms));
}
SYSCALL_REGISTER(__NR_epoll_wait, sys_epoll_wait);

static long do_epoll_pwait(int epfd, unsigned long uev, int max, uint64_t deadline,
			   unsigned long umask, size_t sigsetsize)
{
	uint64_t old = 0;
	bool swapped;
	long r = sigmask_temp_begin(umask, sigsetsize, &old, &swapped);
	if (r)
		return r;
	r = do_epoll_wait(epfd, uev, max, deadline);
	sigmask_temp_end(old, swapped, r == -EINTR);
	return r;
}

long sys_epoll_pwait(int epfd, unsigned long uev, int max, int timeout_ms,
		     unsigned long umask, size_t sigsetsize)
{
	return do_epoll_pwait(epfd, uev, max, ms_deadline(timeout_ms), umask, sigsetsize);
}
SYSCALL_REGISTER(__NR_epoll_pwait, sys_epoll_pwait);

long sys_epoll_pwait2(int epfd, unsigned long uev, int max, unsigned long uts,
		      unsigned long umask, size_t sigsetsize)
{
	uint64_t deadline = 0;
	if (uts) {
		struct linux_timespec ts;
		if (copy_from_user(&ts, uts, sizeof(ts)))
			return -EFAULT;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 ||
		    ts.tv_nsec >= (int64_t)NSEC_PER_SEC)
			return -EINVAL;
		uint64_t now = clock_monotonic_ns();
		if (!ts.tv_sec && !ts.tv_nsec)
			deadline = NO_WAIT;
		else if ((uint64_t)ts.tv_sec < (UINT64_MAX - now) / NSEC_PER_SEC - 1)
			deadline = now + (uint64_t)ts.tv_sec * NSEC_PER_SEC +
				   (uint64_t)ts.tv_nsec;
	}
	return do_epoll_pwait(epfd, uev, max, deadline, umask, sigsetsize);
}
SYSCALL_REGISTER(__NR_epoll_pwait2, sys_epoll_pwait2);
