// SPDX-License-Identifier: MIT
/* Tests the control-channel client in tools/unielf/control.c: request frames
 * (header, fields, FILE layout, MAC without and with a key, checked against
 * digests Python's hashlib computed), reply checks (good, error flag, bad MAC,
 * wrong key, wrong id or type, truncated, bad magic, malformed fields), key
 * files, signal names, the QEMU arguments for --control and shares, and one
 * exchange with a stand-in VM on a Unix socket (late listener, no reply). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include "control.h"
#include "qemu.h"
#include "testutil.h"

static const struct ctl_key no_key = {.len = 0};
static const struct ctl_key secret = {.bytes = "secret", .len = 6};

static void hex(const uint8_t *b, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
}

static uint32_t le32(const void *p)
{
	const uint8_t *b = p;
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
	       (uint32_t)b[3] << 24;
}

static void test_encode_status_sha256(void **state)
{
	struct ue_buf f = {0};
	char h[65];

	ctl_encode_request(CTL_STATUS, 0x01020304, NULL, 0, &no_key, &f);
	assert_int_equal(f.len, CTL_HDR_LEN + CTL_MAC_LEN);
	assert_memory_equal(f.data,
			    "UEC1\x01\x00\x00\x00\x04\x03\x02\x01\x00\x00\x00\x00", 16);
	hex((uint8_t *)f.data + 16, 32, h);
	assert_string_equal(
	    h, "ccc3f77ec13a59b893602b2e4b1f2918e04e5fdd51106644c4f27579b74614d7");
	ue_buf_free(&f);
}

static void test_encode_status_hmac(void **state)
{
	struct ue_buf f = {0};
	char h[65];

	ctl_encode_request(CTL_STATUS, 0x01020304, NULL, 0, &secret, &f);
	hex((uint8_t *)f.data + 16, 32, h);
	assert_string_equal(
	    h, "9c18b19afa9a616200f7ae8219be8b2bf90582db2a8388ed6709a73622aea414");
	ue_buf_free(&f);
}

static void test_encode_fields(void **state)
{
	struct ue_buf p = {0}, f = {0};
	const uint8_t *b;

	ctl_add_str(&p, CTL_ARG, "ls");
	ctl_add_u32(&p, CTL_PID, 0x11223344);
	ctl_add_file(&p, 0755, "/bin/x", "ELF", 3);
	assert_int_equal(p.len, (8 + 2) + (8 + 4) + (8 + 8 + 6 + 3));
	b = (const uint8_t *)p.data;
	assert_memory_equal(b, "\x01\x00\x00\x00\x02\x00\x00\x00ls", 10);
	assert_memory_equal(b + 10, "\x04\x00\x00\x00\x04\x00\x00\x00\x44\x33\x22\x11",
			    12);
	b += 22;
	assert_int_equal(b[0], CTL_FILE);
	assert_int_equal(le32(b + 4), 8 + 6 + 3);
	assert_int_equal(le32(b + 8), 0755);
	assert_int_equal(le32(b + 12), 6);
	assert_memory_equal(b + 16, "/bin/xELF", 9);

	/* the whole frame: length in the header, MAC over header and payload */
	ctl_encode_request(CTL_SPAWN, 7, p.data, p.len, &secret, &f);
	assert_int_equal(f.len, 16 + p.len + 32);
	assert_int_equal(le32(f.data + 12), p.len);
	assert_true(ctl_mac_ok(secret.bytes, secret.len, (uint8_t *)f.data, 16 + p.len));
	assert_false(ctl_mac_ok(NULL, 0, (uint8_t *)f.data, 16 + p.len));
	ue_buf_free(&p);
	ue_buf_free(&f);
}

