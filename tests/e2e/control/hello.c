// SPDX-License-Identifier: MIT
/* Spawned next to the main program: prints one line naming its pid and args. */
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	printf("hello from spawn pid=%d arg=%s\n", (int)getpid(),
	       argc > 1 ? argv[1] : "-");
	return 0;
}
