// SPDX-License-Identifier: MIT
/* Tests tools/unielf/cpio_write.c against GNU cpio: archives written by the writer
 * are extracted with `cpio -idm --no-absolute-filenames` and compared file by
 * file (content, type, permissions, mtime, symlink targets). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "cpio_write.h"
#include "testutil.h"

struct fixture {
	char *dir; /* scratch */
	char *out; /* extraction directory */
	int fd;	   /* archive */
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char *archive;

	f->dir = tu_mkdtemp();
	if (asprintf(&f->out, "%s/out", f->dir) < 0 || mkdir(f->out, 0755) < 0)
		return -1;
	if (asprintf(&archive, "%s/archive.cpio", f->dir) < 0)
		return -1;
	f->fd = open(archive, O_RDWR | O_CREAT | O_TRUNC, 0600);
	free(archive);
	*state = f;
	umask(022);
	return f->fd < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	close(f->fd);
	tu_rm_rf(f->dir);
	free(f->dir);
	free(f->out);
	free(f);
	return 0;
}

static void extract(struct fixture *f)
{
	assert_int_equal(lseek(f->fd, 0, SEEK_SET), 0);
	assert_int_equal(tu_cpio_extract(f->fd, f->out), 0);
}

static void check_entry(struct fixture *f, const char *name, mode_t type, mode_t perm,
			uint32_t mtime, const void *data, size_t len)
{
	char *path;
	struct stat st;

	assert_true(asprintf(&path, "%s/%s", f->out, name) > 0);
	assert_int_equal(lstat(path, &st), 0);
	assert_int_equal(st.st_mode & S_IFMT, type);
	if (type != S_IFLNK)
		assert_int_equal(st.st_mode & 07777, perm);
	if (type == S_IFREG) {
		size_t n;
		char *got = tu_read_file(path, &n);
		assert_non_null(got);
		assert_int_equal(n, len);
		if (len)
			assert_memory_equal(got, data, len);
		free(got);
		assert_int_equal(st.st_mtime, mtime);
	} else if (type == S_IFLNK) {
		char target[4096];
		ssize_t n = readlink(path, target, sizeof(target));
		assert_int_equal(n, len);
		assert_memory_equal(target, data, len);
	}
	free(path);
}

static void test_files_dirs_symlinks(void **state)
{
	struct fixture *f = *state;
	struct cpio_writer *w = malloc(sizeof(*w));
	const uint32_t t = 1600000000;

	cpio_writer_init(w, f->fd);
	assert_int_equal(cpio_add_dir(w, "d", 0750, t), 0);
	assert_int_equal(cpio_add_data(w, "d/a.txt", 0640, t, "hello\n", 6), 0);
	assert_int_equal(cpio_add_data(w, "d/one", 0644, t, "1", 1), 0);
	assert_int_equal(cpio_add_data(w, "d/two", 0644, t, "22", 2), 0);
	assert_int_equal(cpio_add_data(w, "d/three", 0644, t, "333", 3), 0);
	assert_int_equal(cpio_add_data(w, "d/four", 0644, t, "4444", 4), 0);
	assert_int_equal(cpio_add_data(w, "empty", 0600, t + 1, "", 0), 0);
	assert_int_equal(cpio_add_data(w, "tool", 04755, t,
				       "\x7f"
				       "ELF",
				       4),
			 0);
	assert_int_equal(cpio_add_symlink(w, "d/link", "a.txt", t), 0);
	assert_int_equal(cpio_add_symlink(w, "abs", "/usr/bin/x", t), 0);
	assert_int_equal(cpio_add_symlink(w, "dangling", "../nowhere/at/all", t), 0);
	assert_int_equal(cpio_finish(w), 0);
	assert_int_equal(w->offset % 4, 0);
	assert_int_equal((uint64_t)lseek(f->fd, 0, SEEK_END), w->offset);
	free(w);
	extract(f);

	check_entry(f, "d", S_IFDIR, 0750, t, NULL, 0);
	check_entry(f, "d/a.txt", S_IFREG, 0640, t, "hello\n", 6);
	check_entry(f, "d/one", S_IFREG, 0644, t, "1", 1);
	check_entry(f, "d/two", S_IFREG, 0644, t, "22", 2);
	check_entry(f, "d/three", S_IFREG, 0644, t, "333", 3);
	check_entry(f, "d/four", S_IFREG, 0644, t, "4444", 4);
	check_entry(f, "empty", S_IFREG, 0600, t + 1, "", 0);
	check_entry(f, "tool", S_IFREG, 04755, t,
		    "\x7f"
		    "ELF",
		    4);
	check_entry(f, "d/link", S_IFLNK, 0, t, "a.txt", 5);
	check_entry(f, "abs", S_IFLNK, 0, t, "/usr/bin/x", 10);
	check_entry(f, "dangling", S_IFLNK, 0, t, "../nowhere/at/all", 17);
}

