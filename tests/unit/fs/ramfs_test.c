// SPDX-License-Identifier: MIT
/* Host tests of ramfs files and directories and of the initrd unpacker
 * (kernel/fs/ramfs.c, file.c, initrd.c): growth, holes, truncate, lseek,
 * getdents cursors while entries come and go, cpio newc archives. */
#include "helpers.h"

static void test_growth_and_holes(void **state)
{
	struct file *f = vfs_open("/f", O_CREAT | O_RDWR, 0644);
	assert_false(IS_ERR(f));
	char buf[8192];
	memset(buf, 'a', sizeof(buf));
	for (int i = 0; i < 100; i++)
		assert_int_equal(vfs_write(f, buf, sizeof(buf)), sizeof(buf));
	assert_int_equal(f->inode->size, 100 * sizeof(buf));
	/* a write far past the end leaves a hole that reads as zeros */
	uint64_t far = 3 << 20;
	assert_int_equal(vfs_pwrite(f, "end", 3, far), 3);
	assert_int_equal(f->inode->size, far + 3);
	char got[4096];
	assert_int_equal(vfs_pread(f, got, sizeof(got), 100 * sizeof(buf)), sizeof(got));
	for (size_t i = 0; i < sizeof(got); i++)
		assert_int_equal(got[i], 0);
	assert_int_equal(vfs_pread(f, got, 10, far), 3);
	assert_memory_equal(got, "end", 3);
	assert_int_equal(vfs_pread(f, got, 10, far + 3), 0);
	assert_int_equal(vfs_pread(f, got, 10, far + 100), 0);
	/* shrink, then grow again: the old bytes must not come back */
	assert_int_equal(vfs_truncate_inode(f->inode, 10), 0);
	assert_int_equal(vfs_truncate_inode(f->inode, 20), 0);
	assert_int_equal(vfs_pread(f, got, 30, 0), 20);
	for (int i = 0; i < 10; i++)
		assert_int_equal(got[i], 'a');
	for (int i = 10; i < 20; i++)
		assert_int_equal(got[i], 0);
	assert_int_equal(vfs_truncate_inode(f->inode, 5), 0);
	assert_int_equal(vfs_pwrite(f, "z", 1, 8), 1);
	assert_int_equal(vfs_pread(f, got, 30, 0), 9);
	assert_memory_equal(got, "aaaaa\0\0\0z", 9);
	/* blocks follow the size */
	struct kstat st;
	assert_int_equal(vfs_fstat(f, &st), 0);
	assert_int_equal(st.size, 9);
	assert_true(st.blocks >= 1);
	assert_int_equal(vfs_truncate_inode(f->inode, 0), 0);
	assert_int_equal(vfs_pread(f, got, 30, 0), 0);
	file_put(f);
}

static void test_lseek(void **state)
{
	assert_int_equal(t_write("/f", "0123456789"), 0);
	struct file *f = vfs_open("/f", O_RDONLY, 0);
	assert_false(IS_ERR(f));
	char c;
	assert_int_equal(vfs_lseek(f, 3, SEEK_SET), 3);
	assert_int_equal(vfs_read(f, &c, 1), 1);
	assert_int_equal(c, '3');
	assert_int_equal(vfs_lseek(f, 2, SEEK_CUR), 6);
	assert_int_equal(vfs_lseek(f, -1, SEEK_END), 9);
	assert_int_equal(vfs_lseek(f, 5, SEEK_END), 15);
	assert_int_equal(vfs_read(f, &c, 1), 0);
	assert_int_equal(vfs_lseek(f, -20, SEEK_CUR), -EINVAL);
	assert_int_equal(vfs_lseek(f, 0, 7), -EINVAL);
	assert_int_equal(vfs_lseek(f, 4, SEEK_DATA), 4);
	assert_int_equal(vfs_lseek(f, 4, SEEK_HOLE), 10);
	assert_int_equal(vfs_lseek(f, 10, SEEK_DATA), -ENXIO);
	file_put(f);
}

