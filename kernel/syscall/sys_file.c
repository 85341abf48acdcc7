// SPDX-License-Identifier: MIT
/* File descriptor system calls: open/close, read/write and their vector and
 * positional forms, lseek, dup, fcntl, truncate, sync, sendfile.  Handlers
 * decode arguments, bounce user memory through kernel buffers in 64 KiB
 * chunks and call the file layer (kernel/fs/). */
#include <string.h>
#include <kern/err.h>
#include <kern/heap.h>
#include <kern/proc.h>
#include <kern/syscall.h>
#include <kern/uaccess.h>
#include <uapi/errno.h>
#include <uapi/fcntl.h>
#include <uapi/signal.h>
#include <uapi/uio.h>
#include "fs/sysutil.h"
#include "proc/internal.h"

#define IO_CHUNK     65536
#define MAX_RW_COUNT 0x7ffff000UL

static bool seekable(struct file *f)
{
	return f->ops && f->ops->pread;
}

/* Reads into user memory: at f->pos (pos NULL) or at *pos.  Regular files are
 * read chunk after chunk; streams return what one read gives. */
static long do_read(struct file *f, unsigned long ubuf, size_t count, uint64_t *pos)
{
	if (!file_readable(f))
		return -EBADF;
	if (f->inode && S_ISDIR(f->inode->mode))
		return -EISDIR;
	count = MIN(count, MAX_RW_COUNT);
	if (!count)
		return 0;
	if (!access_ok(ubuf, count))
		return -EFAULT;
	char *kbuf = kmalloc(MIN(count, IO_CHUNK));
	if (!kbuf)
		return -ENOMEM;
	long done = 0;
	while ((size_t)done < count) {
		size_t want = MIN(count - done, IO_CHUNK);
		long n =
		    pos ? vfs_pread(f, kbuf, want, *pos + done) : vfs_read(f, kbuf, want);
		if (n < 0) {
			if (!done)
				done = n;
			break;
		}
		if (n && copy_to_user(ubuf + done, kbuf, (size_t)n)) {
			if (!done)
				done = -EFAULT;
			break;
		}
		done += n;
		if ((size_t)n < want || !seekable(f))
			break;
	}
	kfree(kbuf);
	return done;
}

static long do_write(struct file *f, unsigned long ubuf, size_t count, uint64_t *pos)
{
	if (!file_writable(f))
		return -EBADF;
	count = MIN(count, MAX_RW_COUNT);
	if (!count)
		return 0;
	if (!access_ok(ubuf, count))
		return -EFAULT;
	char *kbuf = kmalloc(MIN(count, IO_CHUNK));
	if (!kbuf)
		return -ENOMEM;
	long done = 0;
	while ((size_t)done < count) {
		size_t want = MIN(count - done, IO_CHUNK);
		if (copy_from_user(kbuf, ubuf + done, want)) {
			if (!done)
				done = -EFAULT;
			break;
		}
		long n = pos ? vfs_pwrite(f, kbuf, want, *pos + done)
			     : vfs_write(f, kbuf, want);
		if (n < 0) {
			if (n == -EPIPE) /* Linux raises it for the writing thread */
				signal_send_thread(thread_current(), SIGPIPE);
			if (!done)
				done = n;
			break;
		}
		done += n;
		if ((size_t)n < want)
			break;
	}
	kfree(kbuf);
	return done;
}

long sys_read(int fd, unsigned long buf, size_t count)
{
	struct file *f = fd_file(fd);
	if (f && f->ops && f->ops->read_iov && file_readable(f)) {
		struct linux_iovec v = {buf, count};
		return f->ops->read_iov(f, &v, 1);
	}
	return f ? do_read(f, buf, count, NULL) : -EBADF;
}
SYSCALL_REGISTER(__NR_read, sys_read);

long sys_write(int fd, unsigned long buf, size_t count)
{
	struct file *f = fd_file(fd);
	if (f && f->ops && f->ops->write_iov && file_writable(f)) {
		struct linux_iovec v = {buf, count};
		return f->ops->write_iov(f, &v, 1);
	}
	return f ? do_write(f, buf, count, NULL) : -EBADF;
}
SYSCALL_REGISTER(__NR_write, sys_write);

