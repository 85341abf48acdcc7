// SPDX-License-Identifier: MIT
/*
 * Regular files and directories: create/write/read, offsets, pread/pwrite, readv/writev,
 * ftruncate, stat fields, rename, unlink, mkdir/rmdir, getdents64, symlink/readlink,
 * openat, dup/dup2/dup3, fcntl, access, getcwd/chdir, umask, and the open flags
 * O_EXCL, O_APPEND, O_TRUNC, O_DIRECTORY.  Works in /tmp/unielf-files-<variant>.
 */
#define _GNU_SOURCE
#include "apptest.h"

#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/uio.h>

static const char *dir;

static void write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	CHECK(fd >= 0, "create %s", path);
	app_write_all(fd, text, strlen(text));
	CHECK_OK(close(fd));
}

/* The whole content of path as a string (static buffer). */
static const char *read_file(const char *path)
{
	static char buf[4096];
	int fd = open(path, O_RDONLY);
	size_t n;

	CHECK(fd >= 0, "open %s", path);
	n = app_read_full(fd, buf, sizeof(buf) - 1);
	buf[n] = 0;
	CHECK_OK(close(fd));
	return buf;
}

static void check_cwd_umask(void)
{
	char cwd[PATH_MAX];
	struct stat st;
	int fd;

	CHECK(getcwd(cwd, sizeof(cwd)), "getcwd");
	CHECK(strcmp(cwd, dir) == 0, "getcwd is %s, want %s", cwd, dir);
	CHECK(getcwd(cwd, 2) == NULL && errno == ERANGE, "getcwd with a tiny buffer");
	CHECK_OK(chdir("/"));
	CHECK(getcwd(cwd, sizeof(cwd)) && !strcmp(cwd, "/"), "getcwd after chdir /");
	CHECK_OK(chdir(dir));
	OK("getcwd/chdir");

	umask(022);
	fd = open("m644", O_WRONLY | O_CREAT | O_EXCL, 0666);
	CHECK(fd >= 0, "create m644");
	CHECK_OK(fstat(fd, &st));
	CHECK((st.st_mode & 07777) == 0644, "mode %o under umask 022",
	      st.st_mode & 07777);
	CHECK_OK(close(fd));
	CHECK(umask(077) == 022, "umask returns the previous mask");
	fd = open("m600", O_WRONLY | O_CREAT | O_EXCL, 0666);
	CHECK(fd >= 0, "create m600");
	CHECK_OK(fstat(fd, &st));
	CHECK((st.st_mode & 07777) == 0600, "mode %o under umask 077",
	      st.st_mode & 07777);
	CHECK_OK(close(fd));
	CHECK_OK(mkdir("d700", 0777));
	CHECK_OK(stat("d700", &st));
	CHECK(S_ISDIR(st.st_mode) && (st.st_mode & 07777) == 0700, "mkdir mode %o",
	      st.st_mode & 07777);
	umask(022);
	CHECK_OK(chmod("m600", 0640));
	CHECK_OK(stat("m600", &st));
	CHECK((st.st_mode & 07777) == 0640, "chmod");
	CHECK_OK(rmdir("d700"));
	CHECK_OK(unlink("m644"));
	CHECK_OK(unlink("m600"));
	OK("umask 022 -> 0644, umask 077 -> 0600 and dir 0700, chmod");
}

