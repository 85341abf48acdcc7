// SPDX-License-Identifier: MIT
/* Name-space system calls: directories (getdents, getcwd, chdir, mkdir,
 * rmdir), names (unlink, rename, link, symlink, mknod) and pipe creation.
 * The operations are kernel/fs/vfs.c; this file copies user arguments. */
#include <string.h>
#include <kern/err.h>
#include <kern/heap.h>
#include <kern/proc.h>
#include <kern/syscall.h>
#include <kern/uaccess.h>
#include <uapi/dirent.h>
#include <uapi/errno.h>
#include <uapi/fcntl.h>
#include "fs/sysutil.h"

#define DIRENT_CHUNK 65536

struct dirent_buf {
	struct dir_ctx ctx;
	char *buf;
	size_t size, used;
	bool old; /* struct linux_dirent, not linux_dirent64 */
};

static bool emit_dirent(struct dir_ctx *ctx, const char *name, size_t len, uint64_t ino,
			unsigned int type, uint64_t next)
{
	struct dirent_buf *b = container_of(ctx, struct dirent_buf, ctx);
	if (b->old) {
		size_t reclen =
		    ALIGN_UP(offsetof(struct linux_dirent, d_name) + len + 2, 8);
		if (b->used + reclen > b->size)
			return false;
		struct linux_dirent *d = (struct linux_dirent *)(b->buf + b->used);
		d->d_ino = ino;
		d->d_off = next;
		d->d_reclen = (uint16_t)reclen;
		memcpy(d->d_name, name, len);
		memset(d->d_name + len, 0,
		       reclen - offsetof(struct linux_dirent, d_name) - len);
		((char *)d)[reclen - 1] = (char)type;
		b->used += reclen;
		return true;
	}
	size_t reclen = ALIGN_UP(offsetof(struct linux_dirent64, d_name) + len + 1, 8);
	if (b->used + reclen > b->size)
		return false;
	struct linux_dirent64 *d = (struct linux_dirent64 *)(b->buf + b->used);
	d->d_ino = ino;
	d->d_off = (int64_t)next;
	d->d_reclen = (uint16_t)reclen;
	d->d_type = (uint8_t)type;
	memcpy(d->d_name, name, len);
	memset(d->d_name + len, 0,
	       reclen - offsetof(struct linux_dirent64, d_name) - len);
	b->used += reclen;
	return true;
}

static bool probe_dirent(struct dir_ctx *ctx, const char *name, size_t len, uint64_t ino,
			 unsigned int type, uint64_t next)
{
	ctx->pos = UINT64_MAX; /* found one; stop */
	return false;
}

static long do_getdents(int fd, unsigned long ubuf, unsigned int count, bool old)
{
	struct file *f = fd_file(fd);
	if (!f || (f->flags & O_PATH))
		return -EBADF;
	if (!f->inode || !S_ISDIR(f->inode->mode))
		return -ENOTDIR;
	if (!access_ok(ubuf, count))
		return -EFAULT;
	struct dirent_buf b = {.size = MIN(count, DIRENT_CHUNK), .old = old};
	b.ctx.emit = emit_dirent;
	b.buf = kmalloc(b.size ? b.size : 1);
	if (!b.buf)
		return -ENOMEM;
	uint64_t pos = f->pos;
	long r = vfs_iterate(f, &b.ctx);
	if (!r && !b.used) {
		/* nothing fit: -EINVAL if an entry is left (buffer too small) */
		struct dir_ctx probe = {.pos = f->pos, .emit = probe_dirent};
		if (f->ops->iterate(f, &probe) == 0 && probe.pos == UINT64_MAX)
			r = -EINVAL;
	}
	if (!r && b.used && copy_to_user(ubuf, b.buf, b.used)) {
		f->pos = pos;
		r = -EFAULT;
	}
	kfree(b.buf);
	return r ? r : (long)b.used;
}

long sys_getdents64(int fd, unsigned long ubuf, unsigned int count)
{
	return do_getdents(fd, ubuf, count, false);
}
SYSCALL_REGISTER(__NR_getdents64, sys_getdents64);

