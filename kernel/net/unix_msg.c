// SPDX-License-Identifier: MIT
/* AF_UNIX data: messages queued on the receiver (struct unix_skb), stream
 * send and receive (byte stream, never glued across descriptors or, with
 * SO_PASSCRED, across writers), datagram and seqpacket send and receive (one
 * message each, MSG_TRUNC), and the control messages SCM_RIGHTS and
 * SCM_CREDENTIALS.  Connections and names are kernel/net/unix.c.
 *
 * Flow control as Linux: what a socket sent and is still queued is charged
 * to it (wmem); a sender waits while wmem >= SO_SNDBUF, and a datagram also
 * waits while its receiver has more than max_dgram_qlen messages queued,
 * unless the receiver is connected back to it. */
#include <string.h>
#include <kern/err.h>
#include <kern/file.h>
#include <kern/heap.h>
#include <kern/proc.h>
#include <uapi/errno.h>
#include <uapi/poll.h>
#include "fs/sysutil.h"
#include "net/unix_internal.h"

/* The ancillary data of one message: sender's credentials and files. */
struct unix_scm {
	struct linux_ucred cred;
	struct file **fps;
	int nfp;
};

static void scm_destroy(struct unix_scm *scm)
{
	for (int i = 0; i < scm->nfp; i++)
		if (scm->fps[i])
			file_put(scm->fps[i]);
	kfree(scm->fps);
	scm->fps = NULL;
	scm->nfp = 0;
}

static int scm_rights(struct unix_scm *scm, const struct linux_cmsghdr *c)
{
	size_t n = (c->cmsg_len - sizeof(*c)) / sizeof(int);
	if (!n)
		return 0;
	if (n > SCM_MAX_FD || scm->nfp + n > SCM_MAX_FD)
		return -EINVAL;
	if (!scm->fps) {
		scm->fps = kzalloc(sizeof(*scm->fps) * SCM_MAX_FD);
		if (!scm->fps)
			return -ENOMEM;
	}
	const char *data = (const char *)(c + 1);
	for (size_t i = 0; i < n; i++) {
		int fd;
		memcpy(&fd, data + i * sizeof(int), sizeof(fd));
		struct file *f = fd_file(fd);
		if (!f)
			return -EBADF;
		scm->fps[scm->nfp++] = file_get(f);
	}
	return 0;
}

static int scm_creds(struct unix_scm *scm, const struct linux_cmsghdr *c)
{
	struct linux_ucred cr;
	if (c->cmsg_len != CMSG_LEN_K(sizeof(cr)))
		return -EINVAL;
	memcpy(&cr, c + 1, sizeof(cr));
	if (cr.uid == (uint32_t)-1 || cr.gid == (uint32_t)-1)
		return -EINVAL;
	/* Linux's scm_check_creds: one's own pid and ids, anything with root's
	 * CAP_SYS_ADMIN, CAP_SETUID and CAP_SETGID */
	const struct process *self = proc_current();
	const struct cred *me = &self->cred;
	bool cap = cred_capable(me);
	if ((cr.pid != self->pid && !cap) ||
	    (cr.uid != me->uid && cr.uid != me->euid && cr.uid != me->suid && !cap) ||
	    (cr.gid != me->gid && cr.gid != me->egid && cr.gid != me->sgid && !cap))
		return -EPERM;
	if (cr.pid != self->pid && !proc_find(cr.pid))
		return -ESRCH;
	scm->cred = cr;
	return 0;
}

/* Linux's scm_send for AF_UNIX: control messages of other levels are
 * ignored, unknown SOL_SOCKET ones are -EINVAL. */
static int scm_send(struct sock_msg *m, struct unix_scm *scm)
{
	/* unless the sender says otherwise: its pid and real ids */
	const struct process *self = proc_current();
	*scm = (struct unix_scm){.cred = {self->pid, self->cred.uid, self->cred.gid}};
	int r = 0;
	for (const struct linux_cmsghdr *c = sock_cmsg_next(m, NULL); c && !r;
	     c = sock_cmsg_next(m, c)) {
		if (c->cmsg_level != SOL_SOCKET)
			continue;
		if (c->cmsg_type == SCM_RIGHTS)
			r = scm_rights(scm, c);
		else if (c->cmsg_type == SCM_CREDENTIALS)
			r = scm_creds(scm, c);
		else
			r = -EINVAL;
	}
	if (r)
		scm_destroy(scm);
	return r;
}

/* Delivers credentials (with SO_PASSCRED) and files to the receiver, as
 * Linux's scm_recv: files that do not fit are closed and MSG_CTRUNC set. */
