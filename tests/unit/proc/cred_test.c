// SPDX-License-Identifier: MIT
/* Host tests of the credential rules (kernel/proc/cred.c): every set*id call
 * from root and unprivileged, the saved-id and fs-id side effects, the
 * no-op setresuid, setfsuid's silent failures, group lists, what execve
 * does with set-id bits, and who may signal whom.  The expected values are
 * Linux's (kernel/sys.c, kernel/groups.c, fs/exec.c, kernel/signal.c);
 * tests/apps/credentials.c checks the same against a real Linux. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <kern/cred.h>
#include <uapi/errno.h>
#include <uapi/stat.h>

void *kmalloc(size_t n)
{
	return malloc(n ? n : 1);
}
void kfree(void *p)
{
	free(p);
}
struct thread *thread_current(void)
{
	return NULL;
}

#define N CRED_NOID

static struct cred ids(uint32_t r, uint32_t e, uint32_t s, uint32_t fs)
{
	struct cred c = {0};
	c.uid = r, c.euid = e, c.suid = s, c.fsuid = fs;
	return c;
}

#define assert_uids(c, r, e, s, fs)                                                      \
	do {                                                                             \
		assert_int_equal((c).uid, r);                                            \
		assert_int_equal((c).euid, e);                                           \
		assert_int_equal((c).suid, s);                                           \
		assert_int_equal((c).fsuid, fs);                                         \
	} while (0)

static void test_setuid(void **state)
{
	struct cred c = ids(0, 0, 0, 0);
	assert_int_equal(cred_setuid(&c, N), -EINVAL);
	assert_int_equal(cred_setuid(&c, 1000), 0);
	assert_uids(c, 1000, 1000, 1000, 1000);
	assert_true(c.nodump);
	assert_int_equal(cred_setuid(&c, 0), -EPERM);

	c = ids(1000, 2000, 3000, 2000);
	assert_int_equal(cred_setuid(&c, 3000), 0); /* the saved one */
	assert_uids(c, 1000, 3000, 3000, 3000);
	assert_int_equal(cred_setuid(&c, 1000), 0); /* the real one */
	assert_uids(c, 1000, 1000, 3000, 1000);
	assert_int_equal(cred_setuid(&c, 2000), -EPERM);

	c = ids(1000, 0, 1000, 0); /* euid 0: all but... the real and saved too */
	assert_int_equal(cred_setuid(&c, 5), 0);
	assert_uids(c, 5, 5, 5, 5);
}

static void test_setreuid(void **state)
{
	struct cred c = ids(0, 0, 0, 0);
	assert_int_equal(cred_setreuid(&c, N, 1000), 0);
	assert_uids(c, 0, 1000, 1000, 1000); /* euid != old ruid: saved follows */
	assert_int_equal(cred_setreuid(&c, N, 0), 0);
	assert_uids(c, 0, 0, 1000, 0); /* euid == old ruid: saved stays */
	assert_int_equal(cred_setreuid(&c, 7, N), 0);
	assert_uids(c, 7, 0, 0, 0); /* ruid given: saved = euid */
	c = ids(1000, 2000, 3000, 99);
	assert_int_equal(cred_setreuid(&c, 2000, 3000), 0);
	assert_uids(c, 2000, 3000, 3000, 3000);
	assert_int_equal(cred_setreuid(&c, 4000, N), -EPERM);
	assert_int_equal(cred_setreuid(&c, 3000, 4000), -EPERM);
	assert_uids(c, 2000, 3000, 3000, 3000); /* a refused call changes nothing */
	c = ids(1000, 2000, 3000, 99);
	assert_int_equal(cred_setreuid(&c, 3000, N),
			 -EPERM); /* ruid: real or effective */
	assert_int_equal(cred_setreuid(&c, N, N), 0);
	assert_uids(c, 1000, 2000, 3000, 2000); /* fsuid = euid even so */
}

static void test_setresuid(void **state)
{
	struct cred c = ids(0, 0, 0, 1000);
	assert_int_equal(cred_setresuid(&c, N, N, N), 0);
	assert_uids(c, 0, 0, 0, 1000); /* a no-op keeps the fsuid */
	assert_int_equal(cred_setresuid(&c, N, 0, N), 0);
	assert_uids(c, 0, 0, 0, 0); /* euid named, fsuid differed: reset */
	assert_int_equal(cred_setresuid(&c, 1, 2, 3), 0);
	assert_uids(c, 1, 2, 3, 2);
	assert_int_equal(cred_setresuid(&c, 3, 1, 2), 0);
	assert_uids(c, 3, 1, 2, 1);
	assert_int_equal(cred_setresuid(&c, 4, N, N), -EPERM);
	assert_int_equal(cred_setresuid(&c, N, N, 0), -EPERM);
	assert_uids(c, 3, 1, 2, 1);
}

static void test_gids(void **state)
{
	struct cred c = {0};
	assert_int_equal(cred_setresgid(&c, 10, 20, 30), 0);
	assert_int_equal(c.fsgid, 20);
	assert_int_equal(cred_setregid(&c, N, 30), 0);
	assert_int_equal(c.sgid, 30);
	assert_int_equal(cred_setgid(&c, N), -EINVAL);
	c.euid = 5; /* unprivileged: CAP_SETGID follows the euid too */
	c.gid = 1, c.egid = 2, c.sgid = 3, c.fsgid = 2;
	assert_int_equal(cred_setgid(&c, 3), 0);
	assert_int_equal(c.gid, 1);
	assert_int_equal(c.egid, 3);
	assert_int_equal(c.fsgid, 3);
	assert_int_equal(cred_setgid(&c, 2), -EPERM);
	assert_int_equal(cred_setregid(&c, 2, N), -EPERM);
	assert_int_equal(cred_setresgid(&c, 9, N, N), -EPERM);
}

