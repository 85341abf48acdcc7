// SPDX-License-Identifier: MIT
/*
 * AF_UNIX datagrams and sequenced packets: sendto a path, message boundaries,
 * truncation (MSG_TRUNC both ways), MSG_PEEK, source addresses (none for an
 * unbound sender), ENOENT/ECONNREFUSED/EPROTOTYPE, connected datagram sockets
 * (EPERM from a stranger, AF_UNSPEC to disconnect, ECONNREFUSED once the peer is
 * gone), zero-length datagrams, FIONREAD, writev/readv as one message,
 * sendmmsg/recvmmsg, EMSGSIZE, a full queue, SOCK_SEQPACKET over socketpair and
 * over listen/accept, EOF and EPIPE.
 */
#define _GNU_SOURCE
#include "apptest.h"
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>

static socklen_t mkaddr(struct sockaddr_un *a, const char *path)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	strcpy(a->sun_path, path);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1);
}

static int bound_dgram(const char *path)
{
	struct sockaddr_un a;
	int s = socket(AF_UNIX, SOCK_DGRAM, 0);
	CHECK(s >= 0, "socket");
	if (path)
		CHECK_OK(bind(s, (struct sockaddr *)&a, mkaddr(&a, path)));
	return s;
}

static int sigpipes;
static void on_sigpipe(int sig)
{
	sigpipes++;
}

static void datagrams(void)
{
	struct sockaddr_un a, from;
	int sa = bound_dgram("a"), sb = bound_dgram("b");
	socklen_t blen = mkaddr(&a, "b");
	const char *msgs[] = {"one", "second message", "3"};
	for (int i = 0; i < 3; i++)
		CHECK(sendto(sa, msgs[i], strlen(msgs[i]), 0, (struct sockaddr *)&a,
			     blen) == (ssize_t)strlen(msgs[i]),
		      "sendto %d", i);
	int n;
	CHECK_OK(ioctl(sb, FIONREAD, &n));
	CHECK(n == 3, "FIONREAD is the first datagram: %d", n);
	char buf[64];
	for (int i = 0; i < 3; i++) {
		socklen_t flen = sizeof(from);
		memset(buf, 0, sizeof(buf));
		ssize_t r =
		    recvfrom(sb, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen);
		CHECK(r == (ssize_t)strlen(msgs[i]) && !strcmp(buf, msgs[i]),
		      "message %d", i);
		CHECK(flen == offsetof(struct sockaddr_un, sun_path) + 2 &&
			  !strcmp(from.sun_path, "a"),
		      "source address");
	}
	OK("sendto a path: boundaries kept, source address \"a\" of length 4");

	int anon = bound_dgram(NULL);
	CHECK(sendto(anon, "x", 1, 0, (struct sockaddr *)&a, blen) == 1,
	      "unbound sendto");
	socklen_t flen = sizeof(from);
	from.sun_family = 0xffff;
	CHECK(recvfrom(sb, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen) == 1,
	      "recv");
	CHECK(flen == 0, "an unbound sender has no address: %u", flen);

	CHECK(sendto(sa, "abcdefgh", 8, 0, (struct sockaddr *)&a, blen) == 8, "send 8");
	CHECK(recv(sb, buf, 8, MSG_PEEK) == 8 && !memcmp(buf, "abcdefgh", 8), "peek");
	struct iovec iov = {buf, 3};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	CHECK(recvmsg(sb, &mh, 0) == 3 && (mh.msg_flags & MSG_TRUNC),
	      "truncated, MSG_TRUNC");
	CHECK_OK(fcntl(sb, F_SETFL, O_NONBLOCK));
	CHECK_ERR(recv(sb, buf, sizeof(buf), 0), EAGAIN); /* the rest was dropped */
	CHECK(sendto(sa, "abcdefgh", 8, 0, (struct sockaddr *)&a, blen) == 8, "send 8");
	CHECK(recv(sb, buf, 2, MSG_TRUNC) == 8, "MSG_TRUNC returns the real length");
	CHECK(sendto(sa, "", 0, 0, (struct sockaddr *)&a, blen) == 0, "empty datagram");
	CHECK(recv(sb, buf, sizeof(buf), 0) == 0, "an empty datagram reads as 0");
	CHECK_ERR(recv(sb, buf, sizeof(buf), 0), EAGAIN);
	CHECK_OK(fcntl(sb, F_SETFL, 0));
	OK("MSG_PEEK, truncation with MSG_TRUNC, empty datagrams, unbound sender");

	CHECK_ERR(sendto(sa, "x", 1, 0, (struct sockaddr *)&a, mkaddr(&a, "nope")),
		  ENOENT);
	int fd = open("plain", O_CREAT | O_WRONLY, 0644);
	close(fd);
	CHECK_ERR(sendto(sa, "x", 1, 0, (struct sockaddr *)&a, mkaddr(&a, "plain")),
		  ECONNREFUSED);
	int st = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK_OK(bind(st, (struct sockaddr *)&a, mkaddr(&a, "stream")));
	CHECK_ERR(sendto(sa, "x", 1, 0, (struct sockaddr *)&a, mkaddr(&a, "stream")),
		  EPROTOTYPE);
	close(st);
	CHECK_ERR(send(sa, "x", 1, 0), ENOTCONN);
	a.sun_family = AF_INET;
	CHECK_ERR(sendto(sa, "x", 1, 0, (struct sockaddr *)&a, blen), EINVAL);
	OK("sendto errors: ENOENT, ECONNREFUSED, EPROTOTYPE, ENOTCONN, EINVAL");

	CHECK_OK(connect(sa, (struct sockaddr *)&a, mkaddr(&a, "b")));
	CHECK(send(sa, "conn", 4, 0) == 4, "send on a connected socket");
	CHECK(recv(sb, buf, sizeof(buf), 0) == 4, "recv");
	struct sockaddr_un got;
	socklen_t glen = sizeof(got);
	CHECK_OK(getpeername(sa, (struct sockaddr *)&got, &glen));
	CHECK(!strcmp(got.sun_path, "b"), "peer b");
	CHECK_OK(connect(sb, (struct sockaddr *)&a, mkaddr(&a, "a")));
	int c = bound_dgram("c");
	CHECK_ERR(sendto(c, "x", 1, 0, (struct sockaddr *)&a, mkaddr(&a, "b")), EPERM);
	CHECK_ERR(connect(c, (struct sockaddr *)&a, mkaddr(&a, "b")), EPERM);
	struct sockaddr unspec = {.sa_family = AF_UNSPEC};
	CHECK_OK(connect(sb, &unspec, sizeof(unspec)));
	glen = sizeof(got);
	CHECK_ERR(getpeername(sb, (struct sockaddr *)&got, &glen), ENOTCONN);
	CHECK(sendto(c, "y", 1, 0, (struct sockaddr *)&a, mkaddr(&a, "b")) == 1,
	      "after unconnect");
	CHECK(recv(sb, buf, sizeof(buf), 0) == 1 && buf[0] == 'y', "recv y");
	close(sb);
	CHECK_ERR(send(sa, "x", 1, 0), ECONNREFUSED);
	CHECK_ERR(send(sa, "x", 1, 0), ENOTCONN);
	close(sa);
	close(c);
	close(anon);
	OK("connected datagrams: EPERM from a stranger, AF_UNSPEC, ECONNREFUSED then "
	   "ENOTCONN");
}

