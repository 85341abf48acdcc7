// SPDX-License-Identifier: MIT
/* Tests `unielf run --net` and `-p` (tools/unielf/netopts.c, run.c, qemu.c):
 * the option syntax and its refusals, the QEMU user network with its host
 * forwards, .unielf/net and /etc/resolv.conf in the initrd (through a stand-in
 * QEMU that records its arguments and copies the initrd), and QEMU refusing a
 * forward (a host port in use) as one clear line and status 125. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "netopts.h"
#include "qemu.h"
#include "run.h"
#include "testutil.h"

/* ---------------------------------------------------------------- parsing */

static void test_mode(void **state)
{
	enum ue_net m = UE_NET_DEFAULT;
	char why[256];

	assert_int_equal(netopt_parse_mode("user", &m, why, sizeof(why)), 0);
	assert_int_equal(m, UE_NET_USER);
	assert_int_equal(netopt_parse_mode("none", &m, why, sizeof(why)), 0);
	assert_int_equal(m, UE_NET_NONE);
	assert_int_equal(netopt_parse_mode("tap", &m, why, sizeof(why)), -1);
	assert_string_equal(why, "--net tap: expected user or none");
	assert_int_equal(netopt_parse_mode("", &m, why, sizeof(why)), -1);
}

static void test_port_good(void **state)
{
	struct ue_port p;
	char why[256];

	assert_int_equal(netopt_parse_port("8080:80", &p, why, sizeof(why)), 0);
	assert_string_equal(p.host_addr, "127.0.0.1");
	assert_int_equal(p.host_port, 8080);
	assert_int_equal(p.guest_port, 80);
	assert_false(p.udp);
	assert_int_equal(netopt_parse_port("0.0.0.0:1:65535/udp", &p, why, sizeof(why)),
			 0);
	assert_string_equal(p.host_addr, "0.0.0.0");
	assert_int_equal(p.host_port, 1);
	assert_int_equal(p.guest_port, 65535);
	assert_true(p.udp);
	assert_int_equal(
	    netopt_parse_port("192.168.1.10:5353:53/tcp", &p, why, sizeof(why)), 0);
	assert_string_equal(p.host_addr, "192.168.1.10");
	assert_false(p.udp);
}

static void test_port_bad(void **state)
{
	static const char *const bad[] = {
	    "abc",	     "80",
	    "0:80",	     "80:0",
	    "65536:80",	     "80:65536",
	    "-1:80",	     "+80:80",
	    "80:80x",	     "8o:80",
	    ":80",	     "80:",
	    "80:80/sctp",    "80:80/",
	    "1:2:3:4",	     "host:80:80",
	    "::1:80:80",     "999.1.1.1:8:8",
	    "1:2:3",	     "",
	    "080080:80",     "127.0.0.1::80",
	    "127.0.0.1:80:", "/tcp",
	};
	struct ue_port p;
	char why[256];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = '\0';
		if (netopt_parse_port(bad[i], &p, why, sizeof(why)) != -1)
			fail_msg("-p %s was accepted", bad[i]);
		assert_true(!strncmp(why, "-p ", 3));
		assert_null(strchr(why, '\n'));
	}
	netopt_parse_port("abc", &p, why, sizeof(why));
	assert_string_equal(why,
			    "-p abc: expected [HOSTADDR:]HOSTPORT:GUESTPORT[/tcp|/udp]");
	netopt_parse_port("0:80", &p, why, sizeof(why));
	assert_non_null(strstr(why, "between 1 and 65535"));
	netopt_parse_port("80:80/sctp", &p, why, sizeof(why));
	assert_string_equal(why, "-p 80:80/sctp: protocol sctp: expected tcp or udp");
}

