// SPDX-License-Identifier: MIT
/* The socket system calls but the options (kernel/net/sockopt.c): socket,
 * socketpair, bind, listen, accept/accept4, connect, shutdown,
 * getsockname/getpeername, sendto/recvfrom, sendmsg/recvmsg and
 * sendmmsg/recvmmsg.  Each copies what the user passed (addresses, iovecs,
 * control messages) into kernel memory, calls the family's sock_ops and
 * copies the results back; kernel/net/socket.c owns the sockets. */
#include <string.h>
#include <kern/clock.h>
#include <kern/err.h>
#include <kern/file.h>
#include <kern/heap.h>
#include <kern/printk.h>
#include <kern/poll.h>
#include <kern/proc.h>
#include <kern/syscall.h>
#include <kern/uaccess.h>
#include <uapi/errno.h>
#include <uapi/ioctl.h>
#include <uapi/poll.h>
#include <uapi/signal.h>
#include <uapi/time.h>
#include "fs/internal.h"
#include "fs/sysutil.h"
#include "net/socket.h"
#include "net/socket_internal.h"
#include "proc/internal.h"

#define CONTROL_MAX 65536 /* Linux's optmem_max is in this range: -ENOBUFS above */
#define IOV_FAST    8

/* An address from user memory: -EINVAL for a length outside [0, SOCKADDR_MAX]. */
static int addr_from_user(void *k, unsigned long uaddr, int len)
{
	if (len < 0 || len > SOCKADDR_MAX)
		return -EINVAL;
	if (len && copy_from_user(k, uaddr, (size_t)len))
		return -EFAULT;
	return 0;
}

/* Linux's move_addr_to_user: copies at most *ulen bytes, writes the full
 * length back. */
static int addr_to_user(const void *k, int klen, unsigned long uaddr, unsigned long ulen)
{
	int len;
	if (copy_from_user(&len, ulen, sizeof(len)))
		return -EFAULT;
	if (len > klen)
		len = klen;
	if (len < 0)
		return -EINVAL;
	if (len && copy_to_user(uaddr, k, (size_t)len))
		return -EFAULT;
	return copy_to_user(ulen, &klen, sizeof(klen));
}

/* ---- socket, socketpair, bind, listen, accept, connect, shutdown ---- */

static long check_socket_args(int domain, int type)
{
	if (type & ~(SOCK_TYPE_MASK | SOCK_NONBLOCK | SOCK_CLOEXEC))
		return -EINVAL;
	if (domain < 0 || domain >= AF_MAX)
		return -EAFNOSUPPORT;
	return 0;
}

long sys_socket(int domain, int type, int protocol)
{
	long r = check_socket_args(domain, type);
	if (r)
		return r;
	struct socket *s = sock_create(domain, type & SOCK_TYPE_MASK, protocol);
	if (IS_ERR(s))
		return PTR_ERR(s);
	return sock_install_fd(s, type);
}
SYSCALL_REGISTER(__NR_socket, sys_socket);

long sys_socketpair(int domain, int type, int protocol, unsigned long usv)
{
	long r = check_socket_args(domain, type);
	if (r)
		return r;
	struct socket *a = sock_create(domain, type & SOCK_TYPE_MASK, protocol);
	if (IS_ERR(a))
		return PTR_ERR(a);
	if (!a->ops->socketpair) {
		sock_destroy(a);
		return -EOPNOTSUPP;
	}
	struct socket *b = sock_create(domain, type & SOCK_TYPE_MASK, protocol);
	if (IS_ERR(b)) {
		sock_destroy(a);
		return PTR_ERR(b);
	}
	r = a->ops->socketpair(a, b);
	if (r) {
		sock_destroy(a);
		sock_destroy(b);
		return r;
	}
	int fds[2];
	fds[0] = sock_install_fd(a, type);
	if (fds[0] < 0) {
		sock_destroy(b);
		return fds[0];
	}
	fds[1] = sock_install_fd(b, type);
	if (fds[1] < 0) {
		fd_close(fdt_current(), fds[0]);
		return fds[1];
	}
	if (copy_to_user(usv, fds, sizeof(fds))) {
		fd_close(fdt_current(), fds[1]);
		fd_close(fdt_current(), fds[0]);
		return -EFAULT;
	}
	return 0;
}
SYSCALL_REGISTER(__NR_socketpair, sys_socketpair);

