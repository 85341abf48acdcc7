// SPDX-License-Identifier: MIT
/* Unit tests of kernel/fs/cpio.c on the host: archives written by GNU cpio
 * (newc, crc, concatenated) checked against the tree they came from and
 * against `cpio -it`; truncation at every length; hand-made malformed
 * headers for every rejection reason. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "uapi/errno.h"
#include "fs/cpio.h"

#define DIR CPIO_UT_DIR

static uint8_t *read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	if (!f)
		fail_msg("cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc(n ? n : 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, n, f), (size_t)n);
	fclose(f);
	*size = n;
	return buf;
}

/* `cpio -it` listing: one name a line, archive order. */
static char **read_list(size_t *count)
{
	size_t size, n = 0;
	char *text = (char *)read_file(DIR "/tree.list", &size);
	char **names = calloc(size + 1, sizeof(*names));

	text = realloc(text, size + 1);
	text[size] = '\0';
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
		names[n++] = line;
	*count = n;
	return names;
}

/* One entry checked against the file it was archived from. */
static void check_entry_on_disk(const struct cpio_entry *e)
{
	char path[4096];
	struct stat st;

	assert_int_equal(strlen(e->name), e->namelen);
	snprintf(path, sizeof(path), "%s/tree/%s", DIR, e->name);
	if (lstat(path, &st) != 0)
		fail_msg("%s: not on disk", e->name);
	assert_int_equal(e->mode, st.st_mode);
	assert_int_equal(e->uid, st.st_uid);
	assert_int_equal(e->gid, st.st_gid);
	assert_int_equal(e->mtime, (uint32_t)st.st_mtime);
	assert_int_equal(e->ino, (uint32_t)st.st_ino);
	assert_int_equal(e->nlink, st.st_nlink);
	assert_int_equal(e->devmajor, major(st.st_dev));
	assert_int_equal(e->devminor, minor(st.st_dev));
	assert_int_equal(e->rdevmajor, 0);
	assert_int_equal(e->rdevminor, 0);

	if (S_ISREG(st.st_mode)) {
		size_t size;
		uint8_t *want = read_file(path, &size);

		/* GNU cpio stores a hard-linked file's data with one link only. */
		if (st.st_nlink > 1 && e->size == 0) {
			free(want);
			return;
		}
		assert_int_equal(e->size, size);
		assert_memory_equal(e->data, want, size);
		free(want);
	} else if (S_ISLNK(st.st_mode)) {
		char target[4096];
		ssize_t n = readlink(path, target, sizeof(target));

		assert_true(n > 0);
		assert_int_equal(e->size, (size_t)n);
		assert_memory_equal(e->data, target, n);
	} else {
		assert_int_equal(e->size, 0);
	}
}

/* Reads one archive starting at *off; returns the number of entries. */
static size_t walk_archive(const uint8_t *buf, size_t len, size_t *off, char **names,
			   size_t nnames, bool *hard_data_seen)
{
	struct cpio_entry e;
	const char *why = NULL;
	size_t n = 0;
	int r;

	while ((r = cpio_next(buf, len, off, &e, &why)) == 1) {
		assert_true(n < nnames);
		assert_string_equal(e.name, names[n]);
		assert_int_equal(*off % 4, 0);
		check_entry_on_disk(&e);
		if (strstr(e.name, "five") && e.size == 5)
			*hard_data_seen = true;
		n++;
	}
	if (r < 0)
		fail_msg("rejected at %zu: %s", *off, why);
	return n;
}

static void check_archive(const char *path)
{
	size_t len, nnames, off = 0;
	uint8_t *buf = read_file(path, &len);
	char **names = read_list(&nnames);
	struct cpio_entry e;
	bool hard = false;

	assert_true(nnames >= 15);
	assert_int_equal(walk_archive(buf, len, &off, names, nnames, &hard), nnames);
	assert_true(hard); /* "five" or "hard-five" carried the data */
	/* GNU cpio pads to 512 bytes after the trailer: only zeros remain. */
	assert_true(off < len);
	assert_int_equal(cpio_next(buf, len, &off, &e, NULL), 0);
	assert_int_equal(off, len);
	assert_int_equal(cpio_next(buf, len, &off, &e, NULL), 0);
	assert_int_equal(off, len);
	free(names[0]);
	free(names);
	free(buf);
}

static void test_gnu_newc(void **state)
{
	check_archive(DIR "/tree.newc");
}

