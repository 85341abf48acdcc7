// SPDX-License-Identifier: MIT
/* Tests tools/unielf/qemu.c and relay.c without a VM: the QEMU command lines,
 * the KVM probe, and the relay loop against a stand-in "QEMU" (a shell printing
 * protocol bytes), checking routing, stdin framing, exit statuses, the boot
 * deadline and that the child is always gone afterwards. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include "frame.h"
#include "qemu.h"
#include "relay.h"
#include "testutil.h"

/* ---------------------------------------------------------------- command lines */

static int find(char **argv, const char *a)
{
	for (int i = 0; argv[i]; i++)
		if (!strcmp(argv[i], a))
			return i;
	return -1;
}

static void test_argv_microvm_tcg(void **state)
{
	struct qemu_config c = {.qemu = "qemu-system-x86_64",
				.kernel = "/k/kernel.elf",
				.machine = UE_MACHINE_MICROVM,
				.accel = UE_ACCEL_TCG,
				.mem_mb = 128};
	char **v = qemu_build_argv(&c);
	char *line = qemu_format_argv(v);

	assert_string_equal(
	    line, "qemu-system-x86_64 -M microvm,x-option-roms=off,rtc=on -cpu max "
		  "-accel tcg -m 128 -smp 1 -nodefaults -no-user-config -display none "
		  "-no-reboot -chardev stdio,id=con,signal=off -serial chardev:con "
		  "-device isa-debug-exit,iobase=0xf4,iosize=0x04 -kernel /k/kernel.elf "
		  "-initrd /proc/self/fd/3 -append quiet");
	free(line);
	qemu_free_argv(v);
}

static void test_argv_q35_kvm(void **state)
{
	struct qemu_config c = {.qemu = "/opt/q",
				.kernel = "/k k/kernel.elf",
				.machine = UE_MACHINE_Q35,
				.accel = UE_ACCEL_KVM,
				.mem_mb = 512,
				.verbose = true,
				.report = true};
	char **v = qemu_build_argv(&c);
	char *line;

	assert_string_equal(v[find(v, "-M") + 1], "q35");
	assert_string_equal(v[find(v, "-cpu") + 1], "host");
	assert_string_equal(v[find(v, "-accel") + 1], "kvm");
	assert_string_equal(v[find(v, "-m") + 1], "512");
	assert_string_equal(v[find(v, "-append") + 1], "verbose report");
	line = qemu_format_argv(v);
	assert_non_null(strstr(line, " -kernel '/k k/kernel.elf' "));
	assert_non_null(strstr(line, " -append 'verbose report'"));
	free(line);
	qemu_free_argv(v);
	c.verbose = false;
	v = qemu_build_argv(&c);
	assert_string_equal(v[find(v, "-append") + 1], "report");
	qemu_free_argv(v);
}

static void test_kvm_probe(void **state)
{
	char why[256] = "";

	assert_false(qemu_kvm_usable("/nonexistent/kvm", why, sizeof(why)));
	assert_string_equal(why, "/nonexistent/kvm: No such file or directory");
	/* a device that opens but is not KVM */
	assert_false(qemu_kvm_usable("/dev/null", why, sizeof(why)));
	assert_non_null(strstr(why, "expected 12"));
}

/* ---------------------------------------------------------------- relay */

struct fixture {
	char *dir;
	int out_fd, err_fd; /* files standing in for host stdout and stderr */
	int saved[3];
	int null_fd;
};

