// SPDX-License-Identifier: MIT
/* Whole files from inside the kernel: reading one as text (the launch
 * descriptor's files under /.unielf), and writing the files that arrive over
 * the control channel (kernel/live/): create the parent directories, then
 * write the file unless an identical one is already there. */
#include <string.h>
#include <kern/err.h>
#include <kern/heap.h>
#include <kern/vfs.h>
#include <uapi/errno.h>
#include "fs/internal.h"

int vfs_read_text(const char *path, char **text, size_t *len)
{
	void *buf;
	size_t size;
	int r = vfs_read_file(path, &buf, &size);
	if (r)
		return r;
	char *s = krealloc(buf, size + 1);
	if (!s) {
		kfree(buf);
		return -ENOMEM;
	}
	s[size] = 0;
	*text = s;
	if (len)
		*len = size;
	return 0;
}

int vfs_mkdir_p(const char *path, unsigned int mode)
{
	char *p = kstrdup(path);
	if (!p)
		return -ENOMEM;
	int r = 0;
	for (char *s = p + 1;; s++) {
		if (*s != '/' && *s)
			continue;
		char c = *s;
		*s = 0;
		r = vfs_mknodat(AT_FDCWD, p, S_IFDIR | (mode & 07777), 0);
		if (r == -EEXIST)
			r = 0;
		*s = c;
		if (r || !c)
			break;
	}
	kfree(p);
	return r;
}

/* 1 when path is a regular file holding exactly data[0..len). */
static int same_contents(const char *path, const void *data, size_t len)
{
	void *buf;
	size_t size;
	if (vfs_read_file(path, &buf, &size))
		return 0;
	int same = size == len && !memcmp(buf, data, len);
	kfree(buf);
	return same;
}

int vfs_write_file(const char *path, const void *data, size_t len, unsigned int mode)
{
	if (path[0] != '/')
		return -EINVAL;
	if (same_contents(path, data, len))
		return 0;
	char *dir = kstrdup(path);
	if (!dir)
		return -ENOMEM;
	char *slash = strrchr(dir, '/');
	int r = 0;
	if (slash != dir) {
		*slash = 0;
		r = vfs_mkdir_p(dir, 0755);
	}
	kfree(dir);
	if (r)
		return r;
	struct file *f = vfs_open(path, O_WRONLY | O_CREAT | O_TRUNC, mode & 07777);
	if (IS_ERR(f))
		return (int)PTR_ERR(f);
	long n = len ? vfs_pwrite(f, data, len, 0) : 0;
	file_put(f);
	if (n < 0)
		return (int)n;
	return (size_t)n == len ? 0 : -EIO;
}
