// SPDX-License-Identifier: MIT
/* TCP socket options (SOL_TCP, and the SOL_SOCKET ones lwIP must hear about),
 * TCP_INFO and the stream ioctls, for the sockets of kernel/net/tcp.c.
 * Options lwIP has no use for are accepted and read back as set. */
#include <string.h>
#include <kern/uaccess.h>
#include <lwip/priv/tcp_priv.h>
#include <lwip/tcp.h>
#include <uapi/errno.h>
#include <uapi/in.h>
#include "net/inet.h"

/* TCP options accepted and remembered, without effect on lwIP. */
static const int tcp_kept_names[] = {
    TCP_SYNCNT,	      TCP_LINGER2,  TCP_DEFER_ACCEPT,  TCP_WINDOW_CLAMP, TCP_QUICKACK,
    TCP_USER_TIMEOUT, TCP_FASTOPEN, TCP_NOTSENT_LOWAT, TCP_MAXSEG};
#define TCP_KEPT ((int)(sizeof(tcp_kept_names) / sizeof(tcp_kept_names[0])))

int inet_tcp_setsockopt(struct socket *s, int level, int name, const void *val,
			unsigned int len)
{
	struct inet_sock *ins = inet_sk(s);
	inet_claim(ins);
	struct tcp_pcb *pcb = ins->pcb.tcp;
	bool full = pcb && pcb->state != LISTEN;
	int v;
	if (level == SOL_SOCKET) {
		if (name == SO_KEEPALIVE || name == SO_REUSEADDR) {
			u8_t f = name == SO_KEEPALIVE ? SOF_KEEPALIVE : SOF_REUSEADDR;
			if (pcb && sock_opt(s, name))
				ip_set_option(pcb, f);
			else if (pcb)
				ip_reset_option(pcb, f);
			return 0;
		}
		return -ENOPROTOOPT;
	}
	if (level != SOL_TCP)
		return inet_ip_setsockopt(s, level, name, val, len);
	if (name == TCP_CONGESTION)
		return 0; /* one algorithm: lwIP's NewReno */
	if (len < sizeof(int))
		return -EINVAL;
	memcpy(&v, val, sizeof(v));
	switch (name) {
	case TCP_NODELAY:
		ins->nodelay = v != 0;
		if (full && ins->nodelay)
			tcp_nagle_disable(pcb);
		else if (full)
			tcp_nagle_enable(pcb);
		if (full && ins->nodelay) {
			tcp_output(pcb);
			inet_flush();
		}
		return 0;
	case TCP_CORK:
		ins->cork = v != 0;
		if (full && !ins->cork) {
			tcp_output(pcb);
			inet_flush();
		}
		return 0;
	case TCP_KEEPIDLE:
	case TCP_KEEPINTVL:
		if (v < 1 || v > 32767)
			return -EINVAL;
		if (name == TCP_KEEPIDLE)
			ins->keep_idle = (uint32_t)v;
		else
			ins->keep_intvl = (uint32_t)v;
		break;
	case TCP_KEEPCNT:
		if (v < 1 || v > 127)
			return -EINVAL;
		ins->keep_cnt = (uint32_t)v;
		break;
	case TCP_INFO:
		return -ENOPROTOOPT;
	default:
		for (int i = 0; i < TCP_KEPT; i++) {
			if (tcp_kept_names[i] != name)
				continue;
			if (name == TCP_MAXSEG && v && (v < 88 || v > 65535))
				return -EINVAL;
			ins->tcp_kept[i] = v;
			return 0;
		}
		return -ENOPROTOOPT;
	}
	if (full)
		inet_tcp_apply_opts(ins, pcb);
	return 0;
}

static u8_t linux_state(const struct inet_sock *ins)
{
	const struct tcp_pcb *pcb = ins->pcb.tcp;
	if (!pcb)
		return ins->state == INET_LISTEN ? LINUX_TCP_LISTEN : LINUX_TCP_CLOSE;
	static const u8_t map[] = {
	    [CLOSED] = LINUX_TCP_CLOSE,
	    [LISTEN] = LINUX_TCP_LISTEN,
	    [SYN_SENT] = LINUX_TCP_SYN_SENT,
	    [SYN_RCVD] = LINUX_TCP_SYN_RECV,
	    [ESTABLISHED] = LINUX_TCP_ESTABLISHED,
	    [FIN_WAIT_1] = LINUX_TCP_FIN_WAIT1,
	    [FIN_WAIT_2] = LINUX_TCP_FIN_WAIT2,
	    [CLOSE_WAIT] = LINUX_TCP_CLOSE_WAIT,
	    [CLOSING] = LINUX_TCP_CLOSING,
	    [LAST_ACK] = LINUX_TCP_LAST_ACK,
	    [TIME_WAIT] = LINUX_TCP_TIME_WAIT,
	};
	return pcb->state < sizeof(map) ? map[pcb->state] : LINUX_TCP_CLOSE;
}

