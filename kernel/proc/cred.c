// SPDX-License-Identifier: MIT
/* Credentials: the rules of Linux's set*id family (kernel/sys.c) and
 * setgroups (kernel/groups.c) applied to a struct cred, what execve does to
 * the ids, who may signal whom, and which credentials the current thread
 * acts with.  The system calls that read and write user memory are
 * kernel/syscall/sys_cred.c; the permission checks on files kernel/fs/perm.c. */
#include <string.h>
#include <kern/cred.h>
#include <kern/heap.h>
#include <kern/proc.h>
#include <uapi/errno.h>
#include <uapi/stat.h>
#include "proc/internal.h"

static const struct cred root_cred; /* all ids 0, no groups */

const struct cred *cred_current(void)
{
	struct thread *t = thread_current();
	if (!t)
		return &root_cred;
	if (t->cred_override)
		return t->cred_override;
	return &t->proc->cred;
}

const struct cred *cred_override(const struct cred *c)
{
	struct thread *t = thread_current();
	const struct cred *old = t->cred_override;
	t->cred_override = c;
	return old;
}

void cred_revert(const struct cred *old)
{
	thread_current()->cred_override = old;
}

static struct group_info *groups_get(struct group_info *g)
{
	if (g)
		g->refcount++;
	return g;
}

void groups_put(struct group_info *g)
{
	if (g && --g->refcount == 0)
		kfree(g);
}

struct group_info *groups_alloc(uint32_t n)
{
	struct group_info *g = kmalloc(sizeof(*g) + (size_t)n * sizeof(uint32_t));
	if (!g)
		return NULL;
	g->refcount = 1;
	g->ngroups = n;
	return g;
}

/* Shell sort, as Linux's groups_sort keeps them (duplicates stay). */
void groups_sort(struct group_info *g)
{
	uint32_t n = g->ngroups;
	for (uint32_t gap = n / 2; gap > 0; gap /= 2)
		for (uint32_t i = gap; i < n; i++) {
			uint32_t v = g->gid[i], j = i;
			for (; j >= gap && g->gid[j - gap] > v; j -= gap)
				g->gid[j] = g->gid[j - gap];
			g->gid[j] = v;
		}
}

void cred_copy(struct cred *child, const struct cred *parent)
{
	*child = *parent;
	groups_get(child->groups);
}

void cred_release(struct cred *c)
{
	groups_put(c->groups);
	c->groups = NULL;
}

/* commit_creds: a change of effective or fs ids makes the process not
 * dumpable (fs.suid_dumpable is 0). */
static void commit(struct cred *c, const struct cred *n)
{
	if (c->euid != n->euid || c->egid != n->egid || c->fsuid != n->fsuid ||
	    c->fsgid != n->fsgid)
		c->nodump = true;
	c->uid = n->uid;
	c->euid = n->euid;
	c->suid = n->suid;
	c->fsuid = n->fsuid;
	c->gid = n->gid;
	c->egid = n->egid;
	c->sgid = n->sgid;
	c->fsgid = n->fsgid;
}

int cred_setuid(struct cred *c, uint32_t uid)
{
	if (uid == CRED_NOID)
		return -EINVAL;
	struct cred n = *c;
	if (cred_capable(c))
		n.uid = n.suid = uid;
	else if (uid != c->uid && uid != c->suid)
		return -EPERM;
	n.euid = n.fsuid = uid;
	commit(c, &n);
	return 0;
}

int cred_setgid(struct cred *c, uint32_t gid)
{
	if (gid == CRED_NOID)
		return -EINVAL;
	struct cred n = *c;
	if (cred_capable(c))
		n.gid = n.sgid = gid;
	else if (gid != c->gid && gid != c->sgid)
		return -EPERM;
	n.egid = n.fsgid = gid;
	commit(c, &n);
	return 0;
}

/* setreuid: the real uid may become the effective one, the effective uid
 * any of real/effective/saved; the saved uid follows the new effective one
 * when the real uid was given or the effective one changed away from the
 * old real uid. */
int cred_setreuid(struct cred *c, uint32_t ruid, uint32_t euid)
{
	bool cap = cred_capable(c);
	struct cred n = *c;
	if (ruid != CRED_NOID) {
		if (ruid != c->uid && ruid != c->euid && !cap)
			return -EPERM;
		n.uid = ruid;
	}
	if (euid != CRED_NOID) {
		if (euid != c->uid && euid != c->euid && euid != c->suid && !cap)
			return -EPERM;
		n.euid = euid;
	}
	if (ruid != CRED_NOID || (euid != CRED_NOID && euid != c->uid))
		n.suid = n.euid;
	n.fsuid = n.euid;
	commit(c, &n);
	return 0;
}

