// SPDX-License-Identifier: MIT
/* User address spaces: the sorted list of areas (VMAs) of a process, finding
 * room for mappings, changing protections, and the page-fault path that fills
 * anonymous pages on first touch.  The mmap/brk system calls (sys_mm.c) and the
 * ELF loader are built on these.  W^X: no area is ever writable and executable. */
#include <string.h>
#include <kern/err.h>
#include <kern/heap.h>
#include <kern/printk.h>
#include <kern/random.h>
#include <uapi/errno.h>
#include <uapi/mman.h>
#include "mm/mm_internal.h"
#include "mm/vm.h"

#define USER_MIN   0x10000UL
#define USER_LIMIT 0x00007ffffffff000UL

static uint64_t next_mm_id;

static uint64_t prot_to_pte(uint32_t prot)
{
	uint64_t f = PTE_U;
	if (prot & PROT_WRITE)
		f |= PTE_W;
	if (!(prot & PROT_EXEC))
		f |= PTE_NX;
	return f;
}

struct mm *mm_create(void)
{
	struct mm *mm = kzalloc(sizeof(*mm));
	if (!mm)
		return NULL;
	mm->pml4 = mmu_new_pml4();
	if (!mm->pml4) {
		kfree(mm);
		return NULL;
	}
	list_init(&mm->vmas);
	mm->users = 1;
	mm->id = ++next_mm_id;
	/* ASLR: mmap area top somewhere in the upper 1 TiB below the stack region */
	mm->mmap_base = 0x7f0000000000UL - ((random_u64() & 0xffffff) << PAGE_SHIFT);
	return mm;
}

struct vma *vm_find(struct mm *mm, uint64_t addr)
{
	struct vma *v;
	list_for_each_entry(v, &mm->vmas, link)
	{
		if (addr < v->start)
			return NULL;
		if (addr < v->end)
			return v;
	}
	return NULL;
}

static void unmap_pages(struct mm *mm, uint64_t start, uint64_t end)
{
	for (uint64_t va = start; va < end; va += PAGE_SIZE) {
		uint64_t *pte = mmu_pte(mm->pml4, va, false, true);
		if (pte && (*pte & PTE_P)) {
			frame_put(*pte & PTE_ADDR);
			*pte = 0;
			mmu_flush(va);
			mm->pages--;
		}
	}
}

/* Splits the VMA containing addr so that a VMA starts exactly at addr. */
static int split_at(struct mm *mm, uint64_t addr)
{
	struct vma *v = vm_find(mm, addr);
	if (!v || v->start == addr)
		return 0;
	struct vma *n = kmalloc(sizeof(*n));
	if (!n)
		return -ENOMEM;
	*n = *v;
	n->start = addr;
	if (v->flags & VMA_FILE)
		n->file_off = v->file_off + (addr - v->start);
	v->end = addr;
	list_add(&n->link, &v->link);
	return 0;
}

int vm_unmap(struct mm *mm, uint64_t start, uint64_t len)
{
	uint64_t end = start + ALIGN_UP(len, PAGE_SIZE);
	if (split_at(mm, start) || split_at(mm, end))
		return -ENOMEM;
	struct vma *v, *n;
	bool any = false;
	list_for_each_entry_safe(v, n, &mm->vmas, link)
	{
		if (v->start >= end)
			break;
		if (v->end <= start)
			continue;
		unmap_pages(mm, v->start, v->end);
		list_del(&v->link);
		kfree(v);
		any = true;
	}
	/* page tables left empty go too: a process that maps and unmaps at
	 * ever new addresses would otherwise keep one per 2 MiB it ever used */
	if (any)
		mmu_prune_user_tables(mm->pml4, start, end);
	return 0;
}

bool vm_range_free(struct mm *mm, uint64_t start, uint64_t end)
{
	struct vma *v;
	list_for_each_entry(v, &mm->vmas,
			    link) if (v->start < end && v->end > start) return false;
	return true;
}

/* Highest free gap of len bytes below mm->mmap_base. */
static uint64_t find_gap(struct mm *mm, uint64_t len)
{
	uint64_t top = mm->mmap_base;
	struct vma *v;
	/* walk from the highest area downwards */
	for (struct list_head *p = mm->vmas.prev; p != &mm->vmas; p = p->prev) {
		v = list_entry(p, struct vma, link);
		if (v->start >= top)
			continue;
		if (v->end <= top && top - v->end >= len)
			return top - len;
		top = v->start;
	}
	if (top >= USER_MIN + len)
		return top - len;
	return 0;
}

