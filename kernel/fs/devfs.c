// SPDX-License-Identifier: MIT
/* devfs at /dev: null, zero, full, random, urandom, tty, console, the
 * stdin/stdout/stderr/fd links into /proc/self/fd, and the console files that
 * back descriptors 0, 1 and 2.  devfs is a ramfs whose device nodes get their
 * behaviour here; the console protocol itself is drivers/console.c. */
#include <string.h>
#include <kern/console.h>
#include <kern/err.h>
#include <kern/heap.h>
#include <kern/poll.h>
#include <kern/printk.h>
#include <kern/proc.h>
#include <kern/random.h>
#include <kern/uaccess.h>
#include <kern/wait.h>
#include <uapi/errno.h>
#include <uapi/ioctl.h>
#include <uapi/poll.h>
#include <uapi/termios.h>
#include "fs/internal.h"

#define MKDEV(ma, mi) (((uint64_t)(ma) << 8) | (mi))

/* ---------------------------------------------------------------- memory devices */

static long null_read(struct file *f, void *buf, size_t len)
{
	return 0;
}
static long any_write(struct file *f, const void *buf, size_t len)
{
	return (long)len;
}
static long zero_read(struct file *f, void *buf, size_t len)
{
	memset(buf, 0, len);
	return (long)len;
}
static long full_write(struct file *f, const void *buf, size_t len)
{
	return -ENOSPC;
}
static long random_read(struct file *f, void *buf, size_t len)
{
	random_bytes(buf, len);
	return (long)len;
}
static long null_lseek(struct file *f, int64_t off, int whence)
{
	f->pos = 0;
	return 0;
}

static const struct file_ops null_ops = {
    .read = null_read, .write = any_write, .lseek = null_lseek};
/* mapping /dev/zero maps nothing but zeros: a file of size 0 */
static int zero_size(struct file *f, uint64_t *size)
{
	*size = 0;
	return 0;
}

static const struct file_ops zero_ops = {
    .read = zero_read,
    .write = any_write,
    .lseek = null_lseek,
    .size = zero_size,
};
static const struct file_ops full_ops = {
    .read = zero_read, .write = full_write, .lseek = null_lseek};
static const struct file_ops random_ops = {
    .read = random_read, .write = any_write, .lseek = null_lseek};

/* ---------------------------------------------------------------- the console */

static struct linux_termios tty_termios = {
    .c_iflag = ICRNL | IXON | IUTF8,
    .c_oflag = OPOST | ONLCR,
    .c_cflag = B38400 | CS8 | CREAD | HUPCL,
    .c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN,
    .c_cc = {[VINTR] = 3,
	     [VQUIT] = 034,
	     [VERASE] = 0177,
	     [VKILL] = 025,
	     [VEOF] = 4,
	     [VTIME] = 0,
	     [VMIN] = 1,
	     [VSTART] = 021,
	     [VSTOP] = 023,
	     [VSUSP] = 032,
	     [VREPRINT] = 022,
	     [VDISCARD] = 017,
	     [VWERASE] = 027,
	     [VLNEXT] = 026},
};
static struct linux_winsize tty_winsize; /* set by TIOCSWINSZ; 0 rows = ask the host */
static int tty_pgrp;

/* /dev/tty and /dev/console: the terminal, whatever fds 0-2 are */
#define CHAN_TTY 3

static struct inode *console_node; /* /dev/console */

static int console_chan(struct file *f)
{
	return (int)(uintptr_t)f->inode->priv;
}

static bool chan_is_tty(int chan)
{
	return console_is_tty(chan == CHAN_TTY ? CONSOLE_STDIN : chan);
}

static long console_file_read(struct file *f, void *buf, size_t len)
{
	for (;;) {
		long n = console_read(buf, len);
		if (n != -EAGAIN)
			return n;
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		int r = waitq_sleep(&console_wq, 0);
		if (r)
			return r;
	}
}

static long console_file_write(struct file *f, const void *buf, size_t len)
{
	int chan = console_chan(f);
	return console_write(chan == CONSOLE_STDERR ? CONSOLE_STDERR : CONSOLE_STDOUT,
			     buf, len);
}

static unsigned int console_file_poll(struct file *f)
{
	unsigned int m = POLLOUT | POLLWRNORM;
	if (console_read_ready())
		m |= POLLIN | POLLRDNORM;
	return m;
}

static uint64_t console_file_poll_seq(struct file *f, unsigned int events)
{
	return events & POLL_IN_EVENTS ? console_read_seq() : 0; /* output never blocks */
}

static long console_file_nread(struct file *f)
{
	return console_read_ready() ? 1 : 0; /* the driver does not expose a count */
}

static long console_file_ioctl(struct file *f, unsigned int cmd, unsigned long uarg)
{
	if (!chan_is_tty(console_chan(f)))
		return -ENOTTY;
	switch (cmd) {
	case TCGETS:
		return copy_to_user(uarg, &tty_termios, sizeof(tty_termios));
	case TCSETS:
	case TCSETSW:
	case TCSETSF: {
		struct linux_termios t;
		int r = copy_from_user(&t, uarg, sizeof(t));
		if (!r) {
			tty_termios = t;
			console_termios_changed(&t, sizeof(t));
		}
		return r;
	}
	case TIOCGWINSZ: {
		struct linux_winsize ws = tty_winsize;
		if (!ws.ws_row && !ws.ws_col)
			console_winsize(&ws.ws_row, &ws.ws_col);
		return copy_to_user(uarg, &ws, sizeof(ws));
	}
	case TIOCSWINSZ:
		return copy_from_user(&tty_winsize, uarg, sizeof(tty_winsize));
	case TIOCGPGRP: {
		int pg = tty_pgrp ? tty_pgrp : proc_current()->pgid;
		return copy_to_user(uarg, &pg, sizeof(pg));
	}
	case TIOCSPGRP: {
		int pg;
		int r = copy_from_user(&pg, uarg, sizeof(pg));
		if (!r && pg <= 0)
			return -EINVAL;
		if (!r) {
			tty_pgrp = pg;
			console_set_foreground(pg);
		}
		return r;
	}
	case TIOCGSID: {
		int sid = proc_current()->sid;
		return copy_to_user(uarg, &sid, sizeof(sid));
	}
	case TIOCSCTTY:
	case TIOCNOTTY:
	case TCFLSH:
	case TCSBRK:
	case TCXONC:
		return 0;
	default:
		return -ENOTTY;
	}
}

