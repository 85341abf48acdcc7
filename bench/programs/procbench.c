// SPDX-License-Identifier: MIT
/* Process, thread and signal micro-benchmarks: the same static binary in UniELF
 * and in the Linux guest (ubench.c holds the syscall, compute and file ones).
 * Each measure runs many iterations, times them with clock_gettime(CLOCK_MONOTONIC)
 * and prints one line per repetition, in ubench's format:
 *
 *   BENCH <name> rep=<i> value=<number> unit=<unit>
 *
 * Usage: procbench [MEASURE|all] [reps]
 * The tiny program is /bin/tiny (PROCBENCH_TINY=PATH overrides, for a native trial).
 *   fork     fork + _exit(0) in the child + waitpid             -> us per iteration
 *   vfork    vfork + execve /bin/tiny + waitpid                 -> us
 *   spawn    posix_spawn /bin/tiny + waitpid                    -> us
 *   pingpong 1-byte round trips over two pipes, parent <-> child -> round trips/s
 *   pipe     64 KiB writes through a pipe to a reading child    -> MiB/s
 *   thread   pthread_create + pthread_join                      -> us
 *   futex    futex wait/wake ping-pong between two threads      -> round trips/s
 *   signal   kill(self, SIGUSR1) caught by a handler            -> us
 * Every iteration checks its result (exit status, byte, counter); a failure prints
 * "BENCH-ERROR <measure>: <why>" and abandons that measure (never timed), and the
 * next one still runs, so one missing kernel feature costs one row.  The exit
 * status is 1 when any measure failed. */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *tiny = "/bin/tiny";

/* From <linux/futex.h>, which musl-gcc does not see. */
#define FUTEX_WAIT	   0
#define FUTEX_WAKE	   1
#define FUTEX_PRIVATE_FLAG 128

/* Iterations per repetition: each measure takes a few tenths of a second in the
 * Linux guest under TCG, long enough that the clock's resolution and one-off
 * costs (first fault of a page) do not matter, short enough that ten boots per
 * guest fit in make bench's time. */
#define FORK_ITERS     200
#define EXEC_ITERS     100
#define PINGPONG_ITERS 4000
#define PIPE_MIB       16
#define PIPE_CHUNK     (64 * 1024)
#define THREAD_ITERS   400
#define FUTEX_ITERS    8000
#define SIGNAL_ITERS   5000

extern char **environ;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void report(const char *name, int rep, double value, const char *unit)
{
	printf("BENCH %s rep=%d value=%.3f unit=%s\n", name, rep, value, unit);
	fflush(stdout);
}

static jmp_buf abandon; /* back to main(), to go on with the next measure */
static pid_t main_tid;

/* Abandons the current measure.  Only the main thread can jump back to main();
 * another thread (the futex partner) ends the whole program. */
static _Noreturn void fail(const char *what, const char *why)
{
	printf("BENCH-ERROR %s: %s (errno %d)\n", what, why, errno);
	fflush(stdout);
	if (syscall(SYS_gettid) != main_tid)
		exit(1);
	longjmp(abandon, 1);
}

/* Waits for pid and fails the measure unless it exited with status 0. */
static void reap_ok(const char *what, pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) != pid)
		fail(what, "waitpid");
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		fail(what, "child did not exit 0");
}

static void bench_fork(int rep)
{
	double t0 = now_s();

	for (int i = 0; i < FORK_ITERS; i++) {
		pid_t pid = fork();

		if (pid == 0)
			_exit(0);
		if (pid < 0)
			fail("fork", "fork");
		reap_ok("fork", pid);
	}
	report("proc_fork", rep, (now_s() - t0) * 1e6 / FORK_ITERS, "us");
}

static void bench_vfork(int rep)
{
	char *argv[] = {(char *)tiny, NULL};
	double t0 = now_s();

	for (int i = 0; i < EXEC_ITERS; i++) {
		pid_t pid = vfork();

		if (pid == 0) {
			execve(tiny, argv, environ);
			_exit(127);
		}
		if (pid < 0)
			fail("vfork", "vfork");
		reap_ok("vfork", pid);
	}
	report("proc_vfork_exec", rep, (now_s() - t0) * 1e6 / EXEC_ITERS, "us");
}

