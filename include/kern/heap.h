/* SPDX-License-Identifier: MIT */
/* Kernel heap (kernel/mm/heap.c).  Memory returned is kernel-only, readable and
 * writable, 16-byte aligned; large blocks are page aligned.  Never sleeps.
 * kmalloc returns NULL when memory is exhausted; callers turn that into -ENOMEM. */
#pragma once
#include <stddef.h>

void *kmalloc(size_t size);
void *kzalloc(size_t size);
void *krealloc(void *p, size_t size);	/* like realloc; NULL on failure, p intact */
void kfree(void *p);			/* kfree(NULL) is a no-op */
char *kstrdup(const char *s);
