// SPDX-License-Identifier: MIT
/*
 * Writes 256 KiB to stdout covering every byte value in every position (NUL, CR, LF,
 * 0xff, escape bytes...), so any translation or loss on the way to the host shows.
 * The harness compares the bytes; the program itself only writes.
 */
#include "apptest.h"

int main(void)
{
	static unsigned char buf[256 << 10];

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)(i + (i >> 8) * 7);
	app_write_all(1, buf, 1);
	app_write_all(1, buf + 1, 2);
	app_write_all(1, buf + 3, sizeof(buf) - 3);
	return 0;
}