long sys_pread64(int fd, unsigned long buf, size_t count, int64_t off)
{
	struct file *f = fd_file(fd);
	if (!f)
		return -EBADF;
	if (off < 0)
		return -EINVAL;
	if (!seekable(f))
		return file_readable(f) ? -ESPIPE : -EBADF;
	uint64_t pos = (uint64_t)off;
	return do_read(f, buf, count, &pos);
}
SYSCALL_REGISTER(__NR_pread64, sys_pread64);

long sys_pwrite64(int fd, unsigned long buf, size_t count, int64_t off)
{
	struct file *f = fd_file(fd);
	if (!f)
		return -EBADF;
	if (off < 0)
		return -EINVAL;
	if (!f->ops || !f->ops->pwrite)
		return file_writable(f) ? -ESPIPE : -EBADF;
	uint64_t pos = (uint64_t)off;
	return do_write(f, buf, count, &pos);
}
SYSCALL_REGISTER(__NR_pwrite64, sys_pwrite64);

/* Copies in and checks an iovec array; kfree the result. */
static struct linux_iovec *get_iov(unsigned long uiov, int cnt, long *err)
{
	if (cnt < 0 || cnt > UIO_MAXIOV) {
		*err = -EINVAL;
		return NULL;
	}
	struct linux_iovec *iov = kmalloc(sizeof(*iov) * (size_t)(cnt ? cnt : 1));
	if (!iov) {
		*err = -ENOMEM;
		return NULL;
	}
	if (copy_from_user(iov, uiov, sizeof(*iov) * (size_t)cnt)) {
		kfree(iov);
		*err = -EFAULT;
		return NULL;
	}
	uint64_t total = 0;
	for (int i = 0; i < cnt; i++) {
		if ((int64_t)iov[i].len < 0 ||
		    total + iov[i].len > 0x7fffffffffffffffULL) {
			kfree(iov);
			*err = -EINVAL;
			return NULL;
		}
		total += iov[i].len;
	}
	return iov;
}

static long do_rw_vec(int fd, unsigned long uiov, int cnt, int64_t off, bool positional,
		      bool write)
{
	struct file *f = fd_file(fd);
	if (!f)
		return -EBADF;
	if (write ? !file_writable(f) : !file_readable(f))
		return -EBADF;
	if (positional) {
		if (off < 0)
			return -EINVAL;
		if (!seekable(f))
			return -ESPIPE;
	}
	long err = 0;
	struct linux_iovec *iov = get_iov(uiov, cnt, &err);
	if (!iov)
		return err;
	if (!positional && f->ops && (write ? f->ops->write_iov : f->ops->read_iov)) {
		long r = write ? f->ops->write_iov(f, iov, cnt)
			       : f->ops->read_iov(f, iov, cnt);
		kfree(iov);
		return r;
	}
	uint64_t pos = (uint64_t)off;
	long done = 0;
	for (int i = 0; i < cnt; i++) {
		if (!iov[i].len)
			continue;
		long n =
		    write ? do_write(f, iov[i].base, iov[i].len, positional ? &pos : NULL)
			  : do_read(f, iov[i].base, iov[i].len, positional ? &pos : NULL);
		if (n < 0) {
			if (!done)
				done = n;
			break;
		}
		done += n;
		pos += (uint64_t)n;
		if ((uint64_t)n < iov[i].len)
			break;
	}
	kfree(iov);
	return done;
}

long sys_readv(int fd, unsigned long iov, int cnt)
{
	return do_rw_vec(fd, iov, cnt, 0, false, false);
}
SYSCALL_REGISTER(__NR_readv, sys_readv);

long sys_writev(int fd, unsigned long iov, int cnt)
{
	return do_rw_vec(fd, iov, cnt, 0, false, true);
}
SYSCALL_REGISTER(__NR_writev, sys_writev);

/* On x86_64 the whole offset is in pos_l; pos_h is ignored (as Linux does). */
long sys_preadv(int fd, unsigned long iov, int cnt, unsigned long pos_l,
		unsigned long pos_h)
{
	return do_rw_vec(fd, iov, cnt, (int64_t)pos_l, true, false);
}
SYSCALL_REGISTER(__NR_preadv, sys_preadv);

