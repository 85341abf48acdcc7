// SPDX-License-Identifier: MIT
/*
 * AF_UNIX stream semantics: shutdown in each direction (EOF, EPIPE, SIGPIPE only
 * without MSG_NOSIGNAL), poll (POLLIN/POLLOUT/POLLHUP/POLLRDHUP through the life
 * of a connection), FIONREAD, MSG_PEEK, MSG_WAITALL, MSG_DONTWAIT, a full socket
 * (EAGAIN, then POLLOUT once drained), SO_RCVTIMEO/SO_SNDTIMEO, signals (restart
 * under SA_RESTART, EINTR without it or with a timeout), SO_SNDBUF/SO_RCVBUF
 * doubled, the generic options, and errors on sockets that are not connected.
 */
#define _GNU_SOURCE
#include "apptest.h"
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>

static int sigpipes, alarms;
static void on_sigpipe(int sig)
{
	sigpipes++;
}
static void on_alarm(int sig)
{
	alarms++;
}

static short revents(int fd, short events)
{
	struct pollfd p = {.fd = fd, .events = events};
	CHECK(poll(&p, 1, 0) >= 0, "poll");
	return p.revents;
}

static void pair(int sv[2])
{
	CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
}

static void shutdowns(void)
{
	int sv[2];
	short all = POLLIN | POLLOUT | POLLRDHUP;
	int fresh = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(revents(fresh, all) == (POLLOUT | POLLHUP), "unconnected: %#x",
	      revents(fresh, all));
	CHECK_OK(shutdown(fresh, SHUT_RDWR)); /* Linux does not mind */
	char b[64];
	CHECK_ERR(recv(fresh, b, 1, 0), EINVAL);
	CHECK_ERR(send(fresh, "x", 1, MSG_NOSIGNAL), ENOTCONN);
	CHECK_ERR(shutdown(fresh, 7), EINVAL);
	close(fresh);
	CHECK_ERR(shutdown(0, SHUT_RD), ENOTSOCK);
	CHECK_ERR(shutdown(999, SHUT_RD), EBADF);

	pair(sv);
	CHECK(revents(sv[0], all) == POLLOUT, "connected, idle: %#x",
	      revents(sv[0], all));
	CHECK(write(sv[1], "data", 4) == 4, "write");
	CHECK(revents(sv[0], all) == (POLLIN | POLLOUT), "data: %#x",
	      revents(sv[0], all));
	CHECK_OK(shutdown(sv[1], SHUT_WR));
	CHECK(revents(sv[0], all) == (POLLIN | POLLOUT | POLLRDHUP), "peer SHUT_WR: %#x",
	      revents(sv[0], all));
	CHECK(read(sv[0], b, sizeof(b)) == 4 && read(sv[0], b, sizeof(b)) == 0,
	      "data, then EOF");
	CHECK(write(sv[0], "back", 4) == 4 && read(sv[1], b, sizeof(b)) == 4,
	      "other way open");
	CHECK_ERR(write(sv[1], "x", 1), EPIPE);
	CHECK(sigpipes == 1, "SIGPIPE after our own SHUT_WR");
	CHECK_OK(shutdown(sv[0], SHUT_RD));
	CHECK_ERR(send(sv[1], "x", 1, MSG_NOSIGNAL), EPIPE);
	CHECK(sigpipes == 1, "MSG_NOSIGNAL: no SIGPIPE");
	close(sv[0]);
	close(sv[1]);

	pair(sv);
	CHECK(write(sv[0], "bye", 3) == 3, "write");
	close(sv[0]);
	CHECK(revents(sv[1], all) == (POLLIN | POLLOUT | POLLHUP | POLLRDHUP),
	      "peer closed: %#x", revents(sv[1], all));
	CHECK(read(sv[1], b, sizeof(b)) == 3 && read(sv[1], b, sizeof(b)) == 0,
	      "data, EOF");
	CHECK_ERR(writev(sv[1], &(struct iovec){"x", 1}, 1), EPIPE);
	CHECK(sigpipes == 2, "SIGPIPE from writev");
	close(sv[1]);

	pair(sv);
	CHECK(write(sv[1], "unread", 6) == 6, "write");
	close(sv[0]); /* with data unread: the peer sees a reset */
	CHECK_ERR(read(sv[1], b, sizeof(b)), ECONNRESET);
	CHECK(read(sv[1], b, sizeof(b)) == 0, "then EOF");
	close(sv[1]);
	OK("shutdown and close: EOF, EPIPE with SIGPIPE unless MSG_NOSIGNAL, ECONNRESET, "
	   "poll bits");
}

