/* SPDX-License-Identifier: MIT */
/* The console wire format of docs/console-protocol.md: a parser for what the guest
 * writes (noise, the UNIELF-SYNC line, then frames) and an encoder for host frames. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FRAME_HDR_LEN	  3
#define FRAME_MAX_PAYLOAD 4096
#define FRAME_SYNC_LINE	  "UNIELF-SYNC"

/* guest → host frame types */
enum {
	FRAME_STDOUT = 1,
	FRAME_STDERR = 2,
	FRAME_LOG = 3,
	FRAME_EXIT = 4,
	FRAME_ERROR = 5,
	FRAME_REPORT = 6,
	FRAME_READY = 7,
	FRAME_TERMIOS = 8,
};

/* host → guest frame types */
enum {
	FRAME_IN_DATA = 1,
	FRAME_IN_EOF = 2,
	FRAME_IN_SIGNAL = 3,
	FRAME_IN_WINSIZE = 4,
};

enum frame_event_kind {
	FRAME_EV_NONE,	/* all input consumed, nothing complete yet */
	FRAME_EV_NOISE, /* bytes before the sync line: data/len */
	FRAME_EV_SYNC,	/* the sync line was seen; data/len: the noise up to and including
			   it */
	FRAME_EV_FRAME, /* a complete frame: type, data/len */
	FRAME_EV_ERROR, /* a frame longer than FRAME_MAX_PAYLOAD: the stream is lost */
};

struct frame_event {
	enum frame_event_kind kind;
	uint8_t type;
	const uint8_t *data; /* valid until the next call to frame_parser_feed */
	size_t len;
};

struct frame_parser {
	int state;
	int sync_col; /* chars of FRAME_SYNC_LINE matched on this line, -1: no match */
	uint8_t hdr[FRAME_HDR_LEN];
	size_t hdr_len;
	size_t need; /* payload length of the current frame */
	size_t have;
	uint8_t payload[FRAME_MAX_PAYLOAD];
};

void frame_parser_init(struct frame_parser *p);
bool frame_parser_synced(const struct frame_parser *p);

/* Consumes a prefix of buf[0..len) and describes at most one event in *ev.
 * Returns the number of bytes consumed; call again with the rest until it has
 * consumed everything (it then reports FRAME_EV_NONE or a last event). */
size_t frame_parser_feed(struct frame_parser *p, const uint8_t *buf, size_t len,
			 struct frame_event *ev);

/* Encodes one host → guest frame into out (which holds at least
 * FRAME_HDR_LEN + len bytes).  Returns the frame length; len ≤ FRAME_MAX_PAYLOAD. */
size_t frame_encode(uint8_t *out, uint8_t type, const void *payload, size_t len);
