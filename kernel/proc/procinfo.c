// SPDX-License-Identifier: MIT
/* The text of generated /proc files: a process's maps, stat, status and auxv,
 * and the system-wide cpuinfo, meminfo, stat, uptime, loadavg, version,
 * filesystems and sys/ entries.  procfs (kernel/fs/procfs.c) asks for them by
 * name; this file owns the data, procfs owns the tree. */
#include <string.h>
#include <kern/clock.h>
#include <kern/heap.h>
#include <kern/ktext.h>
#include <kern/printk.h>
#include <kern/procinfo.h>
#include <uapi/errno.h>
#include <uapi/mman.h>
#include "arch/x86_64/arch.h"
#include "arch/x86_64/cpu.h"
#include "mm/vm.h"
#include "proc/internal.h"

/* The one-letter state ps and /proc show: R, S, T or Z. */
char proc_state_char(struct process *p)
{
	if (p->zombie)
		return 'Z';
	if (p->stopped)
		return 'T';
	struct thread *t;
	list_for_each_entry(t, &p->threads,
			    proc_link) if (t->state == T_RUNNING ||
					   t->state == T_RUNNABLE) return 'R';
	return 'S';
}

static uint64_t vm_bytes(struct process *p)
{
	uint64_t n = 0;
	struct vma *v;
	if (p->mm)
		list_for_each_entry(v, &p->mm->vmas, link) n += v->end - v->start;
	return n;
}

static int nthreads(struct process *p)
{
	int n = 0;
	struct thread *t;
	list_for_each_entry(t, &p->threads, proc_link) n++;
	return n;
}

static void render_maps(struct ktext *t, struct process *p)
{
	if (!p->mm)
		return;
	struct vma *v;
	list_for_each_entry(v, &p->mm->vmas, link)
	{
		ktext_put(t, "%08lx-%08lx %c%c%c%c %08lx 00:00 %lu", v->start, v->end,
			  (v->prot & PROT_READ) ? 'r' : '-',
			  (v->prot & PROT_WRITE) ? 'w' : '-',
			  (v->prot & PROT_EXEC) ? 'x' : '-',
			  (v->flags & VMA_SHARED) ? 's' : 'p',
			  (v->flags & VMA_FILE) ? v->file_off : 0UL,
			  (v->flags & VMA_FILE) ? 1UL : 0UL);
		const char *name = v->name;
		if (!name[0] && p->mm->brk_start && v->start >= p->mm->brk_start &&
		    v->end <= ALIGN_UP(p->mm->brk, 4096))
			name = "[heap]";
		if (name[0])
			ktext_put(t, "%*s%s", 6, "", name);
		ktext_put(t, "\n");
	}
}

static void render_stat(struct ktext *t, struct process *p)
{
	uint64_t ticks = (clock_monotonic_ns() - p->start_ns) / 10000000;
	uint64_t start = p->start_ns / 10000000;
	uint64_t vsize = vm_bytes(p);
	ktext_put(
	    t,
	    "%d (%.15s) %c %d %d %d 0 -1 4194560 0 0 0 0 %lu 0 0 0 20 0 %d 0 %lu %lu %lu "
	    "18446744073709551615 0 0 %lu 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 "
	    "%d\n",
	    p->pid, p->comm, proc_state_char(p), p->ppid, p->pgid, p->sid,
	    (unsigned long)ticks, nthreads(p), (unsigned long)start, (unsigned long)vsize,
	    (unsigned long)(p->mm ? p->mm->pages : 0),
	    (unsigned long)(p->mm ? p->mm->stack_top : 0),
	    p->zombie ? p->exit_status : 0);
}

static void render_status(struct ktext *t, struct process *p)
{
	uint64_t vsize = vm_bytes(p);
	struct thread *th = list_empty(&p->threads)
				? NULL
				: list_first_entry(&p->threads, struct thread, proc_link);
	static const char *const names[] = {"R (running)", "S (sleeping)", "T (stopped)",
					    "Z (zombie)"};
	char st = proc_state_char(p);
	const char *sname = st == 'R'	? names[0]
			    : st == 'T' ? names[2]
			    : st == 'Z' ? names[3]
					: names[1];
	const struct cred *c = &p->cred;
	ktext_put(
	    t,
	    "Name:\t%.15s\nUmask:\t0022\nState:\t%s\nTgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:"
	    "\t%d\n"
	    "TracerPid:\t0\nUid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\nFDSize:"
	    "\t64\nGroups:\t",
	    p->comm, sname, p->pid, p->pid, p->ppid, c->uid, c->euid, c->suid, c->fsuid,
	    c->gid, c->egid, c->sgid, c->fsgid);
	for (uint32_t i = 0; c->groups && i < c->groups->ngroups; i++)
		ktext_put(t, i ? " %u" : "%u", c->groups->gid[i]);
	ktext_put(t, " \n"); /* Linux ends the list with a space */
	ktext_put(t,
		  "VmPeak:\t%8lu kB\nVmSize:\t%8lu kB\nVmRSS:\t%8lu kB\nThreads:\t%d\n",
		  (unsigned long)(vsize >> 10), (unsigned long)(vsize >> 10),
		  (unsigned long)((p->mm ? p->mm->pages : 0) * 4), nthreads(p));
	ktext_put(t, "SigPnd:\t%016lx\nShdPnd:\t%016lx\nSigBlk:\t%016lx\n",
		  (unsigned long)(th ? th->sig_pending : 0),
		  (unsigned long)p->sig_pending, (unsigned long)(th ? th->sigmask : 0));
	uint64_t ign = 0, cgt = 0;
	for (int i = 0; i < NSIG; i++) {
		if (p->sigactions[i].handler == 1)
			ign |= 1ULL << i;
		else if (p->sigactions[i].handler > 1)
			cgt |= 1ULL << i;
	}
	ktext_put(
	    t,
	    "SigIgn:\t%016lx\nSigCgt:\t%016lx\nCpus_allowed:\t1\nCpus_allowed_list:\t0\n"
	    "voluntary_ctxt_switches:\t0\nnonvoluntary_ctxt_switches:\t0\n",
	    (unsigned long)ign, (unsigned long)cgt);
}

