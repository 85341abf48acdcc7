// SPDX-License-Identifier: MIT
/* The program the live-patch e2e patches (tests/e2e/livepatch/run.py).  Every
 * 100 ms it prints "tick N value V tiny T workers W" where V = compute(N) - N
 * (1 unpatched, 2 or 3 once patched) and W the total calls made by the worker
 * threads; it also calls puts through the PLT.  With an argument N > 0, N
 * worker threads call compute in a loop and abort when a result is neither the
 * old nor a patched one -- a torn redirection would show here. */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

long counter; /* a patch increments it: data symbols resolve */
static volatile long worker_calls;

__attribute__((noinline)) long compute(long x)
{
	volatile long acc = 0; /* a few real instructions: longer than a jump */
	for (int i = 0; i < 8; i++)
		acc += i;
	return x + 1 + (acc - 28);
}

__attribute__((noinline)) int tiny(void)
{
	return 0;
}

static void *worker(void *arg)
{
	long i = (long)arg;
	for (;;) {
		long d = compute(i) - i;
		if (d < 1 || d > 3) {
			printf("BAD result %ld\n", d);
			fflush(stdout);
			abort();
		}
		worker_calls++;
		/* work outside compute, so most of the time no thread is inside it */
		volatile long spin = 0;
		for (int k = 0; k < 2000; k++)
			spin += k;
		/* a busy thread still yields now and then, so that the kernel's
		 * control thread gets the CPU to read the request */
		if ((++i & 63) == 0)
			sched_yield();
	}
	return NULL;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 0;
	for (long t = 0; t < n; t++) {
		pthread_t th;
		if (pthread_create(&th, NULL, worker, (void *)(t * 1000000)))
			return 2;
	}
	for (long tick = 0;; tick++) {
		printf("tick %ld value %ld tiny %d workers %ld counter %ld\n", tick,
		       compute(tick) - tick, tiny(), worker_calls, counter);
		puts("puts-line");
		fflush(stdout);
		usleep(100000);
	}
}
