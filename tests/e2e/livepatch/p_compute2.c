// SPDX-License-Identifier: MIT
/* compute returns x + 2; touches the program's global counter. */
#include <unielf/livepatch.h>
extern long counter;
static long compute_v2(long x)
{
	counter++;
	return x + 2;
}
UNIELF_PATCH_FUNC(compute, compute_v2);
