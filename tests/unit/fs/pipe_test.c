// SPDX-License-Identifier: MIT
/* Host tests of pipes and descriptor tables (kernel/fs/pipe.c, fdtable.c):
 * ring wraparound, EOF and EPIPE, PIPE_BUF atomicity, poll masks, lowest-free
 * descriptors, FD_CLOEXEC, the descriptor limit, fork-style cloning. */
#include <kern/proc.h>
#include <uapi/poll.h>
#include "fs/pipe.h"
#include "helpers.h"

static void test_ring_wraparound(void **state)
{
	struct pipe p = {.buf = malloc(PIPE_SIZE)};
	unsigned char *in = malloc(3 * PIPE_SIZE), *out = malloc(3 * PIPE_SIZE);
	for (size_t i = 0; i < 3 * PIPE_SIZE; i++)
		in[i] = (unsigned char)(i * 7 + i / 251);
	size_t wr = 0, rd = 0;
	/* uneven steps so the ring wraps at many different offsets */
	size_t wsteps[] = {60000, 1, 4095, 30000, 65536, 12345};
	size_t rsteps[] = {50000, 7, 65536, 3, 40000};
	for (int i = 0; rd < 3 * PIPE_SIZE; i++) {
		size_t w = MIN(wsteps[i % 6], 3 * PIPE_SIZE - wr);
		wr += pipe_ring_write(&p, in + wr, w);
		assert_true(p.len <= PIPE_SIZE);
		rd += pipe_ring_read(&p, out + rd, rsteps[i % 5]);
		assert_int_equal(p.len, wr - rd);
	}
	assert_memory_equal(in, out, 3 * PIPE_SIZE);
	assert_int_equal(pipe_ring_read(&p, out, 10), 0);
	/* a full ring takes nothing more */
	assert_int_equal(pipe_ring_write(&p, in, PIPE_SIZE + 10), PIPE_SIZE);
	assert_int_equal(pipe_ring_write(&p, in, 1), 0);
	free(in);
	free(out);
	free(p.buf);
}

static void test_pipe_eof_epipe(void **state)
{
	struct file *r, *w;
	assert_int_equal(pipe_create(&r, &w, O_NONBLOCK), 0);
	char buf[16];
	assert_int_equal(vfs_read(r, buf, sizeof(buf)), -EAGAIN);
	assert_int_equal(vfs_poll(r) & POLLIN, 0);
	assert_int_equal(vfs_poll(w) & POLLOUT, POLLOUT);
	assert_int_equal(vfs_write(w, "hello", 5), 5);
	assert_int_equal(vfs_poll(r) & POLLIN, POLLIN);
	assert_int_equal(r->ops->nread(r), 5);
	assert_int_equal(vfs_read(r, buf, 3), 3);
	assert_memory_equal(buf, "hel", 3);
	assert_int_equal(vfs_pread(r, buf, 1, 0), -ESPIPE);
	assert_int_equal(vfs_lseek(r, 0, SEEK_SET), -ESPIPE);
	file_put(w);
	/* data first, then end of file, and POLLHUP */
	assert_true(vfs_poll(r) & POLLHUP);
	assert_int_equal(vfs_read(r, buf, sizeof(buf)), 2);
	assert_int_equal(vfs_read(r, buf, sizeof(buf)), 0);
	file_put(r);

	assert_int_equal(pipe_create(&r, &w, 0), 0);
	file_put(r);
	assert_int_equal(vfs_write(w, "x", 1), -EPIPE);
	assert_true(vfs_poll(w) & POLLERR);
	file_put(w);
}

static void test_pipe_blocking_is_interruptible(void **state)
{
	struct file *r, *w;
	assert_int_equal(pipe_create(&r, &w, 0), 0);
	char buf[4];
	/* the shim's sleep reports a signal: the read gives up, nothing lost */
	assert_int_equal(vfs_read(r, buf, 4), -ERESTARTSYS);
	assert_int_equal(shim_sleeps, 1);
	file_put(r);
	file_put(w);
}

