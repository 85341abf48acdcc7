// SPDX-License-Identifier: MIT
/*
 * AF_UNIX stream sockets with names: bind makes an S_IFSOCK file (EADDRINUSE when
 * the path exists, unlink frees the name), connect (ENOENT, ECONNREFUSED when
 * nobody listens, EPROTOTYPE), listen/accept/accept4 with a backlog (a
 * non-blocking connect gets EAGAIN when it is full, a blocking one waits or times
 * out), getsockname/getpeername and their lengths, the abstract name space and
 * autobind, SO_PEERCRED, SO_ACCEPTCONN, a forked client, and a listener closed
 * with a connection still queued.
 */
#define _GNU_SOURCE
#include "apptest.h"
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>

#define SUN_LEN_OF(path)                                                                 \
	((socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1))

static socklen_t mkaddr(struct sockaddr_un *a, const char *path)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	strcpy(a->sun_path, path);
	return SUN_LEN_OF(path);
}

/* An abstract name unique to this run (the host's abstract name space is shared). */
static socklen_t mkabstract(struct sockaddr_un *a, const char *tag)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	int n = snprintf(a->sun_path + 1, sizeof(a->sun_path) - 1, "unielf-%s-%d", tag,
			 getpid());
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)n);
}

static int stream(int flags)
{
	int s = socket(AF_UNIX, SOCK_STREAM | flags, 0);
	CHECK(s >= 0, "socket");
	return s;
}

static int connect_to(const char *path, int flags)
{
	struct sockaddr_un a;
	socklen_t len = mkaddr(&a, path);
	int c = stream(flags);
	CHECK_OK(connect(c, (struct sockaddr *)&a, len));
	return c;
}