static int group_setup(void **state)
{
	return relay_signals_install();
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char *p;

	f->dir = tu_mkdtemp();
	assert_true(asprintf(&p, "%s/stdout", f->dir) > 0);
	f->out_fd = open(p, O_RDWR | O_CREAT | O_TRUNC, 0600);
	free(p);
	assert_true(asprintf(&p, "%s/stderr", f->dir) > 0);
	f->err_fd = open(p, O_RDWR | O_CREAT | O_TRUNC, 0600);
	free(p);
	f->null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	*state = f;
	/* A relay bug must fail the suite, never hang it: SIGALRM ends the test
	 * process, and with it (PDEATHSIG, closed pipes) the stand-in QEMU. */
	alarm(20);
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	close(f->out_fd);
	close(f->err_fd);
	close(f->null_fd);
	tu_rm_rf(f->dir);
	free(f->dir);
	free(f);
	alarm(0);
	return 0;
}

/* Turns bytes into a printf(1) format: every byte as an octal escape. */
static void esc(struct ue_buf *b, const void *data, size_t len)
{
	const unsigned char *p = data;
	for (size_t i = 0; i < len; i++) {
		char o[8];
		snprintf(o, sizeof(o), "\\%03o", p[i]);
		ue_buf_addstr(b, o);
	}
}

/* Appends `printf '<frame>';` to a shell script. */
static void sh_frame(struct ue_buf *b, uint8_t type, const char *payload, size_t len)
{
	uint8_t hdr[3] = {type, (uint8_t)len, (uint8_t)(len >> 8)};
	ue_buf_addstr(b, "printf '");
	esc(b, hdr, 3);
	esc(b, payload, len);
	ue_buf_addstr(b, "';");
}

#define SYNC "printf 'firmware noise\\nUNIELF-SYNC\\n';"

/* Runs the relay against `sh -c script` with stdin from @in_fd (or /dev/null)
 * and fds 1 and 2 redirected to the fixture's files. */
static void run_relay(struct fixture *f, const char *script, int in_fd,
		      const struct relay_config *c, struct relay_result *res,
		      struct ue_buf *qerr, pid_t *pid)
{
	char *argv[] = {"/bin/sh", "-c", (char *)script, NULL};
	struct qemu_proc q;

	assert_int_equal(qemu_spawn(argv, f->null_fd, &q), 0);
	*pid = q.pid;
	assert_int_equal(qemu_running_pid, q.pid);
	fflush(stdout);
	fflush(stderr);
	for (int i = 0; i < 3; i++)
		f->saved[i] = dup(i);
	dup2(in_fd >= 0 ? in_fd : f->null_fd, 0);
	dup2(f->out_fd, 1);
	dup2(f->err_fd, 2);
	relay_run(c, &q, qerr, res);
	for (int i = 0; i < 3; i++) {
		dup2(f->saved[i], i);
		close(f->saved[i]);
	}
	/* whatever happened, the child is reaped and nothing is left running */
	assert_int_equal(q.pid, 0);
	assert_int_equal(qemu_running_pid, 0);
	assert_int_equal(kill(*pid, 0), -1);
}

static char *contents(int fd)
{
	struct stat st;
	char *s;

	fstat(fd, &st);
	s = calloc(1, st.st_size + 1);
	assert_int_equal(pread(fd, s, st.st_size, 0), st.st_size);
	return s;
}

static void test_routing_and_status(void **state)
{
	struct fixture *f = *state;
	struct relay_config c = {.report = true, .winsize_fd = -1};
	struct relay_result res;
	struct ue_buf s = {0}, qerr = {0};
	char *out, *err;
	pid_t pid;

	ue_buf_addstr(&s, SYNC);
	sh_frame(&s, FRAME_LOG, "kernel log\n", 11);
	sh_frame(&s, FRAME_READY, "", 0);
	sh_frame(&s, FRAME_STDOUT, "out1 ", 5);
	sh_frame(&s, FRAME_STDERR, "err1 ", 5);
	sh_frame(&s, FRAME_ERROR, "oops\n", 5);
	sh_frame(&s, FRAME_REPORT, "syscall 7 (poll): 1 calls, not implemented", 42);
	sh_frame(&s, FRAME_STDOUT, "out2", 4);
	sh_frame(&s, FRAME_EXIT, "\007", 1);
	ue_buf_addstr(&s, "exit 1");
	run_relay(f, s.data, -1, &c, &res, &qerr, &pid);
	assert_int_equal(res.end, RELAY_EXITED);
	assert_int_equal(res.status, 7);
	assert_true(res.synced && res.ready);
	out = contents(f->out_fd);
	err = contents(f->err_fd);
	assert_string_equal(out, "out1 out2");
	assert_string_equal(err, "err1 unielf: oops\n"
				 "unielf: syscall 7 (poll): 1 calls, not implemented\n");
	free(out);
	free(err);
	ue_buf_free(&s);
	ue_buf_free(&qerr);
}

