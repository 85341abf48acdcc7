// SPDX-License-Identifier: MIT
/* Small helpers every part of the host tool uses: one-line messages, allocation
 * that exits on exhaustion, growable byte buffers and writes that finish.  The
 * concepts themselves (CLI, initrd, QEMU, relay) live in their own files. */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "unielf.h"

void ue_msg(const char *fmt, ...)
{
	char line[4096];
	va_list ap;
	int n;

	/* One write so concurrent output does not interleave inside the line. */
	n = snprintf(line, sizeof(line), "unielf: ");
	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	(void)ue_write_full(STDERR_FILENO, line, n);
}

static void out_of_memory(void)
{
	ue_msg("out of memory");
	exit(UE_EXIT_FAILURE);
}

void *ue_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		out_of_memory();
	return p;
}

void *ue_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		out_of_memory();
	return p;
}

void *ue_xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		out_of_memory();
	return p;
}

char *ue_xstrdup(const char *s)
{
	char *p = strdup(s);
	if (!p)
		out_of_memory();
	return p;
}

char *ue_xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&p, fmt, ap);
	va_end(ap);
	if (n < 0)
		out_of_memory();
	return p;
}

void ue_buf_add(struct ue_buf *b, const void *data, size_t len)
{
	if (b->len + len + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + len + 1)
			cap *= 2;
		b->data = ue_xrealloc(b->data, cap);
		b->cap = cap;
	}
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0'; /* always usable as a C string */
}

void ue_buf_addstr(struct ue_buf *b, const char *s)
{
	ue_buf_add(b, s, strlen(s));
}

void ue_buf_addz(struct ue_buf *b, const char *s)
{
	ue_buf_add(b, s, strlen(s) + 1);
}

void ue_buf_free(struct ue_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

int ue_write_full(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				/* Someone made the descriptor non-blocking: wait, then
				 * retry. */
				struct pollfd pfd = {.fd = fd, .events = POLLOUT};
				if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
					return -errno;
				continue;
			}
			return -errno;
		}
		p += n;
		len -= n;
	}
	return 0;
}

int64_t ue_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