/* A reply frame as the kernel builds it. */
static void make_reply(struct ue_buf *out, uint8_t type, uint8_t flags, uint32_t id,
		       const struct ue_buf *payload, const struct ctl_key *k)
{
	struct ctl_hdr h = {.type = type,
			    .flags = flags,
			    .id = id,
			    .len = payload ? (uint32_t)payload->len : 0};
	uint8_t hdr[16], mac[32];

	out->len = 0;
	ctl_encode_header(hdr, &h);
	ue_buf_add(out, hdr, 16);
	if (payload)
		ue_buf_add(out, payload->data, payload->len);
	ctl_mac(k->bytes, k->len, (uint8_t *)out->data, out->len, mac);
	ue_buf_add(out, mac, 32);
}

static int check(const struct ue_buf *f, size_t have, uint32_t id, uint8_t type,
		 const struct ctl_key *k, struct ctl_reply *r, const char **why)
{
	size_t need;
	*why = NULL;
	return ctl_check_reply((const uint8_t *)f->data, have, id, type, k, &need, r,
			       why);
}

static void test_reply_ok(void **state)
{
	struct ue_buf p = {0}, f = {0};
	struct ctl_reply r;
	const char *why;
	uint32_t pid;
	char *t;

	ctl_add_u32(&p, CTL_PID, 42);
	ctl_add_str(&p, CTL_TEXT, "upgraded");
	make_reply(&f, CTL_UPGRADE, CTL_F_REPLY, 99, &p, &secret);
	assert_int_equal(check(&f, f.len, 99, CTL_UPGRADE, &secret, &r, &why), 1);
	assert_int_equal(r.flags, CTL_F_REPLY);
	assert_true(ctl_reply_u32(&r, CTL_PID, &pid));
	assert_int_equal(pid, 42);
	assert_false(ctl_reply_u32(&r, CTL_PATCH_ID, &pid));
	t = ctl_reply_text(&r);
	assert_string_equal(t, "upgraded");
	free(t);
	ue_buf_free(&p);
	ue_buf_free(&f);
}

static void test_reply_error_flag(void **state)
{
	struct ue_buf p = {0}, f = {0};
	struct ctl_reply r;
	const char *why;
	char *t;

	ctl_add_str(&p, CTL_TEXT, "/x: cannot load: truncated");
	make_reply(&f, CTL_SPAWN, CTL_F_REPLY | CTL_F_ERROR, 5, &p, &no_key);
	assert_int_equal(check(&f, f.len, 5, CTL_SPAWN, &no_key, &r, &why), 1);
	assert_true(r.flags & CTL_F_ERROR);
	t = ctl_reply_text(&r);
	assert_string_equal(t, "/x: cannot load: truncated");
	free(t);
	ue_buf_free(&p);
	ue_buf_free(&f);
}

static void test_reply_bad_mac(void **state)
{
	struct ue_buf p = {0}, f = {0};
	struct ctl_reply r;
	const char *why;

	ctl_add_str(&p, CTL_TEXT, "hi");
	make_reply(&f, CTL_STATUS, CTL_F_REPLY, 5, &p, &no_key);
	f.data[20] ^= 1; /* a flipped payload bit */
	assert_int_equal(check(&f, f.len, 5, CTL_STATUS, &no_key, &r, &why), -1);
	assert_non_null(strstr(why, "checksum"));
	f.data[20] ^= 1;
	f.data[f.len - 1] ^= 0x80; /* a flipped MAC bit */
	assert_int_equal(check(&f, f.len, 5, CTL_STATUS, &no_key, &r, &why), -1);
	/* keyed VM, client without the key, and the other way round */
	make_reply(&f, CTL_STATUS, CTL_F_REPLY, 5, &p, &secret);
	assert_int_equal(check(&f, f.len, 5, CTL_STATUS, &no_key, &r, &why), -1);
	assert_non_null(strstr(why, "control-key"));
	make_reply(&f, CTL_STATUS, CTL_F_REPLY, 5, &p, &no_key);
	assert_int_equal(check(&f, f.len, 5, CTL_STATUS, &secret, &r, &why), -1);
	assert_non_null(strstr(why, "control-key"));
	ue_buf_free(&p);
	ue_buf_free(&f);
}