static int console_file_stat(struct file *f, struct kstat *st)
{
	if (chan_is_tty(console_chan(f))) {
		/* the same dev/ino as /dev/console, which is what ttyname() checks */
		inode_stat(console_node ? console_node : f->inode, st);
		st->mode = S_IFCHR | 0620;
	} else {
		inode_stat(f->inode, st);
		st->mode = S_IFIFO | 0600; /* the host end is a pipe or a file */
	}
	return 0;
}

static const struct file_ops console_ops = {
    .read = console_file_read,
    .write = console_file_write,
    .poll = console_file_poll,
    .poll_seq = console_file_poll_seq,
    .ioctl = console_file_ioctl,
    .stat = console_file_stat,
    .nread = console_file_nread,
};

static int tty_open(struct inode *inode, struct file *f)
{
	return console_is_tty(CONSOLE_STDIN) ? 0 : -ENXIO;
}

static const struct inode_ops tty_iops = {.open = tty_open};
static const struct inode_ops dev_iops = {0};

/* ---------------------------------------------------------------- devfs */

static struct super_block *dev_sb;
static struct inode *chan_inode[3]; /* unnamed: what fds 0, 1, 2 are opened on */

static int add_dev(struct inode *dir, const char *name, uint32_t mode, uint64_t rdev,
		   const struct file_ops *ops, const struct inode_ops *iops, int chan)
{
	struct inode *i = dir->iops->create(dir, name, mode, rdev);
	if (IS_ERR(i))
		return (int)PTR_ERR(i);
	i->fops = ops;
	i->iops = iops;
	i->priv = (void *)(uintptr_t)chan;
	inode_put(i);
	return 0;
}

int devfs_mount(struct inode *dir)
{
	dev_sb = ramfs_create();
	if (!dev_sb)
		return -ENOMEM;
	struct inode *d = dev_sb->root;
	int r = 0;
	r |= add_dev(d, "null", S_IFCHR | 0666, MKDEV(1, 3), &null_ops, &dev_iops, 0);
	r |= add_dev(d, "zero", S_IFCHR | 0666, MKDEV(1, 5), &zero_ops, &dev_iops, 0);
	r |= add_dev(d, "full", S_IFCHR | 0666, MKDEV(1, 7), &full_ops, &dev_iops, 0);
	r |= add_dev(d, "random", S_IFCHR | 0666, MKDEV(1, 8), &random_ops, &dev_iops, 0);
	r |=
	    add_dev(d, "urandom", S_IFCHR | 0666, MKDEV(1, 9), &random_ops, &dev_iops, 0);
	r |= add_dev(d, "tty", S_IFCHR | 0666, MKDEV(5, 0), &console_ops, &tty_iops,
		     CHAN_TTY);
	r |= add_dev(d, "console", S_IFCHR | 0600, MKDEV(5, 1), &console_ops, &dev_iops,
		     CHAN_TTY);
	struct inode *con = d->iops->lookup(d, "console");
	if (!IS_ERR(con)) {
		console_node = con; /* a name keeps it; the reference is dropped below */
		inode_put(con);
	}
	r |= d->iops->symlink(d, "stdin", "/proc/self/fd/0");
	r |= d->iops->symlink(d, "stdout", "/proc/self/fd/1");
	r |= d->iops->symlink(d, "stderr", "/proc/self/fd/2");
	r |= d->iops->symlink(d, "fd", "/proc/self/fd");
	struct inode *shm = d->iops->create(d, "shm", S_IFDIR | 01777, 0);
	if (IS_ERR(shm))
		r = -ENOMEM;
	else
		inode_put(shm);
	for (int chan = 0; chan < 3 && !r; chan++) {
		struct inode *i = inode_alloc(dev_sb, S_IFCHR | 0620);
		if (!i)
			return -ENOMEM;
		i->rdev = MKDEV(136, 0);
		i->nlink = 1; /* kept for ever by chan_inode[] */
		i->fops = &console_ops;
		i->iops = &dev_iops;
		i->priv = (void *)(uintptr_t)chan;
		chan_inode[chan] = i;
	}
	if (r)
		return -ENOMEM;
	return vfs_mount(dir, dev_sb, "/dev", "devtmpfs");
}

/* A file for console channel chan, as descriptor chan of a new process. */
struct file *console_open_chan(int chan)
{
	if (chan < 0 || chan > 2 || !chan_inode[chan])
		return ERR_PTR(-ENXIO);
	struct inode *i = chan_inode[chan];
	bool tty = console_is_tty(chan);
	char path[32];
	if (tty)
		strcpy(path, "/dev/console");
	else
		snprintf(path, sizeof(path), "pipe:[%lu]", (unsigned long)i->ino);
	unsigned int flags = tty ? O_RDWR : chan == CONSOLE_STDIN ? O_RDONLY : O_WRONLY;
	return file_alloc(i, flags | O_LARGEFILE, path);
}
