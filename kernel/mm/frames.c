// SPDX-License-Identifier: MIT
/* Physical memory: a bitmap of 4 KiB frames built from the PVH memory map, with
 * a reference count per frame for shared and copy-on-write pages.  The tables
 * themselves live in the first free RAM after the kernel image. */
#include <string.h>
#include <kern/printk.h>
#include "core/boot.h"
#include "mm/mm_internal.h"

extern char _kernel_end[];

static uint64_t *bitmap; /* 1 = used */
static uint16_t *refs;
static uint64_t nframes, nfree, total, hint;

static inline void set_used(uint64_t f)
{
	bitmap[f / 64] |= 1UL << (f % 64);
}
static inline void set_free(uint64_t f)
{
	bitmap[f / 64] &= ~(1UL << (f % 64));
}
static inline bool is_used(uint64_t f)
{
	return bitmap[f / 64] & (1UL << (f % 64));
}

void frames_reserve(uint64_t pa, uint64_t len)
{
	for (uint64_t f = pa / PAGE_SIZE;
	     f < (pa + len + PAGE_SIZE - 1) / PAGE_SIZE && f < nframes; f++) {
		if (!is_used(f)) {
			set_used(f);
			nfree--;
		}
	}
}

void frames_init(const struct hvm_start_info *si)
{
	const struct hvm_memmap_entry *mm = phys_to_virt(si->memmap_paddr);
	uint64_t top = 0;
	for (uint32_t i = 0; i < si->memmap_entries; i++)
		if (mm[i].type == HVM_MEMMAP_RAM && mm[i].addr + mm[i].size > top)
			top = mm[i].addr + mm[i].size;
	if (top > (1UL << 30))
		top = 1UL << 30; /* the boot tables map 1 GiB; mmu_init extends */
	nframes = top / PAGE_SIZE;
	uint64_t bm_bytes = ALIGN_UP((nframes + 63) / 64 * 8, 8);
	uint64_t ref_bytes = nframes * sizeof(uint16_t);
	uint64_t need = ALIGN_UP(bm_bytes + ref_bytes, PAGE_SIZE);
	uint64_t place = ALIGN_UP(virt_to_phys(_kernel_end), PAGE_SIZE);
	/* keep clear of the initrd */
	if (si->nr_modules) {
		const struct hvm_modlist_entry *mod = phys_to_virt(si->modlist_paddr);
		if (place < mod->paddr + mod->size && place + need > mod->paddr)
			place = ALIGN_UP(mod->paddr + mod->size, PAGE_SIZE);
	}
	bitmap = phys_to_virt(place);
	refs = (uint16_t *)((char *)bitmap + bm_bytes);
	memset(bitmap, 0xff, bm_bytes);
	memset(refs, 0, ref_bytes);
	for (uint32_t i = 0; i < si->memmap_entries; i++) {
		if (mm[i].type != HVM_MEMMAP_RAM)
			continue;
		uint64_t s = ALIGN_UP(mm[i].addr, PAGE_SIZE) / PAGE_SIZE;
		uint64_t e = ALIGN_DOWN(mm[i].addr + mm[i].size, PAGE_SIZE) / PAGE_SIZE;
		for (uint64_t f = s; f < e && f < nframes; f++) {
			set_free(f);
			nfree++;
		}
	}
	total = nfree;
	frames_reserve(0, 0x100000); /* real-mode area, firmware */
	frames_reserve(0x100000, virt_to_phys(_kernel_end) - 0x100000);
	frames_reserve(place, need);
	frames_reserve((uint64_t)si - PHYS_BASE, PAGE_SIZE);
	frames_reserve(si->memmap_paddr, si->memmap_entries * sizeof(*mm));
	if (si->nr_modules) {
		const struct hvm_modlist_entry *mod = phys_to_virt(si->modlist_paddr);
		frames_reserve(si->modlist_paddr, si->nr_modules * sizeof(*mod));
		frames_reserve(mod->paddr, mod->size);
	}
	if (si->cmdline_paddr)
		frames_reserve(si->cmdline_paddr, 4096);
	hint = 0;
}

uint64_t frame_alloc_nozero(void)
{
	for (uint64_t n = 0; n < nframes; n++) {
		uint64_t f = (hint + n) % nframes;
		if (bitmap[f / 64] == ~0UL) {
			n += 63 - f % 64;
			continue;
		}
		if (!is_used(f)) {
			set_used(f);
			nfree--;
			refs[f] = 1;
			hint = f + 1;
			return f * PAGE_SIZE;
		}
	}
	return 0;
}

uint64_t frame_alloc(void)
{
	uint64_t pa = frame_alloc_nozero();
	if (pa)
		memset(phys_to_virt(pa), 0, PAGE_SIZE);
	return pa;
}

void frame_get(uint64_t pa)
{
	refs[pa / PAGE_SIZE]++;
}

void frame_put(uint64_t pa)
{
	uint64_t f = pa / PAGE_SIZE;
	if (f >= nframes || !is_used(f))
		panic("frame_put of a free frame %lx", pa);
	if (--refs[f] == 0) {
		set_free(f);
		nfree++;
		if (f < hint)
			hint = f;
	}
}

unsigned frame_refcount(uint64_t pa)
{
	return refs[pa / PAGE_SIZE];
}

uint64_t frames_total(void)
{
	return total;
}

uint64_t frames_free(void)
{
	return nfree;
}

/* The initrd has been unpacked: its frames become free memory. */
void frames_release_initrd(uint64_t pa, uint64_t len)
{
	for (uint64_t f = pa / PAGE_SIZE; f < (pa + len) / PAGE_SIZE && f < nframes;
	     f++) {
		if (is_used(f)) {
			set_free(f);
			refs[f] = 0;
			nfree++;
		}
	}
}