static void test_gnu_crc(void **state)
{
	check_archive(DIR "/tree.crc");
}

static void test_gnu_concatenated(void **state)
{
	size_t len, nnames, off = 0;
	uint8_t *buf = read_file(DIR "/concat.cpio", &len);
	char **names = read_list(&nnames);
	struct cpio_entry e;
	bool hard = false;

	assert_int_equal(walk_archive(buf, len, &off, names, nnames, &hard), nnames);
	assert_true(off < len); /* stopped at the first trailer */
	assert_int_equal(walk_archive(buf, len, &off, names, nnames, &hard), nnames);
	assert_int_equal(cpio_next(buf, len, &off, &e, NULL), 0);
	assert_int_equal(off, len);
	free(names[0]);
	free(names);
	free(buf);
}

/*
 * Every prefix, each in an exact-size allocation: never a crash or an
 * over-read, and exactly the expected outcome.  An entry is returned once its
 * name (and data, if any) is complete -- final padding may be cut off; a clean
 * 0 comes when the cut falls at the end of a returned entry (indistinguishable
 * from an archive without a trailer) or inside the trailer's padding; anything
 * else is -EINVAL with *off left at the last returned entry.
 */
static void test_truncated_everywhere(void **state)
{
	size_t len, off = 0, n = 0;
	uint8_t *buf = read_file(DIR "/tree.newc", &len);
	size_t ends[64], min_end[64], trailer_min_end;
	struct cpio_entry full[64], e;

	while (cpio_next(buf, len, &off, &full[n], NULL) == 1) {
		const uint8_t *name = (const uint8_t *)full[n].name;

		min_end[n] =
		    full[n].size
			? (size_t)((const uint8_t *)full[n].data - buf) + full[n].size
			: (size_t)(name - buf) + full[n].namelen + 1;
		ends[n] = off;
		n++;
		assert_true(n < 64);
	}
	trailer_min_end = ends[n - 1] + CPIO_HEADER_SIZE + sizeof("TRAILER!!!");

	for (size_t cut = 0; cut < off; cut++) {
		uint8_t *p = malloc(cut ? cut : 1);
		size_t o = 0, i = 0, want_i = 0, o_i;
		const char *why = NULL;
		int r, want_r;

		while (want_i < n && min_end[want_i] <= cut)
			want_i++;
		o_i = want_i ? (ends[want_i - 1] < cut ? ends[want_i - 1] : cut) : 0;
		want_r =
		    (o_i == cut || (want_i == n && cut >= trailer_min_end)) ? 0 : -EINVAL;

		memcpy(p, buf, cut);
		while ((r = cpio_next(p, cut, &o, &e, &why)) == 1) {
			assert_true(i < n);
			assert_int_equal(e.name - (const char *)p,
					 full[i].name - (const char *)buf);
			assert_int_equal(e.size, full[i].size);
			assert_true(o <= cut);
			i++;
		}
		if (r != want_r || i != want_i)
			fail_msg("cut %zu: %d after %zu entries, want %d after %zu (%s)",
				 cut, r, i, want_r, want_i, r < 0 ? why : "");
		if (r == 0)
			assert_true(o == cut || want_i == n);
		else
			assert_int_equal(o, o_i);
		free(p);
	}
	free(buf);
}

/* ------------------------------------------------------------ hand-made */

/* Appends a newc/crc header + name (+ padding) + data (+ padding). */
static size_t put_entry(uint8_t *b, size_t at, const char *magic, uint32_t mode,
			const char *name, const void *data, uint32_t size, uint32_t check)
{
	char hdr[CPIO_HEADER_SIZE + 1];
	size_t nsz = strlen(name) + 1;

	snprintf(hdr, sizeof(hdr),
		 "%s%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X", magic, 7u,
		 mode, 1000u, 1000u, 1u, 0x5f000000u, size, 8u, 1u, 0u, 0u, (unsigned)nsz,
		 check);
	memcpy(b + at, hdr, CPIO_HEADER_SIZE);
	at += CPIO_HEADER_SIZE;
	memcpy(b + at, name, nsz);
	at = (at + nsz + 3) & ~(size_t)3;
	memcpy(b + at, data, size);
	return (at + size + 3) & ~(size_t)3;
}

struct arc {
	uint8_t b[1024];
	size_t len;
};

