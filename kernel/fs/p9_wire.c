// SPDX-License-Identifier: MIT
/* 9P2000.L encoding and decoding: builds T-messages into a caller's buffer and
 * checks R-messages field by field, refusing anything truncated, oversized or
 * unexpected.  No allocation, no I/O; the client (9p_client.c) moves the bytes. */
#include <string.h>
#include "fs/p9_wire.h"
#include "uapi/errno.h"

/* ---------------------------------------------------------------- encoding */

struct enc {
	uint8_t *b;
	size_t cap, len;
	bool bad;
};

static void put(struct enc *e, uint64_t v, int n)
{
	if (e->bad || e->cap - e->len < (size_t)n) {
		e->bad = true;
		return;
	}
	for (int i = 0; i < n; i++)
		e->b[e->len++] = (uint8_t)(v >> (8 * i));
}

static void put_bytes(struct enc *e, const void *p, size_t n)
{
	if (e->bad || e->cap - e->len < n) {
		e->bad = true;
		return;
	}
	if (n)
		memcpy(e->b + e->len, p, n);
	e->len += n;
}

static void put_str(struct enc *e, const char *s)
{
	size_t n = strlen(s);
	if (n > 0xffff) {
		e->bad = true;
		return;
	}
	put(e, n, 2);
	put_bytes(e, s, n);
}

static struct enc begin(uint8_t *buf, size_t cap, uint8_t type, uint16_t tag)
{
	struct enc e = {buf, cap, 0, cap < P9_HDR_LEN};
	put(&e, 0, 4); /* size, patched by finish() */
	put(&e, type, 1);
	put(&e, tag, 2);
	return e;
}

static long finish(struct enc *e)
{
	if (e->bad || e->len > 0xffffffffu)
		return -E2BIG;
	uint32_t n = (uint32_t)e->len;
	for (int i = 0; i < 4; i++)
		e->b[i] = (uint8_t)(n >> (8 * i));
	return (long)n;
}

long p9_enc_tversion(uint8_t *buf, size_t cap, uint32_t msize, const char *version)
{
	struct enc e = begin(buf, cap, P9_TVERSION, P9_NOTAG);
	put(&e, msize, 4);
	put_str(&e, version);
	return finish(&e);
}

long p9_enc_tattach(uint8_t *buf, size_t cap, uint16_t tag, uint32_t fid, uint32_t afid,
		    const char *uname, const char *aname, uint32_t n_uname)
{
	struct enc e = begin(buf, cap, P9_TATTACH, tag);
	put(&e, fid, 4);
	put(&e, afid, 4);
	put_str(&e, uname);
	put_str(&e, aname);
	put(&e, n_uname, 4);
	return finish(&e);
}

long p9_enc_twalk(uint8_t *buf, size_t cap, uint16_t tag, uint32_t fid, uint32_t newfid,
		  uint16_t nwname, const char *const *wnames)
{
	struct enc e = begin(buf, cap, P9_TWALK, tag);
	if (nwname > P9_MAXWELEM)
		return -E2BIG;
	put(&e, fid, 4);
	put(&e, newfid, 4);
	put(&e, nwname, 2);
	for (uint16_t i = 0; i < nwname; i++)
		put_str(&e, wnames[i]);
	return finish(&e);
}

long p9_enc_tlopen(uint8_t *buf, size_t cap, uint16_t tag, uint32_t fid, uint32_t flags)
{
	struct enc e = begin(buf, cap, P9_TLOPEN, tag);
	put(&e, fid, 4);
	put(&e, flags, 4);
	return finish(&e);
}

long p9_enc_tlcreate(uint8_t *buf, size_t cap, uint16_t tag, uint32_t fid,
		     const char *name, uint32_t flags, uint32_t mode, uint32_t gid)
{
	struct enc e = begin(buf, cap, P9_TLCREATE, tag);
	put(&e, fid, 4);
	put_str(&e, name);
	put(&e, flags, 4);
	put(&e, mode, 4);
	put(&e, gid, 4);
	return finish(&e);
}

long p9_enc_tread(uint8_t *buf, size_t cap, uint16_t tag, uint32_t fid, uint64_t offset,
		  uint32_t count)
{
	struct enc e = begin(buf, cap, P9_TREAD, tag);
	put(&e, fid, 4);
	put(&e, offset, 8);
	put(&e, count, 4);
	return finish(&e);
}

long p9_enc_twrite(uint8_t *buf, size_t cap, uint16_t tag, uint32_t fid, uint64_t offset,
		   const void *data, uint32_t count)
{
	struct enc e = begin(buf, cap, P9_TWRITE, tag);
	put(&e, fid, 4);
	put(&e, offset, 8);
	put(&e, count, 4);
	put_bytes(&e, data, count);
	return finish(&e);
}

