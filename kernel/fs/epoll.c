// SPDX-License-Identifier: MIT
/* epoll sets: the interest list, keyed by (fd, file) as on Linux, over any
 * file with a poll op (pipes, sockets, the console, eventfd, timerfd, other
 * epoll sets); level-triggered, EPOLLET, EPOLLONESHOT; the ready list in
 * Linux's order; loop and depth checks for nested sets.  The system calls,
 * user memory and sleeping are kernel/syscall/sys_epoll.c.
 *
 * Nothing calls back into a set when a file becomes ready (wait queues wake
 * sleepers, not sets), so each look at a set first "collects": it asks every
 * armed item not on the ready list whether an event happened since its last
 * look (the file's poll sequence moved, or a bit became ready that was not,
 * kern/poll.h), and queues the ones that happened and are ready, in the order
 * of their event stamps.  From there the ready list behaves as Linux's:
 * reported level-triggered items go back to its tail, edge-triggered ones
 * leave it, one-shot ones are disarmed until EPOLL_CTL_MOD.
 *
 * Items hold no reference on their file: file_put calls epoll_file_gone
 * before a file is freed, which removes it from every set (Linux semantics:
 * closing the last descriptor of a file takes it out of all sets). */
#include <string.h>
#include <kern/err.h>
#include <kern/heap.h>
#include <kern/list.h>
#include <kern/poll.h>
#include <kern/wait.h>
#include <uapi/errno.h>
#include "fs/epoll.h"
#include "fs/internal.h"

#define EP_MAX_NESTS	4
#define EP_PRIVATE_BITS (EPOLLWAKEUP | EPOLLONESHOT | EPOLLET | EPOLLEXCLUSIVE)
#define EPOLLEXCLUSIVE_OK_BITS                                                           \
	(EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP | EPOLLWAKEUP | EPOLLET |              \
	 EPOLLEXCLUSIVE)
#define DEPTH_LOOP 1000 /* "a loop", above any real depth */

struct eventpoll {
	struct list_head items; /* every epitem, in the order added */
	struct list_head ready; /* items with an event to report */
	struct file *file;	/* the set's own file (which owns us) */
	uint64_t gone_seq;	/* latest sequence of a removed item */
};

struct epitem {
	struct eventpoll *ep;
	struct file *file; /* not referenced: see the file comment */
	int fd;
	uint32_t events; /* asked for, + EPOLLERR|EPOLLHUP and the flags */
	uint64_t data;
	uint64_t seen_seq;	   /* the file's poll sequence at our last look */
	unsigned int seen_mask;	   /* the ready bits we asked for, at our last look */
	uint64_t stamp;		   /* when its event happened, to order the ready list */
	bool queued;		   /* on ep->ready */
	struct list_head link;	   /* ep->items */
	struct list_head rdlink;   /* ep->ready */
	struct epitem *next_watch; /* file->epoll_watch chain */
};

static const struct file_ops epoll_ops;

bool file_is_epoll(const struct file *f)
{
	return f && f->ops == &epoll_ops;
}

static struct eventpoll *ep_of(struct file *f)
{
	return f->priv;
}

/* Armed: anything but a one-shot item that already reported. */
static bool armed(const struct epitem *it)
{
	return it->events & ~EP_PRIVATE_BITS;
}

/* Moves every entry of from to the tail of to. */
static void splice_tail(struct list_head *from, struct list_head *to)
{
	while (!list_empty(from)) {
		struct list_head *e = from->next;
		list_del(e);
		list_add_tail(e, to);
	}
}

static uint64_t item_seq(struct epitem *it)
{
	struct file *f = it->file;
	if (f->ops && f->ops->poll_seq)
		return f->ops->poll_seq(f, it->events);
	return poll_clock(); /* no sequence: an event may be any wake-up */
}

/* Reads the sequence, then the mask (an event in between shows in the
 * mask now and as a moved sequence next time: reported twice, never lost),
 * and remembers both.  Returns the ready bits the item asked for. */
static unsigned int look(struct epitem *it, bool *event)
{
	uint64_t s = item_seq(it);
	unsigned int m = vfs_poll(it->file) & it->events;
	if (event)
		*event = s != it->seen_seq || (m & ~it->seen_mask);
	if (s != it->seen_seq)
		it->stamp = s;
	else if (m & ~it->seen_mask)
		it->stamp = poll_clock();
	it->seen_seq = s;
	it->seen_mask = m;
	return m;
}

