// SPDX-License-Identifier: MIT
/* Symbol lookup for crash reports.  The table is weak and empty in the first
 * link; the build then generates the real one from `nm` (scripts/ksyms.py) and
 * links again, with the table in the last section so nothing else moves. */
#include <stddef.h>
#include "core/ksyms.h"

__attribute__((weak)) const struct ksym ksym_table[] = {{0, NULL}};
__attribute__((weak)) const unsigned long ksym_count = 0;

const char *ksym_lookup(uint64_t addr, uint64_t *offset)
{
	unsigned long lo = 0, hi = ksym_count;
	if (!hi || addr < ksym_table[0].addr)
		return NULL;
	while (hi - lo > 1) {
		unsigned long mid = (lo + hi) / 2;
		if (ksym_table[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	*offset = addr - ksym_table[lo].addr;
	return ksym_table[lo].name;
}