long p9_enc_tclunk(uint8_t *buf, size_t cap, uint16_t tag, uint32_t fid)
{
	struct enc e = begin(buf, cap, P9_TCLUNK, tag);
	put(&e, fid, 4);
	return finish(&e);
}

long p9_enc_tgetattr(uint8_t *buf, size_t cap, uint16_t tag, uint32_t fid, uint64_t mask)
{
	struct enc e = begin(buf, cap, P9_TGETATTR, tag);
	put(&e, fid, 4);
	put(&e, mask, 8);
	return finish(&e);
}

long p9_enc_tsetattr(uint8_t *buf, size_t cap, uint16_t tag, uint32_t fid,
		     const struct p9_setattr *a)
{
	struct enc e = begin(buf, cap, P9_TSETATTR, tag);
	put(&e, fid, 4);
	put(&e, a->valid, 4);
	put(&e, a->mode, 4);
	put(&e, a->uid, 4);
	put(&e, a->gid, 4);
	put(&e, a->size, 8);
	put(&e, a->atime_sec, 8);
	put(&e, a->atime_nsec, 8);
	put(&e, a->mtime_sec, 8);
	put(&e, a->mtime_nsec, 8);
	return finish(&e);
}

long p9_enc_treaddir(uint8_t *buf, size_t cap, uint16_t tag, uint32_t fid,
		     uint64_t offset, uint32_t count)
{
	struct enc e = begin(buf, cap, P9_TREADDIR, tag);
	put(&e, fid, 4);
	put(&e, offset, 8);
	put(&e, count, 4);
	return finish(&e);
}

long p9_enc_tmkdir(uint8_t *buf, size_t cap, uint16_t tag, uint32_t dfid,
		   const char *name, uint32_t mode, uint32_t gid)
{
	struct enc e = begin(buf, cap, P9_TMKDIR, tag);
	put(&e, dfid, 4);
	put_str(&e, name);
	put(&e, mode, 4);
	put(&e, gid, 4);
	return finish(&e);
}

long p9_enc_tmknod(uint8_t *buf, size_t cap, uint16_t tag, uint32_t dfid,
		   const char *name, uint32_t mode, uint32_t major, uint32_t minor,
		   uint32_t gid)
{
	struct enc e = begin(buf, cap, P9_TMKNOD, tag);
	put(&e, dfid, 4);
	put_str(&e, name);
	put(&e, mode, 4);
	put(&e, major, 4);
	put(&e, minor, 4);
	put(&e, gid, 4);
	return finish(&e);
}

long p9_enc_tunlinkat(uint8_t *buf, size_t cap, uint16_t tag, uint32_t dfid,
		      const char *name, uint32_t flags)
{
	struct enc e = begin(buf, cap, P9_TUNLINKAT, tag);
	put(&e, dfid, 4);
	put_str(&e, name);
	put(&e, flags, 4);
	return finish(&e);
}

long p9_enc_trenameat(uint8_t *buf, size_t cap, uint16_t tag, uint32_t olddfid,
		      const char *oldname, uint32_t newdfid, const char *newname)
{
	struct enc e = begin(buf, cap, P9_TRENAMEAT, tag);
	put(&e, olddfid, 4);
	put_str(&e, oldname);
	put(&e, newdfid, 4);
	put_str(&e, newname);
	return finish(&e);
}

long p9_enc_tsymlink(uint8_t *buf, size_t cap, uint16_t tag, uint32_t dfid,
		     const char *name, const char *target, uint32_t gid)
{
	struct enc e = begin(buf, cap, P9_TSYMLINK, tag);
	put(&e, dfid, 4);
	put_str(&e, name);
	put_str(&e, target);
	put(&e, gid, 4);
	return finish(&e);
}

long p9_enc_tlink(uint8_t *buf, size_t cap, uint16_t tag, uint32_t dfid, uint32_t fid,
		  const char *name)
{
	struct enc e = begin(buf, cap, P9_TLINK, tag);
	put(&e, dfid, 4);
	put(&e, fid, 4);
	put_str(&e, name);
	return finish(&e);
}

long p9_enc_treadlink(uint8_t *buf, size_t cap, uint16_t tag, uint32_t fid)
{
	struct enc e = begin(buf, cap, P9_TREADLINK, tag);
	put(&e, fid, 4);
	return finish(&e);
}

long p9_enc_tfsync(uint8_t *buf, size_t cap, uint16_t tag, uint32_t fid,
		   uint32_t datasync)
{
	struct enc e = begin(buf, cap, P9_TFSYNC, tag);
	put(&e, fid, 4);
	put(&e, datasync, 4);
	return finish(&e);
}

