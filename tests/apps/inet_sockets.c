// SPDX-License-Identifier: MIT
/*
 * AF_INET and AF_INET6 corner cases over loopback that tcp_loopback.c,
 * tcp_sockopts.c and udp_loopback.c leave out: how connections end (RST when
 * closing with unread data or with SO_LINGER 0, ECONNRESET then EOF then EPIPE,
 * EPIPE with SIGPIPE after the peer's close, POLLHUP/POLLERR/POLLRDHUP), half
 * close both ways, the accept queue (several connections, data and EOF queued
 * before accept, a closed listener resets what it queued, shutdown of a
 * listener), blocking connect refused, 1 MiB over ::1 with fork() and
 * MSG_WAITALL, sendfile to a socket, dual stack and IPV6_V6ONLY, TCP_INFO,
 * and UDP's limits (65507 bytes, EMSGSIZE, MSG_TRUNC, AF_UNSPEC disconnect).
 */
#define _GNU_SOURCE
#include "apptest.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/wait.h>

#define WAIT_MS 20000

static volatile sig_atomic_t sigpipes;

static void on_sigpipe(int sig)
{
	(void)sig;
	sigpipes++;
}

static socklen_t loopback(int family, int port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;
		in->sin_family = AF_INET;
		in->sin_port = htons(port);
		in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		return sizeof(*in);
	}
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	in6->sin6_family = AF_INET6;
	in6->sin6_port = htons(port);
	in6->sin6_addr = in6addr_loopback;
	return sizeof(*in6);
}

static int port_of(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	CHECK_OK(getsockname(fd, (struct sockaddr *)&ss, &len));
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
}

static int listener(int family, int backlog)
{
	struct sockaddr_storage ss;
	socklen_t len = loopback(family, 0, &ss);
	int l = socket(family, SOCK_STREAM, 0);
	CHECK(l >= 0, "socket");
	CHECK_OK(bind(l, (struct sockaddr *)&ss, len));
	CHECK_OK(listen(l, backlog));
	return l;
}

static int connect_to(int family, int port)
{
	struct sockaddr_storage ss;
	socklen_t len = loopback(family, port, &ss);
	int c = socket(family, SOCK_STREAM, 0);
	CHECK(c >= 0, "socket");
	CHECK_OK(connect(c, (struct sockaddr *)&ss, len));
	return c;
}

static void tcp_pair(int family, int *c, int *s)
{
	int l = listener(family, 4);
	*c = connect_to(family, port_of(l));
	*s = accept(l, NULL, NULL);
	CHECK(*s >= 0, "accept");
	close(l);
}

static short wait_for(int fd, short events)
{
	struct pollfd p = {.fd = fd, .events = events};
	CHECK(poll(&p, 1, WAIT_MS) == 1, "poll(%#x) within %d ms", events, WAIT_MS);
	return p.revents;
}

static void send_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		CHECK(n > 0, "send");
		p += n;
		len -= (size_t)n;
	}
}

static uint64_t fnv1a(uint64_t h, const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}

/* ---- how connections end */

static void check_rst_unread(int family)
{
	int c, s;
	char b[16];
	tcp_pair(family, &c, &s);
	send_all(c, "unread", 6);
	CHECK(wait_for(s, POLLIN) & POLLIN, "the data arrived");
	close(s); /* with 6 bytes unread: RST, not FIN */
	short ev = wait_for(c, POLLIN);
	CHECK((ev & (POLLERR | POLLHUP)) == (POLLERR | POLLHUP),
	      "POLLERR|POLLHUP after RST: %#x", ev);
	CHECK_ERR(recv(c, b, sizeof(b), 0), ECONNRESET);
	CHECK(recv(c, b, sizeof(b), 0) == 0, "after the reset was reported: EOF");
	CHECK_ERR(send(c, "x", 1, MSG_NOSIGNAL), EPIPE);
	close(c);
}

static void check_linger0(int family)
{
	int c, s, v = -1;
	char b[16];
	socklen_t len = sizeof(v);
	struct linger lg = {1, 0};
	tcp_pair(family, &c, &s);
	CHECK_OK(setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)));
	close(s);
	CHECK(wait_for(c, POLLIN) & POLLERR, "POLLERR after SO_LINGER 0");
	CHECK(getsockopt(c, SOL_SOCKET, SO_ERROR, &v, &len) == 0 && v == ECONNRESET,
	      "SO_ERROR is ECONNRESET (%d)", v);
	CHECK(recv(c, b, sizeof(b), 0) == 0, "SO_ERROR took the error: EOF");
	close(c);
}

