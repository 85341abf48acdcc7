// SPDX-License-Identifier: MIT
/* AF_UNIX sockets, the part that needs no name space yet: socket(),
 * socketpair() (two connected ends, each a pair of the fs layer's pipes),
 * connect() to a path (refused: nothing can listen until bind/listen/accept
 * land with the network issue, which leaves them -ENOSYS and counted), data
 * through read/write/send/recv, shutdown, and the socket options programs ask
 * first.  Other families are -EAFNOSUPPORT: there is no network yet. */
#include <string.h>
#include <kern/err.h>
#include <kern/file.h>
#include <kern/heap.h>
#include <kern/printk.h>
#include <kern/proc.h>
#include <kern/syscall.h>
#include <kern/uaccess.h>
#include <uapi/errno.h>
#include <uapi/poll.h>
#include "fs/internal.h"
#include "fs/sysutil.h"
#include "proc/internal.h"

#define AF_UNIX 1
#define SOCK_STREAM 1
#define SOCK_DGRAM 2
#define SOCK_SEQPACKET 5
#define SOCK_TYPE_MASK 0xf
#define SOCK_NONBLOCK 04000
#define SOCK_CLOEXEC 02000000
#define SOL_SOCKET 1
#define SO_TYPE 3
#define SO_ERROR 4
#define SO_DOMAIN 39
#define SO_ACCEPTCONN 30
#define SHUT_RD 0
#define SHUT_WR 1
#define SHUT_RDWR 2
#define MSG_DONTWAIT 0x40
#define MSG_NOSIGNAL 0x4000

struct usock {
	int type;
	struct file *rx, *tx;	/* pipe ends; NULL until connected or after shutdown */
};

static struct super_block *sock_sb;
static const struct file_ops usock_ops;
static const struct super_ops sock_sops = {0};

static struct usock *usock_of(struct file *f)
{
	return f && f->ops == &usock_ops ? f->priv : NULL;
}

/* The socket behind fd: 0, -EBADF, or -ENOTSOCK for another kind of file. */
static long sock_fd(int fd, struct file **f, struct usock **s)
{
	*f = fd_file(fd);
	*s = usock_of(*f);
	if (!*f)
		return -EBADF;
	return *s ? 0 : -ENOTSOCK;
}

static long usock_read(struct file *f, void *buf, size_t len)
{
	struct usock *s = f->priv;
	if (!s->rx)
		return s->tx ? 0 : -ENOTCONN;
	s->rx->flags = (s->rx->flags & ~O_NONBLOCK) | (f->flags & O_NONBLOCK);
	return vfs_read(s->rx, buf, len);
}

static long usock_write(struct file *f, const void *buf, size_t len)
{
	struct usock *s = f->priv;
	if (!s->tx)
		return s->rx ? -EPIPE : -ENOTCONN;
	s->tx->flags = (s->tx->flags & ~O_NONBLOCK) | (f->flags & O_NONBLOCK);
	return vfs_write(s->tx, buf, len);
}

static unsigned int usock_poll(struct file *f)
{
	struct usock *s = f->priv;
	unsigned int m = 0;
	if (s->rx)
		m |= vfs_poll(s->rx) & (POLLIN | POLLRDNORM | POLLHUP);
	if (s->tx)
		m |= vfs_poll(s->tx) & (POLLOUT | POLLWRNORM | POLLERR);
	if (!s->rx && !s->tx)
		m |= POLLHUP;
	return m;
}

static void usock_release(struct file *f)
{
	struct usock *s = f->priv;
	if (s->rx)
		file_put(s->rx);
	if (s->tx)
		file_put(s->tx);
	kfree(s);
}

static const struct file_ops usock_ops = {
	.read = usock_read,
	.write = usock_write,
	.poll = usock_poll,
	.release = usock_release,
};

static struct file *usock_new(int type, unsigned int flags)
{
	if (!sock_sb) {
		sock_sb = sb_alloc(&sock_sops);
		if (!sock_sb)
			return ERR_PTR(-ENOMEM);
		sock_sb->transient = true;
	}
	struct usock *s = kzalloc(sizeof(*s));
	struct inode *inode = s ? inode_alloc(sock_sb, S_IFSOCK | 0777) : NULL;
	if (!inode) {
		kfree(s);
		return ERR_PTR(-ENOMEM);
	}
	inode->nlink = 1;
	s->type = type;
	char name[32];
	snprintf(name, sizeof(name), "socket:[%lu]", (unsigned long)inode->ino);
	struct file *f = file_alloc(inode, O_RDWR | flags, name);
	inode_put(inode);
	if (IS_ERR(f)) {
		kfree(s);
		return f;
	}
	f->ops = &usock_ops;
	f->priv = s;
	return f;
}

