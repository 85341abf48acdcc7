// SPDX-License-Identifier: MIT
/* The 9p file system as the VFS sees it: inode ops and file ops that send
 * 9P2000.L requests through 9p_client.c.  Inodes are transient (they die
 * with their last reference, clunking their fid) but stay unique while alive:
 * a lookup that finds a live inode with the same qid.path returns it, so
 * mount points and "is this directory under that one" work as on ramfs.
 * Nothing is cached but attributes; writes go straight to the host.  Mounting
 * is 9p_mount.c. */
#include <string.h>
#include <kern/compiler.h>
#include <kern/cred.h>
#include <kern/err.h>
#include <kern/heap.h>
#include <kern/printk.h>
#include <uapi/errno.h>
#include "fs/9p_internal.h"
#include "fs/internal.h"

#define READDIR_BUF 8192
#define READAHEAD   (128 * 1024) /* sequential reads smaller than this fetch this much */

static const struct inode_ops p9_dir_iops, p9_reg_iops, p9_lnk_iops, p9_other_iops;
static const struct file_ops p9_dir_fops, p9_reg_fops;
static const struct super_ops p9_sops;

static struct p9_mount *MNT(struct inode *i)
{
	return i->sb->priv;
}

static struct p9_node *NODE(struct inode *i)
{
	return i->priv;
}

/* Shadowed names of a "/" mount: served by the initrd root. */
static bool is_shadow(struct inode *dir, const char *name)
{
	struct p9_mount *m = MNT(dir);
	if (!m->shadow || dir != dir->sb->root)
		return false;
	return !strcmp(name, ".unielf") || !strcmp(name, "dev") ||
	       !strcmp(name, "proc") || !strcmp(name, "tmp");
}

static void set_attrs(struct inode *i, const struct p9_attr *a)
{
	struct p9_node *n = i->priv;
	int64_t mtime = (int64_t)(a->mtime_sec * 1000000000ULL + a->mtime_nsec);
	if (n && (i->size != a->size || i->mtime_ns != mtime))
		n->wgen++; /* changed behind our back, or by us: drop read-ahead */
	i->mode = a->mode;
	i->uid = a->uid;
	i->gid = a->gid;
	i->nlink = (uint32_t)a->nlink;
	i->rdev = a->rdev;
	i->size = a->size;
	i->blocks = a->blocks; /* what the host file system allocated */
	i->atime_ns = (int64_t)(a->atime_sec * 1000000000ULL + a->atime_nsec);
	i->mtime_ns = (int64_t)(a->mtime_sec * 1000000000ULL + a->mtime_nsec);
	i->ctime_ns = (int64_t)(a->ctime_sec * 1000000000ULL + a->ctime_nsec);
}

static void set_ops(struct inode *i)
{
	switch (i->mode & S_IFMT) {
	case S_IFDIR:
		i->iops = &p9_dir_iops;
		i->fops = &p9_dir_fops;
		break;
	case S_IFREG:
		i->iops = &p9_reg_iops;
		i->fops = &p9_reg_fops;
		break;
	case S_IFLNK:
		i->iops = &p9_lnk_iops;
		break;
	default:
		i->iops = &p9_other_iops; /* host fifos, devices: not openable */
		break;
	}
}

static struct p9_node *find_qid(struct p9_mount *m, uint64_t path)
{
	struct p9_node *n;
	list_for_each_entry(n, &m->nodes, link) if (n->qid_path == path) return n;
	return NULL;
}

static struct p9_node *find_name(struct p9_mount *m, struct inode *dir, const char *name)
{
	struct p9_node *n;
	list_for_each_entry(n, &m->nodes, link) if (n->inode->parent == dir && n->name &&
						    !strcmp(n->name, name)) return n;
	return NULL;
}

/* The name no longer leads to this inode: forget it so a new file reusing
 * the host inode number gets an inode of its own. */
static void detach(struct p9_node *n)
{
	list_del(&n->link);
	list_init(&n->link);
	kfree(n->name);
	n->name = NULL;
	n->qid_path = ~0ULL;
}

/* The inode for a fid freshly walked to dir/name (taking the fid over):
 * the live one with the same qid, or a new one.  New reference or ERR_PTR. */