static void reading(void)
{
	int sv[2], n;
	pair(sv);
	char b[64] = {0};
	CHECK_OK(ioctl(sv[0], FIONREAD, &n));
	CHECK(n == 0, "FIONREAD empty");
	CHECK(write(sv[1], "abc", 3) == 3 && write(sv[1], "defg", 4) == 4, "two writes");
	CHECK_OK(ioctl(sv[0], FIONREAD, &n));
	CHECK(n == 7, "FIONREAD counts the stream: %d", n);
	CHECK(recv(sv[0], b, 5, MSG_PEEK) == 5 && !memcmp(b, "abcde", 5),
	      "peek across writes");
	CHECK(recv(sv[0], b, 2, 0) == 2 && !memcmp(b, "ab", 2), "read 2");
	CHECK(recv(sv[0], b, sizeof(b), 0) == 5 && !memcmp(b, "cdefg", 5),
	      "the rest, joined");
	CHECK_ERR(recv(sv[0], b, sizeof(b), MSG_DONTWAIT), EAGAIN);
	CHECK(read(sv[0], b, 0) == 0, "a zero-length read returns at once");
	pid_t pid = fork();
	if (pid == 0) {
		struct timespec ts = {0, 50000000};
		for (int i = 0; i < 4; i++) {
			nanosleep(&ts, NULL);
			if (write(sv[1], "wa", 2) != 2)
				_exit(1);
		}
		_exit(0);
	}
	CHECK(recv(sv[0], b, 8, MSG_WAITALL) == 8 && !memcmp(b, "wawawawa", 8),
	      "MSG_WAITALL");
	waitpid(pid, NULL, 0);
	CHECK(write(sv[1], "xy", 2) == 2, "write");
	CHECK_OK(shutdown(sv[1], SHUT_WR));
	CHECK(recv(sv[0], b, 8, MSG_WAITALL) == 2, "MSG_WAITALL stops at EOF");
	close(sv[0]);
	close(sv[1]);
	OK("FIONREAD, MSG_PEEK, a stream joins writes, MSG_DONTWAIT, MSG_WAITALL");

	pair(sv);
	char tmpl[] = "/tmp/unielf-unix_stream-XXXXXX";
	int f = mkstemp(tmpl);
	CHECK(f >= 0 && write(f, "sendfile data", 13) == 13, "temp file");
	unlink(tmpl);
	off_t off = 5;
	CHECK(sendfile(sv[0], f, &off, 100) == 8 && off == 13, "sendfile to a socket");
	CHECK(read(sv[1], b, sizeof(b)) == 8 && !memcmp(b, "ile data", 8),
	      "sendfile data");
	close(f);
	close(sv[1]);
	off = 0;
	f = open("/proc/self/exe", O_RDONLY);
	CHECK_ERR(sendfile(sv[0], f, &off, 10), EPIPE);
	CHECK(sigpipes == 3, "sendfile raises SIGPIPE");
	close(f);
	close(sv[0]);
	OK("sendfile to a socket; EPIPE and SIGPIPE once the peer is gone");

	/* fill one end: EAGAIN, POLLOUT again once the reader drains it */
	pair(sv);
	CHECK_OK(fcntl(sv[0], F_SETFL, O_NONBLOCK));
	static char chunk[4096];
	size_t total = 0;
	ssize_t w;
	while ((w = write(sv[0], chunk, sizeof(chunk))) > 0)
		total += (size_t)w;
	CHECK(w < 0 && errno == EAGAIN && total > 0, "a full socket: EAGAIN");
	CHECK(!(revents(sv[0], POLLOUT) & POLLOUT), "full: not writable");
	static char sink[1 << 20];
	CHECK(app_read_full(sv[1], sink, total) == total, "drain");
	CHECK(revents(sv[0], POLLOUT) & POLLOUT, "drained: writable");
	close(sv[0]);
	close(sv[1]);
	OK("a full stream: EAGAIN, writable again once drained");
}

