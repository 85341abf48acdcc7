// SPDX-License-Identifier: MIT
/* PATCH, REVERT and PATCHES: live patching of a running process.  PATCH
 * decodes and checks everything first (the .so, its manifest, every symbol,
 * every function's size and current bytes, a spot within rel32 reach), then
 * maps the relocated patch, freezes the process's threads, checks that none is
 * inside a function being replaced (retrying with backoff until the deadline),
 * writes one `jmp rel32` per function through the kernel's direct map (code
 * pages stay read-execute for the program) and thaws.  REVERT writes the saved
 * bytes back under the same check and, in the same pause, unmaps the patch when
 * no thread is in it or may return into it; otherwise the patch lingers and is
 * unmapped at a later safe point (the next request, or a periodic retry).  The
 * target's objects, symbols, memory and threads are kernel/live/patch_target.c's;
 * formats are docs/livepatch.md. */
#include <string.h>
#include <kern/clock.h>
#include <kern/compiler.h>
#include <kern/heap.h>
#include <kern/printk.h>
#include <kern/wait.h>
#include <uapi/elf.h>
#include <uapi/errno.h>
#include <uapi/mman.h>
#include "live/internal.h"
#include "live/patch.h"
#include "unielf/livepatch.h"
#include "loader/load.h"
#include "mm/vm.h"
#include "proc/internal.h"

#define DEFAULT_DEADLINE_MS 1000
#define MAX_PATCH_SIZE	    (64u << 20)
#define RETRY_FIRST_NS	    (250 * 1000000ULL) /* lingering patches: first retry */
#define RETRY_MAX_NS	    (64 * NSEC_PER_SEC)

struct lp_patch {
	struct list_head link;
	uint32_t id;
	int pid;
	struct mm *mm;
	uint64_t mm_id; /* mm->id: mm is still this address space */
	char path[128];
	uint64_t lo, hi; /* where it is mapped */
	uint64_t pause_ns;
	unsigned nfuncs;
	struct lp_func *funcs;
	unsigned nmapped;
	struct lp_range *mapped; /* the image and each trampoline page */
};

static LIST_HEAD(patches);   /* applied, oldest first */
static LIST_HEAD(lingering); /* reverted, still mapped: a thread may return there */
static uint64_t retry_at, retry_gap;
static uint32_t next_id = 1;
static struct waitq backoff_wq = WAITQ_INIT(backoff_wq);

static const uint8_t endbr64[LP_ENDBR_LEN] = {0xf3, 0x0f, 0x1e, 0xfa};

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

/* The process pid, while it still runs in the address space mm (id mm_id). */
static struct process *same_process(int pid, struct mm *mm, uint64_t mm_id)
{
	struct process *p = proc_find(pid);
	if (p && !p->zombie && p->mm == mm && mm->id == mm_id)
		return p;
	return NULL;
}

static void patch_free(struct lp_patch *pt)
{
	kfree(pt->funcs);
	kfree(pt->mapped);
	kfree(pt);
}

/* Forgets patches of processes that exited or exec'd another program: their
 * pages went with the address space. */
static void prune(void)
{
	struct list_head *lists[2] = {&patches, &lingering};
	for (int k = 0; k < 2; k++) {
		struct lp_patch *pt, *n;
		list_for_each_entry_safe(pt, n, lists[k], link)
		{
			if (same_process(pt->pid, pt->mm, pt->mm_id))
				continue;
			list_del(&pt->link);
			patch_free(pt);
		}
	}
}

/* true when the area v is one the patch id mapped: "[livepatch ID] NAME" or
 * "[livepatch ID trampoline]". */
static bool own_area(const struct vma *v, uint32_t id)
{
	char pre[24];
	int n = snprintf(pre, sizeof(pre), "[livepatch %u", id);
	return !strncmp(v->name, pre, n) && (v->name[n] == ']' || v->name[n] == ' ');
}

/* Unmaps the patch's areas: only those still its own, in case the program
 * mapped something else over them meanwhile.  Never sleeps. */
