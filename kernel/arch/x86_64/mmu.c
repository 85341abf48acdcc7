// SPDX-License-Identifier: MIT
/* Page tables: the kernel's own (a direct map of RAM, the image mapped W^X with
 * 4 KiB pages, MMIO and the large-allocation area), shared by every address
 * space through the upper half of each PML4, and the walk used for user pages
 * (kernel/mm/vm.c decides what to map). */
#include <string.h>
#include <kern/printk.h>
#include "arch/x86_64/cpu.h"
#include "mm/mm_internal.h"

extern char _text_start[], _text_end[], _rodata_start[], _rodata_end[];
extern char _data_start[], _data_end[], _ksyms_start[], _kernel_end[];

uint64_t kernel_pml4;
static uint64_t mmio_next = MMIO_BASE;

static inline uint64_t *table(uint64_t pa)
{
	return phys_to_virt(pa & PTE_ADDR);
}

static uint64_t new_table(void)
{
	uint64_t pa = frame_alloc();
	if (!pa)
		panic("out of memory for page tables");
	return pa;
}

uint64_t *mmu_pte(uint64_t pml4, uint64_t va, bool create, bool user)
{
	uint64_t *t = table(pml4);
	for (int level = 3; level > 0; level--) {
		unsigned idx = (va >> (12 + 9 * level)) & 511;
		uint64_t e = t[idx];
		if (!(e & PTE_P)) {
			if (!create)
				return NULL;
			uint64_t pa = frame_alloc();
			if (!pa)
				return NULL;
			e = pa | PTE_P | PTE_W | (user ? PTE_U : 0);
			t[idx] = e;
		} else if (e & PTE_PS) {
			return NULL; /* huge pages are kernel-only here */
		}
		t = table(e);
	}
	return &t[(va >> 12) & 511];
}

int mmu_map(uint64_t pml4, uint64_t va, uint64_t pa, uint64_t flags)
{
	uint64_t *pte = mmu_pte(pml4, va, true, flags & PTE_U);
	if (!pte)
		return -1;
	*pte = (pa & PTE_ADDR) | flags | PTE_P;
	return 0;
}

void mmu_flush(uint64_t va)
{
	invlpg(va);
}

void *mmu_map_mmio(uint64_t pa, size_t len)
{
	uint64_t va = mmio_next;
	for (uint64_t off = 0; off < len; off += PAGE_SIZE)
		if (mmu_map(kernel_pml4, va + off, pa + off,
			    PTE_W | PTE_PCD | PTE_PWT | PTE_NX | PTE_G))
			panic("cannot map MMIO %lx", pa);
	mmio_next += ALIGN_UP(len, PAGE_SIZE) + PAGE_SIZE;
	return (void *)(va + (pa & (PAGE_SIZE - 1)));
}

static void map_range(uint64_t va_start, uint64_t va_end, uint64_t flags)
{
	for (uint64_t va = ALIGN_DOWN(va_start, PAGE_SIZE); va < va_end; va += PAGE_SIZE)
		if (mmu_map(kernel_pml4, va, va - KERNEL_VMA, flags | PTE_G))
			panic("cannot map kernel image");
}

void mmu_init(void)
{
	kernel_pml4 = new_table();
	uint64_t *pml4 = table(kernel_pml4);
	/* Pre-create the upper-half PDPTs the kernel uses so later kernel mappings
	 * never add a PML4 entry: address spaces copy entries 256..511 once, at
	 * creation, and must see every later kernel mapping. */
	static const uint64_t regions[] = {PHYS_BASE, VMALLOC_BASE, MMIO_BASE,
					   KERNEL_VMA};
	for (unsigned i = 0; i < ARRAY_SIZE(regions); i++)
		pml4[(regions[i] >> 39) & 511] = new_table() | PTE_P | PTE_W;

	/* direct map of the first 4 GiB of physical space with 2 MiB pages */
	for (uint64_t pa = 0; pa < (4UL << 30); pa += (2UL << 20)) {
		uint64_t va = PHYS_BASE + pa;
		uint64_t *pdpt = table(pml4[(va >> 39) & 511]);
		uint64_t *pde_tab;
		unsigned pdpt_idx = (va >> 30) & 511;
		if (!(pdpt[pdpt_idx] & PTE_P))
			pdpt[pdpt_idx] = new_table() | PTE_P | PTE_W;
		pde_tab = table(pdpt[pdpt_idx]);
		uint64_t flags = PTE_P | PTE_W | PTE_PS | PTE_G | PTE_NX;
		if (pa >= (3UL << 30))
			flags |= PTE_PCD | PTE_PWT; /* the PCI hole: uncached */
		pde_tab[(va >> 21) & 511] = pa | flags;
	}

	map_range((uint64_t)_text_start, (uint64_t)_text_end, 0);
	map_range((uint64_t)_rodata_start, (uint64_t)_rodata_end, PTE_NX);
	map_range((uint64_t)_data_start, (uint64_t)_data_end, PTE_W | PTE_NX);
	map_range((uint64_t)_ksyms_start, (uint64_t)_kernel_end, PTE_NX);
	write_cr3(kernel_pml4);
}

uint64_t mmu_new_pml4(void)
{
	uint64_t pa = frame_alloc();
	if (!pa)
		return 0;
	memcpy((uint64_t *)phys_to_virt(pa) + 256, table(kernel_pml4) + 256, 256 * 8);
	return pa;
}

static void free_level(uint64_t tpa, int level)
{
	uint64_t *t = table(tpa);
	if (level > 1)
		for (int i = 0; i < 512; i++)
			if (t[i] & PTE_P)
				free_level(t[i] & PTE_ADDR, level - 1);
	frame_put(tpa & PTE_ADDR);
}

static bool table_empty(const uint64_t *t)
{
	for (int i = 0; i < 512; i++)
		if (t[i])
			return false;
	return true;
}

/* Frees the tables below the table at tpa (which covers va_base on, at this
 * level) that overlap [start, end) and map nothing.  true when tpa itself is
 * now empty. */
static bool prune_level(uint64_t tpa, int level, uint64_t va_base, uint64_t start,
			uint64_t end)
{
	uint64_t *t = table(tpa);
	uint64_t span = 1UL << (12 + 9 * level);
	for (int i = 0; i < 512 && level > 0; i++) {
		uint64_t lo = va_base + i * span, hi = lo + span;
		if (hi <= start || lo >= end || !(t[i] & PTE_P) || (t[i] & PTE_PS))
			continue;
		if (prune_level(t[i] & PTE_ADDR, level - 1, lo, start, end)) {
			frame_put(t[i] & PTE_ADDR);
			t[i] = 0;
		}
	}
	return table_empty(t);
}

void mmu_prune_user_tables(uint64_t pml4, uint64_t start, uint64_t end)
{
	uint64_t *t = table(pml4);
	const uint64_t span = 1UL << 39;
	for (uint64_t i = start / span; i < 256 && i * span < end; i++) {
		if (!(t[i] & PTE_P))
			continue;
		if (prune_level(t[i] & PTE_ADDR, 2, i * span, start, end)) {
			frame_put(t[i] & PTE_ADDR);
			t[i] = 0;
		}
	}
	/* INVLPG also drops cached paging-structure entries; another address
	 * space's are dropped when CR3 is next loaded */
	mmu_flush(start);
}

void mmu_free_user_tables(uint64_t pml4)
{
	uint64_t *t = table(pml4);
	for (int i = 0; i < 256; i++)
		if (t[i] & PTE_P)
			free_level(t[i] & PTE_ADDR, 3);
	frame_put(pml4);
}
