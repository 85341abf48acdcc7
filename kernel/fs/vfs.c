// SPDX-License-Identifier: MIT
/* Name-space operations: open, create, link, unlink, rename, symlink,
 * readlink, stat, chdir -- with the checks every file system shares (types,
 * trailing slashes, EXDEV, moving a directory under itself).  Lookup is
 * namei.c; the file systems do the mechanics through inode_ops. */
#include <string.h>
#include <kern/err.h>
#include <kern/heap.h>
#include <kern/proc.h>
#include <uapi/errno.h>
#include "fs/internal.h"

static unsigned int cur_umask(void)
{
	struct process *p = proc_current();
	return p && p->fs ? p->fs->umask : 022;
}

struct nameidata *nd_alloc(void)
{
	return kmalloc(sizeof(struct nameidata));
}

void nd_free(struct nameidata *nd)
{
	kfree(nd);
}

/* The directory a relative path starts from (borrowed), and its path. */
static int start_of(int dirfd, const char *path, unsigned int flags, struct inode **start,
		    const char **spath)
{
	struct process *p = proc_current();
	struct fs_context *c = p ? p->fs : NULL;
	*start = c ? c->cwd : vfs_root; /* at boot there is no process yet */
	*spath = c ? c->cwd_path : "/";
	if (path[0] == '/' || dirfd == AT_FDCWD)
		return 0;
	struct file *f = p ? fdt_lookup(p->fdt, dirfd) : NULL;
	if (!f)
		return -EBADF;
	if (!f->inode)
		return -ENOTDIR;
	if (!S_ISDIR(f->inode->mode) && !(path[0] == 0 && (flags & LOOKUP_EMPTY)))
		return -ENOTDIR;
	*start = f->inode;
	*spath = f->path;
	return 0;
}

int vfs_lookup_at(int dirfd, const char *path, unsigned int flags, struct nameidata *nd)
{
	struct inode *start;
	const char *spath;
	nd->inode = NULL;
	nd->jump = NULL;
	int r = start_of(dirfd, path, flags, &start, &spath);
	if (r)
		return r;
	return namei(start, spath, path, flags, nd);
}

/* The raw child of dir named name (no mount crossing): new reference. */
static struct inode *child_of(struct inode *dir, const char *name)
{
	if (!dir->iops || !dir->iops->lookup)
		return ERR_PTR(-ENOENT);
	if (!dir->nlink && !dir->sb->transient)
		return ERR_PTR(-ENOENT);
	return dir->iops->lookup(dir, name);
}

static struct file *open_inode(struct inode *inode, const char *path, int flags,
			       struct file *jump)
{
	if ((flags & O_DIRECTORY) && !S_ISDIR(inode->mode))
		return ERR_PTR(-ENOTDIR);
	if (flags & O_PATH) {
		unsigned int keep = O_PATH | O_DIRECTORY | O_NOFOLLOW | O_LARGEFILE;
		return file_alloc(inode, (unsigned int)flags & keep, path);
	}
	if (S_ISLNK(inode->mode))
		return ERR_PTR(-ELOOP);
	int acc = flags & O_ACCMODE;
	if (acc == 3)
		return ERR_PTR(-EINVAL);
	if (S_ISDIR(inode->mode) && (acc != O_RDONLY || (flags & (O_TRUNC | O_CREAT))))
		return ERR_PTR(-EISDIR);
	int perm = (flags & O_KCREATED) ? 0 : vfs_may_open(inode, flags);
	if (perm)
		return ERR_PTR(perm);
	if (!inode->fops && !(inode->iops && inode->iops->open))
		return ERR_PTR(-ENXIO);
	unsigned int fl = ((unsigned int)flags & ~(O_CREAT | O_EXCL | O_TRUNC | O_NOCTTY |
						   O_CLOEXEC | O_KEXEC | O_KCREATED)) |
			  O_LARGEFILE;
	struct file *f = file_alloc(inode, fl, jump ? jump->path : path);
	if (IS_ERR(f))
		return f;
	if (inode->iops && inode->iops->open) {
		int r = inode->iops->open(inode, f);
		if (r) {
			f->ops = NULL;
			file_put(f);
			return ERR_PTR(r);
		}
	}
	if ((flags & O_TRUNC) && S_ISREG(inode->mode) && acc != O_RDONLY) {
		int r = vfs_truncate_inode(inode, 0);
		if (r) {
			file_put(f);
			return ERR_PTR(r);
		}
	}
	return f;
}

