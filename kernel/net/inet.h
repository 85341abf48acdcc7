/* SPDX-License-Identifier: MIT */
/* AF_INET and AF_INET6 sockets on lwIP's raw API: what inet.c (addresses,
 * the family, IP-level options, the upgrade handover), tcp.c and udp.c share.
 *
 * Every socket of these families has one struct inet_sock (s->priv).  lwIP
 * calls back into it from the net thread or from a syscall that drives lwIP;
 * callbacks only queue, record and wake (inet_event), never sleep.  The pcb
 * pointer is cleared by lwIP's destroy hook (tcp.c) or error callback the
 * moment lwIP frees the pcb, so a non-NULL pcb is always live.
 *
 * A listening socket may be shared by several struct sockets (owners): after
 * `unielf upgrade` the new program's socket adopts the old program's listener
 * (inet_adopt), and both keep it until the last one is released. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <kern/list.h>
#include <lwip/ip_addr.h>
#include "net/socket.h"

struct pbuf;
struct process;
struct tcp_pcb;
struct udp_pcb;

/* TCP socket states, as the socket sees them (lwIP has the fine ones). */
enum inet_state {
	INET_FRESH,	 /* no connection: new, bound, or after a failed connect */
	INET_CONNECTING, /* SYN sent */
	INET_CONNECTED,	 /* established, possibly half closed */
	INET_LISTEN,
	INET_CLOSED, /* the connection ended (reset, timeout, both FINs) */
};

#define INET_MAX_OWNERS 4
#define INET_KEPT_OPTS	17

struct inet_sock {
	/* the sockets that share this one; owners[0] gets errors (SO_ERROR) */
	struct socket *owners[INET_MAX_OWNERS];
	int nowners;
	int family, type;
	bool v6only;
	bool bound;
	enum inet_state state;
	bool connect_pending; /* connect() not yet reported (Linux SS_CONNECTING) */
	bool was_connected;   /* connect() again: EISCONN */
	ip_addr_t local_ip, remote_ip; /* cached: getsockname/getpeername */
	uint16_t local_port, remote_port;
	int err; /* pending error while there is no owner */
	union {
		struct tcp_pcb *tcp;
		struct udp_pcb *udp;
	} pcb;

	/* TCP receive queue: pbufs linked through ->next (tot_len unused) */
	struct pbuf *rx_head, *rx_tail;
	size_t rx_off, rx_bytes;
	bool rx_fin;	       /* the peer's FIN arrived */
	bool shut_rd, shut_wr; /* Linux RCV_SHUTDOWN / SEND_SHUTDOWN */
	bool snd_full;	       /* a writer found no room: wake it on ACKs */

	/* TCP listener: connections lwIP accepted, not yet accept()ed */
	struct list_head acceptq;
	int nqueued;
	struct list_head qlink;	   /* in the listener's acceptq */
	struct process *inherited; /* upgrade: the process that may adopt it */
	bool draining;		   /* upgrade: the old program accepts nothing more */

	/* options kept here so a pcb made later (or accepted) gets them */
	bool nodelay, cork;
	uint8_t tos, ttl;
	uint32_t keep_idle, keep_intvl, keep_cnt; /* seconds, seconds, probes */
	int kept[INET_KEPT_OPTS];		  /* IP options without effect (inet.c) */
	uint32_t kept_set;
	int tcp_kept[9]; /* TCP options without effect (tcp.c) */

	/* UDP: received datagrams */
	struct list_head dgrams;
	size_t dgram_bytes;
	bool udp_connected;
};

static inline struct inet_sock *inet_sk(struct socket *s)
{
	return s->priv;
}

/* ---- inet.c: shared by tcp.c and udp.c */

/* A new inet_sock for family/type, no pcb yet.  NULL when out of memory. */
struct inet_sock *inet_alloc(int family, int type);
/* Adds s as an owner of ins (the first is the primary). */
void inet_attach(struct inet_sock *ins, struct socket *s);
/* Removes s; returns the number of owners left. */
int inet_detach(struct inet_sock *ins, struct socket *s);
/* ins became more ready for events (POLLIN, POLLOUT, POLLERR|POLLHUP), for
 * every owner: stamps edge-triggered epoll's sequences and wakes (sock_ready).
 * Any lwIP callback. */
void inet_event(struct inet_sock *ins, unsigned int events);
/* Records a pending error (positive errno) for SO_ERROR and the next call. */
void inet_set_error(struct inet_sock *ins, int err);
/* Takes the pending error: -errno or 0. */
int inet_take_error(struct inet_sock *ins);

/* A user's sockaddr for ins: fills *ip and *port (host order).  bind selects
 * Linux's bind rules (AF_UNSPEC + INADDR_ANY for AF_INET, v4-mapped refused
 * on a v6only socket with -EINVAL); connect refuses v4-mapped on v6only with
 * -ENETUNREACH.  `::` on a dual-stack socket becomes IP_ANY_TYPE. */
