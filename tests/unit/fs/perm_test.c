// SPDX-License-Identifier: MIT
/* Host tests of the permission checks (kernel/fs/perm.c as vfs.c and
 * namei.c use them): owner/group/other bits against the fs ids, root's
 * overrides, search permission on the path, create/unlink/rename in a
 * directory, sticky directories, protected hard links, exec opens, the
 * owner of new files and access() with the real ids.  Expected results are
 * Linux's; tests/apps/credentials.c checks most of them against Linux. */
#include <kern/proc.h>
#include "helpers.h"

static struct cred *cred(void)
{
	return &shim_proc()->cred;
}

static void as(uint32_t uid, uint32_t gid)
{
	struct cred *c = cred();
	c->uid = c->euid = c->suid = c->fsuid = uid;
	c->gid = c->egid = c->sgid = c->fsgid = gid;
}

/* Sets the attributes of what path names, as root would with chmod/chown. */
static void attr(const char *path, uint32_t mode, uint32_t uid, uint32_t gid)
{
	struct nameidata *nd = nd_alloc();
	assert_int_equal(vfs_lookup_at(AT_FDCWD, path, 0, nd), 0);
	nd->inode->mode = (nd->inode->mode & S_IFMT) | mode;
	nd->inode->uid = uid;
	nd->inode->gid = gid;
	nd_release(nd);
	nd_free(nd);
}

static void tree(void)
{
	assert_int_equal(t_mkdir("/d"), 0);
	assert_int_equal(t_write("/d/secret", "s"), 0);
	attr("/d/secret", 0600, 0, 0);
	assert_int_equal(t_write("/d/public", "p"), 0);
	attr("/d/public", 0644, 0, 0);
	assert_int_equal(t_write("/d/group", "g"), 0);
	attr("/d/group", 0640, 0, 50);
	assert_int_equal(t_write("/d/mine", "m"), 0);
	attr("/d/mine", 0077, 1000, 1000);
	assert_int_equal(t_mkdir("/p"), 0);
	assert_int_equal(t_write("/p/f", "f"), 0);
	attr("/p", 0700, 0, 0);
	assert_int_equal(t_mkdir("/open"), 0);
	attr("/open", 0777, 0, 0);
	assert_int_equal(t_mkdir("/t"), 0);
	attr("/t", 01777, 0, 0);
	assert_int_equal(t_write("/t/roots", "r"), 0);
	attr("/t/roots", 0666, 0, 0);
}

static void test_open_bits(void **state)
{
	tree();
	as(1000, 1000);
	assert_int_equal(t_open_err("/d/secret", O_RDONLY), -EACCES);
	assert_int_equal(t_open_err("/d/public", O_RDONLY), 0);
	assert_int_equal(t_open_err("/d/public", O_WRONLY), -EACCES);
	assert_int_equal(t_open_err("/d/public", O_RDONLY | O_TRUNC), -EACCES);
	assert_int_equal(t_open_err("/d/group", O_RDONLY), -EACCES);
	assert_int_equal(t_open_err("/d/mine", O_RDONLY), -EACCES); /* owner bits win */
	cred()->fsgid = 50;
	assert_int_equal(t_open_err("/d/group", O_RDONLY), 0);
	as(1000, 1000);
	struct group_info *g = groups_alloc(2);
	g->gid[0] = 49, g->gid[1] = 50;
	cred()->groups = g;
	assert_int_equal(t_open_err("/d/group", O_RDONLY), 0); /* supplementary */
	cred()->groups = NULL;
	groups_put(g);
	as(0, 0);
	assert_int_equal(t_open_err("/d/secret", O_RDWR), 0);
	assert_int_equal(t_open_err("/d/mine", O_RDWR), 0);
	as(0, 0);
}

static void test_search(void **state)
{
	tree();
	as(1000, 1000);
	assert_int_equal(t_lookup("/p/f", 0, NULL), -EACCES);
	assert_int_equal(t_lookup("/p", 0, NULL), 0); /* the name itself is reachable */
	assert_int_equal(t_open_err("/p", O_RDONLY), -EACCES);
	assert_int_equal(vfs_chdir_path("/p"), -EACCES);
	assert_int_equal(t_lookup("/p/../d", 0, NULL), -EACCES); /* ".." too */
	attr("/p", 0711, 0, 0);
	assert_int_equal(t_lookup("/p/f", 0, NULL), 0);
	assert_int_equal(t_open_err("/p", O_RDONLY), -EACCES);
	as(0, 0);
	attr("/p", 0, 0, 0);
	assert_int_equal(t_lookup("/p/f", 0, NULL), 0); /* root searches anything */
}

