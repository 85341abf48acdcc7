// SPDX-License-Identifier: MIT
/* One patch for a function of the program and one of libc.so.6, which lie
 * further apart than a rel32 jump reaches: one of them goes through a
 * trampoline page. */
#include <stdio.h>
#include <unielf/livepatch.h>
static long compute_both(long x)
{
	return x + 2;
}
static int puts_both(const char *s)
{
	return printf("[both] %s\n", s);
}
UNIELF_PATCH_FUNC(compute, compute_both);
UNIELF_PATCH_FUNC_IN("libc.so.6", puts, puts_both);
