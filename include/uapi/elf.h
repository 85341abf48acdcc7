/* SPDX-License-Identifier: MIT */
/* ELF64 ABI for x86-64: the on-disk structures and the constants UniELF uses
 * (System V gABI, x86-64 psABI, Linux auxv numbers).  Structures are named
 * struct elf64_* so they never clash with a host <elf.h>; macros are spelled
 * token for token as glibc's <elf.h> and <bits/auxv.h> spell them, so portable
 * code compiled for the host may include both. */
#pragma once
#include <stdint.h>
#include <stddef.h>

/* ---------------------------------------------------------- identification */
#define EI_NIDENT     (16)
#define EI_MAG0	      0
#define EI_MAG1	      1
#define EI_MAG2	      2
#define EI_MAG3	      3
#define EI_CLASS      4
#define EI_DATA	      5
#define EI_VERSION    6
#define EI_OSABI      7
#define EI_ABIVERSION 8
#define EI_PAD	      9

#define ELFMAG0 0x7f
#define ELFMAG1 'E'
#define ELFMAG2 'L'
#define ELFMAG3 'F'
#define ELFMAG	"\177ELF"
#define SELFMAG 4

#define ELFCLASSNONE   0
#define ELFCLASS32     1
#define ELFCLASS64     2
#define ELFDATANONE    0
#define ELFDATA2LSB    1
#define ELFDATA2MSB    2
#define EV_NONE	       0
#define EV_CURRENT     1
#define ELFOSABI_NONE  0
#define ELFOSABI_SYSV  0
#define ELFOSABI_GNU   3
#define ELFOSABI_LINUX ELFOSABI_GNU

/* e_type */
#define ET_NONE 0
#define ET_REL	1
#define ET_EXEC 2
#define ET_DYN	3
#define ET_CORE 4

/* e_machine */
#define EM_X86_64 62

/* ---------------------------------------------------------- program headers */
#define PN_XNUM 0xffff

#define PT_NULL		0
#define PT_LOAD		1
#define PT_DYNAMIC	2
#define PT_INTERP	3
#define PT_NOTE		4
#define PT_SHLIB	5
#define PT_PHDR		6
#define PT_TLS		7
#define PT_LOOS		0x60000000
#define PT_GNU_EH_FRAME 0x6474e550
#define PT_GNU_STACK	0x6474e551
#define PT_GNU_RELRO	0x6474e552
#define PT_GNU_PROPERTY 0x6474e553
#define PT_HIOS		0x6fffffff
#define PT_LOPROC	0x70000000
#define PT_HIPROC	0x7fffffff

#define PF_X (1 << 0)
#define PF_W (1 << 1)
#define PF_R (1 << 2)

/* ---------------------------------------------------------- sections */
#define SHN_UNDEF  0
#define SHN_ABS	   0xfff1
#define SHN_COMMON 0xfff2
#define SHN_XINDEX 0xffff

#define SHT_NULL	  0
#define SHT_PROGBITS	  1
#define SHT_SYMTAB	  2
#define SHT_STRTAB	  3
#define SHT_RELA	  4
#define SHT_HASH	  5
#define SHT_DYNAMIC	  6
#define SHT_NOTE	  7
#define SHT_NOBITS	  8
#define SHT_REL		  9
#define SHT_SHLIB	  10
#define SHT_DYNSYM	  11
#define SHT_INIT_ARRAY	  14
#define SHT_FINI_ARRAY	  15
#define SHT_PREINIT_ARRAY 16
#define SHT_GROUP	  17
#define SHT_SYMTAB_SHNDX  18
#define SHT_RELR	  19
#define SHT_GNU_HASH	  0x6ffffff6
#define SHT_GNU_verdef	  0x6ffffffd
#define SHT_GNU_verneed	  0x6ffffffe
#define SHT_GNU_versym	  0x6fffffff

#define SHF_WRITE     (1 << 0)
#define SHF_ALLOC     (1 << 1)
#define SHF_EXECINSTR (1 << 2)
#define SHF_TLS	      (1 << 10)

/* ---------------------------------------------------------- symbols */
#define STB_LOCAL      0
#define STB_GLOBAL     1
#define STB_WEAK       2
#define STB_GNU_UNIQUE 10

