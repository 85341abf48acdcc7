// SPDX-License-Identifier: MIT
/*
 * User and group ids as Linux has them: started as root, forked children drop
 * privileges in the ways programs do (setuid/setgid/setgroups as nginx's worker,
 * seteuid and back, setreuid/setresuid swaps, setfsuid) and check after each
 * call the real/effective/saved/fs ids, /proc/self/status, the EPERM cases,
 * getgroups/setgroups, then what the ids are for: the owner of new files (and
 * set-group-ID directories), open/exec/search/create/unlink permission, sticky
 * directories, chmod/chown/utimensat rules, access() with the real ids,
 * set-user-ID programs and AT_SECURE, kill() permission (and kill(-1)), SO_PEERCRED,
 * SCM_CREDENTIALS and bind() of a port below 1024.  Must run as root, natively as in
 * UniELF.
 */
#define _GNU_SOURCE
#include "apptest.h"
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <signal.h>
#include <sys/auxv.h>
#include <sys/fsuid.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>

#ifndef SYS_faccessat2
#define SYS_faccessat2 439
#endif
#define NOID ((unsigned long)-1)

static char dir[256]; /* scratch, 0755 root */

/* ---- helpers ---- */

static unsigned fsuid_now(void)
{
	return (unsigned)syscall(SYS_setfsuid, NOID);
}

static unsigned fsgid_now(void)
{
	return (unsigned)syscall(SYS_setfsgid, NOID);
}

#define UIDS(r, e, s, f) check_ids(__LINE__, 0, r, e, s, f)
#define GIDS(r, e, s, f) check_ids(__LINE__, 1, r, e, s, f)

static void check_ids(int line, int gid, unsigned r, unsigned e, unsigned s, unsigned f)
{
	unsigned a, b, c, d;
	if (gid) {
		gid_t x, y, z;
		CHECK_OK(getresgid(&x, &y, &z));
		a = x, b = y, c = z, d = fsgid_now();
		CHECK(getgid() == a && getegid() == b, "line %d: getgid/getegid", line);
	} else {
		uid_t x, y, z;
		CHECK_OK(getresuid(&x, &y, &z));
		a = x, b = y, c = z, d = fsuid_now();
		CHECK(getuid() == a && geteuid() == b, "line %d: getuid/geteuid", line);
	}
	CHECK(a == r && b == e && c == s && d == f,
	      "line %d: %cids %u %u %u %u, expected %u %u %u %u", line, gid ? 'g' : 'u',
	      a, b, c, d, r, e, s, f);
}

/* The Uid:, Gid: or Groups: line of /proc/self/status, without "\n". */
static void status_line(const char *key, char *out, size_t size)
{
	char buf[8192];
	int fd = open("/proc/self/status", O_RDONLY);
	CHECK(fd >= 0, "open /proc/self/status");
	size_t n = app_read_full(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n] = 0;
	char want[32];
	snprintf(want, sizeof(want), "\n%s:", key);
	char *p = strstr(buf, want);
	CHECK(p, "status has %s", key);
	p++;
	char *e = strchr(p, '\n');
	CHECK(e && (size_t)(e - p) < size, "%s line", key);
	memcpy(out, p, (size_t)(e - p));
	out[e - p] = 0;
}

static void expect_status(const char *key, const char *want)
{
	char got[4096];
	status_line(key, got, sizeof(got));
	CHECK(!strcmp(got, want), "/proc/self/status: \"%s\", expected \"%s\"", got,
	      want);
}

static void set_groups(int n, const gid_t *g)
{
	CHECK_OK(setgroups((size_t)n, g));
}

/* What nginx's worker does: setgid, initgroups (setgroups), setuid. */
static void drop_to(uid_t uid, gid_t gid)
{
	CHECK_OK(setgid(gid));
	gid_t g = gid;
	set_groups(1, &g);
	CHECK_OK(setuid(uid));
}

static void run(const char *name, void (*fn)(void))
{
	fflush(stdout);
	pid_t p = fork();
	CHECK(p >= 0, "fork");
	if (p == 0) {
		fn();
		fflush(stdout);
		_exit(0);
	}
	int st;
	CHECK(waitpid(p, &st, 0) == p, "waitpid");
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s: the child failed (status %#x)",
	      name, st);
}

static char *at(const char *name)
{
	static char buf[4][PATH_MAX];
	static int k;
	char *b = buf[k++ & 3];
	snprintf(b, PATH_MAX, "%s/%s", dir, name);
	return b;
}

static void make_file(const char *name, mode_t mode, uid_t uid, gid_t gid)
{
	int fd = open(at(name), O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0, "create %s", name);
	app_write_all(fd, "secret\n", 7);
	close(fd);
	CHECK_OK(chown(at(name), uid, gid));
	CHECK_OK(chmod(at(name), mode));
}

static void make_dir(const char *name, mode_t mode, uid_t uid, gid_t gid)
{
	CHECK_OK(mkdir(at(name), 0700));
	CHECK_OK(chown(at(name), uid, gid));
	CHECK_OK(chmod(at(name), mode));
}

