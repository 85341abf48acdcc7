// SPDX-License-Identifier: MIT
/*
 * AF_UNIX as far as the kernel has it: socketpair between two processes
 * (send/recv, read/write, shutdown gives EOF), poll readiness, connect to a
 * path nobody listens on (ENOENT), SO_TYPE, and EPIPE/SIGPIPE after the peer
 * closed.
 */
#define _GNU_SOURCE
#include "apptest.h"
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

int main(void)
{
	int sv[2];
	CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	pid_t c = fork();
	if (c == 0) {
		close(sv[0]);
		char b[64];
		ssize_t n;
		while ((n = read(sv[1], b, sizeof(b))) > 0)
			write(sv[1], b, n);
		_exit(n == 0 ? 0 : 1);
	}
	close(sv[1]);
	CHECK(send(sv[0], "ping", 4, 0) == 4, "send");
	struct pollfd p = {.fd = sv[0], .events = POLLIN};
	CHECK(poll(&p, 1, 5000) == 1 && (p.revents & POLLIN), "poll sees the echo");
	char b[16] = {0};
	CHECK(recv(sv[0], b, sizeof(b), 0) == 4 && !memcmp(b, "ping", 4), "recv");
	CHECK_OK(shutdown(sv[0], SHUT_WR));
	int st;
	CHECK(waitpid(c, &st, 0) == c && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "peer saw EOF after shutdown");
	CHECK(read(sv[0], b, sizeof(b)) == 0, "EOF once the peer exited");
	OK("socketpair: send, poll, recv, shutdown to EOF across fork");

	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(s >= 0, "socket");
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	strcpy(a.sun_path, "/nonexistent-dir/unielf.sock");
	CHECK_ERR(connect(s, (struct sockaddr *)&a, sizeof(a)), ENOENT);
	int type = 0;
	socklen_t len = sizeof(type);
	CHECK(getsockopt(s, SOL_SOCKET, SO_TYPE, &type, &len) == 0 && type == SOCK_STREAM,
	      "SO_TYPE");
	close(s);
	OK("connect to a missing path: ENOENT; SO_TYPE is SOCK_STREAM");

	CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	close(sv[1]);
	signal(SIGPIPE, SIG_IGN);
	CHECK_ERR(write(sv[0], "x", 1), EPIPE);
	CHECK_ERR(send(sv[0], "x", 1, MSG_NOSIGNAL), EPIPE);
	OK("writing to a closed peer: EPIPE");
	return 0;
}
