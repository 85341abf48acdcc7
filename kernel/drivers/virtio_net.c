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

#define DESC_F_WRITE	     2
#define AVAIL_F_NO_INTERRUPT 1
#define USED_F_NO_NOTIFY     1

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

struct nq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};
_Static_assert(sizeof(struct nq_desc) == 16, "nq_desc");

struct nq_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[];
};

struct nq_used_elem {
	uint32_t id;
	uint32_t len;
};

struct nq_used {
	uint16_t flags;
	uint16_t idx;
	struct nq_used_elem ring[];
};

/* One queue and its buffers: descriptor i always points at buffer i. */
struct nq {
	uint16_t index, size;
	struct nq_desc *desc;
	struct nq_avail *avail;
	struct nq_used *used;
	uint16_t avail_idx, last_used;
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

static int queue_init(struct virtio_dev *d, struct nq *q, uint16_t index, uint16_t flags)
{
	uint16_t size = d->t->queue_max(d, index);
	if (!size)
		return -ENODEV;
	if (size > QMAX)
		size = QMAX;
	if (size < BUFS_PER_PAGE)
		return -ENODEV;
	size &= (uint16_t) ~(BUFS_PER_PAGE - 1);
	uint64_t pd = frame_alloc(), pa = frame_alloc(), pu = frame_alloc();
	if (!pd || !pa || !pu)
		return -ENOMEM;
	q->index = index;
	q->size = size;
	q->desc = phys_to_virt(pd);
	q->avail = phys_to_virt(pa);
	q->used = phys_to_virt(pu);
	q->avail->flags = flags;
	q->avail_idx = q->last_used = 0;
	for (unsigned i = 0; i < size / BUFS_PER_PAGE; i++) {
		q->buf_pa[i] = frame_alloc_nozero();
		if (!q->buf_pa[i])
			return -ENOMEM;
		q->buf_page[i] = phys_to_virt(q->buf_pa[i]);
	}
	for (uint16_t i = 0; i < size; i++)
		q->desc[i] = (struct nq_desc){buf_pa(q, i), BUF_SIZE, 0, 0};
	return d->t->queue_setup(d, index, size, pd, pa, pu) ? -ENODEV : 0;
}

/* Offers descriptor id to the device (seen after the next publish()). */
static void offer(struct nq *q, uint16_t id)
{
	q->avail->ring[q->avail_idx % q->size] = id;
	q->avail_idx++;
}

static void publish(struct nq *q)
{
	__asm__ volatile("" ::: "memory"); /* ring entries before the index */
	*(volatile uint16_t *)&q->avail->idx = q->avail_idx;
	__asm__ volatile("mfence" ::: "memory"); /* index before reading flags */
	if (!(*(volatile uint16_t *)&q->used->flags & USED_F_NO_NOTIFY))
		dev->t->notify(dev, q->index);
}

static bool used_ready(struct nq *q)
{
	return *(volatile uint16_t *)&q->used->idx != q->last_used;
}

/* The next used element; call only when used_ready(q). */
static struct nq_used_elem take_used(struct nq *q)
{
	__asm__ volatile("" ::: "memory"); /* index before element */
	struct nq_used_elem e = q->used->ring[q->last_used % q->size];
	q->last_used++;
	return e;
}

/* Takes back the transmit buffers the device has finished with.  false when
 * the device handed back something it never had (it is then reset). */
static bool tx_reclaim(void)
{
	while (dev && used_ready(&txq)) {
		struct nq_used_elem e = take_used(&txq);
		if (e.id >= txq.size || tx_nfree >= txq.size) {
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
	*(volatile uint16_t *)&txq.avail->flags = 0;
	__asm__ volatile("mfence" ::: "memory"); /* flags before the used index */
	if (used_ready(&txq))
		net_kick(); /* handed back already: no interrupt will say so */
}

/* In the poller after a reclaim: once there is room again, back to a quiet
 * transmit queue and every TCP connection that was refused sends now. */
static void tx_unstall(void)
{
	if (!tx_stalled || tx_nfree < txq.size / 2u)
		return;
	tx_stalled = false;
	*(volatile uint16_t *)&txq.avail->flags = AVAIL_F_NO_INTERRUPT;
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
	txq.desc[id].len = (uint32_t)(HDR_LEN + p->tot_len);
	offer(&txq, id);
	publish(&txq);
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
	while (dev && used_ready(&rxq) && n < rxq.size) {
		struct nq_used_elem e = take_used(&rxq);
		if (e.id >= rxq.size || e.len > BUF_SIZE || e.len < HDR_LEN) {
			fail(dev, "bad used element on the receive queue");
			return;
		}
		rx_deliver(buf_va(&rxq, (uint16_t)e.id) + HDR_LEN, e.len - HDR_LEN);
		offer(&rxq,
		      (uint16_t)e.id); /* descriptor e.id still points at its buffer */
		n++;
	}
	if (!dev)
		return;
	if (n)
		publish(&rxq);
	if (tx_reclaim())
		tx_unstall();
	if (dev && used_ready(&rxq))
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
	d->claimed = true;
	t->set_status(d, 0);
	for (int i = 0; i < 1000000 && t->get_status(d); i++)
		cpu_relax();
	t->set_status(d, VIRTIO_STATUS_ACK);
	t->set_status(d, VIRTIO_STATUS_ACK | VIRTIO_STATUS_DRIVER);
	uint64_t offered = t->get_features(d);
	if (!(offered & (1ULL << VIRTIO_F_VERSION_1))) {
		fail(d, "no VERSION_1 (legacy-only device)");
		return -ENODEV;
	}
	d->features =
	    offered & ((1ULL << VIRTIO_F_VERSION_1) | (1ULL << VIRTIO_NET_F_MAC));
	t->set_features(d, d->features);
	t->set_status(d, VIRTIO_STATUS_ACK | VIRTIO_STATUS_DRIVER |
			     VIRTIO_STATUS_FEATURES_OK);
	if (!(t->get_status(d) & VIRTIO_STATUS_FEATURES_OK)) {
		fail(d, "features refused");
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
			       AVAIL_F_NO_INTERRUPT); /* reclaimed by polling */
	if (r) {
		fail(d, r == -ENOMEM ? "out of memory for the queues"
				     : "queue setup refused");
		return r;
	}
	for (uint16_t i = 0; i < rxq.size; i++) {
		rxq.desc[i].flags = DESC_F_WRITE;
		offer(&rxq, i);
	}
	for (uint16_t i = 0; i < txq.size; i++)
		tx_free[tx_nfree++] = (uint16_t)(txq.size - 1 - i);
	t->set_status(d, VIRTIO_STATUS_ACK | VIRTIO_STATUS_DRIVER |
			     VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
	dev = d;
	publish(&rxq);
	printk("virtio-net: %s: queues %u/%u, %s", d->where, rxq.size, txq.size, t->name);
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
