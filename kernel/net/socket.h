/* SPDX-License-Identifier: MIT */
/* The socket layer and the interface a protocol family plugs into
 * (docs/net.md, "The socket layer").
 *
 * A socket is a struct file (on an S_IFSOCK inode of an anonymous file
 * system) whose priv is a struct socket.  The layer (socket.c: sockets and
 * files; sys_socket.c: the calls; sockopt.c: options) owns every socket
 * system call and the file operations: it copies addresses, option values,
 * iovec arrays and control messages between user and kernel (-EFAULT,
 * -EINVAL), applies SOCK_NONBLOCK/SOCK_CLOEXEC and O_NONBLOCK (passed down as
 * MSG_DONTWAIT), raises SIGPIPE on -EPIPE unless MSG_NOSIGNAL, holds the file
 * while a call sleeps, answers the generic SOL_SOCKET options, and calls the
 * family's struct sock_ops for the rest.  Families never see a user pointer
 * except through struct sock_iter.
 *
 * Adding a family (see kernel/net/unix.c):
 *
 *	static int inet_create(struct socket *s, int type, int protocol)
 *	{
 *		s->ops = &inet_stream_ops;   // -ESOCKTNOSUPPORT / -EPROTONOSUPPORT
 *		s->priv = ...;               // freed by ops->release
 *		return 0;
 *	}
 *	static const struct sock_family inet_family = {AF_INET, inet_create};
 *	SOCK_FAMILY_REGISTER(inet_family);
 *
 * Blocking: take sock_deadline() once, sleep on s->wq with sock_wait() until
 * the condition holds, and call sock_ready() whenever the socket becomes more
 * readable or writable or hangs up (it also reaches poll/select/epoll).
 * Everything runs on one CPU and the kernel is not preempted inside a system
 * call; sock_ready/sock_wake may be called from any context, but an
 * interrupt-time producer (a network driver) must otherwise only queue work
 * for a thread, never change a family's state. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <kern/wait.h>
#include <uapi/socket.h>

struct file;
struct socket;

/* The data of one send or receive: an iovec array whose bases are user
 * addresses (the system calls) or kernel addresses (kernel == true: read and
 * write through the file layer, sendfile).  The array itself is always a
 * kernel copy, already checked: every user segment passed access_ok. */
struct sock_iter {
	const struct linux_iovec *iov;
	int cnt;
	int idx;      /* current segment */
	size_t off;   /* offset inside it */
	size_t count; /* bytes left */
	bool kernel;
};

/* Copy n <= it->count bytes out of (from) / into (to) the iterator and
 * advance it.  0, or -EFAULT when a user page is not there (the iterator
 * then stands where the copy stopped). */
int sock_iter_from(struct sock_iter *it, void *dst, size_t n);
int sock_iter_to(struct sock_iter *it, const void *src, size_t n);

/* One sendmsg or recvmsg as a family sees it.  Everything but the data is
 * in kernel memory. */
struct sock_msg {
	struct sock_iter it;
	/* send: the destination (namelen 0: none given);
	 * recv: the family writes the source here and sets namelen (0: none) */
	unsigned char name[SOCKADDR_MAX];
	unsigned int namelen;
	/* send: the user's control messages (controllen bytes, every cmsghdr
	 * length already checked; walk them with sock_cmsg_next);
	 * recv: a buffer of control_cap bytes, filled with sock_put_cmsg,
	 * controllen bytes used so far.  control_cap is 0 when the caller
	 * gave no control buffer at all (Linux then sets MSG_CTRUNC for
	 * anything it would have put there). */
	void *control;
	size_t controllen;
	size_t control_cap;
	/* recv: what the caller sees in msg_flags (MSG_TRUNC, MSG_CTRUNC, MSG_EOR) */
	int flags;
};

/* Send: the control message after prev (NULL: the first), NULL at the end. */
const struct linux_cmsghdr *sock_cmsg_next(const struct sock_msg *m,
					   const struct linux_cmsghdr *prev);
/* Recv: appends one control message, as Linux's put_cmsg: a message that
 * does not fit is cut and MSG_CTRUNC set.  Returns the bytes of data that
 * fit (the caller of SCM_RIGHTS uses sock_cmsg_room first). */
