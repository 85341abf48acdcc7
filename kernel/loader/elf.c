// SPDX-License-Identifier: MIT
/* ELF64 parsing and validation: turns the bytes of an executable, interpreter
 * or shared object into a struct elf_info, or rejects it with a one-line
 * reason.  Portable (kernel, host tool, unit tests, fuzzers): it touches only
 * the buffer it is given.  Mapping the segments is kernel/loader/load.c's job,
 * the stack and auxv are kernel/loader/auxv.c's. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "uapi/elf.h"
#include "uapi/errno.h"
#include "loader/elf.h"

#define ELF_MAX_PHNUM  128
#define ELF_INTERP_MAX 255

/* Reasons name a segment by its index in out->seg[]: one static string per
 * index, since the reason must outlive the call without any buffer. */
#define SEG_REASONS(text)                                                                \
	{                                                                                \
		"segment 0 " text, "segment 1 " text, "segment 2 " text,                 \
		    "segment 3 " text, "segment 4 " text, "segment 5 " text,             \
		    "segment 6 " text, "segment 7 " text, "segment 8 " text,             \
		    "segment 9 " text, "segment 10 " text, "segment 11 " text,           \
		    "segment 12 " text, "segment 13 " text, "segment 14 " text,          \
		    "segment 15 " text                                                   \
	}

static const char *const why_filesz[ELF_MAX_SEGS] =
    SEG_REASONS("has a file size larger than its memory size");
static const char *const why_align[ELF_MAX_SEGS] =
    SEG_REASONS("has an alignment that is not a power of two");
static const char *const why_past_eof[ELF_MAX_SEGS] =
    SEG_REASONS("extends past the end of the file");
static const char *const why_absurd[ELF_MAX_SEGS] = SEG_REASONS("has an absurd size");
static const char *const why_range[ELF_MAX_SEGS] =
    SEG_REASONS("lies outside the user address range");
static const char *const why_congruent[ELF_MAX_SEGS] =
    SEG_REASONS("has address and file offset that differ modulo 4096");
static const char *const why_wx[ELF_MAX_SEGS] = SEG_REASONS("is writable and executable");
static const char *const why_order[ELF_MAX_SEGS] =
    SEG_REASONS("starts below the segment before it");
static const char *const why_overlap[ELF_MAX_SEGS] = {
    "segment 0 overlaps itself", /* never used: segment 0 has no predecessor */
    "segment 1 overlaps segment 0",   "segment 2 overlaps segment 1",
    "segment 3 overlaps segment 2",   "segment 4 overlaps segment 3",
    "segment 5 overlaps segment 4",   "segment 6 overlaps segment 5",
    "segment 7 overlaps segment 6",   "segment 8 overlaps segment 7",
    "segment 9 overlaps segment 8",   "segment 10 overlaps segment 9",
    "segment 11 overlaps segment 10", "segment 12 overlaps segment 11",
    "segment 13 overlaps segment 12", "segment 14 overlaps segment 13",
    "segment 15 overlaps segment 14",
};

/* What the program-header walk remembers for the checks that need every
 * PT_LOAD first. */
struct elf_pending {
	unsigned ninterp, ntls, nphdr, nrelro;
	uint64_t phdr_vaddr;
};

static bool is_pow2_or_zero(uint64_t x)
{
	return (x & (x - 1)) == 0;
}

/* Is [off, off+len) inside a buffer of size bytes?  Overflow-safe. */
static bool in_file(uint64_t off, uint64_t len, size_t size)
{
	return off <= size && len <= size - off;
}

/* Is [addr, addr+len) inside segment s?  Overflow-safe. */
static bool in_seg(const struct elf_segment *s, uint64_t addr, uint64_t len)
{
	return addr >= s->vaddr && addr - s->vaddr <= s->memsz &&
	       len <= s->memsz - (addr - s->vaddr);
}

static uint64_t align4k_up(uint64_t x)
{
	return (x + ELF_PAGE_SIZE - 1) & ~(ELF_PAGE_SIZE - 1);
}

