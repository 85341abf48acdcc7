// SPDX-License-Identifier: MIT
/*
 * A TCP echo server and its client in one program, for the network tests.
 *
 *   echo_server
 *       self-test (the apps suite): a server on 127.0.0.1 and three forked
 *       clients echoing 1 byte, 64 KiB and 1 MiB at once; prints what held.
 *   echo_server serve PORT [--bind ADDR] [--count N] [--tag TEXT]
 *       listens on ADDR (default 0.0.0.0; an IPv6 ADDR such as :: works too) with
 *       SO_REUSEADDR, serves any number of clients at once with poll, prints
 *       "echo_server: listening on port P" when ready (PORT 0: the kernel's pick).
 *       --count N: exit 0 once N connections were served and closed.
 *       --tag TEXT: instead of echoing bytes, answer each line L with "TEXT L"
 *       (the tests/e2e/net.py upgrade case tells versions apart by it).
 *       Run as an upgrade (UNIELF_UPGRADED=1 in the environment), it serves the
 *       listening socket and the connections the old version left open instead
 *       of binding a new one.  --rebind: as an upgrade, ignore what the old
 *       version left and bind the address again, as an unmodified server does
 *       (the kernel hands it the old listener with its queued connections).
 *       --udp: also echo UDP datagrams on the same port (a second thread).
 *   echo_server client ADDR PORT [--conns N] [--bytes N]
 *       N connections to the numeric address ADDR at once (default 4), each
 *       sends N deterministic bytes (default 65536), half-closes, and checks the
 *       echo byte for byte.
 *   echo_server udpclient ADDR PORT [--count N]
 *       N datagrams (default 64) of 1 to 1400 deterministic bytes to a UDP echo
 *       service at ADDR, one at a time, each answered in full within 5 s
 *       (resent up to 5 times: UDP may lose one), boundaries kept.
 *
 * Exit status 0 when everything held, 1 (with "FAIL: ..." on stderr) when not.
 */
#define _GNU_SOURCE
#include "apptest.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>

#define MAX_CONNS 256
#define BUF_SIZE  65536
#define LINE_MAX_ 4096

struct conn {
	int fd;
	int eof; /* the peer half-closed: flush what is pending, then close */
	char out[BUF_SIZE];
	size_t out_len, out_off;
	char line[LINE_MAX_]; /* --tag: the line being read */
	size_t line_len;
};

static struct conn *conns[MAX_CONNS];
static const char *tag;

static unsigned lcg_next(unsigned *x)
{
	*x = *x * 1103515245 + 12345;
	return *x >> 16;
}

static void set_nonblock(int fd)
{
	CHECK_OK(fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK));
}

static int add_conn(int fd)
{
	for (int i = 0; i < MAX_CONNS; i++) {
		if (conns[i])
			continue;
		conns[i] = calloc(1, sizeof(struct conn));
		CHECK(conns[i], "calloc");
		conns[i]->fd = fd;
		set_nonblock(fd);
		return 1;
	}
	close(fd); /* full: refuse by closing */
	return 0;
}

static void drop_conn(int i)
{
	close(conns[i]->fd);
	free(conns[i]);
	conns[i] = NULL;
}

/* Queue the answer to one complete line (--tag mode). */
static int answer_line(struct conn *c)
{
	size_t room = sizeof(c->out) - c->out_len;
	int n = snprintf(c->out + c->out_len, room, "%s %.*s\n", tag, (int)c->line_len,
			 c->line);

	if (n < 0 || (size_t)n >= room)
		return 0;
	c->out_len += (size_t)n;
	return 1;
}

/* Handle readable input on conn i.  Returns 0 when the connection must go. */
static int conn_read(int i)
{
	struct conn *c = conns[i];
	char buf[BUF_SIZE];
	size_t room = sizeof(c->out) - c->out_len;
	ssize_t n;

	if (tag)
		room =
		    4096; /* replies are short lines: out (empty when we read) has room */
	if (!room)
		return 1;
	n = recv(c->fd, tag ? buf : c->out + c->out_len, room, 0);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR;
	if (n == 0) {
		c->eof = 1;
		return 1;
	}
	if (!tag) {
		c->out_len += (size_t)n;
		return 1;
	}
	for (ssize_t k = 0; k < n; k++) {
		if (buf[k] == '\n') {
			if (!answer_line(c))
				return 0;
			c->line_len = 0;
		} else if (c->line_len < sizeof(c->line)) {
			c->line[c->line_len++] = buf[k];
		} else {
			return 0; /* a line too long: not our client */
		}
	}
	return 1;
}

