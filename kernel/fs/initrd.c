// SPDX-License-Identifier: MIT
/* Unpacks the initrd (cpio newc, read by cpio.c) into the root ramfs:
 * directories, regular files (hard links kept), symlinks, with their modes,
 * owners and mtimes.  Parents are created as needed; a name with a ".."
 * component is refused.  Portable: the unit tests run it on the host. */
#include <string.h>
#include <kern/err.h>
#include <kern/heap.h>
#include <kern/printk.h>
#include <uapi/errno.h>
#include "fs/cpio.h"
#include "fs/internal.h"

struct hardlink {
	uint32_t ino;
	struct inode *inode; /* referenced */
};

struct unpack {
	struct nameidata *nd;
	struct hardlink *links;
	size_t nlinks, cap;
};

static bool bad_name(const char *name)
{
	for (const char *p = name; *p;) {
		const char *q = p;
		while (*q && *q != '/')
			q++;
		if (q - p == 2 && p[0] == '.' && p[1] == '.')
			return true;
		p = *q ? q + 1 : q;
	}
	return false;
}

/* mkdir -p of an absolute kernel path (symlinks in it are followed). */
static int make_dirs(char *path, int depth)
{
	struct nameidata *nd = nd_alloc();
	if (!nd)
		return -ENOMEM;
	int r = namei(vfs_root, "/", path, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, nd);
	if (!r)
		nd_release(nd);
	nd_free(nd);
	if (r != -ENOENT || depth > 128)
		return r;
	char *slash = strrchr(path, '/');
	if (slash && slash != path) {
		*slash = 0;
		r = make_dirs(path, depth + 1);
		*slash = '/';
		if (r)
			return r;
	}
	return vfs_mknodat(AT_FDCWD, path, S_IFDIR | 0755, 0);
}

static void set_attrs(struct inode *inode, const struct cpio_entry *e)
{
	inode->mode = (inode->mode & S_IFMT) | (e->mode & 07777);
	inode->uid = e->uid;
	inode->gid = e->gid;
	inode->mtime_ns = inode->ctime_ns = (int64_t)e->mtime * 1000000000LL;
}

static struct hardlink *find_link(struct unpack *u, uint32_t ino)
{
	for (size_t i = 0; i < u->nlinks; i++)
		if (u->links[i].ino == ino)
			return &u->links[i];
	return NULL;
}

static int write_data(struct inode *inode, const void *data, size_t size)
{
	if (!size)
		return 0;
	struct file *f = file_alloc(inode, O_WRONLY, "");
	if (IS_ERR(f))
		return (int)PTR_ERR(f);
	long n = vfs_pwrite(f, data, size, 0);
	file_put(f);
	return n < 0 ? (int)n : 0;
}

