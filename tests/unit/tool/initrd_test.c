// SPDX-License-Identifier: MIT
/* Tests tools/unielf/initrd.c: --file HOST[:GUEST] parsing, the environment
 * block, and whole initrds (program behind a chain of symlinks, --file trees,
 * implicit parents, the .unielf descriptor) extracted with GNU cpio. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "initrd.h"
#include "pathlookup.h"
#include "testutil.h"

static void expect_spec(const char *arg, const char *host, const char *guest)
{
	char *h, *g;

	assert_int_equal(initrd_parse_file_spec(arg, &h, &g), 0);
	assert_string_equal(h, host);
	if (guest)
		assert_string_equal(g, guest);
	else
		assert_null(g);
	free(h);
	free(g);
}

static void expect_bad_spec(const char *arg)
{
	char *h, *g;
	assert_int_equal(initrd_parse_file_spec(arg, &h, &g), -EINVAL);
	assert_null(h);
	assert_null(g);
}

static void test_file_spec(void **state)
{
	expect_spec("data", "data", NULL);
	expect_spec("/etc/hosts", "/etc/hosts", NULL);
	expect_spec("./data:/srv/data", "./data", "/srv/data");
	expect_spec("data:srv", "data", "/srv"); /* relative GUEST is under / */
	expect_spec("data:/a/./b/../c/", "data", "/a/c");
	expect_spec("x:/", "x", "/");
	expect_spec("a:b:c", "a", "/b:c"); /* the first colon splits */
	expect_spec("lib:.unielfish", "lib", "/.unielfish");
	expect_bad_spec("");
	expect_bad_spec(":/x");
	expect_bad_spec("x:");
	expect_bad_spec("x:/.unielf");
	expect_bad_spec("x:/.unielf/argv");
	expect_bad_spec("x:/a/../.unielf/env");
}

/* Renders a NUL-separated block as "a|b|c|" for comparison. */
static char *flatten(const struct ue_buf *b)
{
	char *s = malloc(b->len + 1);
	for (size_t i = 0; i < b->len; i++)
		s[i] = b->data[i] ? b->data[i] : '|';
	s[b->len] = '\0';
	return s;
}

static void expect_env(char **envs, size_t n, const char *term, const char *want)
{
	struct ue_buf b = {0};
	char *s;

	initrd_build_env(envs, n, term, &b);
	s = flatten(&b);
	assert_string_equal(s, want);
	free(s);
	ue_buf_free(&b);
}

static void test_env(void **state)
{
	char *none[] = {NULL};
	char *some[] = {"FOO=1", "BAR=", "FOO=2=3", "PATH=/opt/bin"};
	char *home[] = {"HOME=/root", "TERM=dumb"};
	char *host[] = {"UNIELF_TEST_HOSTVAR", "UNIELF_TEST_UNSET"};

	expect_env(none, 0, NULL, "PATH=/usr/local/bin:/usr/bin:/bin|HOME=/|");
	expect_env(none, 0, "xterm",
		   "PATH=/usr/local/bin:/usr/bin:/bin|HOME=/|TERM=xterm|");
	/* a later value replaces an earlier one in place; defaults yield to --env */
	expect_env(some, 4, NULL, "HOME=/|FOO=2=3|BAR=|PATH=/opt/bin|");
	expect_env(home, 2, "xterm",
		   "PATH=/usr/local/bin:/usr/bin:/bin|HOME=/root|TERM=dumb|");
	setenv("UNIELF_TEST_HOSTVAR", "from host", 1);
	unsetenv("UNIELF_TEST_UNSET");
	expect_env(
	    host, 2, NULL,
	    "PATH=/usr/local/bin:/usr/bin:/bin|HOME=/|UNIELF_TEST_HOSTVAR=from host|");
}

/* ---------------------------------------------------------------- whole initrds */

struct fixture {
	char *dir;
	char *out;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	f->dir = tu_mkdtemp();
	f->out = tu_path(f->dir, "out");
	mkdir(f->out, 0755);
	*state = f;
	umask(022);
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	tu_rm_rf(f->dir);
	free(f->dir);
	free(f->out);
	free(f);
	return 0;
}

static void extract(struct fixture *f, struct initrd *r)
{
	assert_int_equal(lseek(initrd_fd(r), 0, SEEK_SET), 0);
	assert_int_equal(tu_cpio_extract(initrd_fd(r), f->out), 0);
}

/* lstat of guest path @g in the extracted tree */
static mode_t guest_mode(struct fixture *f, const char *g)
{
	char *p = tu_path(f->out, g);
	struct stat st;
	int r = lstat(p, &st);
	free(p);
	return r < 0 ? 0 : st.st_mode;
}

static char *guest_link(struct fixture *f, const char *g)
{
	char *p = tu_path(f->out, g), buf[4096];
	ssize_t n = readlink(p, buf, sizeof(buf) - 1);
	free(p);
	if (n < 0)
		return NULL;
	buf[n] = '\0';
	return strdup(buf);
}

