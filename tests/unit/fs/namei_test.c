// SPDX-License-Identifier: MIT
/* Host tests of path lookup and name-space operations (kernel/fs/namei.c,
 * vfs.c, ramfs.c): ".", "..", "//", trailing slashes, symlinks and loops,
 * length limits, create/unlink/rename/link semantics and link counts.
 * Expected results are what Linux gives for the same calls. */
#include "helpers.h"

static void test_dots_and_slashes(void **state)
{
	char p[PATH_MAX];
	assert_int_equal(t_mkdir("/a"), 0);
	assert_int_equal(t_mkdir("/a/b"), 0);
	assert_int_equal(t_write("/a/b/f", "x"), 0);
	assert_int_equal(t_lookup("/a/./b/../b//f", LOOKUP_FOLLOW, p), 0);
	assert_string_equal(p, "/a/b/f");
	assert_int_equal(t_lookup("//a///b/", LOOKUP_FOLLOW, p), 0);
	assert_string_equal(p, "/a/b");
	assert_int_equal(t_lookup("/../../a/..", LOOKUP_FOLLOW, p), 0);
	assert_string_equal(p, "/");
	assert_int_equal(t_lookup("/", 0, p), 0);
	assert_string_equal(p, "/");
	assert_int_equal(t_lookup("", 0, NULL), -ENOENT);
	assert_int_equal(t_lookup("/a/b/f/", LOOKUP_FOLLOW, NULL), -ENOTDIR);
	assert_int_equal(t_lookup("/a/b/f/.", LOOKUP_FOLLOW, NULL), -ENOTDIR);
	assert_int_equal(t_lookup("/a/b/f/x", LOOKUP_FOLLOW, NULL), -ENOTDIR);
	assert_int_equal(t_lookup("/a/nope/x", LOOKUP_FOLLOW, NULL), -ENOENT);
	assert_int_equal(t_lookup("/a/b/f", LOOKUP_DIRECTORY, NULL), -ENOTDIR);
}

static void test_relative_and_chdir(void **state)
{
	char p[PATH_MAX];
	assert_int_equal(t_mkdir("/a"), 0);
	assert_int_equal(t_mkdir("/a/b"), 0);
	assert_int_equal(vfs_chdir(shim_proc(), "/a/b"), 0);
	assert_int_equal(t_write("g", "1"), 0);
	assert_int_equal(t_lookup("../b/g", 0, p), 0);
	assert_string_equal(p, "/a/b/g");
	assert_int_equal(vfs_chdir(shim_proc(), ".."), 0);
	assert_string_equal(fs_current()->cwd_path, "/a");
	assert_int_equal(vfs_chdir(shim_proc(), "b/g"), -ENOTDIR);
	assert_int_equal(vfs_chdir(shim_proc(), "nope"), -ENOENT);
	assert_string_equal(fs_current()->cwd_path, "/a");
}

