// SPDX-License-Identifier: MIT
/*
 * /proc and /sys as programs read them: the program's own maps, stat, status,
 * auxv, cmdline and exe; cpuinfo, meminfo, filesystems, uptime; /proc/sys and
 * /sys/devices/system/cpu/online.  Values differ between machines, so the
 * checks are about shape and consistency, not numbers.
 */
#define _GNU_SOURCE
#include "apptest.h"
#include <elf.h>
#include <fcntl.h>
#include <sys/auxv.h>

static char *slurp(const char *path, size_t *len)
{
	static char buf[1 << 16];
	int fd = open(path, O_RDONLY);
	CHECK(fd >= 0, "open %s", path);
	size_t n = 0;
	ssize_t r;
	while ((r = read(fd, buf + n, sizeof(buf) - 1 - n)) > 0)
		n += r;
	close(fd);
	buf[n] = 0;
	if (len)
		*len = n;
	return buf;
}

int main(int argc, char **argv)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	CHECK(n > 0, "readlink exe");
	exe[n] = 0;
	char *maps = slurp("/proc/self/maps", NULL);
	CHECK(strstr(maps, exe) && strstr(maps, "[stack]"),
	      "maps names the program and the stack");
	CHECK(strstr(maps, " r-xp ") || strstr(maps, " r-xs "),
	      "maps has executable text");
	OK("/proc/self/maps lists the program's text and [stack]");

	char *stat = slurp("/proc/self/stat", NULL);
	char want[64];
	snprintf(want, sizeof(want), "%d (", getpid());
	CHECK(!strncmp(stat, want, strlen(want)), "stat starts with the pid");
	char *status = slurp("/proc/self/status", NULL);
	snprintf(want, sizeof(want), "\nPid:\t%d\n", getpid());
	CHECK(strstr(status, want) && strstr(status, "Name:\t"),
	      "status has Name and Pid");
	OK("/proc/self/stat and status name this process");

	size_t alen;
	char *auxv = slurp("/proc/self/auxv", &alen);
	CHECK(alen >= 16 && alen % 16 == 0, "auxv is pairs");
	int found = 0;
	for (size_t i = 0; i + 16 <= alen; i += 16) {
		unsigned long k, v;
		memcpy(&k, auxv + i, 8);
		memcpy(&v, auxv + i + 8, 8);
		if (k == AT_PAGESZ && v == 4096)
			found++;
		if (k == AT_ENTRY && v == getauxval(AT_ENTRY))
			found++;
	}
	CHECK(found == 2, "auxv holds AT_PAGESZ and AT_ENTRY as getauxval sees them");
	size_t clen;
	char *cmd = slurp("/proc/self/cmdline", &clen);
	CHECK(clen == strlen(argv[0]) + 1 && !strcmp(cmd, argv[0]), "cmdline is argv");
	OK("/proc/self/auxv and cmdline match what the program was given");

	CHECK(strstr(slurp("/proc/cpuinfo", NULL), "processor\t: 0"), "cpuinfo");
	CHECK(!strncmp(slurp("/proc/meminfo", NULL), "MemTotal:", 9), "meminfo");
	CHECK(strstr(slurp("/proc/filesystems", NULL), "proc"), "filesystems");
	double up = -1;
	CHECK(sscanf(slurp("/proc/uptime", NULL), "%lf", &up) == 1 && up >= 0, "uptime");
	OK("/proc/cpuinfo, meminfo, filesystems, uptime");

	CHECK(!strcmp(slurp("/proc/sys/kernel/ostype", NULL), "Linux\n"), "ostype");
	CHECK(strlen(slurp("/proc/sys/kernel/osrelease", NULL)) > 2, "osrelease");
	char *oc = slurp("/proc/sys/vm/overcommit_memory", NULL);
	CHECK(oc[0] >= '0' && oc[0] <= '2' && oc[1] == '\n', "overcommit_memory");
	char *online = slurp("/sys/devices/system/cpu/online", NULL);
	CHECK(online[0] == '0' && strchr(online, '\n'), "cpu online list starts at 0");
	CHECK(open("/proc/no-such-entry", O_RDONLY) < 0 && errno == ENOENT, "ENOENT");
	OK("/proc/sys/kernel, /proc/sys/vm, /sys/devices/system/cpu/online; unknown: "
	   "ENOENT");
	return 0;
}