static void render_cpuinfo(struct ktext *t)
{
	uint32_t a, b, c, d;
	char vendor[13], model[49];
	cpuid(0, 0, &a, &b, &c, &d);
	memcpy(vendor, &b, 4);
	memcpy(vendor + 4, &d, 4);
	memcpy(vendor + 8, &c, 4);
	vendor[12] = 0;
	memset(model, 0, sizeof(model));
	cpuid(0x80000000, 0, &a, &b, &c, &d);
	if (a >= 0x80000004)
		for (uint32_t i = 0; i < 3; i++)
			cpuid(0x80000002 + i, 0, (uint32_t *)(model + 16 * i),
			      (uint32_t *)(model + 16 * i + 4),
			      (uint32_t *)(model + 16 * i + 8),
			      (uint32_t *)(model + 16 * i + 12));
	cpuid(1, 0, &a, &b, &c, &d);
	unsigned family = (a >> 8) & 0xf, mod = (a >> 4) & 0xf, step = a & 0xf;
	if (family == 0xf)
		family += (a >> 20) & 0xff;
	if (family >= 6)
		mod |= ((a >> 16) & 0xf) << 4;
	static const struct {
		int reg, bit;
		const char *name;
	} flags[] = {
	    {3, 0, "fpu"},	 {3, 4, "tsc"},	    {3, 5, "msr"},	{3, 6, "pae"},
	    {3, 8, "cx8"},	 {3, 9, "apic"},    {3, 11, "sep"},	{3, 13, "pge"},
	    {3, 15, "cmov"},	 {3, 16, "pat"},    {3, 19, "clflush"}, {3, 23, "mmx"},
	    {3, 24, "fxsr"},	 {3, 25, "sse"},    {3, 26, "sse2"},	{2, 0, "pni"},
	    {2, 1, "pclmulqdq"}, {2, 9, "ssse3"},   {2, 12, "fma"},	{2, 13, "cx16"},
	    {2, 19, "sse4_1"},	 {2, 20, "sse4_2"}, {2, 22, "movbe"},	{2, 23, "popcnt"},
	    {2, 25, "aes"},	 {2, 26, "xsave"},  {2, 28, "avx"},	{2, 29, "f16c"},
	    {2, 30, "rdrand"},
	};
	uint32_t regs[4] = {a, b, c, d};
	ktext_put(
	    t,
	    "processor\t: 0\nvendor_id\t: %s\ncpu family\t: %u\nmodel\t\t: %u\n"
	    "model name\t: %s\nstepping\t: %u\ncpu MHz\t\t: %lu.%03lu\ncache size\t: 0 "
	    "KB\n"
	    "physical id\t: 0\nsiblings\t: 1\ncore id\t\t: 0\ncpu cores\t: "
	    "1\napicid\t\t: 0\n"
	    "fpu\t\t: yes\nfpu_exception\t: yes\ncpuid level\t: %u\nwp\t\t: "
	    "yes\nflags\t\t:",
	    vendor, family, mod, model[0] ? model : "unknown", step, tsc_khz / 1000,
	    tsc_khz % 1000, 0u);
	for (unsigned i = 0; i < ARRAY_SIZE(flags); i++)
		if (regs[flags[i].reg] & (1u << flags[i].bit))
			ktext_put(t, " %s", flags[i].name);
	cpuid(7, 0, &a, &b, &c, &d);
	if (b & (1u << 5))
		ktext_put(t, " avx2");
	if (b & (1u << 3))
		ktext_put(t, " bmi1");
	if (b & (1u << 8))
		ktext_put(t, " bmi2");
	if (b & (1u << 16))
		ktext_put(t, " avx512f");
	ktext_put(
	    t,
	    "\nbogomips\t: %lu.%02lu\nclflush size\t: 64\ncache_alignment\t: 64\n"
	    "address sizes\t: 40 bits physical, 48 bits virtual\npower management:\n\n",
	    tsc_khz / 500, (tsc_khz / 5) % 100);
}

