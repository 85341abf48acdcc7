// SPDX-License-Identifier: MIT
/* procfs at /proc: self, and per process <pid>/{exe,cwd,fd/,cmdline,environ}, net.
 * Inodes are made on lookup and die with their last reference; every read
 * looks the process up again, so nothing here outlives a process.  The fd
 * entries are magic links: opening one re-opens the open file itself.
 * Anything not listed answers -ENOENT (the entry tables are where maps,
 * meminfo and friends go).  Processes are found through proc_find/proc_all. */
#include <string.h>
#include <kern/err.h>
#include <kern/heap.h>
#include <kern/printk.h>
#include <kern/proc.h>
#include <kern/procinfo.h>
#include <uapi/errno.h>
#include "fs/internal.h"
#include "net/procnet.h"

enum proc_kind {
	PK_ROOT,
	PK_SELF,
	PK_PID_DIR,
	PK_EXE,
	PK_CWD,
	PK_FD_DIR,
	PK_FD,
	PK_CMDLINE,
	PK_ENVIRON,
	PK_MOUNTS,
	PK_GEN_PID,
	PK_GEN_ROOT, /* text from procinfo_render() */
	PK_SYS_DIR,
	PK_GEN_SYS, /* /proc/sys: sys_entries[] */
};

struct proc_entry {
	const char *name;
	enum proc_kind kind;
	uint32_t mode;
};

/* /proc/<pid>/ (maps, status, stat, ... go here) */
static const struct proc_entry pid_entries[] = {
    {"cmdline", PK_CMDLINE, S_IFREG | 0444}, {"cwd", PK_CWD, S_IFLNK | 0777},
    {"environ", PK_ENVIRON, S_IFREG | 0400}, {"exe", PK_EXE, S_IFLNK | 0777},
    {"fd", PK_FD_DIR, S_IFDIR | 0500},	     {"mounts", PK_MOUNTS, S_IFREG | 0444},
    {"maps", PK_GEN_PID, S_IFREG | 0444},    {"stat", PK_GEN_PID, S_IFREG | 0444},
    {"status", PK_GEN_PID, S_IFREG | 0444},  {"auxv", PK_GEN_PID, S_IFREG | 0400},
    {"comm", PK_GEN_PID, S_IFREG | 0644},    {"net", PK_SYS_DIR, S_IFDIR | 0555},
};

/* /proc/ besides self and the pids (meminfo, cpuinfo, uptime, ... go here) */
/* /proc/sys and /proc/net, as paths below /proc; files' text comes from
 * procinfo_render, net/ and sys/net/ from procnet_render */
static const struct proc_entry sys_entries[] = {
    {"net", PK_SYS_DIR, S_IFDIR | 0555},
    {"net/dev", PK_GEN_SYS, S_IFREG | 0444},
    {"net/tcp", PK_GEN_SYS, S_IFREG | 0444},
    {"net/tcp6", PK_GEN_SYS, S_IFREG | 0444},
    {"net/udp", PK_GEN_SYS, S_IFREG | 0444},
    {"net/udp6", PK_GEN_SYS, S_IFREG | 0444},
    {"net/unix", PK_GEN_SYS, S_IFREG | 0444},
    {"sys", PK_SYS_DIR, S_IFDIR | 0555},
    {"sys/kernel", PK_SYS_DIR, S_IFDIR | 0555},
    {"sys/kernel/hostname", PK_GEN_SYS, S_IFREG | 0444},
    {"sys/kernel/ngroups_max", PK_GEN_SYS, S_IFREG | 0444},
    {"sys/kernel/osrelease", PK_GEN_SYS, S_IFREG | 0444},
    {"sys/kernel/ostype", PK_GEN_SYS, S_IFREG | 0444},
    {"sys/kernel/pid_max", PK_GEN_SYS, S_IFREG | 0444},
    {"sys/net", PK_SYS_DIR, S_IFDIR | 0555},
    {"sys/net/ipv4", PK_SYS_DIR, S_IFDIR | 0555},
    {"sys/net/ipv4/ip_unprivileged_port_start", PK_GEN_SYS, S_IFREG | 0444},
    {"sys/vm", PK_SYS_DIR, S_IFDIR | 0555},
    {"sys/vm/overcommit_memory", PK_GEN_SYS, S_IFREG | 0444},
};

