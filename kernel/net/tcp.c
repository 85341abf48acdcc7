// SPDX-License-Identifier: MIT
/* TCP sockets (AF_INET, AF_INET6) on lwIP's raw API, with Linux's semantics.
 *
 * Received segments are queued on the socket as lwIP hands them over (a chain
 * of pbufs, read from an offset); the window reopens only when the program
 * reads (tcp_recved), so a slow reader throttles the peer and closing with
 * unread data sends RST as Linux does.  Sends copy into lwIP
 * (TCP_WRITE_FLAG_COPY) and sleep while the send buffer is full; ACKs wake
 * the writer.  Connections lwIP accepts wait in the listener's own queue
 * (counted against the backlog) until accept() takes them.  Options and
 * ioctls are tcp_opt.c's; addresses, IP-level options and the upgrade
 * handover inet.c's and inet_upgrade.c's. */
#include <string.h>
#include <kern/err.h>
#include <kern/heap.h>
#include <kern/uaccess.h>
#include <lwip/priv/tcp_priv.h>
#include <lwip/tcp.h>
#include <uapi/errno.h>
#include <uapi/in.h>
#include <uapi/poll.h>
#include "net/inet.h"

#define SEND_CHUNK 65535 /* tcp_write takes a u16_t length */
/* writable again (POLLOUT, a blocked writer woken) once this much is free */
#define WRITE_LOWAT (TCP_SND_BUF / 4)

/* Filled from the user and handed to tcp_write without sleeping in between,
 * so one buffer serves every sender (one CPU, no preemption in the kernel). */
static char send_buf[SEND_CHUNK];

/* ---- the pcb and its callbacks */

static u8_t ext_id;
static bool ext_ready;

/* lwIP frees pcbs on its own (TIME_WAIT expiry, a reset, the end of a close):
 * this hook, called for every pcb lwIP frees, clears our pointer. */
static void pcb_destroyed(u8_t id, void *data)
{
	struct inet_sock *ins = data;
	if (ins)
		ins->pcb.tcp = NULL;
}

static const struct tcp_ext_arg_callbacks ext_callbacks = {.destroy = pcb_destroyed};

static err_t recv_cb(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err);
static err_t sent_cb(void *arg, struct tcp_pcb *pcb, u16_t len);
static void err_cb(void *arg, err_t err);

static void hook(struct inet_sock *ins, struct tcp_pcb *pcb)
{
	if (!ext_ready) {
		ext_id = tcp_ext_arg_alloc_id();
		ext_ready = true;
	}
	ins->pcb.tcp = pcb;
	tcp_arg(pcb, ins);
	tcp_ext_arg_set_callbacks(pcb, ext_id, &ext_callbacks);
	tcp_ext_arg_set(pcb, ext_id, ins);
	if (pcb->state != LISTEN) {
		tcp_recv(pcb, recv_cb);
		tcp_sent(pcb, sent_cb);
		tcp_err(pcb, err_cb);
	}
}

/* Cuts every tie from the pcb to ins (lwIP may keep the pcb for a while). */
static struct tcp_pcb *unhook(struct inet_sock *ins)
{
	struct tcp_pcb *pcb = ins->pcb.tcp;
	ins->pcb.tcp = NULL;
	tcp_arg(pcb, NULL);
	tcp_ext_arg_set(pcb, ext_id, NULL);
	if (pcb->state == LISTEN) {
		tcp_accept(pcb, NULL);
		/* connections still in the handshake carry the listener's arg */
		for (struct tcp_pcb *c = tcp_active_pcbs; c; c = c->next)
			if (c->listener == (struct tcp_pcb_listen *)pcb &&
			    c->callback_arg == ins)
				tcp_arg(c, NULL);
	} else {
		tcp_recv(pcb, NULL);
		tcp_sent(pcb, NULL);
		tcp_err(pcb, NULL);
	}
	return pcb;
}

static struct socket *owner(struct inet_sock *ins)
{
	return ins->nowners ? ins->owners[0] : NULL;
}

