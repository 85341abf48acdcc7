/* SPDX-License-Identifier: MIT */
/* Shared by the files of the socket layer (socket.c, sys_socket.c,
 * sockopt.c); families use kernel/net/socket.h only. */
#pragma once
#include "net/socket.h"

/* Sets up it over a user iovec array already copied to iov: -EINVAL for a
 * negative length, -EFAULT for a segment outside user space; the total is
 * capped at MAX_RW_COUNT as Linux does. */
int sock_iter_init_user(struct sock_iter *it, struct linux_iovec *iov, int cnt);
/* Every control message of a send has a sane length (Linux's CMSG_OK): 0 or -EINVAL. */
int sock_cmsg_check(const struct sock_msg *m);
/* The family's sendmsg/recvmsg with O_NONBLOCK as MSG_DONTWAIT, holding the
 * file while it may sleep; sendmsg raises SIGPIPE on -EPIPE. */
long sock_do_sendmsg(struct socket *s, struct sock_msg *m, int flags);
long sock_do_recvmsg(struct socket *s, struct sock_msg *m, int flags);
