// SPDX-License-Identifier: MIT
/* The socket layer: every socket system call, the socket file, the generic
 * SOL_SOCKET options and the user/kernel copies, for every family.  The
 * families (kernel/net/unix.c, the lwIP one) implement struct sock_ops and
 * register a struct sock_family; kernel/net/socket.h is their interface. */
#include <string.h>
#include <kern/clock.h>
#include <kern/err.h>
#include <kern/file.h>
#include <kern/heap.h>
#include <kern/printk.h>
#include <kern/proc.h>
#include <kern/syscall.h>
#include <kern/uaccess.h>
#include <uapi/errno.h>
#include <uapi/ioctl.h>
#include <kern/poll.h>
#include <uapi/poll.h>
#include <uapi/signal.h>
#include <uapi/time.h>
#include "fs/internal.h"
#include "fs/sysutil.h"
#include "net/socket.h"
#include "proc/internal.h"

#define MAX_RW_COUNT 0x7ffff000UL
#define CONTROL_MAX  65536 /* Linux's optmem_max is in this range: -ENOBUFS above */
#define IOV_FAST     8

extern const struct sock_family *const __start_sock_families[],
    *const __stop_sock_families[];

static struct super_block *sock_sb;
static const struct super_ops sock_sops = {0};
static const struct file_ops sock_file_ops;

/* ---- iterators and control messages ---- */

static int iter_copy(struct sock_iter *it, char *k, size_t n, bool to_iter)
{
	if (n > it->count)
		return -EINVAL;
	while (n) {
		if (it->idx >= it->cnt)
			return -EINVAL;
		const struct linux_iovec *v = &it->iov[it->idx];
		size_t c = MIN(n, v->len - it->off);
		if (!c) {
			it->idx++;
			it->off = 0;
			continue;
		}
		unsigned long a = v->base + it->off;
		if (it->kernel) {
			if (to_iter)
				memcpy((void *)a, k, c);
			else
				memcpy(k, (const void *)a, c);
		} else if (to_iter ? copy_to_user(a, k, c) : copy_from_user(k, a, c)) {
			return -EFAULT;
		}
		k += c;
		n -= c;
		it->off += c;
		it->count -= c;
	}
	return 0;
}

int sock_iter_from(struct sock_iter *it, void *dst, size_t n)
{
	return iter_copy(it, dst, n, false);
}

int sock_iter_to(struct sock_iter *it, const void *src, size_t n)
{
	return iter_copy(it, (char *)src, n, true);
}

/* Checks a user iovec array already copied to iov and sets up it over it:
 * -EINVAL for a negative length, -EFAULT for a segment outside user space;
 * the total is capped at MAX_RW_COUNT as Linux does. */
static int iter_init_user(struct sock_iter *it, struct linux_iovec *iov, int cnt)
{
	size_t total = 0;
	for (int i = 0; i < cnt; i++) {
		if ((int64_t)iov[i].len < 0)
			return -EINVAL;
		if (iov[i].len > MAX_RW_COUNT - total)
			iov[i].len = MAX_RW_COUNT - total;
		if (iov[i].len && !access_ok(iov[i].base, iov[i].len))
			return -EFAULT;
		total += iov[i].len;
	}
	*it = (struct sock_iter){.iov = iov, .cnt = cnt, .count = total};
	return 0;
}

const struct linux_cmsghdr *sock_cmsg_next(const struct sock_msg *m,
					   const struct linux_cmsghdr *prev)
{
	const char *base = m->control, *end = base + m->controllen;
	const char *p = prev ? (const char *)prev + CMSG_ALIGN_K(prev->cmsg_len) : base;
	if (p + sizeof(struct linux_cmsghdr) > end || p < base)
		return NULL;
	return (const struct linux_cmsghdr *)p;
}

