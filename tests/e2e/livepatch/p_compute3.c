// SPDX-License-Identifier: MIT
/* Stacks on p_compute2: compute returns x + 3. */
#include <unielf/livepatch.h>
long compute_v3(long x)
{
	return x + 3;
}
UNIELF_PATCH_FUNC(compute, compute_v3);
