// SPDX-License-Identifier: MIT
/* A tiny program the ELF parser's unit test builds several ways (static musl,
 * static glibc, static-PIE, dynamic PIE, non-PIE, executable stack); the
 * thread-locals give each build a PT_TLS with both .tdata and .tbss. */
#include <stdio.h>

_Thread_local int tls_data = 42;
_Thread_local int tls_bss;

int main(void)
{
	printf("hello %d %d\n", tls_data, tls_bss);
	return 0;
}