static void test_check(void **state)
{
	struct ue_port p[3];
	enum ue_net m;
	char why[256];

	m = UE_NET_DEFAULT; /* nothing asked: no network */
	assert_int_equal(netopt_check(&m, NULL, 0, why, sizeof(why)), 0);
	assert_int_equal(m, UE_NET_NONE);
	m = UE_NET_USER; /* outbound only */
	assert_int_equal(netopt_check(&m, NULL, 0, why, sizeof(why)), 0);
	assert_int_equal(m, UE_NET_USER);
	netopt_parse_port("8080:80", &p[0], why, sizeof(why));
	netopt_parse_port("8080:80/udp", &p[1], why, sizeof(why));
	netopt_parse_port("0.0.0.0:8080:81", &p[2], why, sizeof(why));
	m = UE_NET_DEFAULT; /* -p implies user */
	assert_int_equal(netopt_check(&m, p, 3, why, sizeof(why)), 0);
	assert_int_equal(m, UE_NET_USER);
	m = UE_NET_NONE;
	assert_int_equal(netopt_check(&m, p, 1, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "--net none"));
	netopt_parse_port("127.0.0.1:8080:90", &p[1], why, sizeof(why));
	m = UE_NET_DEFAULT;
	assert_int_equal(netopt_check(&m, p, 2, why, sizeof(why)), -1);
	assert_string_equal(why, "-p: host port 127.0.0.1:8080/tcp is published twice");
}

static void test_netdev_and_descriptor(void **state)
{
	struct ue_port p[2];
	char why[256], *s;

	s = netopt_netdev(NULL, 0);
	assert_string_equal(s, "user,id=net0,net=10.0.2.0/24,host=10.0.2.2,dns=10.0.2.3");
	free(s);
	netopt_parse_port("8080:80", &p[0], why, sizeof(why));
	netopt_parse_port("0.0.0.0:5353:53/udp", &p[1], why, sizeof(why));
	s = netopt_netdev(p, 2);
	assert_string_equal(s, "user,id=net0,net=10.0.2.0/24,host=10.0.2.2,dns=10.0.2.3"
			       ",hostfwd=tcp:127.0.0.1:8080-10.0.2.15:80"
			       ",hostfwd=udp:0.0.0.0:5353-10.0.2.15:53");
	free(s);
	s = netopt_descriptor();
	assert_string_equal(s, "address 10.0.2.15/24\ngateway 10.0.2.2\ndns 10.0.2.3\n");
	free(s);
	assert_string_equal(netopt_resolv_conf(), "nameserver 10.0.2.3\n");
	assert_true(netopt_is_hostfwd_error(
	    "qemu-system-x86_64: -netdev "
	    "user,id=net0,hostfwd=tcp:127.0.0.1:80-10.0.2.15:80: "
	    "Could not set up host forwarding rule 'tcp:127.0.0.1:80-10.0.2.15:80'"));
	assert_false(netopt_is_hostfwd_error("qemu-system-x86_64: something else"));
}

static void test_qemu_argv(void **state)
{
	struct ue_port p;
	char why[256];
	struct qemu_config c = {.qemu = "q",
				.kernel = "k",
				.accel = UE_ACCEL_TCG,
				.mem_mb = 128,
				.net = true,
				.ports = &p,
				.nports = 1};
	char **v, *line;

	netopt_parse_port("8080:80", &p, why, sizeof(why));
	v = qemu_build_argv(&c);
	line = qemu_format_argv(v);
	assert_non_null(strstr(line, " -global virtio-mmio.force-legacy=false "));
	assert_non_null(strstr(line,
			       " -netdev user,id=net0,net=10.0.2.0/24,host=10.0.2.2,"
			       "dns=10.0.2.3,hostfwd=tcp:127.0.0.1:8080-10.0.2.15:80 "));
	assert_non_null(strstr(line, " -device virtio-net-device,netdev=net0 "));
	free(line);
	qemu_free_argv(v);
	c.machine = UE_MACHINE_Q35;
	v = qemu_build_argv(&c);
	line = qemu_format_argv(v);
	assert_non_null(strstr(line, " -device virtio-net-pci,netdev=net0,romfile= "));
	assert_null(strstr(line, "force-legacy"));
	free(line);
	qemu_free_argv(v);
	c.net = false; /* --net none: no NIC at all */
	v = qemu_build_argv(&c);
	line = qemu_format_argv(v);
	assert_null(strstr(line, "netdev"));
	free(line);
	qemu_free_argv(v);
}