static void test_names(void **state)
{
	tree();
	as(1000, 1000);
	assert_int_equal(t_open_err("/d/new", O_CREAT | O_WRONLY), -EACCES);
	assert_int_equal(t_mkdir("/d/new"), -EACCES);
	assert_int_equal(vfs_mknodat(AT_FDCWD, "/d/public", S_IFDIR | 0755, 0), -EEXIST);
	assert_int_equal(vfs_symlinkat("x", AT_FDCWD, "/d/public"), -EEXIST);
	assert_int_equal(vfs_symlinkat("x", AT_FDCWD, "/d/l"), -EACCES);
	assert_int_equal(vfs_unlinkat(AT_FDCWD, "/d/public", 0), -EACCES);
	assert_int_equal(vfs_unlinkat(AT_FDCWD, "/d/nope", 0), -ENOENT);
	assert_int_equal(vfs_renameat(AT_FDCWD, "/d/public", AT_FDCWD, "/open/x", 0),
			 -EACCES);
	assert_int_equal(t_open_err("/d/public", O_RDONLY | O_CREAT), 0); /* exists */
	assert_int_equal(t_open_err("/open/mine", O_CREAT | O_EXCL | O_RDWR), 0);
	struct kstat st;
	assert_int_equal(t_stat("/open/mine", true, &st), 0);
	assert_int_equal(st.uid, 1000);
	assert_int_equal(st.gid, 1000);
	/* a fresh file is opened whatever its mode says */
	struct file *f = vfs_open("/open/ro", O_CREAT | O_EXCL | O_RDWR, 0444);
	assert_false(IS_ERR(f));
	file_put(f);
	assert_int_equal(t_open_err("/open/ro", O_RDWR), -EACCES);
	as(0, 0);
}

static void test_sticky_and_rename(void **state)
{
	tree();
	as(1000, 1000);
	assert_int_equal(t_write("/t/mine", "m"), 0);
	assert_int_equal(vfs_unlinkat(AT_FDCWD, "/t/roots", 0), -EPERM);
	assert_int_equal(vfs_renameat(AT_FDCWD, "/t/roots", AT_FDCWD, "/t/x", 0), -EPERM);
	assert_int_equal(vfs_renameat(AT_FDCWD, "/t/mine", AT_FDCWD, "/t/roots", 0),
			 -EPERM);
	assert_int_equal(vfs_renameat(AT_FDCWD, "/t/mine", AT_FDCWD, "/t/mine2", 0), 0);
	assert_int_equal(vfs_unlinkat(AT_FDCWD, "/t/mine2", 0), 0);
	/* a directory moving to another parent needs write on itself for ".." */
	assert_int_equal(t_mkdir("/open/sub"), 0);
	assert_int_equal(t_mkdir("/open/dst"), 0);
	as(0, 0);
	attr("/open/sub", 0555, 1000, 1000);
	as(1000, 1000);
	assert_int_equal(
	    vfs_renameat(AT_FDCWD, "/open/sub", AT_FDCWD, "/open/dst/sub", 0), -EACCES);
	assert_int_equal(vfs_renameat(AT_FDCWD, "/open/sub", AT_FDCWD, "/open/sub2", 0),
			 0);
	as(0, 0);
	attr("/open/sub2", 0755, 0, 0);
}

static void test_hardlinks(void **state)
{
	tree();
	as(0, 0);
	assert_int_equal(t_write("/open/rw", "x"), 0);
	attr("/open/rw", 0666, 0, 0);
	assert_int_equal(t_write("/open/suid", "x"), 0);
	attr("/open/suid", 04777, 0, 0);
	as(1000, 1000);
	assert_int_equal(vfs_linkat(AT_FDCWD, "/d/public", AT_FDCWD, "/open/l1", 0),
			 -EPERM);
	assert_int_equal(vfs_linkat(AT_FDCWD, "/open/suid", AT_FDCWD, "/open/l2", 0),
			 -EPERM);
	assert_int_equal(vfs_linkat(AT_FDCWD, "/open/rw", AT_FDCWD, "/open/l3", 0), 0);
	assert_int_equal(vfs_linkat(AT_FDCWD, "/open/rw", AT_FDCWD, "/d/l4", 0), -EACCES);
	as(0, 0);
}

