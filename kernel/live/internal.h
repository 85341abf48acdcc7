/* SPDX-License-Identifier: MIT */
/* The control channel's pieces (kernel/live/): the loop reading frames from
 * COM2 (control.c), and the operations it runs (spawn.c, upgrade.c). */
#pragma once
#include <stddef.h>
#include <stdint.h>
#include "live/wire.h"

struct process;

/* A decoded request: pointers into the frame's payload. */
struct ctl_request {
	const struct ctl_field *args, *envs, *files;
	unsigned nargs, nenvs, nfiles;
	const char *exe; /* NUL-terminated copies, or NULL */
	const char *cwd;
	uint32_t pid, signal, grace_ms;
	int have_pid, have_signal;
	uint32_t patch_id, deadline_ms;
	int have_patch_id, have_deadline;
};

/* A reply under construction: fields appended to a growing buffer. */
struct ctl_reply {
	uint8_t *buf;
	size_t len, cap;
	const char *error; /* set: an error reply with this text */
	char error_buf[160];
};

int reply_field(struct ctl_reply *r, uint16_t tag, const void *val, uint32_t len);
int reply_text(struct ctl_reply *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void reply_error(struct ctl_reply *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* spawn.c */
extern struct process *kernel_proc;
void live_status(struct ctl_request *q, struct ctl_reply *r);
void live_ps(struct ctl_request *q, struct ctl_reply *r);
void live_spawn(struct ctl_request *q, struct ctl_reply *r);
void live_kill(struct ctl_request *q, struct ctl_reply *r);
/* Writes the request's FILE fields into the file system; 0 or sets an error. */
int live_write_files(struct ctl_request *q, struct ctl_reply *r);
/* argv/envp vectors from the request (kmalloc'd, strings copied); extra_env
 * is appended when non-NULL.  0 or -ENOMEM. */
int live_build_args(struct ctl_request *q, const char *extra_env, char ***argv, int *argc,
		    char ***envp, int *envc);
void live_free_args(char **v, int n);

/* upgrade.c */
void live_upgrade(struct ctl_request *q, struct ctl_reply *r);

/* patch.c */
void live_patch(struct ctl_request *q, struct ctl_reply *r);
void live_revert(struct ctl_request *q, struct ctl_reply *r);
void live_patches(struct ctl_request *q, struct ctl_reply *r);
/* From the control thread's loop: retries unmapping reverted patches that a
 * thread could still return into (with backoff).  May freeze a process briefly. */
void live_patch_tick(void);
