// SPDX-License-Identifier: MIT
/* Tests tools/unielf/pathlookup.c: PATH lookup with execvp's rules (first
 * executable hit wins, non-executables and directories are passed over, an empty
 * entry means the current directory) and the lexical path helpers. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "pathlookup.h"
#include "testutil.h"

struct fixture {
	char *dir;
	char *a, *b, *c; /* three PATH directories */
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char *p;

	f->dir = tu_mkdtemp();
	f->a = tu_path(f->dir, "a");
	f->b = tu_path(f->dir, "b");
	f->c = tu_path(f->dir, "c");
	mkdir(f->a, 0755);
	mkdir(f->b, 0755);
	mkdir(f->c, 0755);
	/* a/tool is not executable, b/tool is; a/dir is a directory, c/dir a program */
	p = tu_path(f->a, "tool");
	tu_write_file(p, "x", 1, 0644);
	free(p);
	p = tu_path(f->b, "tool");
	tu_write_file(p, "x", 1, 0755);
	free(p);
	p = tu_path(f->a, "dir");
	mkdir(p, 0755);
	free(p);
	p = tu_path(f->c, "dir");
	tu_write_file(p, "x", 1, 0755);
	free(p);
	p = tu_path(f->a, "noexec");
	tu_write_file(p, "x", 1, 0644);
	free(p);
	p = tu_path(f->c, "fifo");
	mkfifo(p, 0755);
	free(p);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	tu_rm_rf(f->dir);
	free(f->dir);
	free(f->a);
	free(f->b);
	free(f->c);
	free(f);
	return 0;
}

static void expect_found(const char *prog, const char *path_env, const char *want)
{
	char *out = NULL;
	assert_int_equal(path_lookup(prog, path_env, &out), 0);
	assert_string_equal(out, want);
	free(out);
}

static void expect_error(const char *prog, const char *path_env, int err)
{
	char *out = (char *)1;
	assert_int_equal(path_lookup(prog, path_env, &out), err);
	assert_null(out);
}

static void test_lookup_in_path(void **state)
{
	struct fixture *f = *state;
	char *path_env, *want;

	assert_true(asprintf(&path_env, "%s:%s:%s", f->a, f->b, f->c) > 0);
	want = tu_path(f->b, "tool");
	expect_found("tool", path_env, want); /* a/tool is not executable: skipped */
	free(want);
	want = tu_path(f->c, "dir");
	expect_found("dir", path_env, want); /* a/dir is a directory: skipped */
	free(want);
	expect_error("noexec", path_env, -EACCES); /* only a non-executable hit */
	expect_error("fifo", path_env, -EACCES);   /* not a regular file */
	expect_error("missing", path_env, -ENOENT);
	expect_error("", path_env, -ENOENT);
	free(path_env);

	/* trailing slashes and doubled separators in PATH entries */
	assert_true(asprintf(&path_env, "::%s//:%s/", f->c, f->b) > 0);
	want = tu_path(f->b, "tool");
	expect_found("tool", path_env, want);
	free(want);
	free(path_env);
}

static void test_empty_entry_is_cwd(void **state)
{
	struct fixture *f = *state;
	char *old = getcwd(NULL, 0);

	assert_int_equal(chdir(f->b), 0);
	expect_found("tool", "", "./tool");
	expect_found("tool", "/nonexistent:", "./tool");
	expect_found("tool", ":/nonexistent", "./tool");
	expect_error("tool", "/nonexistent", -ENOENT);
	assert_int_equal(chdir(old), 0);
	free(old);
}

static void test_with_slash(void **state)
{
	struct fixture *f = *state;
	char *p = tu_path(f->b, "tool");

	expect_found(p, "/nonexistent", p); /* PATH is not consulted */
	free(p);
	p = tu_path(f->a, "noexec");
	expect_error(p, NULL, -EACCES);
	free(p);
	expect_error(f->a, NULL, -EISDIR);
	p = tu_path(f->a, "missing");
	expect_error(p, NULL, -ENOENT);
	free(p);
	p = tu_path(f->a, "noexec/below"); /* ENOTDIR counts as not found */
	expect_error(p, NULL, -ENOENT);
	free(p);
}

static void test_default_path(void **state)
{
	char *out = NULL;
	/* NULL means UE_DEFAULT_PATH; sh lives there on every Debian */
	assert_int_equal(path_lookup("sh", NULL, &out), 0);
	assert_true(!strcmp(out, "/usr/local/bin/sh") || !strcmp(out, "/usr/bin/sh") ||
		    !strcmp(out, "/bin/sh"));
	free(out);
}

static void test_normalize(void **state)
{
	static const char *cases[][2] = {
	    {"/", "/"},
	    {"", "/"},
	    {"//", "/"},
	    {"/a/b/", "/a/b"},
	    {"a/b", "/a/b"},
	    {"/a//b///c", "/a/b/c"},
	    {"/a/./b/.", "/a/b"},
	    {"/a/b/../c", "/a/c"},
	    {"/../..", "/"},
	    {"../x", "/x"},
	    {"/a/b/../../..", "/"},
	    {"/a/..b/c..", "/a/..b/c.."},
	    {"/.unielf/../x", "/x"},
	    {"/a/.../b", "/a/.../b"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *n = path_normalize(cases[i][0]);
		assert_string_equal(n, cases[i][1]);
		free(n);
	}
}

static void test_join_dirname(void **state)
{
	char *s;

	s = path_join("/a/", "/b");
	assert_string_equal(s, "/a/b");
	free(s);
	s = path_join("/", "b");
	assert_string_equal(s, "/b");
	free(s);
	s = path_dirname("/a/b");
	assert_string_equal(s, "/a");
	free(s);
	s = path_dirname("/a");
	assert_string_equal(s, "/");
	free(s);
}

/* The directory part is resolved, the name itself is kept even if a symlink. */
static void test_host_absolute(void **state)
{
	struct fixture *f = *state;
	char *old = getcwd(NULL, 0), *link, *alias, *want, *got;

	link = tu_path(f->b, "link");
	assert_int_equal(symlink("tool", link), 0);
	alias = tu_path(f->dir, "alias");
	assert_int_equal(symlink("b", alias), 0);

	assert_int_equal(chdir(f->dir), 0);
	got = path_host_absolute("alias/link"); /* through a symlinked directory */
	assert_string_equal(got, link);
	free(got);
	got = path_host_absolute("./b/../b/tool");
	want = tu_path(f->b, "tool");
	assert_string_equal(got, want);
	free(got);
	free(want);
	got = path_host_absolute("b/");
	assert_string_equal(got, f->b);
	free(got);
	assert_null(path_host_absolute("nowhere/x"));
	assert_int_equal(errno, ENOENT);
	assert_int_equal(chdir(old), 0);
	free(old);
	free(link);
	free(alias);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_lookup_in_path, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_empty_entry_is_cwd, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_with_slash, setup, teardown),
	    cmocka_unit_test(test_default_path),
	    cmocka_unit_test(test_normalize),
	    cmocka_unit_test(test_join_dirname),
	    cmocka_unit_test_setup_teardown(test_host_absolute, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
