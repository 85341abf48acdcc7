// SPDX-License-Identifier: MIT
/*
 * Device and proc files programs open by name: /dev/null (writes vanish, reads are
 * EOF), /dev/zero (reads zeros, also through mmap), /dev/urandom and /dev/random
 * (read, not all zero), stat types of /dev nodes, and /proc/self/exe naming the
 * program: the harness passes the path it expects as argv[1].
 */
#define _GNU_SOURCE
#include "apptest.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>

static int open_or_fail(const char *path, int flags)
{
	int fd = open(path, flags);

	CHECK(fd >= 0, "open %s", path);
	return fd;
}

static void check_null(void)
{
	char buf[16];
	struct stat st;
	int fd = open_or_fail("/dev/null", O_RDWR);

	CHECK(write(fd, "discard me", 10) == 10, "write to /dev/null");
	CHECK(write(fd, buf, 0) == 0, "empty write to /dev/null");
	CHECK(read(fd, buf, sizeof(buf)) == 0, "read from /dev/null is not EOF");
	CHECK_OK(fstat(fd, &st));
	CHECK(S_ISCHR(st.st_mode), "/dev/null is not a character device");
	CHECK_OK(close(fd));
	fd = open_or_fail("/dev/null", O_WRONLY | O_APPEND | O_TRUNC);
	CHECK_OK(close(fd));
	OK("/dev/null: writes succeed, reads give EOF, character device");
}

static void check_zero(void)
{
	static char buf[10000];
	char *m;
	int fd = open_or_fail("/dev/zero", O_RDWR);

	memset(buf, 0x55, sizeof(buf));
	CHECK(read(fd, buf, sizeof(buf)) == (ssize_t)sizeof(buf), "read /dev/zero");
	for (size_t i = 0; i < sizeof(buf); i++)
		CHECK(buf[i] == 0, "/dev/zero gave a non-zero byte");
	CHECK(write(fd, buf, 100) == 100, "write to /dev/zero");
	m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	CHECK(m != MAP_FAILED, "mmap /dev/zero");
	for (int i = 0; i < 8192; i++)
		CHECK(m[i] == 0, "mapping of /dev/zero not zero");
	m[5] = 1;
	CHECK_OK(munmap(m, 8192));
	CHECK_OK(close(fd));
	OK("/dev/zero: reads 10000 zeros, accepts writes, maps as zeros");
}

static void check_random(const char *path)
{
	unsigned char a[64], b[64];
	unsigned nz = 0;
	int fd = open_or_fail(path, O_RDONLY);

	CHECK(app_read_full(fd, a, sizeof(a)) == sizeof(a), "read %s", path);
	CHECK(app_read_full(fd, b, sizeof(b)) == sizeof(b), "read %s again", path);
	for (size_t i = 0; i < sizeof(a); i++)
		nz |= a[i];
	CHECK(nz, "%s gave 64 zero bytes", path);
	CHECK(memcmp(a, b, sizeof(a)) != 0, "%s repeated itself", path);
	CHECK_OK(close(fd));
	OK("%s: two 64-byte reads, not zero, not equal", path);
}

static void check_self_exe(const char *want)
{
	char buf[4096];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);

	CHECK(n > 0, "readlink /proc/self/exe");
	buf[n] = 0;
	CHECK(strcmp(buf, want) == 0, "/proc/self/exe is \"%s\", want \"%s\"", buf, want);
	OK("/proc/self/exe is the program path given as argv[1]");
	{
		int fd = open_or_fail("/proc/self/exe", O_RDONLY);
		unsigned char elf[4];
		CHECK(read(fd, elf, 4) == 4 && !memcmp(elf, "\177ELF", 4),
		      "/proc/self/exe does not open the ELF");
		CHECK_OK(close(fd));
	}
	OK("/proc/self/exe opens the ELF");
}

int main(int argc, char **argv)
{
	CHECK(argc == 2, "usage: devfiles EXPECTED-EXE-PATH");
	check_null();
	check_zero();
	check_random("/dev/urandom");
	check_random("/dev/random");
	check_self_exe(argv[1]);
	return 0;
}