struct names {
	struct dir_ctx ctx;
	int max; /* entries per call */
	int got;
	char seen[400][16];
	int nseen;
};

static bool collect(struct dir_ctx *ctx, const char *name, size_t len, uint64_t ino,
		    unsigned int type, uint64_t next)
{
	struct names *n = container_of(ctx, struct names, ctx);
	if (n->got == n->max)
		return false;
	n->got++;
	assert_true(len < 16);
	memcpy(n->seen[n->nseen], name, len);
	n->seen[n->nseen][len] = 0;
	n->nseen++;
	return true;
}

static int count_seen(struct names *n, const char *name)
{
	int c = 0;
	for (int i = 0; i < n->nseen; i++)
		c += !strcmp(n->seen[i], name);
	return c;
}

static void test_getdents_stable(void **state)
{
	char path[64];
	assert_int_equal(t_mkdir("/d"), 0);
	for (int i = 0; i < 100; i++) {
		snprintf(path, sizeof(path), "/d/f%d", i);
		assert_int_equal(t_write(path, ""), 0);
	}
	struct file *f = vfs_open("/d", O_RDONLY | O_DIRECTORY, 0);
	assert_false(IS_ERR(f));
	struct names *n = calloc(1, sizeof(*n));
	n->ctx.emit = collect;
	n->max = 7;
	int round = 0;
	for (;;) {
		n->got = 0;
		assert_int_equal(vfs_iterate(f, &n->ctx), 0);
		if (!n->got)
			break;
		/* between calls: remove an entry already seen, one not seen yet,
		 * and add a new one (which may or may not be seen, but once) */
		if (round < 5) {
			snprintf(path, sizeof(path), "/d/f%d", round);
			assert_int_equal(vfs_unlinkat(AT_FDCWD, path, 0), 0);
			snprintf(path, sizeof(path), "/d/f%d", 99 - round);
			assert_int_equal(vfs_unlinkat(AT_FDCWD, path, 0), 0);
			snprintf(path, sizeof(path), "/d/new%d", round);
			assert_int_equal(t_write(path, ""), 0);
		}
		round++;
	}
	assert_int_equal(count_seen(n, "."), 1);
	assert_int_equal(count_seen(n, ".."), 1);
	for (int i = 0; i < 100; i++) {
		snprintf(path, sizeof(path), "f%d", i);
		int expect = i >= 95 ? 0 : 1;
		assert_int_equal(count_seen(n, path), expect);
	}
	for (int i = 0; i < 5; i++) {
		snprintf(path, sizeof(path), "new%d", i);
		assert_true(count_seen(n, path) <= 1);
	}
	/* rewind sees the current contents */
	assert_int_equal(vfs_lseek(f, 0, SEEK_SET), 0);
	n->nseen = 0;
	n->max = 1000;
	n->got = 0;
	assert_int_equal(vfs_iterate(f, &n->ctx), 0);
	assert_int_equal(n->nseen, 2 + 90 + 5);
	free(n);
	file_put(f);
}

static void test_dir_read_errors(void **state)
{
	assert_int_equal(t_mkdir("/d"), 0);
	struct file *f = vfs_open("/d", O_RDONLY, 0);
	char c;
	assert_int_equal(vfs_read(f, &c, 1), -EISDIR);
	assert_int_equal(vfs_pread(f, &c, 1, 0), -EISDIR);
	uint64_t sz;
	assert_int_equal(vfs_file_size(f, &sz), -EISDIR);
	assert_int_equal(vfs_check_exec(f), -EACCES);
	file_put(f);
	assert_int_equal(t_write("/x", "#!"), 0);
	f = vfs_open("/x", O_RDONLY, 0);
	assert_int_equal(vfs_check_exec(f), -EACCES);
	f->inode->mode |= 0100;
	assert_int_equal(vfs_check_exec(f), 0);
	char buf[16];
	assert_int_equal(vfs_file_path(f, buf, sizeof(buf)), 2);
	assert_string_equal(buf, "/x");
	file_put(f);
}