static void check_epipe(int family)
{
	int c, s;
	char b[4];
	struct sigaction sa = {.sa_handler = on_sigpipe};
	CHECK_OK(sigaction(SIGPIPE, &sa, NULL));
	tcp_pair(family, &c, &s);
	close(s);
	CHECK(recv(c, b, sizeof(b), 0) == 0, "EOF after the peer's close");
	CHECK(send(c, "x", 1, 0) == 1, "a send after the peer's FIN still goes out");
	CHECK(wait_for(c, POLLOUT) & POLLERR, "the closed peer answers with RST");
	sigpipes = 0;
	CHECK_ERR(send(c, "y", 1, 0), EPIPE);
	CHECK(sigpipes == 1, "SIGPIPE with EPIPE (%d)", (int)sigpipes);
	CHECK_ERR(write(c, "z", 1), EPIPE);
	CHECK(sigpipes == 2, "write raises SIGPIPE too (%d)", (int)sigpipes);
	CHECK_ERR(send(c, "z", 1, MSG_NOSIGNAL), EPIPE);
	CHECK(sigpipes == 2, "MSG_NOSIGNAL: no SIGPIPE");
	close(c);
	signal(SIGPIPE, SIG_DFL);
}

static void check_half_close(int family)
{
	int c, s;
	char b[16];
	tcp_pair(family, &c, &s);
	CHECK_OK(shutdown(c, SHUT_WR));
	short ev = wait_for(s, POLLIN | POLLRDHUP);
	CHECK((ev & (POLLIN | POLLRDHUP)) == (POLLIN | POLLRDHUP) && !(ev & POLLHUP),
	      "the peer's FIN: POLLIN|POLLRDHUP, not POLLHUP (%#x)", ev);
	CHECK(recv(s, b, sizeof(b), 0) == 0, "EOF on the half-closed side");
	send_all(s, "late reply", 10); /* the other direction still works */
	CHECK(app_read_full(c, b, 10) == 10 && !memcmp(b, "late reply", 10),
	      "reply read");
	CHECK_OK(shutdown(s, SHUT_WR));
	CHECK(recv(c, b, sizeof(b), 0) == 0, "EOF both ways");
	ev = wait_for(c, POLLIN);
	CHECK((ev & POLLHUP) && (ev & POLLIN), "both shut: POLLHUP (%#x)", ev);
	close(c);
	close(s);
}

/* ---- the accept queue */

static void check_accept_queue(int family)
{
	int l = listener(family, 8), port = port_of(l), c[3];
	char b[16];
	for (int i = 0; i < 3; i++) {
		c[i] = connect_to(family, port);
		char msg[2] = {(char)('a' + i), 0};
		send_all(c[i], msg, 1);
	}
	close(c[2]); /* data and EOF queued before accept */
	for (int i = 0; i < 3; i++) {
		int s = accept(l, NULL, NULL);
		CHECK(s >= 0, "accept %d", i);
		CHECK(recv(s, b, 1, MSG_WAITALL) == 1 && b[0] == 'a' + i,
		      "connection %d in order", i);
		if (i == 2)
			CHECK(recv(s, b, 1, 0) == 0, "EOF queued before accept");
		close(s);
	}
	/* closing a listener resets the connections it had not handed out */
	int q = connect_to(family, port);
	CHECK(wait_for(l, POLLIN) & POLLIN, "queued");
	close(l);
	CHECK(wait_for(q, POLLIN) & POLLERR,
	      "queued connection reset by the listener's close");
	CHECK_ERR(recv(q, b, 1, 0), ECONNRESET);
	close(q);
	close(c[0]);
	close(c[1]);

	/* shutdown(SHUT_RD) of a listener stops it: accept fails with EINVAL */
	l = listener(family, 8);
	CHECK_OK(shutdown(l, SHUT_RD));
	CHECK_ERR(accept(l, NULL, NULL), EINVAL);
	close(l);
}

static void check_refused(int family)
{
	int l = listener(family, 1), port = port_of(l);
	close(l); /* nobody listens there any more */
	struct sockaddr_storage ss;
	socklen_t len = loopback(family, port, &ss);
	int c = socket(family, SOCK_STREAM, 0);
	CHECK_ERR(connect(c, (struct sockaddr *)&ss, len), ECONNREFUSED);
	/* after a failure, the socket may try again */
	l = listener(family, 1);
	len = loopback(family, port_of(l), &ss);
	CHECK_OK(connect(c, (struct sockaddr *)&ss, len));
	CHECK_ERR(connect(c, (struct sockaddr *)&ss, len), EISCONN);
	close(c);
	close(l);
}