static void pairs(void)
{
	int sv[2];
	CHECK_OK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
	struct iovec out[3] = {{"ab", 2}, {"cde", 3}, {"f", 1}};
	CHECK(writev(sv[0], out, 3) == 6, "writev");
	CHECK(write(sv[0], "gh", 2) == 2, "write");
	char b1[3] = {0}, b2[8] = {0};
	struct iovec in[2] = {{b1, 2}, {b2, sizeof(b2)}};
	CHECK(readv(sv[1], in, 2) == 6 && !memcmp(b1, "ab", 2) && !memcmp(b2, "cdef", 4),
	      "readv gets one datagram");
	CHECK(read(sv[1], b2, sizeof(b2)) == 2 && !memcmp(b2, "gh", 2), "next datagram");

	struct mmsghdr mm[3];
	struct iovec iv[3];
	char data[3][8];
	for (int i = 0; i < 3; i++) {
		snprintf(data[i], sizeof(data[i]), "mm%d", i);
		iv[i] = (struct iovec){data[i], 3};
		mm[i] = (struct mmsghdr){.msg_hdr = {.msg_iov = &iv[i], .msg_iovlen = 1}};
	}
	CHECK(sendmmsg(sv[0], mm, 3, 0) == 3 && mm[2].msg_len == 3, "sendmmsg");
	memset(data, 0, sizeof(data));
	for (int i = 0; i < 3; i++)
		iv[i].iov_len = sizeof(data[i]);
	CHECK(recvmmsg(sv[1], mm, 3, MSG_WAITFORONE, NULL) == 3, "recvmmsg");
	CHECK(mm[1].msg_len == 3 && !strcmp(data[1], "mm1"), "recvmmsg data");
	OK("socketpair datagrams: writev/readv whole, sendmmsg/recvmmsg");

	int sz = 4096;
	CHECK_OK(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz)));
	static char big[16384];
	CHECK_ERR(send(sv[0], big, sizeof(big), 0), EMSGSIZE);
	close(sv[0]);
	close(sv[1]);

	int r = bound_dgram("full");
	int w = bound_dgram(NULL);
	struct sockaddr_un a;
	socklen_t alen = mkaddr(&a, "full");
	int sent = 0;
	while (sent < 1000 &&
	       sendto(w, "q", 1, MSG_DONTWAIT, (struct sockaddr *)&a, alen) == 1)
		sent++;
	CHECK(sent < 1000 && errno == EAGAIN, "a full receiver: EAGAIN");
	struct pollfd p = {.fd = w, .events = POLLOUT};
	CHECK(poll(&p, 1, 0) == 1, "an unconnected sender stays writable");
	CHECK_OK(connect(w, (struct sockaddr *)&a, alen));
	CHECK(poll(&p, 1, 0) == 0, "connected to a full receiver: not writable");
	char ch;
	CHECK(recv(r, &ch, 1, 0) == 1, "drain one");
	CHECK(recv(r, &ch, 1, 0) == 1, "drain two");
	CHECK(poll(&p, 1, 0) == 1 && (p.revents & POLLOUT), "writable again");
	CHECK(send(w, "q", 1, MSG_DONTWAIT) == 1, "room again");
	close(r);
	close(w);
	OK("EMSGSIZE above SO_SNDBUF; a full receiver: EAGAIN, POLLOUT when drained");
}