static void unmap_patch(struct lp_patch *pt)
{
	for (unsigned i = 0; i < pt->nmapped; i++) {
		uint64_t start = pt->mapped[i].start, end = pt->mapped[i].end;
		bool all_own = true;
		struct vma *v;
		list_for_each_entry(v, &pt->mm->vmas, link)
		{
			if (v->start >= end)
				break;
			if (v->end > start && !own_area(v, pt->id))
				all_own = false;
		}
		if (all_own) { /* the usual case: one unmap */
			vm_unmap(pt->mm, start, end - start);
			continue;
		}
		for (uint64_t at = start;;) {
			struct vma *found = NULL;
			list_for_each_entry(v, &pt->mm->vmas, link)
			{
				if (v->start >= end)
					break;
				if (v->end > at && own_area(v, pt->id)) {
					found = v;
					break;
				}
			}
			if (!found)
				break;
			at = found->end;
			/* a whole area: nothing to split, cannot fail */
			vm_unmap(pt->mm, found->start, found->end - found->start);
		}
	}
}

/* With pt's threads frozen, and h what a scan of pt's areas found: unmaps pt
 * when nothing may use it any more.  true when it did; else why says what
 * still may. */
static bool reclaim_frozen(struct lp_patch *pt, const struct lp_hit *h, char *why,
			   size_t cap)
{
	if (h->soft_tid || h->tid) {
		snprintf(why, cap, "thread %d may return into %s",
			 h->tid ? h->tid : h->soft_tid,
			 h->tid ? h->range : h->soft_range);
		return false;
	}
	if (lp_handler_in(pt->mm, pt->mapped, pt->nmapped, why, cap))
		return false;
	unmap_patch(pt);
	return true;
}

/* Tries to unmap every lingering patch: one freeze of its process each. */
static void reclaim_lingering(void)
{
	prune();
	struct lp_patch *pt, *n;
	list_for_each_entry_safe(pt, n, &lingering, link)
	{
		char why[160];
		struct lp_hit h;
		lp_freeze(pt->mm);
		lp_busy(pt->mm, pt->mapped, pt->nmapped, 0, &h);
		bool done = reclaim_frozen(pt, &h, why, sizeof(why));
		lp_thaw(pt->mm);
		if (!done)
			continue;
		printk("livepatch: patch %u unmapped", pt->id);
		list_del(&pt->link);
		patch_free(pt);
	}
}

void live_patch_tick(void)
{
	if (list_empty(&lingering))
		return;
	uint64_t now = clock_monotonic_ns();
	if (now < retry_at)
		return;
	reclaim_lingering();
	retry_gap = MIN(retry_gap * 2, RETRY_MAX_NS);
	retry_at = now + retry_gap;
}

/* The latest applied patch of mm redirecting site, other than skip. */
static struct lp_func *top_at(struct mm *mm, uint64_t site, struct lp_patch *skip,
			      struct lp_patch **owner)
{
	struct lp_func *top = NULL;
	struct lp_patch *pt;
	list_for_each_entry(pt, &patches, link)
	{
		if (pt->mm != mm || pt == skip)
			continue;
		for (unsigned i = 0; i < pt->nfuncs; i++)
			if (pt->funcs[i].site == site) {
				top = &pt->funcs[i];
				if (owner)
					*owner = pt;
			}
	}
	return top;
}

/* The FILE field: its path and bytes. */
static int file_field(struct ctl_request *q, struct ctl_reply *r, char *path, size_t cap,
		      const uint8_t **data, size_t *len)
{
	if (q->nfiles != 1) {
		reply_error(r, "PATCH needs exactly one FILE (the patch .so)");
		return -EINVAL;
	}
	const struct ctl_field *f = &q->files[0];
	uint32_t plen = f->len >= 8 ? (f->val[4] | f->val[5] << 8 | f->val[6] << 16 |
				       (uint32_t)f->val[7] << 24)
				    : 0;
	if (f->len < 8 || plen == 0 || plen > f->len - 8 || plen >= cap) {
		reply_error(r, "FILE field malformed");
		return -EINVAL;
	}
	memcpy(path, f->val + 8, plen);
	path[plen] = 0;
	if (strlen(path) != plen) {
		reply_error(r, "FILE path contains a NUL");
		return -EINVAL;
	}
	*data = f->val + 8 + plen;
	*len = f->len - 8 - plen;
	return 0;
}

