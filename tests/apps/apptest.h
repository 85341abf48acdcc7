/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the self-checking programs in tests/apps.  Each program is an
 * ordinary Linux program: it prints one deterministic line per behaviour it checked
 * and exits 0, or prints "FAIL: ..." on stderr and exits 1 at the first check that
 * does not hold.  Nothing here may print addresses, pids or times: the e2e harness
 * compares the output of a native run with the output of a run inside UniELF.
 */
#pragma once

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Print a failure with the location and errno, then exit 1. */
static inline void __attribute__((noreturn, format(printf, 3, 4)))
app_fail(const char *file, int line, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "FAIL: %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (errno %d: %s)\n", saved, strerror(saved));
	exit(1);
}

#define FAIL(...) app_fail(__FILE__, __LINE__, __VA_ARGS__)

/* CHECK(cond, "what"): fail unless cond holds. */
#define CHECK(cond, ...)                                                                 \
	do {                                                                             \
		if (!(cond))                                                             \
			FAIL(__VA_ARGS__);                                               \
	} while (0)

/* CHECK_OK(expr): expr is a call returning -1 with errno on failure. */
#define CHECK_OK(expr)                                                                   \
	do {                                                                             \
		if ((long)(expr) == -1)                                                  \
			FAIL("%s failed", #expr);                                        \
	} while (0)

/* CHECK_ERR(expr, E): expr must return -1 and set errno to E. */
#define CHECK_ERR(expr, E)                                                               \
	do {                                                                             \
		errno = 0;                                                               \
		long r_ = (long)(expr);                                                  \
		if (r_ != -1 || errno != (E))                                            \
			FAIL("%s: expected -1/%s, got %ld/%d", #expr, #E, r_, errno);    \
	} while (0)

/* One line of progress on stdout, flushed so it interleaves sanely with stderr. */
#define OK(...)                                                                          \
	do {                                                                             \
		printf("ok: ");                                                          \
		printf(__VA_ARGS__);                                                     \
		printf("\n");                                                            \
		fflush(stdout);                                                          \
	} while (0)

/* Write all of buf to fd, retrying short writes; fails the test on error. */
static inline void app_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			FAIL("write(%d, %zu bytes)", fd, len);
		p += n;
		len -= (size_t)n;
	}
}

/* Read until len bytes or EOF; returns the count read. */
static inline size_t app_read_full(int fd, void *buf, size_t len)
{
	char *p = buf;
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, p + got, len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			FAIL("read(%d)", fd);
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return got;
}

/* 64-bit FNV-1a, the checksum the apps print for data they moved. */
static inline unsigned long long app_fnv1a(unsigned long long h, const void *buf,
					   size_t len)
{
	const unsigned char *p = buf;

	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

#define APP_FNV_INIT 0xcbf29ce484222325ULL

/* Remove path and, if it is a directory, everything under it.  Missing is fine. */
static inline void app_remove_tree(const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *e;

	if (lstat(path, &st) != 0)
		return;
	if (!S_ISDIR(st.st_mode)) {
		CHECK_OK(unlink(path));
		return;
	}
	d = opendir(path);
	CHECK(d, "opendir %s", path);
	while ((e = readdir(d))) {
		char sub[PATH_MAX + 256];

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		CHECK(strlen(path) < PATH_MAX, "path too long");
		snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
		app_remove_tree(sub);
	}
	closedir(d);
	CHECK_OK(rmdir(path));
}

/* Which build of the program this is; part of scratch names so variants never clash. */
#if defined(__GLIBC__) && defined(__PIE__)
#define APP_VARIANT "static-pie"
#elif defined(__GLIBC__)
#define APP_VARIANT "glibc"
#else
#define APP_VARIANT "musl"
#endif

/*
 * Create an empty scratch directory /tmp/unielf-<name>-<variant> (a fixed name per
 * program and variant, so parallel runs of different variants never clash), removing
 * what a previous run left first, and chdir into it.  Returns the path (static).
 */
static inline const char *app_scratch_dir(const char *name)
{
	static char path[256];

	snprintf(path, sizeof(path), "/tmp/unielf-%s-%s", name, APP_VARIANT);
	app_remove_tree(path);
	CHECK_OK(mkdir(path, 0755));
	CHECK_OK(chdir(path));
	return path;
}