static struct inode *node_get(struct inode *dir, const char *name, uint32_t fid)
{
	struct p9_mount *m = MNT(dir);
	struct p9_attr a;
	int r = p9_getattr(m->c, fid, &a);
	if (r) {
		p9_clunk_deferred(m->c, fid);
		return ERR_PTR(r);
	}
	struct p9_node *n = find_qid(m, a.qid.path);
	if (n) {
		p9_clunk_deferred(m->c, fid);
		set_attrs(n->inode, &a);
		return inode_get(n->inode);
	}
	struct inode *i = inode_alloc(dir->sb, a.mode);
	n = kzalloc(sizeof(*n));
	char *nm = kstrdup(name);
	if (!i || !n || !nm) {
		kfree(i);
		kfree(n);
		kfree(nm);
		p9_clunk_deferred(m->c, fid);
		return ERR_PTR(-ENOMEM);
	}
	set_attrs(i, &a);
	i->ino = a.qid.path;
	i->priv = n;
	i->parent = inode_get(dir);
	set_ops(i);
	n->inode = i;
	n->fid = fid;
	n->spare_fid = P9_NOFID;
	n->qid_path = a.qid.path;
	n->name = nm;
	list_add_tail(&n->link, &m->nodes);
	return i;
}

static struct inode *walk_one(struct inode *dir, const char *name)
{
	struct p9_mount *m = MNT(dir);
	uint32_t fid = p9_fid_alloc(m->c);
	int r = p9_walk(m->c, NODE(dir)->fid, fid, 1, &name, NULL);
	if (r) {
		p9_clunk_deferred(m->c, fid); /* unused numbers clunk harmlessly */
		return ERR_PTR(r);
	}
	return node_get(dir, name, fid);
}

static struct inode *p9_lookup(struct inode *dir, const char *name)
{
	if (is_shadow(dir, name)) {
		struct inode *s = MNT(dir)->shadow;
		return s->iops->lookup(s, name);
	}
	return walk_one(dir, name);
}

/* Opens a new fid on inode with 9P2000.L (= Linux) open flags. */
static int open_fid(struct inode *inode, uint32_t flags, uint32_t *fid, uint32_t *iounit)
{
	struct p9_mount *m = MNT(inode);
	struct p9_qid q;
	uint32_t f = p9_fid_alloc(m->c);
	int r = p9_walk(m->c, NODE(inode)->fid, f, 0, NULL, NULL);
	if (!r)
		r = p9_lopen(m->c, f, flags, &q, iounit);
	if (r) {
		p9_clunk_deferred(m->c, f);
		return r;
	}
	*fid = f;
	return 0;
}

struct p9_file {
	uint32_t fid;
	uint32_t iounit;
	uint64_t next_off; /* where the last read ended: is the next sequential? */
	uint8_t *ra;	   /* read-ahead window [ra_off, ra_off + ra_len) */
	uint64_t ra_off, ra_gen;
	uint32_t ra_len;
};

static int p9_open(struct inode *inode, struct file *f)
{
	struct p9_mount *m = MNT(inode);
	struct p9_node *n = NODE(inode);
	unsigned int acc = f->flags & O_ACCMODE;
	if (m->ro && acc != O_RDONLY)
		return -EROFS;
	struct p9_file *pf = kzalloc(sizeof(*pf));
	if (!pf)
		return -ENOMEM;
	int r = 0;
	if (n->spare_fid != P9_NOFID) {
		pf->fid = n->spare_fid; /* opened O_RDWR when it was created */
		pf->iounit = n->spare_iounit;
		n->spare_fid = P9_NOFID;
	} else {
		uint32_t fl = S_ISDIR(inode->mode) ? (O_RDONLY | O_DIRECTORY) : acc;
		r = open_fid(inode, fl, &pf->fid, &pf->iounit);
	}
	if (r) {
		kfree(pf);
		return r;
	}
	f->priv = pf;
	return 0;
}

static void p9_release(struct file *f)
{
	struct p9_file *pf = f->priv;
	if (!pf)
		return;
	p9_clunk_deferred(MNT(f->inode)->c, pf->fid);
	kfree(pf->ra);
	kfree(pf);
	f->priv = NULL;
}

