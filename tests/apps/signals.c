// SPDX-License-Identifier: MIT
/*
 * Signals: handlers with SA_SIGINFO and the fault address, masks and pending
 * sets, sigsuspend, sigtimedwait, SA_RESETHAND, SA_RESTART around a blocking
 * read, EINTR without it, alarm, setitimer, POSIX timers, SIGCHLD, SIGPIPE,
 * stop and continue of a child, a SIGSEGV handler on an alternate stack.
 */
#define _GNU_SOURCE
#include "apptest.h"
#include <setjmp.h>
#include <signal.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>

static volatile sig_atomic_t count[65];
static volatile void *fault_addr;
static sigjmp_buf jump;

static void on_signal(int sig)
{
	count[sig]++;
}

static void on_fault(int sig, siginfo_t *si, void *uc)
{
	count[sig]++;
	fault_addr = si->si_addr;
	siglongjmp(jump, 1);
}

static void handlers(void)
{
	struct sigaction sa = {0};
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	CHECK_OK(sigaction(SIGSEGV, &sa, NULL));
	static char alt[65536];
	stack_t ss = {.ss_sp = alt, .ss_size = sizeof(alt)};
	CHECK_OK(sigaltstack(&ss, NULL));
	if (!sigsetjmp(jump, 1))
		*(volatile int *)0x1008 = 1;
	CHECK(count[SIGSEGV] == 1 && fault_addr == (void *)0x1008,
	      "SIGSEGV at the address");
	signal(SIGUSR1, on_signal);
	raise(SIGUSR1);
	CHECK(count[SIGUSR1] == 1, "raise delivered synchronously");
	sa = (struct sigaction){0};
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESETHAND;
	CHECK_OK(sigaction(SIGUSR2, &sa, NULL));
	raise(SIGUSR2);
	struct sigaction old;
	sigaction(SIGUSR2, NULL, &old);
	CHECK(count[SIGUSR2] == 1 && old.sa_handler == SIG_DFL, "SA_RESETHAND");
	OK("SA_SIGINFO fault address on an alternate stack, raise, SA_RESETHAND");
}

static void masks(void)
{
	sigset_t s, old, pend;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	CHECK_OK(sigprocmask(SIG_BLOCK, &s, &old));
	kill(getpid(), SIGUSR1);
	CHECK(count[SIGUSR1] == 1, "blocked signal not delivered");
	sigpending(&pend);
	CHECK(sigismember(&pend, SIGUSR1), "pending");
	sigsuspend(&old);
	CHECK(count[SIGUSR1] == 2, "sigsuspend delivered it");
	kill(getpid(), SIGUSR1);
	struct timespec ts = {1, 0};
	siginfo_t si;
	CHECK(sigtimedwait(&s, &si, &ts) == SIGUSR1 && si.si_signo == SIGUSR1,
	      "sigtimedwait");
	ts.tv_sec = 0;
	ts.tv_nsec = 20000000;
	CHECK(sigtimedwait(&s, &si, &ts) == -1 && errno == EAGAIN,
	      "sigtimedwait timeout");
	CHECK(count[SIGUSR1] == 2, "taken by sigtimedwait, not the handler");
	sigprocmask(SIG_SETMASK, &old, NULL);
	OK("sigprocmask, sigpending, sigsuspend, sigtimedwait with and without timeout");
}

static void restart(void)
{
	for (int with = 0; with < 2; with++) {
		int p[2];
		CHECK_OK(pipe(p));
		struct sigaction sa = {0};
		sa.sa_handler = on_signal;
		sa.sa_flags = with ? SA_RESTART : 0;
		sigaction(SIGALRM, &sa, NULL);
		pid_t c = fork();
		if (c == 0) {
			usleep(150000);
			write(p[1], "x", 1);
			_exit(0);
		}
		struct itimerval it = {{0, 0}, {0, 50000}};
		setitimer(ITIMER_REAL, &it, NULL);
		char b;
		errno = 0;
		ssize_t n = read(p[0], &b, 1);
		if (with)
			CHECK(n == 1 && b == 'x',
			      "SA_RESTART read completed after the signal");
		else
			CHECK(n == -1 && errno == EINTR, "read interrupted: EINTR");
		waitpid(c, NULL, 0);
		close(p[0]);
		close(p[1]);
	}
	OK("a blocking read returns EINTR, or restarts with SA_RESTART");
}

static void timers(void)
{
	int before = count[SIGALRM];
	alarm(1);
	pause();
	CHECK(count[SIGALRM] == before + 1, "alarm");
	struct itimerval it = {{0, 10000}, {0, 10000}};
	setitimer(ITIMER_REAL, &it, NULL);
	while (count[SIGALRM] < before + 5)
		pause();
	struct itimerval off = {0};
	setitimer(ITIMER_REAL, &off, NULL);
	timer_t t;
	struct sigevent ev = {0};
	ev.sigev_notify = SIGEV_SIGNAL;
	ev.sigev_signo = SIGUSR2;
	signal(SIGUSR2, on_signal);
	CHECK_OK(timer_create(CLOCK_MONOTONIC, &ev, &t));
	struct itimerspec its = {{0, 0}, {0, 20000000}};
	CHECK_OK(timer_settime(t, 0, &its, NULL));
	int u2 = count[SIGUSR2];
	while (count[SIGUSR2] == u2)
		pause();
	timer_delete(t);
	OK("alarm, periodic setitimer, timer_create/timer_settime");
}

static void children(void)
{
	signal(SIGCHLD, on_signal);
	pid_t c = fork();
	if (c == 0)
		_exit(0);
	int st;
	waitpid(c, &st, 0);
	CHECK(count[SIGCHLD] >= 1, "SIGCHLD");
	int p[2];
	CHECK_OK(pipe(p));
	c = fork();
	if (c == 0) {
		/* writes until the parent has closed the read end: then SIGPIPE */
		static char chunk[4096];
		close(p[0]);
		signal(SIGPIPE, SIG_DFL);
		for (;;)
			if (write(p[1], chunk, sizeof(chunk)) < 0)
				_exit(3);
	}
	close(p[0]);
	close(p[1]);
	waitpid(c, &st, 0);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGPIPE,
	      "write to a closed pipe: SIGPIPE");
	c = fork();
	if (c == 0) {
		for (;;)
			pause();
	}
	kill(c, SIGSTOP);
	CHECK(waitpid(c, &st, WUNTRACED) == c && WIFSTOPPED(st) &&
		  WSTOPSIG(st) == SIGSTOP,
	      "stopped");
	kill(c, SIGCONT);
	CHECK(waitpid(c, &st, WCONTINUED) == c && WIFCONTINUED(st), "continued");
	kill(c, SIGTERM);
	CHECK(waitpid(c, &st, 0) == c && WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM,
	      "term");
	signal(SIGCHLD, SIG_DFL);
	OK("SIGCHLD, SIGPIPE kills a writer, SIGSTOP/SIGCONT seen by "
	   "WUNTRACED/WCONTINUED");
}

int main(void)
{
	handlers();
	masks();
	restart();
	timers();
	children();
	return 0;
}
