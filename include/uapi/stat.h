/* SPDX-License-Identifier: MIT */
/* Linux x86_64 file modes and the stat, statx and statfs structures. */
#pragma once
#include <stdint.h>

#define S_IFMT	 0170000
#define S_IFSOCK 0140000
#define S_IFLNK	 0120000
#define S_IFREG	 0100000
#define S_IFBLK	 0060000
#define S_IFDIR	 0040000
#define S_IFCHR	 0020000
#define S_IFIFO	 0010000
#define S_ISUID	 04000
#define S_ISGID	 02000
#define S_ISVTX	 01000
#define S_IRWXU	 00700
#define S_IRUSR	 00400
#define S_IWUSR	 00200
#define S_IXUSR	 00100
#define S_IRWXG	 00070
#define S_IRGRP	 00040
#define S_IWGRP	 00020
#define S_IXGRP	 00010
#define S_IRWXO	 00007
#define S_IROTH	 00004
#define S_IWOTH	 00002
#define S_IXOTH	 00001

#define S_ISLNK(m)  (((m)&S_IFMT) == S_IFLNK)
#define S_ISREG(m)  (((m)&S_IFMT) == S_IFREG)
#define S_ISDIR(m)  (((m)&S_IFMT) == S_IFDIR)
#define S_ISCHR(m)  (((m)&S_IFMT) == S_IFCHR)
#define S_ISBLK(m)  (((m)&S_IFMT) == S_IFBLK)
#define S_ISFIFO(m) (((m)&S_IFMT) == S_IFIFO)
#define S_ISSOCK(m) (((m)&S_IFMT) == S_IFSOCK)

struct linux_stat {
	uint64_t st_dev;
	uint64_t st_ino;
	uint64_t st_nlink;
	uint32_t st_mode;
	uint32_t st_uid;
	uint32_t st_gid;
	uint32_t pad0;
	uint64_t st_rdev;
	int64_t st_size;
	int64_t st_blksize;
	int64_t st_blocks;
	uint64_t st_atime_sec;
	uint64_t st_atime_nsec;
	uint64_t st_mtime_sec;
	uint64_t st_mtime_nsec;
	uint64_t st_ctime_sec;
	uint64_t st_ctime_nsec;
	int64_t unused[3];
};
_Static_assert(sizeof(struct linux_stat) == 144, "stat");
_Static_assert(__builtin_offsetof(struct linux_stat, st_mode) == 24, "stat.st_mode");
_Static_assert(__builtin_offsetof(struct linux_stat, st_rdev) == 40, "stat.st_rdev");
_Static_assert(__builtin_offsetof(struct linux_stat, st_size) == 48, "stat.st_size");
_Static_assert(__builtin_offsetof(struct linux_stat, st_atime_sec) == 72,
	       "stat.st_atime");
_Static_assert(__builtin_offsetof(struct linux_stat, st_mtime_sec) == 88,
	       "stat.st_mtime");
_Static_assert(__builtin_offsetof(struct linux_stat, st_ctime_sec) == 104,
	       "stat.st_ctime");

struct linux_statx_timestamp {
	int64_t tv_sec;
	uint32_t tv_nsec;
	int32_t reserved;
};
_Static_assert(sizeof(struct linux_statx_timestamp) == 16, "statx_timestamp");

struct linux_statx {
	uint32_t stx_mask;
	uint32_t stx_blksize;
	uint64_t stx_attributes;
	uint32_t stx_nlink;
	uint32_t stx_uid;
	uint32_t stx_gid;
	uint16_t stx_mode;
	uint16_t spare0;
	uint64_t stx_ino;
	uint64_t stx_size;
	uint64_t stx_blocks;
	uint64_t stx_attributes_mask;
	struct linux_statx_timestamp stx_atime;
	struct linux_statx_timestamp stx_btime;
	struct linux_statx_timestamp stx_ctime;
	struct linux_statx_timestamp stx_mtime;
	uint32_t stx_rdev_major;
	uint32_t stx_rdev_minor;
	uint32_t stx_dev_major;
	uint32_t stx_dev_minor;
	uint64_t stx_mnt_id;
	uint32_t stx_dio_mem_align;
	uint32_t stx_dio_offset_align;
	uint64_t spare3[12];
};
_Static_assert(sizeof(struct linux_statx) == 256, "statx");
_Static_assert(__builtin_offsetof(struct linux_statx, stx_mode) == 28, "statx.stx_mode");
_Static_assert(__builtin_offsetof(struct linux_statx, stx_ino) == 32, "statx.stx_ino");
_Static_assert(__builtin_offsetof(struct linux_statx, stx_atime) == 64,
	       "statx.stx_atime");
_Static_assert(__builtin_offsetof(struct linux_statx, stx_mtime) == 112,
	       "statx.stx_mtime");
_Static_assert(__builtin_offsetof(struct linux_statx, stx_rdev_major) == 128,
	       "statx.stx_rdev");
_Static_assert(__builtin_offsetof(struct linux_statx, stx_mnt_id) == 144,
	       "statx.stx_mnt_id");

#define STATX_TYPE	  0x00000001U
#define STATX_MODE	  0x00000002U
#define STATX_NLINK	  0x00000004U
#define STATX_UID	  0x00000008U
#define STATX_GID	  0x00000010U
#define STATX_ATIME	  0x00000020U
#define STATX_MTIME	  0x00000040U
#define STATX_CTIME	  0x00000080U
#define STATX_INO	  0x00000100U
#define STATX_SIZE	  0x00000200U
#define STATX_BLOCKS	  0x00000400U
#define STATX_BASIC_STATS 0x000007ffU
#define STATX_BTIME	  0x00000800U
#define STATX_MNT_ID	  0x00001000U
#define STATX__RESERVED	  0x80000000U

struct linux_statfs {
	int64_t f_type;
	int64_t f_bsize;
	uint64_t f_blocks;
	uint64_t f_bfree;
	uint64_t f_bavail;
	uint64_t f_files;
	uint64_t f_ffree;
	int32_t f_fsid[2];
	int64_t f_namelen;
	int64_t f_frsize;
	int64_t f_flags;
	int64_t f_spare[4];
};
_Static_assert(sizeof(struct linux_statfs) == 120, "statfs");
_Static_assert(__builtin_offsetof(struct linux_statfs, f_fsid) == 56, "statfs.f_fsid");
_Static_assert(__builtin_offsetof(struct linux_statfs, f_namelen) == 64,
	       "statfs.f_namelen");

#define TMPFS_MAGIC	 0x01021994
#define RAMFS_MAGIC	 0x858458f6
#define PROC_SUPER_MAGIC 0x9fa0
#define V9FS_MAGIC	 0x01021997
#define PIPEFS_MAGIC	 0x50495045
