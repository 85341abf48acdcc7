/* SPDX-License-Identifier: MIT */
/* Open file objects, their operations, and the per-process descriptor table
 * and file-system context (kernel/fs/file.c, kernel/fs/fdtable.c).  File
 * operations take KERNEL buffers; the system calls bounce user memory through
 * a kernel buffer.  Nothing here locks: one CPU, no preemption in syscalls. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uapi/fcntl.h>

struct inode;
struct file;
struct kstat;
struct dir_ctx;
struct process;
struct linux_iovec;
struct epitem;

/* Any op may be NULL; the vfs then applies a sensible default (see file.c). */
struct file_ops {
	/* stream read/write at f->pos; NULL: pread/pwrite at f->pos, advancing it */
	long (*read)(struct file *f, void *buf, size_t len);
	long (*write)(struct file *f, const void *buf, size_t len);
	/* Optional vectored read/write straight on user memory (iov: a kernel
	 * copy of the user's array, not yet checked).  When set, read, write,
	 * readv and writev call these instead of bouncing through read/write,
	 * so a socket sees a whole datagram at once and raises SIGPIPE itself. */
	long (*read_iov)(struct file *f, struct linux_iovec *iov, int cnt);
	long (*write_iov)(struct file *f, struct linux_iovec *iov, int cnt);
	long (*pread)(struct file *f, void *buf, size_t len, uint64_t off);
	long (*pwrite)(struct file *f, const void *buf, size_t len, uint64_t off);
	/* NULL: -ESPIPE */
	long (*lseek)(struct file *f, int64_t off, int whence);
	/* uarg is a user address; NULL: -ENOTTY */
	long (*ioctl)(struct file *f, unsigned int cmd, unsigned long uarg);
	/* POLL* mask of what would not block now; NULL: POLLIN|POLLOUT, and
	 * epoll_ctl refuses the file with EPERM (as Linux does for regular
	 * files and directories) */
	unsigned int (*poll)(struct file *f);
	/* For edge-triggered epoll (the rules are in kern/poll.h): the poll
	 * clock stamp of the latest event that made this file more ready for
	 * any of `events` (POLL* bits a watcher asked for).  Producers stamp an
	 * event with poll_seq_bump(&seq) before they wake their wait queue, e.g.
	 * a socket when data or a connection is queued, when a full send buffer
	 * drains, or when the peer hangs up.  NULL: epoll assumes an event at
	 * every wake-up anywhere (no edge missed, some reported twice). */
	uint64_t (*poll_seq)(struct file *f, unsigned int events);
	/* directories: emit entries from ctx->pos on */
	int (*iterate)(struct file *f, struct dir_ctx *ctx);
	/* NULL: the inode's attributes */
	int (*stat)(struct file *f, struct kstat *st);
	/* size for mmap (vfs_file_size); NULL: regular files only */
	int (*size)(struct file *f, uint64_t *size);
	/* bytes readable now, for FIONREAD; NULL: -ENOTTY */
	long (*nread)(struct file *f);
	/* fsync/fdatasync: make written data durable; NULL: nothing to do */
	int (*fsync)(struct file *f, bool datasync);
	void (*release)(struct file *f);
};

struct file {
	int refcount;
	unsigned int flags; /* O_ACCMODE, O_APPEND, O_NONBLOCK, O_PATH, ... */
	uint64_t pos;
	struct inode *inode; /* referenced */
	const struct file_ops *ops;
	char *path; /* absolute path as opened (kmalloc'd) */
	void *priv;
	struct epitem *epoll_watch; /* epoll items watching this file (fs/epoll.c);
				     * the last file_put removes them */
};

static inline bool file_readable(const struct file *f)
{
	return !(f->flags & O_PATH) && (f->flags & O_ACCMODE) != O_WRONLY;
}
static inline bool file_writable(const struct file *f)
{
	return !(f->flags & O_PATH) && (f->flags & O_ACCMODE) != O_RDONLY;
}

/* New file on inode (takes a new reference to it), refcount 1, ops from the
 * inode, path copied.  ERR_PTR(-ENOMEM). */
struct file *file_alloc(struct inode *inode, unsigned int flags, const char *path);
struct file *file_get(struct file *f);
/* Drops a reference; the last one calls ops->release and drops the inode. */
void file_put(struct file *f);

#define FDTABLE_MAX 1024

struct fdtable {
	int nofile; /* RLIMIT_NOFILE: fds are < nofile <= FDTABLE_MAX */
	struct file *fd[FDTABLE_MAX];
	uint8_t cloexec[FDTABLE_MAX];
};

struct fs_context {
	struct inode *cwd; /* referenced */
	char *cwd_path;	   /* absolute, kmalloc'd */
	unsigned int umask;
};

/* Installs f (taking over the caller's reference) at the lowest free fd >= min.
 * Returns the fd or -EMFILE (min too big: -EINVAL); on error f is NOT put. */
int fd_install(struct fdtable *t, int min, struct file *f, bool cloexec);
/* Installs f at exactly fd, closing what was there (dup2).  Takes the reference. */
int fd_install_at(struct fdtable *t, int fd, struct file *f, bool cloexec);
/* Closes fd: 0 or -EBADF. */
int fd_close(struct fdtable *t, int fd);
/* Borrowed pointer (no new reference) or NULL. */
struct file *fdt_lookup(struct fdtable *t, int fd);
/* The current process's table and context. */
struct fdtable *fdt_current(void);
struct fs_context *fs_current(void);
