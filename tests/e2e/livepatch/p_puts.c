// SPDX-License-Identifier: MIT
/* Replaces libc's puts (called by the program through its PLT). */
#include <stdio.h>
#include <unielf/livepatch.h>
static int my_puts(const char *s)
{
	return printf("[patched] %s\n", s);
}
UNIELF_PATCH_FUNC_IN("libc.so.6", puts, my_puts);