static void bench_spawn(int rep)
{
	char *argv[] = {(char *)tiny, NULL};
	double t0 = now_s();

	for (int i = 0; i < EXEC_ITERS; i++) {
		pid_t pid;
		int e = posix_spawn(&pid, tiny, NULL, NULL, argv, environ);

		if (e) {
			errno = e;
			fail("spawn", "posix_spawn");
		}
		reap_ok("spawn", pid);
	}
	report("proc_spawn", rep, (now_s() - t0) * 1e6 / EXEC_ITERS, "us");
}

static void bench_pingpong(int rep)
{
	int to_child[2], to_parent[2];
	double t0;
	pid_t pid;
	char c;

	if (pipe(to_child) || pipe(to_parent))
		fail("pingpong", "pipe");
	pid = fork();
	if (pid < 0)
		fail("pingpong", "fork");
	if (pid == 0) {
		close(to_child[1]);
		close(to_parent[0]);
		/* Echo every byte back, plus one, until EOF. */
		while (read(to_child[0], &c, 1) == 1) {
			c++;
			if (write(to_parent[1], &c, 1) != 1)
				_exit(1);
		}
		_exit(0);
	}
	close(to_child[0]);
	close(to_parent[1]);
	t0 = now_s();
	for (int i = 0; i < PINGPONG_ITERS; i++) {
		char want = (char)(i + 1);

		c = (char)i;
		if (write(to_child[1], &c, 1) != 1 || read(to_parent[0], &c, 1) != 1)
			fail("pingpong", "pipe read/write");
		if (c != want)
			fail("pingpong", "wrong byte back");
	}
	report("proc_pipe_pingpong", rep, PINGPONG_ITERS / (now_s() - t0), "rt/s");
	close(to_child[1]);
	reap_ok("pingpong", pid);
	close(to_parent[0]);
}

static void bench_pipe(int rep)
{
	static char buf[PIPE_CHUNK];
	int data[2], ack[2];
	double t0;
	pid_t pid;

	if (pipe(data) || pipe(ack))
		fail("pipe", "pipe");
	pid = fork();
	if (pid < 0)
		fail("pipe", "fork");
	if (pid == 0) {
		uint64_t total = 0;
		ssize_t n;

		close(data[1]);
		close(ack[0]);
		while ((n = read(data[0], buf, sizeof(buf))) > 0)
			total += (uint64_t)n;
		/* Tell the writer how much arrived: the clock stops when it knows. */
		if (n < 0 || write(ack[1], &total, sizeof(total)) != sizeof(total))
			_exit(1);
		_exit(0);
	}
	close(data[0]);
	close(ack[1]);
	memset(buf, 'p', sizeof(buf));
	t0 = now_s();
	for (int i = 0; i < PIPE_MIB * (1 << 20) / PIPE_CHUNK; i++) {
		size_t off = 0;

		while (off < sizeof(buf)) {
			ssize_t w = write(data[1], buf + off, sizeof(buf) - off);

			if (w <= 0)
				fail("pipe", "write");
			off += (size_t)w;
		}
	}
	close(data[1]);
	uint64_t got = 0;

	if (read(ack[0], &got, sizeof(got)) != sizeof(got))
		fail("pipe", "no acknowledgement from the reader");
	double t1 = now_s();

	if (got != (uint64_t)PIPE_MIB << 20)
		fail("pipe", "reader got a different byte count");
	report("proc_pipe_throughput", rep, PIPE_MIB / (t1 - t0), "MiB/s");
	reap_ok("pipe", pid);
	close(ack[0]);
}

static void *thread_noop(void *arg)
{
	return arg;
}

static void bench_thread(int rep)
{
	double t0 = now_s();

	for (int i = 0; i < THREAD_ITERS; i++) {
		pthread_t t;
		void *ret;

		if (pthread_create(&t, NULL, thread_noop, &i))
			fail("thread", "pthread_create");
		if (pthread_join(t, &ret) || ret != &i)
			fail("thread", "pthread_join");
	}
	report("proc_thread", rep, (now_s() - t0) * 1e6 / THREAD_ITERS, "us");
}

