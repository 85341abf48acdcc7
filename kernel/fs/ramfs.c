// SPDX-License-Identifier: MIT
/* ramfs: the in-memory file system at / (filled from the initrd) and /tmp.
 * Regular files are one growable contiguous buffer; directories are a list of
 * names ordered by a per-directory cookie that never goes back, so a getdents
 * cursor (the cookie) stays valid while entries come and go.  Checks that
 * hold for every file system (types, EXDEV, loops) are vfs.c's. */
#include <string.h>
#include <kern/err.h>
#include <kern/heap.h>
#include <uapi/errno.h>
#include "fs/internal.h"

#define RAMFS_MAX_FILE (1ULL << 40)

struct ramfs_dirent {
	struct list_head link;
	uint64_t cookie;
	struct inode *inode; /* counted in inode->nlink, not refcount */
	char name[];
};

static const struct inode_ops ramfs_dir_iops, ramfs_file_iops, ramfs_link_iops,
    ramfs_node_iops;
static const struct super_ops ramfs_sops;

static struct ramfs_dirent *find(struct inode *dir, const char *name)
{
	struct ramfs_dirent *d;
	list_for_each_entry(d, &dir->ram.dir.entries, link)
	{
		if (!strcmp(d->name, name))
			return d;
	}
	return NULL;
}

/* Drops one name of inode: frees it if that was the last name and reference. */
static void drop_link(struct inode *inode)
{
	if (inode->nlink)
		inode->nlink--;
	inode->ctime_ns = vfs_now_ns();
	inode_get(inode);
	inode_put(inode);
}

static int add_entry(struct inode *dir, const char *name, struct inode *inode)
{
	size_t n = strlen(name);
	struct ramfs_dirent *d = kmalloc(sizeof(*d) + n + 1);
	if (!d)
		return -ENOMEM;
	memcpy(d->name, name, n + 1);
	d->inode = inode;
	d->cookie = dir->ram.dir.next_cookie++;
	list_add_tail(&d->link, &dir->ram.dir.entries);
	dir->ram.dir.count++;
	dir->size = dir->ram.dir.count;
	inode_touch(dir, false, true, true);
	return 0;
}

static void del_entry(struct inode *dir, struct ramfs_dirent *d)
{
	list_del(&d->link);
	kfree(d);
	dir->ram.dir.count--;
	dir->size = dir->ram.dir.count;
	inode_touch(dir, false, true, true);
}

static void init_dir(struct inode *dir, struct inode *parent)
{
	list_init(&dir->ram.dir.entries);
	dir->ram.dir.next_cookie = 2; /* 0 is ".", 1 is ".." */
	dir->parent = parent;
	dir->nlink = 2;
}

static struct inode *ramfs_lookup(struct inode *dir, const char *name)
{
	struct ramfs_dirent *d = find(dir, name);
	return d ? inode_get(d->inode) : ERR_PTR(-ENOENT);
}

static int ramfs_iterate(struct inode *dir, struct dir_ctx *ctx)
{
	if (ctx->pos == 0) {
		if (!ctx->emit(ctx, ".", 1, dir->ino, mode_to_dtype(S_IFDIR), 1))
			return 0;
		ctx->pos = 1;
	}
	if (ctx->pos == 1) {
		uint64_t pino = dir->parent ? dir->parent->ino : dir->ino;
		if (!ctx->emit(ctx, "..", 2, pino, mode_to_dtype(S_IFDIR), 2))
			return 0;
		ctx->pos = 2;
	}
	struct ramfs_dirent *d;
	list_for_each_entry(d, &dir->ram.dir.entries, link)
	{
		if (d->cookie < ctx->pos)
			continue;
		if (!ctx->emit(ctx, d->name, strlen(d->name), d->inode->ino,
			       mode_to_dtype(d->inode->mode), d->cookie + 1))
			return 0;
		ctx->pos = d->cookie + 1;
	}
	return 0;
}

static struct inode *ramfs_new(struct super_block *sb, struct inode *dir, uint32_t mode,
			       uint64_t rdev)
{
	struct inode *inode = inode_alloc(sb, mode);
	if (!inode)
		return NULL;
	vfs_init_owner(inode, dir);
	switch (mode & S_IFMT) {
	case S_IFDIR:
		inode->iops = &ramfs_dir_iops;
		inode->fops = &dir_file_ops;
		init_dir(inode, dir);
		break;
	case S_IFREG:
		inode->iops = &ramfs_file_iops;
		inode->fops = &ramfs_file_ops;
		inode->nlink = 1;
		break;
	case S_IFLNK:
		inode->iops = &ramfs_link_iops;
		inode->nlink = 1;
		break;
	default: /* devices and fifos: devfs/pipe.c give them behaviour */
		inode->iops = &ramfs_node_iops;
		inode->rdev = rdev;
		inode->nlink = 1;
		break;
	}
	return inode;
}

