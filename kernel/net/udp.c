// SPDX-License-Identifier: MIT
/* UDP sockets (AF_INET, AF_INET6) on lwIP's raw API, with Linux's semantics:
 * datagrams keep their boundaries and their source address in a queue
 * bounded by SO_RCVBUF (what does not fit is dropped, as on Linux), a
 * short read truncates (MSG_TRUNC), connect() fixes the peer and filters
 * what arrives, and an ICMP "port unreachable" for what a connected socket
 * sent becomes ECONNREFUSED.  Addresses and IP-level options are inet.c's. */
#include <string.h>
#include <kern/err.h>
#include <kern/heap.h>
#include <lwip/icmp.h>
#include <lwip/icmp6.h>
#include <lwip/ip.h>
#include <lwip/pbuf.h>
#include <lwip/raw.h>
#include <lwip/udp.h>
#include <uapi/errno.h>
#include <uapi/in.h>
#include <uapi/poll.h>
#include "net/inet.h"

#define DGRAM_OVERHEAD 256 /* charged per datagram against SO_RCVBUF */

struct dgram {
	struct list_head link;
	struct pbuf *p;
	ip_addr_t from;
	uint16_t port;
};

static void recv_cb(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *addr,
		    u16_t port)
{
	struct inet_sock *ins = arg;
	size_t cost = (size_t)p->tot_len + DGRAM_OVERHEAD;
	size_t limit = ins && ins->nowners ? (size_t)ins->owners[0]->rcvbuf : 0;
	struct dgram *d =
	    ins && ins->dgram_bytes + cost <= limit ? kmalloc(sizeof(*d)) : NULL;
	if (!d) {
		pbuf_free(p); /* the receive buffer is full: dropped */
		return;
	}
	d->p = p;
	ip_addr_copy(d->from, *addr);
	d->port = port;
	list_add_tail(&d->link, &ins->dgrams);
	ins->dgram_bytes += cost;
	inet_event(ins, POLLIN);
}

/* ---- ICMP errors: Linux reports "port unreachable" to a connected socket */

static void port_unreachable(bool v6, const uint8_t *src, const uint8_t *dst,
			     uint16_t sport, uint16_t dport)
{
	for (struct udp_pcb *pcb = udp_pcbs; pcb; pcb = pcb->next) {
		struct inet_sock *ins = pcb->recv == recv_cb ? pcb->recv_arg : NULL;
		if (!ins || !ins->udp_connected || pcb->local_port != sport ||
		    pcb->remote_port != dport || IP_IS_V6_VAL(pcb->remote_ip) != v6)
			continue;
		if (v6 ? memcmp(ip_2_ip6(&pcb->remote_ip)->addr, dst, 16)
		       : memcmp(&ip_2_ip4(&pcb->remote_ip)->addr, dst, 4))
			continue;
		(void)src;
		inet_set_error(ins, ECONNREFUSED);
		inet_event(ins, POLLERR);
	}
}

/* Sees every ICMP and ICMPv6 packet before lwIP's own handler (returns 0:
 * not eaten).  p starts at the IP header. */
static u8_t icmp_cb(void *arg, struct raw_pcb *rpcb, struct pbuf *p,
		    const ip_addr_t *addr)
{
	uint8_t b[160];
	u16_t n = pbuf_copy_partial(p, b, sizeof(b), 0);
	if (n < 20)
		return 0;
	if ((b[0] >> 4) == 4) {
		unsigned int ihl = (b[0] & 0xfu) * 4;
		const uint8_t *icmp = b + ihl, *in = icmp + 8;
		if (ihl < 20 || ihl + 8 + 20 > n || icmp[0] != ICMP_DUR ||
		    icmp[1] != ICMP_DUR_PORT)
			return 0;
		unsigned int ihl2 = (in[0] & 0xfu) * 4;
		if (ihl2 < 20 || in[9] != IP_PROTO_UDP || ihl + 8 + ihl2 + 4 > n)
			return 0;
		const uint8_t *u = in + ihl2;
		port_unreachable(false, in + 12, in + 16, (uint16_t)(u[0] << 8 | u[1]),
				 (uint16_t)(u[2] << 8 | u[3]));
	} else if ((b[0] >> 4) == 6) {
		const uint8_t *icmp = b + 40, *in = icmp + 8, *u = in + 40;
		if (n < 40 + 8 + 40 + 4 || b[6] != IP6_NEXTH_ICMP6 ||
		    icmp[0] != ICMP6_TYPE_DUR || icmp[1] != ICMP6_DUR_PORT ||
		    in[6] != IP6_NEXTH_UDP)
			return 0;
		port_unreachable(true, in + 8, in + 24, (uint16_t)(u[0] << 8 | u[1]),
				 (uint16_t)(u[2] << 8 | u[3]));
	}
	return 0;
}

