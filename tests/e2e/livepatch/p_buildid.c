// SPDX-License-Identifier: MIT
/* Refused: made for another build of the program. */
#include <unielf/livepatch.h>
static long compute_other(long x)
{
	return x + 2;
}
UNIELF_PATCH_TARGET("0123456789abcdef0123456789abcdef01234567");
UNIELF_PATCH_FUNC(compute, compute_other);
