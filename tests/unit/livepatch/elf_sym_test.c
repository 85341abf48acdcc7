// SPDX-License-Identifier: MIT
/* Host tests of kernel/loader/elf_sym.c: the live-patch manifest, symbol
 * lookup and relocation of real gcc-built objects (fix.so, dup), plus hand-
 * damaged copies.  Expected values come from the host's <elf.h> walked here
 * independently of the code under test. */
#include <elf.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "loader/elf.h"
#include "loader/elf_sym.h"
#include "unielf/livepatch.h"

struct file {
	uint8_t *buf;
	size_t size;
};

static struct file load(const char *name)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", LP_UT_DIR, name);
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	struct file r = {malloc((size_t)ftell(f)), (size_t)ftell(f)};
	rewind(f);
	assert_int_equal(fread(r.buf, 1, r.size, f), r.size);
	fclose(f);
	return r;
}

/* Independent: the section named name. */
static const Elf64_Shdr *section(const struct file *f, const char *name)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)f->buf;
	const Elf64_Shdr *sh = (const Elf64_Shdr *)(f->buf + eh->e_shoff);
	const char *names = (const char *)f->buf + sh[eh->e_shstrndx].sh_offset;
	for (int i = 0; i < eh->e_shnum; i++)
		if (!strcmp(names + sh[i].sh_name, name))
			return &sh[i];
	return NULL;
}

/* Independent: value of symbol name in .symtab. */
static uint64_t symval(const struct file *f, const char *name)
{
	const Elf64_Shdr *st = section(f, ".symtab"), *str = section(f, ".strtab");
	const Elf64_Sym *s = (const Elf64_Sym *)(f->buf + st->sh_offset);
	for (size_t i = 0; i < st->sh_size / sizeof(*s); i++)
		if (!strcmp((const char *)f->buf + str->sh_offset + s[i].st_name, name))
			return s[i].st_value;
	fail_msg("no symbol %s", name);
	return 0;
}

/* Independent: r_offset of the relocation against symbol name, of type. */
static uint64_t reloc_at(const struct file *f, const char *sec, const char *name,
			 unsigned type)
{
	const Elf64_Shdr *rs = section(f, sec), *ds = section(f, ".dynsym"),
			 *dstr = section(f, ".dynstr");
	const Elf64_Rela *r = (const Elf64_Rela *)(f->buf + rs->sh_offset);
	const Elf64_Sym *s = (const Elf64_Sym *)(f->buf + ds->sh_offset);
	for (size_t i = 0; i < rs->sh_size / sizeof(*r); i++) {
		if (ELF64_R_TYPE(r[i].r_info) != type)
			continue;
		const char *n = (const char *)f->buf + dstr->sh_offset +
				s[ELF64_R_SYM(r[i].r_info)].st_name;
		if (!strcmp(n, name))
			return r[i].r_offset;
	}
	fail_msg("no %u relocation for %s", type, name);
	return 0;
}

static uint64_t file_word(const struct file *f, const struct elf_info *info,
			  const uint8_t *img, uint64_t vaddr)
{
	int64_t off = elf_vaddr_to_offset(info, vaddr, 8);
	assert_true(off >= 0);
	uint64_t v;
	memcpy(&v, img + off, 8);
	return v;
}

static void test_manifest(void **state)
{
	struct file f = load("fix.so");
	struct elf_info info;
	struct elf_sects s;
	struct elf_patch_manifest m;
	char why[ELF_WHY_LEN] = "";
	const char *w;
	assert_int_equal(elf_parse(f.buf, f.size, &info, &w), 0);
	assert_int_equal(elf_sections(f.buf, f.size, &s, why), 0);
	assert_int_not_equal(s.manifest, 0);
	assert_int_equal(elf_patch_manifest(&s, &info, &m, why), 0);
	assert_true(m.has_target);
	assert_string_equal(m.target, "abcdef0123");
	assert_int_equal(m.nfuncs, 2);
	/* gcc may emit the records in either order */
	int next = !strcmp(m.func[0].name, "next_value") ? 0 : 1;
	assert_string_equal(m.func[next].name, "next_value");
	assert_string_equal(m.func[next].lib, "");
	assert_int_equal(m.func[next].flags, 0);
	assert_int_equal(m.func[next].new_vaddr, symval(&f, "fixed_next"));
	assert_string_equal(m.func[!next].name, "puts");
	assert_string_equal(m.func[!next].lib, "libc.so.6");
	assert_int_equal(m.func[!next].flags, UNIELF_PATCH_F_ACTIVE_OK);
	assert_int_equal(m.func[!next].new_vaddr, symval(&f, "my_puts"));
	free(f.buf);
}

