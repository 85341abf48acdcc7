// SPDX-License-Identifier: MIT
/*
 * UDP over loopback, IPv4 and IPv6: sendto/recvfrom keep message boundaries and
 * name the sender, sendmsg gathers into one datagram, a short buffer truncates
 * (MSG_TRUNC in msg_flags, the rest dropped), MSG_PEEK, empty datagrams, connected
 * sockets (send/recv, getpeername, datagrams from others filtered), FIONREAD (the
 * next datagram's size), and ECONNREFUSED on a connected socket whose peer port is
 * closed (Linux reports the ICMP error on the next call).
 */
#define _GNU_SOURCE
#include "apptest.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>

#define WAIT_MS 20000

struct addr {
	struct sockaddr_storage ss;
	socklen_t len;
};

static struct addr loopback(int family, int port)
{
	struct addr a;

	memset(&a, 0, sizeof(a));
	if (family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)&a.ss;
		in->sin_family = AF_INET;
		in->sin_port = htons(port);
		in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		a.len = sizeof(*in);
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&a.ss;
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		in6->sin6_addr = in6addr_loopback;
		a.len = sizeof(*in6);
	}
	return a;
}

static int same_addr(const struct addr *a, const struct addr *b)
{
	if (a->ss.ss_family != b->ss.ss_family || a->len != b->len)
		return 0;
	if (a->ss.ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)&a->ss,
					 *y = (const void *)&b->ss;
		return x->sin_port == y->sin_port &&
		       x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	const struct sockaddr_in6 *x = (const void *)&a->ss, *y = (const void *)&b->ss;
	return x->sin6_port == y->sin6_port &&
	       !memcmp(&x->sin6_addr, &y->sin6_addr, sizeof(x->sin6_addr));
}

/* A UDP socket bound to loopback at a port the kernel picks; *me is its name. */
static int udp_socket(int family, struct addr *me)
{
	int fd = socket(family, SOCK_DGRAM, 0);
	struct addr a = loopback(family, 0);

	CHECK(fd >= 0, "socket(SOCK_DGRAM)");
	CHECK_OK(bind(fd, (struct sockaddr *)&a.ss, a.len));
	memset(me, 0, sizeof(*me));
	me->len = sizeof(me->ss);
	CHECK_OK(getsockname(fd, (struct sockaddr *)&me->ss, &me->len));
	CHECK(me->len == a.len && me->ss.ss_family == family, "getsockname");
	return fd;
}

static void wait_readable(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};

	CHECK(poll(&p, 1, WAIT_MS) == 1 && (p.revents & POLLIN),
	      "a datagram within %d ms", WAIT_MS);
}

static void fill(char *buf, size_t len, unsigned seed)
{
	for (size_t i = 0; i < len; i++) {
		seed = seed * 1103515245 + 12345;
		buf[i] = (char)(seed >> 16);
	}
}

static void check_boundaries(int family, const char *name)
{
	struct addr aa, ba;
	int a = udp_socket(family, &aa), b = udp_socket(family, &ba);
	static const size_t sizes[] = {1, 100, 1400, 8000, 3};
	static char out[8000], in[9000];

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		fill(out, sizes[i], (unsigned)i);
		CHECK(sendto(a, out, sizes[i], 0, (struct sockaddr *)&ba.ss, ba.len) ==
			  (ssize_t)sizes[i],
		      "%s: sendto %zu bytes", name, sizes[i]);
	}
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct addr from;
		from.len = sizeof(from.ss);
		wait_readable(b);
		ssize_t n = recvfrom(b, in, sizeof(in), 0, (struct sockaddr *)&from.ss,
				     &from.len);
		fill(out, sizes[i], (unsigned)i);
		CHECK(n == (ssize_t)sizes[i] && !memcmp(in, out, sizes[i]),
		      "%s: datagram %zu: %zd bytes, want %zu", name, i, n, sizes[i]);
		CHECK(same_addr(&from, &aa), "%s: recvfrom names the sender", name);
	}
	CHECK_ERR(recv(b, in, sizeof(in), MSG_DONTWAIT), EAGAIN);
	close(a);
	close(b);
	OK("%s: sendto/recvfrom of 1, 100, 1400, 8000 and 3 bytes: one datagram each, in "
	   "order, sender named",
	   name);
}

