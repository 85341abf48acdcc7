/* SPDX-License-Identifier: MIT */
/* Small helpers shared by the fs unit tests: kernel-path wrappers that
 * return 0/-errno like the kernel does. */
#pragma once
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <kern/err.h>
#include <uapi/errno.h>
#include "fs/internal.h"
#include "shim.h"

static inline int t_mkdir(const char *path)
{
	return vfs_mknodat(AT_FDCWD, path, S_IFDIR | 0755, 0);
}

static inline int t_write(const char *path, const char *data)
{
	struct file *f = vfs_open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	if (IS_ERR(f))
		return (int)PTR_ERR(f);
	long n = vfs_write(f, data, strlen(data));
	file_put(f);
	return n < 0 ? (int)n : 0;
}

/* Reads a whole file into a static buffer; NULL on error (errno in *err). */
static inline const char *t_read(const char *path, int *err)
{
	static char buf[65536];
	void *p;
	size_t n;
	int r = vfs_read_file(path, &p, &n);
	if (err)
		*err = r;
	if (r)
		return NULL;
	if (n >= sizeof(buf))
		n = sizeof(buf) - 1;
	memcpy(buf, p, n);
	buf[n] = 0;
	free(p);
	return buf;
}

/* Resolves path; on success copies the canonical path into out (if given). */
static inline int t_lookup(const char *path, unsigned int flags, char *out)
{
	struct nameidata *nd = nd_alloc();
	int r = vfs_lookup_at(AT_FDCWD, path, flags, nd);
	if (!r) {
		if (out)
			strcpy(out, nd->path);
		nd_release(nd);
	}
	nd_free(nd);
	return r;
}

static inline int t_stat(const char *path, bool follow, struct kstat *st)
{
	return vfs_statat(AT_FDCWD, path, follow ? 0 : AT_SYMLINK_NOFOLLOW, st);
}

static inline int t_open_err(const char *path, int flags)
{
	struct file *f = vfs_open(path, flags, 0644);
	if (IS_ERR(f))
		return (int)PTR_ERR(f);
	file_put(f);
	return 0;
}

#define FS_TEST(fn) cmocka_unit_test_setup_teardown(fn, shim_setup, shim_teardown)