/* Options that live in a full (not listening) pcb. */
void inet_tcp_apply_opts(struct inet_sock *ins, struct tcp_pcb *pcb)
{
	struct socket *s = owner(ins);
	pcb->tos = ins->tos;
	pcb->ttl = ins->ttl;
	if (s && sock_opt(s, SO_REUSEADDR))
		ip_set_option(pcb, SOF_REUSEADDR);
	if (s && sock_opt(s, SO_KEEPALIVE))
		ip_set_option(pcb, SOF_KEEPALIVE);
	if (pcb->state == LISTEN)
		return;
	if (ins->nodelay)
		tcp_nagle_disable(pcb);
	else
		tcp_nagle_enable(pcb);
	pcb->keep_idle = ins->keep_idle * 1000;
	pcb->keep_intvl = ins->keep_intvl * 1000;
	pcb->keep_cnt = ins->keep_cnt;
}

static u8_t pcb_type(const struct inet_sock *ins)
{
	if (ins->family == AF_INET)
		return IPADDR_TYPE_V4;
	return ins->v6only ? IPADDR_TYPE_V6 : IPADDR_TYPE_ANY;
}

/* Binds pcb to ip:port even where lwIP is stricter than Linux (SO_REUSEPORT):
 * the caller already applied Linux's rules. */
static err_t bind_pcb(struct tcp_pcb *pcb, const ip_addr_t *ip, uint16_t port)
{
	err_t e = tcp_bind(pcb, ip, port);
	if (e != ERR_USE || !port)
		return e;
	if (!ip_addr_isany(ip) || IP_GET_TYPE(ip) != IP_GET_TYPE(&pcb->local_ip))
		ip_addr_set(&pcb->local_ip, ip);
	pcb->local_port = port;
	TCP_REG(&tcp_bound_pcbs, pcb);
	return ERR_OK;
}

/* The pcb of a socket that has none yet (lazily: a socket that is only
 * created and closed costs lwIP nothing).  0 or -ENOMEM. */
static int make_pcb(struct inet_sock *ins)
{
	if (ins->pcb.tcp)
		return 0;
	struct tcp_pcb *pcb = tcp_new_ip_type(pcb_type(ins));
	if (!pcb)
		return -ENOMEM;
	hook(ins, pcb);
	inet_tcp_apply_opts(ins, pcb);
	if (ins->bound && bind_pcb(pcb, &ins->local_ip, ins->local_port) != ERR_OK)
		ins->bound = false; /* lost its port after a failed connect */
	return 0;
}

/* ---- the receive queue */

static void rx_append(struct inet_sock *ins, struct pbuf *p)
{
	struct pbuf *last = p;
	while (last->next)
		last = last->next;
	if (ins->rx_tail)
		ins->rx_tail->next = p;
	else
		ins->rx_head = p;
	ins->rx_tail = last;
	ins->rx_bytes += p->tot_len;
}

/* Copies up to n bytes, from skip bytes into the queue, to it (discard: only
 * counts them).  Returns the bytes copied, or -EFAULT when none could be. */
static long rx_copy(struct inet_sock *ins, struct sock_iter *it, size_t skip, size_t n,
		    bool discard)
{
	struct pbuf *p = ins->rx_head;
	size_t off = ins->rx_off + skip, done = 0;
	while (p && off >= p->len) {
		off -= p->len;
		p = p->next;
	}
	while (p && done < n) {
		size_t c = MIN((size_t)p->len - off, n - done);
		if (!discard && sock_iter_to(it, (char *)p->payload + off, c))
			return done ? (long)done : -EFAULT;
		done += c;
		off += c;
		if (off == p->len) {
			p = p->next;
			off = 0;
		}
	}
	return (long)done;
}

/* Drops n read bytes and reopens the window by as much. */
static void rx_consume(struct inet_sock *ins, size_t n)
{
	size_t left = n;
	ins->rx_bytes -= n;
	while (ins->rx_head && (left || ins->rx_off == ins->rx_head->len)) {
		struct pbuf *p = ins->rx_head;
		size_t c = MIN((size_t)p->len - ins->rx_off, left);
		ins->rx_off += c;
		left -= c;
		if (ins->rx_off < p->len)
			break;
		ins->rx_head = p->next;
		ins->rx_off = 0;
		p->next = NULL;
		pbuf_free(p);
	}
	if (!ins->rx_head)
		ins->rx_tail = NULL;
	struct tcp_pcb *pcb = ins->pcb.tcp;
	if (!pcb || pcb->state == LISTEN)
		return;
	while (n) {
		u16_t c = (u16_t)MIN(n, 0xffffu);
		tcp_recved(pcb, c);
		n -= c;
	}
	inet_flush();
}

