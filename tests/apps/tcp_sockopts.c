// SPDX-License-Identifier: MIT
/*
 * Socket options and ioctls of TCP sockets as Linux reports them: the defaults of
 * a fresh socket (SO_TYPE, SO_DOMAIN, SO_PROTOCOL, SO_ERROR, flags off), options
 * servers set and read back (SO_REUSEADDR, SO_KEEPALIVE, TCP_NODELAY,
 * TCP_KEEPIDLE/INTVL/CNT as redis sets them, SO_LINGER, SO_RCVTIMEO, IPV6_V6ONLY),
 * SO_RCVBUF/SO_SNDBUF (Linux doubles what is asked), unknown options
 * (ENOPROTOOPT), FIONBIO, FIONREAD and SIOCOUTQ.  The checks Linux's own choices
 * decide (buffer doubling) come last, so a mismatch there hides nothing else.
 */
#define _GNU_SOURCE
#include "apptest.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>

#ifndef SIOCOUTQ
#define SIOCOUTQ 0x5411 /* linux/sockios.h, which musl-gcc does not see */
#endif

static int get_int(int fd, int level, int name)
{
	int v = -12345;
	socklen_t len = sizeof(v);

	if (getsockopt(fd, level, name, &v, &len) != 0)
		FAIL("getsockopt(%d, %d)", level, name);
	CHECK(len == sizeof(int), "getsockopt(%d, %d) length %u", level, name, len);
	return v;
}

static void set_int(int fd, int level, int name, int v)
{
	if (setsockopt(fd, level, name, &v, sizeof(v)) != 0)
		FAIL("setsockopt(%d, %d, %d)", level, name, v);
}

/* Set an int option to v and check it reads back as want. */
static void set_get(int fd, int level, int name, const char *what, int v, int want)
{
	set_int(fd, level, name, v);
	int got = get_int(fd, level, name);
	CHECK(got == want, "%s: set %d, got %d, want %d", what, v, got, want);
}

static void tcp_pair(int *c, int *s)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	int l = socket(AF_INET, SOCK_STREAM, 0);

	CHECK(l >= 0, "socket");
	CHECK_OK(bind(l, (struct sockaddr *)&a, sizeof(a)));
	CHECK_OK(listen(l, 4));
	CHECK_OK(getsockname(l, (struct sockaddr *)&a, &len));
	*c = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(*c >= 0, "socket");
	CHECK_OK(connect(*c, (struct sockaddr *)&a, sizeof(a)));
	*s = accept(l, NULL, NULL);
	CHECK(*s >= 0, "accept");
	close(l);
}

static void check_defaults(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct linger lg = {-1, -1};
	socklen_t len = sizeof(lg);

	CHECK(fd >= 0, "socket");
	CHECK(get_int(fd, SOL_SOCKET, SO_TYPE) == SOCK_STREAM, "SO_TYPE");
	CHECK(get_int(fd, SOL_SOCKET, SO_DOMAIN) == AF_INET, "SO_DOMAIN");
	CHECK(get_int(fd, SOL_SOCKET, SO_PROTOCOL) == IPPROTO_TCP, "SO_PROTOCOL");
	CHECK(get_int(fd, SOL_SOCKET, SO_ERROR) == 0, "SO_ERROR");
	CHECK(get_int(fd, SOL_SOCKET, SO_ACCEPTCONN) == 0, "SO_ACCEPTCONN");
	CHECK(get_int(fd, SOL_SOCKET, SO_REUSEADDR) == 0, "SO_REUSEADDR");
	CHECK(get_int(fd, SOL_SOCKET, SO_KEEPALIVE) == 0, "SO_KEEPALIVE");
	CHECK(get_int(fd, IPPROTO_TCP, TCP_NODELAY) == 0, "TCP_NODELAY");
	CHECK(getsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, &len) == 0 &&
		  len == sizeof(lg) && lg.l_onoff == 0 && lg.l_linger == 0,
	      "SO_LINGER off");
	CHECK(get_int(fd, SOL_SOCKET, SO_RCVBUF) > 0, "SO_RCVBUF");
	CHECK(get_int(fd, SOL_SOCKET, SO_SNDBUF) > 0, "SO_SNDBUF");
	close(fd);

	fd = socket(AF_INET6, SOCK_STREAM, 0);
	CHECK(fd >= 0, "socket");
	CHECK(get_int(fd, SOL_SOCKET, SO_DOMAIN) == AF_INET6, "SO_DOMAIN inet6");
	CHECK(get_int(fd, IPPROTO_IPV6, IPV6_V6ONLY) == 0, "IPV6_V6ONLY default");
	close(fd);
	OK("a fresh TCP socket: SO_TYPE, SO_DOMAIN, SO_PROTOCOL, SO_ERROR 0, "
	   "SO_ACCEPTCONN/SO_REUSEADDR/SO_KEEPALIVE/TCP_NODELAY 0, SO_LINGER off; "
	   "IPV6_V6ONLY 0");
}

