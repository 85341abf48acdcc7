/* SPDX-License-Identifier: MIT */
/* The kernel's own symbol table, generated at link time (scripts/ksyms.py), for
 * crash reports. */
#pragma once
#include <stdint.h>

struct ksym {
	uint64_t addr;
	const char *name;
};

/* Name of the function containing addr, with the offset; NULL if unknown. */
const char *ksym_lookup(uint64_t addr, uint64_t *offset);