static const char *check_ehdr(const struct elf64_ehdr *eh, size_t size)
{
	if (eh->e_ident[EI_CLASS] != ELFCLASS64)
		return "not a 64-bit ELF";
	if (eh->e_ident[EI_DATA] != ELFDATA2LSB)
		return "not little-endian";
	if (eh->e_ident[EI_VERSION] != EV_CURRENT)
		return "unsupported ELF identification version";
	if (eh->e_ident[EI_OSABI] != ELFOSABI_SYSV &&
	    eh->e_ident[EI_OSABI] != ELFOSABI_GNU)
		return "unsupported OS ABI (not System V or GNU/Linux)";
	if (eh->e_machine != EM_X86_64)
		return "not an x86-64 ELF";
	if (eh->e_type != ET_EXEC && eh->e_type != ET_DYN)
		return "not an executable or shared object";
	if (eh->e_version != EV_CURRENT)
		return "unsupported ELF version";
	if (eh->e_ehsize != sizeof(struct elf64_ehdr))
		return "bad ELF header size";
	if (eh->e_phentsize != sizeof(struct elf64_phdr))
		return "bad program header entry size";
	if (eh->e_phnum == 0)
		return "no program headers";
	if (eh->e_phnum == PN_XNUM)
		return "extended program header count (PN_XNUM) not supported";
	if (eh->e_phnum > ELF_MAX_PHNUM)
		return "too many program headers";
	if (!in_file(eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(struct elf64_phdr),
		     size))
		return "truncated program headers";
	return NULL;
}

static const char *add_load(const struct elf64_phdr *ph, size_t size,
			    struct elf_info *out)
{
	unsigned i = out->nseg;
	struct elf_segment *s;

	if (ph->p_memsz == 0 && ph->p_filesz == 0)
		return NULL; /* empty: nothing to map */
	if (i == ELF_MAX_SEGS)
		return "more than 16 loadable segments";
	if (ph->p_filesz > ph->p_memsz)
		return why_filesz[i];
	if (!is_pow2_or_zero(ph->p_align))
		return why_align[i];
	if (!in_file(ph->p_offset, ph->p_filesz, size))
		return why_past_eof[i];
	if (ph->p_memsz >= ELF_MAX_SPAN)
		return why_absurd[i];
	if (ph->p_vaddr >= ELF_USER_TOP || ph->p_memsz > ELF_USER_TOP - ph->p_vaddr)
		return why_range[i];
	if (ph->p_align > 1 && ((ph->p_vaddr - ph->p_offset) & (ELF_PAGE_SIZE - 1)))
		return why_congruent[i];
	if ((ph->p_flags & PF_W) && (ph->p_flags & PF_X))
		return why_wx[i];
	if (i > 0) {
		const struct elf_segment *prev = &out->seg[i - 1];

		if (ph->p_vaddr < prev->vaddr)
			return why_order[i];
		if (ph->p_vaddr - prev->vaddr < prev->memsz)
			return why_overlap[i];
	}

	s = &out->seg[i];
	s->vaddr = ph->p_vaddr;
	s->memsz = ph->p_memsz;
	s->offset = ph->p_offset;
	s->filesz = ph->p_filesz;
	s->align = ph->p_align;
	s->prot = ((ph->p_flags & PF_R) ? ELF_PROT_R : 0) |
		  ((ph->p_flags & PF_W) ? ELF_PROT_W : 0) |
		  ((ph->p_flags & PF_X) ? ELF_PROT_X : 0);
	out->nseg = i + 1;
	return NULL;
}

static const char *add_interp(const struct elf64_phdr *ph, const uint8_t *buf,
			      size_t size, struct elf_info *out)
{
	const uint8_t *p;

	if (out->has_interp)
		return "more than one PT_INTERP segment";
	if (ph->p_filesz < 2 || ph->p_filesz > ELF_INTERP_MAX)
		return "interpreter path length out of range";
	if (!in_file(ph->p_offset, ph->p_filesz, size))
		return "interpreter path extends past the end of the file";
	p = buf + ph->p_offset;
	if (p[ph->p_filesz - 1] != '\0')
		return "interpreter path not NUL-terminated";
	if (memchr(p, '\0', ph->p_filesz - 1))
		return "interpreter path contains a NUL byte";
	memcpy(out->interp, p, ph->p_filesz);
	out->has_interp = true;
	return NULL;
}

