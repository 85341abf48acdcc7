// SPDX-License-Identifier: MIT
/* AF_UNIX, the family's struct sock_ops: the name space (path names as
 * S_IFSOCK inodes in the VFS, the abstract name space, autobind), bind,
 * listen, connect, accept, socketpair, shutdown, names, poll, FIONREAD and
 * release, for SOCK_STREAM, SOCK_DGRAM and SOCK_SEQPACKET.  Sending and
 * receiving, with SCM_RIGHTS and SCM_CREDENTIALS, is kernel/net/unix_msg.c;
 * the system calls are the socket layer's (kernel/net/socket.c).
 *
 * As on Linux, a stream connect completes at once: the connecting side makes
 * the server end, queues it on the listener (blocking while more than
 * backlog are queued) and is connected; accept only takes it off the queue. */
#include <string.h>
#include <kern/err.h>
#include <kern/file.h>
#include <kern/heap.h>
#include <kern/printk.h>
#include <kern/uaccess.h>
#include <uapi/errno.h>
#include <uapi/ioctl.h>
#include <uapi/poll.h>
#include "fs/internal.h"
#include "net/unix_internal.h"

#define SIOCOUTQ 0x5411 /* TIOCOUTQ */

static LIST_HEAD(bound_socks);
static const struct sock_ops unix_stream_ops, unix_dgram_ops, unix_seqpacket_ops;

struct list_head *unix_bound_list(void)
{
	return &bound_socks;
}

/* ---- references ---- */

void unix_addr_put(struct unix_addr *a)
{
	if (a && --a->refcount == 0)
		kfree(a);
}

static struct unix_addr *addr_get(struct unix_addr *a)
{
	if (a)
		a->refcount++;
	return a;
}

static struct unix_sock *usock_get(struct unix_sock *u)
{
	u->refcount++;
	return u;
}

void unix_sock_put(struct unix_sock *u)
{
	if (--u->refcount)
		return;
	unix_addr_put(u->addr);
	kfree(u);
}

void unix_wake(struct unix_sock *u, unsigned int events)
{
	if (u->sock)
		sock_ready(u->sock, events);
	waitq_wake_all(&u->peer_wq);
}

/* ---- names ---- */

static bool abstract(const struct unix_addr *a)
{
	return a->path[0] == 0;
}

static struct unix_sock *find_abstract(const char *name, unsigned int len)
{
	struct unix_sock *b;
	list_for_each_entry(b, &bound_socks, bound_link) if (abstract(b->addr) &&
							     b->addr->len == len &&
							     !memcmp(b->addr->path, name,
								     len - 2)) return b;
	return NULL;
}

static struct unix_sock *find_inode(struct inode *inode)
{
	struct unix_sock *b;
	list_for_each_entry(b, &bound_socks,
			    bound_link) if (b->inode && b->inode->sb == inode->sb &&
					    b->inode->ino == inode->ino) return b;
	return NULL;
}

/* Linux's unix_validate_addr. */
static int check_addr(const void *addr, unsigned int len)
{
	const struct linux_sockaddr_un *a = addr;
	if (len <= 2 || len > sizeof(*a))
		return -EINVAL;
	return a->sun_family == AF_UNIX ? 0 : -EINVAL;
}

/* A new name from a checked sockaddr_un: a path up to its first NUL (length
 * offsetof + strlen + 1), or an abstract name of exactly len bytes. */
static struct unix_addr *make_addr(const void *addr, unsigned int len)
{
	struct unix_addr *a = kzalloc(sizeof(*a));
	if (!a)
		return NULL;
	a->refcount = 1;
	a->family = AF_UNIX;
	memcpy(a->path, (const char *)addr + 2, len - 2);
	if (a->path[0])
		a->len = (unsigned int)(2 + strlen(a->path) + 1);
	else
		a->len = len;
	return a;
}

static void bind_addr(struct unix_sock *u, struct unix_addr *a, struct inode *inode)
{
	u->addr = a;
	u->inode = inode;
	list_add_tail(&u->bound_link, &bound_socks);
}

