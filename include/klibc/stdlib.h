/* SPDX-License-Identifier: MIT */
/* The tiny part of <stdlib.h> portable code may use in the kernel. */
#pragma once
#include <stddef.h>
unsigned long strtoul(const char *s, char **end, int base);
int atoi(const char *s);
