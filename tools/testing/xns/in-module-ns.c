// SPDX-License-Identifier: GPL-2.0
/*
 * in-module-ns - run a program inside non-initial namespaces of the module
 * types: a new xns and a new namespace of the counter sample.
 *
 * The kernel's own namespaces and pidfd selftests are the regression net
 * for the enabling series, but run from the initial namespace of every
 * module type they never reach what the series adds: nsproxy slots that
 * are set, copied on fork, unshare and setns, counted as active and
 * dropped.  make check runs them a second time through this wrapper.
 *
 * Loads the counter sample (/lib/modules/rust_ns_counter.ko) if it is not
 * loaded, and unloads it again after the program exited.  xns must be
 * loaded.  Exits with the program's status, 128 + N if signal N killed
 * it, or 1 (with a message) if the namespaces could not be set up.
 *
 * Usage: in-module-ns PROGRAM [ARG]...
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/xns.h>

#include "../../../samples/rust/ns_counter.h"

#define COUNTER_MODULE		"/lib/modules/rust_ns_counter.ko"
#define COUNTER_NAME		"rust_ns_counter"
#define COUNTER_SYSFS		"/sys/module/rust_ns_counter"
#define COUNTER_DEV		"/dev/ns_counter"
#define XNS_DEV			"/dev/xns"
/* Namespaces are freed after an RCU grace period: retry the unload. */
#define UNLOAD_TRIES		500
#define UNLOAD_WAIT_NS		10000000L

static int fail(const char *what)
{
	fprintf(stderr, "in-module-ns: %s: %s\n", what, strerror(errno));
	return 1;
}

/* Load the counter sample; 1 if this call loaded it, 0 if it was, -1. */
static int load_counter(void)
{
	int fd, ret;

	if (!access(COUNTER_SYSFS, F_OK))
		return 0;
	fd = open(COUNTER_MODULE, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ret = syscall(SYS_finit_module, fd, "", 0);
	close(fd);
	return ret ? -1 : 1;
}

static int unload_counter(void)
{
	struct timespec wait = { .tv_nsec = UNLOAD_WAIT_NS };
	int i;

	for (i = 0; i < UNLOAD_TRIES; i++) {
		if (!syscall(SYS_delete_module, COUNTER_NAME, O_NONBLOCK))
			return 0;
		if (errno != EAGAIN)
			break;
		nanosleep(&wait, NULL);
	}
	return -1;
}

/* Move into a new namespace of the type behind @dev (its UNSHARE ioctl). */
static int unshare_on(const char *dev, unsigned long cmd)
{
	int fd, ret;

	fd = open(dev, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ret = ioctl(fd, cmd);
	close(fd);
	return ret;
}

int main(int argc, char **argv)
{
	int loaded, status;
	pid_t pid;

	if (argc < 2) {
		fprintf(stderr, "usage: in-module-ns PROGRAM [ARG]...\n");
		return 2;
	}
	loaded = load_counter();
	if (loaded < 0)
		return fail("loading " COUNTER_MODULE);
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return fail("fork");
	if (!pid) {
		if (unshare_on(XNS_DEV, XNS_IOC_UNSHARE))
			_exit(fail("XNS_IOC_UNSHARE"));
		if (unshare_on(COUNTER_DEV, NS_COUNTER_IOC_UNSHARE))
			_exit(fail("NS_COUNTER_IOC_UNSHARE"));
		execv(argv[1], argv + 1);
		_exit(fail(argv[1]));
	}
	if (waitpid(pid, &status, 0) != pid)
		return fail("waitpid");
	if (loaded && unload_counter())
		return fail("unloading " COUNTER_NAME);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
