// SPDX-License-Identifier: MIT
/* Open file objects: reference counting and the defaults behind each file
 * operation (a file system gives only what it has: a regular file gives
 * pread/pwrite and gets read/write at f->pos for free).  The descriptor table
 * is fdtable.c; what the operations do is each file system's business. */
#include <string.h>
#include <kern/err.h>
#include <kern/heap.h>
#include <uapi/errno.h>
#include <uapi/poll.h>
#include "fs/internal.h"

struct file *file_alloc(struct inode *inode, unsigned int flags, const char *path)
{
	struct file *f = kzalloc(sizeof(*f));
	if (!f)
		return ERR_PTR(-ENOMEM);
	f->path = kstrdup(path ? path : "");
	if (!f->path) {
		kfree(f);
		return ERR_PTR(-ENOMEM);
	}
	f->refcount = 1;
	f->flags = flags;
	f->inode = inode_get(inode);
	f->ops = inode ? inode->fops : NULL;
	return f;
}

struct file *file_get(struct file *f)
{
	if (f)
		f->refcount++;
	return f;
}

void file_put(struct file *f)
{
	if (!f || --f->refcount > 0)
		return;
	if (f->epoll_watch)
		epoll_file_gone(f); /* as Linux: closing the file leaves every set */
	if (f->ops && f->ops->release && !(f->flags & O_PATH))
		f->ops->release(f);
	inode_put(f->inode);
	kfree(f->path);
	kfree(f);
}

long vfs_pread(struct file *f, void *kbuf, size_t len, uint64_t off)
{
	if (f->inode && S_ISDIR(f->inode->mode))
		return -EISDIR;
	if (!f->ops || !f->ops->pread)
		return f->ops && f->ops->read ? -ESPIPE : -EINVAL;
	if ((int64_t)off < 0)
		return -EINVAL;
	long n = f->ops->pread(f, kbuf, len, off);
	if (n > 0 && f->inode)
		f->inode->atime_ns = vfs_now_ns();
	return n;
}

long vfs_pwrite(struct file *f, const void *kbuf, size_t len, uint64_t off)
{
	if (!f->ops || !f->ops->pwrite)
		return f->ops && f->ops->write ? -ESPIPE : -EINVAL;
	if ((int64_t)off < 0)
		return -EINVAL;
	return f->ops->pwrite(f, kbuf, len, off);
}

long vfs_read(struct file *f, void *kbuf, size_t len)
{
	if (f->inode && S_ISDIR(f->inode->mode))
		return -EISDIR;
	if (f->ops && f->ops->read)
		return f->ops->read(f, kbuf, len);
	if (!f->ops || !f->ops->pread)
		return -EINVAL;
	long n = f->ops->pread(f, kbuf, len, f->pos);
	if (n > 0) {
		f->pos += (uint64_t)n;
		if (f->inode)
			f->inode->atime_ns = vfs_now_ns();
	}
	return n;
}

long vfs_write(struct file *f, const void *kbuf, size_t len)
{
	if (f->ops && f->ops->write)
		return f->ops->write(f, kbuf, len);
	if (!f->ops || !f->ops->pwrite)
		return -EINVAL;
	if ((f->flags & O_APPEND) && f->inode)
		f->pos = f->inode->size;
	long n = f->ops->pwrite(f, kbuf, len, f->pos);
	if (n > 0)
		f->pos += (uint64_t)n;
	return n;
}

long generic_lseek(struct file *f, int64_t off, int whence)
{
	int64_t base;
	switch (whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = (int64_t)f->pos;
		break;
	case SEEK_END:
		base = (int64_t)f->inode->size;
		break;
	case SEEK_DATA:
		if (off < 0 || (uint64_t)off >= f->inode->size)
			return -ENXIO;
		base = 0;
		break;
	case SEEK_HOLE:
		if (off < 0 || (uint64_t)off > f->inode->size)
			return -ENXIO;
		off = (int64_t)f->inode->size;
		base = 0;
		break;
	default:
		return -EINVAL;
	}
	if ((off > 0 && base > INT64_MAX - off) || base + off < 0)
		return -EINVAL;
	f->pos = (uint64_t)(base + off);
	return (long)f->pos;
}

long vfs_lseek(struct file *f, int64_t off, int whence)
{
	if (!f->ops || !f->ops->lseek)
		return -ESPIPE;
	return f->ops->lseek(f, off, whence);
}

int vfs_iterate(struct file *f, struct dir_ctx *ctx)
{
	if (!f->inode || !S_ISDIR(f->inode->mode))
		return -ENOTDIR;
	if (!f->ops || !f->ops->iterate)
		return -ENOTDIR;
	ctx->pos = f->pos;
	int r = f->ops->iterate(f, ctx);
	f->pos = ctx->pos;
	f->inode->atime_ns = vfs_now_ns();
	return r;
}

unsigned int vfs_poll(struct file *f)
{
	if (!f->ops || !f->ops->poll)
		return POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;
	return f->ops->poll(f);
}

static int dir_iterate(struct file *f, struct dir_ctx *ctx)
{
	struct inode *dir = f->inode;
	if (!dir->iops || !dir->iops->iterate)
		return -ENOTDIR;
	if (!dir->nlink && !dir->sb->transient)
		return 0; /* removed: empty, not even "." */
	return dir->iops->iterate(dir, ctx);
}

static long dir_lseek(struct file *f, int64_t off, int whence)
{
	if (whence == SEEK_SET && off >= 0) {
		f->pos = (uint64_t)off;
		return off;
	}
	if (whence == SEEK_CUR && off == 0)
		return (long)f->pos;
	return -EINVAL;
}

const struct file_ops dir_file_ops = {
    .iterate = dir_iterate,
    .lseek = dir_lseek,
};

int vfs_file_size(struct file *f, uint64_t *size)
{
	if (!f->inode)
		return -EINVAL;
	if (S_ISDIR(f->inode->mode))
		return -EISDIR;
	if (f->ops && f->ops->size)
		return f->ops->size(f, size);
	if (!S_ISREG(f->inode->mode))
		return -EINVAL;
	*size = f->inode->size;
	return 0;
}

int vfs_check_exec(struct file *f)
{
	if (!f->inode || !S_ISREG(f->inode->mode))
		return -EACCES;
	return vfs_permission(f->inode, MAY_EXEC);
}

int vfs_file_path(struct file *f, char *buf, size_t size)
{
	size_t n = strlen(f->path);
	if (size) {
		size_t c = MIN(n, size - 1);
		memcpy(buf, f->path, c);
		buf[c] = 0;
	}
	return (int)n;
}