static long p9_pread(struct file *f, void *buf, size_t len, uint64_t off)
{
	struct p9_file *pf = f->priv;
	if (!pf)
		return -EBADF;
	if (!len)
		return 0;
	struct p9_client *c = MNT(f->inode)->c;
	struct p9_node *n = NODE(f->inode);
	bool seq = off == pf->next_off;
	pf->next_off = off + len;
	/* Small sequential reads (stdio reads st_blksize at a time) are served
	 * from a window fetched in one request; writes through this mount and
	 * attribute changes seen on the host invalidate it. */
	if (len >= READAHEAD || (!seq && !pf->ra_len))
		return p9_read(c, pf->fid, off, buf, len);
	if (pf->ra_gen != n->wgen || off < pf->ra_off ||
	    off + len > pf->ra_off + pf->ra_len) {
		if (!seq) {
			pf->ra_len = 0;
			return p9_read(c, pf->fid, off, buf, len);
		}
		if (!pf->ra && !(pf->ra = kmalloc(READAHEAD)))
			return p9_read(c, pf->fid, off, buf, len);
		uint64_t gen = n->wgen;
		long got = p9_read(c, pf->fid, off, pf->ra, READAHEAD);
		if (got < 0) {
			pf->ra_len = 0;
			return got;
		}
		pf->ra_off = off;
		pf->ra_len = (uint32_t)got;
		pf->ra_gen = gen;
	}
	size_t avail =
	    pf->ra_off + pf->ra_len > off ? (size_t)(pf->ra_off + pf->ra_len - off) : 0;
	size_t k = MIN(len, avail);
	memcpy(buf, pf->ra + (off - pf->ra_off), k);
	return (long)k;
}

static long p9_pwrite(struct file *f, const void *buf, size_t len, uint64_t off)
{
	struct p9_file *pf = f->priv;
	if (!pf)
		return -EBADF;
	if (!len)
		return 0;
	NODE(f->inode)->wgen++;
	long n = p9_write(MNT(f->inode)->c, pf->fid, off, buf, len);
	if (n > 0) {
		struct inode *i = f->inode;
		if (off + (uint64_t)n > i->size)
			i->size = off + (uint64_t)n;
		inode_touch(i, false, true, true);
	}
	return n;
}

static int p9_fsync_op(struct file *f, bool datasync)
{
	struct p9_file *pf = f->priv;
	if (!pf)
		return -EBADF;
	return p9_fsync(MNT(f->inode)->c, pf->fid, datasync);
}

static int refresh(struct inode *i)
{
	struct p9_attr a;
	int r = p9_getattr(MNT(i)->c, NODE(i)->fid, &a);
	if (!r)
		set_attrs(i, &a);
	return r;
}

static int p9_fstat(struct file *f, struct kstat *st)
{
	int r = refresh(f->inode);
	if (r)
		return r;
	inode_stat(f->inode, st);
	return 0;
}

static int p9_size(struct file *f, uint64_t *size)
{
	int r = refresh(f->inode);
	if (r)
		return r;
	if (!S_ISREG(f->inode->mode))
		return -EINVAL;
	*size = f->inode->size;
	return 0;
}

static long p9_reg_lseek(struct file *f, int64_t off, int whence)
{
	if (whence == SEEK_END || whence == SEEK_DATA || whence == SEEK_HOLE)
		refresh(f->inode);
	return generic_lseek(f, off, whence);
}

/* Emits the entries of an opened directory fid from ctx->pos on. */
static int readdir_fid(struct inode *dir, uint32_t fid, struct dir_ctx *ctx)
{
	struct p9_mount *m = MNT(dir);
	uint8_t *buf = kmalloc(READDIR_BUF);
	char *name = kmalloc(NAME_MAX + 1);
	int r = 0;
	if (!buf || !name) {
		r = -ENOMEM;
		goto out;
	}
	for (;;) {
		uint64_t start = ctx->pos;
		long n = p9_readdir(m->c, fid, ctx->pos, buf, READDIR_BUF);
		if (n <= 0) {
			r = (int)n;
			break;
		}
		uint32_t off = 0;
		struct p9_dirent e;
		int k;
		while ((k = p9_dirent_next(buf, (uint32_t)n, &off, &e)) == 1) {
			size_t len = MIN((size_t)e.namelen, (size_t)NAME_MAX);
			memcpy(name, e.name, len);
			name[len] = 0;
			if (!ctx->emit(ctx, name, len, e.qid.path, e.type, e.offset))
				goto out;
			ctx->pos = e.offset;
		}
		if (k < 0) {
			r = k;
			break;
		}
		if (ctx->pos == start) {
			r = -EIO; /* a server whose offsets do not move on */
			break;
		}
	}
out:
	kfree(buf);
	kfree(name);
	return r;
}

static int p9_file_iterate(struct file *f, struct dir_ctx *ctx)
{
	struct p9_file *pf = f->priv;
	if (!pf)
		return -EBADF;
	return readdir_fid(f->inode, pf->fid, ctx);
}

