// SPDX-License-Identifier: MIT
/* The kernel heap: size classes from 16 to 2048 bytes carved out of single
 * frames (reached through the direct map), and larger blocks built from
 * separate frames mapped contiguously in the VMALLOC area, so big file buffers
 * never need physically contiguous memory.  Freed address ranges of the
 * VMALLOC area are kept sorted and merged, so the area (and the page tables
 * mapping it) stays as large as the most ever in use at once. */
#include <string.h>
#include <kern/heap.h>
#include <kern/printk.h>
#include "mm/mm_internal.h"

#define SLAB_MAGIC 0x5ab5ab5aU
#define NCLASSES   8
#define BIG_MAGIC  0xb16b10cULL

struct slab_hdr {
	uint32_t magic;
	uint32_t cls;
	uint64_t pad;
};

struct free_obj {
	struct free_obj *next;
};

struct big_hdr {
	uint64_t magic;
	uint64_t pages; /* mapped pages, header included */
};

/* A free range of the VMALLOC area.  Every large block owns the unmapped
 * guard page after it, and gives it back with the block, so that freed
 * neighbours merge into one range. */
struct vrange {
	uint64_t start, pages;
	struct vrange *next;
};

static struct free_obj *free_lists[NCLASSES];
static uint64_t vmalloc_next = VMALLOC_BASE; /* never used above this */
static struct vrange *vfree;		     /* sorted by address, merged, first-fit */
static struct heap_stats stats;

static unsigned class_of(size_t size)
{
	unsigned c = 0;
	size_t s = 16;
	while (s < size) {
		s <<= 1;
		c++;
	}
	return c;
}

static void *slab_alloc(unsigned cls)
{
	if (!free_lists[cls]) {
		uint64_t pa = frame_alloc_nozero();
		if (!pa)
			return NULL;
		stats.slab_pages++;
		char *page = phys_to_virt(pa);
		struct slab_hdr *h = (struct slab_hdr *)page;
		h->magic = SLAB_MAGIC;
		h->cls = cls;
		size_t sz = 16UL << cls;
		size_t first = sz < sizeof(*h) ? sizeof(*h) : sz;
		for (size_t off = first; off + sz <= PAGE_SIZE; off += sz) {
			struct free_obj *o = (struct free_obj *)(page + off);
			o->next = free_lists[cls];
			free_lists[cls] = o;
		}
	}
	struct free_obj *o = free_lists[cls];
	free_lists[cls] = o->next;
	stats.used_bytes += 16UL << cls;
	return o;
}

/* pages (guard included) of address space: the lowest free range that fits,
 * else fresh space at the top.  0 when the area is exhausted. */
static uint64_t vrange_take(uint64_t pages)
{
	for (struct vrange **pp = &vfree; *pp; pp = &(*pp)->next) {
		struct vrange *r = *pp;
		if (r->pages >= pages) {
			uint64_t start = r->start;
			r->start += pages * PAGE_SIZE;
			r->pages -= pages;
			if (!r->pages) {
				*pp = r->next;
				kfree(r);
			}
			return start;
		}
	}
	if (vmalloc_next + pages * PAGE_SIZE > VMALLOC_BASE + VMALLOC_SIZE)
		return 0;
	uint64_t start = vmalloc_next;
	vmalloc_next += pages * PAGE_SIZE;
	return start;
}

/* Returns [start, start + pages pages) to the free ranges, merged with its
 * neighbours; a free range reaching the top lowers the top instead. */
static void vrange_give(uint64_t start, uint64_t pages)
{
	uint64_t end = start + pages * PAGE_SIZE;
	struct vrange **pp = &vfree, *prev = NULL;
	while (*pp && (*pp)->start < start) {
		prev = *pp;
		pp = &(*pp)->next;
	}
	struct vrange *next = *pp;
	if (prev && prev->start + prev->pages * PAGE_SIZE == start) {
		prev->pages += pages;
		if (next && next->start == end) {
			prev->pages += next->pages;
			prev->next = next->next;
			kfree(next);
		}
	} else if (next && next->start == end) {
		next->start = start;
		next->pages += pages;
	} else {
		struct vrange *r = kmalloc(sizeof(*r));
		if (!r)
			return; /* leak the address range, not memory */
		r->start = start;
		r->pages = pages;
		r->next = next;
		*pp = r;
	}
	/* the last range may now end at the top */
	struct vrange **last = &vfree;
	while (*last && (*last)->next)
		last = &(*last)->next;
	if (*last && (*last)->start + (*last)->pages * PAGE_SIZE == vmalloc_next) {
		vmalloc_next = (*last)->start;
		kfree(*last);
		*last = NULL;
	}
}