static void names(void)
{
	struct sockaddr_un a, got;
	socklen_t len = sizeof(got);
	int s = stream(0);
	CHECK_OK(getsockname(s, (struct sockaddr *)&got, &len));
	CHECK(len == sizeof(sa_family_t) && got.sun_family == AF_UNIX, "unnamed: len %u",
	      len);
	CHECK_OK(bind(s, (struct sockaddr *)&a, mkaddr(&a, "srv")));
	struct stat st;
	CHECK(stat("srv", &st) == 0 && S_ISSOCK(st.st_mode), "bind made a socket file");
	len = sizeof(got);
	CHECK_OK(getsockname(s, (struct sockaddr *)&got, &len));
	CHECK(len == SUN_LEN_OF("srv") && !strcmp(got.sun_path, "srv"), "getsockname %u",
	      len);
	len = 4; /* too short: truncated, but the full length comes back */
	memset(&got, 0, sizeof(got));
	CHECK_OK(getsockname(s, (struct sockaddr *)&got, &len));
	CHECK(len == SUN_LEN_OF("srv") && got.sun_path[1] == 'r' && got.sun_path[2] == 0,
	      "truncated getsockname");
	CHECK_ERR(bind(s, (struct sockaddr *)&a, mkaddr(&a, "other")), EINVAL);
	CHECK(access("other", F_OK) != 0, "a failed second bind leaves no file");
	int t = stream(0);
	CHECK_ERR(bind(t, (struct sockaddr *)&a, mkaddr(&a, "srv")), EADDRINUSE);
	CHECK_ERR(bind(t, (struct sockaddr *)&a, mkaddr(&a, "no/such/dir")), ENOENT);
	a.sun_family = AF_INET;
	CHECK_ERR(bind(t, (struct sockaddr *)&a, sizeof(a)), EINVAL);
	CHECK_ERR(listen(t, 5), EINVAL); /* unbound */
	OK("bind: socket file, getsockname length offsetof+strlen+1, EINVAL, EADDRINUSE");

	CHECK_ERR(connect(t, (struct sockaddr *)&a, mkaddr(&a, "srv")), ECONNREFUSED);
	CHECK_ERR(connect(t, (struct sockaddr *)&a, mkaddr(&a, "missing")), ENOENT);
	int fd = open("plain", O_CREAT | O_WRONLY, 0644);
	CHECK(fd >= 0, "create plain");
	close(fd);
	CHECK_ERR(connect(t, (struct sockaddr *)&a, mkaddr(&a, "plain")), ECONNREFUSED);
	CHECK_OK(
	    mknod("orphan", S_IFSOCK | 0600, 0)); /* a socket file nobody is bound to */
	CHECK_ERR(connect(t, (struct sockaddr *)&a, mkaddr(&a, "orphan")), ECONNREFUSED);
	CHECK_ERR(open("orphan", O_RDWR), ENXIO);
	CHECK_ERR(connect(t, (struct sockaddr *)&a, 2), EINVAL);
	CHECK_ERR(accept(s, NULL, NULL), EINVAL); /* not listening */
	int d = socket(AF_UNIX, SOCK_DGRAM, 0);
	CHECK_ERR(listen(d, 1), EOPNOTSUPP);
	CHECK_OK(listen(s, 4));
	CHECK_ERR(connect(d, (struct sockaddr *)&a, mkaddr(&a, "srv")), EPROTOTYPE);
	close(d);
	int on = 0;
	len = sizeof(on);
	CHECK(getsockopt(s, SOL_SOCKET, SO_ACCEPTCONN, &on, &len) == 0 && on == 1,
	      "acceptconn");
	CHECK_ERR(connect(s, (struct sockaddr *)&a, mkaddr(&a, "srv")), EINVAL);
	OK("connect: ECONNREFUSED before listen, to a plain or orphan socket file; "
	   "ENOENT, EPROTOTYPE");

	int c = connect_to("srv", 0);
	CHECK_ERR(connect(c, (struct sockaddr *)&a, mkaddr(&a, "srv")), EISCONN);
	struct sockaddr_un peer;
	socklen_t plen = sizeof(peer);
	int e = accept(s, (struct sockaddr *)&peer, &plen);
	CHECK(e >= 0, "accept");
	CHECK(plen == sizeof(sa_family_t), "unnamed client: accept length %u", plen);
	len = sizeof(got);
	CHECK_OK(getpeername(c, (struct sockaddr *)&got, &len));
	CHECK(len == SUN_LEN_OF("srv") && !strcmp(got.sun_path, "srv"), "client's peer");
	len = sizeof(got);
	CHECK_OK(getsockname(e, (struct sockaddr *)&got, &len));
	CHECK(len == SUN_LEN_OF("srv") && !strcmp(got.sun_path, "srv"),
	      "server end's name");
	len = sizeof(got);
	CHECK_OK(getpeername(e, (struct sockaddr *)&got, &len));
	CHECK(len == sizeof(sa_family_t), "server end's peer is unnamed");
	len = sizeof(got);
	CHECK_ERR(getpeername(s, (struct sockaddr *)&got, &len), ENOTCONN);
	CHECK(write(c, "hello", 5) == 5, "write");
	char b[16] = {0};
	CHECK(read(e, b, sizeof(b)) == 5 && !memcmp(b, "hello", 5), "read");
	struct ucred cr;
	len = sizeof(cr);
	CHECK_OK(getsockopt(e, SOL_SOCKET, SO_PEERCRED, &cr, &len));
	CHECK(len == sizeof(cr) && cr.pid == getpid() && cr.uid == getuid() &&
		  cr.gid == getgid(),
	      "server end's SO_PEERCRED");
	len = sizeof(cr);
	CHECK_OK(getsockopt(c, SOL_SOCKET, SO_PEERCRED, &cr, &len));
	CHECK(cr.pid == getpid() && cr.uid == getuid(),
	      "client's SO_PEERCRED is the listener's");
	len = sizeof(cr);
	CHECK_OK(getsockopt(t, SOL_SOCKET, SO_PEERCRED, &cr, &len));
	CHECK(cr.pid == 0 && cr.uid == (uid_t)-1 && cr.gid == (gid_t)-1,
	      "unconnected peercred");
	close(c);
	close(e);

	int n = stream(0);
	CHECK_OK(bind(n, (struct sockaddr *)&a, mkaddr(&a, "named-client")));
	CHECK_OK(connect(n, (struct sockaddr *)&a, mkaddr(&a, "srv")));
	plen = sizeof(peer);
	e = accept(s, (struct sockaddr *)&peer, &plen);
	CHECK(e >= 0 && plen == SUN_LEN_OF("named-client") &&
		  !strcmp(peer.sun_path, "named-client"),
	      "accept gives the client's name");
	close(n);
	close(e);
	OK("accept: peer names, getpeername, SO_PEERCRED on both ends");

	CHECK_OK(unlink("srv"));
	CHECK_ERR(connect(t, (struct sockaddr *)&a, mkaddr(&a, "srv")), ENOENT);
	CHECK_OK(bind(t, (struct sockaddr *)&a, mkaddr(&a, "srv")));
	CHECK_OK(listen(t, 1));
	c = connect_to("srv", 0);
	e = accept(t, NULL, NULL);
	CHECK(e >= 0, "accept on the new owner of the name");
	close(c);
	close(e);
	close(s);
	close(t);
	CHECK_OK(unlink("srv"));
	OK("unlink frees the name: ENOENT, then another socket binds it");
}

