/* SPDX-License-Identifier: MIT */
/* Linux struct iovec and the vector limits. */
#pragma once
#include <stddef.h>
#include <stdint.h>

#define UIO_MAXIOV 1024

struct linux_iovec {
	uint64_t base;
	uint64_t len;
};
_Static_assert(sizeof(struct linux_iovec) == 16, "iovec");
_Static_assert(offsetof(struct linux_iovec, len) == 8, "iovec.len");
