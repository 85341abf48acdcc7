// SPDX-License-Identifier: MIT
/* Decides what goes into the initrd and where: the program with every symlink on
 * its path, --file trees, implicit parent directories and the .unielf launch
 * descriptor, each guest path once.  The byte format is cpio_write.c's; the
 * kernel's fs/cpio unpacks it into the ramfs at "/". */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "cpio_write.h"
#include "initrd.h"
#include "pathlookup.h"

#define MAX_SYMLINK_HOPS 40

enum { KIND_DIR = 'd', KIND_FILE = 'f', KIND_LINK = 'l' };

struct entry {
	char *path; /* guest path, absolute; NULL: free slot */
	char kind;
	char *src; /* host path it came from, NULL for implicit directories */
};

struct initrd {
	int fd;
	struct cpio_writer w;
	struct entry *tab; /* open addressing, power-of-two size */
	size_t cap, count;
	uint32_t now;
};

/* ---------------------------------------------------------------- options */

int initrd_parse_file_spec(const char *arg, char **host, char **guest)
{
	const char *colon = strchr(arg, ':');
	char *g;

	*host = NULL;
	*guest = NULL;
	if (!colon) {
		if (!*arg)
			return -EINVAL;
		*host = ue_xstrdup(arg);
		return 0;
	}
	if (colon == arg || !colon[1])
		return -EINVAL;
	g = path_normalize(colon + 1);
	if (!strcmp(g, "/.unielf") || !strncmp(g, "/.unielf/", 9)) {
		free(g);
		return -EINVAL;
	}
	*host = strndup(arg, colon - arg);
	if (!*host) {
		free(g);
		return -ENOMEM;
	}
	*guest = g;
	return 0;
}

static size_t name_len(const char *kv)
{
	return strchrnul(kv, '=') - kv;
}

void initrd_build_env(char *const *envs, size_t nenvs, const char *term,
		      struct ue_buf *out)
{
	char **list = ue_xcalloc(nenvs + 1, sizeof(*list));
	const char *defaults[3] = {"PATH=" UE_DEFAULT_PATH, "HOME=/", NULL};
	char *term_kv = term ? ue_xasprintf("TERM=%s", term) : NULL;
	size_t n = 0;

	defaults[2] = term_kv;
	for (size_t i = 0; i < nenvs; i++) {
		size_t nl = name_len(envs[i]);
		char *kv;

		if (envs[i][nl] == '=') {
			kv = ue_xstrdup(envs[i]);
		} else {
			const char *v = getenv(envs[i]);
			if (!v)
				continue;
			kv = ue_xasprintf("%s=%s", envs[i], v);
		}
		size_t j;
		for (j = 0; j < n; j++)
			if (name_len(list[j]) == nl && !strncmp(list[j], kv, nl))
				break;
		if (j < n) {
			free(list[j]);
			list[j] = kv;
		} else {
			list[n++] = kv;
		}
	}
	for (size_t d = 0; d < 3; d++) {
		size_t j;
		if (!defaults[d])
			continue;
		for (j = 0; j < n; j++)
			if (name_len(list[j]) == name_len(defaults[d]) &&
			    !strncmp(list[j], defaults[d], name_len(defaults[d])))
				break;
		if (j == n)
			ue_buf_addz(out, defaults[d]);
	}
	for (size_t j = 0; j < n; j++) {
		ue_buf_addz(out, list[j]);
		free(list[j]);
	}
	free(list);
	free(term_kv);
}

/* ---------------------------------------------------------------- path set */

static size_t hash(const char *s)
{
	size_t h = 1469598103934665603ull;
	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ull;
	return h;
}

static struct entry *slot(struct initrd *r, const char *path)
{
	size_t i = hash(path) & (r->cap - 1);

	while (r->tab[i].path && strcmp(r->tab[i].path, path))
		i = (i + 1) & (r->cap - 1);
	return &r->tab[i];
}

