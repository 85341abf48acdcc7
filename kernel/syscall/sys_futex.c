// SPDX-License-Identifier: MIT
/* futex: WAIT, WAKE (and their BITSET forms), REQUEUE, CMP_REQUEUE and WAKE_OP
 * on a hash of waiter lists keyed by address space and user address.  Private
 * and shared futexes are the same here: shared memory between processes is
 * only the vfork case, where the address space itself is shared. */
#include <kern/clock.h>
#include <kern/syscall.h>
#include <kern/uaccess.h>
#include <kern/wait.h>
#include <uapi/errno.h>
#include <uapi/time.h>
#include "proc/internal.h"

#define FUTEX_WAIT	     0
#define FUTEX_WAKE	     1
#define FUTEX_REQUEUE	     3
#define FUTEX_CMP_REQUEUE    4
#define FUTEX_WAKE_OP	     5
#define FUTEX_WAIT_BITSET    9
#define FUTEX_WAKE_BITSET    10
#define FUTEX_PRIVATE_FLAG   128
#define FUTEX_CLOCK_REALTIME 256
#define FUTEX_BUCKETS	     64

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

static long futex_wait(uint64_t addr, uint32_t val, unsigned long utimeout,
		       uint32_t bitset, bool absolute, bool realtime)
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
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 ||
		    ts.tv_nsec >= (int64_t)NSEC_PER_SEC)
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
	return r == -ETIMEDOUT ? -ETIMEDOUT : -ERESTARTSYS;
}

static long futex_wake(uint64_t addr, int n, uint32_t bitset)
{
	struct process *p = proc_current();
	struct list_head *b = bucket(p->mm, addr);
	struct futex_waiter *w, *tmp;
	int woken = 0;
	list_for_each_entry_safe(w, tmp, b, link)
	{
		if (woken >= n)
			break;
		if (w->mm != p->mm || w->addr != addr || !(w->bitset & bitset) ||
		    w->woken)
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
	list_for_each_entry_safe(w, tmp, bucket(mm, uaddr), link)
	{
		if (woken >= n)
			break;
		if (w->mm != mm || w->addr != uaddr || w->woken)
			continue;
		w->woken = true;
		thread_wake(w->t);
		woken++;
	}
}

/* Wakes up to n waiters on uaddr and moves up to n2 more to uaddr2. */
static long futex_requeue(uint64_t uaddr, int n, uint64_t uaddr2, int n2, bool cmp,
			  uint32_t val3)
{
	struct mm *mm = proc_current()->mm;
	if (cmp) {
		uint32_t cur;
		if (copy_from_user(&cur, uaddr, 4))
			return -EFAULT;
		if (cur != val3)
			return -EAGAIN;
	}
	if (n < 0 || n2 < 0)
		return -EINVAL;
	struct futex_waiter *w, *tmp;
	int woken = 0, moved = 0;
	list_for_each_entry_safe(w, tmp, bucket(mm, uaddr), link)
	{
		if (w->mm != mm || w->addr != uaddr || w->woken)
			continue;
		if (woken < n) {
			w->woken = true;
			thread_wake(w->t);
			woken++;
		} else if (moved < n2) {
			list_del(&w->link);
			w->addr = uaddr2;
			list_add_tail(&w->link, bucket(mm, uaddr2));
			moved++;
		} else {
			break;
		}
	}
	return woken + moved;
}

/* FUTEX_WAKE_OP: *uaddr2 = op(*uaddr2, oparg); wake uaddr; wake uaddr2 if cmp. */
static long futex_wake_op(uint64_t uaddr, int n, uint64_t uaddr2, int n2, uint32_t val3)
{
	unsigned op = (val3 >> 28) & 0xf, cmp = (val3 >> 24) & 0xf;
	int oparg = (int)((val3 >> 12) & 0xfff) << 20 >> 20;
	int cmparg = (int)(val3 & 0xfff) << 20 >> 20;
	if (op & 8) {
		op &= 7;
		oparg = 1 << (oparg & 31);
	}
	int old;
	if (copy_from_user(&old, uaddr2, 4))
		return -EFAULT;
	int nv;
	switch (op) {
	case 0:
		nv = oparg;
		break;
	case 1:
		nv = old + oparg;
		break;
	case 2:
		nv = old | oparg;
		break;
	case 3:
		nv = old & ~oparg;
		break;
	case 4:
		nv = old ^ oparg;
		break;
	default:
		return -ENOSYS;
	}
	if (copy_to_user(uaddr2, &nv, 4))
		return -EFAULT;
	long r = futex_wake(uaddr, n, ~0u);
	bool c;
	switch (cmp) {
	case 0:
		c = old == cmparg;
		break;
	case 1:
		c = old != cmparg;
		break;
	case 2:
		c = old < cmparg;
		break;
	case 3:
		c = old <= cmparg;
		break;
	case 4:
		c = old > cmparg;
		break;
	case 5:
		c = old >= cmparg;
		break;
	default:
		return -ENOSYS;
	}
	if (c)
		r += futex_wake(uaddr2, n2, ~0u);
	return r;
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
		return futex_wait(uaddr, val, timeout, val3, true,
				  op & FUTEX_CLOCK_REALTIME);
	case FUTEX_WAKE:
		return futex_wake(uaddr, (int)val, ~0u);
	case FUTEX_WAKE_BITSET:
		if (!val3)
			return -EINVAL;
		return futex_wake(uaddr, (int)val, val3);
	case FUTEX_REQUEUE:
		return futex_requeue(uaddr, (int)val, uaddr2, (int)timeout, false, 0);
	case FUTEX_CMP_REQUEUE:
		return futex_requeue(uaddr, (int)val, uaddr2, (int)timeout, true, val3);
	case FUTEX_WAKE_OP:
		return futex_wake_op(uaddr, (int)val, uaddr2, (int)timeout, val3);
	default:
		return -ENOSYS;
	}
}
SYSCALL_REGISTER(__NR_futex, sys_futex);
