// SPDX-License-Identifier: MIT
/* Builds the name space at boot: a ramfs at /, /tmp, devfs at /dev and procfs
 * at /proc.  The initrd is unpacked into it afterwards (initrd.c). */
#include <kern/err.h>
#include <kern/printk.h>
#include <uapi/errno.h>
#include "fs/internal.h"

static struct inode *make_dir(const char *name, uint32_t mode)
{
	struct inode *d = vfs_root->iops->create(vfs_root, name, S_IFDIR | mode, 0);
	return IS_ERR(d) ? NULL : d;
}

int fs_init(void)
{
	struct super_block *sb = ramfs_create();
	if (!sb)
		return -ENOMEM;
	vfs_root = inode_get(sb->root);
	vfs_mount(NULL, sb, "/", "tmpfs"); /* "rootfs" would hide it from df */
	struct inode *dev = make_dir("dev", 0755);
	struct inode *proc = make_dir("proc", 0555);
	struct inode *tmp = make_dir("tmp", 01777);
	if (!dev || !proc || !tmp)
		return -ENOMEM;
	/* note: /tmp is part of the root ramfs, not a separate tmpfs */
	int r = devfs_mount(dev);
	if (!r)
		r = procfs_mount(proc);
	inode_put(dev);
	inode_put(proc);
	inode_put(tmp);
	if (r)
		printk("fs: cannot mount /dev or /proc (error %d)", -r);
	return r;
}
