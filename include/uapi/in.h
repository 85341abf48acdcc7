/* SPDX-License-Identifier: MIT */
/* Linux ABI of the internet families: struct sockaddr_in/sockaddr_in6, the
 * IPPROTO_* numbers, the SOL_IP/SOL_IPV6/SOL_TCP option names, struct
 * tcp_info (the stable first 104 bytes) and the TCP states it reports.
 * The generic socket ABI is uapi/socket.h. */
#pragma once
#include <stddef.h>
#include <stdint.h>

#define IPPROTO_IP     0
#define IPPROTO_ICMP   1
#define IPPROTO_TCP    6
#define IPPROTO_UDP    17
#define IPPROTO_IPV6   41
#define IPPROTO_ICMPV6 58

#define SOL_IP	 0
#define SOL_TCP	 6
#define SOL_UDP	 17
#define SOL_IPV6 41

struct linux_sockaddr_in {
	uint16_t sin_family;
	uint16_t sin_port; /* network order */
	uint32_t sin_addr; /* network order */
	uint8_t sin_zero[8];
};
_Static_assert(sizeof(struct linux_sockaddr_in) == 16, "sockaddr_in");
_Static_assert(offsetof(struct linux_sockaddr_in, sin_addr) == 4, "sockaddr_in.sin_addr");

struct linux_sockaddr_in6 {
	uint16_t sin6_family;
	uint16_t sin6_port; /* network order */
	uint32_t sin6_flowinfo;
	uint8_t sin6_addr[16];
	uint32_t sin6_scope_id;
};
_Static_assert(sizeof(struct linux_sockaddr_in6) == 28, "sockaddr_in6");
_Static_assert(offsetof(struct linux_sockaddr_in6, sin6_addr) == 8,
	       "sockaddr_in6.sin6_addr");
_Static_assert(offsetof(struct linux_sockaddr_in6, sin6_scope_id) == 24,
	       "sockaddr_in6.scope");
/* the shortest sockaddr_in6 Linux accepts (RFC 2133, no scope id) */
#define SIN6_LEN_RFC2133 24

/* SOL_IP */
#define IP_TOS			1
#define IP_TTL			2
#define IP_HDRINCL		3
#define IP_OPTIONS		4
#define IP_RECVOPTS		6
#define IP_PKTINFO		8
#define IP_MTU_DISCOVER		10
#define IP_RECVERR		11
#define IP_RECVTTL		12
#define IP_RECVTOS		13
#define IP_MTU			14
#define IP_FREEBIND		15
#define IP_TRANSPARENT		19
#define IP_BIND_ADDRESS_NO_PORT 24
#define IP_MULTICAST_IF		32
#define IP_MULTICAST_TTL	33
#define IP_MULTICAST_LOOP	34
#define IP_ADD_MEMBERSHIP	35
#define IP_DROP_MEMBERSHIP	36

/* SOL_IPV6 */
#define IPV6_UNICAST_HOPS   16
#define IPV6_MULTICAST_IF   17
#define IPV6_MULTICAST_HOPS 18
#define IPV6_MULTICAST_LOOP 19
#define IPV6_MTU_DISCOVER   23
#define IPV6_RECVERR	    25
#define IPV6_V6ONLY	    26
#define IPV6_RECVPKTINFO    49
#define IPV6_PKTINFO	    50
#define IPV6_TCLASS	    67

/* SOL_TCP */
#define TCP_NODELAY	  1
#define TCP_MAXSEG	  2
#define TCP_CORK	  3
#define TCP_KEEPIDLE	  4
#define TCP_KEEPINTVL	  5
#define TCP_KEEPCNT	  6
#define TCP_SYNCNT	  7
#define TCP_LINGER2	  8
#define TCP_DEFER_ACCEPT  9
#define TCP_WINDOW_CLAMP  10
#define TCP_INFO	  11
#define TCP_QUICKACK	  12
#define TCP_CONGESTION	  13
#define TCP_USER_TIMEOUT  18
#define TCP_FASTOPEN	  23
#define TCP_NOTSENT_LOWAT 25

/* ioctls of stream sockets */
#define SIOCINQ	 0x541B /* FIONREAD */
#define SIOCOUTQ 0x5411 /* TIOCOUTQ */

/* tcpi_state */
enum {
	LINUX_TCP_ESTABLISHED = 1,
	LINUX_TCP_SYN_SENT,
	LINUX_TCP_SYN_RECV,
	LINUX_TCP_FIN_WAIT1,
	LINUX_TCP_FIN_WAIT2,
	LINUX_TCP_TIME_WAIT,
	LINUX_TCP_CLOSE,
	LINUX_TCP_CLOSE_WAIT,
	LINUX_TCP_LAST_ACK,
	LINUX_TCP_LISTEN,
	LINUX_TCP_CLOSING,
};

#define TCPI_OPT_WSCALE 4

/* The part of struct tcp_info every libc knows (Linux 2.6 up to
 * tcpi_total_retrans); newer fields follow it in Linux and are not given. */
struct linux_tcp_info {
	uint8_t tcpi_state;
	uint8_t tcpi_ca_state;
	uint8_t tcpi_retransmits;
	uint8_t tcpi_probes;
	uint8_t tcpi_backoff;
	uint8_t tcpi_options;
	uint8_t tcpi_wscale; /* snd_wscale:4, rcv_wscale:4 */
	uint8_t tcpi_flags;
	uint32_t tcpi_rto; /* microseconds */
	uint32_t tcpi_ato;
	uint32_t tcpi_snd_mss;
	uint32_t tcpi_rcv_mss;
	uint32_t tcpi_unacked;
	uint32_t tcpi_sacked;
	uint32_t tcpi_lost;
	uint32_t tcpi_retrans;
	uint32_t tcpi_fackets;
	uint32_t tcpi_last_data_sent;
	uint32_t tcpi_last_ack_sent;
	uint32_t tcpi_last_data_recv;
	uint32_t tcpi_last_ack_recv;
	uint32_t tcpi_pmtu;
	uint32_t tcpi_rcv_ssthresh;
	uint32_t tcpi_rtt; /* microseconds */
	uint32_t tcpi_rttvar;
	uint32_t tcpi_snd_ssthresh;
	uint32_t tcpi_snd_cwnd; /* segments */
	uint32_t tcpi_advmss;
	uint32_t tcpi_reordering;
	uint32_t tcpi_rcv_rtt;
	uint32_t tcpi_rcv_space;
	uint32_t tcpi_total_retrans;
};
_Static_assert(sizeof(struct linux_tcp_info) == 104, "tcp_info");
_Static_assert(offsetof(struct linux_tcp_info, tcpi_rto) == 8, "tcp_info.rto");
_Static_assert(offsetof(struct linux_tcp_info, tcpi_rtt) == 68, "tcp_info.rtt");
