/* SPDX-License-Identifier: MIT */
/* Inside the file layer: inodes, file systems and mounts, path lookup.
 * Shared by the files of kernel/fs/ and the file system calls.  Everything
 * here is portable (no arch code) except what devfs/procfs add. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <kern/file.h>
#include <kern/list.h>
#include <kern/vfs.h>
#include <uapi/stat.h>

#define SYMLOOP_MAX 40

struct super_block;
struct inode_ops;

struct inode {
	uint64_t ino;
	uint32_t mode;
	uint32_t nlink;
	uint32_t uid, gid;
	uint64_t size;
	uint64_t blocks; /* 512-byte blocks when the fs knows them (9p), else 0 */
	uint64_t rdev;
	int64_t atime_ns, mtime_ns, ctime_ns; /* realtime */
	int refcount;			      /* lookups, open files, cwds */
	struct super_block *sb;
	const struct inode_ops *iops;
	const struct file_ops *fops; /* what open() gives */
	struct inode *parent;	     /* directories: where "..' leads (weak) */
	struct super_block *mounted; /* a file system mounted here */
	void *priv;		     /* per file system */
	union {
		struct { /* ramfs regular file */
			char *data;
			size_t cap;
		} reg;
		struct {			  /* ramfs directory */
			struct list_head entries; /* by cookie, ascending */
			uint64_t next_cookie;
			uint32_t count;
		} dir;
		struct { /* ramfs symlink */
			char *target;
		} lnk;
	} ram;
};

struct super_ops {
	/* frees fs data of an inode nobody references and no directory names */
	void (*evict)(struct inode *inode);
	int (*statfs)(struct super_block *sb, struct linux_statfs *st);
};

struct super_block {
	const struct super_ops *ops;
	struct inode *root;
	struct inode *mountpoint; /* NULL for the root file system */
	uint64_t dev;
	uint64_t next_ino;
	bool transient;	      /* inodes die with their last reference (procfs) */
	const char *fstype;   /* for /proc/mounts: "tmpfs", "proc", ... */
	const char *mnt_path; /* where it is mounted, for /proc/mounts */
	void *priv;
};

struct dir_ctx {
	uint64_t pos; /* the cookie to resume from; iterators advance it */
	/* returns false when the caller's buffer is full (pos is then not advanced) */
	bool (*emit)(struct dir_ctx *ctx, const char *name, size_t len, uint64_t ino,
		     unsigned int type, uint64_t next_pos);
};

/* Every op is optional; a NULL op means the operation is not supported here. */
struct inode_ops {
	/* a new reference to the child, or ERR_PTR(-ENOENT) */
	struct inode *(*lookup)(struct inode *dir, const char *name);
	int (*iterate)(struct inode *dir, struct dir_ctx *ctx);
	/* regular file, directory, device or fifo (S_IFMT in mode); new reference */
	struct inode *(*create)(struct inode *dir, const char *name, uint32_t mode,
				uint64_t rdev);
	int (*symlink)(struct inode *dir, const char *name, const char *target);
	int (*link)(struct inode *dir, const char *name, struct inode *target);
	/* name is known to exist; rmdir only for empty directories */
	int (*unlink)(struct inode *dir, const char *name);
	int (*rmdir)(struct inode *dir, const char *name);
	int (*rename)(struct inode *odir, const char *oname, struct inode *ndir,
		      const char *nname, unsigned int flags);
	long (*readlink)(struct inode *inode, char *buf, size_t size);
	/* magic links (/proc/<pid>/fd/N): the open file the link stands for */
	struct file *(*follow)(struct inode *inode);
	int (*truncate)(struct inode *inode, uint64_t size);
	/* optional hook when a file is opened on this inode (-ENXIO, pipe ends) */
	int (*open)(struct inode *inode, struct file *f);
	bool (*is_empty)(struct inode *dir);
	/* chmod/chown/utimensat stored new attributes in the inode: push the
	 * ones named by mask (SETATTR_*) to the backing store (9p) */
	int (*setattr)(struct inode *inode, unsigned int mask);
};

