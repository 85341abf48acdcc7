/* SPDX-License-Identifier: MIT */
/* Kernel heap (kernel/mm/heap.c).  Memory returned is kernel-only, readable and
 * writable, 16-byte aligned; large blocks are page aligned.  Never sleeps.
 * kmalloc returns NULL when memory is exhausted; callers turn that into -ENOMEM. */
#pragma once
#include <stddef.h>

void *kmalloc(size_t size);
void *kzalloc(size_t size);
void *krealloc(void *p, size_t size); /* like realloc; NULL on failure, p intact */
void kfree(void *p);		      /* kfree(NULL) is a no-op */
char *kstrdup(const char *s);

/* What the heap holds: for /proc/meminfo and the control channel's STATUS. */
struct heap_stats {
	size_t used_bytes; /* live allocations, each counted as its size class
			    * (small) or its mapped pages (large) */
	size_t slab_pages; /* frames carved into small objects: kept once carved */
	size_t big_pages;  /* frames of live large blocks */
};
void heap_get_stats(struct heap_stats *s);
