// SPDX-License-Identifier: MIT
/* 9P2000.L wire codec: every T-message the client sends encodes to the bytes
 * the protocol gives (laid out here field by field from the specification,
 * independently of the encoder), encoders refuse buffers too small, and
 * every R-message decoder accepts the exact message, maps Rlerror to -errno
 * and refuses every truncation, any trailing byte, another tag or type. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "fs/p9_wire.h"

#define EIO_   5
#define E2BIG_ 7

/* ---------------------------------------------------------------- a spec-side builder */

struct msg {
	uint8_t b[1024];
	size_t n;
};

static void le(struct msg *m, uint64_t v, int bytes)
{
	for (int i = 0; i < bytes; i++)
		m->b[m->n++] = (uint8_t)(v >> (8 * i));
}

static void str(struct msg *m, const char *s)
{
	le(m, strlen(s), 2);
	memcpy(m->b + m->n, s, strlen(s));
	m->n += strlen(s);
}

static void qid(struct msg *m, uint8_t type, uint32_t vers, uint64_t path)
{
	le(m, type, 1);
	le(m, vers, 4);
	le(m, path, 8);
}

static void hdr(struct msg *m, uint8_t type, uint16_t tag)
{
	m->n = 0;
	le(m, 0, 4);
	le(m, type, 1);
	le(m, tag, 2);
}

static void seal(struct msg *m)
{
	for (int i = 0; i < 4; i++)
		m->b[i] = (uint8_t)(m->n >> (8 * i));
}

static void expect_enc(long got, const uint8_t *buf, struct msg *want)
{
	seal(want);
	assert_int_equal(got, (long)want->n);
	assert_memory_equal(buf, want->b, want->n);
}

/* ---------------------------------------------------------------- encoders */

