/* SPDX-License-Identifier: MIT */
/* SHA-256 and HMAC-SHA256 (FIPS 180-4, RFC 2104), portable: the kernel's
 * control channel and the host tool both use kernel/live/sha256.c. */
#pragma once
#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN 32

struct sha256 {
	uint32_t h[8];
	uint64_t len; /* bytes hashed so far */
	uint8_t buf[64];
	size_t fill;
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t len);
void sha256_final(struct sha256 *s, uint8_t out[SHA256_LEN]);
void sha256(const void *data, size_t len, uint8_t out[SHA256_LEN]);

struct hmac_sha256 {
	struct sha256 inner, outer;
};

/* key of any length (longer than 64 bytes is hashed first, as RFC 2104 says) */
void hmac_sha256_init(struct hmac_sha256 *h, const void *key, size_t key_len);
void hmac_sha256_update(struct hmac_sha256 *h, const void *data, size_t len);
void hmac_sha256_final(struct hmac_sha256 *h, uint8_t out[SHA256_LEN]);
