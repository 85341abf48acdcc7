/* SPDX-License-Identifier: MIT */
/* Finding PROGRAM on the host the way execvp does, and the path arithmetic the
 * initrd needs (lexical normalisation, joining, host-absolute names). */
#pragma once

/* Resolves PROGRAM like execvp: with a slash it is used as is, otherwise each
 * directory of @path_env (NULL: UE_DEFAULT_PATH; an empty entry is ".") is tried.
 * Returns 0 and a malloc'd path in *out, -ENOENT when nothing was found,
 * -EACCES when a candidate exists but is not an executable regular file, or
 * -EISDIR when PROGRAM (with a slash) names a directory. */
int path_lookup(const char *prog, const char *path_env, char **out);

/* Joins dir and name with exactly one slash; malloc'd. */
char *path_join(const char *dir, const char *name);

/* Lexically normalises an absolute path: collapses "//", drops "." and resolves
 * ".." (never above "/"), no trailing slash except for "/" itself.  A relative
 * @path is taken relative to "/".  Returns a malloc'd string. */
char *path_normalize(const char *path);

/* The absolute host path of @path with its last component kept as named (not
 * resolved): realpath(dirname) + "/" + basename.  Returns a malloc'd string or
 * NULL with errno set. */
char *path_host_absolute(const char *path);

/* The directory part of an absolute normalized path ("/" for "/x"); malloc'd. */
char *path_dirname(const char *path);
