// SPDX-License-Identifier: MIT
/*
 * Reads stdin to end of file and prints the byte count, the number of newlines and
 * a 64-bit FNV-1a checksum; reads of several sizes, then checks that EOF stays EOF.
 */
#include "apptest.h"

int main(void)
{
	static unsigned char buf[65536];
	static const size_t sizes[] = {1, 4096, 65536, 100, 8192};
	unsigned long long sum = APP_FNV_INIT, bytes = 0, lines = 0, reads = 0;

	for (;;) {
		size_t want = sizes[reads++ % (sizeof(sizes) / sizeof(sizes[0]))];
		ssize_t n = read(0, buf, want);

		if (n < 0 && errno == EINTR)
			continue;
		CHECK(n >= 0, "read stdin");
		if (n == 0)
			break;
		CHECK((size_t)n <= want, "read returned more than asked");
		sum = app_fnv1a(sum, buf, (size_t)n);
		for (ssize_t i = 0; i < n; i++)
			lines += buf[i] == '\n';
		bytes += (unsigned long long)n;
	}
	CHECK(read(0, buf, sizeof(buf)) == 0, "read after EOF did not return 0 again");
	printf("bytes %llu lines %llu fnv1a %016llx\n", bytes, lines, sum);
	return 0;
}
