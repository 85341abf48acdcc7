// SPDX-License-Identifier: MIT
/* ELF64 sections, symbols, relocations and the live-patch manifest, for the
 * live patcher (kernel/live/patch.c) and the host unit tests.  Portable: it
 * reads only the image it is given (through memcpy, so any alignment is fine)
 * and writes only the copy it is told to relocate.  Program headers and the
 * rest of the validation are kernel/loader/elf.c's. */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#ifdef UNIELF_KERNEL
#include <kern/printk.h>
#else
#include <stdio.h>
#endif

#include "uapi/elf.h"
#include "uapi/errno.h"
#include "unielf/livepatch.h"
#include "loader/elf_sym.h"

static int fail(char *why, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (why)
		vsnprintf(why, ELF_WHY_LEN, fmt, ap);
	va_end(ap);
	return -ENOEXEC;
}

static void get_shdr(const struct elf_sects *s, unsigned i, struct elf64_shdr *sh)
{
	memcpy(sh, s->buf + s->shoff + (uint64_t)i * sizeof(*sh), sizeof(*sh));
}

static bool in_file(const struct elf_sects *s, uint64_t off, uint64_t len)
{
	return off <= s->size && len <= s->size - off;
}

/* A NUL-terminated string at strtab[off], or NULL. */
static const char *str_at(const struct elf_sects *s, unsigned strtab, uint64_t off)
{
	struct elf64_shdr sh;
	get_shdr(s, strtab, &sh);
	if (off >= sh.sh_size)
		return NULL;
	const char *p = (const char *)s->buf + sh.sh_offset + off;
	if (!memchr(p, 0, sh.sh_size - off))
		return NULL;
	return p;
}

int elf_sections(const void *buf, size_t size, struct elf_sects *s, char *why)
{
	struct elf64_ehdr eh;
	memset(s, 0, sizeof(*s));
	s->buf = buf;
	s->size = size;
	if (size < sizeof(eh))
		return fail(why, "file too short for an ELF header");
	memcpy(&eh, buf, sizeof(eh));
	if (eh.e_shnum == 0 || eh.e_shoff == 0)
		return 0;
	if (eh.e_shentsize != sizeof(struct elf64_shdr))
		return fail(why, "section headers are not 64 bytes");
	if (!in_file(s, eh.e_shoff, (uint64_t)eh.e_shnum * sizeof(struct elf64_shdr)))
		return fail(why, "section headers extend past the end of the file");
	s->shoff = eh.e_shoff;
	s->shnum = eh.e_shnum;
	if (eh.e_shstrndx >= eh.e_shnum)
		return fail(why, "bad section name table index");
	struct elf64_shdr names;
	get_shdr(s, eh.e_shstrndx, &names);
	for (unsigned i = 1; i < s->shnum; i++) {
		struct elf64_shdr sh;
		get_shdr(s, i, &sh);
		if (sh.sh_type != SHT_NOBITS && sh.sh_type != SHT_NULL &&
		    !in_file(s, sh.sh_offset, sh.sh_size))
			return fail(why, "section %u extends past the end of the file",
				    i);
		if (sh.sh_type == SHT_SYMTAB || sh.sh_type == SHT_DYNSYM) {
			if (sh.sh_entsize != sizeof(struct elf64_sym) ||
			    sh.sh_size % sizeof(struct elf64_sym))
				return fail(why, "section %u: bad symbol entry size", i);
			struct elf64_shdr st;
			if (sh.sh_link == 0 || sh.sh_link >= s->shnum)
				return fail(why, "section %u: bad string table link", i);
			get_shdr(s, sh.sh_link, &st);
			if (st.sh_type != SHT_STRTAB || st.sh_size == 0)
				return fail(why,
					    "section %u: its string table is not one", i);
			if (sh.sh_type == SHT_SYMTAB && !s->symtab)
				s->symtab = i, s->strtab = sh.sh_link;
			else if (sh.sh_type == SHT_DYNSYM && !s->dynsym)
				s->dynsym = i, s->dynstr = sh.sh_link;
		} else if (sh.sh_type == SHT_GNU_versym) {
			s->versym = i;
		} else if (sh.sh_type == SHT_RELA) {
			if (sh.sh_entsize != sizeof(struct elf64_rela) ||
			    sh.sh_size % sizeof(struct elf64_rela))
				return fail(why, "section %u: bad relocation entry size",
					    i);
		} else if (sh.sh_type == SHT_REL && (sh.sh_flags & SHF_ALLOC)) {
			return fail(why,
				    "REL relocations (without addends) are not x86-64");
		}
		if (names.sh_type == SHT_STRTAB && sh.sh_name < names.sh_size &&
		    names.sh_size - sh.sh_name > strlen(UNIELF_PATCH_SECTION) &&
		    !memcmp(s->buf + names.sh_offset + sh.sh_name, UNIELF_PATCH_SECTION,
			    sizeof(UNIELF_PATCH_SECTION)))
			s->manifest = i;
	}
	if (s->versym) {
		struct elf64_shdr v, d;
		get_shdr(s, s->versym, &v);
		if (!s->dynsym)
			return fail(why, "a symbol version table without .dynsym");
		get_shdr(s, s->dynsym, &d);
		if (v.sh_size != d.sh_size / sizeof(struct elf64_sym) * 2)
			return fail(why,
				    "the symbol version table does not match .dynsym");
	}
	return 0;
}

