/* SPDX-License-Identifier: MIT */
/* Shared pieces of the host tool: the parsed `unielf run` options, exit statuses
 * and the small helpers (messages, allocation, byte buffers, full writes) in util.c.
 * Each concept has its own header next to its .c file. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UNIELF_VERSION "0.1.0"

/* Exit statuses of the tool itself (the program's own status passes through). */
enum {
	UE_EXIT_FAILURE = 125,	/* the launcher or the VM failed */
	UE_EXIT_NOEXEC = 126,	/* PROGRAM exists but cannot be executed */
	UE_EXIT_NOTFOUND = 127, /* PROGRAM was not found */
};

enum ue_accel { UE_ACCEL_AUTO, UE_ACCEL_KVM, UE_ACCEL_TCG };
enum ue_machine { UE_MACHINE_MICROVM, UE_MACHINE_Q35 };
/* --net: DEFAULT until checked (then user with -p, else none) */
enum ue_net { UE_NET_DEFAULT, UE_NET_NONE, UE_NET_USER };

#define UE_DEFAULT_MEM_MB 128
#define UE_DEFAULT_PATH	  "/usr/local/bin:/usr/bin:/bin"

/* One host directory given to the guest over virtio-9p (mount tag unielf<i>). */
struct ue_share {
	char *host;  /* host directory, resolved (realpath) */
	char *guest; /* absolute guest path, "/" for --root */
	bool readonly;
};

/* One -p: host HOSTADDR:HOSTPORT forwarded to guest port GUESTPORT. */
struct ue_port {
	char host_addr[16]; /* dotted IPv4 */
	unsigned host_port, guest_port;
	bool udp;
};

struct run_opts {
	unsigned mem_mb;
	char **files; /* --file arguments, as given */
	size_t nfiles;
	char **envs; /* --env arguments, as given */
	size_t nenvs;
	char *workdir; /* normalized absolute guest path */
	enum ue_accel accel;
	enum ue_machine machine;
	bool verbose;
	bool report;
	char *control;	   /* --control SOCKET, or NULL */
	char *control_key; /* --control-key FILE, or NULL */
	char **share_args; /* --share arguments, as given */
	size_t nshare_args;
	char *root; /* --root HOSTDIR, or NULL */
	bool root_rw;
	bool no_cwd;
	bool workdir_given;
	enum ue_net net;       /* --net, resolved by netopt_check */
	struct ue_port *ports; /* -p, in order */
	size_t nports;
	struct ue_share *shares; /* resolved by run_main, in mount-tag order */
	size_t nshares;
	char **prog_argv; /* PROGRAM and its arguments, NULL-terminated */
	int prog_argc;
};

/* run.c: boots PROGRAM as described by @o; returns the tool's exit status. */
int run_main(const struct run_opts *o);

/* ---- util.c ---- */

/* Prints "unielf: " + the formatted text + newline on stderr. */
void ue_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Allocation that cannot fail: on exhaustion prints one line and exits 125. */
void *ue_xmalloc(size_t n);
void *ue_xcalloc(size_t n, size_t size);
void *ue_xrealloc(void *p, size_t n);
char *ue_xstrdup(const char *s);
char *ue_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A growable byte buffer; zero-initialise, free with ue_buf_free. */
struct ue_buf {
	char *data;
	size_t len;
	size_t cap;
};
void ue_buf_add(struct ue_buf *b, const void *data, size_t len);
void ue_buf_addstr(struct ue_buf *b, const char *s);
/* Appends s including its terminating NUL. */
void ue_buf_addz(struct ue_buf *b, const char *s);
void ue_buf_free(struct ue_buf *b);

/* Writes all of buf to fd, retrying on EINTR and waiting out EAGAIN with poll.
 * Returns 0 or -errno (e.g. -EPIPE when the reader went away). */
int ue_write_full(int fd, const void *buf, size_t len);
/* Monotonic milliseconds; async-signal-safe. */
int64_t ue_now_ms(void);