static void timeouts_and_signals(void)
{
	int sv[2];
	pair(sv);
	char b[8];
	struct timeval tv = {0, 100000};
	CHECK_OK(setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)));
	struct timeval got;
	socklen_t len = sizeof(got);
	CHECK(getsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &got, &len) == 0 &&
		  len == sizeof(got) && got.tv_sec == 0 && got.tv_usec == 100000,
	      "SO_RCVTIMEO reads back");
	CHECK_ERR(read(sv[0], b, 1), EAGAIN);
	tv.tv_usec = 2000000;
	CHECK_ERR(setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), EDOM);
	CHECK_ERR(setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, 4), EINVAL);
	CHECK_OK(fcntl(sv[1], F_SETFL, O_NONBLOCK));
	static char chunk[65536];
	while (write(sv[1], chunk, sizeof(chunk)) > 0)
		;
	CHECK_OK(fcntl(sv[1], F_SETFL, 0));
	tv.tv_usec = 100000;
	CHECK_OK(setsockopt(sv[1], SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)));
	CHECK_ERR(write(sv[1], chunk, sizeof(chunk)), EAGAIN);
	OK("SO_RCVTIMEO and SO_SNDTIMEO: EAGAIN when they expire; EDOM, EINVAL");
	close(sv[0]);
	close(sv[1]);

	/* a handler without SA_RESTART interrupts a blocking read: EINTR */
	struct sigaction sa = {.sa_handler = on_alarm};
	sigemptyset(&sa.sa_mask);
	CHECK_OK(sigaction(SIGALRM, &sa, NULL));
	struct itimerval it = {{0, 0}, {0, 50000}};
	pair(sv);
	CHECK_OK(setitimer(ITIMER_REAL, &it, NULL));
	CHECK_ERR(read(sv[0], b, 1), EINTR);
	CHECK(alarms == 1, "the handler ran");

	/* with SA_RESTART the read goes on and gets the data written later */
	sa.sa_flags = SA_RESTART;
	CHECK_OK(sigaction(SIGALRM, &sa, NULL));
	pid_t pid = fork();
	if (pid == 0) {
		struct timespec ts = {0, 300000000};
		nanosleep(&ts, NULL);
		_exit(write(sv[1], "R", 1) == 1 ? 0 : 1);
	}
	CHECK_OK(setitimer(ITIMER_REAL, &it, NULL));
	CHECK(read(sv[0], b, 1) == 1 && b[0] == 'R', "restarted read got the data");
	CHECK(alarms == 2, "the handler ran");
	waitpid(pid, NULL, 0);

	/* ...but not when the socket has a timeout: EINTR, as Linux */
	tv.tv_sec = 5;
	tv.tv_usec = 0;
	CHECK_OK(setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)));
	CHECK_OK(setitimer(ITIMER_REAL, &it, NULL));
	CHECK_ERR(recv(sv[0], b, 1, 0), EINTR);
	CHECK(alarms == 3, "the handler ran");
	close(sv[0]);
	close(sv[1]);

	/* accept restarts too */
	char path[64];
	snprintf(path, sizeof(path), "/tmp/unielf-unix_stream-%d", getpid());
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	strcpy(a.sun_path, path);
	int l = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK_OK(bind(l, (struct sockaddr *)&a, sizeof(a)));
	CHECK_OK(listen(l, 1));
	pid = fork();
	if (pid == 0) {
		struct timespec ts = {0, 300000000};
		nanosleep(&ts, NULL);
		int c = socket(AF_UNIX, SOCK_STREAM, 0);
		_exit(connect(c, (struct sockaddr *)&a, sizeof(a)) == 0 ? 0 : 1);
	}
	CHECK_OK(setitimer(ITIMER_REAL, &it, NULL));
	int e = accept(l, NULL, NULL);
	CHECK(e >= 0 && alarms == 4, "accept restarted after the handler");
	waitpid(pid, NULL, 0);
	close(e);
	close(l);
	unlink(path);
	OK("signals: EINTR, restart under SA_RESTART (read, accept), EINTR with a "
	   "timeout");
}

