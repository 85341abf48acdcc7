// SPDX-License-Identifier: MIT
/* The main program of the control-channel measures (unielf spawn, unielf upgrade).
 * Built twice, with IDLE_VERSION 1 and 2, so an upgrade loads a different static
 * ELF.  It says which version it is and whether it was started by an upgrade
 * (UNIELF_UPGRADED=1), then waits on stdin: EOF ends it with status 0.  alarm()
 * ends it anyway after 120 s, so a lost runner cannot leave a VM behind. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#ifndef IDLE_VERSION
#define IDLE_VERSION 1
#endif

int main(void)
{
	const char *up = getenv("UNIELF_UPGRADED");
	char buf[256];

	alarm(120);
	printf("idle v%d ready upgraded=%s\n", IDLE_VERSION, up ? up : "0");
	fflush(stdout);
	while (read(0, buf, sizeof(buf)) > 0)
		;
	return 0;
}
