/* SPDX-License-Identifier: MIT */
/* User address spaces (kernel/mm/vm.c). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "mm/mm_internal.h"

struct mm *mm_create(void);
void mm_destroy(struct mm *mm);
struct mm *mm_clone(struct mm *src);
void mm_get(struct mm *mm);
void mm_put(struct mm *mm);
struct vma *vm_find(struct mm *mm, uint64_t addr);
/* Adds an area: at addr when fixed (replacing what was there), else at a free
 * address (addr as a hint).  Returns the address or -errno.  Pages come on fault. */
long vm_map(struct mm *mm, uint64_t addr, uint64_t len, uint32_t prot, uint32_t flags,
	    bool fixed, const char *name);
int vm_unmap(struct mm *mm, uint64_t start, uint64_t len);
/* true when no area overlaps [start, end) */
bool vm_range_free(struct mm *mm, uint64_t start, uint64_t end);
int vm_protect(struct mm *mm, uint64_t start, uint64_t len, uint32_t prot);
/* Kernel address of the user page holding va, faulting it in; NULL when the
 * access is not allowed (force: ignore protections, for the loader). */
void *vm_user_page(struct mm *mm, uint64_t va, bool write, bool exec, bool force);
/* 0 when the page is now there; -EFAULT for a bad access; -ENOMEM when it
 * was allowed but no memory is left. */
int vm_fault(struct mm *mm, uint64_t addr, bool write, bool exec);
/* Copies into user memory regardless of protection (loader, file mappings). */
int vm_copy_in(struct mm *mm, uint64_t va, const void *src, size_t len);