static void get_sym(const struct elf_sects *s, unsigned table, uint64_t i,
		    struct elf64_sym *sym)
{
	struct elf64_shdr sh;
	get_shdr(s, table, &sh);
	memcpy(sym, s->buf + sh.sh_offset + i * sizeof(*sym), sizeof(*sym));
}

static uint64_t nsyms(const struct elf_sects *s, unsigned table)
{
	struct elf64_shdr sh;
	if (!table)
		return 0;
	get_shdr(s, table, &sh);
	return sh.sh_size / sizeof(struct elf64_sym);
}

static bool hidden_version(const struct elf_sects *s, uint64_t i)
{
	struct elf64_shdr v;
	uint16_t ver;
	if (!s->versym)
		return false;
	get_shdr(s, s->versym, &v);
	memcpy(&ver, s->buf + v.sh_offset + i * 2, 2);
	return ver & 0x8000;
}

int elf_sym_find(const struct elf_sects *s, bool dyn, const char *name,
		 struct elf_sym_hit *hit)
{
	unsigned table = dyn ? s->dynsym : s->symtab;
	unsigned strtab = dyn ? s->dynstr : s->strtab;
	uint64_t n = nsyms(s, table);
	int found = 0;
	uint64_t addrs[8];
	for (uint64_t i = 1; i < n; i++) {
		struct elf64_sym sym;
		get_sym(s, table, i, &sym);
		if (sym.st_shndx == SHN_UNDEF)
			continue;
		unsigned type = elf64_st_type(sym.st_info);
		if (type == STT_SECTION || type == STT_FILE)
			continue;
		const char *nm = str_at(s, strtab, sym.st_name);
		if (!nm || strcmp(nm, name))
			continue;
		if (dyn && hidden_version(s, i))
			continue;
		bool seen = false;
		for (int k = 0; k < found && k < 8; k++)
			seen |= addrs[k] == sym.st_value;
		if (seen)
			continue;
		unsigned bind = elf64_st_bind(sym.st_info);
		if (found == 0 || (hit->bind == STB_LOCAL && bind != STB_LOCAL)) {
			hit->value = sym.st_value;
			hit->size = sym.st_size;
			hit->type = type;
			hit->bind = bind;
			hit->shndx = sym.st_shndx;
		}
		if (found < 8)
			addrs[found] = sym.st_value;
		found++;
	}
	return found;
}