static void rx_free(struct inet_sock *ins)
{
	while (ins->rx_head) {
		struct pbuf *p = ins->rx_head;
		ins->rx_head = p->next;
		p->next = NULL;
		pbuf_free(p);
	}
	ins->rx_tail = NULL;
	ins->rx_off = ins->rx_bytes = 0;
}

/* ---- lwIP's callbacks: record, queue, wake; never sleep */

static err_t recv_cb(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	struct inet_sock *ins = arg;
	if (!ins)
		return tcp_recv_null(NULL, pcb, p, err);
	if (!p) {
		ins->rx_fin = true;
		inet_event(ins, POLLIN | POLLRDHUP);
		return ERR_OK;
	}
	/* A short segment is likely a request waiting for its answer, or the
	 * end of a burst: acknowledge it now (Linux's quick ACKs), so a peer
	 * holding its next small write back (Nagle) need not wait for lwIP's
	 * delayed-ACK timer.  Full segments are still acknowledged every other. */
	if (p->tot_len < tcp_mss(pcb))
		tcp_ack_now(pcb);
	rx_append(ins, p);
	inet_event(ins, POLLIN);
	return ERR_OK;
}

static bool writable(const struct tcp_pcb *pcb)
{
	return tcp_sndbuf(pcb) >= WRITE_LOWAT && tcp_sndqueuelen(pcb) < TCP_SNDQUEUELOWAT;
}

static err_t sent_cb(void *arg, struct tcp_pcb *pcb, u16_t len)
{
	struct inet_sock *ins = arg;
	if (ins && ins->snd_full && writable(pcb)) {
		ins->snd_full = false;
		inet_event(ins, POLLOUT);
	}
	return ERR_OK;
}

static void err_cb(void *arg, err_t err)
{
	struct inet_sock *ins = arg;
	if (!ins)
		return;
	ins->pcb.tcp = NULL; /* already freed */
	int e;
	if (err == ERR_CLSD)
		e = 0; /* both FINs exchanged: a normal end */
	else if (err == ERR_RST && ins->state == INET_CONNECTING)
		e = ECONNREFUSED;
	else if (err == ERR_RST)
		e = ins->rx_fin && !ins->shut_wr
			? EPIPE
			: ECONNRESET; /* CLOSE_WAIT: Linux's EPIPE */
	else if (err == ERR_ABRT)
		e = ETIMEDOUT; /* lwIP's timers gave up (retransmission, keepalive) */
	else
		e = ECONNABORTED;
	ins->state = INET_CLOSED;
	ins->shut_rd = ins->shut_wr = e != 0 || ins->shut_wr;
	if (e)
		inet_set_error(ins, e);
	inet_event(ins, POLLIN | POLLOUT | POLLERR | POLLHUP);
}

static err_t connected_cb(void *arg, struct tcp_pcb *pcb, err_t err)
{
	struct inet_sock *ins = arg;
	if (!ins)
		return ERR_OK;
	ins->state = INET_CONNECTED;
	ins->was_connected = true;
	inet_event(ins, POLLOUT);
	return ERR_OK;
}

static err_t accept_cb(void *arg, struct tcp_pcb *pcb, err_t err)
{
	struct inet_sock *l = arg;
	if (!l || err != ERR_OK || !pcb)
		return ERR_VAL;
	struct inet_sock *c = inet_alloc(l->family, SOCK_STREAM);
	if (!c)
		return ERR_MEM; /* lwIP resets the connection */
	c->v6only = l->v6only;
	c->nodelay = l->nodelay;
	c->tos = l->tos;
	c->ttl = l->ttl;
	c->keep_idle = l->keep_idle;
	c->keep_intvl = l->keep_intvl;
	c->keep_cnt = l->keep_cnt;
	c->state = INET_CONNECTED;
	c->was_connected = true;
	c->bound = true;
	ip_addr_copy(c->local_ip, pcb->local_ip);
	c->local_port = pcb->local_port;
	ip_addr_copy(c->remote_ip, pcb->remote_ip);
	c->remote_port = pcb->remote_port;
	hook(c, pcb);
	inet_tcp_apply_opts(c, pcb);
	/* counted against the backlog until accept() takes it */
	tcp_backlog_delayed(pcb);
	list_add_tail(&c->qlink, &l->acceptq);
	l->nqueued++;
	inet_event(l, POLLIN);
	return ERR_OK;
}