static int intopt(int s, int name)
{
	int v = -1;
	socklen_t len = sizeof(v);
	CHECK_OK(getsockopt(s, SOL_SOCKET, name, &v, &len));
	CHECK(len == sizeof(v), "option length");
	return v;
}

static void options(void)
{
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	CHECK((fcntl(s, F_GETFL) & O_NONBLOCK) && (fcntl(s, F_GETFD) & FD_CLOEXEC),
	      "type flags");
	int v = 65536;
	CHECK_OK(setsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v)));
	CHECK_OK(setsockopt(s, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v)));
	CHECK(intopt(s, SO_SNDBUF) == 131072 && intopt(s, SO_RCVBUF) == 131072,
	      "doubled");
	CHECK(intopt(s, SO_TYPE) == SOCK_STREAM && intopt(s, SO_DOMAIN) == AF_UNIX &&
		  intopt(s, SO_PROTOCOL) == 0 && intopt(s, SO_ERROR) == 0 &&
		  intopt(s, SO_ACCEPTCONN) == 0,
	      "type, domain, protocol, error, acceptconn");
	v = 1;
	CHECK_OK(setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &v, sizeof(v)));
	CHECK_OK(setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &v, sizeof(v)));
	CHECK(intopt(s, SO_KEEPALIVE) == 1 && intopt(s, SO_REUSEADDR) == 1 &&
		  intopt(s, SO_BROADCAST) == 0,
	      "boolean options");
	struct linger lg = {1, 7}, lgot;
	CHECK_OK(setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)));
	socklen_t len = sizeof(lgot);
	CHECK(getsockopt(s, SOL_SOCKET, SO_LINGER, &lgot, &len) == 0 &&
		  lgot.l_onoff == 1 && lgot.l_linger == 7,
	      "SO_LINGER");
	char small;
	len = 1;
	CHECK(getsockopt(s, SOL_SOCKET, SO_TYPE, &small, &len) == 0 && len == 1,
	      "short optlen");
	len = (socklen_t)-1;
	CHECK_ERR(getsockopt(s, SOL_SOCKET, SO_TYPE, &v, &len), EINVAL);
	CHECK_ERR(setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &v, 2), EINVAL);
	CHECK_ERR(setsockopt(s, SOL_SOCKET, 9999, &v, sizeof(v)), ENOPROTOOPT);
	CHECK_ERR(setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, (void *)8, sizeof(v)), EFAULT);
	CHECK_ERR(setsockopt(s, 6 /* IPPROTO_TCP */, 1, &v, sizeof(v)), EOPNOTSUPP);
	CHECK_ERR(socket(AF_UNIX, SOCK_RDM, 0), ESOCKTNOSUPPORT);
	CHECK_ERR(socket(AF_UNIX, SOCK_STREAM, 7), EPROTONOSUPPORT);
	CHECK_ERR(socket(AF_UNIX, SOCK_STREAM | 0x100000, 0), EINVAL);
	CHECK_ERR(socket(9999, SOCK_STREAM, 0), EAFNOSUPPORT);
	CHECK_ERR(getsockopt(0, SOL_SOCKET, SO_TYPE, &v, &len), ENOTSOCK);
	struct stat st;
	CHECK(fstat(s, &st) == 0 && S_ISSOCK(st.st_mode), "fstat: S_IFSOCK");
	CHECK_ERR(lseek(s, 0, SEEK_SET), ESPIPE);
	char pth[64];
	snprintf(pth, sizeof(pth), "/proc/self/fd/%d", s);
	CHECK_ERR(open(pth, O_RDWR), ENXIO);
	int d = socket(AF_UNIX, SOCK_RAW, 0);
	CHECK(d >= 0 && intopt(d, SO_TYPE) == SOCK_DGRAM, "SOCK_RAW is SOCK_DGRAM");
	close(d);
	close(s);
	OK("options: buffers doubled, type/domain/protocol, booleans, linger, errors; "
	   "fstat");
}