static void test_setfsuid(void **state)
{
	struct cred c = ids(0, 0, 0, 0);
	assert_int_equal(cred_setfsuid(&c, 1000), 0);
	assert_int_equal(cred_setfsuid(&c, N), 1000);
	assert_int_equal(c.fsuid, 1000);
	c = ids(1, 2, 3, 4);
	assert_int_equal(cred_setfsuid(&c, 9), 4); /* refused: the old one back */
	assert_int_equal(c.fsuid, 4);
	assert_false(c.nodump);
	assert_int_equal(cred_setfsuid(&c, 3), 4);
	assert_int_equal(c.fsuid, 3);
	assert_true(c.nodump);
	c.gid = 1, c.egid = 2, c.sgid = 3, c.fsgid = 4;
	assert_int_equal(cred_setfsgid(&c, 9), 4);
	assert_int_equal(cred_setfsgid(&c, 1), 4);
	assert_int_equal(c.fsgid, 1);
}

static void test_groups(void **state)
{
	struct cred c = {0};
	struct group_info *g = groups_alloc(5);
	uint32_t in[5] = {9, 3, 7, 3, 1};
	memcpy(g->gid, in, sizeof(in));
	assert_int_equal(cred_setgroups(&c, g), 0);
	uint32_t want[5] = {1, 3, 3, 7, 9};
	assert_memory_equal(c.groups->gid, want, sizeof(want));
	c.fsgid = 100;
	assert_true(cred_in_group(&c, 100));
	for (int i = 0; i < 5; i++)
		assert_true(cred_in_group(&c, want[i]));
	assert_false(cred_in_group(&c, 0));
	assert_false(cred_in_group(&c, 8));
	assert_false(cred_in_group(&c, 10));

	struct cred child;
	cred_copy(&child, &c);
	assert_ptr_equal(child.groups, c.groups);
	assert_int_equal(c.groups->refcount, 2);
	cred_release(&child);
	assert_int_equal(cred_setgroups(&c, groups_alloc(0)), 0);
	assert_null(c.groups);
	c.euid = 1;
	assert_int_equal(cred_setgroups(&c, groups_alloc(1)), -EPERM); /* and freed */
	cred_release(&c);
}

static void test_exec(void **state)
{
	struct cred c = ids(1000, 1000, 1000, 1000), n;
	c.gid = c.egid = c.sgid = c.fsgid = 100;
	assert_false(cred_exec_prepare(&c, S_IFREG | 0755, 0, 0, &n));
	assert_uids(n, 1000, 1000, 1000, 1000);
	assert_true(cred_exec_prepare(&c, S_IFREG | 04755, 0, 0, &n));
	assert_uids(n, 1000, 0, 0, 0);
	assert_true(cred_exec_prepare(&c, S_IFREG | 02755, 0, 42, &n));
	assert_int_equal(n.egid, 42);
	assert_int_equal(n.sgid, 42);
	assert_int_equal(n.fsgid, 42);
	assert_false(cred_exec_prepare(&c, S_IFREG | 02745, 0, 42,
				       &n)); /* no g+x: mandatory locking, not set-gid */
	assert_int_equal(n.egid, 100);
	c.no_new_privs = true;
	assert_false(cred_exec_prepare(&c, S_IFREG | 06755, 0, 0, &n));
	assert_uids(n, 1000, 1000, 1000, 1000);

	c = ids(0, 1000, 0, 1000); /* seteuid(1000), then exec: the saved 0 goes */
	assert_true(cred_exec_prepare(&c, S_IFREG | 0755, 0, 0, &n));
	assert_uids(n, 0, 1000, 1000, 1000);
	c.nodump = false;
	cred_exec_commit(&c, &n);
	assert_uids(c, 0, 1000, 1000, 1000);
	assert_true(c.nodump);
	n = ids(5, 5, 5, 5);
	c.nodump = true;
	cred_exec_commit(&c, &n);
	assert_false(c.nodump); /* a plain exec is dumpable again */
}

static void test_signal(void **state)
{
	struct cred a = ids(1000, 1000, 1000, 1000), b = ids(2000, 2000, 2000, 2000);
	assert_false(cred_may_signal(&a, &b));
	b.suid = 1000;
	assert_true(cred_may_signal(&a, &b)); /* sender's euid = target's saved */
	b = ids(2000, 1000, 2000, 1000);
	assert_false(cred_may_signal(&a, &b)); /* the target's euid does not count */
	a = ids(2000, 3000, 3000, 3000);
	assert_true(cred_may_signal(&a, &b)); /* sender's real = target's real */
	a = ids(5, 0, 5, 0);
	assert_true(cred_may_signal(&a, &b)); /* CAP_KILL */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_setuid),    cmocka_unit_test(test_setreuid),
	    cmocka_unit_test(test_setresuid), cmocka_unit_test(test_gids),
	    cmocka_unit_test(test_setfsuid),  cmocka_unit_test(test_groups),
	    cmocka_unit_test(test_exec),      cmocka_unit_test(test_signal),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
