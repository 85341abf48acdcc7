// SPDX-License-Identifier: MIT
/* virtio-console as a byte pipe: the first console device of either transport,
 * VERSION_1 without MULTIPORT, so port 0 alone on receiveq 0 and transmitq 1.
 * The receive queue stays stocked with one-page buffers (QEMU fills at most
 * 4 KiB per chardev read, one buffer or more each) that vcon_read drains and
 * hands back; vcon_write copies into a transmit area and waits for the device.
 * Completion is polled in guest memory, never on device registers.  The core
 * (registry, transports) is virtio.c; the user is kernel/live/control.c. */
#include <string.h>
#include <kern/clock.h>
#include <kern/compiler.h>
#include <kern/printk.h>
#include <kern/proc.h>
#include <kern/wait.h>
#include <uapi/errno.h>
#include "arch/x86_64/cpu.h"
#include "drivers/virtio.h"
#include "drivers/virtio_console.h"
#include "mm/mm_internal.h"

#define RXQ	 0
#define TXQ	 1
#define QMAX	 128 /* QEMU's virtio-serial queues have 128 entries */
#define TX_PAGES 16  /* one chain of up to 64 KiB */

#define SPIN_NS	   (2 * 1000 * 1000ULL)
#define TIMEOUT_NS (10 * NSEC_PER_SEC)

static struct virtio_dev *dev; /* initialised and not broken, or NULL */
static bool tried;
static struct virtq_ring rxq, txq;
static uint8_t *rx_page[QMAX];
static uint8_t *tx_page[TX_PAGES];
static uint64_t tx_pa[TX_PAGES];
/* the receive buffer being drained */
static bool cur_valid;
static uint16_t cur_id;
static uint32_t cur_len, cur_off;

static void fail(struct virtio_dev *d, const char *why)
{
	printk("virtio-console: %s: %s; device reset", d->where, why);
	d->t->set_status(d, 0);
	d->t->set_status(d, VIRTIO_STATUS_FAILED);
	d->broken = true;
	dev = NULL;
}

static int bring_up(struct virtio_dev *d)
{
	const struct virtio_transport *t = d->t;
	const char *why;
	d->claimed = true;
	/* no MULTIPORT: port 0 on queues 0 and 1, no control queues */
	if (virtio_negotiate(d, 0, &why)) {
		fail(d, why);
		return -ENODEV;
	}
	/* completion is polled */
	int r = virtq_ring_init(d, &rxq, RXQ, QMAX, 1, VIRTQ_AVAIL_F_NO_INTERRUPT);
	if (!r)
		r = virtq_ring_init(d, &txq, TXQ, QMAX, 1, VIRTQ_AVAIL_F_NO_INTERRUPT);
	for (unsigned i = 0; !r && i < TX_PAGES; i++) {
		tx_pa[i] = frame_alloc_nozero();
		tx_page[i] = tx_pa[i] ? phys_to_virt(tx_pa[i]) : NULL;
		if (!tx_pa[i])
			r = -ENOMEM;
	}
	for (uint16_t i = 0; !r && i < rxq.size; i++) {
		uint64_t pa = frame_alloc_nozero();
		if (!pa) {
			r = -ENOMEM;
			break;
		}
		rx_page[i] = phys_to_virt(pa);
		rxq.desc[i] = (struct virtq_desc){pa, PAGE_SIZE, VIRTQ_DESC_F_WRITE, 0};
		virtq_offer(&rxq, i);
	}
	if (r) {
		fail(d, r == -ENOMEM ? "out of memory for the queues"
				     : "queue setup refused");
		return r;
	}
	t->set_status(d, VIRTIO_STATUS_ACK | VIRTIO_STATUS_DRIVER |
			     VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
	dev = d;
	virtq_publish(d, &rxq);
	printk("virtio-console: %s: port 0, queues %u/%u", d->where, rxq.size, txq.size);
	return 0;
}

bool vcon_present(void)
{
	if (!tried) {
		tried = true;
		virtio_probe_all();
		struct virtio_dev *d = virtio_next(VIRTIO_ID_CONSOLE, NULL);
		if (d)
			bring_up(d);
	}
	return dev != NULL;
}

bool vcon_readable(void)
{
	return dev && (cur_valid || virtq_used_ready(&rxq));
}

long vcon_read(void *buf, size_t len)
{
	uint8_t *out = buf;
	size_t got = 0;
	bool offered = false;
	while (dev && got < len) {
		if (!cur_valid) {
			if (!virtq_used_ready(&rxq))
				break;
			struct virtq_used_elem e = virtq_take_used(&rxq);
			if (e.id >= rxq.size || e.len > PAGE_SIZE) {
				fail(dev, "bad used element on the receive queue");
				break;
			}
			cur_valid = true;
			cur_id = (uint16_t)e.id;
			cur_len = e.len;
			cur_off = 0;
		}
		size_t n = MIN(len - got, (size_t)(cur_len - cur_off));
		memcpy(out + got, rx_page[cur_id] + cur_off, n);
		got += n;
		cur_off += (uint32_t)n;
		if (cur_off == cur_len) {
			virtq_offer(&rxq, cur_id);
			cur_valid = false;
			offered = true;
		}
	}
	if (offered && dev)
		virtq_publish(dev, &rxq);
	return (long)got;
}

/* Waits for the transmit chain to come back: spin on guest memory briefly
 * (QEMU usually completes it within the notify), then sleep in 1 ms steps. */
static int tx_wait(void)
{
	uint64_t start = clock_monotonic_ns();
	while (!virtq_used_ready(&txq)) {
		uint64_t now = clock_monotonic_ns();
		if (now - start > TIMEOUT_NS) {
			fail(dev, "transmit not taken in 10 s");
			return -EIO;
		}
		if (now - start < SPIN_NS || !thread_current()) {
			cpu_relax();
			continue;
		}
		if (waitq_sleep(NULL, now + 1000000) == -ERESTARTSYS)
			cpu_idle();
	}
	__asm__ volatile("" ::: "memory");
	txq.last_used++;
	return 0;
}

int vcon_write(const void *buf, size_t len)
{
	const uint8_t *p = buf;
	while (len) {
		if (!dev)
			return -EIO;
		unsigned k = 0, chain = MIN(TX_PAGES, txq.size);
		while (len && k < chain) {
			size_t n = MIN(len, (size_t)PAGE_SIZE);
			memcpy(tx_page[k], p, n);
			txq.desc[k] = (struct virtq_desc){
			    tx_pa[k], (uint32_t)n, VIRTQ_DESC_F_NEXT, (uint16_t)(k + 1)};
			p += n;
			len -= n;
			k++;
		}
		txq.desc[k - 1].flags = 0;
		virtq_offer(&txq, 0);
		virtq_publish(dev, &txq);
		int r = tx_wait();
		if (r)
			return r;
	}
	return 0;
}

void vcon_wait(uint64_t deadline_ns)
{
	while (!vcon_readable()) {
		uint64_t now = clock_monotonic_ns();
		if (now >= deadline_ns)
			return;
		uint64_t step = now + 1000000;
		if (waitq_sleep(NULL, MIN(step, deadline_ns)) == -ERESTARTSYS)
			cpu_idle();
	}
}
