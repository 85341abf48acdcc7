/* SPDX-License-Identifier: MIT */
/* `unielf run --net` and `-p` (tools/unielf/netopts.c): parsing the options,
 * the QEMU user-network backend with its port forwards, and what the guest is
 * told (.unielf/net for the kernel, /etc/resolv.conf for programs). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include "unielf.h"

/* QEMU's user network as the guest sees it (slirp's defaults, spelled out). */
#define UE_NET_GUEST   "10.0.2.15"
#define UE_NET_PREFIX  24
#define UE_NET_NETWORK "10.0.2.0"
#define UE_NET_GATEWAY "10.0.2.2"
#define UE_NET_DNS     "10.0.2.3"

/* Parses a --net value ("user" or "none").  0, or -1 with a reason in @why. */
int netopt_parse_mode(const char *arg, enum ue_net *mode, char *why, size_t whylen);
/* Parses -p [HOSTADDR:]HOSTPORT:GUESTPORT[/tcp|/udp]: ports 1..65535,
 * HOSTADDR an IPv4 address (default 127.0.0.1), protocol tcp by default.
 * 0, or -1 with a one-line reason in @why. */
int netopt_parse_port(const char *arg, struct ue_port *p, char *why, size_t whylen);
/* Checks the -p list as a whole (no host address/port/protocol twice) and
 * the mode it implies: -p turns UE_NET_DEFAULT into user, and --net none
 * with -p is refused.  Sets *mode to UE_NET_USER or UE_NET_NONE.  0, or -1
 * with a reason. */
int netopt_check(enum ue_net *mode, const struct ue_port *ports, size_t nports, char *why,
		 size_t whylen);
/* QEMU's -netdev value for the user network with these forwards; malloc'd. */
char *netopt_netdev(const struct ue_port *ports, size_t nports);
/* The launch descriptor .unielf/net (docs/console-protocol.md); malloc'd. */
char *netopt_descriptor(void);
/* /etc/resolv.conf for the guest; static. */
const char *netopt_resolv_conf(void);
/* True when @qemu_line is QEMU refusing a host forward (a port in use). */
bool netopt_is_hostfwd_error(const char *qemu_line);