/* Futex ping-pong: `turn` says whose move it is (0 main, 1 partner).  Each side
 * sleeps in FUTEX_WAIT until the other hands the turn over and FUTEX_WAKEs it, as
 * a contended mutex or condition variable hands off between two threads.  Private
 * futexes, as libc uses them. */
static volatile int turn;

static long futex(volatile int *uaddr, int op, int val)
{
	return syscall(SYS_futex, uaddr, op | FUTEX_PRIVATE_FLAG, val, NULL, NULL, 0);
}

static void wait_for_turn(int me)
{
	int t;

	while ((t = __atomic_load_n(&turn, __ATOMIC_ACQUIRE)) != me)
		if (futex(&turn, FUTEX_WAIT, t) < 0 && errno != EAGAIN && errno != EINTR)
			fail("futex", "FUTEX_WAIT");
}

static void give_turn(int to)
{
	__atomic_store_n(&turn, to, __ATOMIC_RELEASE);
	if (futex(&turn, FUTEX_WAKE, 1) < 0)
		fail("futex", "FUTEX_WAKE");
}

static void *futex_partner(void *arg)
{
	for (int i = 0; i < FUTEX_ITERS; i++) {
		wait_for_turn(1);
		give_turn(0);
	}
	return arg;
}

static void bench_futex(int rep)
{
	pthread_t t;
	double t0;

	turn = 0;
	if (pthread_create(&t, NULL, futex_partner, NULL))
		fail("futex", "pthread_create");
	t0 = now_s();
	for (int i = 0; i < FUTEX_ITERS; i++) {
		give_turn(1);
		wait_for_turn(0);
	}
	double t1 = now_s();

	if (pthread_join(t, NULL))
		fail("futex", "pthread_join");
	report("proc_futex_pingpong", rep, FUTEX_ITERS / (t1 - t0), "rt/s");
}

static volatile sig_atomic_t caught;

static void on_usr1(int sig)
{
	(void)sig;
	caught++;
}

static void bench_signal(int rep)
{
	struct sigaction sa;
	pid_t self = getpid();
	double t0;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, NULL))
		fail("signal", "sigaction");
	caught = 0;
	t0 = now_s();
	for (int i = 0; i < SIGNAL_ITERS; i++)
		if (kill(self, SIGUSR1))
			fail("signal", "kill");
	double t1 = now_s();

	/* A signal sent to oneself is delivered before kill() returns. */
	if (caught != SIGNAL_ITERS)
		fail("signal", "handler count differs from signals sent");
	report("proc_signal", rep, (t1 - t0) * 1e6 / SIGNAL_ITERS, "us");
}

static const struct {
	const char *name;
	void (*run)(int rep);
} measures[] = {
    {"fork", bench_fork},	  {"vfork", bench_vfork},   {"spawn", bench_spawn},
    {"pingpong", bench_pingpong}, {"pipe", bench_pipe},	    {"thread", bench_thread},
    {"futex", bench_futex},	  {"signal", bench_signal},
};

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "all";
	int reps = argc > 2 ? atoi(argv[2]) : 1;
	int all = !strcmp(what, "all"), found = 0;
	volatile int failed = 0;

	if (reps < 1)
		reps = 1;
	if (getenv("PROCBENCH_TINY"))
		tiny = getenv("PROCBENCH_TINY");
	main_tid = (pid_t)syscall(SYS_gettid);
	for (size_t m = 0; m < sizeof(measures) / sizeof(measures[0]); m++) {
		if (!all && strcmp(what, measures[m].name))
			continue;
		found = 1;
		if (setjmp(abandon)) {
			failed = 1;
			continue;
		}
		for (int i = 0; i < reps; i++)
			measures[m].run(i);
	}
	if (!found) {
		printf("BENCH-ERROR %s: unknown measure\n", what);
		return 1;
	}
	printf("BENCH-DONE\n");
	return failed;
}
