// SPDX-License-Identifier: MIT
/* The AF_INET and AF_INET6 families: socket creation, the translation between
 * Linux's sockaddr_in/sockaddr_in6 and lwIP's ip_addr_t (v4-mapped addresses
 * for dual-stack AF_INET6 sockets), the IP-level options both protocols
 * share, and the handover of listening sockets to the program `unielf
 * upgrade` starts.  TCP is tcp.c, UDP is udp.c; the socket system calls are
 * socket.c's. */
#include <string.h>
#include <kern/cred.h>
#include <kern/err.h>
#include <kern/file.h>
#include <kern/heap.h>
#include <kern/proc.h>
#include <lwip/ip.h>
#include <lwip/netif.h>
#include <uapi/errno.h>
#include <uapi/in.h>
#include "fs/sysutil.h"
#include "net/inet.h"
#include "net/net.h"

/* ---- the inet_sock and its owners */

struct inet_sock *inet_alloc(int family, int type)
{
	struct inet_sock *ins = kzalloc(sizeof(*ins));
	if (!ins)
		return NULL;
	ins->family = family;
	ins->type = type;
	ins->ttl = 64;
	ins->keep_idle = 7200; /* Linux's tcp_keepalive_time, _intvl, _probes */
	ins->keep_intvl = 75;
	ins->keep_cnt = 9;
	list_init(&ins->acceptq);
	list_init(&ins->qlink);
	list_init(&ins->dgrams);
	return ins;
}

void inet_attach(struct inet_sock *ins, struct socket *s)
{
	if (ins->nowners < INET_MAX_OWNERS)
		ins->owners[ins->nowners++] = s;
	s->priv = ins;
}

int inet_detach(struct inet_sock *ins, struct socket *s)
{
	for (int i = 0; i < ins->nowners; i++) {
		if (ins->owners[i] != s)
			continue;
		memmove(&ins->owners[i], &ins->owners[i + 1],
			(size_t)(ins->nowners - i - 1) * sizeof(ins->owners[0]));
		ins->nowners--;
		break;
	}
	return ins->nowners;
}

void inet_event(struct inet_sock *ins, unsigned int events)
{
	for (int i = 0; i < ins->nowners; i++)
		sock_ready(ins->owners[i], events);
}

void inet_set_error(struct inet_sock *ins, int err)
{
	if (ins->nowners)
		ins->owners[0]->error = err;
	else
		ins->err = err;
}

int inet_take_error(struct inet_sock *ins)
{
	if (ins->nowners)
		return sock_error(ins->owners[0]);
	int e = ins->err;
	ins->err = 0;
	return -e;
}

void inet_flush(void)
{
	/* Delivered here, in the sender's system call, as Linux's loopback does:
	 * handing them to the net thread costs two context switches a round
	 * trip (measured: 2-3x fewer MB/s and connections/s). */
	struct netif *n;
	for (int round = 0; round < 64; round++) {
		bool more = false;
		NETIF_FOREACH(n)
		{
			if (n->loop_first) {
				netif_poll(n);
				more = true;
			}
		}
		if (!more) {
			net_timers_armed();
			return;
		}
	}
	net_kick(); /* a long exchange: the net thread finishes it */
}

/* ---- addresses */

static const uint8_t v4mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

int inet_addr_from(const struct inet_sock *ins, const void *sa, unsigned int len,
		   ip_addr_t *ip, uint16_t *port, bool bind)
{
	uint16_t family;
	if (len < sizeof(family))
		return -EINVAL;
	memcpy(&family, sa, sizeof(family));
	if (ins->family == AF_INET) {
		struct linux_sockaddr_in in;
		if (len < sizeof(in))
			return -EINVAL;
		memcpy(&in, sa, sizeof(in));
		if (family != AF_INET &&
		    !(bind && family == AF_UNSPEC && in.sin_addr == 0))
			return -EAFNOSUPPORT;
		ip_addr_set_ip4_u32_val(*ip, in.sin_addr);
		*port = lwip_ntohs(in.sin_port);
		return 0;
	}
	struct linux_sockaddr_in6 in6 = {0};
	if (len < SIN6_LEN_RFC2133)
		return -EINVAL;
	memcpy(&in6, sa, len < sizeof(in6) ? len : sizeof(in6));
	if (family != AF_INET6)
		return -EAFNOSUPPORT;
	*port = lwip_ntohs(in6.sin6_port);
	if (!memcmp(in6.sin6_addr, v4mapped_prefix, sizeof(v4mapped_prefix))) {
		if (ins->v6only)
			return bind ? -EINVAL : -ENETUNREACH;
		uint32_t v4;
		memcpy(&v4, in6.sin6_addr + 12, sizeof(v4));
		ip_addr_set_ip4_u32_val(*ip, v4);
		return 0;
	}
	uint32_t w[4];
	memcpy(w, in6.sin6_addr, sizeof(w));
	if (!(w[0] | w[1] | w[2] | w[3]) && !ins->v6only) {
		*ip = *IP_ANY_TYPE; /* `::` of a dual-stack socket: v4 and v6 */
		return 0;
	}
	IP_ADDR6(ip, w[0], w[1], w[2], w[3]);
	if (in6.sin6_scope_id && ip6_addr_has_scope(ip_2_ip6(ip), IP6_UNKNOWN))
		ip6_addr_set_zone(ip_2_ip6(ip), (u8_t)in6.sin6_scope_id);
	return 0;
}