static struct file *do_open(struct inode *start, const char *spath, const char *path,
			    int flags, unsigned int mode, int depth)
{
	struct nameidata *nd = nd_alloc();
	if (!nd)
		return ERR_PTR(-ENOMEM);
	struct file *f;
	int r;
	if (!(flags & O_CREAT)) {
		unsigned int lf = (flags & O_NOFOLLOW) ? 0 : LOOKUP_FOLLOW;
		if (flags & O_DIRECTORY)
			lf |= LOOKUP_DIRECTORY;
		r = namei(start, spath, path, lf, nd);
		if (r) {
			f = ERR_PTR(r);
			goto out;
		}
		f = open_inode(nd->inode, nd->path, flags, nd->jump);
		nd_release(nd);
		goto out;
	}
	r = namei(start, spath, path, LOOKUP_PARENT, nd);
	if (r) {
		f = ERR_PTR(r);
		goto out;
	}
	struct inode *dir = nd->inode;
	if (nd->last_type != LAST_NORM) {
		f = ERR_PTR(-EISDIR);
		goto out_release;
	}
	struct inode *child = lookup_one(dir, nd->last);
	if (!IS_ERR(child)) {
		if (flags & O_EXCL) {
			f = ERR_PTR(-EEXIST);
		} else if (S_ISLNK(child->mode)) {
			if (flags & O_NOFOLLOW) {
				f = ERR_PTR(-ELOOP);
			} else if (depth >= SYMLOOP_MAX) {
				f = ERR_PTR(-ELOOP);
			} else if (child->iops && child->iops->readlink &&
				   !child->iops->follow) {
				/* follow it; a dangling link creates its target */
				char *target = kmalloc(PATH_MAX);
				long n = target ? child->iops->readlink(child, target,
									PATH_MAX)
						: -ENOMEM;
				if (n < 0)
					f = ERR_PTR(n);
				else
					f = do_open(dir, nd->path, target, flags, mode,
						    depth + 1);
				kfree(target);
			} else {
				/* a magic link: open what it stands for */
				f = do_open(start, spath, path, flags & ~O_CREAT, mode,
					    depth + 1);
			}
		} else if (nd->trailing_slash && !S_ISDIR(child->mode)) {
			f = ERR_PTR(-ENOTDIR);
		} else {
			r = path_append(nd->path, nd->last);
			f = r ? ERR_PTR(r) : open_inode(child, nd->path, flags, NULL);
		}
		inode_put(child);
		goto out_release;
	}
	if (PTR_ERR(child) != -ENOENT) {
		f = (struct file *)child;
		goto out_release;
	}
	if (nd->trailing_slash) {
		f = ERR_PTR(-EISDIR);
		goto out_release;
	}
	if (!dir->iops || !dir->iops->create) {
		f = ERR_PTR(-EACCES);
		goto out_release;
	}
	r = vfs_may_create(dir);
	if (r) {
		f = ERR_PTR(r);
		goto out_release;
	}
	child =
	    dir->iops->create(dir, nd->last, S_IFREG | (mode & 07777 & ~cur_umask()), 0);
	if (IS_ERR(child)) {
		f = (struct file *)child;
		goto out_release;
	}
	r = path_append(nd->path, nd->last);
	f = r ? ERR_PTR(r)
	      : open_inode(child, nd->path, (flags & ~O_TRUNC) | O_KCREATED, NULL);
	inode_put(child);
out_release:
	nd_release(nd);
out:
	nd_free(nd);
	return f;
}

struct file *vfs_openat(int dirfd, const char *path, int flags, unsigned int mode)
{
	if ((flags & O_TMPFILE) == O_TMPFILE)
		return ERR_PTR(-EOPNOTSUPP);
	flags &= ~(O_KEXEC | O_KCREATED);
	struct inode *start;
	const char *spath;
	int r = start_of(dirfd, path, 0, &start, &spath);
	if (r)
		return ERR_PTR(r);
	return do_open(start, spath, path, flags, mode, 0);
}

struct file *vfs_open(const char *path, int flags, unsigned int mode)
{
	return vfs_openat(AT_FDCWD, path, flags, mode);
}

struct file *vfs_open_exec(const char *path)
{
	struct inode *start;
	const char *spath;
	int r = start_of(AT_FDCWD, path, 0, &start, &spath);
	if (r)
		return ERR_PTR(r);
	return do_open(start, spath, path, O_RDONLY | O_KEXEC, 0, 0);
}

/* A name that exists already is EEXIST before any permission check. */
static int may_create_name(struct inode *dir, const char *name)
{
	int r = vfs_may_create(dir);
	if (r) {
		struct inode *ex = child_of(dir, name);
		if (!IS_ERR(ex)) {
			inode_put(ex);
			r = -EEXIST;
		}
	}
	return r;
}