/* For the VFS's own walks (rm -rf at boot): a temporary open fid. */
static int p9_iterate(struct inode *dir, struct dir_ctx *ctx)
{
	uint32_t fid, iounit;
	int r = open_fid(dir, O_RDONLY | O_DIRECTORY, &fid, &iounit);
	if (r)
		return r;
	r = readdir_fid(dir, fid, ctx);
	p9_clunk_deferred(MNT(dir)->c, fid);
	return r;
}

static long p9_dir_lseek(struct file *f, int64_t off, int whence)
{
	if (whence == SEEK_SET && off >= 0) {
		f->pos = (uint64_t)off;
		return off;
	}
	if (whence == SEEK_CUR && off == 0)
		return (long)f->pos;
	return -EINVAL;
}

/* The group of a new name, as Linux's v9fs asks for it: the directory's in
 * a set-group-ID directory, else the creator's fs gid. */
static uint32_t create_gid(const struct inode *dir)
{
	return (dir->mode & S_ISGID) ? dir->gid : cred_current()->fsgid;
}

/* The host made the file as the attach's uid 0: hand it to an unprivileged
 * creator, as Linux's v9fs (one attach per fs uid) would have it.  QEMU
 * running as an ordinary user cannot chown; the file then stays the host's
 * (a root creator leaves it so without asking). */
static void give_to_creator(struct inode *i)
{
	uint32_t uid = cred_current()->fsuid;
	if (uid == 0 || i->uid == uid)
		return;
	struct p9_setattr a = {.valid = P9_SETATTR_UID | P9_SETATTR_CTIME, .uid = uid};
	if (!p9_setattr(MNT(i)->c, NODE(i)->fid, &a))
		i->uid = uid;
}

static struct inode *p9_create(struct inode *dir, const char *name, uint32_t mode,
			       uint64_t rdev)
{
	struct p9_mount *m = MNT(dir);
	struct p9_client *c = m->c;
	uint32_t dfid = NODE(dir)->fid, perm = mode & 07777;
	if (m->ro)
		return ERR_PTR(-EROFS);
	if (is_shadow(dir, name))
		return ERR_PTR(-EEXIST);
	struct p9_qid q;
	uint32_t spare = P9_NOFID, iounit = 0;
	int r;
	switch (mode & S_IFMT) {
	case S_IFREG:
		spare = p9_fid_alloc(c);
		r = p9_walk(c, dfid, spare, 0, NULL, NULL);
		if (!r)
			r = p9_lcreate(c, spare, name, O_RDWR | O_CREAT | O_EXCL, perm,
				       create_gid(dir), &q, &iounit);
		if (r) {
			p9_clunk_deferred(c, spare);
			return ERR_PTR(r);
		}
		break;
	case S_IFDIR:
		r = p9_mkdir(c, dfid, name, perm, create_gid(dir), &q);
		break;
	default: {
		uint32_t major =
		    (uint32_t)(((rdev >> 8) & 0xfff) | ((rdev >> 32) & ~0xfffULL));
		uint32_t minor = (uint32_t)((rdev & 0xff) | ((rdev >> 12) & ~0xffULL));
		r = p9_mknod(c, dfid, name, mode, major, minor, create_gid(dir), &q);
		break;
	}
	}
	if (r)
		return ERR_PTR(r);
	struct inode *i = walk_one(dir, name);
	if (IS_ERR(i)) {
		p9_clunk_deferred(c, spare);
		return i;
	}
	inode_touch(dir, false, true, true);
	give_to_creator(i);
	if (spare != P9_NOFID) {
		struct p9_node *n = NODE(i);
		p9_clunk_deferred(c, n->spare_fid);
		n->spare_fid = spare;
		n->spare_iounit = iounit;
	}
	return i;
}

static int p9_symlink_op(struct inode *dir, const char *name, const char *target)
{
	struct p9_mount *m = MNT(dir);
	if (m->ro)
		return -EROFS;
	if (is_shadow(dir, name))
		return -EEXIST;
	return p9_symlink(m->c, NODE(dir)->fid, name, target, create_gid(dir), NULL);
}

static int p9_link_op(struct inode *dir, const char *name, struct inode *target)
{
	struct p9_mount *m = MNT(dir);
	if (m->ro)
		return -EROFS;
	if (is_shadow(dir, name))
		return -EEXIST;
	int r = p9_link(m->c, NODE(dir)->fid, NODE(target)->fid, name);
	if (!r)
		target->nlink++;
	return r;
}

