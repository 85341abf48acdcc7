/* SPDX-License-Identifier: MIT */
/* epoll sets (kernel/fs/epoll.c), for the system calls (kernel/syscall/
 * sys_epoll.c) and the unit tests: nothing here touches user memory or
 * sleeps. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <kern/file.h>
#include <uapi/epoll.h>

/* A new, empty epoll file (O_RDWR); ERR_PTR(-ENOMEM). */
struct file *epoll_create_file(void);
bool file_is_epoll(const struct file *f);
/* epoll_ctl once both descriptors were found: op is EPOLL_CTL_*, fd and tf
 * the target (ev unused for EPOLL_CTL_DEL).  0 or -EPERM (tf cannot be
 * polled), -EINVAL, -ELOOP, -EEXIST, -ENOENT, -ENOMEM, in Linux's order. */
int epoll_ctl_file(struct file *epf, int op, int fd, struct file *tf,
		   const struct linux_epoll_event *ev);

/* Where epoll_harvest puts event number i: 0, or -EFAULT to stop (that
 * event stays ready for the next call). */
struct epoll_sink {
	int (*emit)(struct epoll_sink *s, int i, const struct linux_epoll_event *ev);
};
/* Takes up to max (> 0) ready events of epf in Linux's order, without
 * sleeping: the count, 0 when none, or the sink's error if the first event
 * could not be stored. */
long epoll_harvest(struct file *epf, int max, struct epoll_sink *sink);