/* ---------------------------------------------------------------- run */

/* Records its arguments and the initrd; FAKE_HOSTFWD=busy makes it refuse the
 * first forward as QEMU does when the host port is taken. */
static const char fake_qemu[] =
    "#!/bin/sh\n"
    "echo boot >> \"$FAKE_DIR/boots\"\n"
    "printf '%s\\n' \"$@\" > \"$FAKE_DIR/argv\"\n"
    "cat /proc/self/fd/3 > \"$FAKE_DIR/initrd.cpio\"\n"
    "if [ \"$FAKE_HOSTFWD\" = busy ]; then\n"
    "  echo \"qemu-system-x86_64: -netdev "
    "user,id=net0,hostfwd=tcp:127.0.0.1:8080-10.0.2.15:80: "
    "Could not set up host forwarding rule 'tcp:127.0.0.1:8080-10.0.2.15:80'\" >&2\n"
    "  exit 1\n"
    "fi\n"
    "printf 'UNIELF-SYNC\\n\\007\\000\\000\\004\\001\\000\\000'\n";

static char *dir;

static char *at(const char *name)
{
	return tu_path(dir, name);
}

static int group_setup(void **state)
{
	dir = tu_fake_qemu_dir(fake_qemu);
	setenv("UNIELF_DEFAULT_CWD_SHARE", "0", 1);
	return 0;
}

static int group_teardown(void **state)
{
	tu_rm_rf(dir);
	free(dir);
	return 0;
}

