// SPDX-License-Identifier: MIT
/* The socket layer's core: sockets and their files (S_IFSOCK, read/write/
 * readv/writev as one message, poll, FIONREAD), family registration and
 * waiting.  The system calls are kernel/net/sys_socket.c and
 * kernel/net/sockopt.c, the iterators and control-message helpers
 * kernel/net/sockmsg.c; the interface for families is kernel/net/socket.h. */
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

extern const struct sock_family *const __start_sock_families[],
    *const __stop_sock_families[];

static struct super_block *sock_sb;
static const struct super_ops sock_sops = {0};
static const struct file_ops sock_file_ops;

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
	/* SO_PEERCRED gives the effective ids, as Linux's cred_to_ucred */
	const struct process *p = proc_current();
	return (struct linux_ucred){
	    .pid = p->pid, .uid = p->cred.euid, .gid = p->cred.egid};
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

/* ---- the send and receive every path shares ---- */

long sock_do_sendmsg(struct socket *s, struct sock_msg *m, int flags)
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

long sock_do_recvmsg(struct socket *s, struct sock_msg *m, int flags)
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
		r = sock_iter_init_user(&m->it, iov, cnt);
	}
	if (!r) {
		if (write)
			r = sock_do_sendmsg(s, m,
					    s->type == SOCK_SEQPACKET ? MSG_EOR : 0);
		else if (m->it.count) /* a zero-length read returns 0 at once */
			r = sock_do_recvmsg(s, m, 0);
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
