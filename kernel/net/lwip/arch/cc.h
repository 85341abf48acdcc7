/* SPDX-License-Identifier: MIT */
/* lwIP's port header for UniELF: types, formats and platform hooks. */
#pragma once
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <kern/printk.h>

#define LWIP_NO_INTTYPES_H 1
#define LWIP_NO_CTYPE_H	   1
#define LWIP_NO_LIMITS_H   1
#define LWIP_NO_UNISTD_H   1
#ifndef INT_MAX
#define INT_MAX __INT_MAX__
#endif
#define SSIZE_MAX __LONG_MAX__
typedef long ssize_t;
#define X8_F  "02x"
#define U16_F "hu"
#define S16_F "hd"
#define X16_F "hx"
#define U32_F "u"
#define S32_F "d"
#define X32_F "x"
#define SZT_F "zu"

#define BYTE_ORDER    LITTLE_ENDIAN
#define lwip_htons(x) __builtin_bswap16(x)
#define lwip_htonl(x) __builtin_bswap32(x)

#define LWIP_PLATFORM_DIAG(x)                                                            \
	do {                                                                             \
		printk x;                                                                \
	} while (0)
#define LWIP_PLATFORM_ASSERT(x)                                                          \
	panic("lwip: assertion \"%s\" failed at %s:%d", x, __FILE__, __LINE__)

uint32_t lwip_rand32(void);
#define LWIP_RAND() lwip_rand32()

void *lwip_kmalloc(size_t size);
void lwip_kfree(void *p);
void *lwip_kcalloc(size_t n, size_t size);
