/* SPDX-License-Identifier: MIT */
/* Inside AF_UNIX: the family's socket, its queued messages, and what
 * kernel/net/unix.c (name space, connections, poll, release) and
 * kernel/net/unix_msg.c (send and receive, SCM_RIGHTS/SCM_CREDENTIALS)
 * share. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <kern/list.h>
#include <kern/wait.h>
#include "net/socket.h"

#define UNIX_RCV_SHUTDOWN   1
#define UNIX_SEND_SHUTDOWN  2
#define UNIX_SHUTDOWN_MASK  3
#define UNIX_MAX_DGRAM_QLEN 10 /* net.unix.max_dgram_qlen */
#define UNIX_SKB_OVERHEAD                                                                \
	512 /* charged per message besides its data, as skb truesize                     \
	     */

struct inode;
struct file;

/* A bound name: the sockaddr_un as getsockname returns it (len bytes).
 * Shared, reference counted: an accepted socket shows its listener's name. */
struct unix_addr {
	int refcount;
	unsigned int len;
	uint16_t family;
	char path[UNIX_PATH_MAX + 2]; /* a 108-byte path keeps its NUL here */
};

enum unix_state { UNIX_UNCONNECTED, UNIX_LISTENING, UNIX_CONNECTED };

struct unix_sock {
	int refcount;	     /* the socket, each peer pointer, each message it sent */
	struct socket *sock; /* NULL once released */
	int type;
	enum unix_state state;
	bool dead;		     /* released */
	bool embryo;		     /* a server end not accepted yet */
	unsigned int shutdown;	     /* UNIX_RCV_SHUTDOWN | UNIX_SEND_SHUTDOWN */
	struct unix_addr *addr;	     /* bound name, or NULL */
	struct inode *inode;	     /* the S_IFSOCK inode of a path name (referenced) */
	struct list_head bound_link; /* in the list of bound sockets */
	struct unix_sock *peer;	     /* referenced */
	struct list_head rxq; /* struct unix_skb: data, or connections of a listener */
	size_t rx_bytes;      /* data bytes queued, not yet consumed */
	int rx_count;	      /* messages (connections) queued */
	int backlog;
	size_t wmem;	      /* bytes charged for what it sent, still queued */
	struct waitq peer_wq; /* senders and connectors waiting for room in rxq */
};

/* A queued message.  Stream data is consumed from off on; a listener's queue
 * holds connections (conn) instead. */
struct unix_skb {
	struct list_head link;
	struct unix_sock *from; /* the sender (referenced; charged charge) */
	size_t charge;
	struct unix_addr *addr; /* the sender's name when sent, or NULL */
	struct linux_ucred cred;
	struct file **fps; /* SCM_RIGHTS in flight (each referenced) */
	int nfp;
	struct socket *conn; /* listener queue: the server end of a connection */
	size_t len, off;
	char data[];
};

static inline struct unix_sock *unix_sk(struct socket *s)
{
	return s->priv;
}

/* unix.c */
void unix_sock_put(struct unix_sock *u);
void unix_addr_put(struct unix_addr *a);
/* u became more ready for events (sock_ready) if it still has a socket,
 * and whoever waits for room in its queue may look again */
void unix_wake(struct unix_sock *u, unsigned int events);
/* Checks a sockaddr_un (-EINVAL) and finds the socket bound to it:
 * referenced, or ERR_PTR(-ENOENT, -ECONNREFUSED, -EPROTOTYPE, ...). */
struct unix_sock *unix_find(const void *addr, unsigned int len, int type);
/* The list of bound sockets (struct unix_sock.bound_link), for /proc/net/unix. */
struct list_head *unix_bound_list(void);
/* Binds an unbound socket to a fresh abstract name "\0XXXXX": 0 or -errno. */
int unix_autobind(struct unix_sock *u);

/* unix_msg.c */
long unix_stream_sendmsg(struct socket *s, struct sock_msg *m, int flags);
long unix_stream_recvmsg(struct socket *s, struct sock_msg *m, int flags);
long unix_dgram_sendmsg(struct socket *s, struct sock_msg *m, int flags);
long unix_dgram_recvmsg(struct socket *s, struct sock_msg *m, int flags);
/* Unlinks nothing; frees a message taken off a queue: drops its files,
 * returns its charge to the sender and wakes it. */
void unix_skb_free(struct unix_skb *skb);
