// SPDX-License-Identifier: MIT
/* signalfd: signals read as data.  The file holds a mask; a read takes the
 * pending signals in it (the reading thread's own first, then its process's,
 * lowest number first) as 128-byte struct signalfd_siginfo records, as many
 * as fit, blocking or EAGAIN while there are none; poll says POLLIN while one
 * is pending.  Programs block those signals, so the signal core wakes
 * signal_wq and stamps signal_seq on every signal it queues
 * (kernel/proc/signal.c).  Sender details are not tracked: ssi_code is SI_USER
 * and ssi_pid 0, as sigtimedwait reports them here. */
#include <string.h>
#include <kern/err.h>
#include <kern/heap.h>
#include <kern/proc.h>
#include <kern/syscall.h>
#include <kern/uaccess.h>
#include <kern/wait.h>
#include <uapi/epoll.h>
#include <uapi/errno.h>
#include <uapi/poll.h>
#include "fs/internal.h"
#include "fs/sysutil.h"

#define SIGBIT(s)   (1ULL << ((s)-1))
#define UNBLOCKABLE (SIGBIT(9) | SIGBIT(19)) /* SIGKILL, SIGSTOP */

struct signalfd {
	uint64_t mask;
};

static const struct file_ops signalfd_ops;

static long signalfd_read(struct file *f, void *buf, size_t len)
{
	struct signalfd *s = f->priv;
	size_t count = len / sizeof(struct linux_signalfd_siginfo);
	if (!count)
		return -EINVAL;
	struct linux_signalfd_siginfo *out = buf;
	size_t n = 0;
	while (n < count) {
		/* read before looking: a timer interrupt may queue a signal
		 * between the look and the sleep */
		uint64_t seen = poll_clock();
		int sig = signal_dequeue_current(s->mask);
		if (sig) {
			memset(&out[n], 0, sizeof(out[n]));
			out[n].ssi_signo = (uint32_t)sig;
			n++;
			continue;
		}
		if (n)
			break;
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		int r = poll_wait_since(seen, 0);
		if (r)
			return r == -EINTR ? -ERESTARTSYS : r; /* restartable, as Linux */
	}
	return (long)(n * sizeof(*out));
}

static unsigned int signalfd_poll(struct file *f)
{
	struct signalfd *s = f->priv;
	return signal_pending_set_current() & s->mask ? POLLIN | POLLRDNORM : 0;
}

static uint64_t signalfd_poll_seq(struct file *f, unsigned int events)
{
	return signal_seq;
}

static void signalfd_release(struct file *f)
{
	kfree(f->priv);
}

static const struct file_ops signalfd_ops = {
    .read = signalfd_read,
    .poll = signalfd_poll,
    .poll_seq = signalfd_poll_seq,
    .release = signalfd_release,
};

long sys_signalfd4(int fd, unsigned long umask, size_t sizemask, int flags)
{
	uint64_t mask;
	if (sizemask != sizeof(mask))
		return -EINVAL;
	if (copy_from_user(&mask, umask, sizeof(mask)))
		return -EFAULT;
	if (flags & ~(SFD_CLOEXEC | SFD_NONBLOCK))
		return -EINVAL;
	mask &= ~UNBLOCKABLE;
	if (fd != -1) {
		struct file *f = fd_file(fd);
		if (!f || (f->flags & O_PATH))
			return -EBADF;
		if (f->ops != &signalfd_ops)
			return -EINVAL;
		((struct signalfd *)f->priv)->mask = mask;
		waitq_wake_all(&signal_wq); /* a sleeping reader may want one now */
		return fd;
	}
	struct signalfd *s = kzalloc(sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->mask = mask;
	struct file *f = anon_file_open("[signalfd]", &signalfd_ops, s,
					O_RDWR | ((unsigned int)flags & SFD_NONBLOCK));
	if (IS_ERR(f)) {
		kfree(s);
		return PTR_ERR(f);
	}
	int nfd = fd_install(fdt_current(), 0, f, flags & SFD_CLOEXEC);
	if (nfd < 0)
		file_put(f);
	return nfd;
}
SYSCALL_REGISTER(__NR_signalfd4, sys_signalfd4);

long sys_signalfd(int fd, unsigned long umask, size_t sizemask)
{
	return sys_signalfd4(fd, umask, sizemask, 0);
}
SYSCALL_REGISTER(__NR_signalfd, sys_signalfd);
