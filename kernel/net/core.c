// SPDX-License-Identifier: MIT
/* The network core: starts lwIP, runs its timers and the drivers' receive
 * paths in the "net" kernel thread, and supplies lwIP's few platform hooks
 * (sys_now, memory, random).  See net.h for the concurrency rule. */
#include <string.h>
#include <kern/clock.h>
#include <kern/heap.h>
#include <kern/printk.h>
#include <kern/random.h>
#include <kern/wait.h>
#include <lwip/init.h>
#include <lwip/netif.h>
#include <lwip/timeouts.h>
#include "arch/x86_64/cpu.h"
#include "live/live.h"
#include "net/net.h"
#include "proc/internal.h"

static bool started;
static uint64_t sleep_deadline; /* the net thread sleeps until then (0: none) */
static bool sleeping;
static volatile bool kicked;
static struct waitq net_wq = WAITQ_INIT(net_wq);
static struct {
	void (*fn)(void *arg);
	void *arg;
} pollers[NET_MAX_POLLERS];
static int npollers;

/* ---- lwIP's platform hooks */

u32_t sys_now(void)
{
	return (u32_t)(clock_monotonic_ns() / 1000000);
}

uint32_t lwip_rand32(void)
{
	return (uint32_t)random_u64();
}

void *lwip_kmalloc(size_t size)
{
	return kmalloc(size);
}

void lwip_kfree(void *p)
{
	kfree(p);
}

void *lwip_kcalloc(size_t n, size_t size)
{
	if (size && n > (size_t)-1 / size)
		return NULL;
	return kzalloc(n * size);
}

/* ---- the net thread */

void net_kick(void)
{
	kicked = true;
	waitq_wake_all(&net_wq);
}

void net_timers_armed(void)
{
	if (!sleeping || kicked)
		return;
	u32_t ms = sys_timeouts_sleeptime();
	if (ms == SYS_TIMEOUTS_SLEEPTIME_INFINITE)
		return;
	uint64_t due = clock_monotonic_ns() + (uint64_t)ms * 1000000;
	if (!sleep_deadline || due < sleep_deadline)
		net_kick();
}

int net_register_poller(void (*fn)(void *arg), void *arg)
{
	if (npollers == NET_MAX_POLLERS)
		return -1;
	pollers[npollers].fn = fn;
	pollers[npollers].arg = arg;
	npollers++;
	return 0;
}

static void net_main(void *unused)
{
	for (;;) {
		kicked = false;
		for (int i = 0; i < npollers; i++)
			pollers[i].fn(pollers[i].arg);
		netif_poll_all(); /* loopback deliveries */
		sys_check_timeouts();
		/* interrupts off from the test to the sleep: a kick from an
		 * interrupt handler in between would find no sleeper and be lost
		 * until the next lwIP timer */
		uint64_t f = irq_save();
		if (kicked) {
			irq_restore(f);
			continue;
		}
		u32_t ms = sys_timeouts_sleeptime();
		uint64_t deadline =
		    ms == SYS_TIMEOUTS_SLEEPTIME_INFINITE
			? 0
			: clock_monotonic_ns() + (uint64_t)ms * 1000000 + 1;
		sleep_deadline = deadline;
		sleeping = true;
		waitq_sleep(&net_wq, deadline);
		sleeping = false;
		irq_restore(f);
	}
}

bool net_started(void)
{
	return started;
}

void net_start(void)
{
	if (started)
		return;
	started = true;
	lwip_init();
	struct thread *t = kthread_create(kernel_proc_create(), net_main, NULL);
	if (!t)
		panic("cannot start the net thread");
	sched_make_runnable(t);
	printk("net: lwIP %s up (loopback)", LWIP_VERSION_STRING);
}
