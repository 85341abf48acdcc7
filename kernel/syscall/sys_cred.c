// SPDX-License-Identifier: MIT
/* User and group ids: get*id, set*id, set*fs*id, getgroups/setgroups, and
 * prctl (its credential options and the process name).  The rules are kernel/proc/cred.c;
 * this file copies to and from user memory.  The ids belong to the process (all its
 * threads), see include/kern/cred.h. */
#include <string.h>
#include <kern/cred.h>
#include <kern/proc.h>
#include <kern/syscall.h>
#include <kern/uaccess.h>
#include <uapi/errno.h>

static struct cred *cur(void)
{
	return &proc_current()->cred;
}

long sys_getuid(void)
{
	return cur()->uid;
}
SYSCALL_REGISTER(__NR_getuid, sys_getuid);

long sys_geteuid(void)
{
	return cur()->euid;
}
SYSCALL_REGISTER(__NR_geteuid, sys_geteuid);

long sys_getgid(void)
{
	return cur()->gid;
}
SYSCALL_REGISTER(__NR_getgid, sys_getgid);

long sys_getegid(void)
{
	return cur()->egid;
}
SYSCALL_REGISTER(__NR_getegid, sys_getegid);

/* Each pointer in turn, stopping at the first fault, as Linux's put_user. */
static long put3(unsigned long a, unsigned long b, unsigned long c, uint32_t x,
		 uint32_t y, uint32_t z)
{
	if (copy_to_user(a, &x, 4) || copy_to_user(b, &y, 4) || copy_to_user(c, &z, 4))
		return -EFAULT;
	return 0;
}

long sys_getresuid(unsigned long r, unsigned long e, unsigned long s)
{
	const struct cred *c = cur();
	return put3(r, e, s, c->uid, c->euid, c->suid);
}
SYSCALL_REGISTER(__NR_getresuid, sys_getresuid);

long sys_getresgid(unsigned long r, unsigned long e, unsigned long s)
{
	const struct cred *c = cur();
	return put3(r, e, s, c->gid, c->egid, c->sgid);
}
SYSCALL_REGISTER(__NR_getresgid, sys_getresgid);

long sys_setuid(unsigned long uid)
{
	return cred_setuid(cur(), (uint32_t)uid);
}
SYSCALL_REGISTER(__NR_setuid, sys_setuid);

long sys_setgid(unsigned long gid)
{
	return cred_setgid(cur(), (uint32_t)gid);
}
SYSCALL_REGISTER(__NR_setgid, sys_setgid);

long sys_setreuid(unsigned long ruid, unsigned long euid)
{
	return cred_setreuid(cur(), (uint32_t)ruid, (uint32_t)euid);
}
SYSCALL_REGISTER(__NR_setreuid, sys_setreuid);

long sys_setregid(unsigned long rgid, unsigned long egid)
{
	return cred_setregid(cur(), (uint32_t)rgid, (uint32_t)egid);
}
SYSCALL_REGISTER(__NR_setregid, sys_setregid);

long sys_setresuid(unsigned long r, unsigned long e, unsigned long s)
{
	return cred_setresuid(cur(), (uint32_t)r, (uint32_t)e, (uint32_t)s);
}
SYSCALL_REGISTER(__NR_setresuid, sys_setresuid);

long sys_setresgid(unsigned long r, unsigned long e, unsigned long s)
{
	return cred_setresgid(cur(), (uint32_t)r, (uint32_t)e, (uint32_t)s);
}
SYSCALL_REGISTER(__NR_setresgid, sys_setresgid);

long sys_setfsuid(unsigned long uid)
{
	return cred_setfsuid(cur(), (uint32_t)uid);
}
SYSCALL_REGISTER(__NR_setfsuid, sys_setfsuid);

long sys_setfsgid(unsigned long gid)
{
	return cred_setfsgid(cur(), (uint32_t)gid);
}
SYSCALL_REGISTER(__NR_setfsgid, sys_setfsgid);

/* size 0 asks for the count; a list too small for it is -EINVAL. */
long sys_getgroups(int size, unsigned long list)
{
	const struct group_info *g = cur()->groups;
	uint32_t n = g ? g->ngroups : 0;
	if (size < 0)
		return -EINVAL;
	if (size && n) {
		if (n > (uint32_t)size)
			return -EINVAL;
		if (copy_to_user(list, g->gid, (size_t)n * sizeof(uint32_t)))
			return -EFAULT;
	}
	return n;
}
SYSCALL_REGISTER(__NR_getgroups, sys_getgroups);

long sys_setgroups(int size, unsigned long list)
{
	struct cred *c = cur();
	if (!cred_capable(c))
		return -EPERM;
	if ((unsigned int)size > NGROUPS_MAX)
		return -EINVAL;
	struct group_info *g = groups_alloc((uint32_t)size);
	if (!g)
		return -ENOMEM;
	if (size && copy_from_user(g->gid, list, (size_t)size * sizeof(uint32_t))) {
		groups_put(g);
		return -EFAULT;
	}
	for (int i = 0; i < size; i++) {
		if (g->gid[i] == CRED_NOID) {
			groups_put(g);
			return -EINVAL;
		}
	}
	return cred_setgroups(c, g);
}
SYSCALL_REGISTER(__NR_setgroups, sys_setgroups);

