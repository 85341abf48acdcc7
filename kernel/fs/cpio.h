/* SPDX-License-Identifier: MIT */
/* Portable reader for cpio archives in the SVR4 "newc" (070701) and "crc"
 * (070702) formats -- the initrd format (kernel/fs/cpio.c).  Pure: it walks a
 * buffer and points into it; turning entries into files is ramfs's job. */
#pragma once
#include <stddef.h>
#include <stdint.h>

#define CPIO_HEADER_SIZE 110

struct cpio_entry {
	const char *name;
	size_t namelen; /* points into buf; name[namelen] == '\0' is guaranteed */
	uint32_t ino, mode, uid, gid, nlink, mtime;
	uint32_t devmajor, devminor, rdevmajor, rdevminor;
	const void *data;
	size_t size; /* file contents or symlink target (not NUL-terminated) */
};

/*
 * Reads the entry at *off of the archive buf[0..len).
 *
 * Returns 1 with *e filled and *off advanced past the entry's padded data;
 * 0 at the "TRAILER!!!" entry, or when nothing but zero padding remains
 * (also when *off == len); -EINVAL with *why (if non-NULL) set to a static
 * one-line reason on malformed input.  *e is only written when 1 is returned;
 * *off is unchanged on error.  Never reads outside buf; does not sleep.
 *
 * Offsets and the 4-byte padding of header+name and of the data are counted
 * from buf, so *off must be a multiple of 4.  The name has no embedded NUL
 * (namelen == strlen(name)).  For the "crc" format the checksum of a regular
 * file's data is verified.  A missing final padding at the very end of buf is
 * tolerated.
 *
 * Concatenated archives: at a trailer, 0 is returned and *off is advanced past
 * the trailer entry.  Calling again continues after it: whole 4-byte words of
 * zero padding are skipped, and the next archive's first entry is read (1), or
 * 0 is returned with *off == len if only zero padding remained.  So a caller
 * wanting every archive loops until 0 with *off == len; a caller wanting only
 * the first stops at the first 0.
 */
int cpio_next(const void *buf, size_t len, size_t *off, struct cpio_entry *e,
	      const char **why);
