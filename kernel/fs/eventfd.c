// SPDX-License-Identifier: MIT
/* eventfd: a 64-bit counter behind a descriptor.  A write adds to it (blocking
 * while the sum would pass 0xfffffffffffffffe), a read takes all of it, or 1
 * with EFD_SEMAPHORE (blocking while it is 0); both move 8 bytes (a read
 * accepts a longer buffer, a write must be exactly 8).  poll: POLLIN while the
 * counter is not 0, POLLOUT while 1 more still fits, POLLERR at the maximum
 * (which no write reaches).  Portable: the unit tests drive it on the host. */
#include <string.h>
#include <kern/err.h>
#include <kern/heap.h>
#include <kern/poll.h>
#include <kern/syscall.h>
#include <kern/wait.h>
#include <uapi/epoll.h>
#include <uapi/errno.h>
#include "fs/internal.h"
#include "fs/sysutil.h"

#define EFD_MAX UINT64_MAX

struct eventfd {
	uint64_t count;
	bool semaphore;
	struct waitq wq;	  /* readers and writers */
	uint64_t in_seq, out_seq; /* poll sequences (kern/poll.h) */
};

static const struct file_ops eventfd_ops;

static long eventfd_read(struct file *f, void *buf, size_t len)
{
	struct eventfd *e = f->priv;
	if (len < sizeof(uint64_t))
		return -EINVAL;
	while (!e->count) {
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		int r = waitq_sleep(&e->wq, 0);
		if (r)
			return r;
	}
	uint64_t v = e->semaphore ? 1 : e->count;
	e->count -= v;
	memcpy(buf, &v, sizeof(v));
	poll_seq_bump(&e->out_seq);
	waitq_wake_all(&e->wq);
	return sizeof(v);
}

static long eventfd_write(struct file *f, const void *buf, size_t len)
{
	struct eventfd *e = f->priv;
	uint64_t v;
	if (len != sizeof(v))
		return -EINVAL; /* reads take >= 8 bytes, writes exactly 8 */
	memcpy(&v, buf, sizeof(v));
	if (v == EFD_MAX)
		return -EINVAL;
	while (EFD_MAX - e->count <= v) {
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		int r = waitq_sleep(&e->wq, 0);
		if (r)
			return r;
	}
	e->count += v;
	/* Linux wakes readers on every write, even of 0 */
	poll_seq_bump(&e->in_seq);
	waitq_wake_all(&e->wq);
	return sizeof(v);
}

static unsigned int eventfd_poll(struct file *f)
{
	struct eventfd *e = f->priv;
	unsigned int m = 0;
	if (e->count)
		m |= POLLIN | POLLRDNORM;
	if (e->count == EFD_MAX)
		m |= POLLERR;
	if (EFD_MAX - 1 > e->count)
		m |= POLLOUT | POLLWRNORM;
	return m;
}

static uint64_t eventfd_poll_seq(struct file *f, unsigned int events)
{
	struct eventfd *e = f->priv;
	uint64_t s = 0;
	if (events & POLL_IN_EVENTS)
		s = e->in_seq;
	if ((events & POLL_OUT_EVENTS) && e->out_seq > s)
		s = e->out_seq;
	return s;
}

static void eventfd_release(struct file *f)
{
	kfree(f->priv);
}

static const struct file_ops eventfd_ops = {
    .read = eventfd_read,
    .write = eventfd_write,
    .poll = eventfd_poll,
    .poll_seq = eventfd_poll_seq,
    .release = eventfd_release,
};

struct file *eventfd_file(unsigned int initval, int flags)
{
	if (flags & ~(EFD_SEMAPHORE | EFD_CLOEXEC | EFD_NONBLOCK))
		return ERR_PTR(-EINVAL);
	struct eventfd *e = kzalloc(sizeof(*e));
	if (!e)
		return ERR_PTR(-ENOMEM);
	e->count = initval;
	e->semaphore = flags & EFD_SEMAPHORE;
	waitq_init(&e->wq);
	struct file *f = anon_file_open("[eventfd]", &eventfd_ops, e,
					O_RDWR | ((unsigned int)flags & EFD_NONBLOCK));
	if (IS_ERR(f))
		kfree(e);
	return f;
}

long sys_eventfd2(unsigned int initval, int flags)
{
	struct file *f = eventfd_file(initval, flags);
	if (IS_ERR(f))
		return PTR_ERR(f);
	int fd = fd_install(fdt_current(), 0, f, flags & EFD_CLOEXEC);
	if (fd < 0)
		file_put(f);
	return fd;
}
SYSCALL_REGISTER(__NR_eventfd2, sys_eventfd2);

long sys_eventfd(unsigned int initval)
{
	return sys_eventfd2(initval, 0);
}
SYSCALL_REGISTER(__NR_eventfd, sys_eventfd);
