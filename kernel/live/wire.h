/* SPDX-License-Identifier: MIT */
/* The control protocol's frames and fields (docs/control-protocol.md), portable:
 * the kernel (kernel/live/control.c) and the host tool share kernel/live/wire.c. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CTL_MAGIC	"UEC1"
#define CTL_HDR_LEN	16
#define CTL_MAC_LEN	32
#define CTL_MAX_PAYLOAD (64u << 20)

enum ctl_type {
	CTL_STATUS = 1,
	CTL_PS = 2,
	CTL_SPAWN = 3,
	CTL_KILL = 4,
	CTL_UPGRADE = 5,
	CTL_PATCH = 6,
	CTL_REVERT = 7,
	CTL_PATCHES = 8,
	CTL_TYPE_MAX = 8,
};

#define CTL_F_REPLY 0x1
#define CTL_F_ERROR 0x2

enum ctl_tag {
	CTL_ARG = 1,
	CTL_ENV = 2,
	CTL_FILE = 3,
	CTL_PID = 4,
	CTL_SIGNAL = 5,
	CTL_GRACE_MS = 6,
	CTL_TEXT = 7,
	CTL_EXE = 8,
	CTL_CWD = 9,
	CTL_PATCH_ID = 10,
	CTL_DEADLINE_MS = 11,
	CTL_TAG_MAX = 11,
};

struct ctl_hdr {
	uint8_t type, flags;
	uint32_t id, len;
};

struct ctl_field {
	uint16_t tag;
	uint32_t len;
	const uint8_t *val;
};

/* Reads a 16-byte header.  0, or -EINVAL with *why ("bad magic", "reserved
 * bits set", "payload too large", "unknown type"). */
int ctl_parse_header(const uint8_t *b, struct ctl_hdr *h, const char **why);
void ctl_encode_header(uint8_t *b, const struct ctl_hdr *h);
/* MAC of frame[0..len): HMAC-SHA256 with key, or SHA-256 when key_len is 0. */
void ctl_mac(const uint8_t *key, size_t key_len, const uint8_t *frame, size_t len,
	     uint8_t out[CTL_MAC_LEN]);
/* true when the 32 bytes after frame[0..len) are its MAC (constant time). */
bool ctl_mac_ok(const uint8_t *key, size_t key_len, const uint8_t *frame, size_t len);
/* Next field of a payload at *off: 1 with *f filled, 0 at the end, -EINVAL
 * with *why when a field runs past the end or has a bad tag or reserved bits. */
int ctl_next_field(const uint8_t *p, size_t len, size_t *off, struct ctl_field *f,
		   const char **why);
/* Writes one field at buf (NULL: just measures); returns its size. */
size_t ctl_put_field(uint8_t *buf, uint16_t tag, const void *val, uint32_t len);