static void test_tversion_bytes(void **state)
{
	/* the literal example: size 21, type 100, NOTAG, msize 8192, "9P2000.L" */
	static const uint8_t want[] = {21,   0,	   0,	0,   100, 0xff, 0xff,
				       0x00, 0x20, 0,	0,   8,	  0,	'9',
				       'P',  '2',  '0', '0', '0', '.',	'L'};
	uint8_t buf[64];
	assert_int_equal(p9_enc_tversion(buf, sizeof(buf), 8192, "9P2000.L"),
			 sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
}

static void test_twalk_bytes(void **state)
{
	static const uint8_t want[] = {27, 0, 0,   0,	110, 1, 0,    /* hdr: 7+8+2+5+5 */
				       5,  0, 0,   0,	6,   0, 0, 0, /* fid newfid */
				       2,  0,			      /* nwname */
				       3,  0, 'u', 's', 'r', 3, 0, 'b', 'i', 'n'};
	const char *names[] = {"usr", "bin"};
	uint8_t buf[64];
	assert_int_equal(p9_enc_twalk(buf, sizeof(buf), 1, 5, 6, 2, names), sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
	/* a clone is a walk of no names */
	struct msg m;
	hdr(&m, 110, 1);
	le(&m, 5, 4);
	le(&m, 7, 4);
	le(&m, 0, 2);
	expect_enc(p9_enc_twalk(buf, sizeof(buf), 1, 5, 7, 0, NULL), buf, &m);
	const char *many[P9_MAXWELEM + 1];
	for (int i = 0; i <= P9_MAXWELEM; i++)
		many[i] = "x";
	assert_int_equal(p9_enc_twalk(buf, sizeof(buf), 1, 5, 7, P9_MAXWELEM + 1, many),
			 -E2BIG_);
}

static void test_every_tmessage(void **state)
{
	uint8_t buf[512];
	struct msg m;

	hdr(&m, 104, 1); /* Tattach fid afid uname aname n_uname */
	le(&m, 1, 4);
	le(&m, P9_NOFID, 4);
	str(&m, "root");
	str(&m, "");
	le(&m, 0, 4);
	expect_enc(p9_enc_tattach(buf, sizeof(buf), 1, 1, P9_NOFID, "root", "", 0), buf,
		   &m);

	hdr(&m, 12, 1); /* Tlopen fid flags */
	le(&m, 9, 4);
	le(&m, 02, 4);
	expect_enc(p9_enc_tlopen(buf, sizeof(buf), 1, 9, 02), buf, &m);

	hdr(&m, 14, 1); /* Tlcreate fid name flags mode gid */
	le(&m, 9, 4);
	str(&m, "new.txt");
	le(&m, 0302, 4);
	le(&m, 0644, 4);
	le(&m, 0, 4);
	expect_enc(p9_enc_tlcreate(buf, sizeof(buf), 1, 9, "new.txt", 0302, 0644, 0), buf,
		   &m);

	hdr(&m, 116, 1); /* Tread fid offset count */
	le(&m, 9, 4);
	le(&m, 0x123456789aULL, 8);
	le(&m, 65536, 4);
	expect_enc(p9_enc_tread(buf, sizeof(buf), 1, 9, 0x123456789aULL, 65536), buf, &m);

	hdr(&m, 118, 1); /* Twrite fid offset count data */
	le(&m, 9, 4);
	le(&m, 4096, 8);
	le(&m, 5, 4);
	memcpy(m.b + m.n, "hello", 5);
	m.n += 5;
	expect_enc(p9_enc_twrite(buf, sizeof(buf), 1, 9, 4096, "hello", 5), buf, &m);

	hdr(&m, 120, 1); /* Tclunk fid */
	le(&m, 9, 4);
	expect_enc(p9_enc_tclunk(buf, sizeof(buf), 1, 9), buf, &m);

	hdr(&m, 24, 1); /* Tgetattr fid request_mask */
	le(&m, 9, 4);
	le(&m, P9_GETATTR_BASIC, 8);
	expect_enc(p9_enc_tgetattr(buf, sizeof(buf), 1, 9, P9_GETATTR_BASIC), buf, &m);

	hdr(&m, 26, 1); /* Tsetattr fid valid mode uid gid size atime mtime */
	le(&m, 9, 4);
	le(&m, P9_SETATTR_MODE | P9_SETATTR_SIZE, 4);
	le(&m, 0755, 4);
	le(&m, 1, 4);
	le(&m, 2, 4);
	le(&m, 1000, 8);
	le(&m, 11, 8);
	le(&m, 12, 8);
	le(&m, 13, 8);
	le(&m, 14, 8);
	struct p9_setattr sa = {
	    P9_SETATTR_MODE | P9_SETATTR_SIZE, 0755, 1, 2, 1000, 11, 12, 13, 14};
	expect_enc(p9_enc_tsetattr(buf, sizeof(buf), 1, 9, &sa), buf, &m);

	hdr(&m, 40, 1); /* Treaddir fid offset count */
	le(&m, 9, 4);
	le(&m, 77, 8);
	le(&m, 8192, 4);
	expect_enc(p9_enc_treaddir(buf, sizeof(buf), 1, 9, 77, 8192), buf, &m);

	hdr(&m, 72, 1); /* Tmkdir dfid name mode gid */
	le(&m, 3, 4);
	str(&m, "dir");
	le(&m, 0755, 4);
	le(&m, 0, 4);
	expect_enc(p9_enc_tmkdir(buf, sizeof(buf), 1, 3, "dir", 0755, 0), buf, &m);

	hdr(&m, 18, 1); /* Tmknod dfid name mode major minor gid */
	le(&m, 3, 4);
	str(&m, "fifo");
	le(&m, 010644, 4);
	le(&m, 0, 4);
	le(&m, 0, 4);
	le(&m, 0, 4);
	expect_enc(p9_enc_tmknod(buf, sizeof(buf), 1, 3, "fifo", 010644, 0, 0, 0), buf,
		   &m);

	hdr(&m, 76, 1); /* Tunlinkat dfid name flags */
	le(&m, 3, 4);
	str(&m, "gone");
	le(&m, 0x200, 4);
	expect_enc(p9_enc_tunlinkat(buf, sizeof(buf), 1, 3, "gone", 0x200), buf, &m);

	hdr(&m, 74, 1); /* Trenameat olddirfid oldname newdirfid newname */
	le(&m, 3, 4);
	str(&m, "a");
	le(&m, 4, 4);
	str(&m, "b");
	expect_enc(p9_enc_trenameat(buf, sizeof(buf), 1, 3, "a", 4, "b"), buf, &m);

	hdr(&m, 16, 1); /* Tsymlink fid name symtgt gid */
	le(&m, 3, 4);
	str(&m, "link");
	str(&m, "../target");
	le(&m, 0, 4);
	expect_enc(p9_enc_tsymlink(buf, sizeof(buf), 1, 3, "link", "../target", 0), buf,
		   &m);

	hdr(&m, 70, 1); /* Tlink dfid fid name */
	le(&m, 3, 4);
	le(&m, 9, 4);
	str(&m, "hard");
	expect_enc(p9_enc_tlink(buf, sizeof(buf), 1, 3, 9, "hard"), buf, &m);

	hdr(&m, 22, 1); /* Treadlink fid */
	le(&m, 9, 4);
	expect_enc(p9_enc_treadlink(buf, sizeof(buf), 1, 9), buf, &m);

	hdr(&m, 50, 1); /* Tfsync fid datasync */
	le(&m, 9, 4);
	le(&m, 1, 4);
	expect_enc(p9_enc_tfsync(buf, sizeof(buf), 1, 9, 1), buf, &m);

	hdr(&m, 8, 1); /* Tstatfs fid */
	le(&m, 1, 4);
	expect_enc(p9_enc_tstatfs(buf, sizeof(buf), 1, 1), buf, &m);
}

static void test_encoders_refuse_small_buffers(void **state)
{
	uint8_t buf[64];
	long full = p9_enc_tlcreate(buf, sizeof(buf), 1, 9, "name", 0, 0644, 0);
	assert_true(full > 0);
	for (size_t cap = 0; cap < (size_t)full; cap++)
		assert_int_equal(p9_enc_tlcreate(buf, cap, 1, 9, "name", 0, 0644, 0),
				 -E2BIG_);
	assert_int_equal(p9_enc_twrite(buf, sizeof(buf), 1, 9, 0, buf, 64), -E2BIG_);
	assert_int_equal(p9_enc_tversion(buf, 6, 8192, "9P2000.L"), -E2BIG_);
}

/* ---------------------------------------------------------------- decoders */

typedef int (*decode_fn)(const uint8_t *buf, size_t len);

/* The exact message decodes; every shorter length, every size field that
 * lies, and any extra byte are refused. */
static void check_strict(struct msg *m, decode_fn dec)
{
	seal(m);
	assert_int_equal(dec(m->b, m->n), 0);
	/* a longer buffer is fine: the size field rules */
	assert_int_equal(dec(m->b, m->n + 8), 0);
	struct msg c;
	for (size_t cut = 0; cut < m->n; cut++) {
		/* the buffer ends early */
		assert_int_equal(dec(m->b, cut), -EIO_);
		/* the size field admits the cut: a field then runs past it */
		c = *m;
		c.n = cut;
		if (cut >= 4) {
			seal(&c);
			assert_int_equal(dec(c.b, cut), -EIO_);
		}
	}
	/* oversized: one byte more than the fields */
	c = *m;
	c.b[c.n++] = 0;
	seal(&c);
	assert_int_equal(dec(c.b, c.n), -EIO_);
	/* another tag, another type */
	c = *m;
	c.b[5] ^= 0x40;
	assert_int_equal(dec(c.b, c.n), -EIO_);
	c = *m;
	c.b[4] = 255;
	assert_int_equal(dec(c.b, c.n), -EIO_);
}

/* An Rlerror for the same tag gives -ecode; a malformed one gives -EIO. */
static void check_lerror(decode_fn dec, uint16_t tag)
{
	struct msg m;
	hdr(&m, 7, tag);
	le(&m, 2, 4);
	seal(&m);
	assert_int_equal(dec(m.b, m.n), -2);
	m.n--;
	seal(&m);
	assert_int_equal(dec(m.b, m.n), -EIO_);
	hdr(&m, 7, tag);
	le(&m, 0, 4);
	seal(&m);
	assert_int_equal(dec(m.b, m.n), -EIO_);
	hdr(&m, 7, tag);
	le(&m, 100000, 4);
	seal(&m);
	assert_int_equal(dec(m.b, m.n), -EIO_);
}

static int d_rversion(const uint8_t *b, size_t n)
{
	uint32_t msize;
	const char *v;
	uint16_t vl;
	int r = p9_dec_rversion(b, n, &msize, &v, &vl);
	if (!r) {
		assert_int_equal(msize, 516096);
		assert_int_equal(vl, 8);
		assert_memory_equal(v, "9P2000.L", 8);
	}
	return r;
}

static int d_rattach(const uint8_t *b, size_t n)
{
	struct p9_qid q;
	int r = p9_dec_rattach(b, n, 1, &q);
	if (!r) {
		assert_int_equal(q.type, P9_QTDIR);
		assert_int_equal(q.version, 7);
		assert_true(q.path == 0x1122334455667788ULL);
	}
	return r;
}

static int d_rwalk(const uint8_t *b, size_t n)
{
	struct p9_qid q[P9_MAXWELEM];
	uint16_t nw;
	int r = p9_dec_rwalk(b, n, 1, &nw, q, P9_MAXWELEM);
	if (!r) {
		assert_int_equal(nw, 2);
		assert_true(q[1].path == 99);
	}
	return r;
}

static int d_rlopen(const uint8_t *b, size_t n)
{
	struct p9_qid q;
	uint32_t io;
	int r = p9_dec_rlopen(b, n, 1, &q, &io);
	if (!r)
		assert_int_equal(io, 4096);
	return r;
}

static int d_rlcreate(const uint8_t *b, size_t n)
{
	struct p9_qid q;
	uint32_t io;
	return p9_dec_rlcreate(b, n, 1, &q, &io);
}

static int d_rread(const uint8_t *b, size_t n)
{
	const uint8_t *data;
	uint32_t count;
	int r = p9_dec_rread(b, n, 1, &data, &count);
	if (!r) {
		assert_int_equal(count, 5);
		assert_memory_equal(data, "abcde", 5);
	}
	return r;
}

static int d_rwrite(const uint8_t *b, size_t n)
{
	uint32_t count;
	int r = p9_dec_rwrite(b, n, 1, &count);
	if (!r)
		assert_int_equal(count, 65536);
	return r;
}

static int d_rgetattr(const uint8_t *b, size_t n)
{
	struct p9_attr a;
	int r = p9_dec_rgetattr(b, n, 1, &a);
	if (!r) {
		assert_int_equal(a.mode, 0100644);
		assert_int_equal(a.size, 12345);
		assert_int_equal(a.mtime_sec, 1700000000);
		assert_int_equal(a.data_version, 20);
	}
	return r;
}

static int d_rreaddir(const uint8_t *b, size_t n)
{
	const uint8_t *data;
	uint32_t count;
	int r = p9_dec_rreaddir(b, n, 1, &data, &count);
	if (!r) {
		uint32_t off = 0;
		struct p9_dirent e;
		assert_int_equal(p9_dirent_next(data, count, &off, &e), 1);
		assert_int_equal(e.namelen, 1);
		assert_memory_equal(e.name, ".", 1);
		assert_int_equal(p9_dirent_next(data, count, &off, &e), 1);
		assert_int_equal(e.offset, 2);
		assert_int_equal(e.type, 8);
		assert_memory_equal(e.name, "file", 4);
		assert_int_equal(p9_dirent_next(data, count, &off, &e), 0);
	}
	return r;
}

static int d_rreadlink(const uint8_t *b, size_t n)
{
	const char *t;
	uint16_t tl;
	int r = p9_dec_rreadlink(b, n, 1, &t, &tl);
	if (!r)
		assert_memory_equal(t, "/usr/bin", tl);
	return r;
}

static int d_rstatfs(const uint8_t *b, size_t n)
{
	struct p9_statfs st;
	int r = p9_dec_rstatfs(b, n, 1, &st);
	if (!r) {
		assert_int_equal(st.bsize, 4096);
		assert_int_equal(st.namelen, 255);
	}
	return r;
}

static int d_rmkdir(const uint8_t *b, size_t n)
{
	struct p9_qid q;
	return p9_dec_rqid(b, n, 1, P9_RMKDIR, &q);
}

static int d_rclunk(const uint8_t *b, size_t n)
{
	return p9_dec_rempty(b, n, 1, P9_RCLUNK);
}

static void test_decoders_strict(void **state)
{
	struct msg m;

	hdr(&m, 101, P9_NOTAG);
	le(&m, 516096, 4);
	str(&m, "9P2000.L");
	check_strict(&m, d_rversion);
	check_lerror(d_rversion, P9_NOTAG);

	hdr(&m, 105, 1);
	qid(&m, P9_QTDIR, 7, 0x1122334455667788ULL);
	check_strict(&m, d_rattach);
	check_lerror(d_rattach, 1);

	hdr(&m, 111, 1);
	le(&m, 2, 2);
	qid(&m, P9_QTDIR, 0, 98);
	qid(&m, 0, 0, 99);
	check_strict(&m, d_rwalk);
	check_lerror(d_rwalk, 1);

	hdr(&m, 13, 1);
	qid(&m, 0, 1, 5);
	le(&m, 4096, 4);
	check_strict(&m, d_rlopen);
	check_lerror(d_rlopen, 1);

	hdr(&m, 15, 1);
	qid(&m, 0, 1, 5);
	le(&m, 0, 4);
	check_strict(&m, d_rlcreate);
	check_lerror(d_rlcreate, 1);

	hdr(&m, 117, 1);
	le(&m, 5, 4);
	memcpy(m.b + m.n, "abcde", 5);
	m.n += 5;
	check_strict(&m, d_rread);
	check_lerror(d_rread, 1);

	hdr(&m, 119, 1);
	le(&m, 65536, 4);
	check_strict(&m, d_rwrite);
	check_lerror(d_rwrite, 1);

	hdr(&m, 25, 1);
	le(&m, P9_GETATTR_BASIC, 8);
	qid(&m, 0, 3, 42);
	le(&m, 0100644, 4);
	le(&m, 0, 4);
	le(&m, 0, 4);
	le(&m, 1, 8);	  /* nlink */
	le(&m, 0, 8);	  /* rdev */
	le(&m, 12345, 8); /* size */
	le(&m, 4096, 8);
	le(&m, 32, 8);
	for (int i = 0; i < 8; i++) /* a m c b times, sec and nsec */
		le(&m, i == 2 ? 1700000000 : i, 8);
	le(&m, 0, 8);  /* gen */
	le(&m, 20, 8); /* data_version */
	check_strict(&m, d_rgetattr);
	check_lerror(d_rgetattr, 1);

	hdr(&m, 41, 1);
	struct msg ents = {.n = 0};
	qid(&ents, P9_QTDIR, 0, 1);
	le(&ents, 1, 8);
	le(&ents, 4, 1);
	str(&ents, ".");
	qid(&ents, 0, 0, 2);
	le(&ents, 2, 8);
	le(&ents, 8, 1);
	str(&ents, "file");
	le(&m, ents.n, 4);
	memcpy(m.b + m.n, ents.b, ents.n);
	m.n += ents.n;
	check_strict(&m, d_rreaddir);
	check_lerror(d_rreaddir, 1);

	hdr(&m, 23, 1);
	str(&m, "/usr/bin");
	check_strict(&m, d_rreadlink);
	check_lerror(d_rreadlink, 1);

	hdr(&m, 9, 1);
	le(&m, 0x01021997, 4);
	le(&m, 4096, 4);
	for (int i = 0; i < 6; i++)
		le(&m, 1000 + i, 8);
	le(&m, 255, 4);
	check_strict(&m, d_rstatfs);
	check_lerror(d_rstatfs, 1);

	hdr(&m, 73, 1);
	qid(&m, P9_QTDIR, 0, 77);
	check_strict(&m, d_rmkdir);
	check_lerror(d_rmkdir, 1);

	hdr(&m, 121, 1);
	check_strict(&m, d_rclunk);
	check_lerror(d_rclunk, 1);
}

static void test_rwalk_refuses_too_many_qids(void **state)
{
	struct msg m;
	hdr(&m, 111, 1);
	le(&m, 2, 2);
	qid(&m, 0, 0, 1);
	qid(&m, 0, 0, 2);
	seal(&m);
	struct p9_qid q[1];
	uint16_t nw;
	assert_int_equal(p9_dec_rwalk(m.b, m.n, 1, &nw, q, 1), -EIO_);
}

static void test_rread_count_beyond_message(void **state)
{
	struct msg m;
	hdr(&m, 117, 1);
	le(&m, 1000, 4); /* claims 1000 bytes, carries 3 */
	memcpy(m.b + m.n, "abc", 3);
	m.n += 3;
	seal(&m);
	const uint8_t *data;
	uint32_t count;
	assert_int_equal(p9_dec_rread(m.b, sizeof(m.b), 1, &data, &count), -EIO_);
}

static void test_dirent_runs_past_payload(void **state)
{
	struct msg e = {.n = 0};
	qid(&e, 0, 0, 2);
	le(&e, 2, 8);
	le(&e, 8, 1);
	str(&e, "file");
	struct p9_dirent d;
	for (uint32_t cut = 1; cut < e.n; cut++) {
		uint32_t off = 0;
		assert_int_equal(p9_dirent_next(e.b, cut, &off, &d), -EIO_);
	}
	uint32_t off = (uint32_t)e.n + 1;
	assert_int_equal(p9_dirent_next(e.b, (uint32_t)e.n, &off, &d), -EIO_);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tversion_bytes),
	    cmocka_unit_test(test_twalk_bytes),
	    cmocka_unit_test(test_every_tmessage),
	    cmocka_unit_test(test_encoders_refuse_small_buffers),
	    cmocka_unit_test(test_decoders_strict),
	    cmocka_unit_test(test_rwalk_refuses_too_many_qids),
	    cmocka_unit_test(test_rread_count_beyond_message),
	    cmocka_unit_test(test_dirent_runs_past_payload),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
