// SPDX-License-Identifier: MIT
/* The text of /proc/net/{tcp,tcp6,udp,udp6,unix,dev} and of
 * /proc/sys/net/ipv4/ip_unprivileged_port_start, in Linux's exact columns.
 * TCP and UDP come from walking lwIP's pcb lists (an inet_sock hangs off
 * each pcb's callback argument, kernel/net/inet.h); AF_UNIX from unix.c's
 * list of bound sockets; eth0's counters from virtio_net_stats().
 * procfs (kernel/fs/procfs.c) owns the tree and asks for the files by name. */
#include <string.h>
#include <kern/heap.h>
#include <kern/ktext.h>
#include <kern/printk.h>
#include <lwip/priv/tcp_priv.h>
#include <lwip/tcp.h>
#include <lwip/udp.h>
#include <uapi/errno.h>
#include "drivers/virtio_net.h"
#include "fs/internal.h"
#include "net/inet.h"
#include "net/net.h"
#include "net/netif.h"
#include "net/procnet.h"
#include "net/unix_internal.h"

/* Pads the line begun at start with spaces to width, then ends it (seq_pad). */
static void pad(struct ktext *t, size_t start, size_t width)
{
	size_t used = t->len - start;
	ktext_put(t, "%*s\n", used < width ? (int)(width - used) : 0, "");
}

/* Linux's TCP state numbers (include/net/tcp_states.h) for lwIP's. */
static unsigned int linux_tcp_state(enum tcp_state s)
{
	static const unsigned char map[] = {
	    [CLOSED] = 7,      [LISTEN] = 10,	 [SYN_SENT] = 2,   [SYN_RCVD] = 3,
	    [ESTABLISHED] = 1, [FIN_WAIT_1] = 4, [FIN_WAIT_2] = 5, [CLOSE_WAIT] = 8,
	    [CLOSING] = 11,    [LAST_ACK] = 9,	 [TIME_WAIT] = 6,
	};
	return (unsigned int)s < ARRAY_SIZE(map) ? map[s] : 7;
}

/* The inode number /proc/<pid>/fd shows as socket:[N] for ins, 0 without a
 * file (TIME_WAIT, a connection not accepted yet). */
static unsigned long sock_ino(const struct inet_sock *ins)
{
	if (!ins || !ins->nowners || !ins->owners[0]->file)
		return 0;
	return (unsigned long)ins->owners[0]->file->inode->ino;
}

/* The table (4 or 6) an address of a socket of family belongs to. */
static int table_of(const struct inet_sock *ins, const ip_addr_t *local)
{
	if (ins)
		return ins->family == AF_INET6 ? 6 : 4;
	return IP_IS_V4(local) ? 4 : 6;
}

/* An address as Linux prints it: the raw network-order words in %08X. */
static void put_addr(struct ktext *t, const ip_addr_t *ip, uint16_t port, bool v6)
{
	if (!v6) {
		ktext_put(t, "%08X:%04X", IP_IS_V4(ip) ? ip_2_ip4(ip)->addr : 0, port);
		return;
	}
	uint32_t w[4] = {0, 0, 0, 0};
	if (IP_IS_V6_VAL(*ip))
		memcpy(w, ip_2_ip6(ip)->addr, sizeof(w));
	else if (IP_IS_V4_VAL(*ip) && !ip4_addr_isany_val(*ip_2_ip4(ip))) {
		w[2] = PP_HTONL(0xffff); /* ::ffff:a.b.c.d */
		w[3] = ip_2_ip4(ip)->addr;
	}
	ktext_put(t, "%08X%08X%08X%08X:%04X", w[0], w[1], w[2], w[3], port);
}

