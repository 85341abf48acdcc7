// SPDX-License-Identifier: MIT
/* virtio-net, interrupt driven, for lwIP.  The first network device of either
 * transport is negotiated with VERSION_1 and MAC only (no checksum or
 * segmentation offload: QEMU's user network offers none, so every header this
 * driver sends and receives is the 12-byte virtio_net_hdr with nothing in it).
 * Receive queue 0 stays stocked with 2 KiB buffers, one per descriptor; the
 * interrupt handler only acknowledges the device and kicks the net thread,
 * whose poller copies each received frame into a pbuf for eth0 and hands the
 * buffer straight back.  Transmit (queue 1) copies a frame into one of as
 * many 2 KiB buffers as the queue has entries and never waits: finished
 * buffers are reclaimed on the next send or poll, and a frame that finds the
 * ring full is refused and counted.  TCP keeps a refused segment queued
 * (lwIP's TF_NAGLEMEMERR), so the driver then asks for an interrupt when the
 * device hands buffers back and, once half the ring is free, has lwIP
 * send what it holds (tcp_txnow); nothing waits for a retransmission timer.
 * The interface itself is kernel/net/netif.c; the transports are
 * virtio_mmio.c and virtio_pci.c. */
#include <string.h>
#include <kern/compiler.h>
#include <kern/printk.h>
#include <kern/random.h>
#include <uapi/errno.h>
#include <lwip/pbuf.h>
#include <lwip/priv/tcp_priv.h> /* tcp_txnow */
#include "arch/x86_64/arch.h"
#include "arch/x86_64/cpu.h"
#include "drivers/virtio.h"
#include "drivers/virtio_net.h"
#include "mm/mm_internal.h"
#include "net/net.h"
#include "net/netif.h"

#define RXQ  0
#define TXQ  1
#define QMAX 256 /* QEMU's default queue size; each ring part fits a page */

#define VIRTIO_NET_F_MAC 5

#define BUF_SIZE      2048 /* header + a 1514-byte frame, two per page */
#define BUFS_PER_PAGE (PAGE_SIZE / BUF_SIZE)
#define ETH_MIN	      14

/* With VERSION_1 the header always has num_buffers: 12 bytes. */
struct virtio_net_hdr {
	uint8_t flags;
	uint8_t gso_type;
	uint16_t hdr_len;
	uint16_t gso_size;
	uint16_t csum_start;
	uint16_t csum_offset;
	uint16_t num_buffers;
};
_Static_assert(sizeof(struct virtio_net_hdr) == 12, "virtio_net_hdr");
#define HDR_LEN sizeof(struct virtio_net_hdr)

/* One queue and its buffers: descriptor i always points at buffer i. */
struct nq {
	struct virtq_ring r;
	uint8_t *buf_page[QMAX / BUFS_PER_PAGE];
	uint64_t buf_pa[QMAX / BUFS_PER_PAGE];
};

static struct virtio_dev *dev; /* up and not broken, or NULL */
static struct netif *eth;
static struct nq rxq, txq;
static uint16_t tx_free[QMAX]; /* descriptor ids not in flight */
static unsigned tx_nfree;
static bool tx_stalled; /* a frame was refused: transmit interrupts are on */
static struct vnet_stats stats;

static uint8_t *buf_va(struct nq *q, uint16_t id)
{
	return q->buf_page[id / BUFS_PER_PAGE] + (id % BUFS_PER_PAGE) * BUF_SIZE;
}

static uint64_t buf_pa(struct nq *q, uint16_t id)
{
	return q->buf_pa[id / BUFS_PER_PAGE] + (id % BUFS_PER_PAGE) * BUF_SIZE;
}

static void fail(struct virtio_dev *d, const char *why)
{
	printk("virtio-net: %s: %s; device reset, network down", d->where, why);
	d->t->set_status(d, 0);
	d->t->set_status(d, VIRTIO_STATUS_FAILED);
	d->broken = true;
	dev = NULL;
	if (eth)
		netif_set_link_down(eth);
}

