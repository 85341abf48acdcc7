// SPDX-License-Identifier: MIT
/*
 * /proc/net as ss, netstat and psutil read it: the exact headers of tcp, tcp6,
 * udp, udp6 and unix; a TCP listener on 127.0.0.1 and on ::1 (one line each,
 * state 0A, the inode fstat shows); a connected pair (two 01 lines, each with
 * its socket's inode); bound and connected UDP sockets (07, then 01); a named
 * AF_UNIX listener (flags 00010000, its path); lo in /proc/net/dev;
 * /proc/self/net; /proc/sys/net/ipv4/ip_unprivileged_port_start.  Ports,
 * inodes and paths are checked, never printed.
 */
#define _GNU_SOURCE
#include "apptest.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>

static char text[1 << 23]; /* a busy host's /proc/net/tcp is long */

static const char *slurp(const char *path)
{
	int fd = open(path, O_RDONLY);
	CHECK(fd >= 0, "open %s", path);
	size_t len = 0;
	for (;;) {
		size_t room = sizeof(text) - 1 - len; /* sysctl files refuse huge reads */
		ssize_t n = read(fd, text + len, room < 65536 ? room : 65536);
		CHECK(n >= 0, "read %s", path);
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	text[len] = 0;
	return text;
}

static unsigned long ino_of(int fd)
{
	struct stat st;
	CHECK_OK(fstat(fd, &st));
	return (unsigned long)st.st_ino;
}

/* Counts the lines of file whose local address is local, whose remote address
 * starts with rem (NULL: any) and whose state is st; *ino gets the last one's
 * inode.  Checks each line's length against width (0: no padding). */
static int count(const char *file, const char *local, const char *rem, const char *st,
		 unsigned long *ino, size_t width)
{
	const char *t = slurp(file);
	int found = 0;
	const char *line = strchr(t, '\n') + 1; /* past the header */
	for (; *line; line = strchr(line, '\n') + 1) {
		char sl[16], la[64], ra[64], state[8], q[32], tr[32], rt[16];
		unsigned uid;
		int timeout;
		unsigned long inode;
		size_t len = (size_t)(strchr(line, '\n') - line);
		if (width)
			CHECK(len == width, "%s: line of %zu chars", file, len);
		CHECK(sscanf(line, "%15s %63s %63s %7s %31s %31s %15s %u %d %lu", sl, la,
			     ra, state, q, tr, rt, &uid, &timeout, &inode) == 10,
		      "%s: fields of %.*s", file, (int)len, line);
		if (strcmp(la, local) || strcmp(state, st) ||
		    (rem && strncmp(ra, rem, strlen(rem))))
			continue;
		found++;
		*ino = inode;
	}
	return found;
}

static void addr4(char *buf, const struct sockaddr_in *a)
{
	sprintf(buf, "%08X:%04X", a->sin_addr.s_addr, ntohs(a->sin_port));
}

static void addr6(char *buf, const struct sockaddr_in6 *a)
{
	uint32_t w[4];
	memcpy(w, &a->sin6_addr, sizeof(w));
	sprintf(buf, "%08X%08X%08X%08X:%04X", w[0], w[1], w[2], w[3],
		ntohs(a->sin6_port));
}

static void headers(void)
{
	static const char *const files[] = {"/proc/net/tcp", "/proc/net/udp",
					    "/proc/net/tcp6", "/proc/net/udp6",
					    "/proc/net/unix"};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		const char *t = slurp(files[i]);
		const char *nl = strchr(t, '\n');
		CHECK(nl, "%s: no header", files[i]);
		printf("%s header (%zu chars): %.*s|\n", files[i], (size_t)(nl - t),
		       (int)(nl - t), t);
	}
}

