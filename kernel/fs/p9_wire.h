/* SPDX-License-Identifier: MIT */
/* 9P2000.L messages on the wire (kernel/fs/p9_wire.c): encoders for every
 * T-message the client sends and decoders for every R-message it reads.
 * Pure functions over byte buffers (little endian, strings as len[2]+bytes),
 * shared by the kernel's 9p client and the host unit tests. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define P9_HDR_LEN	7 /* size[4] type[1] tag[2] */
#define P9_NOTAG	0xffff
#define P9_NOFID	0xffffffffu
#define P9_VERSION_L	"9P2000.L"
#define P9_MAXWELEM	16
#define P9_RREAD_HDR	(P9_HDR_LEN + 4)  /* count[4] before the data */
#define P9_TWRITE_HDR	(P9_HDR_LEN + 16) /* fid[4] offset[8] count[4] */
#define P9_RREADDIR_HDR (P9_HDR_LEN + 4)

enum p9_msg {
	P9_TLERROR = 6,
	P9_RLERROR,
	P9_TSTATFS = 8,
	P9_RSTATFS,
	P9_TLOPEN = 12,
	P9_RLOPEN,
	P9_TLCREATE = 14,
	P9_RLCREATE,
	P9_TSYMLINK = 16,
	P9_RSYMLINK,
	P9_TMKNOD = 18,
	P9_RMKNOD,
	P9_TREADLINK = 22,
	P9_RREADLINK,
	P9_TGETATTR = 24,
	P9_RGETATTR,
	P9_TSETATTR = 26,
	P9_RSETATTR,
	P9_TREADDIR = 40,
	P9_RREADDIR,
	P9_TFSYNC = 50,
	P9_RFSYNC,
	P9_TLINK = 70,
	P9_RLINK,
	P9_TMKDIR = 72,
	P9_RMKDIR,
	P9_TRENAMEAT = 74,
	P9_RRENAMEAT,
	P9_TUNLINKAT = 76,
	P9_RUNLINKAT,
	P9_TVERSION = 100,
	P9_RVERSION,
	P9_TATTACH = 104,
	P9_RATTACH,
	P9_TWALK = 110,
	P9_RWALK,
	P9_TREAD = 116,
	P9_RREAD,
	P9_TWRITE = 118,
	P9_RWRITE,
	P9_TCLUNK = 120,
	P9_RCLUNK,
};

/* qid.type bits */
#define P9_QTDIR     0x80
#define P9_QTSYMLINK 0x02

/* Tgetattr request_mask / Rgetattr valid */
#define P9_GETATTR_BASIC 0x000007ffULL

/* Tsetattr valid */
#define P9_SETATTR_MODE	     0x001
#define P9_SETATTR_UID	     0x002
#define P9_SETATTR_GID	     0x004
#define P9_SETATTR_SIZE	     0x008
#define P9_SETATTR_ATIME     0x010
#define P9_SETATTR_MTIME     0x020
#define P9_SETATTR_CTIME     0x040
#define P9_SETATTR_ATIME_SET 0x080
#define P9_SETATTR_MTIME_SET 0x100

struct p9_qid {
	uint8_t type;
	uint32_t version;
	uint64_t path;
};

struct p9_attr {
	uint64_t valid;
	struct p9_qid qid;
	uint32_t mode, uid, gid;
	uint64_t nlink, rdev, size, blksize, blocks;
	uint64_t atime_sec, atime_nsec, mtime_sec, mtime_nsec;
	uint64_t ctime_sec, ctime_nsec, btime_sec, btime_nsec;
	uint64_t gen, data_version;
};

struct p9_setattr {
	uint32_t valid, mode, uid, gid;
	uint64_t size, atime_sec, atime_nsec, mtime_sec, mtime_nsec;
};

struct p9_statfs {
	uint32_t type, bsize;
	uint64_t blocks, bfree, bavail, files, ffree, fsid;
	uint32_t namelen;
};

/* One Rreaddir entry; name points into the reply and is NOT terminated. */
struct p9_dirent {
	struct p9_qid qid;
	uint64_t offset;
	uint8_t type;
	const char *name;
	uint16_t namelen;
};

/* Encoders write one whole message into buf[cap] and return its length, or
 * -E2BIG when it does not fit (or a string is longer than 65535 bytes). */
long p9_enc_tversion(uint8_t *buf, size_t cap, uint32_t msize, const char *version);
long p9_enc_tattach(uint8_t *buf, size_t cap, uint16_t tag, uint32_t fid, uint32_t afid,
		    const char *uname, const char *aname, uint32_t n_uname);
long p9_enc_twalk(uint8_t *buf, size_t cap, uint16_t tag, uint32_t fid, uint32_t newfid,
		  uint16_t nwname, const char *const *wnames);
long p9_enc_tlopen(uint8_t *buf, size_t cap, uint16_t tag, uint32_t fid, uint32_t flags);
long p9_enc_tlcreate(uint8_t *buf, size_t cap, uint16_t tag, uint32_t fid,
		     const char *name, uint32_t flags, uint32_t mode, uint32_t gid);