/* Every control message of a send must have a sane length (Linux's CMSG_OK). */
static int cmsg_check(const struct sock_msg *m)
{
	const char *end = (const char *)m->control + m->controllen;
	for (const struct linux_cmsghdr *c = sock_cmsg_next(m, NULL); c;
	     c = sock_cmsg_next(m, c))
		if (c->cmsg_len < sizeof(*c) ||
		    c->cmsg_len > (size_t)(end - (const char *)c))
			return -EINVAL;
	return 0;
}

size_t sock_cmsg_room(const struct sock_msg *m)
{
	size_t left = m->control_cap - m->controllen;
	return left > sizeof(struct linux_cmsghdr) ? left - sizeof(struct linux_cmsghdr)
						   : 0;
}

size_t sock_put_cmsg(struct sock_msg *m, int level, int type, const void *data,
		     size_t len)
{
	size_t left = m->control_cap - m->controllen;
	if (left < sizeof(struct linux_cmsghdr)) {
		m->flags |= MSG_CTRUNC;
		return 0;
	}
	struct linux_cmsghdr h = {
	    .cmsg_len = CMSG_LEN_K(len), .cmsg_level = level, .cmsg_type = type};
	size_t cmlen = h.cmsg_len;
	if (left < cmlen) {
		m->flags |= MSG_CTRUNC;
		cmlen = left;
	}
	char *p = (char *)m->control + m->controllen;
	memcpy(p, &h, sizeof(h));
	size_t fit = cmlen - sizeof(h);
	memcpy(p + sizeof(h), data, fit);
	size_t space = CMSG_SPACE_K(len);
	if (space > left)
		space = left;
	memset(p + cmlen, 0, space - cmlen);
	m->controllen += space;
	return fit;
}

/* ---- sockets and their files ---- */

static const struct sock_family *family_find(int family)
{
	for (const struct sock_family *const *f = __start_sock_families;
	     f < __stop_sock_families; f++)
		if ((*f)->family == family)
			return *f;
	return NULL;
}

struct linux_ucred sock_current_cred(void)
{
	/* everything runs as root inside the VM */
	return (struct linux_ucred){.pid = proc_current()->pid, .uid = 0, .gid = 0};
}

struct socket *sock_create(int family, int type, int protocol)
{
	const struct sock_family *fam = family_find(family);
	if (!fam)
		return ERR_PTR(-EAFNOSUPPORT);
	struct socket *s = kzalloc(sizeof(*s));
	if (!s)
		return ERR_PTR(-ENOMEM);
	s->family = family;
	s->type = type;
	s->protocol = protocol;
	waitq_init(&s->wq);
	s->sndbuf = s->rcvbuf = 212992; /* Linux's wmem_default/rmem_default */
	s->rcvlowat = 1;
	s->peercred =
	    (struct linux_ucred){.pid = 0, .uid = (uint32_t)-1, .gid = (uint32_t)-1};
	int r = fam->create(s, type, protocol);
	if (r) {
		kfree(s);
		return ERR_PTR(r);
	}
	return s;
}

void sock_destroy(struct socket *s)
{
	if (s->ops && s->ops->release)
		s->ops->release(s);
	sock_ready(s, POLLHUP);
	kfree(s);
}

struct file *sock_file_alloc(struct socket *s, unsigned int flags)
{
	if (!sock_sb) {
		sock_sb = sb_alloc(&sock_sops);
		if (!sock_sb) {
			sock_destroy(s);
			return ERR_PTR(-ENOMEM);
		}
		sock_sb->transient = true;
		sock_sb->fstype = "sockfs";
	}
	struct inode *inode = inode_alloc(sock_sb, S_IFSOCK | 0777);
	if (!inode) {
		sock_destroy(s);
		return ERR_PTR(-ENOMEM);
	}
	inode->nlink = 1;
	char name[32];
	snprintf(name, sizeof(name), "socket:[%lu]", (unsigned long)inode->ino);
	struct file *f = file_alloc(inode, O_RDWR | (flags & O_NONBLOCK), name);
	inode_put(inode);
	if (IS_ERR(f)) {
		sock_destroy(s);
		return f;
	}
	f->ops = &sock_file_ops;
	f->priv = s;
	s->file = f;
	return f;
}