static void check_tcp_info(int family)
{
	int c, s;
	struct tcp_info ti;
	socklen_t len = sizeof(ti);
	tcp_pair(family, &c, &s);
	memset(&ti, 0xff, sizeof(ti));
	CHECK_OK(getsockopt(c, IPPROTO_TCP, TCP_INFO, &ti, &len));
	CHECK(ti.tcpi_state == 1 /* TCP_ESTABLISHED */, "TCP_INFO state %d",
	      ti.tcpi_state);
	CHECK(ti.tcpi_snd_mss > 0, "TCP_INFO mss");
	close(s);
	close(c);
}

/* edge-triggered epoll: data, the peer's FIN and room to write are edges */
static void check_epoll_et(int family)
{
	int c, s, ep = epoll_create1(0);
	char b[8];
	struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP | EPOLLET};
	tcp_pair(family, &c, &s);
	ev.data.fd = s;
	CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev));
	CHECK(epoll_wait(ep, &ev, 1, 0) == 0, "nothing yet");
	send_all(c, "abcd", 4);
	CHECK(epoll_wait(ep, &ev, 1, WAIT_MS) == 1 && (ev.events & EPOLLIN),
	      "data: an edge");
	CHECK(recv(s, b, 2, 0) == 2, "read half");
	CHECK(epoll_wait(ep, &ev, 1, 0) == 0, "no new edge while the rest waits");
	send_all(c, "ef", 2);
	CHECK(epoll_wait(ep, &ev, 1, WAIT_MS) == 1 && (ev.events & EPOLLIN),
	      "more data: an edge");
	CHECK(recv(s, b, sizeof(b), 0) == 4, "the rest");
	CHECK_OK(shutdown(c, SHUT_WR));
	CHECK(epoll_wait(ep, &ev, 1, WAIT_MS) == 1 && (ev.events & EPOLLRDHUP),
	      "FIN: EPOLLRDHUP");
	CHECK(epoll_wait(ep, &ev, 1, 0) == 0, "reported once");
	close(ep);
	close(c);
	close(s);
}

/* ---- bulk data across processes */

static void check_fork_bulk(int family)
{
	enum { TOTAL = 1 << 20 };
	int l = listener(family, 1), port = port_of(l);
	static unsigned char buf[TOTAL];
	for (size_t i = 0; i < TOTAL; i++)
		buf[i] = (unsigned char)(i * 7 + (i >> 10));
	uint64_t want = fnv1a(0xcbf29ce484222325ULL, buf, TOTAL);
	pid_t pid = fork();
	CHECK(pid >= 0, "fork");
	if (pid == 0) {
		int s = accept(l, NULL, NULL);
		if (s < 0)
			_exit(2);
		static unsigned char in[TOTAL];
		ssize_t n = recv(s, in, TOTAL, MSG_WAITALL);
		uint64_t h = fnv1a(0xcbf29ce484222325ULL, in, n > 0 ? (size_t)n : 0);
		/* echo the digest, then wait for the parent's EOF */
		send_all(s, &h, sizeof(h));
		char b;
		_exit(n == TOTAL && recv(s, &b, 1, 0) == 0 ? 0 : 3);
	}
	close(l);
	int c = connect_to(family, port);
	send_all(c, buf, TOTAL);
	uint64_t got = 0;
	CHECK(recv(c, &got, sizeof(got), MSG_WAITALL) == sizeof(got), "digest");
	CHECK(got == want, "the child read the same megabyte");
	close(c);
	int st;
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "child status %#x", st);
}

static void check_sendfile(void)
{
	char path[] = "/tmp/inet_sockets.XXXXXX";
	int f = mkstemp(path);
	CHECK(f >= 0, "mkstemp");
	unlink(path);
	static char data[200000];
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (char)('A' + i % 26);
	app_write_all(f, data, sizeof(data));
	int c, s;
	tcp_pair(AF_INET, &c, &s);
	pid_t pid = fork();
	CHECK(pid >= 0, "fork");
	if (pid == 0) {
		static char in[sizeof(data)];
		close(c);
		size_t n = app_read_full(s, in, sizeof(in));
		_exit(n == sizeof(data) && !memcmp(in, data, sizeof(data)) ? 0 : 1);
	}
	close(s);
	off_t off = 0;
	size_t done = 0;
	while (done < sizeof(data)) {
		ssize_t n = sendfile(c, f, &off, sizeof(data) - done);
		CHECK(n > 0, "sendfile");
		done += (size_t)n;
	}
	CHECK(off == (off_t)sizeof(data), "sendfile moved the offset");
	close(c);
	close(f);
	int st;
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "the peer read the file");
}

