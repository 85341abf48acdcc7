// SPDX-License-Identifier: MIT
/* Path lookup: walks a path one component at a time from a start directory,
 * handling ".", "..", mount points, symlinks (at most SYMLOOP_MAX, else
 * ELOOP), magic links, trailing slashes, search permission on every
 * directory it passes (perm.c) and the PATH_MAX/NAME_MAX limits, and tracks
 * the canonical absolute path of what it finds.  The file systems answer
 * single-name lookups (inode_ops.lookup); vfs.c builds the operations. */
#include <string.h>
#include <kern/err.h>
#include <kern/heap.h>
#include <uapi/errno.h>
#include "fs/internal.h"

int path_append(char *buf, const char *name)
{
	size_t len = strlen(buf), n = strlen(name);
	bool root = len == 1 && buf[0] == '/';
	if (len + n + 2 > PATH_MAX)
		return -ENAMETOOLONG;
	if (!root)
		buf[len++] = '/';
	memcpy(buf + len, name, n + 1);
	return 0;
}

void path_pop(char *buf)
{
	char *s = strrchr(buf, '/');
	if (!s)
		return;
	if (s == buf)
		buf[1] = 0;
	else
		*s = 0;
}

struct inode *lookup_one(struct inode *dir, const char *name)
{
	if (!S_ISDIR(dir->mode))
		return ERR_PTR(-ENOTDIR);
	if (!dir->nlink && !dir->sb->transient)
		return ERR_PTR(-ENOENT); /* a removed directory stays empty */
	if (!dir->iops || !dir->iops->lookup)
		return ERR_PTR(-ENOENT);
	struct inode *next = dir->iops->lookup(dir, name);
	while (!IS_ERR(next) && next->mounted) {
		struct inode *root = inode_get(next->mounted->root);
		inode_put(next);
		next = root;
	}
	return next;
}

static enum last_type name_type(const char *name)
{
	if (name[0] == '.' && !name[1])
		return LAST_DOT;
	if (name[0] == '.' && name[1] == '.' && !name[2])
		return LAST_DOTDOT;
	return LAST_NORM;
}

void nd_release(struct nameidata *nd)
{
	inode_put(nd->inode);
	nd->inode = NULL;
	if (nd->jump)
		file_put(nd->jump);
	nd->jump = NULL;
}

/* Follows the symlink `link` met at component ending at rest: rewrites the
 * remaining path as target+rest in *other, or jumps straight to a magic
 * link's file.  Returns 1 when the walk ended on a magic link (nd filled). */
static int follow_link(struct inode *link, struct inode **cur, const char *rest,
		       char **remain, char **other, bool last, struct nameidata *nd)
{
	if (++nd->links > SYMLOOP_MAX)
		return -ELOOP;
	if (link->iops && link->iops->follow) {
		struct file *jf = link->iops->follow(link);
		if (IS_ERR(jf))
			return (int)PTR_ERR(jf);
		if (strlen(jf->path) >= PATH_MAX) {
			file_put(jf);
			return -ENAMETOOLONG;
		}
		strcpy(nd->path, jf->path);
		inode_put(*cur);
		*cur = inode_get(jf->inode);
		if (last) {
			nd->jump = jf;
			return 1;
		}
		file_put(jf);
		strcpy(*other, rest);
		char *t = *remain;
		*remain = *other;
		*other = t;
		return 0;
	}
	if (!link->iops || !link->iops->readlink)
		return -EINVAL;
	long n = link->iops->readlink(link, *other, PATH_MAX);
	if (n < 0)
		return (int)n;
	if (n == 0)
		return -ENOENT;
	size_t rl = strlen(rest);
	if ((size_t)n + rl >= PATH_MAX)
		return -ENAMETOOLONG;
	memcpy(*other + n, rest, rl + 1);
	if ((*other)[0] == '/') {
		inode_put(*cur);
		*cur = inode_get(vfs_root);
		strcpy(nd->path, "/");
	}
	char *t = *remain;
	*remain = *other;
	*other = t;
	return 0;
}

int namei(struct inode *start, const char *start_path, const char *path,
	  unsigned int flags, struct nameidata *nd)
{
	size_t plen = strlen(path);
	nd->inode = NULL;
	nd->jump = NULL;
	nd->links = 0;
	nd->last[0] = 0;
	nd->last_type = LAST_NORM;
	nd->trailing_slash = false;
	if (plen >= PATH_MAX)
		return -ENAMETOOLONG;
	if (!plen && !(flags & LOOKUP_EMPTY))
		return -ENOENT;
	char *mem = kmalloc(2 * PATH_MAX);
	if (!mem)
		return -ENOMEM;
	char *remain = mem, *other = mem + PATH_MAX;
	memcpy(remain, path, plen + 1);
	struct inode *cur;
	if (remain[0] == '/') {
		cur = inode_get(vfs_root);
		strcpy(nd->path, "/");
	} else {
		if (strlen(start_path) >= PATH_MAX) {
			kfree(mem);
			return -ENAMETOOLONG;
		}
		cur = inode_get(start);
		strcpy(nd->path, start_path);
	}
	char name[NAME_MAX + 1];
	bool must_dir = false;
	const char *p = remain;
	int r = 0;
	for (;;) {
		while (*p == '/')
			p++;
		if (!*p) {
			if (flags & LOOKUP_PARENT)
				nd->last_type = LAST_ROOT;
			break;
		}
		const char *q = p;
		while (*p && *p != '/')
			p++;
		size_t len = (size_t)(p - q);
		if (len > NAME_MAX) {
			r = -ENAMETOOLONG;
			goto fail;
		}
		memcpy(name, q, len);
		name[len] = 0;
		const char *s = p;
		while (*s == '/')
			s++;
		bool last = !*s;
		bool slash = last && s != p;
		if (!S_ISDIR(cur->mode)) {
			r = -ENOTDIR;
			goto fail;
		}
		r = vfs_permission(cur, MAY_EXEC); /* search permission */
		if (r)
			goto fail;
		if (last && (flags & LOOKUP_PARENT)) {
			memcpy(nd->last, name, len + 1);
			nd->last_type = name_type(name);
			nd->trailing_slash = slash;
			break;
		}
		must_dir = slash;
		enum last_type t = name_type(name);
		if (t == LAST_DOT)
			continue;
		if (t == LAST_DOTDOT) {
			struct inode *up = inode_parent(cur);
			if (IS_ERR(up)) {
				r = (int)PTR_ERR(up);
				goto fail;
			}
			inode_put(cur);
			cur = up;
			path_pop(nd->path);
			continue;
		}
		struct inode *next = lookup_one(cur, name);
		if (IS_ERR(next)) {
			r = (int)PTR_ERR(next);
			goto fail;
		}
		if (S_ISLNK(next->mode) && (!last || (flags & LOOKUP_FOLLOW) || slash)) {
			r = follow_link(next, &cur, p, &remain, &other, last, nd);
			inode_put(next);
			if (r < 0)
				goto fail;
			if (r == 1) {
				r = 0;
				break;
			}
			p = remain;
			continue;
		}
		r = path_append(nd->path, name);
		inode_put(cur);
		cur = next;
		if (r)
			goto fail;
	}
	if ((must_dir || (flags & LOOKUP_DIRECTORY)) && !(flags & LOOKUP_PARENT) &&
	    !S_ISDIR(cur->mode)) {
		r = -ENOTDIR;
		goto fail;
	}
	kfree(mem);
	nd->inode = cur;
	return 0;
fail:
	kfree(mem);
	inode_put(cur);
	if (nd->jump)
		file_put(nd->jump);
	nd->jump = NULL;
	return r;
}