/* Queues the armed items that had an event since their last look and are
 * ready, after those already queued, in the order their events happened
 * (insertion order for equal stamps). */
static void collect(struct eventpoll *ep)
{
	LIST_HEAD(fresh);
	struct epitem *it;
	list_for_each_entry(it, &ep->items, link)
	{
		if (it->queued || !armed(it))
			continue;
		bool event;
		if (!look(it, &event) || !event)
			continue;
		struct list_head *pos = &fresh;
		while (pos->prev != &fresh &&
		       list_entry(pos->prev, struct epitem, rdlink)->stamp > it->stamp)
			pos = pos->prev;
		__list_add(&it->rdlink, pos->prev, pos);
		it->queued = true;
	}
	splice_tail(&fresh, &ep->ready);
}

static void dequeue(struct epitem *it)
{
	if (it->queued) {
		list_del(&it->rdlink);
		it->queued = false;
	}
}

long epoll_harvest(struct file *epf, int max, struct epoll_sink *sink)
{
	struct eventpoll *ep = ep_of(epf);
	collect(ep);
	LIST_HEAD(again); /* reported level-triggered items */
	long n = 0;
	while (n < max && !list_empty(&ep->ready)) {
		struct epitem *it = list_first_entry(&ep->ready, struct epitem, rdlink);
		dequeue(it);
		unsigned int m = look(it, NULL);
		if (!m)
			continue; /* not ready after all: dropped until its next event */
		struct linux_epoll_event ev = {.events = m, .data = it->data};
		int r = sink->emit(sink, (int)n, &ev);
		if (r) {
			list_add(&it->rdlink, &ep->ready);
			it->queued = true;
			if (!n)
				n = r;
			break;
		}
		n++;
		if (it->events & EPOLLONESHOT) {
			it->events &= EP_PRIVATE_BITS;
		} else if (!(it->events & EPOLLET)) {
			list_add_tail(&it->rdlink, &again);
			it->queued = true;
		}
	}
	/* what was not reported stays first, then the level-triggered ones */
	splice_tail(&again, &ep->ready);
	return n;
}

/* The set's own poll: POLLIN when an event is waiting to be reported.  It
 * drops queued items that are no longer ready, as Linux does. */
static unsigned int epoll_poll(struct file *f)
{
	struct eventpoll *ep = ep_of(f);
	collect(ep);
	struct epitem *it, *n;
	list_for_each_entry_safe(it, n, &ep->ready, rdlink)
	{
		if (look(it, NULL))
			return POLLIN | POLLRDNORM;
		dequeue(it);
	}
	return 0;
}

/* An event of any watched file is an event of the set. */
static uint64_t epoll_poll_seq(struct file *f, unsigned int events)
{
	struct eventpoll *ep = ep_of(f);
	uint64_t s = ep->gone_seq;
	struct epitem *it;
	list_for_each_entry(it, &ep->items, link)
	{
		if (!armed(it))
			continue;
		uint64_t t = item_seq(it);
		if (t > s)
			s = t;
	}
	return s;
}

static void item_free(struct epitem *it)
{
	struct eventpoll *ep = it->ep;
	for (struct epitem **pp = &it->file->epoll_watch; *pp; pp = &(*pp)->next_watch) {
		if (*pp == it) {
			*pp = it->next_watch;
			break;
		}
	}
	if (it->seen_seq > ep->gone_seq)
		ep->gone_seq = it->seen_seq;
	dequeue(it);
	list_del(&it->link);
	kfree(it);
}

void epoll_file_gone(struct file *f)
{
	while (f->epoll_watch)
		item_free(f->epoll_watch);
}

static void epoll_release(struct file *f)
{
	struct eventpoll *ep = ep_of(f);
	while (!list_empty(&ep->items))
		item_free(list_first_entry(&ep->items, struct epitem, link));
	kfree(ep);
}

static const struct file_ops epoll_ops = {
    .poll = epoll_poll,
    .poll_seq = epoll_poll_seq,
    .release = epoll_release,
};

struct file *epoll_create_file(void)
{
	struct eventpoll *ep = kzalloc(sizeof(*ep));
	if (!ep)
		return ERR_PTR(-ENOMEM);
	list_init(&ep->items);
	list_init(&ep->ready);
	struct file *f = anon_file_open("[eventpoll]", &epoll_ops, ep, O_RDWR);
	if (IS_ERR(f)) {
		kfree(ep);
		return f;
	}
	ep->file = f;
	return f;
}

