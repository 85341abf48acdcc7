// SPDX-License-Identifier: MIT
/* What the live patcher needs from the target process: its ELF objects (the
 * program and the shared objects it has mapped, read back from their files),
 * symbol lookup in them, a free spot for the patch within rel32 reach, reading
 * and writing its code through the kernel's direct map, and the safe-point
 * check over every thread's registers and stack.  The requests themselves are
 * kernel/live/patch.c's. */
#include <string.h>
#include <kern/compiler.h>
#include <kern/heap.h>
#include <kern/printk.h>
#include <kern/vfs.h>
#include <uapi/elf.h>
#include <uapi/errno.h>
#include <uapi/mman.h>
#include "arch/x86_64/regs.h"
#include "live/patch.h"
#include "mm/vm.h"
#include "proc/internal.h"

#define USER_MIN   0x10000UL
#define USER_LIMIT 0x00007ffffffff000UL
#define REACH	   ((1UL << 31) - (16UL << 20)) /* rel32, with a margin */
#define BRK_ROOM   (1UL << 30)			/* left free above the heap start */

static void why_set(char *why, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void why_set(char *why, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, ELF_WHY_LEN, fmt, ap);
	va_end(ap);
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

static int load_obj(struct lp_obj *o, const char *path, char *why)
{
	const char *w = NULL;
	strlcpy(o->path, path, sizeof(o->path));
	int e = vfs_read_file(path, &o->buf, &o->size);
	if (e) {
		o->buf = NULL;
		why_set(why, "%s: cannot read (error %d)", path, -e);
		return e;
	}
	e = elf_parse(o->buf, o->size, &o->info, &w);
	if (e) {
		why_set(why, "%s: %s", path, w ? w : "not an ELF file");
		return e;
	}
	return elf_sections(o->buf, o->size, &o->s, why);
}

void lp_target_free(struct lp_target *t)
{
	for (unsigned i = 0; i < t->nobj; i++)
		kfree(t->obj[i].buf);
	t->nobj = 0;
}

/* A library of the target seen in its address space: the lowest area of each
 * ".so" path is its first page. */
struct lib_area {
	char path[64];
	uint64_t start;
};

int lp_target_load(struct lp_target *t, struct process *p, char *why)
{
	memset(t, 0, sizeof(*t));
	t->p = p;
	t->mm = p->mm;
	/* Reading files may sleep and the process may exit meanwhile: everything
	 * needed from it and its address space is taken first, and the caller
	 * checks that it still runs in t->mm before using either again. */
	char *exe_path = kstrdup(p->exe_path);
	struct lib_area *libs = kmalloc(LP_MAX_OBJS * sizeof(*libs));
	unsigned nlibs = 0;
	uint64_t at_entry = 0;
	int e = -ENOMEM;
	if (!exe_path || !libs) {
		why_set(why, "out of memory");
		goto fail;
	}
	for (size_t i = 0; p->auxv && i + 1 < p->auxv_len / 8; i += 2)
		if (p->auxv[i] == AT_ENTRY)
			at_entry = p->auxv[i + 1];
	struct vma *v;
	list_for_each_entry(v, &t->mm->vmas, link)
	{
		if (v->name[0] != '/' || !strstr(v->name, ".so") || nlibs == LP_MAX_OBJS)
			continue;
		bool seen = false;
		for (unsigned i = 0; i < nlibs; i++)
			seen |= !strncmp(libs[i].path, v->name, sizeof(libs[i].path) - 1);
		if (seen)
			continue;
		strlcpy(libs[nlibs].path, v->name, sizeof(libs[nlibs].path));
		libs[nlibs++].start = v->start;
	}

	struct lp_obj *exe = &t->obj[0];
	exe->is_exe = true;
	t->nobj = 1;
	e = load_obj(exe, exe_path, why);
	if (e)
		goto fail;
	if (exe->info.type == ET_DYN) {
		if (!at_entry) {
			why_set(why, "%s: no AT_ENTRY: cannot find where it is loaded",
				exe_path);
			e = -ENOEXEC;
			goto fail;
		}
		exe->bias = at_entry - exe->info.entry;
	}
	uint64_t exe_lo = exe->info.lo + exe->bias, exe_hi = exe->info.hi + exe->bias;
	for (unsigned i = 0; i < nlibs && t->nobj < LP_MAX_OBJS; i++) {
		if (libs[i].start >= exe_lo && libs[i].start < exe_hi)
			continue;
		struct lp_obj *o = &t->obj[t->nobj];
		char ignore[ELF_WHY_LEN];
		memset(o, 0, sizeof(*o));
		if (load_obj(o, libs[i].path, ignore) || o->info.type != ET_DYN) {
			/* not readable back (a truncated name, a deleted file) */
			kfree(o->buf);
			o->buf = NULL;
			continue;
		}
		o->bias = libs[i].start - o->info.lo;
		t->nobj++;
	}
	kfree(exe_path);
	kfree(libs);
	return 0;
fail:
	kfree(exe_path);
	kfree(libs);
	lp_target_free(t);
	return e ? e : -ENOEXEC;
}

/* Looks name up in o: .symtab first for the program (it has the static
 * functions), .dynsym first otherwise.  Returns what elf_sym_find does. */
static int obj_find(const struct lp_obj *o, const char *name, struct elf_sym_hit *h)
{
	bool first_dyn = !o->is_exe;
	int n = elf_sym_find(&o->s, first_dyn, name, h);
	if (!n)
		n = elf_sym_find(&o->s, !first_dyn, name, h);
	return n;
}

int lp_resolve(void *arg, const char *name, uint64_t *addr, char *why)
{
	struct lp_target *t = arg;
	for (unsigned i = 0; i < t->nobj; i++) {
		struct lp_obj *o = &t->obj[i];
		struct elf_sym_hit h;
		int n = obj_find(o, name, &h);
		if (!n)
			continue;
		if (n > 1 && h.bind == STB_LOCAL) {
			why_set(why, "symbol %s is ambiguous in %s (%d definitions)",
				name, base_name(o->path), n);
			return -ENOEXEC;
		}
		if (h.type == STT_GNU_IFUNC) {
			/* the variant the object's loader picked: in the word its
			 * IRELATIVE relocation for this resolver filled */
			uint64_t slot = elf_irelative_slot(&o->s, h.value), v = 0;
			struct vma *code = NULL;
			if (slot && !lp_peek(t->mm, slot + o->bias, &v, 8))
				code = vm_find(t->mm, v);
			if (!code || !(code->prot & PROT_EXEC) ||
			    v == h.value + o->bias) {
				why_set(why,
					"symbol %s in %s is an IFUNC not resolved yet",
					name, base_name(o->path));
				return -ENOEXEC;
			}
			*addr = v;
			return 0;
		}
		if (h.type == STT_TLS) {
			why_set(why, "symbol %s in %s is thread-local: not supported",
				name, base_name(o->path));
			return -ENOEXEC;
		}
		*addr = h.value + (h.shndx == SHN_ABS ? 0 : o->bias);
		return 0;
	}
	return -ENOENT;
}

static bool lib_matches(const struct lp_obj *o, const char *lib)
{
	const char *b = base_name(o->path);
	size_t n = strlen(lib);
	return !o->is_exe && !strncmp(b, lib, n) &&
	       (b[n] == 0 || b[n] == '.' || b[n] == '-');
}

int lp_find_old(struct lp_target *t, const struct elf_patch_func *f, struct lp_func *out,
		const struct lp_obj **where, char *why)
{
	bool any_lib = false;
	for (unsigned i = 0; i < t->nobj; i++) {
		const struct lp_obj *o = &t->obj[i];
		if (f->lib[0] && !lib_matches(o, f->lib))
			continue;
		any_lib = true;
		struct elf_sym_hit h;
		int n = obj_find(o, f->name, &h);
		if (!n)
			continue;
		const char *ob = base_name(o->path);
		if (n > 1 && h.bind == STB_LOCAL) {
			why_set(why, "%s is ambiguous in %s (%d definitions)", f->name,
				ob, n);
			return -ENOEXEC;
		}
		if (h.type != STT_FUNC) {
			why_set(why, "%s in %s is not a function%s", f->name, ob,
				h.type == STT_GNU_IFUNC
				    ? " (an IFUNC: patch the variant it picks)"
				    : "");
			return -ENOEXEC;
		}
		out->addr = h.value + o->bias;
		out->size = h.size;
		strlcpy(out->name, f->name, sizeof(out->name));
		strlcpy(out->obj_name, ob, sizeof(out->obj_name));
		*where = o;
		return 0;
	}
	if (f->lib[0] && !any_lib)
		why_set(why, "library %s is not loaded in the process", f->lib);
	else
		why_set(why, "missing symbol %s%s%s", f->name, f->lib[0] ? " in " : "",
			f->lib);
	return -ENOENT;
}

/* Highest (below) or lowest (above) page-aligned address for span bytes in
 * the gap [glo, ghi), one guard page on each side, inside [amin, amax]. */
static uint64_t fit(uint64_t glo, uint64_t ghi, uint64_t span, uint64_t amin,
		    uint64_t amax, bool high)
{
	glo += PAGE_SIZE;
	if (ghi < glo + span + PAGE_SIZE)
		return 0;
	ghi -= PAGE_SIZE;
	uint64_t lo = MAX(glo, amin), hi = MIN(ghi - span, amax);
	lo = ALIGN_UP(lo, PAGE_SIZE);
	hi = ALIGN_DOWN(hi, PAGE_SIZE);
	if (lo > hi)
		return 0;
	return high ? hi : lo;
}

uint64_t lp_place(struct mm *mm, uint64_t lo, uint64_t hi, uint64_t span)
{
	span = ALIGN_UP(span, PAGE_SIZE);
	if (hi - lo + span >= REACH)
		return 0;
	uint64_t amin = hi > REACH + USER_MIN ? hi + span - REACH : USER_MIN;
	uint64_t amax = MIN(lo + REACH - span, USER_LIMIT - span);
	uint64_t best = 0, prev_end = USER_MIN;
	/* first choice: the closest spot below the code */
	struct vma *v;
	for (struct list_head *l = mm->vmas.next;; l = l->next) {
		bool last = l == &mm->vmas;
		uint64_t gend =
		    last ? USER_LIMIT : list_entry(l, struct vma, link)->start;
		uint64_t a = fit(prev_end, gend, span, amin, MIN(amax, lo - span), true);
		if (a && a > best)
			best = a;
		if (last)
			break;
		prev_end = list_entry(l, struct vma, link)->end;
	}
	if (best)
		return best;
	/* then above it, keeping clear of the heap's growth */
	prev_end = USER_MIN;
	list_for_each_entry(v, &mm->vmas, link)
	{
		uint64_t a = fit(prev_end, v->start, span, MAX(amin, hi), amax, false);
		if (a && mm->brk_start && a < mm->brk_start + BRK_ROOM &&
		    a + span > mm->brk_start)
			a = fit(prev_end, v->start, span, mm->brk_start + BRK_ROOM, amax,
				false);
		if (a)
			return a;
		prev_end = v->end;
	}
	uint64_t a = fit(prev_end, USER_LIMIT, span, MAX(amin, hi), amax, false);
	if (a && mm->brk_start && a < mm->brk_start + BRK_ROOM &&
	    a + span > mm->brk_start)
		a = fit(prev_end, USER_LIMIT, span, mm->brk_start + BRK_ROOM, amax,
			false);
	return a;
}

/* The kernel address of the present user byte at va, or NULL. */
static uint8_t *kaddr(struct mm *mm, uint64_t va)
{
	uint64_t *pte = mmu_pte(mm->pml4, ALIGN_DOWN(va, PAGE_SIZE), false, true);
	if (!pte || !(*pte & PTE_P))
		return NULL;
	return (uint8_t *)phys_to_virt(*pte & PTE_ADDR) + (va & (PAGE_SIZE - 1));
}

int lp_peek(struct mm *mm, uint64_t va, void *dst, size_t n)
{
	uint8_t *d = dst;
	while (n) {
		size_t m = MIN(n, PAGE_SIZE - (va & (PAGE_SIZE - 1)));
		uint8_t *k = kaddr(mm, va);
		if (!k)
			return -EFAULT;
		memcpy(d, k, m);
		d += m;
		va += m;
		n -= m;
	}
	return 0;
}

int lp_make_private(struct mm *mm, uint64_t va, size_t n)
{
	for (uint64_t pg = ALIGN_DOWN(va, PAGE_SIZE); pg < va + n; pg += PAGE_SIZE) {
		uint64_t *pte = mmu_pte(mm->pml4, pg, false, true);
		if (!pte || !(*pte & PTE_P))
			return -EFAULT;
		uint64_t pa = *pte & PTE_ADDR;
		if (frame_refcount(pa) <= 1)
			continue;
		uint64_t np = frame_alloc_nozero();
		if (!np)
			return -ENOMEM;
		memcpy(phys_to_virt(np), phys_to_virt(pa), PAGE_SIZE);
		*pte = np | (*pte & ~PTE_ADDR);
		frame_put(pa);
		mmu_flush(pg);
	}
	return 0;
}

void lp_poke(struct mm *mm, uint64_t va, const void *src, size_t n)
{
	const uint8_t *s = src;
	for (size_t i = 0; i < n; i++) {
		uint8_t *k = kaddr(mm, va + i);
		if (k)
			*k = s[i];
	}
}

void lp_freeze(struct mm *mm)
{
	struct process *p;
	list_for_each_entry(p, proc_all(), link)
	{
		if (p->mm != mm)
			continue;
		struct thread *t;
		list_for_each_entry(t, &p->threads, proc_link) if (t != thread_current())
		    sched_freeze(t);
	}
}

void lp_thaw(struct mm *mm)
{
	struct process *p;
	list_for_each_entry(p, proc_all(), link)
	{
		if (p->mm != mm)
			continue;
		struct thread *t;
		list_for_each_entry(t, &p->threads, proc_link) if (t->frozen)
		    sched_thaw(t);
	}
}

static const struct lp_range *hit(uint64_t v, const struct lp_range *r, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (v >= r[i].start && v < r[i].end)
			return &r[i];
	return NULL;
}

/* The range holding v or v - 1 (a return address sits right after a call: it
 * may equal a range's end), the blocking ones (below r + hard) first. */
static const struct lp_range *hit_word(uint64_t v, const struct lp_range *r, unsigned n,
				       unsigned hard)
{
	const struct lp_range *a = hit(v, r, n), *b = hit(v - 1, r, n);
	if (a && a < r + hard)
		return a;
	if (b && b < r + hard)
		return b;
	return a ? a : b;
}

/* The first blocking range (r[0..hard)) t is in or may return into, or NULL;
 * *soft gets the first other range it touches. */
static const struct lp_range *thread_busy(struct mm *mm, struct thread *t,
					  const struct lp_range *r, unsigned n,
					  unsigned hard, const struct lp_range **soft)
{
	const struct regs *u = t->uregs;
	const struct lp_range *h = hit(u->rip, r, n);
#define SEEN(h)                                                                          \
	do {                                                                             \
		if ((h) && (h) < r + hard)                                               \
			return (h);                                                      \
		if ((h) && !*soft)                                                       \
			*soft = (h);                                                     \
	} while (0)
	SEEN(h);
	uint64_t sp = ALIGN_DOWN(u->rsp, 8);
	struct vma *v = vm_find(mm, sp);
	uint64_t end = v ? MIN(sp + LP_STACK_SCAN, v->end) : sp;
	for (uint64_t a = sp; a < end;) {
		uint8_t *k = kaddr(mm, a);
		uint64_t page_end = ALIGN_DOWN(a, PAGE_SIZE) + PAGE_SIZE;
		if (!k) {
			a = page_end;
			continue;
		}
		for (; a < end && a < page_end; a += 8, k += 8) {
			uint64_t w;
			memcpy(&w, k, 8);
			h = hit_word(w, r, n, hard);
			SEEN(h);
		}
	}
	/* frames beyond the scanned words: follow %rbp while it looks like a chain */
	uint64_t fp = u->rbp;
	for (int depth = 0; depth < 1024 && fp && !(fp & 7); depth++) {
		uint64_t fr[2];
		if (lp_peek(mm, fp, fr, sizeof(fr)))
			break;
		h = hit_word(fr[1], r, n, hard);
		SEEN(h);
		if (fr[0] <= fp)
			break;
		fp = fr[0];
	}
#undef SEEN
	return NULL;
}

bool lp_busy(struct mm *mm, const struct lp_range *r, unsigned n, unsigned nsoft,
	     struct lp_hit *hit_out)
{
	struct process *p;
	*hit_out = (struct lp_hit){0};
	unsigned hard = n - nsoft;
	list_for_each_entry(p, proc_all(), link)
	{
		if (p->mm != mm)
			continue;
		struct thread *t;
		list_for_each_entry(t, &p->threads, proc_link)
		{
			if (t->state == T_DEAD || t == thread_current() || !t->uregs)
				continue;
			const struct lp_range *soft = NULL;
			const struct lp_range *h = thread_busy(mm, t, r, n, hard, &soft);
			if (soft && !hit_out->soft_tid) {
				hit_out->soft_tid = t->tid;
				hit_out->soft_range = soft->name;
			}
			if (h) {
				hit_out->tid = t->tid;
				hit_out->range = h->name;
				return true;
			}
		}
	}
	return false;
}

bool lp_handler_in(struct mm *mm, const struct lp_range *r, unsigned n, char *why,
		   size_t cap)
{
	struct process *p;
	list_for_each_entry(p, proc_all(), link)
	{
		if (p->mm != mm || !p->sigactions)
			continue;
		for (int s = 0; s < NSIG; s++) {
			const struct sigaction_k *sa = &p->sigactions[s];
			const struct lp_range *h = hit(sa->handler, r, n);
			if (!h)
				h = hit(sa->restorer, r, n);
			if (h) {
				snprintf(why, cap,
					 "the handler of signal %d of pid %d is in %s",
					 s + 1, p->pid, h->name);
				return true;
			}
		}
	}
	return false;
}
