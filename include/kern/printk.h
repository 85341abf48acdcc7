/* SPDX-License-Identifier: MIT */
/* Kernel log.  Messages go to the console's log channel and are shown by the host
 * tool only with --verbose.  panic() prints one line and stops the VM with exit
 * status 125. */
#pragma once
#include <stdarg.h>
#include <stddef.h>
#include <kern/compiler.h>

int printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
__noreturn void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define BUG_ON(c)                                                                        \
	do {                                                                             \
		if (unlikely(c))                                                         \
			panic("BUG at %s:%d: %s", __FILE__, __LINE__, #c);               \
	} while (0)
