// SPDX-License-Identifier: MIT
/* Copies between kernel buffers and the current process's memory.  Each user
 * page is looked up (and faulted in) through its VMA with the access the copy
 * needs, then reached through the direct map, so a bad pointer is an -EFAULT
 * answer and never a kernel page fault. */
#include <string.h>
#include <kern/proc.h>
#include <kern/uaccess.h>
#include <uapi/errno.h>
#include "mm/vm.h"

bool access_ok(unsigned long uptr, size_t len)
{
	return uptr < USER_TOP && len <= USER_TOP - uptr;
}

static struct mm *cur_mm(void)
{
	struct process *p = proc_current();
	return p ? p->mm : NULL;
}

int copy_from_user(void *dst, unsigned long usrc, size_t len)
{
	struct mm *mm = cur_mm();
	if (!access_ok(usrc, len) || !mm)
		return -EFAULT;
	char *d = dst;
	while (len) {
		size_t off = usrc & (PAGE_SIZE - 1);
		size_t n = MIN(len, PAGE_SIZE - off);
		char *p = vm_user_page(mm, usrc, false, false, false);
		if (!p)
			return -EFAULT;
		memcpy(d, p + off, n);
		d += n;
		usrc += n;
		len -= n;
	}
	return 0;
}

int copy_to_user(unsigned long udst, const void *src, size_t len)
{
	struct mm *mm = cur_mm();
	if (!access_ok(udst, len) || !mm)
		return -EFAULT;
	const char *s = src;
	while (len) {
		size_t off = udst & (PAGE_SIZE - 1);
		size_t n = MIN(len, PAGE_SIZE - off);
		char *p = vm_user_page(mm, udst, true, false, false);
		if (!p)
			return -EFAULT;
		memcpy(p + off, s, n);
		s += n;
		udst += n;
		len -= n;
	}
	return 0;
}

int clear_user(unsigned long udst, size_t len)
{
	struct mm *mm = cur_mm();
	if (!access_ok(udst, len) || !mm)
		return -EFAULT;
	while (len) {
		size_t off = udst & (PAGE_SIZE - 1);
		size_t n = MIN(len, PAGE_SIZE - off);
		char *p = vm_user_page(mm, udst, true, false, false);
		if (!p)
			return -EFAULT;
		memset(p + off, 0, n);
		udst += n;
		len -= n;
	}
	return 0;
}

long strncpy_from_user(char *dst, unsigned long usrc, size_t max)
{
	struct mm *mm = cur_mm();
	if (!mm || usrc >= USER_TOP)
		return -EFAULT;
	size_t i = 0;
	while (i < max) {
		size_t off = usrc & (PAGE_SIZE - 1);
		const char *p = vm_user_page(mm, usrc, false, false, false);
		if (!p)
			return -EFAULT;
		for (; off < PAGE_SIZE && i < max; off++, i++, usrc++) {
			dst[i] = p[off];
			if (!p[off])
				return (long)i;
		}
		if (usrc >= USER_TOP)
			return -EFAULT;
	}
	return -ENAMETOOLONG;
}