long sys_bind(int fd, unsigned long uaddr, int len)
{
	struct socket *s = sock_from_fd(fd);
	if (IS_ERR(s))
		return PTR_ERR(s);
	char addr[SOCKADDR_MAX];
	int r = addr_from_user(addr, uaddr, len);
	if (r)
		return r;
	return s->ops->bind ? s->ops->bind(s, addr, (unsigned int)len) : -EOPNOTSUPP;
}
SYSCALL_REGISTER(__NR_bind, sys_bind);

long sys_connect(int fd, unsigned long uaddr, int len)
{
	struct socket *s = sock_from_fd(fd);
	if (IS_ERR(s))
		return PTR_ERR(s);
	char addr[SOCKADDR_MAX];
	int r = addr_from_user(addr, uaddr, len);
	if (r)
		return r;
	if (!s->ops->connect)
		return -EOPNOTSUPP;
	struct file *f = file_get(s->file);
	r = s->ops->connect(s, addr, (unsigned int)len, f->flags & O_NONBLOCK);
	file_put(f);
	return r;
}
SYSCALL_REGISTER(__NR_connect, sys_connect);

long sys_listen(int fd, int backlog)
{
	struct socket *s = sock_from_fd(fd);
	if (IS_ERR(s))
		return PTR_ERR(s);
	if ((unsigned int)backlog > SOMAXCONN)
		backlog = SOMAXCONN; /* Linux clamps a negative one too */
	return s->ops->listen ? s->ops->listen(s, backlog) : -EOPNOTSUPP;
}
SYSCALL_REGISTER(__NR_listen, sys_listen);

long sys_accept4(int fd, unsigned long uaddr, unsigned long ulen, int flags)
{
	if (flags & ~(SOCK_CLOEXEC | SOCK_NONBLOCK))
		return -EINVAL;
	struct socket *s = sock_from_fd(fd);
	if (IS_ERR(s))
		return PTR_ERR(s);
	if (!s->ops->accept)
		return -EOPNOTSUPP;
	struct socket *ns = NULL;
	struct file *f = file_get(s->file);
	int r = s->ops->accept(s, &ns, f->flags & O_NONBLOCK);
	file_put(f);
	if (r)
		return r;
	if (uaddr) {
		char addr[SOCKADDR_MAX];
		int alen =
		    ns->ops->getname ? ns->ops->getname(ns, addr, true) : -EOPNOTSUPP;
		if (alen < 0)
			alen = 0; /* the peer already left: an empty address */
		r = addr_to_user(addr, alen, uaddr, ulen);
		if (r) {
			sock_destroy(ns);
			return r;
		}
	}
	return sock_install_fd(ns, flags);
}
SYSCALL_REGISTER(__NR_accept4, sys_accept4);

long sys_accept(int fd, unsigned long uaddr, unsigned long ulen)
{
	return sys_accept4(fd, uaddr, ulen, 0);
}
SYSCALL_REGISTER(__NR_accept, sys_accept);

long sys_shutdown(int fd, int how)
{
	struct socket *s = sock_from_fd(fd);
	if (IS_ERR(s))
		return PTR_ERR(s);
	if (how < SHUT_RD || how > SHUT_RDWR)
		return -EINVAL;
	return s->ops->shutdown ? s->ops->shutdown(s, how) : -EOPNOTSUPP;
}
SYSCALL_REGISTER(__NR_shutdown, sys_shutdown);

static long do_getname(int fd, unsigned long uaddr, unsigned long ulen, bool peer)
{
	struct socket *s = sock_from_fd(fd);
	if (IS_ERR(s))
		return PTR_ERR(s);
	if (!s->ops->getname)
		return -EOPNOTSUPP;
	char addr[SOCKADDR_MAX];
	int len = s->ops->getname(s, addr, peer);
	if (len < 0)
		return len;
	return addr_to_user(addr, len, uaddr, ulen);
}

long sys_getsockname(int fd, unsigned long uaddr, unsigned long ulen)
{
	return do_getname(fd, uaddr, ulen, false);
}
SYSCALL_REGISTER(__NR_getsockname, sys_getsockname);

long sys_getpeername(int fd, unsigned long uaddr, unsigned long ulen)
{
	return do_getname(fd, uaddr, ulen, true);
}
SYSCALL_REGISTER(__NR_getpeername, sys_getpeername);

/* ---- send and receive ---- */

long sys_sendto(int fd, unsigned long ubuf, size_t len, int flags, unsigned long uaddr,
		int alen)
{
	struct socket *s = sock_from_fd(fd);
	if (IS_ERR(s))
		return PTR_ERR(s);
	struct sock_msg *m = kzalloc(sizeof(*m));
	if (!m)
		return -ENOMEM;
	struct linux_iovec v = {ubuf, MIN(len, (size_t)0x7fffffff)};
	long r = sock_iter_init_user(&m->it, &v, 1);
	if (!r && uaddr) {
		r = addr_from_user(m->name, uaddr, alen);
		m->namelen = (unsigned int)alen;
	}
	if (!r)
		r = sock_do_sendmsg(s, m, flags);
	kfree(m);
	return r;
}
SYSCALL_REGISTER(__NR_sendto, sys_sendto);