static void abstract_names(void)
{
	struct sockaddr_un a, got;
	socklen_t alen = mkabstract(&a, "abs");
	int s = stream(0);
	CHECK_OK(bind(s, (struct sockaddr *)&a, alen));
	socklen_t len = sizeof(got);
	CHECK_OK(getsockname(s, (struct sockaddr *)&got, &len));
	CHECK(len == alen && !memcmp(&got, &a, alen), "abstract getsockname");
	int t = stream(0);
	CHECK_ERR(bind(t, (struct sockaddr *)&a, alen), EADDRINUSE);
	CHECK_ERR(connect(t, (struct sockaddr *)&a, alen),
		  ECONNREFUSED); /* not listening */
	CHECK_OK(listen(s, 2));
	CHECK_ERR(connect(t, (struct sockaddr *)&a, alen + 1),
		  ECONNREFUSED); /* another name */
	CHECK_OK(connect(t, (struct sockaddr *)&a, alen));
	int e = accept(s, NULL, NULL);
	CHECK(e >= 0, "accept");
	CHECK(send(t, "abc", 3, 0) == 3 && recv(e, got.sun_path, 3, 0) == 3, "data");
	close(e);
	close(t);
	close(s);
	s = stream(0);
	CHECK_OK(bind(s, (struct sockaddr *)&a, alen)); /* free again once closed */
	close(s);
	OK("abstract names: exact length, EADDRINUSE, ECONNREFUSED, freed on close");

	s = stream(0);
	struct sockaddr_un au = {.sun_family = AF_UNIX};
	CHECK_OK(bind(s, (struct sockaddr *)&au, sizeof(sa_family_t)));
	len = sizeof(got);
	CHECK_OK(getsockname(s, (struct sockaddr *)&got, &len));
	CHECK(len == offsetof(struct sockaddr_un, sun_path) + 6 && got.sun_path[0] == 0,
	      "autobind length %u", len);
	for (int i = 1; i < 6; i++)
		CHECK(strchr("0123456789abcdef", got.sun_path[i]) && got.sun_path[i],
		      "hex digit");
	CHECK_OK(bind(s, (struct sockaddr *)&au, sizeof(sa_family_t))); /* again: no-op */
	CHECK_ERR(bind(s, (struct sockaddr *)&a, alen), EINVAL);
	close(s);
	OK("autobind: a 5-hex-digit abstract name");
}

