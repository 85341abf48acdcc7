// SPDX-License-Identifier: MIT
/* Encoding and checking control frames and their fields.  Pure functions over
 * buffers: no allocation, no I/O; the kernel's control loop and the host
 * tool's client feed them bytes. */
#include <string.h>
#include "live/sha256.h"
#include "live/wire.h"
#include "uapi/errno.h"

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

int ctl_parse_header(const uint8_t *b, struct ctl_hdr *h, const char **why)
{
	if (memcmp(b, CTL_MAGIC, 4)) {
		*why = "bad magic";
		return -EINVAL;
	}
	h->type = b[4];
	h->flags = b[5];
	h->id = get32(b + 8);
	h->len = get32(b + 12);
	if (b[6] || b[7] || (h->flags & ~(CTL_F_REPLY | CTL_F_ERROR))) {
		*why = "reserved bits set";
		return -EINVAL;
	}
	if (h->len > CTL_MAX_PAYLOAD) {
		*why = "payload too large";
		return -EINVAL;
	}
	if (h->type == 0 || h->type > CTL_TYPE_MAX) {
		*why = "unknown type";
		return -EINVAL;
	}
	return 0;
}

void ctl_encode_header(uint8_t *b, const struct ctl_hdr *h)
{
	memcpy(b, CTL_MAGIC, 4);
	b[4] = h->type;
	b[5] = h->flags;
	b[6] = b[7] = 0;
	put32(b + 8, h->id);
	put32(b + 12, h->len);
}

void ctl_mac(const uint8_t *key, size_t key_len, const uint8_t *frame, size_t len,
	     uint8_t out[CTL_MAC_LEN])
{
	if (!key_len) {
		sha256(frame, len, out);
		return;
	}
	struct hmac_sha256 h;
	hmac_sha256_init(&h, key, key_len);
	hmac_sha256_update(&h, frame, len);
	hmac_sha256_final(&h, out);
}

bool ctl_mac_ok(const uint8_t *key, size_t key_len, const uint8_t *frame, size_t len)
{
	uint8_t want[CTL_MAC_LEN];
	ctl_mac(key, key_len, frame, len, want);
	uint8_t diff = 0;
	for (int i = 0; i < CTL_MAC_LEN; i++)
		diff |= want[i] ^ frame[len + i];
	return diff == 0;
}

int ctl_next_field(const uint8_t *p, size_t len, size_t *off, struct ctl_field *f,
		   const char **why)
{
	if (*off == len)
		return 0;
	if (len - *off < 8) {
		*why = "truncated field header";
		return -EINVAL;
	}
	const uint8_t *h = p + *off;
	f->tag = (uint16_t)(h[0] | h[1] << 8);
	f->len = get32(h + 4);
	if (h[2] || h[3]) {
		*why = "reserved bits set in a field";
		return -EINVAL;
	}
	if (f->tag == 0 || f->tag > CTL_TAG_MAX) {
		*why = "unknown field";
		return -EINVAL;
	}
	if (f->len > len - *off - 8) {
		*why = "field runs past the payload";
		return -EINVAL;
	}
	f->val = h + 8;
	*off += 8 + (size_t)f->len;
	return 1;
}

size_t ctl_put_field(uint8_t *buf, uint16_t tag, const void *val, uint32_t len)
{
	if (buf) {
		buf[0] = (uint8_t)tag;
		buf[1] = (uint8_t)(tag >> 8);
		buf[2] = buf[3] = 0;
		put32(buf + 4, len);
		if (len)
			memcpy(buf + 8, val, len);
	}
	return 8 + (size_t)len;
}