long p9_enc_tstatfs(uint8_t *buf, size_t cap, uint16_t tag, uint32_t fid)
{
	struct enc e = begin(buf, cap, P9_TSTATFS, tag);
	put(&e, fid, 4);
	return finish(&e);
}

/* ---------------------------------------------------------------- decoding */

struct dec {
	const uint8_t *b;
	size_t len, pos; /* len: the message's own size field */
	bool bad;
};

static uint64_t get(struct dec *d, int n)
{
	if (d->bad || d->len - d->pos < (size_t)n) {
		d->bad = true;
		return 0;
	}
	uint64_t v = 0;
	for (int i = 0; i < n; i++)
		v |= (uint64_t)d->b[d->pos++] << (8 * i);
	return v;
}

static const uint8_t *get_bytes(struct dec *d, size_t n)
{
	if (d->bad || d->len - d->pos < n) {
		d->bad = true;
		return NULL;
	}
	const uint8_t *p = d->b + d->pos;
	d->pos += n;
	return p;
}

static const char *get_str(struct dec *d, uint16_t *n)
{
	*n = (uint16_t)get(d, 2);
	return (const char *)get_bytes(d, *n);
}

static void get_qid(struct dec *d, struct p9_qid *q)
{
	q->type = (uint8_t)get(d, 1);
	q->version = (uint32_t)get(d, 4);
	q->path = get(d, 8);
}

/* Checks the header: 0 positioned on the body, -errno of an Rlerror, -EIO. */
static int open_reply(struct dec *d, const uint8_t *buf, size_t len, uint8_t type,
		      uint16_t tag)
{
	if (len < P9_HDR_LEN)
		return -EIO;
	uint32_t size = (uint32_t)buf[0] | (uint32_t)buf[1] << 8 |
			(uint32_t)buf[2] << 16 | (uint32_t)buf[3] << 24;
	if (size < P9_HDR_LEN || size > len)
		return -EIO;
	d->b = buf;
	d->len = size;
	d->pos = 4;
	d->bad = false;
	uint8_t t = (uint8_t)get(d, 1);
	uint16_t g = (uint16_t)get(d, 2);
	if (g != tag)
		return -EIO;
	if (t == P9_RLERROR) {
		uint32_t ecode = (uint32_t)get(d, 4);
		if (d->bad || d->pos != d->len || ecode == 0 || ecode > 4095)
			return -EIO;
		return -(int)ecode;
	}
	return t == type ? 0 : -EIO;
}

static int close_reply(struct dec *d)
{
	return d->bad || d->pos != d->len ? -EIO : 0;
}

int p9_dec_rversion(const uint8_t *buf, size_t len, uint32_t *msize, const char **version,
		    uint16_t *vlen)
{
	struct dec d;
	int r = open_reply(&d, buf, len, P9_RVERSION, P9_NOTAG);
	if (r)
		return r;
	*msize = (uint32_t)get(&d, 4);
	*version = get_str(&d, vlen);
	return close_reply(&d);
}

int p9_dec_rattach(const uint8_t *buf, size_t len, uint16_t tag, struct p9_qid *qid)
{
	return p9_dec_rqid(buf, len, tag, P9_RATTACH, qid);
}

int p9_dec_rwalk(const uint8_t *buf, size_t len, uint16_t tag, uint16_t *nwqid,
		 struct p9_qid *qids, uint16_t maxq)
{
	struct dec d;
	int r = open_reply(&d, buf, len, P9_RWALK, tag);
	if (r)
		return r;
	*nwqid = (uint16_t)get(&d, 2);
	if (*nwqid > maxq)
		return -EIO;
	for (uint16_t i = 0; i < *nwqid; i++)
		get_qid(&d, &qids[i]);
	return close_reply(&d);
}

static int dec_qid_iounit(const uint8_t *buf, size_t len, uint16_t tag, uint8_t type,
			  struct p9_qid *qid, uint32_t *iounit)
{
	struct dec d;
	int r = open_reply(&d, buf, len, type, tag);
	if (r)
		return r;
	get_qid(&d, qid);
	*iounit = (uint32_t)get(&d, 4);
	return close_reply(&d);
}

int p9_dec_rlopen(const uint8_t *buf, size_t len, uint16_t tag, struct p9_qid *qid,
		  uint32_t *iounit)
{
	return dec_qid_iounit(buf, len, tag, P9_RLOPEN, qid, iounit);
}

