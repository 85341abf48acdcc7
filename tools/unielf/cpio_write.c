// SPDX-License-Identifier: MIT
/* Writes cpio "newc" archives: 110-byte ASCII headers, names and data padded to
 * four bytes, a TRAILER!!! entry at the end.  Which files go in, and under what
 * names, is decided by initrd.c; the kernel's fs/cpio reads the result. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cpio_write.h"
#include "unielf.h"

#define NEWC_HDR_LEN 110

void cpio_writer_init(struct cpio_writer *w, int fd)
{
	w->fd = fd;
	w->next_ino = 1;
	w->offset = 0;
	w->err = 0;
	w->buf_len = 0;
}

static int flush(struct cpio_writer *w)
{
	if (!w->err && w->buf_len) {
		int r = ue_write_full(w->fd, w->buf, w->buf_len);
		if (r < 0)
			w->err = r;
	}
	w->buf_len = 0;
	return w->err;
}

static int emit(struct cpio_writer *w, const void *data, size_t len)
{
	const unsigned char *p = data;

	while (len && !w->err) {
		size_t n = sizeof(w->buf) - w->buf_len;
		if (n > len)
			n = len;
		memcpy(w->buf + w->buf_len, p, n);
		w->buf_len += n;
		w->offset += n;
		p += n;
		len -= n;
		if (w->buf_len == sizeof(w->buf))
			flush(w);
	}
	return w->err;
}

static int pad4(struct cpio_writer *w)
{
	static const char zeros[4];
	return emit(w, zeros, (4 - (w->offset & 3)) & 3);
}

static int header(struct cpio_writer *w, const char *name, uint32_t mode, uint32_t nlink,
		  uint32_t mtime, uint64_t size)
{
	char hdr[NEWC_HDR_LEN + 1];
	size_t namesize = strlen(name) + 1;

	if (namesize == 1 || namesize > 0xffffffffu)
		return -EINVAL;
	if (size > 0xffffffffu)
		return -EFBIG; /* newc sizes are 32-bit */
	/* magic, ino, mode, uid, gid, nlink, mtime, filesize, devmajor, devminor,
	 * rdevmajor, rdevminor, namesize, check */
	snprintf(hdr, sizeof(hdr),
		 "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		 w->next_ino++, mode, 0, 0, nlink, mtime, (uint32_t)size, 0, 0, 0, 0,
		 (uint32_t)namesize, 0);
	emit(w, hdr, NEWC_HDR_LEN);
	emit(w, name, namesize);
	return pad4(w);
}

int cpio_add_dir(struct cpio_writer *w, const char *name, uint32_t perm, uint32_t mtime)
{
	return header(w, name, S_IFDIR | (perm & 07777), 2, mtime, 0);
}

int cpio_add_symlink(struct cpio_writer *w, const char *name, const char *target,
		     uint32_t mtime)
{
	size_t len = strlen(target);
	int r = header(w, name, S_IFLNK | 0777, 1, mtime, len);

	if (r)
		return r;
	emit(w, target, len);
	return pad4(w);
}

int cpio_add_data(struct cpio_writer *w, const char *name, uint32_t perm, uint32_t mtime,
		  const void *data, size_t len)
{
	int r = header(w, name, S_IFREG | (perm & 07777), 1, mtime, len);

	if (r)
		return r;
	emit(w, data, len);
	return pad4(w);
}

int cpio_add_file(struct cpio_writer *w, const char *name, uint32_t perm, uint32_t mtime,
		  int srcfd, uint64_t size)
{
	uint64_t left = size;
	int r = header(w, name, S_IFREG | (perm & 07777), 1, mtime, size);

	if (r)
		return r;
	while (left) {
		size_t room = sizeof(w->buf) - w->buf_len;
		ssize_t n;

		if (room == 0) {
			if (flush(w))
				return w->err;
			room = sizeof(w->buf);
		}
		if (room > left)
			room = left;
		/* Read straight into the output buffer: no second copy. */
		n = read(srcfd, w->buf + w->buf_len, room);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EIO; /* the file shrank while we packed it */
		w->buf_len += n;
		w->offset += n;
		left -= n;
	}
	if (w->err)
		return w->err;
	return pad4(w);
}

int cpio_finish(struct cpio_writer *w)
{
	header(w, "TRAILER!!!", 0, 1, 0, 0);
	return flush(w);
}