/* Sets up queue `index` and its buffers, descriptor i on buffer i. */
static int queue_init(struct virtio_dev *d, struct nq *q, uint16_t index, uint16_t flags)
{
	int r = virtq_ring_init(d, &q->r, index, QMAX, BUFS_PER_PAGE, flags);
	if (r)
		return r;
	for (unsigned i = 0; i < q->r.size / BUFS_PER_PAGE; i++) {
		q->buf_pa[i] = frame_alloc_nozero();
		if (!q->buf_pa[i])
			return -ENOMEM;
		q->buf_page[i] = phys_to_virt(q->buf_pa[i]);
	}
	for (uint16_t i = 0; i < q->r.size; i++)
		q->r.desc[i] = (struct virtq_desc){buf_pa(q, i), BUF_SIZE, 0, 0};
	return 0;
}

/* Takes back the transmit buffers the device has finished with.  false when
 * the device handed back something it never had (it is then reset). */
static bool tx_reclaim(void)
{
	while (dev && virtq_used_ready(&txq.r)) {
		struct virtq_used_elem e = virtq_take_used(&txq.r);
		if (e.id >= txq.r.size || tx_nfree >= txq.r.size) {
			fail(dev, "bad used element on the transmit queue");
			return false;
		}
		tx_free[tx_nfree++] = (uint16_t)e.id;
	}
	return dev != NULL;
}

/* The ring was full: have the device interrupt when it hands buffers back,
 * so the poller reclaims them and lets lwIP send what it kept. */
static void tx_stall(void)
{
	if (tx_stalled)
		return;
	tx_stalled = true;
	*(volatile uint16_t *)&txq.r.avail->flags = 0;
	__asm__ volatile("mfence" ::: "memory"); /* flags before the used index */
	if (virtq_used_ready(&txq.r))
		net_kick(); /* handed back already: no interrupt will say so */
}

/* In the poller after a reclaim: once there is room again, back to a quiet
 * transmit queue and every TCP connection that was refused sends now. */
static void tx_unstall(void)
{
	if (!tx_stalled || tx_nfree < txq.r.size / 2u)
		return;
	tx_stalled = false;
	*(volatile uint16_t *)&txq.r.avail->flags = VIRTQ_AVAIL_F_NO_INTERRUPT;
	tcp_txnow();
}

/* lwIP's linkoutput for eth0: copies the frame into a free transmit buffer.
 * Called from syscalls and the net thread; never sleeps. */
static err_t vnet_linkoutput(struct netif *n, struct pbuf *p)
{
	if (!dev) {
		stats.tx_dropped++;
		return ERR_IF;
	}
	if (p->tot_len > BUF_SIZE - HDR_LEN) {
		stats.tx_dropped++;
		return ERR_BUF;
	}
	if (!tx_nfree && !tx_reclaim())
		return ERR_IF;
	if (!tx_nfree) {
		stats.tx_dropped++;
		tx_stall();
		return ERR_MEM; /* TCP keeps the segment; tx_unstall resends it */
	}
	uint16_t id = tx_free[--tx_nfree];
	uint8_t *b = buf_va(&txq, id);
	memset(b, 0, HDR_LEN);
	pbuf_copy_partial(p, b + HDR_LEN, p->tot_len, 0);
	txq.r.desc[id].len = (uint32_t)(HDR_LEN + p->tot_len);
	virtq_offer(&txq.r, id);
	virtq_publish(dev, &txq.r);
	stats.tx_packets++;
	stats.tx_bytes += p->tot_len;
	return ERR_OK;
}

/* Hands one received frame to lwIP; the buffer can be reused on return. */
static void rx_deliver(const uint8_t *frame, uint32_t len)
{
	if (len < ETH_MIN) {
		stats.rx_dropped++;
		return;
	}
	struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)len, PBUF_POOL);
	if (!p) {
		stats.rx_dropped++;
		return;
	}
	pbuf_take(p, frame, (u16_t)len);
	stats.rx_packets++;
	stats.rx_bytes += len;
	if (eth->input(p, eth) != ERR_OK)
		pbuf_free(p);
}