/* ---- closing */

static int lwip_errno(err_t e)
{
	switch (e) {
	case ERR_OK:
		return 0;
	case ERR_MEM:
		return -ENOMEM;
	case ERR_BUF:
		return -EADDRNOTAVAIL; /* no ephemeral port left */
	case ERR_RTE:
		return -ENETUNREACH;
	case ERR_USE:
		return -EADDRINUSE;
	case ERR_ISCONN:
		return -EISCONN;
	case ERR_RST:
		return -ECONNRESET;
	case ERR_CLSD:
		return -ENOTCONN;
	case ERR_CONN:
		return -ENOTCONN;
	default:
		return -EINVAL;
	}
}

/* Ends ins's connection or listener: RST when abort (SO_LINGER 0, queued
 * connections of a closed listener), FIN otherwise (RST anyway when unread
 * data is left, which lwIP decides from the window). */
static void close_conn(struct inet_sock *ins, bool abort)
{
	if (ins->state == INET_LISTEN) {
		while (!list_empty(&ins->acceptq)) {
			struct inet_sock *c =
			    list_first_entry(&ins->acceptq, struct inet_sock, qlink);
			list_del(&c->qlink);
			ins->nqueued--;
			inet_tcp_free(c, true);
		}
		if (ins->pcb.tcp)
			tcp_close(unhook(ins));
	} else if (ins->pcb.tcp) {
		struct tcp_pcb *pcb = unhook(ins);
		if (abort || tcp_close(pcb) != ERR_OK)
			tcp_abort(pcb);
	}
	rx_free(ins);
	inet_flush();
}

void inet_tcp_free(struct inet_sock *ins, bool abort)
{
	close_conn(ins, abort);
	kfree(ins);
}

static void tcp_release(struct socket *s)
{
	struct inet_sock *ins = inet_sk(s);
	s->priv = NULL;
	if (!ins || inet_detach(ins, s) > 0)
		return; /* still another program's (upgrade) */
	inet_tcp_free(ins, s->linger.l_onoff && !s->linger.l_linger);
}

/* Back to a socket that never connected (AF_UNSPEC connect, shutdown of a
 * listener or of a connect in progress). */
static void disconnect(struct inet_sock *ins)
{
	close_conn(ins, true);
	ins->state = INET_FRESH;
	ins->connect_pending = ins->was_connected = false;
	ins->rx_fin = ins->shut_rd = ins->shut_wr = false;
	ins->bound = false;
	inet_event(ins, POLLIN | POLLOUT | POLLERR | POLLHUP);
}

/* ---- bind, listen, accept, connect */

bool inet_tcp_port_conflict(const struct inet_sock *ins, const ip_addr_t *ip,
			    uint16_t port, bool listen)
{
	struct socket *s = ins->nowners ? ins->owners[0] : NULL;
	bool reuse = s && sock_opt(s, SO_REUSEADDR);
	bool reuseport = s && sock_opt(s, SO_REUSEPORT);
	for (int i = 0; i < NUM_TCP_PCB_LISTS; i++) {
		for (struct tcp_pcb *c = *tcp_pcb_lists[i]; c; c = c->next) {
			if (c == ins->pcb.tcp || c->local_port != port ||
			    !inet_addr_overlap(&c->local_ip, ip))
				continue;
			if (listen && c->state != LISTEN)
				continue;
			if (c->state == TIME_WAIT && reuse)
				continue;
			if (reuse && ip_get_option(c, SOF_REUSEADDR) &&
			    c->state != LISTEN)
				continue;
			const struct inet_sock *o = c->callback_arg;
			if (reuseport && o && o->nowners &&
			    sock_opt(o->owners[0], SO_REUSEPORT))
				continue;
			return true;
		}
	}
	return false;
}

