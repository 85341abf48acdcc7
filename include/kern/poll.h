/* SPDX-License-Identifier: MIT */
/* Readiness events, for edge-triggered epoll (kernel/fs/epoll.c).
 *
 * A file's poll op says what is ready now.  EPOLLET must also know whether
 * something happened since it last reported: a program that read a pipe until
 * EAGAIN and got new data before its next epoll_wait sees POLLIN both times,
 * yet must be told again.  So every object that can become ready keeps event
 * sequences, stamped from the poll clock (kern/wait.h):
 *
 *   - a producer that makes the object MORE ready (data queued for reading, a
 *     connection queued, room freed for a writer that was full, a counter
 *     incremented, a timer expired, the peer hung up or failed) calls
 *     poll_seq_bump(&obj->seq) and then wakes the object's wait queue;
 *   - the file's poll_seq op (kern/file.h) returns the latest stamp relevant
 *     to the events a watcher asked for (keep one sequence for the read side
 *     and one for the write side when both exist, so that a reader draining
 *     data does not look like new data to another watcher).
 *
 * An edge-triggered item then reports when it is ready and either its
 * sequence moved or a bit became ready that was not at its last look.  A file
 * with no poll_seq op is treated as if something happened at every wake-up
 * anywhere: never a missed edge, sometimes an edge reported twice.
 *
 * A poll op must not wake wait queues (or bump sequences) unless something
 * happened: epoll_wait does not sleep while the poll clock moves under it. */
#pragma once
#include <stdint.h>
#include <kern/wait.h>
#include <uapi/poll.h>

/* The read side and the write side, for a poll_seq op's events argument. */
#define POLL_IN_EVENTS	(POLLIN | POLLRDNORM | POLLRDBAND | POLLPRI | POLLRDHUP)
#define POLL_OUT_EVENTS (POLLOUT | POLLWRNORM | POLLWRBAND)

/* Records an event on the object whose sequence is *seq.  Any context,
 * interrupts included; wake the object's wait queue afterwards. */
static inline void poll_seq_bump(uint64_t *seq)
{
	*seq = poll_clock_advance();
}