static void grow(struct initrd *r)
{
	struct entry *old = r->tab;
	size_t oldcap = r->cap;

	r->cap = oldcap ? oldcap * 2 : 256;
	r->tab = ue_xcalloc(r->cap, sizeof(*r->tab));
	for (size_t i = 0; i < oldcap; i++)
		if (old[i].path)
			*slot(r, old[i].path) = old[i];
	free(old);
}

static struct entry *lookup(struct initrd *r, const char *path)
{
	struct entry *e = slot(r, path);
	return e->path ? e : NULL;
}

/* Whether the kernel makes this directory before it unpacks the initrd
 * (kernel/fs/init.c, devfs.c): an entry for it would replace its mode, e.g.
 * /tmp's 1777 by 0755, so none is written. */
static bool made_at_boot(const char *guest)
{
	static const char *const dirs[] = {"/tmp", "/dev", "/dev/shm", "/proc"};

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (!strcmp(guest, dirs[i]))
			return true;
	return false;
}

/* Makes every proper ancestor of @guest a directory in the archive (plain
 * 0755, except the ones the kernel makes itself, which keep their mode). */
static int ensure_parents(struct initrd *r, const char *guest)
{
	char *p = ue_xstrdup(guest);
	int ret = 0;

	for (char *s = strchr(p + 1, '/'); s; s = strchr(s + 1, '/')) {
		struct entry *e;
		*s = '\0';
		e = lookup(r, p);
		if (e && e->kind != KIND_DIR) {
			ue_msg("%s: %s is not a directory in the guest", guest, p);
			ret = -1;
		} else if (!e) {
			if (2 * (r->count + 1) > r->cap)
				grow(r);
			e = slot(r, p);
			e->path = ue_xstrdup(p);
			e->kind = KIND_DIR;
			e->src = NULL;
			r->count++;
			if (!made_at_boot(p) &&
			    cpio_add_dir(&r->w, p + 1, 0755, r->now) < 0)
				ret = -1;
		}
		*s = '/';
		if (ret)
			break;
	}
	free(p);
	return ret;
}

/* Claims @guest for one entry.  Returns 1 when the entry must be written, 0 when
 * the same thing is already there, -1 (after a message) on a clash. */
static int claim(struct initrd *r, const char *guest, char kind, const char *src)
{
	struct entry *e;

	if (!strcmp(guest, "/"))
		return kind == KIND_DIR
			   ? 0
			   : (ue_msg("%s: cannot replace / in the guest", src), -1);
	e = lookup(r, guest);
	if (e) {
		if (e->kind == kind && (kind == KIND_DIR || !strcmp(e->src, src)))
			return 0;
		ue_msg("%s: %s is packed twice (also from %s)", src, guest,
		       e->src ? e->src : "a parent directory");
		return -1;
	}
	if (ensure_parents(r, guest) < 0)
		return -1;
	if (2 * (r->count + 1) > r->cap)
		grow(r);
	e = slot(r, guest);
	e->path = ue_xstrdup(guest);
	e->kind = kind;
	e->src = ue_xstrdup(src);
	r->count++;
	return 1;
}

static uint32_t mtime_of(const struct stat *st)
{
	return st->st_mtime < 0		   ? 0
	       : st->st_mtime > UINT32_MAX ? UINT32_MAX
					   : st->st_mtime;
}

static int writer_result(const char *what, int err)
{
	if (err < 0) {
		ue_msg("%s: %s", what, strerror(-err));
		return -1;
	}
	return 0;
}

/* ---------------------------------------------------------------- entries */

