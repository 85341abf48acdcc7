// SPDX-License-Identifier: MIT
/*
 * Dereferences NULL with no signal handler installed: the process must die of
 * SIGSEGV, which the host sees as exit status 139 (128 + 11), natively and in UniELF.
 */
#include "apptest.h"

int main(void)
{
	volatile int *p = NULL;

	printf("about to dereference NULL\n");
	fflush(stdout);
	*p = 42;
	FAIL("still running after writing through NULL");
}