static void tcp_line(struct ktext *t, int *sl, struct tcp_pcb *pcb, bool listen, int want)
{
	struct inet_sock *ins = pcb->callback_arg;
	if (table_of(ins, &pcb->local_ip) != want)
		return;
	unsigned int st = linux_tcp_state(pcb->state);
	unsigned long txq = 0, rxq = 0;
	if (listen)
		rxq = ins ? (unsigned long)ins->nqueued : 0;
	else if (pcb->state != TIME_WAIT) {
		txq = (uint32_t)(pcb->snd_lbb - pcb->lastack);
		rxq = ins ? ins->rx_bytes : 0;
	}
	size_t start = t->len;
	ktext_put(t, "%4d: ", (*sl)++);
	put_addr(t, &pcb->local_ip, pcb->local_port, want == 6);
	ktext_put(t, " ");
	put_addr(t, listen ? IP_ANY_TYPE : &pcb->remote_ip, listen ? 0 : pcb->remote_port,
		 want == 6);
	unsigned long ino = sock_ino(ins);
	if (pcb->state == TIME_WAIT)
		ktext_put(t, " %02X %08X:%08X %02X:%08lX %08X %5d %8d %d %d %016lx", st,
			  0, 0, 3, 0UL, 0, 0, 0, 0, 1, 0UL);
	else
		ktext_put(
		    t,
		    " %02X %08lX:%08lX %02X:%08lX %08X %5u %8d %lu %d %016lx %lu %lu %u "
		    "%u %d",
		    st, txq, rxq, 0, 0UL, 0, 0U, 0, ino, ino ? 2 : 1, 0UL,
		    listen ? 100UL : 20UL, listen ? 0UL : 4UL, 0U,
		    listen ? 10U : (unsigned int)(pcb->cwnd / MAX(pcb->mss, 1)),
		    listen ? 0 : -1);
	if (want == 6)
		ktext_put(t, "\n");
	else
		pad(t, start, 149);
}

static void render_tcp(struct ktext *t, int want)
{
	if (want == 4) {
		size_t start = t->len;
		ktext_put(t, "  sl  local_address rem_address   st tx_queue rx_queue tr "
			     "tm->when retrnsmt   uid  timeout inode");
		pad(t, start, 149);
	} else {
		ktext_put(
		    t,
		    "  sl  local_address                         remote_address      "
		    "                  st tx_queue rx_queue tr tm->when retrnsmt   uid "
		    " timeout inode\n");
	}
	if (!net_started())
		return;
	int sl = 0;
	/* Linux lists listeners before the established hash */
	for (struct tcp_pcb_listen *l = tcp_listen_pcbs.listen_pcbs; l; l = l->next)
		tcp_line(t, &sl, (struct tcp_pcb *)l, true, want);
	for (struct tcp_pcb *p = tcp_bound_pcbs; p; p = p->next)
		tcp_line(t, &sl, p, false, want);
	for (struct tcp_pcb *p = tcp_active_pcbs; p; p = p->next)
		tcp_line(t, &sl, p, false, want);
	for (struct tcp_pcb *p = tcp_tw_pcbs; p; p = p->next)
		tcp_line(t, &sl, p, false, want);
}

static void render_udp(struct ktext *t, int want)
{
	if (want == 4) {
		size_t start = t->len;
		ktext_put(t, "   sl  local_address rem_address   st tx_queue rx_queue tr "
			     "tm->when retrnsmt   uid  timeout inode ref pointer drops");
		pad(t, start, 127);
	} else {
		ktext_put(
		    t,
		    "  sl  local_address                         remote_address      "
		    "                  st tx_queue rx_queue tr tm->when retrnsmt   uid "
		    " timeout inode ref pointer drops\n");
	}
	if (!net_started())
		return;
	int sl = 0; /* Linux prints the hash bucket, which is per-boot random */
	for (struct udp_pcb *p = udp_pcbs; p; p = p->next) {
		struct inet_sock *ins = p->recv_arg;
		if (!ins || table_of(ins, &ins->local_ip) != want)
			continue;
		size_t start = t->len;
		unsigned long ino = sock_ino(ins);
		ktext_put(t, "%5d: ", sl++);
		/* getsockname's view: lwIP leaves a connected pcb's address any */
		put_addr(t, &ins->local_ip, ins->local_port, want == 6);
		ktext_put(t, " ");
		put_addr(t, ins->udp_connected ? &ins->remote_ip : IP_ANY_TYPE,
			 ins->udp_connected ? ins->remote_port : 0, want == 6);
		ktext_put(t, " %02X %08X:%08lX %02X:%08lX %08X %5u %8d %lu %d %016lx %u",
			  ins->udp_connected ? 1 : 7, 0, (unsigned long)ins->dgram_bytes,
			  0, 0UL, 0, 0U, 0, ino, 2, 0UL, 0U);
		if (want == 6)
			ktext_put(t, "\n");
		else
			pad(t, start, 127);
	}
}

