// SPDX-License-Identifier: MIT
/* The poll loop between the host and QEMU: guest frames (parsed by frame.c) go to
 * stdout, stderr or a message; host stdin becomes DATA and EOF frames once the
 * guest is READY; SIGINT/SIGTERM/SIGHUP/SIGQUIT become SIGNAL frames and SIGWINCH
 * a WINSIZE frame.  Starting and killing QEMU is qemu.c's job. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>
#include "frame.h"
#include "relay.h"

#define EXIT_GRACE_MS	2000 /* after EXIT, QEMU gets this long to stop by itself */
#define QEMU_ERR_KEEP	(64 * 1024)
#define CTL_QUEUE	256
#define SIGINT_BURST	3    /* this many SIGINTs ... */
#define SIGINT_BURST_MS 1000 /* ... within this long end the run */

/* ---------------------------------------------------------------- signals */

static int sig_pipe[2] = {-1, -1};
static pid_t main_pid;
/* Set while the program runs: signals are forwarded, repeats escalate. */
static volatile sig_atomic_t forwarding;
static volatile sig_atomic_t repeats[NSIG];
static int64_t sigint_times[SIGINT_BURST];
static unsigned sigint_count;

static void on_signal(int sig)
{
	int saved = errno;
	unsigned char b = sig;

	if (getpid() != main_pid)
		return;
	if (forwarding && sig != SIGWINCH) {
		bool give_up;
		if (sig == SIGINT) {
			int64_t now = ue_now_ms();
			sigint_times[sigint_count++ % SIGINT_BURST] = now;
			give_up = sigint_count >= SIGINT_BURST &&
				  now - sigint_times[sigint_count % SIGINT_BURST] <=
				      SIGINT_BURST_MS;
		} else {
			give_up = ++repeats[sig] >= 2;
		}
		if (give_up) {
			/* The program ignores us: stop the VM from here, so this works
			 * even while the main loop is stuck writing to a full pipe. */
			qemu_kill_running();
			_exit(128 + sig);
		}
	}
	if (write(sig_pipe[1], &b, 1) < 0) {
		/* pipe full: the main loop has plenty pending already */
	}
	errno = saved;
}

int relay_signals_install(void)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGWINCH};
	struct sigaction sa;

	main_pid = getpid();
	if (pipe2(sig_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
		return -errno;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigfillset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sigaction(sigs[i], &sa, NULL) < 0)
			return -errno;
	signal(SIGPIPE, SIG_IGN); /* EPIPE on a write is handled where it happens */
	return 0;
}

/* ---------------------------------------------------------------- state */

struct relay {
	const struct relay_config *c;
	struct qemu_proc *q;
	struct ue_buf *qemu_err;
	struct relay_result *res;
	struct frame_parser parser;
	bool committed; /* READY or EXIT came: held output has been released */
	struct ue_buf held;
	bool exited;
	int64_t exit_deadline;
	bool out_closed[3]; /* host stdout/stderr went away: keep draining */
	/* host → guest: the frame being written, then control frames, then data */
	uint8_t cur[FRAME_HDR_LEN + FRAME_MAX_PAYLOAD];
	size_t cur_len, cur_off;
	uint8_t ctl[CTL_QUEUE];
	size_t ctl_len;
	uint8_t data[FRAME_HDR_LEN + FRAME_MAX_PAYLOAD];
	size_t data_len;
	bool stdin_done;
	bool in_closed; /* QEMU's stdin is gone */
};

static void host_write(struct relay *r, int fd, const void *data, size_t len)
{
	if (r->out_closed[fd])
		return;
	if (ue_write_full(fd, data, len) < 0)
		r->out_closed[fd] = true; /* EPIPE, EIO: discard the rest, keep going */
}

static void queue_ctl(struct relay *r, uint8_t type, const void *payload, size_t len)
{
	if (r->in_closed || r->ctl_len + FRAME_HDR_LEN + len > sizeof(r->ctl))
		return;
	r->ctl_len += frame_encode(r->ctl + r->ctl_len, type, payload, len);
}

static void queue_winsize(struct relay *r)
{
	struct winsize ws;
	uint8_t p[4];

	if (r->c->winsize_fd < 0 || ioctl(r->c->winsize_fd, TIOCGWINSZ, &ws) < 0 ||
	    !ws.ws_row || !ws.ws_col)
		return;
	p[0] = ws.ws_row;
	p[1] = ws.ws_row >> 8;
	p[2] = ws.ws_col;
	p[3] = ws.ws_col >> 8;
	queue_ctl(r, FRAME_IN_WINSIZE, p, sizeof(p));
}