static void check_rw_offsets(void)
{
	char buf[64];
	struct stat st, st2;
	int fd;

	fd = open("data", O_RDWR | O_CREAT | O_EXCL, 0644);
	CHECK(fd >= 0, "create data");
	CHECK(open("data", O_RDWR | O_CREAT | O_EXCL, 0644) == -1 && errno == EEXIST,
	      "O_EXCL on an existing file");
	app_write_all(fd, "hello, world\n", 13);
	CHECK(lseek(fd, 0, SEEK_CUR) == 13, "offset after write");
	CHECK(lseek(fd, 0, SEEK_SET) == 0, "lseek SEEK_SET");
	CHECK(read(fd, buf, sizeof(buf)) == 13 && !memcmp(buf, "hello, world\n", 13),
	      "read back");
	CHECK(read(fd, buf, sizeof(buf)) == 0, "read at EOF returns 0");
	CHECK(lseek(fd, -6, SEEK_END) == 7, "lseek SEEK_END");
	CHECK(read(fd, buf, 5) == 5 && !memcmp(buf, "world", 5), "read after SEEK_END");
	CHECK(lseek(fd, -5, SEEK_CUR) == 7, "lseek SEEK_CUR");
	OK("write, read back, lseek SET/CUR/END, EOF, O_EXCL");

	CHECK(pwrite(fd, "WORLD", 5, 7) == 5, "pwrite");
	CHECK(lseek(fd, 0, SEEK_CUR) == 7, "pwrite moved the offset");
	memset(buf, 0, sizeof(buf));
	CHECK(pread(fd, buf, 5, 7) == 5 && !memcmp(buf, "WORLD", 5), "pread");
	CHECK(pread(fd, buf, 5, 100) == 0, "pread past EOF");
	OK("pread/pwrite leave the offset alone");

	{
		char a[4] = "abc", b[5] = "defg", ra[3], rb[10];
		struct iovec wv[2] = {{a, 3}, {b, 4}};
		struct iovec rv[2] = {{ra, 3}, {rb, 10}};
		CHECK(lseek(fd, 13, SEEK_SET) == 13, "seek to end");
		CHECK(writev(fd, wv, 2) == 7, "writev");
		CHECK(lseek(fd, 13, SEEK_SET) == 13, "seek back");
		CHECK(readv(fd, rv, 2) == 7, "readv");
		CHECK(!memcmp(ra, "abc", 3) && !memcmp(rb, "defg", 4), "readv content");
	}
	OK("readv/writev");

	CHECK_OK(fstat(fd, &st));
	CHECK(S_ISREG(st.st_mode) && st.st_size == 20 && st.st_nlink == 1,
	      "fstat fields");
	CHECK(st.st_blksize > 0 && st.st_uid == getuid() && st.st_gid == getgid(),
	      "fstat blksize/uid/gid");
	CHECK_OK(stat("data", &st2));
	CHECK(st.st_ino == st2.st_ino && st.st_dev == st2.st_dev && st2.st_size == 20,
	      "stat and fstat agree");
	OK("stat/fstat: regular, size 20, nlink 1, uid/gid, same ino");

	CHECK_OK(ftruncate(fd, 5));
	CHECK_OK(fstat(fd, &st));
	CHECK(st.st_size == 5, "size after ftruncate(5)");
	CHECK_OK(ftruncate(fd, 4096 + 10));
	CHECK(pread(fd, buf, 10, 4096) == 10, "pread in the grown area");
	for (int i = 0; i < 10; i++)
		CHECK(buf[i] == 0, "grown area is not zero");
	CHECK(pread(fd, buf, 5, 0) == 5 && !memcmp(buf, "hello", 5), "kept prefix");
	CHECK_OK(truncate("data", 3));
	CHECK_OK(stat("data", &st));
	CHECK(st.st_size == 3, "truncate by path");
	CHECK_OK(fsync(fd));
	CHECK_OK(fdatasync(fd));
	CHECK_OK(close(fd));
	OK("ftruncate shrink/grow (zero fill), truncate, fsync, fdatasync");
}

