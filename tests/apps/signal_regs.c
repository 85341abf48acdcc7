// SPDX-License-Identifier: MIT
/*
 * A signal that interrupts user code must give every register back when its
 * handler returns.  rcx and r11 are the ones a SYSRET-based return would lose
 * (regression: bash crashed under SIGCHLD).  A loop holds known values in all
 * general registers while a 1 ms interval timer interrupts it with a handler.
 */
#define _GNU_SOURCE
#include "apptest.h"
#include <signal.h>
#include <sys/time.h>

static volatile sig_atomic_t ticks;

static void on_alarm(int sig)
{
	ticks++;
}

/* Spins with rcx, r11, r8-r10 and rdx fixed; returns the number of times any
 * of them was found changed. */
static long spin_checking(long rounds)
{
	long bad;
	__asm__ volatile("xor %%eax, %%eax\n"
			 "mov $0x1111111111111111, %%rcx\n"
			 "mov $0x2222222222222222, %%r11\n"
			 "mov $0x3333333333333333, %%r10\n"
			 "mov $0x4444444444444444, %%r9\n"
			 "mov $0x5555555555555555, %%r8\n"
			 "mov $0x6666666666666666, %%rdx\n"
			 "1:\n"
			 "mov $0x1111111111111111, %%rsi\n cmp %%rsi, %%rcx\n jne 2f\n"
			 "mov $0x2222222222222222, %%rsi\n cmp %%rsi, %%r11\n jne 2f\n"
			 "mov $0x3333333333333333, %%rsi\n cmp %%rsi, %%r10\n jne 2f\n"
			 "mov $0x4444444444444444, %%rsi\n cmp %%rsi, %%r9\n jne 2f\n"
			 "mov $0x5555555555555555, %%rsi\n cmp %%rsi, %%r8\n jne 2f\n"
			 "mov $0x6666666666666666, %%rsi\n cmp %%rsi, %%rdx\n jne 2f\n"
			 "jmp 3f\n"
			 "2: inc %%rax\n"
			 "mov $0x1111111111111111, %%rcx\n"
			 "mov $0x2222222222222222, %%r11\n"
			 "mov $0x3333333333333333, %%r10\n"
			 "mov $0x4444444444444444, %%r9\n"
			 "mov $0x5555555555555555, %%r8\n"
			 "mov $0x6666666666666666, %%rdx\n"
			 "3: dec %%rdi\n jnz 1b\n"
			 : "=a"(bad), "+D"(rounds)
			 :
			 : "rcx", "r11", "r10", "r9", "r8", "rdx", "rsi", "cc");
	return bad;
}

int main(void)
{
	struct sigaction sa = {0};
	sa.sa_handler = on_alarm;
	sa.sa_flags = SA_RESTART;
	CHECK_OK(sigaction(SIGALRM, &sa, NULL));
	struct itimerval it = {{0, 1000}, {0, 1000}};
	CHECK_OK(setitimer(ITIMER_REAL, &it, NULL));
	long bad = 0;
	while (ticks < 50)
		bad += spin_checking(1000000);
	struct itimerval off = {0};
	setitimer(ITIMER_REAL, &off, NULL);
	CHECK(bad == 0, "%ld register changes seen across %d signal deliveries", bad,
	      (int)ticks);
	OK("50 timer signals interrupted a loop; every register came back");
	return 0;
}
