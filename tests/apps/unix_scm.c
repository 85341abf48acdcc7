// SPDX-License-Identifier: MIT
/*
 * AF_UNIX control messages: SCM_RIGHTS (several files in one message, several
 * messages, to a forked child, a socket passed over a socket, MSG_CTRUNC when the
 * buffer is short or missing and the files that did not fit closed,
 * MSG_CMSG_CLOEXEC, stream reads that stop after a message carrying files),
 * SCM_CREDENTIALS with SO_PASSCRED (implicit and explicit, across fork, on
 * datagrams), and the errors: EBADF, EINVAL for bad headers and unknown types.
 */
#define _GNU_SOURCE
#include "apptest.h"
#include <fcntl.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#define MAXFDS 8

/* Sends data with n descriptors in one SCM_RIGHTS message. */
static ssize_t send_fds(int s, const char *data, size_t len, const int *fds, int n)
{
	char ctl[CMSG_SPACE(sizeof(int) * MAXFDS)];
	struct iovec iov = {(void *)data, len};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	if (n) {
		memset(ctl, 0, sizeof(ctl));
		mh.msg_control = ctl;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * n);
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * n);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * n);
	}
	return sendmsg(s, &mh, 0);
}

/* Receives into buf with a control buffer of ctllen bytes; returns the byte
 * count and the descriptors (and *flags = msg_flags). */
static ssize_t recv_fds(int s, char *buf, size_t len, size_t ctllen, int *fds, int *n,
			int *flags, int rflags)
{
	char ctl[512];
	struct iovec iov = {buf, len};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	if (ctllen) {
		mh.msg_control = ctl;
		mh.msg_controllen = ctllen;
	}
	ssize_t r = recvmsg(s, &mh, rflags);
	*n = 0;
	if (r < 0)
		return r;
	*flags = mh.msg_flags;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			int k = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
			memcpy(fds + *n, CMSG_DATA(c), sizeof(int) * k);
			*n += k;
		}
	}
	return r;
}

static int is_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

static void rights(void)
{
	int sv[2], p[2];
	CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	CHECK_OK(pipe(p));
	int file = open("data", O_CREAT | O_RDWR | O_TRUNC, 0644);
	CHECK(file >= 0 && write(file, "0123456789", 10) == 10, "file");
	CHECK_OK(lseek(file, 2, SEEK_SET));
	int devnull = open("/dev/null", O_WRONLY);
	int out[3] = {p[1], file, devnull};
	CHECK(send_fds(sv[0], "F", 1, out, 3) == 1, "sendmsg with 3 fds");
	int in[MAXFDS], n, flags;
	char b[16];
	CHECK(recv_fds(sv[1], b, sizeof(b), 256, in, &n, &flags, 0) == 1 && n == 3 &&
		  !(flags & MSG_CTRUNC),
	      "received %d fds", n);
	for (int i = 0; i < 3; i++)
		CHECK(in[i] != out[i] && is_open(in[i]), "a new descriptor");
	CHECK(write(in[0], "via", 3) == 3 && read(p[0], b, 3) == 3 &&
		  !memcmp(b, "via", 3),
	      "the passed pipe end works");
	CHECK(lseek(in[1], 0, SEEK_CUR) == 2, "the passed file shares its offset");
	CHECK(read(in[1], b, 3) == 3 && !memcmp(b, "234", 3) &&
		  lseek(file, 0, SEEK_CUR) == 5,
	      "reads move both");
	CHECK(!(fcntl(in[1], F_GETFD) & FD_CLOEXEC), "no close-on-exec by default");
	for (int i = 0; i < 3; i++)
		close(in[i]);
	OK("SCM_RIGHTS: three files in one message, a shared offset");

	/* several messages on a stream: a read stops after the one with files */
	CHECK(send_fds(sv[0], "ab", 2, &file, 1) == 2 &&
		  send_fds(sv[0], "cd", 2, &devnull, 1) == 2,
	      "two messages");
	CHECK(recv_fds(sv[1], b, sizeof(b), 256, in, &n, &flags, MSG_CMSG_CLOEXEC) == 2 &&
		  n == 1,
	      "first read stops at its files");
	CHECK(fcntl(in[0], F_GETFD) & FD_CLOEXEC, "MSG_CMSG_CLOEXEC");
	close(in[0]);
	CHECK(recv_fds(sv[1], b, sizeof(b), 256, in, &n, &flags, 0) == 2 && n == 1,
	      "second");
	close(in[0]);
	OK("stream reads never join messages that carry files; MSG_CMSG_CLOEXEC");

	/* short control buffer: the rest is closed (the pipe's reader sees EOF) */
	close(p[0]);
	CHECK_OK(pipe(p));
	int four[4] = {p[1], p[1], p[1], p[1]};
	CHECK(send_fds(sv[0], "T", 1, four, 4) == 1, "send 4");
	CHECK(recv_fds(sv[1], b, sizeof(b), CMSG_SPACE(2 * sizeof(int)), in, &n, &flags,
		       0) == 1,
	      "recv");
	CHECK(n == 2 && (flags & MSG_CTRUNC), "2 of 4 fit, MSG_CTRUNC (n %d)", n);
	close(in[0]);
	close(in[1]);
	close(p[1]);
	CHECK(read(p[0], b, 1) == 0, "the files that did not fit were closed");
	close(p[0]);
	CHECK_OK(pipe(p));
	CHECK(send_fds(sv[0], "U", 1, &p[1], 1) == 1, "send 1");
	CHECK(recv_fds(sv[1], b, sizeof(b), 0, in, &n, &flags, 0) == 1 && n == 0 &&
		  (flags & MSG_CTRUNC),
	      "no control buffer: MSG_CTRUNC");
	close(p[1]);
	CHECK(read(p[0], b, 1) == 0, "and the file was closed");
	close(p[0]);
	OK("MSG_CTRUNC: short or no control buffer, the rest closed");

	int bad = 999;
	CHECK_ERR(send_fds(sv[0], "x", 1, &bad, 1), EBADF);
	char ctl[CMSG_SPACE(sizeof(int))] = {0};
	struct iovec iov = {"x", 1};
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = ctl,
			    .msg_controllen = sizeof(ctl)};
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = 77;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	CHECK_ERR(sendmsg(sv[0], &mh, 0), EINVAL);
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = sizeof(ctl) + 8;
	CHECK_ERR(sendmsg(sv[0], &mh, 0), EINVAL);
	c->cmsg_level = 6; /* another level: ignored */
	c->cmsg_len = CMSG_LEN(sizeof(int));
	CHECK(sendmsg(sv[0], &mh, 0) == 1 && recv(sv[1], b, 1, 0) == 1,
	      "other levels ignored");
	OK("errors: EBADF, EINVAL for an unknown type or a bad length");
	close(file);
	close(devnull);
	close(sv[0]);
	close(sv[1]);
}