static void expect_owner(const char *path, uid_t uid, gid_t gid, mode_t mode)
{
	struct stat st;
	CHECK_OK(lstat(path, &st));
	CHECK(st.st_uid == uid && st.st_gid == gid && (st.st_mode & 07777) == mode,
	      "%s: owner %u:%u mode %o, expected %u:%u %o", path, (unsigned)st.st_uid,
	      (unsigned)st.st_gid, (unsigned)(st.st_mode & 07777), (unsigned)uid,
	      (unsigned)gid, (unsigned)mode);
}

/* ---- ids ---- */

static void t_groups(void)
{
	gid_t g[8];
	set_groups(0, NULL);
	CHECK(getgroups(0, NULL) == 0, "no groups after setgroups(0)");
	expect_status("Groups", "Groups:\t ");
	gid_t in[3] = {5, 3, 3};
	set_groups(3, in);
	CHECK(getgroups(0, NULL) == 3, "getgroups(0) counts");
	CHECK(getgroups(3, g) == 3 && g[0] == 3 && g[1] == 3 && g[2] == 5,
	      "getgroups: sorted, duplicates kept");
	CHECK_ERR(getgroups(2, g), EINVAL);
	CHECK_ERR(syscall(SYS_getgroups, -1, g), EINVAL);
	CHECK_ERR(syscall(SYS_getgroups, 3, 1UL), EFAULT);
	expect_status("Groups", "Groups:\t3 3 5 ");
	OK("setgroups/getgroups: count with size 0, sorted list, EINVAL when too small, "
	   "EFAULT");

	CHECK_ERR(syscall(SYS_setgroups, 65537, g), EINVAL);
	CHECK_ERR(syscall(SYS_setgroups, -1, g), EINVAL);
	CHECK_ERR(syscall(SYS_setgroups, 2, 1UL), EFAULT);
	gid_t bad[2] = {1, (gid_t)-1};
	CHECK_ERR(syscall(SYS_setgroups, 2, bad), EINVAL);
	CHECK(getgroups(0, NULL) == 3, "a failed setgroups changes nothing");
	static gid_t many[65536];
	for (int i = 0; i < 65536; i++)
		many[i] = (gid_t)(65535 - i) * 7;
	set_groups(65536, many);
	CHECK(getgroups(0, NULL) == 65536, "65536 groups");
	CHECK(getgroups(65536, many) == 65536 && many[0] == 0 && many[65535] == 65535 * 7,
	      "65536 groups come back sorted");
	OK("setgroups: EINVAL past NGROUPS_MAX (65536) and for gid -1, EFAULT; 65536 "
	   "groups");
}

static void t_setuid_root(void)
{
	CHECK_ERR(syscall(SYS_setuid, NOID), EINVAL);
	CHECK_ERR(syscall(SYS_setgid, NOID), EINVAL);
	CHECK(prctl(PR_GET_DUMPABLE) == 1, "dumpable as root");
	drop_to(1000, 1001);
	UIDS(1000, 1000, 1000, 1000);
	GIDS(1001, 1001, 1001, 1001);
	gid_t g[2];
	CHECK(getgroups(2, g) == 1 && g[0] == 1001, "groups kept by setuid");
	expect_status("Uid", "Uid:\t1000\t1000\t1000\t1000");
	expect_status("Gid", "Gid:\t1001\t1001\t1001\t1001");
	expect_status("Groups", "Groups:\t1001 ");
	OK("as root, setgid/setgroups/setuid set real, effective, saved and fs ids");

	CHECK(prctl(PR_GET_DUMPABLE) == 0, "not dumpable after setuid");
	CHECK_OK(prctl(PR_SET_DUMPABLE, 1));
	CHECK(prctl(PR_GET_DUMPABLE) == 1, "PR_SET_DUMPABLE");
	CHECK_ERR(prctl(PR_SET_DUMPABLE, 2), EINVAL);
	CHECK_ERR(setuid(0), EPERM);
	CHECK_ERR(setgid(0), EPERM);
	CHECK_ERR(setgroups(0, NULL), EPERM);
	CHECK_ERR(syscall(SYS_setresuid, NOID, 0, NOID), EPERM);
	CHECK_ERR(syscall(SYS_setreuid, 0, NOID), EPERM);
	CHECK_ERR(syscall(SYS_setregid, NOID, 0), EPERM);
	CHECK_OK(setuid(1000));
	CHECK_OK(setgid(1001));
	CHECK(syscall(SYS_setfsuid, 0) == 1000 && fsuid_now() == 1000,
	      "setfsuid(0) unprivileged: the old fsuid back, nothing changed");
	CHECK(syscall(SYS_setfsgid, 0) == 1001 && fsgid_now() == 1001, "setfsgid(0)");
	UIDS(1000, 1000, 1000, 1000);
	OK("then EPERM for setuid(0), setgid(0), setgroups, setresuid, setreuid, "
	   "setregid; "
	   "setuid to itself works; setfsuid fails silently; PR_SET_DUMPABLE");
}

