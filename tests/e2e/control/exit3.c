// SPDX-License-Identifier: MIT
/* A new version that fails at once: UPGRADE must roll back to the old program. */
#include <stdio.h>

int main(void)
{
	fputs("exit3: failing on purpose\n", stderr);
	return 3;
}