int sock_install_fd(struct socket *s, int flags)
{
	struct file *f = sock_file_alloc(s, (flags & SOCK_NONBLOCK) ? O_NONBLOCK : 0);
	if (IS_ERR(f))
		return (int)PTR_ERR(f);
	int fd = fd_install(fdt_current(), 0, f, flags & SOCK_CLOEXEC);
	if (fd < 0)
		file_put(f);
	return fd;
}

struct socket *sock_from_file(struct file *f)
{
	return f && f->ops == &sock_file_ops ? f->priv : NULL;
}

struct socket *sock_from_fd(int fd)
{
	struct file *f = fd_file(fd);
	if (!f || (f->flags & O_PATH))
		return ERR_PTR(-EBADF);
	struct socket *s = sock_from_file(f);
	return s ? s : ERR_PTR(-ENOTSOCK);
}

void sock_wake(struct socket *s)
{
	waitq_wake_all(&s->wq);
}

void sock_ready(struct socket *s, unsigned int events)
{
	if (events & (POLL_IN_EVENTS | POLLHUP | POLLERR))
		poll_seq_bump(&s->rx_seq);
	if (events & (POLL_OUT_EVENTS | POLLHUP | POLLERR))
		poll_seq_bump(&s->tx_seq);
	waitq_wake_all(&s->wq);
}

uint64_t sock_deadline(const struct socket *s, bool send)
{
	uint64_t t = send ? s->sndtimeo_ns : s->rcvtimeo_ns;
	return t ? clock_monotonic_ns() + t : 0;
}

int sock_wait(struct socket *s, uint64_t deadline)
{
	return sock_wait_on(&s->wq, deadline);
}

int sock_wait_on(struct waitq *wq, uint64_t deadline)
{
	int r = waitq_sleep(wq, deadline);
	if (r == -ETIMEDOUT)
		return -EAGAIN;
	if (r == -ERESTARTSYS && deadline)
		return -EINTR; /* Linux never restarts a call that has a timeout */
	return r;
}

int sock_error(struct socket *s)
{
	int e = s->error;
	s->error = 0;
	return -e;
}

/* ---- the calls every path shares ---- */

static long do_sendmsg(struct socket *s, struct sock_msg *m, int flags)
{
	if (!s->ops->sendmsg)
		return -EOPNOTSUPP;
	if (s->file && (s->file->flags & O_NONBLOCK))
		flags |= MSG_DONTWAIT;
	struct file *f =
	    file_get(s->file); /* another thread may close it while we sleep */
	long r = s->ops->sendmsg(s, m, flags);
	if (r == -EPIPE && !(flags & MSG_NOSIGNAL) && !s->no_sigpipe)
		signal_send_thread(thread_current(), SIGPIPE);
	file_put(f);
	return r;
}

static long do_recvmsg(struct socket *s, struct sock_msg *m, int flags)
{
	if (!s->ops->recvmsg)
		return -EOPNOTSUPP;
	if (s->file && (s->file->flags & O_NONBLOCK))
		flags |= MSG_DONTWAIT;
	m->flags = flags & MSG_CMSG_CLOEXEC; /* what Linux starts msg_flags with */
	struct file *f = file_get(s->file);
	long r = s->ops->recvmsg(s, m, flags);
	file_put(f);
	return r;
}

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

/* ---- file operations ---- */