static struct epitem *find(struct eventpoll *ep, struct file *tf, int fd)
{
	struct epitem *it;
	list_for_each_entry(it, &ep->items,
			    link) if (it->file == tf && it->fd == fd) return it;
	return NULL;
}

/* How deep the sets under ep go (0: no set inside), or DEPTH_LOOP when one
 * of them is `into` or they go too deep (ep_loop_check_proc). */
static int depth_down(struct eventpoll *ep, struct eventpoll *into, int depth)
{
	int result = 0;
	struct epitem *it;
	list_for_each_entry(it, &ep->items, link)
	{
		if (!file_is_epoll(it->file))
			continue;
		struct eventpoll *sub = ep_of(it->file);
		int d = sub == into || depth > EP_MAX_NESTS
			    ? DEPTH_LOOP
			    : depth_down(sub, into, depth + 1) + 1;
		if (d > result)
			result = d;
		if (result > EP_MAX_NESTS)
			break;
	}
	return result;
}

/* How many sets up the longest chain of sets containing ep goes. */
static int depth_up(struct eventpoll *ep)
{
	int result = 0;
	for (struct epitem *it = ep->file->epoll_watch; it; it = it->next_watch) {
		int d = depth_up(it->ep) + 1;
		if (d > result)
			result = d;
	}
	return result;
}

static int insert(struct eventpoll *ep, struct file *tf, int fd,
		  const struct linux_epoll_event *ev)
{
	struct epitem *it = kzalloc(sizeof(*it));
	if (!it)
		return -ENOMEM;
	it->ep = ep;
	it->file = tf;
	it->fd = fd;
	it->events = ev->events | EPOLLERR | EPOLLHUP;
	it->data = ev->data;
	list_add_tail(&it->link, &ep->items);
	it->next_watch = tf->epoll_watch;
	tf->epoll_watch = it;
	/* ready now: reported by the next wait, edge-triggered or not */
	it->seen_seq = item_seq(it);
	if (look(it, NULL)) {
		list_add_tail(&it->rdlink, &ep->ready);
		it->queued = true;
	}
	return 0;
}

static void modify(struct epitem *it, const struct linux_epoll_event *ev)
{
	it->events = ev->events | EPOLLERR | EPOLLHUP;
	it->data = ev->data;
	it->seen_seq = item_seq(it);
	if (look(it, NULL) && !it->queued) {
		list_add_tail(&it->rdlink, &it->ep->ready);
		it->queued = true;
	}
}

int epoll_ctl_file(struct file *epf, int op, int fd, struct file *tf,
		   const struct linux_epoll_event *ev)
{
	if (!tf->ops || !tf->ops->poll)
		return -EPERM; /* regular files, directories, /dev/null: as Linux */
	if (epf == tf || !file_is_epoll(epf))
		return -EINVAL;
	bool has_event = op != EPOLL_CTL_DEL;
	if (has_event && (ev->events & EPOLLEXCLUSIVE)) {
		if (op == EPOLL_CTL_MOD)
			return -EINVAL;
		if (op == EPOLL_CTL_ADD &&
		    (file_is_epoll(tf) || (ev->events & ~EPOLLEXCLUSIVE_OK_BITS)))
			return -EINVAL;
	}
	struct eventpoll *ep = ep_of(epf);
	if (op == EPOLL_CTL_ADD && file_is_epoll(tf)) {
		int down = depth_down(ep_of(tf), ep, 0);
		if (down > EP_MAX_NESTS || down + 1 + depth_up(ep) > EP_MAX_NESTS)
			return -ELOOP;
	}
	struct epitem *it = find(ep, tf, fd);
	switch (op) {
	case EPOLL_CTL_ADD:
		return it ? -EEXIST : insert(ep, tf, fd, ev);
	case EPOLL_CTL_DEL:
		if (!it)
			return -ENOENT;
		item_free(it);
		return 0;
	case EPOLL_CTL_MOD:
		if (!it)
			return -ENOENT;
		if (it->events & EPOLLEXCLUSIVE)
			return -EINVAL;
		modify(it, ev);
		return 0;
	default:
		return -EINVAL;
	}
}
