// SPDX-License-Identifier: MIT
/* setsockopt and getsockopt: the generic SOL_SOCKET options (kept in struct
 * socket, where families read them) and the hand-off of every level to the
 * family's sock_ops. */
#include <string.h>
#include <kern/clock.h>
#include <kern/err.h>
#include <kern/file.h>
#include <kern/heap.h>
#include <kern/printk.h>
#include <kern/poll.h>
#include <kern/proc.h>
#include <kern/syscall.h>
#include <kern/uaccess.h>
#include <uapi/errno.h>
#include <uapi/ioctl.h>
#include <uapi/poll.h>
#include <uapi/signal.h>
#include <uapi/time.h>
#include "fs/internal.h"
#include "fs/sysutil.h"
#include "net/socket.h"
#include "net/socket_internal.h"
#include "proc/internal.h"

/* ---- options ---- */

static int get_int(const void *val, unsigned int len, int *v)
{
	if (len < sizeof(int))
		return -EINVAL;
	memcpy(v, val, sizeof(int));
	return 0;
}

static int get_timeo(const void *val, unsigned int len, uint64_t *ns)
{
	struct linux_sock_timeval tv;
	if (len < sizeof(tv))
		return -EINVAL;
	memcpy(&tv, val, sizeof(tv));
	if (tv.tv_usec < 0 || tv.tv_usec >= 1000000)
		return -EDOM;
	if (tv.tv_sec < 0) {
		*ns = 0; /* Linux: a negative timeout means none... after a warning */
		return 0;
	}
	if (tv.tv_sec == 0 && tv.tv_usec == 0) {
		*ns = 0;
		return 0;
	}
	uint64_t cap = (uint64_t)1 << 62;
	*ns = (uint64_t)tv.tv_sec > cap / NSEC_PER_SEC
		  ? cap
		  : (uint64_t)tv.tv_sec * NSEC_PER_SEC + (uint64_t)tv.tv_usec * 1000;
	return 0;
}

#define BOOL_OPTS                                                                        \
	((1ULL << SO_DEBUG) | (1ULL << SO_REUSEADDR) | (1ULL << SO_DONTROUTE) |          \
	 (1ULL << SO_BROADCAST) | (1ULL << SO_KEEPALIVE) | (1ULL << SO_OOBINLINE) |      \
	 (1ULL << SO_NO_CHECK) | (1ULL << SO_REUSEPORT) | (1ULL << SO_PASSCRED) |        \
	 (1ULL << SO_TIMESTAMP_OLD) | (1ULL << SO_PASSSEC) |                             \
	 (1ULL << SO_TIMESTAMPNS_OLD) | (1ULL << SO_RXQ_OVFL) | (1ULL << SO_ZEROCOPY))

/* The generic SOL_SOCKET options: 0, -errno, or -ENOPROTOOPT when unknown. */
static int generic_setsockopt(struct socket *s, int name, const void *val,
			      unsigned int len)
{
	int v = 0;
	if (name >= 0 && name < 64 && (BOOL_OPTS >> name) & 1) {
		int r = get_int(val, len, &v);
		if (r)
			return r;
		if (v)
			s->bool_opts |= 1ULL << name;
		else
			s->bool_opts &= ~(1ULL << name);
		return 0;
	}
	switch (name) {
	case SO_SNDBUF:
	case SO_RCVBUF:
	case SO_SNDBUFFORCE:
	case SO_RCVBUFFORCE: {
		int r = get_int(val, len, &v);
		if (r)
			return r;
		bool snd = name == SO_SNDBUF || name == SO_SNDBUFFORCE;
		bool force = name == SO_SNDBUFFORCE || name == SO_RCVBUFFORCE;
		unsigned int u = (unsigned int)v;
		if (!force && u > 212992) /* wmem_max / rmem_max */
			u = 212992;
		if (u > 0x7fffffff / 2)
			u = 0x7fffffff / 2;
		int b = (int)u * 2;	     /* Linux doubles it for its bookkeeping */
		int min = snd ? 4608 : 2304; /* SOCK_MIN_SNDBUF, SOCK_MIN_RCVBUF */
		if (b < min)
			b = min;
		if (snd)
			s->sndbuf = b;
		else
			s->rcvbuf = b;
		return 0;
	}
	case SO_RCVLOWAT: {
		int r = get_int(val, len, &v);
		if (r)
			return r;
		s->rcvlowat = v < 0 ? 0x7fffffff : v ? v : 1;
		return 0;
	}
	case SO_SNDLOWAT:
		return -ENOPROTOOPT;
	case SO_RCVTIMEO_OLD:
	case SO_RCVTIMEO_NEW:
		return get_timeo(val, len, &s->rcvtimeo_ns);
	case SO_SNDTIMEO_OLD:
	case SO_SNDTIMEO_NEW:
		return get_timeo(val, len, &s->sndtimeo_ns);
	case SO_LINGER: {
		if (len < sizeof(s->linger))
			return -EINVAL;
		memcpy(&s->linger, val, sizeof(s->linger));
		return 0;
	}
	case SO_PRIORITY:
	case SO_MARK: {
		int r = get_int(val, len, &v);
		if (r)
			return r;
		if (name == SO_PRIORITY)
			s->priority = (uint32_t)v;
		else
			s->mark = (uint32_t)v;
		return 0;
	}
	case SO_BSDCOMPAT:
	case SO_BUSY_POLL:
	case SO_INCOMING_CPU:
		return get_int(val, len, &v);
	case SO_BINDTODEVICE:
		return 0; /* one interface: binding to it changes nothing */
	case SO_TYPE:
	case SO_PROTOCOL:
	case SO_DOMAIN:
	case SO_ERROR:
	case SO_ACCEPTCONN:
	case SO_PEERCRED:
	case SO_COOKIE:
		return -ENOPROTOOPT;
	default:
		return -ENOPROTOOPT;
	}
}