int unix_autobind(struct unix_sock *u)
{
	static unsigned int order = 0x2d4a1;
	if (u->addr)
		return 0;
	struct unix_addr *a = kzalloc(sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->refcount = 1;
	a->family = AF_UNIX;
	a->len = 2 + 6;
	for (unsigned int tries = 0; tries <= 0xfffff; tries++) {
		order = (order + 1) & 0xfffff;
		snprintf(a->path + 1, 6, "%05x", order);
		if (!find_abstract(a->path, a->len)) {
			bind_addr(u, a, NULL);
			return 0;
		}
	}
	kfree(a);
	return -ENOSPC;
}

struct unix_sock *unix_find(const void *addr, unsigned int len, int type)
{
	int r = check_addr(addr, len);
	if (r)
		return ERR_PTR(r);
	struct unix_addr *a = make_addr(addr, len);
	if (!a)
		return ERR_PTR(-ENOMEM);
	struct unix_sock *u;
	if (abstract(a)) {
		u = find_abstract(a->path, a->len);
		u = u ? u : ERR_PTR(-ECONNREFUSED);
	} else {
		struct nameidata *nd = nd_alloc();
		if (!nd) {
			unix_addr_put(a);
			return ERR_PTR(-ENOMEM);
		}
		r = vfs_lookup_at(AT_FDCWD, a->path, LOOKUP_FOLLOW, nd);
		if (r) {
			u = ERR_PTR(r);
		} else {
			r = vfs_permission(nd->inode, MAY_WRITE); /* as Linux */
			u = !r && S_ISSOCK(nd->inode->mode) ? find_inode(nd->inode)
							    : NULL;
			u = u ? u : ERR_PTR(r ? r : -ECONNREFUSED);
			nd_release(nd);
		}
		nd_free(nd);
	}
	unix_addr_put(a);
	if (IS_ERR(u))
		return u;
	if (u->type != type)
		return ERR_PTR(-EPROTOTYPE);
	return usock_get(u);
}

static int bind_path(struct unix_sock *u, struct unix_addr *a)
{
	int r = vfs_mknodat(AT_FDCWD, a->path, S_IFSOCK | 0777, 0);
	if (r)
		return r == -EEXIST ? -EADDRINUSE : r;
	if (u->addr) {
		vfs_unlinkat(AT_FDCWD, a->path, 0);
		return -EINVAL;
	}
	struct nameidata *nd = nd_alloc();
	if (!nd)
		return -ENOMEM;
	r = vfs_lookup_at(AT_FDCWD, a->path, 0, nd);
	if (!r) {
		bind_addr(u, a, inode_get(nd->inode));
		nd_release(nd);
	}
	nd_free(nd);
	return r;
}

static int unix_bind(struct socket *s, const void *addr, unsigned int len)
{
	struct unix_sock *u = unix_sk(s);
	const struct linux_sockaddr_un *sun = addr;
	if (len == 2 && sun->sun_family == AF_UNIX)
		return unix_autobind(u);
	int r = check_addr(addr, len);
	if (r)
		return r;
	struct unix_addr *a = make_addr(addr, len);
	if (!a)
		return -ENOMEM;
	if (!abstract(a))
		r = bind_path(u, a);
	else if (u->addr)
		r = -EINVAL;
	else if (find_abstract(a->path, a->len))
		r = -EADDRINUSE;
	else
		bind_addr(u, a, NULL);
	if (r)
		unix_addr_put(a);
	return r;
}

static int unix_getname(struct socket *s, void *addr, bool peer)
{
	struct unix_sock *u = unix_sk(s);
	if (peer) {
		if (!u->peer)
			return -ENOTCONN;
		u = u->peer;
	}
	struct linux_sockaddr_un *sun = addr;
	if (!u->addr) {
		sun->sun_family = AF_UNIX;
		sun->sun_path[0] = 0;
		return 2;
	}
	memcpy(addr, &u->addr->family, u->addr->len);
	return (int)u->addr->len;
}

/* ---- connections ---- */

static void set_peer(struct unix_sock *u, struct unix_sock *peer)
{
	struct unix_sock *old = u->peer;
	u->peer = peer ? usock_get(peer) : NULL;
	if (old)
		unix_sock_put(old);
}

static int unix_listen(struct socket *s, int backlog)
{
	struct unix_sock *u = unix_sk(s);
	if (u->type == SOCK_DGRAM)
		return -EOPNOTSUPP;
	if (!u->addr)
		return -EINVAL;
	if (u->state != UNIX_UNCONNECTED && u->state != UNIX_LISTENING)
		return -EINVAL;
	if (backlog > u->backlog)
		waitq_wake_all(&u->peer_wq);
	u->backlog = backlog;
	u->state = UNIX_LISTENING;
	s->listening = true;
	s->peercred = sock_current_cred();
	return 0;
}

static int stream_connect(struct socket *s, const void *addr, unsigned int len,
			  bool nonblock)
{
	struct unix_sock *u = unix_sk(s);
	int r = check_addr(addr, len);
	if (r)
		return r;
	if (sock_opt(s, SO_PASSCRED) && (r = unix_autobind(u)))
		return r;
	uint64_t deadline = sock_deadline(s, true);
	struct unix_sock *other;
	for (;;) {
		other = unix_find(addr, len, u->type);
		if (IS_ERR(other))
			return (int)PTR_ERR(other);
		r = -ECONNREFUSED;
		if (other->state != UNIX_LISTENING ||
		    (other->shutdown & UNIX_RCV_SHUTDOWN))
			goto out;
		if (other->rx_count <= other->backlog)
			break;
		r = -EAGAIN;
		if (nonblock)
			goto out;
		r = sock_wait_on(&other->peer_wq, deadline);
		unix_sock_put(other);
		if (r)
			return r;
	}
	r = u->state == UNIX_CONNECTED ? -EISCONN : -EINVAL;
	if (u->state != UNIX_UNCONNECTED)
		goto out;
	struct socket *ns = sock_create(AF_UNIX, u->type, s->protocol);
	struct unix_skb *skb = IS_ERR(ns) ? NULL : kzalloc(sizeof(*skb));
	if (!skb) {
		r = IS_ERR(ns) ? (int)PTR_ERR(ns) : -ENOMEM;
		if (!IS_ERR(ns))
			sock_destroy(ns);
		goto out;
	}
	struct unix_sock *nu = unix_sk(ns);
	nu->state = UNIX_CONNECTED;
	nu->embryo = true;
	set_peer(nu, u);
	nu->addr = addr_get(other->addr);
	ns->peercred = sock_current_cred();
	ns->sndbuf = other->sock->sndbuf;
	ns->rcvbuf = other->sock->rcvbuf;
	u->state = UNIX_CONNECTED;
	set_peer(u, nu);
	s->peercred = other->sock->peercred;
	skb->conn = ns;
	list_add_tail(&skb->link, &other->rxq);
	other->rx_count++;
	unix_wake(other, POLLIN);
	r = 0;
out:
	unix_sock_put(other);
	return r;
}

/* Linux's unix_dgram_disconnected: a datagram socket that leaves its peer
 * drops what it had queued; if the peer was connected back, it learns of it. */
static void dgram_disconnected(struct unix_sock *u, struct unix_sock *old)
{
	if (list_empty(&u->rxq))
		return;
	while (!list_empty(&u->rxq)) {
		struct unix_skb *skb = list_first_entry(&u->rxq, struct unix_skb, link);
		list_del(&skb->link);
		unix_skb_free(skb);
	}
	u->rx_bytes = 0;
	u->rx_count = 0;
	waitq_wake_all(&u->peer_wq);
	if (!old->dead && old->peer == u && old->sock) {
		old->sock->error = ECONNRESET;
		unix_wake(old, POLLERR);
	}
}

static int dgram_connect(struct socket *s, const void *addr, unsigned int len,
			 bool nonblock)
{
	struct unix_sock *u = unix_sk(s), *other = NULL;
	(void)nonblock;
	if (len < 2)
		return -EINVAL;
	const struct linux_sockaddr_un *sun = addr;
	if (sun->sun_family != AF_UNSPEC) {
		int r = check_addr(addr, len);
		if (r)
			return r;
		if (sock_opt(s, SO_PASSCRED) && (r = unix_autobind(u)))
			return r;
		other = unix_find(addr, len, u->type);
		if (IS_ERR(other))
			return (int)PTR_ERR(other);
		if (other->peer && other->peer != u) {
			unix_sock_put(other);
			return -EPERM;
		}
	}
	struct unix_sock *old = u->peer ? usock_get(u->peer) : NULL;
	set_peer(u, other);
	u->state = other ? UNIX_CONNECTED : UNIX_UNCONNECTED;
	if (old) {
		if (old != other)
			dgram_disconnected(u, old);
		unix_sock_put(old);
	}
	if (other)
		unix_sock_put(other);
	return 0;
}

static int unix_accept(struct socket *s, struct socket **newsock, bool nonblock)
{
	struct unix_sock *u = unix_sk(s);
	if (u->state != UNIX_LISTENING)
		return -EINVAL;
	uint64_t deadline = sock_deadline(s, false);
	while (list_empty(&u->rxq)) {
		int r = sock_error(s);
		if (r)
			return r;
		if (u->shutdown & UNIX_RCV_SHUTDOWN)
			return -EINVAL;
		if (nonblock)
			return -EAGAIN;
		r = sock_wait(s, deadline);
		if (r)
			return r;
		if (u->state != UNIX_LISTENING)
			return -EINVAL;
	}
	struct unix_skb *skb = list_first_entry(&u->rxq, struct unix_skb, link);
	list_del(&skb->link);
	u->rx_count--;
	struct socket *ns = skb->conn;
	kfree(skb);
	unix_sk(ns)->embryo = false;
	waitq_wake_all(&u->peer_wq);
	uint64_t inherit = (1ULL << SO_PASSCRED) | (1ULL << SO_PASSSEC);
	ns->bool_opts = (ns->bool_opts & ~inherit) | (s->bool_opts & inherit);
	*newsock = ns;
	return 0;
}

static int unix_socketpair(struct socket *a, struct socket *b)
{
	struct unix_sock *ua = unix_sk(a), *ub = unix_sk(b);
	set_peer(ua, ub);
	set_peer(ub, ua);
	ua->state = ub->state = UNIX_CONNECTED;
	a->peercred = b->peercred = sock_current_cred();
	return 0;
}

static int unix_shutdown(struct socket *s, int how)
{
	struct unix_sock *u = unix_sk(s), *other = u->peer;
	unsigned int mode = (unsigned int)how + 1;
	u->shutdown |= mode;
	unix_wake(u, POLLIN | POLLHUP);
	if (other && u->type != SOCK_DGRAM) {
		unsigned int peer_mode = 0;
		if (mode & UNIX_RCV_SHUTDOWN)
			peer_mode |= UNIX_SEND_SHUTDOWN;
		if (mode & UNIX_SEND_SHUTDOWN)
			peer_mode |= UNIX_RCV_SHUTDOWN;
		other->shutdown |= peer_mode;
		unix_wake(other, POLLIN | POLLHUP);
	}
	return 0;
}

/* ---- readiness ---- */

static bool writable(struct unix_sock *u)
{
	return u->state != UNIX_LISTENING && u->wmem * 4 <= (size_t)u->sock->sndbuf;
}

static unsigned int unix_poll(struct socket *s)
{
	struct unix_sock *u = unix_sk(s);
	unsigned int m = 0;
	if (s->error)
		m |= POLLERR;
	if (u->shutdown == UNIX_SHUTDOWN_MASK)
		m |= POLLHUP;
	if (u->shutdown & UNIX_RCV_SHUTDOWN)
		m |= POLLRDHUP | POLLIN | POLLRDNORM;
	if (!list_empty(&u->rxq))
		m |= POLLIN | POLLRDNORM;
	if (u->type == SOCK_STREAM) {
		if (u->state == UNIX_UNCONNECTED)
			m |= POLLHUP;
		if (writable(u))
			m |= POLLOUT | POLLWRNORM | POLLWRBAND;
		return m;
	}
	if (u->type == SOCK_SEQPACKET && u->state == UNIX_UNCONNECTED)
		m |= POLLHUP;
	bool w = writable(u);
	struct unix_sock *other = u->peer;
	if (w && other && other->peer != u && other->rx_count > UNIX_MAX_DGRAM_QLEN)
		w = false;
	if (w)
		m |= POLLOUT | POLLWRNORM | POLLWRBAND;
	return m;
}

static long unix_nread(struct socket *s)
{
	struct unix_sock *u = unix_sk(s);
	if (u->state == UNIX_LISTENING)
		return -EINVAL;
	if (u->type == SOCK_STREAM)
		return (long)u->rx_bytes;
	if (list_empty(&u->rxq))
		return 0;
	return (long)list_first_entry(&u->rxq, struct unix_skb, link)->len;
}

static long unix_ioctl(struct socket *s, unsigned int cmd, unsigned long uarg)
{
	struct unix_sock *u = unix_sk(s);
	if (cmd != SIOCOUTQ)
		return -ENOTTY;
	if (u->state == UNIX_LISTENING)
		return -EINVAL;
	int v = (int)MIN(u->wmem, (size_t)0x7fffffff);
	return copy_to_user(uarg, &v, sizeof(v));
}

/* ---- release ---- */

static void unix_release(struct socket *s)
{
	struct unix_sock *u = unix_sk(s);
	bool embryo = u->embryo;
	enum unix_state state = u->state;
	u->dead = true;
	u->state = UNIX_UNCONNECTED;
	u->shutdown = UNIX_SHUTDOWN_MASK;
	if (u->addr)
		list_del(&u->bound_link);
	if (u->inode) {
		inode_put(u->inode);
		u->inode = NULL;
	}
	struct unix_sock *peer = u->peer;
	u->peer = NULL;
	if (peer) {
		if (u->type != SOCK_DGRAM) {
			peer->shutdown = UNIX_SHUTDOWN_MASK;
			if ((!list_empty(&u->rxq) || embryo) && peer->sock)
				peer->sock->error = ECONNRESET;
			unix_wake(peer, POLLHUP);
		}
		unix_sock_put(peer);
	}
	while (!list_empty(&u->rxq)) {
		struct unix_skb *skb = list_first_entry(&u->rxq, struct unix_skb, link);
		list_del(&skb->link);
		if (state == UNIX_LISTENING)
			sock_destroy(skb->conn);
		unix_skb_free(skb);
	}
	u->rx_bytes = 0;
	u->rx_count = 0;
	waitq_wake_all(&u->peer_wq);
	u->sock = NULL;
	unix_sock_put(u);
}

/* ---- the family ---- */

static int unix_connect(struct socket *s, const void *addr, unsigned int len,
			bool nonblock)
{
	return unix_sk(s)->type == SOCK_DGRAM ? dgram_connect(s, addr, len, nonblock)
					      : stream_connect(s, addr, len, nonblock);
}

static const struct sock_ops unix_stream_ops = {
    .bind = unix_bind,
    .connect = unix_connect,
    .listen = unix_listen,
    .accept = unix_accept,
    .socketpair = unix_socketpair,
    .sendmsg = unix_stream_sendmsg,
    .recvmsg = unix_stream_recvmsg,
    .shutdown = unix_shutdown,
    .getname = unix_getname,
    .poll = unix_poll,
    .ioctl = unix_ioctl,
    .nread = unix_nread,
    .release = unix_release,
};

static const struct sock_ops unix_seqpacket_ops = {
    .bind = unix_bind,
    .connect = unix_connect,
    .listen = unix_listen,
    .accept = unix_accept,
    .socketpair = unix_socketpair,
    .sendmsg = unix_dgram_sendmsg,
    .recvmsg = unix_dgram_recvmsg,
    .shutdown = unix_shutdown,
    .getname = unix_getname,
    .poll = unix_poll,
    .ioctl = unix_ioctl,
    .nread = unix_nread,
    .release = unix_release,
};

static const struct sock_ops unix_dgram_ops = {
    .bind = unix_bind,
    .connect = unix_connect,
    .listen = unix_listen,
    .socketpair = unix_socketpair,
    .sendmsg = unix_dgram_sendmsg,
    .recvmsg = unix_dgram_recvmsg,
    .shutdown = unix_shutdown,
    .getname = unix_getname,
    .poll = unix_poll,
    .ioctl = unix_ioctl,
    .nread = unix_nread,
    .release = unix_release,
};

static int unix_create(struct socket *s, int type, int protocol)
{
	if (protocol && protocol != AF_UNIX)
		return -EPROTONOSUPPORT;
	if (type == SOCK_RAW)
		type = SOCK_DGRAM; /* as Linux does */
	switch (type) {
	case SOCK_STREAM:
		s->ops = &unix_stream_ops;
		break;
	case SOCK_DGRAM:
		s->ops = &unix_dgram_ops;
		s->no_sigpipe = true; /* only stream sends raise SIGPIPE on Linux */
		break;
	case SOCK_SEQPACKET:
		s->ops = &unix_seqpacket_ops;
		s->no_sigpipe = true;
		break;
	default:
		return -ESOCKTNOSUPPORT;
	}
	struct unix_sock *u = kzalloc(sizeof(*u));
	if (!u)
		return -ENOMEM;
	u->refcount = 1;
	u->sock = s;
	u->type = type;
	s->type = type;
	list_init(&u->rxq);
	list_init(&u->bound_link);
	waitq_init(&u->peer_wq);
	s->priv = u;
	return 0;
}

static const struct sock_family unix_family = {AF_UNIX, unix_create};
SOCK_FAMILY_REGISTER(unix_family);
