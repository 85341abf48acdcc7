// SPDX-License-Identifier: MIT
/* eth0: the lwIP interface of the NIC.  Ethernet with ARP and IPv6 neighbour
 * discovery (lwIP's etharp and ethip6), a static IPv4 address and gateway
 * from the launch descriptor /.unielf/net, IPv6 link-local and SLAAC from
 * router advertisements, and the default route.  Frames move through the
 * driver (kernel/drivers/virtio_net.c); lwIP itself is started by core.c. */
#include <string.h>
#include <stdlib.h>
#include <kern/heap.h>
#include <kern/printk.h>
#include <kern/vfs.h>
#include <lwip/etharp.h>
#include <lwip/ethip6.h>
#include <lwip/ip4_addr.h>
#include <lwip/ip6_addr.h>
#include <lwip/netif.h>
#include <netif/ethernet.h>
#include "net/net.h"
#include "net/netif.h"

#define ETH_MTU 1500

static struct netif eth;
static bool eth_added;

/* what the watcher has logged already */
static bool gw_logged;
static uint8_t ip6_logged; /* bit i: address slot i */

struct eth_config {
	ip4_addr_t addr, mask, gw;
	bool have_addr;
};

/* Parses /.unielf/net: lines "address A.B.C.D/PREFIX", "gateway A.B.C.D",
 * "dns A.B.C.D" (for the tool's resolv.conf; unused here).  Unknown keys are
 * skipped so the tool may say more than this kernel understands. */
static void config_parse(char *text, struct eth_config *c)
{
	for (char *line = text; line && *line;) {
		char *next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		char *val = strchr(line, ' ');
		if (val) {
			*val++ = 0;
			if (!strcmp(line, "address")) {
				char *slash = strchr(val, '/');
				unsigned long prefix = 32;
				if (slash) {
					*slash = 0;
					prefix = strtoul(slash + 1, NULL, 10);
				}
				if (prefix <= 32 && ip4addr_aton(val, &c->addr)) {
					uint32_t m = prefix ? ~0u << (32 - prefix) : 0;
					ip4_addr_set_u32(&c->mask, lwip_htonl(m));
					c->have_addr = true;
				} else {
					printk("net: /.unielf/net: bad address %s", val);
				}
			} else if (!strcmp(line, "gateway")) {
				if (!ip4addr_aton(val, &c->gw))
					printk("net: /.unielf/net: bad gateway %s", val);
			}
		}
		line = next;
	}
}

static int mask_prefix(const ip4_addr_t *mask)
{
	int n = 0;
	for (uint32_t m = ip4_addr_get_u32(mask); m; m &= m - 1)
		n++;
	return n;
}

static err_t eth_init(struct netif *n)
{
	n->name[0] = 'e';
	n->name[1] = 'n';
	n->mtu = ETH_MTU;
	n->hwaddr_len = ETH_HWADDR_LEN;
	n->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET |
		   NETIF_FLAG_IGMP | NETIF_FLAG_MLD6;
	n->output = etharp_output;
	n->output_ip6 = ethip6_output;
	return ERR_OK;
}

/* In the net thread: logs, once each, the gateway's MAC when ARP has learnt
 * it and every IPv6 address when it becomes valid (SLAAC). */
static void eth_watch(void *unused)
{
	char buf[48];
	if (!gw_logged && ip4_addr_get_u32(netif_ip4_gw(&eth))) {
		struct eth_addr *mac;
		const ip4_addr_t *ip;
		if (etharp_find_addr(&eth, netif_ip4_gw(&eth), &mac, &ip) >= 0) {
			const uint8_t *m = mac->addr;
			printk("net: eth0 gateway %s is at %02x:%02x:%02x:%02x:%02x:%02x "
			       "(ARP)",
			       ip4addr_ntoa_r(ip, buf, sizeof(buf)), m[0], m[1], m[2],
			       m[3], m[4], m[5]);
			gw_logged = true;
		}
	}
	for (int i = 0; i < LWIP_IPV6_NUM_ADDRESSES; i++) {
		if ((ip6_logged & (1u << i)) ||
		    !ip6_addr_isvalid(netif_ip6_addr_state(&eth, i)))
			continue;
		ip6_logged |= 1u << i;
		ip6addr_ntoa_r(netif_ip6_addr(&eth, i), buf, sizeof(buf));
		for (char *c = buf; *c; c++) /* as Linux writes them */
			if (*c >= 'A' && *c <= 'F')
				*c = (char)(*c - 'A' + 'a');
		printk("net: eth0 %s/64 (%s)", buf, i == 0 ? "link-local" : "SLAAC");
	}
}

struct netif *net_eth_add(const uint8_t mac[6], netif_linkoutput_fn linkoutput,
			  void *state)
{
	struct eth_config c;
	memset(&c, 0, sizeof(c));
	char *text;
	if (!vfs_read_text("/.unielf/net", &text, NULL)) {
		config_parse(text, &c);
		kfree(text);
	}
	if (!c.have_addr)
		memset(&c, 0, sizeof(c)); /* no gateway without an address */

	if (!netif_add(&eth, &c.addr, &c.mask, &c.gw, state, eth_init, ethernet_input))
		return NULL;
	eth.linkoutput = linkoutput;
	memcpy(eth.hwaddr, mac, ETH_HWADDR_LEN);
	eth_added = true;
	netif_set_default(&eth);
	netif_create_ip6_linklocal_address(&eth, 1);
	eth.ip6_autoconfig_enabled = 1; /* SLAAC from router advertisements */
	netif_set_up(&eth);
	netif_set_link_up(&eth); /* announces the address (gratuitous ARP, MLD) */

	char a[16], g[16];
	if (c.have_addr) {
		printk("net: eth0 %02x:%02x:%02x:%02x:%02x:%02x %s/%d gw %s", mac[0],
		       mac[1], mac[2], mac[3], mac[4], mac[5],
		       ip4addr_ntoa_r(&c.addr, a, sizeof(a)), mask_prefix(&c.mask),
		       ip4addr_ntoa_r(&c.gw, g, sizeof(g)));
		/* learn the gateway's MAC now rather than on the first packet */
		if (!ip4_addr_isany_val(c.gw))
			etharp_request(&eth, &c.gw);
	} else {
		printk("net: eth0 %02x:%02x:%02x:%02x:%02x:%02x without IPv4 (no "
		       "/.unielf/net)",
		       mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
	}
	net_register_poller(eth_watch, NULL);
	return &eth;
}

struct netif *net_eth(void)
{
	return eth_added ? &eth : NULL;
}