static long check_type(int domain, int type, int *kind)
{
	if (domain != AF_UNIX)
		return -EAFNOSUPPORT;	/* no network yet */
	if (type & ~(SOCK_TYPE_MASK | SOCK_NONBLOCK | SOCK_CLOEXEC))
		return -EINVAL;
	*kind = type & SOCK_TYPE_MASK;
	if (*kind != SOCK_STREAM && *kind != SOCK_DGRAM && *kind != SOCK_SEQPACKET)
		return -ESOCKTNOSUPPORT;
	return 0;
}

long sys_socket(int domain, int type, int protocol)
{
	int kind;
	long r = check_type(domain, type, &kind);
	if (r)
		return r;
	if (protocol)
		return -EPROTONOSUPPORT;
	struct file *f = usock_new(kind, (type & SOCK_NONBLOCK) ? O_NONBLOCK : 0);
	if (IS_ERR(f))
		return PTR_ERR(f);
	int fd = fd_install(fdt_current(), 0, f, type & SOCK_CLOEXEC);
	if (fd < 0)
		file_put(f);
	return fd;
}
SYSCALL_REGISTER(__NR_socket, sys_socket);

long sys_socketpair(int domain, int type, int protocol, unsigned long usv)
{
	int kind;
	long r = check_type(domain, type, &kind);
	if (r)
		return r;
	if (protocol)
		return -EPROTONOSUPPORT;
	unsigned int fl = (type & SOCK_NONBLOCK) ? O_NONBLOCK : 0;
	struct file *a = usock_new(kind, fl), *b = IS_ERR(a) ? a : usock_new(kind, fl);
	if (IS_ERR(b)) {
		if (!IS_ERR(a))
			file_put(a);
		return PTR_ERR(b);
	}
	struct file *r1, *w1, *r2, *w2;
	int e = pipe_create(&r1, &w1, 0);
	if (!e && (e = pipe_create(&r2, &w2, 0))) {
		file_put(r1);
		file_put(w1);
	}
	if (e) {
		file_put(a);
		file_put(b);
		return e;
	}
	struct usock *sa = a->priv, *sb = b->priv;
	sa->rx = r1, sb->tx = w1;	/* b writes, a reads */
	sb->rx = r2, sa->tx = w2;	/* a writes, b reads */
	int fds[2];
	fds[0] = fd_install(fdt_current(), 0, a, type & SOCK_CLOEXEC);
	if (fds[0] < 0) {
		file_put(a);
		file_put(b);
		return fds[0];
	}
	fds[1] = fd_install(fdt_current(), 0, b, type & SOCK_CLOEXEC);
	if (fds[1] < 0 || copy_to_user(usv, fds, sizeof(fds))) {
		long err = fds[1] < 0 ? fds[1] : -EFAULT;
		if (fds[1] >= 0)
			fd_close(fdt_current(), fds[1]);
		else
			file_put(b);
		fd_close(fdt_current(), fds[0]);
		return err;
	}
	return 0;
}
SYSCALL_REGISTER(__NR_socketpair, sys_socketpair);

long sys_connect(int fd, unsigned long uaddr, unsigned int len)
{
	struct file *f;
	struct usock *s;
	long e = sock_fd(fd, &f, &s);
	if (e)
		return e;
	if (s->rx || s->tx)
		return -EISCONN;
	if (len < 3 || len > 110)
		return -EINVAL;
	char addr[112];
	if (copy_from_user(addr, uaddr, len))
		return -EFAULT;
	uint16_t family;
	memcpy(&family, addr, 2);
	if (family != AF_UNIX)
		return -EAFNOSUPPORT;
	addr[len] = 0;
	const char *path = addr + 2;
	if (!path[0])
		return -ECONNREFUSED;	/* abstract names: nobody listens */
	struct kstat st;
	int r = vfs_statat(AT_FDCWD, path, 0, &st);
	if (r)
		return r;	/* -ENOENT: no such socket, as Linux says */
	/* a file exists, but nothing in this kernel can listen on it yet */
	return -ECONNREFUSED;
}
SYSCALL_REGISTER(__NR_connect, sys_connect);

