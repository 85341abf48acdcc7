/* SPDX-License-Identifier: MIT */
/* Inside the 9p file system: the 9P2000.L client (9p_client.c) -- one
 * request at a time over a virtio-9p device, fids, -errno from Rlerror --
 * and the shared structures of the VFS side (9p_vfs.c) and the mount code
 * (9p_mount.c).  Every call may sleep (it waits for the host). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <kern/list.h>
#include "fs/p9_wire.h"

struct virtio_9p;
struct inode;

#define P9_MSIZE_WANTED (512 * 1024)
#define P9_CLUNK_BATCH	64

struct p9_client {
	struct virtio_9p *trans;
	uint32_t msize;
	uint8_t *tbuf, *rbuf; /* msize each */
	uint32_t next_fid;
	uint32_t *free_fids;
	uint32_t nfree, cap_free;
	uint32_t deferred[P9_CLUNK_BATCH]; /* fids to clunk before the next request */
	uint32_t ndeferred;
};

/* Tversion: a client with the largest msize both sides accept (at most
 * P9_MSIZE_WANTED).  ERR_PTR(-errno). */
struct p9_client *p9_client_create(struct virtio_9p *trans);
uint32_t p9_fid_alloc(struct p9_client *c);
/* Clunks fid later (before the next request): never sleeps. */
void p9_clunk_deferred(struct p9_client *c, uint32_t fid);
int p9_clunk(struct p9_client *c, uint32_t fid);

int p9_attach(struct p9_client *c, uint32_t fid, struct p9_qid *qid);
/* Walks fid by nwname names to newfid (nwname 0 clones); all or -ENOENT.
 * newfid is left unused on failure. */
int p9_walk(struct p9_client *c, uint32_t fid, uint32_t newfid, uint16_t nwname,
	    const char *const *names, struct p9_qid *qid);
int p9_lopen(struct p9_client *c, uint32_t fid, uint32_t flags, struct p9_qid *qid,
	     uint32_t *iounit);
int p9_lcreate(struct p9_client *c, uint32_t fid, const char *name, uint32_t flags,
	       uint32_t mode, uint32_t gid, struct p9_qid *qid, uint32_t *iounit);
/* Reads/writes up to len bytes at off (split into msize-sized requests);
 * returns the count (short at end of file) or -errno. */
long p9_read(struct p9_client *c, uint32_t fid, uint64_t off, void *buf, size_t len);
long p9_write(struct p9_client *c, uint32_t fid, uint64_t off, const void *buf,
	      size_t len);
int p9_getattr(struct p9_client *c, uint32_t fid, struct p9_attr *a);
int p9_setattr(struct p9_client *c, uint32_t fid, const struct p9_setattr *a);
/* Copies at most cap bytes of entries from offset on into buf; returns the
 * byte count (0 at the end) or -errno. */
long p9_readdir(struct p9_client *c, uint32_t fid, uint64_t offset, void *buf,
		uint32_t cap);
/* gid: the group the host gives the new name (QEMU chowns it as it can) */
int p9_mkdir(struct p9_client *c, uint32_t dfid, const char *name, uint32_t mode,
	     uint32_t gid, struct p9_qid *qid);
int p9_mknod(struct p9_client *c, uint32_t dfid, const char *name, uint32_t mode,
	     uint32_t major, uint32_t minor, uint32_t gid, struct p9_qid *qid);
int p9_symlink(struct p9_client *c, uint32_t dfid, const char *name, const char *target,
	       uint32_t gid, struct p9_qid *qid);
int p9_link(struct p9_client *c, uint32_t dfid, uint32_t fid, const char *name);
int p9_unlinkat(struct p9_client *c, uint32_t dfid, const char *name, uint32_t flags);
int p9_renameat(struct p9_client *c, uint32_t odfid, const char *oname, uint32_t ndfid,
		const char *nname);
/* Copies the target into buf[size] (truncated, not terminated); its length. */
long p9_readlink(struct p9_client *c, uint32_t fid, char *buf, size_t size);
int p9_fsync(struct p9_client *c, uint32_t fid, bool datasync);
int p9_statfs(struct p9_client *c, uint32_t fid, struct p9_statfs *st);

/* ---------------------------------------------------------------- VFS side */

/* sb->priv of a mounted share */
struct p9_mount {
	struct p9_client *c;
	bool ro;
	struct list_head nodes; /* live inodes, for identity by qid.path */
	struct inode *shadow;	/* "/" mounts: the initrd root still serving
				 * .unielf, dev, proc and tmp */
};

/* inode->priv */
struct p9_node {
	struct inode *inode;
	uint32_t fid;	    /* walked to the file, never opened */
	uint32_t spare_fid; /* opened O_RDWR by Tlcreate, for the first open */
	uint32_t spare_iounit;
	uint64_t qid_path;
	char *name;    /* its name in inode->parent (for unlink/rename) */
	uint64_t wgen; /* bumped when the data may have changed: read-ahead is stale */
	struct list_head link;
};

struct super_block;
/* Attaches to the share and builds a super block whose root is the share's
 * root.  ERR_PTR(-errno). */
struct super_block *p9_fs_create(struct p9_client *c, bool ro);
