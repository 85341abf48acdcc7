// SPDX-License-Identifier: MIT
/* Control frames: headers round-trip, every malformed header is refused with
 * its reason, fields parse and refuse overruns, MACs verify and catch one
 * flipped bit anywhere. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "live/wire.h"

static void test_header_roundtrip(void **state)
{
	uint8_t b[CTL_HDR_LEN];
	struct ctl_hdr h = {CTL_SPAWN, CTL_F_REPLY, 0x12345678, 1000}, g;
	const char *why = NULL;
	ctl_encode_header(b, &h);
	assert_int_equal(ctl_parse_header(b, &g, &why), 0);
	assert_int_equal(g.type, CTL_SPAWN);
	assert_int_equal(g.flags, CTL_F_REPLY);
	assert_int_equal(g.id, 0x12345678);
	assert_int_equal(g.len, 1000);
}

static void expect_bad(uint8_t *b, const char *reason)
{
	struct ctl_hdr g;
	const char *why = NULL;
	assert_int_equal(ctl_parse_header(b, &g, &why), -22);
	assert_string_equal(why, reason);
}

static void test_bad_headers(void **state)
{
	uint8_t b[CTL_HDR_LEN];
	struct ctl_hdr h = {CTL_STATUS, 0, 1, 0};
	ctl_encode_header(b, &h);
	b[0] = 'X';
	expect_bad(b, "bad magic");
	ctl_encode_header(b, &h);
	b[6] = 1;
	expect_bad(b, "reserved bits set");
	ctl_encode_header(b, &h);
	b[5] = 0x80;
	expect_bad(b, "reserved bits set");
	h.len = CTL_MAX_PAYLOAD + 1;
	ctl_encode_header(b, &h);
	expect_bad(b, "payload too large");
	h.len = 0;
	h.type = 0;
	ctl_encode_header(b, &h);
	expect_bad(b, "unknown type");
	h.type = CTL_TYPE_MAX + 1;
	ctl_encode_header(b, &h);
	expect_bad(b, "unknown type");
}

static void test_fields(void **state)
{
	uint8_t buf[256];
	size_t n = 0;
	n += ctl_put_field(buf + n, CTL_ARG, "/bin/echo", 9);
	n += ctl_put_field(buf + n, CTL_ARG, "", 0);
	uint32_t pid = 42;
	n += ctl_put_field(buf + n, CTL_PID, &pid, 4);
	assert_int_equal(ctl_put_field(NULL, CTL_ARG, NULL, 9), 17);
	size_t off = 0;
	struct ctl_field f;
	const char *why;
	assert_int_equal(ctl_next_field(buf, n, &off, &f, &why), 1);
	assert_int_equal(f.tag, CTL_ARG);
	assert_memory_equal(f.val, "/bin/echo", 9);
	assert_int_equal(ctl_next_field(buf, n, &off, &f, &why), 1);
	assert_int_equal(f.len, 0);
	assert_int_equal(ctl_next_field(buf, n, &off, &f, &why), 1);
	assert_int_equal(f.tag, CTL_PID);
	assert_int_equal(ctl_next_field(buf, n, &off, &f, &why), 0);
	/* every truncation of the payload is refused, never read past */
	for (size_t cut = 1; cut < n; cut++) {
		off = 0;
		int r;
		while ((r = ctl_next_field(buf, cut, &off, &f, &why)) == 1)
			;
		if (cut == 17 || cut == 25)
			assert_int_equal(r, 0); /* ends on a field boundary */
		else
			assert_int_equal(r, -22);
	}
	buf[0] = 99;
	off = 0;
	assert_int_equal(ctl_next_field(buf, n, &off, &f, &why), -22);
	assert_string_equal(why, "unknown field");
}

static void test_mac(void **state)
{
	uint8_t frame[CTL_HDR_LEN + 5 + CTL_MAC_LEN];
	struct ctl_hdr h = {CTL_STATUS, 0, 7, 5};
	ctl_encode_header(frame, &h);
	memcpy(frame + CTL_HDR_LEN, "hello", 5);
	const uint8_t key[] = "secret";
	size_t len = CTL_HDR_LEN + 5;
	ctl_mac(key, 6, frame, len, frame + len);
	assert_true(ctl_mac_ok(key, 6, frame, len));
	assert_false(ctl_mac_ok(key, 5, frame, len));
	assert_false(ctl_mac_ok(NULL, 0, frame, len));
	for (size_t i = 0; i < sizeof(frame); i++) {
		frame[i] ^= 1;
		assert_false(ctl_mac_ok(key, 6, frame, len));
		frame[i] ^= 1;
	}
	ctl_mac(NULL, 0, frame, len, frame + len);
	assert_true(ctl_mac_ok(NULL, 0, frame, len));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_header_roundtrip),
	    cmocka_unit_test(test_bad_headers),
	    cmocka_unit_test(test_fields),
	    cmocka_unit_test(test_mac),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