static void big_unmap(uint64_t va, uint64_t pages)
{
	for (uint64_t i = 0; i < pages; i++) {
		uint64_t *pte = mmu_pte(kernel_pml4, va + i * PAGE_SIZE, false, false);
		if (pte && (*pte & PTE_P)) {
			frame_put(*pte & PTE_ADDR);
			*pte = 0;
			mmu_flush(va + i * PAGE_SIZE);
		}
	}
}

static void *big_alloc(size_t size)
{
	uint64_t pages = (size + sizeof(struct big_hdr) + PAGE_SIZE - 1) / PAGE_SIZE;
	uint64_t va = vrange_take(pages + 1); /* one unmapped guard page */
	if (!va)
		return NULL;
	for (uint64_t i = 0; i < pages; i++) {
		uint64_t pa = frame_alloc_nozero();
		if (!pa || mmu_map(kernel_pml4, va + i * PAGE_SIZE, pa,
				   PTE_W | PTE_NX | PTE_G)) {
			if (pa)
				frame_put(pa);
			big_unmap(va, i);
			vrange_give(va, pages + 1);
			return NULL;
		}
	}
	stats.big_pages += pages;
	stats.used_bytes += pages * PAGE_SIZE;
	struct big_hdr *h = (struct big_hdr *)va;
	h->magic = BIG_MAGIC;
	h->pages = pages;
	return h + 1;
}

void *kmalloc(size_t size)
{
	if (size == 0)
		size = 1;
	if (size <= 2048)
		return slab_alloc(class_of(size));
	return big_alloc(size);
}

static size_t usable_size(void *p)
{
	uint64_t v = (uint64_t)p;
	if (v >= VMALLOC_BASE && v < VMALLOC_BASE + VMALLOC_SIZE) {
		struct big_hdr *h = (struct big_hdr *)p - 1;
		return h->pages * PAGE_SIZE - sizeof(*h);
	}
	struct slab_hdr *h = (struct slab_hdr *)(v & ~(PAGE_SIZE - 1));
	return 16UL << h->cls;
}

void kfree(void *p)
{
	if (!p)
		return;
	uint64_t v = (uint64_t)p;
	if (v >= VMALLOC_BASE && v < VMALLOC_BASE + VMALLOC_SIZE) {
		struct big_hdr *h = (struct big_hdr *)p - 1;
		if (h->magic != BIG_MAGIC)
			panic("kfree: bad large block %p", p);
		uint64_t pages = h->pages;
		h->magic = 0;
		big_unmap((uint64_t)h, pages);
		vrange_give((uint64_t)h, pages + 1);
		stats.big_pages -= pages;
		stats.used_bytes -= pages * PAGE_SIZE;
		return;
	}
	struct slab_hdr *h = (struct slab_hdr *)(v & ~(PAGE_SIZE - 1));
	if (h->magic != SLAB_MAGIC || h->cls >= NCLASSES)
		panic("kfree: bad pointer %p", p);
	struct free_obj *o = p;
	o->next = free_lists[h->cls];
	free_lists[h->cls] = o;
	stats.used_bytes -= 16UL << h->cls;
}

void *kzalloc(size_t size)
{
	void *p = kmalloc(size);
	if (p)
		memset(p, 0, size);
	return p;
}

void *krealloc(void *p, size_t size)
{
	if (!p)
		return kmalloc(size);
	size_t old = usable_size(p);
	if (size <= old && size > old / 4)
		return p;
	void *n = kmalloc(size);
	if (!n)
		return NULL;
	memcpy(n, p, old < size ? old : size);
	kfree(p);
	return n;
}

char *kstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = kmalloc(n);
	if (d)
		memcpy(d, s, n);
	return d;
}

void heap_get_stats(struct heap_stats *s)
{
	*s = stats;
}

void heap_init(void)
{
}