/* Name of the patch's function at link-time address v (its .symtab, then .dynsym). */
static void new_name(const struct elf_sects *s, uint64_t v, char *out, size_t cap,
		     uint64_t *size)
{
	struct elf64_shdr sh, st;
	*size = 0;
	snprintf(out, cap, "0x%lx", (unsigned long)v);
	unsigned tabs[2] = {s->symtab, s->dynsym};
	for (int k = 0; k < 2; k++) {
		if (!tabs[k])
			continue;
		memcpy(&sh, s->buf + s->shoff + (uint64_t)tabs[k] * sizeof(sh),
		       sizeof(sh));
		memcpy(&st, s->buf + s->shoff + (uint64_t)sh.sh_link * sizeof(st),
		       sizeof(st));
		for (uint64_t i = 1; i < sh.sh_size / sizeof(struct elf64_sym); i++) {
			struct elf64_sym sym;
			memcpy(&sym, s->buf + sh.sh_offset + i * sizeof(sym),
			       sizeof(sym));
			if (sym.st_value != v || elf64_st_type(sym.st_info) != STT_FUNC ||
			    sym.st_name >= st.sh_size)
				continue;
			const char *nm =
			    (const char *)s->buf + st.sh_offset + sym.st_name;
			size_t room = st.sh_size - sym.st_name;
			if (strnlen(nm, room) == room)
				continue;
			strlcpy(out, nm, cap);
			*size = sym.st_size;
			return;
		}
	}
}

/* W^X for the patch itself: segments sharing a page must not need W and X. */
static bool needs_wx(const struct elf_info *info)
{
	for (unsigned i = 0; i + 1 < info->nseg; i++) {
		const struct elf_segment *a = &info->seg[i], *b = &info->seg[i + 1];
		uint32_t both = a->prot | b->prot;
		if (ALIGN_DOWN(b->vaddr, PAGE_SIZE) <
			ALIGN_UP(a->vaddr + a->memsz, PAGE_SIZE) &&
		    (both & ELF_PROT_W) && (both & ELF_PROT_X))
			return true;
	}
	return false;
}

/* What one safe point does, for at_safe_point. */
struct safe_op {
	int pid;
	struct mm *mm;
	uint64_t mm_id;
	struct lp_func *f; /* the writes: n functions */
	unsigned n;
	bool undo;		   /* write orig instead of jmp */
	const struct lp_range *rg; /* no thread may be in or return into these, */
	unsigned nrg;		   /* the last nsoft excepted: */
	unsigned nsoft;		   /* they only decide the reclaim */
	struct lp_patch *reclaim;  /* after the writes, unmap it if nothing uses it */
	bool reclaimed;
	char why[160]; /* why not */
};

/* Freezes the threads of op->mm at a point where none is in the ranges, does
 * the writes (and the reclaim), thaws.  Retries with backoff until
 * deadline_ms.  0, -EBUSY or -ESRCH (the process went away while we waited)
 * with the reply's error set. */
static int at_safe_point(struct safe_op *op, uint32_t deadline_ms, uint64_t *pause_ns,
			 struct ctl_reply *r)
{
	uint64_t deadline = clock_monotonic_ns() + (uint64_t)deadline_ms * 1000000;
	uint64_t backoff = 1000000;
	unsigned tries = 0;
	struct mm *mm = op->mm;
	for (;;) {
		if (!same_process(op->pid, op->mm, op->mm_id)) {
			reply_error(r, "process %d exited or exec'd meanwhile", op->pid);
			return -ESRCH;
		}
		uint64_t t0 = clock_monotonic_ns();
		struct lp_hit h;
		lp_freeze(mm);
		tries++;
		if (!lp_busy(mm, op->rg, op->nrg, op->nsoft, &h)) {
			for (unsigned i = 0; i < op->n; i++)
				lp_poke(mm, op->f[i].site,
					op->undo ? op->f[i].orig : op->f[i].jmp,
					LP_JMP_LEN);
			if (op->reclaim)
				op->reclaimed = reclaim_frozen(op->reclaim, &h, op->why,
							       sizeof(op->why));
			uint64_t t1 = clock_monotonic_ns();
			lp_thaw(mm);
			*pause_ns = t1 - t0;
			return 0;
		}
		lp_thaw(mm);
		uint64_t now = clock_monotonic_ns();
		if (now >= deadline) {
			reply_error(
			    r,
			    "thread %d is inside %s (%u tries in %u ms); nothing changed",
			    h.tid, h.range, tries, deadline_ms);
			return -EBUSY;
		}
		waitq_sleep(&backoff_wq, MIN(now + backoff, deadline));
		backoff = MIN(backoff * 2, 50000000ULL);
	}
}

