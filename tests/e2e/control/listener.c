// SPDX-License-Identifier: MIT
/* A server that knows nothing about upgrades, for the listener handover check
 * of the control-channel e2e test: every version simply creates its socket
 * (SOCK_CLOEXEC, SO_REUSEADDR), binds [::]:PORT and listens, then answers each
 * connection's line L with "VERSION L" and closes it.  A line "pause" makes it
 * answer "VERSION paused" and stop accepting, so connections pile up in the
 * listener's queue.  Version "fail" binds and listens, then exits 1 (an upgrade
 * that the kernel rolls back).
 *
 *   listener VERSION PORT [client]
 *
 * With "client", a forked child (it outlives upgrades of pid 1) drives it over
 * 127.0.0.1 in rounds of concurrent connections, printing what answered:
 *   round 1: 3 connections; then "pause";
 *   round 2: 5 connections sent while nobody accepts ("client: round 2: 5 sent"),
 *            answered after the upgrade from the queue the new version adopted;
 *   round 3: 3 connections; then it waits for SIGUSR1 (sent after the upgrade
 *            committed and another was rolled back);
 *   then PORT+1, where only v1 listened, must refuse (an inherited listener
 *   nobody took over is closed at commit);
 *   round 4: 3 connections; "client: done, F failed". */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int failed;
static volatile sig_atomic_t go;

static void on_usr1(int sig)
{
	(void)sig;
	go = 1;
}

static int round_trip(int port, int round, int n)
{
	int fds[8];
	char versions[64] = "";
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_port = htons(port),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	for (int i = 0; i < n; i++) {
		char req[32];
		fds[i] = socket(AF_INET, SOCK_STREAM, 0);
		if (fds[i] < 0 || connect(fds[i], (struct sockaddr *)&a, sizeof(a))) {
			printf("client: round %d: connect %d: %s\n", round, i,
			       strerror(errno));
			failed++;
			return -1;
		}
		snprintf(req, sizeof(req), "r%d.%d\n", round, i);
		if (write(fds[i], req, strlen(req)) < 0)
			failed++;
	}
	printf("client: round %d: %d sent\n", round, n);
	fflush(stdout);
	int ok = 0;
	for (int i = 0; i < n; i++) {
		char buf[64] = "";
		ssize_t got = 0, r;
		while ((r = read(fds[i], buf + got, sizeof(buf) - 1 - (size_t)got)) > 0)
			got += r;
		char want[32];
		snprintf(want, sizeof(want), " r%d.%d\n", round, i);
		char *sp = strchr(buf, ' ');
		if (got > 0 && sp && !strcmp(sp, want)) {
			ok++;
			*sp = 0;
			if (!strstr(versions, buf)) {
				strcat(versions, versions[0] ? "," : "");
				strcat(versions, buf);
			}
		} else {
			failed++;
		}
		close(fds[i]);
	}
	printf("client: round %d: %d/%d answered by %s\n", round, ok, n, versions);
	fflush(stdout);
	return 0;
}

static void client(int port)
{
	signal(SIGUSR1, on_usr1);
	round_trip(port, 1, 3);
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_port = htons(port),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int p = socket(AF_INET, SOCK_STREAM, 0);
	char buf[64] = "";
	if (connect(p, (struct sockaddr *)&a, sizeof(a)) || write(p, "pause\n", 6) != 6 ||
	    read(p, buf, sizeof(buf) - 1) <= 0)
		failed++;
	close(p);
	printf("client: %s", buf);
	round_trip(port, 2, 5);
	round_trip(port, 3, 3);
	printf("client: pid %d waits for SIGUSR1\n", (int)getpid());
	fflush(stdout);
	for (int i = 0; i < 3000 && !go; i++)
		usleep(100000);
	a.sin_port = htons(port + 1);
	p = socket(AF_INET, SOCK_STREAM, 0);
	if (connect(p, (struct sockaddr *)&a, sizeof(a)) == 0 || errno != ECONNREFUSED)
		failed++;
	else
		printf("client: v1's other port refused\n");
	close(p);
	a.sin_port = htons(port);
	round_trip(port, 4, 3);
	printf("client: done, %d failed\n", failed);
	fflush(stdout);
	_exit(failed ? 1 : 0);
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: listener VERSION PORT [client]\n");
		return 2;
	}
	const char *version = argv[1];
	int port = atoi(argv[2]), one = 1;
	setvbuf(stdout, NULL, _IOLBF, 0);
	int l = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in6 a = {
	    .sin6_family = AF_INET6, .sin6_port = htons(port), .sin6_addr = in6addr_any};
	if (l < 0 || setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 16)) {
		printf("%s: bind/listen [::]:%d: %s\n", version, port, strerror(errno));
		return 3;
	}
	printf("%s listening\n", version);
	if (!strcmp(version, "fail"))
		return 1;
	signal(SIGCHLD, SIG_IGN);
	if (argc > 3 && !strcmp(argv[3], "client") && fork() == 0)
		client(port);
	if (!strcmp(version, "v1")) {
		/* a second listener, which no later version binds again (made
		 * after the fork: the client must not hold it too) */
		int l2 = socket(AF_INET, SOCK_STREAM, 0);
		struct sockaddr_in a2 = {.sin_family = AF_INET,
					 .sin_port = htons(port + 1),
					 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
		if (l2 < 0 || bind(l2, (struct sockaddr *)&a2, sizeof(a2)) ||
		    listen(l2, 4))
			return 3;
	}
	for (;;) {
		int c = accept(l, NULL, NULL);
		if (c < 0)
			continue;
		char line[64] = "", out[96];
		ssize_t n = read(c, line, sizeof(line) - 1);
		if (n > 0 && !strcmp(line, "pause\n")) {
			snprintf(out, sizeof(out), "%s paused\n", version);
			if (write(c, out, strlen(out)) < 0)
				return 4;
			close(c);
			for (;;)
				pause(); /* nobody accepts any more: connections queue */
		}
		snprintf(out, sizeof(out), "%s %s", version, n > 0 ? line : "?\n");
		if (write(c, out, strlen(out)) < 0)
			printf("%s: write: %s\n", version, strerror(errno));
		close(c);
	}
}