static long sock_file_rw(struct file *f, struct linux_iovec *iov, int cnt, bool kernel,
			 bool write)
{
	struct socket *s = f->priv;
	struct sock_msg *m = kzalloc(sizeof(*m));
	if (!m)
		return -ENOMEM;
	long r = 0;
	if (kernel) {
		size_t total = 0;
		for (int i = 0; i < cnt; i++)
			total += iov[i].len;
		m->it = (struct sock_iter){
		    .iov = iov, .cnt = cnt, .count = total, .kernel = true};
	} else {
		r = iter_init_user(&m->it, iov, cnt);
	}
	if (!r) {
		if (write)
			r = do_sendmsg(s, m, s->type == SOCK_SEQPACKET ? MSG_EOR : 0);
		else if (m->it.count) /* a zero-length read returns 0 at once */
			r = do_recvmsg(s, m, 0);
	}
	kfree(m);
	return r;
}

/* Kernel-buffer read/write: sendfile, splice, kernel users. */
static long sock_read(struct file *f, void *buf, size_t len)
{
	struct linux_iovec v = {(uint64_t)(uintptr_t)buf, len};
	return sock_file_rw(f, &v, 1, true, false);
}

static long sock_write(struct file *f, const void *buf, size_t len)
{
	struct linux_iovec v = {(uint64_t)(uintptr_t)buf, len};
	return sock_file_rw(f, &v, 1, true, true); /* sendfile raises SIGPIPE itself */
}

/* read/write/readv/writev on user memory: the whole vector is one message. */
static long sock_read_iov(struct file *f, struct linux_iovec *iov, int cnt)
{
	return sock_file_rw(f, iov, cnt, false, false);
}

static long sock_write_iov(struct file *f, struct linux_iovec *iov, int cnt)
{
	return sock_file_rw(f, iov, cnt, false, true);
}

static unsigned int sock_poll(struct file *f)
{
	struct socket *s = f->priv;
	return s->ops->poll ? s->ops->poll(s) : 0;
}

static uint64_t sock_poll_seq(struct file *f, unsigned int events)
{
	struct socket *s = f->priv;
	uint64_t seq = 0;
	if (events & POLL_IN_EVENTS)
		seq = s->rx_seq;
	if ((events & POLL_OUT_EVENTS) && s->tx_seq > seq)
		seq = s->tx_seq;
	return seq;
}

static long sock_ioctl(struct file *f, unsigned int cmd, unsigned long uarg)
{
	struct socket *s = f->priv;
	return s->ops->ioctl ? s->ops->ioctl(s, cmd, uarg) : -ENOTTY;
}

static long sock_nread(struct file *f)
{
	struct socket *s = f->priv;
	return s->ops->nread ? s->ops->nread(s) : -ENOTTY;
}

static void sock_release(struct file *f)
{
	struct socket *s = f->priv;
	s->file = NULL;
	sock_destroy(s);
}

static const struct file_ops sock_file_ops = {
	.read = sock_read,
	.write = sock_write,
	.read_iov = sock_read_iov,
	.write_iov = sock_write_iov,
	.poll = sock_poll,
	.poll_seq = sock_poll_seq,
	.ioctl = sock_ioctl,
	.nread = sock_nread,
	.release = sock_release,
};

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
	long r = iter_init_user(&m->it, &v, 1);
	if (!r && uaddr) {
		r = addr_from_user(m->name, uaddr, alen);
		m->namelen = (unsigned int)alen;
	}
	if (!r)
		r = do_sendmsg(s, m, flags);
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
	long r = iter_init_user(&m->it, &v, 1);
	if (!r)
		r = do_recvmsg(s, m, flags);
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
	long r = iter_init_user(&k->m.it, k->iov, cnt);
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
			return cmsg_check(&k->m);
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