int cred_setregid(struct cred *c, uint32_t rgid, uint32_t egid)
{
	bool cap = cred_capable(c);
	struct cred n = *c;
	if (rgid != CRED_NOID) {
		if (rgid != c->gid && rgid != c->egid && !cap)
			return -EPERM;
		n.gid = rgid;
	}
	if (egid != CRED_NOID) {
		if (egid != c->gid && egid != c->egid && egid != c->sgid && !cap)
			return -EPERM;
		n.egid = egid;
	}
	if (rgid != CRED_NOID || (egid != CRED_NOID && egid != c->gid))
		n.sgid = n.egid;
	n.fsgid = n.egid;
	commit(c, &n);
	return 0;
}

static bool one_of(uint32_t id, uint32_t a, uint32_t b, uint32_t c)
{
	return id == CRED_NOID || id == a || id == b || id == c;
}

/* setresuid: unprivileged, each new id must be one of the current three.
 * A call that changes nothing returns before the fs uid is reset. */
int cred_setresuid(struct cred *c, uint32_t ruid, uint32_t euid, uint32_t suid)
{
	if ((ruid == CRED_NOID || ruid == c->uid) &&
	    (euid == CRED_NOID || (euid == c->euid && euid == c->fsuid)) &&
	    (suid == CRED_NOID || suid == c->suid))
		return 0;
	if (!cred_capable(c) && (!one_of(ruid, c->uid, c->euid, c->suid) ||
				 !one_of(euid, c->uid, c->euid, c->suid) ||
				 !one_of(suid, c->uid, c->euid, c->suid)))
		return -EPERM;
	struct cred n = *c;
	if (ruid != CRED_NOID)
		n.uid = ruid;
	if (euid != CRED_NOID)
		n.euid = euid;
	if (suid != CRED_NOID)
		n.suid = suid;
	n.fsuid = n.euid;
	commit(c, &n);
	return 0;
}

int cred_setresgid(struct cred *c, uint32_t rgid, uint32_t egid, uint32_t sgid)
{
	if ((rgid == CRED_NOID || rgid == c->gid) &&
	    (egid == CRED_NOID || (egid == c->egid && egid == c->fsgid)) &&
	    (sgid == CRED_NOID || sgid == c->sgid))
		return 0;
	if (!cred_capable(c) && (!one_of(rgid, c->gid, c->egid, c->sgid) ||
				 !one_of(egid, c->gid, c->egid, c->sgid) ||
				 !one_of(sgid, c->gid, c->egid, c->sgid)))
		return -EPERM;
	struct cred n = *c;
	if (rgid != CRED_NOID)
		n.gid = rgid;
	if (egid != CRED_NOID)
		n.egid = egid;
	if (sgid != CRED_NOID)
		n.sgid = sgid;
	n.fsgid = n.egid;
	commit(c, &n);
	return 0;
}

/* setfsuid: never fails; returns the previous fs uid either way. */
uint32_t cred_setfsuid(struct cred *c, uint32_t uid)
{
	uint32_t old = c->fsuid;
	if (uid == CRED_NOID)
		return old;
	if (uid == c->uid || uid == c->euid || uid == c->suid || uid == c->fsuid ||
	    cred_capable(c)) {
		struct cred n = *c;
		n.fsuid = uid;
		commit(c, &n);
	}
	return old;
}

uint32_t cred_setfsgid(struct cred *c, uint32_t gid)
{
	uint32_t old = c->fsgid;
	if (gid == CRED_NOID)
		return old;
	if (gid == c->gid || gid == c->egid || gid == c->sgid || gid == c->fsgid ||
	    cred_capable(c)) {
		struct cred n = *c;
		n.fsgid = gid;
		commit(c, &n);
	}
	return old;
}

/* Takes over g (sorted here; NULL or empty means none). */
int cred_setgroups(struct cred *c, struct group_info *g)
{
	if (!cred_capable(c)) {
		groups_put(g);
		return -EPERM;
	}
	if (g && !g->ngroups) {
		groups_put(g);
		g = NULL;
	}
	if (g)
		groups_sort(g);
	groups_put(c->groups);
	c->groups = g;
	return 0;
}

bool cred_may_signal(const struct cred *sender, const struct cred *target)
{
	return sender->euid == target->suid || sender->euid == target->uid ||
	       sender->uid == target->suid || sender->uid == target->uid ||
	       cred_capable(sender);
}

bool cred_exec_prepare(const struct cred *old, uint32_t mode, uint32_t uid, uint32_t gid,
		       struct cred *nc)
{
	*nc = *old;
	if (!old->no_new_privs) {
		if (mode & S_ISUID)
			nc->euid = uid;
		if ((mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP))
			nc->egid = gid;
	}
	nc->suid = nc->fsuid = nc->euid;
	nc->sgid = nc->fsgid = nc->egid;
	return nc->euid != old->uid || nc->egid != old->gid;
}

void cred_exec_commit(struct cred *c, const struct cred *nc)
{
	commit(c, nc);
	c->nodump = c->euid != c->uid || c->egid != c->gid;
}