static void check_msg_trunc_peek(void)
{
	struct addr aa, ba;
	int a = udp_socket(AF_INET, &aa), b = udp_socket(AF_INET, &ba);
	char big[100], small[10];

	CHECK_OK(connect(a, (struct sockaddr *)&ba.ss, ba.len));

	/* sendmsg gathers three buffers into one datagram */
	struct iovec out[3] = {{"one,", 4}, {"two,", 4}, {"three", 5}};
	struct msghdr m = {.msg_iov = out, .msg_iovlen = 3};
	CHECK(sendmsg(a, &m, 0) == 13, "sendmsg");
	wait_readable(b);
	CHECK(recv(b, big, sizeof(big), 0) == 13 && !memcmp(big, "one,two,three", 13),
	      "one datagram of 13 bytes");

	/* MSG_PEEK twice, then the same datagram again */
	CHECK(send(a, "peeked", 6, 0) == 6, "send");
	wait_readable(b);
	CHECK(recv(b, big, sizeof(big), MSG_PEEK) == 6, "MSG_PEEK");
	CHECK(recv(b, big, 3, MSG_PEEK) == 3 && !memcmp(big, "pee", 3), "short MSG_PEEK");
	CHECK(recv(b, big, sizeof(big), 0) == 6 && !memcmp(big, "peeked", 6),
	      "after peek");

	/* a short buffer truncates and drops the rest of that datagram */
	memset(big, 'x', sizeof(big));
	CHECK(send(a, big, sizeof(big), 0) == (ssize_t)sizeof(big), "send 100");
	CHECK(send(a, "next", 4, 0) == 4, "send next");
	wait_readable(b);
	struct iovec iv = {small, sizeof(small)};
	struct msghdr r = {.msg_iov = &iv, .msg_iovlen = 1};
	CHECK(recvmsg(b, &r, 0) == (ssize_t)sizeof(small), "recvmsg into 10 bytes");
	CHECK(r.msg_flags & MSG_TRUNC, "MSG_TRUNC in msg_flags (got %#x)", r.msg_flags);
	wait_readable(b);
	iv.iov_len = sizeof(small);
	r.msg_flags = 0;
	CHECK(recvmsg(b, &r, 0) == 4 && !memcmp(small, "next", 4),
	      "the next datagram whole");
	CHECK(!(r.msg_flags & MSG_TRUNC), "no MSG_TRUNC (got %#x)", r.msg_flags);

	/* an empty datagram is a datagram */
	CHECK(send(a, "", 0, 0) == 0, "send 0 bytes");
	wait_readable(b);
	CHECK(recv(b, big, sizeof(big), 0) == 0, "an empty datagram reads as 0 bytes");
	close(a);
	close(b);
	OK("sendmsg: one datagram of three buffers; MSG_PEEK twice then recv; 100 bytes "
	   "into "
	   "10: MSG_TRUNC, rest dropped; an empty datagram");
}

