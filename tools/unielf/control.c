// SPDX-License-Identifier: MIT
/* The control channel's client: request frames out, reply frames checked (MAC,
 * request id, fields) and one exchange over the Unix socket QEMU listens on,
 * with connect retries and a deadline so nothing hangs.  The codec itself is
 * kernel/live/wire.c; what each subcommand sends and prints is ctlcmd.c's. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include "control.h"

int ctl_key_load(const char *path, struct ctl_key *k, char *why, size_t whylen)
{
	uint8_t buf[CTL_KEY_MAX + 1];
	size_t n = 0;
	ssize_t r;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	k->len = 0;
	if (fd < 0) {
		snprintf(why, whylen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (n < sizeof(buf) && (r = read(fd, buf + n, sizeof(buf) - n)) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			snprintf(why, whylen, "%s: %s", path, strerror(errno));
			close(fd);
			return -1;
		}
		n += r;
	}
	close(fd);
	if (n == 0 || n > CTL_KEY_MAX) {
		snprintf(why, whylen, "%s: a control key must be 1 to %d bytes%s", path,
			 CTL_KEY_MAX, n ? ", this one is longer" : ", this one is empty");
		return -1;
	}
	memcpy(k->bytes, buf, n);
	k->len = n;
	return 0;
}

/* ---------------------------------------------------------------- encoding */

void ctl_add_field(struct ue_buf *p, uint16_t tag, const void *val, uint32_t len)
{
	uint8_t h[8];

	ctl_put_field(h, tag, NULL, 0);
	h[4] = (uint8_t)len;
	h[5] = (uint8_t)(len >> 8);
	h[6] = (uint8_t)(len >> 16);
	h[7] = (uint8_t)(len >> 24);
	ue_buf_add(p, h, sizeof(h));
	ue_buf_add(p, val, len);
}

void ctl_add_u32(struct ue_buf *p, uint16_t tag, uint32_t v)
{
	uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
			(uint8_t)(v >> 24)};
	ctl_add_field(p, tag, b, 4);
}

void ctl_add_str(struct ue_buf *p, uint16_t tag, const char *s)
{
	ctl_add_field(p, tag, s, (uint32_t)strlen(s));
}

static void put32(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
	b[2] = (uint8_t)(v >> 16);
	b[3] = (uint8_t)(v >> 24);
}

static uint32_t get32(const uint8_t *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
	       (uint32_t)b[3] << 24;
}

void ctl_add_file(struct ue_buf *p, uint32_t mode, const char *guest, const void *data,
		  size_t len)
{
	size_t plen = strlen(guest);
	uint8_t h[16];

	ctl_put_field(h, CTL_FILE, NULL, 0);
	put32(h + 4, (uint32_t)(8 + plen + len));
	put32(h + 8, mode);
	put32(h + 12, (uint32_t)plen);
	ue_buf_add(p, h, sizeof(h));
	ue_buf_add(p, guest, plen);
	ue_buf_add(p, data, len);
}

void ctl_encode_request(uint8_t type, uint32_t id, const void *payload, size_t len,
			const struct ctl_key *k, struct ue_buf *out)
{
	struct ctl_hdr h = {.type = type, .flags = 0, .id = id, .len = (uint32_t)len};
	uint8_t hdr[CTL_HDR_LEN], mac[CTL_MAC_LEN];
	size_t start = out->len;

	ctl_encode_header(hdr, &h);
	ue_buf_add(out, hdr, sizeof(hdr));
	ue_buf_add(out, payload, len);
	ctl_mac(k ? k->bytes : NULL, k ? k->len : 0, (const uint8_t *)out->data + start,
		CTL_HDR_LEN + len, mac);
	ue_buf_add(out, mac, sizeof(mac));
}

/* ---------------------------------------------------------------- decoding */

int ctl_check_reply(const uint8_t *buf, size_t have, uint32_t id, uint8_t type,
		    const struct ctl_key *k, size_t *need, struct ctl_reply *r,
		    const char **why)
{
	struct ctl_hdr h;
	struct ctl_field f;
	size_t off = 0;
	int n;

	*need = CTL_HDR_LEN;
	/* a bad magic is known from the first byte that differs */
	for (size_t i = 0; i < have && i < 4; i++) {
		if (buf[i] != (uint8_t)CTL_MAGIC[i]) {
			*why = "the reply does not start with UEC1";
			return -1;
		}
	}
	if (have < CTL_HDR_LEN)
		return 0;
	if (ctl_parse_header(buf, &h, why) < 0)
		return -1;
	*need = CTL_HDR_LEN + (size_t)h.len + CTL_MAC_LEN;
	if (have < *need)
		return 0;
	r->type = h.type;
	r->flags = h.flags;
	r->id = h.id;
	r->payload = buf + CTL_HDR_LEN;
	r->len = h.len;
	if (!ctl_mac_ok(k ? k->bytes : NULL, k ? k->len : 0, buf, CTL_HDR_LEN + h.len)) {
		*why = k && k->len ? "the reply's MAC does not verify with this key "
				     "(wrong --control-key?)"
				   : "the reply's checksum does not verify (does the VM "
				     "need --control-key?)";
		return -1;
	}
	if (!(h.flags & CTL_F_REPLY)) {
		*why = "the answer is not a reply";
		return -1;
	}
	if (h.id != id) {
		/* id 0 with an error: the kernel could not read our header */
		*why = h.id == 0 && (h.flags & CTL_F_ERROR)
			   ? "the VM could not read the request's header"
			   : "the reply is for another request";
		return -1;
	}
	if (h.type != type) {
		*why = "the reply is for another request type";
		return -1;
	}
	while ((n = ctl_next_field(r->payload, r->len, &off, &f, why)) == 1)
		;
	return n < 0 ? -1 : 1;
}

