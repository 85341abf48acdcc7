/* SPDX-License-Identifier: MIT */
/* lwIP configuration for UniELF (read by Debian's lwIP through lwip/opt.h).
 *
 * The kernel runs on one CPU and is never preempted inside a syscall, so lwIP
 * runs bare (NO_SYS): its raw API is called directly from syscalls and from the
 * net thread (kernel/net/core.c), never from interrupt handlers, and needs no
 * locks.  Memory comes from the kernel heap on demand (no fixed pools), so the
 * number of sockets, connections and buffered segments is bounded by RAM only. */
#pragma once

#define NO_SYS		     1
#define LWIP_TIMERS	     1
#define SYS_LIGHTWEIGHT_PROT 0
#define LWIP_SOCKET	     0
#define LWIP_NETCONN	     0
#define LWIP_ALTCP	     0

/* memory: the kernel heap for everything */
#define MEM_LIBC_MALLOC	  1
#define MEMP_MEM_MALLOC	  1
#define MEM_ALIGNMENT	  8
#define mem_clib_malloc	  lwip_kmalloc
#define mem_clib_free	  lwip_kfree
#define mem_clib_calloc	  lwip_kcalloc
#define PBUF_POOL_BUFSIZE 1600
/* with MEM_LIBC_MALLOC MEM_SIZE only picks the width of mem_size_t: above
 * 64000 it is 32 bits, so a 64 KiB datagram (or a loopback copy of one) can be
 * allocated in one piece */
#define MEM_SIZE (1024 * 1024)

/* protocols */
#define LWIP_IPV4     1
#define LWIP_IPV6     1
#define LWIP_ARP      1
#define LWIP_ETHERNET 1
#define LWIP_ICMP     1
#define LWIP_RAW      1 /* udp.c watches ICMP errors through a raw pcb */
#define LWIP_UDP      1
#define LWIP_TCP      1
#define LWIP_DHCP     0
#define LWIP_AUTOIP   0
#define LWIP_IGMP     0
#define LWIP_DNS      0 /* programs resolve names themselves (resolv.conf) */
#define IP_REASSEMBLY 1
#define IP_FRAG	      1
#define IPV6_FRAG_COPYHEADER                                                             \
	1 /* 64-bit pointers: the reassembly helper does not fit the fragment header */
#define LWIP_IPV6_AUTOCONFIG	      1
#define LWIP_IPV6_MLD		      1
#define LWIP_IPV6_DUP_DETECT_ATTEMPTS 0 /* addresses usable at once */
#define LWIP_ND6_ALLOW_RA_UPDATES     1
#define LWIP_IPV6_SEND_ROUTER_SOLICIT 1

/* loopback: 127.0.0.1 and ::1, and packets to our own address */
#define LWIP_HAVE_LOOPIF	1
#define LWIP_NETIF_LOOPBACK	1
#define LWIP_LOOPBACK_MAX_PBUFS 0

/* TCP: buffers sized for a server, window scaling so the window can exceed 64 KiB.
 * TCP_MSS is what a segment may carry where the interface allows it: lwIP
 * clamps it to the interface's MTU (eth0: 1460, what it advertises too), so
 * only loopback, whose MTU is unlimited, uses 16000-byte segments (64 MiB over
 * 127.0.0.1 under TCG: 229 -> 480 MB/s).  The limit is lwIP's sanity check
 * TCP_SNDLOWAT < 0xffff - 4 * TCP_MSS; TCP_SNDLOWAT itself only serves lwIP's
 * socket API, which is not built (kernel/net/tcp.c has its own threshold).
 * The queue length and the oversize allocation stay counted in 1460-byte
 * segments, so small writes still fit by the hundreds and never allocate
 * more than a small heap block. */
#define TCP_MSS		 16000
#define LWIP_WND_SCALE	 1
#define TCP_RCV_SCALE	 2
#define TCP_WND		 (128 * 1024)
#define TCP_SND_BUF	 (128 * 1024)
#define TCP_SND_QUEUELEN ((4 * TCP_SND_BUF) / 1460)
#define TCP_SNDLOWAT	 1024
#define TCP_OVERSIZE	 1460
/* TIME_WAIT lasts 2 * TCP_MSL: 60 s as on Linux (lwIP's default is 120 s),
 * so a server restarted without SO_REUSEADDR waits no longer than there */
#define TCP_MSL			   30000UL
#define TCP_QUEUE_OOSEQ		   1
#define TCP_LISTEN_BACKLOG	   1
#define TCP_DEFAULT_LISTEN_BACKLOG 0xff
#define LWIP_TCP_KEEPALIVE	   1
#define LWIP_TCP_TIMESTAMPS	   0
#define SO_REUSE		   1
/* one per-pcb slot whose destroy hook tells a socket lwIP freed its pcb (in
 * TIME_WAIT expiry and other paths that call no error callback) */
#define LWIP_TCP_PCB_NUM_EXT_ARGS    1
#define LWIP_CALLBACK_API	     1
#define LWIP_EVENT_API		     0
#define LWIP_NETIF_TX_SINGLE_PBUF    0
#define LWIP_CHECKSUM_CTRL_PER_NETIF 1

/* no statistics, no debug output; asserts panic (arch/cc.h) */
#define LWIP_STATS		   0
#define LWIP_NETIF_HOSTNAME	   0
#define LWIP_NETIF_STATUS_CALLBACK 1
#define LWIP_NETIF_LINK_CALLBACK   1
