// SPDX-License-Identifier: MIT
/* The data and control messages of one send or receive, as families see
 * them (kernel/net/socket.h): the iterator over an iovec array of user or
 * kernel addresses, and walking, checking and appending control messages
 * with Linux's rules.  Portable: tests/unit/net drives it on the host. */
#include <string.h>
#include <kern/compiler.h>
#include <kern/uaccess.h>
#include <uapi/errno.h>
#include "net/socket.h"
#include "net/socket_internal.h"

#define MAX_RW_COUNT 0x7ffff000UL

static int iter_copy(struct sock_iter *it, char *k, size_t n, bool to_iter)
{
	if (n > it->count)
		return -EINVAL;
	while (n) {
		if (it->idx >= it->cnt)
			return -EINVAL;
		const struct linux_iovec *v = &it->iov[it->idx];
		size_t c = MIN(n, v->len - it->off);
		if (!c) {
			it->idx++;
			it->off = 0;
			continue;
		}
		unsigned long a = v->base + it->off;
		if (it->kernel) {
			if (to_iter)
				memcpy((void *)a, k, c);
			else
				memcpy(k, (const void *)a, c);
		} else if (to_iter ? copy_to_user(a, k, c) : copy_from_user(k, a, c)) {
			return -EFAULT;
		}
		k += c;
		n -= c;
		it->off += c;
		it->count -= c;
	}
	return 0;
}

int sock_iter_from(struct sock_iter *it, void *dst, size_t n)
{
	return iter_copy(it, dst, n, false);
}

int sock_iter_to(struct sock_iter *it, const void *src, size_t n)
{
	return iter_copy(it, (char *)src, n, true);
}

/* Checks a user iovec array already copied to iov and sets up it over it:
 * -EINVAL for a negative length, -EFAULT for a segment outside user space;
 * the total is capped at MAX_RW_COUNT as Linux does. */
int sock_iter_init_user(struct sock_iter *it, struct linux_iovec *iov, int cnt)
{
	size_t total = 0;
	for (int i = 0; i < cnt; i++) {
		if ((int64_t)iov[i].len < 0)
			return -EINVAL;
		if (iov[i].len > MAX_RW_COUNT - total)
			iov[i].len = MAX_RW_COUNT - total;
		if (iov[i].len && !access_ok(iov[i].base, iov[i].len))
			return -EFAULT;
		total += iov[i].len;
	}
	*it = (struct sock_iter){.iov = iov, .cnt = cnt, .count = total};
	return 0;
}

const struct linux_cmsghdr *sock_cmsg_next(const struct sock_msg *m,
					   const struct linux_cmsghdr *prev)
{
	const char *base = m->control, *end = base + m->controllen;
	const char *p = prev ? (const char *)prev + CMSG_ALIGN_K(prev->cmsg_len) : base;
	if (p + sizeof(struct linux_cmsghdr) > end || p < base)
		return NULL;
	return (const struct linux_cmsghdr *)p;
}

/* Every control message of a send must have a sane length (Linux's CMSG_OK). */
int sock_cmsg_check(const struct sock_msg *m)
{
	const char *end = (const char *)m->control + m->controllen;
	for (const struct linux_cmsghdr *c = sock_cmsg_next(m, NULL); c;
	     c = sock_cmsg_next(m, c))
		if (c->cmsg_len < sizeof(*c) ||
		    c->cmsg_len > (size_t)(end - (const char *)c))
			return -EINVAL;
	return 0;
}

size_t sock_cmsg_room(const struct sock_msg *m)
{
	size_t left = m->control_cap - m->controllen;
	return left > sizeof(struct linux_cmsghdr) ? left - sizeof(struct linux_cmsghdr)
						   : 0;
}

size_t sock_put_cmsg(struct sock_msg *m, int level, int type, const void *data,
		     size_t len)
{
	size_t left = m->control_cap - m->controllen;
	if (left < sizeof(struct linux_cmsghdr)) {
		m->flags |= MSG_CTRUNC;
		return 0;
	}
	struct linux_cmsghdr h = {
	    .cmsg_len = CMSG_LEN_K(len), .cmsg_level = level, .cmsg_type = type};
	size_t cmlen = h.cmsg_len;
	if (left < cmlen) {
		m->flags |= MSG_CTRUNC;
		cmlen = left;
	}
	char *p = (char *)m->control + m->controllen;
	memcpy(p, &h, sizeof(h));
	size_t fit = cmlen - sizeof(h);
	memcpy(p + sizeof(h), data, fit);
	size_t space = CMSG_SPACE_K(len);
	if (space > left)
		space = left;
	memset(p + cmlen, 0, space - cmlen);
	m->controllen += space;
	return fit;
}