int vfs_mknodat(int dirfd, const char *path, uint32_t mode, uint64_t rdev)
{
	struct nameidata *nd = nd_alloc();
	if (!nd)
		return -ENOMEM;
	int r = vfs_lookup_at(dirfd, path, LOOKUP_PARENT, nd);
	if (r)
		goto out;
	struct inode *dir = nd->inode;
	if (nd->last_type != LAST_NORM) {
		r = -EEXIST;
	} else if (nd->trailing_slash && !S_ISDIR(mode)) {
		r = -ENOENT;
	} else if (!dir->iops || !dir->iops->create) {
		r = -EPERM;
	} else if ((r = may_create_name(dir, nd->last)) == 0) {
		uint32_t perm = mode & 07777 & ~cur_umask();
		struct inode *child =
		    dir->iops->create(dir, nd->last, (mode & S_IFMT) | perm, rdev);
		r = IS_ERR(child) ? (int)PTR_ERR(child) : 0;
		if (!r)
			inode_put(child);
	}
	nd_release(nd);
out:
	nd_free(nd);
	return r;
}

int vfs_unlinkat(int dirfd, const char *path, int flags)
{
	if (flags & ~AT_REMOVEDIR)
		return -EINVAL;
	bool rmdir = flags & AT_REMOVEDIR;
	struct nameidata *nd = nd_alloc();
	if (!nd)
		return -ENOMEM;
	int r = vfs_lookup_at(dirfd, path, LOOKUP_PARENT, nd);
	if (r)
		goto out;
	struct inode *dir = nd->inode;
	if (nd->last_type != LAST_NORM) {
		if (!rmdir)
			r = -EISDIR;
		else
			r = nd->last_type == LAST_DOT	   ? -EINVAL
			    : nd->last_type == LAST_DOTDOT ? -ENOTEMPTY
							   : -EBUSY;
		goto out_release;
	}
	struct inode *victim = child_of(dir, nd->last);
	if (IS_ERR(victim)) {
		r = (int)PTR_ERR(victim);
		goto out_release;
	}
	r = vfs_may_delete(dir, victim);
	if (r) {
		/* no write or search permission, or another's name in a sticky directory
		 */
	} else if (rmdir) {
		if (!S_ISDIR(victim->mode))
			r = -ENOTDIR;
		else if (victim->mounted || victim == vfs_root)
			r = -EBUSY;
		else if (!dir->iops->rmdir)
			r = -EPERM;
		else
			r = dir->iops->rmdir(dir, nd->last);
	} else {
		if (S_ISDIR(victim->mode))
			r = -EISDIR;
		else if (nd->trailing_slash)
			r = -ENOTDIR;
		else if (!dir->iops->unlink)
			r = -EPERM;
		else
			r = dir->iops->unlink(dir, nd->last);
	}
	inode_put(victim);
out_release:
	nd_release(nd);
out:
	nd_free(nd);
	return r;
}

/* true when dir is inside (or is) the directory anc */
static bool is_under(struct inode *dir, struct inode *anc)
{
	struct inode *cur = inode_get(dir);
	bool found = false;
	for (int i = 0; i < 4096; i++) {
		if (cur == anc) {
			found = true;
			break;
		}
		if (cur == vfs_root)
			break;
		struct inode *up = inode_parent(cur);
		if (IS_ERR(up))
			break;
		inode_put(cur);
		cur = up;
	}
	inode_put(cur);
	return found;
}

int vfs_renameat(int olddirfd, const char *oldpath, int newdirfd, const char *newpath,
		 unsigned int flags)
{
	if (flags & ~RENAME_NOREPLACE)
		return -EINVAL;
	struct nameidata *on = nd_alloc(), *nn = nd_alloc();
	int r = -ENOMEM;
	struct inode *src = NULL;
	if (!on || !nn)
		goto out;
	r = vfs_lookup_at(olddirfd, oldpath, LOOKUP_PARENT, on);
	if (r)
		goto out;
	r = vfs_lookup_at(newdirfd, newpath, LOOKUP_PARENT, nn);
	if (r)
		goto out_old;
	if (on->last_type != LAST_NORM || nn->last_type != LAST_NORM) {
		r = -EBUSY;
		goto out_both;
	}
	src = child_of(on->inode, on->last);
	if (IS_ERR(src)) {
		r = (int)PTR_ERR(src);
		src = NULL;
		goto out_both;
	}
	if (!S_ISDIR(src->mode) && (on->trailing_slash || nn->trailing_slash)) {
		r = -ENOTDIR;
		goto out_both;
	}
	if (on->inode->sb != nn->inode->sb) {
		r = -EXDEV;
		goto out_both;
	}
	if (src->mounted) {
		r = -EBUSY;
		goto out_both;
	}
	if (S_ISDIR(src->mode) && is_under(nn->inode, src)) {
		r = -EINVAL;
		goto out_both;
	}
	r = vfs_may_rename(on->inode, src, nn->inode, nn->last, flags);
	if (r)
		goto out_both;
	if (!on->inode->iops || !on->inode->iops->rename) {
		r = -EPERM;
		goto out_both;
	}
	r = on->inode->iops->rename(on->inode, on->last, nn->inode, nn->last, flags);
out_both:
	inode_put(src);
	nd_release(nn);
out_old:
	nd_release(on);
out:
	nd_free(on);
	nd_free(nn);
	return r;
}