#define PR_GET_DUMPABLE	    3
#define PR_SET_DUMPABLE	    4
#define PR_SET_NAME	    15
#define PR_GET_NAME	    16
#define PR_CAPBSET_READ	    23
#define PR_SET_NO_NEW_PRIVS 38
#define PR_GET_NO_NEW_PRIVS 39
#define CAP_LAST_CAP	    40 /* CAP_CHECKPOINT_RESTORE */

/* Whether Linux 6.x on x86_64 knows this prctl option.  The options of other
 * architectures (PR_SET_UNALIGN, PR_SET_FPEMU, PR_SET_ENDIAN, PR_SVE_*, ...)
 * are -EINVAL there as here. */
static bool prctl_linux_knows(int option)
{
	static const uint8_t known[] = {
	    1,	2,  /* PR_SET/GET_PDEATHSIG */
	    7,	8,  /* PR_GET/SET_KEEPCAPS */
	    13, 14, /* PR_GET/SET_TIMING */
	    21, 22, /* PR_GET/SET_SECCOMP */
	    24,	    /* PR_CAPBSET_DROP */
	    25, 26, /* PR_GET/SET_TSC */
	    27, 28, /* PR_GET/SET_SECUREBITS */
	    29, 30, /* PR_SET/GET_TIMERSLACK */
	    31, 32, /* PR_TASK_PERF_EVENTS_DISABLE/ENABLE */
	    33, 34, /* PR_MCE_KILL, PR_MCE_KILL_GET */
	    35,	    /* PR_SET_MM */
	    36, 37, /* PR_SET/GET_CHILD_SUBREAPER */
	    40,	    /* PR_GET_TID_ADDRESS */
	    41, 42, /* PR_SET/GET_THP_DISABLE */
	    47,	    /* PR_CAP_AMBIENT */
	    52, 53, /* PR_GET/SET_SPECULATION_CTRL */
	    57, 58, /* PR_SET/GET_IO_FLUSHER */
	    59,	    /* PR_SET_SYSCALL_USER_DISPATCH */
	    62,	    /* PR_SCHED_CORE */
	    65, 66, /* PR_SET/GET_MDWE */
	    67, 68, /* PR_SET/GET_MEMORY_MERGE */
	};
	if (option == 0x59616d61 /* PR_SET_PTRACER */ ||
	    option == 0x53564d41 /* PR_SET_VMA */ ||
	    option == 0x41555856 /* PR_GET_AUXV */)
		return true;
	for (size_t i = 0; i < sizeof(known); i++)
		if (known[i] == option)
			return true;
	return false;
}

/* prctl: the options about credentials and the name.  Linux's other options
 * are -ENOSYS, so that --report lists them; an option Linux does not know is
 * -EINVAL, as Linux answers it.  The name is the process's: a thread naming
 * itself renames all of them (Linux names each thread). */
long sys_prctl(int option, unsigned long a2, unsigned long a3, unsigned long a4,
	       unsigned long a5)
{
	struct cred *c = cur();
	struct process *p = proc_current();
	char name[PROC_COMM_LEN];
	switch (option) {
	case PR_GET_DUMPABLE:
		return c->nodump ? 0 : 1;
	case PR_SET_DUMPABLE:
		if (a2 > 1)
			return -EINVAL;
		c->nodump = !a2;
		return 0;
	case PR_SET_NAME:
		/* Linux copies up to 15 bytes (a fault after a NUL is harmless) */
		memset(name, 0, sizeof(name));
		for (size_t i = 0; i < sizeof(name) - 1; i++) {
			if (copy_from_user(&name[i], a2 + i, 1))
				return -EFAULT;
			if (!name[i])
				break;
		}
		memcpy(p->comm, name, sizeof(name));
		return 0;
	case PR_GET_NAME:
		memcpy(name, p->comm, sizeof(name));
		name[sizeof(name) - 1] = 0;
		return copy_to_user(a2, name, sizeof(name)) ? -EFAULT : 0;
	case PR_CAPBSET_READ:
		return a2 <= CAP_LAST_CAP ? 1 : -EINVAL; /* the bounding set is full */
	case PR_SET_NO_NEW_PRIVS:
		if (a2 != 1 || a3 || a4 || a5)
			return -EINVAL;
		c->no_new_privs = true;
		return 0;
	case PR_GET_NO_NEW_PRIVS:
		if (a2 || a3 || a4 || a5)
			return -EINVAL;
		return c->no_new_privs;
	default:
		return prctl_linux_knows(option) ? -ENOSYS : -EINVAL;
	}
}
SYSCALL_REGISTER(__NR_prctl, sys_prctl);