long sys_recvfrom(int fd, unsigned long ubuf, size_t len, int flags, unsigned long uaddr,
		  unsigned long ualen)
{
	struct socket *s = sock_from_fd(fd);
	if (IS_ERR(s))
		return PTR_ERR(s);
	struct sock_msg *m = kzalloc(sizeof(*m));
	if (!m)
		return -ENOMEM;
	struct linux_iovec v = {ubuf, MIN(len, (size_t)0x7fffffff)};
	long r = sock_iter_init_user(&m->it, &v, 1);
	if (!r)
		r = sock_do_recvmsg(s, m, flags);
	if (r >= 0 && uaddr) {
		int e = addr_to_user(m->name, (int)m->namelen, uaddr, ualen);
		if (e)
			r = e;
	}
	kfree(m);
	return r;
}
SYSCALL_REGISTER(__NR_recvfrom, sys_recvfrom);

/* A user msghdr turned into a sock_msg: iovec array (iov, kmalloc'd unless
 * it fits fast), name, and for a send the control messages. */
struct msg_k {
	struct linux_msghdr h;
	struct sock_msg m;
	struct linux_iovec fast[IOV_FAST];
	struct linux_iovec *iov;
};

static void msg_k_free(struct msg_k *k)
{
	if (k->iov != k->fast)
		kfree(k->iov);
	kfree(k->m.control);
	kfree(k);
}

static long msg_k_import(struct msg_k *k, unsigned long umsg, bool send)
{
	if (copy_from_user(&k->h, umsg, sizeof(k->h)))
		return -EFAULT;
	struct linux_msghdr *h = &k->h;
	if (h->msg_iovlen > UIO_MAXIOV)
		return -EMSGSIZE;
	int cnt = (int)h->msg_iovlen;
	k->iov = cnt <= IOV_FAST ? k->fast : kmalloc(sizeof(*k->iov) * (size_t)cnt);
	if (!k->iov)
		return -ENOMEM;
	if (copy_from_user(k->iov, h->msg_iov, sizeof(*k->iov) * (size_t)cnt))
		return -EFAULT;
	long r = sock_iter_init_user(&k->m.it, k->iov, cnt);
	if (r)
		return r;
	if (h->msg_namelen < 0)
		return -EINVAL;
	if (!h->msg_name)
		h->msg_namelen = 0;
	if (h->msg_namelen > SOCKADDR_MAX)
		h->msg_namelen = SOCKADDR_MAX;
	size_t clen = h->msg_control ? h->msg_controllen : 0;
	if (send) {
		if (h->msg_namelen &&
		    copy_from_user(k->m.name, h->msg_name, (size_t)h->msg_namelen))
			return -EFAULT;
		k->m.namelen = (unsigned int)h->msg_namelen;
		if (clen > 0x7fffffff)
			return -ENOBUFS;
		if (clen >= sizeof(struct linux_cmsghdr)) {
			if (clen > CONTROL_MAX)
				return -ENOBUFS;
			k->m.control = kmalloc(clen);
			if (!k->m.control)
				return -ENOMEM;
			if (copy_from_user(k->m.control, h->msg_control, clen))
				return -EFAULT;
			k->m.controllen = clen;
			return sock_cmsg_check(&k->m);
		}
		return 0;
	}
	k->m.control_cap = MIN(clen, (size_t)CONTROL_MAX);
	if (k->m.control_cap) {
		k->m.control = kzalloc(k->m.control_cap);
		if (!k->m.control)
			return -ENOMEM;
	}
	return 0;
}

/* Writes back msg_namelen, the control messages, msg_controllen and msg_flags. */
static long msg_k_export(struct msg_k *k, unsigned long umsg)
{
	struct linux_msghdr *h = &k->h;
	if (h->msg_name) {
		long r = addr_to_user(k->m.name, (int)k->m.namelen, h->msg_name,
				      umsg + offsetof(struct linux_msghdr, msg_namelen));
		if (r)
			return r;
	}
	if (k->m.controllen &&
	    copy_to_user(h->msg_control, k->m.control, k->m.controllen))
		return -EFAULT;
	uint64_t clen = k->m.controllen;
	int32_t fl = k->m.flags;
	if (copy_to_user(umsg + offsetof(struct linux_msghdr, msg_controllen), &clen,
			 sizeof(clen)) ||
	    copy_to_user(umsg + offsetof(struct linux_msghdr, msg_flags), &fl,
			 sizeof(fl)))
		return -EFAULT;
	return 0;
}