static void check_connected(int family, const char *name)
{
	struct addr aa, ba, ca;
	int a = udp_socket(family, &aa), b = udp_socket(family, &ba),
	    c = udp_socket(family, &ca);
	char buf[32];

	CHECK_OK(connect(b, (struct sockaddr *)&aa.ss, aa.len));
	struct addr peer;
	peer.len = sizeof(peer.ss);
	CHECK_OK(getpeername(b, (struct sockaddr *)&peer.ss, &peer.len));
	CHECK(same_addr(&peer, &aa), "%s: getpeername of a connected UDP socket", name);
	/* a datagram from c is not for b, which only hears a */
	CHECK(sendto(c, "from-c", 6, 0, (struct sockaddr *)&ba.ss, ba.len) == 6,
	      "sendto c");
	CHECK(sendto(a, "from-a", 6, 0, (struct sockaddr *)&ba.ss, ba.len) == 6,
	      "sendto a");
	wait_readable(b);
	CHECK(recv(b, buf, sizeof(buf), 0) == 6 && !memcmp(buf, "from-a", 6),
	      "%s: the connected socket gets only its peer's datagram", name);
	CHECK_ERR(recv(b, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);
	CHECK(send(b, "reply", 5, 0) == 5, "send on a connected UDP socket");
	wait_readable(a);
	struct addr from;
	from.len = sizeof(from.ss);
	CHECK(recvfrom(a, buf, sizeof(buf), 0, (struct sockaddr *)&from.ss, &from.len) ==
		  5,
	      "reply");
	CHECK(same_addr(&from, &ba), "%s: the reply comes from b", name);
	struct addr none = loopback(family, 0);
	CHECK_ERR(getpeername(a, (struct sockaddr *)&none.ss, &none.len), ENOTCONN);
	CHECK_ERR(send(a, "x", 1, 0), EDESTADDRREQ);
	close(a);
	close(b);
	close(c);
	OK("%s: connected UDP: getpeername, send/recv, others' datagrams filtered; "
	   "unconnected: ENOTCONN, EDESTADDRREQ",
	   name);
}

static void check_fionread(void)
{
	struct addr aa, ba;
	int a = udp_socket(AF_INET, &aa), b = udp_socket(AF_INET, &ba);
	int n = -1;
	char buf[64] = {0};

	CHECK_OK(ioctl(b, FIONREAD, &n));
	CHECK(n == 0, "FIONREAD empty: %d", n);
	CHECK(sendto(a, buf, 17, 0, (struct sockaddr *)&ba.ss, ba.len) == 17, "sendto");
	CHECK(sendto(a, buf, 40, 0, (struct sockaddr *)&ba.ss, ba.len) == 40, "sendto");
	wait_readable(b);
	CHECK_OK(ioctl(b, FIONREAD, &n));
	CHECK(n == 17, "FIONREAD is the next datagram's size: %d, want 17", n);
	CHECK(recv(b, buf, sizeof(buf), 0) == 17, "recv 17");
	wait_readable(b);
	CHECK_OK(ioctl(b, FIONREAD, &n));
	CHECK(n == 40, "FIONREAD then %d, want 40", n);
	close(a);
	close(b);
	OK("FIONREAD on UDP: 0, then the size of the next datagram (17, 40)");
}

static void check_refused(void)
{
	struct addr aa, dead;
	int a = udp_socket(AF_INET, &aa);
	int d = udp_socket(AF_INET, &dead);
	char buf[8];

	close(d); /* nothing listens at dead's port any more */
	CHECK_OK(connect(a, (struct sockaddr *)&dead.ss, dead.len));
	CHECK(send(a, "ping", 4, 0) == 4, "send to a closed port succeeds locally");
	struct pollfd p = {.fd = a, .events = POLLIN};
	CHECK(poll(&p, 1, WAIT_MS) == 1 && (p.revents & POLLERR),
	      "POLLERR once the port unreachable comes back (revents %#x)", p.revents);
	CHECK_ERR(recv(a, buf, sizeof(buf), 0), ECONNREFUSED);
	close(a);
	OK("connected UDP to a closed port: POLLERR, then recv fails with ECONNREFUSED");
}

int main(void)
{
	check_boundaries(AF_INET, "ipv4");
	check_boundaries(AF_INET6, "ipv6");
	check_msg_trunc_peek();
	check_connected(AF_INET, "ipv4");
	check_connected(AF_INET6, "ipv6");
	check_fionread();
	check_refused();
	return 0;
}
