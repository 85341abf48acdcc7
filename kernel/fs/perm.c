// SPDX-License-Identifier: MIT
/* Who may do what to a file: Linux's discretionary access control (owner,
 * group, other bits against the fs uid and gid) with root's overrides
 * (fs uid 0 reads and writes anything, searches any directory, and executes
 * a file with at least one execute bit), the sticky directory rule, the
 * owner rules of chmod/chown/utimes, protected hard links, access() with the
 * real ids, and the owner a new file gets.  vfs.c and namei.c ask here
 * before they act; the credentials themselves are kernel/proc/cred.c.  9p
 * inodes carry the host's owners and modes and are judged the same way. */
#include <kern/cred.h>
#include <kern/err.h>
#include <uapi/errno.h>
#include "fs/internal.h"

#define S_IXUGO (S_IXUSR | S_IXGRP | S_IXOTH)

/* Linux's generic_permission: the owner's bits, else the group's when the
 * file's group is one of ours, else the others'. */
static int dac_check(const struct cred *c, const struct inode *inode, int mask)
{
	unsigned int mode = inode->mode;
	if (c->fsuid == inode->uid)
		mode >>= 6;
	else if (cred_in_group(c, inode->gid))
		mode >>= 3;
	return (mask & ~mode & 7) ? -EACCES : 0;
}

int vfs_permission(const struct inode *inode, int mask)
{
	const struct cred *c = cred_current();
	if (cred_fs_capable(c)) {
		/* CAP_DAC_OVERRIDE: executing needs one x bit somewhere */
		if ((mask & MAY_EXEC) && !S_ISDIR(inode->mode) &&
		    !(inode->mode & S_IXUGO))
			return -EACCES;
		return 0;
	}
	return dac_check(c, inode, mask);
}

int vfs_may_open(const struct inode *inode, int flags)
{
	int mask;
	if (flags & O_KEXEC) {
		if (!S_ISREG(inode->mode))
			return -EACCES;
		mask = MAY_EXEC;
	} else {
		int acc = flags & O_ACCMODE;
		mask = acc == O_RDONLY	 ? MAY_READ
		       : acc == O_WRONLY ? MAY_WRITE
					 : MAY_READ | MAY_WRITE;
		if (flags & O_TRUNC)
			mask |= MAY_WRITE;
	}
	int r = vfs_permission(inode, mask);
	if (!r && (flags & O_NOATIME) && !vfs_owner_or_capable(inode))
		r = -EPERM;
	return r;
}

int vfs_may_create(const struct inode *dir)
{
	return vfs_permission(dir, MAY_WRITE | MAY_EXEC);
}

/* In a sticky directory only the file's owner, the directory's owner or
 * CAP_FOWNER may remove or rename a name. */
int vfs_may_delete(const struct inode *dir, const struct inode *victim)
{
	int r = vfs_permission(dir, MAY_WRITE | MAY_EXEC);
	if (r)
		return r;
	const struct cred *c = cred_current();
	if ((dir->mode & S_ISVTX) && c->fsuid != victim->uid && c->fsuid != dir->uid &&
	    !cred_fs_capable(c))
		return -EPERM;
	return 0;
}

int vfs_may_rename(const struct inode *odir, const struct inode *src, struct inode *ndir,
		   const char *nname, unsigned int flags)
{
	if (cred_fs_capable(cred_current()))
		return 0; /* no check can fail: spare the lookup */
	struct inode *target = ndir->iops && ndir->iops->lookup
				   ? ndir->iops->lookup(ndir, nname)
				   : ERR_PTR(-ENOENT);
	int r;
	if (IS_ERR(target)) {
		target = NULL;
		r = vfs_may_delete(odir, src);
		if (!r)
			r = vfs_may_create(ndir);
	} else if (target == src || (flags & RENAME_NOREPLACE)) {
		r = 0; /* nothing to do, or EEXIST from the file system */
	} else {
		r = vfs_may_delete(odir, src);
		if (!r)
			r = vfs_may_delete(ndir, target);
	}
	/* moving a directory elsewhere rewrites its ".." */
	if (!r && odir != ndir && S_ISDIR(src->mode))
		r = vfs_permission(src, MAY_WRITE);
	inode_put(target);
	return r;
}