long sys_shutdown(int fd, int how)
{
	struct file *f;
	struct usock *s;
	long e = sock_fd(fd, &f, &s);
	if (e)
		return e;
	if (how < SHUT_RD || how > SHUT_RDWR)
		return -EINVAL;
	if (!s->rx && !s->tx)
		return -ENOTCONN;
	if ((how == SHUT_RD || how == SHUT_RDWR) && s->rx) {
		file_put(s->rx);
		s->rx = NULL;
	}
	if ((how == SHUT_WR || how == SHUT_RDWR) && s->tx) {
		file_put(s->tx);
		s->tx = NULL;
	}
	return 0;
}
SYSCALL_REGISTER(__NR_shutdown, sys_shutdown);

long sys_sendto(int fd, unsigned long ubuf, size_t len, int flags, unsigned long uaddr,
		unsigned int alen)
{
	struct file *f;
	struct usock *s;
	long e = sock_fd(fd, &f, &s);
	if (e)
		return e;
	if (uaddr)
		return s->tx ? -EISCONN : -EOPNOTSUPP;
	if (flags & ~(MSG_DONTWAIT | MSG_NOSIGNAL))
		return -EOPNOTSUPP;
	char buf[4096];
	size_t done = 0;
	unsigned int saved = f->flags;
	if (flags & MSG_DONTWAIT)
		f->flags |= O_NONBLOCK;
	long r = 0;
	while (done < len) {
		size_t n = MIN(len - done, sizeof(buf));
		if (copy_from_user(buf, ubuf + done, n)) {
			r = -EFAULT;
			break;
		}
		r = usock_write(f, buf, n);
		if (r <= 0)
			break;
		done += (size_t)r;
		if ((size_t)r < n)
			break;
	}
	f->flags = saved;
	if (r == -EPIPE && !(flags & MSG_NOSIGNAL) && !done)
		signal_send_thread(thread_current(), 13);	/* SIGPIPE, as write does */
	return done ? (long)done : r;
}
SYSCALL_REGISTER(__NR_sendto, sys_sendto);

long sys_recvfrom(int fd, unsigned long ubuf, size_t len, int flags, unsigned long uaddr,
		  unsigned long ualen)
{
	struct file *f;
	struct usock *s;
	long e = sock_fd(fd, &f, &s);
	if (e)
		return e;
	if (flags & ~MSG_DONTWAIT)
		return -EOPNOTSUPP;
	char buf[4096];
	unsigned int saved = f->flags;
	if (flags & MSG_DONTWAIT)
		f->flags |= O_NONBLOCK;
	long r = usock_read(f, buf, MIN(len, sizeof(buf)));
	f->flags = saved;
	if (r > 0 && copy_to_user(ubuf, buf, (size_t)r))
		return -EFAULT;
	if (r >= 0 && ualen) {
		uint32_t zero = 0;
		if (copy_to_user(ualen, &zero, sizeof(zero)))
			return -EFAULT;
	}
	return r;
}
SYSCALL_REGISTER(__NR_recvfrom, sys_recvfrom);

long sys_getsockopt(int fd, int level, int name, unsigned long uval, unsigned long ulen)
{
	struct file *f;
	struct usock *s;
	long e = sock_fd(fd, &f, &s);
	if (e)
		return e;
	uint32_t len;
	if (copy_from_user(&len, ulen, sizeof(len)))
		return -EFAULT;
	int v;
	if (level != SOL_SOCKET)
		return -ENOPROTOOPT;
	switch (name) {
	case SO_TYPE:
		v = s->type;
		break;
	case SO_ERROR:
	case SO_ACCEPTCONN:
		v = 0;
		break;
	case SO_DOMAIN:
		v = AF_UNIX;
		break;
	default:
		return -ENOPROTOOPT;
	}
	if (len > sizeof(v))
		len = sizeof(v);
	if (copy_to_user(uval, &v, len) || copy_to_user(ulen, &len, sizeof(len)))
		return -EFAULT;
	return 0;
}
SYSCALL_REGISTER(__NR_getsockopt, sys_getsockopt);
