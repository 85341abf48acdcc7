// SPDX-License-Identifier: MIT
/*
 * The main thread's stack: recursion 6 MiB deep (Linux grows the stack on demand up
 * to RLIMIT_STACK, 8 MiB by default), a 1 MiB variable-length array, and the stack
 * keeping every frame's content on the way back up.
 */
#include "apptest.h"

#include <stdint.h>
#include <sys/resource.h>

#define FRAME 1024

static unsigned long depth_reached;

static unsigned long recurse(unsigned long depth, unsigned long limit)
{
	volatile unsigned char frame[FRAME];
	unsigned long sum;

	for (int i = 0; i < FRAME; i += 64)
		frame[i] = (unsigned char)(depth + i);
	if (depth == limit) {
		depth_reached = depth;
		return 0;
	}
	sum = recurse(depth + 1, limit);
	for (int i = 0; i < FRAME; i += 64)
		CHECK(frame[i] == (unsigned char)(depth + i), "frame %lu corrupted",
		      depth);
	return sum + frame[0];
}

static size_t vla(size_t n)
{
	volatile unsigned char buf[n];
	size_t sum = 0;

	for (size_t i = 0; i < n; i += 256)
		buf[i] = 1;
	for (size_t i = 0; i < n; i += 256)
		sum += buf[i];
	return sum;
}

int main(void)
{
	struct rlimit rl;
	unsigned long frames = (6UL << 20) / (FRAME + 64);

	CHECK_OK(getrlimit(RLIMIT_STACK, &rl));
	CHECK(rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= (8UL << 20),
	      "RLIMIT_STACK below 8 MiB");
	recurse(0, frames);
	CHECK(depth_reached == frames, "recursion stopped early");
	OK("recursion ~6 MiB deep (%lu frames), every frame intact", frames);
	CHECK(vla(1 << 20) == (1 << 20) / 256, "1 MiB VLA");
	OK("1 MiB variable-length array on the stack");
	return 0;
}