static void t_seteuid(void)
{
	set_groups(0, NULL);
	/* seteuid as glibc and musl do it: setresuid(-1, e, -1) keeps the saved 0 */
	CHECK_OK(syscall(SYS_setresuid, NOID, 1000, NOID));
	UIDS(0, 1000, 0, 1000);
	expect_status("Uid", "Uid:\t0\t1000\t0\t1000");
	CHECK_ERR(setuid(2000), EPERM);
	CHECK_OK(syscall(SYS_setresuid, NOID, 0, NOID));
	UIDS(0, 0, 0, 0);
	OK("setresuid(-1, 1000, -1) keeps the saved uid 0, and back to 0");

	/* setreuid(-1, e): e differs from the real uid, so the saved uid follows it */
	CHECK_OK(syscall(SYS_setreuid, NOID, 1000));
	UIDS(0, 1000, 1000, 1000);
	CHECK_OK(syscall(SYS_setreuid, NOID, 0));
	UIDS(0, 0, 1000, 0); /* e == real uid: saved uid unchanged */
	CHECK_OK(syscall(SYS_setreuid, 2000, NOID));
	UIDS(2000, 0, 0, 0); /* real uid given: saved = effective */
	CHECK_OK(syscall(SYS_setreuid, 0, 0));
	UIDS(0, 0, 0, 0);
	OK("setreuid: the saved uid follows the effective one as Linux's rule says");

	/* swapping real and effective */
	CHECK_OK(syscall(SYS_setresuid, 1000, 2000, 0));
	UIDS(1000, 2000, 0, 2000);
	CHECK_OK(syscall(SYS_setreuid, 2000, 1000));
	UIDS(2000, 1000, 1000, 1000);
	CHECK_ERR(syscall(SYS_setreuid, 3000, NOID), EPERM);
	CHECK_ERR(syscall(SYS_setreuid, NOID, 0), EPERM); /* the saved 0 is gone */
	OK("setreuid swaps real and effective; EPERM for ids not held");
}

static void t_setres(void)
{
	set_groups(0, NULL);
	CHECK_OK(syscall(SYS_setresuid, 1000, 2000, 3000));
	UIDS(1000, 2000, 3000, 2000);
	CHECK_OK(syscall(SYS_setresuid, 3000, 1000, 2000)); /* a permutation */
	UIDS(3000, 1000, 2000, 1000);
	CHECK_ERR(syscall(SYS_setresuid, 4000, NOID, NOID), EPERM);
	CHECK_ERR(syscall(SYS_setresuid, NOID, NOID, 0), EPERM);
	CHECK_OK(setuid(2000)); /* unprivileged: effective (and fs) only */
	UIDS(3000, 2000, 2000, 2000);
	CHECK_ERR(setuid(1000), EPERM);
	OK("setresuid permutes held ids unprivileged; setuid sets effective and fs only");
}

static void t_gids(void)
{
	set_groups(0, NULL);
	CHECK_OK(syscall(SYS_setresgid, 10, 20, 30));
	GIDS(10, 20, 30, 20);
	CHECK_OK(syscall(SYS_setregid, NOID, 30));
	GIDS(10, 30, 30, 30);
	CHECK_OK(syscall(SYS_setregid, 30, 10));
	GIDS(30, 10, 10, 10);
	CHECK_OK(setgid(77)); /* still root: all four */
	GIDS(77, 77, 77, 77);
	CHECK_OK(syscall(SYS_setresgid, 1, 2, 3));
	CHECK_OK(setuid(1000));
	CHECK_OK(setgid(3)); /* unprivileged: real or saved */
	GIDS(1, 3, 3, 3);
	CHECK_ERR(setgid(2), EPERM);
	CHECK_ERR(syscall(SYS_setresgid, 9, NOID, NOID), EPERM);
	CHECK_ERR(syscall(SYS_setregid, 2, NOID), EPERM);
	CHECK_OK(syscall(SYS_setregid, 3, NOID));
	GIDS(3, 3, 3, 3);
	expect_status("Gid", "Gid:\t3\t3\t3\t3");
	OK("setresgid, setregid and setgid follow the same rules for groups");
}

static void t_fsuid(void)
{
	set_groups(0, NULL);
	CHECK(syscall(SYS_setfsuid, 1000) == 0, "setfsuid returns the old fsuid");
	CHECK(syscall(SYS_setfsgid, 1001) == 0, "setfsgid returns the old fsgid");
	UIDS(0, 0, 0, 1000);
	GIDS(0, 0, 0, 1001);
	expect_status("Uid", "Uid:\t0\t0\t0\t1000");
	int fd = open(at("open/fs-made"), O_WRONLY | O_CREAT | O_EXCL, 0644);
	CHECK(fd >= 0, "create as fsuid 1000");
	close(fd);
	expect_owner(at("open/fs-made"), 1000, 1001, 0644);
	CHECK_ERR(open(at("secret"), O_RDONLY), EACCES);
	OK("setfsuid: files are created and opened as the fs ids");

	/* a no-op setresuid leaves the fsuid; one naming the euid resets it */
	CHECK_OK(syscall(SYS_setresuid, NOID, NOID, NOID));
	UIDS(0, 0, 0, 1000);
	CHECK_OK(syscall(SYS_setresuid, NOID, 0, NOID));
	UIDS(0, 0, 0, 0);
	syscall(SYS_setfsuid, 1000);
	CHECK_OK(syscall(SYS_setreuid, NOID, NOID));
	UIDS(0, 0, 0, 0); /* setreuid always sets fsuid = euid */
	OK("the fsuid follows the euid on set*uid, except a setresuid that changes "
	   "nothing");

	/* the saved 0 lets the fsuid go back to 0, and with it DAC override */
	CHECK_OK(syscall(SYS_setresuid, 1000, 1000, 0));
	CHECK_ERR(open(at("secret"), O_RDONLY), EACCES);
	CHECK(syscall(SYS_setfsuid, 0) == 1000, "setfsuid(0) with the saved 0");
	UIDS(1000, 1000, 0, 0);
	fd = open(at("secret"), O_RDONLY);
	CHECK(fd >= 0, "fsuid 0 reads a 0600 root file");
	close(fd);
	CHECK_ERR(setuid(2000), EPERM); /* CAP_SETUID follows the euid */
	OK("fsuid 0 overrides file permissions even with euid 1000; CAP_SETUID does not");
}