int inet_addr_to(const struct inet_sock *ins, const ip_addr_t *ip, uint16_t port,
		 void *sa)
{
	if (ins->family == AF_INET) {
		struct linux_sockaddr_in in = {.sin_family = AF_INET,
					       .sin_port = lwip_htons(port)};
		if (IP_IS_V4_VAL(*ip))
			in.sin_addr = ip4_addr_get_u32(ip_2_ip4(ip));
		memcpy(sa, &in, sizeof(in));
		return sizeof(in);
	}
	struct linux_sockaddr_in6 in6 = {.sin6_family = AF_INET6,
					 .sin6_port = lwip_htons(port)};
	if (IP_IS_V4_VAL(*ip)) {
		uint32_t v4 = ip4_addr_get_u32(ip_2_ip4(ip));
		memcpy(in6.sin6_addr, v4mapped_prefix, sizeof(v4mapped_prefix));
		memcpy(in6.sin6_addr + 12, &v4, sizeof(v4));
	} else if (IP_IS_V6_VAL(*ip)) {
		memcpy(in6.sin6_addr, ip_2_ip6(ip)->addr, sizeof(in6.sin6_addr));
		if (ip6_addr_has_zone(ip_2_ip6(ip)))
			in6.sin6_scope_id = ip6_addr_zone(ip_2_ip6(ip));
	}
	memcpy(sa, &in6, sizeof(in6));
	return sizeof(in6);
}

bool inet_addr_local(const ip_addr_t *ip, bool udp)
{
	if (ip_addr_isany(ip) || (udp && ip_addr_ismulticast(ip)))
		return true;
	struct netif *n;
	NETIF_FOREACH(n)
	{
		if (IP_IS_V4_VAL(*ip) && ip4_addr_cmp(netif_ip4_addr(n), ip_2_ip4(ip)))
			return true;
		if (IP_IS_V6_VAL(*ip) && netif_get_ip6_addr_match(n, ip_2_ip6(ip)) >= 0)
			return true;
	}
	return false;
}

int inet_bind_allowed(const ip_addr_t *ip, uint16_t port, bool udp)
{
	if (!inet_addr_local(ip, udp))
		return -EADDRNOTAVAIL;
	/* ip_unprivileged_port_start is 1024; CAP_NET_BIND_SERVICE follows the euid */
	if (port && port < INET_PROT_SOCK && !cred_capable(cred_current()))
		return -EACCES;
	return 0;
}

bool inet_addr_overlap(const ip_addr_t *a, const ip_addr_t *b)
{
	/* a dual-stack `::` covers everything; otherwise only the same version */
	if (IP_IS_ANY_TYPE_VAL(*a) || IP_IS_ANY_TYPE_VAL(*b))
		return true;
	if (IP_GET_TYPE(a) != IP_GET_TYPE(b))
		return false;
	return ip_addr_isany(a) || ip_addr_isany(b) || ip_addr_cmp(a, b);
}

int inet_getname(struct socket *s, void *addr, bool peer)
{
	struct inet_sock *ins = inet_sk(s);
	inet_claim(ins);
	if (!peer) {
		const ip_addr_t *ip = &ins->local_ip;
		uint16_t port = ins->local_port;
		if (!ins->bound) {
			ip = ins->family == AF_INET ? IP4_ADDR_ANY : IP6_ADDR_ANY;
			port = 0;
		}
		return inet_addr_to(ins, ip, port, addr);
	}
	bool connected =
	    ins->type == SOCK_STREAM ? ins->state == INET_CONNECTED : ins->udp_connected;
	if (!connected)
		return -ENOTCONN;
	return inet_addr_to(ins, &ins->remote_ip, ins->remote_port, addr);
}

/* ---- options */

int inet_get_int(const void *val, unsigned int len, int *v)
{
	if (len < sizeof(int)) {
		if (len < 1)
			return -EINVAL;
		*v = *(const uint8_t *)val; /* Linux takes a char for IP options */
		return 0;
	}
	memcpy(v, val, sizeof(int));
	return 0;
}

int inet_put_int(void *val, unsigned int *len, int v)
{
	memcpy(val, &v, sizeof(v));
	*len = sizeof(v);
	return 0;
}

static struct ip_pcb *ip_pcb_of(struct inet_sock *ins)
{
	/* IP_PCB is the first member of both pcbs */
	return ins->type == SOCK_STREAM ? (struct ip_pcb *)(void *)ins->pcb.tcp
					: (struct ip_pcb *)(void *)ins->pcb.udp;
}

/* Options accepted and remembered but without effect here, with the value a
 * fresh Linux socket reports. */