int p9_dec_rlcreate(const uint8_t *buf, size_t len, uint16_t tag, struct p9_qid *qid,
		    uint32_t *iounit)
{
	return dec_qid_iounit(buf, len, tag, P9_RLCREATE, qid, iounit);
}

static int dec_counted(const uint8_t *buf, size_t len, uint16_t tag, uint8_t type,
		       const uint8_t **data, uint32_t *count)
{
	struct dec d;
	int r = open_reply(&d, buf, len, type, tag);
	if (r)
		return r;
	*count = (uint32_t)get(&d, 4);
	*data = get_bytes(&d, *count);
	return close_reply(&d);
}

int p9_dec_rread(const uint8_t *buf, size_t len, uint16_t tag, const uint8_t **data,
		 uint32_t *count)
{
	return dec_counted(buf, len, tag, P9_RREAD, data, count);
}

int p9_dec_rreaddir(const uint8_t *buf, size_t len, uint16_t tag, const uint8_t **data,
		    uint32_t *count)
{
	return dec_counted(buf, len, tag, P9_RREADDIR, data, count);
}

int p9_dec_rwrite(const uint8_t *buf, size_t len, uint16_t tag, uint32_t *count)
{
	struct dec d;
	int r = open_reply(&d, buf, len, P9_RWRITE, tag);
	if (r)
		return r;
	*count = (uint32_t)get(&d, 4);
	return close_reply(&d);
}

int p9_dec_rgetattr(const uint8_t *buf, size_t len, uint16_t tag, struct p9_attr *a)
{
	struct dec d;
	int r = open_reply(&d, buf, len, P9_RGETATTR, tag);
	if (r)
		return r;
	a->valid = get(&d, 8);
	get_qid(&d, &a->qid);
	a->mode = (uint32_t)get(&d, 4);
	a->uid = (uint32_t)get(&d, 4);
	a->gid = (uint32_t)get(&d, 4);
	a->nlink = get(&d, 8);
	a->rdev = get(&d, 8);
	a->size = get(&d, 8);
	a->blksize = get(&d, 8);
	a->blocks = get(&d, 8);
	a->atime_sec = get(&d, 8);
	a->atime_nsec = get(&d, 8);
	a->mtime_sec = get(&d, 8);
	a->mtime_nsec = get(&d, 8);
	a->ctime_sec = get(&d, 8);
	a->ctime_nsec = get(&d, 8);
	a->btime_sec = get(&d, 8);
	a->btime_nsec = get(&d, 8);
	a->gen = get(&d, 8);
	a->data_version = get(&d, 8);
	return close_reply(&d);
}

int p9_dirent_next(const uint8_t *data, uint32_t count, uint32_t *off,
		   struct p9_dirent *e)
{
	if (*off == count)
		return 0;
	if (*off > count)
		return -EIO;
	struct dec d = {data, count, *off, false};
	get_qid(&d, &e->qid);
	e->offset = get(&d, 8);
	e->type = (uint8_t)get(&d, 1);
	e->name = get_str(&d, &e->namelen);
	if (d.bad)
		return -EIO;
	*off = (uint32_t)d.pos;
	return 1;
}

int p9_dec_rreadlink(const uint8_t *buf, size_t len, uint16_t tag, const char **target,
		     uint16_t *tlen)
{
	struct dec d;
	int r = open_reply(&d, buf, len, P9_RREADLINK, tag);
	if (r)
		return r;
	*target = get_str(&d, tlen);
	return close_reply(&d);
}

int p9_dec_rstatfs(const uint8_t *buf, size_t len, uint16_t tag, struct p9_statfs *st)
{
	struct dec d;
	int r = open_reply(&d, buf, len, P9_RSTATFS, tag);
	if (r)
		return r;
	st->type = (uint32_t)get(&d, 4);
	st->bsize = (uint32_t)get(&d, 4);
	st->blocks = get(&d, 8);
	st->bfree = get(&d, 8);
	st->bavail = get(&d, 8);
	st->files = get(&d, 8);
	st->ffree = get(&d, 8);
	st->fsid = get(&d, 8);
	st->namelen = (uint32_t)get(&d, 4);
	return close_reply(&d);
}

int p9_dec_rqid(const uint8_t *buf, size_t len, uint16_t tag, uint8_t type,
		struct p9_qid *qid)
{
	struct dec d;
	int r = open_reply(&d, buf, len, type, tag);
	if (r)
		return r;
	get_qid(&d, qid);
	return close_reply(&d);
}

int p9_dec_rempty(const uint8_t *buf, size_t len, uint16_t tag, uint8_t type)
{
	struct dec d;
	int r = open_reply(&d, buf, len, type, tag);
	if (r)
		return r;
	return close_reply(&d);
}
