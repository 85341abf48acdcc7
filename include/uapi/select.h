/* SPDX-License-Identifier: MIT */
/* Linux fd_set for select and pselect6. */
#pragma once
#include <stdint.h>

#define LINUX_FD_SETSIZE 1024

struct linux_fd_set {
	unsigned long fds_bits[LINUX_FD_SETSIZE / (8 * sizeof(unsigned long))];
};
_Static_assert(sizeof(struct linux_fd_set) == 128, "fd_set");

/* pselect6's sixth argument points to this pair. */
struct linux_pselect6_sig {
	uint64_t ss;
	uint64_t ss_len;
};
_Static_assert(sizeof(struct linux_pselect6_sig) == 16, "pselect6 sigmask");
