// SPDX-License-Identifier: MIT
/* Kernel randomness: a ChaCha20 keystream generator keyed at boot from RDSEED /
 * RDRAND when the CPU has them and from TSC jitter always, re-keyed from its own
 * output after every request (fast key erasure).  Serves getrandom,
 * /dev/urandom, AT_RANDOM and ASLR. */
#include <stdbool.h>
#include <string.h>
#include <kern/random.h>
#include "arch/x86_64/cpu.h"

static uint32_t key[8];
static uint64_t counter;

#define ROTL(a, b) (((a) << (b)) | ((a) >> (32 - (b))))
#define QR(a, b, c, d)                                                                   \
	(a += b, d ^= a, d = ROTL(d, 16), c += d, b ^= c, b = ROTL(b, 12), a += b,       \
	 d ^= a, d = ROTL(d, 8), c += d, b ^= c, b = ROTL(b, 7))

static void chacha_block(uint32_t out[16])
{
	uint32_t x[16] = {0x61707865, 0x3320646e, 0x79622d32, 0x6b206574};
	memcpy(&x[4], key, 32);
	x[12] = (uint32_t)counter;
	x[13] = (uint32_t)(counter >> 32);
	x[14] = x[15] = 0;
	uint32_t in[16];
	memcpy(in, x, sizeof(in));
	for (int i = 0; i < 10; i++) {
		QR(x[0], x[4], x[8], x[12]);
		QR(x[1], x[5], x[9], x[13]);
		QR(x[2], x[6], x[10], x[14]);
		QR(x[3], x[7], x[11], x[15]);
		QR(x[0], x[5], x[10], x[15]);
		QR(x[1], x[6], x[11], x[12]);
		QR(x[2], x[7], x[8], x[13]);
		QR(x[3], x[4], x[9], x[14]);
	}
	for (int i = 0; i < 16; i++)
		out[i] = x[i] + in[i];
	counter++;
}

static bool hw_random(uint64_t *v)
{
	uint32_t a, b, c, d;
	cpuid(1, 0, &a, &b, &c, &d);
	if (!(c & (1u << 30)))
		return false;
	for (int i = 0; i < 10; i++) {
		unsigned char ok;
		__asm__ volatile("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok));
		if (ok)
			return true;
	}
	return false;
}

void random_init(uint64_t extra)
{
	for (int i = 0; i < 8; i++) {
		uint64_t v = 0;
		hw_random(&v);
		uint64_t t = rdtsc();
		key[i] ^= (uint32_t)(v ^ (v >> 32) ^ t ^ (t >> 29) ^ extra);
		extra = extra * 6364136223846793005ULL + 1442695040888963407ULL;
	}
}

void random_bytes(void *buf, size_t len)
{
	uint32_t block[16];
	unsigned char *p = buf;
	key[0] ^= (uint32_t)rdtsc(); /* a little jitter each call */
	while (len) {
		chacha_block(block);
		size_t n = len < sizeof(block) ? len : sizeof(block);
		memcpy(p, block, n);
		p += n;
		len -= n;
	}
	chacha_block(block); /* fast key erasure */
	memcpy(key, block, sizeof(key));
	memset(block, 0, sizeof(block));
}

uint64_t random_u64(void)
{
	uint64_t v;
	random_bytes(&v, sizeof(v));
	return v;
}
