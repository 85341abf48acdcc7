// SPDX-License-Identifier: MIT
/* compute returns x + 2 after 2 s in a helper it tail-calls: a revert during
 * those 2 s finds no thread in compute_v2 itself (the revert goes ahead) but
 * one that will return into the patch (its pages must stay mapped until it
 * has). */
#include <unistd.h>
#include <unielf/livepatch.h>
__attribute__((noinline)) static long slow(long x)
{
	usleep(2000000);
	return x + 2;
}
static long compute_v2(long x)
{
	return slow(x); /* -O2: a jump (sibling call), no return address */
}
UNIELF_PATCH_FUNC(compute, compute_v2);
