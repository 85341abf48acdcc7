// SPDX-License-Identifier: MIT
/* Host path handling: PATH lookup with execvp's rules and the lexical path
 * arithmetic used to place files in the guest.  What gets packed at those paths
 * is initrd.c's business. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "pathlookup.h"
#include "unielf.h"

char *path_join(const char *dir, const char *name)
{
	size_t dl = strlen(dir);

	while (dl > 0 && dir[dl - 1] == '/')
		dl--;
	while (*name == '/')
		name++;
	return ue_xasprintf("%.*s/%s", (int)dl, dir, name);
}

/* Classifies one candidate: 0 when it is an executable regular file. */
static int check_candidate(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return errno == ENOTDIR ? -ENOENT : -errno;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	if (!S_ISREG(st.st_mode))
		return -EACCES;
	if (access(path, X_OK) < 0)
		return -EACCES;
	return 0;
}

int path_lookup(const char *prog, const char *path_env, char **out)
{
	bool denied = false;
	const char *p;
	int err;

	*out = NULL;
	if (!prog[0])
		return -ENOENT;
	if (strchr(prog, '/')) {
		err = check_candidate(prog);
		if (err == 0)
			*out = ue_xstrdup(prog);
		else if (err != -EISDIR && err != -EACCES)
			err = -ENOENT;
		return err;
	}
	if (!path_env)
		path_env = UE_DEFAULT_PATH;
	p = path_env;
	for (;;) {
		const char *end = strchrnul(p, ':');
		char *dir = p == end ? ue_xstrdup(".") : strndup(p, end - p);
		char *cand;

		if (!dir)
			dir = ue_xstrdup(".");
		cand = path_join(dir, prog);
		free(dir);
		err = check_candidate(cand);
		if (err == 0) {
			*out = cand;
			return 0;
		}
		/* Like execvp, a non-executable hit only matters when nothing else runs;
		 * directories with the program's name are skipped like a shell does. */
		if (err == -EACCES)
			denied = true;
		free(cand);
		if (!*end)
			break;
		p = end + 1;
	}
	return denied ? -EACCES : -ENOENT;
}

char *path_normalize(const char *path)
{
	size_t len = strlen(path);
	char *out = ue_xmalloc(len + 2);
	size_t o = 0;
	const char *p = path;

	out[o++] = '/';
	while (*p) {
		const char *end;
		size_t n;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		end = strchrnul(p, '/');
		n = end - p;
		if (n == 1 && p[0] == '.') {
			/* nothing */
		} else if (n == 2 && p[0] == '.' && p[1] == '.') {
			while (o > 1 && out[o - 1] != '/')
				o--;
			if (o > 1)
				o--; /* the slash before the dropped component */
		} else {
			if (o > 1)
				out[o++] = '/';
			memcpy(out + o, p, n);
			o += n;
		}
		p = end;
	}
	out[o] = '\0';
	return out;
}

char *path_dirname(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash || slash == path)
		return ue_xstrdup("/");
	return strndup(path, slash - path) ?: ue_xstrdup("/");
}

char *path_host_absolute(const char *path)
{
	char *copy = ue_xstrdup(path);
	size_t len = strlen(copy);
	char *slash, *base, *dir, *real, *res;

	while (len > 1 && copy[len - 1] == '/')
		copy[--len] = '\0';
	slash = strrchr(copy, '/');
	if (!slash) {
		dir = ".";
		base = copy;
	} else if (slash == copy) {
		dir = "/";
		base = copy + 1;
	} else {
		*slash = '\0';
		dir = copy;
		base = slash + 1;
	}
	real = realpath(dir, NULL);
	if (!real) {
		int e = errno;
		free(copy);
		errno = e;
		return NULL;
	}
	if (!*base || !strcmp(base, ".") || !strcmp(base, "..")) {
		/* No name to keep: the whole path is a directory reference. */
		char *full = path_join(real, base);
		res = realpath(full, NULL);
		free(full);
	} else {
		res = path_join(real, base);
	}
	free(real);
	free(copy);
	return res;
}
