// SPDX-License-Identifier: MIT
/* Pipes: a 64 KiB ring per pipe inode, blocking reads and writes on a wait
 * queue, end of file when no writer is left, -EPIPE when no reader is, writes
 * of at most PIPE_BUF bytes all-or-nothing.  A pipe is reopened through
 * /proc/self/fd/N by the inode's open hook.  Portable: the unit tests drive
 * it on the host. */
#include <string.h>
#include <kern/err.h>
#include <kern/heap.h>
#include <kern/poll.h>
#include <kern/printk.h>
#include <kern/wait.h>
#include <uapi/errno.h>
#include <uapi/poll.h>
#include "fs/internal.h"
#include "fs/pipe.h"

static struct super_block *pipe_sb;
static const struct file_ops pipe_ops;
static const struct inode_ops pipe_iops;

size_t pipe_ring_write(struct pipe *p, const void *buf, size_t len)
{
	size_t n = MIN(len, PIPE_SIZE - p->len);
	size_t tail = (p->head + p->len) % PIPE_SIZE;
	size_t first = MIN(n, PIPE_SIZE - tail);
	memcpy(p->buf + tail, buf, first);
	memcpy(p->buf, (const char *)buf + first, n - first);
	p->len += n;
	return n;
}

size_t pipe_ring_read(struct pipe *p, void *buf, size_t len)
{
	size_t n = MIN(len, p->len);
	size_t first = MIN(n, PIPE_SIZE - p->head);
	memcpy(buf, p->buf + p->head, first);
	memcpy((char *)buf + first, p->buf, n - first);
	p->head = (p->head + n) % PIPE_SIZE;
	p->len -= n;
	if (!p->len)
		p->head = 0;
	return n;
}

static struct pipe *pipe_of(struct file *f)
{
	return f->inode->priv;
}

static long pipe_read(struct file *f, void *buf, size_t len)
{
	struct pipe *p = pipe_of(f);
	if (!len)
		return 0;
	for (;;) {
		if (p->len) {
			bool was_full = PIPE_SIZE - p->len < PIPE_BUF;
			size_t n = pipe_ring_read(p, buf, len);
			if (was_full) /* as Linux: writers get an edge only from full */
				poll_seq_bump(&p->wr_seq);
			waitq_wake_all(&p->wq);
			f->inode->atime_ns = vfs_now_ns();
			return (long)n;
		}
		if (!p->writers)
			return 0;
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		int r = waitq_sleep(&p->wq, 0);
		if (r)
			return r;
	}
}

static long pipe_write(struct file *f, const void *buf, size_t len)
{
	struct pipe *p = pipe_of(f);
	size_t done = 0;
	while (done < len) {
		if (!p->readers)
			return done ? (long)done : -EPIPE;
		size_t space = PIPE_SIZE - p->len;
		size_t left = len - done;
		bool atomic = len <= PIPE_BUF;
		if (space && (!atomic || space >= left)) {
			done += pipe_ring_write(p, (const char *)buf + done, left);
			poll_seq_bump(&p->rd_seq);
			waitq_wake_all(&p->wq);
			continue;
		}
		if (f->flags & O_NONBLOCK)
			return done ? (long)done : -EAGAIN;
		int r = waitq_sleep(&p->wq, 0);
		if (r)
			return done ? (long)done : r;
	}
	f->inode->mtime_ns = f->inode->ctime_ns = vfs_now_ns();
	return (long)done;
}

static unsigned int pipe_poll(struct file *f)
{
	struct pipe *p = pipe_of(f);
	unsigned int m = 0;
	int acc = f->flags & O_ACCMODE;
	if (acc != O_WRONLY) {
		if (p->len)
			m |= POLLIN | POLLRDNORM;
		if (!p->writers)
			m |= POLLHUP;
	}
	if (acc != O_RDONLY) {
		if (PIPE_SIZE - p->len >= PIPE_BUF)
			m |= POLLOUT | POLLWRNORM;
		if (!p->readers)
			m |= POLLERR;
	}
	return m;
}

