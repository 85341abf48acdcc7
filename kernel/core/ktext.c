// SPDX-License-Identifier: MIT
/* The growing text buffer of kern/ktext.h. */
#include <stdarg.h>
#include <kern/compiler.h>
#include <kern/heap.h>
#include <kern/ktext.h>
#include <kern/printk.h>

void ktext_put(struct ktext *t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (t->oom || n < 0)
		return;
	if (t->len + (size_t)n + 1 > t->cap) {
		size_t cap = MAX(t->cap * 2, t->len + (size_t)n + 256);
		char *b = krealloc(t->buf, cap);
		if (!b) {
			t->oom = true;
			return;
		}
		t->buf = b;
		t->cap = cap;
	}
	va_start(ap, fmt);
	vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
	va_end(ap);
	t->len += (size_t)n;
}
