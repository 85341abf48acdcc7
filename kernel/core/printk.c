// SPDX-License-Identifier: MIT
/* Formatted output for the kernel: vsnprintf (the subset of printf the kernel
 * uses), printk to the console's log channel, and panic.  The console driver
 * (kernel/drivers/console.c) owns the framing. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <kern/printk.h>
#include "arch/x86_64/arch.h"
#include "arch/x86_64/cpu.h"
#include "drivers/console_internal.h"

struct outbuf {
	char *buf;
	size_t size, len;
};

static void out_char(struct outbuf *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void out_num(struct outbuf *o, uint64_t v, int base, bool neg, int width, char pad,
		    bool left, bool upper)
{
	char tmp[24];
	int n = 0;
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	int total = n + (neg ? 1 : 0);
	if (neg && pad == '0')
		out_char(o, '-');
	if (!left)
		for (; total < width; total++)
			out_char(o, pad);
	if (neg && pad != '0')
		out_char(o, '-');
	while (n)
		out_char(o, tmp[--n]);
	if (left)
		for (; total < width; total++)
			out_char(o, ' ');
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct outbuf o = {buf, size, 0};
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			out_char(&o, *fmt);
			continue;
		}
		fmt++;
		bool left = false;
		char pad = ' ';
		int width = 0, lng = 0, prec = -1;
		for (;; fmt++) {
			if (*fmt == '-')
				left = true;
			else if (*fmt == '0')
				pad = '0';
			else
				break;
		}
		if (*fmt == '*') {
			width = va_arg(ap, int);
			fmt++;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		if (*fmt == '.') {
			fmt++;
			prec = 0;
			if (*fmt == '*') {
				prec = va_arg(ap, int);
				fmt++;
			}
			while (*fmt >= '0' && *fmt <= '9')
				prec = prec * 10 + (*fmt++ - '0');
		}
		while (*fmt == 'l' || *fmt == 'z' || *fmt == 'j' || *fmt == 't') {
			lng++;
			fmt++;
		}
		switch (*fmt) {
		case 'd':
		case 'i': {
			int64_t v = lng ? va_arg(ap, int64_t) : va_arg(ap, int);
			out_num(&o, v < 0 ? -(uint64_t)v : (uint64_t)v, 10, v < 0, width,
				pad, left, false);
			break;
		}
		case 'u':
			out_num(&o, lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 10,
				false, width, pad, left, false);
			break;
		case 'x':
		case 'X':
			out_num(&o, lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 16,
				false, width, pad, left, *fmt == 'X');
			break;
		case 'o':
			out_num(&o, lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 8,
				false, width, pad, left, false);
			break;
		case 'p':
			out_char(&o, '0');
			out_char(&o, 'x');
			out_num(&o, (uintptr_t)va_arg(ap, void *), 16, false, 16, '0',
				false, false);
			break;
		case 'c':
			out_char(&o, (char)va_arg(ap, int));
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);
			if (!s)
				s = "(null)";
			size_t n = prec >= 0 ? strnlen(s, prec) : strlen(s);
			if (!left)
				for (size_t i = n; (int)i < width; i++)
					out_char(&o, ' ');
			for (size_t i = 0; i < n; i++)
				out_char(&o, s[i]);
			if (left)
				for (size_t i = n; (int)i < width; i++)
					out_char(&o, ' ');
			break;
		}
		case '%':
			out_char(&o, '%');
			break;
		default:
			out_char(&o, '%');
			out_char(&o, *fmt);
			if (!*fmt)
				fmt--;
		}
	}
	if (size)
		buf[o.len < size ? o.len : size - 1] = 0;
	return (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

int printk(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	if (!console_verbose)
		return 0;
	int n = snprintf(
	    buf, sizeof(buf), "[%8lu] ",
	    (unsigned long)(tsc_khz ? tsc_to_ns(rdtsc() - tsc_at_entry) / 1000 : 0));
	va_start(ap, fmt);
	n += vsnprintf(buf + n, sizeof(buf) - n, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 1)
		n = sizeof(buf) - 1;
	console_log(buf, n);
	return n;
}

void panic(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	__asm__ volatile("cli");
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 1)
		n = sizeof(buf) - 1;
	console_log(buf, n);
	console_error("kernel panic: %s", buf);
	console_exit(125);
}