static int tcp_bind_op(struct socket *s, const void *addr, unsigned int len)
{
	struct inet_sock *ins = inet_sk(s);
	ip_addr_t ip;
	uint16_t port;
	int r = inet_addr_from(ins, addr, len, &ip, &port, true);
	if (r)
		return r;
	if (ins->bound || ins->state != INET_FRESH)
		return -EINVAL;
	r = inet_bind_allowed(&ip, port, false);
	if (r)
		return r;
	struct inet_sock *l = port ? inet_adoptable(ins, &ip, port) : NULL;
	if (l) {
		l->nodelay = ins->nodelay;
		l->keep_idle = ins->keep_idle;
		l->keep_intvl = ins->keep_intvl;
		l->keep_cnt = ins->keep_cnt;
		inet_detach(ins, s);
		inet_adopt(s, l);
		inet_tcp_free(ins, true);
		return 0;
	}
	if (port && inet_tcp_port_conflict(ins, &ip, port, false))
		return -EADDRINUSE;
	r = make_pcb(ins);
	if (r)
		return r;
	struct tcp_pcb *pcb = ins->pcb.tcp;
	if (sock_opt(s, SO_REUSEADDR))
		ip_set_option(pcb, SOF_REUSEADDR);
	else
		ip_reset_option(pcb, SOF_REUSEADDR);
	err_t e = bind_pcb(pcb, &ip, port);
	if (e != ERR_OK)
		return e == ERR_BUF ? -EADDRINUSE : lwip_errno(e);
	ins->bound = true;
	ip_addr_copy(ins->local_ip, pcb->local_ip);
	ins->local_port = pcb->local_port;
	return 0;
}

/* bind(port 0) on the socket's any address, as listen() and connect() do. */
static int autobind(struct socket *s, struct inet_sock *ins)
{
	int r = make_pcb(ins);
	if (r)
		return r;
	const ip_addr_t *any = ins->family == AF_INET ? IP4_ADDR_ANY
			       : ins->v6only	      ? IP6_ADDR_ANY
						      : IP_ANY_TYPE;
	err_t e = tcp_bind(ins->pcb.tcp, any, 0);
	if (e != ERR_OK)
		return e == ERR_BUF ? -EADDRINUSE : lwip_errno(e);
	ins->bound = true;
	ip_addr_copy(ins->local_ip, ins->pcb.tcp->local_ip);
	ins->local_port = ins->pcb.tcp->local_port;
	return 0;
}

static int tcp_listen_op(struct socket *s, int backlog)
{
	struct inet_sock *ins = inet_sk(s);
	inet_claim(ins);
	/* Linux queues backlog + 1; lwIP counts in a u8_t */
	u8_t bl = backlog >= 254 ? 255 : (u8_t)(backlog + 1);
	if (ins->state == INET_LISTEN) {
		if (ins->pcb.tcp)
			tcp_backlog_set(ins->pcb.tcp, bl);
		s->listening = true;
		return 0;
	}
	if (ins->state != INET_FRESH)
		return -EINVAL;
	int r = ins->bound ? make_pcb(ins) : autobind(s, ins);
	if (r)
		return r;
	if (inet_tcp_port_conflict(ins, &ins->local_ip, ins->local_port, true))
		return -EADDRINUSE;
	struct tcp_pcb *pcb = ins->pcb.tcp;
	u8_t opts = pcb->so_options;
	/* lwIP refuses a second listener on one address when SOF_REUSEADDR is set:
	 * SO_REUSEPORT sockets were already allowed above */
	if (sock_opt(s, SO_REUSEPORT))
		ip_reset_option(pcb, SOF_REUSEADDR);
	tcp_ext_arg_set(pcb, ext_id, NULL); /* tcp_listen frees pcb */
	err_t e;
	struct tcp_pcb *lpcb = tcp_listen_with_backlog_and_err(pcb, bl, &e);
	if (!lpcb) {
		pcb->so_options = opts;
		tcp_ext_arg_set(pcb, ext_id, ins);
		return lwip_errno(e);
	}
	lpcb->so_options = opts;
	hook(ins, lpcb);
	tcp_accept(lpcb, accept_cb);
	ins->state = INET_LISTEN;
	s->listening = true;
	return 0;
}

