// SPDX-License-Identifier: MIT
/* Tests tools/unielf/frame.c: a guest byte stream (firmware noise with near-miss
 * sync lines, UNIELF-SYNC, then frames of every kind and size) must give the
 * same events however the reads split it, and the encoder must produce what the
 * protocol document says. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "frame.h"
#include "unielf.h"

/* Runs the parser over @stream cut into pieces at the given split points and
 * renders every event into @out: noise bytes are concatenated (their splitting
 * is free), frames are written as "<type:len:payload>". */
static void transcript(const uint8_t *stream, size_t len, const size_t *cuts,
		       size_t ncuts, struct ue_buf *noise, struct ue_buf *out)
{
	struct frame_parser *p = malloc(sizeof(*p));
	size_t start = 0;

	frame_parser_init(p);
	for (size_t c = 0; c <= ncuts; c++) {
		size_t end = c < ncuts ? cuts[c] : len;
		size_t off = start;
		while (off < end) {
			struct frame_event ev;
			size_t used = frame_parser_feed(p, stream + off, end - off, &ev);
			assert_true(used > 0 || ev.kind != FRAME_EV_NONE);
			assert_true(used <= end - off);
			off += used;
			switch (ev.kind) {
			case FRAME_EV_NOISE:
				ue_buf_add(noise, ev.data, ev.len);
				break;
			case FRAME_EV_SYNC:
				ue_buf_add(noise, ev.data, ev.len);
				ue_buf_addstr(out, "<sync>");
				break;
			case FRAME_EV_FRAME: {
				char h[32];
				snprintf(h, sizeof(h), "<%u:%zu:", ev.type, ev.len);
				ue_buf_addstr(out, h);
				ue_buf_add(out, ev.data, ev.len);
				ue_buf_addstr(out, ">");
				break;
			}
			case FRAME_EV_ERROR:
				ue_buf_addstr(out, "<error>");
				break;
			case FRAME_EV_NONE:
				break;
			}
		}
		start = end;
	}
	free(p);
}

static void add_frame(struct ue_buf *b, uint8_t type, const void *payload, size_t len)
{
	uint8_t hdr[3] = {type, (uint8_t)len, (uint8_t)(len >> 8)};
	ue_buf_add(b, hdr, 3);
	ue_buf_add(b, payload, len);
}

static const char noise_text[] = "SeaBIOS (version x)\r\n"
				 "UNIELF-SYNC but not alone\n"
				 "xUNIELF-SYNC\n"
				 "UNIELF-SYN\n"
				 "UNIELF-SYNCC\n"
				 "\n\nUNIELF-";

static void build_stream(struct ue_buf *s, struct ue_buf *expect)
{
	char big[FRAME_MAX_PAYLOAD];

	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = 'a' + i % 26;
	ue_buf_addstr(s, noise_text);
	ue_buf_addstr(s, "\nUNIELF-SYNC\n");
	add_frame(s, FRAME_LOG, "booted\n", 7);
	add_frame(s, FRAME_READY, NULL, 0);
	add_frame(s, FRAME_STDOUT, "hello\n", 6);
	/* payload bytes that look like headers and sync lines must not confuse it */
	add_frame(s, FRAME_STDERR, "\nUNIELF-SYNC\n\x01\x02\x00", 16);
	add_frame(s, FRAME_STDOUT, big, sizeof(big));
	add_frame(s, FRAME_REPORT, "syscall 293 (pipe2): 3 calls, not implemented", 45);
	add_frame(s, 0x42, "?", 1); /* unknown types are frames too */
	add_frame(s, FRAME_ERROR, "bad\n", 4);
	add_frame(s, FRAME_EXIT, "\x2a", 1);

	ue_buf_addstr(expect, "<sync><3:7:booted\n><7:0:><1:6:hello\n><2:16:");
	ue_buf_add(expect, "\nUNIELF-SYNC\n\x01\x02\x00", 16);
	ue_buf_addstr(expect, "><1:4096:");
	ue_buf_add(expect, big, sizeof(big));
	ue_buf_addstr(expect, "><6:45:syscall 293 (pipe2): 3 calls, not implemented>"
			      "<66:1:?><5:4:bad\n><4:1:*>");
}

static void test_whole_stream(void **state)
{
	struct ue_buf s = {0}, expect = {0}, noise = {0}, out = {0};

	build_stream(&s, &expect);
	transcript((uint8_t *)s.data, s.len, NULL, 0, &noise, &out);
	assert_int_equal(out.len, expect.len);
	assert_memory_equal(out.data, expect.data, expect.len);
	/* all noise, then the sync line itself, reach the --verbose display */
	assert_int_equal(noise.len, strlen(noise_text) + 13);
	assert_memory_equal(noise.data, noise_text, strlen(noise_text));
	ue_buf_free(&s);
	ue_buf_free(&expect);
	ue_buf_free(&noise);
	ue_buf_free(&out);
}

