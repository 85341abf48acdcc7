// SPDX-License-Identifier: MIT
/*
 * prctl: PR_SET_NAME/PR_GET_NAME and the name in /proc/self/comm, stat and
 * status (16 bytes with the NUL, longer names cut), inherited by fork, reset
 * by execve to the program's file name; an option Linux does not know is
 * EINVAL; an option Linux has and UniELF lacks (PR_GET_PDEATHSIG here) may
 * answer ENOSYS, which `unielf run --report` then lists (tool/report-enosys).
 */
#define _GNU_SOURCE
#include "apptest.h"
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>

static void read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	CHECK(fd >= 0, "open %s", path);
	ssize_t n = read(fd, buf, size - 1);
	CHECK(n >= 0, "read %s", path);
	buf[n] = 0;
	close(fd);
}

/* The name as prctl, /proc/self/comm, stat and status each report it. */
static void check_name(const char *want)
{
	char name[32], text[4096], line[64];
	memset(name, 'x', sizeof(name));
	CHECK_OK(prctl(PR_GET_NAME, name));
	CHECK(!strcmp(name, want), "PR_GET_NAME: '%s', want '%s'", name, want);
	CHECK(name[16] == 'x', "PR_GET_NAME wrote past 16 bytes");
	read_file("/proc/self/comm", text, sizeof(text));
	snprintf(line, sizeof(line), "%s\n", want);
	CHECK(!strcmp(text, line), "/proc/self/comm: '%s', want '%s'", text, want);
	read_file("/proc/self/stat", text, sizeof(text));
	snprintf(line, sizeof(line), " (%s) ", want);
	CHECK(strstr(text, line), "/proc/self/stat lacks '%s': %.80s", line, text);
	read_file("/proc/self/status", text, sizeof(text));
	snprintf(line, sizeof(line), "Name:\t%s\n", want);
	CHECK(!strncmp(text, line, strlen(line)), "/proc/self/status: %.40s", text);
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "after-exec")) {
		check_name("prctl"); /* execve named it after its file again */
		OK("execve resets the name to the file name");
		return 0;
	}

	check_name("prctl");
	OK("the name starts as the program's file name");

	CHECK_OK(prctl(PR_SET_NAME, "worker"));
	check_name("worker");
	OK("PR_SET_NAME names the process: comm, stat, status");

	CHECK_OK(prctl(PR_SET_NAME, "a-name-longer-than-fifteen"));
	check_name("a-name-longer-t"); /* 15 bytes */
	CHECK_OK(prctl(PR_SET_NAME, "exactly15bytes!"));
	check_name("exactly15bytes!");
	CHECK_OK(prctl(PR_SET_NAME, ""));
	check_name("");
	OK("names are cut to 15 bytes; an empty name is kept");

	CHECK_ERR(prctl(PR_SET_NAME, (char *)8), EFAULT);
	CHECK_ERR(prctl(PR_GET_NAME, (char *)8), EFAULT);
	OK("bad pointers are EFAULT");

	CHECK_OK(prctl(PR_SET_NAME, "parent"));
	pid_t pid = fork();
	CHECK_OK(pid);
	if (pid == 0) {
		check_name("parent");
		CHECK_OK(prctl(PR_SET_NAME, "child"));
		check_name("child");
		_exit(0);
	}
	int st;
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && !WEXITSTATUS(st), "child");
	check_name("parent");
	OK("fork inherits the name; the child's own does not touch the parent's");

	CHECK_ERR(prctl(0x7ffffff0, 0, 0, 0, 0), EINVAL);
	CHECK_ERR(prctl(0, 0, 0, 0, 0), EINVAL);
	OK("an option Linux does not know is EINVAL");

	int sig = -1;
	errno = 0;
	int r = prctl(PR_GET_PDEATHSIG, &sig);
	CHECK((r == 0 && sig == 0) || (r == -1 && errno == ENOSYS),
	      "PR_GET_PDEATHSIG: %d %d", r, sig);
	OK("PR_GET_PDEATHSIG answers 0 or ENOSYS");

	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	CHECK(n > 0, "readlink /proc/self/exe");
	self[n] = 0;
	fflush(stdout);
	execl(self, self, "after-exec", (char *)NULL);
	FAIL("execl %s", self);
}