/* index of the sys entry named parent/name, or -1 */
static int sys_child(int parent, const char *name)
{
	const char *pp = sys_entries[parent].name;
	size_t pl = strlen(pp);
	for (size_t k = 0; k < ARRAY_SIZE(sys_entries); k++) {
		const char *e = sys_entries[k].name;
		if (!strncmp(e, pp, pl) && e[pl] == '/' && !strcmp(e + pl + 1, name))
			return (int)k;
	}
	return -1;
}

/* index of the top-level sys entry name ("sys", "net"), or -1 */
static int sys_top(const char *name)
{
	for (size_t k = 0; k < ARRAY_SIZE(sys_entries); k++)
		if (!strcmp(sys_entries[k].name, name))
			return (int)k;
	return -1;
}

/* true when entry k is a direct child of entry parent */
static bool sys_is_child(int parent, size_t k)
{
	const char *pp = sys_entries[parent].name, *e = sys_entries[k].name;
	size_t pl = strlen(pp);
	return !strncmp(e, pp, pl) && e[pl] == '/' && !strchr(e + pl + 1, '/');
}

static const struct proc_entry root_entries[] = {
    {"mounts", PK_MOUNTS, S_IFREG | 0444},
    {"sys", PK_SYS_DIR, S_IFDIR | 0555},
    {"net", PK_SYS_DIR, S_IFDIR | 0555},
    {"cpuinfo", PK_GEN_ROOT, S_IFREG | 0444},
    {"meminfo", PK_GEN_ROOT, S_IFREG | 0444},
    {"stat", PK_GEN_ROOT, S_IFREG | 0444},
    {"uptime", PK_GEN_ROOT, S_IFREG | 0444},
    {"loadavg", PK_GEN_ROOT, S_IFREG | 0444},
    {"version", PK_GEN_ROOT, S_IFREG | 0444},
    {"filesystems", PK_GEN_ROOT, S_IFREG | 0444},
};

static struct super_block *proc_sb;
static const struct inode_ops proc_iops, proc_fd_iops;
static const struct file_ops proc_file_ops;

#define NODE(pid, kind, fd)                                                              \
	((void *)(((uintptr_t)(pid) << 24) | ((uintptr_t)(kind) << 16) | (uintptr_t)(fd)))
static int node_pid(const struct inode *i)
{
	return (int)((uintptr_t)i->priv >> 24);
}
static enum proc_kind node_kind(const struct inode *i)
{
	return (enum proc_kind)(((uintptr_t)i->priv >> 16) & 0xff);
}
static int node_fd(const struct inode *i)
{
	return (int)((uintptr_t)i->priv & 0xffff);
}

static struct process *proc_by_pid(int pid)
{
	return proc_find(pid);
}

/* The live process with the smallest pid >= min, for listing /proc. */
static struct process *proc_next(int min)
{
	struct process *p, *best = NULL;
	list_for_each_entry(p, proc_all(), link)
	{
		if (p->pid >= min && (!best || p->pid < best->pid) &&
		    proc_find(p->pid) == p)
			best = p;
	}
	return best;
}

#define PID_COOKIE 1000 /* /proc listing: pid N is at cookie PID_COOKIE + N */

