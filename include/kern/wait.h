/* SPDX-License-Identifier: MIT */
/* Wait queues (kernel/proc/wait.c).  The kernel runs on one CPU and is not
 * preempted while in a syscall, so the pattern is simply:
 *
 *	while (!condition) {
 *		int r = waitq_sleep(&wq, deadline_ns);
 *		if (r)
 *			return r;	// -ERESTARTSYS (signal pending) or -ETIMEDOUT
 *	}
 *
 * Spurious wake-ups are allowed; always re-check the condition. */
#pragma once
#include <stdint.h>
#include <kern/list.h>

struct waitq {
	struct list_head waiters;
};

#define WAITQ_INIT(name)                                                                 \
	{                                                                                \
		LIST_HEAD_INIT((name).waiters)                                           \
	}

void waitq_init(struct waitq *wq);
/* Sleeps the current thread until woken, until a signal is pending
 * (-ERESTARTSYS: the syscall layer turns it into -EINTR, or restarts the call
 * when the handler has SA_RESTART), or
 * until clock_monotonic_ns() >= deadline_ns (-ETIMEDOUT); deadline 0 = none.
 * Returns 0 when woken. */
int waitq_sleep(struct waitq *wq, uint64_t deadline_ns);
/* Wakes every sleeper on wq, and every poll_wait_any() sleeper. */
void waitq_wake_all(struct waitq *wq);
/* For poll/select/epoll: sleeps until any waitq anywhere is woken, a signal
 * (-EINTR, never restarted), or the deadline (-ETIMEDOUT). */
int poll_wait_any(uint64_t deadline_ns);

/* The poll clock: a counter that moves on every waitq_wake_all() and every
 * poll_seq_bump() (kern/poll.h).  Safe in any context. */
uint64_t poll_clock(void);
uint64_t poll_clock_advance(void);
/* poll_wait_any(), except that it returns 0 at once when the poll clock is no
 * longer `seen`: a waiter reads the clock, looks at its files, and sleeps only
 * if nothing woke in between (an interrupt, such as a timer, may have). */
int poll_wait_since(uint64_t seen, uint64_t deadline_ns);
