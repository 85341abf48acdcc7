// SPDX-License-Identifier: MIT
/*
 * Exits with the status given in argv[1] (0..255), after saying so on stdout; the
 * harness runs it with 0, 1, 42 and 255 and compares the status the host sees.
 * argv[2] == "_exit" leaves through _exit(2) without flushing stdio.
 */
#include "apptest.h"

int main(int argc, char **argv)
{
	char *end;
	long status;

	CHECK(argc >= 2, "usage: exit_codes STATUS [_exit]");
	status = strtol(argv[1], &end, 10);
	CHECK(*argv[1] && !*end && status >= 0 && status <= 255, "bad status \"%s\"",
	      argv[1]);
	printf("exiting with status %ld\n", status);
	if (argc > 2 && !strcmp(argv[2], "_exit")) {
		fflush(stdout);
		_exit((int)status);
	}
	return (int)status;
}
