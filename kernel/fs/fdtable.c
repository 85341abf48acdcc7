// SPDX-License-Identifier: MIT
/* Per-process descriptor tables (lowest free fd, FD_CLOEXEC, a 1024 limit
 * like RLIMIT_NOFILE) and file-system contexts (cwd, umask), with their life
 * cycle: a new process, fork, execve, exit.  Files themselves are file.c. */
#include <string.h>
#include <kern/err.h>
#include <kern/heap.h>
#include <kern/proc.h>
#include <uapi/errno.h>
#include "fs/internal.h"

/* NULL at boot, before the first process exists */
struct fdtable *fdt_current(void)
{
	struct process *p = proc_current();
	return p ? p->fdt : NULL;
}

struct fs_context *fs_current(void)
{
	struct process *p = proc_current();
	return p ? p->fs : NULL;
}

int fd_install(struct fdtable *t, int min, struct file *f, bool cloexec)
{
	if (min < 0 || min >= t->nofile)
		return -EINVAL;
	for (int fd = min; fd < t->nofile; fd++) {
		if (!t->fd[fd]) {
			t->fd[fd] = f;
			t->cloexec[fd] = cloexec;
			return fd;
		}
	}
	return -EMFILE;
}

int fd_install_at(struct fdtable *t, int fd, struct file *f, bool cloexec)
{
	if (fd < 0 || fd >= t->nofile)
		return -EBADF;
	struct file *old = t->fd[fd];
	t->fd[fd] = f;
	t->cloexec[fd] = cloexec;
	if (old)
		file_put(old);
	return fd;
}

int fd_close(struct fdtable *t, int fd)
{
	if (fd < 0 || fd >= t->nofile || !t->fd[fd])
		return -EBADF;
	struct file *f = t->fd[fd];
	t->fd[fd] = NULL;
	t->cloexec[fd] = 0;
	file_put(f);
	return 0;
}

struct file *fdt_lookup(struct fdtable *t, int fd)
{
	if (!t || fd < 0 || fd >= t->nofile)
		return NULL;
	return t->fd[fd];
}

struct file *fd_get(int fd)
{
	return file_get(fdt_lookup(fdt_current(), fd));
}

static struct fs_context *ctx_alloc(struct inode *cwd, const char *path,
				    unsigned int umask)
{
	struct fs_context *c = kzalloc(sizeof(*c));
	if (!c)
		return NULL;
	c->cwd_path = kstrdup(path);
	if (!c->cwd_path) {
		kfree(c);
		return NULL;
	}
	c->cwd = inode_get(cwd);
	c->umask = umask;
	return c;
}

static void ctx_free(struct fs_context *c)
{
	if (!c)
		return;
	inode_put(c->cwd);
	kfree(c->cwd_path);
	kfree(c);
}

int fs_proc_init(struct process *p)
{
	struct fs_context *c = ctx_alloc(vfs_root, "/", 022);
	struct fdtable *t = kzalloc(sizeof(*t));
	if (!c || !t)
		goto out_nomem;
	t->nofile = FDTABLE_MAX;
	for (int chan = 0; chan < 3; chan++) {
		struct file *f = console_open_chan(chan);
		if (IS_ERR(f))
			goto out_nomem;
		t->fd[chan] = f;
	}
	p->fs = c;
	p->fdt = t;
	return 0;
out_nomem:
	if (t)
		for (int i = 0; i < 3; i++)
			file_put(t->fd[i]);
	kfree(t);
	ctx_free(c);
	return -ENOMEM;
}

int fs_proc_clone(struct process *child, const struct process *parent)
{
	struct fs_context *pc = parent->fs;
	struct fs_context *c = ctx_alloc(pc->cwd, pc->cwd_path, pc->umask);
	struct fdtable *t = kmalloc(sizeof(*t));
	if (!c || !t) {
		ctx_free(c);
		kfree(t);
		return -ENOMEM;
	}
	memcpy(t, parent->fdt, sizeof(*t));
	for (int fd = 0; fd < t->nofile; fd++)
		file_get(t->fd[fd]);
	child->fs = c;
	child->fdt = t;
	return 0;
}

void fs_proc_exit(struct process *p)
{
	struct fdtable *t = p->fdt;
	if (t) {
		for (int fd = 0; fd < t->nofile; fd++)
			if (t->fd[fd])
				fd_close(t, fd);
		kfree(t);
	}
	ctx_free(p->fs);
	p->fdt = NULL;
	p->fs = NULL;
}

void fs_exec_cloexec(struct process *p)
{
	struct fdtable *t = p->fdt;
	for (int fd = 0; fd < t->nofile; fd++)
		if (t->fd[fd] && t->cloexec[fd])
			fd_close(t, fd);
}

/* Sets p's cwd to a directory found from p's own cwd. */
int vfs_chdir(struct process *p, const char *path)
{
	struct fs_context *c = p->fs;
	struct nameidata *nd = nd_alloc();
	if (!nd)
		return -ENOMEM;
	int r = namei(c->cwd, c->cwd_path, path, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, nd);
	if (!r) {
		r = vfs_permission(nd->inode, MAY_EXEC);
		char *s = r ? NULL : kstrdup(nd->path);
		if (!r && !s) {
			r = -ENOMEM;
		} else if (!r) {
			inode_put(c->cwd);
			kfree(c->cwd_path);
			c->cwd = inode_get(nd->inode);
			c->cwd_path = s;
		}
		nd_release(nd);
	}
	nd_free(nd);
	return r;
}
