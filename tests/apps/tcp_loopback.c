// SPDX-License-Identifier: MIT
/*
 * TCP over the loopback interface, IPv4 (127.0.0.1) and IPv6 (::1), in one process
 * and across fork: bind to port 0 and getsockname, listen, connect, accept and
 * accept4 (SOCK_NONBLOCK, SOCK_CLOEXEC), getpeername, non-blocking connect
 * (EINPROGRESS, poll POLLOUT, SO_ERROR), ECONNREFUSED to a closed port,
 * send/recv/sendmsg/recvmsg, MSG_PEEK, MSG_WAITALL, MSG_DONTWAIT, shutdown(SHUT_WR)
 * to EOF, the errors of sockets in the wrong state, 1 MiB to a forked child, and
 * IPv4 clients of an IPv6 listener (v4-mapped addresses).  Options: tcp_sockopts.c;
 * UDP: udp_loopback.c.
 */
#define _GNU_SOURCE
#include "apptest.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>

#define WAIT_MS 20000 /* generous: the guest may run under TCG */

struct addr {
	struct sockaddr_storage ss;
	socklen_t len;
};

/* The loopback address of family at port (host order). */
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

static int port_of(const struct addr *a)
{
	if (a->ss.ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)&a->ss)->sin_port);
	return ntohs(((const struct sockaddr_in6 *)&a->ss)->sin6_port);
}

/* True when a and b name the same address and port (family-specific fields only). */
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

static struct addr sockname(int fd)
{
	struct addr a;

	memset(&a, 0, sizeof(a));
	a.len = sizeof(a.ss);
	CHECK_OK(getsockname(fd, (struct sockaddr *)&a.ss, &a.len));
	return a;
}

static struct addr peername(int fd)
{
	struct addr a;

	memset(&a, 0, sizeof(a));
	a.len = sizeof(a.ss);
	CHECK_OK(getpeername(fd, (struct sockaddr *)&a.ss, &a.len));
	return a;
}

/* A listening socket on the loopback address of family, at a port the kernel picks. */
static int listener(int family, int *port)
{
	int fd = socket(family, SOCK_STREAM, 0);
	struct addr a = loopback(family, 0);

	CHECK(fd >= 0, "socket(%d, SOCK_STREAM)", family);
	CHECK_OK(bind(fd, (struct sockaddr *)&a.ss, a.len));
	CHECK_OK(listen(fd, 8));
	struct addr me = sockname(fd);
	*port = port_of(&me);
	CHECK(*port > 0, "getsockname gives the port bind picked");
	return fd;
}

static int connect_to(int family, int port)
{
	int fd = socket(family, SOCK_STREAM, 0);
	struct addr a = loopback(family, port);

	CHECK(fd >= 0, "socket");
	CHECK_OK(connect(fd, (struct sockaddr *)&a.ss, a.len));
	return fd;
}

/* A connected pair over loopback: *c the client end, *s the accepted end. */
static void tcp_pair(int family, int *c, int *s)
{
	int port, l = listener(family, &port);

	*c = connect_to(family, port);
	*s = accept(l, NULL, NULL);
	CHECK(*s >= 0, "accept");
	close(l);
}

static short wait_for(int fd, short events)
{
	struct pollfd p = {.fd = fd, .events = events};
	int n = poll(&p, 1, WAIT_MS);

	CHECK(n == 1, "poll(%#x) within %d ms: %d", events, WAIT_MS, n);
	return p.revents;
}

static void send_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		CHECK(n > 0, "send %zu bytes", len);
		p += n;
		len -= (size_t)n;
	}
}

