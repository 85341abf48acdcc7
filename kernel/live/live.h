/* SPDX-License-Identifier: MIT */
/* The control channel as the rest of the kernel sees it (kernel/live/). */
#pragma once
#include <stdbool.h>

struct process;

/* Starts the control thread when the VM has a COM2; reads the key from the
 * launch descriptor.  Call before /.unielf is removed. */
void live_init(void);
/* The kernel threads' process (pid 0), created on the first call. */
struct process *kernel_proc_create(void);
/* COM2 interrupt: wakes the control thread. */
void live_control_irq(void);
/* The main program is exiting during an upgrade's grace period: true when the
 * upgrade rolls back (the exit is swallowed and the old program resumes). */
bool live_upgrade_exit(struct process *p, int wait_status);