static char *guest_read(struct fixture *f, const char *g)
{
	char *p = tu_path(f->out, g), *s = tu_read_file(p, NULL);
	free(p);
	return s;
}

/* dir/bin -> real/bin (a symlinked directory, like /bin -> usr/bin),
 * real/bin/sh -> dash, real/bin/dash -> /ABS/real/libexec/dash-5 */
static void test_program_symlink_chain(void **state)
{
	struct fixture *f = *state;
	char *real = tu_path(f->dir, "real"), *bin = tu_path(f->dir, "real/bin");
	char *libexec = tu_path(f->dir, "real/libexec"), *p, *q, *s;
	struct initrd *r;

	mkdir(real, 0755);
	mkdir(bin, 0755);
	mkdir(libexec, 0755);
	p = tu_path(libexec, "dash-5");
	tu_write_file(p,
		      "\x7f"
		      "ELFdash",
		      8, 0755);
	q = tu_path(bin, "dash");
	assert_int_equal(symlink(p, q), 0);
	free(q);
	free(p);
	q = tu_path(bin, "sh");
	assert_int_equal(symlink("dash", q), 0);
	free(q);
	q = tu_path(f->dir, "bin");
	assert_int_equal(symlink("real/bin", q), 0);
	free(q);

	r = initrd_create();
	assert_non_null(r);
	p = tu_path(f->dir,
		    "bin/sh"); /* as typed; the tool would resolve the dir first */
	assert_int_equal(initrd_add_host_path(r, p), 0);
	assert_int_equal(initrd_add_host_path(r, p), 0); /* the same thing twice: fine */
	free(p);
	/* a path ending at a (symlinked) directory packs the directory's tree */
	q = tu_path(bin, "extra");
	tu_write_file(q, "", 0, 0600);
	free(q);
	p = tu_path(f->dir, "bin/");
	assert_int_equal(initrd_add_host_path(r, p), 0);
	free(p);
	assert_int_equal(initrd_finish(r), 0);
	extract(f, r);

	/* every link met on the way is in the archive, as a link */
	p = tu_path(f->dir + 1, "bin");
	s = guest_link(f, p);
	assert_string_equal(s, "real/bin");
	free(s);
	free(p);
	p = tu_path(f->dir + 1, "real/bin/sh");
	s = guest_link(f, p);
	assert_string_equal(s, "dash");
	free(s);
	free(p);
	p = tu_path(f->dir + 1, "real/bin/dash");
	s = guest_link(f, p);
	q = tu_path(libexec, "dash-5");
	assert_string_equal(s, q);
	free(q);
	free(s);
	free(p);
	p = tu_path(f->dir + 1, "real/libexec/dash-5");
	assert_int_equal(guest_mode(f, p), S_IFREG | 0755);
	s = guest_read(f, p);
	assert_memory_equal(s,
			    "\x7f"
			    "ELFdash",
			    8);
	free(s);
	free(p);
	p = tu_path(f->dir + 1, "real/bin");
	assert_int_equal(guest_mode(f, p), S_IFDIR | 0755);
	free(p);
	p = tu_path(f->dir + 1, "real/bin/extra");
	assert_int_equal(guest_mode(f, p), S_IFREG | 0600);
	free(p);
	/* implicit parents are plain 0755 directories */
	assert_int_equal(guest_mode(f, f->dir + 1), S_IFDIR | 0755);
	initrd_destroy(r);
	free(real);
	free(bin);
	free(libexec);
}

