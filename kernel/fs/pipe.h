/* SPDX-License-Identifier: MIT */
/* The pipe ring (kernel/fs/pipe.c), visible to its unit test. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <kern/wait.h>

#define PIPE_SIZE 65536
#define PIPE_BUF  4096

struct pipe {
	char *buf;	      /* PIPE_SIZE bytes */
	size_t head;	      /* index of the first unread byte */
	size_t len;	      /* unread bytes */
	int readers, writers; /* open ends */
	struct waitq wq;      /* readers and writers both wait here */
	uint64_t rd_seq;      /* poll sequences (kern/poll.h): data or hang-up for */
	uint64_t wr_seq;      /* readers; room or a gone reader for writers */
};

/* Copy in/out of the ring as much as fits / is there; return the count. */
size_t pipe_ring_write(struct pipe *p, const void *buf, size_t len);
size_t pipe_ring_read(struct pipe *p, void *buf, size_t len);