/* With --verbose, boot noise and the kernel log reach stderr. */
static void test_verbose(void **state)
{
	struct fixture *f = *state;
	struct relay_config c = {.verbose = true, .winsize_fd = -1};
	struct relay_result res;
	struct ue_buf s = {0}, qerr = {0};
	char *err;
	pid_t pid;

	ue_buf_addstr(&s, SYNC);
	sh_frame(&s, FRAME_LOG, "kernel log\n", 11);
	sh_frame(&s, FRAME_REPORT, "not shown", 9);
	sh_frame(&s, FRAME_EXIT, "\0", 1);
	run_relay(f, s.data, -1, &c, &res, &qerr, &pid);
	assert_int_equal(res.end, RELAY_EXITED);
	assert_int_equal(res.status, 0);
	err = contents(f->err_fd);
	assert_string_equal(err, "firmware noise\nUNIELF-SYNC\nkernel log\n");
	free(err);
	ue_buf_free(&s);
	ue_buf_free(&qerr);
}

/* stdin becomes DATA frames and an EOF frame, and only after READY. */
static void test_stdin_frames(void **state)
{
	struct fixture *f = *state;
	struct relay_config c = {.winsize_fd = -1};
	struct relay_result res;
	struct ue_buf s = {0}, qerr = {0};
	char *got_path, *got;
	size_t n;
	int in[2];
	pid_t pid;

	assert_true(asprintf(&got_path, "%s/got", f->dir) > 0);
	assert_int_equal(pipe(in), 0);
	assert_int_equal(write(in[1], "abc", 3), 3);
	close(in[1]);
	ue_buf_addstr(&s, SYNC);
	/* nothing may arrive before READY: read with a deadline, expect nothing */
	ue_buf_addstr(&s, "timeout 0.3 head -c 1 > ");
	ue_buf_addstr(&s, got_path);
	ue_buf_addstr(&s, ".early;");
	sh_frame(&s, FRAME_READY, "", 0);
	ue_buf_addstr(&s, "timeout 5 head -c 9 > ");
	ue_buf_addstr(&s, got_path);
	ue_buf_addstr(&s, ";");
	sh_frame(&s, FRAME_EXIT, "\0", 1);
	run_relay(f, s.data, in[0], &c, &res, &qerr, &pid);
	close(in[0]);
	assert_int_equal(res.end, RELAY_EXITED);
	got = tu_read_file(got_path, &n);
	assert_int_equal(n, 9);
	assert_memory_equal(got,
			    "\x01\x03\x00"
			    "abc"
			    "\x02\x00\x00",
			    9);
	free(got);
	free(got_path);
	assert_true(asprintf(&got_path, "%s/got.early", f->dir) > 0);
	got = tu_read_file(got_path, &n);
	assert_int_equal(n, 0);
	free(got);
	free(got_path);
	ue_buf_free(&s);
	ue_buf_free(&qerr);
}

/* A guest that never gets ready (a hanging KVM) is killed at the deadline and
 * what it said before is not shown. */
