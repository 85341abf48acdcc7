// SPDX-License-Identifier: MIT
/* Refused: tiny is 3 bytes, shorter than a jump. */
#include <unielf/livepatch.h>
static int tiny_v2(void)
{
	return 1;
}
UNIELF_PATCH_FUNC(tiny, tiny_v2);
