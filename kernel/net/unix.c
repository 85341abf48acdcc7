// SPDX-License-Identifier: MIT
/* AF_UNIX sockets on the socket layer (kernel/net/socket.c), the part that
 * needs no name space yet: socketpair() (two connected ends, each a pair of
 * the fs layer's pipes), connect() to a path (refused: nothing listens),
 * data, shutdown.  The layer owns the system calls; this file is the
 * family's struct sock_ops. */
#include <string.h>
#include <kern/err.h>
#include <kern/file.h>
#include <kern/heap.h>
#include <uapi/errno.h>
#include <uapi/poll.h>
#include "fs/internal.h"
#include "net/socket.h"

struct usock {
	struct file *rx, *tx; /* pipe ends; NULL until connected or after shutdown */
};

static long unix_recvmsg(struct socket *s, struct sock_msg *m, int flags)
{
	struct usock *u = s->priv;
	if (!u->rx)
		return u->tx ? 0 : -ENOTCONN;
	char buf[4096];
	u->rx->flags =
	    (u->rx->flags & ~O_NONBLOCK) | ((flags & MSG_DONTWAIT) ? O_NONBLOCK : 0);
	long r = vfs_read(u->rx, buf, MIN(m->it.count, sizeof(buf)));
	if (r > 0 && sock_iter_to(&m->it, buf, (size_t)r))
		return -EFAULT;
	return r;
}

static long unix_sendmsg(struct socket *s, struct sock_msg *m, int flags)
{
	struct usock *u = s->priv;
	if (m->namelen)
		return u->tx ? -EISCONN : -EOPNOTSUPP;
	if (!u->tx)
		return u->rx ? -EPIPE : -ENOTCONN;
	u->tx->flags =
	    (u->tx->flags & ~O_NONBLOCK) | ((flags & MSG_DONTWAIT) ? O_NONBLOCK : 0);
	char buf[4096];
	size_t done = 0;
	long r = 0;
	while (m->it.count) {
		size_t n = MIN(m->it.count, sizeof(buf));
		if (sock_iter_from(&m->it, buf, n)) {
			r = -EFAULT;
			break;
		}
		r = vfs_write(u->tx, buf, n);
		if (r <= 0)
			break;
		done += (size_t)r;
		if ((size_t)r < n)
			break;
	}
	return done ? (long)done : r;
}

static int unix_connect(struct socket *s, const void *addr, unsigned int len,
			bool nonblock)
{
	struct usock *u = s->priv;
	if (u->rx || u->tx)
		return -EISCONN;
	const struct linux_sockaddr_un *a = addr;
	if (len <= 2 || len > sizeof(*a) || a->sun_family != AF_UNIX)
		return -EINVAL;
	char path[UNIX_PATH_MAX + 1];
	memcpy(path, a->sun_path, len - 2);
	path[len - 2] = 0;
	if (!path[0])
		return -ECONNREFUSED; /* abstract names: nobody listens */
	struct kstat st;
	int r = vfs_statat(AT_FDCWD, path, 0, &st);
	return r ? r : -ECONNREFUSED;
}

static int unix_shutdown(struct socket *s, int how)
{
	struct usock *u = s->priv;
	if (!u->rx && !u->tx)
		return -ENOTCONN;
	if ((how == SHUT_RD || how == SHUT_RDWR) && u->rx) {
		file_put(u->rx);
		u->rx = NULL;
	}
	if ((how == SHUT_WR || how == SHUT_RDWR) && u->tx) {
		file_put(u->tx);
		u->tx = NULL;
	}
	return 0;
}

static unsigned int unix_poll(struct socket *s)
{
	struct usock *u = s->priv;
	unsigned int m = 0;
	if (u->rx)
		m |= vfs_poll(u->rx) & (POLLIN | POLLRDNORM | POLLHUP);
	if (u->tx)
		m |= vfs_poll(u->tx) & (POLLOUT | POLLWRNORM | POLLERR);
	if (!u->rx && !u->tx)
		m |= POLLHUP;
	return m;
}

static long unix_nread(struct socket *s)
{
	struct usock *u = s->priv;
	return u->rx && u->rx->ops->nread ? u->rx->ops->nread(u->rx) : 0;
}

static int unix_socketpair(struct socket *a, struct socket *b)
{
	struct file *r1, *w1, *r2, *w2;
	int e = pipe_create(&r1, &w1, 0);
	if (e)
		return e;
	e = pipe_create(&r2, &w2, 0);
	if (e) {
		file_put(r1);
		file_put(w1);
		return e;
	}
	struct usock *ua = a->priv, *ub = b->priv;
	ua->rx = r1, ub->tx = w1; /* b writes, a reads */
	ub->rx = r2, ua->tx = w2; /* a writes, b reads */
	return 0;
}

static void unix_release(struct socket *s)
{
	struct usock *u = s->priv;
	if (u->rx)
		file_put(u->rx);
	if (u->tx)
		file_put(u->tx);
	kfree(u);
}

static const struct sock_ops unix_ops = {
    .connect = unix_connect,
    .socketpair = unix_socketpair,
    .sendmsg = unix_sendmsg,
    .recvmsg = unix_recvmsg,
    .shutdown = unix_shutdown,
    .poll = unix_poll,
    .nread = unix_nread,
    .release = unix_release,
};

static int unix_create(struct socket *s, int type, int protocol)
{
	if (type != SOCK_STREAM && type != SOCK_DGRAM && type != SOCK_SEQPACKET)
		return -ESOCKTNOSUPPORT;
	if (protocol && protocol != AF_UNIX)
		return -EPROTONOSUPPORT;
	s->priv = kzalloc(sizeof(struct usock));
	if (!s->priv)
		return -ENOMEM;
	s->ops = &unix_ops;
	return 0;
}

static const struct sock_family unix_family = {AF_UNIX, unix_create};
SOCK_FAMILY_REGISTER(unix_family);