long sys_pwritev(int fd, unsigned long iov, int cnt, unsigned long pos_l,
		 unsigned long pos_h)
{
	return do_rw_vec(fd, iov, cnt, (int64_t)pos_l, true, true);
}
SYSCALL_REGISTER(__NR_pwritev, sys_pwritev);

long sys_openat(int dirfd, unsigned long upath, int flags, unsigned int mode)
{
	char *path = user_path(upath);
	if (IS_ERR(path))
		return PTR_ERR(path);
	struct file *f = vfs_openat(dirfd, path, flags, mode);
	kfree(path);
	if (IS_ERR(f))
		return PTR_ERR(f);
	int fd = fd_install(fdt_current(), 0, f, flags & O_CLOEXEC);
	if (fd < 0)
		file_put(f);
	return fd;
}
SYSCALL_REGISTER(__NR_openat, sys_openat);

long sys_open(unsigned long upath, int flags, unsigned int mode)
{
	return sys_openat(AT_FDCWD, upath, flags, mode);
}
SYSCALL_REGISTER(__NR_open, sys_open);

long sys_creat(unsigned long upath, unsigned int mode)
{
	return sys_openat(AT_FDCWD, upath, O_CREAT | O_WRONLY | O_TRUNC, mode);
}
SYSCALL_REGISTER(__NR_creat, sys_creat);

long sys_close(int fd)
{
	return fd_close(fdt_current(), fd);
}
SYSCALL_REGISTER(__NR_close, sys_close);

long sys_close_range(unsigned int first, unsigned int last, unsigned int flags)
{
	if (flags & ~(CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC))
		return -EINVAL;
	if (first > last)
		return -EINVAL;
	struct fdtable *t = fdt_current();
	for (unsigned int fd = first; fd <= last && fd < (unsigned int)t->nofile; fd++) {
		if (!t->fd[fd])
			continue;
		if (flags & CLOSE_RANGE_CLOEXEC)
			t->cloexec[fd] = 1;
		else
			fd_close(t, (int)fd);
	}
	return 0;
}
SYSCALL_REGISTER(__NR_close_range, sys_close_range);

long sys_lseek(int fd, int64_t off, unsigned int whence)
{
	struct file *f = fd_file(fd);
	if (!f || (f->flags & O_PATH))
		return -EBADF;
	if (whence > SEEK_HOLE)
		return -EINVAL;
	return vfs_lseek(f, off, (int)whence);
}
SYSCALL_REGISTER(__NR_lseek, sys_lseek);

long sys_dup(int oldfd)
{
	struct file *f = fd_file(oldfd);
	if (!f)
		return -EBADF;
	int fd = fd_install(fdt_current(), 0, file_get(f), false);
	if (fd < 0)
		file_put(f);
	return fd;
}
SYSCALL_REGISTER(__NR_dup, sys_dup);

static long do_dup3(int oldfd, int newfd, int flags)
{
	struct fdtable *t = fdt_current();
	struct file *f = fdt_lookup(t, oldfd);
	if (!f)
		return -EBADF;
	if (newfd < 0 || newfd >= t->nofile)
		return -EBADF;
	return fd_install_at(t, newfd, file_get(f), flags & O_CLOEXEC);
}

long sys_dup2(int oldfd, int newfd)
{
	if (oldfd == newfd)
		return fd_file(oldfd) ? newfd : -EBADF;
	return do_dup3(oldfd, newfd, 0);
}
SYSCALL_REGISTER(__NR_dup2, sys_dup2);

long sys_dup3(int oldfd, int newfd, int flags)
{
	if (flags & ~O_CLOEXEC)
		return -EINVAL;
	if (oldfd == newfd)
		return -EINVAL;
	return do_dup3(oldfd, newfd, flags);
}
SYSCALL_REGISTER(__NR_dup3, sys_dup3);

