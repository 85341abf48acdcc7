// SPDX-License-Identifier: MIT
/* Inodes and mounted file systems: allocation, reference counting, the
 * attributes every file system shares, and crossing mount points.  What an
 * inode holds is up to its file system (ramfs.c, devfs.c, procfs.c, pipe.c);
 * path walking is namei.c. */
#include <string.h>
#include <kern/clock.h>
#include <kern/err.h>
#include <kern/heap.h>
#include <uapi/dirent.h>
#include <uapi/errno.h>
#include "fs/internal.h"

struct inode *vfs_root;
static uint64_t next_dev = 1;

int64_t vfs_now_ns(void)
{
	return (int64_t)clock_realtime_ns();
}

struct super_block *sb_alloc(const struct super_ops *ops)
{
	struct super_block *sb = kzalloc(sizeof(*sb));
	if (!sb)
		return NULL;
	sb->ops = ops;
	sb->dev = next_dev++;
	sb->next_ino = 1;
	return sb;
}

/* A new inode with refcount 1 and nlink 0 (the file system links it). */
struct inode *inode_alloc(struct super_block *sb, uint32_t mode)
{
	struct inode *inode = kzalloc(sizeof(*inode));
	if (!inode)
		return NULL;
	inode->sb = sb;
	inode->ino = sb->next_ino++;
	inode->mode = mode;
	inode->refcount = 1;
	int64_t now = vfs_now_ns();
	inode->atime_ns = inode->mtime_ns = inode->ctime_ns = now;
	return inode;
}

struct inode *inode_get(struct inode *inode)
{
	if (inode)
		inode->refcount++;
	return inode;
}

/* Drops a reference.  An inode no directory names and nobody uses is freed
 * (transient file systems free every unreferenced inode). */
void inode_put(struct inode *inode)
{
	if (!inode)
		return;
	if (--inode->refcount > 0)
		return;
	if (inode->nlink && !inode->sb->transient)
		return;
	if (inode->sb->ops && inode->sb->ops->evict)
		inode->sb->ops->evict(inode);
	kfree(inode);
}

void inode_touch(struct inode *inode, bool atime, bool mtime, bool ctime)
{
	int64_t now = vfs_now_ns();
	if (atime)
		inode->atime_ns = now;
	if (mtime)
		inode->mtime_ns = now;
	if (ctime)
		inode->ctime_ns = now;
}

void inode_stat(struct inode *inode, struct kstat *st)
{
	memset(st, 0, sizeof(*st));
	st->dev = inode->sb->dev;
	st->ino = inode->ino;
	st->nlink = inode->nlink ? inode->nlink : (inode->sb->transient ? 1 : 0);
	st->mode = inode->mode;
	st->uid = inode->uid;
	st->gid = inode->gid;
	st->rdev = inode->rdev;
	st->size = inode->size;
	st->blksize = 4096;
	st->blocks = (inode->size + 511) / 512;
	if (S_ISREG(inode->mode) && inode->ram.reg.cap)
		st->blocks = ALIGN_UP(inode->size, 4096) / 512;
	if (inode->blocks)
		st->blocks = inode->blocks;
	st->atime_ns = inode->atime_ns;
	st->mtime_ns = inode->mtime_ns;
	st->ctime_ns = inode->ctime_ns;
}

unsigned int mode_to_dtype(uint32_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG:
		return DT_REG;
	case S_IFDIR:
		return DT_DIR;
	case S_IFLNK:
		return DT_LNK;
	case S_IFCHR:
		return DT_CHR;
	case S_IFBLK:
		return DT_BLK;
	case S_IFIFO:
		return DT_FIFO;
	case S_IFSOCK:
		return DT_SOCK;
	default:
		return DT_UNKNOWN;
	}
}

static struct super_block *mount_list[VFS_MAX_MOUNTS];
static int mount_count;

/* Mounts sb on dir.  dir keeps a reference for as long as the mount exists. */
int vfs_mount(struct inode *dir, struct super_block *sb, const char *path,
	      const char *fstype)
{
	if (mount_count == VFS_MAX_MOUNTS)
		return -ENOMEM;
	if (dir) {
		if (!S_ISDIR(dir->mode))
			return -ENOTDIR;
		if (dir->mounted)
			return -EBUSY;
		dir->mounted = sb;
		sb->mountpoint = inode_get(dir);
	}
	sb->mnt_path = path;
	sb->fstype = fstype;
	mount_list[mount_count++] = sb;
	return 0;
}

int vfs_mounts(struct super_block **out, int max)
{
	int n = MIN(max, mount_count);
	for (int i = 0; i < n; i++)
		out[i] = mount_list[i];
	return n;
}

struct inode *inode_parent(struct inode *dir)
{
	if (dir == vfs_root)
		return inode_get(dir);
	while (dir == dir->sb->root && dir->sb->mountpoint)
		dir = dir->sb->mountpoint;
	if (dir == vfs_root)
		return inode_get(dir);
	if (!dir->parent)
		return ERR_PTR(-ENOENT);
	return inode_get(dir->parent);
}
