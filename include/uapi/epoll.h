/* SPDX-License-Identifier: MIT */
/* Linux epoll, eventfd, timerfd and signalfd ABI: struct epoll_event (packed
 * on x86_64), the EPOLL* event bits and flags, the flags of eventfd, timerfd
 * and signalfd, struct itimerspec and struct signalfd_siginfo. */
#pragma once
#include <stdint.h>
#include <uapi/time.h>

/* The readiness bits are the POLL* ones (uapi/poll.h). */
#define EPOLLIN	       0x00000001u
#define EPOLLPRI       0x00000002u
#define EPOLLOUT       0x00000004u
#define EPOLLERR       0x00000008u
#define EPOLLHUP       0x00000010u
#define EPOLLNVAL      0x00000020u
#define EPOLLRDNORM    0x00000040u
#define EPOLLRDBAND    0x00000080u
#define EPOLLWRNORM    0x00000100u
#define EPOLLWRBAND    0x00000200u
#define EPOLLMSG       0x00000400u
#define EPOLLRDHUP     0x00002000u
#define EPOLLEXCLUSIVE (1u << 28)
#define EPOLLWAKEUP    (1u << 29)
#define EPOLLONESHOT   (1u << 30)
#define EPOLLET	       (1u << 31)

#define EPOLL_CTL_ADD 1
#define EPOLL_CTL_DEL 2
#define EPOLL_CTL_MOD 3

#define EPOLL_CLOEXEC 02000000

struct linux_epoll_event {
	uint32_t events;
	uint64_t data;
} __attribute__((packed));
_Static_assert(sizeof(struct linux_epoll_event) == 12, "epoll_event");
_Static_assert(__builtin_offsetof(struct linux_epoll_event, data) == 4,
	       "epoll_event.data");

#define EFD_SEMAPHORE 1
#define EFD_CLOEXEC   02000000
#define EFD_NONBLOCK  04000

#define TFD_CLOEXEC		02000000
#define TFD_NONBLOCK		04000
#define TFD_TIMER_ABSTIME	1
#define TFD_TIMER_CANCEL_ON_SET 2

struct linux_itimerspec {
	struct linux_timespec it_interval;
	struct linux_timespec it_value;
};
_Static_assert(sizeof(struct linux_itimerspec) == 32, "itimerspec");
_Static_assert(__builtin_offsetof(struct linux_itimerspec, it_value) == 16,
	       "itimerspec.it_value");

#define SFD_CLOEXEC  02000000
#define SFD_NONBLOCK 04000

struct linux_signalfd_siginfo {
	uint32_t ssi_signo;
	int32_t ssi_errno;
	int32_t ssi_code;
	uint32_t ssi_pid;
	uint32_t ssi_uid;
	int32_t ssi_fd;
	uint32_t ssi_tid;
	uint32_t ssi_band;
	uint32_t ssi_overrun;
	uint32_t ssi_trapno;
	int32_t ssi_status;
	int32_t ssi_int;
	uint64_t ssi_ptr;
	uint64_t ssi_utime;
	uint64_t ssi_stime;
	uint64_t ssi_addr;
	uint16_t ssi_addr_lsb;
	uint16_t pad2;
	int32_t ssi_syscall;
	uint64_t ssi_call_addr;
	uint32_t ssi_arch;
	uint8_t pad[28];
};
_Static_assert(sizeof(struct linux_signalfd_siginfo) == 128, "signalfd_siginfo");
_Static_assert(__builtin_offsetof(struct linux_signalfd_siginfo, ssi_ptr) == 48,
	       "ssi_ptr");
_Static_assert(__builtin_offsetof(struct linux_signalfd_siginfo, ssi_arch) == 96,
	       "ssi_arch");