static void check_set_get(void)
{
	int c, s;

	tcp_pair(&c, &s);
	set_get(c, SOL_SOCKET, SO_REUSEADDR, "SO_REUSEADDR", 1, 1);
	set_get(c, SOL_SOCKET, SO_REUSEADDR, "SO_REUSEADDR", 0, 0);
	set_get(c, SOL_SOCKET, SO_KEEPALIVE, "SO_KEEPALIVE", 1, 1);
	set_get(c, SOL_SOCKET, SO_KEEPALIVE, "SO_KEEPALIVE", 7, 1);
	set_get(c, IPPROTO_TCP, TCP_NODELAY, "TCP_NODELAY", 1, 1);
	set_get(s, IPPROTO_TCP, TCP_NODELAY, "TCP_NODELAY", 1, 1);
	set_get(c, IPPROTO_TCP, TCP_KEEPIDLE, "TCP_KEEPIDLE", 300, 300);
	set_get(c, IPPROTO_TCP, TCP_KEEPINTVL, "TCP_KEEPINTVL", 100, 100);
	set_get(c, IPPROTO_TCP, TCP_KEEPCNT, "TCP_KEEPCNT", 3, 3);
	CHECK_ERR(setsockopt(c, IPPROTO_TCP, TCP_KEEPIDLE, &(int){0}, sizeof(int)),
		  EINVAL);

	struct linger lg = {1, 5}, back = {0, 0};
	socklen_t len = sizeof(back);
	CHECK_OK(setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)));
	CHECK(getsockopt(c, SOL_SOCKET, SO_LINGER, &back, &len) == 0 &&
		  back.l_onoff == 1 && back.l_linger == 5,
	      "SO_LINGER {1, 5} reads back (got {%d, %d})", back.l_onoff, back.l_linger);

	/* SO_RCVTIMEO: a recv with nothing to read gives up with EAGAIN */
	struct timeval tv = {0, 100000}, tb = {0, 0};
	len = sizeof(tb);
	CHECK_OK(setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)));
	CHECK(getsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tb, &len) == 0 && tb.tv_sec == 0 &&
		  tb.tv_usec == 100000,
	      "SO_RCVTIMEO reads back (%ld.%06ld)", (long)tb.tv_sec, (long)tb.tv_usec);
	struct timespec t0, t1;
	char b;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK_ERR(recv(c, &b, 1, 0), EAGAIN);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	CHECK(ms >= 90, "SO_RCVTIMEO waited %ld ms, want about 100", ms);

	int v6 = socket(AF_INET6, SOCK_STREAM, 0);
	CHECK(v6 >= 0, "socket");
	set_get(v6, IPPROTO_IPV6, IPV6_V6ONLY, "IPV6_V6ONLY", 1, 1);
	close(v6);

	int v = 0;
	len = sizeof(v);
	CHECK_ERR(getsockopt(c, SOL_SOCKET, 9999, &v, &len), ENOPROTOOPT);
	CHECK_ERR(setsockopt(c, SOL_SOCKET, 9999, &v, sizeof(v)), ENOPROTOOPT);
	CHECK_ERR(getsockopt(c, IPPROTO_TCP, 9999, &v, &len), ENOPROTOOPT);
	int notsock = open("/dev/null", O_RDONLY);
	CHECK_ERR(getsockopt(notsock, SOL_SOCKET, SO_TYPE, &v, &len), ENOTSOCK);
	close(notsock);
	close(c);
	close(s);
	OK("set and read back: SO_REUSEADDR, SO_KEEPALIVE (7 reads as 1), TCP_NODELAY, "
	   "TCP_KEEPIDLE/KEEPINTVL/KEEPCNT (0: EINVAL), SO_LINGER {1, 5}, SO_RCVTIMEO "
	   "100 ms "
	   "(recv: EAGAIN), IPV6_V6ONLY; unknown options: ENOPROTOOPT; not a socket: "
	   "ENOTSOCK");
}

