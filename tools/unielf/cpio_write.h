/* SPDX-License-Identifier: MIT */
/* A writer for cpio "newc" archives (the format of Linux initramfs images), the
 * container the kernel's fs/cpio unpacks into its ramfs. */
#pragma once
#include <stddef.h>
#include <stdint.h>

#define CPIO_BUF_SIZE 65536

struct cpio_writer {
	int fd;
	uint32_t next_ino;
	uint64_t offset; /* bytes of archive produced so far */
	int err;	 /* first write error (-errno), sticky */
	size_t buf_len;
	unsigned char buf[CPIO_BUF_SIZE];
};

/* Starts an archive written to @fd (which the writer does not close). */
void cpio_writer_init(struct cpio_writer *w, int fd);

/* Each add function writes one entry named @name (stored as given; the caller
 * strips any leading slash) and returns 0 or -errno.  @perm is the permission
 * part of the mode (07777); the file type is implied by the function. */
int cpio_add_dir(struct cpio_writer *w, const char *name, uint32_t perm, uint32_t mtime);
int cpio_add_symlink(struct cpio_writer *w, const char *name, const char *target,
		     uint32_t mtime);
int cpio_add_data(struct cpio_writer *w, const char *name, uint32_t perm, uint32_t mtime,
		  const void *data, size_t len);
/* Copies exactly @size bytes from @srcfd; -EIO if the file changed size meanwhile. */
int cpio_add_file(struct cpio_writer *w, const char *name, uint32_t perm, uint32_t mtime,
		  int srcfd, uint64_t size);

/* Writes the TRAILER!!! entry and flushes; returns 0 or the first error. */
int cpio_finish(struct cpio_writer *w);