static void render_meminfo(struct ktext *t)
{
	unsigned long total = frames_total() * 4, free = frames_free() * 4;
	struct heap_stats hs;
	heap_get_stats(&hs);
	ktext_put(
	    t,
	    "MemTotal:       %8lu kB\nMemFree:        %8lu kB\nMemAvailable:   %8lu kB\n"
	    "Buffers:               0 kB\nCached:                0 kB\nSwapCached:       "
	    "     0 kB\n"
	    "Active:                0 kB\nInactive:              0 kB\nSwapTotal:        "
	    "     0 kB\n"
	    "SwapFree:              0 kB\nDirty:                 0 kB\nShmem:            "
	    "     0 kB\n"
	    "Slab:           %8lu kB\nCommitLimit:    %8lu kB\n"
	    "VmallocTotal:   34359738367 kB\nVmallocUsed:    %8lu kB\nHugePages_Total:   "
	    "    0\n"
	    "HugePages_Free:        0\nHugepagesize:       2048 kB\n",
	    total, free, free, (unsigned long)hs.slab_pages * 4, total,
	    (unsigned long)hs.big_pages * 4);
}

long procinfo_render(const char *name, struct process *p, char **out)
{
	struct ktext t = {0};
	uint64_t up = clock_monotonic_ns();
	if (p && !strcmp(name, "maps"))
		render_maps(&t, p);
	else if (p && !strcmp(name, "stat"))
		render_stat(&t, p);
	else if (p && !strcmp(name, "status"))
		render_status(&t, p);
	else if (p && !strcmp(name, "auxv")) {
		if (p->auxv && p->auxv_len) {
			t.buf = kmalloc(p->auxv_len);
			if (!t.buf)
				return -ENOMEM;
			memcpy(t.buf, p->auxv, p->auxv_len);
			t.len = p->auxv_len;
		}
	} else if (p && !strcmp(name, "comm"))
		ktext_put(&t, "%.15s\n", p->comm);
	else if (!p && !strcmp(name, "cpuinfo"))
		render_cpuinfo(&t);
	else if (!p && !strcmp(name, "meminfo"))
		render_meminfo(&t);
	else if (!p && !strcmp(name, "uptime"))
		ktext_put(&t, "%lu.%02lu %lu.%02lu\n", (unsigned long)(up / NSEC_PER_SEC),
			  (unsigned long)(up / 10000000 % 100),
			  (unsigned long)(up / NSEC_PER_SEC),
			  (unsigned long)(up / 10000000 % 100));
	else if (!p && !strcmp(name, "loadavg"))
		ktext_put(&t, "0.00 0.00 0.00 1/1 1\n");
	else if (!p && !strcmp(name, "version"))
		ktext_put(&t, "Linux version 6.1.0-unielf (unielf) #1 SMP UniELF\n");
	else if (!p && !strcmp(name, "filesystems"))
		ktext_put(
		    &t, "nodev\tramfs\nnodev\ttmpfs\nnodev\tproc\nnodev\tdevtmpfs\nnodev"
			"\t9p\n");
	else if (!p && !strcmp(name, "stat")) {
		uint64_t ticks = up / 10000000;
		ktext_put(&t,
			  "cpu  %lu 0 0 0 0 0 0 0 0 0\ncpu0 %lu 0 0 0 0 0 0 0 0 0\nintr "
			  "0\nctxt 0\n"
			  "btime %lu\nprocesses 1\nprocs_running 1\nprocs_blocked 0\n",
			  (unsigned long)ticks, (unsigned long)ticks,
			  (unsigned long)((clock_realtime_ns() - up) / NSEC_PER_SEC));
	} else if (!p && !strcmp(name, "sys/kernel/ostype"))
		ktext_put(&t, "Linux\n");
	else if (!p && !strcmp(name, "sys/kernel/osrelease"))
		ktext_put(&t, "6.1.0-unielf\n");
	else if (!p && !strcmp(name, "sys/kernel/hostname"))
		ktext_put(&t, "unielf\n");
	else if (!p && !strcmp(name, "sys/kernel/pid_max"))
		ktext_put(&t, "4194304\n");
	else if (!p && !strcmp(name, "sys/kernel/ngroups_max"))
		ktext_put(&t, "%d\n", NGROUPS_MAX); /* glibc's initgroups reads it */
	else if (!p && !strcmp(name, "sys/vm/overcommit_memory"))
		ktext_put(&t, "0\n");
	else
		return -ENOENT;
	if (t.oom) {
		kfree(t.buf);
		return -ENOMEM;
	}
	*out = t.buf;
	return (long)t.len;
}