static void test_boot_timeout(void **state)
{
	struct fixture *f = *state;
	struct relay_config c = {.hold = true, .boot_timeout_ms = 300, .winsize_fd = -1};
	struct relay_result res;
	struct ue_buf s = {0}, qerr = {0};
	char *out;
	pid_t pid;
	int64_t t0 = ue_now_ms();

	ue_buf_addstr(&s, SYNC);
	sh_frame(&s, FRAME_STDOUT, "held", 4);
	ue_buf_addstr(&s, "exec sleep 30");
	run_relay(f, s.data, -1, &c, &res, &qerr, &pid);
	assert_int_equal(res.end, RELAY_BOOT_TIMEOUT);
	assert_false(res.ready);
	assert_true(ue_now_ms() - t0 < 3000);
	out = contents(f->out_fd);
	assert_string_equal(out, "");
	free(out);
	ue_buf_free(&s);
	ue_buf_free(&qerr);
}

/* Held output is released, in order, once READY comes. */
static void test_hold_released(void **state)
{
	struct fixture *f = *state;
	struct relay_config c = {.hold = true, .boot_timeout_ms = 5000, .winsize_fd = -1};
	struct relay_result res;
	struct ue_buf s = {0}, qerr = {0};
	char *out;
	pid_t pid;

	ue_buf_addstr(&s, SYNC);
	sh_frame(&s, FRAME_STDOUT, "early ", 6);
	sh_frame(&s, FRAME_READY, "", 0);
	sh_frame(&s, FRAME_STDOUT, "late", 4);
	sh_frame(&s, FRAME_EXIT, "\003", 1);
	run_relay(f, s.data, -1, &c, &res, &qerr, &pid);
	assert_int_equal(res.end, RELAY_EXITED);
	assert_int_equal(res.status, 3);
	out = contents(f->out_fd);
	assert_string_equal(out, "early late");
	free(out);
	ue_buf_free(&s);
	ue_buf_free(&qerr);
}

static void test_no_status(void **state)
{
	struct fixture *f = *state;
	struct relay_config c = {.winsize_fd = -1};
	struct relay_result res;
	struct ue_buf s = {0}, qerr = {0};
	char *line;
	pid_t pid;

	ue_buf_addstr(&s, SYNC);
	sh_frame(&s, FRAME_READY, "", 0);
	ue_buf_addstr(&s, "exit 0");
	run_relay(f, s.data, -1, &c, &res, &qerr, &pid);
	assert_int_equal(res.end, RELAY_NO_STATUS);
	assert_true(res.synced && res.ready);
	ue_buf_free(&s);

	/* QEMU failing before sync: its last stderr line explains it */
	run_relay(f, "echo 'q: warning: x' >&2; echo 'q: cannot load kernel' >&2; exit 1",
		  -1, &c, &res, &qerr, &pid);
	assert_int_equal(res.end, RELAY_NO_STATUS);
	assert_false(res.synced);
	line = relay_last_line(&qerr);
	assert_string_equal(line, "q: cannot load kernel");
	free(line);
	ue_buf_free(&qerr);
}

/* A reader that went away (stdout | head -c1) must not stop the relay. */
static void test_stdout_closed(void **state)
{
	struct fixture *f = *state;
	struct relay_config c = {.winsize_fd = -1};
	struct relay_result res;
	struct ue_buf s = {0}, qerr = {0};
	char chunk[4096];
	int p[2];
	pid_t pid;

	memset(chunk, 'y', sizeof(chunk));
	assert_int_equal(pipe(p), 0);
	close(p[0]);
	close(f->out_fd);
	f->out_fd = p[1];
	ue_buf_addstr(&s, SYNC);
	sh_frame(&s, FRAME_READY, "", 0);
	ue_buf_addstr(&s, "i=0; while [ $i -lt 40 ]; do ");
	sh_frame(&s, FRAME_STDOUT, chunk, sizeof(chunk));
	ue_buf_addstr(&s, "i=$((i+1)); done;");
	sh_frame(&s, FRAME_EXIT, "\005", 1);
	run_relay(f, s.data, -1, &c, &res, &qerr, &pid);
	assert_int_equal(res.end, RELAY_EXITED);
	assert_int_equal(res.status, 5);
	ue_buf_free(&s);
	ue_buf_free(&qerr);
}

