// SPDX-License-Identifier: MIT
/* Maps a validated ELF (elf_parse did every check) into a new address space:
 * one area per PT_LOAD with exactly its permissions, file bytes copied in, the
 * rest zeroed.  Two segments sharing a page (old linkers) share the frame and
 * get the union of their permissions, unless that would be writable and
 * executable, which is refused. */
#include <string.h>
#include <uapi/errno.h>
#include <uapi/mman.h>
#include "loader/load.h"
#include "mm/vm.h"

static uint32_t to_prot(uint32_t p)
{
	return ((p & ELF_PROT_R) ? PROT_READ : 0) | ((p & ELF_PROT_W) ? PROT_WRITE : 0) |
	       ((p & ELF_PROT_X) ? PROT_EXEC : 0);
}

int elf_map(struct mm *mm, const struct elf_info *info, const void *buf, size_t size,
	    uint64_t bias, const char *name)
{
	uint64_t prev_end = 0;
	for (unsigned i = 0; i < info->nseg; i++) {
		const struct elf_segment *s = &info->seg[i];
		uint64_t start = ALIGN_DOWN(s->vaddr + bias, PAGE_SIZE);
		uint64_t end = ALIGN_UP(s->vaddr + bias + s->memsz, PAGE_SIZE);
		uint32_t prot = to_prot(s->prot);
		if (start < prev_end) {
			/* shares its first page with the previous segment */
			struct vma *v = vm_find(mm, start);
			uint32_t both = prot | (v ? v->prot : 0);
			if ((both & PROT_WRITE) && (both & PROT_EXEC))
				return -EACCES;
			if (v && vm_protect(mm, start, PAGE_SIZE, both))
				return -ENOMEM;
			start += PAGE_SIZE;
		}
		if (end > start) {
			long r = vm_map(mm, start, end - start, prot, 0, true, name);
			if (r < 0)
				return (int)r;
		}
		if (s->filesz) {
			if (s->offset + s->filesz > size)
				return -ENOEXEC;
			int r = vm_copy_in(mm, s->vaddr + bias,
					   (const char *)buf + s->offset, s->filesz);
			if (r)
				return r;
		}
		/* bss inside file-backed pages is already zero: frames come zeroed */
		prev_end = end;
	}
	return 0;
}
