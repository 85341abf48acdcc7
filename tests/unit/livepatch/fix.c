// SPDX-License-Identifier: MIT
/* Fixture: a patch with a target, a static and a global new function, a
 * library-qualified record, a data reference and a call through the PLT. */
#include <stdio.h>
#include <unielf/livepatch.h>
extern long counter;
extern int weak_thing __attribute__((weak));
static long fixed_next(void)
{
	return ++counter + (&weak_thing ? 1 : 0);
}
int my_puts(const char *s)
{
	return printf("[patched] %s\n", s);
}
UNIELF_PATCH_TARGET("ABCDEF0123");
UNIELF_PATCH_FUNC(next_value, fixed_next);
UNIELF_PATCH_FUNC_EX("libc.so.6", puts, my_puts, UNIELF_PATCH_F_ACTIVE_OK);
