/* SPDX-License-Identifier: MIT */
/* Intrusive doubly linked lists, Linux style. */
#pragma once
#include <stdbool.h>
#include <kern/compiler.h>

struct list_head {
	struct list_head *next, *prev;
};

#define LIST_HEAD_INIT(name)                                                             \
	{                                                                                \
		&(name), &(name)                                                         \
	}
#define LIST_HEAD(name) struct list_head name = LIST_HEAD_INIT(name)

static inline void list_init(struct list_head *h)
{
	h->next = h->prev = h;
}
static inline bool list_empty(const struct list_head *h)
{
	return h->next == h;
}
static inline void __list_add(struct list_head *n, struct list_head *p,
			      struct list_head *nx)
{
	nx->prev = n;
	n->next = nx;
	n->prev = p;
	p->next = n;
}
static inline void list_add(struct list_head *n, struct list_head *h)
{
	__list_add(n, h, h->next);
}
static inline void list_add_tail(struct list_head *n, struct list_head *h)
{
	__list_add(n, h->prev, h);
}
static inline void list_del(struct list_head *e)
{
	e->next->prev = e->prev;
	e->prev->next = e->next;
	e->next = e->prev = e;
}
#define list_entry(ptr, type, member)	  container_of(ptr, type, member)
#define list_first_entry(h, type, member) list_entry((h)->next, type, member)
#define list_for_each_entry(pos, head, member)                                           \
	for (pos = list_entry((head)->next, __typeof__(*pos), member);                   \
	     &pos->member != (head);                                                     \
	     pos = list_entry(pos->member.next, __typeof__(*pos), member))
#define list_for_each_entry_safe(pos, n, head, member)                                   \
	for (pos = list_entry((head)->next, __typeof__(*pos), member),                   \
	    n = list_entry(pos->member.next, __typeof__(*pos), member);                  \
	     &pos->member != (head);                                                     \
	     pos = n, n = list_entry(n->member.next, __typeof__(*n), member))