static void across_fork(void)
{
	int sv[2];
	CHECK_OK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
	pid_t pid = fork();
	if (pid == 0) {
		close(sv[0]);
		int in[MAXFDS], n, flags;
		char b[32] = {0};
		if (recv_fds(sv[1], b, sizeof(b), 256, in, &n, &flags, 0) != 4 || n != 2)
			_exit(2);
		char got[16] = {0};
		if (read(in[0], got, sizeof(got)) != 5 || strcmp(got, "hello"))
			_exit(3);
		/* the second one is a socket: answer through it */
		if (write(in[1], "pong", 4) != 4)
			_exit(4);
		_exit(0);
	}
	close(sv[1]);
	int f =
	    open("greeting", O_CREAT | O_RDWR | O_TRUNC, 0644); /* opened after fork */
	CHECK(f >= 0 && write(f, "hello", 5) == 5 && lseek(f, 0, SEEK_SET) == 0, "file");
	int pair[2];
	CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, pair));
	int two[2] = {f, pair[1]};
	CHECK(send_fds(sv[0], "take", 4, two, 2) == 4, "send to the child");
	close(f);
	close(pair[1]);
	char b[8] = {0};
	CHECK(app_read_full(pair[0], b, 4) == 4 && !memcmp(b, "pong", 4),
	      "child answered");
	CHECK(read(pair[0], b, 1) == 0, "child's copy closed at exit");
	int st;
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "child status %#x", st);
	close(pair[0]);
	close(sv[0]);
	OK("SCM_RIGHTS to a forked child: a file opened after fork and a socket");
}

/* Receives one message and its SCM_CREDENTIALS; returns 1 when present. */
static int recv_cred(int s, struct ucred *cr, ssize_t *len)
{
	char ctl[CMSG_SPACE(sizeof(struct ucred))], b[16];
	struct iovec iov = {b, sizeof(b)};
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = ctl,
			    .msg_controllen = sizeof(ctl)};
	*len = recvmsg(s, &mh, 0);
	CHECK(*len >= 0, "recvmsg");
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_CREDENTIALS ||
	    c->cmsg_len != CMSG_LEN(sizeof(*cr)))
		return 0;
	memcpy(cr, CMSG_DATA(c), sizeof(*cr));
	return 1;
}

