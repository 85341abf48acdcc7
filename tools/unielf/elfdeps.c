// SPDX-License-Identifier: MIT
/* Reads just enough of an x86_64 ELF file (program headers, the dynamic section
 * and its string table) to list the interpreter and DT_NEEDED libraries, then
 * resolves library names the way ld.so does.  run.c packs what this finds with
 * initrd.c; the kernel's loader is what actually maps it in the guest. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "elfdeps.h"
#include "pathlookup.h"
#include "unielf.h"

#define MAX_PHDRS      256
#define MAX_DYN	       4096
#define MAX_CONF_DEPTH 8
#define MAX_OBJECTS    1024

static const char *const default_dirs[] = {
    "/lib/x86_64-linux-gnu",
    "/usr/lib/x86_64-linux-gnu",
    "/lib64",
    "/usr/lib64",
    "/lib",
    "/usr/lib",
};

struct strlist {
	char **v;
	size_t n;
};

static void strlist_add(struct strlist *l, const char *s)
{
	l->v = ue_xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n++] = ue_xstrdup(s);
}

static bool strlist_has(const struct strlist *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i], s))
			return true;
	return false;
}

static void strlist_free(struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* ---------------------------------------------------------------- ELF reading */

struct object {
	char *interp;
	struct strlist needed;
	struct strlist runpath; /* DT_RUNPATH, or DT_RPATH when there is none */
};

static bool read_at(int fd, void *buf, size_t len, uint64_t off)
{
	return pread(fd, buf, len, off) == (ssize_t)len;
}

/* True when @fd holds a 64-bit little-endian x86_64 ELF header (in *eh). */
static bool is_x86_64_elf(int fd, Elf64_Ehdr *eh)
{
	return read_at(fd, eh, sizeof(*eh), 0) && !memcmp(eh->e_ident, ELFMAG, SELFMAG) &&
	       eh->e_ident[EI_CLASS] == ELFCLASS64 &&
	       eh->e_ident[EI_DATA] == ELFDATA2LSB && eh->e_machine == EM_X86_64 &&
	       eh->e_phentsize == sizeof(Elf64_Phdr) && eh->e_phnum <= MAX_PHDRS;
}

/* A NUL-terminated string at file offset @off (at most 4095 bytes); malloc'd. */
static char *read_str(int fd, uint64_t off)
{
	char buf[4096];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, off);

	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	if (strlen(buf) == (size_t)n)
		return NULL; /* unterminated */
	return ue_xstrdup(buf);
}

static bool vaddr_to_off(const Elf64_Phdr *ph, int n, uint64_t va, uint64_t *off)
{
	for (int i = 0; i < n; i++) {
		if (ph[i].p_type == PT_LOAD && va >= ph[i].p_vaddr &&
		    va - ph[i].p_vaddr < ph[i].p_filesz) {
			*off = ph[i].p_offset + (va - ph[i].p_vaddr);
			return true;
		}
	}
	return false;
}

static void split_path_list(struct strlist *l, const char *s, const char *origin)
{
	char *copy = ue_xstrdup(s), *save = NULL;

	for (char *tok = strtok_r(copy, ":", &save); tok;
	     tok = strtok_r(NULL, ":", &save)) {
		struct ue_buf b = {0};
		for (const char *p = tok; *p;) {
			if (!strncmp(p, "$ORIGIN", 7) || !strncmp(p, "${ORIGIN}", 9)) {
				ue_buf_addstr(&b, origin);
				p += p[1] == '{' ? 9 : 7;
			} else {
				ue_buf_add(&b, p++, 1);
			}
		}
		if (b.data && b.data[0] == '/')
			strlist_add(l, b.data);
		ue_buf_free(&b);
	}
	free(copy);
}

/* Reads interpreter, needed names and search path of the object at @path.
 * Returns false when it is not a 64-bit x86_64 ELF (or unreadable). */
static bool read_object(const char *path, struct object *o)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph[MAX_PHDRS];
	Elf64_Dyn *dyn = NULL;
	uint64_t strtab = 0, stroff, runpath = 0, rpath = 0;
	bool has_runpath = false, has_rpath = false;
	size_t ndyn = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	bool ok = false;

	memset(o, 0, sizeof(*o));
	if (fd < 0)
		return false;
	if (!is_x86_64_elf(fd, &eh) ||
	    !read_at(fd, ph, eh.e_phnum * sizeof(Elf64_Phdr), eh.e_phoff))
		goto out;
	ok = true;
	for (int i = 0; i < eh.e_phnum; i++) {
		if (ph[i].p_type == PT_INTERP && !o->interp)
			o->interp = read_str(fd, ph[i].p_offset);
		if (ph[i].p_type == PT_DYNAMIC && !dyn) {
			ndyn = ph[i].p_filesz / sizeof(Elf64_Dyn);
			if (ndyn > MAX_DYN)
				ndyn = MAX_DYN;
			dyn = ue_xcalloc(ndyn, sizeof(*dyn));
			if (!read_at(fd, dyn, ndyn * sizeof(*dyn), ph[i].p_offset))
				ndyn = 0;
		}
	}
	for (size_t i = 0; i < ndyn && dyn[i].d_tag != DT_NULL; i++) {
		if (dyn[i].d_tag == DT_STRTAB)
			strtab = dyn[i].d_un.d_ptr;
		else if (dyn[i].d_tag == DT_RUNPATH)
			has_runpath = true, runpath = dyn[i].d_un.d_val;
		else if (dyn[i].d_tag == DT_RPATH)
			has_rpath = true, rpath = dyn[i].d_un.d_val;
	}
	if (!strtab || !vaddr_to_off(ph, eh.e_phnum, strtab, &stroff))
		goto out;
	for (size_t i = 0; i < ndyn && dyn[i].d_tag != DT_NULL; i++) {
		if (dyn[i].d_tag == DT_NEEDED) {
			char *name = read_str(fd, stroff + dyn[i].d_un.d_val);
			if (name && !strlist_has(&o->needed, name))
				strlist_add(&o->needed, name);
			free(name);
		}
	}
	if (has_runpath || has_rpath) {
		char *s = read_str(fd, stroff + (has_runpath ? runpath : rpath));
		char *origin = path_dirname(path);
		if (s)
			split_path_list(&o->runpath, s, origin);
		free(s);
		free(origin);
	}