static void scm_recv(struct socket *s, struct sock_msg *m, struct unix_scm *scm,
		     int flags)
{
	if (sock_opt(s, SO_PASSCRED))
		sock_put_cmsg(m, SOL_SOCKET, SCM_CREDENTIALS, &scm->cred,
			      sizeof(scm->cred));
	if (scm->nfp) {
		int fds[SCM_MAX_FD];
		int max = m->control_cap ? (int)(sock_cmsg_room(m) / sizeof(int)) : 0;
		int i;
		for (i = 0; i < scm->nfp && i < max; i++) {
			int fd = fd_install(fdt_current(), 0, scm->fps[i],
					    flags & MSG_CMSG_CLOEXEC);
			if (fd < 0)
				break;
			scm->fps[i] = NULL; /* the table has it now */
			fds[i] = fd;
		}
		if (i)
			sock_put_cmsg(m, SOL_SOCKET, SCM_RIGHTS, fds,
				      (size_t)i * sizeof(int));
		if (i < scm->nfp)
			m->flags |= MSG_CTRUNC;
	}
	scm_destroy(scm);
}

/* Takes the files of skb for a receive (or new references to them, peek). */
static void scm_take(struct unix_scm *scm, struct unix_skb *skb, bool peek)
{
	scm->cred = skb->cred;
	if (!skb->nfp)
		return;
	if (!peek) {
		scm->fps = skb->fps;
		scm->nfp = skb->nfp;
		skb->fps = NULL;
		skb->nfp = 0;
		return;
	}
	scm->fps = kzalloc(sizeof(*scm->fps) * (size_t)skb->nfp);
	if (!scm->fps)
		return;
	for (int i = 0; i < skb->nfp; i++)
		scm->fps[i] = file_get(skb->fps[i]);
	scm->nfp = skb->nfp;
}

/* ---- messages ---- */

static struct unix_skb *skb_alloc(struct unix_sock *from, size_t len)
{
	struct unix_skb *skb = kmalloc(sizeof(*skb) + len);
	if (!skb)
		return NULL;
	memset(skb, 0, sizeof(*skb));
	skb->len = len;
	skb->from = from;
	from->refcount++;
	skb->charge = len + UNIX_SKB_OVERHEAD;
	from->wmem += skb->charge;
	if (from->addr) {
		skb->addr = from->addr;
		from->addr->refcount++;
	}
	return skb;
}

void unix_skb_free(struct unix_skb *skb)
{
	for (int i = 0; i < skb->nfp; i++)
		file_put(skb->fps[i]);
	kfree(skb->fps);
	unix_addr_put(skb->addr);
	struct unix_sock *from = skb->from;
	size_t charge = skb->charge;
	kfree(skb);
	if (from) {
		from->wmem -= charge;
		unix_wake(from, POLLOUT);
		unix_sock_put(from);
	}
}

/* Waits for room to charge a new message to u (Linux's
 * sock_alloc_send_pskb): 0, or the pending error, -EPIPE, -EAGAIN, a signal. */
static int wait_wmem(struct socket *s, int flags, uint64_t deadline)
{
	struct unix_sock *u = unix_sk(s);
	for (;;) {
		int r = sock_error(s);
		if (r)
			return r;
		if (u->shutdown & UNIX_SEND_SHUTDOWN)
			return -EPIPE;
		if (u->wmem < (size_t)s->sndbuf)
			return 0;
		if (flags & MSG_DONTWAIT)
			return -EAGAIN;
		r = sock_wait(s, deadline);
		if (r)
			return r;
	}
}

static void copy_addr(struct sock_msg *m, const struct unix_skb *skb)
{
	if (skb->addr) {
		memcpy(m->name, &skb->addr->family, skb->addr->len);
		m->namelen = skb->addr->len;
	}
}

static void queue(struct unix_sock *to, struct unix_skb *skb)
{
	list_add_tail(&skb->link, &to->rxq);
	to->rx_bytes += skb->len;
	to->rx_count++;
	unix_wake(to, POLLIN);
}

static void unqueue(struct unix_sock *u, struct unix_skb *skb)
{
	list_del(&skb->link);
	u->rx_bytes -= skb->len - skb->off;
	u->rx_count--;
	waitq_wake_all(&u->peer_wq);
}

/* ---- streams ---- */