static int p9_remove(struct inode *dir, const char *name, uint32_t flags)
{
	struct p9_mount *m = MNT(dir);
	if (is_shadow(dir, name)) {
		struct inode *s = m->shadow;
		if (flags & AT_REMOVEDIR)
			return s->iops->rmdir ? s->iops->rmdir(s, name) : -EPERM;
		return s->iops->unlink ? s->iops->unlink(s, name) : -EPERM;
	}
	if (m->ro)
		return -EROFS;
	int r = p9_unlinkat(m->c, NODE(dir)->fid, name, flags);
	if (!r) {
		struct p9_node *n = find_name(m, dir, name);
		if (n) {
			if (n->inode->nlink)
				n->inode->nlink--;
			detach(n);
		}
		inode_touch(dir, false, true, true);
	}
	return r;
}

static int p9_unlink(struct inode *dir, const char *name)
{
	return p9_remove(dir, name, 0);
}

static int p9_rmdir(struct inode *dir, const char *name)
{
	return p9_remove(dir, name, AT_REMOVEDIR);
}

static int p9_rename(struct inode *odir, const char *oname, struct inode *ndir,
		     const char *nname, unsigned int flags)
{
	struct p9_mount *m = MNT(odir);
	if (is_shadow(odir, oname) || is_shadow(ndir, nname))
		return -EBUSY;
	if (m->ro)
		return -EROFS;
	if (flags & RENAME_NOREPLACE) {
		struct inode *t = walk_one(ndir, nname);
		if (!IS_ERR(t)) {
			inode_put(t);
			return -EEXIST;
		}
		if (PTR_ERR(t) != -ENOENT)
			return (int)PTR_ERR(t);
	}
	int r = p9_renameat(m->c, NODE(odir)->fid, oname, NODE(ndir)->fid, nname);
	if (r)
		return r;
	struct p9_node *moved = find_name(m, odir, oname);
	struct p9_node *victim = find_name(m, ndir, nname);
	if (victim && victim != moved)
		detach(victim);
	if (moved) {
		char *nm = kstrdup(nname);
		kfree(moved->name);
		moved->name = nm;
		if (odir != ndir) {
			inode_put(moved->inode->parent);
			moved->inode->parent = inode_get(ndir);
		}
	}
	inode_touch(odir, false, true, true);
	inode_touch(ndir, false, true, true);
	return 0;
}

static long p9_readlink_op(struct inode *inode, char *buf, size_t size)
{
	return p9_readlink(MNT(inode)->c, NODE(inode)->fid, buf, size);
}

static int p9_truncate(struct inode *inode, uint64_t size)
{
	struct p9_mount *m = MNT(inode);
	if (m->ro)
		return -EROFS;
	struct p9_setattr a = {.valid = P9_SETATTR_SIZE, .size = size};
	NODE(inode)->wgen++;
	int r = p9_setattr(m->c, NODE(inode)->fid, &a);
	if (!r) {
		inode->size = size;
		inode_touch(inode, false, true, true);
	}
	return r;
}

/* chmod, chown, utimensat: the VFS stored the new values in the inode. */
static int p9_setattr_op(struct inode *inode, unsigned int mask)
{
	struct p9_mount *m = MNT(inode);
	struct p9_node *n = NODE(inode);
	if (!n)
		return 0; /* a shadowed initrd directory is not ours */
	if (m->ro)
		return -EROFS;
	struct p9_setattr a = {0};
	if (mask & SETATTR_MODE) {
		a.valid |= P9_SETATTR_MODE;
		a.mode = inode->mode & 07777;
	}
	if (mask & SETATTR_OWNER) {
		a.valid |= P9_SETATTR_UID | P9_SETATTR_GID;
		a.uid = inode->uid;
		a.gid = inode->gid;
	}
	if (mask & SETATTR_ATIME) {
		a.valid |= P9_SETATTR_ATIME | P9_SETATTR_ATIME_SET;
		a.atime_sec = (uint64_t)inode->atime_ns / 1000000000ULL;
		a.atime_nsec = (uint64_t)inode->atime_ns % 1000000000ULL;
	}
	if (mask & SETATTR_MTIME) {
		a.valid |= P9_SETATTR_MTIME | P9_SETATTR_MTIME_SET;
		a.mtime_sec = (uint64_t)inode->mtime_ns / 1000000000ULL;
		a.mtime_nsec = (uint64_t)inode->mtime_ns % 1000000000ULL;
	}
	if (!a.valid)
		return 0;
	a.valid |= P9_SETATTR_CTIME;
	int r = p9_setattr(m->c, n->fid, &a);
	if (r)
		refresh(inode); /* undo what the VFS stored */
	return r;
}