int vfs_linkat(int olddirfd, const char *oldpath, int newdirfd, const char *newpath,
	       int flags)
{
	if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	struct nameidata *on = nd_alloc(), *nn = nd_alloc();
	int r = -ENOMEM;
	if (!on || !nn)
		goto out;
	unsigned int lf = (flags & AT_SYMLINK_FOLLOW) ? LOOKUP_FOLLOW : 0;
	if (flags & AT_EMPTY_PATH)
		lf |= LOOKUP_EMPTY;
	r = vfs_lookup_at(olddirfd, oldpath, lf, on);
	if (r)
		goto out;
	r = vfs_lookup_at(newdirfd, newpath, LOOKUP_PARENT, nn);
	if (r)
		goto out_old;
	struct inode *target = on->inode, *dir = nn->inode;
	struct inode *exist = nn->last_type == LAST_NORM ? child_of(dir, nn->last) : NULL;
	if (nn->last_type != LAST_NORM || !IS_ERR(exist))
		r = -EEXIST;
	else if (S_ISDIR(target->mode))
		r = -EPERM;
	else if (nn->trailing_slash)
		r = -ENOENT;
	else if (target->sb != dir->sb || on->jump)
		r = -EXDEV;
	else if (vfs_may_link(target))
		r = -EPERM;
	else if (vfs_may_create(dir))
		r = -EACCES;
	else if (!target->nlink)
		r = -ENOENT;
	else if (!dir->iops || !dir->iops->link)
		r = -EPERM;
	else
		r = dir->iops->link(dir, nn->last, target);
	if (!IS_ERR_OR_NULL(exist))
		inode_put(exist);
	nd_release(nn);
out_old:
	nd_release(on);
out:
	nd_free(on);
	nd_free(nn);
	return r;
}

int vfs_symlinkat(const char *target, int newdirfd, const char *linkpath)
{
	if (!target[0])
		return -ENOENT;
	struct nameidata *nd = nd_alloc();
	if (!nd)
		return -ENOMEM;
	int r = vfs_lookup_at(newdirfd, linkpath, LOOKUP_PARENT, nd);
	if (r)
		goto out;
	struct inode *dir = nd->inode;
	if (nd->last_type != LAST_NORM)
		r = -EEXIST;
	else if (!dir->iops || !dir->iops->symlink)
		r = -EPERM;
	else if ((r = may_create_name(dir, nd->last)) == 0)
		r = dir->iops->symlink(dir, nd->last, target);
	if (r == 0 && nd->trailing_slash) {
		/* Linux refuses "name/" for a symlink; undo */
		dir->iops->unlink(dir, nd->last);
		r = -ENOENT;
	}
	nd_release(nd);
out:
	nd_free(nd);
	return r;
}

long vfs_readlinkat(int dirfd, const char *path, char *buf, size_t size)
{
	struct nameidata *nd = nd_alloc();
	if (!nd)
		return -ENOMEM;
	long r = vfs_lookup_at(dirfd, path, LOOKUP_EMPTY, nd);
	if (r)
		goto out;
	struct inode *inode = nd->inode;
	if (!S_ISLNK(inode->mode))
		r = path[0] ? -EINVAL : -ENOENT;
	else if (!inode->iops || !inode->iops->readlink)
		r = -EINVAL;
	else
		r = inode->iops->readlink(inode, buf, size);
	if (r > 0)
		inode->atime_ns = vfs_now_ns();
	nd_release(nd);
out:
	nd_free(nd);
	return r;
}

int vfs_fstat(struct file *f, struct kstat *st)
{
	if (f->ops && f->ops->stat && !(f->flags & O_PATH))
		return f->ops->stat(f, st);
	if (!f->inode)
		return -EBADF;
	inode_stat(f->inode, st);
	return 0;
}