/* ---------------------------------------------------------------- initrd */

struct cpio {
	char *buf;
	size_t len;
};

static void pad4(struct cpio *c)
{
	while (c->len % 4)
		c->buf[c->len++] = 0;
}

static void cpio_add(struct cpio *c, const char *name, uint32_t mode, uint32_t nlink,
		     uint32_t ino, uint32_t mtime, const char *data)
{
	size_t dlen = data ? strlen(data) : 0;
	c->len += (size_t)sprintf(
	    c->buf + c->len,
	    "070701%08X%08X%08X%08X%08X%08X%08zX%08X%08X%08X%08X%08zX%08X", ino, mode, 0,
	    0, nlink, mtime, dlen, 0, 0, 0, 0, strlen(name) + 1, 0);
	memcpy(c->buf + c->len, name, strlen(name) + 1);
	c->len += strlen(name) + 1;
	pad4(c);
	if (dlen) {
		memcpy(c->buf + c->len, data, dlen);
		c->len += dlen;
	}
	pad4(c);
}

static void test_initrd(void **state)
{
	struct cpio c = {calloc(1, 65536), 0};
	cpio_add(&c, ".", 040755, 2, 1, 0, NULL);
	cpio_add(&c, "bin", 040755, 2, 2, 0, NULL);
	cpio_add(&c, "bin/prog", 0100755, 1, 3, 1234567890, "ELF!");
	cpio_add(&c, "usr/lib/deep/x.so", 0100644, 1, 4, 0, "lib");
	cpio_add(&c, "lib", 0120777, 1, 5, 0, "usr/lib");
	cpio_add(&c, "./etc/hosts", 0100600, 1, 6, 0, "127.0.0.1 localhost\n");
	cpio_add(&c, "h1", 0100644, 2, 7, 0, NULL);
	cpio_add(&c, "h2", 0100644, 2, 7, 0, "shared");
	cpio_add(&c, "TRAILER!!!", 0, 1, 0, 0, NULL);
	assert_int_equal(initrd_unpack(c.buf, c.len), 0);
	struct kstat st;
	assert_int_equal(t_stat("/bin/prog", true, &st), 0);
	assert_int_equal(st.mode, 0100755);
	assert_int_equal(st.mtime_ns, 1234567890LL * 1000000000LL);
	assert_string_equal(t_read("/bin/prog", NULL), "ELF!");
	assert_string_equal(t_read("/lib/deep/x.so", NULL), "lib");
	assert_int_equal(t_stat("/lib", false, &st), 0);
	assert_true(S_ISLNK(st.mode));
	assert_int_equal(t_stat("/etc/hosts", true, &st), 0);
	assert_int_equal(st.mode & 07777, 0600);
	assert_string_equal(t_read("/h1", NULL), "shared");
	assert_int_equal(t_stat("/h1", true, &st), 0);
	assert_int_equal(st.nlink, 2);
	free(c.buf);
}

static void test_initrd_rejects_dotdot(void **state)
{
	struct cpio c = {calloc(1, 4096), 0};
	cpio_add(&c, "ok", 0100644, 1, 1, 0, "1");
	cpio_add(&c, "a/../../etc/passwd", 0100644, 1, 2, 0, "evil");
	cpio_add(&c, "TRAILER!!!", 0, 1, 0, 0, NULL);
	assert_int_equal(initrd_unpack(c.buf, c.len), -EINVAL);
	assert_int_equal(t_lookup("/etc", 0, NULL), -ENOENT);
	/* malformed: a bad magic */
	memcpy(c.buf, "070799", 6);
	assert_int_equal(initrd_unpack(c.buf, c.len), -EINVAL);
	free(c.buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    FS_TEST(test_growth_and_holes), FS_TEST(test_lseek),
	    FS_TEST(test_getdents_stable),  FS_TEST(test_dir_read_errors),
	    FS_TEST(test_initrd),	    FS_TEST(test_initrd_rejects_dotdot),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