static struct inode *node_new(struct inode *parent, int pid, enum proc_kind kind, int fd,
			      uint32_t mode)
{
	struct inode *i = inode_alloc(proc_sb, mode);
	if (!i)
		return ERR_PTR(-ENOMEM);
	i->ino = ((uint64_t)pid << 24 | (uint64_t)kind << 16 | (uint64_t)fd) + 16;
	i->priv = NODE(pid, kind, fd);
	i->iops = kind == PK_FD ? &proc_fd_iops : &proc_iops;
	i->fops = S_ISDIR(mode) ? &dir_file_ops : S_ISREG(mode) ? &proc_file_ops : NULL;
	i->parent = S_ISDIR(mode) ? inode_get(parent) : NULL;
	i->nlink = S_ISDIR(mode) ? 2 : 1;
	struct process *p = pid ? proc_find(pid) : NULL;
	if (p && (!p->cred.nodump || (kind == PK_FD_DIR && p == proc_current()))) {
		/* a process's entries are its own while it is dumpable, else root's;
		 * its own fd/ it may always list (Linux's proc_fd_permission) */
		i->uid = p->cred.euid;
		i->gid = p->cred.egid;
	}
	return i;
}

static bool parse_num(const char *s, int *out)
{
	long v = 0;
	if (!*s || (s[0] == '0' && s[1]))
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > 100000000)
			return false;
		v = v * 10 + (*s - '0');
	}
	*out = (int)v;
	return true;
}

static struct inode *proc_lookup(struct inode *dir, const char *name)
{
	int pid = node_pid(dir), n;
	switch (node_kind(dir)) {
	case PK_ROOT: {
		struct process *cur = proc_current();
		if (!strcmp(name, "self") && cur)
			return node_new(dir, cur->pid, PK_SELF, 0, S_IFLNK | 0777);
		if (parse_num(name, &n) && proc_by_pid(n))
			return node_new(dir, n, PK_PID_DIR, 0, S_IFDIR | 0555);
		for (size_t k = 0; k < ARRAY_SIZE(root_entries); k++)
			if (!strcmp(name, root_entries[k].name)) {
				if (root_entries[k].kind == PK_SYS_DIR)
					return node_new(dir, 0, PK_SYS_DIR, sys_top(name),
							S_IFDIR | 0555);
				return node_new(dir, 0, root_entries[k].kind, (int)k,
						root_entries[k].mode);
			}
		return ERR_PTR(-ENOENT);
	}
	case PK_SYS_DIR: {
		int k = sys_child(node_fd(dir), name);
		if (k < 0)
			return ERR_PTR(-ENOENT);
		return node_new(dir, 0, sys_entries[k].kind, k, sys_entries[k].mode);
	}
	case PK_PID_DIR:
		if (!proc_by_pid(pid))
			return ERR_PTR(-ENOENT);
		for (size_t k = 0; k < ARRAY_SIZE(pid_entries); k++)
			if (!strcmp(name, pid_entries[k].name) &&
			    pid_entries[k].kind == PK_SYS_DIR) /* net: /proc/net */
				return node_new(dir, 0, PK_SYS_DIR, sys_top(name),
						S_IFDIR | 0555);
			else if (!strcmp(name, pid_entries[k].name))
				return node_new(dir, pid, pid_entries[k].kind, (int)k,
						pid_entries[k].mode);
		return ERR_PTR(-ENOENT);
	case PK_FD_DIR: {
		struct process *p = proc_by_pid(pid);
		struct file *f = p && parse_num(name, &n) ? fdt_lookup(p->fdt, n) : NULL;
		if (!f)
			return ERR_PTR(-ENOENT);
		int acc = f->flags & O_ACCMODE;
		uint32_t perm = acc == O_RDONLY ? 0500 : acc == O_WRONLY ? 0300 : 0700;
		return node_new(dir, pid, PK_FD, n, S_IFLNK | perm);
	}
	default:
		return ERR_PTR(-ENOTDIR);
	}
}

