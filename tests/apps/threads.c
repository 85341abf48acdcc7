// SPDX-License-Identifier: MIT
/*
 * Threads: 16 threads hammering one mutex, a condition variable queue, a
 * barrier, thread-local storage, detached threads, join values, a raw futex
 * hammered by 16 threads, and a spinning thread that must not starve others.
 */
#define _GNU_SOURCE
#include "apptest.h"
#ifndef FUTEX_WAIT_PRIVATE
#define FUTEX_WAIT_PRIVATE 128
#define FUTEX_WAKE_PRIVATE 129
#endif
#include <pthread.h>
#include <stdatomic.h>
#include <sys/syscall.h>

#define N 16

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static long counter;
static __thread long tls = 7;

static void *hammer(void *arg)
{
	tls = (long)arg;
	for (int i = 0; i < 20000; i++) {
		pthread_mutex_lock(&mu);
		counter++;
		pthread_mutex_unlock(&mu);
	}
	return (void *)(tls * 2);
}

static int queue[64], qhead, qtail, done;

static void *consumer(void *arg)
{
	long sum = 0;
	for (;;) {
		pthread_mutex_lock(&mu);
		while (qhead == qtail && !done)
			pthread_cond_wait(&cv, &mu);
		if (qhead == qtail && done) {
			pthread_mutex_unlock(&mu);
			break;
		}
		sum += queue[qhead++ % 64];
		pthread_cond_broadcast(&cv);
		pthread_mutex_unlock(&mu);
	}
	return (void *)sum;
}

static pthread_barrier_t bar;
static atomic_int arrived;

static void *barrier_worker(void *arg)
{
	atomic_fetch_add(&arrived, 1);
	pthread_barrier_wait(&bar);
	return (void *)(long)(atomic_load(&arrived) == N);
}

static atomic_int fword, fsum;

static void *futex_worker(void *arg)
{
	for (int i = 0; i < 2000; i++) {
		int expected = 0;
		while (!atomic_compare_exchange_strong(&fword, &expected, 1)) {
			syscall(SYS_futex, &fword, FUTEX_WAIT_PRIVATE, 1, NULL, NULL, 0);
			expected = 0;
		}
		atomic_fetch_add(&fsum, 1);
		atomic_store(&fword, 0);
		syscall(SYS_futex, &fword, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
	}
	return NULL;
}

static atomic_int stop_spin, detached_ran;

static void *spinner(void *arg)
{
	while (!atomic_load(&stop_spin))
		;
	return NULL;
}

static void *detached(void *arg)
{
	atomic_fetch_add(&detached_ran, 1);
	return NULL;
}

int main(void)
{
	pthread_t t[N];
	for (long i = 0; i < N; i++)
		CHECK(pthread_create(&t[i], NULL, hammer, (void *)(i + 1)) == 0,
		      "create");
	long sum = 0;
	for (int i = 0; i < N; i++) {
		void *r;
		pthread_join(t[i], &r);
		sum += (long)r;
	}
	CHECK(counter == N * 20000 && sum == N * (N + 1) && tls == 7, "mutex/TLS");
	OK("16 threads x 20000 mutex increments, join values, thread-local storage");

	pthread_t c[4];
	for (int i = 0; i < 4; i++)
		pthread_create(&c[i], NULL, consumer, NULL);
	long expect = 0;
	for (int i = 1; i <= 5000; i++) {
		pthread_mutex_lock(&mu);
		while (qtail - qhead == 64)
			pthread_cond_wait(&cv, &mu);
		queue[qtail++ % 64] = i;
		expect += i;
		pthread_cond_broadcast(&cv);
		pthread_mutex_unlock(&mu);
	}
	pthread_mutex_lock(&mu);
	done = 1;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
	long got = 0;
	for (int i = 0; i < 4; i++) {
		void *r;
		pthread_join(c[i], &r);
		got += (long)r;
	}
	CHECK(got == expect, "condvar queue sum %ld vs %ld", got, expect);
	OK("condition variable queue: 5000 items through 4 consumers");

	pthread_barrier_init(&bar, NULL, N);
	for (int i = 0; i < N; i++)
		pthread_create(&t[i], NULL, barrier_worker, NULL);
	for (int i = 0; i < N; i++) {
		void *r;
		pthread_join(t[i], &r);
		CHECK(r == (void *)1, "barrier released before everyone arrived");
	}
	OK("barrier of 16");

	for (int i = 0; i < N; i++)
		pthread_create(&t[i], NULL, futex_worker, NULL);
	for (int i = 0; i < N; i++)
		pthread_join(t[i], NULL);
	CHECK(atomic_load(&fsum) == N * 2000, "futex lock");
	OK("16 threads x 2000 acquisitions of a raw futex lock");

	pthread_t s;
	pthread_create(&s, NULL, spinner, NULL);
	for (int i = 0; i < 4; i++) {
		pthread_t d;
		pthread_attr_t a;
		pthread_attr_init(&a);
		pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
		pthread_create(&d, &a, detached, NULL);
	}
	while (atomic_load(&detached_ran) < 4)
		usleep(1000);
	atomic_store(&stop_spin, 1);
	pthread_join(s, NULL);
	OK("a spinning thread does not starve the others; detached threads run");
	return 0;
}
