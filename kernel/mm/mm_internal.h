/* SPDX-License-Identifier: MIT */
/* Memory management inside the kernel: physical frames (frames.c), page tables
 * (arch/x86_64/mmu.c), the kernel heap (heap.c) and user address spaces (vm.c). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <kern/list.h>

#define PAGE_SIZE    4096UL
#define PAGE_SHIFT   12
#define PHYS_BASE    0xffff800000000000UL /* direct map of all RAM */
#define VMALLOC_BASE 0xffffc90000000000UL /* large heap blocks */
#define VMALLOC_SIZE (64UL << 30)
#define MMIO_BASE    0xffffff0000000000UL
#define KERNEL_VMA   0xffffffff80000000UL

#define PTE_P	 (1UL << 0)
#define PTE_W	 (1UL << 1)
#define PTE_U	 (1UL << 2)
#define PTE_PWT	 (1UL << 3)
#define PTE_PCD	 (1UL << 4)
#define PTE_PS	 (1UL << 7)
#define PTE_G	 (1UL << 8)
#define PTE_COW	 (1UL << 9) /* software: copy on write */
#define PTE_NX	 (1UL << 63)
#define PTE_ADDR 0x000ffffffffff000UL

static inline void *phys_to_virt(uint64_t pa)
{
	return (void *)(pa + PHYS_BASE);
}
static inline uint64_t virt_to_phys(const void *va)
{
	uint64_t v = (uint64_t)va;
	return v >= KERNEL_VMA ? v - KERNEL_VMA : v - PHYS_BASE;
}

/* frames.c */
struct hvm_start_info;
void frames_init(const struct hvm_start_info *si);
void frames_reserve(uint64_t pa, uint64_t len);
void frames_release_initrd(uint64_t pa, uint64_t len);
uint64_t frame_alloc(void); /* zeroed frame's physical address, 0 if none */
uint64_t frame_alloc_nozero(void);
void frame_get(uint64_t pa); /* one more reference */
void frame_put(uint64_t pa); /* drop a reference; freed at zero */
unsigned frame_refcount(uint64_t pa);
uint64_t frames_total(void);
uint64_t frames_free(void);

/* arch/x86_64/mmu.c */
extern uint64_t kernel_pml4; /* physical */
void mmu_init(void);
uint64_t *mmu_pte(uint64_t pml4, uint64_t va, bool create, bool user);
int mmu_map(uint64_t pml4, uint64_t va, uint64_t pa, uint64_t flags);
void *mmu_map_mmio(uint64_t pa, size_t len);
void mmu_flush(uint64_t va);
uint64_t mmu_new_pml4(void);		  /* user half empty, kernel half shared */
void mmu_free_user_tables(uint64_t pml4); /* frees the tables, not the pages */
/* Frees the user page tables covering [start, end) (an area just unmapped)
 * that map nothing any more.  Never sleeps. */
void mmu_prune_user_tables(uint64_t pml4, uint64_t start, uint64_t end);

/* heap.c */
void heap_init(void);

/* vm.c */
#define VMA_ANON   0x1
#define VMA_STACK  0x2
#define VMA_SHARED 0x4
#define VMA_FILE   0x8

struct vma {
	uint64_t start, end;
	uint32_t prot; /* PROT_READ|PROT_WRITE|PROT_EXEC */
	uint32_t flags;
	uint64_t file_off;
	char name[48]; /* for /proc/self/maps: path or [stack], [heap] */
	struct list_head link;
};

struct mm {
	uint64_t pml4;
	struct list_head vmas; /* sorted by start */
	uint64_t brk_start, brk;
	uint64_t mmap_base; /* top-down allocations start below this */
	uint64_t stack_top;
	uint64_t pages; /* resident user pages */
	int users;	/* processes sharing it (vfork, threads share the process) */
	uint64_t id;	/* never reused in a boot: tells this address space from
			 * a later one allocated at the same address */
};
