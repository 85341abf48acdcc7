// SPDX-License-Identifier: MIT
/*
 * The initial process stack: argv and envp exactly as the harness gave them, and the
 * auxiliary vector after envp's NULL (page size, program headers, entry, AT_RANDOM,
 * AT_EXECFN, ids, AT_SECURE, AT_HWCAP, AT_CLKTCK, AT_PLATFORM, AT_MINSIGSTKSZ).
 * The harness runs it as: args_env_auxv alpha "two words" "" "tab<TAB>x" "ünï"
 * with E2E_MARK=unielf-e2e in the environment.
 */
#define _GNU_SOURCE
#include "apptest.h"

#include <elf.h>
#include <link.h>
#include <sys/auxv.h>

extern char **environ;
extern const ElfW(Ehdr) __ehdr_start;
extern void _start(void);

static const char *const want_args[] = {"alpha", "two words", "", "tab\tx",
					"\xc3\xbc\x6e\xc3\xaf"};
#define NWANT (sizeof(want_args) / sizeof(want_args[0]))

static ElfW(auxv_t) * auxv;

/* The raw auxv entry for type, or NULL when the kernel did not supply it. */
static ElfW(auxv_t) * aux_find(unsigned long type)
{
	for (ElfW(auxv_t) *a = auxv; a->a_type != AT_NULL; a++)
		if (a->a_type == type)
			return a;
	return NULL;
}

/* The value of a required entry, cross-checked with the libc's getauxval. */
static unsigned long aux_need(unsigned long type, const char *name)
{
	ElfW(auxv_t) *a = aux_find(type);

	CHECK(a, "%s missing from the auxiliary vector", name);
	/* glibc's getauxval(AT_HWCAP) reports its own idea of the CPU: not comparable. */
	CHECK(type == AT_HWCAP || getauxval(type) == a->a_un.a_val,
	      "getauxval(%s) disagrees with the stack", name);
	return a->a_un.a_val;
}

static void check_args(int argc, char **argv)
{
	CHECK(argc == (int)NWANT + 1,
	      "argc is %d, want %d (run with the harness arguments, see the header)",
	      argc, (int)NWANT + 1);
	CHECK(argv[0] && argv[0][0] == '/', "argv[0] is not an absolute path");
	for (size_t i = 0; i < NWANT; i++)
		CHECK(strcmp(argv[i + 1], want_args[i]) == 0, "argv[%zu] is \"%s\"",
		      i + 1, argv[i + 1]);
	CHECK(argv[argc] == NULL, "argv[argc] is not NULL");
	OK("argc %d, argv[1..%d] as given", argc, argc - 1);
}

static void check_env(char **envp)
{
	size_t n = 0, marks = 0;

	CHECK(envp == environ, "envp passed to main is not environ");
	for (char **e = envp; *e; e++, n++) {
		CHECK(strchr(*e, '='), "environment entry without '=': %s", *e);
		if (!strncmp(*e, "E2E_", 4)) {
			printf("env: %s\n", *e);
			marks++;
		}
	}
	CHECK(marks >= 1, "no E2E_ variable in the environment");
	CHECK(getenv("E2E_MARK") && !strcmp(getenv("E2E_MARK"), "unielf-e2e"),
	      "E2E_MARK is not unielf-e2e");
	CHECK(getenv("E2E_NO_SUCH_VARIABLE") == NULL, "getenv of a missing name");
	auxv = (ElfW(auxv_t) *)(envp + n + 1);
	OK("envp NULL-terminated, E2E_MARK visible, auxv follows envp");
}