/* Send what is pending on conn i.  Returns 0 when the connection must go. */
static int conn_write(int i)
{
	struct conn *c = conns[i];

	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
				 MSG_NOSIGNAL);
		if (n < 0)
			return errno == EAGAIN || errno == EINTR;
		c->out_off += (size_t)n;
	}
	c->out_off = c->out_len = 0;
	return 1;
}

/* An upgraded server takes over what the old version had open: the listening
 * socket and any connected sockets. */
static int adopt_inherited(void)
{
	int listen_fd = -1;

	for (int fd = 3; fd < 1024; fd++) {
		int v = 0, type = 0;
		socklen_t len = sizeof(v);
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);

		if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0 ||
		    type != SOCK_STREAM)
			continue;
		len = sizeof(v);
		if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &v, &len) == 0 && v) {
			if (listen_fd < 0)
				listen_fd = fd;
		} else if (getpeername(fd, (struct sockaddr *)&ss, &sl) == 0) {
			add_conn(fd);
		}
	}
	return listen_fd;
}

/* addr (numeric IPv4 or IPv6) and port as a socket address; 0 when addr is not one. */
static int make_addr(const char *addr, int port, struct sockaddr_storage *ss,
		     socklen_t *len)
{
	struct sockaddr_in *in = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, addr, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		in->sin_port = htons(port);
		*len = sizeof(*in);
		return 1;
	}
	if (inet_pton(AF_INET6, addr, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		*len = sizeof(*in6);
		return 1;
	}
	return 0;
}

static int listen_on(const char *addr, int port)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int on = 1, fd;

	CHECK(make_addr(addr, port, &ss, &len), "not a numeric address: %s", addr);
	fd = socket(ss.ss_family, SOCK_STREAM, 0);
	CHECK(fd >= 0, "socket");
	CHECK_OK(setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)));
	if (bind(fd, (struct sockaddr *)&ss, len) != 0)
		FAIL("bind %s port %d", addr, port);
	CHECK_OK(listen(fd, 128));
	return fd;
}

static int local_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	CHECK_OK(getsockname(fd, (struct sockaddr *)&ss, &len));
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

/* The server loop: returns once `count` connections were served (count > 0),
 * else never. */
static void serve(int lfd, long count)
{
	static struct pollfd pfd[MAX_CONNS + 1];
	static int which[MAX_CONNS + 1];
	long done = 0;

	set_nonblock(lfd);
	while (count <= 0 || done < count) {
		int n = 0;

		pfd[n] = (struct pollfd){.fd = lfd, .events = POLLIN};
		which[n++] = -1;
		for (int i = 0; i < MAX_CONNS; i++) {
			struct conn *c = conns[i];
			if (!c)
				continue;
			short ev = c->out_len ? POLLOUT : (c->eof ? 0 : POLLIN);
			pfd[n] = (struct pollfd){.fd = c->fd, .events = ev};
			which[n++] = i;
		}
		if (poll(pfd, (nfds_t)n, -1) < 0) {
			CHECK(errno == EINTR, "poll");
			continue;
		}
		for (int k = 1; k < n; k++) {
			int i = which[k], ok = 1;
			short re = pfd[k].revents;

			if (!re)
				continue;
			if (re & POLLOUT)
				ok = conn_write(i);
			else if (re & (POLLIN | POLLHUP | POLLERR))
				ok = conn_read(i);
			if (ok && conns[i]->out_len && (re & POLLIN))
				ok = conn_write(i); /* answer at once: saves a poll */
			if (!ok || (conns[i]->eof && !conns[i]->out_len)) {
				drop_conn(i);
				done++;
			}
		}
		if (pfd[0].revents & POLLIN) {
			for (;;) {
				/* no SOCK_CLOEXEC: an upgrade finds them */
				int fd = accept(lfd, NULL, NULL);
				if (fd < 0)
					break;
				setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &(int){1},
					   sizeof(int));
				if (!add_conn(fd))
					done++;
			}
		}
	}
}

/* ---------------------------------------------------------------- client */

struct cstate {
	int fd;
	size_t sent, got;
	unsigned sx, rx; /* the generators of what is sent and what must come back */
	int done;
};

/* N connections to host (numeric) port at once, each sending `bytes` bytes;
 * checks the echo.
 * Returns 0 when all came back exactly, else prints why and returns 1. */