static const char *add_tls(const struct elf64_phdr *ph, size_t size, struct elf_info *out)
{
	if (out->has_tls)
		return "more than one PT_TLS segment";
	if (!in_file(ph->p_offset, ph->p_filesz, size))
		return "TLS segment extends past the end of the file";
	if (ph->p_filesz > ph->p_memsz)
		return "TLS segment has a file size larger than its memory size";
	if (!is_pow2_or_zero(ph->p_align))
		return "TLS alignment is not a power of two";
	if (ph->p_memsz >= ELF_MAX_SPAN || ph->p_align >= ELF_MAX_SPAN)
		return "TLS segment has an absurd size or alignment";
	out->has_tls = true;
	out->tls_vaddr = ph->p_vaddr;
	out->tls_filesz = ph->p_filesz;
	out->tls_memsz = ph->p_memsz;
	out->tls_align = ph->p_align ? ph->p_align : 1;
	return NULL;
}

/* Walks the notes of one PT_NOTE; keeps the first GNU build ID.  Notes in a
 * segment aligned to 8 are padded to 8, all others to 4 (gABI, as Linux and
 * binutils read them). */
static const char *scan_notes(const struct elf64_phdr *ph, const uint8_t *buf,
			      size_t size, struct elf_info *out)
{
	uint64_t a = ph->p_align == 8 ? 8 : 4;
	uint64_t len = ph->p_filesz, pos = 0;
	const uint8_t *p;

	if (!in_file(ph->p_offset, ph->p_filesz, size))
		return "note segment extends past the end of the file";
	p = buf + ph->p_offset;
	while (len - pos >= sizeof(struct elf64_nhdr)) {
		struct elf64_nhdr nh;
		uint64_t name_off, desc_off;

		memcpy(&nh, p + pos, sizeof(nh));
		name_off = pos + sizeof(nh);
		if (nh.n_namesz > len - name_off)
			return "malformed note (name past the end of its segment)";
		desc_off = (name_off + nh.n_namesz + a - 1) & ~(a - 1);
		if (desc_off > len || nh.n_descsz > len - desc_off)
			return "malformed note (descriptor past the end of its segment)";
		if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
		    memcmp(p + name_off, "GNU", 4) == 0 && out->build_id_len == 0 &&
		    nh.n_descsz > 0 && nh.n_descsz <= sizeof(out->build_id)) {
			memcpy(out->build_id, p + desc_off, nh.n_descsz);
			out->build_id_len = nh.n_descsz;
		}
		/* The last note's padding may be cut off by the segment end. */
		pos = (desc_off + nh.n_descsz + a - 1) & ~(a - 1);
		if (pos > len)
			break;
	}
	return NULL;
}

static const char *walk_phdrs(const struct elf64_ehdr *eh, const uint8_t *buf,
			      size_t size, struct elf_info *out, struct elf_pending *pend)
{
	const char *why = NULL;

	for (unsigned n = 0; n < eh->e_phnum && !why; n++) {
		struct elf64_phdr ph;

		memcpy(&ph, buf + eh->e_phoff + (uint64_t)n * sizeof(ph), sizeof(ph));
		switch (ph.p_type) {
		case PT_LOAD:
			why = add_load(&ph, size, out);
			break;
		case PT_INTERP:
			why = add_interp(&ph, buf, size, out);
			break;
		case PT_TLS:
			why = add_tls(&ph, size, out);
			break;
		case PT_NOTE:
			why = scan_notes(&ph, buf, size, out);
			break;
		case PT_PHDR:
			if (pend->nphdr++)
				why = "more than one PT_PHDR segment";
			pend->phdr_vaddr = ph.p_vaddr;
			break;
		case PT_GNU_STACK:
			out->exec_stack = (ph.p_flags & PF_X) != 0;
			break;
		case PT_GNU_RELRO:
			if (pend->nrelro++)
				why = "more than one PT_GNU_RELRO segment";
			out->relro_vaddr = ph.p_vaddr;
			out->relro_memsz = ph.p_memsz;
			out->has_relro = ph.p_memsz != 0;
			break;
		default:
			break; /* PT_DYNAMIC, PT_GNU_PROPERTY, unknown: not ours */
		}
	}
	return why;
}