/* "hello" (0644, "hi!!x"), "dir" (dir), TRAILER!!!. */
static void arc_base(struct arc *a, const char *magic)
{
	memset(a, 0, sizeof(*a));
	a->len = put_entry(a->b, 0, magic, 0100644, "hello", "hi!!x", 5,
			   'h' + 'i' + '!' + '!' + 'x');
	a->len = put_entry(a->b, a->len, magic, 040755, "dir", "", 0, 0);
	a->len = put_entry(a->b, a->len, magic, 0, "TRAILER!!!", "", 0, 0);
}

static int next_exact(const struct arc *a, size_t *off, struct cpio_entry *e,
		      const char **why)
{
	uint8_t *p = malloc(a->len ? a->len : 1);
	int r;

	memcpy(p, a->b, a->len);
	r = cpio_next(p, a->len, off, e, why);
	if (r == 1) /* point back into a->b so callers may look after free */
		e->name = (const char *)a->b + (e->name - (const char *)p);
	free(p);
	return r;
}

static void expect_reason(const struct arc *a, size_t off, const char *reason)
{
	struct cpio_entry e;
	const char *why = NULL;
	size_t o = off;

	assert_int_equal(next_exact(a, &o, &e, &why), -EINVAL);
	assert_non_null(why);
	assert_string_equal(why, reason);
	assert_int_equal(o, off);
}

static void test_handmade_ok(void **state)
{
	struct arc a;
	struct cpio_entry e;
	size_t off = 0;

	arc_base(&a, "070701");
	assert_int_equal(cpio_next(a.b, a.len, &off, &e, NULL), 1);
	assert_string_equal(e.name, "hello");
	assert_int_equal(e.namelen, 5);
	assert_int_equal(e.mode, 0100644);
	assert_int_equal(e.ino, 7);
	assert_int_equal(e.uid, 1000);
	assert_int_equal(e.gid, 1000);
	assert_int_equal(e.nlink, 1);
	assert_int_equal(e.mtime, 0x5f000000);
	assert_int_equal(e.devmajor, 8);
	assert_int_equal(e.devminor, 1);
	assert_int_equal(e.size, 5);
	assert_memory_equal(e.data, "hi!!x", 5);
	assert_int_equal(off, 124);
}

static void test_handmade_offsets(void **state)
{
	struct arc a;
	struct cpio_entry e;
	size_t off = 0;

	/* header 110 + "hello\0" 6 = 116 (aligned); data 5 -> 121, padded 124. */
	arc_base(&a, "070701");
	assert_int_equal(cpio_next(a.b, a.len, &off, &e, NULL), 1);
	assert_int_equal((const uint8_t *)e.data - a.b, 116);
	assert_int_equal(off, 124);
	/* header 110 + "dir\0" 4 = 114 -> 116; no data. */
	assert_int_equal(cpio_next(a.b, a.len, &off, &e, NULL), 1);
	assert_string_equal(e.name, "dir");
	assert_int_equal(e.mode, 040755);
	assert_int_equal(e.size, 0);
	assert_int_equal(off, 124 + 116);
	/* The trailer: 0, and *off moves past it (110 + 11 = 121 -> 124). */
	assert_int_equal(cpio_next(a.b, a.len, &off, &e, NULL), 0);
	assert_int_equal(off, 124 + 116 + 124);
	assert_int_equal(off, a.len);
	assert_int_equal(cpio_next(a.b, a.len, &off, &e, NULL), 0);
	assert_int_equal(off, a.len);
}

static void test_crc_checksum(void **state)
{
	struct arc a;
	struct cpio_entry e;
	size_t off = 0;

	arc_base(&a, "070702");
	assert_int_equal(next_exact(&a, &off, &e, NULL), 1);
	a.b[116] = 'H';
	expect_reason(&a, 0, "checksum mismatch");
	/* newc carries no checksum: the same change is fine. */
	arc_base(&a, "070701");
	a.b[116] = 'H';
	off = 0;
	assert_int_equal(next_exact(&a, &off, &e, NULL), 1);
}

static void test_bad_magic(void **state)
{
	struct arc a;
	static const char *const bad[] = {"070707", "070703", "070700",
					  "170701", "07070 ", "\0\0\0\0\0\x01"};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		arc_base(&a, "070701");
		memcpy(a.b, bad[i], 6);
		expect_reason(&a, 0, "bad magic (not a newc or crc cpio archive)");
	}
	/* The second entry too. */
	arc_base(&a, "070701");
	a.b[124 + 5] = '7';
	expect_reason(&a, 124, "bad magic (not a newc or crc cpio archive)");
}

