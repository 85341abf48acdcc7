// SPDX-License-Identifier: MIT
/* Listening TCP sockets survive `unielf upgrade` (kernel/live/upgrade.c).
 *
 * When an upgrade starts, the upgraded process's listeners are marked as
 * inherited.  The new program is unmodified: it creates a socket and binds
 * the same address again.  That bind adopts the old listener (inet_adopt):
 * the new socket becomes a second owner of the same lwIP pcb and accept
 * queue, so connections queued before, during and after the switch are all
 * there, and no SYN ever meets a closed port.  The new image's copies of the
 * old descriptor are closed, so the listener's life is the new socket's.
 * A new program that knows about upgrades may instead use the inherited
 * descriptor itself (any socket call on it claims it).  When the upgrade ends
 * the marks go.  On rollback the old program's descriptor table, kept aside by
 * upgrade.c, gets its listeners back untouched.  On commit, a listener nobody
 * adopted or claimed is closed: its descriptors in the new image go, and the
 * old table, which upgrade.c closes next, held the last reference. */
#include <string.h>
#include <kern/clock.h>
#include <kern/file.h>
#include <kern/heap.h>
#include <kern/proc.h>
#include <kern/printk.h>
#include <uapi/poll.h>
#include "net/inet.h"
#include "net/net.h"

static struct file **inherited; /* referenced; the listeners' files */
static int ninherited;
static struct process *upgrading;

static struct inet_sock *listener_of(struct file *f)
{
	struct socket *s = sock_from_file(f);
	if (!s || (s->family != AF_INET && s->family != AF_INET6) ||
	    s->type != SOCK_STREAM)
		return NULL;
	struct inet_sock *ins = inet_sk(s);
	return ins && ins->state == INET_LISTEN && ins->pcb.tcp ? ins : NULL;
}

/* Connected (accepted or connecting) TCP sockets in p's descriptor table. */
static int open_connections(struct process *p)
{
	struct fdtable *t = p->fdt;
	int n = 0;
	for (int fd = 0; t && fd < t->nofile; fd++) {
		struct socket *s = t->fd[fd] ? sock_from_file(t->fd[fd]) : NULL;
		if (!s || (s->family != AF_INET && s->family != AF_INET6) ||
		    s->type != SOCK_STREAM)
			continue;
		struct inet_sock *ins = inet_sk(s);
		n += ins && ins->state != INET_LISTEN && ins->pcb.tcp;
	}
	return n;
}

static void set_draining(struct process *p, bool on)
{
	struct fdtable *t = p->fdt;
	for (int fd = 0; t && fd < t->nofile; fd++) {
		struct inet_sock *ins = t->fd[fd] ? listener_of(t->fd[fd]) : NULL;
		if (!ins || ins->draining == on)
			continue;
		ins->draining = on;
		if (!on && ins->nowners)
			sock_ready(ins->owners[0], POLLIN); /* what queued meanwhile */
	}
}

int inet_upgrade_drain(struct process *p, uint64_t deadline_ns)
{
	if (!net_started())
		return 0;
	set_draining(p, true);
	struct waitq wq = WAITQ_INIT(wq);
	int n;
	while ((n = open_connections(p)) && clock_monotonic_ns() < deadline_ns)
		waitq_sleep(&wq, clock_monotonic_ns() + 1000000);
	return n;
}

void inet_upgrade_undrain(struct process *p)
{
	if (net_started())
		set_draining(p, false);
}

void inet_upgrade_begin(struct process *p)
{
	struct fdtable *t = p->fdt;
	if (!t || !net_started())
		return;
	int n = 0;
	for (int fd = 0; fd < t->nofile; fd++)
		if (t->fd[fd] && listener_of(t->fd[fd]))
			n++;
	if (!n || !(inherited = kzalloc((size_t)n * sizeof(*inherited))))
		return;
	upgrading = p;
	for (int fd = 0; fd < t->nofile && ninherited < n; fd++) {
		struct file *f = t->fd[fd];
		struct inet_sock *ins = f ? listener_of(f) : NULL;
		if (!ins || ins->inherited)
			continue; /* a dup of one already marked */
		ins->inherited = p;
		inherited[ninherited++] = file_get(f);
	}
	printk("upgrade: %d listening socket(s) may be adopted", ninherited);
}

/* Closes p's descriptors of file f. */
static void close_all(struct process *p, struct file *f)
{
	struct fdtable *t = p->fdt;
	for (int fd = 0; t && fd < t->nofile; fd++)
		if (t->fd[fd] == f)
			fd_close(t, fd);
}

void inet_upgrade_end(struct process *p, bool commit)
{
	if (p != upgrading)
		return;
	for (int i = 0; i < ninherited; i++) {
		struct socket *s = sock_from_file(inherited[i]);
		struct inet_sock *ins = s ? inet_sk(s) : NULL;
		if (ins && ins->inherited == p && commit) {
			printk(
			    "upgrade: listening socket on port %u not taken over: closed",
			    ins->local_port);
			close_all(p, inherited[i]);
		}
		if (ins) {
			ins->inherited = NULL;
			if (ins->draining) {
				ins->draining = false;
				if (ins->nowners)
					sock_ready(ins->owners[0], POLLIN);
			}
		}
		file_put(inherited[i]);
	}
	kfree(inherited);
	inherited = NULL;
	ninherited = 0;
	upgrading = NULL;
}

void inet_claim(struct inet_sock *ins)
{
	if (ins->inherited && proc_current() == ins->inherited) {
		ins->inherited = NULL;
		ins->draining = false;
	}
}

struct inet_sock *inet_adoptable(const struct inet_sock *ins, const ip_addr_t *ip,
				 uint16_t port)
{
	if (!upgrading || proc_current() != upgrading)
		return NULL;
	for (int i = 0; i < ninherited; i++) {
		struct socket *s = sock_from_file(inherited[i]);
		struct inet_sock *l = s ? inet_sk(s) : NULL;
		if (!l || l->inherited != upgrading || l->family != ins->family ||
		    l->type != ins->type || l->state != INET_LISTEN || !l->pcb.tcp ||
		    l->local_port != port || !ip_addr_cmp(&l->local_ip, ip) ||
		    l->nowners >= INET_MAX_OWNERS)
			continue;
		return l;
	}
	return NULL;
}

void inet_adopt(struct socket *s, struct inet_sock *l)
{
	struct fdtable *t = proc_current()->fdt;
	/* the new image's descriptors of the old socket go: one owner each */
	for (int fd = 0; t && fd < t->nofile; fd++) {
		struct socket *o = sock_from_file(t->fd[fd]);
		if (o && o != s && o->priv == l)
			fd_close(t, fd);
	}
	inet_attach(l, s);
	l->inherited = NULL; /* adopted once */
	l->draining = false;
	s->listening = true;
	printk("upgrade: pid %d adopted its listening socket (port %u, %d queued)",
	       proc_current()->pid, l->local_port, l->nqueued);
}
