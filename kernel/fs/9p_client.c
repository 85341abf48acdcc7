// SPDX-License-Identifier: MIT
/* The 9P2000.L client: one request at a time per share (the device lock is
 * held from encoding to decoding), fid numbers, deferred clunks, and a call
 * per message returning 0/-errno (an Rlerror's errno as is).  Messages are
 * built and checked by p9_wire.c; the bytes travel through virtio_9p.c; the
 * VFS side is 9p_vfs.c. */
#include <string.h>
#include <kern/compiler.h>
#include <kern/err.h>
#include <kern/heap.h>
#include <kern/printk.h>
#include <uapi/errno.h>
#include "drivers/virtio_9p.h"
#include "fs/9p_internal.h"

#define TAG 1

/* Sends the n-byte request in c->tbuf; the reply, at most cap bytes, lands
 * in c->rbuf[*rlen].  Offering only the room a reply can need keeps the
 * descriptor chain short (the device maps every page of it). */
static int rpc_cap(struct p9_client *c, long n, uint32_t *rlen, uint32_t cap)
{
	if (n < 0)
		return (int)n;
	return virtio_9p_rpc(c->trans, c->tbuf, (size_t)n, c->rbuf, MIN(cap, c->msize),
			     rlen);
}

/* Every reply but Rread and Rreaddir fits 8 KiB (Rreadlink: PATH_MAX + 9). */
static int rpc(struct p9_client *c, long n, uint32_t *rlen)
{
	return rpc_cap(c, n, rlen, 8192);
}

static void fid_free(struct p9_client *c, uint32_t fid)
{
	if (c->nfree == c->cap_free) {
		uint32_t ncap = c->cap_free ? 2 * c->cap_free : 64;
		uint32_t *n = krealloc(c->free_fids, ncap * sizeof(uint32_t));
		if (!n)
			return; /* leak the number, not memory */
		c->free_fids = n;
		c->cap_free = ncap;
	}
	c->free_fids[c->nfree++] = fid;
}

uint32_t p9_fid_alloc(struct p9_client *c)
{
	if (c->nfree)
		return c->free_fids[--c->nfree];
	return c->next_fid++;
}

static void clunk_locked(struct p9_client *c, uint32_t fid)
{
	uint32_t rlen;
	int r = rpc(c, p9_enc_tclunk(c->tbuf, c->msize, TAG, fid), &rlen);
	if (!r)
		r = p9_dec_rempty(c->rbuf, rlen, TAG, P9_RCLUNK);
	/* a failed clunk still frees the fid on the server (9P rule) */
	fid_free(c, fid);
}

/* Takes the device and sends the clunks that piled up. */
static void lock(struct p9_client *c)
{
	virtio_9p_lock(c->trans);
	while (c->ndeferred)
		clunk_locked(c, c->deferred[--c->ndeferred]);
}

static void unlock(struct p9_client *c)
{
	virtio_9p_unlock(c->trans);
}

void p9_clunk_deferred(struct p9_client *c, uint32_t fid)
{
	if (fid == P9_NOFID)
		return;
	if (c->ndeferred < P9_CLUNK_BATCH) {
		c->deferred[c->ndeferred++] = fid;
		return;
	}
	/* rare: too many at once; this one is sent now */
	p9_clunk(c, fid);
}

int p9_clunk(struct p9_client *c, uint32_t fid)
{
	lock(c);
	clunk_locked(c, fid);
	unlock(c);
	return 0;
}

struct p9_client *p9_client_create(struct virtio_9p *trans)
{
	struct p9_client *c = kzalloc(sizeof(*c));
	if (!c)
		return ERR_PTR(-ENOMEM);
	size_t max = virtio_9p_max_msg(trans);
	c->trans = trans;
	c->msize = (uint32_t)MIN((size_t)P9_MSIZE_WANTED, max);
	c->next_fid = 1;
	c->tbuf = kmalloc(c->msize);
	c->rbuf = kmalloc(c->msize);
	int r = -ENOMEM;
	if (!c->tbuf || !c->rbuf)
		goto fail;
	lock(c);
	uint32_t rlen, msize = 0;
	const char *ver;
	uint16_t vlen;
	r = rpc(c, p9_enc_tversion(c->tbuf, c->msize, c->msize, P9_VERSION_L), &rlen);
	if (!r)
		r = p9_dec_rversion(c->rbuf, rlen, &msize, &ver, &vlen);
	if (!r && (vlen != strlen(P9_VERSION_L) || memcmp(ver, P9_VERSION_L, vlen)))
		r = -EOPNOTSUPP;
	unlock(c);
	if (r)
		goto fail;
	if (msize < 4096 || msize > c->msize) {
		r = -EIO;
		goto fail;
	}
	c->msize = msize;
	return c;
fail:
	kfree(c->tbuf);
	kfree(c->rbuf);
	kfree(c);
	return ERR_PTR(r);
}