/* The net thread's round: received frames into lwIP (at most one ring's worth,
 * then another round is asked for), the ring refilled, transmit reclaimed. */
static void vnet_poll(void *unused)
{
	unsigned n = 0;
	if (!eth)
		return; /* not yet (boot) or never (eth0 could not be added) */
	while (dev && virtq_used_ready(&rxq.r) && n < rxq.r.size) {
		struct virtq_used_elem e = virtq_take_used(&rxq.r);
		if (e.id >= rxq.r.size || e.len > BUF_SIZE || e.len < HDR_LEN) {
			fail(dev, "bad used element on the receive queue");
			return;
		}
		rx_deliver(buf_va(&rxq, (uint16_t)e.id) + HDR_LEN, e.len - HDR_LEN);
		/* descriptor e.id still points at its buffer */
		virtq_offer(&rxq.r, (uint16_t)e.id);
		n++;
	}
	if (!dev)
		return;
	if (n)
		virtq_publish(dev, &rxq.r);
	if (tx_reclaim())
		tx_unstall();
	if (dev && virtq_used_ready(&rxq.r))
		net_kick();
}

void virtio_net_irq(void)
{
	if (!dev)
		return;
	stats.irqs++;
	dev->t->irq_ack(dev);
	net_kick();
}

void virtio_net_stats(struct vnet_stats *s)
{
	*s = stats;
}

static int bring_up(struct virtio_dev *d, uint8_t mac[6])
{
	const struct virtio_transport *t = d->t;
	const char *why;
	d->claimed = true;
	if (virtio_negotiate(d, 1ULL << VIRTIO_NET_F_MAC, &why)) {
		fail(d, why);
		return -ENODEV;
	}
	if (d->features & (1ULL << VIRTIO_NET_F_MAC)) {
		for (int i = 0; i < 6; i++)
			mac[i] = t->config_read8(d, (uint32_t)i);
	} else {
		/* a random locally administered unicast address */
		uint64_t r = random_u64();
		memcpy(mac, &r, 6);
		mac[0] = (uint8_t)((mac[0] & 0xfe) | 0x02);
	}
	if (!t->irq_setup || t->irq_setup(d, VEC_NET)) {
		fail(d, "no interrupt route");
		return -ENODEV;
	}
	int r = queue_init(d, &rxq, RXQ, 0);
	if (!r)
		r = queue_init(d, &txq, TXQ,
			       VIRTQ_AVAIL_F_NO_INTERRUPT); /* reclaimed by polling */
	if (r) {
		fail(d, r == -ENOMEM ? "out of memory for the queues"
				     : "queue setup refused");
		return r;
	}
	for (uint16_t i = 0; i < rxq.r.size; i++) {
		rxq.r.desc[i].flags = VIRTQ_DESC_F_WRITE;
		virtq_offer(&rxq.r, i);
	}
	for (uint16_t i = 0; i < txq.r.size; i++)
		tx_free[tx_nfree++] = (uint16_t)(txq.r.size - 1 - i);
	t->set_status(d, VIRTIO_STATUS_ACK | VIRTIO_STATUS_DRIVER |
			     VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
	dev = d;
	virtq_publish(dev, &rxq.r);
	printk("virtio-net: %s: queues %u/%u, %s", d->where, rxq.r.size, txq.r.size,
	       t->name);
	return 0;
}

bool virtio_net_init(void)
{
	uint8_t mac[6];
	virtio_probe_all();
	struct virtio_dev *d = virtio_next(VIRTIO_ID_NET, NULL);
	if (!d || bring_up(d, mac))
		return false;
	net_start();
	/* our poller before eth0's watcher, so what a round received is seen
	 * by the watcher in the same round */
	if (net_register_poller(vnet_poll, NULL)) {
		fail(d, "no poller slot");
		return false;
	}
	eth = net_eth_add(mac, vnet_linkoutput, NULL);
	if (!eth) {
		fail(d, "cannot add eth0");
		return false;
	}
	net_kick();
	return true;
}