static struct inode *ramfs_mknod(struct inode *dir, const char *name, uint32_t mode,
				 uint64_t rdev)
{
	if (!dir->nlink)
		return ERR_PTR(-ENOENT); /* removed directory */
	if (find(dir, name))
		return ERR_PTR(-EEXIST);
	struct inode *inode = ramfs_new(dir->sb, dir, mode, rdev);
	if (!inode)
		return ERR_PTR(-ENOMEM);
	if (add_entry(dir, name, inode)) {
		inode->nlink = 0;
		inode_put(inode);
		return ERR_PTR(-ENOMEM);
	}
	if (S_ISDIR(mode))
		dir->nlink++;
	return inode;
}

static int ramfs_symlink(struct inode *dir, const char *name, const char *target)
{
	if (!dir->nlink)
		return -ENOENT;
	if (find(dir, name))
		return -EEXIST;
	struct inode *inode = ramfs_new(dir->sb, dir, S_IFLNK | 0777, 0);
	if (!inode)
		return -ENOMEM;
	inode->ram.lnk.target = kstrdup(target);
	inode->size = strlen(target);
	int r = inode->ram.lnk.target ? add_entry(dir, name, inode) : -ENOMEM;
	if (r)
		inode->nlink = 0;
	inode_put(inode);
	return r;
}

static int ramfs_link(struct inode *dir, const char *name, struct inode *target)
{
	if (!dir->nlink)
		return -ENOENT;
	if (find(dir, name))
		return -EEXIST;
	int r = add_entry(dir, name, target);
	if (r)
		return r;
	target->nlink++;
	inode_touch(target, false, false, true);
	return 0;
}

static int ramfs_unlink(struct inode *dir, const char *name)
{
	struct ramfs_dirent *d = find(dir, name);
	if (!d)
		return -ENOENT;
	struct inode *inode = d->inode;
	del_entry(dir, d);
	drop_link(inode);
	return 0;
}

static bool ramfs_is_empty(struct inode *dir)
{
	return dir->ram.dir.count == 0;
}

static int ramfs_rmdir(struct inode *dir, const char *name)
{
	struct ramfs_dirent *d = find(dir, name);
	if (!d)
		return -ENOENT;
	struct inode *victim = d->inode;
	if (!S_ISDIR(victim->mode))
		return -ENOTDIR;
	if (victim->ram.dir.count)
		return -ENOTEMPTY;
	if (victim->mounted)
		return -EBUSY;
	del_entry(dir, d);
	dir->nlink--;
	victim->parent = NULL;
	victim->nlink = 1; /* drop_link takes the last one */
	drop_link(victim);
	return 0;
}

static int ramfs_rename(struct inode *odir, const char *oname, struct inode *ndir,
			const char *nname, unsigned int flags)
{
	struct ramfs_dirent *od = find(odir, oname);
	if (!od)
		return -ENOENT;
	struct inode *src = od->inode;
	if (!ndir->nlink)
		return -ENOENT;
	struct ramfs_dirent *nd = find(ndir, nname);
	if (nd && (flags & RENAME_NOREPLACE))
		return -EEXIST;
	if (nd && nd->inode == src)
		return 0;
	if (nd) {
		struct inode *dst = nd->inode;
		if (S_ISDIR(src->mode) && !S_ISDIR(dst->mode))
			return -ENOTDIR;
		if (!S_ISDIR(src->mode) && S_ISDIR(dst->mode))
			return -EISDIR;
		if (S_ISDIR(dst->mode) && dst->ram.dir.count)
			return -ENOTEMPTY;
		if (dst->mounted)
			return -EBUSY;
	}
	/* allocate first so nothing changes on -ENOMEM */
	size_t n = strlen(nname);
	struct ramfs_dirent *moved = kmalloc(sizeof(*moved) + n + 1);
	if (!moved)
		return -ENOMEM;
	if (nd) {
		struct inode *dst = nd->inode;
		del_entry(ndir, nd);
		if (S_ISDIR(dst->mode)) {
			ndir->nlink--;
			dst->parent = NULL;
			dst->nlink = 1;
		}
		drop_link(dst);
	}
	del_entry(odir, od);
	memcpy(moved->name, nname, n + 1);
	moved->inode = src;
	moved->cookie = ndir->ram.dir.next_cookie++;
	list_add_tail(&moved->link, &ndir->ram.dir.entries);
	ndir->ram.dir.count++;
	ndir->size = ndir->ram.dir.count;
	inode_touch(ndir, false, true, true);
	if (S_ISDIR(src->mode) && odir != ndir) {
		odir->nlink--;
		ndir->nlink++;
		src->parent = ndir;
	}
	inode_touch(src, false, false, true);
	return 0;
}