/* ---- files ---- */

static void t_create(void)
{
	umask(022);
	drop_to(1000, 1000);
	int fd = open(at("open/made"), O_WRONLY | O_CREAT | O_EXCL, 0666);
	CHECK(fd >= 0, "create in a 0777 directory");
	close(fd);
	expect_owner(at("open/made"), 1000, 1000, 0644);
	CHECK_OK(mkdir(at("open/sub"), 0777));
	expect_owner(at("open/sub"), 1000, 1000, 0755);
	CHECK_OK(symlink("made", at("open/link")));
	struct stat st;
	CHECK_OK(lstat(at("open/link"), &st));
	CHECK(st.st_uid == 1000 && st.st_gid == 1000, "symlink owner");
	int p[2];
	CHECK_OK(pipe(p));
	CHECK_OK(fstat(p[0], &st));
	CHECK(st.st_uid == 1000 && st.st_gid == 1000, "pipe owner %u:%u",
	      (unsigned)st.st_uid, (unsigned)st.st_gid);
	OK("new files, directories, symlinks and pipes belong to the fs uid and gid");

	fd = open(at("sgid/f"), O_WRONLY | O_CREAT | O_EXCL, 02755);
	CHECK(fd >= 0, "create in a set-group-ID directory");
	close(fd);
	expect_owner(at("sgid/f"), 1000, 4242,
		     0755); /* not in group 4242: S_ISGID cleared */
	CHECK_OK(mkdir(at("sgid/d"), 0755));
	expect_owner(at("sgid/d"), 1000, 4242, 02755);
	OK("in a set-group-ID directory: its group, and the bit on new directories");

	fd = open(at("open/ro"), O_RDWR | O_CREAT | O_EXCL, 0444);
	CHECK(fd >= 0, "O_RDWR creating a 0444 file works");
	close(fd);
	CHECK_ERR(open(at("open/ro"), O_RDWR), EACCES);
	OK("the open that creates a read-only file may write it; the next may not");
}

static void t_open(void)
{
	drop_to(1000, 1000);
	CHECK_ERR(open(at("secret"), O_RDONLY), EACCES);
	CHECK_ERR(open(at("secret"), O_WRONLY), EACCES);
	int fd = open(at("public"), O_RDONLY);
	CHECK(fd >= 0, "read a 0644 root file");
	close(fd);
	CHECK_ERR(open(at("public"), O_WRONLY), EACCES);
	CHECK_ERR(open(at("public"), O_RDONLY | O_TRUNC), EACCES);
	CHECK_ERR(truncate(at("public"), 0), EACCES);
	CHECK_ERR(open(at("public"), O_RDONLY | O_NOATIME), EPERM);
	fd = open(at("groupread"), O_RDONLY); /* 0640 root:1000 */
	CHECK(fd >= 0, "group read");
	close(fd);
	CHECK_ERR(open(at("ownerless"), O_RDONLY), EACCES); /* 0077 1000:1000 */
	fd = open("/dev/null", O_RDWR);
	CHECK(fd >= 0, "/dev/null is 0666");
	close(fd);
	OK("open as uid 1000: EACCES on a 0600 root file, read-only 0644, group bits, "
	   "owner bits win over others");

	CHECK_ERR(stat(at("private/f"), &(struct stat){0}), EACCES);
	CHECK_ERR(open(at("private/f"), O_RDONLY), EACCES);
	CHECK_ERR(chdir(at("private")), EACCES);
	CHECK_ERR(open(at("private"), O_RDONLY | O_DIRECTORY), EACCES);
	fd = open(at("searchonly/f"), O_RDONLY); /* 0711 directory */
	CHECK(fd >= 0, "a file in a search-only directory");
	close(fd);
	CHECK_ERR(open(at("searchonly"), O_RDONLY | O_DIRECTORY), EACCES);
	fd = open(at("listonly"), O_RDONLY | O_DIRECTORY); /* 0744 directory */
	CHECK(fd >= 0, "a readable directory lists");
	close(fd);
	CHECK_ERR(stat(at("listonly/f"), &(struct stat){0}), EACCES);
	OK("directories: search permission to reach names, read permission to list them");

	CHECK_ERR(open(at("closed/new"), O_WRONLY | O_CREAT, 0644), EACCES);
	CHECK_ERR(mkdir(at("closed/new"), 0755), EACCES);
	CHECK_ERR(mkdir(at("closed/sub"), 0755), EEXIST); /* mkdir -p needs this */
	CHECK_ERR(unlink(at("closed/f")), EACCES);
	CHECK_ERR(rmdir(at("closed/sub")), EACCES);
	CHECK_ERR(rename(at("closed/f"), at("closed/g")), EACCES);
	CHECK_ERR(symlink("x", at("closed/l")), EACCES);
	fd = open(at("closed/f"), O_RDONLY | O_CREAT, 0644); /* exists: only read */
	CHECK(fd >= 0, "O_CREAT of an existing file needs no write on the directory");
	close(fd);
	OK("a 0755 root directory: no create, mkdir (EEXIST first), unlink, rmdir, "
	   "rename, "
	   "symlink");

	fd = open(at("sticky/mine"), O_WRONLY | O_CREAT | O_EXCL, 0644);
	CHECK(fd >= 0, "create in a sticky 1777 directory");
	close(fd);
	CHECK_ERR(unlink(at("sticky/roots")), EPERM);
	CHECK_ERR(rename(at("sticky/roots"), at("sticky/moved")), EPERM);
	CHECK_OK(rename(at("sticky/mine"), at("sticky/mine2")));
	CHECK_OK(unlink(at("sticky/mine2")));
	OK("a sticky directory: others' names are EPERM, one's own go");
}