/* Every single split point, then every pair of split points near the frames. */
static void test_every_split(void **state)
{
	struct ue_buf s = {0}, expect = {0};

	build_stream(&s, &expect);
	for (size_t cut = 0; cut <= s.len; cut++) {
		struct ue_buf noise = {0}, out = {0};
		transcript((uint8_t *)s.data, s.len, &cut, 1, &noise, &out);
		assert_int_equal(out.len, expect.len);
		assert_memory_equal(out.data, expect.data, expect.len);
		assert_int_equal(noise.len, strlen(noise_text) + 13);
		ue_buf_free(&noise);
		ue_buf_free(&out);
	}
	for (size_t a = 0; a < 140; a++) {
		for (size_t b = a; b < 140; b++) {
			size_t cuts[2] = {a, b};
			struct ue_buf noise = {0}, out = {0};
			transcript((uint8_t *)s.data, s.len, cuts, 2, &noise, &out);
			assert_int_equal(out.len, expect.len);
			assert_memory_equal(out.data, expect.data, expect.len);
			ue_buf_free(&noise);
			ue_buf_free(&out);
		}
	}
	ue_buf_free(&s);
	ue_buf_free(&expect);
}

/* One byte per read: the worst a serial line can do. */
static void test_byte_by_byte(void **state)
{
	struct ue_buf s = {0}, expect = {0}, noise = {0}, out = {0};
	size_t *cuts;

	build_stream(&s, &expect);
	cuts = malloc(s.len * sizeof(*cuts));
	for (size_t i = 0; i < s.len; i++)
		cuts[i] = i;
	transcript((uint8_t *)s.data, s.len, cuts, s.len, &noise, &out);
	assert_int_equal(out.len, expect.len);
	assert_memory_equal(out.data, expect.data, expect.len);
	free(cuts);
	ue_buf_free(&s);
	ue_buf_free(&expect);
	ue_buf_free(&noise);
	ue_buf_free(&out);
}

static void test_sync_variants(void **state)
{
	static const struct {
		const char *in;
		bool synced;
	} cases[] = {
	    {"UNIELF-SYNC\n", true}, /* at the very start of the stream */
	    {"\nUNIELF-SYNC\n", true},
	    {"junk\r\nUNIELF-SYNC\r\n", true},
	    {"UNIELF-SYNC", false}, /* the line has not ended yet */
	    {"aUNIELF-SYNC\n", false},
	    {"UNIELF-SYNC \n", false},
	    {"UNIELF-SYNCUNIELF-SYNC\n", false},
	    {"unielf-sync\n", false},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct frame_parser *p = malloc(sizeof(*p));
		const uint8_t *in = (const uint8_t *)cases[i].in;
		size_t len = strlen(cases[i].in), off = 0;

		frame_parser_init(p);
		while (off < len) {
			struct frame_event ev;
			off += frame_parser_feed(p, in + off, len - off, &ev);
		}
		assert_int_equal(frame_parser_synced(p), cases[i].synced);
		free(p);
	}
}

/* A length beyond the protocol's 4096 means the framing is lost for good. */
static void test_oversized_frame(void **state)
{
	struct ue_buf s = {0}, noise = {0}, out = {0};

	ue_buf_addstr(&s, "\nUNIELF-SYNC\n");
	add_frame(&s, FRAME_STDOUT, "ok", 2);
	ue_buf_add(&s, "\x01\x01\x10", 3); /* 4097 bytes announced */
	add_frame(&s, FRAME_EXIT, "\0", 1);
	transcript((uint8_t *)s.data, s.len, NULL, 0, &noise, &out);
	assert_string_equal(out.data, "<sync><1:2:ok><error>");
	ue_buf_free(&s);
	ue_buf_free(&noise);
	ue_buf_free(&out);
}

static void test_encode(void **state)
{
	uint8_t buf[FRAME_HDR_LEN + FRAME_MAX_PAYLOAD];
	char big[FRAME_MAX_PAYLOAD];

	assert_int_equal(frame_encode(buf, FRAME_IN_EOF, NULL, 0), 3);
	assert_memory_equal(buf, "\x02\x00\x00", 3);
	assert_int_equal(frame_encode(buf, FRAME_IN_DATA, "abc", 3), 6);
	assert_memory_equal(buf,
			    "\x01\x03\x00"
			    "abc",
			    6);
	assert_int_equal(frame_encode(buf, FRAME_IN_SIGNAL, "\x02", 1), 4);
	assert_memory_equal(buf, "\x03\x01\x00\x02", 4);
	assert_int_equal(frame_encode(buf, FRAME_IN_WINSIZE, "\x32\x00\x84\x00", 4), 7);
	assert_memory_equal(buf, "\x04\x04\x00\x32\x00\x84\x00", 7);
	memset(big, 'z', sizeof(big));
	assert_int_equal(frame_encode(buf, FRAME_IN_DATA, big, sizeof(big)), 4099);
	assert_memory_equal(buf, "\x01\x00\x10", 3); /* 4096 little endian */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_whole_stream),    cmocka_unit_test(test_every_split),
	    cmocka_unit_test(test_byte_by_byte),    cmocka_unit_test(test_sync_variants),
	    cmocka_unit_test(test_oversized_frame), cmocka_unit_test(test_encode),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