/* Address of the program header table once loaded: PT_PHDR if given, else
 * found through the PT_LOAD whose file bytes hold it (0 if none does). */
static const char *place_phdrs(const struct elf64_ehdr *eh, struct elf_info *out,
			       const struct elf_pending *pend)
{
	uint64_t tab = (uint64_t)eh->e_phnum * sizeof(struct elf64_phdr);

	if (pend->nphdr) {
		for (unsigned i = 0; i < out->nseg; i++) {
			if (in_seg(&out->seg[i], pend->phdr_vaddr, tab)) {
				out->phdr_vaddr = pend->phdr_vaddr;
				return NULL;
			}
		}
		return "PT_PHDR is not inside a loadable segment";
	}
	for (unsigned i = 0; i < out->nseg; i++) {
		const struct elf_segment *s = &out->seg[i];

		if (eh->e_phoff >= s->offset && eh->e_phoff - s->offset <= s->filesz &&
		    tab <= s->filesz - (eh->e_phoff - s->offset)) {
			out->phdr_vaddr = s->vaddr + (eh->e_phoff - s->offset);
			return NULL;
		}
	}
	return NULL;
}

static const char *check_layout(struct elf_info *out)
{
	const struct elf_segment *last;
	bool entry_ok;

	if (out->nseg == 0)
		return "no loadable segments";
	last = &out->seg[out->nseg - 1];
	/* Sorted and disjoint, each end <= ELF_USER_TOP (page-aligned). */
	out->lo = out->seg[0].vaddr & ~(ELF_PAGE_SIZE - 1);
	out->hi = align4k_up(last->vaddr + last->memsz);
	if (out->hi - out->lo >= ELF_MAX_SPAN)
		return "segments span an absurd address range";
	if (out->type == ET_EXEC && out->lo < ELF_MIN_EXEC_VADDR)
		return "fixed-address executable loads below 64 KiB";

	entry_ok = out->type == ET_DYN && out->entry == 0; /* a library */
	for (unsigned i = 0; i < out->nseg && !entry_ok; i++)
		entry_ok = (out->seg[i].prot & ELF_PROT_X) &&
			   in_seg(&out->seg[i], out->entry, 1);
	if (!entry_ok)
		return "entry point outside executable segments";

	if (out->has_relro &&
	    (out->relro_vaddr < out->lo || out->relro_vaddr >= out->hi ||
	     out->relro_memsz > out->hi - out->relro_vaddr))
		return "RELRO region outside the loadable segments";
	return NULL;
}

static const char *parse(const uint8_t *buf, size_t size, struct elf_info *out)
{
	struct elf64_ehdr eh;
	struct elf_pending pend = {0};
	const char *why;

	memset(out, 0, sizeof(*out));
	if (!buf || size < SELFMAG || memcmp(buf, ELFMAG, SELFMAG) != 0)
		return "not an ELF file";
	if (size < sizeof(eh))
		return "truncated ELF header";
	memcpy(&eh, buf, sizeof(eh));
	why = check_ehdr(&eh, size);
	if (why)
		return why;

	out->type = eh.e_type;
	out->entry = eh.e_entry;
	out->phoff = eh.e_phoff;
	out->phnum = eh.e_phnum;
	out->phentsize = eh.e_phentsize;

	why = walk_phdrs(&eh, buf, size, out, &pend);
	if (why)
		return why;
	why = check_layout(out);
	if (why)
		return why;
	return place_phdrs(&eh, out, &pend);
}

int elf_parse(const void *buf, size_t size, struct elf_info *out, const char **why)
{
	const char *reason = parse(buf, size, out);

	if (reason) {
		if (why)
			*why = reason;
		return -ENOEXEC;
	}
	return 0;
}
