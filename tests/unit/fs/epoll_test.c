// SPDX-License-Identifier: MIT
/* Host tests of epoll sets and eventfd (kernel/fs/epoll.c, eventfd.c) over
 * pipes: level- and edge-triggered reports (the edge after a drain and a new
 * write with no look in between), one-shot and re-arm, the ready list order
 * and maxevents, EFAULT keeping the event, ctl errors, nesting and loops,
 * and that closing a file takes it out of every set (ASan sees any use of
 * a freed item or file). */
#include <uapi/epoll.h>
#include <uapi/poll.h>
#include "fs/epoll.h"
#include "helpers.h"

struct array_sink {
	struct epoll_sink sink;
	struct linux_epoll_event ev[16];
	int fail_at; /* emit fails for this index (-1: never) */
};

static int array_emit(struct epoll_sink *s, int i, const struct linux_epoll_event *ev)
{
	struct array_sink *a = (struct array_sink *)s;
	if (i == a->fail_at)
		return -EFAULT;
	a->ev[i] = *ev;
	return 0;
}

/* Harvests up to max events; returns the count and puts "data:events"
 * pairs, space separated, in out. */
static long harvest(struct file *ep, int max, char *out)
{
	struct array_sink a = {{array_emit}, {{0}}, -1};
	long n = epoll_harvest(ep, max, &a.sink);
	out[0] = 0;
	for (long i = 0; i < n; i++)
		sprintf(out + strlen(out), "%s%llu:%x", i ? " " : "",
			(unsigned long long)a.ev[i].data, a.ev[i].events);
	return n;
}

static int add(struct file *ep, int fd, struct file *f, uint32_t events, uint64_t data)
{
	struct linux_epoll_event ev = {events, data};
	return epoll_ctl_file(ep, EPOLL_CTL_ADD, fd, f, &ev);
}

static int mod(struct file *ep, int fd, struct file *f, uint32_t events, uint64_t data)
{
	struct linux_epoll_event ev = {events, data};
	return epoll_ctl_file(ep, EPOLL_CTL_MOD, fd, f, &ev);
}

static void test_eventfd(void **state)
{
	uint64_t v = 0;
	assert_true(IS_ERR(eventfd_file(0, 0x10)));
	struct file *e = eventfd_file(3, EFD_NONBLOCK);
	assert_false(IS_ERR(e));
	assert_int_equal(vfs_poll(e), POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM);
	assert_int_equal(vfs_read(e, &v, 4), -EINVAL);
	assert_int_equal(vfs_write(e, &v, 7), -EINVAL);
	assert_int_equal(vfs_write(e, &v, 9), -EINVAL);
	assert_int_equal(vfs_read(e, &v, 16), 8);
	assert_int_equal(v, 3);
	assert_int_equal(vfs_read(e, &v, 8), -EAGAIN);
	assert_int_equal(vfs_poll(e), POLLOUT | POLLWRNORM);
	v = UINT64_MAX;
	assert_int_equal(vfs_write(e, &v, 8), -EINVAL);
	v = UINT64_MAX - 1;
	assert_int_equal(vfs_write(e, &v, 8), 8);
	assert_int_equal(vfs_poll(e), POLLIN | POLLRDNORM); /* full: no POLLOUT */
	v = 1;
	assert_int_equal(vfs_write(e, &v, 8), -EAGAIN);
	v = 0;
	assert_int_equal(vfs_write(e, &v, 8), 8); /* adding 0 always fits */
	file_put(e);

	e = eventfd_file(2, EFD_SEMAPHORE);
	assert_int_equal(vfs_read(e, &v, 8), 8);
	assert_int_equal(v, 1);
	assert_int_equal(vfs_read(e, &v, 8), 8);
	assert_int_equal(v, 1);
	/* blocking: the shim's sleep reports a signal */
	assert_int_equal(vfs_read(e, &v, 8), -ERESTARTSYS);
	file_put(e);
}