static int tcp_accept_op(struct socket *s, struct socket **newsock, bool nonblock)
{
	struct inet_sock *ins = inet_sk(s);
	inet_claim(ins);
	uint64_t deadline = sock_deadline(s, false);
	while (ins->state == INET_LISTEN &&
	       (list_empty(&ins->acceptq) || ins->draining)) {
		if (nonblock)
			return -EAGAIN;
		int r = sock_wait(s, deadline);
		if (r)
			return r;
		ins = inet_sk(s);
	}
	if (ins->state != INET_LISTEN)
		return -EINVAL;
	struct socket *ns = sock_create(s->family, SOCK_STREAM, IPPROTO_TCP);
	if (IS_ERR(ns))
		return (int)PTR_ERR(ns);
	struct inet_sock *c = list_first_entry(&ins->acceptq, struct inet_sock, qlink);
	list_del(&c->qlink);
	ins->nqueued--;
	/* the fresh inet_sock sock_create made is replaced by the connection */
	struct inet_sock *fresh = inet_sk(ns);
	inet_detach(fresh, ns);
	kfree(fresh);
	inet_attach(c, ns);
	/* Linux's accepted socket is a clone of the listener */
	ns->bool_opts = s->bool_opts;
	ns->sndbuf = s->sndbuf;
	ns->rcvbuf = s->rcvbuf;
	ns->rcvtimeo_ns = s->rcvtimeo_ns;
	ns->sndtimeo_ns = s->sndtimeo_ns;
	ns->linger = s->linger;
	ns->error = c->err;
	c->err = 0;
	if (c->pcb.tcp)
		tcp_backlog_accepted(c->pcb.tcp);
	*newsock = ns;
	return 0;
}

static int wait_connect(struct socket *s)
{
	struct inet_sock *ins = inet_sk(s);
	uint64_t deadline = sock_deadline(s, true);
	while (ins->state == INET_CONNECTING) {
		int r = sock_wait(s, deadline);
		if (r)
			return r == -EAGAIN ? -EINPROGRESS : r;
		ins = inet_sk(s);
	}
	ins->connect_pending = false;
	if (ins->state == INET_CONNECTED)
		return 0;
	int e = inet_take_error(ins);
	ins->state = INET_FRESH;
	ins->shut_rd = ins->shut_wr = ins->rx_fin = false;
	return e ? e : -ECONNABORTED;
}

static int tcp_connect_op(struct socket *s, const void *addr, unsigned int len,
			  bool nonblock)
{
	struct inet_sock *ins = inet_sk(s);
	if (inet_connect_unspec(addr, len)) {
		if (ins->state != INET_FRESH)
			disconnect(ins);
		s->listening = false;
		return 0;
	}
	ip_addr_t ip;
	uint16_t port;
	int r = inet_addr_from(ins, addr, len, &ip, &port, false);
	if (r)
		return r;
	switch (ins->state) {
	case INET_LISTEN:
		return -EISCONN;
	case INET_CONNECTED:
		if (ins->connect_pending) {
			ins->connect_pending = false;
			return 0;
		}
		return -EISCONN;
	case INET_CONNECTING:
		return nonblock ? -EALREADY : wait_connect(s);
	case INET_CLOSED:
		if (ins->connect_pending)
			return wait_connect(s);
		if (ins->was_connected)
			return -EISCONN;
		ins->state = INET_FRESH;
		break;
	case INET_FRESH:
		break;
	}
	inet_any_to_loopback(&ip);
	r = make_pcb(ins);
	if (r)
		return r;
	struct tcp_pcb *pcb = ins->pcb.tcp;
	inet_tcp_apply_opts(ins, pcb);
	err_t e = tcp_connect(pcb, &ip, port, connected_cb);
	if (e != ERR_OK)
		return e == ERR_VAL ? -EAFNOSUPPORT : lwip_errno(e);
	ins->state = INET_CONNECTING;
	ins->connect_pending = true;
	ins->bound = true;
	ip_addr_copy(ins->local_ip, pcb->local_ip);
	ins->local_port = pcb->local_port;
	ip_addr_copy(ins->remote_ip, pcb->remote_ip);
	ins->remote_port = pcb->remote_port;
	inet_flush();
	if (nonblock)
		return -EINPROGRESS;
	return wait_connect(s);
}

/* ---- data */

/* What a send may queue now: the free send buffer, kept within lwIP's segment
 * count (about one pbuf per MSS). */
