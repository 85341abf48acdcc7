// SPDX-License-Identifier: MIT
/* poll, ppoll, select, pselect6: ask each file's poll op what would not
 * block, and if nothing is ready sleep in poll_wait_any() (woken by any wait
 * queue) until something is, a signal, or the monotonic deadline.  Remaining
 * time is written back as Linux does.  ppoll and pselect6 wait under the
 * caller's temporary signal mask (sigmask_temp_begin). */
#include <string.h>
#include <kern/clock.h>
#include <kern/heap.h>
#include <kern/syscall.h>
#include <kern/uaccess.h>
#include <kern/wait.h>
#include <uapi/errno.h>
#include <uapi/poll.h>
#include <uapi/select.h>
#include <uapi/time.h>
#include "fs/sysutil.h"
#include "proc/internal.h"

#define POLLIN_SET  (POLLIN | POLLRDNORM | POLLRDBAND | POLLHUP | POLLERR)
#define POLLOUT_SET (POLLOUT | POLLWRNORM | POLLWRBAND | POLLERR)
#define POLLEX_SET  (POLLPRI)

/* Deadlines: 0 waits for ever; NO_WAIT (a time long past) only looks once. */
#define NO_WAIT 1

static uint64_t ts_to_deadline(int64_t sec, int64_t nsec)
{
	if (sec == 0 && nsec == 0)
		return NO_WAIT;
	uint64_t now = clock_monotonic_ns();
	if ((uint64_t)sec > (UINT64_MAX - now) / NSEC_PER_SEC - 1)
		return 0;
	return now + (uint64_t)sec * NSEC_PER_SEC + (uint64_t)nsec;
}

/* Remaining time until deadline, for the write-back of select/ppoll. */
static void remaining(uint64_t deadline, int64_t *sec, int64_t *nsec)
{
	uint64_t now = clock_monotonic_ns();
	uint64_t left = deadline > now && deadline != NO_WAIT ? deadline - now : 0;
	*sec = (int64_t)(left / NSEC_PER_SEC);
	*nsec = (int64_t)(left % NSEC_PER_SEC);
}

static long do_poll(unsigned long ufds, unsigned int nfds, uint64_t deadline)
{
	if (nfds > FDTABLE_MAX)
		return -EINVAL;
	struct linux_pollfd *p = kmalloc(sizeof(*p) * (nfds ? nfds : 1));
	if (!p)
		return -ENOMEM;
	long r = 0;
	if (copy_from_user(p, ufds, sizeof(*p) * nfds)) {
		kfree(p);
		return -EFAULT;
	}
	bool last = false;
	for (;;) {
		long count = 0;
		for (unsigned int i = 0; i < nfds; i++) {
			p[i].revents = 0;
			if (p[i].fd < 0)
				continue;
			struct file *f = fd_file(p[i].fd);
			unsigned int m;
			if (!f)
				m = POLLNVAL;
			else if (f->flags & O_PATH)
				m = POLLNVAL;
			else
				m = vfs_poll(f) &
				    ((uint16_t)p[i].events | POLLERR | POLLHUP);
			p[i].revents = (int16_t)m;
			if (m)
				count++;
		}
		if (count || last || deadline == NO_WAIT) {
			r = count;
			break;
		}
		int w = poll_wait_any(deadline);
		if (w == -ETIMEDOUT)
			last = true; /* one more look, then 0 */
		else if (w) {
			r = -EINTR;
			break;
		}
	}
	if (r >= 0 && copy_to_user(ufds, p, sizeof(*p) * nfds))
		r = -EFAULT;
	kfree(p);
	return r;
}

long sys_poll(unsigned long ufds, unsigned int nfds, int timeout_ms)
{
	uint64_t deadline = 0;
	if (timeout_ms >= 0)
		deadline = ts_to_deadline(timeout_ms / 1000,
					  (int64_t)(timeout_ms % 1000) * 1000000);
	return do_poll(ufds, nfds, deadline);
}
SYSCALL_REGISTER(__NR_poll, sys_poll);

long sys_ppoll(unsigned long ufds, unsigned int nfds, unsigned long utsp,
	       unsigned long usigmask, size_t sigsetsize)
{
	uint64_t deadline = 0;
	struct linux_timespec ts;
	if (utsp) {
		if (copy_from_user(&ts, utsp, sizeof(ts)))
			return -EFAULT;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 ||
		    ts.tv_nsec >= (int64_t)NSEC_PER_SEC)
			return -EINVAL;
		deadline = ts_to_deadline(ts.tv_sec, ts.tv_nsec);
	}
	uint64_t old = 0;
	bool swapped;
	long r = sigmask_temp_begin(usigmask, sigsetsize, &old, &swapped);
	if (r)
		return r;
	r = do_poll(ufds, nfds, deadline);
	sigmask_temp_end(old, swapped, r == -EINTR);
	if (utsp && deadline) {
		remaining(deadline, &ts.tv_sec, &ts.tv_nsec);
		copy_to_user(utsp, &ts,
			     sizeof(ts)); /* Linux ignores a failure here too */
	}
	return r;
}
SYSCALL_REGISTER(__NR_ppoll, sys_ppoll);