/* recv until len bytes or EOF; returns the count. */
static size_t recv_all(int fd, void *buf, size_t len)
{
	char *p = buf;
	size_t got = 0;

	while (got < len) {
		ssize_t n = recv(fd, p + got, len - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		CHECK(n >= 0, "recv");
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return got;
}

static void expect_bytes(int fd, const char *want)
{
	char buf[256];
	size_t len = strlen(want);

	CHECK(len < sizeof(buf), "short message");
	CHECK(recv_all(fd, buf, len) == len && !memcmp(buf, want, len), "received '%s'",
	      want);
}

static void check_family(int family, const char *name)
{
	int port, l = listener(family, &port);
	struct addr la = sockname(l);
	struct addr want = loopback(family, port);
	int v = -1;
	socklen_t len = sizeof(v);

	CHECK(same_addr(&la, &want), "%s: getsockname is the loopback address", name);
	CHECK(getsockopt(l, SOL_SOCKET, SO_ACCEPTCONN, &v, &len) == 0 && v == 1,
	      "%s: SO_ACCEPTCONN on a listener", name);

	int c = connect_to(family, port);
	struct addr peer;
	memset(&peer, 0, sizeof(peer));
	peer.len = sizeof(peer.ss);
	int s = accept(l, (struct sockaddr *)&peer.ss, &peer.len);
	CHECK(s >= 0, "%s: accept", name);

	struct addr cname = sockname(c), sname = sockname(s);
	struct addr cpeer = peername(c), speer = peername(s);
	CHECK(same_addr(&peer, &cname), "%s: accept's address is the client's name",
	      name);
	CHECK(same_addr(&speer, &cname), "%s: getpeername(accepted) = client's name",
	      name);
	CHECK(same_addr(&cpeer, &la), "%s: getpeername(client) = listener's name", name);
	CHECK(same_addr(&sname, &la), "%s: accepted socket's name = listener's", name);
	CHECK(port_of(&cname) != port && port_of(&cname) > 0,
	      "%s: client got its own port", name);

	send_all(c, "hello", 5);
	expect_bytes(s, "hello");
	CHECK(write(s, "world", 5) == 5, "%s: write on a socket", name);
	char buf[8];
	CHECK(app_read_full(c, buf, 5) == 5 && !memcmp(buf, "world", 5), "%s: read",
	      name);
	close(c);
	CHECK(recv(s, buf, sizeof(buf), 0) == 0, "%s: EOF after the peer's close", name);
	close(s);
	close(l);
	OK("%s: bind port 0, getsockname, listen, connect, accept; names and peers "
	   "agree; "
	   "send/recv, write/read, EOF on close",
	   name);
}

static void check_accept4(void)
{
	int port, l = listener(AF_INET, &port);
	int c = connect_to(AF_INET, port);
	int s = accept4(l, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	char b;

	CHECK(s >= 0, "accept4");
	CHECK(fcntl(s, F_GETFL) & O_NONBLOCK, "accept4 SOCK_NONBLOCK sets O_NONBLOCK");
	CHECK(fcntl(s, F_GETFD) & FD_CLOEXEC, "accept4 SOCK_CLOEXEC sets FD_CLOEXEC");
	CHECK_ERR(recv(s, &b, 1, 0), EAGAIN);
	close(c);
	close(s);

	/* accept on a non-blocking listener with nobody waiting */
	CHECK_OK(fcntl(l, F_SETFL, fcntl(l, F_GETFL) | O_NONBLOCK));
	CHECK_ERR(accept(l, NULL, NULL), EAGAIN);
	struct pollfd p = {.fd = l, .events = POLLIN};
	CHECK(poll(&p, 1, 0) == 0, "a listener with nobody waiting is not readable");
	c = connect_to(AF_INET, port);
	CHECK(wait_for(l, POLLIN) & POLLIN,
	      "a pending connection makes the listener readable");
	s = accept4(l, NULL, NULL, 0);
	CHECK(s >= 0, "accept4 with no flags");
	CHECK(!(fcntl(s, F_GETFL) & O_NONBLOCK),
	      "accept4(0): the listener's O_NONBLOCK is "
	      "not inherited");
	CHECK(!(fcntl(s, F_GETFD) & FD_CLOEXEC), "accept4(0): no FD_CLOEXEC");
	close(c);
	close(s);
	close(l);
	OK("accept4: SOCK_NONBLOCK and SOCK_CLOEXEC; non-blocking listener: EAGAIN, then "
	   "POLLIN once a client waits");
}

static void check_nonblocking_connect(int family, const char *name)
{
	int port, l = listener(family, &port);
	int c = socket(family, SOCK_STREAM | SOCK_NONBLOCK, 0);
	struct addr a = loopback(family, port);
	int err = -1;
	socklen_t len = sizeof(err);

	CHECK(c >= 0, "socket");
	int r = connect(c, (struct sockaddr *)&a.ss, a.len);
	CHECK(r == 0 || errno == EINPROGRESS,
	      "%s: non-blocking connect: 0 or EINPROGRESS", name);
	short ev = wait_for(c, POLLOUT);
	CHECK((ev & POLLOUT) && !(ev & (POLLERR | POLLHUP)), "%s: POLLOUT once connected",
	      name);
	CHECK(getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0,
	      "%s: SO_ERROR 0 after connecting", name);
	struct addr p = peername(c);
	CHECK(same_addr(&p, &a), "%s: connected to the listener", name);
	/* Linux reports the completion once more (0) after an EINPROGRESS, then EISCONN
	 */
	r = connect(c, (struct sockaddr *)&a.ss, a.len);
	CHECK(r == 0 || errno == EISCONN, "%s: connect after completion: %d", name,
	      errno);
	CHECK_ERR(connect(c, (struct sockaddr *)&a.ss, a.len), EISCONN);
	int s = accept(l, NULL, NULL);
	CHECK(s >= 0, "accept");
	send_all(c, "nb", 2);
	expect_bytes(s, "nb");
	close(c);
	close(s);
	close(l);
	OK("%s: non-blocking connect: EINPROGRESS, poll POLLOUT, SO_ERROR 0; connect "
	   "again: "
	   "EISCONN",
	   name);
}

/* A port nothing listens on: bound once by us, then closed. */
static int closed_port(int family)
{
	int fd = socket(family, SOCK_STREAM, 0);
	struct addr a = loopback(family, 0);

	CHECK(fd >= 0, "socket");
	CHECK_OK(bind(fd, (struct sockaddr *)&a.ss, a.len));
	struct addr me = sockname(fd);
	close(fd);
	return port_of(&me);
}

static void check_refused(int family, const char *name)
{
	int port = closed_port(family);
	struct addr a = loopback(family, port);
	int c = socket(family, SOCK_STREAM, 0);

	CHECK(c >= 0, "socket");
	CHECK_ERR(connect(c, (struct sockaddr *)&a.ss, a.len), ECONNREFUSED);
	close(c);

	c = socket(family, SOCK_STREAM | SOCK_NONBLOCK, 0);
	CHECK(c >= 0, "socket");
	if (connect(c, (struct sockaddr *)&a.ss, a.len) == 0)
		FAIL("%s: non-blocking connect to a closed port succeeded", name);
	if (errno == EINPROGRESS) {
		int err = -1;
		socklen_t len = sizeof(err);
		short ev = wait_for(c, POLLOUT);

		CHECK(ev & POLLERR, "%s: POLLERR after a refused connect (revents %#x)",
		      name, ev);
		CHECK(getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &len) == 0 &&
			  err == ECONNREFUSED,
		      "%s: SO_ERROR is ECONNREFUSED (got %d)", name, err);
		CHECK(getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0,
		      "%s: reading SO_ERROR clears it", name);
	} else {
		CHECK(errno == ECONNREFUSED, "%s: non-blocking connect: %d", name, errno);
	}
	close(c);
	OK("%s: connect to a closed port: ECONNREFUSED (blocking, and through SO_ERROR "
	   "when non-blocking)",
	   name);
}

static void check_messages(void)
{
	int c, s;
	char buf[32];

	tcp_pair(AF_INET, &c, &s);

	/* sendmsg gathers, recvmsg scatters; MSG_WAITALL fills both buffers */
	struct iovec out[3] = {{"abc", 3}, {"defg", 4}, {"hi", 2}};
	struct msghdr m = {.msg_iov = out, .msg_iovlen = 3};
	CHECK(sendmsg(c, &m, MSG_NOSIGNAL) == 9, "sendmsg of three buffers");
	char x[4], y[5];
	struct iovec in[2] = {{x, sizeof(x)}, {y, sizeof(y)}};
	struct msghdr r = {.msg_iov = in, .msg_iovlen = 2};
	CHECK(recvmsg(s, &r, MSG_WAITALL) == 9, "recvmsg MSG_WAITALL of 9 bytes");
	CHECK(!memcmp(x, "abcd", 4) && !memcmp(y, "efghi", 5), "recvmsg scatter");
	CHECK(r.msg_flags == 0, "recvmsg flags 0 (got %#x)", r.msg_flags);

	/* writev/readv too */
	CHECK(writev(s, out, 3) == 9, "writev");
	CHECK(recv(c, buf, 9, MSG_WAITALL) == 9 && !memcmp(buf, "abcdefghi", 9),
	      "writev "
	      "arrives");

	/* MSG_PEEK leaves the bytes for the next recv */
	send_all(c, "peekaboo", 8);
	CHECK(wait_for(s, POLLIN) & POLLIN, "POLLIN");
	CHECK(recv(s, buf, 4, MSG_PEEK) == 4 && !memcmp(buf, "peek", 4), "MSG_PEEK");
	CHECK(recv(s, buf, 4, MSG_PEEK) == 4 && !memcmp(buf, "peek", 4),
	      "MSG_PEEK twice");
	CHECK(recv(s, buf, 8, MSG_WAITALL) == 8 && !memcmp(buf, "peekaboo", 8),
	      "recv after MSG_PEEK");

	/* nothing there */
	CHECK_ERR(recv(s, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);
	struct pollfd p = {.fd = s, .events = POLLIN | POLLOUT};
	CHECK(poll(&p, 1, 0) == 1 && p.revents == POLLOUT,
	      "idle connection: POLLOUT only "
	      "(got %#x)",
	      p.revents);

	/* a burst of small sends arrives in order */
	for (int i = 0; i < 100; i++) {
		snprintf(buf, sizeof(buf), "%03d", i);
		send_all(c, buf, 3);
	}
	char all[300];
	CHECK(recv_all(s, all, sizeof(all)) == sizeof(all), "300 bytes");
	for (int i = 0; i < 100; i++) {
		snprintf(buf, sizeof(buf), "%03d", i);
		CHECK(!memcmp(all + 3 * i, buf, 3), "message %d in order", i);
	}
	close(c);
	close(s);
	OK("sendmsg/recvmsg (gather, scatter, MSG_WAITALL), writev, MSG_PEEK twice then "
	   "recv, MSG_DONTWAIT EAGAIN, 100 small sends in order");
}

static void check_shutdown(void)
{
	int c, s;
	char buf[16];

	tcp_pair(AF_INET, &c, &s);
	CHECK_OK(shutdown(c, SHUT_WR));
	CHECK(recv(s, buf, sizeof(buf), 0) == 0, "EOF after the peer's SHUT_WR");
	CHECK(wait_for(s, POLLIN) & POLLIN, "EOF is readable");
	CHECK_ERR(send(c, "x", 1, MSG_NOSIGNAL), EPIPE);
	send_all(s, "after", 5);
	expect_bytes(c, "after");
	CHECK_OK(shutdown(s, SHUT_WR));
	CHECK(recv(c, buf, sizeof(buf), 0) == 0, "EOF both ways");
	close(c);
	close(s);

	/* SHUT_RD then the peer's data is not delivered: only check the local EOF */
	tcp_pair(AF_INET6, &c, &s);
	CHECK_OK(shutdown(c, SHUT_RD));
	CHECK(recv(c, buf, sizeof(buf), 0) == 0, "recv after SHUT_RD is EOF");
	send_all(c, "still", 5);
	expect_bytes(s, "still");
	CHECK_OK(shutdown(c, SHUT_RDWR));
	CHECK(recv(s, buf, sizeof(buf), 0) == 0, "EOF after SHUT_RDWR");
	close(c);
	close(s);
	OK("shutdown: SHUT_WR gives the peer EOF and EPIPE locally, the other way still "
	   "works; SHUT_RD reads EOF; SHUT_RDWR");
}

static void check_wrong_state(void)
{
	int t = socket(AF_INET, SOCK_STREAM, 0);
	int port, l = listener(AF_INET, &port);
	struct addr a = loopback(AF_INET, port);
	char b;

	CHECK(t >= 0, "socket");
	CHECK_ERR(getpeername(t, (struct sockaddr *)&a.ss, &a.len), ENOTCONN);
	CHECK_ERR(recv(t, &b, 1, 0), ENOTCONN);
	CHECK_ERR(send(t, "x", 1, MSG_NOSIGNAL), EPIPE);
	CHECK_ERR(shutdown(t, SHUT_WR), ENOTCONN);
	CHECK_ERR(accept(t, NULL, NULL), EINVAL);
	a = loopback(AF_INET, port);
	CHECK_ERR(bind(t, (struct sockaddr *)&a.ss, a.len), EADDRINUSE);
	int on = 1;
	CHECK_OK(setsockopt(t, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)));
	CHECK_ERR(bind(t, (struct sockaddr *)&a.ss, a.len), EADDRINUSE);
	struct addr any = loopback(AF_INET, 0);
	CHECK_OK(bind(t, (struct sockaddr *)&any.ss, any.len));
	CHECK_ERR(bind(t, (struct sockaddr *)&any.ss, any.len), EINVAL);
	close(t);
	close(l);

	CHECK_ERR(socket(AF_INET, SOCK_STREAM, IPPROTO_UDP), EPROTONOSUPPORT);
	struct sockaddr_in bad = {.sin_family = AF_INET};
	t = socket(AF_INET, SOCK_STREAM, 0);
	CHECK_ERR(bind(t, (struct sockaddr *)&bad, sizeof(bad) - 1), EINVAL);
	close(t);
	OK("wrong states: ENOTCONN (getpeername, recv, shutdown), EPIPE (send), EINVAL "
	   "(accept, bind twice, short address), EADDRINUSE (with and without "
	   "SO_REUSEADDR), "
	   "EPROTONOSUPPORT");
}

/* 1 MiB from the parent to a forked child; the child answers with its checksum. */
static void check_fork_bulk(void)
{
	enum { TOTAL = 1 << 20 };
	int port, l = listener(AF_INET, &port);
	pid_t pid = fork();

	CHECK(pid >= 0, "fork");
	if (pid == 0) {
		int c = connect_to(AF_INET, port);
		static char buf[65536];
		unsigned long long h = APP_FNV_INIT;
		size_t got = 0;
		ssize_t n;

		close(l);
		while ((n = recv(c, buf, sizeof(buf), 0)) > 0) {
			h = app_fnv1a(h, buf, (size_t)n);
			got += (size_t)n;
		}
		char line[64];
		int len = snprintf(line, sizeof(line), "%zu %016llx\n", got, h);
		send_all(c, line, (size_t)len);
		close(c);
		_exit(n == 0 ? 0 : 3);
	}
	int s = accept(l, NULL, NULL);
	CHECK(s >= 0, "accept the child");
	close(l);
	static char data[TOTAL];
	unsigned x = 12345;
	for (size_t i = 0; i < sizeof(data); i++) {
		x = x * 1103515245 + 12345;
		data[i] = (char)(x >> 16);
	}
	send_all(s, data, sizeof(data));
	CHECK_OK(shutdown(s, SHUT_WR));
	char line[64] = {0};
	size_t n = recv_all(s, line, sizeof(line) - 1);
	unsigned long long h = app_fnv1a(APP_FNV_INIT, data, sizeof(data));
	char want[64];
	snprintf(want, sizeof(want), "%d %016llx\n", TOTAL, h);
	CHECK(n == strlen(want) && !strcmp(line, want), "child's checksum: %s", line);
	int st;
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "child exit");
	close(s);
	OK("fork: 1 MiB parent to child over 127.0.0.1, fnv1a %016llx on both sides", h);
}

/* An IPv6 listener on :: takes IPv4 clients as ::ffff:127.0.0.1 (IPV6_V6ONLY 0). */
static void check_v4mapped(void)
{
	int l = socket(AF_INET6, SOCK_STREAM, 0);
	int v6only = -1;
	socklen_t len = sizeof(v6only);
	struct sockaddr_in6 any = {.sin6_family = AF_INET6,
				   .sin6_addr = IN6ADDR_ANY_INIT};

	CHECK(l >= 0, "socket");
	CHECK(getsockopt(l, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, &len) == 0 && v6only == 0,
	      "IPV6_V6ONLY is 0 by default");
	CHECK_OK(bind(l, (struct sockaddr *)&any, sizeof(any)));
	CHECK_OK(listen(l, 4));
	struct addr me = sockname(l);
	int port = port_of(&me);
	int c = connect_to(AF_INET, port);
	struct sockaddr_in6 peer;
	socklen_t plen = sizeof(peer);
	int s = accept(l, (struct sockaddr *)&peer, &plen);
	CHECK(s >= 0, "accept an IPv4 client on an IPv6 listener");
	char text[INET6_ADDRSTRLEN];
	CHECK(plen == sizeof(peer) && peer.sin6_family == AF_INET6, "peer is AF_INET6");
	inet_ntop(AF_INET6, &peer.sin6_addr, text, sizeof(text));
	CHECK(!strcmp(text, "::ffff:127.0.0.1"), "peer address %s", text);
	send_all(c, "v4", 2);
	expect_bytes(s, "v4");
	close(c);
	close(s);
	close(l);
	OK("IPv6 listener on [::]: an IPv4 client is %s", text);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	check_family(AF_INET, "ipv4 127.0.0.1");
	check_family(AF_INET6, "ipv6 ::1");
	check_accept4();
	check_nonblocking_connect(AF_INET, "ipv4");
	check_nonblocking_connect(AF_INET6, "ipv6");
	check_refused(AF_INET, "ipv4");
	check_refused(AF_INET6, "ipv6");
	check_messages();
	check_shutdown();
	check_wrong_state();
	check_fork_bulk();
	check_v4mapped();
	return 0;
}
