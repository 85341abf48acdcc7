/* SPDX-License-Identifier: MIT */
/* Finding what a dynamically linked program needs on the host: its ELF
 * interpreter (PT_INTERP) and its DT_NEEDED libraries, transitively. */
#pragma once
#include <stddef.h>

struct elfdeps {
	char **paths; /* host paths, interpreter first; as found (symlinks kept) */
	size_t n;
	char **missing; /* DT_NEEDED names found nowhere */
	size_t nmissing;
};

/* Fills @d for the ELF file at @exe, searching libraries like ld.so does:
 * DT_RPATH (when there is no DT_RUNPATH), DT_RUNPATH ($ORIGIN expanded), the
 * directories of /etc/ld.so.conf, then the default ones; only 64-bit x86_64
 * objects count.  A file that is not a dynamic x86_64 ELF has no dependencies.
 * Returns 0 or -errno (when @exe cannot be read). */
int elfdeps_collect(const char *exe, struct elfdeps *d);
void elfdeps_free(struct elfdeps *d);