static void test_reply_wrong_id_or_type(void **state)
{
	struct ue_buf f = {0};
	struct ctl_reply r;
	const char *why;

	make_reply(&f, CTL_STATUS, CTL_F_REPLY, 6, NULL, &no_key);
	assert_int_equal(check(&f, f.len, 5, CTL_STATUS, &no_key, &r, &why), -1);
	assert_non_null(strstr(why, "another request"));
	make_reply(&f, CTL_STATUS, CTL_F_REPLY | CTL_F_ERROR, 0, NULL, &no_key);
	assert_int_equal(check(&f, f.len, 5, CTL_STATUS, &no_key, &r, &why), -1);
	assert_non_null(strstr(why, "header"));
	make_reply(&f, CTL_PS, CTL_F_REPLY, 5, NULL, &no_key);
	assert_int_equal(check(&f, f.len, 5, CTL_STATUS, &no_key, &r, &why), -1);
	make_reply(&f, CTL_STATUS, 0, 5, NULL, &no_key); /* a request, not a reply */
	assert_int_equal(check(&f, f.len, 5, CTL_STATUS, &no_key, &r, &why), -1);
	ue_buf_free(&f);
}

static void test_reply_truncated(void **state)
{
	struct ue_buf p = {0}, f = {0};
	struct ctl_reply r;
	const char *why;
	size_t need;

	ctl_add_str(&p, CTL_TEXT, "uptime_ms 5\n");
	make_reply(&f, CTL_STATUS, CTL_F_REPLY, 5, &p, &no_key);
	for (size_t have = 0; have < f.len; have++) {
		assert_int_equal(ctl_check_reply((uint8_t *)f.data, have, 5, CTL_STATUS,
						 &no_key, &need, &r, &why),
				 0);
		assert_true(need > have);
	}
	assert_int_equal(ctl_check_reply((uint8_t *)f.data, f.len, 5, CTL_STATUS, &no_key,
					 &need, &r, &why),
			 1);
	assert_int_equal(need, f.len);
	ue_buf_free(&p);
	ue_buf_free(&f);
}

static void test_reply_bad_magic_and_fields(void **state)
{
	struct ue_buf f = {0}, p = {0};
	struct ctl_reply r;
	const char *why;

	make_reply(&f, CTL_STATUS, CTL_F_REPLY, 5, NULL, &no_key);
	f.data[1] = 'X';
	assert_int_equal(check(&f, 2, 5, CTL_STATUS, &no_key, &r, &why), -1);
	assert_non_null(strstr(why, "UEC1"));
	/* a field that runs past the payload, under a good MAC */
	ue_buf_add(&p,
		   "\x07\x00\x00\x00\x10\x00\x00\x00"
		   "ab",
		   10);
	make_reply(&f, CTL_STATUS, CTL_F_REPLY, 5, &p, &no_key);
	assert_int_equal(check(&f, f.len, 5, CTL_STATUS, &no_key, &r, &why), -1);
	assert_non_null(why);
	ue_buf_free(&p);
	ue_buf_free(&f);
}