static long ramfs_readlink(struct inode *inode, char *buf, size_t size)
{
	size_t n = MIN(inode->size, size - 1);
	memcpy(buf, inode->ram.lnk.target, n);
	buf[n] = 0;
	return (long)n;
}

/* Makes room for size bytes, zero-filling from the old size (holes read as 0). */
static int reserve(struct inode *inode, uint64_t size)
{
	if (size > RAMFS_MAX_FILE)
		return -EFBIG;
	if (size > inode->ram.reg.cap) {
		uint64_t cap = MAX(
		    size, MIN(inode->ram.reg.cap * 2, inode->ram.reg.cap + (64 << 20)));
		cap = ALIGN_UP(cap, 64);
		char *p = krealloc(inode->ram.reg.data, cap);
		if (!p)
			return -ENOSPC;
		inode->ram.reg.data = p;
		inode->ram.reg.cap = cap;
	}
	return 0;
}

static int ramfs_truncate(struct inode *inode, uint64_t size)
{
	if (size > inode->size) {
		int r = reserve(inode, size);
		if (r)
			return r;
		memset(inode->ram.reg.data + inode->size, 0, size - inode->size);
	} else if (size < inode->size && size + 65536 < inode->ram.reg.cap / 2) {
		char *p = krealloc(inode->ram.reg.data, size ? size : 1);
		if (p) {
			inode->ram.reg.data = p;
			inode->ram.reg.cap = size ? size : 1;
		}
	}
	inode->size = size;
	inode_touch(inode, false, true, true);
	return 0;
}

static long ramfs_pread(struct file *f, void *buf, size_t len, uint64_t off)
{
	struct inode *inode = f->inode;
	if (off >= inode->size)
		return 0;
	size_t n = MIN(len, inode->size - off);
	memcpy(buf, inode->ram.reg.data + off, n);
	return (long)n;
}

static long ramfs_pwrite(struct file *f, const void *buf, size_t len, uint64_t off)
{
	struct inode *inode = f->inode;
	if (!len)
		return 0;
	if (off + len < off)
		return -EFBIG;
	int r = reserve(inode, off + len);
	if (r)
		return r;
	if (off > inode->size)
		memset(inode->ram.reg.data + inode->size, 0, off - inode->size);
	memcpy(inode->ram.reg.data + off, buf, len);
	if (off + len > inode->size)
		inode->size = off + len;
	inode_touch(inode, false, true, true);
	return (long)len;
}

static void ramfs_evict(struct inode *inode)
{
	if (S_ISREG(inode->mode))
		kfree(inode->ram.reg.data);
	else if (S_ISLNK(inode->mode))
		kfree(inode->ram.lnk.target);
	else if (S_ISDIR(inode->mode)) {
		struct ramfs_dirent *d, *n;
		list_for_each_entry_safe(d, n, &inode->ram.dir.entries, link)
		{
			list_del(&d->link);
			kfree(d);
		}
	}
}

static int ramfs_statfs(struct super_block *sb, struct linux_statfs *st)
{
	memset(st, 0, sizeof(*st));
	st->f_type = TMPFS_MAGIC;
	st->f_bsize = 4096;
	st->f_frsize = 4096;
	st->f_blocks = 1 << 20;
	st->f_bfree = 1 << 19;
	st->f_bavail = 1 << 19;
	st->f_files = 1 << 20;
	st->f_ffree = (1 << 20) - sb->next_ino;
	st->f_fsid[0] = (int32_t)sb->dev;
	st->f_namelen = NAME_MAX;
	return 0;
}

/* A fresh ramfs whose root directory is sb->root (held by the sb). */
struct super_block *ramfs_create(void)
{
	struct super_block *sb = sb_alloc(&ramfs_sops);
	if (!sb)
		return NULL;
	struct inode *root = ramfs_new(sb, NULL, S_IFDIR | 0755, 0);
	if (!root) {
		kfree(sb);
		return NULL;
	}
	sb->root = root;
	return sb;
}

static const struct super_ops ramfs_sops = {
    .evict = ramfs_evict,
    .statfs = ramfs_statfs,
};

static const struct inode_ops ramfs_dir_iops = {
    .lookup = ramfs_lookup,
    .iterate = ramfs_iterate,
    .create = ramfs_mknod,
    .symlink = ramfs_symlink,
    .link = ramfs_link,
    .unlink = ramfs_unlink,
    .rmdir = ramfs_rmdir,
    .rename = ramfs_rename,
    .is_empty = ramfs_is_empty,
};

static const struct inode_ops ramfs_file_iops = {
    .truncate = ramfs_truncate,
};

static const struct inode_ops ramfs_link_iops = {
    .readlink = ramfs_readlink,
};

static const struct inode_ops ramfs_node_iops = {0};

const struct file_ops ramfs_file_ops = {
    .pread = ramfs_pread,
    .pwrite = ramfs_pwrite,
    .lseek = generic_lseek,
};