static int unpack_one(struct unpack *u, const struct cpio_entry *e, char *path)
{
	uint32_t type = e->mode & S_IFMT;
	struct nameidata *nd = u->nd;
	int r = namei(vfs_root, "/", path, LOOKUP_PARENT, nd);
	if (r)
		return r;
	struct inode *dir = nd->inode;
	if (nd->last_type != LAST_NORM) {
		nd_release(nd);
		return 0; /* "." or "/": the root itself */
	}
	struct inode *old = lookup_one(dir, nd->last);
	if (!IS_ERR(old)) {
		bool keep = type == S_IFDIR && S_ISDIR(old->mode);
		if (keep)
			set_attrs(old, e);
		inode_put(old);
		if (keep) {
			nd_release(nd);
			return 0;
		}
		r = S_ISDIR(old->mode) ? dir->iops->rmdir(dir, nd->last)
				       : dir->iops->unlink(dir, nd->last);
		if (r) {
			nd_release(nd);
			return r;
		}
	}
	struct inode *inode = NULL;
	struct hardlink *hl = NULL;
	switch (type) {
	case S_IFDIR:
		inode = dir->iops->create(dir, nd->last, S_IFDIR | (e->mode & 07777), 0);
		break;
	case S_IFREG:
		hl = e->nlink > 1 ? find_link(u, e->ino) : NULL;
		if (hl) {
			r = dir->iops->link(dir, nd->last, hl->inode);
			inode = r ? ERR_PTR(r) : inode_get(hl->inode);
		} else {
			inode = dir->iops->create(dir, nd->last,
						  S_IFREG | (e->mode & 07777), 0);
		}
		if (!IS_ERR(inode) && e->size) {
			r = write_data(inode, e->data, e->size);
			if (r) {
				inode_put(inode);
				inode = ERR_PTR(r);
			}
		}
		if (!IS_ERR(inode) && e->nlink > 1 && !hl) {
			if (u->nlinks == u->cap) {
				size_t cap = u->cap ? u->cap * 2 : 16;
				struct hardlink *a = krealloc(u->links, cap * sizeof(*a));
				if (a) {
					u->links = a;
					u->cap = cap;
				}
			}
			if (u->nlinks < u->cap)
				u->links[u->nlinks++] =
				    (struct hardlink){e->ino, inode_get(inode)};
		}
		break;
	case S_IFLNK: {
		char *target = kmalloc(e->size + 1);
		if (!target) {
			inode = ERR_PTR(-ENOMEM);
			break;
		}
		memcpy(target, e->data, e->size);
		target[e->size] = 0;
		r = e->size && !memchr(target, 0, e->size) && e->size < PATH_MAX
			? dir->iops->symlink(dir, nd->last, target)
			: -EINVAL;
		kfree(target);
		inode = r ? ERR_PTR(r) : lookup_one(dir, nd->last);
		break;
	}
	default:
		printk("initrd: %s: skipping special file (mode %o)", path, e->mode);
		nd_release(nd);
		return 0;
	}
	nd_release(nd);
	if (IS_ERR(inode))
		return (int)PTR_ERR(inode);
	set_attrs(inode, e);
	inode_put(inode);
	return 0;
}

int initrd_unpack(const void *buf, size_t len)
{
	struct unpack u = {0};
	u.nd = nd_alloc();
	char *path = kmalloc(PATH_MAX + 2);
	int r = 0;
	if (!u.nd || !path) {
		r = -ENOMEM;
		goto out;
	}
	size_t off = 0;
	size_t count = 0;
	for (;;) {
		struct cpio_entry e;
		const char *why = NULL;
		size_t before = off;
		int n = cpio_next(buf, len, &off, &e, &why);
		if (n < 0) {
			printk("initrd: malformed archive at offset %zu: %s", off,
			       why ? why : "?");
			r = n;
			break;
		}
		if (n == 0) {
			if (off >= len || off == before)
				break;
			continue; /* concatenated archives */
		}
		const char *name = e.name;
		while (name[0] == '/' || (name[0] == '.' && name[1] == '/'))
			name += name[0] == '/' ? 1 : 2;
		if (!name[0] || (name[0] == '.' && !name[1]))
			continue;
		if (bad_name(name)) {
			printk("initrd: %s: refusing a name with \"..\"", e.name);
			r = -EINVAL;
			break;
		}
		if (strlen(name) >= PATH_MAX - 1) {
			printk("initrd: %.64s...: name too long", name);
			r = -ENAMETOOLONG;
			break;
		}
		path[0] = '/';
		strcpy(path + 1, name);
		size_t pl = strlen(path);
		while (pl > 1 && path[pl - 1] == '/')
			path[--pl] = 0;
		char *slash = strrchr(path, '/');
		if (slash != path) {
			*slash = 0;
			r = make_dirs(path, 0);
			*slash = '/';
		}
		if (!r)
			r = unpack_one(&u, &e, path);
		if (r) {
			printk("initrd: %s: cannot create (error %d)", path, -r);
			break;
		}
		count++;
	}
	if (!r)
		printk("initrd: %zu entries", count);
out:
	for (size_t i = 0; i < u.nlinks; i++)
		inode_put(u.links[i].inode);
	kfree(u.links);
	kfree(path);
	nd_free(u.nd);
	return r;
}
