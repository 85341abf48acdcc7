// SPDX-License-Identifier: MIT
/* Loading a program into a process: read and validate the ELF (and its
 * interpreter) first, build the new address space and stack on the side, and
 * only then replace the process's memory -- so a failed exec changes nothing.
 * Parsing is loader/elf.c, mapping loader/load.c, the stack loader/stack.c. */
#include <string.h>
#include <kern/err.h>
#include <kern/heap.h>
#include <kern/printk.h>
#include <kern/random.h>
#include <kern/vfs.h>
#include <uapi/errno.h>
#include <uapi/mman.h>
#include "arch/x86_64/arch.h"
#include "arch/x86_64/cpu.h"
#include "loader/load.h"
#include "loader/vdso.h"
#include "mm/vm.h"
#include "proc/internal.h"

#define AT_PHDR		3
#define AT_PHENT	4
#define AT_PHNUM	5
#define AT_PAGESZ	6
#define AT_BASE		7
#define AT_FLAGS	8
#define AT_ENTRY	9
#define AT_UID		11
#define AT_EUID		12
#define AT_GID		13
#define AT_EGID		14
#define AT_HWCAP	16
#define AT_CLKTCK	17
#define AT_SECURE	23
#define AT_HWCAP2	26
#define AT_SYSINFO_EHDR 33
#define AT_MINSIGSTKSZ	51

#define STACK_SIZE (8UL << 20)
#define PIE_BASE   0x555555554000UL

struct image {
	void *buf;
	size_t size;
	struct elf_info info;
	char path[256];		 /* what the path resolved to (for /proc/self/exe) */
	uint32_t mode, uid, gid; /* of the file: set-user-ID and set-group-ID bits */
};

static int read_image(const char *path, struct image *img, bool need_exec,
		      const char **why)
{
	/* a program needs execute permission, not read; its interpreter read */
	struct file *f =
	    need_exec ? vfs_open_exec(path) : vfs_open(path, 0 /* O_RDONLY */, 0);
	if (IS_ERR(f))
		return (int)PTR_ERR(f);
	int r = need_exec ? vfs_check_exec(f) : 0;
	vfs_file_owner(f, &img->mode, &img->uid, &img->gid);
	uint64_t size = 0;
	if (!r)
		r = vfs_file_size(f, &size);
	if (!r)
		vfs_file_path(f, img->path, sizeof(img->path));
	if (!r && size > (1UL << 31))
		r = -EFBIG;
	if (!r) {
		img->buf = kmalloc(size ? size : 1);
		if (!img->buf)
			r = -ENOMEM;
	}
	if (!r) {
		long n = vfs_pread(f, img->buf, size, 0);
		if (n < 0)
			r = (int)n;
		else
			img->size = (size_t)n;
	}
	file_put(f);
	if (!r)
		r = elf_parse(img->buf, img->size, &img->info, why);
	if (r) {
		kfree(img->buf);
		img->buf = NULL;
	}
	return r;
}

static void add_aux(struct stack_info *si, uint64_t type, uint64_t val)
{
	si->auxv[si->nauxv * 2] = type;
	si->auxv[si->nauxv * 2 + 1] = val;
	si->nauxv++;
}

