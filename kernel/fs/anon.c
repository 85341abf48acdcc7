// SPDX-License-Identifier: MIT
/* Nameless files: eventfd, timerfd and epoll descriptors live on one shared
 * inode of a private super block, as on Linux's anon_inodefs: fstat shows
 * mode 0600 and no file type, /proc/self/fd shows "anon_inode:[eventfd]", and
 * opening that link fails with ENXIO (the inode has no open op).  What the
 * files do is their own file's business (eventfd.c, timerfd.c, epoll.c). */
#include <string.h>
#include <kern/err.h>
#include <kern/printk.h>
#include <uapi/errno.h>
#include "fs/internal.h"

static struct super_block *anon_sb;
static struct inode *anon_inode; /* kept for ever (nlink 1) */

struct file *anon_file_open(const char *name, const struct file_ops *ops, void *priv,
			    unsigned int flags)
{
	if (!anon_inode) {
		static const struct super_ops anon_sops = {0};
		if (!anon_sb && !(anon_sb = sb_alloc(&anon_sops)))
			return ERR_PTR(-ENOMEM);
		anon_inode = inode_alloc(anon_sb, 0600);
		if (!anon_inode)
			return ERR_PTR(-ENOMEM);
		anon_inode->nlink = 1;
	}
	char path[64];
	snprintf(path, sizeof(path), "anon_inode:%s", name);
	struct file *f = file_alloc(anon_inode, flags, path);
	if (IS_ERR(f))
		return f;
	f->ops = ops;
	f->priv = priv;
	return f;
}
