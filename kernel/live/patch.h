/* SPDX-License-Identifier: MIT */
/* Live patching inside kernel/live/: the requests (patch.c) and what they need
 * to know about the target process (patch_target.c: its ELF objects, symbol
 * lookup, room for the patch, reading and writing its code, and the safe-point
 * check).  Format and checks: docs/livepatch.md. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <kern/list.h>
#include "loader/elf.h"
#include "loader/elf_sym.h"

struct process;
struct mm;

#define LP_MAX_OBJS   32
#define LP_JMP_LEN    5
#define LP_ENDBR_LEN  4
#define LP_TRAMP_LEN  14	  /* jmp *0(%rip); .quad target */
#define LP_STACK_SCAN (64 * 1024) /* bytes of user stack scanned above %rsp */

/* One ELF object mapped in the target: the program or a shared library. */
struct lp_obj {
	char path[64];
	void *buf; /* the whole file */
	size_t size;
	struct elf_info info;
	struct elf_sects s;
	uint64_t bias; /* run-time = link-time + bias */
	bool is_exe;
};

struct lp_target {
	struct process *p;
	struct mm *mm;
	struct lp_obj obj[LP_MAX_OBJS];
	unsigned nobj; /* obj[0] is the program */
};

/* One redirected function. */
struct lp_func {
	char name[ELF_PATCH_NAME_MAX];
	char new_name[ELF_PATCH_NAME_MAX];
	char obj_name[64];
	uint64_t addr, size; /* the old function */
	uint64_t site; /* where the jump is written (addr, or addr+4 after endbr64) */
	uint64_t new_addr, new_size;
	bool far;	/* out of the patch's rel32 reach: */
	uint64_t tramp; /* jumps through this trampoline page */
	uint32_t flags;
	uint8_t orig[LP_JMP_LEN]; /* bytes at site before this patch */
	uint8_t jmp[LP_JMP_LEN];
};

/* An address range that no thread may be executing in or return into. */
struct lp_range {
	uint64_t start, end;
	const char *name;
};

/* patch_target.c */
/* Reads the program (p->exe_path, bias from the auxv) and every shared object
 * mapped in p (areas named with a ".so" path).  0 or -errno with *why. */
int lp_target_load(struct lp_target *t, struct process *p, char *why);
void lp_target_free(struct lp_target *t);
/* Undefined-symbol resolver for elf_relocate (arg: struct lp_target). */
int lp_resolve(void *arg, const char *name, uint64_t *addr, char *why);
/* Finds the old function f names (lib: one library; else the program, then
 * the libraries) and fills out's name, obj_name, addr, size.  0 or -errno. */
int lp_find_old(struct lp_target *t, const struct elf_patch_func *f, struct lp_func *out,
		const struct lp_obj **where, char *why);
/* An address where span bytes are free and within rel32 reach of [lo, hi). */
uint64_t lp_place(struct mm *mm, uint64_t lo, uint64_t hi, uint64_t span);
/* Copies n bytes of present user memory at va (never faults pages in). */
int lp_peek(struct mm *mm, uint64_t va, void *dst, size_t n);
/* Gives the pages of [va, va+n) their own frames (a fork may share them). */
int lp_make_private(struct mm *mm, uint64_t va, size_t n);
/* Writes code bytes through the kernel's direct map of the frames: the user
 * mapping stays read-execute.  Pages must be present and private. */
void lp_poke(struct mm *mm, uint64_t va, const void *src, size_t n);
/* Freezes every thread of every process using mm. */
void lp_freeze(struct mm *mm);
void lp_thaw(struct mm *mm);
/* What lp_busy found: the thread in a blocking range, and the first thread
 * touching one of the other ("soft") ranges; 0 when none. */
struct lp_hit {
	int tid;
	const char *range;
	int soft_tid;
	const char *soft_range;
};
/* true when some thread of mm is executing in, or has a return address (frame
 * pointer chain, or any word within LP_STACK_SCAN above %rsp) into, one of
 * the first n - nsoft ranges; h names it.  The last nsoft ranges never make
 * it true: h->soft_tid tells whether some thread touches them (the scan stops
 * at the first blocking hit).  Threads must be frozen. */
bool lp_busy(struct mm *mm, const struct lp_range *r, unsigned n, unsigned nsoft,
	     struct lp_hit *h);
/* true when a signal handler (or restorer) of a process of mm lies in one of
 * the ranges: the kernel holds that pointer; why says which. */
bool lp_handler_in(struct mm *mm, const struct lp_range *r, unsigned n, char *why,
		   size_t cap);
