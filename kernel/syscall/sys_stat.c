// SPDX-License-Identifier: MIT
/* Attribute system calls: stat and friends, statx, statfs, access, readlink,
 * chmod, chown, utimensat.  Lookups and attribute storage are kernel/fs/;
 * this file converts to and from the Linux structures. */
#include <string.h>
#include <kern/clock.h>
#include <kern/err.h>
#include <kern/heap.h>
#include <kern/proc.h>
#include <kern/syscall.h>
#include <kern/uaccess.h>
#include <uapi/errno.h>
#include <uapi/fcntl.h>
#include <uapi/stat.h>
#include <uapi/time.h>
#include "fs/sysutil.h"

static uint32_t dev_major(uint64_t d)
{
	return (uint32_t)(((d >> 8) & 0xfff) | ((d >> 32) & ~0xfffU));
}
static uint32_t dev_minor(uint64_t d)
{
	return (uint32_t)((d & 0xff) | ((d >> 12) & ~0xffU));
}

static int put_stat(unsigned long ubuf, const struct kstat *k)
{
	struct linux_stat st;
	memset(&st, 0, sizeof(st));
	st.st_dev = k->dev;
	st.st_ino = k->ino;
	st.st_nlink = k->nlink;
	st.st_mode = k->mode;
	st.st_uid = k->uid;
	st.st_gid = k->gid;
	st.st_rdev = k->rdev;
	st.st_size = (int64_t)k->size;
	st.st_blksize = k->blksize;
	st.st_blocks = (int64_t)k->blocks;
	st.st_atime_sec = (uint64_t)(k->atime_ns / 1000000000);
	st.st_atime_nsec = (uint64_t)(k->atime_ns % 1000000000);
	st.st_mtime_sec = (uint64_t)(k->mtime_ns / 1000000000);
	st.st_mtime_nsec = (uint64_t)(k->mtime_ns % 1000000000);
	st.st_ctime_sec = (uint64_t)(k->ctime_ns / 1000000000);
	st.st_ctime_nsec = (uint64_t)(k->ctime_ns % 1000000000);
	return copy_to_user(ubuf, &st, sizeof(st));
}

static long stat_at(int dirfd, unsigned long upath, int flags, struct kstat *k)
{
	char *path = user_path(upath);
	if (IS_ERR(path))
		return PTR_ERR(path);
	long r = vfs_statat(dirfd, path, flags, k);
	kfree(path);
	return r;
}

long sys_newfstatat(int dirfd, unsigned long upath, unsigned long ubuf, int flags)
{
	struct kstat k;
	long r = stat_at(dirfd, upath, flags, &k);
	return r ? r : put_stat(ubuf, &k);
}
SYSCALL_REGISTER(__NR_newfstatat, sys_newfstatat);

long sys_stat(unsigned long upath, unsigned long ubuf)
{
	return sys_newfstatat(AT_FDCWD, upath, ubuf, 0);
}
SYSCALL_REGISTER(__NR_stat, sys_stat);

long sys_lstat(unsigned long upath, unsigned long ubuf)
{
	return sys_newfstatat(AT_FDCWD, upath, ubuf, AT_SYMLINK_NOFOLLOW);
}
SYSCALL_REGISTER(__NR_lstat, sys_lstat);

long sys_fstat(int fd, unsigned long ubuf)
{
	struct file *f = fd_file(fd);
	if (!f)
		return -EBADF;
	struct kstat k;
	int r = vfs_fstat(f, &k);
	return r ? r : put_stat(ubuf, &k);
}
SYSCALL_REGISTER(__NR_fstat, sys_fstat);

static struct linux_statx_timestamp ts_of(int64_t ns)
{
	struct linux_statx_timestamp t = {ns / 1000000000, (uint32_t)(ns % 1000000000),
					  0};
	return t;
}

