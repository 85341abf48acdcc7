// SPDX-License-Identifier: MIT
/*
 * The libc allocator on top of brk and mmap: many small and medium blocks in a
 * deterministic random order, realloc growing and shrinking with content kept,
 * calloc zeroing, aligned allocations, and large blocks (> 128 KiB) that both libcs
 * serve with mmap rather than by moving the break.
 */
#define _GNU_SOURCE
#include "apptest.h"

#include <stdint.h>
#include <malloc.h>

#define SLOTS 2048

struct slot {
	unsigned char *p;
	size_t len;
	unsigned seed;
};

static struct slot slots[SLOTS];
static uint64_t rng = 0x9e3779b97f4a7c15ULL;

/* xorshift64*: the same sequence natively and in the guest. */
static uint64_t next(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dULL;
}

static void fill(unsigned char *p, size_t len, unsigned seed)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (unsigned char)(i ^ seed ^ (i >> 8));
}

static int intact(const unsigned char *p, size_t len, unsigned seed)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != (unsigned char)(i ^ seed ^ (i >> 8)))
			return 0;
	return 1;
}

static size_t pick_size(void)
{
	uint64_t r = next();

	switch (r % 8) {
	case 0:
		return r >> 60; /* 0..15, includes malloc(0) */
	case 1:
	case 2:
	case 3:
		return 16 + (r >> 32) % 240;
	case 4:
	case 5:
		return 256 + (r >> 32) % 3840;
	case 6:
		return 4096 + (r >> 32) % 28672;
	default:
		return 64 + (r >> 32) % 1000;
	}
}

/* Large blocks must not come from the break (both libcs use mmap past 128 KiB). */
static void check_large_uses_mmap(void)
{
	void *warm = malloc(32);
	char *before, *after;
	unsigned char *big;

	CHECK(warm, "malloc(32)");
	before = sbrk(0);
	big = malloc(4 << 20);
	after = sbrk(0);
	CHECK(big, "malloc 4 MiB");
	CHECK(after - before < (1 << 20),
	      "a 4 MiB malloc moved the break by %ld bytes: not served by mmap",
	      (long)(after - before));
	fill(big, 4 << 20, 77);
	CHECK(intact(big, 4 << 20, 77), "4 MiB block content");
	free(big);
	free(warm);
	OK("4 MiB malloc served by mmap (break moved < 1 MiB), written, freed");

	for (int round = 0; round < 8; round++) {
		size_t len = (size_t)(130 + round * 300) << 10; /* 130 KiB .. 2.2 MiB */
		unsigned char *a = malloc(len), *b = malloc(len / 2);
		CHECK(a && b, "large malloc %zu", len);
		fill(a, len, round);
		fill(b, len / 2, round + 100);
		a = realloc(a, len * 2);
		CHECK(a && intact(a, len, round), "large realloc kept content");
		CHECK(intact(b, len / 2, round + 100), "neighbour large block intact");
		free(a);
		free(b);
	}
	OK("large blocks 130 KiB .. 2.2 MiB: malloc, realloc x2, free");
}

static void check_churn(void)
{
	unsigned long live = 0, ops = 0;

	for (int iter = 0; iter < 10000; iter++) {
		struct slot *s = &slots[next() % SLOTS];
		uint64_t op = next() % 4;

		if (s->p) {
			CHECK(intact(s->p, s->len, s->seed),
			      "block of %zu bytes corrupted", s->len);
			if (op == 0) {
				size_t nlen = pick_size();
				unsigned char *np = realloc(s->p, nlen ? nlen : 1);
				size_t keep = nlen < s->len ? nlen : s->len;
				CHECK(np, "realloc to %zu", nlen);
				CHECK(intact(np, keep, s->seed), "realloc lost content");
				s->p = np;
				s->len = nlen ? nlen : 1;
				fill(s->p, s->len, s->seed);
			} else {
				free(s->p);
				s->p = NULL;
				live--;
			}
		} else {
			s->len = pick_size();
			s->seed = (unsigned)next();
			s->p = op == 1 ? calloc(1, s->len) : malloc(s->len);
			CHECK(s->p || s->len == 0, "malloc(%zu)", s->len);
			if (!s->p)
				s->p = malloc(1), s->len = 0;
			CHECK(s->p, "malloc(1)");
			CHECK(((uintptr_t)s->p & 15) == 0,
			      "malloc result not 16-byte aligned");
			if (op == 1)
				for (size_t i = 0; i < s->len; i++)
					CHECK(s->p[i] == 0, "calloc memory not zero");
			fill(s->p, s->len, s->seed);
			live++;
		}
		ops++;
	}
	for (int i = 0; i < SLOTS; i++) {
		if (slots[i].p) {
			CHECK(intact(slots[i].p, slots[i].len, slots[i].seed),
			      "final check");
			free(slots[i].p);
			slots[i].p = NULL;
		}
	}
	OK("%lu malloc/calloc/realloc/free operations over %d slots, content kept", ops,
	   SLOTS);
	(void)live;
}

static void check_aligned(void)
{
	for (size_t align = 16; align <= 65536; align <<= 1) {
		void *p = NULL;
		CHECK(posix_memalign(&p, align, align * 3 + 1) == 0, "posix_memalign %zu",
		      align);
		CHECK(((uintptr_t)p & (align - 1)) == 0, "posix_memalign misaligned");
		memset(p, 0xee, align * 3 + 1);
		free(p);
		p = aligned_alloc(align, align * 2);
		CHECK(p && ((uintptr_t)p & (align - 1)) == 0, "aligned_alloc %zu", align);
		free(p);
	}
	CHECK(realloc(NULL, 100) != NULL, "realloc(NULL, n)");
	errno = 0;
	CHECK(malloc(SIZE_MAX / 2) == NULL && errno == ENOMEM,
	      "huge malloc must fail ENOMEM");
	OK("posix_memalign/aligned_alloc 16..64 KiB, realloc(NULL), huge malloc ENOMEM");
}

int main(void)
{
	check_large_uses_mmap();
	check_churn();
	check_aligned();
	return 0;
}