static void test_level_and_edge(void **state)
{
	struct file *ep = epoll_create_file(), *r, *w, *r2, *w2;
	char out[256];
	assert_int_equal(pipe_create(&r, &w, O_NONBLOCK), 0);
	assert_int_equal(pipe_create(&r2, &w2, O_NONBLOCK), 0);
	assert_int_equal(add(ep, 3, r, EPOLLIN, 1), 0);
	assert_int_equal(add(ep, 5, r2, EPOLLIN | EPOLLET, 2), 0);
	assert_int_equal(harvest(ep, 8, out), 0);
	assert_int_equal(vfs_poll(ep), 0);

	vfs_write(w2, "ab", 2);
	vfs_write(w, "xy", 2);
	assert_int_equal(vfs_poll(ep), POLLIN | POLLRDNORM);
	assert_int_equal(harvest(ep, 8, out), 2);
	assert_string_equal(out, "2:1 1:1"); /* in the order the data came */
	/* level: again while readable; edge: not without a new event */
	assert_int_equal(harvest(ep, 8, out), 1);
	assert_string_equal(out, "1:1");
	char buf[8];
	/* drain to EAGAIN, new data before the next look: reported again */
	assert_int_equal(vfs_read(r2, buf, 8), 2);
	assert_int_equal(vfs_read(r2, buf, 8), -EAGAIN);
	vfs_write(w2, "c", 1);
	assert_int_equal(harvest(ep, 8, out), 2);
	assert_string_equal(out, "1:1 2:1");
	/* more data without a read is an event too, as on Linux */
	vfs_write(w2, "d", 1);
	assert_int_equal(harvest(ep, 8, out), 2);
	assert_string_equal(out, "1:1 2:1");
	assert_int_equal(vfs_read(r, buf, 8), 2);
	assert_int_equal(harvest(ep, 8, out), 0);

	/* the writer goes: POLLHUP (with POLLIN: data left) */
	file_put(w2);
	assert_int_equal(harvest(ep, 8, out), 1);
	assert_string_equal(out, "2:11");
	file_put(ep);
	file_put(r);
	file_put(w);
	file_put(r2);
}

static void test_oneshot_mod_del(void **state)
{
	struct file *ep = epoll_create_file(), *r, *w;
	char out[256];
	assert_int_equal(pipe_create(&r, &w, O_NONBLOCK), 0);
	assert_int_equal(add(ep, 3, r, EPOLLIN | EPOLLONESHOT, 7), 0);
	assert_int_equal(add(ep, 3, r, EPOLLIN, 7), -EEXIST);
	assert_int_equal(add(ep, 4, r, EPOLLIN, 8), 0); /* same file, other fd */
	vfs_write(w, "x", 1);
	assert_int_equal(harvest(ep, 8, out), 2);
	assert_string_equal(out, "7:1 8:1");
	assert_int_equal(harvest(ep, 8, out), 1); /* one-shot is disarmed */
	assert_string_equal(out, "8:1");
	assert_int_equal(epoll_ctl_file(ep, EPOLL_CTL_DEL, 4, r, NULL), 0);
	assert_int_equal(epoll_ctl_file(ep, EPOLL_CTL_DEL, 4, r, NULL), -ENOENT);
	assert_int_equal(harvest(ep, 8, out), 0);
	assert_int_equal(mod(ep, 3, r, EPOLLIN | EPOLLONESHOT, 9), 0);
	assert_int_equal(harvest(ep, 8, out), 1);
	assert_string_equal(out, "9:1");
	assert_int_equal(harvest(ep, 8, out), 0);
	assert_int_equal(mod(ep, 5, r, EPOLLIN, 9), -ENOENT);
	assert_int_equal(mod(ep, 3, r, EPOLLIN | EPOLLEXCLUSIVE, 9), -EINVAL);
	struct linux_epoll_event ev = {EPOLLIN, 0};
	assert_int_equal(epoll_ctl_file(ep, 99, 3, r, &ev), -EINVAL);
	/* write end: POLLOUT only when asked */
	assert_int_equal(add(ep, 6, w, EPOLLOUT | EPOLLEXCLUSIVE, 10), 0);
	assert_int_equal(mod(ep, 6, w, EPOLLOUT, 10), -EINVAL); /* exclusive item */
	assert_int_equal(harvest(ep, 8, out), 1);
	assert_string_equal(out, "10:4");
	file_put(ep);
	file_put(r);
	file_put(w);
}

static void test_order_and_maxevents(void **state)
{
	struct file *ep = epoll_create_file(), *r[3], *w[3];
	char out[256];
	for (int i = 0; i < 3; i++) {
		assert_int_equal(pipe_create(&r[i], &w[i], O_NONBLOCK), 0);
		assert_int_equal(add(ep, 10 + i, r[i], EPOLLIN, (uint64_t)i), 0);
	}
	vfs_write(w[2], "x", 1);
	vfs_write(w[0], "x", 1);
	vfs_write(w[1], "x", 1);
	assert_int_equal(harvest(ep, 2, out), 2);
	assert_string_equal(out, "2:1 0:1");
	/* the one left over first, then the reported level-triggered ones */
	assert_int_equal(harvest(ep, 8, out), 3);
	assert_string_equal(out, "1:1 2:1 0:1");

	/* a failed copy of the first event keeps it first */
	struct array_sink a = {{array_emit}, {{0}}, 0};
	assert_int_equal(epoll_harvest(ep, 8, &a.sink), -EFAULT);
	a.fail_at = 1;
	assert_int_equal(epoll_harvest(ep, 8, &a.sink), 1);
	assert_int_equal(a.ev[0].data, 1);
	assert_int_equal(harvest(ep, 8, out), 3);
	assert_string_equal(out, "2:1 0:1 1:1");
	file_put(ep);
	for (int i = 0; i < 3; i++) {
		file_put(r[i]);
		file_put(w[i]);
	}
}