static void test_pipe_buf_atomic(void **state)
{
	struct file *r, *w;
	assert_int_equal(pipe_create(&r, &w, O_NONBLOCK), 0);
	char *big = calloc(1, PIPE_SIZE);
	assert_int_equal(vfs_write(w, big, PIPE_SIZE - 100), PIPE_SIZE - 100);
	assert_int_equal(vfs_poll(w) & POLLOUT, 0);
	/* <= PIPE_BUF: all or nothing */
	assert_int_equal(vfs_write(w, big, 200), -EAGAIN);
	assert_int_equal(vfs_write(w, big, 100), 100);
	assert_int_equal(vfs_write(w, big, 1), -EAGAIN);
	/* > PIPE_BUF: partial */
	assert_int_equal(vfs_read(r, big, 1000), 1000);
	assert_int_equal(vfs_write(w, big, 5000), 1000);
	/* a blocking writer with no room sleeps (and the shim interrupts it) */
	w->flags &= ~O_NONBLOCK;
	assert_int_equal(vfs_write(w, big, 10), -ERESTARTSYS);
	free(big);
	file_put(r);
	file_put(w);
}

static void test_fdtable(void **state)
{
	struct fdtable *t = fdt_current();
	/* 0, 1, 2 are the console */
	assert_non_null(fdt_lookup(t, 0));
	assert_non_null(fdt_lookup(t, 2));
	assert_null(fdt_lookup(t, 3));
	assert_null(fdt_lookup(t, -1));
	assert_null(fdt_lookup(t, FDTABLE_MAX));
	assert_int_equal(t_write("/f", "x"), 0);
	struct file *f = vfs_open("/f", O_RDONLY, 0);
	assert_int_equal(fd_install(t, 0, f, false), 3);
	assert_int_equal(fd_install(t, 0, file_get(f), true), 4);
	assert_int_equal(fd_install(t, 10, file_get(f), false), 10);
	assert_int_equal(fd_close(t, 3), 0);
	assert_int_equal(fd_close(t, 3), -EBADF);
	assert_int_equal(fd_install(t, 0, file_get(f), false), 3);
	assert_int_equal(f->refcount, 3);
	/* dup2 onto an open fd closes it */
	assert_int_equal(fd_install_at(t, 10, file_get(fdt_lookup(t, 0)), false), 10);
	assert_int_equal(f->refcount, 2);
	/* execve drops the close-on-exec ones */
	fs_exec_cloexec(shim_proc());
	assert_null(fdt_lookup(t, 4));
	assert_non_null(fdt_lookup(t, 3));
	/* the limit */
	int last = 0;
	for (int i = 0; i < FDTABLE_MAX; i++) {
		int fd = fd_install(t, 0, file_get(f), false);
		if (fd < 0) {
			assert_int_equal(fd, -EMFILE);
			file_put(f);
			break;
		}
		last = fd;
	}
	assert_int_equal(last, FDTABLE_MAX - 1);
	assert_int_equal(fd_install(t, FDTABLE_MAX, f, false), -EINVAL);
	/* fork-style clone shares the files */
	struct process child = {0};
	int before = f->refcount;
	assert_int_equal(fs_proc_clone(&child, shim_proc()), 0);
	assert_int_equal(f->refcount, 2 * before);
	assert_string_equal(child.fs->cwd_path, "/");
	fs_proc_exit(&child);
	assert_int_equal(f->refcount, before);
}

static void test_reopen_pipe_end(void **state)
{
	struct file *r, *w;
	assert_int_equal(pipe_create(&r, &w, O_NONBLOCK), 0);
	/* what /proc/self/fd/N does: a new file on the same inode */
	struct file *w2 = file_alloc(w->inode, O_WRONLY | O_NONBLOCK, w->path);
	assert_int_equal(w->inode->iops->open(w->inode, w2), 0);
	file_put(w);
	assert_int_equal(vfs_write(w2, "k", 1), 1);
	char c;
	assert_int_equal(vfs_read(r, &c, 1), 1);
	assert_int_equal(vfs_read(r, &c, 1), -EAGAIN); /* a writer is still open */
	file_put(w2);
	assert_int_equal(vfs_read(r, &c, 1), 0);
	file_put(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ring_wraparound),
	    FS_TEST(test_pipe_eof_epipe),
	    FS_TEST(test_pipe_blocking_is_interruptible),
	    FS_TEST(test_pipe_buf_atomic),
	    FS_TEST(test_fdtable),
	    FS_TEST(test_reopen_pipe_end),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
