/* SPDX-License-Identifier: MIT */
/* Kernel timeouts (kernel/proc/timer.c): a callback run from the 1 kHz timer
 * tick once the monotonic clock reaches a deadline.  timerfd is built on
 * them; signal timers (alarm, setitimer, timer_create) live in timer.c too. */
#pragma once
#include <stdint.h>
#include <kern/list.h>

struct ktimeout {
	uint64_t expires; /* monotonic ns; 0 while not armed */
	/* Runs in the timer interrupt, once, after the timeout was disarmed: it
	 * may arm it again, wake wait queues, bump poll sequences; never sleep. */
	void (*fn)(struct ktimeout *t);
	struct list_head link;
};

/* (Re)arms t to fire at expires (monotonic ns, > 0; a time already past
 * fires at the next tick).  t->fn must be set.  Any context. */
void ktimeout_arm(struct ktimeout *t, uint64_t expires);
/* Disarms t if armed; afterwards t->fn will not run.  Any context. */
void ktimeout_cancel(struct ktimeout *t);
/* Holds timeout callbacks off (interrupts), for state a callback shares
 * with system calls; returns what ktimeout_unlock needs.  Never sleep inside. */
uint64_t ktimeout_lock(void);
void ktimeout_unlock(uint64_t flags);