long unix_stream_sendmsg(struct socket *s, struct sock_msg *m, int flags)
{
	struct unix_sock *u = unix_sk(s);
	struct unix_scm scm;
	long r = scm_send(m, &scm);
	if (r)
		return r;
	if (flags & MSG_OOB) {
		r = -EOPNOTSUPP;
		goto out_scm;
	}
	if (m->namelen) {
		r = u->state == UNIX_CONNECTED ? -EISCONN : -EOPNOTSUPP;
		goto out_scm;
	}
	struct unix_sock *other = u->peer;
	r = -ENOTCONN;
	if (!other)
		goto out_scm;
	r = -EPIPE;
	if (u->shutdown & UNIX_SEND_SHUTDOWN)
		goto out_scm;
	other->refcount++;
	uint64_t deadline = sock_deadline(s, true);
	size_t len = m->it.count, sent = 0;
	size_t max = (size_t)s->sndbuf / 2 - 64;
	while (sent < len) {
		size_t size = MIN(MIN(len - sent, max), (size_t)32768);
		r = wait_wmem(s, flags, deadline);
		if (r)
			break;
		struct unix_skb *skb = skb_alloc(u, size);
		if (!skb) {
			r = -ENOMEM;
			break;
		}
		if (sock_iter_from(&m->it, skb->data, size)) {
			unix_skb_free(skb);
			r = -EFAULT;
			break;
		}
		skb->cred = scm.cred;
		if (scm.nfp) { /* the files ride on the first part only */
			skb->fps = scm.fps;
			skb->nfp = scm.nfp;
			scm.fps = NULL;
			scm.nfp = 0;
		}
		if (other->dead || (other->shutdown & UNIX_RCV_SHUTDOWN)) {
			unix_skb_free(skb);
			r = -EPIPE;
			break;
		}
		queue(other, skb);
		sent += size;
	}
	unix_sock_put(other);
	if (sent)
		r = (long)sent;
out_scm:
	scm_destroy(&scm);
	return r;
}

static bool cred_eq(const struct linux_ucred *a, const struct linux_ucred *b)
{
	return a->pid == b->pid && a->uid == b->uid && a->gid == b->gid;
}

long unix_stream_recvmsg(struct socket *s, struct sock_msg *m, int flags)
{
	struct unix_sock *u = unix_sk(s);
	if (u->state != UNIX_CONNECTED)
		return -EINVAL;
	if (flags & MSG_OOB)
		return -EINVAL; /* no out-of-band byte is ever queued */
	bool peek = flags & MSG_PEEK;
	size_t size = m->it.count, copied = 0;
	size_t target = (flags & MSG_WAITALL) ? size : MIN((size_t)s->rcvlowat, size);
	if (!target)
		target = 1;
	uint64_t deadline = sock_deadline(s, false);
	/* nothing read yet: with SO_PASSCRED Linux reports "nobody" */
	struct unix_scm scm = {.cred = {0, 65534, 65534}};
	bool check_creds = false;
	struct list_head *pos = NULL; /* MSG_PEEK: the message looked at last */
	long err = 0;
	do {
		struct unix_skb *skb;
		if (pos) {
			if (pos->next == &u->rxq)
				break;
			skb = list_entry(pos->next, struct unix_skb, link);
		} else if (list_empty(&u->rxq)) {
			if (copied >= target)
				break;
			err = sock_error(s);
			if (err || (u->shutdown & UNIX_RCV_SHUTDOWN))
				break;
			if (flags & MSG_DONTWAIT) {
				err = -EAGAIN;
				break;
			}
			err = sock_wait(s, deadline);
			if (err)
				break;
			continue;
		} else {
			skb = list_first_entry(&u->rxq, struct unix_skb, link);
		}
		if (check_creds) {
			if (!cred_eq(&scm.cred, &skb->cred))
				break; /* never glue messages from different writers */
		} else if (sock_opt(s, SO_PASSCRED)) {
			scm.cred = skb->cred;
			check_creds = true;
		}
		copy_addr(m, skb);
		size_t chunk = MIN(skb->len - skb->off, size);
		if (sock_iter_to(&m->it, skb->data + skb->off, chunk)) {
			if (!copied)
				err = -EFAULT;
			break;
		}
		copied += chunk;
		size -= chunk;
		if (!peek) {
			skb->off += chunk;
			u->rx_bytes -= chunk;
			if (skb->nfp) {
				struct linux_ucred keep = scm.cred;
				scm_take(&scm, skb, false);
				scm.cred = keep;
			}
			if (skb->off < skb->len)
				break;
			unqueue(u, skb);
			unix_skb_free(skb);
			if (scm.nfp)
				break;
		} else {
			if (skb->nfp) {
				struct linux_ucred keep = scm.cred;
				scm_take(&scm, skb, true);
				scm.cred = keep;
				break;
			}
			pos = &skb->link;
		}
	} while (size);
	if (copied || !err)
		scm_recv(s, m, &scm, flags);
	else
		scm_destroy(&scm);
	return copied ? (long)copied : err;
}

/* ---- datagrams and sequenced packets ---- */