static void render_unix(struct ktext *t)
{
	ktext_put(t, "Num       RefCount Protocol Flags    Type St Inode Path\n");
	struct unix_sock *u;
	list_for_each_entry(u, unix_bound_list(), bound_link)
	{
		if (u->dead || !u->sock)
			continue;
		struct file *f = u->sock->file;
		unsigned int st = u->state == UNIX_CONNECTED ? 3 : 1; /* SS_* */
		ktext_put(t, "%016lx: %08X %08X %08X %04X %02X %5lu", 0UL, 2, 0,
			  u->state == UNIX_LISTENING ? 0x10000 : 0, (unsigned int)u->type,
			  st, f ? (unsigned long)f->inode->ino : 0UL);
		if (u->addr && u->addr->len > 2) {
			const char *path = u->addr->path;
			size_t len = u->addr->len - 2, i = 0;
			ktext_put(t, " ");
			if (path[0])
				len--; /* the NUL getsockname counts */
			else {
				ktext_put(t, "@");
				i = 1;
			}
			for (; i < len; i++)
				ktext_put(t, "%c", path[i] ? path[i] : '@');
		}
		ktext_put(t, "\n");
	}
}

static void dev_line(struct ktext *t, const char *name, uint64_t rb, uint64_t rp,
		     uint64_t rd, uint64_t tb, uint64_t tp, uint64_t td)
{
	ktext_put(
	    t,
	    "%6s: %7lu %7lu %4lu %4lu %4lu %5lu %10lu %9lu %8lu %7lu %4lu %4lu %4lu "
	    "%5lu %7lu %10lu\n",
	    name, (unsigned long)rb, (unsigned long)rp, 0UL, (unsigned long)rd, 0UL, 0UL,
	    0UL, 0UL, (unsigned long)tb, (unsigned long)tp, 0UL, (unsigned long)td, 0UL,
	    0UL, 0UL, 0UL);
}

static void render_dev(struct ktext *t)
{
	ktext_put(t,
		  "Inter-|   Receive                                                |  "
		  "Transmit\n"
		  " face |bytes    packets errs drop fifo frame compressed multicast|"
		  "bytes    packets errs drop fifo colls carrier compressed\n");
	/* lwIP keeps no loopback counters here (LWIP_STATS 0): lo shows zeros */
	dev_line(t, "lo", 0, 0, 0, 0, 0, 0);
	if (net_eth()) {
		struct vnet_stats s;
		virtio_net_stats(&s);
		dev_line(t, "eth0", s.rx_bytes, s.rx_packets, s.rx_dropped, s.tx_bytes,
			 s.tx_packets, s.tx_dropped);
	}
}

long procnet_render(const char *name, char **out)
{
	struct ktext t = {0};
	if (!strcmp(name, "net/tcp"))
		render_tcp(&t, 4);
	else if (!strcmp(name, "net/tcp6"))
		render_tcp(&t, 6);
	else if (!strcmp(name, "net/udp"))
		render_udp(&t, 4);
	else if (!strcmp(name, "net/udp6"))
		render_udp(&t, 6);
	else if (!strcmp(name, "net/unix"))
		render_unix(&t);
	else if (!strcmp(name, "net/dev"))
		render_dev(&t);
	else if (!strcmp(name, "sys/net/ipv4/ip_unprivileged_port_start"))
		ktext_put(&t, "%d\n", INET_PROT_SOCK);
	else
		return -ENOENT;
	if (t.oom) {
		kfree(t.buf);
		return -ENOMEM;
	}
	*out = t.buf;
	return (long)t.len;
}
