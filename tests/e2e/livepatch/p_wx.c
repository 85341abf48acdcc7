// SPDX-License-Identifier: MIT
/* Refused: linked with -N, so its one segment is writable and executable. */
#include <unielf/livepatch.h>
long compute_wx(long x)
{
	return x + 2;
}
UNIELF_PATCH_FUNC(compute, compute_wx);
