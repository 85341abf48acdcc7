/* SPDX-License-Identifier: MIT */
/* UniELF live patches: the manifest a patch shared object carries.
 *
 * A patch is an ordinary shared object built with plain gcc
 * (`gcc -shared -fPIC -O2 fix.c -o fix.so`).  Each macro below adds one record
 * to the section ".unielf.patch"; the kernel (kernel/live/patch.c) reads the
 * records from the file, resolving the new function's address through the
 * object's own relocations.  Format and checks: docs/livepatch.md.
 *
 *	#include <unielf/livepatch.h>
 *	extern long counter;                    // the program's variable (static ok)
 *	static long fixed_next(void) { return ++counter; }
 *	UNIELF_PATCH_TARGET("3f1c...");         // optional: the program's build-id
 *	UNIELF_PATCH_FUNC(next_value, fixed_next);
 *	UNIELF_PATCH_FUNC_IN("libc.so.6", puts, my_puts);
 */
#ifndef UNIELF_LIVEPATCH_H
#define UNIELF_LIVEPATCH_H

#define UNIELF_PATCH_SECTION ".unielf.patch"

/* Record magics: "UPF1" (a function), "UPT1" (the target's build-id). */
#define UNIELF_PATCH_MAGIC_FUNC	  0x31465055u
#define UNIELF_PATCH_MAGIC_TARGET 0x31545055u

/* Flags of a function record. */
/* Skip the "no thread is inside the old function" check for this function:
 * for functions that never return (a service's main loop).  Threads inside
 * keep running the old code; only new calls take the new one. */
#define UNIELF_PATCH_F_ACTIVE_OK 0x1u

/* Every record starts with this header; size counts the whole record and is a
 * multiple of 8. */
struct unielf_patch_hdr {
	unsigned int magic;
	unsigned int size;
	unsigned int flags;
	unsigned int name_len; /* old symbol name, NUL included */
};

#define UNIELF__CAT2(a, b) a##b
#define UNIELF__CAT(a, b)  UNIELF__CAT2(a, b)
#define UNIELF__ID(p)	   UNIELF__CAT(p, __COUNTER__)

/* Replaces the target's function `old` (a bare identifier: the symbol name in
 * the program's .symtab or .dynsym, or in the library lib when lib is not "")
 * by `new_fn` of this patch, with flags UNIELF_PATCH_F_*. */
#define UNIELF_PATCH_FUNC_EX(lib, old, new_fn, fl)                                       \
	UNIELF__FUNC(UNIELF__ID(unielf_patch_f_), lib, old, new_fn, fl)
#define UNIELF__FUNC(id, lib, old, new_fn, fl)                                           \
	__attribute__((used, section(UNIELF_PATCH_SECTION), aligned(8))) static struct { \
		struct unielf_patch_hdr h;                                               \
		void *fn;                                                                \
		char name[sizeof(#old)];                                                 \
		char lib_name[sizeof(lib)];                                              \
	} id = {{UNIELF_PATCH_MAGIC_FUNC, sizeof(id), (fl), sizeof(#old)},               \
		(void *)&new_fn,                                                         \
		#old,                                                                    \
		lib}

#define UNIELF_PATCH_FUNC(old, new_fn)		 UNIELF_PATCH_FUNC_EX("", old, new_fn, 0)
#define UNIELF_PATCH_FUNC_IN(lib, old, new_fn)	 UNIELF_PATCH_FUNC_EX(lib, old, new_fn, 0)
#define UNIELF_PATCH_FUNC_FLAGS(old, new_fn, fl) UNIELF_PATCH_FUNC_EX("", old, new_fn, fl)

/* The build-id (lowercase hex, as `readelf -n` or `file` print it) of the
 * program the patch was made for; the kernel refuses any other program. */
#define UNIELF_PATCH_TARGET(hex) UNIELF__TARGET(UNIELF__ID(unielf_patch_t_), hex)
#define UNIELF__TARGET(id, hex)                                                          \
	__attribute__((used, section(UNIELF_PATCH_SECTION), aligned(8))) static struct { \
		struct unielf_patch_hdr h;                                               \
		void *fn;                                                                \
		char hex_id[sizeof(hex)];                                                \
	} id = {{UNIELF_PATCH_MAGIC_TARGET, sizeof(id), 0, sizeof(hex)}, (void *)0, hex}

#endif