static int tcp4_listener(struct sockaddr_in *a)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	CHECK_OK(fd);
	memset(a, 0, sizeof(*a));
	a->sin_family = AF_INET;
	a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CHECK_OK(bind(fd, (struct sockaddr *)a, sizeof(*a)));
	CHECK_OK(listen(fd, 4));
	socklen_t len = sizeof(*a);
	CHECK_OK(getsockname(fd, (struct sockaddr *)a, &len));
	return fd;
}

static void tcp4(void)
{
	struct sockaddr_in a, c;
	char la[64], ca[64];
	unsigned long ino = 0;
	int l = tcp4_listener(&a);
	addr4(la, &a);
	CHECK(count("/proc/net/tcp", la, "00000000:0000", "0A", &ino, 149) == 1,
	      "one listener line for %s", la);
	CHECK(ino == ino_of(l), "listener inode %lu, fstat %lu", ino, ino_of(l));
	printf("tcp: listener on 127.0.0.1 has one 0A line with its inode\n");

	int cl = socket(AF_INET, SOCK_STREAM, 0);
	CHECK_OK(cl);
	CHECK_OK(connect(cl, (struct sockaddr *)&a, sizeof(a)));
	int sv = accept(l, NULL, NULL);
	CHECK_OK(sv);
	socklen_t len = sizeof(c);
	CHECK_OK(getsockname(cl, (struct sockaddr *)&c, &len));
	addr4(ca, &c);
	CHECK(count("/proc/net/tcp", ca, la, "01", &ino, 149) == 1, "client line %s", ca);
	CHECK(ino == ino_of(cl), "client inode");
	CHECK(count("/proc/net/tcp", la, ca, "01", &ino, 149) == 1, "server line %s", la);
	CHECK(ino == ino_of(sv), "server inode");
	CHECK(count("/proc/net/tcp", la, NULL, "0A", &ino, 149) == 1, "listener stays");
	printf("tcp: a connected pair shows two 01 lines, each with its inode\n");
	close(cl);
	close(sv);
	close(l);
	CHECK(count("/proc/net/tcp", la, NULL, "0A", &ino, 149) == 0, "listener gone");
	printf("tcp: a closed listener's line is gone\n");
}

static void tcp6(void)
{
	struct sockaddr_in6 a;
	char la[80];
	unsigned long ino = 0;
	int fd = socket(AF_INET6, SOCK_STREAM, 0);
	CHECK_OK(fd);
	memset(&a, 0, sizeof(a));
	a.sin6_family = AF_INET6;
	a.sin6_addr = in6addr_loopback;
	CHECK_OK(bind(fd, (struct sockaddr *)&a, sizeof(a)));
	CHECK_OK(listen(fd, 4));
	socklen_t len = sizeof(a);
	CHECK_OK(getsockname(fd, (struct sockaddr *)&a, &len));
	addr6(la, &a);
	CHECK(count("/proc/net/tcp6", la, "00000000000000000000000000000000:0000", "0A",
		    &ino, 0) == 1,
	      "one tcp6 listener line for %s", la);
	CHECK(ino == ino_of(fd), "tcp6 listener inode");
	printf("tcp6: listener on ::1 has one 0A line with its inode\n");
	close(fd);
}

