// SPDX-License-Identifier: MIT
/* Networking for `unielf run`: the --net and -p (publish) options, QEMU's
 * user-network backend (slirp) with one host forward per -p, and what the
 * guest learns about the network: .unielf/net for the kernel's eth0 and a
 * resolv.conf naming slirp's DNS relay.  The devices themselves are added to
 * QEMU's command line by qemu.c; the initrd is packed by run.c. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "netopts.h"

#define PORT_SYNTAX "[HOSTADDR:]HOSTPORT:GUESTPORT[/tcp|/udp]"

int netopt_parse_mode(const char *arg, enum ue_net *mode, char *why, size_t whylen)
{
	if (!strcmp(arg, "user"))
		*mode = UE_NET_USER;
	else if (!strcmp(arg, "none"))
		*mode = UE_NET_NONE;
	else {
		snprintf(why, whylen, "--net %s: expected user or none", arg);
		return -1;
	}
	return 0;
}

/* A port number: decimal digits only, 1..65535.  0 or -1. */
static int parse_port_number(const char *s, size_t len, unsigned *out)
{
	unsigned long v = 0;

	if (!len || len > 5)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v < 1 || v > 65535)
		return -1;
	*out = (unsigned)v;
	return 0;
}

int netopt_parse_port(const char *arg, struct ue_port *p, char *why, size_t whylen)
{
	const char *slash = strchr(arg, '/'), *end = slash ? slash : arg + strlen(arg);
	const char *c1, *c2, *hp, *gp;
	size_t n;

	memset(p, 0, sizeof(*p));
	if (slash) {
		if (!strcmp(slash + 1, "udp"))
			p->udp = true;
		else if (strcmp(slash + 1, "tcp")) {
			snprintf(why, whylen, "-p %s: protocol %s: expected tcp or udp",
				 arg, slash + 1);
			return -1;
		}
	}
	c1 = memchr(arg, ':', (size_t)(end - arg));
	c2 = c1 ? memchr(c1 + 1, ':', (size_t)(end - c1 - 1)) : NULL;
	if (!c1 || (c2 && memchr(c2 + 1, ':', (size_t)(end - c2 - 1)))) {
		snprintf(why, whylen, "-p %s: expected %s", arg, PORT_SYNTAX);
		return -1;
	}
	if (c2) { /* HOSTADDR:HOSTPORT:GUESTPORT */
		struct in_addr a;
		n = (size_t)(c1 - arg);
		if (!n || n >= sizeof(p->host_addr)) {
			snprintf(why, whylen,
				 "-p %s: expected an IPv4 host address before "
				 "HOSTPORT",
				 arg);
			return -1;
		}
		memcpy(p->host_addr, arg, n);
		p->host_addr[n] = '\0';
		if (inet_pton(AF_INET, p->host_addr, &a) != 1) {
			snprintf(why, whylen, "-p %s: %s is not an IPv4 address", arg,
				 p->host_addr);
			return -1;
		}
		hp = c1 + 1;
		gp = c2 + 1;
	} else {
		strcpy(p->host_addr, "127.0.0.1");
		hp = arg;
		gp = c1 + 1;
	}
	if (parse_port_number(hp, (size_t)(gp - 1 - hp), &p->host_port) ||
	    parse_port_number(gp, (size_t)(end - gp), &p->guest_port)) {
		snprintf(why, whylen, "-p %s: expected %s with ports between 1 and 65535",
			 arg, PORT_SYNTAX);
		return -1;
	}
	return 0;
}

int netopt_check(enum ue_net *mode, const struct ue_port *ports, size_t nports, char *why,
		 size_t whylen)
{
	if (nports && *mode == UE_NET_NONE) {
		snprintf(why, whylen,
			 "-p publishes a port, but --net none has no network");
		return -1;
	}
	for (size_t i = 0; i < nports; i++) {
		for (size_t j = 0; j < i; j++) {
			if (ports[i].udp == ports[j].udp &&
			    ports[i].host_port == ports[j].host_port &&
			    !strcmp(ports[i].host_addr, ports[j].host_addr)) {
				snprintf(why, whylen,
					 "-p: host port %s:%u/%s is published twice",
					 ports[i].host_addr, ports[i].host_port,
					 ports[i].udp ? "udp" : "tcp");
				return -1;
			}
		}
	}
	if (*mode == UE_NET_DEFAULT)
		*mode = nports ? UE_NET_USER : UE_NET_NONE;
	return 0;
}

char *netopt_netdev(const struct ue_port *ports, size_t nports)
{
	struct ue_buf b = {0};

	ue_buf_addstr(&b, "user,id=net0,net=" UE_NET_NETWORK "/24,host=" UE_NET_GATEWAY
			  ",dns=" UE_NET_DNS);
	for (size_t i = 0; i < nports; i++) {
		char *r = ue_xasprintf(",hostfwd=%s:%s:%u-" UE_NET_GUEST ":%u",
				       ports[i].udp ? "udp" : "tcp", ports[i].host_addr,
				       ports[i].host_port, ports[i].guest_port);
		ue_buf_addstr(&b, r);
		free(r);
	}
	return b.data;
}

char *netopt_descriptor(void)
{
	return ue_xasprintf("address %s/%d\ngateway %s\ndns %s\n", UE_NET_GUEST,
			    UE_NET_PREFIX, UE_NET_GATEWAY, UE_NET_DNS);
}

const char *netopt_resolv_conf(void)
{
	return "nameserver " UE_NET_DNS "\n";
}

bool netopt_is_hostfwd_error(const char *qemu_line)
{
	return strstr(qemu_line, "Could not set up host forwarding rule") != NULL;
}