static void check_auxv(char **argv)
{
	const ElfW(Ehdr) *eh = &__ehdr_start;
	const ElfW(Phdr) *ph = (const void *)((const char *)eh + eh->e_phoff);
	unsigned long phdr, phnum, entry, bias, rnd, execfn, plat;
	int has_interp = 0;

	CHECK(aux_need(AT_PAGESZ, "AT_PAGESZ") == 4096, "AT_PAGESZ is not 4096");
	OK("AT_PAGESZ 4096, getpagesize() %d", getpagesize());
	CHECK(sysconf(_SC_PAGESIZE) == 4096, "sysconf(_SC_PAGESIZE)");

	phdr = aux_need(AT_PHDR, "AT_PHDR");
	phnum = aux_need(AT_PHNUM, "AT_PHNUM");
	CHECK(aux_need(AT_PHENT, "AT_PHENT") == sizeof(ElfW(Phdr)), "AT_PHENT");
	CHECK(memcmp(eh->e_ident, ELFMAG, SELFMAG) == 0,
	      "__ehdr_start is not an ELF header");
	CHECK(phdr == (unsigned long)ph, "AT_PHDR does not point at the program headers");
	CHECK(phnum == eh->e_phnum, "AT_PHNUM %lu, ELF header says %u", phnum,
	      (unsigned)eh->e_phnum);
	OK("AT_PHDR/AT_PHENT/AT_PHNUM match the ELF header");

	entry = aux_need(AT_ENTRY, "AT_ENTRY");
	CHECK(entry == (unsigned long)&_start, "AT_ENTRY is not _start");
	OK("AT_ENTRY is _start");

	/* The load bias (0 unless PIE) must place every header where the file says. */
	bias = entry - eh->e_entry;
	for (unsigned long i = 0; i < phnum; i++) {
		if (ph[i].p_type == PT_INTERP)
			has_interp = 1;
		if (ph[i].p_type == PT_PHDR)
			CHECK(ph[i].p_vaddr + bias == phdr,
			      "PT_PHDR disagrees with AT_PHDR");
		if (ph[i].p_type == PT_LOAD && ph[i].p_offset == 0)
			CHECK(ph[i].p_vaddr + bias == (unsigned long)eh,
			      "first PT_LOAD is not where the ELF header is");
	}
	OK("PT_PHDR and PT_LOAD consistent with AT_ENTRY's load bias");

	if (!has_interp) {
		ElfW(auxv_t) *base = aux_find(AT_BASE);
		CHECK(!base || base->a_un.a_val == 0,
		      "AT_BASE non-zero without PT_INTERP");
		OK("no interpreter, AT_BASE absent or 0");
	}

	rnd = aux_need(AT_RANDOM, "AT_RANDOM");
	{
		const volatile unsigned char *r = (const void *)rnd;
		unsigned nonzero = 0;
		for (int i = 0; i < 16; i++)
			nonzero |= r[i];
		CHECK(nonzero, "AT_RANDOM's 16 bytes are all zero");
	}
	OK("AT_RANDOM 16 bytes readable, not all zero");

	execfn = aux_need(AT_EXECFN, "AT_EXECFN");
	CHECK(strcmp((const char *)execfn, argv[0]) == 0,
	      "AT_EXECFN \"%s\" is not argv[0]", (const char *)execfn);
	OK("AT_EXECFN equals argv[0]");

	CHECK(aux_need(AT_UID, "AT_UID") == getuid(), "AT_UID != getuid()");
	CHECK(aux_need(AT_EUID, "AT_EUID") == geteuid(), "AT_EUID != geteuid()");
	CHECK(aux_need(AT_GID, "AT_GID") == getgid(), "AT_GID != getgid()");
	CHECK(aux_need(AT_EGID, "AT_EGID") == getegid(), "AT_EGID != getegid()");
	OK("AT_UID/AT_EUID/AT_GID/AT_EGID equal getuid()/geteuid()/getgid()/getegid()");

	CHECK(aux_need(AT_SECURE, "AT_SECURE") == 0, "AT_SECURE is not 0");
	OK("AT_SECURE 0");
	aux_need(AT_HWCAP, "AT_HWCAP");
	OK("AT_HWCAP present");
	CHECK(aux_need(AT_CLKTCK, "AT_CLKTCK") == 100, "AT_CLKTCK is not 100");
	CHECK(sysconf(_SC_CLK_TCK) == 100, "sysconf(_SC_CLK_TCK)");
	OK("AT_CLKTCK 100");
	plat = aux_need(AT_PLATFORM, "AT_PLATFORM");
	CHECK(strcmp((const char *)plat, "x86_64") == 0, "AT_PLATFORM is \"%s\"",
	      (const char *)plat);
	OK("AT_PLATFORM x86_64");
#ifdef AT_MINSIGSTKSZ
	CHECK(aux_need(AT_MINSIGSTKSZ, "AT_MINSIGSTKSZ") >= 1024,
	      "AT_MINSIGSTKSZ too small");
	OK("AT_MINSIGSTKSZ present");
#endif
	CHECK(getauxval(0x7fff) == 0 && errno == ENOENT, "getauxval of an unknown type");
	OK("getauxval(unknown) is 0/ENOENT");
}

int main(int argc, char **argv, char **envp)
{
	check_args(argc, argv);
	check_env(envp);
	check_auxv(argv);
	return 0;
}