static void backlog(void)
{
	struct sockaddr_un a;
	socklen_t alen = mkaddr(&a, "bl");
	int s = stream(0);
	CHECK_OK(bind(s, (struct sockaddr *)&a, alen));
	CHECK_OK(listen(s, 1));
	int c1 = stream(SOCK_NONBLOCK), c2 = stream(SOCK_NONBLOCK),
	    c3 = stream(SOCK_NONBLOCK);
	CHECK_OK(connect(c1, (struct sockaddr *)&a, alen));
	CHECK_OK(connect(c2, (struct sockaddr *)&a, alen)); /* Linux queues backlog + 1 */
	CHECK_ERR(connect(c3, (struct sockaddr *)&a, alen), EAGAIN);
	struct pollfd p = {.fd = s, .events = POLLIN};
	CHECK(poll(&p, 1, 0) == 1 && p.revents == POLLIN, "listener readable: %#x",
	      p.revents);
	int e1 = accept4(s, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	CHECK(e1 >= 0, "accept4");
	CHECK((fcntl(e1, F_GETFL) & O_NONBLOCK) && (fcntl(e1, F_GETFD) & FD_CLOEXEC),
	      "accept4 flags");
	CHECK_ERR(syscall(SYS_accept4, s, NULL, NULL, 0x1),
		  EINVAL); /* musl retries with accept */
	CHECK_OK(connect(c3, (struct sockaddr *)&a, alen));
	int e2 = accept(s, NULL, NULL), e3 = accept(s, NULL, NULL);
	CHECK(e2 >= 0 && e3 >= 0, "accept the rest");
	CHECK(!(fcntl(e2, F_GETFL) & O_NONBLOCK), "plain accept is blocking");
	CHECK_OK(fcntl(s, F_SETFL, O_NONBLOCK));
	CHECK_ERR(accept(s, NULL, NULL), EAGAIN);
	CHECK_OK(fcntl(s, F_SETFL, 0));
	OK("backlog 1 queues two; the third non-blocking connect: EAGAIN; accept4 flags");

	/* the queue is full again: a blocking connect with SO_SNDTIMEO times out */
	int f1 = stream(0), f2 = stream(0), f3 = stream(0);
	CHECK_OK(connect(f1, (struct sockaddr *)&a, alen));
	CHECK_OK(connect(f2, (struct sockaddr *)&a, alen));
	struct timeval tv = {0, 100000};
	CHECK_OK(setsockopt(f3, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)));
	CHECK_ERR(connect(f3, (struct sockaddr *)&a, alen), EAGAIN);
	/* a blocking connect waits until the server accepts */
	pid_t pid = fork();
	if (pid == 0) {
		int c = stream(0);
		if (connect(c, (struct sockaddr *)&a, alen) || write(c, "late", 4) != 4)
			_exit(1);
		_exit(0);
	}
	struct timespec ts = {0, 200000000};
	nanosleep(&ts, NULL);
	int x = accept(s, NULL, NULL); /* f1's: room for the child */
	CHECK(x >= 0, "accept f1");
	close(x);
	x = accept(s, NULL, NULL);
	CHECK(x >= 0, "accept f2");
	close(x);
	x = accept(s, NULL, NULL);
	CHECK(x >= 0, "accept the child");
	char b[8] = {0};
	CHECK(app_read_full(x, b, 4) == 4 && !memcmp(b, "late", 4), "child's data");
	struct ucred cr;
	socklen_t len = sizeof(cr);
	CHECK_OK(getsockopt(x, SOL_SOCKET, SO_PEERCRED, &cr, &len));
	CHECK(cr.pid == pid, "peercred is the child's pid");
	int st;
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "child");
	tv.tv_usec = 100000;
	CHECK_OK(setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)));
	CHECK_ERR(accept(s, NULL, NULL), EAGAIN); /* SO_RCVTIMEO */
	close(x);
	OK("full backlog: SO_SNDTIMEO connect EAGAIN, a blocking connect waits for "
	   "accept");

	/* the listener goes away with connections queued */
	int q = stream(0);
	CHECK_OK(connect(q, (struct sockaddr *)&a, alen));
	CHECK(write(q, "lost", 4) == 4, "write to a queued connection");
	close(s);
	char ch;
	CHECK_ERR(read(q, &ch, 1), ECONNRESET);
	CHECK(read(q, &ch, 1) == 0, "then EOF");
	CHECK_ERR(send(q, "x", 1, MSG_NOSIGNAL), EPIPE);
	CHECK_ERR(connect(stream(0), (struct sockaddr *)&a, alen), ECONNREFUSED);
	close(q);
	OK("listener closed with a queued connection: ECONNRESET, EOF, EPIPE");
}

static void forked_server(void)
{
	struct sockaddr_un a;
	socklen_t alen = mkaddr(&a, "fork");
	int s = stream(SOCK_CLOEXEC);
	CHECK_OK(bind(s, (struct sockaddr *)&a, alen));
	CHECK_OK(listen(s, 8));
	enum { N = 3, SIZE = 100000 };
	for (int i = 0; i < N; i++) {
		if (fork() == 0) {
			close(s);
			static char buf[SIZE];
			for (int j = 0; j < SIZE; j++)
				buf[j] = (char)(j * 7 + i);
			int c = stream(0);
			if (connect(c, (struct sockaddr *)&a, alen))
				_exit(2);
			app_write_all(c, buf, SIZE);
			shutdown(c, SHUT_WR);
			unsigned long long h;
			if (app_read_full(c, &h, sizeof(h)) != sizeof(h))
				_exit(3);
			_exit(h == app_fnv1a(APP_FNV_INIT, buf, SIZE) ? 0 : 4);
		}
	}
	unsigned long long sum = 0;
	for (int i = 0; i < N; i++) {
		int e = accept(s, NULL, NULL);
		CHECK(e >= 0, "accept %d", i);
		static char buf[SIZE + 1];
		size_t got = app_read_full(e, buf, sizeof(buf));
		CHECK(got == SIZE, "got %zu", got);
		unsigned long long h = app_fnv1a(APP_FNV_INIT, buf, got);
		app_write_all(e, &h, sizeof(h));
		sum += h;
		close(e);
	}
	for (int i = 0; i < N; i++) {
		int st;
		CHECK(wait(&st) > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0,
		      "client status %#x", st);
	}
	close(s);
	OK("forked clients: %d x %d bytes through a path socket, checksums agree", N,
	   SIZE);
}

int main(void)
{
	char dir[64];
	snprintf(dir, sizeof(dir), "/tmp/unielf-unix_server-%d", getpid());
	app_remove_tree(dir);
	CHECK_OK(mkdir(dir, 0755));
	CHECK_OK(chdir(dir));
	signal(SIGPIPE, SIG_IGN);
	names();
	abstract_names();
	backlog();
	forked_server();
	CHECK_OK(chdir("/"));
	app_remove_tree(dir);
	return 0;
}