static void edge_triggered(void)
{
	int sv[2];
	pair(sv);
	int ep = epoll_create1(EPOLL_CLOEXEC);
	CHECK(ep >= 0, "epoll_create1");
	struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLET, .data.u32 = 1},
			   got[2];
	CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, sv[0], &ev));
	CHECK(epoll_wait(ep, got, 2, 0) == 1 && got[0].events == EPOLLOUT,
	      "writable at first");
	CHECK(epoll_wait(ep, got, 2, 0) == 0, "no new edge");
	CHECK(write(sv[1], "ab", 2) == 2, "write");
	CHECK(epoll_wait(ep, got, 2, 0) == 1 && (got[0].events & EPOLLIN),
	      "data: an edge");
	char b[4];
	CHECK(read(sv[0], b, 1) == 1, "read one of two");
	CHECK(epoll_wait(ep, got, 2, 0) == 0, "a partial read is no edge");
	CHECK(write(sv[1], "c", 1) == 1, "more data");
	CHECK(epoll_wait(ep, got, 2, 0) == 1 && (got[0].events & EPOLLIN),
	      "new data: an edge");
	close(sv[1]);
	CHECK(epoll_wait(ep, got, 2, 0) == 1 && (got[0].events & (EPOLLHUP | EPOLLRDHUP)),
	      "hang-up: an edge");
	close(ep);
	close(sv[0]);

	/* a listener: an edge per queued connection */
	char path[64];
	snprintf(path, sizeof(path), "/tmp/unielf-unix_stream-et-%d", getpid());
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	strcpy(a.sun_path, path);
	int l = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
	CHECK_OK(bind(l, (struct sockaddr *)&a, sizeof(a)));
	CHECK_OK(listen(l, 4));
	ep = epoll_create1(0);
	ev.events = EPOLLIN | EPOLLET;
	CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, l, &ev));
	CHECK(epoll_wait(ep, got, 2, 0) == 0, "nothing queued");
	int c1 = socket(AF_UNIX, SOCK_STREAM, 0), c2 = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK_OK(connect(c1, (struct sockaddr *)&a, sizeof(a)));
	CHECK(epoll_wait(ep, got, 2, 0) == 1, "a connection: an edge");
	CHECK_OK(connect(c2, (struct sockaddr *)&a, sizeof(a)));
	CHECK(epoll_wait(ep, got, 2, 0) == 1, "another: another edge");
	int e1 = accept(l, NULL, NULL), e2 = accept(l, NULL, NULL);
	CHECK(e1 >= 0 && e2 >= 0, "accept both");
	CHECK_ERR(accept(l, NULL, NULL), EAGAIN);
	close(e1);
	close(e2);
	close(c1);
	close(c2);
	close(l);
	close(ep);
	unlink(path);
	OK("edge-triggered epoll: data, partial reads, hang-up, queued connections");
}

int main(void)
{
	signal(SIGPIPE, on_sigpipe);
	shutdowns();
	reading();
	timeouts_and_signals();
	options();
	edge_triggered();
	return 0;
}