int p9_attach(struct p9_client *c, uint32_t fid, struct p9_qid *qid)
{
	uint32_t rlen;
	lock(c);
	int r =
	    rpc(c, p9_enc_tattach(c->tbuf, c->msize, TAG, fid, P9_NOFID, "root", "", 0),
		&rlen);
	if (!r)
		r = p9_dec_rattach(c->rbuf, rlen, TAG, qid);
	unlock(c);
	return r;
}

int p9_walk(struct p9_client *c, uint32_t fid, uint32_t newfid, uint16_t nwname,
	    const char *const *names, struct p9_qid *qid)
{
	struct p9_qid qids[P9_MAXWELEM];
	uint32_t rlen;
	uint16_t nwqid = 0;
	lock(c);
	int r = rpc(c, p9_enc_twalk(c->tbuf, c->msize, TAG, fid, newfid, nwname, names),
		    &rlen);
	if (!r)
		r = p9_dec_rwalk(c->rbuf, rlen, TAG, &nwqid, qids, P9_MAXWELEM);
	if (!r && nwqid != nwname) {
		/* a partial walk leaves newfid unused */
		r = -ENOENT;
	}
	unlock(c);
	if (!r && qid && nwname)
		*qid = qids[nwname - 1];
	return r;
}

int p9_lopen(struct p9_client *c, uint32_t fid, uint32_t flags, struct p9_qid *qid,
	     uint32_t *iounit)
{
	uint32_t rlen;
	lock(c);
	int r = rpc(c, p9_enc_tlopen(c->tbuf, c->msize, TAG, fid, flags), &rlen);
	if (!r)
		r = p9_dec_rlopen(c->rbuf, rlen, TAG, qid, iounit);
	unlock(c);
	return r;
}

int p9_lcreate(struct p9_client *c, uint32_t fid, const char *name, uint32_t flags,
	       uint32_t mode, uint32_t gid, struct p9_qid *qid, uint32_t *iounit)
{
	uint32_t rlen;
	lock(c);
	int r =
	    rpc(c, p9_enc_tlcreate(c->tbuf, c->msize, TAG, fid, name, flags, mode, gid),
		&rlen);
	if (!r)
		r = p9_dec_rlcreate(c->rbuf, rlen, TAG, qid, iounit);
	unlock(c);
	return r;
}

long p9_read(struct p9_client *c, uint32_t fid, uint64_t off, void *buf, size_t len)
{
	size_t done = 0;
	long r = 0;
	lock(c);
	while (done < len) {
		uint32_t want =
		    (uint32_t)MIN(len - done, (size_t)(c->msize - P9_RREAD_HDR));
		uint32_t rlen, got;
		const uint8_t *data;
		r = rpc_cap(c,
			    p9_enc_tread(c->tbuf, c->msize, TAG, fid, off + done, want),
			    &rlen, P9_RREAD_HDR + want);
		if (!r)
			r = p9_dec_rread(c->rbuf, rlen, TAG, &data, &got);
		if (!r && got > want)
			r = -EIO;
		if (r)
			break;
		memcpy((uint8_t *)buf + done, data, got);
		done += got;
		if (got < want)
			break; /* end of file */
	}
	unlock(c);
	return done ? (long)done : r;
}

long p9_write(struct p9_client *c, uint32_t fid, uint64_t off, const void *buf,
	      size_t len)
{
	size_t done = 0;
	long r = 0;
	lock(c);
	while (done < len) {
		uint32_t want =
		    (uint32_t)MIN(len - done, (size_t)(c->msize - P9_TWRITE_HDR));
		uint32_t rlen, got;
		r = rpc(c,
			p9_enc_twrite(c->tbuf, c->msize, TAG, fid, off + done,
				      (const uint8_t *)buf + done, want),
			&rlen);
		if (!r)
			r = p9_dec_rwrite(c->rbuf, rlen, TAG, &got);
		if (!r && (got > want || !got))
			r = -EIO;
		if (r)
			break;
		done += got;
	}
	unlock(c);
	return done ? (long)done : r;
}

int p9_getattr(struct p9_client *c, uint32_t fid, struct p9_attr *a)
{
	uint32_t rlen;
	lock(c);
	int r =
	    rpc(c, p9_enc_tgetattr(c->tbuf, c->msize, TAG, fid, P9_GETATTR_BASIC), &rlen);
	if (!r)
		r = p9_dec_rgetattr(c->rbuf, rlen, TAG, a);
	unlock(c);
	return r;
}

static int simple(struct p9_client *c, long n, uint8_t rtype)
{
	uint32_t rlen;
	int r = rpc(c, n, &rlen);
	if (!r)
		r = p9_dec_rempty(c->rbuf, rlen, TAG, rtype);
	return r;
}

