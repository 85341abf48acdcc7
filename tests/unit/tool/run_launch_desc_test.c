// SPDX-License-Identifier: MIT
/* Tests what `unielf run` hands QEMU and the kernel for --control, --control-key,
 * --share and --root (tools/unielf/run.c): a stand-in QEMU records its arguments
 * and copies the initrd, which GNU cpio extracts; checks the mount table, the key
 * file, the QEMU devices, the stale-socket rule and that the socket is removed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <sys/socket.h>
#include <sys/un.h>
#include "relay.h"
#include "testutil.h"

static const char fake_qemu[] =
    "#!/bin/sh\n"
    "printf '%s\\n' \"$@\" > \"$FAKE_DIR/argv\"\n"
    "cat /proc/self/fd/3 > \"$FAKE_DIR/initrd.cpio\"\n"
    /* READY, EXIT 0 */
    "printf 'UNIELF-SYNC\\n\\007\\000\\000\\004\\001\\000\\000'\n";

static char *dir;

static char *at(const char *name)
{
	return tu_path(dir, name);
}

static int group_setup(void **state)
{
	dir = tu_fake_qemu_dir(fake_qemu);
	unsetenv("UNIELF_DEFAULT_CWD_SHARE");
	return 0;
}

static int group_teardown(void **state)
{
	tu_rm_rf(dir);
	free(dir);
	return 0;
}

/* Runs `unielf run` with the given options on the stand-in program. */
static int run(struct run_opts *o)
{
	char *prog = at("prog");
	char *argv[] = {prog, NULL};
	int saved = dup(0), null = open("/dev/null", O_RDONLY), status;

	o->mem_mb = 128;
	o->accel = UE_ACCEL_TCG;
	if (!o->workdir)
		o->workdir = "/";
	o->prog_argv = argv;
	o->prog_argc = 1;
	alarm(20);
	dup2(null, 0);
	status = run_main(o);
	dup2(saved, 0);
	close(saved);
	close(null);
	alarm(0);
	free(prog);
	return status;
}

/* Extracts the initrd the stand-in QEMU saw and reads one file of it. */
static char *initrd_file(const char *name, size_t *len)
{
	char *cpio = at("initrd.cpio"), *x = at("x"), *path;
	int fd = open(cpio, O_RDONLY);
	char *data;

	tu_rm_rf(x);
	mkdir(x, 0755);
	assert_int_equal(tu_cpio_extract(fd, x), 0);
	close(fd);
	if (asprintf(&path, "%s/%s", x, name) < 0)
		abort();
	data = tu_read_file(path, len);
	free(path);
	free(cpio);
	free(x);
	return data;
}

static char *qemu_args(void)
{
	char *p = at("argv"), *a = tu_read_file(p, NULL);
	free(p);
	assert_non_null(a);
	return a;
}

static void test_control_and_key(void **state)
{
	char *sock = at("ctl.sock"), *key = at("key"), *a, *k;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct run_opts o = {0};
	size_t len;
	int s;

	/* a stale socket is replaced */
	strcpy(sa.sun_path, sock);
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(s);
	tu_write_file(key, "k3y\n", 4, 0600);
	o.control = sock;
	o.control_key = key;
	assert_int_equal(run(&o), 0);
	a = qemu_args();
	assert_non_null(strstr(a, "socket,id=ctl,path="));
	assert_non_null(strstr(a, "virtio-serial-device,max_ports=1\n"));
	assert_non_null(strstr(a, "virtconsole,chardev=ctl,nr=0\n"));
	free(a);
	k = initrd_file(".unielf/control-key", &len);
	assert_non_null(k);
	assert_int_equal(len, 4);
	assert_memory_equal(k, "k3y\n", 4);
	free(k);
	assert_int_equal(access(sock, F_OK), -1); /* removed at the end */

	/* anything else at SOCKET is refused */
	tu_write_file(sock, "precious", 8, 0644);
	assert_int_equal(run(&o), 125);
	assert_int_equal(access(sock, F_OK), 0);
	unlink(sock);

	/* a bad key is refused before QEMU starts */
	tu_write_file(key, "", 0, 0600);
	assert_int_equal(run(&o), 125);
	free(sock);
	free(key);
}

static void test_shares(void **state)
{
	char *d1 = at("d1"), *d2 = at("d,2"), *spec, *a, *m;
	struct run_opts o = {0};
	char *shares[2];
	size_t len;

	mkdir(d1, 0755);
	mkdir(d2, 0755);
	if (asprintf(&spec, "%s:/data", d2) < 0)
		abort();
	shares[0] = d1;
	shares[1] = spec;
	o.share_args = shares;
	o.nshare_args = 2;
	o.root = dir;
	o.no_cwd = true;
	assert_int_equal(run(&o), 0);
	m = initrd_file(".unielf/mounts", &len);
	assert_non_null(m);
	char *want;
	if (asprintf(&want, "unielf0 / ro\nunielf1 %s rw\nunielf2 /data rw\n", d1) < 0)
		abort();
	assert_string_equal(m, want);
	free(want);
	free(m);
	a = qemu_args();
	assert_non_null(strstr(a, "virtio-mmio.force-legacy=false\n"));
	assert_non_null(strstr(a, "security_model=none,readonly=on\n"));
	assert_non_null(strstr(a, "virtio-9p-device,fsdev=fs2,mount_tag=unielf2\n"));
	assert_non_null(strstr(a, "d,,2,security_model=none\n"));
	free(a);

	/* the current directory by default, and then it is the workdir */
	o.root = NULL;
	o.nshare_args = 0;
	o.no_cwd = false;
	char *cwd = getcwd(NULL, 0), *line;
	assert_int_equal(run(&o), 0);
	m = initrd_file(".unielf/mounts", &len);
	if (asprintf(&line, "unielf0 %s rw\n", cwd) < 0)
		abort();
	assert_string_equal(m, line);
	free(m);
	m = initrd_file(".unielf/workdir", &len);
	assert_string_equal(m, cwd);
	free(m);
	/* not with --no-cwd, UNIELF_DEFAULT_CWD_SHARE=0, or when it is / */
	o.no_cwd = true;
	assert_int_equal(run(&o), 0);
	assert_null(initrd_file(".unielf/mounts", &len));
	o.no_cwd = false;
	setenv("UNIELF_DEFAULT_CWD_SHARE", "0", 1);
	assert_int_equal(run(&o), 0);
	assert_null(initrd_file(".unielf/mounts", &len));
	unsetenv("UNIELF_DEFAULT_CWD_SHARE");
	assert_int_equal(chdir("/"), 0);
	assert_int_equal(run(&o), 0);
	assert_null(initrd_file(".unielf/mounts", &len));
	assert_int_equal(chdir(cwd), 0);
	free(line);
	free(cwd);

	/* not a directory, or two shares at one place */
	o.no_cwd = false;
	shares[0] = "/etc/hostname:/x";
	o.nshare_args = 1;
	assert_int_equal(run(&o), 125);
	shares[0] = spec;
	shares[1] = spec;
	o.nshare_args = 2;
	assert_int_equal(run(&o), 125);
	free(spec);
	free(d1);
	free(d2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_control_and_key),
	    cmocka_unit_test(test_shares),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