static size_t send_room(const struct tcp_pcb *pcb)
{
	size_t segs = tcp_sndqueuelen(pcb) + 2 < TCP_SND_QUEUELEN
			  ? TCP_SND_QUEUELEN - tcp_sndqueuelen(pcb) - 2
			  : 0;
	return MIN((size_t)tcp_sndbuf(pcb), segs * tcp_mss(pcb));
}

/* After a flush: did ACKs (sent_cb clears snd_full) or anything else make
 * room, or end the connection?  Then the sender looks again instead of
 * sleeping on a wake-up that already happened. */
static bool room_again(struct inet_sock *ins)
{
	return !ins->snd_full || !ins->pcb.tcp || ins->state != INET_CONNECTED ||
	       send_room(ins->pcb.tcp);
}

/* A send found no room: with pcb, push what is queued first (on loopback the
 * peer's ACKs come back inside inet_flush, so the wait is marked first and
 * room_again looks again), then wait for sent_cb.  0 to try again, -EAGAIN
 * when nonblock, or sock_wait's error. */
static int send_wait(struct socket *s, struct inet_sock *ins, struct tcp_pcb *pcb,
		     bool nonblock, uint64_t deadline)
{
	ins->snd_full = true;
	if (pcb) {
		tcp_output(pcb);
		inet_flush();
		if (room_again(ins))
			return 0;
	}
	if (nonblock)
		return -EAGAIN;
	return sock_wait(s, deadline);
}

static long tcp_sendmsg_op(struct socket *s, struct sock_msg *m, int flags)
{
	size_t sent = 0;
	bool nonblock = flags & MSG_DONTWAIT;
	uint64_t deadline = sock_deadline(s, true);
	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	for (;;) {
		struct inet_sock *ins = inet_sk(s);
		struct tcp_pcb *pcb = ins->pcb.tcp;
		int e = 0;
		if (ins->state == INET_CONNECTING)
			e = nonblock ? -EAGAIN : 0;
		else if (ins->state != INET_CONNECTED || !pcb)
			e = (e = inet_take_error(ins)) ? e : -EPIPE;
		else if (ins->shut_wr)
			e = -EPIPE;
		if (e)
			return sent ? (long)sent : e;
		if (ins->state == INET_CONNECTED && !m->it.count)
			break;
		size_t room = ins->state == INET_CONNECTED ? send_room(pcb) : 0;
		if (!room) {
			int r =
			    send_wait(s, ins, ins->state == INET_CONNECTED ? pcb : NULL,
				      nonblock, deadline);
			if (r)
				return sent ? (long)sent : r;
			continue;
		}
		size_t n = MIN(MIN(room, m->it.count), (size_t)SEND_CHUNK);
		struct sock_iter saved = m->it;
		if (sock_iter_from(&m->it, send_buf, n))
			return sent ? (long)sent : -EFAULT;
		u8_t wf = TCP_WRITE_FLAG_COPY;
		if (m->it.count || (flags & MSG_MORE) || ins->cork)
			wf |= TCP_WRITE_FLAG_MORE;
		err_t we = tcp_write(pcb, send_buf, (u16_t)n, wf);
		if (we != ERR_OK) {
			m->it = saved;
			if (we != ERR_MEM || (!pcb->unsent && !pcb->unacked))
				return sent ? (long)sent
					    : (we == ERR_MEM ? -ENOBUFS : lwip_errno(we));
			/* wait for ACKs to free segments */
			int r = send_wait(s, ins, pcb, nonblock, deadline);
			if (r)
				return sent ? (long)sent : r;
			continue;
		}
		sent += n;
	}
	struct inet_sock *ins = inet_sk(s);
	if (ins->pcb.tcp) {
		tcp_output(ins->pcb.tcp);
		inet_flush();
	}
	return (long)sent;
}