int64_t elf_vaddr_to_offset(const struct elf_info *info, uint64_t vaddr, uint64_t len)
{
	for (unsigned i = 0; i < info->nseg; i++) {
		const struct elf_segment *g = &info->seg[i];
		if (vaddr >= g->vaddr && vaddr - g->vaddr <= g->filesz &&
		    len <= g->filesz - (vaddr - g->vaddr))
			return (int64_t)(g->offset + (vaddr - g->vaddr));
	}
	return -1;
}

static bool in_exec_segment(const struct elf_info *info, uint64_t vaddr)
{
	for (unsigned i = 0; i < info->nseg; i++) {
		const struct elf_segment *g = &info->seg[i];
		if ((g->prot & ELF_PROT_X) && vaddr >= g->vaddr &&
		    vaddr - g->vaddr < g->memsz)
			return true;
	}
	return false;
}

/* The link-time value the loader would store in the 8 bytes at vaddr: from a
 * RELATIVE or 64 relocation there, else the file's bytes.  0 or -ENOEXEC. */
static int word_at(const struct elf_sects *s, const struct elf_info *info, uint64_t vaddr,
		   uint64_t *out, char *why)
{
	int64_t off = elf_vaddr_to_offset(info, vaddr, 8);
	if (off < 0)
		return fail(why, "manifest word at 0x%llx is not in the file",
			    (unsigned long long)vaddr);
	memcpy(out, s->buf + off, 8);
	for (unsigned i = 1; i < s->shnum; i++) {
		struct elf64_shdr sh;
		get_shdr(s, i, &sh);
		if (sh.sh_type != SHT_RELA || !(sh.sh_flags & SHF_ALLOC))
			continue;
		for (uint64_t k = 0; k < sh.sh_size / sizeof(struct elf64_rela); k++) {
			struct elf64_rela r;
			memcpy(&r, s->buf + sh.sh_offset + k * sizeof(r), sizeof(r));
			if (r.r_offset != vaddr)
				continue;
			unsigned type = elf64_r_type(r.r_info);
			if (type == R_X86_64_RELATIVE) {
				*out = (uint64_t)r.r_addend;
				return 0;
			}
			if (type != R_X86_64_64 || sh.sh_link != s->dynsym || !s->dynsym)
				return fail(
				    why,
				    "manifest: unexpected relocation for a new function");
			struct elf64_sym sym;
			uint32_t idx = elf64_r_sym(r.r_info);
			if (idx >= nsyms(s, s->dynsym))
				return fail(why, "manifest: bad symbol index");
			get_sym(s, s->dynsym, idx, &sym);
			if (sym.st_shndx == SHN_UNDEF) {
				const char *nm = str_at(s, s->dynstr, sym.st_name);
				return fail(why,
					    "new function %s is not defined in the patch",
					    nm ? nm : "?");
			}
			*out = sym.st_value + (uint64_t)r.r_addend;
			return 0;
		}
	}
	return 0;
}

