/* SPDX-License-Identifier: MIT */
/* The network core (kernel/net/core.c): lwIP's home.
 *
 * lwIP runs bare (NO_SYS, kernel/net/lwip/lwipopts.h).  Its raw API is called
 * from syscalls and from one kernel thread, "net", and never from interrupt
 * context: the kernel runs on one CPU and is not preempted inside the kernel,
 * so no lock is needed as long as interrupt handlers only call net_kick().
 *
 * The net thread runs lwIP's timers, delivers loopback packets and calls every
 * registered driver poller (which moves received frames into lwIP and refills
 * rings).  Anything that hands lwIP work the thread must finish — a frame
 * received, a packet sent to a loopback address — calls net_kick(). */
#pragma once
#include <stdbool.h>

/* Brings lwIP up once (loopback 127.0.0.1 and ::1) and starts the net thread;
 * later calls do nothing.  Drivers call it when they find a NIC; the socket
 * layer calls it on the first AF_INET/AF_INET6 socket. */
void net_start(void);
bool net_started(void);
/* Wakes the net thread; safe from interrupt handlers. */
void net_kick(void);
/* lwIP may have armed a timer outside the net thread (a syscall's new
 * connection starts the TCP timer): wakes the thread if it sleeps past the
 * earliest one.  Not from interrupt handlers. */
void net_timers_armed(void);
/* Registers fn(arg) to run in the net thread each round (drivers' receive
 * paths).  Up to NET_MAX_POLLERS. */
#define NET_MAX_POLLERS 4
int net_register_poller(void (*fn)(void *arg), void *arg);

struct process;
/* `unielf upgrade` of p (kernel/live/upgrade.c, kernel/net/inet_upgrade.c):
 * begin marks p's listening sockets so the new program's bind() of the same
 * address adopts them; end clears the marks and, on commit, closes the
 * listeners the new program neither adopted nor used. */
void inet_upgrade_begin(struct process *p);
void inet_upgrade_end(struct process *p, bool commit);
/* Before begin: p's listeners stop handing connections to the old program
 * (they queue for the new one), then waits until p holds no accepted TCP
 * connection any more, or until deadline_ns: a server answering one request
 * per connection is then switched with nothing in flight.  Returns how many
 * connections were still open.  inet_upgrade_end (or, if the upgrade fails
 * before begin, inet_upgrade_undrain) lets the listeners serve again. */
int inet_upgrade_drain(struct process *p, uint64_t deadline_ns);
void inet_upgrade_undrain(struct process *p);
