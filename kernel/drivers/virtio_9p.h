/* SPDX-License-Identifier: MIT */
/* virtio-9p devices (kernel/drivers/virtio_9p.c): find a share by its mount
 * tag and carry one 9P request/reply pair at a time.  The 9P client is
 * kernel/fs/9p_client.c. */
#pragma once
#include <stddef.h>
#include <stdint.h>

struct virtio_dev;

#include <stdbool.h>
#include <kern/wait.h>

struct virtio_9p {
	struct virtio_dev *vdev;
	char tag[64];
	bool busy; /* virtio_9p_lock */
	struct waitq wq;
	struct virtio_9p *next;
};

/* The device whose mount tag is tag (initialised on first use), or NULL. */
struct virtio_9p *virtio_9p_find(const char *tag);
/* Sends req[0..reqlen) and receives the reply into resp[0..respcap).
 * 0 with *resplen set, or -EIO (device broken or silent for 10 s). */
int virtio_9p_rpc(struct virtio_9p *v, const void *req, size_t reqlen, void *resp,
		  size_t respcap, uint32_t *resplen);
/* The largest message the transport carries in one direction. */
size_t virtio_9p_max_msg(struct virtio_9p *v);
/* Serialises the users of a device (the 9P client holds it from encoding a
 * request to decoding its reply, which may sleep).  Waits without a timeout
 * and ignores signals: the holder always finishes within 10 s. */
void virtio_9p_lock(struct virtio_9p *v);
void virtio_9p_unlock(struct virtio_9p *v);