static const struct {
	int level, name, dflt;
} ip_kept[INET_KEPT_OPTS] = {
    {SOL_IP, IP_RECVERR, 0},
    {SOL_IP, IP_PKTINFO, 0},
    {SOL_IP, IP_FREEBIND, 0},
    {SOL_IP, IP_TRANSPARENT, 0},
    {SOL_IP, IP_BIND_ADDRESS_NO_PORT, 0},
    {SOL_IP, IP_RECVTOS, 0},
    {SOL_IP, IP_RECVTTL, 0},
    {SOL_IP, IP_MULTICAST_LOOP, 1},
    {SOL_IP, IP_MTU_DISCOVER, 1},
    {SOL_IP, IP_MULTICAST_TTL, 1},
    {SOL_IPV6, IPV6_RECVERR, 0},
    {SOL_IPV6, IPV6_RECVPKTINFO, 0},
    {SOL_IPV6, IPV6_MTU_DISCOVER, 1},
    {SOL_IPV6, IPV6_MULTICAST_LOOP, 1},
    {SOL_IPV6, IPV6_MULTICAST_HOPS, 1},
    {SOL_IPV6, IPV6_UNICAST_HOPS, 64},
    {SOL_IPV6, IPV6_TCLASS, 0},
};

static int kept_index(int level, int name)
{
	for (int i = 0; i < INET_KEPT_OPTS; i++)
		if (ip_kept[i].level == level && ip_kept[i].name == name &&
		    ip_kept[i].name)
			return i;
	return -1;
}

int inet_ip_setsockopt(struct socket *s, int level, int name, const void *val,
		       unsigned int len)
{
	struct inet_sock *ins = inet_sk(s);
	struct ip_pcb *pcb = ip_pcb_of(ins);
	int v;
	if (level == SOL_IPV6 && ins->family != AF_INET6)
		return -ENOPROTOOPT;
	if (level != SOL_IP && level != SOL_IPV6)
		return -ENOPROTOOPT;
	int r = inet_get_int(val, len, &v);
	if (r)
		return r;
	if (level == SOL_IP && name == IP_TOS) {
		ins->tos = (uint8_t)v;
		if (pcb)
			pcb->tos = ins->tos;
		return 0;
	}
	if (level == SOL_IP && name == IP_TTL) {
		if (v == -1)
			v = 64;
		if (v < 1 || v > 255)
			return -EINVAL;
		ins->ttl = (uint8_t)v;
		if (pcb)
			pcb->ttl = ins->ttl;
		return 0;
	}
	if (level == SOL_IPV6 && name == IPV6_V6ONLY) {
		if (ins->bound)
			return -EINVAL;
		ins->v6only = v != 0;
		return 0;
	}
	int i = kept_index(level, name);
	if (i < 0)
		return -ENOPROTOOPT;
	ins->kept[i] = v;
	ins->kept_set |= 1u << i;
	return 0;
}

int inet_ip_getsockopt(struct socket *s, int level, int name, void *val,
		       unsigned int *len)
{
	struct inet_sock *ins = inet_sk(s);
	if (level == SOL_IPV6 && ins->family != AF_INET6)
		return -ENOPROTOOPT;
	if (level == SOL_IP && name == IP_TOS)
		return inet_put_int(val, len, ins->tos);
	if (level == SOL_IP && name == IP_TTL)
		return inet_put_int(val, len, ins->ttl);
	if (level == SOL_IPV6 && name == IPV6_V6ONLY)
		return inet_put_int(val, len, ins->v6only);
	int i = kept_index(level, name);
	if (i < 0)
		return -ENOPROTOOPT;
	return inet_put_int(val, len,
			    (ins->kept_set >> i) & 1 ? ins->kept[i] : ip_kept[i].dflt);
}

/* ---- the families */

static int inet_create(struct socket *s, int type, int protocol)
{
	const struct sock_ops *ops;
	if (type == SOCK_STREAM) {
		if (protocol && protocol != IPPROTO_TCP)
			return -EPROTONOSUPPORT;
		ops = &inet_tcp_ops;
		s->protocol = IPPROTO_TCP;
		s->sndbuf = 16384; /* Linux's tcp_wmem[1] and tcp_rmem[1] */
		s->rcvbuf = 131072;
	} else if (type == SOCK_DGRAM) {
		if (protocol && protocol != IPPROTO_UDP)
			return -EPROTONOSUPPORT;
		ops = &inet_udp_ops;
		s->protocol = IPPROTO_UDP;
	} else {
		return -ESOCKTNOSUPPORT; /* no raw sockets */
	}
	struct inet_sock *ins = inet_alloc(s->family, type);
	if (!ins)
		return -ENOMEM;
	net_start();
	s->ops = ops;
	inet_attach(ins, s);
	return 0;
}

static const struct sock_family inet4_family = {AF_INET, inet_create};
static const struct sock_family inet6_family = {AF_INET6, inet_create};
SOCK_FAMILY_REGISTER(inet4_family);
SOCK_FAMILY_REGISTER(inet6_family);