static void test_symlinks(void **state)
{
	char p[PATH_MAX];
	struct kstat st;
	assert_int_equal(t_mkdir("/a"), 0);
	assert_int_equal(t_mkdir("/a/b"), 0);
	assert_int_equal(t_write("/a/b/f", "data"), 0);
	assert_int_equal(vfs_symlinkat("b/f", AT_FDCWD, "/a/rel"), 0);
	assert_int_equal(vfs_symlinkat("/a/b", AT_FDCWD, "/abs"), 0);
	assert_int_equal(vfs_symlinkat("../a/b/../b", AT_FDCWD, "/a/up"), 0);
	assert_int_equal(t_lookup("/a/rel", LOOKUP_FOLLOW, p), 0);
	assert_string_equal(p, "/a/b/f");
	assert_int_equal(t_lookup("/a/rel", 0, p), 0);
	assert_string_equal(p, "/a/rel");
	assert_int_equal(t_lookup("/abs/f", 0, p), 0);
	assert_string_equal(p, "/a/b/f");
	assert_int_equal(t_lookup("/a/up/f", 0, p), 0);
	assert_string_equal(p, "/a/b/f");
	/* a trailing slash follows even without LOOKUP_FOLLOW */
	assert_int_equal(t_lookup("/abs/", 0, p), 0);
	assert_string_equal(p, "/a/b");
	assert_string_equal(t_read("/a/rel", NULL), "data");
	assert_int_equal(t_stat("/a/rel", false, &st), 0);
	assert_true(S_ISLNK(st.mode));
	assert_int_equal(st.size, 3);
	char buf[64];
	assert_int_equal(vfs_readlinkat(AT_FDCWD, "/a/rel", buf, sizeof(buf)), 3);
	assert_string_equal(buf, "b/f");
	assert_int_equal(vfs_readlinkat(AT_FDCWD, "/a/b/f", buf, sizeof(buf)), -EINVAL);
	/* O_NOFOLLOW on a symlink, O_DIRECTORY on a file */
	assert_int_equal(t_open_err("/a/rel", O_RDONLY | O_NOFOLLOW), -ELOOP);
	assert_int_equal(t_open_err("/a/rel", O_RDONLY | O_DIRECTORY), -ENOTDIR);
	assert_int_equal(vfs_symlinkat("", AT_FDCWD, "/empty"), -ENOENT);
	assert_int_equal(vfs_symlinkat("x", AT_FDCWD, "/a/rel"), -EEXIST);
}

static void test_symlink_loops(void **state)
{
	assert_int_equal(vfs_symlinkat("/l2", AT_FDCWD, "/l1"), 0);
	assert_int_equal(vfs_symlinkat("/l1", AT_FDCWD, "/l2"), 0);
	assert_int_equal(vfs_symlinkat("self", AT_FDCWD, "/self"), 0);
	assert_int_equal(t_lookup("/l1", LOOKUP_FOLLOW, NULL), -ELOOP);
	assert_int_equal(t_lookup("/self/x", 0, NULL), -ELOOP);
	assert_int_equal(t_open_err("/l1", O_RDONLY), -ELOOP);
	assert_int_equal(t_open_err("/l1", O_RDONLY | O_CREAT), -ELOOP);
	/* a chain of exactly 40 links resolves; 41 is a loop */
	assert_int_equal(t_write("/target", "t"), 0);
	char name[32], prev[32] = "/target";
	for (int i = 1; i <= 41; i++) {
		snprintf(name, sizeof(name), "/c%d", i);
		assert_int_equal(vfs_symlinkat(prev, AT_FDCWD, name), 0);
		strcpy(prev, name);
	}
	assert_int_equal(t_lookup("/c40", LOOKUP_FOLLOW, NULL), 0);
	assert_int_equal(t_lookup("/c41", LOOKUP_FOLLOW, NULL), -ELOOP);
}

static void test_dangling(void **state)
{
	struct kstat st;
	assert_int_equal(vfs_symlinkat("/nowhere", AT_FDCWD, "/d"), 0);
	assert_int_equal(t_stat("/d", true, &st), -ENOENT);
	assert_int_equal(t_stat("/d", false, &st), 0);
	assert_int_equal(t_open_err("/d", O_RDONLY), -ENOENT);
	assert_int_equal(t_open_err("/d", O_WRONLY | O_CREAT | O_EXCL), -EEXIST);
	/* O_CREAT through a dangling link creates its target */
	assert_int_equal(t_open_err("/d", O_WRONLY | O_CREAT), 0);
	assert_int_equal(t_stat("/nowhere", true, &st), 0);
	assert_true(S_ISREG(st.mode));
	assert_int_equal(st.mode & 07777, 0644 & ~022);
}

static void test_name_limits(void **state)
{
	char name[300], path[PATH_MAX + 10];
	memset(name, 'n', 257);
	name[0] = '/';
	name[257] = 0; /* a 256-byte component */
	assert_int_equal(t_lookup(name, 0, NULL), -ENAMETOOLONG);
	name[256] = 0; /* 255: the longest allowed */
	assert_int_equal(t_lookup(name, 0, NULL), -ENOENT);
	assert_int_equal(t_write(name, "ok"), 0);
	assert_int_equal(t_lookup(name, 0, NULL), 0);
	memset(path, 'a', sizeof(path));
	for (int i = 0; i < PATH_MAX + 5; i += 2)
		path[i] = '/';
	path[PATH_MAX] = 0;
	assert_int_equal(t_lookup(path, 0, NULL), -ENAMETOOLONG);
	path[PATH_MAX - 1] = 0;
	assert_int_equal(t_lookup(path, 0, NULL), -ENOENT);
}