/* sendmsg or recvmsg of the msghdr at umsg: bytes or -errno. */
static long do_sys_msg(struct socket *s, unsigned long umsg, int flags, bool send)
{
	struct msg_k *k = kzalloc(sizeof(*k));
	if (!k)
		return -ENOMEM;
	long r = msg_k_import(k, umsg, send);
	if (!r)
		r = send ? sock_do_sendmsg(s, &k->m, flags)
			 : sock_do_recvmsg(s, &k->m, flags);
	if (!send && r >= 0) {
		long e = msg_k_export(k, umsg);
		if (e)
			r = e;
	}
	msg_k_free(k);
	return r;
}

/* Entry i of a sendmmsg/recvmmsg vector: the call, then its msg_len. */
static long do_sys_mmsg_one(struct socket *s, unsigned long uvec, unsigned int i,
			    int flags, bool send)
{
	unsigned long um = uvec + i * sizeof(struct linux_mmsghdr);
	long r = do_sys_msg(s, um, flags, send);
	if (r < 0)
		return r;
	uint32_t n = (uint32_t)r;
	if (copy_to_user(um + offsetof(struct linux_mmsghdr, msg_len), &n, sizeof(n)))
		return -EFAULT;
	return r;
}

long sys_sendmsg(int fd, unsigned long umsg, int flags)
{
	struct socket *s = sock_from_fd(fd);
	if (IS_ERR(s))
		return PTR_ERR(s);
	return do_sys_msg(s, umsg, flags, true);
}
SYSCALL_REGISTER(__NR_sendmsg, sys_sendmsg);

long sys_recvmsg(int fd, unsigned long umsg, int flags)
{
	struct socket *s = sock_from_fd(fd);
	if (IS_ERR(s))
		return PTR_ERR(s);
	return do_sys_msg(s, umsg, flags, false);
}
SYSCALL_REGISTER(__NR_recvmsg, sys_recvmsg);

long sys_sendmmsg(int fd, unsigned long uvec, unsigned int vlen, int flags)
{
	struct socket *s = sock_from_fd(fd);
	if (IS_ERR(s))
		return PTR_ERR(s);
	if (vlen > UIO_MAXIOV)
		vlen = UIO_MAXIOV;
	unsigned int i;
	long r = 0;
	for (i = 0; i < vlen; i++) {
		r = do_sys_mmsg_one(s, uvec, i, flags, true);
		if (r < 0)
			break;
	}
	return i ? (long)i : r;
}
SYSCALL_REGISTER(__NR_sendmmsg, sys_sendmmsg);

long sys_recvmmsg(int fd, unsigned long uvec, unsigned int vlen, int flags,
		  unsigned long uts)
{
	struct socket *s = sock_from_fd(fd);
	if (IS_ERR(s))
		return PTR_ERR(s);
	uint64_t deadline = 0;
	struct linux_timespec ts;
	if (uts) {
		if (copy_from_user(&ts, uts, sizeof(ts)))
			return -EFAULT;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 ||
		    ts.tv_nsec >= (int64_t)NSEC_PER_SEC)
			return -EINVAL;
		deadline = clock_monotonic_ns() + (uint64_t)ts.tv_sec * NSEC_PER_SEC +
			   (uint64_t)ts.tv_nsec;
	}
	if (vlen > UIO_MAXIOV)
		vlen = UIO_MAXIOV;
	unsigned int i;
	long r = 0;
	for (i = 0; i < vlen; i++) {
		r = do_sys_mmsg_one(s, uvec, i, flags & ~MSG_WAITFORONE, false);
		if (r < 0)
			break;
		if (flags & MSG_WAITFORONE)
			flags |= MSG_DONTWAIT;
		if (deadline && clock_monotonic_ns() >= deadline) {
			i++;
			break;
		}
	}
	if (uts && r >= 0) {
		uint64_t now = clock_monotonic_ns(),
			 left = deadline > now ? deadline - now : 0;
		ts.tv_sec = (int64_t)(left / NSEC_PER_SEC);
		ts.tv_nsec = (int64_t)(left % NSEC_PER_SEC);
		copy_to_user(uts, &ts, sizeof(ts));
	}
	return i ? (long)i : r;
}
SYSCALL_REGISTER(__NR_recvmmsg, sys_recvmmsg);