long sys_statx(int dirfd, unsigned long upath, int flags, unsigned int mask,
	       unsigned long ubuf)
{
	if (mask & STATX__RESERVED)
		return -EINVAL;
	if ((flags & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE)
		return -EINVAL;
	struct kstat k;
	long r = stat_at(dirfd, upath, flags, &k);
	if (r)
		return r;
	struct linux_statx sx;
	memset(&sx, 0, sizeof(sx));
	sx.stx_mask = STATX_BASIC_STATS | STATX_MNT_ID;
	sx.stx_blksize = k.blksize;
	sx.stx_nlink = (uint32_t)k.nlink;
	sx.stx_uid = k.uid;
	sx.stx_gid = k.gid;
	sx.stx_mode = (uint16_t)k.mode;
	sx.stx_ino = k.ino;
	sx.stx_size = k.size;
	sx.stx_blocks = k.blocks;
	sx.stx_atime = ts_of(k.atime_ns);
	sx.stx_ctime = ts_of(k.ctime_ns);
	sx.stx_mtime = ts_of(k.mtime_ns);
	sx.stx_rdev_major = dev_major(k.rdev);
	sx.stx_rdev_minor = dev_minor(k.rdev);
	sx.stx_dev_major = dev_major(k.dev);
	sx.stx_dev_minor = dev_minor(k.dev);
	sx.stx_mnt_id = k.dev;
	return copy_to_user(ubuf, &sx, sizeof(sx));
}
SYSCALL_REGISTER(__NR_statx, sys_statx);

/* The real ids decide, or the effective (fs) ones with AT_EACCESS. */
static long do_access(int dirfd, unsigned long upath, int mode, int flags)
{
	if (mode & ~(R_OK | W_OK | X_OK))
		return -EINVAL;
	if (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	char *path = user_path(upath);
	if (IS_ERR(path))
		return PTR_ERR(path);
	long r = vfs_access(dirfd, path, mode, flags);
	kfree(path);
	return r;
}

long sys_access(unsigned long upath, int mode)
{
	return do_access(AT_FDCWD, upath, mode, 0);
}
SYSCALL_REGISTER(__NR_access, sys_access);

long sys_faccessat(int dirfd, unsigned long upath, int mode)
{
	return do_access(dirfd, upath, mode, 0);
}
SYSCALL_REGISTER(__NR_faccessat, sys_faccessat);

long sys_faccessat2(int dirfd, unsigned long upath, int mode, int flags)
{
	return do_access(dirfd, upath, mode, flags);
}
SYSCALL_REGISTER(__NR_faccessat2, sys_faccessat2);

long sys_readlinkat(int dirfd, unsigned long upath, unsigned long ubuf, int size)
{
	if (size <= 0)
		return -EINVAL;
	char *path = user_path(upath);
	if (IS_ERR(path))
		return PTR_ERR(path);
	char *kbuf = kmalloc(PATH_MAX);
	long n = kbuf ? vfs_readlinkat(dirfd, path, kbuf, PATH_MAX) : -ENOMEM;
	if (n >= 0) {
		n = MIN(n, size);
		if (copy_to_user(ubuf, kbuf, (size_t)n))
			n = -EFAULT;
	}
	kfree(kbuf);
	kfree(path);
	return n;
}
SYSCALL_REGISTER(__NR_readlinkat, sys_readlinkat);

long sys_readlink(unsigned long upath, unsigned long ubuf, int size)
{
	return sys_readlinkat(AT_FDCWD, upath, ubuf, size);
}
SYSCALL_REGISTER(__NR_readlink, sys_readlink);

/* Applies fn to what path names (or to dirfd with AT_EMPTY_PATH and ""). */
static long with_inode(int dirfd, unsigned long upath, int flags,
		       long (*fn)(struct inode *, void *), void *arg)
{
	char *path = user_path(upath);
	if (IS_ERR(path))
		return PTR_ERR(path);
	struct nameidata *nd = nd_alloc();
	unsigned int lf = (flags & AT_SYMLINK_NOFOLLOW) ? 0 : LOOKUP_FOLLOW;
	if (flags & AT_EMPTY_PATH)
		lf |= LOOKUP_EMPTY;
	long r = nd ? vfs_lookup_at(dirfd, path, lf, nd) : -ENOMEM;
	if (!r) {
		r = fn(nd->jump ? nd->jump->inode : nd->inode, arg);
		nd_release(nd);
	}
	nd_free(nd);
	kfree(path);
	return r;
}

static long chmod_fn(struct inode *inode, void *arg)
{
	unsigned int mode = *(unsigned int *)arg;
	int r = vfs_may_chmod(inode, &mode);
	if (r)
		return r;
	inode->mode = (inode->mode & S_IFMT) | (mode & 07777);
	inode_touch(inode, false, false, true);
	return inode_setattr(inode, SETATTR_MODE);
}

long sys_fchmodat(int dirfd, unsigned long upath, unsigned int mode)
{
	return with_inode(dirfd, upath, 0, chmod_fn, &mode);
}
SYSCALL_REGISTER(__NR_fchmodat, sys_fchmodat);

long sys_chmod(unsigned long upath, unsigned int mode)
{
	return with_inode(AT_FDCWD, upath, 0, chmod_fn, &mode);
}
SYSCALL_REGISTER(__NR_chmod, sys_chmod);

long sys_fchmod(int fd, unsigned int mode)
{
	struct file *f = fd_file(fd);
	if (!f || (f->flags & O_PATH) || !f->inode)
		return -EBADF;
	return chmod_fn(f->inode, &mode);
}
SYSCALL_REGISTER(__NR_fchmod, sys_fchmod);

struct owner {
	uint32_t uid, gid;
};

static long chown_fn(struct inode *inode, void *arg)
{
	struct owner *o = arg;
	int r = vfs_may_chown(inode, o->uid, o->gid);
	if (r)
		return r;
	if (o->uid != (uint32_t)-1)
		inode->uid = o->uid;
	if (o->gid != (uint32_t)-1)
		inode->gid = o->gid;
	if (!S_ISDIR(inode->mode))
		inode->mode &= ~(S_ISUID | ((inode->mode & S_IXGRP) ? S_ISGID : 0));
	inode_touch(inode, false, false, true);
	return inode_setattr(inode, SETATTR_OWNER);
}

long sys_fchownat(int dirfd, unsigned long upath, uint32_t uid, uint32_t gid, int flags)
{
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	struct owner o = {uid, gid};
	return with_inode(dirfd, upath, flags, chown_fn, &o);
}
SYSCALL_REGISTER(__NR_fchownat, sys_fchownat);

long sys_chown(unsigned long upath, uint32_t uid, uint32_t gid)
{
	return sys_fchownat(AT_FDCWD, upath, uid, gid, 0);
}
SYSCALL_REGISTER(__NR_chown, sys_chown);

long sys_lchown(unsigned long upath, uint32_t uid, uint32_t gid)
{
	return sys_fchownat(AT_FDCWD, upath, uid, gid, AT_SYMLINK_NOFOLLOW);
}
SYSCALL_REGISTER(__NR_lchown, sys_lchown);

long sys_fchown(int fd, uint32_t uid, uint32_t gid)
{
	struct file *f = fd_file(fd);
	if (!f || (f->flags & O_PATH) || !f->inode)
		return -EBADF;
	struct owner o = {uid, gid};
	return chown_fn(f->inode, &o);
}
SYSCALL_REGISTER(__NR_fchown, sys_fchown);

struct times {
	int64_t ns[2]; /* atime, mtime; -1 = leave alone */
	bool explicit; /* given by the caller, not both "now" */
};

static long utimes_fn(struct inode *inode, void *arg)
{
	struct times *t = arg;
	int r = vfs_may_utimes(inode, t->explicit);
	if (r)
		return r;
	if (t->ns[0] >= 0)
		inode->atime_ns = t->ns[0];
	if (t->ns[1] >= 0)
		inode->mtime_ns = t->ns[1];
	inode_touch(inode, false, false, true);
	return inode_setattr(inode, (t->ns[0] >= 0 ? SETATTR_ATIME : 0) |
					(t->ns[1] >= 0 ? SETATTR_MTIME : 0));
}

static long set_times(int dirfd, unsigned long upath, struct times *t, int flags)
{
	if (!upath) { /* futimens: the file itself */
		struct file *f = fd_file(dirfd);
		if (dirfd == AT_FDCWD)
			return -EFAULT;
		if (!f || !f->inode)
			return -EBADF;
		return utimes_fn(f->inode, t);
	}
	return with_inode(dirfd, upath, flags, utimes_fn, t);
}

long sys_utimensat(int dirfd, unsigned long upath, unsigned long utimes, int flags)
{
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	int64_t now = (int64_t)clock_realtime_ns();
	struct times t = {{now, now}, false};
	if (utimes) {
		struct linux_timespec ts[2];
		if (copy_from_user(ts, utimes, sizeof(ts)))
			return -EFAULT;
		if (ts[0].tv_nsec == UTIME_OMIT && ts[1].tv_nsec == UTIME_OMIT)
			return 0; /* nothing to do: not even the path is looked at */
		t.explicit = ts[0].tv_nsec != UTIME_NOW || ts[1].tv_nsec != UTIME_NOW;
		for (int i = 0; i < 2; i++) {
			if (ts[i].tv_nsec == UTIME_OMIT)
				t.ns[i] = -1;
			else if (ts[i].tv_nsec == UTIME_NOW)
				t.ns[i] = now;
			else if (ts[i].tv_nsec < 0 || ts[i].tv_nsec >= 1000000000 ||
				 ts[i].tv_sec < 0)
				return -EINVAL;
			else
				t.ns[i] = ts[i].tv_sec * 1000000000 + ts[i].tv_nsec;
		}
	}
	return set_times(dirfd, upath, &t, flags);
}
SYSCALL_REGISTER(__NR_utimensat, sys_utimensat);

long sys_futimesat(int dirfd, unsigned long upath, unsigned long utimes)
{
	int64_t now = (int64_t)clock_realtime_ns();
	struct times t = {{now, now}, utimes != 0};
	if (utimes) {
		struct linux_timeval tv[2];
		if (copy_from_user(tv, utimes, sizeof(tv)))
			return -EFAULT;
		for (int i = 0; i < 2; i++) {
			if (tv[i].tv_usec < 0 || tv[i].tv_usec >= 1000000 ||
			    tv[i].tv_sec < 0)
				return -EINVAL;
			t.ns[i] = tv[i].tv_sec * 1000000000 + tv[i].tv_usec * 1000;
		}
	}
	return set_times(dirfd, upath, &t, 0);
}
SYSCALL_REGISTER(__NR_futimesat, sys_futimesat);

long sys_utimes(unsigned long upath, unsigned long utimes)
{
	return upath ? sys_futimesat(AT_FDCWD, upath, utimes) : -EFAULT;
}
SYSCALL_REGISTER(__NR_utimes, sys_utimes);

long sys_utime(unsigned long upath, unsigned long ubuf)
{
	int64_t now = (int64_t)clock_realtime_ns();
	struct times t = {{now, now}, ubuf != 0};
	if (ubuf) {
		int64_t v[2];
		if (copy_from_user(v, ubuf, sizeof(v)))
			return -EFAULT;
		t.ns[0] = v[0] * 1000000000;
		t.ns[1] = v[1] * 1000000000;
	}
	return upath ? set_times(AT_FDCWD, upath, &t, 0) : -EFAULT;
}
SYSCALL_REGISTER(__NR_utime, sys_utime);

static long statfs_fn(struct inode *inode, void *arg)
{
	struct linux_statfs *st = arg;
	if (!inode->sb->ops || !inode->sb->ops->statfs)
		return -ENOSYS;
	return inode->sb->ops->statfs(inode->sb, st);
}

long sys_statfs(unsigned long upath, unsigned long ubuf)
{
	struct linux_statfs st;
	long r = with_inode(AT_FDCWD, upath, 0, statfs_fn, &st);
	return r ? r : copy_to_user(ubuf, &st, sizeof(st));
}
SYSCALL_REGISTER(__NR_statfs, sys_statfs);

long sys_fstatfs(int fd, unsigned long ubuf)
{
	struct file *f = fd_file(fd);
	if (!f || !f->inode)
		return -EBADF;
	struct linux_statfs st;
	long r = statfs_fn(f->inode, &st);
	return r ? r : copy_to_user(ubuf, &st, sizeof(st));
}
SYSCALL_REGISTER(__NR_fstatfs, sys_fstatfs);