static void test_bad_hex(void **state)
{
	struct arc a;
	struct cpio_entry e;
	size_t off;

	for (size_t pos = 6; pos < CPIO_HEADER_SIZE; pos++) {
		static const char junk[] = {'g', 'G', ' ', 'x', '\0', '-', '+', 0x7f};

		for (size_t j = 0; j < sizeof(junk); j++) {
			arc_base(&a, "070701");
			a.b[pos] = junk[j];
			expect_reason(&a, 0, "non-hex digit in header");
		}
	}
	/* Lower-case hex is hex. */
	arc_base(&a, "070701");
	memcpy(a.b + 6 + 8, "000081a4", 8);
	off = 0;
	assert_int_equal(next_exact(&a, &off, &e, NULL), 1);
	assert_int_equal(e.mode, 0100644);
}

static void set_field(struct arc *a, size_t at, int field, uint32_t val)
{
	char f[9];

	snprintf(f, sizeof(f), "%08X", val);
	memcpy(a->b + at + 6 + 8 * field, f, 8);
}

enum { F_FILESIZE = 6, F_NAMESIZE = 11 };

static void test_bad_name(void **state)
{
	struct arc a;

	arc_base(&a, "070701");
	set_field(&a, 0, F_NAMESIZE, 0);
	expect_reason(&a, 0, "name size is zero");
	arc_base(&a, "070701");
	a.b[110 + 5] = 'X'; /* the NUL after "hello" */
	expect_reason(&a, 0, "name not NUL-terminated");
	arc_base(&a, "070701");
	set_field(&a, 0, F_NAMESIZE, 5); /* NUL expected at "hello"[4] */
	expect_reason(&a, 0, "name not NUL-terminated");
	arc_base(&a, "070701");
	a.b[110 + 2] = '\0';
	expect_reason(&a, 0, "name contains a NUL byte");
	arc_base(&a, "070701");
	set_field(&a, 0, F_NAMESIZE, 0xffffffff);
	expect_reason(&a, 0, "name extends past the end of the archive");
	set_field(&a, 0, F_NAMESIZE, a.len - 110 + 1);
	expect_reason(&a, 0, "name extends past the end of the archive");
}

static void test_data_past_end(void **state)
{
	struct arc a;

	arc_base(&a, "070701");
	set_field(&a, 0, F_FILESIZE, 0xffffffff);
	expect_reason(&a, 0, "data extends past the end of the archive");
	set_field(&a, 0, F_FILESIZE, a.len - 116 + 1);
	expect_reason(&a, 0, "data extends past the end of the archive");
	/* Exactly to the end is fine. */
	set_field(&a, 0, F_FILESIZE, a.len - 116);
	{
		struct cpio_entry e;
		size_t off = 0;

		assert_int_equal(next_exact(&a, &off, &e, NULL), 1);
		assert_int_equal(off, a.len);
		assert_int_equal(next_exact(&a, &off, &e, NULL), 0);
	}
}

static void test_truncated_header(void **state)
{
	struct arc a;

	arc_base(&a, "070701");
	a.len = 109;
	expect_reason(&a, 0, "truncated header");
	a.len = 4;
	expect_reason(&a, 0, "truncated header");
	/* 1..3 non-zero trailing bytes */
	arc_base(&a, "070701");
	a.b[a.len] = '0';
	a.len += 1;
	{
		struct cpio_entry e;
		size_t off = 124 + 116 + 124 - 124;

		/* After the trailer: "0" is not padding. */
		assert_int_equal(next_exact(&a, &off, &e, NULL), 0);
		expect_reason(&a, off, "truncated header");
	}
}

static void test_bad_offset(void **state)
{
	struct arc a;

	arc_base(&a, "070701");
	expect_reason(&a, 2, "entry offset not a multiple of 4");
	expect_reason(&a, a.len + 4, "offset past the end of the archive");
}

static void test_zero_padding(void **state)
{
	uint8_t zeros[1027] = {0};
	struct cpio_entry e;
	size_t off = 0;

	assert_int_equal(cpio_next(zeros, 0, &off, &e, NULL), 0);
	assert_int_equal(off, 0);
	assert_int_equal(cpio_next(NULL, 0, &off, &e, NULL), 0);
	off = 0;
	assert_int_equal(cpio_next(zeros, sizeof(zeros), &off, &e, NULL), 0);
	assert_int_equal(off, sizeof(zeros));
}