/* Runs `unielf run` on the stand-in program; stderr goes to FAKE_DIR/stderr. */
static int run(struct run_opts *o)
{
	char *prog = at("prog"), *errp = at("stderr");
	char *argv[] = {prog, NULL};
	int saved0 = dup(0), saved2 = dup(2), null = open("/dev/null", O_RDONLY), status;
	int err = open(errp, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	o->mem_mb = 128;
	o->accel = UE_ACCEL_TCG;
	o->workdir = "/";
	o->prog_argv = argv;
	o->prog_argc = 1;
	alarm(20);
	dup2(null, 0);
	dup2(err, 2);
	status = run_main(o);
	dup2(saved0, 0);
	dup2(saved2, 2);
	close(saved0);
	close(saved2);
	close(null);
	close(err);
	alarm(0);
	free(prog);
	free(errp);
	return status;
}

static char *initrd_file(const char *name)
{
	char *cpio = at("initrd.cpio"), *x = at("x"), *path, *data;
	int fd = open(cpio, O_RDONLY);

	tu_rm_rf(x);
	mkdir(x, 0755);
	assert_int_equal(tu_cpio_extract(fd, x), 0);
	close(fd);
	if (asprintf(&path, "%s/%s", x, name) < 0)
		abort();
	data = tu_read_file(path, NULL);
	free(path);
	free(cpio);
	free(x);
	return data;
}

static char *fake_file(const char *name)
{
	char *p = at(name), *a = tu_read_file(p, NULL);
	free(p);
	assert_non_null(a);
	return a;
}

static void test_run_user_with_port(void **state)
{
	struct ue_port p;
	char why[256], *a;
	struct run_opts o = {.ports = &p, .nports = 1}; /* -p without --net */

	netopt_parse_port("8080:80", &p, why, sizeof(why));
	assert_int_equal(run(&o), 0);
	a = fake_file("argv");
	assert_non_null(strstr(a,
			       "\n-netdev\nuser,id=net0,net=10.0.2.0/24,host=10.0.2.2,"
			       "dns=10.0.2.3,hostfwd=tcp:127.0.0.1:8080-10.0.2.15:80\n"));
	assert_non_null(strstr(a, "\nvirtio-net-device,netdev=net0\n"));
	free(a);
	a = initrd_file(".unielf/net");
	assert_string_equal(a, "address 10.0.2.15/24\ngateway 10.0.2.2\ndns 10.0.2.3\n");
	free(a);
	a = initrd_file("etc/resolv.conf");
	assert_string_equal(a, "nameserver 10.0.2.3\n");
	free(a);
}

static void test_run_none(void **state)
{
	struct run_opts o = {.net = UE_NET_NONE};
	char *a;

	assert_int_equal(run(&o), 0);
	a = fake_file("argv");
	assert_null(strstr(a, "netdev"));
	free(a);
	assert_null(initrd_file(".unielf/net"));
	assert_null(initrd_file("etc/resolv.conf")); /* a static program: nothing */
}

static void test_run_file_resolv_conf_wins(void **state)
{
	char *mine = at("resolv.conf"), *spec, *a;
	char *files[1];
	struct run_opts o = {.net = UE_NET_USER, .files = files, .nfiles = 1};

	tu_write_file(mine, "nameserver 192.0.2.1\n", 21, 0644);
	if (asprintf(&spec, "%s:/etc/resolv.conf", mine) < 0)
		abort();
	files[0] = spec;
	assert_int_equal(run(&o), 0);
	a = initrd_file("etc/resolv.conf");
	assert_string_equal(a, "nameserver 192.0.2.1\n");
	free(a);
	free(spec);
	free(mine);
}

static void test_run_port_in_use(void **state)
{
	struct ue_port p;
	char why[256], *e;
	struct run_opts o = {.ports = &p, .nports = 1};

	netopt_parse_port("8080:80", &p, why, sizeof(why));
	setenv("FAKE_HOSTFWD", "busy", 1);
	assert_int_equal(run(&o), 125);
	unsetenv("FAKE_HOSTFWD");
	e = fake_file("stderr");
	assert_string_equal(e, "unielf: -p: QEMU could not set up host forwarding rule "
			       "'tcp:127.0.0.1:8080-10.0.2.15:80' (is the host port in "
			       "use, or the address not this host's?)\n");
	free(e);
}

/* Under --accel auto a refused forward is not retried with TCG: it would be
 * refused just the same. */
static void test_port_in_use_no_tcg_retry(void **state)
{
	char *argv[] = {"prog", NULL}, *boots = at("boots"), *b, *errp = at("stderr");
	struct ue_port p;
	char why[256];
	struct run_opts o = {.mem_mb = 128,
			     .accel = UE_ACCEL_AUTO,
			     .prog_argv = argv,
			     .prog_argc = 1,
			     .ports = &p,
			     .nports = 1};
	int saved0 = dup(0), saved2 = dup(2), null = open("/dev/null", O_RDONLY);
	int err = open(errp, O_WRONLY | O_CREAT | O_TRUNC, 0644), status;

	netopt_parse_port("8080:80", &p, why, sizeof(why));
	unlink(boots);
	setenv("FAKE_HOSTFWD", "busy", 1);
	alarm(20);
	dup2(null, 0);
	dup2(err, 2);
	status = run_launch(&o, "/k/kernel.elf", null, -1, NULL); /* KVM "usable" */
	dup2(saved0, 0);
	dup2(saved2, 2);
	alarm(0);
	unsetenv("FAKE_HOSTFWD");
	close(saved0);
	close(saved2);
	close(null);
	close(err);
	assert_int_equal(status, 125);
	b = tu_read_file(boots, NULL);
	assert_string_equal(b, "boot\n"); /* one QEMU, no TCG retry */
	free(b);
	free(boots);
	free(errp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_mode),
	    cmocka_unit_test(test_port_good),
	    cmocka_unit_test(test_port_bad),
	    cmocka_unit_test(test_check),
	    cmocka_unit_test(test_netdev_and_descriptor),
	    cmocka_unit_test(test_qemu_argv),
	    cmocka_unit_test(test_run_user_with_port),
	    cmocka_unit_test(test_run_none),
	    cmocka_unit_test(test_run_file_resolv_conf_wins),
	    cmocka_unit_test(test_run_port_in_use),
	    cmocka_unit_test(test_port_in_use_no_tcg_retry),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