size_t sock_put_cmsg(struct sock_msg *m, int level, int type, const void *data,
		     size_t len);
/* Recv: the data bytes a control message could still carry (0 when even
 * the header does not fit). */
size_t sock_cmsg_room(const struct sock_msg *m);

/* Everything a family implements; any op may be NULL (the layer returns
 * -EOPNOTSUPP, or for poll "nothing ready", for getname -EOPNOTSUPP).
 * Addresses and option values are kernel copies; len <= SOCKADDR_MAX for
 * addresses, <= SOCK_OPT_MAX for options.  flags of sendmsg/recvmsg are the
 * caller's MSG_* flags, with MSG_DONTWAIT added when the file is O_NONBLOCK. */
struct sock_ops {
	int (*bind)(struct socket *s, const void *addr, unsigned int len);
	/* nonblock: O_NONBLOCK (-EINPROGRESS/-EAGAIN instead of waiting) */
	int (*connect)(struct socket *s, const void *addr, unsigned int len,
		       bool nonblock);
	/* backlog already clamped to [0, SOMAXCONN]; sets s->listening */
	int (*listen)(struct socket *s, int backlog);
	/* Waits (unless nonblock) for a connection and returns it in *newsock,
	 * a socket from sock_create that has no file yet; the layer gives it
	 * one (sock_install_fd) or destroys it if that fails. */
	int (*accept)(struct socket *s, struct socket **newsock, bool nonblock);
	/* connects two fresh sockets made by create (socketpair) */
	int (*socketpair)(struct socket *a, struct socket *b);
	/* bytes sent / received, or -errno; -EPIPE makes the layer raise SIGPIPE
	 * unless MSG_NOSIGNAL or s->no_sigpipe */
	long (*sendmsg)(struct socket *s, struct sock_msg *m, int flags);
	long (*recvmsg)(struct socket *s, struct sock_msg *m, int flags);
	/* how is SHUT_RD, SHUT_WR or SHUT_RDWR */
	int (*shutdown)(struct socket *s, int how);
	/* Writes the own (peer false) or the peer's address to addr
	 * (SOCKADDR_MAX bytes of room); returns its length or -errno. */
	int (*getname)(struct socket *s, void *addr, bool peer);
	/* Every level; for SOL_SOCKET called after the layer stored a generic
	 * option (a -ENOPROTOOPT is then ignored).  -ENOPROTOOPT: unknown. */
	int (*setsockopt)(struct socket *s, int level, int name, const void *val,
			  unsigned int len);
	/* Asked first, for every level.  val has SOCK_OPT_MAX bytes of room;
	 * *len is the user's optlen on entry and the value's length on
	 * return (the layer copies out the smaller).  -ENOPROTOOPT: unknown
	 * (SOL_SOCKET then falls back to the generic options). */
	int (*getsockopt)(struct socket *s, int level, int name, void *val,
			  unsigned int *len);
	/* POLL* mask of what would not block now */
	unsigned int (*poll)(struct socket *s);
	/* requests the layer does not answer itself (FIONBIO, FIOCLEX, FIONCLEX,
	 * FIOASYNC and FIONREAD are generic); uarg is a user address */
	long (*ioctl)(struct socket *s, unsigned int cmd, unsigned long uarg);
	/* bytes readable now (FIONREAD/SIOCINQ) */
	long (*nread)(struct socket *s);
	/* The last reference is gone (close, or a never-accepted connection):
	 * disconnect, wake peers, free s->priv.  The layer frees s. */
	void (*release)(struct socket *s);
};

#define SOCK_OPT_MAX 256