static void p9_evict(struct inode *inode)
{
	struct p9_node *n = NODE(inode);
	if (!n)
		return;
	struct p9_client *c = MNT(inode)->c;
	list_del(&n->link);
	p9_clunk_deferred(c, n->fid);
	p9_clunk_deferred(c, n->spare_fid);
	kfree(n->name);
	kfree(n);
	inode->priv = NULL;
	inode_put(inode->parent);
	inode->parent = NULL;
}

static int p9_statfs_op(struct super_block *sb, struct linux_statfs *st)
{
	struct p9_mount *m = sb->priv;
	struct p9_statfs s;
	int r = p9_statfs(m->c, NODE(sb->root)->fid, &s);
	if (r)
		return r;
	memset(st, 0, sizeof(*st));
	st->f_type = V9FS_MAGIC;
	st->f_bsize = s.bsize;
	st->f_frsize = s.bsize;
	st->f_blocks = s.blocks;
	st->f_bfree = s.bfree;
	st->f_bavail = s.bavail;
	st->f_files = s.files;
	st->f_ffree = s.ffree;
	st->f_fsid[0] = (int32_t)s.fsid;
	st->f_fsid[1] = (int32_t)(s.fsid >> 32);
	st->f_namelen = s.namelen;
	return 0;
}

static const struct super_ops p9_sops = {
    .evict = p9_evict,
    .statfs = p9_statfs_op,
};

static const struct inode_ops p9_dir_iops = {
    .lookup = p9_lookup,
    .iterate = p9_iterate,
    .create = p9_create,
    .symlink = p9_symlink_op,
    .link = p9_link_op,
    .unlink = p9_unlink,
    .rmdir = p9_rmdir,
    .rename = p9_rename,
    .open = p9_open,
    .setattr = p9_setattr_op,
};

static const struct inode_ops p9_reg_iops = {
    .truncate = p9_truncate,
    .open = p9_open,
    .setattr = p9_setattr_op,
};

static const struct inode_ops p9_lnk_iops = {
    .readlink = p9_readlink_op,
    .setattr = p9_setattr_op,
};

static const struct inode_ops p9_other_iops = {
    .truncate = p9_truncate,
    .setattr = p9_setattr_op,
};

static const struct file_ops p9_reg_fops = {
    .pread = p9_pread,
    .pwrite = p9_pwrite,
    .lseek = p9_reg_lseek,
    .stat = p9_fstat,
    .size = p9_size,
    .fsync = p9_fsync_op,
    .release = p9_release,
};

static const struct file_ops p9_dir_fops = {
    .iterate = p9_file_iterate,
    .lseek = p9_dir_lseek,
    .stat = p9_fstat,
    .fsync = p9_fsync_op,
    .release = p9_release,
};

struct super_block *p9_fs_create(struct p9_client *c, bool ro)
{
	struct p9_mount *m = kzalloc(sizeof(*m));
	struct super_block *sb = sb_alloc(&p9_sops);
	struct p9_node *n = kzalloc(sizeof(*n));
	if (!m || !sb || !n) {
		kfree(m);
		kfree(sb);
		kfree(n);
		return ERR_PTR(-ENOMEM);
	}
	m->c = c;
	m->ro = ro;
	list_init(&m->nodes);
	sb->priv = m;
	sb->transient = true;
	uint32_t fid = p9_fid_alloc(c);
	struct p9_qid q;
	struct p9_attr a;
	int r = p9_attach(c, fid, &q);
	if (!r)
		r = p9_getattr(c, fid, &a);
	struct inode *root = r ? NULL : inode_alloc(sb, a.mode);
	if (!root) {
		kfree(m);
		kfree(sb);
		kfree(n);
		return ERR_PTR(r ? r : -ENOMEM);
	}
	set_attrs(root, &a);
	root->ino = a.qid.path;
	root->priv = n;
	set_ops(root);
	n->inode = root;
	n->fid = fid;
	n->spare_fid = P9_NOFID;
	n->qid_path = a.qid.path;
	list_add_tail(&n->link, &m->nodes);
	sb->root = root; /* the super block's reference, never dropped */
	return sb;
}
