/* SPDX-License-Identifier: MIT */
/* The file layer as the rest of the kernel sees it (kernel/fs/).  Paths given
 * to these functions are KERNEL strings; relative ones start at the current
 * process's cwd.  Functions return 0/count or -errno, pointers ERR_PTR. */
#pragma once
#include <stddef.h>
#include <stdint.h>
#include <kern/file.h>

#define PATH_MAX 4096
#define NAME_MAX 255

struct process;

/* Root ramfs at /, devfs at /dev, procfs at /proc, /tmp (1777). */
int fs_init(void);
/* Unpacks a cpio newc archive into the root ramfs: parents are created as
 * needed; modes, symlinks and mtimes kept; names with ".." are rejected.
 * 0 or -errno (the reason is printk'ed). */
int initrd_unpack(const void *buf, size_t len);

/* Fresh fs context (cwd "/", umask 022) and an fdtable with 0,1,2 open on the
 * console's stdin, stdout and stderr. */
int fs_proc_init(struct process *p);
/* fork: the child shares the parent's file objects (new references) and gets
 * a copy of its fs context. */
int fs_proc_clone(struct process *child, const struct process *parent);
/* Closes every fd and frees the table and the context. */
void fs_proc_exit(struct process *p);
/* execve: closes the FD_CLOEXEC descriptors. */
void fs_exec_cloexec(struct process *p);
int vfs_chdir(struct process *p, const char *path);

/* Opens a kernel path relative to the current cwd (O_* flags, mode for O_CREAT). */
struct file *vfs_open(const char *path, int flags, unsigned int mode);
/* Reads at off without moving the file position; -EISDIR on directories. */
long vfs_pread(struct file *f, void *kbuf, size_t len, uint64_t off);
/* Size of a regular file (/dev/zero: 0); -EISDIR for directories, -EINVAL for
 * other kinds. */
int vfs_file_size(struct file *f, uint64_t *size);
/* 0 when f is a regular file the current process may execute, else -EACCES. */
int vfs_check_exec(struct file *f);
/* Opens a program or script to execute it: execute permission instead of
 * read permission, a regular file (-EACCES otherwise). */
struct file *vfs_open_exec(const char *path);
/* The mode, owner and group of f's inode (0s for a file without one). */
void vfs_file_owner(struct file *f, uint32_t *mode, uint32_t *uid, uint32_t *gid);
/* Absolute path f was opened by (truncated to size); returns its length. */
int vfs_file_path(struct file *f, char *buf, size_t size);
/* The current process's fd, with a new reference; NULL when not open. */
struct file *fd_get(int fd);
/* Reads a whole regular file into a kmalloc'd buffer the caller kfrees. */
int vfs_read_file(const char *path, void **buf, size_t *size);
/* kernel/fs/kfile.c: the same as a NUL-terminated string (*len, if not NULL,
 * gets its length without the NUL); 0 or -errno, -ENOMEM for any allocation. */
int vfs_read_text(const char *path, char **text, size_t *len);
/* rm -rf of a kernel path; 0 or -errno (missing path: -ENOENT). */
int vfs_remove_tree(const char *path);

/* kernel/fs/kfile.c: mkdir -p of a kernel path; 0 or -errno. */
int vfs_mkdir_p(const char *path, unsigned int mode);
/* Writes a whole file (parents created), unless an identical one is there. */
int vfs_write_file(const char *path, const void *data, size_t len, unsigned int mode);