static int pack_file(struct initrd *r, const char *host, const char *guest)
{
	struct stat st;
	int fd, c, err;

	fd = open(host, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		ue_msg("%s: %s", host, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	c = claim(r, guest, KIND_FILE, host);
	if (c <= 0) {
		close(fd);
		return c;
	}
	err = cpio_add_file(&r->w, guest + 1, st.st_mode, mtime_of(&st), fd, st.st_size);
	close(fd);
	return writer_result(host, err);
}

static int pack_symlink(struct initrd *r, const char *host, const char *guest,
			const struct stat *st)
{
	char target[PATH_MAX];
	ssize_t n = readlink(host, target, sizeof(target) - 1);
	int c;

	if (n < 0) {
		ue_msg("%s: %s", host, strerror(errno));
		return -1;
	}
	target[n] = '\0';
	c = claim(r, guest, KIND_LINK, host);
	if (c <= 0)
		return c;
	return writer_result(host,
			     cpio_add_symlink(&r->w, guest + 1, target, mtime_of(st)));
}

static int pack_node(struct initrd *r, const char *host, const char *guest,
		     const struct stat *st);

static int pack_dir(struct initrd *r, const char *host, const char *guest,
		    const struct stat *st)
{
	struct dirent **names;
	int n, c, ret = 0;

	c = claim(r, guest, KIND_DIR, host);
	if (c < 0)
		return -1;
	if (c > 0 && writer_result(
			 host, cpio_add_dir(&r->w, guest + 1, st->st_mode, mtime_of(st))))
		return -1;
	n = scandir(host, &names, NULL, alphasort); /* sorted: reproducible archives */
	if (n < 0) {
		ue_msg("%s: %s", host, strerror(errno));
		return -1;
	}
	for (int i = 0; i < n; i++) {
		const char *name = names[i]->d_name;
		if (!ret && strcmp(name, ".") && strcmp(name, "..")) {
			char *h = path_join(host, name), *g = path_join(guest, name);
			struct stat cst;
			if (lstat(h, &cst) < 0) {
				ue_msg("%s: %s", h, strerror(errno));
				ret = -1;
			} else {
				ret = pack_node(r, h, g, &cst);
			}
			free(h);
			free(g);
		}
		free(names[i]);
	}
	free(names);
	return ret;
}

static int pack_node(struct initrd *r, const char *host, const char *guest,
		     const struct stat *st)
{
	if (S_ISDIR(st->st_mode))
		return pack_dir(r, host, guest, st);
	if (S_ISREG(st->st_mode))
		return pack_file(r, host, guest);
	if (S_ISLNK(st->st_mode))
		return pack_symlink(r, host, guest, st);
	ue_msg("%s: skipped: not a file, directory or symbolic link", host);
	return 0;
}

int initrd_add_tree(struct initrd *r, const char *host, const char *guest)
{
	struct stat st;

	/* The named path itself is followed; symlinks inside a tree are kept. */
	if (stat(host, &st) < 0) {
		ue_msg("%s: %s", host, strerror(errno));
		return -1;
	}
	return pack_node(r, host, guest, &st);
}

/* Walks @path one component at a time like the kernel would, packing every
 * symlink met as a symlink and continuing at its target, so the guest can
 * resolve the same name the same way; what it ends at is packed too (a
 * directory recursively). */
static int pack_resolved(struct initrd *r, const char *path, int hops)
{
	char *prefix = ue_xstrdup("");
	const char *p = path;
	int ret = -1;

	if (hops > MAX_SYMLINK_HOPS) {
		ue_msg("%s: %s", path, strerror(ELOOP));
		goto out;
	}
	while (*p) {
		const char *end;
		char *comp, *cand;
		struct stat st;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		end = strchrnul(p, '/');
		comp = strndup(p, end - p);
		if (!comp)
			goto out;
		p = end;
		if (!strcmp(comp, ".")) {
			free(comp);
			continue;
		}
		if (!strcmp(comp, "..")) {
			/* prefix is physical (symlink-free) here, so ".." is lexical */
			char *slash = strrchr(prefix, '/');
			if (slash)
				*slash = '\0';
			free(comp);
			continue;
		}
		cand = path_join(*prefix ? prefix : "/", comp);
		free(comp);
		if (lstat(cand, &st) < 0) {
			ue_msg("%s: %s", cand, strerror(errno));
			free(cand);
			goto out;
		}
		if (S_ISLNK(st.st_mode)) {
			char target[PATH_MAX];
			ssize_t n = readlink(cand, target, sizeof(target) - 1);
			char *next, *base;
			if (n < 0 || pack_symlink(r, cand, cand, &st) < 0) {
				if (n < 0)
					ue_msg("%s: %s", cand, strerror(errno));
				free(cand);
				goto out;
			}
			target[n] = '\0';
			base = target[0] == '/'
				   ? ue_xstrdup(target)
				   : path_join(*prefix ? prefix : "/", target);
			next = ue_xasprintf("%s%s", base, p);
			free(base);
			free(cand);
			ret = pack_resolved(r, next, hops + 1);
			free(next);
			goto out;
		}
		free(prefix);
		prefix = cand;
		if (!*p || !p[strspn(p, "/")]) {
			ret = pack_node(r, prefix, prefix, &st);
			goto out;
		}
		if (!S_ISDIR(st.st_mode)) {
			ue_msg("%s: %s", prefix, strerror(ENOTDIR));
			goto out;
		}
	}
	ret = 0; /* the path was "/" */
out:
	free(prefix);
	return ret;
}

int initrd_add_host_path(struct initrd *r, const char *abs)
{
	return pack_resolved(r, abs, 0);
}

bool initrd_contains(struct initrd *r, const char *guest)
{
	return lookup(r, guest) != NULL;
}

int initrd_add_dir(struct initrd *r, const char *guest)
{
	struct entry *e = lookup(r, guest);
	int c;

	if (!strcmp(guest, "/") || (e && e->kind == KIND_DIR))
		return 0;
	if (e) {
		ue_msg("%s: not a directory in the guest", guest);
		return -1;
	}
	c = claim(r, guest, KIND_DIR, guest);
	if (c <= 0 || made_at_boot(guest))
		return c < 0 ? c : 0;
	return writer_result(guest, cpio_add_dir(&r->w, guest + 1, 0755, r->now));
}

int initrd_add_data(struct initrd *r, const char *guest, unsigned mode, const void *data,
		    size_t len)
{
	int c;

	if (lookup(r, guest))
		return 0;
	c = claim(r, guest, KIND_FILE, guest);
	if (c > 0)
		c = writer_result(
		    guest, cpio_add_data(&r->w, guest + 1, mode, r->now, data, len));
	return c < 0 ? -1 : 0;
}

int initrd_add_descriptor(struct initrd *r, const char *name, const void *data,
			  size_t len)
{
	char *guest = ue_xasprintf("/.unielf/%s", name);
	int c = claim(r, guest, KIND_FILE, guest);

	if (c > 0)
		c = writer_result(
		    guest, cpio_add_data(&r->w, guest + 1, 0644, r->now, data, len));
	free(guest);
	return c < 0 ? -1 : 0;
}

/* ---------------------------------------------------------------- archive */

struct initrd *initrd_create(void)
{
	const char *dir = getenv("TMPDIR");
	struct initrd *r;
	char *tmpl;

	if (!dir || !*dir)
		dir = "/tmp";
	tmpl = path_join(dir, "unielf-initrd-XXXXXX");
	r = ue_xcalloc(1, sizeof(*r));
	r->fd = mkostemp(tmpl, O_CLOEXEC);
	if (r->fd < 0) {
		ue_msg("%s: %s", dir, strerror(errno));
		free(tmpl);
		free(r);
		return NULL;
	}
	/* Unlinked at once: QEMU opens it through /proc/self/fd, and no exit path,
	 * not even SIGKILL, can leave it behind. */
	unlink(tmpl);
	free(tmpl);
	r->now = (uint32_t)time(NULL);
	grow(r);
	cpio_writer_init(&r->w, r->fd);
	return r;
}

int initrd_finish(struct initrd *r)
{
	return writer_result("initrd", cpio_finish(&r->w));
}

int initrd_fd(const struct initrd *r)
{
	return r->fd;
}

unsigned long long initrd_size(const struct initrd *r)
{
	return r->w.offset;
}

void initrd_destroy(struct initrd *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->cap; i++) {
		free(r->tab[i].path);
		free(r->tab[i].src);
	}
	free(r->tab);
	close(r->fd);
	free(r);
}