/* fs.protected_hardlinks = 1: a hard link to a file one does not own needs
 * a plain regular file one may read and write. */
int vfs_may_link(const struct inode *target)
{
	if (vfs_owner_or_capable(target))
		return 0;
	uint32_t m = target->mode;
	if (!S_ISREG(m) || (m & S_ISUID) ||
	    (m & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP))
		return -EPERM;
	return vfs_permission(target, MAY_READ | MAY_WRITE) ? -EPERM : 0;
}

bool vfs_owner_or_capable(const struct inode *inode)
{
	const struct cred *c = cred_current();
	return c->fsuid == inode->uid || cred_fs_capable(c);
}

int vfs_may_chmod(const struct inode *inode, unsigned int *mode)
{
	const struct cred *c = cred_current();
	if (!vfs_owner_or_capable(inode))
		return -EPERM;
	if (!cred_fs_capable(c) && !cred_in_group(c, inode->gid))
		*mode &= ~S_ISGID; /* CAP_FSETID or the file's group */
	return 0;
}

/* The owner may "change" the owner to itself and the group to one of its
 * groups; anything else needs CAP_CHOWN.  CRED_NOID leaves an id alone. */
int vfs_may_chown(const struct inode *inode, uint32_t uid, uint32_t gid)
{
	const struct cred *c = cred_current();
	if (cred_fs_capable(c))
		return 0;
	if (uid != CRED_NOID && (c->fsuid != inode->uid || uid != inode->uid))
		return -EPERM;
	if (gid != CRED_NOID &&
	    (c->fsuid != inode->uid || (gid != inode->gid && !cred_in_group(c, gid))))
		return -EPERM;
	return 0;
}

/* Setting explicit times needs ownership; setting them to now also write
 * permission. */
int vfs_may_utimes(const struct inode *inode, bool explicit)
{
	if (vfs_owner_or_capable(inode))
		return 0;
	if (explicit)
		return -EPERM;
	return vfs_permission(inode, MAY_WRITE);
}

/* Linux's inode_init_owner: the fs ids, or the directory's group (and its
 * set-group-ID bit, for a directory) in a set-group-ID directory. */
void vfs_init_owner(struct inode *inode, const struct inode *dir)
{
	const struct cred *c = cred_current();
	inode->uid = c->fsuid;
	inode->gid = c->fsgid;
	if (!dir || !(dir->mode & S_ISGID))
		return;
	inode->gid = dir->gid;
	if (S_ISDIR(inode->mode))
		inode->mode |= S_ISGID;
	else if ((inode->mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP) &&
		 !cred_in_group(c, dir->gid) && !cred_fs_capable(c))
		inode->mode &= ~S_ISGID;
}

int vfs_access(int dirfd, const char *path, int mode, int flags)
{
	const struct cred *c = cred_current(), *saved = NULL;
	struct cred real;
	bool swap = !(flags & AT_EACCESS) && (c->fsuid != c->uid || c->fsgid != c->gid);
	if (swap) {
		/* the lookup too is done as the real ids, as Linux's override */
		cred_copy(&real, c);
		real.fsuid = c->uid;
		real.fsgid = c->gid;
		saved = cred_override(&real);
	}
	struct nameidata *nd = nd_alloc();
	unsigned int lf = (flags & AT_SYMLINK_NOFOLLOW) ? 0 : LOOKUP_FOLLOW;
	if (flags & AT_EMPTY_PATH)
		lf |= LOOKUP_EMPTY;
	int r = nd ? vfs_lookup_at(dirfd, path, lf, nd) : -ENOMEM;
	if (!r) {
		r = mode ? vfs_permission(nd->jump ? nd->jump->inode : nd->inode, mode)
			 : 0;
		nd_release(nd);
	}
	nd_free(nd);
	if (swap) {
		cred_revert(saved);
		cred_release(&real);
	}
	return r;
}

void vfs_file_owner(struct file *f, uint32_t *mode, uint32_t *uid, uint32_t *gid)
{
	*mode = f->inode ? f->inode->mode : 0;
	*uid = f->inode ? f->inode->uid : 0;
	*gid = f->inode ? f->inode->gid : 0;
}