#define STT_NOTYPE    0
#define STT_OBJECT    1
#define STT_FUNC      2
#define STT_SECTION   3
#define STT_FILE      4
#define STT_COMMON    5
#define STT_TLS	      6
#define STT_GNU_IFUNC 10

#define STV_DEFAULT   0
#define STV_INTERNAL  1
#define STV_HIDDEN    2
#define STV_PROTECTED 3

/* ---------------------------------------------------------- dynamic section */
#define DT_NULL		   0
#define DT_NEEDED	   1
#define DT_PLTRELSZ	   2
#define DT_PLTGOT	   3
#define DT_HASH		   4
#define DT_STRTAB	   5
#define DT_SYMTAB	   6
#define DT_RELA		   7
#define DT_RELASZ	   8
#define DT_RELAENT	   9
#define DT_STRSZ	   10
#define DT_SYMENT	   11
#define DT_INIT		   12
#define DT_FINI		   13
#define DT_SONAME	   14
#define DT_RPATH	   15
#define DT_SYMBOLIC	   16
#define DT_REL		   17
#define DT_RELSZ	   18
#define DT_RELENT	   19
#define DT_PLTREL	   20
#define DT_DEBUG	   21
#define DT_TEXTREL	   22
#define DT_JMPREL	   23
#define DT_BIND_NOW	   24
#define DT_INIT_ARRAY	   25
#define DT_FINI_ARRAY	   26
#define DT_INIT_ARRAYSZ	   27
#define DT_FINI_ARRAYSZ	   28
#define DT_RUNPATH	   29
#define DT_FLAGS	   30
#define DT_PREINIT_ARRAY   32
#define DT_PREINIT_ARRAYSZ 33
#define DT_RELRSZ	   35
#define DT_RELR		   36
#define DT_RELRENT	   37
#define DT_GNU_HASH	   0x6ffffef5
#define DT_VERSYM	   0x6ffffff0
#define DT_RELACOUNT	   0x6ffffff9
#define DT_RELCOUNT	   0x6ffffffa
#define DT_FLAGS_1	   0x6ffffffb
#define DT_VERDEF	   0x6ffffffc
#define DT_VERDEFNUM	   0x6ffffffd
#define DT_VERNEED	   0x6ffffffe
#define DT_VERNEEDNUM	   0x6fffffff

#define DF_ORIGIN     0x00000001
#define DF_SYMBOLIC   0x00000002
#define DF_TEXTREL    0x00000004
#define DF_BIND_NOW   0x00000008
#define DF_STATIC_TLS 0x00000010
#define DF_1_NOW      0x00000001
#define DF_1_PIE      0x08000000

/* ---------------------------------------------------------- x86-64 relocations */
#define R_X86_64_NONE		 0
#define R_X86_64_64		 1
#define R_X86_64_PC32		 2
#define R_X86_64_GOT32		 3
#define R_X86_64_PLT32		 4
#define R_X86_64_COPY		 5
#define R_X86_64_GLOB_DAT	 6
#define R_X86_64_JUMP_SLOT	 7
#define R_X86_64_RELATIVE	 8
#define R_X86_64_GOTPCREL	 9
#define R_X86_64_32		 10
#define R_X86_64_32S		 11
#define R_X86_64_16		 12
#define R_X86_64_PC16		 13
#define R_X86_64_8		 14
#define R_X86_64_PC8		 15
#define R_X86_64_DTPMOD64	 16
#define R_X86_64_DTPOFF64	 17
#define R_X86_64_TPOFF64	 18
#define R_X86_64_TLSGD		 19
#define R_X86_64_TLSLD		 20
#define R_X86_64_DTPOFF32	 21
#define R_X86_64_GOTTPOFF	 22
#define R_X86_64_TPOFF32	 23
#define R_X86_64_PC64		 24
#define R_X86_64_GOTOFF64	 25
#define R_X86_64_GOTPC32	 26
#define R_X86_64_SIZE32		 32
#define R_X86_64_SIZE64		 33
#define R_X86_64_GOTPC32_TLSDESC 34
#define R_X86_64_TLSDESC_CALL	 35
#define R_X86_64_TLSDESC	 36
#define R_X86_64_IRELATIVE	 37
#define R_X86_64_GOTPCRELX	 41
#define R_X86_64_REX_GOTPCRELX	 42

