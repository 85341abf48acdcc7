// SPDX-License-Identifier: MIT
/* compute returns x + 2 through glibc's strlen, an IFUNC: the kernel resolves
 * it to the variant the program's loader picked. */
#include <string.h>
#include <unielf/livepatch.h>
static const char *volatile two = "ab";
static long compute_strlen(long x)
{
	return x + (long)strlen(two);
}
UNIELF_PATCH_FUNC(compute, compute_strlen);
