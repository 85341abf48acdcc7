// SPDX-License-Identifier: MIT
/* Mounting shares at boot: reads /.unielf/mounts, finds each tag among the
 * virtio-9p devices, attaches and mounts the share over its guest path
 * (created if missing).  A share at "/" replaces the root: the initrd's
 * root stays behind it and still serves .unielf (the launch descriptor),
 * /dev, /proc and a fresh /tmp (see docs/9p.md).  The file system itself is
 * 9p_vfs.c. */
#include <string.h>
#include <kern/err.h>
#include <kern/heap.h>
#include <kern/printk.h>
#include <kern/vfs.h>
#include <uapi/errno.h>
#include "drivers/console_internal.h"
#include "drivers/virtio_9p.h"
#include "fs/9p.h"
#include "fs/9p_internal.h"
#include "fs/internal.h"

#define MAX_SHARES 16

struct share {
	char *tag, *path;
	bool ro;
};

__noreturn static void die(const char *tag, const char *what, int err)
{
	console_error("share %s: %s (error %d)", tag, what, -err);
	console_exit(125);
}

/* Undoes the octal escapes (\040 for a space) a path may carry, in place. */
static void unescape(char *s)
{
	char *o = s;
	for (char *p = s; *p;) {
		if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' &&
		    p[2] <= '7' && p[3] >= '0' && p[3] <= '7') {
			*o++ =
			    (char)((p[1] - '0') << 6 | (p[2] - '0') << 3 | (p[3] - '0'));
			p += 4;
		} else {
			*o++ = *p++;
		}
	}
	*o = 0;
}

static char *next_word(char **p)
{
	while (**p == ' ' || **p == '\t')
		(*p)++;
	if (!**p)
		return NULL;
	char *w = *p;
	while (**p && **p != ' ' && **p != '\t')
		(*p)++;
	if (**p)
		*(*p)++ = 0;
	return w;
}

static int parse(char *text, struct share *sh, int max)
{
	int n = 0;
	for (char *line = text; line && *line;) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = 0;
		char *p = line;
		char *tag = next_word(&p), *path = next_word(&p), *mode = next_word(&p);
		line = nl ? nl + 1 : NULL;
		if (!tag || tag[0] == '#')
			continue;
		if (!path || path[0] != '/' ||
		    (mode && strcmp(mode, "rw") && strcmp(mode, "ro")))
			die(tag, "bad line in /.unielf/mounts", -EINVAL);
		if (n == max)
			die(tag, "too many shares", -E2BIG);
		unescape(path);
		sh[n].tag = tag;
		sh[n].path = path;
		sh[n].ro = mode && !strcmp(mode, "ro");
		n++;
	}
	return n;
}

static int mkdir_p(const char *path)
{
	char *p = kstrdup(path);
	if (!p)
		return -ENOMEM;
	int r = 0;
	for (char *s = p + 1;; s++) {
		if (*s && *s != '/')
			continue;
		char c = *s;
		*s = 0;
		r = vfs_mknodat(AT_FDCWD, p, S_IFDIR | 0755, 0);
		if (r == -EEXIST)
			r = 0;
		*s = c;
		if (r || !c)
			break;
	}
	kfree(p);
	return r;
}

static void mount_root(struct super_block *sb)
{
	struct p9_mount *m = sb->priv;
	struct inode *old = vfs_root;
	m->shadow = old; /* keeps the reference vfs_root held */
	vfs_root = inode_get(sb->root);
	vfs_mount(NULL, sb, "/", "9p");
	/* ".." from /dev, /proc, /tmp leads to the new root */
	static const char *const kept[] = {"dev", "proc", "tmp"};
	for (unsigned i = 0; i < sizeof(kept) / sizeof(kept[0]); i++) {
		struct inode *d = old->iops->lookup(old, kept[i]);
		if (IS_ERR(d))
			continue;
		d->parent = sb->root;
		inode_put(d);
	}
}

static void mount_one(const struct share *s)
{
	struct virtio_9p *v = virtio_9p_find(s->tag);
	if (!v)
		die(s->tag, "no virtio-9p device has this mount tag", -ENODEV);
	struct p9_client *c = p9_client_create(v);
	if (IS_ERR(c))
		die(s->tag, "9P version handshake failed", (int)PTR_ERR(c));
	struct super_block *sb = p9_fs_create(c, s->ro);
	if (IS_ERR(sb))
		die(s->tag, "cannot attach", (int)PTR_ERR(sb));
	char *path = kstrdup(s->path);
	if (!path)
		die(s->tag, "out of memory", -ENOMEM);
	if (!strcmp(path, "/")) {
		mount_root(sb);
	} else {
		int r = mkdir_p(path);
		if (r)
			die(s->tag, "cannot create the mount point", r);
		struct nameidata *nd = nd_alloc();
		if (!nd)
			die(s->tag, "out of memory", -ENOMEM);
		r = vfs_lookup_at(AT_FDCWD, path, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, nd);
		if (r)
			die(s->tag, "cannot find the mount point", r);
		r = vfs_mount(nd->inode, sb, path, "9p");
		nd_release(nd);
		nd_free(nd);
		if (r)
			die(s->tag, "cannot mount", r);
	}
	printk("9p: %s mounted at %s (%s, msize %u)", s->tag, path, s->ro ? "ro" : "rw",
	       c->msize);
}

void p9_mount_all(void)
{
	char *text;
	int r = vfs_read_text("/.unielf/mounts", &text, NULL);
	if (r == -ENOMEM)
		die("-", "out of memory", -ENOMEM);
	if (r)
		return;
	struct share sh[MAX_SHARES];
	int n = parse(text, sh, MAX_SHARES);
	/* the root first, so the other mount points are made inside it */
	for (int i = 0; i < n; i++)
		if (!strcmp(sh[i].path, "/"))
			mount_one(&sh[i]);
	for (int i = 0; i < n; i++)
		if (strcmp(sh[i].path, "/"))
			mount_one(&sh[i]);
	kfree(text);
}