/* Generic SOL_SOCKET values: length, or -ENOPROTOOPT. */
static int generic_getsockopt(struct socket *s, int name, void *val)
{
	int v;
	if (name >= 0 && name < 64 && (BOOL_OPTS >> name) & 1) {
		v = sock_opt(s, name);
		goto out_int;
	}
	switch (name) {
	case SO_TYPE:
		v = s->type;
		break;
	case SO_PROTOCOL:
		v = s->protocol;
		break;
	case SO_DOMAIN:
		v = s->family;
		break;
	case SO_ERROR:
		v = -sock_error(s);
		break;
	case SO_ACCEPTCONN:
		v = s->listening;
		break;
	case SO_SNDBUF:
		v = s->sndbuf;
		break;
	case SO_RCVBUF:
		v = s->rcvbuf;
		break;
	case SO_RCVLOWAT:
		v = s->rcvlowat;
		break;
	case SO_SNDLOWAT:
		v = 1;
		break;
	case SO_PRIORITY:
		v = (int)s->priority;
		break;
	case SO_MARK:
		v = (int)s->mark;
		break;
	case SO_BSDCOMPAT:
	case SO_BUSY_POLL:
		v = 0;
		break;
	case SO_INCOMING_CPU:
		v = 0;
		break;
	case SO_LINGER:
		memcpy(val, &s->linger, sizeof(s->linger));
		return sizeof(s->linger);
	case SO_PEERCRED:
		memcpy(val, &s->peercred, sizeof(s->peercred));
		return sizeof(s->peercred);
	case SO_RCVTIMEO_OLD:
	case SO_RCVTIMEO_NEW:
	case SO_SNDTIMEO_OLD:
	case SO_SNDTIMEO_NEW: {
		uint64_t ns = name == SO_RCVTIMEO_OLD || name == SO_RCVTIMEO_NEW
				  ? s->rcvtimeo_ns
				  : s->sndtimeo_ns;
		struct linux_sock_timeval tv = {(int64_t)(ns / NSEC_PER_SEC),
						(int64_t)(ns % NSEC_PER_SEC / 1000)};
		memcpy(val, &tv, sizeof(tv));
		return sizeof(tv);
	}
	case SO_COOKIE: {
		uint64_t c = (uint64_t)(uintptr_t)s;
		memcpy(val, &c, sizeof(c));
		return sizeof(c);
	}
	default:
		return -ENOPROTOOPT;
	}
out_int:
	memcpy(val, &v, sizeof(v));
	return sizeof(v);
}

long sys_setsockopt(int fd, int level, int name, unsigned long uval, int len)
{
	struct socket *s = sock_from_fd(fd);
	if (IS_ERR(s))
		return PTR_ERR(s);
	if (len < 0)
		return -EINVAL;
	char val[SOCK_OPT_MAX];
	unsigned int klen = MIN((unsigned int)len, SOCK_OPT_MAX);
	if (klen && copy_from_user(val, uval, klen))
		return -EFAULT;
	if (level == SOL_SOCKET) {
		int r = generic_setsockopt(s, name, val, klen);
		if (r && r != -ENOPROTOOPT)
			return r;
		if (s->ops->setsockopt) {
			int fr = s->ops->setsockopt(s, level, name, val, klen);
			if (fr != -ENOPROTOOPT)
				return fr;
		}
		return r;
	}
	return s->ops->setsockopt ? s->ops->setsockopt(s, level, name, val, klen)
				  : -EOPNOTSUPP;
}
SYSCALL_REGISTER(__NR_setsockopt, sys_setsockopt);

long sys_getsockopt(int fd, int level, int name, unsigned long uval, unsigned long ulen)
{
	struct socket *s = sock_from_fd(fd);
	if (IS_ERR(s))
		return PTR_ERR(s);
	int ulen_v;
	if (copy_from_user(&ulen_v, ulen, sizeof(ulen_v)))
		return -EFAULT;
	if (ulen_v < 0)
		return -EINVAL;
	char val[SOCK_OPT_MAX];
	memset(val, 0, sizeof(val));
	unsigned int klen = (unsigned int)ulen_v;
	int r = -ENOPROTOOPT;
	if (s->ops->getsockopt)
		r = s->ops->getsockopt(s, level, name, val, &klen);
	else if (level != SOL_SOCKET)
		r = -EOPNOTSUPP;
	if (r == -ENOPROTOOPT && level == SOL_SOCKET) {
		r = generic_getsockopt(s, name, val);
		if (r >= 0) {
			klen = (unsigned int)r;
			r = 0;
		}
	}
	if (r)
		return r;
	int out = (int)MIN(klen, (unsigned int)ulen_v);
	if (out > SOCK_OPT_MAX)
		out = SOCK_OPT_MAX;
	if ((out && copy_to_user(uval, val, (size_t)out)) ||
	    copy_to_user(ulen, &out, sizeof(out)))
		return -EFAULT;
	return 0;
}
SYSCALL_REGISTER(__NR_getsockopt, sys_getsockopt);