static long do_sys_sendmsg(struct socket *s, unsigned long umsg, int flags)
{
	struct msg_k *k = kzalloc(sizeof(*k));
	if (!k)
		return -ENOMEM;
	long r = msg_k_import(k, umsg, true);
	if (!r)
		r = do_sendmsg(s, &k->m, flags);
	msg_k_free(k);
	return r;
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

static long do_sys_recvmsg(struct socket *s, unsigned long umsg, int flags)
{
	struct msg_k *k = kzalloc(sizeof(*k));
	if (!k)
		return -ENOMEM;
	long r = msg_k_import(k, umsg, false);
	if (!r)
		r = do_recvmsg(s, &k->m, flags);
	if (r >= 0) {
		long e = msg_k_export(k, umsg);
		if (e)
			r = e;
	}
	msg_k_free(k);
	return r;
}

long sys_sendmsg(int fd, unsigned long umsg, int flags)
{
	struct socket *s = sock_from_fd(fd);
	if (IS_ERR(s))
		return PTR_ERR(s);
	return do_sys_sendmsg(s, umsg, flags);
}
SYSCALL_REGISTER(__NR_sendmsg, sys_sendmsg);

long sys_recvmsg(int fd, unsigned long umsg, int flags)
{
	struct socket *s = sock_from_fd(fd);
	if (IS_ERR(s))
		return PTR_ERR(s);
	return do_sys_recvmsg(s, umsg, flags);
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
		unsigned long um = uvec + i * sizeof(struct linux_mmsghdr);
		r = do_sys_sendmsg(s, um, flags);
		if (r < 0)
			break;
		uint32_t n = (uint32_t)r;
		if (copy_to_user(um + offsetof(struct linux_mmsghdr, msg_len), &n,
				 sizeof(n))) {
			r = -EFAULT;
			break;
		}
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
		unsigned long um = uvec + i * sizeof(struct linux_mmsghdr);
		r = do_sys_recvmsg(s, um, flags & ~MSG_WAITFORONE);
		if (r < 0)
			break;
		uint32_t n = (uint32_t)r;
		if (copy_to_user(um + offsetof(struct linux_mmsghdr, msg_len), &n,
				 sizeof(n))) {
			r = -EFAULT;
			break;
		}
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

/* ---- options ---- */

static int get_int(const void *val, unsigned int len, int *v)
{
	if (len < sizeof(int))
		return -EINVAL;
	memcpy(v, val, sizeof(int));
	return 0;
}

static int get_timeo(const void *val, unsigned int len, uint64_t *ns)
{
	struct linux_sock_timeval tv;
	if (len < sizeof(tv))
		return -EINVAL;
	memcpy(&tv, val, sizeof(tv));
	if (tv.tv_usec < 0 || tv.tv_usec >= 1000000)
		return -EDOM;
	if (tv.tv_sec < 0) {
		*ns = 0; /* Linux: a negative timeout means none... after a warning */
		return 0;
	}
	if (tv.tv_sec == 0 && tv.tv_usec == 0) {
		*ns = 0;
		return 0;
	}
	uint64_t cap = (uint64_t)1 << 62;
	*ns = (uint64_t)tv.tv_sec > cap / NSEC_PER_SEC
		  ? cap
		  : (uint64_t)tv.tv_sec * NSEC_PER_SEC + (uint64_t)tv.tv_usec * 1000;
	return 0;
}

#define BOOL_OPTS                                                                        \
	((1ULL << SO_DEBUG) | (1ULL << SO_REUSEADDR) | (1ULL << SO_DONTROUTE) |          \
	 (1ULL << SO_BROADCAST) | (1ULL << SO_KEEPALIVE) | (1ULL << SO_OOBINLINE) |      \
	 (1ULL << SO_NO_CHECK) | (1ULL << SO_REUSEPORT) | (1ULL << SO_PASSCRED) |        \
	 (1ULL << SO_TIMESTAMP_OLD) | (1ULL << SO_PASSSEC) |                             \
	 (1ULL << SO_TIMESTAMPNS_OLD) | (1ULL << SO_RXQ_OVFL) | (1ULL << SO_ZEROCOPY))

/* The generic SOL_SOCKET options: 0, -errno, or -ENOPROTOOPT when unknown. */
static int generic_setsockopt(struct socket *s, int name, const void *val,
			      unsigned int len)
{
	int v = 0;
	if (name >= 0 && name < 64 && (BOOL_OPTS >> name) & 1) {
		int r = get_int(val, len, &v);
		if (r)
			return r;
		if (v)
			s->bool_opts |= 1ULL << name;
		else
			s->bool_opts &= ~(1ULL << name);
		return 0;
	}
	switch (name) {
	case SO_SNDBUF:
	case SO_RCVBUF:
	case SO_SNDBUFFORCE:
	case SO_RCVBUFFORCE: {
		int r = get_int(val, len, &v);
		if (r)
			return r;
		bool snd = name == SO_SNDBUF || name == SO_SNDBUFFORCE;
		bool force = name == SO_SNDBUFFORCE || name == SO_RCVBUFFORCE;
		unsigned int u = (unsigned int)v;
		if (!force && u > 212992) /* wmem_max / rmem_max */
			u = 212992;
		if (u > 0x7fffffff / 2)
			u = 0x7fffffff / 2;
		int b = (int)u * 2;	     /* Linux doubles it for its bookkeeping */
		int min = snd ? 4608 : 2304; /* SOCK_MIN_SNDBUF, SOCK_MIN_RCVBUF */
		if (b < min)
			b = min;
		if (snd)
			s->sndbuf = b;
		else
			s->rcvbuf = b;
		return 0;
	}
	case SO_RCVLOWAT: {
		int r = get_int(val, len, &v);
		if (r)
			return r;
		s->rcvlowat = v < 0 ? 0x7fffffff : v ? v : 1;
		return 0;
	}
	case SO_SNDLOWAT:
		return -ENOPROTOOPT;
	case SO_RCVTIMEO_OLD:
	case SO_RCVTIMEO_NEW:
		return get_timeo(val, len, &s->rcvtimeo_ns);
	case SO_SNDTIMEO_OLD:
	case SO_SNDTIMEO_NEW:
		return get_timeo(val, len, &s->sndtimeo_ns);
	case SO_LINGER: {
		if (len < sizeof(s->linger))
			return -EINVAL;
		memcpy(&s->linger, val, sizeof(s->linger));
		return 0;
	}
	case SO_PRIORITY:
	case SO_MARK: {
		int r = get_int(val, len, &v);
		if (r)
			return r;
		if (name == SO_PRIORITY)
			s->priority = (uint32_t)v;
		else
			s->mark = (uint32_t)v;
		return 0;
	}
	case SO_BSDCOMPAT:
	case SO_BUSY_POLL:
	case SO_INCOMING_CPU:
		return get_int(val, len, &v);
	case SO_BINDTODEVICE:
		return 0; /* one interface: binding to it changes nothing */
	case SO_TYPE:
	case SO_PROTOCOL:
	case SO_DOMAIN:
	case SO_ERROR:
	case SO_ACCEPTCONN:
	case SO_PEERCRED:
	case SO_COOKIE:
		return -ENOPROTOOPT;
	default:
		return -ENOPROTOOPT;
	}
}

/* Generic SOL_SOCKET values: length, or -ENOPROTOOPT. */
static int generic_getsockopt(struct socket *s, int name, void *val)
{
	int v;
	if (name >= 0 && name < 64 && (BOOL_OPTS >> name) & 1) {
		v = sock_opt(s, name);
		goto out_int;
	}
	switch (name) {
	case SO_TYPE:
		v = s->type;
		break;
	case SO_PROTOCOL:
		v = s->protocol;
		break;
	case SO_DOMAIN:
		v = s->family;
		break;
	case SO_ERROR:
		v = -sock_error(s);
		break;
	case SO_ACCEPTCONN:
		v = s->listening;
		break;
	case SO_SNDBUF:
		v = s->sndbuf;
		break;
	case SO_RCVBUF:
		v = s->rcvbuf;
		break;
	case SO_RCVLOWAT:
		v = s->rcvlowat;
		break;
	case SO_SNDLOWAT:
		v = 1;
		break;
	case SO_PRIORITY:
		v = (int)s->priority;
		break;
	case SO_MARK:
		v = (int)s->mark;
		break;
	case SO_BSDCOMPAT:
	case SO_BUSY_POLL:
		v = 0;
		break;
	case SO_INCOMING_CPU:
		v = 0;
		break;
	case SO_LINGER:
		memcpy(val, &s->linger, sizeof(s->linger));
		return sizeof(s->linger);
	case SO_PEERCRED:
		memcpy(val, &s->peercred, sizeof(s->peercred));
		return sizeof(s->peercred);
	case SO_RCVTIMEO_OLD:
	case SO_RCVTIMEO_NEW:
	case SO_SNDTIMEO_OLD:
	case SO_SNDTIMEO_NEW: {
		uint64_t ns = name == SO_RCVTIMEO_OLD || name == SO_RCVTIMEO_NEW
				  ? s->rcvtimeo_ns
				  : s->sndtimeo_ns;
		struct linux_sock_timeval tv = {(int64_t)(ns / NSEC_PER_SEC),
						(int64_t)(ns % NSEC_PER_SEC / 1000)};
		memcpy(val, &tv, sizeof(tv));
		return sizeof(tv);
	}
	case SO_COOKIE: {
		uint64_t c = (uint64_t)(uintptr_t)s;
		memcpy(val, &c, sizeof(c));
		return sizeof(c);
	}
	default:
		return -ENOPROTOOPT;
	}
out_int:
	memcpy(val, &v, sizeof(v));
	return sizeof(v);
}

long sys_setsockopt(int fd, int level, int name, unsigned long uval, int len)
{
	struct socket *s = sock_from_fd(fd);
	if (IS_ERR(s))
		return PTR_ERR(s);
	if (len < 0)
		return -EINVAL;
	char val[SOCK_OPT_MAX];
	unsigned int klen = MIN((unsigned int)len, SOCK_OPT_MAX);
	if (klen && copy_from_user(val, uval, klen))
		return -EFAULT;
	if (level == SOL_SOCKET) {
		int r = generic_setsockopt(s, name, val, klen);
		if (r && r != -ENOPROTOOPT)
			return r;
		if (s->ops->setsockopt) {
			int fr = s->ops->setsockopt(s, level, name, val, klen);
			if (fr != -ENOPROTOOPT)
				return fr;
		}
		return r;
	}
	return s->ops->setsockopt ? s->ops->setsockopt(s, level, name, val, klen)
				  : -EOPNOTSUPP;
}
SYSCALL_REGISTER(__NR_setsockopt, sys_setsockopt);

long sys_getsockopt(int fd, int level, int name, unsigned long uval, unsigned long ulen)
{
	struct socket *s = sock_from_fd(fd);
	if (IS_ERR(s))
		return PTR_ERR(s);
	int ulen_v;
	if (copy_from_user(&ulen_v, ulen, sizeof(ulen_v)))
		return -EFAULT;
	if (ulen_v < 0)
		return -EINVAL;
	char val[SOCK_OPT_MAX];
	memset(val, 0, sizeof(val));
	unsigned int klen = (unsigned int)ulen_v;
	int r = -ENOPROTOOPT;
	if (s->ops->getsockopt)
		r = s->ops->getsockopt(s, level, name, val, &klen);
	else if (level != SOL_SOCKET)
		r = -EOPNOTSUPP;
	if (r == -ENOPROTOOPT && level == SOL_SOCKET) {
		r = generic_getsockopt(s, name, val);
		if (r >= 0) {
			klen = (unsigned int)r;
			r = 0;
		}
	}
	if (r)
		return r;
	int out = (int)MIN(klen, (unsigned int)ulen_v);
	if (out > SOCK_OPT_MAX)
		out = SOCK_OPT_MAX;
	if ((out && copy_to_user(uval, val, (size_t)out)) ||
	    copy_to_user(ulen, &out, sizeof(out)))
		return -EFAULT;
	return 0;
}
SYSCALL_REGISTER(__NR_getsockopt, sys_getsockopt);
