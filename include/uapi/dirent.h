/* SPDX-License-Identifier: MIT */
/* Linux directory entries as returned by getdents64 and getdents. */
#pragma once
#include <stdint.h>

#define DT_UNKNOWN 0
#define DT_FIFO	   1
#define DT_CHR	   2
#define DT_DIR	   4
#define DT_BLK	   6
#define DT_REG	   8
#define DT_LNK	   10
#define DT_SOCK	   12

struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	uint16_t d_reclen;
	uint8_t d_type;
	char d_name[];
};
_Static_assert(__builtin_offsetof(struct linux_dirent64, d_reclen) == 16,
	       "dirent64.d_reclen");
_Static_assert(__builtin_offsetof(struct linux_dirent64, d_type) == 18,
	       "dirent64.d_type");
_Static_assert(__builtin_offsetof(struct linux_dirent64, d_name) == 19,
	       "dirent64.d_name");

/* The old getdents record: d_type is the last byte of the record. */
struct linux_dirent {
	unsigned long d_ino;
	unsigned long d_off;
	uint16_t d_reclen;
	char d_name[];
};
_Static_assert(__builtin_offsetof(struct linux_dirent, d_name) == 18, "dirent.d_name");