void live_patch(struct ctl_request *q, struct ctl_reply *r)
{
	char why[ELF_WHY_LEN] = "";
	const char *w = NULL;
	char path[128];
	const uint8_t *data;
	size_t len;
	struct lp_target *t = NULL;
	struct lp_patch *pt = NULL;
	struct elf_patch_manifest *m = NULL;
	struct lp_range *rg = NULL;
	uint8_t *img = NULL;
	struct elf_info info;
	struct elf_sects s;
	uint64_t base = 0, span = 0;
	bool mapped = false;

	reclaim_lingering();
	if (file_field(q, r, path, sizeof(path), &data, &len))
		return;
	int pid = q->have_pid ? (int)q->pid : 1;
	struct process *p = pid > 0 ? proc_find(pid) : NULL;
	if (!p || p->zombie || !p->mm) {
		reply_error(r, "no process %d", pid);
		return;
	}
	struct mm *mm = p->mm;
	uint64_t mm_id = mm->id;
	const char *pname = base_name(path);
	/* 1. the patch file, entirely */
	if (len > MAX_PATCH_SIZE) {
		reply_error(r, "%s: larger than %u MiB", pname, MAX_PATCH_SIZE >> 20);
		return;
	}
	if (elf_parse(data, len, &info, &w)) {
		reply_error(r, "%s: %s", pname, w ? w : "not an ELF file");
		return;
	}
	if (info.type != ET_DYN || info.has_interp || info.entry) {
		reply_error(r,
			    "%s: not a shared object (build it with gcc -shared -fPIC)",
			    pname);
		return;
	}
	if (needs_wx(&info)) {
		reply_error(r, "%s: would need writable and executable pages", pname);
		return;
	}
	if (info.has_tls) {
		reply_error(r, "%s: thread-local storage in a patch is not supported",
			    pname);
		return;
	}
	m = kmalloc(sizeof(*m));
	t = kmalloc(sizeof(*t));
	pt = kzalloc(sizeof(*pt));
	if (!m || !t || !pt) {
		reply_error(r, "out of memory");
		goto out;
	}
	t->nobj = 0;
	if (elf_sections(data, len, &s, why) || elf_patch_manifest(&s, &info, m, why)) {
		reply_error(r, "%s: %s", pname, why);
		goto out;
	}
	/* 2. the target: build-id, every old function */
	if (lp_target_load(t, p, why)) {
		reply_error(r, "%s", why);
		goto out;
	}
	/* reading the files may have slept: is the program still there? */
	p = same_process(pid, mm, mm_id);
	if (!p) {
		reply_error(r, "process %d exited or ran another program meanwhile", pid);
		goto out;
	}
	t->p = p;
	struct lp_obj *exe = &t->obj[0];
	if (m->has_target) {
		char hex[129];
		for (unsigned i = 0; i < exe->info.build_id_len; i++)
			snprintf(hex + 2 * i, 3, "%02x", exe->info.build_id[i]);
		hex[2 * exe->info.build_id_len] = 0;
		if (strcmp(hex, m->target)) {
			reply_error(
			    r, "%s: made for build-id %.16s..., but %s has %s%.16s%s",
			    pname, m->target, base_name(p->exe_path),
			    hex[0] ? "" : "none", hex, hex[0] ? "..." : "");
			goto out;
		}
	}
	pt->funcs = kzalloc(m->nfuncs * sizeof(struct lp_func));
	pt->mapped = kzalloc((m->nfuncs + 1) * sizeof(struct lp_range));
	rg = kzalloc(m->nfuncs * sizeof(struct lp_range));
	if (!pt->funcs || !pt->mapped || !rg) {
		reply_error(r, "out of memory");
		goto out;
	}
	pt->nfuncs = m->nfuncs;
	uint64_t lo = UINT64_MAX, hi = 0;
	for (unsigned i = 0; i < m->nfuncs; i++) {
		struct lp_func *f = &pt->funcs[i];
		const struct lp_obj *o;
		if (lp_find_old(t, &m->func[i], f, &o, why)) {
			reply_error(r, "%s", why);
			goto out;
		}
		f->flags = m->func[i].flags;
		uint8_t cur[LP_ENDBR_LEN + LP_JMP_LEN], orig[LP_ENDBR_LEN + LP_JMP_LEN];
		int64_t off =
		    elf_vaddr_to_offset(&o->info, f->addr - o->bias, sizeof(orig));
		struct vma *v = vm_find(mm, f->addr);
		if (off < 0 || !v || !(v->prot & PROT_EXEC) ||
		    f->addr + sizeof(cur) > v->end ||
		    lp_peek(mm, f->addr, cur, sizeof(cur))) {
			reply_error(r,
				    "%s: its code is not mapped executable in process %d",
				    f->name, pid);
			goto out;
		}
		memcpy(orig, o->buf + off, sizeof(orig));
		unsigned skip = memcmp(orig, endbr64, LP_ENDBR_LEN) ? 0 : LP_ENDBR_LEN;
		if (f->size < skip + LP_JMP_LEN) {
			reply_error(r, "%s is too short to patch (%lu bytes, needs %u)",
				    f->name, (unsigned long)f->size, skip + LP_JMP_LEN);
			goto out;
		}
		f->site = f->addr + skip;
		for (unsigned k = 0; k < i; k++)
			if (pt->funcs[k].site == f->site) {
				reply_error(r, "%s and %s are the same function",
					    pt->funcs[k].name, f->name);
				goto out;
			}
		/* the code must be the file's, or what the patch below left there */
		struct lp_func *below = top_at(mm, f->site, NULL, NULL);
		const uint8_t *expect = below ? below->jmp : orig + skip;
		if (memcmp(cur + skip, expect, LP_JMP_LEN) ||
		    (skip && memcmp(cur, endbr64, skip))) {
			reply_error(
			    r, "%s: the code in memory is not the expected original (%s)",
			    f->name,
			    below ? "changed since the last patch"
				  : "differs from the file");
			goto out;
		}
		memcpy(f->orig, cur + skip, LP_JMP_LEN);
		/* the patch goes near the first function; the ones further than
		 * 1 GiB from it jump through a trampoline page of their own */
		uint64_t d = f->site > pt->funcs[0].site ? f->site - pt->funcs[0].site
							 : pt->funcs[0].site - f->site;
		f->far = d > (1UL << 30);
		if (!f->far) {
			lo = MIN(lo, f->site);
			hi = MAX(hi, f->site + LP_JMP_LEN);
		}
		rg[i].start = (f->flags & UNIELF_PATCH_F_ACTIVE_OK) ? f->site : f->addr;
		rg[i].end = (f->flags & UNIELF_PATCH_F_ACTIVE_OK) ? f->site + LP_JMP_LEN
								  : f->addr + f->size;
		rg[i].name = f->name;
	}
	/* 3. where it goes, and its relocations, still on the side */
	span = info.hi - info.lo;
	base = lp_place(mm, lo, hi, span);
	if (!base) {
		reply_error(r, "%s: no free room within 2 GiB of the functions", pname);
		goto out;
	}
	uint64_t bias = base - info.lo;
	img = kmalloc(len);
	if (!img) {
		reply_error(r, "out of memory");
		goto out;
	}
	memcpy(img, data, len);
	if (elf_relocate(&s, &info, img, bias, lp_resolve, t, why)) {
		reply_error(r, "%s: %s", pname, why);
		goto out;
	}
	for (unsigned i = 0; i < pt->nfuncs; i++) {
		struct lp_func *f = &pt->funcs[i];
		f->new_addr = m->func[i].new_vaddr + bias;
		new_name(&s, m->func[i].new_vaddr, f->new_name, sizeof(f->new_name),
			 &f->new_size);
		if (!f->new_size)
			f->new_size = 1;
	}
	/* 4. map it (nothing points at it yet), give the sites private frames */
	/* named without a '/': never taken for a library by a later patch */
	char vname[48];
	snprintf(vname, sizeof(vname), "[livepatch %u] %s", next_id, pname);
	int e = elf_map(mm, &info, img, len, bias, vname);
	mapped = true;
	strlcpy(pt->path, path, sizeof(pt->path));
	pt->mapped[pt->nmapped++] =
	    (struct lp_range){base, base + ALIGN_UP(span, PAGE_SIZE), pt->path};
	if (!e && info.has_relro) {
		uint64_t rs = ALIGN_DOWN(info.relro_vaddr + bias, PAGE_SIZE);
		uint64_t re =
		    ALIGN_DOWN(info.relro_vaddr + info.relro_memsz + bias, PAGE_SIZE);
		if (re > rs)
			e = vm_protect(mm, rs, re - rs, PROT_READ);
	}
	for (unsigned i = 0; !e && i < pt->nfuncs; i++) {
		struct lp_func *f = &pt->funcs[i];
		if (f->far) {
			/* jmp *0(%rip); .quad new: anywhere in the address space */
			uint8_t code[LP_TRAMP_LEN] = {0xff, 0x25, 0, 0, 0, 0};
			memcpy(code + 6, &f->new_addr, 8);
			uint64_t tr =
			    lp_place(mm, f->site, f->site + LP_JMP_LEN, PAGE_SIZE);
			char tname[48];
			snprintf(tname, sizeof(tname), "[livepatch %u trampoline]",
				 next_id);
			long a = tr ? vm_map(mm, tr, PAGE_SIZE, PROT_READ | PROT_EXEC, 0,
					     true, tname)
				    : -ENOMEM;
			if (a < 0) {
				e = (int)a;
				break;
			}
			f->tramp = tr;
			pt->mapped[pt->nmapped++] =
			    (struct lp_range){tr, tr + PAGE_SIZE, pt->path};
			e = vm_copy_in(mm, tr, code, sizeof(code));
		}
		uint64_t to = f->far ? f->tramp : f->new_addr;
		int64_t rel = (int64_t)(to - (f->site + LP_JMP_LEN));
		if (!e && rel != (int32_t)rel)
			e = -ERANGE;
		int32_t rel32 = (int32_t)rel;
		f->jmp[0] = 0xe9;
		memcpy(f->jmp + 1, &rel32, 4);
		if (!e)
			e = lp_make_private(mm, f->site, LP_JMP_LEN);
	}
	if (e) {
		reply_error(r, "%s: cannot map it (error %d)", pname, -e);
		goto out;
	}
	/* 5. the safe point, and the writes */
	uint32_t dl = q->have_deadline ? q->deadline_ms : DEFAULT_DEADLINE_MS;
	struct safe_op op = {.pid = pid,
			     .mm = mm,
			     .mm_id = mm_id,
			     .f = pt->funcs,
			     .n = pt->nfuncs,
			     .rg = rg,
			     .nrg = pt->nfuncs};
	if (at_safe_point(&op, dl, &pt->pause_ns, r))
		goto out;
	mapped = false;
	pt->id = next_id++;
	pt->pid = pid;
	pt->mm = mm;
	pt->mm_id = mm_id;
	pt->lo = base;
	pt->hi = base + span;
	list_add_tail(&pt->link, &patches);
	reply_field(r, CTL_PATCH_ID, &pt->id, 4);
	size_t cap = 256 * (pt->nfuncs + 1), n = 0;
	char *txt = kmalloc(cap);
	if (txt) {
		for (unsigned i = 0; i < pt->nfuncs; i++) {
			struct lp_func *f = &pt->funcs[i];
			n += snprintf(txt + n, cap - n,
				      "%s (%s 0x%lx, %lu bytes) -> %s at 0x%lx%s\n",
				      f->name, f->obj_name, (unsigned long)f->addr,
				      (unsigned long)f->size, f->new_name,
				      (unsigned long)f->new_addr,
				      f->far ? " (through a trampoline)" : "");
		}
		n += snprintf(txt + n, cap - n,
			      "patch %u applied to pid %d at 0x%lx; pause_us %lu\n",
			      pt->id, pid, (unsigned long)base,
			      (unsigned long)(pt->pause_ns / 1000));
		reply_field(r, CTL_TEXT, txt, (uint32_t)n);
		kfree(txt);
	}
	printk("livepatch: patch %u (%s) applied to pid %d, %u functions, pause %lu us",
	       pt->id, pname, pid, pt->nfuncs, (unsigned long)(pt->pause_ns / 1000));
	pt = NULL;
out:
	/* (unless the process went away while we waited: then so did its areas) */
	if (mapped && same_process(pid, mm, mm_id)) {
		vm_unmap(mm, base, span);
		for (unsigned i = 0; pt && i < pt->nfuncs; i++)
			if (pt->funcs[i].tramp)
				vm_unmap(mm, pt->funcs[i].tramp, PAGE_SIZE);
	}
	if (pt)
		patch_free(pt);
	if (t)
		lp_target_free(t);
	kfree(t);
	kfree(m);
	kfree(rg);
	kfree(img);
}