long p9_enc_tread(uint8_t *buf, size_t cap, uint16_t tag, uint32_t fid, uint64_t offset,
		  uint32_t count);
long p9_enc_twrite(uint8_t *buf, size_t cap, uint16_t tag, uint32_t fid, uint64_t offset,
		   const void *data, uint32_t count);
long p9_enc_tclunk(uint8_t *buf, size_t cap, uint16_t tag, uint32_t fid);
long p9_enc_tgetattr(uint8_t *buf, size_t cap, uint16_t tag, uint32_t fid, uint64_t mask);
long p9_enc_tsetattr(uint8_t *buf, size_t cap, uint16_t tag, uint32_t fid,
		     const struct p9_setattr *a);
long p9_enc_treaddir(uint8_t *buf, size_t cap, uint16_t tag, uint32_t fid,
		     uint64_t offset, uint32_t count);
long p9_enc_tmkdir(uint8_t *buf, size_t cap, uint16_t tag, uint32_t dfid,
		   const char *name, uint32_t mode, uint32_t gid);
long p9_enc_tmknod(uint8_t *buf, size_t cap, uint16_t tag, uint32_t dfid,
		   const char *name, uint32_t mode, uint32_t major, uint32_t minor,
		   uint32_t gid);
long p9_enc_tunlinkat(uint8_t *buf, size_t cap, uint16_t tag, uint32_t dfid,
		      const char *name, uint32_t flags);
long p9_enc_trenameat(uint8_t *buf, size_t cap, uint16_t tag, uint32_t olddfid,
		      const char *oldname, uint32_t newdfid, const char *newname);
long p9_enc_tsymlink(uint8_t *buf, size_t cap, uint16_t tag, uint32_t dfid,
		     const char *name, const char *target, uint32_t gid);
long p9_enc_tlink(uint8_t *buf, size_t cap, uint16_t tag, uint32_t dfid, uint32_t fid,
		  const char *name);
long p9_enc_treadlink(uint8_t *buf, size_t cap, uint16_t tag, uint32_t fid);
long p9_enc_tfsync(uint8_t *buf, size_t cap, uint16_t tag, uint32_t fid,
		   uint32_t datasync);
long p9_enc_tstatfs(uint8_t *buf, size_t cap, uint16_t tag, uint32_t fid);

/* Decoders read one reply of len bytes (the buffer may be longer than the
 * message; its size field rules).  Each returns 0, -errno from an Rlerror,
 * or -EIO when the reply is malformed: truncated (size field beyond len, a
 * field beyond size), oversized (bytes left over), another type, another tag.
 * Pointers handed back point into buf. */
int p9_dec_rversion(const uint8_t *buf, size_t len, uint32_t *msize, const char **version,
		    uint16_t *vlen);
int p9_dec_rattach(const uint8_t *buf, size_t len, uint16_t tag, struct p9_qid *qid);
/* nwqid <= maxq (more is malformed) */
int p9_dec_rwalk(const uint8_t *buf, size_t len, uint16_t tag, uint16_t *nwqid,
		 struct p9_qid *qids, uint16_t maxq);
int p9_dec_rlopen(const uint8_t *buf, size_t len, uint16_t tag, struct p9_qid *qid,
		  uint32_t *iounit);
int p9_dec_rlcreate(const uint8_t *buf, size_t len, uint16_t tag, struct p9_qid *qid,
		    uint32_t *iounit);
int p9_dec_rread(const uint8_t *buf, size_t len, uint16_t tag, const uint8_t **data,
		 uint32_t *count);
int p9_dec_rwrite(const uint8_t *buf, size_t len, uint16_t tag, uint32_t *count);
int p9_dec_rgetattr(const uint8_t *buf, size_t len, uint16_t tag, struct p9_attr *a);
int p9_dec_rreaddir(const uint8_t *buf, size_t len, uint16_t tag, const uint8_t **data,
		    uint32_t *count);
/* Walks the entries of an Rreaddir payload: 1 with *e filled, 0 at the end,
 * -EIO when an entry runs past data[count]. */
int p9_dirent_next(const uint8_t *data, uint32_t count, uint32_t *off,
		   struct p9_dirent *e);
int p9_dec_rreadlink(const uint8_t *buf, size_t len, uint16_t tag, const char **target,
		     uint16_t *tlen);
int p9_dec_rstatfs(const uint8_t *buf, size_t len, uint16_t tag, struct p9_statfs *st);
/* Rmkdir, Rsymlink, Rmknod: a qid */
int p9_dec_rqid(const uint8_t *buf, size_t len, uint16_t tag, uint8_t type,
		struct p9_qid *qid);
/* Rclunk, Rsetattr, Runlinkat, Rrenameat, Rlink, Rfsync: nothing */
int p9_dec_rempty(const uint8_t *buf, size_t len, uint16_t tag, uint8_t type);