int vfs_statat(int dirfd, const char *path, int flags, struct kstat *st)
{
	if (flags &
	    ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT | AT_STATX_SYNC_TYPE))
		return -EINVAL;
	if (!path[0] && (flags & AT_EMPTY_PATH) && dirfd != AT_FDCWD) {
		struct file *f = fdt_lookup(fdt_current(), dirfd);
		return f ? vfs_fstat(f, st) : -EBADF;
	}
	struct nameidata *nd = nd_alloc();
	if (!nd)
		return -ENOMEM;
	unsigned int lf = (flags & AT_SYMLINK_NOFOLLOW) ? 0 : LOOKUP_FOLLOW;
	if (flags & AT_EMPTY_PATH)
		lf |= LOOKUP_EMPTY;
	int r = vfs_lookup_at(dirfd, path, lf, nd);
	if (!r) {
		if (nd->jump)
			r = vfs_fstat(nd->jump, st);
		else
			inode_stat(nd->inode, st);
		nd_release(nd);
	}
	nd_free(nd);
	return r;
}

int vfs_truncate_inode(struct inode *inode, uint64_t size)
{
	if (S_ISDIR(inode->mode))
		return -EISDIR;
	if (!S_ISREG(inode->mode))
		return -EINVAL;
	if ((int64_t)size < 0)
		return -EINVAL;
	if (!inode->iops || !inode->iops->truncate)
		return -EPERM;
	return inode->iops->truncate(inode, size);
}

int vfs_chdir_path(const char *path)
{
	return vfs_chdir(proc_current(), path);
}

int vfs_read_file(const char *path, void **buf, size_t *size)
{
	struct file *f = vfs_open(path, O_RDONLY, 0);
	if (IS_ERR(f))
		return (int)PTR_ERR(f);
	uint64_t sz;
	int r = vfs_file_size(f, &sz);
	if (!r && sz > (1ULL << 32))
		r = -EFBIG;
	char *p = NULL;
	if (!r) {
		p = kmalloc(sz ? sz : 1);
		if (!p)
			r = -ENOMEM;
	}
	if (!r) {
		long n = vfs_pread(f, p, sz, 0);
		if (n < 0) {
			r = (int)n;
			kfree(p);
		} else {
			*buf = p;
			*size = (size_t)n;
		}
	}
	file_put(f);
	return r;
}

struct first_name {
	struct dir_ctx ctx;
	char name[NAME_MAX + 1];
	bool found;
};

static bool first_emit(struct dir_ctx *ctx, const char *name, size_t len, uint64_t ino,
		       unsigned int type, uint64_t next)
{
	struct first_name *fn = container_of(ctx, struct first_name, ctx);
	if ((len == 1 && name[0] == '.') ||
	    (len == 2 && name[0] == '.' && name[1] == '.'))
		return true;
	memcpy(fn->name, name, len);
	fn->name[len] = 0;
	fn->found = true;
	return false;
}

static int remove_in(struct inode *dir, const char *name, int depth)
{
	struct inode *child = child_of(dir, name);
	if (IS_ERR(child))
		return (int)PTR_ERR(child);
	int r = 0;
	if (S_ISDIR(child->mode) && !child->mounted) {
		struct first_name *fn = kmalloc(sizeof(*fn));
		if (!fn || depth > 256)
			r = fn ? -ELOOP : -ENOMEM;
		while (!r) {
			fn->ctx.pos = 0;
			fn->ctx.emit = first_emit;
			fn->found = false;
			if (!child->iops || !child->iops->iterate)
				break;
			child->iops->iterate(child, &fn->ctx);
			if (!fn->found)
				break;
			r = remove_in(child, fn->name, depth + 1);
		}
		kfree(fn);
		if (!r)
			r = dir->iops->rmdir ? dir->iops->rmdir(dir, name) : -EPERM;
	} else if (S_ISDIR(child->mode)) {
		r = -EBUSY;
	} else {
		r = dir->iops->unlink ? dir->iops->unlink(dir, name) : -EPERM;
	}
	inode_put(child);
	return r;
}

int vfs_remove_tree(const char *path)
{
	struct nameidata *nd = nd_alloc();
	if (!nd)
		return -ENOMEM;
	int r = vfs_lookup_at(AT_FDCWD, path, LOOKUP_PARENT, nd);
	if (!r) {
		r = nd->last_type == LAST_NORM ? remove_in(nd->inode, nd->last, 0)
					       : -EBUSY;
		nd_release(nd);
	}
	nd_free(nd);
	return r;
}