const uint8_t *ctl_reply_field(const struct ctl_reply *r, uint16_t tag, uint32_t *len)
{
	struct ctl_field f;
	const char *why;
	size_t off = 0;

	while (ctl_next_field(r->payload, r->len, &off, &f, &why) == 1) {
		if (f.tag == tag) {
			*len = f.len;
			return f.val;
		}
	}
	return NULL;
}

bool ctl_reply_u32(const struct ctl_reply *r, uint16_t tag, uint32_t *v)
{
	uint32_t len;
	const uint8_t *p = ctl_reply_field(r, tag, &len);

	if (!p || len != 4)
		return false;
	*v = get32(p);
	return true;
}

char *ctl_reply_text(const struct ctl_reply *r)
{
	uint32_t len = 0;
	const uint8_t *p = ctl_reply_field(r, CTL_TEXT, &len);
	char *s = ue_xmalloc((size_t)len + 1);

	if (p)
		memcpy(s, p, len);
	s[p ? len : 0] = '\0';
	return s;
}

/* ---------------------------------------------------------------- signals */

static const char *const signames[32] = {
    NULL,     "HUP",  "INT",	"QUIT", "ILL",	 "TRAP", "ABRT", "BUS",
    "FPE",    "KILL", "USR1",	"SEGV", "USR2",	 "PIPE", "ALRM", "TERM",
    "STKFLT", "CHLD", "CONT",	"STOP", "TSTP",	 "TTIN", "TTOU", "URG",
    "XCPU",   "XFSZ", "VTALRM", "PROF", "WINCH", "IO",	 "PWR",	 "SYS",
};

#define SIGRTMIN_LINUX 34
#define SIGRTMAX_LINUX 64

static int parse_small(const char *s, int max)
{
	char *end;
	long v;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < 0 || v > max)
		return -1;
	return (int)v;
}

int ctl_parse_signal(const char *s)
{
	char up[16];
	size_t i;
	int off;

	if (isdigit((unsigned char)*s))
		return parse_small(s, SIGRTMAX_LINUX);
	for (i = 0; s[i] && i < sizeof(up) - 1; i++)
		up[i] = (char)toupper((unsigned char)s[i]);
	if (s[i])
		return -1;
	up[i] = '\0';
	s = up;
	if (!strncmp(s, "SIG", 3))
		s += 3;
	for (int n = 1; n < 32; n++)
		if (!strcmp(s, signames[n]))
			return n;
	if (!strcmp(s, "IOT"))
		return 6;
	if (!strcmp(s, "POLL"))
		return 29;
	if (!strcmp(s, "RTMIN"))
		return SIGRTMIN_LINUX;
	if (!strcmp(s, "RTMAX"))
		return SIGRTMAX_LINUX;
	if (!strncmp(s, "RTMIN+", 6) && (off = parse_small(s + 6, 30)) >= 0)
		return SIGRTMIN_LINUX + off;
	if (!strncmp(s, "RTMAX-", 6) && (off = parse_small(s + 6, 30)) >= 0)
		return SIGRTMAX_LINUX - off;
	return -1;
}

/* ---------------------------------------------------------------- the socket */

int ctl_connect(const char *path, int retry_ms)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	int64_t deadline = ue_now_ms() + retry_ms;
	int delay = 5;

	if (strlen(path) >= sizeof(a.sun_path))
		return -ENAMETOOLONG;
	strcpy(a.sun_path, path);
	for (;;) {
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), e;
		if (fd < 0)
			return -errno;
		if (connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0)
			return fd;
		e = errno;
		close(fd);
		/* QEMU listens again only once it noticed the last client left */
		if (e != ECONNREFUSED && e != EAGAIN && e != ENOENT && e != EINTR)
			return -e;
		if (ue_now_ms() + delay > deadline)
			return -e;
		poll(NULL, 0, delay);
		if (delay < 200)
			delay *= 2;
	}
}

