// SPDX-License-Identifier: MIT
/*
 * Address-space calls: anonymous mmap/munmap, MAP_FIXED, mprotect, PROT_NONE
 * reservations, mremap (grow in place, ENOMEM when blocked, move), brk growth and
 * shrink, madvise, and file-backed MAP_PRIVATE mappings (content, offsets, the zero
 * tail past EOF, private writes not reaching the file).  Faults are not exercised:
 * there are no signal handlers in the guest yet.
 */
#define _GNU_SOURCE
#include "apptest.h"

#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#define PG 4096UL

static void *map_anon(size_t len, int prot)
{
	void *p = mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	CHECK(p != MAP_FAILED, "mmap anonymous %zu bytes", len);
	CHECK(((uintptr_t)p & (PG - 1)) == 0, "mmap result not page aligned");
	return p;
}

static void fill(unsigned char *p, size_t len, unsigned seed)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (unsigned char)(i * 31 + seed);
}

static int same(const unsigned char *p, size_t len, unsigned seed)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != (unsigned char)(i * 31 + seed))
			return 0;
	return 1;
}

static int all_zero(const unsigned char *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i])
			return 0;
	return 1;
}

static void check_anon(void)
{
	unsigned char *p = map_anon(16 * PG, PROT_READ | PROT_WRITE), *q;

	CHECK(all_zero(p, 16 * PG), "fresh anonymous memory is not zero");
	fill(p, 16 * PG, 1);
	CHECK(same(p, 16 * PG, 1), "anonymous memory does not keep what was written");
	CHECK_OK(munmap(p + 4 * PG, 4 * PG));
	q = mmap(p + 4 * PG, 4 * PG, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	CHECK(q == p + 4 * PG, "MAP_FIXED into a hole");
	CHECK(all_zero(q, 4 * PG), "MAP_FIXED memory not zero");
	CHECK(same(p, 4 * PG, 1) && same(p + 8 * PG, 8 * PG, (unsigned)(8 * PG * 31 + 1)),
	      "neighbours of the hole changed");
	q = mmap(p + 10 * PG, PG, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	CHECK(q == p + 10 * PG && all_zero(q, PG), "MAP_FIXED over a mapping");
	CHECK_OK(munmap(p, 16 * PG));
	CHECK_OK(munmap(p, 16 * PG)); /* unmapping nothing is fine */
	OK("anonymous mmap zero-filled, munmap of a hole, MAP_FIXED, double munmap");

	p = map_anon(16 << 20, PROT_READ | PROT_WRITE);
	for (size_t i = 0; i < (16 << 20); i += PG)
		p[i] = (unsigned char)i | 1;
	CHECK(p[(16 << 20) - PG] == 1, "last page of a 16 MiB mapping");
	CHECK_OK(munmap(p, 16 << 20));
	OK("16 MiB anonymous mapping touched page by page");

	CHECK_ERR(mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), EINVAL);
	CHECK_ERR(munmap((void *)(PG + 1), PG), EINVAL);
	CHECK_ERR(mmap(NULL, PG, PROT_READ, MAP_PRIVATE, 99, 0), EBADF);
	CHECK_ERR(mmap(NULL, PG, PROT_READ, MAP_ANONYMOUS, -1, 0), EINVAL);
	OK("mmap EINVAL (len 0, no MAP_PRIVATE/SHARED), munmap EINVAL, EBADF");
}

static void check_mprotect(void)
{
	unsigned char *p = map_anon(4 * PG, PROT_READ | PROT_WRITE);
	volatile unsigned char *v = p;

	fill(p, 4 * PG, 7);
	CHECK_OK(mprotect(p, 4 * PG, PROT_READ));
	CHECK(same(p, 4 * PG, 7), "read after PROT_READ");
	CHECK_OK(mprotect(p + PG, PG, PROT_READ | PROT_WRITE));
	v[PG] = 0xaa;
	CHECK(v[PG] == 0xaa, "write after re-enabling PROT_WRITE on one page");
	CHECK_ERR(syscall(SYS_mprotect, p + 1, PG, PROT_READ), EINVAL); /* musl rounds */
	CHECK_OK(munmap(p, 4 * PG));

	/* Reserve with PROT_NONE, then commit part of it: what allocators do. */
	p = map_anon(32 * PG, PROT_NONE);
	CHECK_OK(mprotect(p + 8 * PG, 8 * PG, PROT_READ | PROT_WRITE));
	CHECK(all_zero(p + 8 * PG, 8 * PG), "committed part of a reservation not zero");
	fill(p + 8 * PG, 8 * PG, 3);
	CHECK(same(p + 8 * PG, 8 * PG, 3), "committed part of a reservation");
	CHECK_OK(munmap(p, 32 * PG));
	OK("mprotect read-only, per page, EINVAL; PROT_NONE reservation then commit");
}

static void check_mremap(void)
{
	unsigned char *p = map_anon(4 * PG, PROT_READ | PROT_WRITE), *q, *blk;

	/* Leave two pages, a free page, then a blocker page. */
	CHECK_OK(munmap(p + 2 * PG, 2 * PG));
	blk = mmap(p + 3 * PG, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1,
		   0);
	CHECK(blk == p + 3 * PG, "blocker mapping");
	fill(p, 2 * PG, 5);
	CHECK(mremap(p, 2 * PG, 4 * PG, 0) == MAP_FAILED && errno == ENOMEM,
	      "mremap without MREMAP_MAYMOVE over a mapping must fail with ENOMEM");
	q = mremap(p, 2 * PG, 3 * PG, 0);
	CHECK(q == p, "mremap grow in place into the free page");
	CHECK(same(p, 2 * PG, 5) && all_zero(p + 2 * PG, PG),
	      "content after grow in place");
	q = mremap(p, 3 * PG, 64 * PG, MREMAP_MAYMOVE);
	CHECK(q != MAP_FAILED && q != p,
	      "mremap MREMAP_MAYMOVE past the blocker must move");
	CHECK(same(q, 2 * PG, 5), "content lost when mremap moved the mapping");
	q[63 * PG] = 9;
	q = mremap(q, 64 * PG, 2 * PG, 0);
	CHECK(q != MAP_FAILED && same(q, 2 * PG, 5), "mremap shrink");
	CHECK_OK(munmap(q, 2 * PG));
	CHECK_OK(munmap(blk, PG));
	CHECK_ERR(mremap(p + 1, PG, 2 * PG, MREMAP_MAYMOVE), EINVAL);
	OK("mremap: grow in place, ENOMEM when blocked, move keeps content, shrink");
}

static void check_brk(void)
{
	/* Raw brk: musl's sbrk refuses non-zero increments.  No printing (malloc) while
	 * the break is moved; it is put back before anything else runs. */
	uintptr_t cur = (uintptr_t)syscall(SYS_brk, 0), top;
	unsigned char *p = (unsigned char *)cur;
	int grown, zero_regrow = 0, kept = 0;

	CHECK(cur != 0 && (uintptr_t)syscall(SYS_brk, 0) == cur, "brk(0)");
	top = (uintptr_t)syscall(SYS_brk, cur + (1 << 20));
	grown = top == cur + (1 << 20);
	if (grown) {
		for (size_t i = 0; i < (1 << 20); i += 512)
			p[i] = 0x5a;
		kept = p[(1 << 20) - 512] == 0x5a;
		syscall(SYS_brk, cur + PG);
		syscall(SYS_brk, cur + 4 * PG);
		zero_regrow = all_zero(p + 2 * PG, 2 * PG);
	}
	top = (uintptr_t)syscall(SYS_brk, cur);
	CHECK(grown, "brk did not grow by 1 MiB");
	CHECK(kept, "memory from brk does not keep what was written");
	CHECK(zero_regrow, "brk shrink then grow does not give zeroed pages");
	CHECK(top == cur, "brk back to the start");
	CHECK((uintptr_t)syscall(SYS_brk, 4096) == cur, "brk below the start must fail");
	CHECK(sbrk(0) == (void *)cur, "sbrk(0) agrees with brk(0)");
	OK("brk: grow 1 MiB, write, shrink, regrow zeroed, refuse below start");
}

static void check_madvise(void)
{
	unsigned char *p = map_anon(8 * PG, PROT_READ | PROT_WRITE);

	fill(p, 8 * PG, 2);
	CHECK_OK(madvise(p, 8 * PG, MADV_NORMAL));
	CHECK_OK(madvise(p, 8 * PG, MADV_WILLNEED));
	CHECK_OK(madvise(p, 8 * PG, MADV_SEQUENTIAL));
	CHECK(same(p, 8 * PG, 2), "advice changed content");
	CHECK_OK(madvise(p + 2 * PG, 2 * PG, MADV_DONTNEED));
	CHECK(all_zero(p + 2 * PG, 2 * PG), "MADV_DONTNEED pages read back non-zero");
	CHECK(same(p, 2 * PG, 2), "MADV_DONTNEED touched the page before");
	CHECK_ERR(madvise(p + 1, PG, MADV_DONTNEED), EINVAL);
	CHECK_OK(munmap(p, 8 * PG));
	OK("madvise NORMAL/WILLNEED/SEQUENTIAL, DONTNEED zeroes private anon pages");
}

static void check_file_private(void)
{
	const char *dir = app_scratch_dir("mmap_brk");
	size_t flen = 2 * PG + 100;
	unsigned char *buf = malloc(flen), *m, back[64];
	int fd;

	fill(buf, flen, 11);
	fd = open("file", O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0, "create file");
	app_write_all(fd, buf, flen);

	m = mmap(NULL, 3 * PG, PROT_READ, MAP_PRIVATE, fd, 0);
	CHECK(m != MAP_FAILED, "mmap file MAP_PRIVATE");
	CHECK(!memcmp(m, buf, flen), "file mapping does not show the file's bytes");
	CHECK(all_zero(m + flen, 3 * PG - flen),
	      "bytes past EOF in the last page not zero");
	CHECK_OK(munmap(m, 3 * PG));

	m = mmap(NULL, PG, PROT_READ, MAP_PRIVATE, fd, PG);
	CHECK(m != MAP_FAILED && !memcmp(m, buf + PG, PG), "mapping at file offset 4096");
	CHECK_OK(munmap(m, PG));
	CHECK_ERR(mmap(NULL, PG, PROT_READ, MAP_PRIVATE, fd, 100), EINVAL);
	OK("file MAP_PRIVATE: content, offset 4096, zero tail past EOF, EINVAL offset");

	m = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	CHECK(m != MAP_FAILED, "writable private file mapping");
	memset(m + 10, 'X', 64);
	CHECK(m[10] == 'X' && m[73] == 'X', "write to a private mapping");
	CHECK(pread(fd, back, sizeof(back), 10) == sizeof(back), "pread");
	CHECK(!memcmp(back, buf + 10, sizeof(back)), "a private write reached the file");
	CHECK_OK(munmap(m, 2 * PG));
	CHECK_OK(close(fd));

	fd = open("file", O_RDONLY);
	CHECK(fd >= 0, "reopen");
	m = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	CHECK(m != MAP_FAILED, "writable private mapping of a read-only fd");
	CHECK_OK(close(fd)); /* the mapping outlives the descriptor */
	CHECK(!memcmp(m, buf, PG), "mapping after close");
	m[0] ^= 0xff;
	CHECK_OK(munmap(m, PG));
	CHECK_ERR(mmap(NULL, PG, PROT_READ, MAP_SHARED, fd, 0), EBADF);
	OK("private writes stay private; mapping outlives close; read-only fd");

	free(buf);
	CHECK_OK(chdir("/"));
	app_remove_tree(dir);
}

int main(void)
{
	check_brk();
	check_anon();
	check_mprotect();
	check_mremap();
	check_madvise();
	check_file_private();
	return 0;
}