void live_revert(struct ctl_request *q, struct ctl_reply *r)
{
	reclaim_lingering();
	if (!q->have_patch_id) {
		reply_error(r, "REVERT needs PATCH_ID");
		return;
	}
	struct lp_patch *pt = NULL, *it;
	list_for_each_entry(it, &patches, link) if (it->id == q->patch_id) pt = it;
	if (!pt) {
		reply_error(r, "no applied patch %u", q->patch_id);
		return;
	}
	/* the new functions and the jumps, then the patch's areas (for the reclaim) */
	struct lp_range *rg =
	    kzalloc((pt->nfuncs * 2 + pt->nmapped) * sizeof(struct lp_range));
	if (!rg) {
		reply_error(r, "out of memory");
		return;
	}
	for (unsigned i = 0; i < pt->nfuncs; i++) {
		struct lp_func *f = &pt->funcs[i];
		struct lp_patch *owner = NULL;
		if (top_at(pt->mm, f->site, NULL, &owner) != f) {
			reply_error(r, "patch %u also replaces %s: revert it first",
				    owner->id, f->name);
			goto out;
		}
		uint8_t cur[LP_JMP_LEN];
		if (lp_peek(pt->mm, f->site, cur, LP_JMP_LEN) ||
		    memcmp(cur, f->jmp, LP_JMP_LEN)) {
			reply_error(r,
				    "%s: the code in memory is not what patch %u wrote",
				    f->name, pt->id);
			goto out;
		}
		/* no thread inside the new function, nor on the jump */
		rg[2 * i] = (struct lp_range){f->new_addr, f->new_addr + f->new_size,
					      f->new_name};
		rg[2 * i + 1] = (struct lp_range){f->site, f->site + LP_JMP_LEN, f->name};
	}
	memcpy(rg + pt->nfuncs * 2, pt->mapped, pt->nmapped * sizeof(*rg));
	uint32_t dl = q->have_deadline ? q->deadline_ms : DEFAULT_DEADLINE_MS;
	uint64_t pause = 0;
	/* in the same pause: unmap it, unless a thread may still return into it */
	struct safe_op op = {.pid = pt->pid,
			     .mm = pt->mm,
			     .mm_id = pt->mm_id,
			     .f = pt->funcs,
			     .n = pt->nfuncs,
			     .undo = true,
			     .rg = rg,
			     .nrg = pt->nfuncs * 2 + pt->nmapped,
			     .nsoft = pt->nmapped,
			     .reclaim = pt};
	if (at_safe_point(&op, dl, &pause, r))
		goto out;
	reply_text(r, "patch %u reverted (%u functions restored); pause_us %lu\n%s%s%s\n",
		   pt->id, pt->nfuncs, (unsigned long)(pause / 1000),
		   op.reclaimed ? "its pages are unmapped"
				: "its pages stay mapped until nothing may use them: ",
		   op.reclaimed ? "" : op.why, op.reclaimed ? "" : " (retried later)");
	printk("livepatch: patch %u reverted, pause %lu us, %s", pt->id,
	       (unsigned long)(pause / 1000), op.reclaimed ? "unmapped" : op.why);
	list_del(&pt->link);
	if (op.reclaimed) {
		patch_free(pt);
	} else {
		list_add_tail(&pt->link, &lingering);
		retry_gap = RETRY_FIRST_NS;
		retry_at = clock_monotonic_ns() + retry_gap;
	}
out:
	kfree(rg);
}

void live_patches(struct ctl_request *q, struct ctl_reply *r)
{
	reclaim_lingering();
	size_t cap = 1024, n = 0;
	char *buf = kmalloc(cap);
	if (!buf) {
		reply_error(r, "out of memory");
		return;
	}
	buf[0] = 0;
	struct lp_patch *pt;
	list_for_each_entry(pt, &patches, link)
	{
		if (q->have_pid && pt->pid != (int)q->pid)
			continue;
		size_t need = n + 256 + pt->nfuncs * (2 * ELF_PATCH_NAME_MAX + 8);
		if (need > cap) {
			char *nb = krealloc(buf, need * 2);
			if (!nb)
				break;
			buf = nb;
			cap = need * 2;
		}
		n += snprintf(buf + n, cap - n, "%u %d %s", pt->id, pt->pid, pt->path);
		for (unsigned i = 0; i < pt->nfuncs; i++)
			n += snprintf(buf + n, cap - n, " %s\xe2\x86\x92%s",
				      pt->funcs[i].name, pt->funcs[i].new_name);
		n += snprintf(buf + n, cap - n, "\n");
	}
	reply_field(r, CTL_TEXT, buf, (uint32_t)n);
	kfree(buf);
}
