// SPDX-License-Identifier: MIT
/* Extended attributes: no file system here stores any, so every name is
 * absent (-ENODATA), lists are empty and setting one is unsupported -- what
 * programs such as ls -l expect from a file system without xattrs.  The path
 * or descriptor is still checked, so a missing file says ENOENT/EBADF. */
#include <kern/syscall.h>
#include <uapi/errno.h>
#include <uapi/fcntl.h>
#include "fs/sysutil.h"

#define XATTR_NAME_MAX 255

static long check_path(unsigned long upath, bool follow)
{
	struct kstat st;
	char *path = user_path(upath);
	if (IS_ERR(path))
		return PTR_ERR(path);
	long r = vfs_statat(AT_FDCWD, path, follow ? 0 : AT_SYMLINK_NOFOLLOW, &st);
	kfree(path);
	return r;
}

static long check_name(unsigned long uname)
{
	char name[XATTR_NAME_MAX + 1];
	long n = strncpy_from_user(name, uname, sizeof(name));
	if (n == -ENAMETOOLONG)
		return -ERANGE;
	if (n < 0)
		return n;
	return n ? 0 : -ERANGE;
}

static long check_fd(int fd)
{
	struct file *f = fd_file(fd);
	return f && !(f->flags & O_PATH) ? 0 : -EBADF;
}

static long get_common(long r, unsigned long uname)
{
	if (r)
		return r;
	r = check_name(uname);
	return r ? r : -ENODATA;
}

long sys_getxattr(unsigned long upath, unsigned long uname, unsigned long uval,
		  size_t size)
{
	return get_common(check_path(upath, true), uname);
}
SYSCALL_REGISTER(__NR_getxattr, sys_getxattr);

long sys_lgetxattr(unsigned long upath, unsigned long uname, unsigned long uval,
		   size_t size)
{
	return get_common(check_path(upath, false), uname);
}
SYSCALL_REGISTER(__NR_lgetxattr, sys_lgetxattr);

long sys_fgetxattr(int fd, unsigned long uname, unsigned long uval, size_t size)
{
	return get_common(check_fd(fd), uname);
}
SYSCALL_REGISTER(__NR_fgetxattr, sys_fgetxattr);

long sys_listxattr(unsigned long upath, unsigned long ulist, size_t size)
{
	return check_path(upath, true);
}
SYSCALL_REGISTER(__NR_listxattr, sys_listxattr);

long sys_llistxattr(unsigned long upath, unsigned long ulist, size_t size)
{
	return check_path(upath, false);
}
SYSCALL_REGISTER(__NR_llistxattr, sys_llistxattr);

long sys_flistxattr(int fd, unsigned long ulist, size_t size)
{
	return check_fd(fd);
}
SYSCALL_REGISTER(__NR_flistxattr, sys_flistxattr);

static long set_common(long r, unsigned long uname)
{
	if (r)
		return r;
	r = check_name(uname);
	return r ? r : -EOPNOTSUPP;
}

long sys_setxattr(unsigned long upath, unsigned long uname, unsigned long uval,
		  size_t size, int flags)
{
	return set_common(check_path(upath, true), uname);
}
SYSCALL_REGISTER(__NR_setxattr, sys_setxattr);

long sys_lsetxattr(unsigned long upath, unsigned long uname, unsigned long uval,
		   size_t size, int flags)
{
	return set_common(check_path(upath, false), uname);
}
SYSCALL_REGISTER(__NR_lsetxattr, sys_lsetxattr);

long sys_fsetxattr(int fd, unsigned long uname, unsigned long uval, size_t size,
		   int flags)
{
	return set_common(check_fd(fd), uname);
}
SYSCALL_REGISTER(__NR_fsetxattr, sys_fsetxattr);

long sys_removexattr(unsigned long upath, unsigned long uname)
{
	return get_common(check_path(upath, true), uname);
}
SYSCALL_REGISTER(__NR_removexattr, sys_removexattr);

long sys_lremovexattr(unsigned long upath, unsigned long uname)
{
	return get_common(check_path(upath, false), uname);
}
SYSCALL_REGISTER(__NR_lremovexattr, sys_lremovexattr);

long sys_fremovexattr(int fd, unsigned long uname)
{
	return get_common(check_fd(fd), uname);
}
SYSCALL_REGISTER(__NR_fremovexattr, sys_fremovexattr);