static void t_attrs(void)
{
	drop_to(1000, 1000);
	CHECK_OK(chmod(at("open/mine"), 0600));
	CHECK_ERR(chmod(at("public"), 0666), EPERM);
	CHECK_ERR(chown(at("open/mine"), 2000, -1), EPERM);
	CHECK_ERR(chown(at("open/mine"), -1, 5), EPERM);
	CHECK_OK(chown(at("open/mine"), 1000, 1000));
	CHECK_OK(chown(at("open/mine"), -1, -1));
	CHECK_ERR(chown(at("public"), 1000, -1), EPERM);
	CHECK_OK(chmod(at("open/theirgroup"), 02755)); /* 1000:0: not our group */
	expect_owner(at("open/theirgroup"), 1000, 0, 0755);
	OK("chmod by the owner only; chown only to oneself and one's groups; S_ISGID "
	   "dropped outside the file's group");

	CHECK_OK(utimensat(AT_FDCWD, at("shared"), NULL, 0)); /* 0666 root: writable */
	struct timespec ts[2] = {{1, 0}, {2, 0}};
	CHECK_ERR(utimensat(AT_FDCWD, at("shared"), ts, 0), EPERM);
	CHECK_ERR(utimensat(AT_FDCWD, at("public"), NULL, 0), EACCES);
	CHECK_OK(utimensat(AT_FDCWD, at("open/mine"), ts, 0));
	struct timespec now[2] = {{0, UTIME_NOW}, {0, UTIME_NOW}};
	CHECK_OK(utimensat(AT_FDCWD, at("shared"), now, 0));
	struct timespec omit[2] = {{0, UTIME_OMIT}, {0, UTIME_OMIT}};
	CHECK_OK(utimensat(AT_FDCWD, at("public"), omit, 0));
	OK("utimensat: now with write permission, explicit times only by the owner");
}

static void t_access(void)
{
	set_groups(0, NULL);
	CHECK_OK(syscall(SYS_setresgid, 1000, 1000, 0));
	CHECK_OK(syscall(SYS_setresuid, 0, 1000, 0)); /* seteuid(1000) */
	CHECK_ERR(open(at("secret"), O_RDONLY), EACCES);
	CHECK_OK(access(at("secret"), R_OK | W_OK)); /* the real uid is 0 */
	CHECK_ERR(syscall(SYS_faccessat2, AT_FDCWD, at("secret"), R_OK, AT_EACCESS),
		  EACCES);
	CHECK_OK(access(at("private/f"), R_OK));
	CHECK_ERR(syscall(SYS_faccessat2, AT_FDCWD, at("private/f"), F_OK, AT_EACCESS),
		  EACCES);
	CHECK_ERR(access(at("public"), X_OK), EACCES); /* root needs an x bit */
	CHECK_OK(access(at("private"), X_OK));
	OK("access() with the real uid 0, AT_EACCESS with the effective 1000 (path "
	   "search included)");

	CHECK_OK(syscall(SYS_setresuid, 1000, 0, 0)); /* the other way round */
	CHECK_OK(syscall(SYS_setresgid, 1000, 0, 0));
	int fd = open(at("secret"), O_RDONLY);
	CHECK(fd >= 0, "euid 0 opens");
	close(fd);
	CHECK_ERR(access(at("secret"), R_OK), EACCES);
	CHECK_ERR(access(at("private/f"), F_OK), EACCES);
	CHECK_OK(access(at("public"), R_OK));
	CHECK_ERR(access(at("public"), W_OK), EACCES);
	CHECK_OK(
	    syscall(SYS_faccessat2, AT_FDCWD, at("secret"), R_OK | W_OK, AT_EACCESS));
	OK("access() with the real uid 1000 while the effective is 0");
}