/* ---- dual stack */

static void check_dual_stack(void)
{
	/* IPV6_V6ONLY: a v6 listener leaves the v4 port free and refuses v4 clients.
	 * (Natively another program may hold the v4 side of the port the kernel
	 * picked for v6: then try another.) */
	int l6 = -1, l4 = -1, one = 1, port = 0;
	struct sockaddr_in6 any6 = {.sin6_family = AF_INET6, .sin6_addr = in6addr_any};
	struct sockaddr_in any4 = {.sin_family = AF_INET};
	for (int tries = 0; tries < 50 && l6 < 0; tries++) {
		l6 = socket(AF_INET6, SOCK_STREAM, 0);
		CHECK_OK(setsockopt(l6, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)));
		CHECK_OK(bind(l6, (struct sockaddr *)&any6, sizeof(any6)));
		CHECK_OK(listen(l6, 1));
		port = port_of(l6);
		l4 = socket(AF_INET, SOCK_STREAM, 0);
		any4.sin_port = htons(port);
		if (bind(l4, (struct sockaddr *)&any4, sizeof(any4)) == 0)
			break;
		CHECK(errno == EADDRINUSE, "bind the v4 side");
		close(l4);
		close(l6);
		l6 = -1;
	}
	CHECK(l6 >= 0, "a port free for IPv4 beside a v6only listener");
	struct sockaddr_storage ss;
	socklen_t len = loopback(AF_INET, port, &ss);
	int c = socket(AF_INET, SOCK_STREAM, 0);
	CHECK_ERR(connect(c, (struct sockaddr *)&ss, len), ECONNREFUSED);
	close(c);
	close(l4);
	CHECK_ERR(setsockopt(l6, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)), EINVAL);
	close(l6);

	/* without it, [::] takes the v4 port too */
	l6 = socket(AF_INET6, SOCK_STREAM, 0);
	CHECK_OK(bind(l6, (struct sockaddr *)&any6, sizeof(any6)));
	CHECK_OK(listen(l6, 1));
	any4.sin_port = htons(port_of(l6));
	l4 = socket(AF_INET, SOCK_STREAM, 0);
	CHECK_ERR(bind(l4, (struct sockaddr *)&any4, sizeof(any4)), EADDRINUSE);
	close(l4);
	close(l6);

	/* a v4-mapped address on a v6only socket */
	c = socket(AF_INET6, SOCK_STREAM, 0);
	CHECK_OK(setsockopt(c, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)));
	struct sockaddr_in6 m = {.sin6_family = AF_INET6, .sin6_port = htons(1)};
	inet_pton(AF_INET6, "::ffff:127.0.0.1", &m.sin6_addr);
	CHECK_ERR(bind(c, (struct sockaddr *)&m, sizeof(m)), EINVAL);
	close(c);

	/* UDP on [::] hears v4 senders as ::ffff:127.0.0.1 */
	int u6 = socket(AF_INET6, SOCK_DGRAM, 0);
	CHECK_OK(bind(u6, (struct sockaddr *)&any6, sizeof(any6)));
	int u4 = socket(AF_INET, SOCK_DGRAM, 0);
	len = loopback(AF_INET, port_of(u6), &ss);
	CHECK(sendto(u4, "v4", 2, 0, (struct sockaddr *)&ss, len) == 2, "sendto");
	struct sockaddr_in6 from;
	socklen_t flen = sizeof(from);
	char b[8], text[64];
	CHECK(recvfrom(u6, b, sizeof(b), 0, (struct sockaddr *)&from, &flen) == 2,
	      "recvfrom");
	CHECK(flen == sizeof(from) && from.sin6_family == AF_INET6 &&
		  ntohs(from.sin6_port) == port_of(u4),
	      "a sockaddr_in6 with the sender's port");
	inet_ntop(AF_INET6, &from.sin6_addr, text, sizeof(text));
	CHECK(!strcmp(text, "::ffff:127.0.0.1"), "v4-mapped source: %s", text);
	close(u4);
	close(u6);
	OK("dual stack: IPV6_V6ONLY leaves the v4 port and refuses v4 clients (and "
	   "cannot change "
	   "after bind), [::] takes the v4 port, v4-mapped bind on v6only: EINVAL, UDP "
	   "on [::] "
	   "hears ::ffff:127.0.0.1");
}