static void insert_vma(struct mm *mm, struct vma *nv)
{
	struct vma *v;
	list_for_each_entry(v, &mm->vmas, link)
	{
		if (v->start > nv->start) {
			list_add_tail(&nv->link, &v->link);
			return;
		}
	}
	list_add_tail(&nv->link, &mm->vmas);
}

long vm_map(struct mm *mm, uint64_t addr, uint64_t len, uint32_t prot, uint32_t flags,
	    bool fixed, const char *name)
{
	if ((prot & PROT_WRITE) && (prot & PROT_EXEC))
		return -EACCES; /* W^X */
	len = ALIGN_UP(len, PAGE_SIZE);
	if (!len || len > USER_LIMIT)
		return -ENOMEM;
	if (fixed) {
		if (addr & (PAGE_SIZE - 1))
			return -EINVAL;
		if (addr < USER_MIN || addr + len > USER_LIMIT || addr + len < addr)
			return -ENOMEM;
		int r = vm_unmap(mm, addr, len);
		if (r)
			return r;
	} else {
		addr = ALIGN_DOWN(addr, PAGE_SIZE);
		if (!addr || addr < USER_MIN || addr + len > USER_LIMIT ||
		    !vm_range_free(mm, addr, addr + len))
			addr = find_gap(mm, len);
		if (!addr)
			return -ENOMEM;
	}
	struct vma *v = kzalloc(sizeof(*v));
	if (!v)
		return -ENOMEM;
	v->start = addr;
	v->end = addr + len;
	v->prot = prot;
	v->flags = flags;
	if (name)
		strlcpy(v->name, name, sizeof(v->name));
	insert_vma(mm, v);
	return (long)addr;
}

int vm_protect(struct mm *mm, uint64_t start, uint64_t len, uint32_t prot)
{
	if ((prot & PROT_WRITE) && (prot & PROT_EXEC))
		return -EACCES;
	uint64_t end = start + ALIGN_UP(len, PAGE_SIZE);
	/* Linux: -ENOMEM when any part of the range is unmapped */
	for (uint64_t a = start; a < end;) {
		struct vma *v = vm_find(mm, a);
		if (!v)
			return -ENOMEM;
		a = v->end;
	}
	if (split_at(mm, start) || split_at(mm, end))
		return -ENOMEM;
	struct vma *v;
	list_for_each_entry(v, &mm->vmas, link)
	{
		if (v->start >= end)
			break;
		if (v->end <= start)
			continue;
		v->prot = prot;
		for (uint64_t va = v->start; va < v->end; va += PAGE_SIZE) {
			uint64_t *pte = mmu_pte(mm->pml4, va, false, true);
			if (!pte || !(*pte & PTE_P))
				continue;
			uint64_t pa = *pte & PTE_ADDR;
			if (prot == PROT_NONE) {
				frame_put(pa);
				*pte = 0;
				mm->pages--;
			} else {
				uint64_t f = prot_to_pte(prot);
				if ((*pte & PTE_COW) || frame_refcount(pa) > 1)
					f = (f & ~PTE_W) |
					    ((prot & PROT_WRITE) ? PTE_COW : 0);
				*pte = pa | f | PTE_P;
			}
			mmu_flush(va);
		}
	}
	return 0;
}

/* Maps a fresh zeroed page at va (inside v) and returns its kernel address. */
static void *fill_page(struct mm *mm, struct vma *v, uint64_t va)
{
	uint64_t pa = frame_alloc();
	if (!pa)
		return NULL;
	if (mmu_map(mm->pml4, va, pa, prot_to_pte(v->prot))) {
		frame_put(pa);
		return NULL;
	}
	mm->pages++;
	return phys_to_virt(pa);
}

/* Breaks copy-on-write sharing of the page mapped by *pte. */
static void *break_cow(struct mm *mm, struct vma *v, uint64_t va, uint64_t *pte)
{
	uint64_t old = *pte & PTE_ADDR;
	if (frame_refcount(old) == 1) {
		*pte = old | prot_to_pte(v->prot) | PTE_P;
		mmu_flush(va);
		return phys_to_virt(old);
	}
	uint64_t pa = frame_alloc_nozero();
	if (!pa)
		return NULL;
	memcpy(phys_to_virt(pa), phys_to_virt(old), PAGE_SIZE);
	frame_put(old);
	*pte = pa | prot_to_pte(v->prot) | PTE_P;
	mmu_flush(va);
	return phys_to_virt(pa);
}

