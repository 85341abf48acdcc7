// SPDX-License-Identifier: MIT
/* In-guest micro-benchmarks, the same static binary in UniELF and in the Linux
 * guest.  Each measure times itself with clock_gettime(CLOCK_MONOTONIC) and prints
 * one machine-readable line per repetition:
 *
 *   BENCH <name> rep=<i> value=<number> unit=<unit>
 *
 * Usage: ubench [syscall|compute|file|all] [reps]
 *   syscall  getppid() round trip, 1e6 calls            -> ns per call
 *   compute  hash a 64 MiB buffer (xorshift-multiply)    -> MiB/s
 *   file     write 32 MiB to /tmp, fsync-less, read back -> MiB/s (write, read)
 * The runner parses these lines; nothing else on stdout starts with "BENCH ". */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define SYSCALL_ITERS 1000000L
#define COMPUTE_MIB   64
#define FILE_MIB      32
#define CHUNK	      (1 << 20)

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void report(const char *name, int rep, double value, const char *unit)
{
	printf("BENCH %s rep=%d value=%.3f unit=%s\n", name, rep, value, unit);
	fflush(stdout);
}

static void bench_syscall(int rep)
{
	long sink = 0;
	double t0, t1;

	t0 = now_s();
	/* The raw syscall, so no libc may cache or inline the result. */
	for (long i = 0; i < SYSCALL_ITERS; i++)
		sink += syscall(SYS_getppid);
	t1 = now_s();
	if (sink == -1)
		puts("unreachable");
	report("syscall_getppid", rep, (t1 - t0) * 1e9 / SYSCALL_ITERS, "ns");
}

/* A simple 64-bit hash: per word, xor then multiply by an odd constant and rotate.
 * Enough dependent arithmetic to be compute-bound, no library code. */
static uint64_t hash_buf(const uint64_t *p, size_t n)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL;

	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0xff51afd7ed558ccdULL;
		h = (h << 31) | (h >> 33);
	}
	return h;
}

static void fill(uint64_t *p, size_t n, uint64_t seed)
{
	uint64_t x = seed | 1;

	for (size_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		p[i] = x;
	}
}

static uint64_t *compute_buf;

static void bench_compute(int rep)
{
	size_t n = (size_t)COMPUTE_MIB * 1024 * 1024 / sizeof(uint64_t);
	double t0, t1;
	uint64_t h;

	if (!compute_buf) {
		compute_buf = malloc(n * sizeof(uint64_t));
		if (!compute_buf) {
			printf("BENCH-ERROR compute: out of memory\n");
			exit(1);
		}
		fill(compute_buf, n, 12345);
	}
	t0 = now_s();
	h = hash_buf(compute_buf, n);
	t1 = now_s();
	if (rep == 0)
		printf("BENCH-INFO compute hash=%016llx\n", (unsigned long long)h);
	report("compute_hash", rep, COMPUTE_MIB / (t1 - t0), "MiB/s");
}

static int write_all(int fd, const char *b, size_t n)
{
	while (n) {
		ssize_t w = write(fd, b, n);

		if (w <= 0)
			return -1;
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

static void bench_file(int rep)
{
	static char buf[CHUNK];
	const char *path = "/tmp/ubench.dat";
	double t0, t1, t2;
	size_t total = 0;
	int fd;

	mkdir("/tmp", 01777); /* may exist already: fine */
	memset(buf, 'a' + rep % 26, sizeof(buf));
	t0 = now_s();
	fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644);
	if (fd < 0) {
		printf("BENCH-ERROR file: cannot create %s\n", path);
		exit(1);
	}
	for (int i = 0; i < FILE_MIB; i++)
		if (write_all(fd, buf, CHUNK) < 0) {
			printf("BENCH-ERROR file: write failed\n");
			exit(1);
		}
	close(fd);
	t1 = now_s();
	fd = open(path, O_RDONLY);
	if (fd < 0) {
		printf("BENCH-ERROR file: cannot reopen %s\n", path);
		exit(1);
	}
	for (;;) {
		ssize_t r = read(fd, buf, sizeof(buf));

		if (r < 0) {
			printf("BENCH-ERROR file: read failed\n");
			exit(1);
		}
		if (r == 0)
			break;
		total += (size_t)r;
	}
	close(fd);
	t2 = now_s();
	unlink(path);
	if (total != (size_t)FILE_MIB * CHUNK) {
		printf("BENCH-ERROR file: read back %zu bytes\n", total);
		exit(1);
	}
	report("file_write", rep, FILE_MIB / (t1 - t0), "MiB/s");
	report("file_read", rep, FILE_MIB / (t2 - t1), "MiB/s");
}

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "all";
	int reps = argc > 2 ? atoi(argv[2]) : 10;
	int all = !strcmp(what, "all");

	if (reps < 1)
		reps = 1;
	/* One measure at a time, all its repetitions together; the compute buffer is
	 * freed before the file test so the two never need memory at once. */
	if (all || !strcmp(what, "syscall"))
		for (int i = 0; i < reps; i++)
			bench_syscall(i);
	if (all || !strcmp(what, "compute")) {
		for (int i = 0; i < reps; i++)
			bench_compute(i);
		free(compute_buf);
		compute_buf = NULL;
	}
	if (all || !strcmp(what, "file"))
		for (int i = 0; i < reps; i++)
			bench_file(i);
	printf("BENCH-DONE\n");
	return 0;
}
