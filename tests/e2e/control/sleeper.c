// SPDX-License-Identifier: MIT
/* Spawned and then killed: says it started, sleeps, and would say it woke. */
#include <stdio.h>
#include <unistd.h>

int main(void)
{
	printf("sleeper started pid=%d\n", (int)getpid());
	fflush(stdout);
	sleep(120);
	printf("sleeper woke\n");
	return 0;
}