long sys_getdents(int fd, unsigned long ubuf, unsigned int count)
{
	return do_getdents(fd, ubuf, count, true);
}
SYSCALL_REGISTER(__NR_getdents, sys_getdents);

long sys_getcwd(unsigned long ubuf, size_t size)
{
	struct fs_context *c = fs_current();
	if (!c->cwd->nlink && !c->cwd->sb->transient)
		return -ENOENT; /* removed */
	size_t n = strlen(c->cwd_path) + 1;
	if (size < n)
		return -ERANGE;
	if (copy_to_user(ubuf, c->cwd_path, n))
		return -EFAULT;
	return (long)n;
}
SYSCALL_REGISTER(__NR_getcwd, sys_getcwd);

long sys_chdir(unsigned long upath)
{
	char *path = user_path(upath);
	if (IS_ERR(path))
		return PTR_ERR(path);
	long r = vfs_chdir_path(path);
	kfree(path);
	return r;
}
SYSCALL_REGISTER(__NR_chdir, sys_chdir);

long sys_fchdir(int fd)
{
	struct file *f = fd_file(fd);
	if (!f || !f->inode)
		return -EBADF;
	if (!S_ISDIR(f->inode->mode))
		return -ENOTDIR;
	int r = vfs_permission(f->inode, MAY_EXEC);
	if (r)
		return r;
	struct fs_context *c = fs_current();
	char *s = kstrdup(f->path);
	if (!s)
		return -ENOMEM;
	inode_put(c->cwd);
	kfree(c->cwd_path);
	c->cwd = inode_get(f->inode);
	c->cwd_path = s;
	return 0;
}
SYSCALL_REGISTER(__NR_fchdir, sys_fchdir);

long sys_mknodat(int dirfd, unsigned long upath, unsigned int mode, unsigned int dev)
{
	uint32_t type = mode & S_IFMT;
	if (type == 0)
		type = S_IFREG;
	if (type == S_IFDIR || type == S_IFLNK)
		return -EINVAL;
	if (type != S_IFREG && type != S_IFSOCK)
		return -EPERM; /* devices and fifos need a driver: not yet */
	char *path = user_path(upath);
	if (IS_ERR(path))
		return PTR_ERR(path);
	long r = vfs_mknodat(dirfd, path, type | (mode & 07777), dev);
	kfree(path);
	return r;
}
SYSCALL_REGISTER(__NR_mknodat, sys_mknodat);

long sys_mknod(unsigned long upath, unsigned int mode, unsigned int dev)
{
	return sys_mknodat(AT_FDCWD, upath, mode, dev);
}
SYSCALL_REGISTER(__NR_mknod, sys_mknod);

long sys_mkdirat(int dirfd, unsigned long upath, unsigned int mode)
{
	char *path = user_path(upath);
	if (IS_ERR(path))
		return PTR_ERR(path);
	long r = vfs_mknodat(dirfd, path, S_IFDIR | (mode & 07777), 0);
	kfree(path);
	return r;
}
SYSCALL_REGISTER(__NR_mkdirat, sys_mkdirat);

long sys_mkdir(unsigned long upath, unsigned int mode)
{
	return sys_mkdirat(AT_FDCWD, upath, mode);
}
SYSCALL_REGISTER(__NR_mkdir, sys_mkdir);

long sys_unlinkat(int dirfd, unsigned long upath, int flags)
{
	char *path = user_path(upath);
	if (IS_ERR(path))
		return PTR_ERR(path);
	long r = vfs_unlinkat(dirfd, path, flags);
	kfree(path);
	return r;
}
SYSCALL_REGISTER(__NR_unlinkat, sys_unlinkat);

long sys_unlink(unsigned long upath)
{
	return sys_unlinkat(AT_FDCWD, upath, 0);
}
SYSCALL_REGISTER(__NR_unlink, sys_unlink);

