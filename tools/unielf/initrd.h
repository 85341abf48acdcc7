/* SPDX-License-Identifier: MIT */
/* The initrd of one run: the program, the --file trees and the launch descriptor
 * (.unielf/argv, env, exe, workdir, tty) packed into an unlinked temporary cpio file. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include "unielf.h"

struct initrd;

/* Splits a --file argument "HOST[:GUEST]" at its first colon.  *guest is NULL
 * when absent, else the normalized absolute guest path (relative means relative
 * to /).  Returns 0, or -EINVAL for an empty HOST or GUEST or a GUEST under the
 * reserved /.unielf. Both outputs are malloc'd. */
int initrd_parse_file_spec(const char *arg, char **host, char **guest);

/* Builds the environment block: defaults (PATH, HOME, TERM when @term is
 * non-NULL) unless overridden, then the --env values in order, a later value of
 * a name replacing an earlier one.  An entry without '=' copies the host's value
 * (skipped when unset).  Each string NUL-terminated in @out. */
void initrd_build_env(char *const *envs, size_t nenvs, const char *term,
		      struct ue_buf *out);

/* Creates the archive in an unlinked file under $TMPDIR (or /tmp); NULL after
 * printing the reason. */
struct initrd *initrd_create(void);

/* The add functions print "unielf: PATH: reason" themselves and return 0 or -1. */

/* Packs host path @abs (absolute) at the same guest path, with every symlink met
 * on the way (a directory like /lib64, the path itself, targets of targets)
 * packed as a symlink and followed, so the guest resolves the name the way the
 * host does.  What the path ends at is packed as well, a directory recursively. */
int initrd_add_host_path(struct initrd *r, const char *abs);
/* Packs host file, directory (recursively, symlinks kept) or the target of a
 * top-level symlink at guest path @guest. */
int initrd_add_tree(struct initrd *r, const char *host, const char *guest);
/* True when something is already packed at guest path @guest. */
bool initrd_contains(struct initrd *r, const char *guest);
/* Makes sure directory @guest exists (mode 0755) unless something is there;
 * a directory the kernel makes at boot (/tmp, /dev, /proc) keeps its mode. */
int initrd_add_dir(struct initrd *r, const char *guest);
/* Adds a regular file with the given bytes and mode at guest path @guest
 * (absolute), unless something is already there (then 0, nothing added). */
int initrd_add_data(struct initrd *r, const char *guest, unsigned mode, const void *data,
		    size_t len);
/* Adds .unielf/NAME with the given bytes. */
int initrd_add_descriptor(struct initrd *r, const char *name, const void *data,
			  size_t len);
/* Writes the trailer; returns 0 or -1. */
int initrd_finish(struct initrd *r);

/* The archive's descriptor (valid until initrd_destroy) and its size. */
int initrd_fd(const struct initrd *r);
unsigned long long initrd_size(const struct initrd *r);
void initrd_destroy(struct initrd *r);