static void test_create_semantics(void **state)
{
	assert_int_equal(t_mkdir("/d"), 0);
	assert_int_equal(t_mkdir("/d"), -EEXIST);
	assert_int_equal(t_mkdir("/d/"), -EEXIST);
	assert_int_equal(t_mkdir("/"), -EEXIST);
	assert_int_equal(t_mkdir("/d/."), -EEXIST);
	assert_int_equal(t_mkdir("/x/y"), -ENOENT);
	assert_int_equal(t_mkdir("/e/"), 0);
	assert_int_equal(t_write("/f", "1"), 0);
	assert_int_equal(t_mkdir("/f/g"), -ENOTDIR);
	assert_int_equal(t_open_err("/f", O_RDONLY | O_CREAT | O_EXCL), -EEXIST);
	assert_int_equal(t_open_err("/d", O_WRONLY), -EISDIR);
	assert_int_equal(t_open_err("/d", O_RDONLY | O_CREAT), -EISDIR);
	assert_int_equal(t_open_err("/new/", O_RDONLY | O_CREAT), -EISDIR);
	assert_int_equal(t_open_err("/f/", O_RDONLY), -ENOTDIR);
	assert_int_equal(t_open_err("/d", O_RDONLY), 0);
	assert_int_equal(t_open_err("/f", O_RDONLY | O_TMPFILE), -EOPNOTSUPP);
	/* O_TRUNC empties, O_APPEND appends */
	assert_int_equal(t_write("/f", "hello"), 0);
	struct file *f = vfs_open("/f", O_WRONLY | O_APPEND, 0);
	assert_false(IS_ERR(f));
	assert_int_equal(vfs_write(f, " world", 6), 6);
	file_put(f);
	assert_string_equal(t_read("/f", NULL), "hello world");
	assert_int_equal(t_open_err("/f", O_WRONLY | O_TRUNC), 0);
	assert_string_equal(t_read("/f", NULL), "");
}

static void test_unlink_rmdir(void **state)
{
	assert_int_equal(t_mkdir("/d"), 0);
	assert_int_equal(t_write("/d/f", "1"), 0);
	assert_int_equal(vfs_unlinkat(AT_FDCWD, "/d", 0), -EISDIR);
	assert_int_equal(vfs_unlinkat(AT_FDCWD, "/d", AT_REMOVEDIR), -ENOTEMPTY);
	assert_int_equal(vfs_unlinkat(AT_FDCWD, "/d/f", AT_REMOVEDIR), -ENOTDIR);
	assert_int_equal(vfs_unlinkat(AT_FDCWD, "/d/f/", 0), -ENOTDIR);
	assert_int_equal(vfs_unlinkat(AT_FDCWD, "/d/.", AT_REMOVEDIR), -EINVAL);
	assert_int_equal(vfs_unlinkat(AT_FDCWD, "/d/..", AT_REMOVEDIR), -ENOTEMPTY);
	assert_int_equal(vfs_unlinkat(AT_FDCWD, "/", AT_REMOVEDIR), -EBUSY);
	assert_int_equal(vfs_unlinkat(AT_FDCWD, "/d/nope", 0), -ENOENT);
	assert_int_equal(vfs_unlinkat(AT_FDCWD, "/d/f", 0x8000), -EINVAL);
	/* an unlinked open file stays readable */
	struct file *f = vfs_open("/d/f", O_RDONLY, 0);
	assert_false(IS_ERR(f));
	assert_int_equal(vfs_unlinkat(AT_FDCWD, "/d/f", 0), 0);
	char c = 0;
	assert_int_equal(vfs_read(f, &c, 1), 1);
	assert_int_equal(c, '1');
	struct kstat st;
	assert_int_equal(vfs_fstat(f, &st), 0);
	assert_int_equal(st.nlink, 0);
	file_put(f);
	assert_int_equal(vfs_unlinkat(AT_FDCWD, "/d/", AT_REMOVEDIR), 0);
	assert_int_equal(t_lookup("/d", 0, NULL), -ENOENT);
}

