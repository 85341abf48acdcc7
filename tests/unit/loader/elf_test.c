// SPDX-License-Identifier: MIT
/* Unit tests of kernel/loader/elf.c on the host: real binaries (static musl
 * and glibc, static-PIE, dynamic PIE, non-PIE, busybox, a shared object)
 * checked against readelf's view of them, truncated at every length, and
 * hand-built images for every rejection reason. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The host's <elf.h> and ours must be able to meet in one file (the tool). */
#include <elf.h>
#include "uapi/elf.h"
#include "uapi/errno.h"
#include "loader/elf.h"

/* ------------------------------------------------------------ real binaries */

struct elf_expect {
	const char *path;
	uint16_t type;
	uint64_t entry, phoff;
	uint16_t phnum, phentsize;
	uint64_t phdr_vaddr;
	unsigned nseg;
	struct elf_segment seg[ELF_MAX_SEGS];
	uint64_t lo, hi;
	const char *interp; /* NULL: no PT_INTERP */
	bool has_tls;
	uint64_t tls_vaddr, tls_filesz, tls_memsz, tls_align;
	bool exec_stack;
	bool has_relro;
	uint64_t relro_vaddr, relro_memsz;
	const char *build_id; /* hex, "" if none */
};

#include "expect.h"

#define NEXPECT (sizeof(expects) / sizeof(expects[0]))

static uint8_t *read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	if (!f)
		fail_msg("cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc(n ? n : 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, n, f), (size_t)n);
	fclose(f);
	*size = n;
	return buf;
}

