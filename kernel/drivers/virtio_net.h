/* SPDX-License-Identifier: MIT */
/* virtio-net (kernel/drivers/virtio_net.c): the first network device of either
 * transport, interrupt driven, as the lwIP interface eth0 (kernel/net/netif.c). */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#define VIRTIO_ID_NET 1

/* rx_dropped: no memory for a pbuf, or a runt; tx_dropped: frames refused
 * because the ring was full (TCP sends them again) or too big */
struct vnet_stats {
	uint64_t rx_packets, rx_bytes, rx_dropped;
	uint64_t tx_packets, tx_bytes, tx_dropped;
	uint64_t irqs;
};

/* Finds the first virtio-net device, brings it up, starts lwIP (net_start)
 * and adds eth0 configured from the launch descriptor.  At boot, before
 * /.unielf is removed; does nothing when there is no NIC.  True when eth0
 * is up. */
bool virtio_net_init(void);
/* The interrupt handler: acknowledges the device and kicks the net thread. */
void virtio_net_irq(void);
/* Counters since boot (all zero without a NIC). */
void virtio_net_stats(struct vnet_stats *s);
