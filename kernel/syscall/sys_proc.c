// SPDX-License-Identifier: MIT
/* Process-wide system calls that need no other subsystem: exit, process
 * ids (user and group ids are sys_cred.c), uname, sysinfo, resource limits,
 * arch_prctl, thread-exit bookkeeping, scheduling queries and getrandom. */
#include <string.h>
#include <kern/clock.h>
#include <kern/proc.h>
#include <kern/random.h>
#include <kern/syscall.h>
#include <kern/uaccess.h>
#include <uapi/errno.h>
#include "arch/x86_64/cpu.h"
#include "mm/mm_internal.h"
#include "proc/internal.h"

long sys_getpid(void)
{
	return proc_current()->pid;
}
SYSCALL_REGISTER(__NR_getpid, sys_getpid);

long sys_getppid(void)
{
	return proc_current()->ppid;
}
SYSCALL_REGISTER(__NR_getppid, sys_getppid);

long sys_gettid(void)
{
	return thread_tid(thread_current());
}
SYSCALL_REGISTER(__NR_gettid, sys_gettid);

long sys_getpgrp(void)
{
	return proc_current()->pgid;
}
SYSCALL_REGISTER(__NR_getpgrp, sys_getpgrp);

long sys_getpgid(int pid)
{
	struct process *p = proc_current();
	if (pid && pid != p->pid)
		return -ESRCH;
	return p->pgid;
}
SYSCALL_REGISTER(__NR_getpgid, sys_getpgid);

long sys_getsid(int pid)
{
	struct process *p = proc_current();
	if (pid && pid != p->pid)
		return -ESRCH;
	return p->sid;
}
SYSCALL_REGISTER(__NR_getsid, sys_getsid);

struct linux_utsname {
	char sysname[65], nodename[65], release[65], version[65], machine[65], domain[65];
};

long sys_uname(unsigned long buf)
{
	struct linux_utsname u;
	memset(&u, 0, sizeof(u));
	strcpy(u.sysname, "Linux");
	strcpy(u.nodename, "unielf");
	strcpy(u.release, "6.1.0-unielf");
	strcpy(u.version, "#1 SMP UniELF");
	strcpy(u.machine, "x86_64");
	strcpy(u.domain, "(none)");
	return copy_to_user(buf, &u, sizeof(u));
}
SYSCALL_REGISTER(__NR_uname, sys_uname);

struct linux_sysinfo {
	int64_t uptime;
	uint64_t loads[3];
	uint64_t totalram, freeram, sharedram, bufferram, totalswap, freeswap;
	uint16_t procs, pad;
	uint32_t pad2;
	uint64_t totalhigh, freehigh;
	uint32_t mem_unit;
	char f[4];
};
_Static_assert(sizeof(struct linux_sysinfo) == 112, "sysinfo");

long sys_sysinfo(unsigned long buf)
{
	struct linux_sysinfo s;
	memset(&s, 0, sizeof(s));
	s.uptime = clock_monotonic_ns() / NSEC_PER_SEC;
	s.totalram = frames_total() * PAGE_SIZE;
	s.freeram = frames_free() * PAGE_SIZE;
	s.procs = 1;
	s.mem_unit = 1;
	return copy_to_user(buf, &s, sizeof(s));
}
SYSCALL_REGISTER(__NR_sysinfo, sys_sysinfo);

#define RLIMIT_NLIMITS 16
#define RLIM_INFINITY  (~0UL)
struct rlimit64 {
	uint64_t cur, max;
};
static struct rlimit64 limits[RLIMIT_NLIMITS] = {
    [3] = {8UL << 20, RLIM_INFINITY}, /* RLIMIT_STACK */
    [4] = {0, RLIM_INFINITY},	      /* RLIMIT_CORE */
    [7] = {1024, 1024},		      /* RLIMIT_NOFILE */
    [0] = {RLIM_INFINITY, RLIM_INFINITY},
    [1] = {RLIM_INFINITY, RLIM_INFINITY},
    [2] = {RLIM_INFINITY, RLIM_INFINITY},
    [5] = {RLIM_INFINITY, RLIM_INFINITY},
    [6] = {4096, 4096},		  /* RLIMIT_NPROC */
    [8] = {8UL << 20, 8UL << 20}, /* RLIMIT_MEMLOCK */
    [9] = {RLIM_INFINITY, RLIM_INFINITY},
    [10] = {RLIM_INFINITY, RLIM_INFINITY},
    [11] = {4096, 4096},     /* RLIMIT_SIGPENDING */
    [12] = {819200, 819200}, /* RLIMIT_MSGQUEUE */
    [13] = {0, 0},
    [14] = {0, 0},
    [15] = {RLIM_INFINITY, RLIM_INFINITY},
};