static uint64_t pipe_poll_seq(struct file *f, unsigned int events)
{
	struct pipe *p = pipe_of(f);
	int acc = f->flags & O_ACCMODE;
	uint64_t s = 0;
	if (acc != O_WRONLY && (events & POLL_IN_EVENTS))
		s = p->rd_seq;
	if (acc != O_RDONLY && (events & POLL_OUT_EVENTS) && p->wr_seq > s)
		s = p->wr_seq;
	return s;
}

static long pipe_nread(struct file *f)
{
	return (long)pipe_of(f)->len;
}

static void pipe_release(struct file *f)
{
	struct pipe *p = pipe_of(f);
	int acc = f->flags & O_ACCMODE;
	if (acc != O_WRONLY)
		p->readers--;
	if (acc != O_RDONLY)
		p->writers--;
	poll_seq_bump(&p->rd_seq); /* POLLHUP for readers, POLLERR for writers */
	poll_seq_bump(&p->wr_seq);
	waitq_wake_all(&p->wq);
}

static int pipe_open(struct inode *inode, struct file *f)
{
	struct pipe *p = inode->priv;
	int acc = f->flags & O_ACCMODE;
	if (acc != O_WRONLY)
		p->readers++;
	if (acc != O_RDONLY)
		p->writers++;
	f->ops = &pipe_ops;
	waitq_wake_all(&p->wq);
	return 0;
}

static void pipe_evict(struct inode *inode)
{
	struct pipe *p = inode->priv;
	if (p) {
		kfree(p->buf);
		kfree(p);
	}
}

static const struct super_ops pipe_sops = {.evict = pipe_evict};

bool file_is_pipe(struct file *f)
{
	return f->inode && pipe_sb && f->inode->sb == pipe_sb;
}

int pipe_create(struct file **rd, struct file **wr, unsigned int flags)
{
	if (!pipe_sb) {
		pipe_sb = sb_alloc(&pipe_sops);
		if (!pipe_sb)
			return -ENOMEM;
		pipe_sb->transient = true;
	}
	struct inode *inode = inode_alloc(pipe_sb, S_IFIFO | 0600);
	struct pipe *p = kzalloc(sizeof(*p));
	char *buf = kmalloc(PIPE_SIZE);
	if (!inode || !p || !buf) {
		kfree(buf);
		kfree(p);
		if (inode)
			inode_put(inode);
		return -ENOMEM;
	}
	vfs_init_owner(inode, NULL); /* the creator's fs ids, as Linux */
	p->buf = buf;
	waitq_init(&p->wq);
	inode->priv = p;
	inode->iops = &pipe_iops;
	inode->fops = &pipe_ops;
	inode->nlink = 1;
	char path[32];
	snprintf(path, sizeof(path), "pipe:[%lu]", (unsigned long)inode->ino);
	unsigned int fl = (flags & O_NONBLOCK) | O_LARGEFILE;
	struct file *r = file_alloc(inode, O_RDONLY | fl, path);
	struct file *w = IS_ERR(r) ? r : file_alloc(inode, O_WRONLY | fl, path);
	inode_put(inode); /* the files hold it now */
	if (IS_ERR(w)) {
		if (!IS_ERR(r)) {
			r->ops = NULL;
			file_put(r);
		}
		return -ENOMEM;
	}
	pipe_open(inode, r);
	pipe_open(inode, w);
	*rd = r;
	*wr = w;
	return 0;
}

static const struct inode_ops pipe_iops = {.open = pipe_open};

static const struct file_ops pipe_ops = {
    .read = pipe_read,
    .write = pipe_write,
    .poll = pipe_poll,
    .poll_seq = pipe_poll_seq,
    .nread = pipe_nread,
    .release = pipe_release,
};
