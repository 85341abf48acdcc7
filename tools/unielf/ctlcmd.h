/* SPDX-License-Identifier: MIT */
/* `unielf status|ps|spawn|kill|upgrade|patch|revert|patches SOCKET ...`: the
 * command lines of the control-channel subcommands (ctlcmd.c) over the client
 * in control.c. */
#pragma once
#include <stdbool.h>

/* True when @name is one of the control subcommands. */
bool ctlcmd_is_command(const char *name);
/* Runs one; argv[0] is the command name.  Returns the tool's exit status: 0,
 * 1 when the VM refused the request, 125 for bad usage or a failed exchange
 * (127/126 when spawn's or upgrade's PROGRAM is missing or not executable). */
int ctlcmd_main(int argc, char **argv);
