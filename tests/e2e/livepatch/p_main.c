// SPDX-License-Identifier: MIT
/* Refused at the safe-point check: the main thread never leaves main. */
#include <unielf/livepatch.h>
static int main_v2(void)
{
	return 0;
}
UNIELF_PATCH_FUNC(main, main_v2);