/* What lwIP knows, in Linux's units; the rest stays 0. */
static void tcp_info_fill(const struct inet_sock *ins, struct linux_tcp_info *ti)
{
	memset(ti, 0, sizeof(*ti));
	ti->tcpi_state = linux_state(ins);
	const struct tcp_pcb *pcb = ins->pcb.tcp;
	if (!pcb || pcb->state == LISTEN)
		return;
	ti->tcpi_retransmits = pcb->nrtx;
	if (pcb->flags & TF_WND_SCALE) {
		ti->tcpi_options |= TCPI_OPT_WSCALE;
		ti->tcpi_wscale = (uint8_t)(pcb->snd_scale | (pcb->rcv_scale << 4));
	}
	ti->tcpi_rto = (uint32_t)pcb->rto * TCP_SLOW_INTERVAL * 1000;
	ti->tcpi_snd_mss = pcb->mss;
	ti->tcpi_rcv_mss = pcb->mss;
	for (const struct tcp_seg *g = pcb->unacked; g; g = g->next)
		ti->tcpi_unacked++;
	ti->tcpi_rtt = (uint32_t)(pcb->sa >> 3) * TCP_SLOW_INTERVAL * 1000;
	ti->tcpi_rttvar = (uint32_t)(pcb->sv >> 2) * TCP_SLOW_INTERVAL * 1000;
	ti->tcpi_snd_ssthresh = pcb->mss ? pcb->ssthresh / pcb->mss : 0;
	ti->tcpi_snd_cwnd = pcb->mss ? pcb->cwnd / pcb->mss : 0;
	ti->tcpi_advmss = TCP_MSS;
	ti->tcpi_rcv_ssthresh = pcb->rcv_wnd;
	ti->tcpi_rcv_space = pcb->rcv_wnd;
	ti->tcpi_pmtu = 65535;
}

int inet_tcp_getsockopt(struct socket *s, int level, int name, void *val,
			unsigned int *len)
{
	struct inet_sock *ins = inet_sk(s);
	inet_claim(ins);
	const struct tcp_pcb *pcb = ins->pcb.tcp;
	if (level == SOL_SOCKET)
		return -ENOPROTOOPT;
	if (level != SOL_TCP)
		return inet_ip_getsockopt(s, level, name, val, len);
	switch (name) {
	case TCP_NODELAY:
		return inet_put_int(val, len, ins->nodelay);
	case TCP_CORK:
		return inet_put_int(val, len, ins->cork);
	case TCP_KEEPIDLE:
		return inet_put_int(val, len, (int)ins->keep_idle);
	case TCP_KEEPINTVL:
		return inet_put_int(val, len, (int)ins->keep_intvl);
	case TCP_KEEPCNT:
		return inet_put_int(val, len, (int)ins->keep_cnt);
	case TCP_MAXSEG:
		/* Linux: the MSS of a connection, else 536 */
		return inet_put_int(
		    val, len,
		    pcb && pcb->state != LISTEN && ins->state == INET_CONNECTED ? pcb->mss
										: 536);
	case TCP_CONGESTION: {
		static const char name_reno[16] = "reno";
		memcpy(val, name_reno, sizeof(name_reno));
		*len = MIN(*len, (unsigned int)sizeof(name_reno));
		return 0;
	}
	case TCP_INFO: {
		struct linux_tcp_info ti;
		tcp_info_fill(ins, &ti);
		memcpy(val, &ti, sizeof(ti));
		*len = MIN(*len, (unsigned int)sizeof(ti));
		return 0;
	}
	}
	for (int i = 0; i < TCP_KEPT; i++)
		if (tcp_kept_names[i] == name)
			return inet_put_int(val, len, ins->tcp_kept[i]);
	return -ENOPROTOOPT;
}

long inet_tcp_nread(struct socket *s)
{
	struct inet_sock *ins = inet_sk(s);
	if (ins->state == INET_LISTEN)
		return -EINVAL;
	return (long)MIN(ins->rx_bytes, (size_t)0x7fffffff);
}

long inet_tcp_ioctl(struct socket *s, unsigned int cmd, unsigned long uarg)
{
	struct inet_sock *ins = inet_sk(s);
	if (cmd != SIOCOUTQ)
		return -ENOTTY;
	if (ins->state == INET_LISTEN)
		return -EINVAL;
	const struct tcp_pcb *pcb = ins->pcb.tcp;
	int v = pcb ? (int)(TCP_SND_BUF - pcb->snd_buf) : 0;
	return copy_to_user(uarg, &v, sizeof(v)) ? -EFAULT : 0;
}