static void test_signal_names(void **state)
{
	assert_int_equal(ctl_parse_signal("15"), 15);
	assert_int_equal(ctl_parse_signal("0"), 0);
	assert_int_equal(ctl_parse_signal("64"), 64);
	assert_int_equal(ctl_parse_signal("65"), -1);
	assert_int_equal(ctl_parse_signal("-9"), -1);
	assert_int_equal(ctl_parse_signal("9x"), -1);
	assert_int_equal(ctl_parse_signal("TERM"), 15);
	assert_int_equal(ctl_parse_signal("SIGTERM"), 15);
	assert_int_equal(ctl_parse_signal("sigkill"), 9);
	assert_int_equal(ctl_parse_signal("usr1"), 10);
	assert_int_equal(ctl_parse_signal("USR2"), 12);
	assert_int_equal(ctl_parse_signal("CHLD"), 17);
	assert_int_equal(ctl_parse_signal("SIGSYS"), 31);
	assert_int_equal(ctl_parse_signal("IOT"), 6);
	assert_int_equal(ctl_parse_signal("RTMIN"), 34);
	assert_int_equal(ctl_parse_signal("SIGRTMIN+3"), 37);
	assert_int_equal(ctl_parse_signal("RTMAX-1"), 63);
	assert_int_equal(ctl_parse_signal("RTMAX"), 64);
	assert_int_equal(ctl_parse_signal("TERMINATE"), -1);
	assert_int_equal(ctl_parse_signal(""), -1);
	assert_int_equal(ctl_parse_signal("SIG"), -1);
	assert_int_equal(ctl_parse_signal("SIGVERYLONGNAMEINDEED"), -1);
}

static void test_key_file(void **state)
{
	char *dir = tu_mkdtemp(), *path, why[512];
	struct ctl_key k;
	char big[65];

	assert_true(asprintf(&path, "%s/key", dir) > 0);
	tu_write_file(path, "", 0, 0600);
	assert_int_equal(ctl_key_load(path, &k, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "empty"));
	memset(big, 'k', sizeof(big));
	tu_write_file(path, big, 65, 0600);
	assert_int_equal(ctl_key_load(path, &k, why, sizeof(why)), -1);
	tu_write_file(path, big, 64, 0600);
	assert_int_equal(ctl_key_load(path, &k, why, sizeof(why)), 0);
	assert_int_equal(k.len, 64);
	tu_write_file(path, "s3cret\n", 7, 0600);
	assert_int_equal(ctl_key_load(path, &k, why, sizeof(why)), 0);
	assert_int_equal(k.len, 7); /* the bytes, newline included */
	assert_memory_equal(k.bytes, "s3cret\n", 7);
	unlink(path);
	assert_int_equal(ctl_key_load(path, &k, why, sizeof(why)), -1);
	tu_rm_rf(dir);
	free(path);
	free(dir);
}

static bool has_arg(char **v, const char *a)
{
	for (; *v; v++)
		if (!strcmp(*v, a))
			return true;
	return false;
}

static void test_qemu_argv_control_and_shares(void **state)
{
	struct ue_share sh[2] = {{.host = "/srv/root", .guest = "/", .readonly = true},
				 {.host = "/home/a,b", .guest = "/data"}};
	struct qemu_config c = {.qemu = "q",
				.kernel = "k.elf",
				.mem_mb = 128,
				.control_socket = "/tmp/vm.sock",
				.shares = sh,
				.nshares = 2};
	char **v = qemu_build_argv(&c);

	assert_true(has_arg(v, "socket,id=ctl,path=/tmp/vm.sock,server=on,wait=off"));
	assert_true(has_arg(v, "virtio-serial-device,max_ports=1"));
	assert_true(has_arg(v, "virtconsole,chardev=ctl,nr=0"));
	assert_true(has_arg(v, "virtio-mmio.force-legacy=false"));
	assert_true(
	    has_arg(v, "local,id=fs0,path=/srv/root,security_model=none,readonly=on"));
	assert_true(has_arg(v, "local,id=fs1,path=/home/a,,b,security_model=none"));
	assert_true(has_arg(v, "virtio-9p-device,fsdev=fs0,mount_tag=unielf0"));
	assert_true(has_arg(v, "virtio-9p-device,fsdev=fs1,mount_tag=unielf1"));
	qemu_free_argv(v);

	c.machine = UE_MACHINE_Q35;
	v = qemu_build_argv(&c);
	assert_false(has_arg(v, "virtio-mmio.force-legacy=false"));
	assert_true(has_arg(v, "virtio-serial-pci,max_ports=1"));
	assert_true(has_arg(v, "virtio-9p-pci,fsdev=fs1,mount_tag=unielf1"));
	qemu_free_argv(v);

	c.control_socket = NULL;
	c.nshares = 0;
	v = qemu_build_argv(&c);
	assert_false(has_arg(v, "-fsdev"));
	assert_false(has_arg(v, "virtconsole,chardev=ctl,nr=0"));
	qemu_free_argv(v);
}

