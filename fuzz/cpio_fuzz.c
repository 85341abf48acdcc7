// SPDX-License-Identifier: MIT
/* libFuzzer target for kernel/fs/cpio.c: walks the input as an archive the
 * way the initrd unpacker does (across concatenated archives), checking after
 * every call that what cpio_next() promises holds and that it makes progress. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uapi/errno.h"
#include "fs/cpio.h"

#define CHECK(cond)                                                                      \
	do {                                                                             \
		if (!(cond)) {                                                           \
			fprintf(stderr, "invariant failed: %s (%s:%d)\n", #cond,         \
				__FILE__, __LINE__);                                     \
			abort();                                                         \
		}                                                                        \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *end = data + size;
	size_t off = 0;

	for (;;) {
		struct cpio_entry e;
		const char *why = NULL;
		size_t before = off;
		int r = cpio_next(data, size, &off, &e, &why);

		if (r < 0) {
			CHECK(r == -EINVAL);
			CHECK(why != NULL && why[0] != '\0');
			CHECK(off == before);
			break;
		}
		CHECK(r == 0 || r == 1);
		CHECK(off <= size);
		if (r == 0) {
			if (off == size)
				break;
			CHECK(off > before); /* a trailer was passed */
			continue;
		}
		CHECK(off > before);
		CHECK(off == size || off % 4 == 0);
		CHECK((const uint8_t *)e.name >= data + before + CPIO_HEADER_SIZE);
		CHECK((const uint8_t *)e.name + e.namelen < end);
		CHECK(e.name[e.namelen] == '\0');
		CHECK(strlen(e.name) == e.namelen);
		CHECK((const uint8_t *)e.data >= (const uint8_t *)e.name + e.namelen + 1);
		CHECK((const uint8_t *)e.data <= end);
		CHECK(e.size <= (size_t)(end - (const uint8_t *)e.data));
		CHECK((const uint8_t *)e.data + e.size <= data + off);
		if (e.size)
			CHECK(((const uint8_t *)e.data - data) % 4 == 0);
	}
	return 0;
}