static void test_errors(void **state)
{
	struct file *ep = epoll_create_file(), *r, *w;
	assert_int_equal(pipe_create(&r, &w, 0), 0);
	assert_int_equal(t_write("/reg", "data"), 0);
	struct file *reg = vfs_open("/reg", O_RDONLY, 0);
	struct file *dir = vfs_open("/", O_RDONLY | O_DIRECTORY, 0);
	assert_int_equal(add(ep, 3, reg, EPOLLIN, 0), -EPERM);
	assert_int_equal(add(ep, 3, dir, EPOLLIN, 0), -EPERM);
	assert_int_equal(add(ep, 3, ep, EPOLLIN, 0), -EINVAL);
	assert_int_equal(add(r, 3, w, EPOLLIN, 0), -EINVAL); /* not a set */
	assert_int_equal(add(ep, 3, r, EPOLLIN | EPOLLEXCLUSIVE | EPOLLONESHOT, 0),
			 -EINVAL);
	assert_int_equal(add(ep, 3, r, EPOLLIN | EPOLLEXCLUSIVE | EPOLLRDHUP, 0),
			 -EINVAL);
	struct file *inner = epoll_create_file();
	assert_int_equal(add(ep, 4, inner, EPOLLIN | EPOLLEXCLUSIVE, 0), -EINVAL);
	file_put(inner);
	file_put(reg);
	file_put(dir);
	file_put(ep);
	file_put(r);
	file_put(w);
	assert_int_equal(vfs_unlinkat(AT_FDCWD, "/reg", 0), 0);
}

static void test_close_removes(void **state)
{
	struct file *ep = epoll_create_file(), *r, *w;
	char out[256];
	assert_int_equal(pipe_create(&r, &w, 0), 0);
	assert_int_equal(add(ep, 3, r, EPOLLIN, 1), 0);
	assert_int_equal(add(ep, 4, w, EPOLLOUT, 2), 0);
	struct file *dup = file_get(r);
	file_put(r); /* a descriptor left: still watched */
	assert_int_equal(harvest(ep, 8, out), 1);
	assert_string_equal(out, "2:4");
	vfs_write(w, "x", 1);
	assert_int_equal(harvest(ep, 8, out), 2);
	file_put(dup); /* the last reference: out of the set */
	assert_int_equal(harvest(ep, 8, out), 1);
	assert_string_equal(out, "2:c"); /* POLLOUT|POLLERR: no reader */
	/* the set goes first, with a file still in it */
	file_put(ep);
	file_put(w);
}

static void test_nesting(void **state)
{
	struct file *outer = epoll_create_file(), *inner = epoll_create_file(), *r, *w;
	char out[256];
	assert_int_equal(pipe_create(&r, &w, 0), 0);
	assert_int_equal(add(inner, 3, r, EPOLLIN, 1), 0);
	assert_int_equal(add(outer, 4, inner, EPOLLIN | EPOLLET, 2), 0);
	assert_int_equal(add(inner, 5, outer, EPOLLIN, 3), -ELOOP);
	assert_int_equal(harvest(outer, 8, out), 0);
	vfs_write(w, "x", 1);
	assert_int_equal(harvest(outer, 8, out), 1);
	assert_string_equal(out, "2:1");
	assert_int_equal(harvest(outer, 8, out), 0); /* edge-triggered */
	vfs_write(w, "y", 1);
	assert_int_equal(harvest(outer, 8, out), 1);
	assert_int_equal(harvest(inner, 8, out), 1);
	assert_string_equal(out, "1:1");

	/* a chain of 5 sets is the deepest Linux allows */
	struct file *chain[6];
	for (int i = 0; i < 6; i++)
		chain[i] = epoll_create_file();
	for (int i = 0; i < 4; i++)
		assert_int_equal(add(chain[i], 10, chain[i + 1], EPOLLIN, 0), 0);
	assert_int_equal(add(chain[4], 10, chain[5], EPOLLIN, 0), -ELOOP);
	assert_int_equal(add(chain[3], 11, chain[0], EPOLLIN, 0), -ELOOP);
	/* the inner set closed first: it leaves the outer one */
	file_put(inner);
	assert_int_equal(harvest(outer, 8, out), 0);
	for (int i = 5; i >= 0; i--)
		file_put(chain[i]);
	file_put(outer);
	file_put(r);
	file_put(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_eventfd, shim_setup, shim_teardown),
	    cmocka_unit_test_setup_teardown(test_level_and_edge, shim_setup,
					    shim_teardown),
	    cmocka_unit_test_setup_teardown(test_oneshot_mod_del, shim_setup,
					    shim_teardown),
	    cmocka_unit_test_setup_teardown(test_order_and_maxevents, shim_setup,
					    shim_teardown),
	    cmocka_unit_test_setup_teardown(test_errors, shim_setup, shim_teardown),
	    cmocka_unit_test_setup_teardown(test_close_removes, shim_setup,
					    shim_teardown),
	    cmocka_unit_test_setup_teardown(test_nesting, shim_setup, shim_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
