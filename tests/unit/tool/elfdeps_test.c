// SPDX-License-Identifier: MIT
/* Tests tools/unielf/elfdeps.c on real objects built by the host's gcc: a
 * program linked against a library found through $ORIGIN, a static program, a
 * non-ELF file, and the host's own /bin/ls (interpreter and libc). */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "elfdeps.h"
#include "testutil.h"

static bool has(const struct elfdeps *d, const char *suffix)
{
	for (size_t i = 0; i < d->n; i++) {
		size_t a = strlen(d->paths[i]), b = strlen(suffix);
		if (a >= b && !strcmp(d->paths[i] + a - b, suffix))
			return true;
	}
	return false;
}

/* Runs a shell command with $D set to @dir. */
static int sh(const char *cmd, const char *dir)
{
	setenv("D", dir, 1);
	return system(cmd);
}

static void test_host_ls(void **state)
{
	struct elfdeps d;

	assert_int_equal(elfdeps_collect("/bin/ls", &d), 0);
	assert_true(d.n >= 2);
	assert_string_equal(d.paths[0], "/lib64/ld-linux-x86-64.so.2"); /* interpreter */
	assert_true(has(&d, "/libc.so.6"));
	assert_int_equal(d.nmissing, 0);
	elfdeps_free(&d);
}

static void test_origin_and_missing(void **state)
{
	char *dir = tu_mkdtemp(), *prog;
	struct elfdeps d;

	assert_int_equal(
	    sh("mkdir -p $D/lib && echo 'int foo(void){return 1;}' > $D/foo.c && "
	       "gcc -shared -fPIC -o $D/lib/libfoo.so $D/foo.c",
	       dir),
	    0);
	assert_int_equal(sh("echo 'int bar(void){return 2;}' > $D/bar.c && "
			    "gcc -shared -fPIC -o $D/libbar.so $D/bar.c",
			    dir),
			 0);
	assert_int_equal(sh("echo 'int foo(void); int bar(void); "
			    "int main(void){return foo()+bar();}' > $D/main.c && "
			    "gcc -o $D/prog $D/main.c -L$D/lib -L$D -lfoo -lbar "
			    "-Wl,-rpath,'$ORIGIN/lib'",
			    dir),
			 0);
	/* libbar.so is not on any search path: reported missing */
	assert_true(asprintf(&prog, "%s/prog", dir) > 0);
	assert_int_equal(elfdeps_collect(prog, &d), 0);
	assert_true(has(&d, "/lib/libfoo.so"));
	assert_true(has(&d, "/libc.so.6"));
	assert_int_equal(d.nmissing, 1);
	assert_string_equal(d.missing[0], "libbar.so");
	elfdeps_free(&d);
	free(prog);
	tu_rm_rf(dir);
	free(dir);
}

static void test_static_and_not_elf(void **state)
{
	char *dir = tu_mkdtemp(), *p;
	struct elfdeps d;

	assert_true(asprintf(&p, "%s/script", dir) > 0);
	tu_write_file(p, "#!/bin/sh\n", 10, 0755);
	assert_int_equal(elfdeps_collect(p, &d), 0);
	assert_int_equal(d.n, 0);
	free(p);
	if (sh("echo 'int main(void){return 0;}' > $D/s.c && "
	       "gcc -static -o $D/s $D/s.c 2>/dev/null",
	       dir) == 0) {
		assert_true(asprintf(&p, "%s/s", dir) > 0);
		assert_int_equal(elfdeps_collect(p, &d), 0);
		assert_int_equal(d.n, 0);
		assert_int_equal(d.nmissing, 0);
		free(p);
	}
	assert_int_equal(elfdeps_collect("/nonexistent", &d), -ENOENT);
	tu_rm_rf(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_host_ls),
	    cmocka_unit_test(test_origin_and_missing),
	    cmocka_unit_test(test_static_and_not_elf),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