static void test_removed_cwd(void **state)
{
	assert_int_equal(t_mkdir("/d"), 0);
	assert_int_equal(vfs_chdir(shim_proc(), "/d"), 0);
	assert_int_equal(vfs_unlinkat(AT_FDCWD, "/d", AT_REMOVEDIR), 0);
	assert_int_equal(t_write("x", "1"), -ENOENT);
	assert_int_equal(t_lookup("..", 0, NULL), -ENOENT);
	assert_int_equal(vfs_chdir(shim_proc(), "/"), 0);
}

static void test_link_counts(void **state)
{
	struct kstat st;
	assert_int_equal(t_mkdir("/d"), 0);
	assert_int_equal(t_stat("/d", true, &st), 0);
	assert_int_equal(st.nlink, 2);
	assert_int_equal(t_mkdir("/d/s1"), 0);
	assert_int_equal(t_mkdir("/d/s2"), 0);
	assert_int_equal(t_stat("/d", true, &st), 0);
	assert_int_equal(st.nlink, 4);
	assert_int_equal(t_write("/d/f", "abc"), 0);
	assert_int_equal(vfs_linkat(AT_FDCWD, "/d/f", AT_FDCWD, "/g", 0), 0);
	assert_int_equal(t_stat("/g", true, &st), 0);
	assert_int_equal(st.nlink, 2);
	assert_int_equal(vfs_linkat(AT_FDCWD, "/d/f", AT_FDCWD, "/g", 0), -EEXIST);
	assert_int_equal(vfs_linkat(AT_FDCWD, "/d/s1", AT_FDCWD, "/h", 0), -EPERM);
	assert_int_equal(vfs_linkat(AT_FDCWD, "/nope", AT_FDCWD, "/h", 0), -ENOENT);
	assert_int_equal(vfs_unlinkat(AT_FDCWD, "/d/f", 0), 0);
	assert_int_equal(t_stat("/g", true, &st), 0);
	assert_int_equal(st.nlink, 1);
	assert_string_equal(t_read("/g", NULL), "abc");
	/* link to a symlink itself unless AT_SYMLINK_FOLLOW */
	assert_int_equal(vfs_symlinkat("/g", AT_FDCWD, "/sl"), 0);
	assert_int_equal(vfs_linkat(AT_FDCWD, "/sl", AT_FDCWD, "/sl2", 0), 0);
	assert_int_equal(t_stat("/sl2", false, &st), 0);
	assert_true(S_ISLNK(st.mode));
	assert_int_equal(vfs_linkat(AT_FDCWD, "/sl", AT_FDCWD, "/g2", AT_SYMLINK_FOLLOW),
			 0);
	assert_int_equal(t_stat("/g2", false, &st), 0);
	assert_true(S_ISREG(st.mode));
	assert_int_equal(st.nlink, 2);
	assert_int_equal(vfs_unlinkat(AT_FDCWD, "/d/s1", AT_REMOVEDIR), 0);
	assert_int_equal(t_stat("/d", true, &st), 0);
	assert_int_equal(st.nlink, 3);
}