/* ---------------------------------------------------------- notes */
#define NT_GNU_ABI_TAG	       1
#define NT_GNU_BUILD_ID	       3
#define NT_GNU_PROPERTY_TYPE_0 5

/* ---------------------------------------------------------- auxiliary vector */
#define AT_NULL		     0
#define AT_IGNORE	     1
#define AT_EXECFD	     2
#define AT_PHDR		     3
#define AT_PHENT	     4
#define AT_PHNUM	     5
#define AT_PAGESZ	     6
#define AT_BASE		     7
#define AT_FLAGS	     8
#define AT_ENTRY	     9
#define AT_NOTELF	     10
#define AT_UID		     11
#define AT_EUID		     12
#define AT_GID		     13
#define AT_EGID		     14
#define AT_PLATFORM	     15
#define AT_HWCAP	     16
#define AT_CLKTCK	     17
#define AT_SECURE	     23
#define AT_BASE_PLATFORM     24
#define AT_RANDOM	     25
#define AT_HWCAP2	     26
#define AT_RSEQ_FEATURE_SIZE 27
#define AT_RSEQ_ALIGN	     28
#define AT_EXECFN	     31
#define AT_SYSINFO	     32
#define AT_SYSINFO_EHDR	     33
#define AT_MINSIGSTKSZ	     51

/* ---------------------------------------------------------- structures */
struct elf64_ehdr {
	unsigned char e_ident[EI_NIDENT];
	uint16_t e_type;
	uint16_t e_machine;
	uint32_t e_version;
	uint64_t e_entry;
	uint64_t e_phoff;
	uint64_t e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize;
	uint16_t e_phentsize;
	uint16_t e_phnum;
	uint16_t e_shentsize;
	uint16_t e_shnum;
	uint16_t e_shstrndx;
};

struct elf64_phdr {
	uint32_t p_type;
	uint32_t p_flags;
	uint64_t p_offset;
	uint64_t p_vaddr;
	uint64_t p_paddr;
	uint64_t p_filesz;
	uint64_t p_memsz;
	uint64_t p_align;
};

struct elf64_shdr {
	uint32_t sh_name;
	uint32_t sh_type;
	uint64_t sh_flags;
	uint64_t sh_addr;
	uint64_t sh_offset;
	uint64_t sh_size;
	uint32_t sh_link;
	uint32_t sh_info;
	uint64_t sh_addralign;
	uint64_t sh_entsize;
};

struct elf64_sym {
	uint32_t st_name;
	unsigned char st_info;
	unsigned char st_other;
	uint16_t st_shndx;
	uint64_t st_value;
	uint64_t st_size;
};

struct elf64_dyn {
	int64_t d_tag;
	uint64_t d_val; /* d_un: d_val and d_ptr share the word */
};

struct elf64_rela {
	uint64_t r_offset;
	uint64_t r_info;
	int64_t r_addend;
};

/* Note header; name and descriptor follow, each padded to the note alignment
 * (4, or 8 in a PT_NOTE whose p_align is 8). */
struct elf64_nhdr {
	uint32_t n_namesz;
	uint32_t n_descsz;
	uint32_t n_type;
};

struct elf64_auxv {
	uint64_t a_type;
	uint64_t a_val;
};

/* Field helpers (named in lower case so they never meet glibc's macros). */
static inline unsigned elf64_st_bind(unsigned char info)
{
	return info >> 4;
}
static inline unsigned elf64_st_type(unsigned char info)
{
	return info & 0xf;
}
static inline unsigned char elf64_st_info(unsigned bind, unsigned type)
{
	return (unsigned char)((bind << 4) | (type & 0xf));
}
static inline uint32_t elf64_r_sym(uint64_t info)
{
	return (uint32_t)(info >> 32);
}
static inline uint32_t elf64_r_type(uint64_t info)
{
	return (uint32_t)info;
}
static inline uint64_t elf64_r_info(uint32_t sym, uint32_t type)
{
	return ((uint64_t)sym << 32) | type;
}