static long lock_cmd(struct file *f, unsigned int cmd, unsigned long arg)
{
	struct linux_flock fl;
	if (copy_from_user(&fl, arg, sizeof(fl)))
		return -EFAULT;
	if (fl.l_type != F_RDLCK && fl.l_type != F_WRLCK && fl.l_type != F_UNLCK)
		return -EINVAL;
	if (fl.l_whence > SEEK_END)
		return -EINVAL;
	if (cmd == F_GETLK || cmd == F_OFD_GETLK) {
		/* one process: nobody else can hold a conflicting lock */
		fl.l_type = F_UNLCK;
		return copy_to_user(arg, &fl, sizeof(fl));
	}
	if ((fl.l_type == F_RDLCK && !file_readable(f)) ||
	    (fl.l_type == F_WRLCK && !file_writable(f)))
		return -EBADF;
	return 0;
}

long sys_fcntl(int fd, unsigned int cmd, unsigned long arg)
{
	struct fdtable *t = fdt_current();
	struct file *f = fdt_lookup(t, fd);
	if (!f)
		return -EBADF;
	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC: {
		if (arg >= (unsigned long)t->nofile)
			return -EINVAL;
		int nfd = fd_install(t, (int)arg, file_get(f), cmd == F_DUPFD_CLOEXEC);
		if (nfd < 0)
			file_put(f);
		return nfd;
	}
	case F_GETFD:
		return t->cloexec[fd] ? FD_CLOEXEC : 0;
	case F_SETFD:
		t->cloexec[fd] = arg & FD_CLOEXEC;
		return 0;
	case F_GETFL:
		return f->flags;
	}
	if (f->flags & O_PATH)
		return -EBADF;
	switch (cmd) {
	case F_SETFL: {
		unsigned int chg = O_APPEND | O_NONBLOCK | O_ASYNC | O_DIRECT | O_NOATIME;
		f->flags = (f->flags & ~chg) | ((unsigned int)arg & chg);
		return 0;
	}
	case F_GETLK:
	case F_SETLK:
	case F_SETLKW:
	case F_OFD_GETLK:
	case F_OFD_SETLK:
	case F_OFD_SETLKW:
		return lock_cmd(f, cmd, arg);
	case F_GETOWN:
		return 0;
	case F_SETOWN:
		return 0;
	case F_GETPIPE_SZ:
	case F_SETPIPE_SZ:
		if (!file_is_pipe(f))
			return -EBADF;
		return 65536; /* fixed size ring */
	default:
		return -EINVAL;
	}
}
SYSCALL_REGISTER(__NR_fcntl, sys_fcntl);

long sys_ftruncate(int fd, int64_t len)
{
	struct file *f = fd_file(fd);
	if (!f || (f->flags & O_PATH))
		return -EBADF;
	if (len < 0)
		return -EINVAL;
	if (!file_writable(f) || !f->inode || !S_ISREG(f->inode->mode))
		return -EINVAL;
	return vfs_truncate_inode(f->inode, (uint64_t)len);
}
SYSCALL_REGISTER(__NR_ftruncate, sys_ftruncate);

long sys_truncate(unsigned long upath, int64_t len)
{
	if (len < 0)
		return -EINVAL;
	char *path = user_path(upath);
	if (IS_ERR(path))
		return PTR_ERR(path);
	struct nameidata *nd = nd_alloc();
	long r = nd ? vfs_lookup_at(AT_FDCWD, path, LOOKUP_FOLLOW, nd) : -ENOMEM;
	if (!r) {
		if (S_ISREG(nd->inode->mode))
			r = vfs_permission(nd->inode, MAY_WRITE);
		if (!r)
			r = vfs_truncate_inode(nd->inode, (uint64_t)len);
		nd_release(nd);
	}
	nd_free(nd);
	kfree(path);
	return r;
}
SYSCALL_REGISTER(__NR_truncate, sys_truncate);

/* ramfs keeps no sparse map: a punched hole is a range of zeros. */
static long punch_hole(struct file *f, uint64_t off, uint64_t end)
{
	if (off >= end)
		return 0;
	char *zero = kzalloc(IO_CHUNK);
	if (!zero)
		return -ENOMEM;
	long r = 0;
	while (off < end && r >= 0) {
		r = vfs_pwrite(f, zero, MIN(end - off, IO_CHUNK), off);
		if (r > 0)
			off += (uint64_t)r;
		else if (r == 0)
			break;
	}
	kfree(zero);
	return r < 0 ? r : 0;
}