static int proc_iterate(struct inode *dir, struct dir_ctx *ctx)
{
	char name[16];
	int pid = node_pid(dir);
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
	switch (node_kind(dir)) {
	case PK_ROOT: {
		if (ctx->pos == 2) {
			if (!ctx->emit(ctx, "self", 4, 3, mode_to_dtype(S_IFLNK), 3))
				return 0;
			ctx->pos = 3;
		}
		for (uint64_t k = ctx->pos - 3; k < ARRAY_SIZE(root_entries); k++) {
			const struct proc_entry *e = &root_entries[k];
			if (!ctx->emit(ctx, e->name, strlen(e->name), 4 + k,
				       mode_to_dtype(e->mode), k + 4))
				return 0;
			ctx->pos = k + 4;
		}
		if (ctx->pos < PID_COOKIE)
			ctx->pos = PID_COOKIE;
		for (struct process *p; (p = proc_next((int)(ctx->pos - PID_COOKIE)));) {
			int n = snprintf(name, sizeof(name), "%d", p->pid);
			uint64_t next = PID_COOKIE + (uint64_t)p->pid + 1;
			if (!ctx->emit(ctx, name, (size_t)n, (uint64_t)p->pid << 24,
				       mode_to_dtype(S_IFDIR), next))
				return 0;
			ctx->pos = next;
		}
		return 0;
	}
	case PK_SYS_DIR:
		for (uint64_t k = ctx->pos - 2; k < ARRAY_SIZE(sys_entries); k++) {
			const struct proc_entry *e = &sys_entries[k];
			ctx->pos = k + 3;
			if (!sys_is_child(node_fd(dir), k))
				continue;
			const char *base = strrchr(e->name, '/') + 1;
			if (!ctx->emit(ctx, base, strlen(base), 0x10000 + k,
				       mode_to_dtype(e->mode), k + 3)) {
				ctx->pos = k + 2;
				return 0;
			}
		}
		return 0;
	case PK_PID_DIR:
		for (uint64_t k = ctx->pos - 2; k < ARRAY_SIZE(pid_entries); k++) {
			const struct proc_entry *e = &pid_entries[k];
			if (!ctx->emit(ctx, e->name, strlen(e->name), dir->ino + k + 1,
				       mode_to_dtype(e->mode), k + 3))
				return 0;
			ctx->pos = k + 3;
		}
		return 0;
	case PK_FD_DIR: {
		struct process *p = proc_by_pid(pid);
		if (!p)
			return 0;
		for (uint64_t fd = ctx->pos - 2; fd < FDTABLE_MAX; fd++) {
			if (!fdt_lookup(p->fdt, (int)fd))
				continue;
			int n = snprintf(name, sizeof(name), "%d", (int)fd);
			if (!ctx->emit(ctx, name, (size_t)n, dir->ino + fd + 1,
				       mode_to_dtype(S_IFLNK), fd + 3))
				return 0;
			ctx->pos = fd + 3;
		}
		return 0;
	}
	default:
		return -ENOTDIR;
	}
}

static long copy_str(char *buf, size_t size, const char *s)
{
	size_t n = strlen(s);
	if (n >= size)
		n = size - 1;
	memcpy(buf, s, n);
	buf[n] = 0;
	return (long)n;
}

static long proc_readlink(struct inode *inode, char *buf, size_t size)
{
	struct process *p = proc_by_pid(node_pid(inode));
	if (!p)
		return -ENOENT;
	switch (node_kind(inode)) {
	case PK_SELF: {
		char s[16];
		snprintf(s, sizeof(s), "%d", p->pid);
		return copy_str(buf, size, s);
	}
	case PK_EXE:
		return p->exe_path[0] ? copy_str(buf, size, p->exe_path) : -ENOENT;
	case PK_CWD:
		return p->fs ? copy_str(buf, size, p->fs->cwd_path) : -ENOENT;
	case PK_FD: {
		struct file *f = fdt_lookup(p->fdt, node_fd(inode));
		return f ? copy_str(buf, size, f->path) : -ENOENT;
	}
	default:
		return -EINVAL;
	}
}

static struct file *proc_follow(struct inode *inode)
{
	struct process *p = proc_by_pid(node_pid(inode));
	struct file *f = p ? fdt_lookup(p->fdt, node_fd(inode)) : NULL;
	return f ? file_get(f) : ERR_PTR(-ENOENT);
}