static void test_manifest_damaged(void **state)
{
	struct file f = load("fix.so");
	const Elf64_Shdr *ms = section(&f, UNIELF_PATCH_SECTION);
	struct elf_info info;
	struct elf_sects s;
	struct elf_patch_manifest m;
	char why[ELF_WHY_LEN] = "";
	const char *w;
	assert_int_equal(elf_parse(f.buf, f.size, &info, &w), 0);
	/* a record size running past the section */
	uint8_t *rec = f.buf + ms->sh_offset;
	uint32_t saved, big = 4096;
	memcpy(&saved, rec + 4, 4);
	memcpy(rec + 4, &big, 4);
	assert_int_equal(elf_sections(f.buf, f.size, &s, why), 0);
	assert_int_not_equal(elf_patch_manifest(&s, &info, &m, why), 0);
	assert_non_null(strstr(why, "bad size"));
	memcpy(rec + 4, &saved, 4);
	/* an unknown record */
	uint32_t magic = 0x12345678;
	memcpy(rec, &magic, 4);
	assert_int_not_equal(elf_patch_manifest(&s, &info, &m, why), 0);
	assert_non_null(strstr(why, "unknown record"));
	/* the name without its NUL */
	struct unielf_patch_hdr h;
	memcpy(&h, rec, sizeof(h));
	h.magic = UNIELF_PATCH_MAGIC_FUNC;
	memcpy(rec, &h, sizeof(h));
	rec[24 + h.name_len - 1] = 'x';
	assert_int_not_equal(elf_patch_manifest(&s, &info, &m, why), 0);
	/* no manifest at all */
	struct elf_sects none = s;
	none.manifest = 0;
	assert_int_not_equal(elf_patch_manifest(&none, &info, &m, why), 0);
	assert_non_null(strstr(why, "not a UniELF patch"));
	/* section headers past the end */
	Elf64_Ehdr *eh = (Elf64_Ehdr *)f.buf;
	eh->e_shoff = f.size;
	assert_int_not_equal(elf_sections(f.buf, f.size, &s, why), 0);
	free(f.buf);
}

static int resolve(void *arg, const char *name, uint64_t *addr, char *why)
{
	if (!strcmp(name, "counter")) {
		*addr = 0x401000;
		return 0;
	}
	if (!strcmp(name, "printf")) {
		*addr = 0x7f0000012340;
		return 0;
	}
	if (!strcmp(name, "bad")) {
		snprintf(why, ELF_WHY_LEN, "refused");
		return -22;
	}
	return -2; /* -ENOENT */
}

static int resolve_no_counter(void *arg, const char *name, uint64_t *addr, char *why)
{
	return strcmp(name, "counter") ? resolve(arg, name, addr, why) : -2;
}

static void test_relocate(void **state)
{
	struct file f = load("fix.so");
	struct elf_info info;
	struct elf_sects s;
	char why[ELF_WHY_LEN] = "";
	const char *w;
	assert_int_equal(elf_parse(f.buf, f.size, &info, &w), 0);
	assert_int_equal(elf_sections(f.buf, f.size, &s, why), 0);
	uint8_t *img = malloc(f.size);
	memcpy(img, f.buf, f.size);
	const uint64_t bias = 0x7f1234560000;
	assert_int_equal(elf_relocate(&s, &info, img, bias, resolve, NULL, why), 0);
	/* GLOB_DAT to the program's variable, JUMP_SLOT bound now */
	assert_int_equal(
	    file_word(&f, &info, img,
		      reloc_at(&f, ".rela.dyn", "counter", R_X86_64_GLOB_DAT)),
	    0x401000);
	assert_int_equal(
	    file_word(&f, &info, img,
		      reloc_at(&f, ".rela.plt", "printf", R_X86_64_JUMP_SLOT)),
	    0x7f0000012340);
	/* weak undefined: 0 */
	assert_int_equal(
	    file_word(&f, &info, img,
		      reloc_at(&f, ".rela.dyn", "weak_thing", R_X86_64_GLOB_DAT)),
	    0);
	/* R_X86_64_64 against the patch's own global, RELATIVE for the static one */
	assert_int_equal(
	    file_word(&f, &info, img, reloc_at(&f, ".rela.dyn", "my_puts", R_X86_64_64)),
	    symval(&f, "my_puts") + bias);
	const Elf64_Shdr *ms = section(&f, UNIELF_PATCH_SECTION);
	int found = 0;
	for (uint64_t a = ms->sh_addr; a + 8 <= ms->sh_addr + ms->sh_size; a += 8)
		found += file_word(&f, &info, img, a) == symval(&f, "fixed_next") + bias;
	assert_int_equal(found, 1);
	/* a missing strong symbol names itself; a resolver's reason passes through */
	memcpy(img, f.buf, f.size);
	assert_int_not_equal(
	    elf_relocate(&s, &info, img, bias, resolve_no_counter, NULL, why), 0);
	assert_string_equal(why, "missing symbol counter");
	free(img);
	free(f.buf);
}

