// SPDX-License-Identifier: MIT
/* cpio "newc"/"crc" archive reader: one entry per call, bounds-checked, no
 * allocation.  Portable (kernel, host tests, fuzzers).  Unpacking into files is
 * ramfs's job (kernel/fs/ramfs.c). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "uapi/errno.h"
#include "fs/cpio.h"

#define CPIO_MAGIC_NEWC "070701"
#define CPIO_MAGIC_CRC	"070702"
#define CPIO_TRAILER	"TRAILER!!!"
#define CPIO_S_IFMT	0170000
#define CPIO_S_IFREG	0100000

/* The 13 eight-digit hex fields after the 6-byte magic, in header order. */
enum {
	F_INO,
	F_MODE,
	F_UID,
	F_GID,
	F_NLINK,
	F_MTIME,
	F_FILESIZE,
	F_DEVMAJOR,
	F_DEVMINOR,
	F_RDEVMAJOR,
	F_RDEVMINOR,
	F_NAMESIZE,
	F_CHECK,
	F_COUNT
};

static bool hex8(const uint8_t *p, uint32_t *val)
{
	uint32_t v = 0;

	for (int i = 0; i < 8; i++) {
		uint8_t c = p[i], d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return false;
		v = v << 4 | d;
	}
	*val = v;
	return true;
}

/* Rounds up to 4, or returns len if that passes the end (a final entry whose
 * padding was cut off). */
static size_t pad4(size_t x, size_t len)
{
	return x >= len || len - x <= ((4 - (x & 3)) & 3) ? len : (x + 3) & ~(size_t)3;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static int fail(const char **why, const char *reason)
{
	if (why)
		*why = reason;
	return -EINVAL;
}

int cpio_next(const void *buf, size_t len, size_t *off, struct cpio_entry *e,
	      const char **why)
{
	const uint8_t *b = buf;
	size_t pos = *off, name_off, data_off, next;
	uint32_t f[F_COUNT];
	bool crc;

	if (pos > len)
		return fail(why, "offset past the end of the archive");
	if (pos == len) /* also after a final entry whose padding was cut off */
		return 0;
	if (pos & 3)
		return fail(why, "entry offset not a multiple of 4");
	/* Zero padding between or after archives, in whole words. */
	while (len - pos >= 4 && all_zero(b + pos, 4))
		pos += 4;
	if (pos == len || all_zero(b + pos, len - pos)) {
		*off = len;
		return 0;
	}
	if (len - pos < CPIO_HEADER_SIZE)
		return fail(why, "truncated header");
	if (memcmp(b + pos, CPIO_MAGIC_NEWC, 6) == 0)
		crc = false;
	else if (memcmp(b + pos, CPIO_MAGIC_CRC, 6) == 0)
		crc = true;
	else
		return fail(why, "bad magic (not a newc or crc cpio archive)");
	for (int i = 0; i < F_COUNT; i++)
		if (!hex8(b + pos + 6 + 8 * i, &f[i]))
			return fail(why, "non-hex digit in header");

	if (f[F_NAMESIZE] == 0)
		return fail(why, "name size is zero");
	name_off = pos + CPIO_HEADER_SIZE;
	if (f[F_NAMESIZE] > len - name_off)
		return fail(why, "name extends past the end of the archive");
	if (b[name_off + f[F_NAMESIZE] - 1] != '\0')
		return fail(why, "name not NUL-terminated");
	if (memchr(b + name_off, '\0', f[F_NAMESIZE] - 1))
		return fail(why, "name contains a NUL byte");

	data_off = pad4(name_off + f[F_NAMESIZE], len);
	if (f[F_FILESIZE] > len - data_off)
		return fail(why, "data extends past the end of the archive");
	next = pad4(data_off + f[F_FILESIZE], len);

	if (f[F_NAMESIZE] == sizeof(CPIO_TRAILER) &&
	    memcmp(b + name_off, CPIO_TRAILER, sizeof(CPIO_TRAILER)) == 0) {
		*off = next;
		return 0;
	}
	if (crc && (f[F_MODE] & CPIO_S_IFMT) == CPIO_S_IFREG) {
		uint32_t sum = 0;

		for (size_t i = 0; i < f[F_FILESIZE]; i++)
			sum += b[data_off + i];
		if (sum != f[F_CHECK])
			return fail(why, "checksum mismatch");
	}

	e->name = (const char *)b + name_off;
	e->namelen = f[F_NAMESIZE] - 1;
	e->ino = f[F_INO];
	e->mode = f[F_MODE];
	e->uid = f[F_UID];
	e->gid = f[F_GID];
	e->nlink = f[F_NLINK];
	e->mtime = f[F_MTIME];
	e->devmajor = f[F_DEVMAJOR];
	e->devminor = f[F_DEVMINOR];
	e->rdevmajor = f[F_RDEVMAJOR];
	e->rdevminor = f[F_RDEVMINOR];
	e->data = b + data_off;
	e->size = f[F_FILESIZE];
	*off = next;
	return 1;
}