int elf_patch_manifest(const struct elf_sects *s, const struct elf_info *info,
		       struct elf_patch_manifest *m, char *why)
{
	memset(m, 0, sizeof(*m));
	if (!s->manifest)
		return fail(why,
			    "no " UNIELF_PATCH_SECTION " section: not a UniELF patch");
	struct elf64_shdr sh;
	get_shdr(s, s->manifest, &sh);
	if (sh.sh_type != SHT_PROGBITS || !(sh.sh_flags & SHF_ALLOC))
		return fail(why,
			    UNIELF_PATCH_SECTION " is not a loaded PROGBITS section");
	const uint8_t *p = s->buf + sh.sh_offset;
	uint64_t off = 0;
	while (off + 8 <= sh.sh_size) {
		struct unielf_patch_hdr h;
		if (sh.sh_size - off < sizeof(h)) {
			uint64_t z = 0;
			memcpy(&z, p + off, 8);
			if (z)
				return fail(why, "manifest: truncated record");
			off += 8;
			continue;
		}
		memcpy(&h, p + off, sizeof(h));
		if (h.magic == 0) { /* alignment padding */
			off += 8;
			continue;
		}
		if (h.size < 24 || h.size % 8 || h.size > sh.sh_size - off)
			return fail(why, "manifest: record at +%llu has a bad size",
				    (unsigned long long)off);
		const char *name = (const char *)p + off + 24;
		size_t room = h.size - 24;
		if (h.name_len < 2 || h.name_len > room || name[h.name_len - 1] ||
		    strlen(name) != h.name_len - 1)
			return fail(why, "manifest: record at +%llu has a bad name",
				    (unsigned long long)off);
		if (h.magic == UNIELF_PATCH_MAGIC_TARGET) {
			if (m->has_target)
				return fail(why,
					    "manifest: more than one target build-id");
			if (h.name_len - 1 > 128 || (h.name_len - 1) % 2)
				return fail(why,
					    "manifest: target build-id is not hex bytes");
			for (unsigned i = 0; i + 1 < h.name_len; i++) {
				char c = name[i];
				if (c >= 'A' && c <= 'F')
					c = (char)(c - 'A' + 'a');
				if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
					return fail(
					    why, "manifest: target build-id is not hex");
				m->target[i] = c;
			}
			m->has_target = true;
		} else if (h.magic == UNIELF_PATCH_MAGIC_FUNC) {
			if (m->nfuncs == ELF_PATCH_MAX_FUNCS)
				return fail(why, "manifest: more than %d functions",
					    ELF_PATCH_MAX_FUNCS);
			if (h.name_len > ELF_PATCH_NAME_MAX)
				return fail(why, "manifest: symbol name too long");
			const char *lib = name + h.name_len;
			size_t lroom = room - h.name_len;
			size_t llen = strnlen(lib, lroom);
			if (llen == lroom || llen >= ELF_PATCH_NAME_MAX)
				return fail(why, "manifest: %s: bad library name", name);
			if (h.flags & ~UNIELF_PATCH_F_ACTIVE_OK)
				return fail(why, "manifest: %s: unknown flags 0x%x", name,
					    h.flags);
			for (unsigned i = 0; i < m->nfuncs; i++)
				if (!strcmp(m->func[i].name, name) &&
				    !strcmp(m->func[i].lib, lib))
					return fail(why, "manifest: %s is replaced twice",
						    name);
			struct elf_patch_func *f = &m->func[m->nfuncs];
			memcpy(f->name, name, h.name_len);
			memcpy(f->lib, lib, llen + 1);
			f->flags = h.flags;
			int e =
			    word_at(s, info, sh.sh_addr + off + 16, &f->new_vaddr, why);
			if (e)
				return e;
			if (!in_exec_segment(info, f->new_vaddr))
				return fail(
				    why,
				    "new function for %s is not in an executable segment",
				    name);
			m->nfuncs++;
		} else {
			return fail(why, "manifest: unknown record 0x%08x", h.magic);
		}
		off += h.size;
	}
	if (!m->nfuncs)
		return fail(why, "manifest names no function");
	return 0;
}

