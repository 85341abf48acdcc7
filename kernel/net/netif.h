/* SPDX-License-Identifier: MIT */
/* eth0, the lwIP interface of the NIC (kernel/net/netif.c).  The NIC driver
 * (kernel/drivers/virtio_net.c) sends frames for it and feeds it received
 * ones (netif->input) from its poller in the net thread. */
#pragma once
#include <stdint.h>
#include <lwip/netif.h>

/* Adds eth0: Ethernet with ARP, MTU 1500, MAC `mac`, frames sent through
 * `linkoutput`; IPv4 address and gateway from the launch descriptor
 * /.unielf/net (see docs/net.md), the default interface; IPv6 link-local plus
 * SLAAC from router advertisements.  Boot only (reads /.unielf before it is
 * removed), after net_start().  NULL when out of memory. */
struct netif *net_eth_add(const uint8_t mac[6], netif_linkoutput_fn linkoutput,
			  void *state);
/* eth0, or NULL when there is no NIC. */
struct netif *net_eth(void);