static void watch_icmp(void)
{
	static bool watching;
	if (watching)
		return;
	struct raw_pcb *v4 = raw_new_ip_type(IPADDR_TYPE_V4, IP_PROTO_ICMP);
	struct raw_pcb *v6 = raw_new_ip_type(IPADDR_TYPE_V6, IP6_NEXTH_ICMP6);
	if (v4)
		raw_recv(v4, icmp_cb, NULL);
	if (v6)
		raw_recv(v6, icmp_cb, NULL);
	watching = v4 && v6;
}

static int make_pcb(struct inet_sock *ins)
{
	if (ins->pcb.udp)
		return 0;
	u8_t type = ins->family == AF_INET ? IPADDR_TYPE_V4
		    : ins->v6only	   ? IPADDR_TYPE_V6
					   : IPADDR_TYPE_ANY;
	struct udp_pcb *pcb = udp_new_ip_type(type);
	if (!pcb)
		return -ENOMEM;
	watch_icmp();
	pcb->tos = ins->tos;
	pcb->ttl = ins->ttl;
	udp_recv(pcb, recv_cb, ins);
	ins->pcb.udp = pcb;
	return 0;
}

static void set_reuse(struct socket *s, struct udp_pcb *pcb)
{
	/* lwIP lets two pcbs share a port when both have SOF_REUSEADDR: what
	 * Linux allows for SO_REUSEADDR or SO_REUSEPORT on both */
	if (sock_opt(s, SO_REUSEADDR) || sock_opt(s, SO_REUSEPORT))
		ip_set_option(pcb, SOF_REUSEADDR);
	else
		ip_reset_option(pcb, SOF_REUSEADDR);
	if (sock_opt(s, SO_BROADCAST))
		ip_set_option(pcb, SOF_BROADCAST);
	else
		ip_reset_option(pcb, SOF_BROADCAST);
}

static void cache_local(struct inet_sock *ins)
{
	ins->bound = true;
	ip_addr_copy(ins->local_ip, ins->pcb.udp->local_ip);
	ins->local_port = ins->pcb.udp->local_port;
}

static int udp_errno(err_t e)
{
	switch (e) {
	case ERR_OK:
		return 0;
	case ERR_USE:
		return -EADDRINUSE;
	case ERR_RTE:
		return -ENETUNREACH;
	case ERR_MEM:
	case ERR_BUF:
		return -ENOBUFS;
	case ERR_VAL:
		return -EAFNOSUPPORT;
	default:
		return -EINVAL;
	}
}

static int udp_bind_op(struct socket *s, const void *addr, unsigned int len)
{
	struct inet_sock *ins = inet_sk(s);
	ip_addr_t ip;
	uint16_t port;
	int r = inet_addr_from(ins, addr, len, &ip, &port, true);
	if (r)
		return r;
	if (ins->bound)
		return -EINVAL;
	r = inet_bind_allowed(&ip, port, true);
	if (r)
		return r;
	bool reuse = sock_opt(s, SO_REUSEADDR) || sock_opt(s, SO_REUSEPORT);
	for (struct udp_pcb *c = udp_pcbs; port && c; c = c->next)
		if (c->local_port == port && inet_addr_overlap(&c->local_ip, &ip) &&
		    !(reuse && ip_get_option(c, SOF_REUSEADDR)))
			return -EADDRINUSE;
	r = make_pcb(ins);
	if (r)
		return r;
	set_reuse(s, ins->pcb.udp);
	err_t e = udp_bind(ins->pcb.udp, &ip, port);
	if (e != ERR_OK)
		return udp_errno(e);
	cache_local(ins);
	return 0;
}

