// SPDX-License-Identifier: MIT
/* Host stand-ins for what the portable fs code calls in the kernel: the heap,
 * clocks, printk, wait queues (never sleep: a sleep is a test failure unless
 * the test arms it), the console files and one fake current process. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <kern/err.h>
#include <kern/proc.h>
#include <kern/wait.h>
#include <uapi/errno.h>
#include "fs/internal.h"
#include "shim.h"

void *kmalloc(size_t n)
{
	return malloc(n ? n : 1);
}
void *kzalloc(size_t n)
{
	return calloc(1, n ? n : 1);
}
void *krealloc(void *p, size_t n)
{
	return realloc(p, n ? n : 1);
}
void kfree(void *p)
{
	free(p);
}
char *kstrdup(const char *s)
{
	return strdup(s);
}

static uint64_t fake_ns = 1700000000ULL * 1000000000ULL;
uint64_t clock_realtime_ns(void)
{
	return fake_ns += 1000;
}
uint64_t clock_monotonic_ns(void)
{
	return fake_ns += 1000;
}

int printk(const char *fmt, ...)
{
	if (!getenv("FS_TEST_VERBOSE"))
		return 0;
	va_list ap;
	va_start(ap, fmt);
	int n = vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return n;
}

int shim_sleeps;
void waitq_init(struct waitq *wq)
{
	list_init(&wq->waiters);
}
void waitq_wake_all(struct waitq *wq)
{
}
int waitq_sleep(struct waitq *wq, uint64_t deadline)
{
	shim_sleeps++;
	return -ERESTARTSYS; /* as if a signal came: blocking would hang a test */
}
int poll_wait_any(uint64_t deadline)
{
	return -EINTR;
}
static uint64_t shim_poll_clock;
uint64_t poll_clock(void)
{
	return shim_poll_clock;
}
uint64_t poll_clock_advance(void)
{
	return ++shim_poll_clock;
}
int poll_wait_since(uint64_t seen, uint64_t deadline)
{
	return -EINTR;
}

static struct process fake;
struct process *proc_current(void)
{
	return &fake;
}

/* Credentials: the fake process's (root unless a test changes them), with
 * access()'s override; group lists are never shared here. */
static const struct cred *override;
const struct cred *cred_current(void)
{
	return override ? override : &fake.cred;
}
const struct cred *cred_override(const struct cred *c)
{
	const struct cred *old = override;
	override = c;
	return old;
}
void cred_revert(const struct cred *old)
{
	override = old;
}
void cred_copy(struct cred *child, const struct cred *parent)
{
	*child = *parent;
	child->groups = NULL;
}
void cred_release(struct cred *c)
{
	c->groups = NULL;
}
struct group_info *groups_alloc(uint32_t n)
{
	struct group_info *g = calloc(1, sizeof(*g) + n * sizeof(uint32_t));
	g->refcount = 1;
	g->ngroups = n;
	return g;
}
void groups_put(struct group_info *g)
{
	free(g);
}

struct file *console_open_chan(int chan)
{
	return file_alloc(NULL, chan ? O_WRONLY : O_RDONLY, "/dev/console");
}

static char grabbed[NAME_MAX + 1];
static bool grab(struct dir_ctx *ctx, const char *name, size_t len, uint64_t ino,
		 unsigned int type, uint64_t next)
{
	if ((len == 1 && name[0] == '.') || (len == 2 && !memcmp(name, "..", 2)))
		return true;
	memcpy(grabbed, name, len);
	grabbed[len] = 0;
	return false;
}

/* A fresh root ramfs and a fresh current process rooted in it. */
int shim_setup(void **state)
{
	struct super_block *sb = ramfs_create();
	vfs_root = inode_get(sb->root);
	memset(&fake, 0, sizeof(fake));
	fake.pid = 1;
	if (fs_proc_init(&fake))
		abort();
	shim_sleeps = 0;
	return 0;
}

/* Frees the whole tree, so ASan reports any inode or file a test leaked. */
int shim_teardown(void **state)
{
	cred_release(&fake.cred);
	memset(&fake.cred, 0, sizeof(fake.cred)); /* root cleans up */
	fs_proc_exit(&fake);
	for (;;) {
		struct dir_ctx ctx = {.pos = 0, .emit = grab};
		grabbed[0] = 0;
		vfs_root->iops->iterate(vfs_root, &ctx);
		if (!grabbed[0])
			break;
		char path[NAME_MAX + 2];
		snprintf(path, sizeof(path), "/%s", grabbed);
		if (vfs_remove_tree(path))
			abort();
	}
	struct super_block *sb = vfs_root->sb;
	struct inode *root = vfs_root;
	vfs_root = NULL;
	root->nlink = 0;
	inode_put(root); /* vfs_root's reference */
	inode_put(root); /* the super block's: frees it */
	free(sb);
	return 0;
}

struct process *shim_proc(void)
{
	return &fake;
}
