// SPDX-License-Identifier: MIT
/* Maps the vDSO into a new address space: the shared read-only data page
 * (vvar) with the clock parameters, then the vDSO's code pages, all backed by
 * the same frames in every process.  The code itself is loader/vdso/vdso.c;
 * exec.c passes the address on as AT_SYSINFO_EHDR. */
#include <string.h>
#include <kern/printk.h>
#include <uapi/mman.h>
#include "arch/x86_64/arch.h"
#include "loader/vdso.h"
#include "loader/vdso/vdso.h"
#include "mm/vm.h"

extern const char vdso_image_start[], vdso_image_end[];

static uint64_t vvar_frame;
static uint64_t code_frames[4];
static unsigned code_pages;

static struct vdso_data *vvar(void)
{
	return phys_to_virt(vvar_frame);
}

void vdso_init(uint64_t tsc_base, uint64_t ns_mult)
{
	size_t size = vdso_image_end - vdso_image_start;
	code_pages = (size + PAGE_SIZE - 1) / PAGE_SIZE;
	if (code_pages > 4)
		panic("vDSO image of %zu bytes is too large", size);
	vvar_frame = frame_alloc();
	for (unsigned i = 0; i < code_pages; i++) {
		code_frames[i] = frame_alloc();
		if (!code_frames[i])
			panic("out of memory for the vDSO");
		size_t n = MIN(PAGE_SIZE, size - i * PAGE_SIZE);
		memcpy(phys_to_virt(code_frames[i]), vdso_image_start + i * PAGE_SIZE, n);
	}
	if (!vvar_frame)
		panic("out of memory for the vDSO");
	vvar()->tsc_base = tsc_base;
	vvar()->ns_mult = ns_mult;
}

void vdso_set_realtime_offset(int64_t offset)
{
	if (!vvar_frame)
		return;
	struct vdso_data *d = vvar();
	d->seq++;
	__asm__ volatile("" ::: "memory");
	d->realtime_offset = offset;
	__asm__ volatile("" ::: "memory");
	d->seq++;
}

long vdso_map(struct mm *mm)
{
	uint64_t len = (1 + code_pages) * PAGE_SIZE;
	long base = vm_map(mm, 0, len, PROT_READ, VMA_SHARED, false, "[vvar]");
	if (base < 0)
		return base;
	/* the code part is its own area, readable and executable */
	if (vm_protect(mm, base + PAGE_SIZE, code_pages * PAGE_SIZE,
		       PROT_READ | PROT_EXEC))
		return -12;
	struct vma *v = vm_find(mm, base + PAGE_SIZE);
	if (v)
		strlcpy(v->name, "[vdso]", sizeof(v->name));
	frame_get(vvar_frame);
	if (mmu_map(mm->pml4, base, vvar_frame, PTE_U | PTE_NX))
		return -12;
	mm->pages++;
	for (unsigned i = 0; i < code_pages; i++) {
		frame_get(code_frames[i]);
		if (mmu_map(mm->pml4, base + (1 + i) * PAGE_SIZE, code_frames[i], PTE_U))
			return -12;
		mm->pages++;
	}
	return base + PAGE_SIZE;
}
