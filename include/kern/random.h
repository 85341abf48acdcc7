/* SPDX-License-Identifier: MIT */
/* Random bytes for getrandom, /dev/urandom, AT_RANDOM and ASLR
 * (kernel/core/random.c): RDRAND/RDSEED when the CPU has them, mixed with TSC
 * jitter through a ChaCha20-based generator otherwise.  Never blocks. */
#pragma once
#include <stddef.h>
#include <stdint.h>

void random_bytes(void *buf, size_t len);
uint64_t random_u64(void);