static long tcp_recvmsg_op(struct socket *s, struct sock_msg *m, int flags)
{
	struct inet_sock *ins = inet_sk(s);
	if (flags & MSG_OOB)
		return -EINVAL;
	if (ins->state == INET_LISTEN || (ins->state == INET_FRESH && !ins->rx_bytes))
		return -ENOTCONN;
	bool peek = flags & MSG_PEEK, discard = flags & MSG_TRUNC;
	size_t len = m->it.count, copied = 0;
	size_t target =
	    (flags & MSG_WAITALL) && !peek ? len : MIN((size_t)s->rcvlowat, len);
	uint64_t deadline = sock_deadline(s, false);
	m->namelen = 0;
	for (;;) {
		ins = inet_sk(s);
		size_t skip = peek ? copied : 0;
		if (ins->rx_bytes > skip && copied < len) {
			long n =
			    rx_copy(ins, &m->it, skip,
				    MIN(ins->rx_bytes - skip, len - copied), discard);
			if (n < 0)
				return copied ? (long)copied : n;
			if (!peek)
				rx_consume(ins, (size_t)n);
			copied += (size_t)n;
			if (copied >= target || copied == len)
				break;
			continue;
		}
		if (!len)
			break;
		bool eof = ins->rx_fin || ins->shut_rd || ins->state == INET_CLOSED ||
			   (ins->state == INET_CONNECTED && !ins->pcb.tcp);
		if (eof) {
			if (!copied) {
				int e = inet_take_error(ins);
				if (e)
					return e;
			}
			break;
		}
		if (copied && peek)
			break;
		if (flags & MSG_DONTWAIT)
			return copied ? (long)copied : -EAGAIN;
		int r = sock_wait(s, deadline);
		if (r)
			return copied ? (long)copied : r;
	}
	return (long)copied;
}

static unsigned int tcp_poll_op(struct socket *s)
{
	struct inet_sock *ins = inet_sk(s);
	inet_claim(ins);
	if (ins->state == INET_LISTEN)
		return list_empty(&ins->acceptq) || ins->draining ? 0
								  : POLLIN | POLLRDNORM;
	unsigned int m = 0;
	bool closed = ins->state == INET_FRESH || ins->state == INET_CLOSED;
	bool gone = ins->state == INET_CONNECTED && !ins->pcb.tcp;
	bool shut_snd = ins->shut_wr || ins->state == INET_CLOSED;
	bool shut_rcv = ins->shut_rd || ins->rx_fin || ins->state == INET_CLOSED || gone;
	if ((shut_snd && shut_rcv) || closed)
		m |= POLLHUP;
	if (shut_rcv)
		m |= POLLIN | POLLRDNORM | POLLRDHUP;
	if (ins->state != INET_CONNECTING) {
		if (ins->rx_bytes)
			m |= POLLIN | POLLRDNORM;
		if (shut_snd || !ins->pcb.tcp || writable(ins->pcb.tcp))
			m |= POLLOUT | POLLWRNORM;
		else
			ins->snd_full = true;
	}
	if ((ins->nowners && ins->owners[0]->error) || ins->err)
		m |= POLLERR;
	return m;
}

static int tcp_shutdown_op(struct socket *s, int how)
{
	struct inet_sock *ins = inet_sk(s);
	bool rd = how != SHUT_WR, wr = how != SHUT_RD;
	switch (ins->state) {
	case INET_LISTEN:
		if (rd)
			disconnect(ins); /* accept() in other threads returns EINVAL */
		s->listening = ins->state == INET_LISTEN;
		return 0;
	case INET_CONNECTING:
		disconnect(ins);
		return 0;
	case INET_FRESH:
	case INET_CLOSED:
		return -ENOTCONN;
	case INET_CONNECTED:
		break;
	}
	if (rd)
		ins->shut_rd = true;
	if (wr && !ins->shut_wr) {
		ins->shut_wr = true;
		if (ins->pcb.tcp) {
			tcp_shutdown(ins->pcb.tcp, 0, 1); /* FIN after what is queued */
			inet_flush();
		}
	}
	inet_event(ins, (rd ? POLLIN | POLLRDHUP : 0) | (wr ? POLLOUT : 0));
	return 0;
}

const struct sock_ops inet_tcp_ops = {
    .bind = tcp_bind_op,
    .connect = tcp_connect_op,
    .listen = tcp_listen_op,
    .accept = tcp_accept_op,
    .sendmsg = tcp_sendmsg_op,
    .recvmsg = tcp_recvmsg_op,
    .shutdown = tcp_shutdown_op,
    .getname = inet_getname,
    .setsockopt = inet_tcp_setsockopt,
    .getsockopt = inet_tcp_getsockopt,
    .poll = tcp_poll_op,
    .ioctl = inet_tcp_ioctl,
    .nread = inet_tcp_nread,
    .release = tcp_release,
};