int inet_addr_from(const struct inet_sock *ins, const void *sa, unsigned int len,
		   ip_addr_t *ip, uint16_t *port, bool bind);
/* Writes ip:port as ins's family sees it (v4 on AF_INET6: ::ffff:a.b.c.d);
 * returns the sockaddr's length. */
int inet_addr_to(const struct inet_sock *ins, const ip_addr_t *ip, uint16_t port,
		 void *sa);
/* true when ip may be bound here: any, loopback, an interface's address
 * (multicast too when udp). */
bool inet_addr_local(const ip_addr_t *ip, bool udp);
#define INET_PROT_SOCK 1024 /* ports below it take CAP_NET_BIND_SERVICE */
/* bind()'s checks of ip:port, in Linux's order: 0, -EADDRNOTAVAIL when ip is
 * not inet_addr_local, -EACCES for a port below INET_PROT_SOCK without root's
 * euid. */
int inet_bind_allowed(const ip_addr_t *ip, uint16_t port, bool udp);
/* true when two local addresses (as bound in pcbs) overlap, with Linux's rules
 * for a dual-stack `::` (IPADDR_TYPE_ANY). */
bool inet_addr_overlap(const ip_addr_t *a, const ip_addr_t *b);
/* Linux connects and sends to the local host when given the any address:
 * turns any (v4 or v6) into the loopback address of the same version. */
static inline void inet_any_to_loopback(ip_addr_t *ip)
{
	if (ip_addr_isany(ip))
		ip_addr_set_loopback(!IP_IS_V4_VAL(*ip), ip);
}
/* true when connect()'s sockaddr is AF_UNSPEC: a disconnect, not a connect. */
static inline bool inet_connect_unspec(const void *sa, unsigned int len)
{
	uint16_t family = 0;
	if (len < sizeof(family))
		return false;
	memcpy(&family, sa, sizeof(family));
	return family == AF_UNSPEC;
}
/* Hands lwIP's queued loopback packets to the net thread (net_kick) if any. */
void inet_flush(void);
/* getsockname/getpeername from the cached addresses. */
int inet_getname(struct socket *s, void *addr, bool peer);
/* SOL_IP / SOL_IPV6 options every type shares; -ENOPROTOOPT for the rest. */
int inet_ip_setsockopt(struct socket *s, int level, int name, const void *val,
		       unsigned int len);
int inet_ip_getsockopt(struct socket *s, int level, int name, void *val,
		       unsigned int *len);
/* an int option value: 0 or -EINVAL (len < 4) */
int inet_get_int(const void *val, unsigned int len, int *v);
int inet_put_int(void *val, unsigned int *len, int v);

/* The upgraded process's listener that bind() on ins may adopt, matching
 * family, type, address and port, or NULL. */
struct inet_sock *inet_adoptable(const struct inet_sock *ins, const ip_addr_t *ip,
				 uint16_t port);
/* The upgraded program used an inherited listener's descriptor itself: it
 * is its own now, neither adopted by a bind nor closed at commit. */
void inet_claim(struct inet_sock *ins);
/* s (a fresh socket of the new program) takes over listener l: l gains s as
 * an owner and the new program's descriptors for l's old sockets are closed. */
void inet_adopt(struct socket *s, struct inet_sock *l);

/* ---- tcp.c / udp.c */

extern const struct sock_ops inet_tcp_ops;
extern const struct sock_ops inet_udp_ops;
/* Ends the connection or listener and frees ins, its pcb and queues (abort:
 * with RST).  For the last owner's release, and inet_sock never owned. */
void inet_tcp_free(struct inet_sock *ins, bool abort);
void inet_udp_free(struct inet_sock *ins);
/* Gives pcb the options kept in ins (and SO_REUSEADDR/SO_KEEPALIVE of its
 * first owner); a listening pcb takes only the IP-level ones. */
void inet_tcp_apply_opts(struct inet_sock *ins, struct tcp_pcb *pcb);
/* tcp_opt.c: the ops of options and ioctls */
int inet_tcp_setsockopt(struct socket *s, int level, int name, const void *val,
			unsigned int len);
int inet_tcp_getsockopt(struct socket *s, int level, int name, void *val,
			unsigned int *len);
long inet_tcp_ioctl(struct socket *s, unsigned int cmd, unsigned long uarg);
long inet_tcp_nread(struct socket *s);
/* True when a bind (listen: a listen) of ins to ip:port must be refused
 * because of another TCP socket, by Linux's rules (SO_REUSEADDR does not
 * pass a listener, SO_REUSEPORT on both passes everything, TIME_WAIT is
 * passed with SO_REUSEADDR). */
bool inet_tcp_port_conflict(const struct inet_sock *ins, const ip_addr_t *ip,
			    uint16_t port, bool listen);
