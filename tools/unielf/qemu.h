/* SPDX-License-Identifier: MIT */
/* Starting and stopping QEMU: the command line for a machine and accelerator,
 * the KVM probe, and a child whose stdin, stdout and stderr are our pipes. */
#pragma once
#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>
#include "unielf.h"

/* The initrd descriptor number inside QEMU; -initrd names /proc/self/fd/N. */
#define QEMU_INITRD_FD 3

struct qemu_config {
	const char *qemu;   /* binary: UNIELF_QEMU or qemu-system-x86_64 */
	const char *kernel; /* path of kernel.elf */
	enum ue_machine machine;
	enum ue_accel accel; /* UE_ACCEL_KVM or UE_ACCEL_TCG, never AUTO */
	unsigned mem_mb;
	bool verbose, report;
	const char *control_socket;    /* COM2 on this Unix socket, or NULL */
	const struct ue_share *shares; /* virtio-9p shares, tag unielf<i> */
	size_t nshares;
	bool net;		     /* a virtio-net NIC on QEMU's user network */
	const struct ue_port *ports; /* its host forwards (-p) */
	size_t nports;
};

struct qemu_proc {
	pid_t pid;
	int in_fd;  /* QEMU's stdin: guest serial input (non-blocking) */
	int out_fd; /* QEMU's stdout: guest serial output */
	int err_fd; /* QEMU's stderr (non-blocking) */
};

/* @s with every ',' doubled, as QEMU's option syntax wants; malloc'd. */
char *qemu_opt_escape(const char *s);
/* The argument vector for @c, NULL-terminated; free with qemu_free_argv. */
char **qemu_build_argv(const struct qemu_config *c);
void qemu_free_argv(char **argv);
/* The command line as one shell-quoted string (for --verbose); malloc'd. */
char *qemu_format_argv(char *const *argv);

/* True when /dev/kvm (or @dev) opens read-write and reports API version 12;
 * otherwise false and a reason in @why. */
bool qemu_kvm_usable(const char *dev, char *why, size_t whylen);

/* Forks and execs @argv with @initrd_fd at QEMU_INITRD_FD in the child.  Returns
 * 0, or -errno when the pipes, fork or the exec failed (nothing left running). */
int qemu_spawn(char *const *argv, int initrd_fd, struct qemu_proc *p);

/* Kills (SIGKILL) and reaps the child, closes our pipe ends. Idempotent. */
void qemu_kill(struct qemu_proc *p);
/* Waits up to @timeout_ms for the child to exit, then kills it; closes pipes. */
void qemu_reap(struct qemu_proc *p, int timeout_ms);

/* The pid of the running QEMU, for exit paths that only may call kill(2):
 * atexit handlers and signal handlers.  0 when none runs. */
extern volatile sig_atomic_t qemu_running_pid;
/* Async-signal-safe: SIGKILLs qemu_running_pid if set. */
void qemu_kill_running(void);
