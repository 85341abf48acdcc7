// SPDX-License-Identifier: MIT
/*
 * Thread-local storage of the main thread, as the loader sets it up from PT_TLS:
 * initialised .tdata values, zeroed .tbss, a 64-byte aligned TLS variable, errno
 * (itself thread-local) and the %fs base agreeing with arch_prctl(ARCH_GET_FS).
 */
#define _GNU_SOURCE
#include "apptest.h"

#include <stdint.h>
#include <sys/syscall.h>

#define ARCH_GET_FS 0x1003

static __thread int tdata_int = 12345;
static __thread char tdata_str[16] = "thread-local";
static __thread long tbss_arr[64];
static __thread _Alignas(64) unsigned char aligned64[64] = {1, 2, 3};

int main(void)
{
	uintptr_t fs = 0, self;

	CHECK(tdata_int == 12345 && !strcmp(tdata_str, "thread-local"),
	      "initialised TLS (.tdata) has wrong values");
	for (int i = 0; i < 64; i++)
		CHECK(tbss_arr[i] == 0, "zero-initialised TLS (.tbss) is not zero");
	CHECK(((uintptr_t)aligned64 & 63) == 0,
	      "64-byte aligned TLS variable misaligned");
	CHECK(aligned64[0] == 1 && aligned64[2] == 3 && aligned64[3] == 0,
	      "aligned TLS initial values");
	OK(".tdata initialised, .tbss zero, 64-byte alignment kept");

	tdata_int++;
	tbss_arr[63] = -1;
	CHECK(tdata_int == 12346 && tbss_arr[63] == -1, "TLS writes");
	errno = 0;
	CHECK(close(-1) == -1 && errno == EBADF, "errno (thread-local) after close(-1)");
	OK("TLS writes stick; errno works");

	CHECK_OK(syscall(SYS_arch_prctl, ARCH_GET_FS, &fs));
	__asm__ volatile("mov %%fs:0, %0" : "=r"(self));
	CHECK(fs != 0 && self == fs, "%%fs:0 does not point at the %%fs base");
	CHECK((uintptr_t)&tdata_int < fs && fs - (uintptr_t)&tdata_int < (1 << 20),
	      "TLS block is not just below the thread pointer (variant II)");
	OK("arch_prctl(ARCH_GET_FS) is the thread pointer, TLS below it");
	return 0;
}
