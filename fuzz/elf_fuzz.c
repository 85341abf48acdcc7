// SPDX-License-Identifier: MIT
/* libFuzzer target for kernel/loader/elf.c.  Besides memory errors (ASan,
 * UBSan), a wrong "accept" is a crash: when elf_parse() returns 0, every
 * promise of struct elf_info is checked here, independently of the parser. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uapi/elf.h"
#include "uapi/errno.h"
#include "loader/elf.h"

#define CHECK(cond)                                                                      \
	do {                                                                             \
		if (!(cond)) {                                                           \
			fprintf(stderr, "invariant failed: %s (%s:%d)\n", #cond,         \
				__FILE__, __LINE__);                                     \
			abort();                                                         \
		}                                                                        \
	} while (0)

static bool pow2_or_zero(uint64_t x)
{
	return (x & (x - 1)) == 0;
}

static bool inside(const struct elf_segment *s, uint64_t a)
{
	return a >= s->vaddr && a - s->vaddr < s->memsz;
}

static void check_accepted(const struct elf_info *in, size_t size)
{
	uint64_t end = 0;
	bool entry_ok;

	CHECK(in->type == ET_EXEC || in->type == ET_DYN);
	CHECK(in->phentsize == sizeof(struct elf64_phdr));
	CHECK(in->phnum >= 1 && in->phnum <= 128);
	CHECK(in->phoff <= size && (uint64_t)in->phnum * 56 <= size - in->phoff);
	CHECK(in->nseg >= 1 && in->nseg <= ELF_MAX_SEGS);

	for (unsigned i = 0; i < in->nseg; i++) {
		const struct elf_segment *s = &in->seg[i];

		CHECK(s->memsz > 0);
		CHECK(s->filesz <= s->memsz);
		CHECK(s->offset <= size && s->filesz <= size - s->offset);
		CHECK(s->vaddr < ELF_USER_TOP && s->memsz <= ELF_USER_TOP - s->vaddr);
		CHECK((s->prot & ~7u) == 0);
		CHECK((s->prot & (ELF_PROT_W | ELF_PROT_X)) != (ELF_PROT_W | ELF_PROT_X));
		CHECK(pow2_or_zero(s->align));
		CHECK(s->align <= 1 || ((s->vaddr - s->offset) & 4095) == 0);
		if (i > 0)
			CHECK(s->vaddr >= end); /* sorted and disjoint */
		end = s->vaddr + s->memsz;
	}

	CHECK((in->lo & 4095) == 0 && (in->hi & 4095) == 0);
	CHECK(in->lo <= in->seg[0].vaddr && in->seg[0].vaddr - in->lo < 4096);
	CHECK(in->hi >= end && in->hi - end < 4096);
	CHECK(in->lo < in->hi && in->hi <= ELF_USER_TOP);
	CHECK(in->hi - in->lo < ELF_MAX_SPAN);
	CHECK(in->type == ET_DYN || in->lo >= ELF_MIN_EXEC_VADDR);

	entry_ok = in->type == ET_DYN && in->entry == 0;
	for (unsigned i = 0; i < in->nseg; i++)
		if ((in->seg[i].prot & ELF_PROT_X) && inside(&in->seg[i], in->entry))
			entry_ok = true;
	CHECK(entry_ok);

	if (in->phdr_vaddr) {
		bool found = false;

		for (unsigned i = 0; i < in->nseg; i++)
			found |= inside(&in->seg[i], in->phdr_vaddr);
		CHECK(found);
	}
	if (in->has_interp) {
		size_t n = strnlen(in->interp, sizeof(in->interp));

		CHECK(n >= 1 && n <= 254);
	} else {
		CHECK(in->interp[0] == '\0');
	}
	if (in->has_tls) {
		CHECK(in->tls_filesz <= in->tls_memsz);
		CHECK(in->tls_align >= 1 && pow2_or_zero(in->tls_align));
	}
	if (in->has_relro) {
		CHECK(in->relro_vaddr >= in->lo && in->relro_vaddr < in->hi);
		CHECK(in->relro_memsz <= in->hi - in->relro_vaddr);
	}
	CHECK(in->build_id_len <= sizeof(in->build_id));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct elf_info a, b;
	const char *why = NULL, *why2 = NULL;
	uint8_t *odd;
	int r, r2;

	r = elf_parse(data, size, &a, &why);
	if (r != 0) {
		CHECK(r == -ENOEXEC);
		CHECK(why != NULL && why[0] != '\0' && strlen(why) < 100);
	} else {
		check_accepted(&a, size);
	}

	/* The answer must not depend on the buffer's alignment. */
	odd = malloc(size + 1);
	memcpy(odd + 1, data, size);
	r2 = elf_parse(odd + 1, size, &b, &why2);
	free(odd);
	CHECK(r2 == r);
	if (r == 0)
		CHECK(memcmp(&a, &b, sizeof(a)) == 0);
	else
		CHECK(why2 == why);
	return 0;
}