static void seqpacket(void)
{
	int sv[2];
	CHECK_OK(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv));
	CHECK(send(sv[0], "12345", 5, 0) == 5 && send(sv[0], "67", 2, 0) == 2, "send");
	char b[16] = {0};
	struct iovec iov = {b, 3};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	CHECK(recvmsg(sv[1], &mh, 0) == 3 && (mh.msg_flags & MSG_TRUNC),
	      "truncated record");
	CHECK(recv(sv[1], b, sizeof(b), 0) == 2 && !memcmp(b, "67", 2), "next record");
	CHECK(send(sv[1], "back", 4, 0) == 4 && recv(sv[0], b, sizeof(b), 0) == 4,
	      "other way");
	int type;
	socklen_t len = sizeof(type);
	CHECK(getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &type, &len) == 0 &&
		  type == SOCK_SEQPACKET,
	      "SO_TYPE");
	CHECK(send(sv[0], "last", 4, 0) == 4, "send before close");
	close(sv[0]);
	CHECK(recv(sv[1], b, sizeof(b), 0) == 4, "queued record survives the close");
	CHECK(recv(sv[1], b, sizeof(b), 0) == 0, "then EOF");
	CHECK(recv(sv[1], b, sizeof(b), MSG_DONTWAIT) == 0, "EOF without blocking too");
	int before = sigpipes;
	CHECK_ERR(send(sv[1], "x", 1, 0), EPIPE);
	CHECK(sigpipes == before, "no SIGPIPE for seqpacket");
	close(sv[1]);
	OK("seqpacket pairs: records, MSG_TRUNC, EOF, EPIPE without SIGPIPE");

	struct sockaddr_un a;
	socklen_t alen = mkaddr(&a, "seq");
	int l = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	CHECK_OK(bind(l, (struct sockaddr *)&a, alen));
	CHECK_OK(listen(l, 2));
	int c = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	CHECK_ERR(send(c, "x", 1, 0), ENOTCONN);
	CHECK_ERR(recv(c, b, 1, 0), ENOTCONN);
	CHECK_OK(connect(c, (struct sockaddr *)&a, alen));
	int e = accept(l, NULL, NULL);
	CHECK(e >= 0, "accept");
	CHECK(sendto(c, "rec", 3, 0, (struct sockaddr *)&a, alen) == 3,
	      "address ignored");
	CHECK(send(c, "ord", 3, 0) == 3, "second");
	CHECK(recv(e, b, sizeof(b), 0) == 3 && !memcmp(b, "rec", 3), "first record");
	CHECK(recv(e, b, sizeof(b), 0) == 3 && !memcmp(b, "ord", 3), "second record");
	CHECK_OK(shutdown(c, SHUT_WR));
	CHECK(recv(e, b, sizeof(b), 0) == 0, "EOF after shutdown");
	close(c);
	close(e);
	close(l);
	OK("seqpacket over listen/accept: records in order, EOF after shutdown");
}

int main(void)
{
	char dir[64];
	snprintf(dir, sizeof(dir), "/tmp/unielf-unix_dgram-%d", getpid());
	app_remove_tree(dir);
	CHECK_OK(mkdir(dir, 0755));
	CHECK_OK(chdir(dir));
	signal(SIGPIPE, on_sigpipe);
	datagrams();
	pairs();
	seqpacket();
	CHECK_OK(chdir("/"));
	app_remove_tree(dir);
	return 0;
}
