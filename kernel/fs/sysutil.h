/* SPDX-License-Identifier: MIT */
/* Helpers shared by the file system calls (kernel/syscall/sys_{file,stat,dir,
 * poll,ioctl}.c): user path strings and borrowed descriptor lookups. */
#pragma once
#include <kern/err.h>
#include <kern/heap.h>
#include <kern/uaccess.h>
#include <uapi/errno.h>
#include "fs/internal.h"

/* Copies a user path into a kmalloc'd PATH_MAX buffer; ERR_PTR(-EFAULT,
 * -ENAMETOOLONG, -ENOMEM).  Free with kfree. */
static inline char *user_path(unsigned long upath)
{
	char *p = kmalloc(PATH_MAX);
	if (!p)
		return ERR_PTR(-ENOMEM);
	long n = strncpy_from_user(p, upath, PATH_MAX);
	if (n < 0) {
		kfree(p);
		return ERR_PTR(n);
	}
	return p;
}

/* The current process's open file at fd, borrowed (valid during the syscall:
 * nothing else runs), or NULL. */
static inline struct file *fd_file(int fd)
{
	return fdt_lookup(fdt_current(), fd);
}