int exec_load(struct process *p, const char *path, struct exec_args *a, struct regs *r,
	      const char **why)
{
	struct image exe = {0}, interp = {0};
	struct mm *mm = NULL;
	int err = read_image(path, &exe, true, why);
	if (err)
		return err;
	if (exe.info.entry == 0) {
		*why = "no entry point (a shared library, not a program)";
		err = -ENOEXEC;
		goto out;
	}
	if (exe.info.has_interp) {
		err = read_image(exe.info.interp, &interp, false, why);
		if (err) {
			if (err == -ENOENT)
				*why = "interpreter not found";
			goto out;
		}
		if (interp.info.type != 3 /* ET_DYN */ || interp.info.has_interp) {
			*why = "bad interpreter";
			err = -ENOEXEC;
			goto out;
		}
	}

	err = -ENOMEM;
	mm = mm_create();
	if (!mm)
		goto out;
	uint64_t bias = 0;
	if (exe.info.type == 3)
		bias = PIE_BASE + ((random_u64() & 0x3fff) << PAGE_SHIFT) - exe.info.lo;
	err = elf_map(mm, &exe.info, exe.buf, exe.size, bias,
		      exe.path[0] ? exe.path : path);
	if (err) {
		*why = err == -EACCES
			   ? "segments sharing a page would be writable and executable"
			   : "out of memory mapping segments";
		goto out;
	}
	uint64_t interp_base = 0, entry = exe.info.entry + bias;
	if (exe.info.has_interp) {
		uint64_t span = interp.info.hi - interp.info.lo;
		long at = vm_map(mm, 0, span, PROT_NONE, 0, false, NULL);
		if (at < 0) {
			err = (int)at;
			goto out;
		}
		vm_unmap(mm, at, span);
		interp_base = at - interp.info.lo;
		err = elf_map(mm, &interp.info, interp.buf, interp.size, interp_base,
			      exe.info.interp);
		if (err)
			goto out;
		entry = interp.info.entry + interp_base;
	}
	uint64_t exe_end = exe.info.hi + bias;
	mm->brk_start = mm->brk = exe_end + ((random_u64() & 0x1fff) << PAGE_SHIFT);

	uint64_t stack_top = 0x7ffffffde000UL - ((random_u64() & 0x3fff) << PAGE_SHIFT);
	long s = vm_map(mm, stack_top - STACK_SIZE, STACK_SIZE, PROT_READ | PROT_WRITE,
			VMA_STACK, true, "[stack]");
	if (s < 0) {
		err = (int)s;
		goto out;
	}
	mm->stack_top = stack_top;

	long vdso = vdso_map(mm);
	if (vdso < 0) {
		err = (int)vdso;
		goto out;
	}

	struct cred nc;
	bool secure = cred_exec_prepare(&p->cred, exe.mode, exe.uid, exe.gid, &nc);
	struct stack_info si = {
	    .argc = a->argc,
	    .argv = a->argv,
	    .envc = a->envc,
	    .envp = a->envp,
	    .execfn = path,
	};
	add_aux(&si, AT_SYSINFO_EHDR, (uint64_t)vdso);
	add_aux(&si, AT_MINSIGSTKSZ, ALIGN_UP(fpu_state_size + 1024, 16));
	add_aux(&si, AT_HWCAP, cpu_hwcap());
	add_aux(&si, AT_PAGESZ, PAGE_SIZE);
	add_aux(&si, AT_CLKTCK, 100);
	add_aux(&si, AT_PHDR, exe.info.phdr_vaddr + bias);
	add_aux(&si, AT_PHENT, exe.info.phentsize);
	add_aux(&si, AT_PHNUM, exe.info.phnum);
	add_aux(&si, AT_BASE, interp_base);
	add_aux(&si, AT_FLAGS, 0);
	add_aux(&si, AT_ENTRY, exe.info.entry + bias);
	add_aux(&si, AT_UID, nc.uid);
	add_aux(&si, AT_EUID, nc.euid);
	add_aux(&si, AT_GID, nc.gid);
	add_aux(&si, AT_EGID, nc.egid);
	add_aux(&si, AT_SECURE, secure);
	add_aux(&si, AT_HWCAP2, cpu_hwcap2());
	long rsp = stack_build(mm, stack_top, &si);
	if (rsp < 0) {
		err = (int)rsp;
		goto out;
	}

	/* Point of no return: everything that could fail has been done. */
	struct mm *old = p->mm;
	p->mm = mm;
	mm = NULL;
	if (thread_current() && thread_current()->proc == p)
		write_cr3(p->mm->pml4);
	if (old)
		mm_put(old);
	cred_exec_commit(&p->cred, &nc);
	strlcpy(p->exe_path, exe.path[0] ? exe.path : path, sizeof(p->exe_path));
	proc_set_comm_from_path(p, p->exe_path);
	size_t clen = 0, elen = 0;
	for (int i = 0; i < a->argc; i++)
		clen += strlen(a->argv[i]) + 1;
	for (int i = 0; i < a->envc; i++)
		elen += strlen(a->envp[i]) + 1;
	kfree(p->cmdline);
	kfree(p->environ);
	p->cmdline = kmalloc(clen + 1);
	p->environ = kmalloc(elen + 1);
	p->cmdline_len = p->environ_len = 0;
	if (p->cmdline)
		for (int i = 0; i < a->argc; i++) {
			size_t n = strlen(a->argv[i]) + 1;
			memcpy(p->cmdline + p->cmdline_len, a->argv[i], n);
			p->cmdline_len += n;
		}
	if (p->environ)
		for (int i = 0; i < a->envc; i++) {
			size_t n = strlen(a->envp[i]) + 1;
			memcpy(p->environ + p->environ_len, a->envp[i], n);
			p->environ_len += n;
		}
	kfree(p->auxv);
	p->auxv_len = (si.nauxv + 1) * 2 * sizeof(uint64_t);
	p->auxv = kzalloc(p->auxv_len);
	if (p->auxv)
		memcpy(p->auxv, si.auxv, si.nauxv * 2 * sizeof(uint64_t));
	else
		p->auxv_len = 0;
	memset(r, 0, sizeof(*r));
	r->rip = entry;
	r->rsp = (uint64_t)rsp;
	r->cs = USER_CS;
	r->ss = USER_DS;
	r->rflags = 0x202;
	err = 0;
out:
	if (mm)
		mm_destroy(mm);
	kfree(exe.buf);
	kfree(interp.buf);
	return err;
}
