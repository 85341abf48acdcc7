// SPDX-License-Identifier: MIT
/* ioctl: the requests every descriptor answers (FIOCLEX, FIONCLEX, FIONBIO,
 * FIOASYNC, FIONREAD) here; everything else goes to the file's own ioctl op
 * (the console's termios and window size are kernel/fs/devfs.c), else -ENOTTY. */
#include <kern/syscall.h>
#include <kern/uaccess.h>
#include <uapi/errno.h>
#include <uapi/fcntl.h>
#include <uapi/ioctl.h>
#include "fs/sysutil.h"

long sys_ioctl(int fd, unsigned int cmd, unsigned long arg)
{
	struct fdtable *t = fdt_current();
	struct file *f = fdt_lookup(t, fd);
	if (!f || (f->flags & O_PATH))
		return -EBADF;
	switch (cmd) {
	case FIOCLEX:
		t->cloexec[fd] = 1;
		return 0;
	case FIONCLEX:
		t->cloexec[fd] = 0;
		return 0;
	case FIONBIO:
	case FIOASYNC: {
		int on;
		if (copy_from_user(&on, arg, sizeof(on)))
			return -EFAULT;
		unsigned int bit = cmd == FIONBIO ? O_NONBLOCK : O_ASYNC;
		if (on)
			f->flags |= bit;
		else
			f->flags &= ~bit;
		return 0;
	}
	case FIONREAD: {
		long n;
		if (f->ops && f->ops->nread)
			n = f->ops->nread(f);
		else if (f->inode && S_ISREG(f->inode->mode))
			n = f->pos < f->inode->size ? (long)(f->inode->size - f->pos) : 0;
		else if (f->ops && f->ops->ioctl)
			return f->ops->ioctl(f, cmd, arg);
		else
			return -ENOTTY;
		if (n < 0)
			return n;
		int v = n > 0x7fffffff ? 0x7fffffff : (int)n;
		return copy_to_user(arg, &v, sizeof(v));
	}
	default:
		if (f->ops && f->ops->ioctl)
			return f->ops->ioctl(f, cmd, arg);
		return -ENOTTY;
	}
}
SYSCALL_REGISTER(__NR_ioctl, sys_ioctl);