_Static_assert(sizeof(struct elf64_ehdr) == 64, "elf64_ehdr size");
_Static_assert(offsetof(struct elf64_ehdr, e_type) == 16, "e_type");
_Static_assert(offsetof(struct elf64_ehdr, e_machine) == 18, "e_machine");
_Static_assert(offsetof(struct elf64_ehdr, e_version) == 20, "e_version");
_Static_assert(offsetof(struct elf64_ehdr, e_entry) == 24, "e_entry");
_Static_assert(offsetof(struct elf64_ehdr, e_phoff) == 32, "e_phoff");
_Static_assert(offsetof(struct elf64_ehdr, e_shoff) == 40, "e_shoff");
_Static_assert(offsetof(struct elf64_ehdr, e_flags) == 48, "e_flags");
_Static_assert(offsetof(struct elf64_ehdr, e_ehsize) == 52, "e_ehsize");
_Static_assert(offsetof(struct elf64_ehdr, e_phentsize) == 54, "e_phentsize");
_Static_assert(offsetof(struct elf64_ehdr, e_phnum) == 56, "e_phnum");
_Static_assert(offsetof(struct elf64_ehdr, e_shentsize) == 58, "e_shentsize");
_Static_assert(offsetof(struct elf64_ehdr, e_shnum) == 60, "e_shnum");
_Static_assert(offsetof(struct elf64_ehdr, e_shstrndx) == 62, "e_shstrndx");

_Static_assert(sizeof(struct elf64_phdr) == 56, "elf64_phdr size");
_Static_assert(offsetof(struct elf64_phdr, p_flags) == 4, "p_flags");
_Static_assert(offsetof(struct elf64_phdr, p_offset) == 8, "p_offset");
_Static_assert(offsetof(struct elf64_phdr, p_vaddr) == 16, "p_vaddr");
_Static_assert(offsetof(struct elf64_phdr, p_paddr) == 24, "p_paddr");
_Static_assert(offsetof(struct elf64_phdr, p_filesz) == 32, "p_filesz");
_Static_assert(offsetof(struct elf64_phdr, p_memsz) == 40, "p_memsz");
_Static_assert(offsetof(struct elf64_phdr, p_align) == 48, "p_align");

_Static_assert(sizeof(struct elf64_shdr) == 64, "elf64_shdr size");
_Static_assert(offsetof(struct elf64_shdr, sh_type) == 4, "sh_type");
_Static_assert(offsetof(struct elf64_shdr, sh_flags) == 8, "sh_flags");
_Static_assert(offsetof(struct elf64_shdr, sh_addr) == 16, "sh_addr");
_Static_assert(offsetof(struct elf64_shdr, sh_offset) == 24, "sh_offset");
_Static_assert(offsetof(struct elf64_shdr, sh_size) == 32, "sh_size");
_Static_assert(offsetof(struct elf64_shdr, sh_link) == 40, "sh_link");
_Static_assert(offsetof(struct elf64_shdr, sh_info) == 44, "sh_info");
_Static_assert(offsetof(struct elf64_shdr, sh_addralign) == 48, "sh_addralign");
_Static_assert(offsetof(struct elf64_shdr, sh_entsize) == 56, "sh_entsize");

_Static_assert(sizeof(struct elf64_sym) == 24, "elf64_sym size");
_Static_assert(offsetof(struct elf64_sym, st_info) == 4, "st_info");
_Static_assert(offsetof(struct elf64_sym, st_other) == 5, "st_other");
_Static_assert(offsetof(struct elf64_sym, st_shndx) == 6, "st_shndx");
_Static_assert(offsetof(struct elf64_sym, st_value) == 8, "st_value");
_Static_assert(offsetof(struct elf64_sym, st_size) == 16, "st_size");

_Static_assert(sizeof(struct elf64_dyn) == 16, "elf64_dyn size");
_Static_assert(offsetof(struct elf64_dyn, d_val) == 8, "d_val");

_Static_assert(sizeof(struct elf64_rela) == 24, "elf64_rela size");
_Static_assert(offsetof(struct elf64_rela, r_info) == 8, "r_info");
_Static_assert(offsetof(struct elf64_rela, r_addend) == 16, "r_addend");

_Static_assert(sizeof(struct elf64_nhdr) == 12, "elf64_nhdr size");
_Static_assert(offsetof(struct elf64_nhdr, n_descsz) == 4, "n_descsz");
_Static_assert(offsetof(struct elf64_nhdr, n_type) == 8, "n_type");

_Static_assert(sizeof(struct elf64_auxv) == 16, "elf64_auxv size");
