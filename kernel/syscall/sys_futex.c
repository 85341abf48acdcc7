// SPDX-License-Identifier: MIT
/* futex: WAIT and WAKE (with their BITSET forms) on a hash of wait queues keyed
 * by address space and user address.  The requeue and wake-op forms come with
 * threads. */
#include <kern/clock.h>
#include <kern/syscall.h>
#include <kern/uaccess.h>
#include <kern/wait.h>
#include <uapi/errno.h>
#include <uapi/time.h>
#include "proc/internal.h"

#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_WAIT_BITSET 9
#define FUTEX_WAKE_BITSET 10
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_CLOCK_REALTIME 256
#define FUTEX_BUCKETS 64

struct futex_waiter {
	struct mm *mm;
	uint64_t addr;
	uint32_t bitset;
	struct thread *t;
	bool woken;
	struct list_head link;
};

static struct list_head buckets[FUTEX_BUCKETS];
static bool buckets_ready;

static struct list_head *bucket(struct mm *mm, uint64_t addr)
{
	if (!buckets_ready) {
		for (int i = 0; i < FUTEX_BUCKETS; i++)
			list_init(&buckets[i]);
		buckets_ready = true;
	}
	return &buckets[((addr >> 2) ^ ((uint64_t)mm >> 6)) % FUTEX_BUCKETS];
}

static long futex_wait(uint64_t addr, uint32_t val, unsigned long utimeout, uint32_t bitset,
		       bool absolute, bool realtime)
{
	uint32_t cur;
	if (addr & 3)
		return -EINVAL;
	if (copy_from_user(&cur, addr, 4))
		return -EFAULT;
	if (cur != val)
		return -EAGAIN;
	uint64_t deadline = 0;
	if (utimeout) {
		struct linux_timespec ts;
		if (copy_from_user(&ts, utimeout, sizeof(ts)))
			return -EFAULT;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= (int64_t)NSEC_PER_SEC)
			return -EINVAL;
		uint64_t ns = ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
		uint64_t mono = clock_monotonic_ns();
		if (absolute) {
			uint64_t now = realtime ? clock_realtime_ns() : mono;
			deadline = ns > now ? mono + (ns - now) : mono;
		} else {
			deadline = mono + ns;
		}
		if (!deadline)
			deadline = 1;
	}
	struct process *p = proc_current();
	struct futex_waiter w = {p->mm, addr, bitset, thread_current(), false, {0}};
	list_add_tail(&w.link, bucket(p->mm, addr));
	struct waitq wq;
	waitq_init(&wq);
	int r = 0;
	while (!w.woken) {
		r = waitq_sleep(&wq, deadline);
		if (r)
			break;
	}
	list_del(&w.link);
	if (w.woken)
		return 0;
	return r == -ETIMEDOUT ? -ETIMEDOUT : -EINTR;
}

static long futex_wake(uint64_t addr, int n, uint32_t bitset)
{
	struct process *p = proc_current();
	struct list_head *b = bucket(p->mm, addr);
	struct futex_waiter *w, *tmp;
	int woken = 0;
	list_for_each_entry_safe(w, tmp, b, link) {
		if (woken >= n)
			break;
		if (w->mm != p->mm || w->addr != addr || !(w->bitset & bitset) || w->woken)
			continue;
		w->woken = true;
		thread_wake(w->t);
		woken++;
	}
	return woken;
}

void futex_wake_addr(struct mm *mm, uint64_t uaddr, int n)
{
	struct futex_waiter *w, *tmp;
	int woken = 0;
	list_for_each_entry_safe(w, tmp, bucket(mm, uaddr), link) {
		if (woken >= n)
			break;
		if (w->mm != mm || w->addr != uaddr || w->woken)
			continue;
		w->woken = true;
		thread_wake(w->t);
		woken++;
	}
}

long sys_futex(unsigned long uaddr, int op, uint32_t val, unsigned long timeout,
	       unsigned long uaddr2, uint32_t val3)
{
	int cmd = op & ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
	switch (cmd) {
	case FUTEX_WAIT:
		return futex_wait(uaddr, val, timeout, ~0u, false, false);
	case FUTEX_WAIT_BITSET:
		if (!val3)
			return -EINVAL;
		return futex_wait(uaddr, val, timeout, val3, true, op & FUTEX_CLOCK_REALTIME);
	case FUTEX_WAKE:
		return futex_wake(uaddr, (int)val, ~0u);
	case FUTEX_WAKE_BITSET:
		if (!val3)
			return -EINVAL;
		return futex_wake(uaddr, (int)val, val3);
	default:
		return -ENOSYS;
	}
}
SYSCALL_REGISTER(__NR_futex, sys_futex);