int p9_setattr(struct p9_client *c, uint32_t fid, const struct p9_setattr *a)
{
	lock(c);
	int r = simple(c, p9_enc_tsetattr(c->tbuf, c->msize, TAG, fid, a), P9_RSETATTR);
	unlock(c);
	return r;
}

long p9_readdir(struct p9_client *c, uint32_t fid, uint64_t offset, void *buf,
		uint32_t cap)
{
	uint32_t rlen, count;
	const uint8_t *data;
	cap = MIN(cap, c->msize - P9_RREADDIR_HDR);
	lock(c);
	long r = rpc_cap(c, p9_enc_treaddir(c->tbuf, c->msize, TAG, fid, offset, cap),
			 &rlen, P9_RREADDIR_HDR + cap);
	if (!r)
		r = p9_dec_rreaddir(c->rbuf, rlen, TAG, &data, &count);
	if (!r && count > cap)
		r = -EIO;
	if (!r) {
		memcpy(buf, data, count);
		r = count;
	}
	unlock(c);
	return r;
}

static int with_qid(struct p9_client *c, long n, uint8_t rtype, struct p9_qid *qid)
{
	uint32_t rlen;
	struct p9_qid q;
	int r = rpc(c, n, &rlen);
	if (!r)
		r = p9_dec_rqid(c->rbuf, rlen, TAG, rtype, &q);
	if (!r && qid)
		*qid = q;
	return r;
}

int p9_mkdir(struct p9_client *c, uint32_t dfid, const char *name, uint32_t mode,
	     uint32_t gid, struct p9_qid *qid)
{
	lock(c);
	int r = with_qid(c, p9_enc_tmkdir(c->tbuf, c->msize, TAG, dfid, name, mode, gid),
			 P9_RMKDIR, qid);
	unlock(c);
	return r;
}

int p9_mknod(struct p9_client *c, uint32_t dfid, const char *name, uint32_t mode,
	     uint32_t major, uint32_t minor, uint32_t gid, struct p9_qid *qid)
{
	lock(c);
	int r = with_qid(
	    c, p9_enc_tmknod(c->tbuf, c->msize, TAG, dfid, name, mode, major, minor, gid),
	    P9_RMKNOD, qid);
	unlock(c);
	return r;
}

int p9_symlink(struct p9_client *c, uint32_t dfid, const char *name, const char *target,
	       uint32_t gid, struct p9_qid *qid)
{
	lock(c);
	int r =
	    with_qid(c, p9_enc_tsymlink(c->tbuf, c->msize, TAG, dfid, name, target, gid),
		     P9_RSYMLINK, qid);
	unlock(c);
	return r;
}

int p9_link(struct p9_client *c, uint32_t dfid, uint32_t fid, const char *name)
{
	lock(c);
	int r =
	    simple(c, p9_enc_tlink(c->tbuf, c->msize, TAG, dfid, fid, name), P9_RLINK);
	unlock(c);
	return r;
}

int p9_unlinkat(struct p9_client *c, uint32_t dfid, const char *name, uint32_t flags)
{
	lock(c);
	int r = simple(c, p9_enc_tunlinkat(c->tbuf, c->msize, TAG, dfid, name, flags),
		       P9_RUNLINKAT);
	unlock(c);
	return r;
}

int p9_renameat(struct p9_client *c, uint32_t odfid, const char *oname, uint32_t ndfid,
		const char *nname)
{
	lock(c);
	int r = simple(
	    c, p9_enc_trenameat(c->tbuf, c->msize, TAG, odfid, oname, ndfid, nname),
	    P9_RRENAMEAT);
	unlock(c);
	return r;
}

long p9_readlink(struct p9_client *c, uint32_t fid, char *buf, size_t size)
{
	uint32_t rlen;
	const char *t;
	uint16_t tlen;
	lock(c);
	long r = rpc(c, p9_enc_treadlink(c->tbuf, c->msize, TAG, fid), &rlen);
	if (!r)
		r = p9_dec_rreadlink(c->rbuf, rlen, TAG, &t, &tlen);
	if (!r) {
		memcpy(buf, t, MIN((size_t)tlen, size));
		r = tlen;
	}
	unlock(c);
	return r;
}

int p9_fsync(struct p9_client *c, uint32_t fid, bool datasync)
{
	lock(c);
	int r =
	    simple(c, p9_enc_tfsync(c->tbuf, c->msize, TAG, fid, datasync), P9_RFSYNC);
	unlock(c);
	return r;
}

int p9_statfs(struct p9_client *c, uint32_t fid, struct p9_statfs *st)
{
	uint32_t rlen;
	lock(c);
	int r = rpc(c, p9_enc_tstatfs(c->tbuf, c->msize, TAG, fid), &rlen);
	if (!r)
		r = p9_dec_rstatfs(c->rbuf, rlen, TAG, st);
	unlock(c);
	return r;
}