static int run_client(const char *host, int port, int nconns, size_t bytes)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	struct cstate *cs = calloc((size_t)nconns, sizeof(*cs));
	struct pollfd *pfd = calloc((size_t)nconns, sizeof(*pfd));
	static char buf[BUF_SIZE];
	int left = nconns;

	CHECK(cs && pfd, "calloc");
	CHECK(make_addr(host, port, &ss, &sl), "not a numeric address: %s", host);
	for (int i = 0; i < nconns; i++) {
		cs[i].fd = socket(ss.ss_family, SOCK_STREAM, 0);
		CHECK(cs[i].fd >= 0, "socket");
		if (connect(cs[i].fd, (struct sockaddr *)&ss, sl) != 0)
			FAIL("connect to %s port %d", host, port);
		set_nonblock(cs[i].fd);
		cs[i].sx = cs[i].rx = 1000u + (unsigned)i;
	}
	while (left) {
		for (int i = 0; i < nconns; i++) {
			pfd[i].fd = cs[i].done ? -1 : cs[i].fd;
			pfd[i].events = POLLIN | (cs[i].sent < bytes ? POLLOUT : 0);
		}
		int n = poll(pfd, (nfds_t)nconns, 60000);
		CHECK(n > 0, "no progress in 60 s");
		for (int i = 0; i < nconns; i++) {
			struct cstate *c = &cs[i];
			if (c->done || !pfd[i].revents)
				continue;
			if ((pfd[i].revents & POLLOUT) && c->sent < bytes) {
				size_t len = bytes - c->sent;
				if (len > sizeof(buf))
					len = sizeof(buf);
				unsigned x = c->sx;
				for (size_t k = 0; k < len; k++)
					buf[k] = (char)lcg_next(&x);
				ssize_t w = send(c->fd, buf, len, MSG_NOSIGNAL);
				if (w < 0 && errno != EAGAIN)
					FAIL("connection %d: send", i);
				if (w > 0) {
					for (ssize_t k = 0; k < w; k++)
						lcg_next(&c->sx);
					c->sent += (size_t)w;
					if (c->sent == bytes)
						CHECK_OK(shutdown(c->fd, SHUT_WR));
				}
			}
			if (pfd[i].revents & (POLLIN | POLLHUP | POLLERR)) {
				ssize_t r = recv(c->fd, buf, sizeof(buf), 0);
				if (r < 0 && errno == EAGAIN)
					continue;
				if (r < 0)
					FAIL("connection %d: recv after %zu bytes", i,
					     c->got);
				if (r == 0) {
					CHECK(c->got == bytes,
					      "connection %d: EOF after %zu of %zu bytes",
					      i, c->got, bytes);
					c->done = 1;
					close(c->fd);
					left--;
					continue;
				}
				for (ssize_t k = 0; k < r; k++) {
					char want = (char)lcg_next(&c->rx);
					CHECK(buf[k] == want,
					      "connection %d: byte %zu differs", i,
					      c->got + (size_t)k);
				}
				c->got += (size_t)r;
				CHECK(c->got <= bytes,
				      "connection %d: more bytes than sent", i);
			}
		}
	}
	free(cs);
	free(pfd);
	return 0;
}

/* ---------------------------------------------------------------- self-test */

static int self_test(void)
{
	static const size_t sizes[] = {1, 65536, 1 << 20};
	int nsizes = (int)(sizeof(sizes) / sizeof(sizes[0]));
	int lfd = listen_on("127.0.0.1", 0);
	int port = local_port(lfd);
	pid_t pids[3];

	for (int i = 0; i < nsizes; i++) {
		pids[i] = fork();
		CHECK(pids[i] >= 0, "fork");
		if (pids[i] == 0) {
			close(lfd);
			_exit(run_client("127.0.0.1", port, i + 1, sizes[i]));
		}
	}
	serve(lfd, 1 + 2 + 3); /* connections: 1 + 2 + 3 */
	close(lfd);
	for (int i = 0; i < nsizes; i++) {
		int st;
		CHECK(waitpid(pids[i], &st, 0) == pids[i], "waitpid");
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "client %d failed", i);
		OK("client with %d connection(s) of %zu bytes each: echoed byte for byte",
		   i + 1, sizes[i]);
	}
	OK("server: 6 connections from 3 processes at once, then exit");
	return 0;
}

/* --udp: every datagram goes back to its sender, as it came. */
static void *udp_echo_loop(void *arg)
{
	int fd = *(int *)arg;
	char buf[65536];

	for (;;) {
		struct sockaddr_storage peer;
		socklen_t len = sizeof(peer);
		ssize_t n =
		    recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&peer, &len);
		if (n >= 0)
			sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&peer, len);
	}
	return NULL;
}

