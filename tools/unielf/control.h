/* SPDX-License-Identifier: MIT */
/* The client end of the control channel (docs/control-protocol.md): building a
 * request frame, checking a reply frame, the control key, signal names, and one
 * request/reply exchange over QEMU's Unix socket.  The frame and field codec and
 * the MAC are the kernel's own (kernel/live/wire.c, kernel/live/sha256.c); the
 * subcommands on top are ctlcmd.c. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "live/wire.h"
#include "unielf.h"

#define CTL_KEY_MAX 64

/* Exit status of a subcommand whose request the kernel refused. */
#define CTL_EXIT_REFUSED 1

struct ctl_key {
	uint8_t bytes[CTL_KEY_MAX];
	size_t len; /* 0: no key, frames carry a plain SHA-256 */
};

/* Reads a key file: its bytes, 1 to 64 of them.  Returns 0, or -1 after writing
 * the reason ("PATH: ...") into @why. */
int ctl_key_load(const char *path, struct ctl_key *k, char *why, size_t whylen);

/* Appends one field to a request payload. */
void ctl_add_field(struct ue_buf *p, uint16_t tag, const void *val, uint32_t len);
void ctl_add_u32(struct ue_buf *p, uint16_t tag, uint32_t v);
void ctl_add_str(struct ue_buf *p, uint16_t tag, const char *s);
/* A FILE field: mode, guest path, contents. */
void ctl_add_file(struct ue_buf *p, uint32_t mode, const char *guest, const void *data,
		  size_t len);

/* The whole request frame (header, payload, MAC) in @out (appended). */
void ctl_encode_request(uint8_t type, uint32_t id, const void *payload, size_t len,
			const struct ctl_key *k, struct ue_buf *out);

/* A checked reply: header fields and the payload (pointing into the frame). */
struct ctl_reply {
	uint8_t type, flags;
	uint32_t id;
	const uint8_t *payload;
	uint32_t len;
};

/* Looks at the @have bytes received so far for request @id of @type.  Returns
 * 0 when more bytes are needed (*need says how many in all), 1 with @r filled
 * when a whole, authentic reply to that request is there, or -1 with a reason
 * in *why: bad magic or header, not a reply, a MAC that does not verify, a
 * different request id or type, malformed fields.  A reply whose MAC fails
 * still has @r filled (for a hint of what it said). */
int ctl_check_reply(const uint8_t *buf, size_t have, uint32_t id, uint8_t type,
		    const struct ctl_key *k, size_t *need, struct ctl_reply *r,
		    const char **why);

/* The first field with @tag in a reply, or NULL.  @len gets its length. */
const uint8_t *ctl_reply_field(const struct ctl_reply *r, uint16_t tag, uint32_t *len);
/* A u32 field; false when absent or not 4 bytes. */
bool ctl_reply_u32(const struct ctl_reply *r, uint16_t tag, uint32_t *v);
/* The TEXT field as a malloc'd C string ("" when absent). */
char *ctl_reply_text(const struct ctl_reply *r);

/* Signal number from "15", "TERM", "SIGTERM", "sigterm", "RTMIN+2"; -1 when
 * unknown or out of 0..64. */
int ctl_parse_signal(const char *s);

/* Connects to the control socket, retrying ECONNREFUSED, EAGAIN and ENOENT with
 * a backoff for up to @retry_ms.  Returns the descriptor or -errno. */
int ctl_connect(const char *path, int retry_ms);

struct ctl_exchange {
	const char *socket;
	const struct ctl_key *key;
	/* Connecting may take this long (at most 5 s), sending may stall this
	 * long, and the reply must come this long after the last byte went out. */
	int timeout_ms;
	bool verbose;
};

/* Sends one request and reads its reply into @frame (the reply in @r points
 * into it).  Returns 0 for an authentic reply (error flag or not), or -1 after
 * printing one line "unielf: SOCKET: reason" (connection or protocol failure). */
int ctl_request(const struct ctl_exchange *x, uint8_t type, const struct ue_buf *payload,
		struct ue_buf *frame, struct ctl_reply *r);
