// SPDX-License-Identifier: MIT
/* The patch of the live-patch measure: compute returns x + 1. */
#include <unielf/livepatch.h>

static long compute_v2(long x)
{
	return x + 1;
}

UNIELF_PATCH_FUNC(compute, compute_v2);