long sys_fallocate(int fd, int mode, int64_t off, int64_t len)
{
	struct file *f = fd_file(fd);
	if (!f || (f->flags & O_PATH))
		return -EBADF;
	if (mode & ~(FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE))
		return -EOPNOTSUPP;
	if ((mode & FALLOC_FL_PUNCH_HOLE) && !(mode & FALLOC_FL_KEEP_SIZE))
		return -EOPNOTSUPP;
	if (off < 0 || len <= 0)
		return -EINVAL;
	if (!file_writable(f))
		return -EBADF;
	if (!f->inode || S_ISFIFO(f->inode->mode))
		return -ESPIPE;
	if (S_ISDIR(f->inode->mode))
		return -EISDIR;
	if (!S_ISREG(f->inode->mode))
		return -ENODEV;
	if (off > INT64_MAX - len)
		return -EFBIG;
	uint64_t end = (uint64_t)(off + len);
	if (mode & FALLOC_FL_PUNCH_HOLE)
		return punch_hole(f, (uint64_t)off, MIN(end, f->inode->size));
	if ((mode & FALLOC_FL_KEEP_SIZE) || end <= f->inode->size)
		return 0;
	return vfs_truncate_inode(f->inode, end);
}
SYSCALL_REGISTER(__NR_fallocate, sys_fallocate);

/* Everything lives in memory or was written through (9p): syncing is
 * checking the fd, and asking 9p to sync the host file. */
static long do_fsync(int fd, bool datasync)
{
	struct file *f = fd_file(fd);
	if (!f || (f->flags & O_PATH))
		return -EBADF;
	return f->ops && f->ops->fsync ? f->ops->fsync(f, datasync) : 0;
}

long sys_fsync(int fd)
{
	return do_fsync(fd, false);
}
SYSCALL_REGISTER(__NR_fsync, sys_fsync);

long sys_fdatasync(int fd)
{
	return do_fsync(fd, true);
}
SYSCALL_REGISTER(__NR_fdatasync, sys_fdatasync);

long sys_syncfs(int fd)
{
	return fd_file(fd) ? 0 : -EBADF;
}
SYSCALL_REGISTER(__NR_syncfs, sys_syncfs);

long sys_sync(void)
{
	return 0;
}
SYSCALL_REGISTER(__NR_sync, sys_sync);

long sys_umask(unsigned int mask)
{
	struct fs_context *c = fs_current();
	unsigned int old = c->umask;
	c->umask = mask & 0777;
	return old;
}
SYSCALL_REGISTER(__NR_umask, sys_umask);

/* In-kernel copy of up to count bytes from in (at *inpos, or its position)
 * to out (at *outpos, or its position). */
static long copy_between(struct file *in, uint64_t *inpos, struct file *out,
			 uint64_t *outpos, size_t count)
{
	count = MIN(count, MAX_RW_COUNT);
	char *kbuf = kmalloc(MIN(MAX(count, 1), IO_CHUNK));
	if (!kbuf)
		return -ENOMEM;
	long done = 0;
	while ((size_t)done < count) {
		size_t want = MIN(count - done, IO_CHUNK);
		long n =
		    inpos ? vfs_pread(in, kbuf, want, *inpos) : vfs_read(in, kbuf, want);
		if (n <= 0) {
			if (!done)
				done = n;
			break;
		}
		long w = outpos ? vfs_pwrite(out, kbuf, (size_t)n, *outpos)
				: vfs_write(out, kbuf, (size_t)n);
		if (w < 0) {
			if (w == -EPIPE)
				signal_send_thread(thread_current(), SIGPIPE);
			if (!done)
				done = w;
			if (!inpos && seekable(in))
				in->pos -= (uint64_t)n; /* not consumed */
			break;
		}
		if (inpos)
			*inpos += (uint64_t)w;
		else if (w < n && seekable(in))
			in->pos -= (uint64_t)(n - w);
		if (outpos)
			*outpos += (uint64_t)w;
		done += w;
		if (w < n || (size_t)n < want || !seekable(in))
			break;
	}
	kfree(kbuf);
	return done;
}