/* ---- exec ---- */

static int exec_status(const char *path, const char *mode)
{
	fflush(stdout);
	pid_t p = fork();
	CHECK(p >= 0, "fork");
	if (p == 0) {
		char *argv[] = {(char *)path, (char *)mode, NULL};
		execv(path, argv);
		_exit(errno == EACCES ? 90 : 91);
	}
	int st;
	CHECK(waitpid(p, &st, 0) == p, "waitpid");
	CHECK(WIFEXITED(st), "exec child: status %#x", st);
	return WEXITSTATUS(st);
}

static void t_exec_root(void)
{
	CHECK(exec_status(at("prog-noexec"), "ids-0-0-0-0") == 90,
	      "root: no x bit, EACCES");
	CHECK(exec_status(at("prog-ownerx"), "ids-0-0-0-0") == 0,
	      "root: one x bit is enough");
	CHECK(exec_status(at("prog-suid"), "ids-0-0-0-0") == 0,
	      "root runs a set-uid root file");
	OK("root executes a file with any execute bit and no file without one");
}

static void t_exec_user(void)
{
	drop_to(1000, 1000);
	CHECK(exec_status(at("prog-root"), "") == 90, "0700 root: EACCES");
	CHECK(exec_status(at("prog-xonly"), "ids-1000-1000-1000-0") == 0,
	      "0711: executes without read permission");
	CHECK(exec_status(at("private/prog"), "") == 90, "in a 0700 directory: EACCES");
	CHECK(exec_status(at("prog-suid"), "ids-1000-0-0-1") == 0,
	      "set-user-ID root: euid 0, saved 0, AT_SECURE");
	CHECK(exec_status(at("prog-sgid"), "gids-1000-4242-4242-1") == 0,
	      "set-group-ID 4242: egid 4242, AT_SECURE");
	CHECK_OK(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
	CHECK(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1, "PR_GET_NO_NEW_PRIVS");
	CHECK(exec_status(at("prog-suid"), "ids-1000-1000-1000-0") == 0,
	      "no_new_privs: the set-user-ID bit is ignored");
	OK("exec as uid 1000: execute without read, search on the path, set-user-ID and "
	   "set-group-ID bits with AT_SECURE, ignored after PR_SET_NO_NEW_PRIVS");
}

/* Runs in the exec'd copy: "ids-R-E-S-SECURE" or "gids-R-E-S-SECURE". */
static int check_exec_ids(const char *spec)
{
	unsigned r, e, s, sec;
	int gid = !strncmp(spec, "gids-", 5);
	if (sscanf(spec + (gid ? 5 : 4), "%u-%u-%u-%u", &r, &e, &s, &sec) != 4)
		return 2;
	unsigned long secure = getauxval(AT_SECURE);
	if (gid) {
		gid_t a, b, c;
		getresgid(&a, &b, &c);
		return a == r && b == e && c == s && fsgid_now() == e && secure == sec
			   ? 0
			   : 3;
	}
	uid_t a, b, c;
	getresuid(&a, &b, &c);
	return a == r && b == e && c == s && fsuid_now() == e && secure == sec ? 0 : 3;
}

/* ---- signals and sockets ---- */

/* A child that takes these uids and waits to be killed. */
static pid_t sleeper(uid_t r, uid_t e, uid_t s)
{
	int ready[2];
	CHECK_OK(pipe(ready));
	fflush(stdout);
	pid_t p = fork();
	CHECK(p >= 0, "fork");
	if (p == 0) {
		if (syscall(SYS_setresuid, r, e, s))
			_exit(1);
		close(ready[1]);
		for (;;)
			pause();
	}
	close(ready[1]);
	char c;
	CHECK(read(ready[0], &c, 1) == 0, "the sleeper took its uids");
	close(ready[0]);
	return p;
}

static pid_t target1, target2;

static void t_kill(void)
{
	set_groups(0, NULL);
	CHECK_OK(syscall(SYS_setresuid, 2000, 2000, 2000));
	CHECK_ERR(kill(target1, 0), EPERM);
	CHECK_ERR(kill(target1, SIGTERM), EPERM);
	CHECK_ERR(syscall(SYS_tgkill, target1, target1, 0), EPERM);
	CHECK_OK(kill(target1, SIGCONT)); /* same session */
	CHECK_OK(kill(target2, 0));	  /* its saved uid is 2000 */
	CHECK_ERR(kill(getppid(), 0), EPERM);
	OK("kill as uid 2000: EPERM for another user's process (signal 0 and tgkill "
	   "too), "
	   "SIGCONT in the session, a saved uid that matches");
}

static void t_kill_real(void)
{
	set_groups(0, NULL);
	CHECK_OK(syscall(SYS_setresuid, 1000, 2000, 2000));
	CHECK_OK(kill(target1, 0)); /* real uid 1000 = target's */
	OK("kill: the sender's real uid counts too");
}

static volatile sig_atomic_t got_usr1;

static void on_usr1(int sig)
{
	got_usr1 = 1;
}

/* Regression: kill(-1, sig) signalled the caller too.  Linux signals every
 * process it may except pid 1 and the caller.  The uid is one no other
 * process has (the variants of this test run side by side natively). */
static void t_kill_all(void)
{
	uid_t u = 40000 + (uid_t)(getpid() % 20000);
	int ready[2];
	set_groups(0, NULL);
	CHECK_OK(pipe(ready));
	fflush(stdout);
	pid_t sib = fork();
	CHECK_OK(sib);
	if (sib == 0) {
		if (syscall(SYS_setresuid, u, u, u))
			_exit(1);
		close(ready[1]);
		for (;;)
			pause();
	}
	close(ready[1]);
	char c;
	CHECK(read(ready[0], &c, 1) == 0, "the sibling took its uid");
	close(ready[0]);
	CHECK_OK(syscall(SYS_setresuid, u, u, u));
	signal(SIGUSR1, on_usr1);
	CHECK_OK(kill(-1, SIGUSR1));
	CHECK(!got_usr1, "kill(-1) signalled the caller");
	int st;
	CHECK(waitpid(sib, &st, 0) == sib && WIFSIGNALED(st) && WTERMSIG(st) == SIGUSR1,
	      "kill(-1) did not signal the other process (status %#x)", st);
	OK("kill(-1): every process it may signal but itself (and init)");
}

/* bind(2) of fam/type to loopback:port; 0 or errno. */
static int try_bind(int fam, int type, int port)
{
	int fd = socket(fam, type, 0), r = 0;
	CHECK_OK(fd);
	struct sockaddr_in in = {.sin_family = AF_INET,
				 .sin_port = htons(port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	struct sockaddr_in6 in6 = {.sin6_family = AF_INET6,
				   .sin6_port = htons(port),
				   .sin6_addr = IN6ADDR_LOOPBACK_INIT};
	if (fam == AF_INET ? bind(fd, (struct sockaddr *)&in, sizeof(in))
			   : bind(fd, (struct sockaddr *)&in6, sizeof(in6)))
		r = errno;
	close(fd);
	return r;
}

/* Regression: any uid could bind a port below 1024.  Linux wants
 * CAP_NET_BIND_SERVICE (ip_unprivileged_port_start is 1024): the euid's. */
static void t_bind_privileged(void)
{
	set_groups(0, NULL);
	CHECK_OK(syscall(SYS_setresuid, 0, 65534, 0));
	CHECK(try_bind(AF_INET, SOCK_STREAM, 80) == EACCES, "tcp bind 80 as euid 65534");
	CHECK(try_bind(AF_INET, SOCK_DGRAM, 1023) == EACCES,
	      "udp bind 1023 as euid 65534");
	CHECK(try_bind(AF_INET6, SOCK_STREAM, 443) == EACCES,
	      "tcp6 bind 443 as euid 65534");
	CHECK(try_bind(AF_INET, SOCK_STREAM, 0) == 0, "tcp bind 0 as euid 65534");
	CHECK(try_bind(AF_INET, SOCK_DGRAM, 0) == 0, "udp bind 0 as euid 65534");
	OK("bind below port 1024 without euid 0: EACCES (port 0 still binds)");
}

static void t_sockets(void)
{
	set_groups(0, NULL);
	CHECK_OK(syscall(SYS_setresgid, 1001, 1002, 1002));
	CHECK_OK(syscall(SYS_setresuid, 1000, 2000, 2000));
	int sv[2];
	CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	struct ucred uc;
	socklen_t len = sizeof(uc);
	CHECK_OK(getsockopt(sv[0], SOL_SOCKET, SO_PEERCRED, &uc, &len));
	CHECK(uc.pid == getpid() && uc.uid == 2000 && uc.gid == 1002,
	      "SO_PEERCRED: the effective ids (%u %u)", (unsigned)uc.uid,
	      (unsigned)uc.gid);
	int one = 1;
	CHECK_OK(setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)));
	CHECK(write(sv[0], "x", 1) == 1, "write");
	char buf[8];
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(struct ucred))];
	} cm;
	struct iovec iov = {buf, sizeof(buf)};
	struct msghdr m = {.msg_iov = &iov,
			   .msg_iovlen = 1,
			   .msg_control = &cm,
			   .msg_controllen = sizeof(cm)};
	CHECK(recvmsg(sv[1], &m, 0) == 1, "recvmsg");
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	CHECK(c && c->cmsg_type == SCM_CREDENTIALS, "SCM_CREDENTIALS");
	memcpy(&uc, CMSG_DATA(c), sizeof(uc));
	CHECK(uc.pid == getpid() && uc.uid == 1000 && uc.gid == 1001,
	      "SCM_CREDENTIALS: the real ids (%u %u)", (unsigned)uc.uid,
	      (unsigned)uc.gid);

	struct ucred claim = {getpid(), 0, 1001};
	cm.h.cmsg_len = CMSG_LEN(sizeof(claim));
	cm.h.cmsg_level = SOL_SOCKET;
	cm.h.cmsg_type = SCM_CREDENTIALS;
	memcpy(CMSG_DATA(&cm.h), &claim, sizeof(claim));
	struct msghdr s = {.msg_iov = &iov,
			   .msg_iovlen = 1,
			   .msg_control = &cm,
			   .msg_controllen = CMSG_SPACE(sizeof(claim))};
	iov.iov_len = 1;
	CHECK_ERR(sendmsg(sv[0], &s, 0), EPERM);
	claim.uid = 2000; /* the effective uid may be claimed */
	memcpy(CMSG_DATA(&cm.h), &claim, sizeof(claim));
	CHECK(sendmsg(sv[0], &s, 0) == 1, "claiming one's effective uid");
	OK("SO_PEERCRED has the effective ids, SCM_CREDENTIALS the real ones; claiming "
	   "uid 0 is EPERM");

	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", at("sock"));
	CHECK_ERR(connect(fd, (struct sockaddr *)&a, sizeof(a)), EACCES);
	OK("connecting to a 0755 root socket file is EACCES");
}

