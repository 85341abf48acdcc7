// SPDX-License-Identifier: MIT
/*
 * Writes exactly 2 MiB of deterministic text to stdout in writes of varied sizes
 * (1 byte up to 64 KiB, so frames of every length are needed), and a smaller
 * stream to stderr interleaved with it.  The harness compares both byte for byte.
 */
#include "apptest.h"

#define OUT_TOTAL (2 << 20)

static char out[OUT_TOTAL];

int main(void)
{
	static const size_t sizes[] = {1,   7,	   4095, 4096, 4097,
				       100, 65536, 8191, 3,    12345};
	size_t pos = 0, lines = 0, k = 0, errbytes = 0;

	/* Lines of 64 bytes: "%08zu " and a rotating alphabet, newline-terminated. */
	for (size_t i = 0; i < OUT_TOTAL; i += 64) {
		int n = snprintf(out + i, 64, "%08zu ", i / 64);
		for (size_t j = (size_t)n; j < 63; j++)
			out[i + j] = (char)('!' + (i / 64 + j) % 94);
		out[i + 63] = '\n';
	}
	while (pos < OUT_TOTAL) {
		size_t n = sizes[k++ % (sizeof(sizes) / sizeof(sizes[0]))];
		char err[80];
		int elen;

		if (n > OUT_TOTAL - pos)
			n = OUT_TOTAL - pos;
		app_write_all(1, out + pos, n);
		pos += n;
		elen = snprintf(err, sizeof(err),
				"stderr line %zu after %zu stdout bytes\n", lines++, pos);
		app_write_all(2, err, (size_t)elen);
		errbytes += (size_t)elen;
	}
	fprintf(stderr, "done: %zu bytes on stdout, %zu on stderr before this line\n",
		pos, errbytes);
	return 0;
}