long sys_sendfile(int out_fd, int in_fd, unsigned long uoff, size_t count)
{
	struct file *in = fd_file(in_fd), *out = fd_file(out_fd);
	if (!in || !out || !file_readable(in) || !file_writable(out))
		return -EBADF;
	if (!seekable(in) && in->inode && !S_ISREG(in->inode->mode) && uoff)
		return -ESPIPE;
	if (out->flags & O_APPEND)
		return -EINVAL;
	if (!uoff)
		return copy_between(in, NULL, out, NULL, count);
	int64_t off;
	if (copy_from_user(&off, uoff, sizeof(off)))
		return -EFAULT;
	if (off < 0)
		return -EINVAL;
	uint64_t pos = (uint64_t)off;
	long n = copy_between(in, &pos, out, NULL, count);
	if (n >= 0 && copy_to_user(uoff, &pos, sizeof(pos)))
		return -EFAULT;
	return n;
}
SYSCALL_REGISTER(__NR_sendfile, sys_sendfile);

long sys_copy_file_range(int fd_in, unsigned long uoff_in, int fd_out,
			 unsigned long uoff_out, size_t len, unsigned int flags)
{
	struct file *in = fd_file(fd_in), *out = fd_file(fd_out);
	if (flags)
		return -EINVAL;
	if (!in || !out || !file_readable(in) || !file_writable(out))
		return -EBADF;
	if (!in->inode || !out->inode || !S_ISREG(in->inode->mode) ||
	    !S_ISREG(out->inode->mode))
		return S_ISDIR(in->inode->mode) || S_ISDIR(out->inode->mode) ? -EISDIR
									     : -EINVAL;
	if (out->flags & O_APPEND)
		return -EBADF;
	int64_t oi = (int64_t)in->pos, oo = (int64_t)out->pos;
	if (uoff_in && copy_from_user(&oi, uoff_in, sizeof(oi)))
		return -EFAULT;
	if (uoff_out && copy_from_user(&oo, uoff_out, sizeof(oo)))
		return -EFAULT;
	if (oi < 0 || oo < 0)
		return -EINVAL;
	if (in->inode == out->inode && oi < oo + (int64_t)len && oo < oi + (int64_t)len)
		return -EINVAL;
	uint64_t pi = (uint64_t)oi, po = (uint64_t)oo;
	long n = copy_between(in, &pi, out, &po, len);
	if (n < 0)
		return n;
	if (uoff_in) {
		if (copy_to_user(uoff_in, &pi, sizeof(pi)))
			return -EFAULT;
	} else {
		in->pos = pi;
	}
	if (uoff_out) {
		if (copy_to_user(uoff_out, &po, sizeof(po)))
			return -EFAULT;
	} else {
		out->pos = po;
	}
	return n;
}
SYSCALL_REGISTER(__NR_copy_file_range, sys_copy_file_range);

/* One process owns every file: whole-file locks never conflict. */
long sys_flock(int fd, unsigned int op)
{
	struct file *f = fd_file(fd);
	if (!f || (f->flags & O_PATH))
		return -EBADF;
	unsigned int kind = op & ~4u /* LOCK_NB */;
	if (kind != 1 /* LOCK_SH */ && kind != 2 /* LOCK_EX */ && kind != 8 /* LOCK_UN */)
		return -EINVAL;
	return 0;
}
SYSCALL_REGISTER(__NR_flock, sys_flock);

/* Advice about caching means nothing to an in-memory file system. */
long sys_fadvise64(int fd, int64_t off, int64_t len, int advice)
{
	struct file *f = fd_file(fd);
	if (!f || (f->flags & O_PATH))
		return -EBADF;
	if (file_is_pipe(f))
		return -ESPIPE;
	if (advice < 0 || advice > 5 || len < 0)
		return -EINVAL;
	return 0;
}
SYSCALL_REGISTER(__NR_fadvise64, sys_fadvise64);

long sys_readahead(int fd, int64_t off, size_t count)
{
	struct file *f = fd_file(fd);
	if (!f || !file_readable(f))
		return -EBADF;
	if (!f->inode || !S_ISREG(f->inode->mode))
		return -EINVAL;
	return 0;
}
SYSCALL_REGISTER(__NR_readahead, sys_readahead);