/* ---- the scratch tree, made as root ---- */

static void copy_self(const char *name, mode_t mode, uid_t uid, gid_t gid)
{
	int in = open("/proc/self/exe", O_RDONLY);
	CHECK(in >= 0, "open /proc/self/exe");
	int out = open(at(name), O_WRONLY | O_CREAT | O_TRUNC, 0700);
	CHECK(out >= 0, "create %s", name);
	static char buf[65536];
	ssize_t n;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		app_write_all(out, buf, (size_t)n);
	CHECK(n == 0, "read /proc/self/exe");
	close(in);
	close(out);
	CHECK_OK(chown(at(name), uid, gid));
	CHECK_OK(chmod(at(name), mode)); /* after chown, which clears set-id bits */
}

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/unielf-credentials-%s-%d", APP_VARIANT,
		 (int)getpid());
	app_remove_tree(dir);
	CHECK_OK(mkdir(dir, 0755));
	CHECK_OK(chmod(dir, 0755));
	make_file("secret", 0600, 0, 0);
	make_file("public", 0644, 0, 0);
	make_file("shared", 0666, 0, 0);
	make_file("groupread", 0640, 0, 1000);
	make_file("ownerless", 0077, 1000, 1000);
	make_dir("private", 0700, 0, 0);
	make_file("private/f", 0644, 0, 0);
	make_dir("searchonly", 0711, 0, 0);
	make_file("searchonly/f", 0644, 0, 0);
	make_dir("listonly", 0744, 0, 0);
	make_file("listonly/f", 0644, 0, 0);
	make_dir("closed", 0755, 0, 0);
	make_file("closed/f", 0666, 0, 0);
	make_dir("closed/sub", 0755, 0, 0);
	make_dir("open", 0777, 0, 0);
	make_file("open/mine", 0644, 1000, 1000);
	make_file("open/theirgroup", 0644, 1000, 0);
	make_dir("sticky", 01777, 0, 0);
	make_file("sticky/roots", 0666, 0, 0);
	make_dir("sgid", 02777, 0, 4242);
	copy_self("prog-noexec", 0644, 0, 0);
	copy_self("prog-ownerx", 0100, 0, 0);
	copy_self("prog-root", 0700, 0, 0);
	copy_self("prog-xonly", 0711, 0, 0);
	copy_self("prog-suid", 04755, 0, 0);
	copy_self("prog-sgid", 02755, 0, 4242);
	copy_self("private/prog", 0755, 0, 0);

	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", at("sock"));
	CHECK_OK(bind(fd, (struct sockaddr *)&a, sizeof(a)));
	CHECK_OK(listen(fd, 1)); /* kept open: the children connect to it */
	CHECK_OK(chmod(at("sock"), 0755));
}

