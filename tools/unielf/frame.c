// SPDX-License-Identifier: MIT
/* Byte-level framing of the serial console (docs/console-protocol.md): finding
 * the UNIELF-SYNC line after firmware noise, then splitting type/length/payload
 * frames however the reads happened to cut them.  relay.c decides what each
 * frame means; this file never does I/O, so tests feed it arbitrary splits. */
#include <string.h>
#include "frame.h"

enum { ST_NOISE, ST_HEADER, ST_PAYLOAD, ST_BROKEN };

void frame_parser_init(struct frame_parser *p)
{
	p->state = ST_NOISE;
	p->sync_col = 0; /* the stream starts at the start of a line */
	p->hdr_len = 0;
	p->need = 0;
	p->have = 0;
}

bool frame_parser_synced(const struct frame_parser *p)
{
	return p->state != ST_NOISE;
}

/* Advances the sync-line matcher by one byte; true when a sync line just ended. */
static bool sync_step(struct frame_parser *p, uint8_t c)
{
	static const char line[] = FRAME_SYNC_LINE;
	const int n = sizeof(line) - 1;

	if (c == '\n') {
		bool hit = p->sync_col == n;
		p->sync_col = 0;
		return hit;
	}
	if (p->sync_col < 0)
		return false;
	if (p->sync_col < n && c == (uint8_t)line[p->sync_col])
		p->sync_col++;
	else if (!(p->sync_col == n && c == '\r'))
		p->sync_col = -1; /* tolerate "\r\n" endings, nothing else */
	return false;
}

static size_t feed_noise(struct frame_parser *p, const uint8_t *buf, size_t len,
			 struct frame_event *ev)
{
	for (size_t i = 0; i < len; i++) {
		if (sync_step(p, buf[i])) {
			p->state = ST_HEADER;
			ev->kind = FRAME_EV_SYNC;
			ev->data = buf;
			ev->len = i + 1;
			return i + 1;
		}
	}
	ev->kind = len ? FRAME_EV_NOISE : FRAME_EV_NONE;
	ev->data = buf;
	ev->len = len;
	return len;
}

static void complete(struct frame_parser *p, struct frame_event *ev)
{
	ev->kind = FRAME_EV_FRAME;
	ev->type = p->hdr[0];
	ev->data = p->payload;
	ev->len = p->need;
	p->state = ST_HEADER;
	p->hdr_len = 0;
}

size_t frame_parser_feed(struct frame_parser *p, const uint8_t *buf, size_t len,
			 struct frame_event *ev)
{
	size_t used = 0;

	ev->kind = FRAME_EV_NONE;
	ev->type = 0;
	ev->data = NULL;
	ev->len = 0;
	if (p->state == ST_NOISE)
		return feed_noise(p, buf, len, ev);
	while (used < len) {
		if (p->state == ST_BROKEN)
			return len; /* nothing after a lost frame boundary can be trusted
				     */
		if (p->state == ST_HEADER) {
			p->hdr[p->hdr_len++] = buf[used++];
			if (p->hdr_len < FRAME_HDR_LEN)
				continue;
			p->need = p->hdr[1] | (size_t)p->hdr[2] << 8;
			p->have = 0;
			if (p->need > FRAME_MAX_PAYLOAD) {
				p->state = ST_BROKEN;
				ev->kind = FRAME_EV_ERROR;
				ev->type = p->hdr[0];
				ev->len = p->need;
				return used;
			}
			if (p->need == 0) {
				complete(p, ev);
				return used;
			}
			p->state = ST_PAYLOAD;
			continue;
		}
		/* ST_PAYLOAD */
		size_t n = p->need - p->have;
		if (n > len - used)
			n = len - used;
		memcpy(p->payload + p->have, buf + used, n);
		p->have += n;
		used += n;
		if (p->have == p->need) {
			complete(p, ev);
			return used;
		}
	}
	return used;
}

size_t frame_encode(uint8_t *out, uint8_t type, const void *payload, size_t len)
{
	out[0] = type;
	out[1] = (uint8_t)len;
	out[2] = (uint8_t)(len >> 8);
	if (len)
		memcpy(out + FRAME_HDR_LEN, payload, len);
	return FRAME_HDR_LEN + len;
}
