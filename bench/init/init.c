// SPDX-License-Identifier: MIT
/* /init of the Linux baseline guest (bench only, never part of UniELF).
 *
 * The kernel passes what follows `--` on its command line as our arguments:
 *   /init [-b] PROGRAM [ARG...]
 * We mount devtmpfs (for /dev/console), proc and a tmpfs on /tmp, run PROGRAM
 * with fork+execve+wait, and power the VM off through isa-debug-exit (port 0xf4,
 * the same device UniELF uses), so QEMU exits with (status << 1) | 1.  If that
 * port is missing we fall back to reboot(RB_POWER_OFF).
 *
 * With -b, before running PROGRAM we read the kernel log (/dev/kmsg, which does
 * not depend on the console log level, so `quiet` stays on) and print
 *   BENCH linux_run_init value=<us> unit=us
 * the printk timestamp of "Run /init as init process". */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void setup_console(void)
{
	int fd;

	mkdir("/dev", 0755);
	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	fd = open("/dev/console", O_RDWR);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
}

/* /dev/kmsg records look like "6,123,4567890,-;Run /init as init process". */
static void print_run_init_time(void)
{
	char rec[1024];
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);

	if (fd < 0) {
		printf("BENCH-ERROR cannot open /dev/kmsg\n");
		return;
	}
	for (;;) {
		ssize_t n = read(fd, rec, sizeof(rec) - 1);
		char *semi;
		unsigned long long us;

		if (n <= 0)
			break;
		rec[n] = 0;
		semi = strchr(rec, ';');
		if (!semi || !strstr(semi, "Run /init as init process"))
			continue;
		if (sscanf(rec, "%*u,%*u,%llu", &us) == 1)
			printf("BENCH linux_run_init rep=0 value=%llu unit=us\n", us);
		break;
	}
	close(fd);
	fflush(stdout);
}

static void power_off(int status)
{
	fflush(stdout);
	sync();
	if (ioperm(0xf4, 4, 1) == 0)
		outl((unsigned)status & 0xff, 0xf4);
	reboot(RB_POWER_OFF);
	for (;;)
		pause();
}

int main(int argc, char **argv)
{
	int boot_time = 0, status = 0;
	pid_t pid;

	setup_console();
	mkdir("/proc", 0755);
	mount("proc", "/proc", "proc", 0, NULL);
	mkdir("/tmp", 01777);
	mount("tmpfs", "/tmp", "tmpfs", 0, "mode=1777");

	argv++;
	argc--;
	if (argc > 0 && !strcmp(argv[0], "-b")) {
		boot_time = 1;
		argv++;
		argc--;
	}
	if (boot_time)
		print_run_init_time();
	if (argc < 1) {
		printf("init: no program given (append `-- PROGRAM ARGS` to the command "
		       "line)\n");
		power_off(120);
	}
	pid = fork();
	if (pid == 0) {
		char *envp[] = {"PATH=/bin", "HOME=/", NULL};

		execve(argv[0], argv, envp);
		printf("init: cannot execute %s\n", argv[0]);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		power_off(121);
	if (WIFEXITED(status))
		power_off(WEXITSTATUS(status));
	power_off(128 + WTERMSIG(status));
	return 0;
}