static int udp_connect_op(struct socket *s, const void *addr, unsigned int len,
			  bool nonblock)
{
	struct inet_sock *ins = inet_sk(s);
	if (inet_connect_unspec(addr, len)) {
		if (ins->pcb.udp)
			udp_disconnect(ins->pcb.udp);
		ins->udp_connected = false;
		return 0;
	}
	ip_addr_t ip;
	uint16_t port;
	int r = inet_addr_from(ins, addr, len, &ip, &port, false);
	if (r)
		return r;
	inet_any_to_loopback(&ip);
	r = make_pcb(ins);
	if (r)
		return r;
	struct udp_pcb *pcb = ins->pcb.udp;
	set_reuse(s, pcb);
	err_t e = udp_connect(pcb, &ip, port);
	if (e != ERR_OK)
		return udp_errno(e);
	cache_local(ins);
	/* Linux reports the source address the route picks */
	if (ip_addr_isany(&ins->local_ip)) {
		struct netif *nif = ip_route(&pcb->local_ip, &ip);
		const ip_addr_t *src = nif ? ip_netif_get_local_ip(nif, &ip) : NULL;
		if (src)
			ip_addr_copy(ins->local_ip, *src);
	}
	ip_addr_copy(ins->remote_ip, ip);
	ins->remote_port = port;
	ins->udp_connected = true;
	return 0;
}

static long udp_sendmsg_op(struct socket *s, struct sock_msg *m, int flags)
{
	struct inet_sock *ins = inet_sk(s);
	ip_addr_t ip;
	uint16_t port;
	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (m->namelen) {
		int r = inet_addr_from(ins, m->name, m->namelen, &ip, &port, false);
		if (r)
			return r;
		if (!port)
			return -EINVAL;
		inet_any_to_loopback(&ip);
	} else if (ins->udp_connected) {
		ip_addr_copy(ip, ins->remote_ip);
		port = ins->remote_port;
	} else {
		return -EDESTADDRREQ;
	}
	if (ins->shut_wr)
		return -EPIPE;
	int err = inet_take_error(ins); /* an ICMP error is reported once */
	if (err)
		return err;
	size_t len = m->it.count;
	/* IPv4: 65535 minus the headers; IPv6 would allow 65527, but lwIP's
	 * pbufs count in 16 bits, headers included */
	if (len > (IP_IS_V4_VAL(ip) ? 65507u : 65487u))
		return -EMSGSIZE;
	if (IP_IS_V4_VAL(ip) && !sock_opt(s, SO_BROADCAST)) {
		u32_t a = ip4_addr_get_u32(ip_2_ip4(&ip));
		if (a == IPADDR_BROADCAST ||
		    (netif_default && ip4_addr_isbroadcast_u32(a, netif_default)))
			return -EACCES;
	}
	int r = make_pcb(ins);
	if (r)
		return r;
	struct udp_pcb *pcb = ins->pcb.udp;
	struct pbuf *p = pbuf_alloc(PBUF_TRANSPORT, (u16_t)len, PBUF_RAM);
	if (!p)
		return -ENOBUFS;
	if (len && sock_iter_from(&m->it, p->payload, len)) {
		pbuf_free(p);
		return -EFAULT;
	}
	if (!pcb->local_port)
		set_reuse(s, pcb);
	err_t e = udp_sendto(pcb, p, &ip, port);
	pbuf_free(p);
	if (!ins->bound && pcb->local_port)
		cache_local(ins); /* udp_sendto bound it to an ephemeral port */
	inet_flush();
	if (e != ERR_OK)
		return udp_errno(e);
	return (long)len;
}

/* Copies up to n bytes of chain p to it; 0 or -EFAULT. */
static int copy_chain(struct sock_iter *it, const struct pbuf *p, size_t n)
{
	for (; p && n; p = p->next) {
		size_t c = MIN((size_t)p->len, n);
		if (sock_iter_to(it, p->payload, c))
			return -EFAULT;
		n -= c;
	}
	return 0;
}

static void drop_first(struct inet_sock *ins)
{
	struct dgram *d = list_first_entry(&ins->dgrams, struct dgram, link);
	list_del(&d->link);
	ins->dgram_bytes -= (size_t)d->p->tot_len + DGRAM_OVERHEAD;
	pbuf_free(d->p);
	kfree(d);
}