static uint32_t new_request_id(void)
{
	uint32_t id = 0;
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		if (read(fd, &id, sizeof(id)) != sizeof(id))
			id = 0;
		close(fd);
	}
	if (!id)
		id = (uint32_t)getpid() ^ (uint32_t)ue_now_ms();
	return id ? id : 1;
}

static int fail(const struct ctl_exchange *x, const char *what)
{
	ue_msg("%s: %s", x->socket, what);
	return -1;
}

int ctl_request(const struct ctl_exchange *x, uint8_t type, const struct ue_buf *payload,
		struct ue_buf *frame, struct ctl_reply *r)
{
	struct ue_buf out = {0};
	uint32_t id = new_request_id();
	int64_t t0 = ue_now_ms(), deadline = t0 + x->timeout_ms, t_sent = 0;
	size_t sent = 0, need = CTL_HDR_LEN;
	const char *why = NULL;
	int fd, ret = -1;

	if (payload->len > CTL_MAX_PAYLOAD)
		return fail(x, "the request is larger than 64 MiB");
	ctl_encode_request(type, id, payload->data, payload->len, x->key, &out);
	fd = ctl_connect(x->socket, x->timeout_ms < 5000 ? x->timeout_ms : 5000);
	if (fd < 0) {
		char m[256];
		snprintf(m, sizeof(m), "cannot connect: %s%s", strerror(-fd),
			 fd == -ENOENT || fd == -ECONNREFUSED
			     ? " (is a VM running with --control on this socket?)"
			     : "");
		ue_buf_free(&out);
		return fail(x, m);
	}
	fcntl(fd, F_SETFL, O_NONBLOCK);
	if (x->verbose)
		ue_msg("%s: connected after %lld ms; sending %zu bytes, request id %u",
		       x->socket, (long long)(ue_now_ms() - t0), out.len, id);
	frame->len = 0;
	for (;;) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		int64_t now = ue_now_ms();
		int rc;

		if (sent < out.len)
			pfd.events |= POLLOUT;
		if (now >= deadline) {
			char m[160];
			if (sent < out.len)
				snprintf(m, sizeof(m),
					 "the VM stopped reading the request for %d ms "
					 "(%zu of %zu bytes sent)",
					 x->timeout_ms, sent, out.len);
			else
				snprintf(m, sizeof(m), "no reply within %d ms",
					 x->timeout_ms);
			fail(x, m);
			goto out;
		}
		rc = poll(&pfd, 1, (int)(deadline - now));
		if (rc < 0 && errno != EINTR) {
			fail(x, strerror(errno));
			goto out;
		}
		if (rc <= 0)
			continue;
		if ((pfd.revents & POLLOUT) && sent < out.len) {
			ssize_t n =
			    send(fd, out.data + sent, out.len - sent, MSG_NOSIGNAL);
			if (n < 0 && errno != EAGAIN && errno != EINTR) {
				char m[160];
				snprintf(m, sizeof(m), "sending the request: %s",
					 strerror(errno));
				fail(x, m);
				goto out;
			}
			if (n > 0) {
				sent += n;
				/* a big request takes as long as the VM takes to
				 * read it: only a stall counts against the timeout */
				deadline = ue_now_ms() + x->timeout_ms;
				if (sent == out.len) {
					t_sent = ue_now_ms();
					if (x->verbose)
						ue_msg("%s: request sent in %lld ms",
						       x->socket,
						       (long long)(t_sent - t0));
				}
			}
		}
		if (pfd.revents & (POLLIN | POLLHUP | POLLERR)) {
			char buf[65536];
			ssize_t n = read(fd, buf, sizeof(buf));
			if (n < 0 && (errno == EAGAIN || errno == EINTR))
				continue;
			if (n <= 0) {
				fail(x, n < 0 ? strerror(errno)
					      : "the VM closed the connection before "
						"replying");
				goto out;
			}
			ue_buf_add(frame, buf, n);
			rc = ctl_check_reply((uint8_t *)frame->data, frame->len, id, type,
					     x->key, &need, r, &why);
			if (rc < 0) {
				char m[512];
				if (frame->len >= need && need > CTL_HDR_LEN &&
				    (r->flags & CTL_F_ERROR)) {
					char *t = ctl_reply_text(r);
					snprintf(m, sizeof(m), "%s; it says: %s", why, t);
					free(t);
				} else {
					snprintf(m, sizeof(m), "%s", why);
				}
				fail(x, m);
				goto out;
			}
			if (rc == 1)
				break;
		}
	}
	if (x->verbose)
		ue_msg("%s: %zu-byte reply%s after %lld ms (%lld ms after the request "
		       "was sent)",
		       x->socket, frame->len, (r->flags & CTL_F_ERROR) ? " (error)" : "",
		       (long long)(ue_now_ms() - t0),
		       (long long)(ue_now_ms() - (t_sent ? t_sent : t0)));
	ret = 0;
out:
	close(fd);
	ue_buf_free(&out);
	return ret;
}