void *vm_user_page(struct mm *mm, uint64_t va, bool write, bool exec, bool force)
{
	va = ALIGN_DOWN(va, PAGE_SIZE);
	struct vma *v = vm_find(mm, va);
	if (!v)
		return NULL;
	if (!force) {
		if (write && !(v->prot & PROT_WRITE))
			return NULL;
		if (exec && !(v->prot & PROT_EXEC))
			return NULL;
		if (!write && !exec && !(v->prot & (PROT_READ | PROT_WRITE | PROT_EXEC)))
			return NULL;
	}
	uint64_t *pte = mmu_pte(mm->pml4, va, false, true);
	if (!pte || !(*pte & PTE_P))
		return fill_page(mm, v, va);
	if (write && (*pte & PTE_COW) && !force)
		return break_cow(mm, v, va, pte);
	return phys_to_virt(*pte & PTE_ADDR);
}

int vm_fault(struct mm *mm, uint64_t addr, bool write, bool exec)
{
	if (addr >= USER_LIMIT)
		return -EFAULT;
	if (vm_user_page(mm, addr, write, exec, false))
		return 0;
	/* allowed but not satisfiable: memory is exhausted */
	struct vma *v = vm_find(mm, addr);
	if (v && (!write || (v->prot & PROT_WRITE)) && (!exec || (v->prot & PROT_EXEC)) &&
	    (v->prot & (PROT_READ | PROT_WRITE | PROT_EXEC)))
		return -ENOMEM;
	return -EFAULT;
}

int vm_copy_in(struct mm *mm, uint64_t va, const void *src, size_t len)
{
	const char *s = src;
	while (len) {
		size_t off = va & (PAGE_SIZE - 1);
		size_t n = MIN(len, PAGE_SIZE - off);
		char *p = vm_user_page(mm, va, true, false, true);
		if (!p)
			return -ENOMEM;
		memcpy(p + off, s, n);
		va += n;
		s += n;
		len -= n;
	}
	return 0;
}

/* A copy of mm for fork: same areas; private writable pages become
 * copy-on-write in both, shared pages stay shared.  NULL when out of memory. */
struct mm *mm_clone(struct mm *src)
{
	struct mm *mm = mm_create();
	if (!mm)
		return NULL;
	mm->brk_start = src->brk_start;
	mm->brk = src->brk;
	mm->mmap_base = src->mmap_base;
	mm->stack_top = src->stack_top;
	struct vma *v;
	list_for_each_entry(v, &src->vmas, link)
	{
		struct vma *n = kmalloc(sizeof(*n));
		if (!n)
			goto fail;
		*n = *v;
		list_add_tail(&n->link, &mm->vmas);
		for (uint64_t va = v->start; va < v->end; va += PAGE_SIZE) {
			/* a shared area must be one set of pages for both: fill the
			 * ones not touched yet before sharing them */
			if ((v->flags & VMA_SHARED) && v->prot != PROT_NONE &&
			    !vm_user_page(src, va, false, false, true))
				goto fail;
			uint64_t *spte = mmu_pte(src->pml4, va, false, true);
			if (!spte || !(*spte & PTE_P))
				continue;
			uint64_t e = *spte;
			if (!(v->flags & VMA_SHARED) && (e & (PTE_W | PTE_COW))) {
				e = (e & ~PTE_W) | PTE_COW;
				*spte = e;
				mmu_flush(va);
			}
			uint64_t *dpte = mmu_pte(mm->pml4, va, true, true);
			if (!dpte)
				goto fail;
			frame_get(e & PTE_ADDR);
			*dpte = e;
			mm->pages++;
		}
	}
	return mm;
fail:
	mm_destroy(mm);
	return NULL;
}

void mm_get(struct mm *mm)
{
	mm->users++;
}

/* Drops one user; the last one frees the address space. */
void mm_put(struct mm *mm)
{
	if (--mm->users == 0)
		mm_destroy(mm);
}

void mm_destroy(struct mm *mm)
{
	struct vma *v, *n;
	list_for_each_entry_safe(v, n, &mm->vmas, link)
	{
		unmap_pages(mm, v->start, v->end);
		list_del(&v->link);
		kfree(v);
	}
	mmu_free_user_tables(mm->pml4);
	kfree(mm);
}
