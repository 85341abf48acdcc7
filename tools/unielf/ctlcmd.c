// SPDX-License-Identifier: MIT
/* The subcommands that talk to a running VM: status, ps, spawn, kill, upgrade,
 * patch, revert and patches.  Each parses its command line, builds the request
 * fields (programs and their libraries as FILE fields at their guest paths),
 * runs one exchange through control.c and prints the reply. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "control.h"
#include "ctlcmd.h"
#include "elfdeps.h"
#include "initrd.h"
#include "pathlookup.h"

#define DEFAULT_TIMEOUT_MS 30000
#define DEFAULT_GRACE_MS   2000

struct cmd_opts {
	const char *cmd;
	const char *socket;
	struct ctl_key key;
	bool verbose;
	int timeout_ms; /* 0: default */
	char **files;
	size_t nfiles;
	char **envs;
	size_t nenvs;
	const char *cwd;
	long grace_ms, deadline_ms, pid; /* -1: not given */
	char **pos;			 /* positional arguments after SOCKET */
	int npos;
};

static void usage(FILE *f)
{
	fputs(
	    "Usage: unielf status   SOCKET\n"
	    "       unielf ps       SOCKET\n"
	    "       unielf spawn    SOCKET [--file HOST[:GUEST]]... [--env K=V]... "
	    "[--cwd DIR] PROGRAM [ARG]...\n"
	    "       unielf kill     SOCKET PID [SIGNAL]\n"
	    "       unielf upgrade  SOCKET [--grace MS] [--file HOST[:GUEST]]... "
	    "[--env K=V]... PROGRAM [ARG]...\n"
	    "       unielf patch    SOCKET [--pid PID] [--deadline MS] FIX.so\n"
	    "       unielf revert   SOCKET [--deadline MS] ID\n"
	    "       unielf patches  SOCKET [--pid PID]\n"
	    "\n"
	    "Talk to a VM started with 'unielf run --control SOCKET'.\n"
	    "\n"
	    "Options (all commands):\n"
	    "      --control-key FILE  the VM's key (its --control-key)\n"
	    "      --timeout SEC       give up when the VM stops reading the request or\n"
	    "                          has not replied SEC seconds after it (default\n"
	    "                          30; upgrade: grace + 30)\n"
	    "  -v, --verbose           show timings of the exchange\n"
	    "  -h, --help              show this help and exit\n"
	    "\n"
	    "PROGRAM without a slash is looked up in PATH; it, its interpreter and its\n"
	    "libraries are sent at their host paths, --file trees where asked.\n"
	    "SIGNAL is a number or a name (TERM, SIGTERM; default TERM).\n"
	    "\n"
	    "Exit status: 0 done, 1 the VM refused (its reason is printed), 125 bad\n"
	    "usage, no connection or a broken reply.\n",
	    f);
}

static int bad_usage(const char *cmd, const char *fmt, const char *arg)
{
	fputs("unielf: ", stderr);
	if (cmd)
		fprintf(stderr, "%s: ", cmd);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'unielf %s --help'.\n", cmd ? cmd : "status");
	return UE_EXIT_FAILURE;
}

static char **push(char **v, size_t *n, char *s)
{
	v = ue_xrealloc(v, (*n + 1) * sizeof(*v));
	v[(*n)++] = s;
	return v;
}

static long parse_num(const char *s, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0 || v > max)
		return -1;
	return v;
}

enum {
	OPT_KEY = 0x100,
	OPT_TIMEOUT,
	OPT_CWD,
	OPT_GRACE,
	OPT_PID,
	OPT_DEADLINE,
};

/* Which options a command takes. */
#define O_FILES	   1
#define O_CWD	   2
#define O_GRACE	   4
#define O_PID	   8
#define O_DEADLINE 16

static unsigned cmd_options(const char *cmd)
{
	if (!strcmp(cmd, "spawn"))
		return O_FILES | O_CWD;
	if (!strcmp(cmd, "upgrade"))
		return O_FILES | O_GRACE;
	if (!strcmp(cmd, "patch"))
		return O_PID | O_DEADLINE;
	if (!strcmp(cmd, "revert"))
		return O_DEADLINE;
	if (!strcmp(cmd, "patches"))
		return O_PID;
	return 0;
}

