/* SPDX-License-Identifier: MIT */
/* Copying between the kernel and the current process's user memory
 * (kernel/mm/uaccess.c).  Every user pointer is checked against the user half
 * and the copy recovers from page faults: a bad pointer yields -EFAULT, never a
 * kernel crash.  User pointers are passed as unsigned long / void * "uptr". */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define USER_TOP 0x00007ffffffff000UL

/* true when [uptr, uptr+len) lies entirely in the user half */
bool access_ok(unsigned long uptr, size_t len);
/* 0 or -EFAULT */
int copy_from_user(void *dst, unsigned long usrc, size_t len);
int copy_to_user(unsigned long udst, const void *src, size_t len);
int clear_user(unsigned long udst, size_t len);
/* Copies a NUL-terminated string of at most max-1 chars plus NUL.
 * Returns its length, -EFAULT, or -ENAMETOOLONG when no NUL within max. */
long strncpy_from_user(char *dst, unsigned long usrc, size_t max);
