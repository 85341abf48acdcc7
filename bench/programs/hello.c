// SPDX-License-Identifier: MIT
/* The program whose whole run is timed: a static hello.  Kept to one printf so
 * both guests do the same minimal work (exec, one write, exit). */
#include <stdio.h>

int main(void)
{
	printf("hello, world\n");
	return 0;
}
