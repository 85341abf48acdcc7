// SPDX-License-Identifier: MIT
/* Refused: replaces a function the program does not have. */
#include <unielf/livepatch.h>
static long f(long x)
{
	return x;
}
UNIELF_PATCH_FUNC(no_such_function, f);