static void hex(const uint8_t *p, unsigned n, char *out)
{
	for (unsigned i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
	out[2 * n] = '\0';
}

static void check_against(const struct elf_info *in, const struct elf_expect *x)
{
	char id[2 * sizeof(in->build_id) + 1];

	assert_int_equal(in->type, x->type);
	assert_int_equal(in->entry, x->entry);
	assert_int_equal(in->phoff, x->phoff);
	assert_int_equal(in->phnum, x->phnum);
	assert_int_equal(in->phentsize, x->phentsize);
	assert_int_equal(in->phdr_vaddr, x->phdr_vaddr);
	assert_int_equal(in->nseg, x->nseg);
	for (unsigned i = 0; i < x->nseg; i++) {
		assert_int_equal(in->seg[i].vaddr, x->seg[i].vaddr);
		assert_int_equal(in->seg[i].memsz, x->seg[i].memsz);
		assert_int_equal(in->seg[i].offset, x->seg[i].offset);
		assert_int_equal(in->seg[i].filesz, x->seg[i].filesz);
		assert_int_equal(in->seg[i].align, x->seg[i].align);
		assert_int_equal(in->seg[i].prot, x->seg[i].prot);
	}
	assert_int_equal(in->lo, x->lo);
	assert_int_equal(in->hi, x->hi);
	assert_int_equal(in->has_interp, x->interp != NULL);
	if (x->interp)
		assert_string_equal(in->interp, x->interp);
	assert_int_equal(in->has_tls, x->has_tls);
	if (x->has_tls) {
		assert_int_equal(in->tls_vaddr, x->tls_vaddr);
		assert_int_equal(in->tls_filesz, x->tls_filesz);
		assert_int_equal(in->tls_memsz, x->tls_memsz);
		assert_int_equal(in->tls_align, x->tls_align);
	}
	assert_int_equal(in->exec_stack, x->exec_stack);
	assert_int_equal(in->has_relro, x->has_relro);
	if (x->has_relro) {
		assert_int_equal(in->relro_vaddr, x->relro_vaddr);
		assert_int_equal(in->relro_memsz, x->relro_memsz);
	}
	hex(in->build_id, in->build_id_len, id);
	assert_string_equal(id, x->build_id);
}

/* Parses the file, also from a misaligned copy, and compares with readelf. */
static void test_real_binary(void **state)
{
	const struct elf_expect *x = *state;
	struct elf_info info;
	const char *why = "unset";
	size_t size;
	uint8_t *buf = read_file(x->path, &size);
	uint8_t *odd = malloc(size + 3);

	print_message("  %s\n", x->path);
	if (elf_parse(buf, size, &info, &why) != 0)
		fail_msg("%s rejected: %s", x->path, why);
	check_against(&info, x);

	memcpy(odd + 3, buf, size);
	assert_int_equal(elf_parse(odd + 3, size, &info, NULL), 0);
	check_against(&info, x);
	free(odd);
	free(buf);
}

/* The smallest length at which the file may parse: every PT_LOAD's bytes. */
static size_t needed_length(const struct elf_expect *x)
{
	size_t need = x->phoff + (size_t)x->phnum * x->phentsize;

	for (unsigned i = 0; i < x->nseg; i++)
		if (x->seg[i].offset + x->seg[i].filesz > need)
			need = x->seg[i].offset + x->seg[i].filesz;
	return need;
}

/*
 * Every prefix of the file: shorter than its segments must be rejected (with a
 * reason), longer must parse exactly as the whole file.  Prefixes up to 32 KiB
 * are copied into an allocation of exactly that size, so ASan catches a read
 * one byte past the end; longer ones share one buffer (the parser reads only
 * headers, notes and the interpreter path, all near the start).
 */
static void test_real_binary_truncated(void **state)
{
	const struct elf_expect *x = *state;
	size_t size, need = needed_length(x);
	uint8_t *buf = read_file(x->path, &size);
	struct elf_info info;

	print_message("  %s (%zu lengths)\n", x->path, size);
	for (size_t len = 0; len < size; len++) {
		const char *why = NULL;
		uint8_t *p = buf;
		int r;

		if (len <= 32768) {
			p = malloc(len ? len : 1);
			memcpy(p, buf, len);
		}
		r = elf_parse(p, len, &info, &why);
		if (len < need) {
			if (r != -ENOEXEC)
				fail_msg("%s accepted at length %zu", x->path, len);
			assert_non_null(why);
			assert_true(strlen(why) > 0);
		} else {
			if (r != 0)
				fail_msg("%s rejected at length %zu: %s", x->path, len,
					 why);
			check_against(&info, x);
		}
		if (p != buf)
			free(p);
	}
	free(buf);
}

/* ------------------------------------------------------------ built images */

#define IMG_SIZE 0x3000
#define BASE	 0x400000

struct img {
	uint8_t b[IMG_SIZE];
	size_t size;
};

static struct elf64_ehdr get_eh(const struct img *im)
{
	struct elf64_ehdr eh;

	memcpy(&eh, im->b, sizeof(eh));
	return eh;
}

static void put_eh(struct img *im, const struct elf64_ehdr *eh)
{
	memcpy(im->b, eh, sizeof(*eh));
}

static struct elf64_phdr get_ph(const struct img *im, unsigned i)
{
	struct elf64_ehdr eh = get_eh(im);
	struct elf64_phdr ph;

	memcpy(&ph, im->b + eh.e_phoff + i * sizeof(ph), sizeof(ph));
	return ph;
}

static void put_ph(struct img *im, unsigned i, const struct elf64_phdr *ph)
{
	struct elf64_ehdr eh = get_eh(im);

	memcpy(im->b + eh.e_phoff + i * sizeof(*ph), ph, sizeof(*ph));
}

/* Appends a program header; returns its index. */
static unsigned add_ph(struct img *im, uint32_t type, uint32_t flags, uint64_t off,
		       uint64_t vaddr, uint64_t filesz, uint64_t memsz, uint64_t align)
{
	struct elf64_ehdr eh = get_eh(im);
	struct elf64_phdr ph = {
	    .p_type = type,
	    .p_flags = flags,
	    .p_offset = off,
	    .p_vaddr = vaddr,
	    .p_paddr = vaddr,
	    .p_filesz = filesz,
	    .p_memsz = memsz,
	    .p_align = align,
	};
	unsigned i = eh.e_phnum++;

	put_eh(im, &eh);
	put_ph(im, i, &ph);
	return i;
}

static void put_note(struct img *im, size_t off, uint32_t namesz, uint32_t descsz,
		     uint32_t type, const char *name, uint8_t fill)
{
	struct elf64_nhdr nh = {namesz, descsz, type};

	memcpy(im->b + off, &nh, sizeof(nh));
	memcpy(im->b + off + 12, name, strlen(name) + 1);
	if (descsz <= 128) /* huge sizes are for "past the end" tests */
		memset(im->b + off + 12 + ((namesz + 3) & ~3u), fill, descsz);
}

/* Program header indices in the base image. */
enum {
	PH_PHDR,
	PH_INTERP,
	PH_LOAD0,
	PH_LOAD1,
	PH_LOAD2,
	PH_TLS,
	PH_NOTE,
	PH_STACK,
	PH_RELRO,
	PH_OTHER,
	PH_COUNT
};

#define INTERP_OFF 0x400
#define INTERP	   "/lib/ld-test.so.1"
#define NOTE_OFF   0x500
#define NOTE_LEN   (12 + 4 + 20)

/*
 * A small valid ET_EXEC: R headers page, RX text, RW data+bss at 0x400000,
 * with PT_PHDR, PT_INTERP, PT_TLS, a build-ID note, GNU_STACK, GNU_RELRO and
 * an unknown segment type.  The file is 0x3000 bytes; the segments need 0x2100.
 */
static void img_base(struct img *im)
{
	struct elf64_ehdr eh = {
	    .e_ident = {0x7f, 'E', 'L', 'F', ELFCLASS64, ELFDATA2LSB, EV_CURRENT,
			ELFOSABI_SYSV},
	    .e_type = ET_EXEC,
	    .e_machine = EM_X86_64,
	    .e_version = EV_CURRENT,
	    .e_entry = BASE + 0x1010,
	    .e_phoff = 64,
	    .e_ehsize = 64,
	    .e_phentsize = 56,
	    .e_phnum = 0,
	};

	memset(im, 0, sizeof(*im));
	im->size = IMG_SIZE;
	put_eh(im, &eh);
	add_ph(im, PT_PHDR, PF_R, 64, BASE + 64, PH_COUNT * 56, PH_COUNT * 56, 8);
	add_ph(im, PT_INTERP, PF_R, INTERP_OFF, BASE + INTERP_OFF, sizeof(INTERP),
	       sizeof(INTERP), 1);
	add_ph(im, PT_LOAD, PF_R, 0, BASE, 0x1000, 0x1000, 0x1000);
	add_ph(im, PT_LOAD, PF_R | PF_X, 0x1000, BASE + 0x1000, 0x1000, 0x1000, 0x1000);
	add_ph(im, PT_LOAD, PF_R | PF_W, 0x2000, BASE + 0x2000, 0x100, 0x3000, 0x1000);
	add_ph(im, PT_TLS, PF_R, 0x2000, BASE + 0x2000, 0x10, 0x40, 16);
	add_ph(im, PT_NOTE, PF_R, NOTE_OFF, BASE + NOTE_OFF, NOTE_LEN, NOTE_LEN, 4);
	add_ph(im, PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0, 16);
	add_ph(im, PT_GNU_RELRO, PF_R, 0x2000, BASE + 0x2000, 0x100, 0x1000, 1);
	add_ph(im, 0x6abcdef0, PF_R | PF_W | PF_X, 0x12345678, 7, 0xffffffff, 1, 3);
	memcpy(im->b + INTERP_OFF, INTERP, sizeof(INTERP));
	put_note(im, NOTE_OFF, 4, 20, NT_GNU_BUILD_ID, "GNU", 0xab);
}

/* Parses an exact-size heap copy, so ASan sees any read past the end. */
static int parse_img(const struct img *im, struct elf_info *info, const char **why)
{
	uint8_t *p = malloc(im->size ? im->size : 1);
	int r;

	memcpy(p, im->b, im->size);
	r = elf_parse(im->size ? p : NULL, im->size, info, why);
	free(p);
	return r;
}

static void expect_reason(const struct img *im, const char *reason)
{
	struct elf_info info;
	const char *why = NULL;

	assert_int_equal(parse_img(im, &info, &why), -ENOEXEC);
	assert_non_null(why);
	assert_string_equal(why, reason);
}

static void expect_ok(const struct img *im, struct elf_info *info)
{
	const char *why = NULL;

	if (parse_img(im, info, &why) != 0)
		fail_msg("rejected: %s", why);
}

static void set_ph(struct img *im, unsigned i, uint32_t type, uint32_t flags,
		   uint64_t off, uint64_t vaddr, uint64_t filesz, uint64_t memsz,
		   uint64_t align)
{
	struct elf64_phdr ph = {
	    .p_type = type,
	    .p_flags = flags,
	    .p_offset = off,
	    .p_vaddr = vaddr,
	    .p_paddr = vaddr,
	    .p_filesz = filesz,
	    .p_memsz = memsz,
	    .p_align = align,
	};

	put_ph(im, i, &ph);
}

#define EDIT_EH(im, stmt)                                                                \
	do {                                                                             \
		struct elf64_ehdr eh_ = get_eh(im);                                      \
		eh_.stmt;                                                                \
		put_eh(im, &eh_);                                                        \
	} while (0)

#define EDIT_PH(im, i, stmt)                                                             \
	do {                                                                             \
		struct elf64_phdr ph_ = get_ph(im, i);                                   \
		ph_.stmt;                                                                \
		put_ph(im, i, &ph_);                                                     \
	} while (0)

static void test_base_image(void **state)
{
	struct img im;
	struct elf_info in;
	static const uint8_t id[20] = {[0 ... 19] = 0xab};

	img_base(&im);
	expect_ok(&im, &in);
	assert_int_equal(in.type, ET_EXEC);
	assert_int_equal(in.entry, BASE + 0x1010);
	assert_int_equal(in.phoff, 64);
	assert_int_equal(in.phnum, PH_COUNT);
	assert_int_equal(in.phentsize, 56);
	assert_int_equal(in.phdr_vaddr, BASE + 64);
	assert_int_equal(in.nseg, 3);
	assert_int_equal(in.seg[0].vaddr, BASE);
	assert_int_equal(in.seg[0].prot, ELF_PROT_R);
	assert_int_equal(in.seg[1].prot, ELF_PROT_R | ELF_PROT_X);
	assert_int_equal(in.seg[2].prot, ELF_PROT_R | ELF_PROT_W);
	assert_int_equal(in.seg[2].offset, 0x2000);
	assert_int_equal(in.seg[2].filesz, 0x100);
	assert_int_equal(in.seg[2].memsz, 0x3000);
	assert_int_equal(in.seg[2].align, 0x1000);
	assert_int_equal(in.lo, BASE);
	assert_int_equal(in.hi, BASE + 0x5000);
	assert_true(in.has_interp);
	assert_string_equal(in.interp, INTERP);
	assert_true(in.has_tls);
	assert_int_equal(in.tls_vaddr, BASE + 0x2000);
	assert_int_equal(in.tls_filesz, 0x10);
	assert_int_equal(in.tls_memsz, 0x40);
	assert_int_equal(in.tls_align, 16);
	assert_false(in.exec_stack);
	assert_true(in.has_relro);
	assert_int_equal(in.relro_vaddr, BASE + 0x2000);
	assert_int_equal(in.relro_memsz, 0x1000);
	assert_int_equal(in.build_id_len, 20);
	assert_memory_equal(in.build_id, id, 20);
}

static void test_base_image_truncated(void **state)
{
	struct img im;
	struct elf_info in;

	img_base(&im);
	for (size_t len = 0; len <= IMG_SIZE; len++) {
		const char *why = NULL;
		int r;

		im.size = len;
		r = parse_img(&im, &in, &why);
		if (len < 0x2100) {
			assert_int_equal(r, -ENOEXEC);
			assert_non_null(why);
		} else {
			assert_int_equal(r, 0);
		}
	}
}

static void test_any_alignment_and_null_why(void **state)
{
	struct img im;
	struct elf_info a, b;
	uint8_t *p = malloc(IMG_SIZE + 7);

	img_base(&im);
	expect_ok(&im, &a);
	for (int shift = 1; shift < 8; shift++) {
		memcpy(p + shift, im.b, IMG_SIZE);
		assert_int_equal(elf_parse(p + shift, IMG_SIZE, &b, NULL), 0);
		assert_int_equal(b.nseg, a.nseg);
		assert_int_equal(b.hi, a.hi);
		assert_string_equal(b.interp, a.interp);
	}
	free(p);
	EDIT_EH(&im, e_machine = 3);
	assert_int_equal(parse_img(&im, &a, NULL), -ENOEXEC);
}

/* -------------------------------------------------- ELF header rejections */

static void test_reject_not_elf(void **state)
{
	struct img im;

	img_base(&im);
	im.b[1] = 'X';
	expect_reason(&im, "not an ELF file");
	img_base(&im);
	im.size = 0;
	expect_reason(&im, "not an ELF file");
	im.size = 3;
	expect_reason(&im, "not an ELF file");
	im.size = 4;
	expect_reason(&im, "truncated ELF header");
	im.size = 63;
	expect_reason(&im, "truncated ELF header");
}

static void test_reject_ident(void **state)
{
	struct img im;
	struct elf_info in;

	img_base(&im);
	im.b[EI_CLASS] = ELFCLASS32;
	expect_reason(&im, "not a 64-bit ELF");
	img_base(&im);
	im.b[EI_DATA] = ELFDATA2MSB;
	expect_reason(&im, "not little-endian");
	img_base(&im);
	im.b[EI_VERSION] = 0;
	expect_reason(&im, "unsupported ELF identification version");
	img_base(&im);
	im.b[EI_OSABI] = 9; /* FreeBSD */
	expect_reason(&im, "unsupported OS ABI (not System V or GNU/Linux)");
	im.b[EI_OSABI] = ELFOSABI_GNU;
	expect_ok(&im, &in);
}

static void test_reject_ehdr_fields(void **state)
{
	struct img im;

	img_base(&im);
	EDIT_EH(&im, e_machine = 3 /* EM_386 */);
	expect_reason(&im, "not an x86-64 ELF");
	img_base(&im);
	EDIT_EH(&im, e_type = ET_REL);
	expect_reason(&im, "not an executable or shared object");
	EDIT_EH(&im, e_type = ET_CORE);
	expect_reason(&im, "not an executable or shared object");
	EDIT_EH(&im, e_type = ET_NONE);
	expect_reason(&im, "not an executable or shared object");
	img_base(&im);
	EDIT_EH(&im, e_version = 0);
	expect_reason(&im, "unsupported ELF version");
	img_base(&im);
	EDIT_EH(&im, e_ehsize = 52);
	expect_reason(&im, "bad ELF header size");
	img_base(&im);
	EDIT_EH(&im, e_phentsize = 32);
	expect_reason(&im, "bad program header entry size");
}

static void test_reject_phnum_phoff(void **state)
{
	struct img im;

	img_base(&im);
	EDIT_EH(&im, e_phnum = 0);
	expect_reason(&im, "no program headers");
	EDIT_EH(&im, e_phnum = PN_XNUM);
	expect_reason(&im, "extended program header count (PN_XNUM) not supported");
	EDIT_EH(&im, e_phnum = 129);
	expect_reason(&im, "too many program headers");
	img_base(&im);
	EDIT_EH(&im, e_phoff = IMG_SIZE - 56 * PH_COUNT + 1);
	expect_reason(&im, "truncated program headers");
	EDIT_EH(&im, e_phoff = UINT64_MAX - 100);
	expect_reason(&im, "truncated program headers");
	EDIT_EH(&im, e_phoff = IMG_SIZE);
	expect_reason(&im, "truncated program headers");
}

/* 128 program headers (the rest PT_NULL) are fine; the table may sit anywhere. */
static void test_accept_128_phdrs(void **state)
{
	struct img im;
	struct elf_info in;
	struct elf64_ehdr eh;

	img_base(&im);
	eh = get_eh(&im);
	memmove(im.b + 0x1000, im.b + 64, PH_COUNT * 56);
	memset(im.b + 64, 0, PH_COUNT * 56);
	eh.e_phoff = 0x1000;
	eh.e_phnum = 128;
	put_eh(&im, &eh);
	EDIT_PH(&im, PH_PHDR, p_type = PT_NULL);
	expect_ok(&im, &in);
	assert_int_equal(in.phnum, 128);
	assert_int_equal(in.nseg, 3);
	assert_int_equal(in.phdr_vaddr, 0); /* 0x1000 + 7168 > text's file bytes */
}

/* ------------------------------------------------------ PT_LOAD rejections */

static void test_reject_filesz_gt_memsz(void **state)
{
	struct img im;

	img_base(&im);
	EDIT_PH(&im, PH_LOAD1, p_memsz = 0xfff);
	expect_reason(&im, "segment 1 has a file size larger than its memory size");
	img_base(&im);
	EDIT_PH(&im, PH_LOAD0, p_memsz = 0);
	expect_reason(&im, "segment 0 has a file size larger than its memory size");
}

static void test_reject_bad_align(void **state)
{
	struct img im;
	struct elf_info in;

	img_base(&im);
	EDIT_PH(&im, PH_LOAD0, p_align = 0x3000);
	expect_reason(&im, "segment 0 has an alignment that is not a power of two");
	EDIT_PH(&im, PH_LOAD0, p_align = 0x200000);
	expect_ok(&im, &in);
	EDIT_PH(&im, PH_LOAD0, p_align = 0);
	expect_ok(&im, &in);
}

static void test_reject_past_eof(void **state)
{
	struct img im;

	img_base(&im);
	EDIT_PH(&im, PH_LOAD2, p_filesz = IMG_SIZE - 0x2000 + 1);
	expect_reason(&im, "segment 2 extends past the end of the file");
	img_base(&im);
	EDIT_PH(&im, PH_LOAD2, p_offset = UINT64_MAX - 0xfff);
	EDIT_PH(&im, PH_LOAD2, p_vaddr = BASE + 0x2000 - 0x1000); /* stay congruent */
	expect_reason(&im, "segment 2 extends past the end of the file");
	img_base(&im);
	EDIT_PH(&im, PH_LOAD2, p_offset = IMG_SIZE + 0x1000);
	EDIT_PH(&im, PH_LOAD2, p_filesz = 0);
	expect_reason(&im, "segment 2 extends past the end of the file");
}

static void test_reject_absurd_size(void **state)
{
	struct img im;

	img_base(&im);
	EDIT_PH(&im, PH_LOAD2, p_memsz = 1ULL << 46);
	expect_reason(&im, "segment 2 has an absurd size");
	EDIT_PH(&im, PH_LOAD2, p_memsz = UINT64_MAX);
	expect_reason(&im, "segment 2 has an absurd size");
}

static void test_reject_outside_user_range(void **state)
{
	struct img im;

	img_base(&im);
	/* The last page below ELF_USER_TOP is fine for a segment (the layout is
	 * then refused as a whole for its span)... */
	set_ph(&im, PH_LOAD2, PT_LOAD, PF_R | PF_W, 0x2000, ELF_USER_TOP - 0x1000, 0x100,
	       0x1000, 0x1000);
	expect_reason(&im, "segments span an absurd address range");
	/* ...one byte more is not. */
	set_ph(&im, PH_LOAD2, PT_LOAD, PF_R | PF_W, 0x2000, ELF_USER_TOP - 0x1000, 0x100,
	       0x1001, 0x1000);
	expect_reason(&im, "segment 2 lies outside the user address range");
	set_ph(&im, PH_LOAD2, PT_LOAD, PF_R | PF_W, 0x2000, 0xffff800000002000ULL, 0x100,
	       0x1000, 0x1000);
	expect_reason(&im, "segment 2 lies outside the user address range");
	set_ph(&im, PH_LOAD2, PT_LOAD, PF_R | PF_W, 0x2000, UINT64_MAX - 0xfff, 0x100,
	       0x1000, 0x1000);
	expect_reason(&im, "segment 2 lies outside the user address range");
}

static void test_reject_incongruent(void **state)
{
	struct img im;
	struct elf_info in;

	img_base(&im);
	EDIT_PH(&im, PH_LOAD1, p_offset = 0x1010);
	expect_reason(&im,
		      "segment 1 has address and file offset that differ modulo 4096");
	EDIT_PH(&im, PH_LOAD1, p_align = 16);
	expect_reason(&im,
		      "segment 1 has address and file offset that differ modulo 4096");
	/* Alignment 0 or 1 means "copy, don't map": no congruence needed. */
	EDIT_PH(&im, PH_LOAD1, p_align = 1);
	expect_ok(&im, &in);
	assert_int_equal(in.seg[1].offset, 0x1010);
	EDIT_PH(&im, PH_LOAD1, p_align = 0);
	expect_ok(&im, &in);
}

static void test_reject_wx(void **state)
{
	struct img im;

	img_base(&im);
	EDIT_PH(&im, PH_LOAD2, p_flags = PF_R | PF_W | PF_X);
	expect_reason(&im, "segment 2 is writable and executable");
	img_base(&im);
	EDIT_PH(&im, PH_LOAD1, p_flags = PF_W | PF_X);
	expect_reason(&im, "segment 1 is writable and executable");
}

static void test_reject_unsorted(void **state)
{
	struct img im;

	img_base(&im);
	EDIT_PH(&im, PH_LOAD2, p_vaddr = 0x302000);
	expect_reason(&im, "segment 2 starts below the segment before it");
	img_base(&im);
	EDIT_PH(&im, PH_LOAD1, p_vaddr = BASE - 0x10000 + 0x1000);
	expect_reason(&im, "segment 1 starts below the segment before it");
}

static void test_reject_overlap(void **state)
{
	struct img im;
	struct elf_info in;

	img_base(&im);
	EDIT_PH(&im, PH_LOAD2, p_vaddr = BASE + 0x1fff);
	EDIT_PH(&im, PH_LOAD2, p_offset = 0x1fff);
	expect_reason(&im, "segment 2 overlaps segment 1");
	/* Same start address. */
	img_base(&im);
	EDIT_PH(&im, PH_LOAD1, p_vaddr = BASE);
	EDIT_PH(&im, PH_LOAD1, p_offset = 0);
	expect_reason(&im, "segment 1 overlaps segment 0");
	/* Touching (end == next start) is not overlapping; sharing a page is fine. */
	img_base(&im);
	EDIT_PH(&im, PH_LOAD0, p_memsz = 0x800);
	EDIT_PH(&im, PH_LOAD0, p_filesz = 0x800);
	set_ph(&im, PH_LOAD1, PT_LOAD, PF_R | PF_X, 0x800, BASE + 0x800, 0x1800, 0x1800,
	       0x1000);
	expect_ok(&im, &in);
	assert_int_equal(in.seg[1].vaddr, BASE + 0x800);
}

static void test_empty_load_skipped(void **state)
{
	struct img im;
	struct elf_info in;

	img_base(&im);
	/* An empty PT_LOAD anywhere (even out of order) is ignored, not counted. */
	set_ph(&im, PH_OTHER, PT_LOAD, PF_R | PF_W | PF_X, 0x5000, 0x123, 0, 0, 0x3000);
	expect_ok(&im, &in);
	assert_int_equal(in.nseg, 3);
}

/* Images with n consecutive one-page PT_LOADs (n <= 17), headers in the first. */
static void img_many(struct img *im, unsigned n)
{
	struct elf64_ehdr eh;

	img_base(im);
	memset(im->b + 64, 0, PH_COUNT * 56);
	eh = get_eh(im);
	eh.e_phnum = 0;
	eh.e_entry = BASE + 0x1000;
	put_eh(im, &eh);
	for (unsigned i = 0; i < n; i++)
		add_ph(im, PT_LOAD, i == 1 ? PF_R | PF_X : PF_R, (i % 3) * 0x1000,
		       BASE + i * 0x1000, 0x100, 0x1000, 0x1000);
}

static void test_max_segments(void **state)
{
	struct img im;
	struct elf_info in;

	img_many(&im, 16);
	expect_ok(&im, &in);
	assert_int_equal(in.nseg, 16);
	assert_int_equal(in.hi, BASE + 0x10000);
	img_many(&im, 17);
	expect_reason(&im, "more than 16 loadable segments");
}

/* -------------------------------------------------- whole-layout rejections */

static void test_reject_no_loads(void **state)
{
	struct img im;

	img_base(&im);
	EDIT_PH(&im, PH_LOAD0, p_type = PT_NULL);
	EDIT_PH(&im, PH_LOAD1, p_type = PT_NULL);
	EDIT_PH(&im, PH_LOAD2, p_type = PT_NULL);
	expect_reason(&im, "no loadable segments");
}

static void test_reject_absurd_span(void **state)
{
	struct img im;

	img_base(&im);
	EDIT_PH(&im, PH_LOAD2, p_vaddr = 0x7ffff0002000ULL);
	expect_reason(&im, "segments span an absurd address range");
}

static void test_reject_exec_low(void **state)
{
	struct img im;
	struct elf_info in;

	img_base(&im);
	EDIT_PH(&im, PH_PHDR, p_type = PT_NULL);
	EDIT_PH(&im, PH_LOAD0, p_vaddr = 0xf000);
	expect_reason(&im, "fixed-address executable loads below 64 KiB");
	EDIT_PH(&im, PH_LOAD0, p_vaddr = 0);
	expect_reason(&im, "fixed-address executable loads below 64 KiB");
	/* A PIE may be linked at 0. */
	EDIT_EH(&im, e_type = ET_DYN);
	expect_ok(&im, &in);
	assert_int_equal(in.lo, 0);
	/* 0x10000 exactly is fine for ET_EXEC. */
	EDIT_EH(&im, e_type = ET_EXEC);
	EDIT_PH(&im, PH_LOAD0, p_vaddr = 0x10000);
	expect_ok(&im, &in);
	assert_int_equal(in.lo, 0x10000);
}

static void test_reject_entry(void **state)
{
	struct img im;
	struct elf_info in;

	img_base(&im);
	EDIT_EH(&im, e_entry = BASE + 0x10); /* readable, not executable */
	expect_reason(&im, "entry point outside executable segments");
	EDIT_EH(&im, e_entry = BASE + 0x2000); /* first byte of data */
	expect_reason(&im, "entry point outside executable segments");
	EDIT_EH(&im, e_entry = 0x900000);
	expect_reason(&im, "entry point outside executable segments");
	EDIT_EH(&im, e_entry = 0);
	expect_reason(&im, "entry point outside executable segments");
	EDIT_EH(&im, e_entry = BASE + 0x1fff); /* last byte of text */
	expect_ok(&im, &in);
	EDIT_EH(&im, e_entry = BASE + 0x1000);
	expect_ok(&im, &in);
}

/* An ET_DYN with e_entry 0 is a library (DT_NEEDED object, live patch). */
static void test_library_entry_zero(void **state)
{
	struct img im;
	struct elf_info in;

	img_base(&im);
	EDIT_EH(&im, e_type = ET_DYN);
	EDIT_EH(&im, e_entry = 0);
	expect_ok(&im, &in);
	assert_int_equal(in.entry, 0);
	EDIT_EH(&im, e_entry = BASE + 0x10);
	expect_reason(&im, "entry point outside executable segments");
}

/* ---------------------------------------------------------- PT_INTERP */

static void test_reject_interp(void **state)
{
	struct img im;

	img_base(&im);
	EDIT_PH(&im, PH_OTHER, p_type = PT_INTERP);
	expect_reason(&im, "more than one PT_INTERP segment");
	img_base(&im);
	EDIT_PH(&im, PH_INTERP, p_filesz = 1);
	expect_reason(&im, "interpreter path length out of range");
	EDIT_PH(&im, PH_INTERP, p_filesz = 256);
	expect_reason(&im, "interpreter path length out of range");
	EDIT_PH(&im, PH_INTERP, p_filesz = 0);
	expect_reason(&im, "interpreter path length out of range");
	img_base(&im);
	EDIT_PH(&im, PH_INTERP, p_offset = IMG_SIZE - 4);
	expect_reason(&im, "interpreter path extends past the end of the file");
	EDIT_PH(&im, PH_INTERP, p_offset = UINT64_MAX - 2);
	expect_reason(&im, "interpreter path extends past the end of the file");
	img_base(&im);
	EDIT_PH(&im, PH_INTERP, p_filesz = sizeof(INTERP) - 1);
	expect_reason(&im, "interpreter path not NUL-terminated");
	img_base(&im);
	im.b[INTERP_OFF + 4] = '\0';
	expect_reason(&im, "interpreter path contains a NUL byte");
}

static void test_interp_longest(void **state)
{
	struct img im;
	struct elf_info in;

	img_base(&im);
	memset(im.b + 0x1100, 'a', 254);
	im.b[0x1100] = '/';
	im.b[0x1100 + 254] = '\0';
	EDIT_PH(&im, PH_INTERP, p_offset = 0x1100);
	EDIT_PH(&im, PH_INTERP, p_filesz = 255);
	expect_ok(&im, &in);
	assert_int_equal(strlen(in.interp), 254);
}

/* ---------------------------------------------------------- PT_TLS */

static void test_reject_tls(void **state)
{
	struct img im;
	struct elf_info in;

	img_base(&im);
	EDIT_PH(&im, PH_OTHER, p_type = PT_TLS);
	expect_reason(&im, "more than one PT_TLS segment");
	img_base(&im);
	EDIT_PH(&im, PH_TLS, p_offset = IMG_SIZE - 8);
	expect_reason(&im, "TLS segment extends past the end of the file");
	img_base(&im);
	EDIT_PH(&im, PH_TLS, p_memsz = 8);
	expect_reason(&im, "TLS segment has a file size larger than its memory size");
	img_base(&im);
	EDIT_PH(&im, PH_TLS, p_align = 24);
	expect_reason(&im, "TLS alignment is not a power of two");
	img_base(&im);
	EDIT_PH(&im, PH_TLS, p_memsz = 1ULL << 50);
	expect_reason(&im, "TLS segment has an absurd size or alignment");
	img_base(&im);
	EDIT_PH(&im, PH_TLS, p_align = 1ULL << 63);
	expect_reason(&im, "TLS segment has an absurd size or alignment");
	img_base(&im);
	EDIT_PH(&im, PH_TLS, p_align = 0);
	expect_ok(&im, &in);
	assert_int_equal(in.tls_align, 1);
}

/* ---------------------------------------------------------- notes */

static void test_reject_notes(void **state)
{
	struct img im;

	img_base(&im);
	EDIT_PH(&im, PH_NOTE, p_offset = IMG_SIZE - 8);
	expect_reason(&im, "note segment extends past the end of the file");
	img_base(&im);
	put_note(&im, NOTE_OFF, 0xffffffff, 20, NT_GNU_BUILD_ID, "GNU", 0xab);
	expect_reason(&im, "malformed note (name past the end of its segment)");
	img_base(&im);
	put_note(&im, NOTE_OFF, 4, 21, NT_GNU_BUILD_ID, "GNU", 0xab);
	expect_reason(&im, "malformed note (descriptor past the end of its segment)");
	put_note(&im, NOTE_OFF, 4, 0xfffffff0, NT_GNU_BUILD_ID, "GNU", 0);
	expect_reason(&im, "malformed note (descriptor past the end of its segment)");
}

static void test_notes_variants(void **state)
{
	struct img im;
	struct elf_info in;

	/* Not owned by GNU: ignored. */
	img_base(&im);
	put_note(&im, NOTE_OFF, 4, 20, NT_GNU_BUILD_ID, "XYZ", 0xab);
	expect_ok(&im, &in);
	assert_int_equal(in.build_id_len, 0);
	/* Too long for build_id[]: ignored. */
	img_base(&im);
	put_note(&im, 0x600, 4, 65, NT_GNU_BUILD_ID, "GNU", 0xcd);
	EDIT_PH(&im, PH_NOTE, p_offset = 0x600);
	EDIT_PH(&im, PH_NOTE, p_filesz = 12 + 4 + 68);
	expect_ok(&im, &in);
	assert_int_equal(in.build_id_len, 0);
	/* Exactly 64 bytes: kept. */
	put_note(&im, 0x600, 4, 64, NT_GNU_BUILD_ID, "GNU", 0xcd);
	expect_ok(&im, &in);
	assert_int_equal(in.build_id_len, 64);
	assert_int_equal(in.build_id[63], 0xcd);
	/* Second note of a segment, and the last one's padding cut off. */
	img_base(&im);
	put_note(&im, 0x600, 4, 16, NT_GNU_ABI_TAG, "GNU", 0x11);
	put_note(&im, 0x600 + 32, 4, 3, NT_GNU_BUILD_ID, "GNU", 0x22);
	EDIT_PH(&im, PH_NOTE, p_offset = 0x600);
	EDIT_PH(&im, PH_NOTE, p_filesz = 32 + 12 + 4 + 3);
	expect_ok(&im, &in);
	assert_int_equal(in.build_id_len, 3);
	assert_int_equal(in.build_id[0], 0x22);
	/* 8-aligned note segment: the descriptor follows "GNU\0" at offset 16. */
	img_base(&im);
	put_note(&im, 0x600, 4, 16, NT_GNU_PROPERTY_TYPE_0, "GNU", 0x33);
	put_note(&im, 0x600 + 32, 4, 8, NT_GNU_BUILD_ID, "GNU", 0x44);
	EDIT_PH(&im, PH_NOTE, p_offset = 0x600);
	EDIT_PH(&im, PH_NOTE, p_filesz = 32 + 24);
	EDIT_PH(&im, PH_NOTE, p_align = 8);
	expect_ok(&im, &in);
	assert_int_equal(in.build_id_len, 8);
	assert_int_equal(in.build_id[7], 0x44);
	/* A second build ID does not replace the first. */
	img_base(&im);
	EDIT_PH(&im, PH_OTHER, p_type = PT_NOTE);
	EDIT_PH(&im, PH_OTHER, p_offset = 0x600);
	EDIT_PH(&im, PH_OTHER, p_filesz = NOTE_LEN);
	EDIT_PH(&im, PH_OTHER, p_align = 4);
	put_note(&im, 0x600, 4, 20, NT_GNU_BUILD_ID, "GNU", 0x55);
	expect_ok(&im, &in);
	assert_int_equal(in.build_id[0], 0xab);
	/* Trailing bytes shorter than a note header are padding. */
	img_base(&im);
	EDIT_PH(&im, PH_NOTE, p_filesz = NOTE_LEN + 11);
	expect_ok(&im, &in);
	assert_int_equal(in.build_id_len, 20);
}

/* ---------------------------------------------------- PT_PHDR, RELRO, stack */

static void test_phdr(void **state)
{
	struct img im;
	struct elf_info in;

	img_base(&im);
	EDIT_PH(&im, PH_OTHER, p_type = PT_PHDR);
	expect_reason(&im, "more than one PT_PHDR segment");
	img_base(&im);
	EDIT_PH(&im, PH_PHDR, p_vaddr = 0x900000);
	expect_reason(&im, "PT_PHDR is not inside a loadable segment");
	EDIT_PH(&im, PH_PHDR, p_vaddr = BASE + 0x1000 - 0x10); /* straddles 0 and 1 */
	expect_reason(&im, "PT_PHDR is not inside a loadable segment");
	/* Without PT_PHDR: found through the PT_LOAD holding e_phoff. */
	img_base(&im);
	EDIT_PH(&im, PH_PHDR, p_type = PT_NULL);
	expect_ok(&im, &in);
	assert_int_equal(in.phdr_vaddr, BASE + 64);
	/* ...and 0 when no PT_LOAD holds it. */
	EDIT_PH(&im, PH_LOAD0, p_offset = 0x1000);
	EDIT_PH(&im, PH_LOAD0, p_filesz = 0);
	expect_ok(&im, &in);
	assert_int_equal(in.phdr_vaddr, 0);
}

static void test_relro_and_stack(void **state)
{
	struct img im;
	struct elf_info in;

	img_base(&im);
	EDIT_PH(&im, PH_OTHER, p_type = PT_GNU_RELRO);
	expect_reason(&im, "more than one PT_GNU_RELRO segment");
	img_base(&im);
	EDIT_PH(&im, PH_RELRO, p_vaddr = 0x900000);
	expect_reason(&im, "RELRO region outside the loadable segments");
	EDIT_PH(&im, PH_RELRO, p_vaddr = BASE + 0x2000);
	EDIT_PH(&im, PH_RELRO, p_memsz = 0x3001);
	expect_reason(&im, "RELRO region outside the loadable segments");
	EDIT_PH(&im, PH_RELRO, p_memsz = UINT64_MAX);
	expect_reason(&im, "RELRO region outside the loadable segments");
	EDIT_PH(&im, PH_RELRO, p_memsz = 0); /* empty: as if absent */
	expect_ok(&im, &in);
	assert_false(in.has_relro);
	img_base(&im);
	EDIT_PH(&im, PH_STACK, p_flags = PF_R | PF_W | PF_X);
	expect_ok(&im, &in);
	assert_true(in.exec_stack);
	EDIT_PH(&im, PH_STACK, p_type = PT_NULL);
	expect_ok(&im, &in);
	assert_false(in.exec_stack);
}

/* ---------------------------------------------------------- main */

int main(void)
{
	static const struct CMUnitTest fixed[] = {
	    cmocka_unit_test(test_base_image),
	    cmocka_unit_test(test_base_image_truncated),
	    cmocka_unit_test(test_any_alignment_and_null_why),
	    cmocka_unit_test(test_reject_not_elf),
	    cmocka_unit_test(test_reject_ident),
	    cmocka_unit_test(test_reject_ehdr_fields),
	    cmocka_unit_test(test_reject_phnum_phoff),
	    cmocka_unit_test(test_accept_128_phdrs),
	    cmocka_unit_test(test_reject_filesz_gt_memsz),
	    cmocka_unit_test(test_reject_bad_align),
	    cmocka_unit_test(test_reject_past_eof),
	    cmocka_unit_test(test_reject_absurd_size),
	    cmocka_unit_test(test_reject_outside_user_range),
	    cmocka_unit_test(test_reject_incongruent),
	    cmocka_unit_test(test_reject_wx),
	    cmocka_unit_test(test_reject_unsorted),
	    cmocka_unit_test(test_reject_overlap),
	    cmocka_unit_test(test_empty_load_skipped),
	    cmocka_unit_test(test_max_segments),
	    cmocka_unit_test(test_reject_no_loads),
	    cmocka_unit_test(test_reject_absurd_span),
	    cmocka_unit_test(test_reject_exec_low),
	    cmocka_unit_test(test_reject_entry),
	    cmocka_unit_test(test_library_entry_zero),
	    cmocka_unit_test(test_reject_interp),
	    cmocka_unit_test(test_interp_longest),
	    cmocka_unit_test(test_reject_tls),
	    cmocka_unit_test(test_reject_notes),
	    cmocka_unit_test(test_notes_variants),
	    cmocka_unit_test(test_phdr),
	    cmocka_unit_test(test_relro_and_stack),
	};
	const size_t nfixed = sizeof(fixed) / sizeof(fixed[0]);
	struct CMUnitTest tests[sizeof(fixed) / sizeof(fixed[0]) + 2 * NEXPECT];
	size_t n = 0;

	for (size_t i = 0; i < nfixed; i++)
		tests[n++] = fixed[i];
	for (size_t i = 0; i < NEXPECT; i++) {
		tests[n++] = (struct CMUnitTest)cmocka_unit_test_prestate(
		    test_real_binary, (void *)&expects[i]);
		tests[n++] = (struct CMUnitTest)cmocka_unit_test_prestate(
		    test_real_binary_truncated, (void *)&expects[i]);
	}
	return _cmocka_run_group_tests("elf", tests, n, NULL, NULL);
}