/* ---- one exchange with a stand-in VM ---- */

static int listen_at(const char *path)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	strcpy(a.sun_path, path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 1) < 0)
		abort();
	return fd;
}

/* The child: listens after @delay_ms, reads one frame, answers STATUS with TEXT
 * "ok" (or nothing when @silent), then waits to be killed. */
static pid_t fake_vm(const char *path, int delay_ms, bool silent)
{
	pid_t pid = fork();

	if (pid)
		return pid;
	poll(NULL, 0, delay_ms);
	int l = listen_at(path), c = accept(l, NULL, NULL);
	uint8_t buf[4096];
	size_t have = 0;
	while (have < 48) {
		ssize_t n = read(c, buf + have, sizeof(buf) - have);
		if (n <= 0)
			_exit(1);
		have += n;
	}
	if (!silent) {
		struct ue_buf p = {0}, f = {0};
		ctl_add_str(&p, CTL_TEXT, "ok");
		make_reply(&f, buf[4], CTL_F_REPLY, le32(buf + 8), &p, &no_key);
		if (write(c, f.data, f.len) != (ssize_t)f.len)
			_exit(1);
	}
	pause();
	_exit(0);
}

static void exchange(bool silent, int delay_ms)
{
	char *dir = tu_mkdtemp(), *path;
	struct ue_buf payload = {0}, frame = {0};
	struct ctl_reply r;
	int status;
	pid_t pid;

	assert_true(asprintf(&path, "%s/ctl.sock", dir) > 0);
	pid = fake_vm(path, delay_ms, silent);
	struct ctl_exchange x = {.socket = path, .key = &no_key, .timeout_ms = 3000};
	int64_t t0 = ue_now_ms();
	int rc = ctl_request(&x, CTL_STATUS, &payload, &frame, &r);
	int64_t took = ue_now_ms() - t0;
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	if (silent) {
		assert_int_equal(rc, -1);
		assert_true(took >= 2900 && took < 6000);
	} else {
		char *t;
		assert_int_equal(rc, 0);
		t = ctl_reply_text(&r);
		assert_string_equal(t, "ok");
		free(t);
	}
	ue_buf_free(&frame);
	tu_rm_rf(dir);
	free(path);
	free(dir);
}

static void test_exchange_late_listener(void **state)
{
	exchange(false, 300); /* the socket appears after we started connecting */
}

static void test_exchange_times_out(void **state)
{
	exchange(true, 0);
}

static void test_connect_nothing_there(void **state)
{
	int64_t t0 = ue_now_ms();
	assert_int_equal(ctl_connect("/nonexistent/unielf.sock", 200), -ENOENT);
	assert_true(ue_now_ms() - t0 < 2000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_encode_status_sha256),
	    cmocka_unit_test(test_encode_status_hmac),
	    cmocka_unit_test(test_encode_fields),
	    cmocka_unit_test(test_reply_ok),
	    cmocka_unit_test(test_reply_error_flag),
	    cmocka_unit_test(test_reply_bad_mac),
	    cmocka_unit_test(test_reply_wrong_id_or_type),
	    cmocka_unit_test(test_reply_truncated),
	    cmocka_unit_test(test_reply_bad_magic_and_fields),
	    cmocka_unit_test(test_signal_names),
	    cmocka_unit_test(test_key_file),
	    cmocka_unit_test(test_qemu_argv_control_and_shares),
	    cmocka_unit_test(test_exchange_late_listener),
	    cmocka_unit_test(test_exchange_times_out),
	    cmocka_unit_test(test_connect_nothing_there),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
