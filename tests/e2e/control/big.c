// SPDX-License-Identifier: MIT
/* A static program padded to about 1.8 MB (1 MiB of data) of initialised data, to measure
 * how fast SPAWN carries a big binary over the control channel. */
#include <stdio.h>

#define PAD (1024 * 1024)
static const unsigned char pad[PAD] = {1, 2, 3};

int main(void)
{
	unsigned sum = 0;
	for (int i = 0; i < PAD; i += 4096)
		sum += pad[i];
	printf("big spawned sum=%u\n", sum);
	return 0;
}