int elf_relocate(const struct elf_sects *s, const struct elf_info *info, uint8_t *img,
		 uint64_t bias, elf_resolve_fn resolve, void *arg, char *why)
{
	for (unsigned i = 1; i < s->shnum; i++) {
		struct elf64_shdr sh;
		get_shdr(s, i, &sh);
		if (sh.sh_type != SHT_RELA || !(sh.sh_flags & SHF_ALLOC))
			continue;
		if (sh.sh_link && sh.sh_link != s->dynsym)
			return fail(why,
				    "relocations against a table other than .dynsym");
		uint64_t n = sh.sh_size / sizeof(struct elf64_rela);
		for (uint64_t k = 0; k < n; k++) {
			struct elf64_rela r;
			memcpy(&r, s->buf + sh.sh_offset + k * sizeof(r), sizeof(r));
			unsigned type = elf64_r_type(r.r_info);
			uint32_t idx = elf64_r_sym(r.r_info);
			if (type == R_X86_64_NONE)
				continue;
			unsigned width =
			    (type == R_X86_64_PC32 || type == R_X86_64_PLT32) ? 4 : 8;
			if (type != R_X86_64_RELATIVE && type != R_X86_64_64 &&
			    type != R_X86_64_GLOB_DAT && type != R_X86_64_JUMP_SLOT &&
			    width != 4)
				return fail(why, "unsupported relocation type %u", type);
			int64_t off = elf_vaddr_to_offset(info, r.r_offset, width);
			if (off < 0)
				return fail(why,
					    "relocation at 0x%llx is outside the "
					    "file-backed segments",
					    (unsigned long long)r.r_offset);
			uint64_t S = 0;
			if (type != R_X86_64_RELATIVE && idx) {
				struct elf64_sym sym;
				if (!s->dynsym || idx >= nsyms(s, s->dynsym))
					return fail(why,
						    "relocation with a bad symbol index");
				get_sym(s, s->dynsym, idx, &sym);
				const char *nm = str_at(s, s->dynstr, sym.st_name);
				unsigned st = elf64_st_type(sym.st_info);
				if (!nm)
					return fail(why, "symbol with a bad name");
				if (st == STT_TLS || st == STT_GNU_IFUNC)
					return fail(why,
						    "%s: %s symbols are not supported",
						    nm, st == STT_TLS ? "TLS" : "IFUNC");
				if (sym.st_shndx == SHN_ABS) {
					S = sym.st_value;
				} else if (sym.st_shndx != SHN_UNDEF) {
					S = sym.st_value + bias;
				} else {
					int e =
					    resolve ? resolve(arg, nm, &S, why) : -ENOENT;
					if (e == -ENOENT) {
						if (elf64_st_bind(sym.st_info) !=
						    STB_WEAK)
							return fail(
							    why, "missing symbol %s", nm);
						S = 0;
					} else if (e) {
						return e;
					}
				}
			}
			uint64_t P = r.r_offset + bias, v;
			switch (type) {
			case R_X86_64_RELATIVE:
				v = bias + (uint64_t)r.r_addend;
				break;
			case R_X86_64_GLOB_DAT:
			case R_X86_64_JUMP_SLOT:
				v = S;
				break;
			case R_X86_64_64:
				v = S + (uint64_t)r.r_addend;
				break;
			default: { /* PC32, PLT32 */
				int64_t d = (int64_t)(S + (uint64_t)r.r_addend - P);
				if (d != (int32_t)d)
					return fail(why,
						    "PC-relative relocation at 0x%llx "
						    "out of reach",
						    (unsigned long long)r.r_offset);
				int32_t d32 = (int32_t)d;
				memcpy(img + off, &d32, 4);
				continue;
			}
			}
			memcpy(img + off, &v, 8);
		}
	}
	return 0;
}

uint64_t elf_irelative_slot(const struct elf_sects *s, uint64_t resolver)
{
	for (unsigned i = 1; i < s->shnum; i++) {
		struct elf64_shdr sh;
		get_shdr(s, i, &sh);
		if (sh.sh_type != SHT_RELA || !(sh.sh_flags & SHF_ALLOC))
			continue;
		for (uint64_t k = 0; k < sh.sh_size / sizeof(struct elf64_rela); k++) {
			struct elf64_rela r;
			memcpy(&r, s->buf + sh.sh_offset + k * sizeof(r), sizeof(r));
			if (elf64_r_type(r.r_info) == R_X86_64_IRELATIVE &&
			    (uint64_t)r.r_addend == resolver)
				return r.r_offset;
		}
	}
	return 0;
}