/* ---------------------------------------------------------------- terminal */

/* The guest program's terminal settings are applied to the host terminal, so
 * its line discipline does what the program asked: a shell's raw mode for line
 * editing, no echo for a password prompt.  The original settings come back
 * when the tool exits, however it exits. */
static struct termios host_tty_saved;
static bool host_tty_changed;

static void host_tty_restore(void)
{
	if (host_tty_changed)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &host_tty_saved);
	host_tty_changed = false;
}

/* Linux's struct termios as the guest sent it: 4 flag words, c_line, 19 c_cc. */
static void apply_guest_termios(const uint8_t *data, size_t len)
{
	struct termios t;
	uint32_t w[4];
	if (len < 36 || !isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &t) < 0)
		return;
	if (!host_tty_changed) {
		host_tty_saved = t;
		host_tty_changed = true;
		atexit(host_tty_restore);
	}
	memcpy(w, data, sizeof(w));
	const tcflag_t imask = ICRNL | INLCR | IGNCR | IXON | IXOFF | ISTRIP | IUTF8;
	const tcflag_t lmask = ICANON | ECHO | ECHOE | ECHOK | ECHONL | ISIG | IEXTEN |
			       ECHOCTL | ECHOKE | NOFLSH | TOSTOP;
	t.c_iflag = (t.c_iflag & ~imask) | (w[0] & imask);
	t.c_oflag = (t.c_oflag & ~(OPOST | ONLCR)) | (w[1] & (OPOST | ONLCR));
	t.c_lflag = (t.c_lflag & ~lmask) | (w[3] & lmask);
	/* the host and the guest are both Linux x86_64: same c_cc layout */
	for (int i = 0; i < 19 && i < NCCS; i++)
		t.c_cc[i] = data[17 + i];
	tcsetattr(STDIN_FILENO, TCSADRAIN, &t);
}

/* ---------------------------------------------------------------- guest output */

static void handle_frame(struct relay *r, uint8_t type, const uint8_t *data, size_t len)
{
	switch (type) {
	case FRAME_STDOUT:
		host_write(r, STDOUT_FILENO, data, len);
		break;
	case FRAME_STDERR:
		host_write(r, STDERR_FILENO, data, len);
		break;
	case FRAME_LOG:
		if (r->c->verbose)
			host_write(r, STDERR_FILENO, data, len);
		break;
	case FRAME_EXIT:
		if (!r->exited) {
			r->exited = true;
			r->res->status = len ? data[0] : UE_EXIT_FAILURE;
			r->exit_deadline = ue_now_ms() + EXIT_GRACE_MS;
		}
		break;
	case FRAME_ERROR:
		while (len && (data[len - 1] == '\n' || data[len - 1] == '\r'))
			len--;
		ue_msg("%.*s", (int)len, (const char *)data);
		break;
	case FRAME_REPORT:
		while (len && (data[len - 1] == '\n' || data[len - 1] == '\r'))
			len--;
		if (r->c->report)
			ue_msg("%.*s", (int)len, (const char *)data);
		break;
	case FRAME_TERMIOS:
		apply_guest_termios(data, len);
		break;
	case FRAME_READY:
		r->res->ready = true;
		forwarding = 1;
		break;
	default:
		if (r->c->verbose)
			ue_msg("ignoring a frame of unknown type %u from the guest",
			       type);
		break;
	}
}

static void release_held(struct relay *r)
{
	size_t off = 0;

	r->committed = true;
	while (off + FRAME_HDR_LEN <= r->held.len) {
		const uint8_t *h = (const uint8_t *)r->held.data + off;
		size_t len = h[1] | (size_t)h[2] << 8;
		handle_frame(r, h[0], h + FRAME_HDR_LEN, len);
		off += FRAME_HDR_LEN + len;
	}
	ue_buf_free(&r->held);
}

