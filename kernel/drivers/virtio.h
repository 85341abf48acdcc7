/* SPDX-License-Identifier: MIT */
/* Virtio 1.x devices (kernel/drivers/virtio.c): the transport-neutral core --
 * device registry, status and feature negotiation, split virtqueues and one
 * synchronous request at a time.  Transports: virtio_mmio.c (microvm) and
 * virtio_pci.c (q35/pc, modern capabilities).  Device drivers (virtio_9p.c)
 * find their devices here. */
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

/* transports */
void virtio_mmio_probe(void);
void virtio_pci_probe(void);