static void test_sym_find(void **state)
{
	struct file f = load("dup");
	struct elf_sects s;
	struct elf_sym_hit h;
	char why[ELF_WHY_LEN] = "";
	assert_int_equal(elf_sections(f.buf, f.size, &s, why), 0);
	assert_int_not_equal(s.symtab, 0);
	assert_int_equal(elf_sym_find(&s, false, "helper", &h), 2); /* ambiguous */
	assert_int_equal(h.bind, STB_LOCAL);
	assert_int_equal(elf_sym_find(&s, false, "use_a", &h), 1);
	assert_int_equal(h.value, symval(&f, "use_a"));
	assert_int_equal(h.type, STT_FUNC);
	assert_true(h.size > 0);
	assert_int_equal(elf_sym_find(&s, false, "no_such", &h), 0);
	assert_int_equal(elf_sym_find(&s, true, "use_a", &h), 0); /* not exported */
	free(f.buf);

	struct file so = load("fix.so");
	assert_int_equal(elf_sections(so.buf, so.size, &s, why), 0);
	assert_int_equal(elf_sym_find(&s, true, "my_puts", &h), 1);
	assert_int_equal(h.bind, STB_GLOBAL);
	assert_int_equal(elf_sym_find(&s, true, "printf", &h), 0); /* undefined */
	free(so.buf);
}

/* static glibc: strlen is an IFUNC whose pick lands in an IRELATIVE slot */
static void test_irelative(void **state)
{
	struct file f = load("dup-static");
	struct elf_sects s;
	struct elf_sym_hit h;
	char why[ELF_WHY_LEN] = "";
	assert_int_equal(elf_sections(f.buf, f.size, &s, why), 0);
	assert_int_equal(elf_sym_find(&s, false, "strlen", &h), 1);
	assert_int_equal(h.type, STT_GNU_IFUNC);
	uint64_t slot = elf_irelative_slot(&s, h.value);
	assert_int_not_equal(slot, 0);
	/* independent: the IRELATIVE relocation at that slot has that addend */
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)f.buf;
	const Elf64_Shdr *sh = (const Elf64_Shdr *)(f.buf + eh->e_shoff);
	int seen = 0;
	for (int i = 0; i < eh->e_shnum; i++) {
		if (sh[i].sh_type != SHT_RELA)
			continue;
		const Elf64_Rela *r = (const Elf64_Rela *)(f.buf + sh[i].sh_offset);
		for (size_t k = 0; k < sh[i].sh_size / sizeof(*r); k++)
			seen += r[k].r_offset == slot &&
				ELF64_R_TYPE(r[k].r_info) == R_X86_64_IRELATIVE &&
				(uint64_t)r[k].r_addend == h.value;
	}
	assert_int_equal(seen, 1);
	assert_int_equal(elf_irelative_slot(&s, h.value + 1), 0);
	free(f.buf);
}

static void test_no_sections(void **state)
{
	struct file f = load("fix.so");
	Elf64_Ehdr *eh = (Elf64_Ehdr *)f.buf;
	struct elf_sects s;
	char why[ELF_WHY_LEN] = "";
	eh->e_shnum = 0;
	eh->e_shoff = 0;
	assert_int_equal(elf_sections(f.buf, f.size, &s, why), 0);
	assert_int_equal(s.dynsym, 0);
	assert_int_equal(s.manifest, 0);
	struct elf_sym_hit h;
	assert_int_equal(elf_sym_find(&s, true, "my_puts", &h), 0);
	free(f.buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_manifest),  cmocka_unit_test(test_manifest_damaged),
	    cmocka_unit_test(test_relocate),  cmocka_unit_test(test_sym_find),
	    cmocka_unit_test(test_irelative), cmocka_unit_test(test_no_sections),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
