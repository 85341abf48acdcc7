/* SPDX-License-Identifier: MIT */
/* /proc/net text (kernel/net/procnet.c), for procfs. */
#pragma once

/* The contents of "net/tcp", "net/tcp6", "net/udp", "net/udp6", "net/unix",
 * "net/dev" or "sys/net/ipv4/ip_unprivileged_port_start" into a kmalloc'd
 * *out (NULL when empty); the length, -ENOENT for another name, -ENOMEM. */
long procnet_render(const char *name, char **out);