/* Options may come before and after SOCKET; for spawn and upgrade they end at
 * PROGRAM (its own options are its own).  Returns -1 to go on or an exit status. */
static int parse(int argc, char **argv, struct cmd_opts *o)
{
	static const struct option longopts[] = {
	    {"control-key", required_argument, NULL, OPT_KEY},
	    {"timeout", required_argument, NULL, OPT_TIMEOUT},
	    {"verbose", no_argument, NULL, 'v'},
	    {"help", no_argument, NULL, 'h'},
	    {"file", required_argument, NULL, 'f'},
	    {"env", required_argument, NULL, 'e'},
	    {"cwd", required_argument, NULL, OPT_CWD},
	    {"grace", required_argument, NULL, OPT_GRACE},
	    {"pid", required_argument, NULL, OPT_PID},
	    {"deadline", required_argument, NULL, OPT_DEADLINE},
	    {NULL, 0, NULL, 0},
	};
	unsigned allowed = cmd_options(argv[0]);
	bool takes_program = allowed & O_FILES;
	char why[512];
	int c;

	memset(o, 0, sizeof(*o));
	o->cmd = argv[0];
	o->grace_ms = o->deadline_ms = o->pid = -1;
	o->pos = ue_xcalloc(argc + 1, sizeof(*o->pos));
	optind = 0;
	for (;;) {
		c = getopt_long(argc, argv, "+vhf:e:", longopts, NULL);
		if (c == -1) {
			if (optind >= argc)
				break;
			if (!strcmp(argv[optind - 1], "--")) {
				/* everything after "--" is positional */
				while (optind < argc)
					o->pos[o->npos++] = argv[optind++];
				break;
			}
			if (!o->socket) {
				o->socket = argv[optind++];
				continue;
			}
			if (takes_program) {
				while (optind < argc)
					o->pos[o->npos++] = argv[optind++];
				break;
			}
			o->pos[o->npos++] = argv[optind++];
			continue;
		}
		switch (c) {
		case OPT_KEY:
			if (ctl_key_load(optarg, &o->key, why, sizeof(why)) < 0)
				return bad_usage(o->cmd, "--control-key %s", why);
			break;
		case OPT_TIMEOUT: {
			long v = parse_num(optarg, 86400);
			if (v <= 0)
				return bad_usage(o->cmd, "--timeout %s: expected seconds",
						 optarg);
			o->timeout_ms = (int)(v * 1000);
			break;
		}
		case 'v':
			o->verbose = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'f':
		case 'e':
			if (!(allowed & O_FILES))
				goto not_here;
			if (c == 'e' && (optarg[0] == '=' || !optarg[0]))
				return bad_usage(o->cmd, "--env %s: expected NAME=VALUE",
						 optarg);
			if (c == 'f')
				o->files = push(o->files, &o->nfiles, optarg);
			else
				o->envs = push(o->envs, &o->nenvs, optarg);
			break;
		case OPT_CWD:
			if (!(allowed & O_CWD))
				goto not_here;
			o->cwd = optarg;
			break;
		case OPT_GRACE:
			if (!(allowed & O_GRACE))
				goto not_here;
			if ((o->grace_ms = parse_num(optarg, 3600000)) < 0)
				return bad_usage(
				    o->cmd, "--grace %s: expected milliseconds", optarg);
			break;
		case OPT_PID:
			if (!(allowed & O_PID))
				goto not_here;
			if ((o->pid = parse_num(optarg, UINT32_MAX)) < 0)
				return bad_usage(o->cmd, "--pid %s: expected a pid",
						 optarg);
			break;
		case OPT_DEADLINE:
			if (!(allowed & O_DEADLINE))
				goto not_here;
			if ((o->deadline_ms = parse_num(optarg, 3600000)) < 0)
				return bad_usage(o->cmd,
						 "--deadline %s: expected milliseconds",
						 optarg);
			break;
		default:
			fprintf(stderr, "Try 'unielf %s --help'.\n", o->cmd);
			return UE_EXIT_FAILURE;
		}
		continue;
	not_here:
		return bad_usage(o->cmd, "%s: not an option of this command",
				 argv[optind - 1]);
	}
	if (!o->socket)
		return bad_usage(o->cmd, "missing SOCKET%s", "");
	return -1;
}

/* ---------------------------------------------------------------- files */