static void test_trees_and_descriptor(void **state)
{
	struct fixture *f = *state;
	char *data = tu_path(f->dir, "data"), *p, *s;
	struct initrd *r;
	struct ue_buf argv = {0};

	mkdir(data, 0750);
	p = tu_path(data, "sub");
	mkdir(p, 0700);
	free(p);
	p = tu_path(data, "sub/x.txt");
	tu_write_file(p, "x\n", 2, 0600);
	free(p);
	p = tu_path(data, "empty");
	tu_write_file(p, "", 0, 0644);
	free(p);
	p = tu_path(data, "ln");
	assert_int_equal(symlink("sub/x.txt", p), 0);
	free(p);
	p = tu_path(f->dir, "single");
	tu_write_file(p, "one", 3, 0640);
	free(p);

	r = initrd_create();
	assert_non_null(r);
	assert_int_equal(initrd_add_tree(r, data, "/srv/data"), 0);
	p = tu_path(f->dir, "single");
	assert_int_equal(initrd_add_tree(r, p, "/etc/single"), 0);
	/* a different file at a taken path is an error, a directory again is not */
	assert_int_equal(initrd_add_tree(r, data, "/etc/single"), -1);
	assert_int_equal(initrd_add_tree(r, p, "/srv/data"), -1);
	assert_int_equal(initrd_add_tree(r, p, "/"), -1);
	assert_int_equal(initrd_add_dir(r, "/srv"), 0);
	assert_int_equal(initrd_add_dir(r, "/etc/single"), -1);
	assert_int_equal(initrd_add_dir(r, "/work/dir"), 0);
	free(p);
	p = tu_path(f->dir, "missing");
	assert_int_equal(initrd_add_tree(r, p, "/x"), -1);
	free(p);
	ue_buf_addz(&argv, "prog");
	ue_buf_addz(&argv, "-l");
	assert_int_equal(initrd_add_descriptor(r, "argv", argv.data, argv.len), 0);
	assert_int_equal(initrd_add_descriptor(r, "exe", "/bin/prog", 9), 0);
	assert_int_equal(initrd_add_descriptor(r, "tty", "0 1 1 24 80\n", 12), 0);
	assert_int_equal(initrd_finish(r), 0);
	assert_true(initrd_size(r) % 4 == 0);
	extract(f, r);

	assert_int_equal(guest_mode(f, "srv"), S_IFDIR | 0755);
	assert_int_equal(guest_mode(f, "srv/data"), S_IFDIR | 0750);
	assert_int_equal(guest_mode(f, "srv/data/sub"), S_IFDIR | 0700);
	assert_int_equal(guest_mode(f, "srv/data/sub/x.txt"), S_IFREG | 0600);
	assert_int_equal(guest_mode(f, "srv/data/empty"), S_IFREG | 0644);
	s = guest_link(f, "srv/data/ln");
	assert_string_equal(s, "sub/x.txt");
	free(s);
	s = guest_read(f, "etc/single");
	assert_string_equal(s, "one");
	free(s);
	assert_int_equal(guest_mode(f, "work/dir"), S_IFDIR | 0755);
	assert_int_equal(guest_mode(f, "x"), 0);
	assert_int_equal(guest_mode(f, ".unielf"), S_IFDIR | 0755);
	s = guest_read(f, ".unielf/argv");
	assert_memory_equal(s, "prog\0-l\0", 8);
	free(s);
	s = guest_read(f, ".unielf/exe");
	assert_string_equal(s, "/bin/prog");
	free(s);
	s = guest_read(f, ".unielf/tty");
	assert_string_equal(s, "0 1 1 24 80\n");
	free(s);
	ue_buf_free(&argv);
	initrd_destroy(r);
	free(data);
}

/* Regression: a share or file under /tmp made /tmp a plain 0755 directory in
 * the guest.  The directories the kernel makes at boot get no entry, so an
 * existing /tmp (1777 here, as the kernel makes it) keeps its mode, while
 * other implicit parents are still 0755. */
static void test_boot_dirs_keep_their_mode(void **state)
{
	struct fixture *f = *state;
	char *file = tu_path(f->dir, "f"), *tmp = tu_path(f->out, "tmp");
	struct initrd *r;

	tu_write_file(file, "f", 1, 0644);
	assert_int_equal(mkdir(tmp, 0755), 0);
	assert_int_equal(chmod(tmp, 01777), 0);
	r = initrd_create();
	assert_non_null(r);
	assert_int_equal(initrd_add_tree(r, file, "/tmp/share/sub/f"), 0);
	assert_int_equal(initrd_add_dir(r, "/tmp"), 0);
	assert_int_equal(initrd_add_dir(r, "/proc"), 0);
	assert_int_equal(initrd_add_dir(r, "/tmp/work"), 0);
	assert_true(initrd_contains(r, "/tmp"));
	assert_int_equal(initrd_finish(r), 0);
	extract(f, r);
	assert_int_equal(guest_mode(f, "tmp"), S_IFDIR | 01777);
	assert_int_equal(guest_mode(f, "proc"), 0);
	assert_int_equal(guest_mode(f, "tmp/share"), S_IFDIR | 0755);
	assert_int_equal(guest_mode(f, "tmp/share/sub"), S_IFDIR | 0755);
	assert_int_equal(guest_mode(f, "tmp/work"), S_IFDIR | 0755);
	assert_int_equal(guest_mode(f, "tmp/share/sub/f"), S_IFREG | 0644);
	initrd_destroy(r);
	free(file);
	free(tmp);
}

/* The temporary file is gone from the directory as soon as it exists. */
static void test_initrd_is_unlinked(void **state)
{
	struct fixture *f = *state;
	char *old = getenv("TMPDIR") ? strdup(getenv("TMPDIR")) : NULL;
	struct initrd *r;
	struct stat st;
	DIR *d;
	struct dirent *e;
	int entries = 0;

	setenv("TMPDIR", f->out, 1);
	r = initrd_create();
	assert_non_null(r);
	assert_int_equal(fstat(initrd_fd(r), &st), 0);
	assert_int_equal(st.st_nlink, 0);
	d = opendir(f->out);
	while ((e = readdir(d)))
		entries += e->d_name[0] != '.';
	closedir(d);
	assert_int_equal(entries, 0);
	initrd_destroy(r);
	if (old)
		setenv("TMPDIR", old, 1);
	else
		unsetenv("TMPDIR");
	free(old);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_file_spec),
	    cmocka_unit_test(test_env),
	    cmocka_unit_test_setup_teardown(test_program_symlink_chain, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_trees_and_descriptor, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_boot_dirs_keep_their_mode, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_initrd_is_unlinked, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
