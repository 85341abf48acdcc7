// SPDX-License-Identifier: MIT
/*
 * Identity and limits: uname (Linux, x86_64), sysinfo fields, getrandom, prlimit64
 * and getrlimit for RLIMIT_STACK and RLIMIT_NOFILE, sched_getaffinity, pid/ppid/tid,
 * uid/gid consistency, umask round trip.  Prints only what is the same natively and
 * in the guest.
 */
#define _GNU_SOURCE
#include "apptest.h"

#include <sched.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>

static void check_uname(void)
{
	struct utsname u;

	CHECK_OK(uname(&u));
	CHECK(!strcmp(u.sysname, "Linux"), "sysname is \"%s\"", u.sysname);
	CHECK(!strcmp(u.machine, "x86_64"), "machine is \"%s\"", u.machine);
	CHECK(u.release[0] >= '3' && u.release[0] <= '9' && u.release[1] == '.',
	      "release \"%s\" does not look like 3.x .. 9.x (glibc checks it)",
	      u.release);
	CHECK(u.nodename[0] && u.version[0], "empty nodename or version");
	printf("uname: %s %s\n", u.sysname, u.machine);
}

static void check_sysinfo(void)
{
	struct sysinfo si;

	CHECK_OK(sysinfo(&si));
	CHECK(si.mem_unit >= 1, "mem_unit 0");
	CHECK(si.totalram > 0 && si.freeram <= si.totalram, "totalram/freeram");
	CHECK((unsigned long long)si.totalram * si.mem_unit >= (16ULL << 20),
	      "less than 16 MiB of RAM reported");
	CHECK(si.procs >= 1, "procs %u", (unsigned)si.procs);
	CHECK(si.freeswap <= si.totalswap, "freeswap > totalswap");
	CHECK(sysconf(_SC_NPROCESSORS_ONLN) >= 1, "no online processors");
	CHECK(sysconf(_SC_PHYS_PAGES) > 0, "_SC_PHYS_PAGES");
	OK("sysinfo: RAM >= 16 MiB, free <= total, procs >= 1; sysconf CPUs and pages");
}

static void check_random(void)
{
	unsigned char a[64], b[64];
	unsigned nz = 0;

	CHECK(getrandom(a, sizeof(a), 0) == sizeof(a), "getrandom 64");
	CHECK(syscall(SYS_getrandom, b, sizeof(b), GRND_NONBLOCK) == sizeof(b),
	      "raw getrandom GRND_NONBLOCK");
	for (size_t i = 0; i < sizeof(a); i++)
		nz |= a[i];
	CHECK(nz && memcmp(a, b, sizeof(a)), "getrandom gave zeros or repeated itself");
	CHECK(getrandom(a, 0, 0) == 0, "getrandom of 0 bytes");
	OK("getrandom 64 bytes twice: not zero, not equal");
}

static void check_limits(void)
{
	struct rlimit rl, raw;

	CHECK_OK(getrlimit(RLIMIT_STACK, &rl));
	CHECK(rl.rlim_cur >= (128 << 10) &&
		  (rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= rl.rlim_cur),
	      "RLIMIT_STACK");
	CHECK_OK(syscall(SYS_prlimit64, 0, RLIMIT_STACK, NULL, &raw));
	CHECK(raw.rlim_cur == rl.rlim_cur && raw.rlim_max == rl.rlim_max,
	      "prlimit64 and getrlimit disagree");
	CHECK_OK(getrlimit(RLIMIT_NOFILE, &rl));
	CHECK(rl.rlim_cur >= 64, "RLIMIT_NOFILE soft limit %llu",
	      (unsigned long long)rl.rlim_cur);
	rl.rlim_cur = 64;
	CHECK_OK(setrlimit(RLIMIT_NOFILE, &rl));
	CHECK_OK(getrlimit(RLIMIT_NOFILE, &raw));
	CHECK(raw.rlim_cur == 64, "setrlimit RLIMIT_NOFILE not kept");
	CHECK_ERR(syscall(SYS_prlimit64, 0, 9999, NULL, &raw), EINVAL);
	OK("RLIMIT_STACK >= 128 KiB (getrlimit == prlimit64), RLIMIT_NOFILE "
	   "set/enforced");
}

static void check_ids(void)
{
	cpu_set_t set;
	mode_t old;

	CPU_ZERO(&set);
	CHECK_OK(sched_getaffinity(0, sizeof(set), &set));
	CHECK(CPU_COUNT(&set) >= 1, "sched_getaffinity: no CPU");
	CHECK(sched_getcpu() >= 0 || errno == ENOSYS, "sched_getcpu");
	CHECK_OK(sched_yield());
	OK("sched_getaffinity >= 1 CPU, sched_yield");

	CHECK(getpid() > 0, "getpid");
	CHECK(getppid() >= 0, "getppid");
	CHECK(syscall(SYS_gettid) == getpid(), "gettid != getpid in a single thread");
	CHECK(getpgrp() > 0 && getsid(0) > 0, "getpgrp/getsid");
	CHECK(getuid() == geteuid() && getgid() == getegid(), "real and effective ids");
	{
		uid_t r, e, s;
		CHECK_OK(getresuid(&r, &e, &s));
		CHECK(r == getuid() && e == geteuid() && s == geteuid(), "getresuid");
	}
	CHECK(getgroups(0, NULL) >= 0, "getgroups");
	OK("getpid > 0, getppid, gettid == getpid, uid/gid consistent");

	old = umask(027);
	CHECK(umask(old) == 027, "umask round trip");
	OK("umask round trip");
}

int main(void)
{
	check_uname();
	check_sysinfo();
	check_random();
	check_limits();
	check_ids();
	return 0;
}
