/* SPDX-License-Identifier: MIT */
/* Mapping a parsed ELF into an address space (kernel/loader/load.c) and
 * building the initial stack (kernel/loader/stack.c). */
#pragma once
#include <stddef.h>
#include <stdint.h>
#include "loader/elf.h"

struct mm;

/* Maps every PT_LOAD of info (from the file image buf) at bias, with exactly
 * the segment's permissions; bss zeroed.  0 or -errno (-ENOMEM, -EACCES). */
int elf_map(struct mm *mm, const struct elf_info *info, const void *buf, size_t size,
	    uint64_t bias, const char *name);

struct stack_info {
	int argc;
	char *const *argv;
	int envc;
	char *const *envp;
	const char *execfn;
	uint64_t auxv[2 * 32]; /* (type, value) pairs, without AT_NULL */
	unsigned nauxv;
};

/* Writes argc, argv, envp, auxv and their strings below stack_top in mm.
 * Returns the initial %rsp, or -errno (-E2BIG, -ENOMEM). */
long stack_build(struct mm *mm, uint64_t stack_top, struct stack_info *si);