static void udp(void)
{
	struct sockaddr_in a, b;
	char la[64], lb[64];
	unsigned long ino = 0;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	CHECK_OK(fd);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CHECK_OK(bind(fd, (struct sockaddr *)&a, sizeof(a)));
	socklen_t len = sizeof(a);
	CHECK_OK(getsockname(fd, (struct sockaddr *)&a, &len));
	addr4(la, &a);
	CHECK(count("/proc/net/udp", la, "00000000:0000", "07", &ino, 127) == 1,
	      "one udp line for %s", la);
	CHECK(ino == ino_of(fd), "udp inode");
	printf("udp: a bound socket has one 07 line with its inode\n");

	int c = socket(AF_INET, SOCK_DGRAM, 0);
	CHECK_OK(c);
	CHECK_OK(connect(c, (struct sockaddr *)&a, sizeof(a)));
	len = sizeof(b);
	CHECK_OK(getsockname(c, (struct sockaddr *)&b, &len));
	addr4(lb, &b);
	CHECK(count("/proc/net/udp", lb, la, "01", &ino, 127) == 1, "connected udp %s",
	      lb);
	CHECK(ino == ino_of(c), "connected udp inode");
	printf("udp: a connected socket has an 01 line\n");
	close(c);
	close(fd);

	int s6 = socket(AF_INET6, SOCK_DGRAM, 0);
	struct sockaddr_in6 a6;
	char l6[80];
	CHECK_OK(s6);
	memset(&a6, 0, sizeof(a6));
	a6.sin6_family = AF_INET6;
	a6.sin6_addr = in6addr_loopback;
	CHECK_OK(bind(s6, (struct sockaddr *)&a6, sizeof(a6)));
	len = sizeof(a6);
	CHECK_OK(getsockname(s6, (struct sockaddr *)&a6, &len));
	addr6(l6, &a6);
	CHECK(count("/proc/net/udp6", l6, NULL, "07", &ino, 0) == 1, "udp6 line %s", l6);
	CHECK(ino == ino_of(s6), "udp6 inode");
	printf("udp6: a socket bound to ::1 has one 07 line with its inode\n");
	close(s6);
}

static void unix_listener(void)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	snprintf(a.sun_path, sizeof(a.sun_path), "/tmp/procnet-%d.sock", (int)getpid());
	unlink(a.sun_path);
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK_OK(fd);
	CHECK_OK(bind(fd, (struct sockaddr *)&a, sizeof(a)));
	CHECK_OK(listen(fd, 4));
	const char *t = slurp("/proc/net/unix");
	int found = 0;
	for (const char *line = strchr(t, '\n') + 1; *line;
	     line = strchr(line, '\n') + 1) {
		char num[32], path[128] = "";
		unsigned ref, proto, flags, type, st;
		unsigned long inode;
		int n = sscanf(line, "%31s %x %x %x %x %x %lu %127s", num, &ref, &proto,
			       &flags, &type, &st, &inode, path);
		CHECK(n >= 7, "unix line fields");
		if (n < 8 || strcmp(path, a.sun_path))
			continue;
		found++;
		CHECK(flags == 0x10000 && type == 1 && st == 1, "flags %x type %x st %x",
		      flags, type, st);
		CHECK(inode == ino_of(fd), "unix inode");
	}
	CHECK(found == 1, "unix listener lines: %d", found);
	printf("unix: a named listener shows flags 00010000, type 0001, its path and "
	       "inode\n");
	close(fd);
	unlink(a.sun_path);
}

static void misc(void)
{
	const char *t = slurp("/proc/net/dev");
	CHECK(!strncmp(t, "Inter-|   Receive", 17), "dev header");
	const char *lo = strstr(t, "\n    lo: ");
	CHECK(lo, "no lo line");
	unsigned long v[16];
	CHECK(sscanf(lo + 9,
		     "%lu %lu %lu %lu %lu %lu %lu %lu %lu %lu %lu %lu %lu %lu %lu %lu",
		     &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9],
		     &v[10], &v[11], &v[12], &v[13], &v[14], &v[15]) == 16,
	      "lo has 16 counters");
	printf("dev: lo has 16 counters\n");

	t = slurp("/proc/self/net/tcp");
	CHECK(!strncmp(t, "  sl  local_address", 19), "/proc/self/net/tcp header");
	printf("/proc/self/net/tcp reads as /proc/net/tcp\n");

	t = slurp("/proc/sys/net/ipv4/ip_unprivileged_port_start");
	char *end;
	long port = strtol(t, &end, 10);
	CHECK(end != t && *end == '\n' && port >= 0 && port <= 65536,
	      "ip_unprivileged_port_start %s", t);
	printf("ip_unprivileged_port_start is a port number\n");
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	headers();
	tcp4();
	tcp6();
	udp();
	unix_listener();
	misc();
	return 0;
}
