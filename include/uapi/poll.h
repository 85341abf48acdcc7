/* SPDX-License-Identifier: MIT */
/* Linux poll events and struct pollfd. */
#pragma once
#include <stdint.h>

#define POLLIN	   0x001
#define POLLPRI	   0x002
#define POLLOUT	   0x004
#define POLLERR	   0x008
#define POLLHUP	   0x010
#define POLLNVAL   0x020
#define POLLRDNORM 0x040
#define POLLRDBAND 0x080
#define POLLWRNORM 0x100
#define POLLWRBAND 0x200
#define POLLMSG	   0x400
#define POLLRDHUP  0x2000

struct linux_pollfd {
	int32_t fd;
	int16_t events;
	int16_t revents;
};
_Static_assert(sizeof(struct linux_pollfd) == 8, "pollfd");
_Static_assert(__builtin_offsetof(struct linux_pollfd, revents) == 6, "pollfd.revents");