#define SETATTR_MODE  0x1
#define SETATTR_OWNER 0x2
#define SETATTR_ATIME 0x4
#define SETATTR_MTIME 0x8

static inline int inode_setattr(struct inode *inode, unsigned int mask)
{
	return inode->iops && inode->iops->setattr ? inode->iops->setattr(inode, mask)
						   : 0;
}

struct kstat {
	uint64_t dev, ino, nlink, rdev, size, blocks;
	uint32_t mode, uid, gid, blksize;
	int64_t atime_ns, mtime_ns, ctime_ns;
};

/* inode.c */
extern struct inode *vfs_root;
struct inode *inode_alloc(struct super_block *sb, uint32_t mode);
struct inode *inode_get(struct inode *inode);
void inode_put(struct inode *inode);
void inode_touch(struct inode *inode, bool atime, bool mtime, bool ctime);
void inode_stat(struct inode *inode, struct kstat *st);
int64_t vfs_now_ns(void);
unsigned int mode_to_dtype(uint32_t mode);
struct super_block *sb_alloc(const struct super_ops *ops);
/* Mounts sb over the directory dir (which keeps a reference); path and
 * fstype are what /proc/mounts shows.  The root file system is registered
 * with dir NULL. */
int vfs_mount(struct inode *dir, struct super_block *sb, const char *path,
	      const char *fstype);
#define VFS_MAX_MOUNTS 32
/* The mounted file systems in mount order (borrowed); returns the count. */
int vfs_mounts(struct super_block **out, int max);
/* Where ".." leads from dir: new reference, or ERR_PTR(-ENOENT) if dir is gone. */
struct inode *inode_parent(struct inode *dir);

/* namei.c */
#define LOOKUP_FOLLOW	 0x1 /* follow a symlink in the last component */
#define LOOKUP_DIRECTORY 0x2 /* the result must be a directory */
#define LOOKUP_PARENT	 0x4 /* stop at the parent of the last component */
#define LOOKUP_EMPTY	 0x8 /* an empty path means the start itself */

enum last_type { LAST_NORM, LAST_ROOT, LAST_DOT, LAST_DOTDOT };

struct nameidata {
	struct inode *inode;	 /* result (the parent with LOOKUP_PARENT), referenced */
	struct file *jump;	 /* a magic link's file, when the result is one (ref) */
	char path[PATH_MAX];	 /* its canonical absolute path */
	char last[NAME_MAX + 1]; /* LOOKUP_PARENT: the last component */
	enum last_type last_type;
	bool trailing_slash;
	int links; /* symlinks followed so far */
};

/* Resolves path starting at start (a directory whose absolute path is
 * start_path).  0 with nd->inode referenced, or -errno with nothing held. */
int namei(struct inode *start, const char *start_path, const char *path,
	  unsigned int flags, struct nameidata *nd);
void nd_release(struct nameidata *nd);
/* Looks up one name in dir and crosses mounts; new reference or ERR_PTR. */
struct inode *lookup_one(struct inode *dir, const char *name);
/* Appends "/name" to an absolute path in buf[PATH_MAX]; -ENAMETOOLONG. */
int path_append(char *buf, const char *name);
/* Drops the last component of an absolute path ("/" stays "/"). */
void path_pop(char *buf);

/* vfs.c: the operations behind the system calls.  dirfd is AT_FDCWD or an
 * open directory of the current process. */
struct nameidata *nd_alloc(void);
void nd_free(struct nameidata *nd);
int vfs_lookup_at(int dirfd, const char *path, unsigned int flags, struct nameidata *nd);
struct file *vfs_openat(int dirfd, const char *path, int flags, unsigned int mode);
int vfs_mknodat(int dirfd, const char *path, uint32_t mode, uint64_t rdev);
int vfs_unlinkat(int dirfd, const char *path, int flags);
int vfs_renameat(int olddirfd, const char *oldpath, int newdirfd, const char *newpath,
		 unsigned int flags);