static void test_exec_open(void **state)
{
	tree();
	struct file *f = vfs_open_exec("/d/public"); /* no x bit: not even root */
	assert_int_equal(PTR_ERR(f), -EACCES);
	attr("/d/public", 0100, 0, 0);
	f = vfs_open_exec("/d/public");
	assert_false(IS_ERR(f));
	file_put(f);
	assert_int_equal(PTR_ERR(vfs_open_exec("/d")), -EACCES);
	as(1000, 1000);
	assert_int_equal(PTR_ERR(vfs_open_exec("/d/public")), -EACCES);
	attr("/d/public", 0711, 0, 0);
	f = vfs_open_exec("/d/public"); /* execute without read */
	assert_false(IS_ERR(f));
	assert_int_equal(vfs_check_exec(f), 0);
	file_put(f);
	assert_int_equal(t_open_err("/d/public", O_RDONLY), -EACCES);
	assert_int_equal(t_open_err("/d/public", O_RDONLY | O_KEXEC),
			 -EACCES); /* programs cannot ask */
	as(0, 0);
}

static void test_access_real_ids(void **state)
{
	tree();
	struct cred *c = cred();
	c->uid = 0, c->euid = c->fsuid = 1000;
	assert_int_equal(vfs_access(AT_FDCWD, "/d/secret", R_OK | W_OK, 0), 0);
	assert_int_equal(vfs_access(AT_FDCWD, "/d/secret", R_OK, AT_EACCESS), -EACCES);
	assert_int_equal(vfs_access(AT_FDCWD, "/p/f", 0, 0), 0);
	assert_int_equal(vfs_access(AT_FDCWD, "/p/f", 0, AT_EACCESS), -EACCES);
	assert_int_equal(vfs_access(AT_FDCWD, "/d/public", X_OK, 0), -EACCES);
	assert_int_equal(t_open_err("/d/secret", O_RDONLY),
			 -EACCES); /* override undone */
	c->uid = 1000, c->euid = c->fsuid = 0;
	assert_int_equal(vfs_access(AT_FDCWD, "/d/secret", R_OK, 0), -EACCES);
	assert_int_equal(vfs_access(AT_FDCWD, "/d/public", R_OK, 0), 0);
	as(0, 0);
}

static void test_new_owner(void **state)
{
	tree();
	assert_int_equal(t_mkdir("/g"), 0);
	attr("/g", 02777, 0, 77);
	as(1000, 1000);
	cred()->fsgid = 5;
	assert_int_equal(t_write("/open/f", "x"), 0);
	struct kstat st;
	assert_int_equal(t_stat("/open/f", true, &st), 0);
	assert_int_equal(st.uid, 1000);
	assert_int_equal(st.gid, 5);
	assert_int_equal(vfs_mknodat(AT_FDCWD, "/g/d", S_IFDIR | 0755, 0), 0);
	assert_int_equal(t_stat("/g/d", true, &st), 0);
	assert_int_equal(st.gid, 77);
	assert_int_equal(st.mode & 07777, 02755);
	struct file *f = vfs_open("/g/f", O_CREAT | O_WRONLY, 02755);
	assert_false(IS_ERR(f));
	file_put(f);
	assert_int_equal(t_stat("/g/f", true, &st), 0);
	assert_int_equal(st.gid, 77);
	assert_int_equal(st.mode & 07777, 0755); /* not in group 77 */
	as(0, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    FS_TEST(test_open_bits),	   FS_TEST(test_search),
	    FS_TEST(test_names),	   FS_TEST(test_sticky_and_rename),
	    FS_TEST(test_hardlinks),	   FS_TEST(test_exec_open),
	    FS_TEST(test_access_real_ids), FS_TEST(test_new_owner),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
