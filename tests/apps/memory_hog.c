// SPDX-License-Identifier: MIT
/*
 * Touches memory until none is left.  Guest only (tests/e2e/cases.py runs it
 * with --mem 48): the kernel must end it with SIGKILL, as Linux's OOM killer
 * does, and stay up to report the status.  Never run it natively.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
	for (size_t mib = 0;; mib++) {
		char *p = malloc(1 << 20);
		if (!p) {
			printf("malloc failed after %zu MiB\n", mib);
			return 1;
		}
		memset(p, 1, 1 << 20);
	}
}