static void check_open_flags(void)
{
	int fd;
	struct stat st;

	write_file("f", "0123456789");
	fd = open("f", O_WRONLY | O_APPEND);
	CHECK(fd >= 0, "open O_APPEND");
	CHECK(lseek(fd, 0, SEEK_SET) == 0, "lseek on O_APPEND fd");
	app_write_all(fd, "AB", 2);
	CHECK(lseek(fd, 0, SEEK_CUR) == 12, "offset after append");
	CHECK_OK(close(fd));
	CHECK(!strcmp(read_file("f"), "0123456789AB"), "O_APPEND wrote at the end");
	OK("O_APPEND writes at the end");

	fd = open("f", O_RDWR | O_TRUNC);
	CHECK(fd >= 0, "open O_TRUNC");
	CHECK_OK(fstat(fd, &st));
	CHECK(st.st_size == 0, "O_TRUNC left %lld bytes", (long long)st.st_size);
	CHECK_OK(close(fd));
	OK("O_TRUNC empties the file");

	CHECK_ERR(open("f", O_RDONLY | O_DIRECTORY), ENOTDIR);
	fd = open(".", O_RDONLY | O_DIRECTORY);
	CHECK(fd >= 0, "O_DIRECTORY on a directory");
	CHECK_OK(close(fd));
	CHECK_ERR(open(".", O_WRONLY), EISDIR);
	CHECK_ERR(open("missing", O_RDONLY), ENOENT);
	CHECK_ERR(open("f/x", O_RDONLY), ENOTDIR);
	OK("O_DIRECTORY: ENOTDIR on a file; EISDIR, ENOENT, ENOTDIR paths");

	CHECK_OK(access("f", F_OK));
	CHECK_OK(access("f", R_OK | W_OK));
	CHECK_OK(access(".", X_OK));
	CHECK_ERR(access("missing", F_OK), ENOENT);
	CHECK_OK(unlink("f"));
	OK("access F_OK/R_OK/W_OK/X_OK, ENOENT");
}

static void check_rename_unlink(void)
{
	struct stat st;

	write_file("a", "first");
	write_file("b", "second");
	CHECK_OK(rename("a", "c"));
	CHECK_ERR(stat("a", &st), ENOENT);
	CHECK(!strcmp(read_file("c"), "first"), "content after rename");
	CHECK_OK(rename("c", "b"));
	CHECK(!strcmp(read_file("b"), "first"), "rename over an existing file");
	CHECK_ERR(stat("c", &st), ENOENT);
	CHECK_OK(mkdir("sub", 0755));
	CHECK_OK(rename("b", "sub/b"));
	CHECK(!strcmp(read_file("sub/b"), "first"), "rename into a directory");
	CHECK_OK(rename("sub", "sub2"));
	CHECK(!strcmp(read_file("sub2/b"), "first"), "rename of a directory");
	CHECK_OK(unlink("sub2/b"));
	CHECK_ERR(unlink("sub2/b"), ENOENT);
	CHECK_OK(rmdir("sub2"));
	CHECK_ERR(rmdir("sub2"), ENOENT);
	OK("rename (move, replace, into dir, dir), unlink, rmdir");

	/* An open file survives its unlink until closed. */
	write_file("gone", "still here");
	{
		int fd = open("gone", O_RDONLY);
		char buf[16] = {0};
		CHECK(fd >= 0, "open gone");
		CHECK_OK(unlink("gone"));
		CHECK(read(fd, buf, sizeof(buf)) == 10 && !strcmp(buf, "still here"),
		      "read after unlink");
		CHECK_OK(fstat(fd, &st));
		CHECK(st.st_nlink == 0, "nlink after unlink is %lu",
		      (unsigned long)st.st_nlink);
		CHECK_OK(close(fd));
	}
	OK("unlinked open file stays readable, nlink 0");
}

struct dirent64_raw {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void check_getdents(void)
{
	/* A small buffer, so the listing takes several calls. */
	char buf[96], *names[16];
	int n = 0, fd, seen_dir = 0, seen_reg = 0;
	long len;

	CHECK_OK(mkdir("list", 0755));
	write_file("list/alpha", "1");
	write_file("list/beta", "22");
	write_file("list/a-much-longer-file-name-to-fill-the-buffer", "333");
	CHECK_OK(mkdir("list/dir", 0755));