/* Renders a generated text file into a kmalloc'd buffer; returns its length. */
static long render(enum proc_kind kind, char **out)
{
	size_t cap = 4096, len = 0;
	char *b = kmalloc(cap);
	if (!b)
		return -ENOMEM;
	switch (kind) {
	case PK_MOUNTS: {
		struct super_block *sbs[VFS_MAX_MOUNTS];
		int n = vfs_mounts(sbs, VFS_MAX_MOUNTS);
		for (int i = 0; i < n && len < cap; i++)
			len += (size_t)snprintf(
			    b + len, cap - len, "%s %s %s rw,relatime 0 0\n",
			    sbs[i]->fstype, sbs[i]->mnt_path, sbs[i]->fstype);
		break;
	}
	default:
		break;
	}
	*out = b;
	return (long)MIN(len, cap);
}

static long proc_pread(struct file *f, void *buf, size_t len, uint64_t off)
{
	enum proc_kind kind = node_kind(f->inode);
	if (kind == PK_MOUNTS || kind == PK_GEN_PID || kind == PK_GEN_ROOT ||
	    kind == PK_GEN_SYS) {
		char *text = NULL;
		long n;
		int idx = node_fd(f->inode);
		if (kind == PK_MOUNTS) {
			n = render(kind, &text);
		} else if (kind == PK_GEN_ROOT) {
			n = procinfo_render(root_entries[idx].name, NULL, &text);
		} else if (kind == PK_GEN_SYS) {
			const char *name = sys_entries[idx].name;
			n = !strncmp(name, "net/", 4) || !strncmp(name, "sys/net/", 8)
				? procnet_render(name, &text)
				: procinfo_render(name, NULL, &text);
		} else {
			struct process *gp = proc_by_pid(node_pid(f->inode));
			n = gp ? procinfo_render(pid_entries[idx].name, gp, &text)
			       : -ESRCH;
		}
		if (n < 0)
			return n;
		long c = off < (uint64_t)n ? (long)MIN(len, (uint64_t)n - off) : 0;
		if (c)
			memcpy(buf, text + off, (size_t)c);
		kfree(text);
		return c;
	}
	struct process *p = proc_by_pid(node_pid(f->inode));
	if (!p)
		return -ESRCH;
	const char *src = NULL;
	size_t n = 0;
	switch (kind) {
	case PK_CMDLINE:
		src = p->cmdline;
		n = p->cmdline_len;
		break;
	case PK_ENVIRON:
		src = p->environ;
		n = p->environ_len;
		break;
	default:
		return -EINVAL;
	}
	if (!src || off >= n)
		return 0;
	size_t c = MIN(len, n - off);
	memcpy(buf, src + off, c);
	return (long)c;
}

static void proc_evict(struct inode *inode)
{
	inode_put(inode->parent);
}

static int proc_statfs(struct super_block *sb, struct linux_statfs *st)
{
	memset(st, 0, sizeof(*st));
	st->f_type = PROC_SUPER_MAGIC;
	st->f_bsize = 4096;
	st->f_frsize = 4096;
	st->f_namelen = NAME_MAX;
	return 0;
}

/* follow is only for the fd links; the others are read as text */
static const struct inode_ops proc_iops = {
    .lookup = proc_lookup,
    .iterate = proc_iterate,
    .readlink = proc_readlink,
};
static const struct inode_ops proc_fd_iops = {
    .readlink = proc_readlink,
    .follow = proc_follow,
};
static const struct file_ops proc_file_ops = {
    .pread = proc_pread,
    .lseek = generic_lseek,
};
static const struct super_ops proc_sops = {
    .evict = proc_evict,
    .statfs = proc_statfs,
};

int procfs_mount(struct inode *dir)
{
	proc_sb = sb_alloc(&proc_sops);
	if (!proc_sb)
		return -ENOMEM;
	proc_sb->transient = true;
	struct inode *root = inode_alloc(proc_sb, S_IFDIR | 0555);
	if (!root)
		return -ENOMEM;
	root->ino = 1;
	root->priv = NODE(0, PK_ROOT, 0);
	root->iops = &proc_iops;
	root->fops = &dir_file_ops;
	root->nlink = 2;
	proc_sb->root = root; /* the sb's reference keeps it */
	return vfs_mount(dir, proc_sb, "/proc", "proc");
}
