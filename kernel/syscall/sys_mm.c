// SPDX-License-Identifier: MIT
/* Memory system calls: mmap (anonymous, and private file mappings copied in
 * from the file), munmap, mprotect, mremap, madvise, brk.  Areas and faults
 * are kernel/mm/vm.c. */
#include <string.h>
#include <kern/heap.h>
#include <kern/proc.h>
#include <kern/syscall.h>
#include <kern/uaccess.h>
#include <kern/vfs.h>
#include <uapi/errno.h>
#include <uapi/mman.h>
#include "mm/vm.h"

#define PROT_MASK (PROT_READ | PROT_WRITE | PROT_EXEC)

static struct mm *cur_mm(void)
{
	return proc_current()->mm;
}

/* Copies file bytes [off, off+len) into the new area at addr (beyond EOF: zero). */
static int fill_from_file(struct mm *mm, struct file *f, uint64_t addr, uint64_t len,
			  uint64_t off)
{
	char *buf = kmalloc(65536);
	if (!buf)
		return -ENOMEM;
	int r = 0;
	for (uint64_t done = 0; done < len;) {
		size_t chunk = MIN(len - done, 65536);
		long n = vfs_pread(f, buf, chunk, off + done);
		if (n < 0) {
			r = (int)n;
			break;
		}
		if (n == 0)
			break;
		r = vm_copy_in(mm, addr + done, buf, n);
		if (r)
			break;
		done += n;
		if ((size_t)n < chunk)
			break;
	}
	kfree(buf);
	return r;
}

static bool fixed_hint_bad(unsigned long addr, unsigned long len, unsigned long flags)
{
	return (flags & MAP_FIXED) && (addr & (PAGE_SIZE - 1));
}

long sys_mmap(unsigned long addr, unsigned long len, unsigned long prot,
	      unsigned long flags, int fd, unsigned long off)
{
	struct mm *mm = cur_mm();
	if (!len)
		return -EINVAL;
	if (off & (PAGE_SIZE - 1))
		return -EINVAL;
	if (prot & ~(PROT_MASK | PROT_GROWSDOWN | PROT_GROWSUP))
		return -EINVAL;
	unsigned type = flags & MAP_TYPE;
	if (type != MAP_PRIVATE && type != MAP_SHARED && type != MAP_SHARED_VALIDATE)
		return -EINVAL;
	if (len > USER_TOP)
		return -ENOMEM;
	if (fixed_hint_bad(addr, len, flags))
		return -EINVAL;
	bool fixed = flags & (MAP_FIXED | MAP_FIXED_NOREPLACE);
	if ((flags & MAP_FIXED_NOREPLACE) && vm_find(mm, addr))
		return -EEXIST;
	struct file *f = NULL;
	uint64_t fsize = 0;
	if (!(flags & MAP_ANONYMOUS)) {
		f = fd_get(fd);
		if (!f)
			return -EBADF;
		int r = vfs_file_size(f, &fsize);
		if (r) {
			char path[16] = "";
			vfs_file_path(f, path, sizeof(path));
			file_put(f);
			if (!strcmp(path, "/dev/zero")) {
				/* mapping /dev/zero is anonymous memory */
				flags |= MAP_ANONYMOUS;
				return sys_mmap(addr, len, prot, flags, -1, 0);
			}
			return -ENODEV;
		}
		if (type != MAP_PRIVATE && (prot & PROT_WRITE)) {
			/* writable shared file mappings need a page cache */
			file_put(f);
			return -ENODEV;
		}
	} else if (type != MAP_PRIVATE && type != MAP_SHARED) {
		return -EINVAL;
	}
	uint32_t vflags = f ? VMA_FILE : VMA_ANON;
	if (type != MAP_PRIVATE)
		vflags |= VMA_SHARED;
	char name[48] = "";
	if (f)
		vfs_file_path(f, name, sizeof(name));
	long a = vm_map(mm, addr, len, prot & PROT_MASK, vflags, fixed, f ? name : NULL);
	if (a >= 0 && f) {
		struct vma *v = vm_find(mm, a);
		if (v)
			v->file_off = off;
		if (off < fsize) {
			int r = fill_from_file(mm, f, a, MIN(len, fsize - off), off);
			if (r) {
				vm_unmap(mm, a, len);
				a = r;
			}
		}
	}
	if (f)
		file_put(f);
	return a;
}
SYSCALL_REGISTER(__NR_mmap, sys_mmap);

long sys_munmap(unsigned long addr, unsigned long len)
{
	if ((addr & (PAGE_SIZE - 1)) || !len || !access_ok(addr, len))
		return -EINVAL;
	return vm_unmap(cur_mm(), addr, len);
}
SYSCALL_REGISTER(__NR_munmap, sys_munmap);