long sys_prlimit64(int pid, unsigned resource, unsigned long new_lim,
		   unsigned long old_lim)
{
	if (pid && pid != proc_current()->pid)
		return -ESRCH;
	if (resource >= RLIMIT_NLIMITS)
		return -EINVAL;
	struct rlimit64 nl;
	if (new_lim) {
		if (copy_from_user(&nl, new_lim, sizeof(nl)))
			return -EFAULT;
		if (nl.cur > nl.max)
			return -EINVAL;
		/* raising a hard limit takes CAP_SYS_RESOURCE */
		if (nl.max > limits[resource].max && !cred_capable(&proc_current()->cred))
			return -EPERM;
	}
	if (old_lim && copy_to_user(old_lim, &limits[resource], sizeof(limits[0])))
		return -EFAULT;
	if (new_lim)
		limits[resource] = nl;
	return 0;
}
SYSCALL_REGISTER(__NR_prlimit64, sys_prlimit64);

long sys_getrlimit(unsigned resource, unsigned long lim)
{
	return sys_prlimit64(0, resource, 0, lim);
}
SYSCALL_REGISTER(__NR_getrlimit, sys_getrlimit);

long sys_setrlimit(unsigned resource, unsigned long lim)
{
	return sys_prlimit64(0, resource, lim, 0);
}
SYSCALL_REGISTER(__NR_setrlimit, sys_setrlimit);

#define ARCH_SET_GS    0x1001
#define ARCH_SET_FS    0x1002
#define ARCH_GET_FS    0x1003
#define ARCH_GET_GS    0x1004
#define ARCH_GET_CPUID 0x1011

long sys_arch_prctl(int code, unsigned long addr)
{
	switch (code) {
	case ARCH_SET_FS:
		if (addr >= USER_TOP)
			return -EPERM;
		thread_current()->fs_base = addr;
		wrmsr(MSR_FS_BASE, addr);
		return 0;
	case ARCH_GET_FS: {
		uint64_t v = rdmsr(MSR_FS_BASE);
		return copy_to_user(addr, &v, sizeof(v));
	}
	case ARCH_GET_CPUID:
		return 1;
	default:
		return -EINVAL;
	}
}
SYSCALL_REGISTER(__NR_arch_prctl, sys_arch_prctl);

long sys_set_tid_address(unsigned long tidptr)
{
	struct thread *t = thread_current();
	t->clear_child_tid = tidptr;
	return t->tid;
}
SYSCALL_REGISTER(__NR_set_tid_address, sys_set_tid_address);

long sys_set_robust_list(unsigned long head, unsigned long len)
{
	if (len != 24)
		return -EINVAL;
	struct thread *t = thread_current();
	t->robust_list = head;
	t->robust_len = len;
	return 0;
}
SYSCALL_REGISTER(__NR_set_robust_list, sys_set_robust_list);

long sys_get_robust_list(int pid, unsigned long head_ptr, unsigned long len_ptr)
{
	struct thread *t = thread_current();
	if (pid && pid != t->tid)
		return -ESRCH;
	if (copy_to_user(head_ptr, &t->robust_list, 8) ||
	    copy_to_user(len_ptr, &t->robust_len, 8))
		return -EFAULT;
	return 0;
}
SYSCALL_REGISTER(__NR_get_robust_list, sys_get_robust_list);

long sys_sched_yield(void)
{
	sched_yield_current();
	return 0;
}
SYSCALL_REGISTER(__NR_sched_yield, sys_sched_yield);

long sys_sched_getaffinity(int pid, unsigned long len, unsigned long mask)
{
	if (len < 8 || (len & 7))
		return -EINVAL;
	uint64_t m = 1; /* one CPU */
	if (clear_user(mask, len) || copy_to_user(mask, &m, 8))
		return -EFAULT;
	return 8;
}
SYSCALL_REGISTER(__NR_sched_getaffinity, sys_sched_getaffinity);

long sys_sched_setaffinity(int pid, unsigned long len, unsigned long mask)
{
	uint64_t m;
	if (len < 8)
		return -EINVAL;
	if (copy_from_user(&m, mask, 8))
		return -EFAULT;
	return (m & 1) ? 0 : -EINVAL;
}
SYSCALL_REGISTER(__NR_sched_setaffinity, sys_sched_setaffinity);

long sys_getcpu(unsigned long cpu, unsigned long node, unsigned long unused)
{
	uint32_t z = 0;
	if (cpu && copy_to_user(cpu, &z, 4))
		return -EFAULT;
	if (node && copy_to_user(node, &z, 4))
		return -EFAULT;
	return 0;
}
SYSCALL_REGISTER(__NR_getcpu, sys_getcpu);

#define GRND_NONBLOCK 1
#define GRND_RANDOM   2
#define GRND_INSECURE 4

long sys_getrandom(unsigned long buf, unsigned long len, unsigned flags)
{
	if (flags & ~(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE))
		return -EINVAL;
	if (len > (32UL << 20))
		len = 32UL << 20;
	uint8_t tmp[256];
	for (unsigned long done = 0; done < len;) {
		size_t n = MIN(len - done, sizeof(tmp));
		random_bytes(tmp, n);
		if (copy_to_user(buf + done, tmp, n))
			return done ? (long)done : -EFAULT;
		done += n;
	}
	return (long)len;
}
SYSCALL_REGISTER(__NR_getrandom, sys_getrandom);