static void test_protocol_error(void **state)
{
	struct fixture *f = *state;
	struct relay_config c = {.winsize_fd = -1};
	struct relay_result res;
	struct ue_buf s = {0}, qerr = {0};
	pid_t pid;

	ue_buf_addstr(&s, SYNC);
	ue_buf_addstr(&s, "printf '\\001\\377\\377'; exec sleep 30");
	run_relay(f, s.data, -1, &c, &res, &qerr, &pid);
	assert_int_equal(res.end, RELAY_PROTOCOL);
	ue_buf_free(&s);
	ue_buf_free(&qerr);
}

/* SIGWINCH and SIGTERM reaching the tool become WINSIZE and SIGNAL frames. */
static void test_signal_and_winsize(void **state)
{
	struct fixture *f = *state;
	struct relay_config c = {.winsize_fd = -1};
	struct relay_result res;
	struct ue_buf s = {0}, qerr = {0};
	struct winsize ws = {.ws_row = 50, .ws_col = 132};
	char *got_path, *got;
	int master, slave, in[2];
	size_t n;
	pid_t pid;

	assert_int_equal(pipe(in), 0); /* stdin that stays open: no EOF frame */
	master = posix_openpt(O_RDWR | O_NOCTTY);
	assert_true(master >= 0);
	assert_int_equal(grantpt(master), 0);
	assert_int_equal(unlockpt(master), 0);
	slave = open(ptsname(master), O_RDWR | O_NOCTTY);
	assert_true(slave >= 0);
	assert_int_equal(ioctl(slave, TIOCSWINSZ, &ws), 0);
	c.winsize_fd = slave;

	assert_true(asprintf(&got_path, "%s/got", f->dir) > 0);
	ue_buf_addstr(&s, SYNC);
	sh_frame(&s, FRAME_READY, "", 0);
	/* the stand-in's parent is this test process, running the relay */
	ue_buf_addstr(&s, "sleep 0.3; kill -WINCH $PPID; sleep 0.1; kill -TERM $PPID;"
			  "timeout 5 head -c 11 > ");
	ue_buf_addstr(&s, got_path);
	ue_buf_addstr(&s, ";");
	sh_frame(&s, FRAME_EXIT, "\217", 1);
	run_relay(f, s.data, in[0], &c, &res, &qerr, &pid);
	close(in[0]);
	close(in[1]);
	assert_int_equal(res.end, RELAY_EXITED);
	assert_int_equal(res.status, 143);
	got = tu_read_file(got_path, &n);
	assert_int_equal(n, 11);
	assert_memory_equal(got,
			    "\x04\x04\x00\x32\x00\x84\x00"
			    "\x03\x01\x00\x0f",
			    11);
	free(got);
	free(got_path);
	close(slave);
	close(master);
	ue_buf_free(&s);
	ue_buf_free(&qerr);
}

static void test_spawn_failure(void **state)
{
	char *argv[] = {"/nonexistent/qemu", NULL};
	struct qemu_proc q;
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	assert_int_equal(qemu_spawn(argv, fd, &q), -ENOENT);
	assert_int_equal(qemu_running_pid, 0);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_argv_microvm_tcg),
	    cmocka_unit_test(test_argv_q35_kvm),
	    cmocka_unit_test(test_kvm_probe),
	    cmocka_unit_test_setup_teardown(test_routing_and_status, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_verbose, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_stdin_frames, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_boot_timeout, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_hold_released, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_no_status, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_stdout_closed, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_protocol_error, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_signal_and_winsize, setup, teardown),
	    cmocka_unit_test(test_spawn_failure),
	};
	return cmocka_run_group_tests(tests, group_setup, NULL);
}
