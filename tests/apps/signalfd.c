// SPDX-License-Identifier: MIT
/*
 * signalfd: blocked signals read as 128-byte records (several per read when
 * they fit, EINVAL for a smaller buffer, EAGAIN or a blocking read woken by
 * another process), the mask changed on an existing descriptor, poll and
 * epoll readiness, SIGKILL/SIGSTOP ignored in the mask, and error codes.
 */
#define _GNU_SOURCE
#include "apptest.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static short revents(int fd)
{
	struct pollfd p = {fd, POLLIN, 0};
	CHECK(poll(&p, 1, 0) >= 0, "poll");
	return p.revents;
}

int main(void)
{
	sigset_t set, none;
	struct signalfd_siginfo si[4];
	sigemptyset(&none);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	CHECK_OK(sigprocmask(SIG_BLOCK, &set, NULL));

	int fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	CHECK(fd >= 0, "signalfd");
	CHECK(fcntl(fd, F_GETFL) == (O_RDWR | O_NONBLOCK) &&
		  fcntl(fd, F_GETFD) == FD_CLOEXEC,
	      "SFD_NONBLOCK|SFD_CLOEXEC");
	char path[64], link[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(path, link, sizeof(link) - 1);
	CHECK(n > 0, "readlink");
	link[n] = 0;
	CHECK(!strcmp(link, "anon_inode:[signalfd]"), "link %s", link);
	CHECK(revents(fd) == 0, "readable with nothing pending");
	CHECK_ERR(read(fd, si, sizeof(si)), EAGAIN);
	CHECK_OK(raise(SIGUSR2));
	CHECK_OK(raise(SIGUSR1));
	CHECK(revents(fd) == POLLIN, "not readable with signals pending");
	CHECK_ERR(read(fd, si, sizeof(si[0]) - 1), EINVAL);
	CHECK(read(fd, si, sizeof(si)) == 2 * (ssize_t)sizeof(si[0]), "two records");
	CHECK(si[0].ssi_signo == SIGUSR1 && si[1].ssi_signo == SIGUSR2, "order %u %u",
	      si[0].ssi_signo, si[1].ssi_signo);
	sigset_t pending;
	CHECK_OK(sigpending(&pending));
	CHECK(!sigismember(&pending, SIGUSR1) && !sigismember(&pending, SIGUSR2),
	      "read signals still pending");
	OK("signalfd: pending blocked signals read as records, lowest first, then "
	   "EAGAIN");

	/* only the mask's signals; the mask can change */
	sigset_t one;
	sigemptyset(&one);
	sigaddset(&one, SIGUSR1);
	CHECK(signalfd(fd, &one, 0) == fd, "new mask");
	CHECK_OK(raise(SIGUSR2));
	CHECK(revents(fd) == 0, "SIGUSR2 is no longer in the mask");
	CHECK_OK(raise(SIGUSR1));
	CHECK(read(fd, si, sizeof(si)) == sizeof(si[0]) && si[0].ssi_signo == SIGUSR1,
	      "SIGUSR1 only");
	CHECK_OK(sigpending(&pending));
	CHECK(sigismember(&pending, SIGUSR2), "SIGUSR2 lost");
	CHECK(signalfd(fd, &set, 0) == fd, "mask back");
	CHECK(read(fd, si, sizeof(si)) == sizeof(si[0]) && si[0].ssi_signo == SIGUSR2,
	      "SIGUSR2");
	OK("signalfd: a new mask on the same descriptor decides what is read");

	/* epoll and a blocking read, woken by another process */
	int ep = epoll_create1(0);
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 9};
	CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
	CHECK(epoll_wait(ep, &ev, 1, 0) == 0, "epoll with nothing pending");
	pid_t parent = getpid();
	pid_t pid = fork();
	CHECK(pid >= 0, "fork");
	if (pid == 0) {
		usleep(30000);
		kill(parent, SIGUSR1);
		usleep(30000);
		kill(parent, SIGUSR2);
		_exit(0);
	}
	CHECK(epoll_wait(ep, &ev, 1, 5000) == 1 && ev.data.u64 == 9 &&
		  ev.events == EPOLLIN,
	      "epoll woken by a signal");
	/* one record a read: SIGUSR2 may be pending already on a loaded host */
	CHECK(read(fd, si, sizeof(si[0])) == sizeof(si[0]) && si[0].ssi_signo == SIGUSR1,
	      "SIGUSR1 from the child");
	CHECK_OK(fcntl(fd, F_SETFL, 0));
	CHECK(read(fd, si, sizeof(si[0])) == sizeof(si[0]) && si[0].ssi_signo == SIGUSR2,
	      "blocking read");
	CHECK_OK(waitpid(pid, NULL, 0));
	OK("signalfd: epoll and a blocking read wake for signals another process sends");
	CHECK_OK(close(ep));

	CHECK_ERR(syscall(SYS_signalfd4, -1, &set, 4, 0), EINVAL);
	CHECK_ERR(syscall(SYS_signalfd4, -1, &set, 8, 1), EINVAL);
	CHECK_ERR(syscall(SYS_signalfd4, -1, NULL, 8, 0), EFAULT);
	CHECK_ERR(signalfd(999, &set, 0), EBADF);
	CHECK_ERR(signalfd(-2, &set, 0), EBADF);
	CHECK_ERR(signalfd(0, &set, 0), EINVAL);
	sigset_t kill;
	sigemptyset(&kill);
	sigaddset(&kill, SIGKILL);
	int k = signalfd(-1, &kill, SFD_NONBLOCK);
	CHECK(k >= 0, "signalfd with SIGKILL");
	CHECK_ERR(read(k, si, sizeof(si)), EAGAIN);
	CHECK_ERR(write(fd, si, sizeof(si)), EINVAL);
	OK("signalfd: EINVAL size and flags, EFAULT, EBADF, EINVAL on another file");
	CHECK_OK(close(k));
	CHECK_OK(close(fd));
	return 0;
}
