// SPDX-License-Identifier: MIT
/*
 * Writes "out" to fd 1 and "err" to fd 2, each with write(2) and a newline, so the
 * harness can check that the two streams reach the host separately.
 */
#include "apptest.h"

int main(void)
{
	app_write_all(1, "out\n", 4);
	app_write_all(2, "err\n", 4);
	return 0;
}
