// SPDX-License-Identifier: MIT
/*
 * Processes: fork with copy-on-write memory, wait4/waitpid/waitid status
 * encoding, vfork + execve, posix_spawn, re-exec through /proc/self/exe, a #!
 * script whose interpreter is this program, a pipeline between two children,
 * orphans, process groups and sessions.
 */
#define _GNU_SOURCE
#include "apptest.h"
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/wait.h>

extern char **environ;

static char self[PATH_MAX];

static void fork_cow(void)
{
	int value = 5;
	int *shared =
	    mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(shared != MAP_FAILED, "mmap shared");
	*shared = 1;
	char *big = malloc(1 << 20);
	memset(big, 'p', 1 << 20);
	pid_t c = fork();
	CHECK(c >= 0, "fork");
	if (c == 0) {
		value = 6;
		memset(big, 'c', 1 << 20);
		*shared = 2;
		shared[1100] = 9; /* a page nobody touched before the fork */
		_exit(value + 1);
	}
	int st;
	CHECK(waitpid(c, &st, 0) == c, "waitpid");
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 7, "child exit status %x", st);
	CHECK(value == 5 && big[0] == 'p' && big[(1 << 20) - 1] == 'p',
	      "parent memory kept");
	CHECK(*shared == 2 && shared[1100] == 9,
	      "MAP_SHARED anonymous memory is shared with the child");
	free(big);
	OK("fork: copy-on-write private memory, shared anonymous memory, exit status 7");
}

static void wait_forms(void)
{
	pid_t c = fork();
	if (c == 0)
		_exit(3);
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	CHECK(waitid(P_PID, c, &si, WEXITED | WNOWAIT) == 0, "waitid WNOWAIT");
	CHECK(si.si_pid == c && si.si_code == CLD_EXITED && si.si_status == 3,
	      "waitid info");
	int st;
	CHECK(wait4(c, &st, 0, NULL) == c && WEXITSTATUS(st) == 3, "wait4 after WNOWAIT");
	CHECK(waitpid(-1, &st, WNOHANG) == -1 && errno == ECHILD, "no children: ECHILD");
	c = fork();
	if (c == 0) {
		pause();
		_exit(0);
	}
	CHECK(waitpid(c, &st, WNOHANG) == 0, "WNOHANG with a running child");
	kill(c, SIGKILL);
	CHECK(waitpid(c, &st, 0) == c && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL,
	      "killed");
	c = fork();
	if (c == 0)
		abort();
	CHECK(waitpid(c, &st, 0) == c && WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT,
	      "abort");
	OK("wait4, waitpid WNOHANG, waitid WNOWAIT, ECHILD, SIGKILL and SIGABRT "
	   "statuses");
}

static void exec_forms(void)
{
	int st;
	pid_t c = vfork();
	if (c == 0) {
		execl(self, self, "child", "vfork", (char *)NULL);
		_exit(127);
	}
	CHECK(waitpid(c, &st, 0) == c && WEXITSTATUS(st) == 11, "vfork+exec status %x",
	      st);
	char *args[] = {self, "child", "spawn", NULL};
	CHECK(posix_spawn(&c, self, NULL, NULL, args, environ) == 0, "posix_spawn");
	CHECK(waitpid(c, &st, 0) == c && WEXITSTATUS(st) == 11, "spawn status");
	c = fork();
	if (c == 0) {
		execl("/proc/self/exe", "renamed", "child", "proc-self-exe",
		      (char *)NULL);
		_exit(127);
	}
	CHECK(waitpid(c, &st, 0) == c && WEXITSTATUS(st) == 11, "re-exec status");
	const char *script = "/tmp/unielf-apps-script";
	FILE *f = fopen(script, "w");
	CHECK(f, "create script");
	fprintf(f, "#!%s child\nthis line is not run\n", self);
	fclose(f);
	chmod(script, 0755);
	c = fork();
	if (c == 0) {
		execl(script, script, "arg1", (char *)NULL);
		_exit(127);
	}
	CHECK(waitpid(c, &st, 0) == c && WEXITSTATUS(st) == 11, "script status %x", st);
	unlink(script);
	c = fork();
	if (c == 0) {
		execl("/nonexistent/program", "x", (char *)NULL);
		_exit(errno == ENOENT ? 44 : 45);
	}
	CHECK(waitpid(c, &st, 0) == c && WEXITSTATUS(st) == 44, "execve ENOENT");
	OK("vfork+execve, posix_spawn, exec of /proc/self/exe, #! script, ENOENT");
}

static void pipeline(void)
{
	int p[2];
	CHECK_OK(pipe(p));
	pid_t w = fork();
	if (w == 0) {
		close(p[0]);
		for (int i = 0; i < 1000; i++)
			dprintf(p[1], "line %d\n", i);
		_exit(0);
	}
	pid_t r = fork();
	if (r == 0) {
		close(p[1]);
		char buf[4096];
		long total = 0, n;
		while ((n = read(p[0], buf, sizeof(buf))) > 0)
			total += n;
		_exit(total == 8890 ? 0 : 1);
	}
	close(p[0]);
	close(p[1]);
	int st1, st2;
	CHECK(waitpid(w, &st1, 0) == w && waitpid(r, &st2, 0) == r, "wait pipeline");
	CHECK(WEXITSTATUS(st1) == 0 && WEXITSTATUS(st2) == 0,
	      "pipeline moved 8890 bytes");
	OK("a pipe between two children carries 8890 bytes to EOF");
}

static void groups(void)
{
	pid_t c = fork();
	if (c == 0) {
		CHECK(setpgid(0, 0) == 0, "setpgid");
		CHECK(getpgrp() == getpid(), "own group");
		pid_t s = fork();
		if (s == 0) {
			CHECK(setsid() == getpid(), "setsid");
			CHECK(getsid(0) == getpid(), "getsid");
			_exit(0);
		}
		int st;
		waitpid(s, &st, 0);
		_exit(WEXITSTATUS(st));
	}
	int st;
	CHECK(waitpid(c, &st, 0) == c && WEXITSTATUS(st) == 0, "group child");
	/* an orphan is reparented: its parent exits first */
	int p[2];
	CHECK_OK(pipe(p));
	c = fork();
	if (c == 0) {
		if (fork() == 0) {
			close(p[0]);
			usleep(100000);
			char ok = getppid() != 0 ? 'y' : 'n';
			write(p[1], &ok, 1);
			_exit(0);
		}
		_exit(0);
	}
	close(p[1]);
	waitpid(c, &st, 0);
	char got = 0;
	CHECK(read(p[0], &got, 1) == 1 && got == 'y', "orphan saw a parent");
	OK("setpgid, setsid, getsid; an orphan is reparented");
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "child"))
		return 11;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	CHECK(n > 0, "readlink /proc/self/exe");
	self[n] = 0;
	fork_cow();
	wait_forms();
	exec_forms();
	pipeline();
	groups();
	return 0;
}
