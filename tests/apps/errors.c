// SPDX-License-Identifier: MIT
/*
 * The errno a program commonly meets, one check a line: ENOENT, EBADF, EEXIST,
 * ENOTEMPTY, EFAULT (bad pointers passed straight through syscall(2) so the libc
 * cannot catch them first), EISDIR, ENOTDIR, ESPIPE, ENOTTY, EINVAL, ENAMETOOLONG,
 * ENOSYS.  Works in /tmp/unielf-errors-<variant>.
 */
#define _GNU_SOURCE
#include "apptest.h"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>

#define BAD ((void *)1)

/* Like CHECK_ERR, but also prints the line so the output lists every path checked. */
#define EXPECT(expr, E)                                                                  \
	do {                                                                             \
		CHECK_ERR(expr, E);                                                      \
		printf("%-12s %s\n", #E, #expr);                                         \
	} while (0)

int main(void)
{
	const char *dir = app_scratch_dir("errors");
	char buf[64], longname[300];
	int fd, rd, p[2];
	struct stat st;

	fd = open("file", O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0, "create file");
	app_write_all(fd, "0123456789", 10);
	CHECK_OK(close(fd));
	rd = open("file", O_RDONLY);
	CHECK(rd >= 0, "open file read-only");
	CHECK_OK(mkdir("dir", 0755));
	CHECK_OK(mkdir("full", 0755));
	CHECK_OK(close(open("full/x", O_WRONLY | O_CREAT, 0644)));
	CHECK_OK(pipe(p));
	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = 0;

	EXPECT(open("missing", O_RDONLY), ENOENT);
	EXPECT(open("nodir/file", O_RDONLY), ENOENT);
	EXPECT(stat("missing", &st), ENOENT);
	EXPECT(unlink("missing"), ENOENT);
	EXPECT(rmdir("missing"), ENOENT);
	EXPECT(chdir("missing"), ENOENT);
	EXPECT(mkdir("nodir/sub", 0755), ENOENT);
	EXPECT(rename("missing", "other"), ENOENT);
	EXPECT(open("", O_RDONLY), ENOENT);

	EXPECT(read(999, buf, 1), EBADF);
	EXPECT(write(999, buf, 1), EBADF);
	EXPECT(close(999), EBADF);
	EXPECT(write(rd, "x", 1), EBADF);
	EXPECT(read(p[1], buf, 1), EBADF);
	EXPECT(write(p[0], "x", 1), EBADF);
	EXPECT(fstat(-1, &st), EBADF);
	EXPECT(lseek(999, 0, SEEK_SET), EBADF);
	EXPECT(dup(999), EBADF);
	EXPECT(dup2(999, 5), EBADF);
	EXPECT(fcntl(999, F_GETFD), EBADF);

	EXPECT(mkdir("dir", 0755), EEXIST);
	EXPECT(mkdir("file", 0755), EEXIST);
	EXPECT(open("file", O_RDWR | O_CREAT | O_EXCL, 0644), EEXIST);

	EXPECT(rmdir("full"), ENOTEMPTY);
	EXPECT(rename("dir", "full"), ENOTEMPTY);

	EXPECT(syscall(SYS_read, rd, BAD, 4), EFAULT);
	EXPECT(syscall(SYS_write, p[1], BAD, 4), EFAULT);
	EXPECT(syscall(SYS_open, BAD, O_RDONLY), EFAULT);
	EXPECT(syscall(SYS_openat, AT_FDCWD, BAD, O_RDONLY), EFAULT);
	EXPECT(syscall(SYS_stat, BAD, &st), EFAULT);
	EXPECT(syscall(SYS_stat, "file", BAD), EFAULT);
	EXPECT(syscall(SYS_fstat, rd, BAD), EFAULT);
	EXPECT(syscall(SYS_newfstatat, AT_FDCWD, "file", BAD, 0), EFAULT);
	EXPECT(syscall(SYS_mkdir, BAD, 0755), EFAULT);
	EXPECT(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, BAD), EFAULT);
	EXPECT(syscall(SYS_pipe, BAD), EFAULT);
	EXPECT(syscall(SYS_uname, BAD), EFAULT);
	EXPECT(syscall(SYS_getcwd, BAD, 100), EFAULT);
	EXPECT(syscall(SYS_read, rd, (void *)0xffff800000000000UL, 4), EFAULT);

	EXPECT(unlink("dir"), EISDIR);
	EXPECT(open("dir", O_WRONLY), EISDIR);
	fd = open("dir", O_RDONLY);
	CHECK(fd >= 0, "open dir read-only");
	EXPECT(read(fd, buf, 1), EISDIR);
	CHECK_OK(close(fd));

	EXPECT(rmdir("file"), ENOTDIR);
	EXPECT(chdir("file"), ENOTDIR);
	EXPECT(open("file/x", O_RDONLY), ENOTDIR);
	EXPECT(open("file", O_RDONLY | O_DIRECTORY), ENOTDIR);
	EXPECT(mkdir("file/sub", 0755), ENOTDIR);

	EXPECT(lseek(p[0], 0, SEEK_SET), ESPIPE);
	EXPECT(pread(p[0], buf, 1, 0), ESPIPE);
	EXPECT(pwrite(p[1], buf, 1, 0), ESPIPE);

	EXPECT(ioctl(rd, TIOCGWINSZ, buf), ENOTTY);
	EXPECT(ioctl(p[0], TCGETS, buf), ENOTTY);

	EXPECT(lseek(rd, 0, 99), EINVAL);
	EXPECT(lseek(rd, -100, SEEK_SET), EINVAL);
	EXPECT(syscall(SYS_mmap, NULL, 0, 3, 0x22, -1, 0), EINVAL);
	EXPECT(fcntl(rd, 9999), EINVAL);
	EXPECT(dup3(rd, rd, 0), EINVAL);

	EXPECT(open(longname, O_RDONLY | O_CREAT, 0644), ENAMETOOLONG);
	EXPECT(syscall(1000), ENOSYS);
	EXPECT(syscall(100000), ENOSYS);
	EXPECT(syscall(-1L), ENOSYS);

	CHECK_OK(close(rd));
	CHECK_OK(close(p[0]));
	CHECK_OK(close(p[1]));
	CHECK_OK(chdir("/"));
	app_remove_tree(dir);
	OK("every error path above gave the expected errno");
	return 0;
}