	fd = open("list", O_RDONLY | O_DIRECTORY);
	CHECK(fd >= 0, "open list");
	while ((len = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < len;) {
			struct dirent64_raw *d = (void *)(buf + off);
			CHECK(d->d_reclen >= offsetof(struct dirent64_raw, d_name) + 2 &&
				  off + d->d_reclen <= len,
			      "bad d_reclen %u", d->d_reclen);
			CHECK(n < 16, "too many entries");
			names[n++] = strdup(d->d_name);
			if (!strcmp(d->d_name, "dir"))
				seen_dir = d->d_type == DT_DIR;
			if (!strcmp(d->d_name, "beta"))
				seen_reg = d->d_type == DT_REG;
			off += d->d_reclen;
		}
	}
	CHECK(len == 0, "getdents64 returned %ld", len);
	CHECK(syscall(SYS_getdents64, fd, buf, sizeof(buf)) == 0,
	      "getdents64 after the end");
	CHECK(syscall(SYS_getdents64, fd, buf, 8) == 0 || errno == EINVAL,
	      "tiny getdents64 buffer");
	CHECK_OK(close(fd));
	qsort(names, n, sizeof(names[0]), cmp_str);
	printf("listing:");
	for (int i = 0; i < n; i++) {
		printf(" %s", names[i]);
		free(names[i]);
	}
	printf("\n");
	CHECK(n == 6, "getdents64 listed %d entries, want 6 (with . and ..)", n);
	CHECK(seen_dir && seen_reg, "d_type of dir/beta is not DT_DIR/DT_REG");
	CHECK_ERR(rmdir("list"), ENOTEMPTY);
	app_remove_tree("list");
	OK("getdents64 lists ., .., 3 files, 1 dir with d_type; ENOTEMPTY");
}

static void check_symlink(void)
{
	char buf[64];
	struct stat st;
	ssize_t n;

	write_file("target", "via link");
	CHECK_OK(symlink("target", "link"));
	n = readlink("link", buf, sizeof(buf));
	CHECK(n == 6 && !memcmp(buf, "target", 6), "readlink");
	CHECK(readlink("link", buf, 3) == 3 && !memcmp(buf, "tar", 3),
	      "readlink truncates");
	CHECK_ERR(readlink("target", buf, sizeof(buf)), EINVAL);
	CHECK_OK(lstat("link", &st));
	CHECK(S_ISLNK(st.st_mode) && st.st_size == 6, "lstat of a symlink");
	CHECK_OK(stat("link", &st));
	CHECK(S_ISREG(st.st_mode) && st.st_size == 8, "stat follows the symlink");
	CHECK(!strcmp(read_file("link"), "via link"), "open through a symlink");
	CHECK_ERR(symlink("target", "link"), EEXIST);
	CHECK_OK(symlink("/nonexistent/x", "dangling"));
	CHECK_ERR(open("dangling", O_RDONLY), ENOENT);
	CHECK_OK(unlink("dangling"));
	CHECK_OK(unlink("link"));
	CHECK_OK(stat("target", &st));
	CHECK_OK(unlink("target"));
	OK("symlink, readlink (full, truncated, EINVAL), lstat vs stat, dangling");
}

static void check_openat_dup_fcntl(void)
{
	char buf[16] = {0};
	int dfd, fd, fd2, fd3;

	CHECK_OK(mkdir("at", 0755));
	fd = openat(AT_FDCWD, "at/one", O_RDWR | O_CREAT, 0644);
	CHECK(fd >= 0, "openat AT_FDCWD");
	CHECK_OK(close(fd));
	dfd = open("at", O_RDONLY | O_DIRECTORY);
	CHECK(dfd >= 0, "open at/");
	fd = openat(dfd, "one", O_RDWR);
	CHECK(fd >= 0, "openat relative to a directory fd");
	CHECK_ERR(openat(fd, "x", O_RDONLY), ENOTDIR);
	CHECK_OK(mkdirat(dfd, "sub", 0755));
	CHECK_OK(unlinkat(dfd, "sub", AT_REMOVEDIR));
	CHECK_OK(close(dfd));
	OK("openat with AT_FDCWD and a directory fd, mkdirat, unlinkat");

	/* dfd was closed, so its number is the lowest free one. */
	fd2 = dup(fd);
	CHECK(fd2 == dfd, "dup does not return the lowest free fd");
	app_write_all(fd, "abcdef", 6);
	CHECK(lseek(fd2, 0, SEEK_CUR) == 6, "dup shares the file offset");
	fd3 = dup2(fd, 50);
	CHECK(fd3 == 50, "dup2 to 50");
	CHECK(dup2(fd, fd) == fd, "dup2 onto itself");
	CHECK(fcntl(50, F_GETFD) == 0, "dup2 clears FD_CLOEXEC");
	CHECK(dup3(fd, 51, O_CLOEXEC) == 51, "dup3");
	CHECK(fcntl(51, F_GETFD) == FD_CLOEXEC, "dup3 O_CLOEXEC");
	CHECK_ERR(dup3(fd, fd, 0), EINVAL);
	CHECK(lseek(50, 0, SEEK_SET) == 0 && read(51, buf, 6) == 6, "read via dup3 fd");
	CHECK(!memcmp(buf, "abcdef", 6), "content via dup fds");
	CHECK_OK(close(50));
	CHECK_OK(close(51));
	CHECK_OK(close(fd2));
	OK("dup, dup2, dup3 (O_CLOEXEC, EINVAL), shared offsets");

	CHECK((fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDWR, "F_GETFL access mode");
	CHECK(!(fcntl(fd, F_GETFL) & O_APPEND), "F_GETFL shows O_APPEND");
	CHECK_OK(fcntl(fd, F_SETFL, O_APPEND | O_NONBLOCK));
	CHECK((fcntl(fd, F_GETFL) & (O_APPEND | O_NONBLOCK)) == (O_APPEND | O_NONBLOCK),
	      "F_SETFL O_APPEND|O_NONBLOCK");
	CHECK(lseek(fd, 0, SEEK_SET) == 0, "seek 0");
	app_write_all(fd, "g", 1);
	CHECK(pread(fd, buf, 7, 0) == 7 && !memcmp(buf, "abcdefg", 7),
	      "append via F_SETFL");
	fd2 = fcntl(fd, F_DUPFD_CLOEXEC, 10);
	CHECK(fd2 >= 10, "F_DUPFD_CLOEXEC returns >= 10");
	CHECK(fcntl(fd2, F_GETFD) == FD_CLOEXEC, "F_DUPFD_CLOEXEC sets FD_CLOEXEC");
	fd3 = fcntl(fd, F_DUPFD, 10);
	CHECK(fd3 > fd2, "F_DUPFD picks the next free fd >= 10");
	CHECK(fcntl(fd3, F_GETFD) == 0, "F_DUPFD clears FD_CLOEXEC");
	CHECK_OK(fcntl(fd3, F_SETFD, FD_CLOEXEC));
	CHECK(fcntl(fd3, F_GETFD) == FD_CLOEXEC, "F_SETFD");
	CHECK_OK(close(fd3));
	CHECK_OK(close(fd2));
	CHECK_OK(close(fd));
	CHECK_ERR(fcntl(fd, F_GETFL), EBADF);
	app_remove_tree("at");
	OK("fcntl F_GETFL/F_SETFL/F_DUPFD/F_DUPFD_CLOEXEC/F_GETFD/F_SETFD");
}

int main(void)
{
	dir = app_scratch_dir("files");
	check_cwd_umask();
	check_rw_offsets();
	check_open_flags();
	check_rename_unlink();
	check_getdents();
	check_symlink();
	check_openat_dup_fcntl();
	CHECK_OK(chdir("/"));
	app_remove_tree(dir);
	OK("scratch directory removed");
	return 0;
}
