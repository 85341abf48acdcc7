// SPDX-License-Identifier: MIT
/* virtio-9p: each device exports one host directory under a mount tag kept
 * in its configuration space (le16 length, then the bytes).  A request is one
 * descriptor chain: the T-message for the device to read, then room for the
 * R-message.  The 9P protocol itself is kernel/fs/p9_wire.c and 9p_client.c. */
#include <string.h>
#include <kern/clock.h>
#include <kern/heap.h>
#include <kern/proc.h>
#include <kern/printk.h>
#include <uapi/errno.h>
#include "drivers/virtio.h"
#include "drivers/virtio_9p.h"
#include "arch/x86_64/cpu.h"
#include "proc/internal.h"

#define VIRTIO_9P_MOUNT_TAG 0 /* feature: the tag is in the config space */

static struct virtio_9p *ready; /* initialised devices */

static struct virtio_9p *bring_up(struct virtio_dev *d)
{
	d->claimed = true;
	int r = virtio_init_dev(
	    d, (1ULL << VIRTIO_9P_MOUNT_TAG) | (1ULL << VIRTIO_F_INDIRECT_DESC), 256);
	if (r) {
		printk("virtio-9p: %s: cannot initialise (%d)", d->where, r);
		return NULL;
	}
	struct virtio_9p *v = kzalloc(sizeof(*v));
	if (!v)
		return NULL;
	v->vdev = d;
	waitq_init(&v->wq);
	unsigned len = d->t->config_read8(d, 0) | (unsigned)d->t->config_read8(d, 1) << 8;
	if (len >= sizeof(v->tag))
		len = sizeof(v->tag) - 1;
	for (unsigned i = 0; i < len; i++)
		v->tag[i] = (char)d->t->config_read8(d, 2 + i);
	v->tag[len] = 0;
	printk("virtio-9p: %s: tag \"%s\", queue %u%s", d->where, v->tag, d->vq.size,
	       (d->features & (1ULL << VIRTIO_F_INDIRECT_DESC)) ? ", indirect" : "");
	v->next = ready;
	ready = v;
	return v;
}

struct virtio_9p *virtio_9p_find(const char *tag)
{
	virtio_probe_all();
	for (struct virtio_dev *d = virtio_next(VIRTIO_ID_9P, NULL); d;
	     d = virtio_next(VIRTIO_ID_9P, d))
		bring_up(d);
	for (struct virtio_9p *v = ready; v; v = v->next)
		if (!strcmp(v->tag, tag))
			return v;
	return NULL;
}

int virtio_9p_rpc(struct virtio_9p *v, const void *req, size_t reqlen, void *resp,
		  size_t respcap, uint32_t *resplen)
{
	return virtio_transact(v->vdev, req, reqlen, resp, respcap, resplen);
}

size_t virtio_9p_max_msg(struct virtio_9p *v)
{
	return virtio_max_transfer(v->vdev);
}

void virtio_9p_lock(struct virtio_9p *v)
{
	while (v->busy && thread_current()) {
		uint64_t deadline = clock_monotonic_ns() + 10 * 1000 * 1000;
		if (waitq_sleep(&v->wq, deadline) == -ERESTARTSYS) {
			/* a signal is pending, so sleeping returns at once: let the
			 * holder run, and let the timer tick wake it */
			sched_yield_current();
			cpu_idle();
		}
	}
	v->busy = true;
}

void virtio_9p_unlock(struct virtio_9p *v)
{
	v->busy = false;
	if (thread_current())
		waitq_wake_all(&v->wq);
}