long unix_dgram_sendmsg(struct socket *s, struct sock_msg *m, int flags)
{
	struct unix_sock *u = unix_sk(s), *other = NULL;
	bool seqpacket = u->type == SOCK_SEQPACKET;
	if (seqpacket) {
		if (u->state != UNIX_CONNECTED)
			return -ENOTCONN;
		m->namelen = 0; /* Linux ignores the address */
	}
	struct unix_scm scm;
	long r = scm_send(m, &scm);
	if (r)
		return r;
	struct unix_skb *skb = NULL;
	r = -EOPNOTSUPP;
	if (flags & MSG_OOB)
		goto out;
	if (m->namelen) {
		const struct linux_sockaddr_un *a = (const void *)m->name;
		r = -EINVAL;
		if (m->namelen <= 2 || m->namelen > sizeof(*a) ||
		    a->sun_family != AF_UNIX)
			goto out;
	} else {
		r = -ENOTCONN;
		if (!u->peer)
			goto out;
		other = u->peer;
		other->refcount++;
	}
	if (sock_opt(s, SO_PASSCRED) && (r = unix_autobind(u)))
		goto out;
	size_t len = m->it.count;
	r = -EMSGSIZE;
	if (len > (size_t)s->sndbuf - 32)
		goto out;
	uint64_t deadline = sock_deadline(s, true);
	r = wait_wmem(s, flags, deadline);
	if (r)
		goto out;
	r = -ENOMEM;
	skb = skb_alloc(u, len);
	if (!skb)
		goto out;
	r = -EFAULT;
	if (sock_iter_from(&m->it, skb->data, len))
		goto out;
	skb->cred = scm.cred;
	skb->fps = scm.fps;
	skb->nfp = scm.nfp;
	scm.fps = NULL;
	scm.nfp = 0;
	for (;;) {
		if (!other) {
			r = -ECONNRESET;
			if (!m->namelen)
				goto out;
			other = unix_find(m->name, m->namelen, u->type);
			if (IS_ERR(other)) {
				r = PTR_ERR(other);
				other = NULL;
				goto out;
			}
		}
		r = -EPERM;
		if (other->peer && other->peer != u)
			goto out;
		if (other->dead) {
			r = seqpacket ? -EPIPE : -ECONNREFUSED;
			if (!seqpacket && u->peer == other) {
				u->peer = NULL;
				u->state = UNIX_UNCONNECTED;
				unix_sock_put(other); /* the peer pointer's reference */
			}
			goto out;
		}
		r = -EPIPE;
		if (other->shutdown & UNIX_RCV_SHUTDOWN)
			goto out;
		if (other == u || other->peer == u ||
		    other->rx_count <= UNIX_MAX_DGRAM_QLEN)
			break;
		r = -EAGAIN;
		if (flags & MSG_DONTWAIT)
			goto out;
		r = sock_wait_on(&other->peer_wq, deadline);
		if (r)
			goto out;
		unix_sock_put(other);
		other = NULL;
		if (!m->namelen && u->peer) {
			other = u->peer;
			other->refcount++;
		}
	}
	queue(other, skb);
	skb = NULL;
	r = (long)len;
out:
	if (skb)
		unix_skb_free(skb);
	if (other)
		unix_sock_put(other);
	scm_destroy(&scm);
	return r;
}

long unix_dgram_recvmsg(struct socket *s, struct sock_msg *m, int flags)
{
	struct unix_sock *u = unix_sk(s);
	bool seqpacket = u->type == SOCK_SEQPACKET;
	if (seqpacket && u->state != UNIX_CONNECTED)
		return -ENOTCONN;
	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	uint64_t deadline = sock_deadline(s, false);
	while (list_empty(&u->rxq)) {
		long r = sock_error(s);
		if (r)
			return r;
		bool eof = u->shutdown & UNIX_RCV_SHUTDOWN;
		if (eof && !(flags & MSG_DONTWAIT))
			return 0;
		r = -EAGAIN;
		if (!(flags & MSG_DONTWAIT))
			r = sock_wait(s, deadline);
		if (r == -EAGAIN && seqpacket && (u->shutdown & UNIX_RCV_SHUTDOWN))
			return 0; /* EOF on a disconnected non-blocking seqpacket */
		if (r)
			return r;
	}
	bool peek = flags & MSG_PEEK;
	struct unix_skb *skb = list_first_entry(&u->rxq, struct unix_skb, link);
	if (!peek)
		unqueue(u, skb);
	copy_addr(m, skb);
	size_t size = m->it.count;
	if (size > skb->len)
		size = skb->len;
	else if (size < skb->len)
		m->flags |= MSG_TRUNC;
	long r = (flags & MSG_TRUNC) ? (long)skb->len : (long)size;
	if (sock_iter_to(&m->it, skb->data, size)) {
		r = -EFAULT;
	} else {
		struct unix_scm scm = {0};
		scm_take(&scm, skb, peek);
		scm_recv(s, m, &scm, flags);
	}
	if (!peek)
		unix_skb_free(skb);
	return r;
}