int vfs_linkat(int olddirfd, const char *oldpath, int newdirfd, const char *newpath,
	       int flags);
int vfs_symlinkat(const char *target, int newdirfd, const char *linkpath);
long vfs_readlinkat(int dirfd, const char *path, char *buf, size_t size);
int vfs_statat(int dirfd, const char *path, int flags, struct kstat *st);
int vfs_fstat(struct file *f, struct kstat *st);
int vfs_truncate_inode(struct inode *inode, uint64_t size);
int vfs_chdir_path(const char *path);

/* perm.c: permission checks with the current credentials (kern/cred.h);
 * 0 or -EACCES/-EPERM. */
#define MAY_EXEC  1
#define MAY_WRITE 2
#define MAY_READ  4
/* Open flags of the kernel's own, never from a program (vfs_openat drops
 * them): an exec open (execute permission instead of read), and the open of
 * a file the same open just created (no permission check, as Linux). */
#define O_KEXEC	   0x40000000
#define O_KCREATED 0x20000000
int vfs_permission(const struct inode *inode, int mask);
int vfs_may_open(const struct inode *inode, int flags);
int vfs_may_create(const struct inode *dir);
int vfs_may_delete(const struct inode *dir, const struct inode *victim);
int vfs_may_rename(const struct inode *odir, const struct inode *src, struct inode *ndir,
		   const char *nname, unsigned int flags);
int vfs_may_link(const struct inode *target);
bool vfs_owner_or_capable(const struct inode *inode);
/* chmod: may clear S_ISGID in *mode */
int vfs_may_chmod(const struct inode *inode, unsigned int *mode);
int vfs_may_chown(const struct inode *inode, uint32_t uid, uint32_t gid);
int vfs_may_utimes(const struct inode *inode, bool explicit);
/* Owner and group of a new inode in dir (NULL for a root directory). */
void vfs_init_owner(struct inode *inode, const struct inode *dir);
/* access/faccessat2: mode is R_OK|W_OK|X_OK (0: existence), flags AT_*. */
int vfs_access(int dirfd, const char *path, int mode, int flags);

/* file.c */
long vfs_read(struct file *f, void *kbuf, size_t len);
long vfs_write(struct file *f, const void *kbuf, size_t len);
long vfs_pwrite(struct file *f, const void *kbuf, size_t len, uint64_t off);
long vfs_lseek(struct file *f, int64_t off, int whence);
int vfs_iterate(struct file *f, struct dir_ctx *ctx);
unsigned int vfs_poll(struct file *f);
/* lseek for files with a size (regular files, directories' cookies) */
long generic_lseek(struct file *f, int64_t off, int whence);
extern const struct file_ops dir_file_ops;

/* ramfs.c */
struct super_block *ramfs_create(void);
extern const struct file_ops ramfs_file_ops;

/* anon.c: a file on the one nameless inode ("anon_inode:NAME" in
 * /proc/self/fd), with ops and priv set; ERR_PTR(-ENOMEM). */
struct file *anon_file_open(const char *name, const struct file_ops *ops, void *priv,
			    unsigned int flags);

/* epoll.c: f is going away; drop every epoll item that watches it. */
void epoll_file_gone(struct file *f);

/* eventfd.c: a new eventfd file with counter initval (EFD_* flags);
 * ERR_PTR(-EINVAL, -ENOMEM). */
struct file *eventfd_file(unsigned int initval, int flags);

/* pipe.c */
int pipe_create(struct file **rd, struct file **wr, unsigned int flags);
bool file_is_pipe(struct file *f);
/* devfs.c / procfs.c (kernel only) */
int devfs_mount(struct inode *dir);
int procfs_mount(struct inode *dir);
struct file *console_open_chan(int chan);