static void on_event(struct relay *r, const struct frame_event *ev)
{
	uint8_t hdr[FRAME_HDR_LEN];

	switch (ev->kind) {
	case FRAME_EV_NOISE:
	case FRAME_EV_SYNC:
		if (r->c->verbose)
			host_write(r, STDERR_FILENO, ev->data, ev->len);
		if (ev->kind == FRAME_EV_SYNC)
			r->res->synced = true;
		break;
	case FRAME_EV_ERROR:
		ue_msg("protocol error: the guest sent a frame of %zu bytes (type %u)",
		       ev->len, ev->type);
		r->res->end = RELAY_PROTOCOL;
		break;
	case FRAME_EV_FRAME:
		if (!r->committed && ev->type != FRAME_READY && ev->type != FRAME_EXIT) {
			frame_encode(hdr, ev->type, NULL, 0);
			hdr[1] = ev->len;
			hdr[2] = ev->len >> 8;
			ue_buf_add(&r->held, hdr, sizeof(hdr));
			ue_buf_add(&r->held, ev->data, ev->len);
			break;
		}
		if (!r->committed)
			release_held(r);
		handle_frame(r, ev->type, ev->data, ev->len);
		break;
	case FRAME_EV_NONE:
		break;
	}
}

/* Returns false at end of QEMU's output. */
static bool read_guest(struct relay *r)
{
	uint8_t buf[65536];
	ssize_t n = read(r->q->out_fd, buf, sizeof(buf));
	size_t off = 0;

	if (n < 0)
		return errno == EINTR || errno == EAGAIN;
	if (n == 0)
		return false;
	while (off < (size_t)n && r->res->end != RELAY_PROTOCOL) {
		struct frame_event ev;
		off += frame_parser_feed(&r->parser, buf + off, n - off, &ev);
		on_event(r, &ev);
	}
	return true;
}

/* Returns false at end of QEMU's stderr. */
static bool read_qemu_err(struct relay *r)
{
	char buf[4096];
	ssize_t n = read(r->q->err_fd, buf, sizeof(buf));

	if (n < 0)
		return errno == EINTR || errno == EAGAIN;
	if (n == 0)
		return false;
	ue_buf_add(r->qemu_err, buf, n);
	if (r->qemu_err->len > 2 * QEMU_ERR_KEEP) {
		/* keep the tail: the last lines say why QEMU stopped */
		memmove(r->qemu_err->data,
			r->qemu_err->data + r->qemu_err->len - QEMU_ERR_KEEP,
			QEMU_ERR_KEEP);
		r->qemu_err->len = QEMU_ERR_KEEP;
		r->qemu_err->data[r->qemu_err->len] = '\0';
	}
	return true;
}

/* ---------------------------------------------------------------- host input */

static void read_stdin(struct relay *r)
{
	ssize_t n = read(STDIN_FILENO, r->data + FRAME_HDR_LEN, FRAME_MAX_PAYLOAD);

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n > 0) {
		r->data_len = frame_encode(r->data, FRAME_IN_DATA, NULL, 0) + n;
		r->data[1] = n;
		r->data[2] = n >> 8;
		return;
	}
	/* End of input, or an error reading it (e.g. EIO from a lost terminal). */
	r->data_len = frame_encode(r->data, FRAME_IN_EOF, NULL, 0);
	r->stdin_done = true;
}

static bool have_output(const struct relay *r)
{
	return r->cur_off < r->cur_len || r->ctl_len || r->data_len;
}

static void write_guest(struct relay *r)
{
	while (!r->in_closed) {
		ssize_t n;

		if (r->cur_off == r->cur_len) {
			/* Only between whole frames: signals overtake queued stdin. */
			if (r->ctl_len) {
				memcpy(r->cur, r->ctl, r->ctl_len);
				r->cur_len = r->ctl_len;
				r->ctl_len = 0;
			} else if (r->data_len) {
				memcpy(r->cur, r->data, r->data_len);
				r->cur_len = r->data_len;
				r->data_len = 0;
			} else {
				return;
			}
			r->cur_off = 0;
		}
		n = write(r->q->in_fd, r->cur + r->cur_off, r->cur_len - r->cur_off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			/* EPIPE: QEMU went away; its output tells the rest */
			if (errno != EAGAIN)
				r->in_closed = true;
			return;
		}
		r->cur_off += n;
	}
}

static void on_signals(struct relay *r)
{
	unsigned char sigs[64];
	ssize_t n = read(sig_pipe[0], sigs, sizeof(sigs));

	for (ssize_t i = 0; i < n; i++) {
		uint8_t s = sigs[i];
		if (s == SIGWINCH) {
			if (r->res->ready)
				queue_winsize(r);
		} else if (r->exited) {
			/* the program is done; QEMU is about to stop anyway */
		} else if (!r->res->ready) {
			/* Nothing of the program runs yet: just stop. */
			r->res->end = RELAY_SIGNALLED;
			r->res->signo = s;
			return;
		} else {
			queue_ctl(r, FRAME_IN_SIGNAL, &s, 1);
		}
	}
}

