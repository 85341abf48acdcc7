/* SPDX-License-Identifier: MIT */
/* Virtio 1.x devices (kernel/drivers/virtio.c): the transport-neutral core --
 * device registry, status and feature negotiation, split virtqueues and one
 * synchronous request at a time.  Transports: virtio_mmio.c (microvm) and
 * virtio_pci.c (q35/pc, modern capabilities).  Device drivers (virtio_9p.c)
 * find their devices here; those that drive several queues themselves
 * (virtio_net.c, virtio_console.c) negotiate with virtio_negotiate and run
 * their queues with the virtq_ring helpers, so the ring code is written once. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <kern/wait.h>

#define VIRTIO_ID_9P 9

#define VIRTIO_STATUS_ACK	  1
#define VIRTIO_STATUS_DRIVER	  2
#define VIRTIO_STATUS_DRIVER_OK	  4
#define VIRTIO_STATUS_FEATURES_OK 8
#define VIRTIO_STATUS_FAILED	  128

#define VIRTIO_F_INDIRECT_DESC 28
#define VIRTIO_F_VERSION_1     32

struct virtio_dev;

#define VIRTQ_DESC_F_NEXT	   1
#define VIRTQ_DESC_F_WRITE	   2
#define VIRTQ_DESC_F_INDIRECT	   4
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1
#define VIRTQ_USED_F_NO_NOTIFY	   1

/* The split-ring layout (virtio 1.x, 2.7), shared by the core and the
 * drivers that fill their own descriptors. */
struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};
_Static_assert(sizeof(struct virtq_desc) == 16, "virtq_desc");

struct virtq_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[];
};

struct virtq_used_elem {
	uint32_t id;
	uint32_t len;
};

struct virtq_used {
	uint16_t flags;
	uint16_t idx;
	struct virtq_used_elem ring[];
};

/* What a transport provides.  Queue addresses are physical. */
struct virtio_transport {
	const char *name;
	uint8_t (*get_status)(struct virtio_dev *d);
	void (*set_status)(struct virtio_dev *d, uint8_t status); /* 0 resets */
	uint64_t (*get_features)(struct virtio_dev *d);
	void (*set_features)(struct virtio_dev *d, uint64_t features);
	/* largest size the device allows for queue q, 0 when there is no such queue */
	uint16_t (*queue_max)(struct virtio_dev *d, uint16_t q);
	int (*queue_setup)(struct virtio_dev *d, uint16_t q, uint16_t size, uint64_t desc,
			   uint64_t avail, uint64_t used);
	void (*notify)(struct virtio_dev *d, uint16_t q);
	/* device-specific configuration, byte by byte */
	uint8_t (*config_read8)(struct virtio_dev *d, uint32_t off);
	/* Interrupts (optional; the polled drivers never call these).  irq_setup
	 * delivers the device's used-buffer notifications to CPU vector `vector`
	 * for every queue set up after it; call it after FEATURES_OK and before
	 * queue_setup.  0 or -errno (no way to route the interrupt). */
	int (*irq_setup)(struct virtio_dev *d, unsigned vector);
	/* In the interrupt handler, before the EOI: acknowledges the device's
	 * interrupt so a level-triggered line drops. */
	void (*irq_ack)(struct virtio_dev *d);
};

struct virtq {
	uint16_t size;
	uint16_t index;
	struct virtq_desc *desc;
	struct virtq_avail *avail;
	struct virtq_used *used;
	uint16_t last_used;
	uint64_t indirect_pa; /* one page of descriptors (INDIRECT_DESC) */
	struct virtq_desc *indirect;
};

struct virtio_dev {
	const struct virtio_transport *t;
	void *priv; /* the transport's */
	uint32_t device_id;
	char where[32];	   /* "mmio@0xfeb00e00", "pci 00:03.0" */
	uint64_t features; /* negotiated */
	bool broken;	   /* reset after a failure: every request -EIO */
	bool claimed;	   /* a driver owns it */
	struct virtq vq;   /* drivers here use one queue (index 0) */
	struct virtio_dev *next;
};

/* Finds the virtio devices of every transport once (later calls return at
 * once).  May be called at boot before any process exists. */
void virtio_probe_all(void);
/* Registers a device found by a transport (kmalloc'd, owned by the registry). */
void virtio_register(struct virtio_dev *d);
/* The first unclaimed device of this type after `after` (NULL: from the start). */
struct virtio_dev *virtio_next(uint32_t device_id, struct virtio_dev *after);
/* Resets, negotiates VERSION_1 plus the wanted optional features, sets up
 * queue 0 with at most qmax entries and sets DRIVER_OK.  0 or -errno (the
 * device is left reset and FAILED). */
int virtio_init_dev(struct virtio_dev *d, uint64_t optional, uint16_t qmax);
/* One request on queue 0: out[0..outlen) for the device to read, in[0..incap)
 * for it to write (kernel virtual addresses, any alignment; split per page).
 * Waits for the answer: spins briefly, then sleeps in 1 ms steps so other
 * threads run.  0 with *inlen = bytes written, -EIO on a broken device or
 * after 10 s without an answer (the device is then reset for good).
 * One request at a time per device: the caller serialises. */
int virtio_transact(struct virtio_dev *d, const void *out, size_t outlen, void *in,
		    size_t incap, uint32_t *inlen);
/* Largest outlen or incap virtio_transact accepts for this device. */
size_t virtio_max_transfer(struct virtio_dev *d);

/* Negotiation alone, for drivers that set up their own queues: resets,
 * ACK, DRIVER, VERSION_1 plus the wanted optional features, FEATURES_OK.
 * 0, or -ENODEV with *why saying what the device refused; the caller then
 * resets the device its own way (and says so in its own words). */
int virtio_negotiate(struct virtio_dev *d, uint64_t optional, const char **why);

/* A driver's own split virtqueue (virtio_net.c, virtio_console.c): one of
 * several queues, buffers the driver's, descriptors filled by the driver,
 * completion read from guest memory.  Not for the core's queue 0 (d->vq). */
struct virtq_ring {
	uint16_t index, size;
	struct virtq_desc *desc;
	struct virtq_avail *avail;
	struct virtq_used *used;
	uint16_t avail_idx, last_used;
};

/* Allocates queue `index` (zeroed pages, size at most qmax and rounded down
 * to a multiple of `multiple`), writes avail_flags and hands it to the
 * device.  0, -ENOMEM, or -ENODEV (no such queue, too small, refused). */
int virtq_ring_init(struct virtio_dev *d, struct virtq_ring *q, uint16_t index,
		    uint16_t qmax, uint16_t multiple, uint16_t avail_flags);
/* Offers descriptor id to the device (seen after the next virtq_publish). */
void virtq_offer(struct virtq_ring *q, uint16_t id);
/* Publishes the offered ids and notifies the device unless it said not to. */
void virtq_publish(struct virtio_dev *d, struct virtq_ring *q);
/* true when the device has handed back a descriptor not yet taken. */
bool virtq_used_ready(struct virtq_ring *q);
/* The next used element; call only when virtq_used_ready(q). */
struct virtq_used_elem virtq_take_used(struct virtq_ring *q);

/* transports */
void virtio_mmio_probe(void);
void virtio_pci_probe(void);