/* Zero words before an archive (and between two) are skipped. */
static void test_padding_between_archives(void **state)
{
	struct arc a;
	struct cpio_entry e;
	size_t off = 0, len;

	memset(&a, 0, sizeof(a));
	len = put_entry(a.b, 0, "070701", 0100644, "x", "1", 1, 0);
	len = put_entry(a.b, len, "070701", 0, "TRAILER!!!", "", 0, 0);
	len += 64;
	len = put_entry(a.b, len, "070702", 0100644, "y", "2", 1, '2');
	len = put_entry(a.b, len, "070701", 0, "TRAILER!!!", "", 0, 0);
	a.len = len + 16;
	assert_int_equal(next_exact(&a, &off, &e, NULL), 1);
	assert_string_equal(e.name, "x");
	assert_int_equal(next_exact(&a, &off, &e, NULL), 0);
	assert_int_equal(next_exact(&a, &off, &e, NULL), 1);
	assert_string_equal(e.name, "y");
	assert_int_equal(next_exact(&a, &off, &e, NULL), 0);
	assert_int_equal(next_exact(&a, &off, &e, NULL), 0);
	assert_int_equal(off, a.len);
	/* Junk after a trailer is an error, not silence. */
	memset(&a, 0, sizeof(a));
	len = put_entry(a.b, 0, "070701", 0, "TRAILER!!!", "", 0, 0);
	memcpy(a.b + len, "garbage garbage garbage", 23);
	a.len = len + 200;
	off = 0;
	assert_int_equal(next_exact(&a, &off, &e, NULL), 0);
	expect_reason(&a, off, "bad magic (not a newc or crc cpio archive)");
}

/* No padding after the last entry's data at the very end: tolerated.
 * Regression (found by test_truncated_everywhere): *off then ends unaligned at
 * len, and the next call used to fail with "entry offset not a multiple of 4"
 * instead of returning 0. */
static void test_missing_final_padding(void **state)
{
	struct arc a;
	struct cpio_entry e;
	size_t off = 0;

	memset(&a, 0, sizeof(a));
	a.len = put_entry(a.b, 0, "070701", 0100644, "x", "abc", 3, 0) - 1;
	assert_int_equal(a.len, 115);
	assert_int_equal(next_exact(&a, &off, &e, NULL), 1);
	assert_int_equal(e.size, 3);
	assert_int_equal(off, 115);
	assert_int_equal(next_exact(&a, &off, &e, NULL), 0);
	/* A name whose padding is cut, with no data: also tolerated. */
	memset(&a, 0, sizeof(a));
	a.len = put_entry(a.b, 0, "070701", 040755, "dir", "", 0, 0) - 1;
	off = 0;
	assert_int_equal(next_exact(&a, &off, &e, NULL), 1);
	assert_string_equal(e.name, "dir");
	assert_int_equal(off, a.len);
	/* ...but not when data should follow. */
	memset(&a, 0, sizeof(a));
	a.len = put_entry(a.b, 0, "070701", 0100644, "abcde", "x", 1, 0);
	a.len = 110 + 6 - 1;
	expect_reason(&a, 0, "name extends past the end of the archive");
	a.len = 110 + 6;
	expect_reason(&a, 0, "data extends past the end of the archive");
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_gnu_newc),
	    cmocka_unit_test(test_gnu_crc),
	    cmocka_unit_test(test_gnu_concatenated),
	    cmocka_unit_test(test_truncated_everywhere),
	    cmocka_unit_test(test_handmade_ok),
	    cmocka_unit_test(test_handmade_offsets),
	    cmocka_unit_test(test_crc_checksum),
	    cmocka_unit_test(test_bad_magic),
	    cmocka_unit_test(test_bad_hex),
	    cmocka_unit_test(test_bad_name),
	    cmocka_unit_test(test_data_past_end),
	    cmocka_unit_test(test_truncated_header),
	    cmocka_unit_test(test_bad_offset),
	    cmocka_unit_test(test_zero_padding),
	    cmocka_unit_test(test_padding_between_archives),
	    cmocka_unit_test(test_missing_final_padding),
	};

	return cmocka_run_group_tests_name("cpio", tests, NULL, NULL);
}