static void start_udp_echo(const char *addr, int port)
{
	static int fd;
	struct sockaddr_storage ss;
	socklen_t len;
	pthread_t t;

	CHECK(make_addr(addr, port, &ss, &len), "not a numeric address: %s", addr);
	fd = socket(ss.ss_family, SOCK_DGRAM, 0);
	CHECK(fd >= 0, "socket(SOCK_DGRAM)");
	if (bind(fd, (struct sockaddr *)&ss, len) != 0)
		FAIL("bind udp %s port %d", addr, port);
	CHECK(pthread_create(&t, NULL, udp_echo_loop, &fd) == 0, "pthread_create");
}

static int run_udp_client(const char *host, int port, int count)
{
	struct sockaddr_storage ss;
	socklen_t len;
	unsigned x = 12345;
	char out[1400], in[2048];

	CHECK(make_addr(host, port, &ss, &len), "not a numeric address: %s", host);
	int fd = socket(ss.ss_family, SOCK_DGRAM, 0);
	CHECK(fd >= 0, "socket(SOCK_DGRAM)");
	CHECK_OK(connect(fd, (struct sockaddr *)&ss, len));
	struct timeval tv = {5, 0};
	CHECK_OK(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)));
	for (int i = 0; i < count; i++) {
		size_t n = 1 + lcg_next(&x) % sizeof(out);
		for (size_t k = 0; k < n; k++)
			out[k] = (char)lcg_next(&x);
		ssize_t got = -1;
		for (int attempt = 0; attempt < 5 && got < 0; attempt++) {
			CHECK(send(fd, out, n, 0) == (ssize_t)n, "send datagram %d", i);
			got = recv(fd, in, sizeof(in), 0);
			CHECK(got >= 0 || errno == EAGAIN, "recv datagram %d", i);
		}
		CHECK(got == (ssize_t)n && !memcmp(in, out, n),
		      "datagram %d: %zd bytes back for %zu sent", i, got, n);
	}
	close(fd);
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: echo_server\n"
			"       echo_server serve PORT [--bind ADDR] [--count N] [--tag "
			"TEXT] [--rebind] [--udp]\n"
			"       echo_server client ADDR PORT [--conns N] [--bytes N]\n"
			"       echo_server udpclient ADDR PORT [--count N]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	if (argc == 1)
		return self_test();
	if (!strcmp(argv[1], "serve") && argc >= 3) {
		const char *bind_addr = "0.0.0.0";
		long count = 0;
		int rebind = 0, udp = 0;
		int lfd = -1;

		for (int i = 3; i < argc; i++) {
			if (!strcmp(argv[i], "--bind") && i + 1 < argc)
				bind_addr = argv[++i];
			else if (!strcmp(argv[i], "--count") && i + 1 < argc)
				count = atol(argv[++i]);
			else if (!strcmp(argv[i], "--tag") && i + 1 < argc)
				tag = argv[++i];
			else if (!strcmp(argv[i], "--rebind"))
				rebind = 1;
			else if (!strcmp(argv[i], "--udp"))
				udp = 1;
			else
				usage();
		}
		const char *up = getenv("UNIELF_UPGRADED");
		if (up && !strcmp(up, "1") && !rebind)
			lfd = adopt_inherited();
		if (lfd < 0)
			lfd = listen_on(bind_addr, atoi(argv[2]));
		if (udp)
			start_udp_echo(bind_addr, local_port(lfd));
		printf("echo_server: listening on port %d\n", local_port(lfd));
		fflush(stdout);
		serve(lfd, count);
		printf("echo_server: served %ld connections\n", count);
		return 0;
	}
	if (!strcmp(argv[1], "client") && argc >= 4) {
		int nconns = 4;
		size_t bytes = 65536;

		for (int i = 4; i < argc; i++) {
			if (!strcmp(argv[i], "--conns") && i + 1 < argc)
				nconns = atoi(argv[++i]);
			else if (!strcmp(argv[i], "--bytes") && i + 1 < argc)
				bytes = (size_t)atol(argv[++i]);
			else
				usage();
		}
		CHECK(nconns > 0 && nconns <= MAX_CONNS, "--conns 1..%d", MAX_CONNS);
		if (run_client(argv[2], atoi(argv[3]), nconns, bytes))
			return 1;
		OK("client: %d connection(s) x %zu bytes echoed byte for byte", nconns,
		   bytes);
		return 0;
	}
	if (!strcmp(argv[1], "udpclient") && argc >= 4) {
		int count = 64;

		for (int i = 4; i < argc; i++) {
			if (!strcmp(argv[i], "--count") && i + 1 < argc)
				count = atoi(argv[++i]);
			else
				usage();
		}
		CHECK(count > 0, "--count must be positive");
		if (run_udp_client(argv[2], atoi(argv[3]), count))
			return 1;
		OK("udpclient: %d datagrams echoed, boundaries kept", count);
		return 0;
	}
	usage();
	return 2;
}