/* ---------------------------------------------------------------- loop */

static int poll_timeout(const struct relay *r, int64_t boot_deadline)
{
	int64_t now = ue_now_ms(), until = -1;

	if (r->exited)
		until = r->exit_deadline;
	else if (boot_deadline && !r->res->ready)
		until = boot_deadline;
	if (until < 0)
		return -1;
	return until <= now ? 0 : (int)(until - now);
}

void relay_run(const struct relay_config *c, struct qemu_proc *q, struct ue_buf *qemu_err,
	       struct relay_result *res)
{
	struct relay *r = ue_xcalloc(1, sizeof(*r));
	int64_t boot_deadline =
	    c->boot_timeout_ms > 0 ? ue_now_ms() + c->boot_timeout_ms : 0;
	bool err_open = true;

	memset(res, 0, sizeof(*res));
	res->end = RELAY_NO_STATUS;
	r->c = c;
	r->q = q;
	r->qemu_err = qemu_err;
	r->res = res;
	r->committed = !c->hold;
	frame_parser_init(&r->parser);
	forwarding = 0;
	sigint_count = 0;
	for (int i = 0; i < NSIG; i++)
		repeats[i] = 0;

	for (;;) {
		struct pollfd p[5];
		int n = 0, i_out, i_err = -1, i_in = -1, i_stdin = -1, i_sig;

		i_out = n;
		p[n++] = (struct pollfd){.fd = q->out_fd, .events = POLLIN};
		if (err_open) {
			i_err = n;
			p[n++] = (struct pollfd){.fd = q->err_fd, .events = POLLIN};
		}
		if (!r->in_closed && have_output(r)) {
			i_in = n;
			p[n++] = (struct pollfd){.fd = q->in_fd, .events = POLLOUT};
		}
		/* stdin is not even looked at before READY (a retried boot must not
		 * have eaten any of it), nor while a DATA frame waits to be sent */
		if (res->ready && !r->exited && !r->stdin_done && !r->data_len &&
		    !r->in_closed) {
			i_stdin = n;
			p[n++] = (struct pollfd){.fd = STDIN_FILENO, .events = POLLIN};
		}
		i_sig = n;
		p[n++] = (struct pollfd){.fd = sig_pipe[0], .events = POLLIN};

		if (poll(p, n, poll_timeout(r, boot_deadline)) < 0 && errno != EINTR) {
			ue_msg("poll: %s", strerror(errno));
			break;
		}
		if (p[i_sig].revents)
			on_signals(r);
		if (res->end == RELAY_SIGNALLED)
			goto out_kill;
		if (i_err >= 0 && p[i_err].revents)
			err_open = read_qemu_err(r);
		if (p[i_out].revents && !read_guest(r))
			break;
		if (res->end == RELAY_PROTOCOL)
			goto out_kill;
		if (i_in >= 0 && p[i_in].revents)
			write_guest(r);
		if (i_stdin >= 0 && p[i_stdin].revents)
			read_stdin(r);
		if (have_output(r))
			write_guest(r);
		if (r->exited && ue_now_ms() >= r->exit_deadline)
			break; /* QEMU did not stop after EXIT: it is killed below */
		if (boot_deadline && !res->ready && !r->exited &&
		    ue_now_ms() >= boot_deadline) {
			res->end = RELAY_BOOT_TIMEOUT;
			goto out_kill;
		}
	}
	/* QEMU's output ended: collect what it said on stderr, then reap it. */
	while (err_open && read_qemu_err(r)) {
		struct pollfd pe = {.fd = q->err_fd, .events = POLLIN};
		if (poll(&pe, 1, 200) <= 0)
			break;
	}
	qemu_reap(q, r->exited ? 200 : EXIT_GRACE_MS);
	if (r->exited)
		res->end = RELAY_EXITED;
	goto out;
out_kill:
	qemu_kill(q);
out:
	forwarding = 0;
	ue_buf_free(&r->held);
	free(r);
}

char *relay_last_line(const struct ue_buf *b)
{
	size_t end = b->len, start;

	while (end && (b->data[end - 1] == '\n' || b->data[end - 1] == '\r' ||
		       b->data[end - 1] == ' '))
		end--;
	start = end;
	while (start && b->data[start - 1] != '\n')
		start--;
	return strndup(b->data ? b->data + start : "", end - start) ?: ue_xstrdup("");
}
