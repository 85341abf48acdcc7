// SPDX-License-Identifier: MIT
/* The socket layer's iterator and control messages (kernel/net/sockmsg.c):
 * copies across segments in both directions, user and kernel iterators,
 * -EFAULT where a user segment is bad (the iterator then stands where the
 * copy stopped), the checks of a user iovec array, and Linux's rules for
 * walking, checking and appending control messages (cut with MSG_CTRUNC,
 * padding zeroed). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <uapi/errno.h>
#include "net/socket.h"
#include "net/socket_internal.h"

/* ---- a uaccess shim: host memory is "user" memory, but one range faults */

static uintptr_t bad_lo, bad_hi;

static int faults(unsigned long a, size_t len)
{
	return len && a < bad_hi && a + len > bad_lo;
}

bool access_ok(unsigned long uptr, size_t len)
{
	return uptr + len >= uptr && uptr + len <= 0x00007ffffffff000UL;
}

int copy_from_user(void *dst, unsigned long usrc, size_t len)
{
	if (faults(usrc, len))
		return -EFAULT;
	memcpy(dst, (const void *)usrc, len);
	return 0;
}

int copy_to_user(unsigned long udst, const void *src, size_t len)
{
	if (faults(udst, len))
		return -EFAULT;
	memcpy((void *)udst, src, len);
	return 0;
}

static int setup(void **state)
{
	bad_lo = bad_hi = 0;
	return 0;
}

/* ---- iterators */

static void iter_over(struct sock_iter *it, struct linux_iovec *v, int cnt, bool kernel)
{
	size_t total = 0;
	for (int i = 0; i < cnt; i++)
		total += v[i].len;
	*it = (struct sock_iter){.iov = v, .cnt = cnt, .count = total, .kernel = kernel};
}

static void test_iter_segments(void **state)
{
	for (int kernel = 0; kernel < 2; kernel++) {
		char a[3] = {0}, b[1] = {0}, c[5] = {0};
		struct linux_iovec v[4] = {{(uintptr_t)a, 3},
					   {(uintptr_t)NULL, 0},
					   {(uintptr_t)b, 1},
					   {(uintptr_t)c, 5}};
		struct sock_iter it;
		iter_over(&it, v, 4, kernel);
		assert_int_equal(it.count, 9);
		assert_int_equal(sock_iter_to(&it, "0123", 4), 0);
		assert_int_equal(it.count, 5);
		assert_int_equal(sock_iter_to(&it, "45678", 5), 0);
		assert_int_equal(it.count, 0);
		assert_memory_equal(a, "012", 3);
		assert_memory_equal(b, "3", 1);
		assert_memory_equal(c, "45678", 5);
		assert_int_equal(sock_iter_to(&it, "x", 1), -EINVAL); /* past the end */
		assert_int_equal(sock_iter_to(&it, "", 0), 0);

		char out[9];
		iter_over(&it, v, 4, kernel);
		assert_int_equal(sock_iter_from(&it, out, 2), 0);
		assert_int_equal(sock_iter_from(&it, out + 2, 7), 0);
		assert_memory_equal(out, "012345678", 9);
	}
}

static void test_iter_fault(void **state)
{
	char a[4], b[4], c[4];
	struct linux_iovec v[3] = {
	    {(uintptr_t)a, 4}, {(uintptr_t)b, 4}, {(uintptr_t)c, 4}};
	struct sock_iter it;
	iter_over(&it, v, 3, false);
	bad_lo = (uintptr_t)b;
	bad_hi = bad_lo + 4;
	assert_int_equal(sock_iter_to(&it, "0123456789ab", 12), -EFAULT);
	assert_memory_equal(a, "0123", 4); /* what came before the bad page is there */
	assert_int_equal(it.count, 8);	   /* and the iterator stands at b */
	assert_int_equal(it.idx, 1);
	/* a kernel iterator never faults */
	bad_lo = bad_hi = 0;
	iter_over(&it, v, 3, true);
	assert_int_equal(sock_iter_to(&it, "0123456789ab", 12), 0);
}

static void test_iter_init_user(void **state)
{
	char a[8];
	struct linux_iovec v[3] = {{(uintptr_t)a, 8}, {0, 0}, {(uintptr_t)a, 4}};
	struct sock_iter it;
	assert_int_equal(sock_iter_init_user(&it, v, 3), 0);
	assert_int_equal(it.count, 12);
	assert_false(it.kernel);
	v[1].len = (uint64_t)-1; /* a negative length */
	assert_int_equal(sock_iter_init_user(&it, v, 3), -EINVAL);
	v[1] = (struct linux_iovec){0xffff800000000000UL, 16}; /* the kernel half */
	assert_int_equal(sock_iter_init_user(&it, v, 3), -EFAULT);
	/* the total is capped at MAX_RW_COUNT, segment by segment */
	struct linux_iovec big[2] = {{0x10000, 0x7ffff000UL},
				     {0x10000, 100}}; /* never touched */
	assert_int_equal(sock_iter_init_user(&it, big, 2), 0);
	assert_int_equal(it.count, 0x7ffff000UL);
	assert_int_equal(big[1].len, 0);
	assert_int_equal(sock_iter_init_user(&it, v, 0), 0);
	assert_int_equal(it.count, 0);
}