/* ---- UDP limits */

static void check_udp_limits(void)
{
	int r = socket(AF_INET, SOCK_DGRAM, 0), w = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_storage ss;
	socklen_t len = loopback(AF_INET, 0, &ss);
	int big = 1 << 20;
	CHECK_OK(setsockopt(r, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big)));
	CHECK_OK(bind(r, (struct sockaddr *)&ss, len));
	len = loopback(AF_INET, port_of(r), &ss);
	static char out[65508], in[65508];
	for (size_t i = 0; i < sizeof(out); i++)
		out[i] = (char)(i * 13);
	CHECK(sendto(w, out, 65507, 0, (struct sockaddr *)&ss, len) == 65507,
	      "65507 bytes");
	CHECK_ERR(sendto(w, out, 65508, 0, (struct sockaddr *)&ss, len), EMSGSIZE);
	CHECK(recv(r, in, sizeof(in), 0) == 65507 && !memcmp(in, out, 65507),
	      "the largest datagram arrives whole");

	CHECK(sendto(w, out, 300, 0, (struct sockaddr *)&ss, len) == 300, "300 bytes");
	CHECK(recv(r, in, 10, MSG_TRUNC) == 300, "MSG_TRUNC returns the real length");
	struct iovec iov = {in, 10};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	CHECK(sendto(w, out, 20, 0, (struct sockaddr *)&ss, len) == 20, "20 bytes");
	CHECK(recvmsg(r, &mh, 0) == 10 && (mh.msg_flags & MSG_TRUNC),
	      "msg_flags MSG_TRUNC");

	/* connect, then AF_UNSPEC takes the peer away again */
	CHECK_OK(connect(w, (struct sockaddr *)&ss, len));
	CHECK(send(w, "c", 1, 0) == 1, "send on connected UDP");
	CHECK(recv(r, in, sizeof(in), 0) == 1, "recv");
	struct sockaddr un = {.sa_family = AF_UNSPEC};
	CHECK_OK(connect(w, &un, sizeof(un)));
	CHECK_ERR(send(w, "c", 1, 0), EDESTADDRREQ);
	struct sockaddr_in6 peer;
	socklen_t plen = sizeof(peer);
	CHECK_ERR(getpeername(w, (struct sockaddr *)&peer, &plen), ENOTCONN);
	close(r);
	close(w);
	OK("udp: 65507 bytes whole, 65508 EMSGSIZE, recv MSG_TRUNC returns the "
	   "datagram's length, "
	   "recvmsg sets MSG_TRUNC, connect then AF_UNSPEC disconnects");
}

int main(void)
{
	static const int families[] = {AF_INET, AF_INET6};
	static const char *const names[] = {"ipv4", "ipv6"};
	for (int i = 0; i < 2; i++) {
		int f = families[i];
		check_rst_unread(f);
		check_linger0(f);
		OK("%s: close with unread data and SO_LINGER 0 reset the peer: "
		   "POLLERR|POLLHUP, "
		   "ECONNRESET (or SO_ERROR) once, then EOF, then EPIPE",
		   names[i]);
		check_epipe(f);
		OK("%s: after the peer's close a send gets RST: EPIPE with SIGPIPE, none "
		   "with "
		   "MSG_NOSIGNAL",
		   names[i]);
		check_half_close(f);
		OK("%s: half close: POLLRDHUP and EOF on one side, the other way still "
		   "carries data, POLLHUP when both are shut",
		   names[i]);
		check_accept_queue(f);
		OK("%s: accept queue: three connections in order, data and EOF queued "
		   "before "
		   "accept, queued connections reset when the listener closes, shutdown "
		   "of a "
		   "listener: EINVAL",
		   names[i]);
		check_refused(f);
		OK("%s: blocking connect to a closed port: ECONNREFUSED, then the same "
		   "socket "
		   "connects; EISCONN",
		   names[i]);
		check_tcp_info(f);
		OK("%s: TCP_INFO of an established connection", names[i]);
		check_epoll_et(f);
		OK("%s: EPOLLET: new data and the peer's FIN are edges, a partial read "
		   "is not",
		   names[i]);
		check_fork_bulk(f);
		OK("%s: 1 MiB to a forked child, MSG_WAITALL, same fnv1a on both sides",
		   names[i]);
	}
	check_sendfile();
	OK("sendfile: 200000 bytes of a file to a TCP socket, offset advanced");
	check_dual_stack();
	check_udp_limits();
	return 0;
}