out:
	free(dyn);
	close(fd);
	return ok;
}

static void object_free(struct object *o)
{
	free(o->interp);
	strlist_free(&o->needed);
	strlist_free(&o->runpath);
}

/* ---------------------------------------------------------------- search path */

static void read_conf(struct strlist *dirs, const char *file, int depth)
{
	FILE *f = depth < MAX_CONF_DEPTH ? fopen(file, "re") : NULL;
	char line[4096];

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *s = line, *end;
		line[strcspn(line, "#\n")] = '\0';
		s += strspn(s, " \t");
		end = s + strlen(s);
		while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		if (!*s || !strncmp(s, "hwcap", 5))
			continue;
		if (!strncmp(s, "include", 7) && (s[7] == ' ' || s[7] == '\t')) {
			glob_t g;
			s += 7 + strspn(s + 7, " \t");
			if (glob(s, 0, NULL, &g) == 0) {
				for (size_t i = 0; i < g.gl_pathc; i++)
					read_conf(dirs, g.gl_pathv[i], depth + 1);
				globfree(&g);
			}
			continue;
		}
		if (*s == '/' && !strlist_has(dirs, s))
			strlist_add(dirs, s);
	}
	fclose(f);
}

static char *find_in(const struct strlist *dirs, const char *name)
{
	for (size_t i = 0; i < dirs->n; i++) {
		char *cand = path_join(dirs->v[i], name);
		int fd = open(cand, O_RDONLY | O_CLOEXEC);
		Elf64_Ehdr eh;
		bool ok = fd >= 0 && is_x86_64_elf(fd, &eh);
		if (fd >= 0)
			close(fd);
		if (ok)
			return cand;
		free(cand);
	}
	return NULL;
}

static char *find_library(const char *name, const struct object *from,
			  const struct strlist *system)
{
	char *p;

	if (strchr(name, '/'))
		return ue_xstrdup(name);
	p = find_in(&from->runpath, name);
	return p ? p : find_in(system, name);
}

/* ---------------------------------------------------------------- public */

int elfdeps_collect(const char *exe, struct elfdeps *d)
{
	struct strlist found = {0}, missing = {0}, system = {0};
	struct object o;
	size_t next = 0;
	char *interp = NULL;

	memset(d, 0, sizeof(*d));
	if (access(exe, R_OK) < 0)
		return -errno;
	if (!read_object(exe, &o))
		return 0; /* not an x86_64 ELF: the kernel will say so */
	if (!o.interp && !o.needed.n) {
		object_free(&o);
		return 0; /* static */
	}
	read_conf(&system, "/etc/ld.so.conf", 0);
	for (size_t i = 0; i < sizeof(default_dirs) / sizeof(default_dirs[0]); i++)
		if (!strlist_has(&system, default_dirs[i]))
			strlist_add(&system, default_dirs[i]);
	if (o.interp) {
		interp = ue_xstrdup(o.interp);
		strlist_add(&found, interp);
	}
	/* breadth first, like ld.so's load order; each object once */
	for (;;) {
		for (size_t i = 0; i < o.needed.n; i++) {
			char *lib = find_library(o.needed.v[i], &o, &system);
			if (!lib) {
				if (!strlist_has(&missing, o.needed.v[i]))
					strlist_add(&missing, o.needed.v[i]);
			} else if (!strlist_has(&found, lib) && found.n < MAX_OBJECTS) {
				strlist_add(&found, lib);
			}
			free(lib);
		}
		object_free(&o);
		/* the interpreter is packed but its own needs are its business */
		while (next < found.n && interp && !strcmp(found.v[next], interp))
			next++;
		if (next >= found.n)
			break;
		if (!read_object(found.v[next++], &o))
			memset(&o, 0, sizeof(o));
	}
	free(interp);
	strlist_free(&system);
	d->paths = found.v;
	d->n = found.n;
	d->missing = missing.v;
	d->nmissing = missing.n;
	return 0;
}

void elfdeps_free(struct elfdeps *d)
{
	struct strlist a = {d->paths, d->n}, b = {d->missing, d->nmissing};

	strlist_free(&a);
	strlist_free(&b);
	memset(d, 0, sizeof(*d));
}