static void credentials(void)
{
	int sv[2], on = 1;
	CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	struct ucred cr;
	ssize_t len;
	CHECK(send(sv[0], "a", 1, 0) == 1, "send");
	CHECK(recv_cred(sv[1], &cr, &len) == 0 && len == 1,
	      "no credentials without SO_PASSCRED");
	CHECK_OK(setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)));
	int v = 0;
	socklen_t vl = sizeof(v);
	CHECK(getsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &v, &vl) == 0 && v == 1,
	      "SO_PASSCRED");
	CHECK(send(sv[0], "b", 1, 0) == 1, "send");
	CHECK(recv_cred(sv[1], &cr, &len) == 1 && len == 1, "credentials");
	CHECK(cr.pid == getpid() && cr.uid == getuid() && cr.gid == getgid(),
	      "our credentials");
	pid_t pid = fork();
	if (pid == 0) {
		send(sv[0], "c", 1, 0);
		_exit(0);
	}
	CHECK(recv_cred(sv[1], &cr, &len) == 1 && cr.pid == pid, "the child's pid");
	waitpid(pid, NULL, 0);

	/* explicit credentials, our own */
	char ctl[CMSG_SPACE(sizeof(struct ucred))] = {0};
	struct iovec iov = {"d", 1};
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = ctl,
			    .msg_controllen = sizeof(ctl)};
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_CREDENTIALS;
	c->cmsg_len = CMSG_LEN(sizeof(struct ucred));
	struct ucred mine = {getpid(), getuid(), getgid()};
	memcpy(CMSG_DATA(c), &mine, sizeof(mine));
	CHECK(sendmsg(sv[0], &mh, 0) == 1, "explicit credentials");
	CHECK(recv_cred(sv[1], &cr, &len) == 1 && cr.pid == getpid(), "received");
	mine.uid = (uid_t)-1;
	memcpy(CMSG_DATA(c), &mine, sizeof(mine));
	CHECK_ERR(sendmsg(sv[0], &mh, 0), EINVAL);
	c->cmsg_len = CMSG_LEN(sizeof(struct ucred) - 4);
	CHECK_ERR(sendmsg(sv[0], &mh, 0), EINVAL);
	close(sv[0]);
	close(sv[1]);

	/* datagrams: the receiver's SO_PASSCRED; an unbound sender is autobound */
	char dir[64];
	snprintf(dir, sizeof(dir), "cred-%d", getpid());
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	strcpy(a.sun_path, dir);
	int r = socket(AF_UNIX, SOCK_DGRAM, 0), w = socket(AF_UNIX, SOCK_DGRAM, 0);
	CHECK_OK(bind(r, (struct sockaddr *)&a, sizeof(a)));
	CHECK_OK(setsockopt(r, SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)));
	CHECK(sendto(w, "e", 1, 0, (struct sockaddr *)&a, sizeof(a)) == 1, "sendto");
	CHECK(recv_cred(r, &cr, &len) == 1 && cr.pid == getpid(), "datagram credentials");
	CHECK_OK(setsockopt(w, SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)));
	CHECK(sendto(w, "f", 1, 0, (struct sockaddr *)&a, sizeof(a)) == 1, "sendto");
	struct sockaddr_un got;
	socklen_t gl = sizeof(got);
	CHECK_OK(getsockname(w, (struct sockaddr *)&got, &gl));
	CHECK(gl == offsetof(struct sockaddr_un, sun_path) + 6 && got.sun_path[0] == 0,
	      "SO_PASSCRED autobinds the sender");
	CHECK(recv_cred(r, &cr, &len) == 1, "recv");
	close(r);
	close(w);
	unlink(dir);
	OK("SCM_CREDENTIALS: only with SO_PASSCRED, our pid, a child's, explicit, "
	   "EINVAL");
}

int main(void)
{
	char dir[64];
	snprintf(dir, sizeof(dir), "/tmp/unielf-unix_scm-%d", getpid());
	app_remove_tree(dir);
	CHECK_OK(mkdir(dir, 0755));
	CHECK_OK(chdir(dir));
	rights();
	across_fork();
	credentials();
	CHECK_OK(chdir("/"));
	app_remove_tree(dir);
	return 0;
}
