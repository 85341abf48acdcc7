/* SPDX-License-Identifier: MIT */
/* A growing text buffer for the kernel's generated files (/proc/<pid>/ files,
 * /proc/net files): append with ktext_put, then hand buf and len on, or kfree(buf)
 * when oom is set (an allocation failed; later puts do nothing). */
#pragma once
#include <stdbool.h>
#include <stddef.h>

struct ktext {
	char *buf;
	size_t len, cap;
	bool oom;
};

void ktext_put(struct ktext *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
