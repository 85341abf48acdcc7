// SPDX-License-Identifier: MIT
/* SHA-256 and HMAC-SHA256 against the FIPS 180-4 examples and RFC 4231 test
 * cases, plus every split of a message across update calls. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "live/sha256.h"

static void hex(const uint8_t *d, char *out)
{
	for (int i = 0; i < SHA256_LEN; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

static void check(const void *msg, size_t len, const char *want)
{
	uint8_t d[SHA256_LEN];
	char h[65];
	sha256(msg, len, d);
	hex(d, h);
	assert_string_equal(h, want);
}

static void test_fips_vectors(void **state)
{
	check("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	check("abc", 3,
	      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	check(m, strlen(m),
	      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void test_million_a(void **state)
{
	static char a[1000000];
	memset(a, 'a', sizeof(a));
	check(a, sizeof(a),
	      "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

static void test_split_updates(void **state)
{
	const char *m =
	    "The quick brown fox jumps over the lazy dog, again and again, 1234567890";
	size_t n = strlen(m);
	uint8_t whole[SHA256_LEN];
	sha256(m, n, whole);
	for (size_t cut = 0; cut <= n; cut++) {
		struct sha256 s;
		uint8_t d[SHA256_LEN];
		sha256_init(&s);
		sha256_update(&s, m, cut);
		sha256_update(&s, m + cut, n - cut);
		sha256_final(&s, d);
		assert_memory_equal(d, whole, SHA256_LEN);
	}
}

static void hmac_check(const void *key, size_t klen, const void *msg, size_t mlen,
		       const char *want)
{
	struct hmac_sha256 h;
	uint8_t d[SHA256_LEN];
	char s[65];
	hmac_sha256_init(&h, key, klen);
	hmac_sha256_update(&h, msg, mlen);
	hmac_sha256_final(&h, d);
	hex(d, s);
	assert_string_equal(s, want);
}

static void test_rfc4231(void **state)
{
	uint8_t k1[20];
	memset(k1, 0x0b, sizeof(k1));
	hmac_check(k1, 20, "Hi There", 8,
		   "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
	hmac_check("Jefe", 4, "what do ya want for nothing?", 28,
		   "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
	uint8_t k6[131];
	memset(k6, 0xaa, sizeof(k6));
	const char *m6 = "Test Using Larger Than Block-Size Key - Hash Key First";
	hmac_check(k6, sizeof(k6), m6, strlen(m6),
		   "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fips_vectors),
	    cmocka_unit_test(test_million_a),
	    cmocka_unit_test(test_split_updates),
	    cmocka_unit_test(test_rfc4231),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
