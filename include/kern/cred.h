/* SPDX-License-Identifier: MIT */
/* Credentials (kernel/proc/cred.c): who a process is.  Linux keeps them per
 * thread, but glibc and musl make every set*id call apply to all threads, so
 * UniELF keeps one set per process, shared by its threads; only access()'s
 * switch to the real ids is per thread (an override, see cred_current).
 *
 * Capabilities are not stored: a credential set is root's when its ids are
 * 0, as Linux derives them for root without file capabilities.  CAP_SETUID,
 * CAP_SETGID, CAP_KILL and CAP_SYS_ADMIN follow the effective uid; the file
 * system ones (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER, CAP_CHOWN,
 * CAP_FSETID, CAP_MKNOD) follow the fs uid. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#define NGROUPS_MAX 65536
#define CRED_NOID   ((uint32_t)-1) /* "leave it alone" in set*id, never an id */

/* Supplementary groups: immutable once made, shared by fork, sorted. */
struct group_info {
	int refcount;
	uint32_t ngroups;
	uint32_t gid[];
};

struct cred {
	uint32_t uid, euid, suid, fsuid; /* real, effective, saved, file system */
	uint32_t gid, egid, sgid, fsgid;
	struct group_info *groups; /* NULL: no supplementary groups */
	bool nodump;		   /* prctl(PR_GET_DUMPABLE) says 0 */
	bool no_new_privs;	   /* PR_SET_NO_NEW_PRIVS: exec ignores set-id bits */
};

/* The credentials permission checks use: the current thread's override
 * (access() with the real ids) or its process's; root's at boot, before any
 * process exists.  Borrowed, valid during the system call. */
const struct cred *cred_current(void);

/* CAP_SETUID/CAP_SETGID/CAP_KILL/CAP_SYS_ADMIN */
static inline bool cred_capable(const struct cred *c)
{
	return c->euid == 0;
}

/* CAP_DAC_OVERRIDE and the other file-system capabilities */
static inline bool cred_fs_capable(const struct cred *c)
{
	return c->fsuid == 0;
}

/* Linux's in_group_p: gid is the fs gid or a supplementary group. */
static inline bool cred_in_group(const struct cred *c, uint32_t gid)
{
	if (gid == c->fsgid)
		return true;
	const struct group_info *g = c->groups;
	if (!g)
		return false;
	uint32_t lo = 0, hi = g->ngroups;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (g->gid[mid] == gid)
			return true;
		if (g->gid[mid] < gid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* fork/clone: child gets a copy of parent (the groups shared). */
void cred_copy(struct cred *child, const struct cred *parent);
/* Drops what c holds (its groups); c stays valid as ids only. */
void cred_release(struct cred *c);

/* kill(2)'s rule: sender may signal target (a different process) when its
 * real or effective uid is target's real or saved uid, or it has CAP_KILL. */
bool cred_may_signal(const struct cred *sender, const struct cred *target);

/* execve: the ids the new program runs with, from old and the file's mode,
 * uid and gid (set-user-ID and set-group-ID bits honoured unless
 * no_new_privs); saved and fs ids become the effective ones.  *nc borrows
 * old's groups.  Returns true when the program must get AT_SECURE. */
bool cred_exec_prepare(const struct cred *old, uint32_t mode, uint32_t uid, uint32_t gid,
		       struct cred *nc);
/* Puts the ids computed by cred_exec_prepare into c (groups untouched). */
void cred_exec_commit(struct cred *c, const struct cred *nc);

/* access(): the current thread acts with c until cred_revert(the returned
 * value).  c must outlive the override. */
const struct cred *cred_override(const struct cred *c);
void cred_revert(const struct cred *old);

/* The set*id rules of Linux, applied to c: 0 or -EPERM (-EINVAL for the id
 * -1 where Linux refuses it).  The set*fs*id calls return the old fs id. */
int cred_setuid(struct cred *c, uint32_t uid);
int cred_setgid(struct cred *c, uint32_t gid);
int cred_setreuid(struct cred *c, uint32_t ruid, uint32_t euid);
int cred_setregid(struct cred *c, uint32_t rgid, uint32_t egid);
int cred_setresuid(struct cred *c, uint32_t ruid, uint32_t euid, uint32_t suid);
int cred_setresgid(struct cred *c, uint32_t rgid, uint32_t egid, uint32_t sgid);
uint32_t cred_setfsuid(struct cred *c, uint32_t uid);
uint32_t cred_setfsgid(struct cred *c, uint32_t gid);

/* A group list of n entries (refcount 1, entries for the caller to fill),
 * or NULL when memory is short. */
struct group_info *groups_alloc(uint32_t n);
void groups_put(struct group_info *g);
void groups_sort(struct group_info *g);
/* setgroups: takes over g (NULL = none); -EPERM without CAP_SETGID. */
int cred_setgroups(struct cred *c, struct group_info *g);