static long do_select(int n, unsigned long uin, unsigned long uout, unsigned long uex,
		      uint64_t deadline)
{
	if (n < 0)
		return -EINVAL;
	if (n > LINUX_FD_SETSIZE)
		n = LINUX_FD_SETSIZE;
	size_t words = ((size_t)n + 63) / 64, bytes = words * 8;
	struct linux_fd_set in = {{0}}, out = {{0}}, ex = {{0}};
	struct linux_fd_set rin, rout, rex;
	if ((uin && copy_from_user(&in, uin, bytes)) ||
	    (uout && copy_from_user(&out, uout, bytes)) ||
	    (uex && copy_from_user(&ex, uex, bytes)))
		return -EFAULT;
	for (int fd = 0; fd < n; fd++) {
		unsigned long bit = 1UL << (fd % 64);
		int w = fd / 64;
		if (((in.fds_bits[w] | out.fds_bits[w] | ex.fds_bits[w]) & bit) &&
		    !fd_file(fd))
			return -EBADF;
	}
	bool last = false;
	long count;
	for (;;) {
		count = 0;
		memset(&rin, 0, sizeof(rin));
		memset(&rout, 0, sizeof(rout));
		memset(&rex, 0, sizeof(rex));
		for (int fd = 0; fd < n; fd++) {
			unsigned long bit = 1UL << (fd % 64);
			int w = fd / 64;
			if (!((in.fds_bits[w] | out.fds_bits[w] | ex.fds_bits[w]) & bit))
				continue;
			struct file *f = fd_file(fd);
			if (!f)
				return -EBADF;
			unsigned int m = vfs_poll(f);
			if ((in.fds_bits[w] & bit) && (m & POLLIN_SET)) {
				rin.fds_bits[w] |= bit;
				count++;
			}
			if ((out.fds_bits[w] & bit) && (m & POLLOUT_SET)) {
				rout.fds_bits[w] |= bit;
				count++;
			}
			if ((ex.fds_bits[w] & bit) && (m & POLLEX_SET)) {
				rex.fds_bits[w] |= bit;
				count++;
			}
		}
		if (count || last || deadline == NO_WAIT)
			break;
		int r = poll_wait_any(deadline);
		if (r == -ETIMEDOUT)
			last = true;
		else if (r)
			return -EINTR;
	}
	if ((uin && copy_to_user(uin, &rin, bytes)) ||
	    (uout && copy_to_user(uout, &rout, bytes)) ||
	    (uex && copy_to_user(uex, &rex, bytes)))
		return -EFAULT;
	return count;
}

long sys_select(int n, unsigned long uin, unsigned long uout, unsigned long uex,
		unsigned long utv)
{
	uint64_t deadline = 0;
	struct linux_timeval tv;
	if (utv) {
		if (copy_from_user(&tv, utv, sizeof(tv)))
			return -EFAULT;
		if (tv.tv_sec < 0 || tv.tv_usec < 0)
			return -EINVAL;
		/* Linux normalises large tv_usec rather than refusing it */
		int64_t sec = tv.tv_sec + tv.tv_usec / 1000000;
		deadline = ts_to_deadline(sec, (tv.tv_usec % 1000000) * 1000);
	}
	long r = do_select(n, uin, uout, uex, deadline);
	if (utv && deadline) {
		int64_t s, ns;
		remaining(deadline, &s, &ns);
		tv.tv_sec = s;
		tv.tv_usec = ns / 1000;
		copy_to_user(utv, &tv, sizeof(tv));
	}
	return r;
}
SYSCALL_REGISTER(__NR_select, sys_select);

long sys_pselect6(int n, unsigned long uin, unsigned long uout, unsigned long uex,
		  unsigned long utsp, unsigned long usig)
{
	uint64_t deadline = 0;
	struct linux_timespec ts;
	if (utsp) {
		if (copy_from_user(&ts, utsp, sizeof(ts)))
			return -EFAULT;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 ||
		    ts.tv_nsec >= (int64_t)NSEC_PER_SEC)
			return -EINVAL;
		deadline = ts_to_deadline(ts.tv_sec, ts.tv_nsec);
	}
	struct linux_pselect6_sig sig = {0};
	if (usig && copy_from_user(&sig, usig, sizeof(sig)))
		return -EFAULT;
	uint64_t old = 0;
	bool swapped;
	long r = sigmask_temp_begin(sig.ss, sig.ss_len, &old, &swapped);
	if (r)
		return r;
	r = do_select(n, uin, uout, uex, deadline);
	sigmask_temp_end(old, swapped, r == -EINTR);
	if (utsp && deadline) {
		remaining(deadline, &ts.tv_sec, &ts.tv_nsec);
		copy_to_user(utsp, &ts, sizeof(ts));
	}
	return r;
}
SYSCALL_REGISTER(__NR_pselect6, sys_pselect6);