/* Names of every length modulo 4 and far past the 100 bytes of old formats. */
static void test_long_names(void **state)
{
	struct fixture *f = *state;
	struct cpio_writer *w = malloc(sizeof(*w));
	char comp[201], path[1024];
	int len;

	memset(comp, 'n', 200);
	comp[200] = '\0';
	cpio_writer_init(w, f->fd);
	assert_int_equal(cpio_add_dir(w, "long", 0755, 1), 0);
	len = snprintf(path, sizeof(path), "long/%s", comp);
	assert_int_equal(cpio_add_dir(w, path, 0755, 1), 0);
	for (int i = 1; i <= 8; i++) {
		snprintf(path + len, sizeof(path) - len, "/%.*s", 200 + i,
			 "fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
			 "fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
			 "fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
			 "fffffffffffffffffffffff");
		assert_int_equal(cpio_add_data(w, path, 0644, 2, path, strlen(path)), 0);
	}
	assert_int_equal(cpio_finish(w), 0);
	free(w);
	extract(f);
	for (int i = 1; i <= 8; i++) {
		snprintf(path + len, sizeof(path) - len, "/%.*s", 200 + i,
			 "fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
			 "fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
			 "fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
			 "fffffffffffffffffffffff");
		assert_true(strlen(path) > 400);
		check_entry(f, path, S_IFREG, 0644, 2, path, strlen(path));
	}
}

/* A file bigger than the writer's buffer, copied from a descriptor. */
static void test_file_from_fd(void **state)
{
	struct fixture *f = *state;
	struct cpio_writer *w = malloc(sizeof(*w));
	size_t size = 3 * CPIO_BUF_SIZE + 12345;
	char *data = malloc(size), *src;
	int fd;

	for (size_t i = 0; i < size; i++)
		data[i] = (char)(i * 7 + i / 251);
	assert_true(asprintf(&src, "%s/src", f->dir) > 0);
	tu_write_file(src, data, size, 0755);
	fd = open(src, O_RDONLY);
	assert_true(fd >= 0);
	cpio_writer_init(w, f->fd);
	assert_int_equal(cpio_add_data(w, "small", 0644, 5, "abc", 3), 0);
	assert_int_equal(cpio_add_file(w, "big", 0755, 7, fd, size), 0);
	assert_int_equal(cpio_add_data(w, "after", 0644, 5, "z", 1), 0);
	assert_int_equal(cpio_finish(w), 0);
	close(fd);
	free(w);
	extract(f);
	check_entry(f, "small", S_IFREG, 0644, 5, "abc", 3);
	check_entry(f, "big", S_IFREG, 0755, 7, data, size);
	check_entry(f, "after", S_IFREG, 0644, 5, "z", 1);
	free(data);
	free(src);
}

/* A file that is shorter than announced must fail, not write a broken archive. */
static void test_file_shrank(void **state)
{
	struct fixture *f = *state;
	struct cpio_writer *w = malloc(sizeof(*w));
	char *src;
	int fd;

	assert_true(asprintf(&src, "%s/short", f->dir) > 0);
	tu_write_file(src, "abc", 3, 0644);
	fd = open(src, O_RDONLY);
	cpio_writer_init(w, f->fd);
	assert_int_equal(cpio_add_file(w, "short", 0644, 0, fd, 10), -EIO);
	close(fd);
	free(w);
	free(src);
}

/* The exact bytes of one entry: header fields, name padding, data padding. */
static void test_header_layout(void **state)
{
	struct fixture *f = *state;
	struct cpio_writer *w = malloc(sizeof(*w));
	char buf[256];
	const char *expect = "070701"
			     "00000001" /* ino */
			     "000081A4" /* mode 0100644 */
			     "00000000"
			     "00000000" /* uid gid */
			     "00000001" /* nlink */
			     "0000002A" /* mtime */
			     "00000002" /* filesize */
			     "00000000"
			     "00000000"
			     "00000000"
			     "00000000"
			     "00000003"	 /* namesize */
			     "00000000"; /* check */

	cpio_writer_init(w, f->fd);
	assert_int_equal(cpio_add_data(w, "ab", 0644, 42, "xy", 2), 0);
	assert_int_equal(cpio_finish(w), 0);
	free(w);
	assert_int_equal(pread(f->fd, buf, sizeof(buf), 0), 120 + 124);
	assert_memory_equal(buf, expect, 110);
	assert_memory_equal(buf + 110, "ab\0\0", 4); /* 110 + 3 → 116 */
	assert_memory_equal(buf + 116, "xy\0\0", 4); /* data padded to 120 */
	assert_memory_equal(buf + 120, "070701", 6);
	assert_memory_equal(buf + 120 + 110, "TRAILER!!!\0", 11);
	assert_int_equal(cpio_add_dir(&(struct cpio_writer){.fd = -1}, "", 0755, 0),
			 -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_files_dirs_symlinks, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_long_names, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_file_from_fd, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_file_shrank, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_header_layout, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
