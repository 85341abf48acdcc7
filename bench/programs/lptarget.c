// SPDX-License-Identifier: MIT
/* Target of the live-patch measure (bench/run.py): every 20 ms prints
 * "lp value V" where V = compute(1) (1 unpatched, 2 with bench/programs/lpfix.c). */
#include <stdio.h>
#include <unistd.h>

__attribute__((noinline)) long compute(long x)
{
	volatile long acc = 0;
	for (int i = 0; i < 8; i++)
		acc += i;
	return x + (acc - 28);
}

int main(void)
{
	for (;;) {
		printf("lp value %ld\n", compute(1));
		fflush(stdout);
		usleep(20000);
	}
}