long sys_mprotect(unsigned long addr, unsigned long len, unsigned long prot)
{
	if (addr & (PAGE_SIZE - 1))
		return -EINVAL;
	if (prot & ~(PROT_MASK | PROT_GROWSDOWN | PROT_GROWSUP))
		return -EINVAL;
	if (!len)
		return 0;
	if (!access_ok(addr, len))
		return -ENOMEM;
	return vm_protect(cur_mm(), addr, len, prot & PROT_MASK);
}
SYSCALL_REGISTER(__NR_mprotect, sys_mprotect);

long sys_madvise(unsigned long addr, unsigned long len, int advice)
{
	if (addr & (PAGE_SIZE - 1))
		return -EINVAL;
	struct mm *mm = cur_mm();
	switch (advice) {
	case MADV_DONTNEED:
	case MADV_FREE: {
		/* anonymous private pages read back as zero: drop them */
		uint64_t end = addr + ALIGN_UP(len, PAGE_SIZE);
		for (uint64_t va = addr; va < end; va += PAGE_SIZE) {
			struct vma *v = vm_find(mm, va);
			if (!v)
				return -ENOMEM;
			if (!(v->flags & VMA_ANON) || (v->flags & VMA_SHARED))
				continue;
			uint64_t *pte = mmu_pte(mm->pml4, va, false, true);
			if (pte && (*pte & PTE_P)) {
				frame_put(*pte & PTE_ADDR);
				*pte = 0;
				mmu_flush(va);
				mm->pages--;
			}
		}
		return 0;
	}
	case MADV_NORMAL:
	case MADV_RANDOM:
	case MADV_SEQUENTIAL:
	case MADV_WILLNEED:
		return 0; /* hints: nothing to do for memory that is all resident */
	default:
		return advice >= 0 && advice <= 100 ? 0 : -EINVAL;
	}
}
SYSCALL_REGISTER(__NR_madvise, sys_madvise);

long sys_brk(unsigned long newbrk)
{
	struct mm *mm = cur_mm();
	if (newbrk < mm->brk_start)
		return (long)mm->brk;
	uint64_t old_end = ALIGN_UP(mm->brk, PAGE_SIZE);
	uint64_t new_end = ALIGN_UP(newbrk, PAGE_SIZE);
	if (new_end > old_end) {
		if (new_end > USER_TOP || new_end < old_end ||
		    !vm_range_free(mm, old_end, new_end))
			return (long)mm->brk;
		if (vm_map(mm, old_end, new_end - old_end, PROT_READ | PROT_WRITE,
			   VMA_ANON, true, "[heap]") < 0)
			return (long)mm->brk;
	} else if (new_end < old_end) {
		vm_unmap(mm, new_end, old_end - new_end);
	}
	mm->brk = newbrk;
	return (long)newbrk;
}
SYSCALL_REGISTER(__NR_brk, sys_brk);

/* Moves the page table entries of [old, old+len) to new (both page aligned). */
static void move_pages(struct mm *mm, uint64_t old, uint64_t new, uint64_t len)
{
	for (uint64_t off = 0; off < len; off += PAGE_SIZE) {
		uint64_t *src = mmu_pte(mm->pml4, old + off, false, true);
		if (!src || !(*src & PTE_P))
			continue;
		uint64_t e = *src;
		*src = 0;
		mmu_flush(old + off);
		uint64_t *dst = mmu_pte(mm->pml4, new + off, true, true);
		if (dst)
			*dst = e;
		else
			frame_put(e & PTE_ADDR);
	}
}

long sys_mremap(unsigned long old, unsigned long old_len, unsigned long new_len,
		unsigned long flags, unsigned long new_addr)
{
	struct mm *mm = cur_mm();
	if ((old & (PAGE_SIZE - 1)) || (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED)))
		return -EINVAL;
	if ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE))
		return -EINVAL;
	old_len = ALIGN_UP(old_len, PAGE_SIZE);
	new_len = ALIGN_UP(new_len, PAGE_SIZE);
	if (!new_len)
		return -EINVAL;
	struct vma *v = vm_find(mm, old);
	if (!v || old + old_len > v->end)
		return -EFAULT;
	uint32_t prot = v->prot, vflags = v->flags;
	char name[48];
	memcpy(name, v->name, sizeof(name));
	if (!(flags & MREMAP_FIXED)) {
		if (new_len <= old_len) {
			if (new_len < old_len)
				vm_unmap(mm, old + new_len, old_len - new_len);
			return (long)old;
		}
		/* grow in place when the pages after are free: the area just gets longer
		 */
		if (old + old_len == v->end && old + new_len <= USER_TOP &&
		    old + new_len > old &&
		    vm_range_free(mm, old + old_len, old + new_len)) {
			v->end = old + new_len;
			return (long)old;
		}
		if (!(flags & MREMAP_MAYMOVE))
			return -ENOMEM;
	}
	long dst = vm_map(mm, (flags & MREMAP_FIXED) ? new_addr : 0, new_len, prot,
			  vflags, flags & MREMAP_FIXED, name);
	if (dst < 0)
		return dst;
	move_pages(mm, old, dst, MIN(old_len, new_len));
	vm_unmap(mm, old, old_len);
	return dst;
}
SYSCALL_REGISTER(__NR_mremap, sys_mremap);
