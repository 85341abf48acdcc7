/* SPDX-License-Identifier: MIT */
/* Portable ELF64 section, symbol and relocation helpers (kernel/loader/elf_sym.c)
 * for live patches: find the symbol tables of a file image, look names up,
 * read a patch's manifest (include/unielf/livepatch.h) and apply a shared
 * object's relocations to a copy of its file.  Pure: reads and writes only the
 * buffers it is given; the kernel (kernel/live/patch.c) and host unit tests
 * share it.  Every reason is written into a caller's buffer of ELF_WHY_LEN. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "loader/elf.h"

#define ELF_WHY_LEN	    160
#define ELF_PATCH_MAX_FUNCS 64
#define ELF_PATCH_NAME_MAX  128

/* Where the interesting sections of an image are (index 0 = absent). */
struct elf_sects {
	const uint8_t *buf;
	size_t size;
	uint64_t shoff;
	unsigned shnum;
	unsigned dynsym, dynstr, symtab, strtab, versym;
	unsigned manifest; /* ".unielf.patch" */
};

/* Validates the section header table of buf[0..size) (every header inside the
 * file, symbol tables with their string tables) and fills *s.  An image
 * without section headers is accepted with no tables.  0 or -ENOEXEC. */
int elf_sections(const void *buf, size_t size, struct elf_sects *s, char *why);

struct elf_sym_hit {
	uint64_t value, size; /* link-time */
	unsigned type, bind;  /* STT_*, STB_* */
	unsigned shndx;
};

/* Looks up a defined symbol named name in .dynsym (dyn) or .symtab.  Returns
 * the number of definitions at distinct addresses (0: none; more than 1: the
 * name is ambiguous, e.g. two static functions), with the first -- a global
 * one when there is one -- in *hit.  Hidden versions in .dynsym are skipped. */
int elf_sym_find(const struct elf_sects *s, bool dyn, const char *name,
		 struct elf_sym_hit *hit);

struct elf_patch_func {
	char name[ELF_PATCH_NAME_MAX]; /* old symbol */
	char lib[ELF_PATCH_NAME_MAX];  /* "" = the program (then its libraries) */
	uint32_t flags;		       /* UNIELF_PATCH_F_* */
	uint64_t new_vaddr;	       /* link-time address of the new function */
};

struct elf_patch_manifest {
	bool has_target;
	char target[129]; /* build-id in lowercase hex */
	unsigned nfuncs;
	struct elf_patch_func func[ELF_PATCH_MAX_FUNCS];
};

/* Reads the ".unielf.patch" records of a parsed shared object (info from
 * elf_parse, s from elf_sections): the new function's address comes from the
 * record's relocation (RELATIVE, or 64 against a symbol the object defines)
 * and must lie in an executable segment.  0 or -ENOEXEC. */
int elf_patch_manifest(const struct elf_sects *s, const struct elf_info *info,
		       struct elf_patch_manifest *m, char *why);

/* Resolves an undefined symbol of the object being relocated: 0 with *addr
 * (run-time), or -ENOENT (not found; weak references then become 0), or
 * another -errno with a reason written into why. */
typedef int (*elf_resolve_fn)(void *arg, const char *name, uint64_t *addr, char *why);

/* Applies every SHF_ALLOC SHT_RELA section of the object to img, a writable
 * copy of its file (size bytes, same layout), for a load at bias (run-time =
 * link-time + bias).  Types: NONE, RELATIVE, 64, GLOB_DAT, JUMP_SLOT (bound
 * now), PC32, PLT32; anything else (TLS, IRELATIVE, COPY) is refused.  Symbols
 * the object defines resolve to itself; the others go to resolve.  A failed
 * call leaves img partly relocated: the caller discards it.  0 or -errno. */
int elf_relocate(const struct elf_sects *s, const struct elf_info *info, uint8_t *img,
		 uint64_t bias, elf_resolve_fn resolve, void *arg, char *why);

/* File offset of the link-time range [vaddr, vaddr+len) when it lies inside
 * the file-backed part of one segment; -1 otherwise. */
int64_t elf_vaddr_to_offset(const struct elf_info *info, uint64_t vaddr, uint64_t len);

/* Link-time address of the word an R_X86_64_IRELATIVE relocation with this
 * resolver fills (the address the IFUNC picked, once the object's loader ran),
 * or 0 when the object has none. */
uint64_t elf_irelative_slot(const struct elf_sects *s, uint64_t resolver);
