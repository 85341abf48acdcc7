/* SPDX-License-Identifier: MIT */
/* The console relay of one QEMU run: host stdin to DATA/EOF frames, guest frames
 * to stdout, stderr and messages, host signals and window sizes to the guest. */
#pragma once
#include <stdbool.h>
#include "qemu.h"
#include "unielf.h"

struct relay_config {
	bool verbose;
	bool report;
	/* Keep guest output back until READY or EXIT, so that an attempt abandoned
	 * before then (a KVM boot that hangs) leaves no trace. */
	bool hold;
	int boot_timeout_ms; /* > 0: give up when neither READY nor EXIT came in time */
	int winsize_fd;	     /* first host tty descriptor, -1 when none */
};

enum relay_end {
	RELAY_EXITED,	    /* an EXIT frame came: status */
	RELAY_NO_STATUS,    /* QEMU ended without EXIT */
	RELAY_BOOT_TIMEOUT, /* boot_timeout_ms passed before READY (QEMU killed) */
	RELAY_SIGNALLED,    /* a signal arrived before READY: signo (QEMU killed) */
	RELAY_PROTOCOL,	    /* the guest broke the framing (QEMU killed) */
};

struct relay_result {
	enum relay_end end;
	int status;
	int signo;
	bool synced; /* UNIELF-SYNC was seen */
	bool ready;  /* READY was seen */
};

/* Installs the handlers for SIGINT, SIGTERM, SIGHUP, SIGQUIT and SIGWINCH and
 * ignores SIGPIPE.  Returns 0 or -errno.  Once per process. */
int relay_signals_install(void);

/* Runs the relay until QEMU's output ends (or an early end above); QEMU has been
 * reaped or killed when it returns.  QEMU's stderr is collected in @qemu_err. */
void relay_run(const struct relay_config *c, struct qemu_proc *q, struct ue_buf *qemu_err,
	       struct relay_result *res);

/* The last non-empty line of @b (for one-line failure messages); malloc'd. */
char *relay_last_line(const struct ue_buf *b);