struct socket {
	int family, type, protocol; /* type without SOCK_NONBLOCK/SOCK_CLOEXEC */
	const struct sock_ops *ops;
	void *priv;	    /* the family's */
	struct file *file;  /* whose priv this is (not referenced); NULL before */
	struct waitq wq;    /* readers, writers, acceptors, connectors */
	bool listening;	    /* SO_ACCEPTCONN */
	bool no_sigpipe;    /* EPIPE never raises SIGPIPE (AF_UNIX seqpacket) */
	int error;	    /* pending SO_ERROR, a positive errno */
	int sndbuf, rcvbuf; /* bytes, as getsockopt shows them */
	int rcvlowat;
	uint64_t sndtimeo_ns, rcvtimeo_ns; /* SO_SNDTIMEO/SO_RCVTIMEO, 0 = none */
	uint64_t bool_opts;		   /* bit n: boolean SOL_SOCKET option n is on */
	struct linux_linger linger;
	uint32_t mark, priority;
	struct linux_ucred peercred; /* SO_PEERCRED; pid 0 uid/gid -1 when none */
	uint64_t rx_seq,
	    tx_seq; /* poll clock stamps of the last read/write-side events */
};

/* true when boolean SOL_SOCKET option name (SO_PASSCRED, SO_KEEPALIVE,
 * SO_REUSEADDR, SO_BROADCAST, ...) is on */
static inline bool sock_opt(const struct socket *s, int name)
{
	return (s->bool_opts >> name) & 1;
}

struct sock_family {
	int family;
	/* type without flags; sets s->ops and s->priv.  -ESOCKTNOSUPPORT,
	 * -EPROTONOSUPPORT, -ENOMEM.  s->type may be changed (SOCK_RAW) */
	int (*create)(struct socket *s, int type, int protocol);
};

#define SOCK_FAMILY_CAT_(a, b) a##b
#define SOCK_FAMILY_CAT(a, b)  SOCK_FAMILY_CAT_(a, b)
#define SOCK_FAMILY_REGISTER(fam)                                                        \
	static const struct sock_family *const SOCK_FAMILY_CAT(__sock_family_, __LINE__) \
	    __attribute__((used, section(".sock_families"), aligned(8))) = &(fam)

/* A new socket of a registered family (its create hook ran), no file yet.
 * ERR_PTR(-EAFNOSUPPORT, ...). */
struct socket *sock_create(int family, int type, int protocol);
/* Releases a socket that never got a file (ops->release, then free). */
void sock_destroy(struct socket *s);
/* Wraps s in a new file (O_RDWR | flags&O_NONBLOCK) and takes it over: on
 * failure s is destroyed.  ERR_PTR(-ENOMEM). */
struct file *sock_file_alloc(struct socket *s, unsigned int flags);
/* Wraps s in a file and installs it in the current process (flags:
 * SOCK_NONBLOCK, SOCK_CLOEXEC).  The fd, or -errno with s destroyed. */
int sock_install_fd(struct socket *s, int flags);
/* The socket of an open file, or NULL. */
struct socket *sock_from_file(struct file *f);
/* The socket behind fd of the current process (borrowed for the syscall),
 * or ERR_PTR(-EBADF / -ENOTSOCK). */
struct socket *sock_from_fd(int fd);

/* s became MORE ready for events (POLLIN: data, a connection or EOF queued;
 * POLLOUT: room freed; POLLHUP/POLLERR: hang-up or error, both sides):
 * stamps the event for edge-triggered epoll (kern/poll.h), then wakes as
 * sock_wake.  Call it from any producer, before anyone could look. */
void sock_ready(struct socket *s, unsigned int events);
/* State of s changed without making it more ready (a reader consumed
 * data): wakes everyone sleeping on s->wq and every poll/select/epoll
 * sleeper. */
void sock_wake(struct socket *s);
/* The deadline for a call starting now, from SO_SNDTIMEO (send) or
 * SO_RCVTIMEO: monotonic ns, 0 = none. */
uint64_t sock_deadline(const struct socket *s, bool send);
/* Sleeps on s->wq until woken (0: re-check your condition), the deadline
 * (-EAGAIN, as Linux's timeouts), or a signal: -ERESTARTSYS without a
 * timeout (restarted under SA_RESTART), -EINTR with one. */
int sock_wait(struct socket *s, uint64_t deadline);
/* The same on another wait queue (a peer's "room freed" queue). */
int sock_wait_on(struct waitq *wq, uint64_t deadline);
/* Takes the pending error: -errno, or 0. */
int sock_error(struct socket *s);

/* Credentials of the current process, for SO_PEERCRED and SCM_CREDENTIALS. */
struct linux_ucred sock_current_cred(void);