long sys_rmdir(unsigned long upath)
{
	return sys_unlinkat(AT_FDCWD, upath, AT_REMOVEDIR);
}
SYSCALL_REGISTER(__NR_rmdir, sys_rmdir);

long sys_renameat2(int olddirfd, unsigned long uold, int newdirfd, unsigned long unew,
		   unsigned int flags)
{
	char *o = user_path(uold);
	if (IS_ERR(o))
		return PTR_ERR(o);
	char *n = user_path(unew);
	if (IS_ERR(n)) {
		kfree(o);
		return PTR_ERR(n);
	}
	long r = vfs_renameat(olddirfd, o, newdirfd, n, flags);
	kfree(o);
	kfree(n);
	return r;
}
SYSCALL_REGISTER(__NR_renameat2, sys_renameat2);

long sys_renameat(int olddirfd, unsigned long uold, int newdirfd, unsigned long unew)
{
	return sys_renameat2(olddirfd, uold, newdirfd, unew, 0);
}
SYSCALL_REGISTER(__NR_renameat, sys_renameat);

long sys_rename(unsigned long uold, unsigned long unew)
{
	return sys_renameat2(AT_FDCWD, uold, AT_FDCWD, unew, 0);
}
SYSCALL_REGISTER(__NR_rename, sys_rename);

long sys_linkat(int olddirfd, unsigned long uold, int newdirfd, unsigned long unew,
		int flags)
{
	char *o = user_path(uold);
	if (IS_ERR(o))
		return PTR_ERR(o);
	char *n = user_path(unew);
	if (IS_ERR(n)) {
		kfree(o);
		return PTR_ERR(n);
	}
	long r = vfs_linkat(olddirfd, o, newdirfd, n, flags);
	kfree(o);
	kfree(n);
	return r;
}
SYSCALL_REGISTER(__NR_linkat, sys_linkat);

long sys_link(unsigned long uold, unsigned long unew)
{
	return sys_linkat(AT_FDCWD, uold, AT_FDCWD, unew, 0);
}
SYSCALL_REGISTER(__NR_link, sys_link);

long sys_symlinkat(unsigned long utarget, int newdirfd, unsigned long ulink)
{
	char *t = user_path(utarget);
	if (IS_ERR(t))
		return PTR_ERR(t);
	char *l = user_path(ulink);
	if (IS_ERR(l)) {
		kfree(t);
		return PTR_ERR(l);
	}
	long r = vfs_symlinkat(t, newdirfd, l);
	kfree(t);
	kfree(l);
	return r;
}
SYSCALL_REGISTER(__NR_symlinkat, sys_symlinkat);

long sys_symlink(unsigned long utarget, unsigned long ulink)
{
	return sys_symlinkat(utarget, AT_FDCWD, ulink);
}
SYSCALL_REGISTER(__NR_symlink, sys_symlink);

long sys_pipe2(unsigned long ufds, int flags)
{
	if (flags & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT))
		return -EINVAL;
	if (!access_ok(ufds, 2 * sizeof(int)))
		return -EFAULT;
	struct file *r, *w;
	int err = pipe_create(&r, &w, (unsigned int)flags);
	if (err)
		return err;
	struct fdtable *t = fdt_current();
	int fds[2];
	fds[0] = fd_install(t, 0, r, flags & O_CLOEXEC);
	if (fds[0] < 0) {
		file_put(r);
		file_put(w);
		return fds[0];
	}
	fds[1] = fd_install(t, 0, w, flags & O_CLOEXEC);
	if (fds[1] < 0) {
		fd_close(t, fds[0]);
		file_put(w);
		return fds[1];
	}
	if (copy_to_user(ufds, fds, sizeof(fds))) {
		fd_close(t, fds[0]);
		fd_close(t, fds[1]);
		return -EFAULT;
	}
	return 0;
}
SYSCALL_REGISTER(__NR_pipe2, sys_pipe2);

long sys_pipe(unsigned long ufds)
{
	return sys_pipe2(ufds, 0);
}
SYSCALL_REGISTER(__NR_pipe, sys_pipe);
