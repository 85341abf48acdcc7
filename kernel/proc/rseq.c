// SPDX-License-Identifier: MIT
/* Restartable sequences: a thread registers a struct rseq; the kernel keeps
 * its cpu fields (always CPU 0 here) and, when the thread was preempted or is
 * about to run a signal handler while inside a registered critical section,
 * moves it to the section's abort handler, as Linux does. */
#include <kern/syscall.h>
#include <kern/uaccess.h>
#include <uapi/errno.h>
#include "proc/internal.h"

#define RSEQ_FLAG_UNREGISTER 1
#define RSEQ_MIN_LEN	     32

struct rseq_cs_k {
	uint32_t version;
	uint32_t flags;
	uint64_t start_ip;
	uint64_t post_commit_offset;
	uint64_t abort_ip;
};

long sys_rseq(unsigned long urseq, uint32_t len, int flags, uint32_t sig)
{
	struct thread *t = thread_current();
	if (flags & RSEQ_FLAG_UNREGISTER) {
		if (flags & ~RSEQ_FLAG_UNREGISTER)
			return -EINVAL;
		if (t->rseq != urseq || t->rseq_len != len)
			return -EINVAL;
		if (t->rseq_sig != sig)
			return -EPERM;
		t->rseq = 0;
		return 0;
	}
	if (flags)
		return -EINVAL;
	if (t->rseq)
		return t->rseq == urseq && t->rseq_len == len ? -EBUSY : -EINVAL;
	if (len < RSEQ_MIN_LEN || (urseq & 31))
		return -EINVAL;
	uint32_t cpu[2] = {0, 0}; /* cpu_id_start, cpu_id */
	if (!access_ok(urseq, len) || copy_to_user(urseq, cpu, sizeof(cpu)))
		return -EFAULT;
	t->rseq = urseq;
	t->rseq_len = len;
	t->rseq_sig = sig;
	return 0;
}
SYSCALL_REGISTER(__NR_rseq, sys_rseq);

/* On the way to user mode after a preemption or before a signal handler. */
void rseq_fixup(struct thread *t, struct regs *r)
{
	t->rseq_preempted = false;
	if (!t->rseq)
		return;
	uint64_t cs_ptr;
	if (copy_from_user(&cs_ptr, t->rseq + 8, 8) || !cs_ptr)
		return;
	struct rseq_cs_k cs;
	if (copy_from_user(&cs, cs_ptr, sizeof(cs)))
		goto bad;
	if (r->rip - cs.start_ip >= cs.post_commit_offset)
		goto clear;
	uint32_t sig;
	if (cs.abort_ip - cs.start_ip < cs.post_commit_offset ||
	    copy_from_user(&sig, cs.abort_ip - 4, 4) || sig != t->rseq_sig)
		goto bad;
	r->rip = cs.abort_ip;
clear:
	cs_ptr = 0;
	copy_to_user(t->rseq + 8, &cs_ptr, 8);
	return;
bad:
	signal_send_thread(t, 11); /* SIGSEGV, as Linux does */
}
