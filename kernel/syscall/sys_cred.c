// SPDX-License-Identifier: MIT
/* User and group ids: get*id, set*id, set*fs*id, getgroups/setgroups and
 * the credential options of prctl.  The rules are kernel/proc/cred.c; this
 * file copies to and from user memory.  The ids belong to the process (all
 * its threads), see include/kern/cred.h. */
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
#define PR_CAPBSET_READ	    23
#define PR_SET_NO_NEW_PRIVS 38
#define PR_GET_NO_NEW_PRIVS 39
#define CAP_LAST_CAP	    40 /* CAP_CHECKPOINT_RESTORE */

/* prctl: only the options about credentials; the others are -EINVAL, as
 * Linux answers an option it does not know. */
long sys_prctl(int option, unsigned long a2, unsigned long a3, unsigned long a4,
	       unsigned long a5)
{
	struct cred *c = cur();
	switch (option) {
	case PR_GET_DUMPABLE:
		return c->nodump ? 0 : 1;
	case PR_SET_DUMPABLE:
		if (a2 > 1)
			return -EINVAL;
		c->nodump = !a2;
		return 0;
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
		return -EINVAL;
	}
}
SYSCALL_REGISTER(__NR_prctl, sys_prctl);