/* ---- control messages */

static size_t put_hdr(char *buf, size_t off, uint64_t len, int level, int type)
{
	struct linux_cmsghdr h = {len, level, type};
	memcpy(buf + off, &h, sizeof(h));
	return off + CMSG_ALIGN_K(len);
}

static void test_cmsg_walk(void **state)
{
	_Alignas(8) char buf[64] = {0};
	size_t off =
	    put_hdr(buf, 0, CMSG_LEN_K(4), SOL_SOCKET, SCM_RIGHTS); /* 20 -> 24 */
	assert_int_equal(off, 24);
	off = put_hdr(buf, off, CMSG_LEN_K(12), SOL_SOCKET, SCM_CREDENTIALS); /* 28 */
	struct sock_msg m = {.control = buf, .controllen = off};
	const struct linux_cmsghdr *c = sock_cmsg_next(&m, NULL);
	assert_non_null(c);
	assert_int_equal(c->cmsg_type, SCM_RIGHTS);
	c = sock_cmsg_next(&m, c);
	assert_non_null(c);
	assert_int_equal(c->cmsg_type, SCM_CREDENTIALS);
	assert_null(sock_cmsg_next(&m, c));
	assert_int_equal(sock_cmsg_check(&m), 0);

	m.controllen = 24 + 15; /* a trailing piece shorter than a header is not one */
	c = sock_cmsg_next(&m, sock_cmsg_next(&m, NULL));
	assert_null(c);
	assert_int_equal(sock_cmsg_check(&m), 0);

	m.controllen = off;
	put_hdr(buf, 0, 8, SOL_SOCKET, SCM_RIGHTS); /* shorter than its header */
	assert_int_equal(sock_cmsg_check(&m), -EINVAL);
	put_hdr(buf, 0, 100, SOL_SOCKET, SCM_RIGHTS); /* longer than what is left */
	assert_int_equal(sock_cmsg_check(&m), -EINVAL);
	m.controllen = 0;
	assert_null(sock_cmsg_next(&m, NULL));
}

static void test_put_cmsg(void **state)
{
	_Alignas(8) char buf[64];
	memset(buf, 0xee, sizeof(buf));
	struct sock_msg m = {.control = buf, .control_cap = sizeof(buf)};
	int fds[2] = {7, 9};
	assert_int_equal(sock_cmsg_room(&m), 48);
	assert_int_equal(sock_put_cmsg(&m, SOL_SOCKET, SCM_RIGHTS, fds, 4), 4);
	assert_int_equal(m.controllen, 24); /* CMSG_SPACE(4) */
	struct linux_cmsghdr h;
	memcpy(&h, buf, sizeof(h));
	assert_int_equal(h.cmsg_len, 20);
	assert_int_equal(h.cmsg_level, SOL_SOCKET);
	assert_int_equal(h.cmsg_type, SCM_RIGHTS);
	assert_int_equal(buf[20], 0); /* padding zeroed */
	assert_int_equal(buf[23], 0);
	assert_int_equal(m.flags, 0);

	/* 40 bytes left: a 12-byte ucred fits (CMSG_SPACE 32) */
	struct linux_ucred cr = {1, 2, 3};
	assert_int_equal(sock_put_cmsg(&m, SOL_SOCKET, SCM_CREDENTIALS, &cr, 12), 12);
	assert_int_equal(m.controllen, 56);
	/* 8 bytes left: less than a header, nothing written, MSG_CTRUNC */
	assert_int_equal(sock_cmsg_room(&m), 0);
	assert_int_equal(sock_put_cmsg(&m, SOL_SOCKET, SCM_RIGHTS, fds, 8), 0);
	assert_int_equal(m.controllen, 56);
	assert_true(m.flags & MSG_CTRUNC);

	/* a message cut short: the header says its full length, as Linux */
	struct sock_msg s = {.control = buf, .control_cap = 20};
	assert_int_equal(sock_put_cmsg(&s, SOL_SOCKET, SCM_CREDENTIALS, &cr, 12), 4);
	assert_int_equal(s.controllen, 20);
	assert_true(s.flags & MSG_CTRUNC);
	memcpy(&h, buf, sizeof(h));
	assert_int_equal(h.cmsg_len, 28);

	/* no control buffer at all */
	struct sock_msg none = {0};
	assert_int_equal(sock_put_cmsg(&none, SOL_SOCKET, SCM_CREDENTIALS, &cr, 12), 0);
	assert_true(none.flags & MSG_CTRUNC);
	assert_int_equal(sock_cmsg_room(&none), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_iter_segments, setup),
	    cmocka_unit_test_setup(test_iter_fault, setup),
	    cmocka_unit_test_setup(test_iter_init_user, setup),
	    cmocka_unit_test_setup(test_cmsg_walk, setup),
	    cmocka_unit_test_setup(test_put_cmsg, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
