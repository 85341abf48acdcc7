/* SPDX-License-Identifier: MIT */
/* Portable ELF64 parsing and validation (kernel/loader/elf.c).  Pure: reads a
 * buffer, fills a struct, allocates and maps nothing.  The kernel loader
 * (mapping, auxv) and the host tool both build on it. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ELF_MAX_SEGS 16
#define ELF_PROT_R   1
#define ELF_PROT_W   2
#define ELF_PROT_X   4

/* Highest end address (exclusive) of a segment and the largest span of all of
 * them; a fixed-address executable must not start below ELF_MIN_EXEC_VADDR. */
#define ELF_USER_TOP	   0x00007ffffffff000ULL
#define ELF_MAX_SPAN	   (1ULL << 46)
#define ELF_MIN_EXEC_VADDR 0x10000ULL
#define ELF_PAGE_SIZE	   4096ULL

struct elf_segment {
	uint64_t vaddr, memsz, offset, filesz, align;
	uint32_t prot; /* ELF_PROT_* */
};

struct elf_info {
	uint16_t type; /* ET_EXEC or ET_DYN */
	uint64_t entry;
	uint64_t phoff;
	uint16_t phnum, phentsize;
	uint64_t phdr_vaddr; /* link-time address of the program headers in memory:
				PT_PHDR's vaddr, else computed from the PT_LOAD that
				contains phoff; 0 if none */
	struct elf_segment seg[ELF_MAX_SEGS];
	unsigned nseg;	 /* PT_LOAD in file order */
	uint64_t lo, hi; /* page-aligned (4 KiB) span of all PT_LOAD, link-time */
	bool has_interp;
	char interp[256];
	bool has_tls;
	uint64_t tls_vaddr, tls_filesz, tls_memsz, tls_align;
	bool exec_stack; /* PT_GNU_STACK has PF_X (false when absent) */
	bool has_relro;
	uint64_t relro_vaddr, relro_memsz;
	uint8_t build_id[64];
	unsigned build_id_len; /* NT_GNU_BUILD_ID from a PT_NOTE, if any */
};

/*
 * Validates every header field of the ELF image buf[0..size) before returning.
 * Returns 0 with *out filled, or -ENOEXEC with *why (if why is non-NULL) set to
 * a static one-line reason; on failure *out is partly filled and meaningless.
 * Never reads outside buf; buf may have any alignment.  Does not sleep.
 *
 * "segment N" in a reason counts the accepted PT_LOAD headers from 0 in file
 * order, the same N as out->seg[N] (empty PT_LOADs are skipped, not counted).
 *
 * Accepted, in brief: ELF64 little-endian x86-64, OS ABI SYSV or GNU, ET_EXEC
 * or ET_DYN, 1..128 program headers of 56 bytes, 1..16 non-empty PT_LOADs
 * sorted by address, disjoint, inside the file, never writable and executable,
 * within [0, ELF_USER_TOP) and a span under 2^46 (ET_EXEC from 64 KiB up);
 * an entry point inside an executable PT_LOAD -- except that an ET_DYN with
 * e_entry == 0 is a library (a live patch, a DT_NEEDED object) and is accepted
 * with entry 0: a loader starting a program must refuse that case itself.
 * A PT_TLS with p_align 0 is reported with tls_align 1.
 */
int elf_parse(const void *buf, size_t size, struct elf_info *out, const char **why);