int main(int argc, char **argv)
{
	if (argc > 1) /* an exec'd copy: check the ids it was given */
		return argv[1][0] ? check_exec_ids(argv[1]) : 0;
	CHECK(getuid() == 0 && geteuid() == 0, "must run as root");
	umask(022);
	setup();

	run("groups", t_groups);
	run("setuid as root", t_setuid_root);
	run("seteuid", t_seteuid);
	run("setresuid", t_setres);
	run("gids", t_gids);
	run("setfsuid", t_fsuid);
	run("create", t_create);
	run("open", t_open);
	run("chmod/chown/utimensat", t_attrs);
	run("access", t_access);
	run("exec as root", t_exec_root);
	run("exec as 1000", t_exec_user);

	target1 = sleeper(1000, 1000, 1000); /* in our session */
	target2 = sleeper(3000, 3000, 2000);
	run("kill", t_kill);
	run("kill by the real uid", t_kill_real);
	run("kill(-1)", t_kill_all);
	CHECK_OK(kill(target1, SIGKILL));
	CHECK_OK(kill(target2, SIGKILL));
	CHECK(waitpid(target1, NULL, 0) == target1 &&
		  waitpid(target2, NULL, 0) == target2,
	      "reap the sleepers");
	OK("root signals anyone");

	run("sockets", t_sockets);
	run("bind a privileged port", t_bind_privileged);
	app_remove_tree(dir);
	return 0;
}
