// SPDX-License-Identifier: GPL-2.0
/*
 * in-module-ns - run a program inside non-initial namespaces of the module
 * types: a new xns and a new namespace of the counter sample, each made
 * with NS_CREATE_CHILD on the namespace of the type we are in and entered
 * with setns().
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
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/nsfs.h>
#include <linux/xns.h>

#include "../../../samples/rust/ns_counter.h"

/* A new child of a namespace of a module's type (patch 0007 of xns). */
#ifndef NS_CREATE_CHILD
#define NS_CREATE_CHILD		_IO(NSIO, 0x20)
#endif

#define COUNTER_MODULE		"/lib/modules/rust_ns_counter.ko"
#define COUNTER_NAME		"rust_ns_counter"
#define COUNTER_SYSFS		"/sys/module/rust_ns_counter"
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

/*
 * Move into a new namespace of the type @name (in /proc/self/ns), whose
 * setns() flag is @type: NS_CREATE_CHILD on our namespace of the type,
 * then setns() into the child.  -1 with errno set on failure.
 */
static int unshare_type(const char *name, int type)
{
	int fd, child, ret, err;
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/ns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	child = ioctl(fd, NS_CREATE_CHILD);
	err = errno;
	close(fd);
	if (child < 0) {
		errno = err;
		return -1;
	}
	ret = setns(child, type);
	err = errno;
	close(child);
	errno = err;
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
		if (unshare_type("xns", XNS_NS_TYPE))
			_exit(fail("a new xns (NS_CREATE_CHILD + setns)"));
		if (unshare_type("counter", NS_COUNTER_NS_TYPE))
			_exit(fail("a new counter namespace (NS_CREATE_CHILD + setns)"));
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
