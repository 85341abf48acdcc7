/* SPDX-License-Identifier: MIT */
/* Helpers shared by the host tool's unit tests: scratch directories, files, and
 * extracting a cpio archive with GNU cpio (the oracle for our writer). */
#pragma once
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static inline char *tu_mkdtemp(void)
{
	const char *base = getenv("TMPDIR");
	char *t;

	if (!base || !*base)
		base = "/tmp";
	if (asprintf(&t, "%s/unielf-test-XXXXXX", base) < 0 || !mkdtemp(t))
		abort();
	/* realpath: tests compare host-absolute names, /tmp may be a symlink */
	char *r = realpath(t, NULL);
	free(t);
	return r;
}

static inline int tu_rm_one(const char *path, const struct stat *st, int flag,
			    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static inline void tu_rm_rf(const char *dir)
{
	nftw(dir, tu_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static inline void tu_write_file(const char *path, const void *data, size_t len,
				 mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || (len && write(fd, data, len) != (ssize_t)len) ||
	    fchmod(fd, mode) < 0)
		abort();
	close(fd);
}

/* Reads a whole file; malloc'd, NUL-terminated, length in *len. */
static inline char *tu_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0, r;

	if (!f)
		return NULL;
	do {
		if (n + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 8192;
			buf = realloc(buf, cap);
		}
		r = fread(buf + n, 1, cap - n - 1, f);
		n += r;
	} while (r > 0);
	fclose(f);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

/* Extracts the archive read from @archive_fd into @dir with
 * `cpio -idm --no-absolute-filenames`; returns cpio's exit status. */
static inline int tu_cpio_extract(int archive_fd, const char *dir)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		if (chdir(dir) < 0 || dup2(archive_fd, 0) < 0)
			_exit(126);
		int null = open("/dev/null", O_WRONLY);
		dup2(null, 2); /* "N blocks" chatter */
		execlp("cpio", "cpio", "-idm", "--no-absolute-filenames", (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &st, 0) < 0)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* dir/name, malloc'd. */
static inline char *tu_path(const char *dir, const char *name)
{
	char *p;

	if (asprintf(&p, "%s/%s", dir, name) < 0)
		abort();
	return p;
}

/* A scratch directory for `unielf run` against a stand-in QEMU: the shell
 * script @fake_qemu as "qemu", a one-byte "kernel.elf" and a non-ELF "prog",
 * with UNIELF_QEMU, UNIELF_KERNEL and FAKE_DIR pointing there.  Returns the
 * directory (malloc'd; tu_rm_rf and free it). */
static inline char *tu_fake_qemu_dir(const char *fake_qemu)
{
	char *dir = tu_mkdtemp();
	char *q = tu_path(dir, "qemu"), *k = tu_path(dir, "kernel.elf");
	char *prog = tu_path(dir, "prog");

	tu_write_file(q, fake_qemu, strlen(fake_qemu), 0755);
	tu_write_file(k, "k", 1, 0644);
	tu_write_file(prog, "not an ELF, no libraries", 24, 0755);
	setenv("UNIELF_QEMU", q, 1);
	setenv("UNIELF_KERNEL", k, 1);
	setenv("FAKE_DIR", dir, 1);
	free(q);
	free(k);
	free(prog);
	return dir;
}