static int read_whole(const char *path, struct ue_buf *b)
{
	char buf[65536];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			int e = errno;
			if (e == EINTR)
				continue;
			close(fd);
			return -e;
		}
		ue_buf_add(b, buf, n);
	}
	close(fd);
	return 0;
}

/* The guest paths already in the request, so each is sent once. */
struct sent {
	char **paths;
	size_t n;
};

static bool already_sent(struct sent *s, const char *guest)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->paths[i], guest))
			return true;
	return false;
}

/* Sends host file @host (symlinks followed) at @guest.  0, or -1 after a message. */
static int add_file(struct ue_buf *p, struct sent *s, const char *host, const char *guest,
		    bool verbose)
{
	struct ue_buf data = {0};
	struct stat st;
	int e;

	if (already_sent(s, guest))
		return 0;
	if (stat(host, &st) < 0) {
		ue_msg("%s: %s", host, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		ue_msg("%s: not a regular file, skipped", host);
		return 0;
	}
	e = read_whole(host, &data);
	if (e < 0) {
		ue_msg("%s: %s", host, strerror(-e));
		return -1;
	}
	if (verbose)
		ue_msg("sending %s (%zu bytes) as %s", host, data.len, guest);
	ctl_add_file(p, st.st_mode & 07777, guest, data.data, data.len);
	ue_buf_free(&data);
	s->paths = push(s->paths, &s->n, ue_xstrdup(guest));
	return 0;
}

/* A file, or a directory's regular files recursively (symlinks followed). */
static int add_tree(struct ue_buf *p, struct sent *s, const char *host, const char *guest,
		    bool verbose, int depth)
{
	struct stat st;
	DIR *d;
	struct dirent *de;
	int err = 0;

	if (stat(host, &st) < 0) {
		ue_msg("%s: %s", host, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return add_file(p, s, host, guest, verbose);
	if (depth > 32) {
		ue_msg("%s: directories nested too deep", host);
		return -1;
	}
	d = opendir(host);
	if (!d) {
		ue_msg("%s: %s", host, strerror(errno));
		return -1;
	}
	while (!err && (de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		char *h = path_join(host, de->d_name), *g = path_join(guest, de->d_name);
		err = add_tree(p, s, h, g, verbose, depth + 1);
		free(h);
		free(g);
	}
	closedir(d);
	return err;
}

static char *absolute(const char *path)
{
	char *cwd, *joined, *abs;

	if (path[0] == '/')
		return path_normalize(path);
	cwd = getcwd(NULL, 0);
	joined = path_join(cwd ? cwd : "/", path);
	abs = path_normalize(joined);
	free(cwd);
	free(joined);
	return abs;
}

/* PROGRAM (looked up in PATH), the --file trees, the interpreter and libraries,
 * ARGs (argv[0] as typed), EXE and ENVs.  Returns -1 to go on or an exit status. */
static int add_program(const struct cmd_opts *o, struct ue_buf *p)
{
	struct sent s = {0};
	struct elfdeps d;
	char *found = NULL, *exe = NULL;
	struct ue_buf env = {0};
	int err, status = UE_EXIT_FAILURE;

	if (o->npos < 1)
		return bad_usage(o->cmd, "missing PROGRAM%s", "");
	err = path_lookup(o->pos[0], getenv("PATH"), &found);
	if (err == -ENOENT) {
		ue_msg("%s: not found", o->pos[0]);
		return UE_EXIT_NOTFOUND;
	}
	if (err < 0) {
		ue_msg("%s: %s", o->pos[0], strerror(-err));
		return UE_EXIT_NOEXEC;
	}
	exe = path_host_absolute(found);
	if (!exe) {
		ue_msg("%s: %s", found, strerror(errno));
		goto out;
	}
	/* --file first: what the user names at a path wins */
	for (size_t i = 0; i < o->nfiles; i++) {
		char *host, *guest;
		if (initrd_parse_file_spec(o->files[i], &host, &guest) < 0) {
			ue_msg("--file %s: expected HOST[:GUEST] with GUEST outside "
			       "/.unielf",
			       o->files[i]);
			goto out;
		}
		if (!guest)
			guest = absolute(host);
		err = add_tree(p, &s, host, guest, o->verbose, 0);
		free(host);
		free(guest);
		if (err)
			goto out;
	}
	if (add_file(p, &s, exe, exe, o->verbose))
		goto out;
	err = elfdeps_collect(exe, &d);
	if (err < 0) {
		ue_msg("%s: %s", exe, strerror(-err));
		goto out;
	}
	for (size_t i = 0; i < d.n && !err; i++) {
		char *abs = absolute(d.paths[i]);
		err = add_file(p, &s, abs, abs, o->verbose);
		free(abs);
	}
	for (size_t i = 0; i < d.nmissing && o->verbose; i++)
		ue_msg("%s: needed by %s, not found on the host", d.missing[i], exe);
	if (!err && d.n && access("/etc/ld.so.cache", R_OK) == 0)
		err = add_file(p, &s, "/etc/ld.so.cache", "/etc/ld.so.cache", o->verbose);
	elfdeps_free(&d);
	if (err)
		goto out;
	ctl_add_str(p, CTL_EXE, exe);
	for (int i = 0; i < o->npos; i++)
		ctl_add_str(p, CTL_ARG, o->pos[i]);
	initrd_build_env(o->envs, o->nenvs, NULL, &env);
	for (size_t off = 0; off < env.len; off += strlen(env.data + off) + 1)
		ctl_add_str(p, CTL_ENV, env.data + off);
	status = -1;
out:
	for (size_t i = 0; i < s.n; i++)
		free(s.paths[i]);
	free(s.paths);
	ue_buf_free(&env);
	free(exe);
	free(found);
	return status;
}

/* ---------------------------------------------------------------- commands */

static void print_text(const char *t)
{
	size_t n = strlen(t);

	fputs(t, stdout);
	if (n && t[n - 1] != '\n')
		fputc('\n', stdout);
}

/* Builds the request of o->cmd; returns -1 to go on or an exit status. */
static int build(const struct cmd_opts *o, uint8_t *type, struct ue_buf *p)
{
	const char *c = o->cmd;
	int r;

	if (!strcmp(c, "status") || !strcmp(c, "ps")) {
		*type = c[0] == 's' ? CTL_STATUS : CTL_PS;
		if (o->npos)
			return bad_usage(c, "%s: unexpected argument", o->pos[0]);
		return -1;
	}
	if (!strcmp(c, "spawn") || !strcmp(c, "upgrade")) {
		*type = c[0] == 's' ? CTL_SPAWN : CTL_UPGRADE;
		r = add_program(o, p);
		if (r >= 0)
			return r;
		if (o->cwd)
			ctl_add_str(p, CTL_CWD, o->cwd);
		if (o->grace_ms >= 0)
			ctl_add_u32(p, CTL_GRACE_MS, (uint32_t)o->grace_ms);
		return -1;
	}
	if (!strcmp(c, "kill")) {
		long pid;
		int sig = 15;
		*type = CTL_KILL;
		if (o->npos < 1 || o->npos > 2)
			return bad_usage(c, "expected PID [SIGNAL]%s", "");
		if ((pid = parse_num(o->pos[0], UINT32_MAX)) < 0)
			return bad_usage(c, "%s: not a pid", o->pos[0]);
		if (o->npos == 2 && (sig = ctl_parse_signal(o->pos[1])) < 0)
			return bad_usage(c, "%s: not a signal", o->pos[1]);
		ctl_add_u32(p, CTL_PID, (uint32_t)pid);
		ctl_add_u32(p, CTL_SIGNAL, (uint32_t)sig);
		return -1;
	}
	if (!strcmp(c, "patch")) {
		struct ue_buf data = {0};
		struct stat st;
		char *base, *guest;
		*type = CTL_PATCH;
		if (o->npos != 1)
			return bad_usage(c, "expected one FIX.so%s", "");
		if (stat(o->pos[0], &st) < 0) {
			ue_msg("%s: %s", o->pos[0], strerror(errno));
			return UE_EXIT_FAILURE;
		}
		if (!S_ISREG(st.st_mode)) {
			ue_msg("%s: not a regular file", o->pos[0]);
			return UE_EXIT_FAILURE;
		}
		if ((r = read_whole(o->pos[0], &data)) < 0) {
			ue_msg("%s: %s", o->pos[0], strerror(-r));
			return UE_EXIT_FAILURE;
		}
		base = strrchr(o->pos[0], '/');
		base = base ? base + 1 : o->pos[0];
		guest = ue_xasprintf("/.unielf-patches/%s", base);
		ctl_add_file(p, st.st_mode & 0777, guest, data.data, data.len);
		free(guest);
		ue_buf_free(&data);
		if (o->pid >= 0)
			ctl_add_u32(p, CTL_PID, (uint32_t)o->pid);
		if (o->deadline_ms >= 0)
			ctl_add_u32(p, CTL_DEADLINE_MS, (uint32_t)o->deadline_ms);
		return -1;
	}
	if (!strcmp(c, "revert")) {
		long id;
		*type = CTL_REVERT;
		if (o->npos != 1)
			return bad_usage(c, "expected one patch ID%s", "");
		if ((id = parse_num(o->pos[0], UINT32_MAX)) < 0)
			return bad_usage(c, "%s: not a patch id", o->pos[0]);
		ctl_add_u32(p, CTL_PATCH_ID, (uint32_t)id);
		if (o->deadline_ms >= 0)
			ctl_add_u32(p, CTL_DEADLINE_MS, (uint32_t)o->deadline_ms);
		return -1;
	}
	/* patches */
	*type = CTL_PATCHES;
	if (o->npos)
		return bad_usage(c, "%s: unexpected argument", o->pos[0]);
	if (o->pid >= 0)
		ctl_add_u32(p, CTL_PID, (uint32_t)o->pid);
	return -1;
}

/* Prints a successful reply the way the command shows it. */
static int show(const struct cmd_opts *o, const struct ctl_reply *r)
{
	char *text = ctl_reply_text(r);
	uint32_t v;

	switch (r->type) {
	case CTL_SPAWN:
		if (!ctl_reply_u32(r, CTL_PID, &v)) {
			ue_msg("%s: the reply carries no pid", o->socket);
			free(text);
			return UE_EXIT_FAILURE;
		}
		printf("%u\n", v);
		break;
	case CTL_PATCH:
		if (!ctl_reply_u32(r, CTL_PATCH_ID, &v)) {
			ue_msg("%s: the reply carries no patch id", o->socket);
			free(text);
			return UE_EXIT_FAILURE;
		}
		printf("patch %u\n", v);
		print_text(text);
		break;
	default:
		print_text(text);
		break;
	}
	free(text);
	return fflush(stdout) == 0 ? 0 : UE_EXIT_FAILURE;
}

bool ctlcmd_is_command(const char *name)
{
	static const char *const cmds[] = {"status",  "ps",    "spawn",	 "kill",
					   "upgrade", "patch", "revert", "patches"};
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(name, cmds[i]))
			return true;
	return false;
}

int ctlcmd_main(int argc, char **argv)
{
	struct cmd_opts o;
	struct ue_buf payload = {0}, frame = {0};
	struct ctl_reply r;
	uint8_t type = 0;
	int status = parse(argc, argv, &o);

	if (status < 0)
		status = build(&o, &type, &payload);
	if (status < 0) {
		int timeout = o.timeout_ms;
		if (!timeout) {
			timeout = DEFAULT_TIMEOUT_MS;
			if (type == CTL_UPGRADE)
				timeout +=
				    o.grace_ms >= 0 ? o.grace_ms : DEFAULT_GRACE_MS;
			if (type == CTL_PATCH || type == CTL_REVERT)
				timeout += o.deadline_ms >= 0 ? o.deadline_ms : 1000;
		}
		struct ctl_exchange x = {
		    .socket = o.socket,
		    .key = &o.key,
		    .timeout_ms = timeout,
		    .verbose = o.verbose,
		};
		if (o.verbose)
			ue_msg("%s: %zu-byte request, timeout %d ms", o.cmd, payload.len,
			       timeout);
		if (ctl_request(&x, type, &payload, &frame, &r) < 0) {
			status = UE_EXIT_FAILURE;
		} else if (r.flags & CTL_F_ERROR) {
			char *t = ctl_reply_text(&r);
			ue_msg("%s", *t ? t : "the VM refused the request");
			free(t);
			status = CTL_EXIT_REFUSED;
		} else {
			status = show(&o, &r);
		}
	}
	ue_buf_free(&payload);
	ue_buf_free(&frame);
	free(o.files);
	free(o.envs);
	free(o.pos);
	return status;
}