static long udp_recvmsg_op(struct socket *s, struct sock_msg *m, int flags)
{
	struct inet_sock *ins = inet_sk(s);
	uint64_t deadline = sock_deadline(s, false);
	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	while (list_empty(&ins->dgrams)) {
		int e = inet_take_error(ins);
		if (e)
			return e;
		if (ins->shut_rd)
			return 0;
		if (flags & MSG_DONTWAIT)
			return -EAGAIN;
		int r = sock_wait(s, deadline);
		if (r)
			return r;
		ins = inet_sk(s);
	}
	struct dgram *d = list_first_entry(&ins->dgrams, struct dgram, link);
	size_t dlen = d->p->tot_len, n = MIN(dlen, m->it.count);
	if (copy_chain(&m->it, d->p, n))
		return -EFAULT;
	if (n < dlen)
		m->flags |= MSG_TRUNC;
	m->namelen = (unsigned int)inet_addr_to(ins, &d->from, d->port, m->name);
	if (!(flags & MSG_PEEK))
		drop_first(ins);
	return (long)((flags & MSG_TRUNC) ? dlen : n);
}

static unsigned int udp_poll_op(struct socket *s)
{
	struct inet_sock *ins = inet_sk(s);
	unsigned int m = POLLOUT | POLLWRNORM | POLLWRBAND;
	if (!list_empty(&ins->dgrams))
		m |= POLLIN | POLLRDNORM;
	if (ins->shut_rd)
		m |= POLLIN | POLLRDNORM | POLLRDHUP;
	if (ins->shut_rd && ins->shut_wr)
		m |= POLLHUP;
	if ((ins->nowners && ins->owners[0]->error) || ins->err)
		m |= POLLERR;
	return m;
}

static int udp_shutdown_op(struct socket *s, int how)
{
	struct inet_sock *ins = inet_sk(s);
	if (how != SHUT_WR)
		ins->shut_rd = true;
	if (how != SHUT_RD)
		ins->shut_wr = true;
	inet_event(ins, POLLIN | POLLOUT);
	return ins->udp_connected ? 0 : -ENOTCONN; /* Linux sets the flags either way */
}

static int udp_setsockopt_op(struct socket *s, int level, int name, const void *val,
			     unsigned int len)
{
	struct inet_sock *ins = inet_sk(s);
	if (level == SOL_SOCKET) {
		if (ins->pcb.udp && (name == SO_REUSEADDR || name == SO_REUSEPORT ||
				     name == SO_BROADCAST))
			set_reuse(s, ins->pcb.udp);
		return -ENOPROTOOPT;
	}
	if (level == SOL_UDP)
		return -ENOPROTOOPT;
	return inet_ip_setsockopt(s, level, name, val, len);
}

static int udp_getsockopt_op(struct socket *s, int level, int name, void *val,
			     unsigned int *len)
{
	if (level == SOL_SOCKET || level == SOL_UDP)
		return -ENOPROTOOPT;
	return inet_ip_getsockopt(s, level, name, val, len);
}

static long udp_nread_op(struct socket *s)
{
	struct inet_sock *ins = inet_sk(s);
	if (list_empty(&ins->dgrams))
		return 0;
	return list_first_entry(&ins->dgrams, struct dgram, link)->p->tot_len;
}

void inet_udp_free(struct inet_sock *ins)
{
	if (ins->pcb.udp)
		udp_remove(ins->pcb.udp);
	while (!list_empty(&ins->dgrams))
		drop_first(ins);
	kfree(ins);
}

static void udp_release(struct socket *s)
{
	struct inet_sock *ins = inet_sk(s);
	s->priv = NULL;
	if (ins && !inet_detach(ins, s))
		inet_udp_free(ins);
}

const struct sock_ops inet_udp_ops = {
    .bind = udp_bind_op,
    .connect = udp_connect_op,
    .sendmsg = udp_sendmsg_op,
    .recvmsg = udp_recvmsg_op,
    .shutdown = udp_shutdown_op,
    .getname = inet_getname,
    .setsockopt = udp_setsockopt_op,
    .getsockopt = udp_getsockopt_op,
    .poll = udp_poll_op,
    .nread = udp_nread_op,
    .release = udp_release,
};