static void check_ioctls(void)
{
	int c, s, on = 1, off = 0, n = -1;
	char buf[16];

	tcp_pair(&c, &s);
	CHECK_OK(ioctl(s, FIONBIO, &on));
	CHECK(fcntl(s, F_GETFL) & O_NONBLOCK, "FIONBIO sets O_NONBLOCK");
	CHECK_ERR(recv(s, buf, sizeof(buf), 0), EAGAIN);
	CHECK_OK(ioctl(s, FIONBIO, &off));
	CHECK(!(fcntl(s, F_GETFL) & O_NONBLOCK), "FIONBIO 0 clears it");

	CHECK_OK(ioctl(s, FIONREAD, &n));
	CHECK(n == 0, "FIONREAD with nothing queued: %d", n);
	CHECK(send(c, "0123456789", 10, 0) == 10, "send");
	struct pollfd p = {.fd = s, .events = POLLIN};
	CHECK(poll(&p, 1, 20000) == 1, "poll");
	/* the bytes may come in more than one segment: wait up to 5 s for all ten */
	for (int i = 0; i < 500; i++) {
		CHECK_OK(ioctl(s, FIONREAD, &n));
		if (n == 10)
			break;
		usleep(10000);
	}
	CHECK(n == 10, "FIONREAD: %d bytes queued, want 10", n);
	CHECK(recv(s, buf, 4, 0) == 4, "recv 4");
	CHECK_OK(ioctl(s, FIONREAD, &n));
	CHECK(n == 6, "FIONREAD after reading 4: %d", n);
	/* SIOCOUTQ: what the sender has not had acknowledged; on loopback it drains */
	for (int i = 0; i < 500; i++) {
		CHECK_OK(ioctl(c, SIOCOUTQ, &n));
		if (n == 0)
			break;
		usleep(10000);
	}
	CHECK(n == 0, "SIOCOUTQ drains to 0: %d", n);
	close(c);
	close(s);
	OK("FIONBIO on and off, FIONREAD 0 -> 10 -> 6, SIOCOUTQ 0 once acknowledged");
}

static void check_buffer_sizes(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	CHECK(fd >= 0, "socket");
	set_get(fd, SOL_SOCKET, SO_RCVBUF, "SO_RCVBUF", 32768, 65536);
	set_get(fd, SOL_SOCKET, SO_SNDBUF, "SO_SNDBUF", 32768, 65536);
	close(fd);
	OK("SO_RCVBUF and SO_SNDBUF: 32768 asked, 65536 reported (Linux doubles it for "
	   "its bookkeeping)");
}

int main(void)
{
	check_defaults();
	check_set_get();
	check_ioctls();
	check_buffer_sizes();
	return 0;
}
