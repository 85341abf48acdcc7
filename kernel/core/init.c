// SPDX-License-Identifier: MIT
/* Boot, in order: console, memory, CPU tables, clocks, files from the initrd,
 * then the first program named by the launch descriptor (.unielf/, see
 * docs/console-protocol.md).  Anything that fails before the program runs
 * stops the VM with one line: 126 when the ELF cannot be loaded, 127 when it
 * does not exist, 125 otherwise. */
#include <string.h>
#include <stdlib.h>
#include <kern/clock.h>
#include <kern/err.h>
#include <kern/heap.h>
#include <kern/printk.h>
#include <kern/random.h>
#include <kern/vfs.h>
#include <uapi/errno.h>
#include "arch/x86_64/arch.h"
#include "arch/x86_64/cpu.h"
#include "core/boot.h"
#include "drivers/console_internal.h"
#include "drivers/virtio_net.h"
#include "fs/9p.h"
#include "live/live.h"
#include "mm/mm_internal.h"
#include "proc/internal.h"

void syscall_init_table(void);
void random_init(uint64_t extra);

static char cmdline[512];

static bool cmdline_has(const char *word)
{
	size_t n = strlen(word);
	for (const char *p = cmdline; *p;) {
		while (*p == ' ')
			p++;
		const char *e = p;
		while (*e && *e != ' ')
			e++;
		if ((size_t)(e - p) == n && !strncmp(p, word, n))
			return true;
		p = e;
	}
	return false;
}

/* Splits a NUL-separated blob into a NULL-terminated kmalloc'd vector. */
static char **split_nul(char *blob, size_t len, int *count)
{
	int n = 0;
	for (size_t i = 0; i < len; i++)
		if (!blob[i])
			n++;
	if (len && blob[len - 1])
		n++;
	char **v = kzalloc((n + 1) * sizeof(char *));
	if (!v)
		panic("out of memory for the launch arguments");
	int k = 0;
	for (size_t i = 0; i < len && k < n;) {
		v[k++] = blob + i;
		i += strnlen(blob + i, len - i) + 1;
	}
	*count = k;
	return v;
}

static char *read_desc(const char *name, size_t *len, bool required)
{
	char path[64];
	char *s;
	snprintf(path, sizeof(path), "/.unielf/%s", name);
	int r = vfs_read_text(path, &s, len);
	if (r == -ENOMEM)
		panic("out of memory");
	if (r) {
		if (required) {
			console_error("launch descriptor %s missing (%d)", path, r);
			console_exit(125);
		}
		return NULL;
	}
	return s;
}

static void start_first_program(void)
{
	size_t argv_len = 0, env_len = 0;
	char *argv_blob = read_desc("argv", &argv_len, true);
	char *env_blob = read_desc("env", &env_len, false);
	char *exe = read_desc("exe", NULL, true);
	char *workdir = read_desc("workdir", NULL, false);
	char *tty = read_desc("tty", NULL, false);
	if (tty) {
		unsigned long v[5] = {0, 0, 0, 24, 80};
		char *p = tty;
		for (int i = 0; i < 5 && *p; i++)
			v[i] = strtoul(p, &p, 10);
		console_set_tty(v[0], v[1], v[2], v[3], v[4]);
	}
	live_init();
	virtio_net_init(); /* eth0's addresses come from .unielf/net */
	vfs_remove_tree("/.unielf");

	struct exec_args a = {0};
	a.argv = split_nul(argv_blob, argv_len, &a.argc);
	a.envp =
	    env_blob ? split_nul(env_blob, env_len, &a.envc) : kzalloc(sizeof(char *));

	struct process *p = proc_alloc();
	if (!p || fs_proc_init(p))
		panic("cannot create the first process");
	if (workdir && *workdir && vfs_chdir(p, workdir)) {
		console_error("%s: cannot change to working directory", workdir);
		console_exit(125);
	}
	struct thread *t = thread_create(p);
	if (!t)
		panic("cannot create the first thread");
	t->tid = p->pid; /* a process's first thread has tid == pid */
	const char *why = NULL;
	int r = exec_load(p, exe, &a, t->uregs, &why);
	if (r) {
		if (r == -ENOENT) {
			console_error("%s: not found", exe);
			console_exit(127);
		}
		if (r == -ENOEXEC && why)
			console_error("%s: cannot load: %s", exe, why);
		else if (r == -EACCES)
			console_error("%s: permission denied", exe);
		else
			console_error("%s: cannot load (error %d)", exe, -r);
		console_exit(126);
	}
	kfree(a.argv);
	kfree(a.envp);
	p->start_ns = clock_monotonic_ns();
	printk("boot: entry to user %lu us",
	       (unsigned long)(tsc_to_ns(rdtsc() - tsc_at_entry) / 1000));
	console_ready();
	sched_make_runnable(t);
	schedule();
	panic("returned to the boot stack");
}

void kmain(uint64_t start_info_phys)
{
	tsc_at_entry = rdtsc();
	const struct hvm_start_info *si = phys_to_virt(start_info_phys);
	if (si->cmdline_paddr)
		strlcpy(cmdline, phys_to_virt(si->cmdline_paddr), sizeof(cmdline));
	console_verbose = cmdline_has("verbose");
	report_enabled = cmdline_has("report");
	console_init();
	if (si->magic != HVM_START_MAGIC)
		panic("not started through PVH (start_info magic %x)", si->magic);
	if (si->version < 1 || !si->memmap_entries)
		panic("PVH start_info has no memory map");
	frames_init(si);
	printk("boot: frames");
	mmu_init();
	printk("boot: mmu");
	heap_init();
	cpu_init();
	time_init();
	console_enable_irq();
	random_init(clock_realtime_ns());
	syscall_init_table();
	printk("mem: %lu MiB usable, %lu MiB free", frames_total() >> 8,
	       frames_free() >> 8);
	if (fs_init())
		panic("cannot create the root file system");
	if (!si->nr_modules) {
		console_error("no initrd: nothing to run");
		console_exit(125);
	}
	const struct hvm_modlist_entry *mod = phys_to_virt(si->modlist_paddr);
	int r = initrd_unpack(phys_to_virt(mod->paddr), mod->size);
	if (r) {
		console_error("initrd is corrupt (error %d)", -r);
		console_exit(125);
	}
	frames_release_initrd(mod->paddr, mod->size);
	/* /sys as programs read it: one CPU */
	static const char *const cpu_files[] = {"online", "possible", "present"};
	for (unsigned i = 0; i < ARRAY_SIZE(cpu_files); i++) {
		char path[64];
		snprintf(path, sizeof(path), "/sys/devices/system/cpu/%s", cpu_files[i]);
		vfs_write_file(path, "0\n", 2, 0444);
	}
	printk("boot: initrd unpacked");
	p9_mount_all();
	start_first_program();
}