static void test_rename(void **state)
{
	struct kstat st, st2;
	assert_int_equal(t_mkdir("/a"), 0);
	assert_int_equal(t_mkdir("/b"), 0);
	assert_int_equal(t_mkdir("/a/sub"), 0);
	assert_int_equal(t_write("/a/sub/x", "x"), 0);
	assert_int_equal(t_write("/f1", "one"), 0);
	assert_int_equal(t_write("/f2", "two"), 0);
	/* over an existing file: the old target goes away */
	assert_int_equal(t_stat("/f1", true, &st), 0);
	assert_int_equal(vfs_renameat(AT_FDCWD, "/f1", AT_FDCWD, "/f2", 0), 0);
	assert_string_equal(t_read("/f2", NULL), "one");
	assert_int_equal(t_stat("/f2", true, &st2), 0);
	assert_int_equal(st.ino, st2.ino);
	assert_int_equal(t_lookup("/f1", 0, NULL), -ENOENT);
	/* onto a non-empty directory, dir onto file, file onto dir */
	assert_int_equal(vfs_renameat(AT_FDCWD, "/b", AT_FDCWD, "/a", 0), -ENOTEMPTY);
	assert_int_equal(vfs_renameat(AT_FDCWD, "/b", AT_FDCWD, "/f2", 0), -ENOTDIR);
	assert_int_equal(vfs_renameat(AT_FDCWD, "/f2", AT_FDCWD, "/b", 0), -EISDIR);
	/* into itself */
	assert_int_equal(vfs_renameat(AT_FDCWD, "/a", AT_FDCWD, "/a/sub/a", 0), -EINVAL);
	assert_int_equal(vfs_renameat(AT_FDCWD, "/a", AT_FDCWD, "/a", 0), 0);
	assert_int_equal(vfs_renameat(AT_FDCWD, "/nope", AT_FDCWD, "/z", 0), -ENOENT);
	assert_int_equal(vfs_renameat(AT_FDCWD, "/f2", AT_FDCWD, "/z/", 0), -ENOTDIR);
	assert_int_equal(vfs_renameat(AT_FDCWD, "/a/.", AT_FDCWD, "/z", 0), -EBUSY);
	/* NOREPLACE */
	assert_int_equal(t_write("/f3", "3"), 0);
	assert_int_equal(vfs_renameat(AT_FDCWD, "/f3", AT_FDCWD, "/f2", RENAME_NOREPLACE),
			 -EEXIST);
	assert_int_equal(vfs_renameat(AT_FDCWD, "/f3", AT_FDCWD, "/f2", RENAME_EXCHANGE),
			 -EINVAL);
	/* over an empty directory, and directory link counts follow the move */
	assert_int_equal(vfs_renameat(AT_FDCWD, "/a/sub", AT_FDCWD, "/b", 0), 0);
	assert_string_equal(t_read("/b/x", NULL), "x");
	assert_int_equal(t_stat("/a", true, &st), 0);
	assert_int_equal(st.nlink, 2);
	assert_int_equal(vfs_renameat(AT_FDCWD, "/b", AT_FDCWD, "/a/moved", 0), 0);
	assert_int_equal(t_stat("/a", true, &st), 0);
	assert_int_equal(st.nlink, 3);
	char p[PATH_MAX];
	assert_int_equal(t_lookup("/a/moved/x/..", 0, p), -ENOTDIR);
	assert_int_equal(t_lookup("/a/moved/..", 0, p), 0);
	assert_string_equal(p, "/a");
	assert_int_equal(t_lookup("/a/moved", 0, NULL), 0);
}

static void test_remove_tree(void **state)
{
	assert_int_equal(t_mkdir("/t"), 0);
	assert_int_equal(t_mkdir("/t/a"), 0);
	assert_int_equal(t_mkdir("/t/a/b"), 0);
	assert_int_equal(t_write("/t/a/b/f", "1"), 0);
	assert_int_equal(vfs_symlinkat("/", AT_FDCWD, "/t/a/root"), 0);
	assert_int_equal(t_write("/keep", "k"), 0);
	assert_int_equal(vfs_remove_tree("/t"), 0);
	assert_int_equal(t_lookup("/t", 0, NULL), -ENOENT);
	assert_string_equal(t_read("/keep", NULL), "k");
	assert_int_equal(vfs_remove_tree("/t"), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    FS_TEST(test_dots_and_slashes), FS_TEST(test_relative_and_chdir),
	    FS_TEST(test_symlinks),	    FS_TEST(test_symlink_loops),
	    FS_TEST(test_dangling),	    FS_TEST(test_name_limits),
	    FS_TEST(test_create_semantics), FS_TEST(test_unlink_rmdir),
	    FS_TEST(test_removed_cwd),	    FS_TEST(test_link_counts),
	    FS_TEST(test_rename),	    FS_TEST(test_remove_tree),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
