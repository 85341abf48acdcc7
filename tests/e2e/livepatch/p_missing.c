// SPDX-License-Identifier: MIT
/* Refused: needs a symbol the program does not have. */
#include <unielf/livepatch.h>
extern long no_such_variable;
static long compute_bad(long x)
{
	return x + no_such_variable;
}
UNIELF_PATCH_FUNC(compute, compute_bad);
