// SPDX-License-Identifier: GPL-2.0
/*
 * A second namespace type beside xns: "counter", provided by the sample
 * module rust_ns_counter (samples/rust/rust_ns_counter.rs, UAPI in
 * samples/rust/ns_counter.h), written against the same Rust abstractions.
 *
 * Both types show up in /proc/<pid>/ns on the same nsfs with distinct
 * inode numbers, their namespaces are independent of each other, and
 * each module can be unloaded while the other stays loaded and working.
 * New counter namespaces come from NS_CREATE_CHILD on any counter
 * namespace's file; they start at 0, have no parent and count against
 * max_module_namespaces together with the xns namespaces.  The sample cannot
 * be unloaded while one of its non-initial namespaces has members or any
 * of its nsfs files is open (also one opened from a file handle or
 * returned by NS_CREATE_CHILD) or bind-mounted.  Counter namespaces are in
 * the kernel's namespace trees: listns(2) lists them, by NS_COUNTER_NS_TYPE
 * too, and nsfs file handles open them, with the built-in types'
 * visibility rules.
 *
 * Each test loads the sample ($NS_COUNTER_MODULE, default
 * /lib/modules/rust_ns_counter.ko) and unloads it at the end.  xns must be
 * loaded or loadable ($XNS_MODULE); it is left loaded.
 */
#define _GNU_SOURCE
#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/nsfs.h>
#include <linux/xns.h>

#include "../../../../samples/rust/ns_counter.h"
#include "xns_util.h"
#include "kselftest_harness.h"
#include "xns_harness.h"

static_assert(sizeof(struct ns_counter_info) == 24,
	      "struct ns_counter_info must match the module's mirror");
static_assert(offsetof(struct ns_counter_info, inum) == 16,
	      "struct ns_counter_info must match the module's mirror");
static_assert(NS_COUNTER_NS_TYPE != XNS_NS_TYPE,
	      "the two types need distinct ns_type values");

static int nsc_open_dev(void)
{
	int fd = open(NSC_DEV, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

static int nsc_get(int devfd, struct ns_counter_info *info)
{
	memset(info, 0xff, sizeof(*info));
	return xns_ioctl(devfd, NS_COUNTER_IOC_GET, info);
}

/* Move the calling thread into a new counter namespace (NS_CREATE_CHILD). */
static int nsc_unshare(void)
{
	return xns_unshare_type(NSC_NAME, NS_COUNTER_NS_TYPE);
}

/* Inode number of the namespace @path links to, parsing "@type:[N]". */
static int ns_link_inum(const char *path, const char *type, __u32 *inum)
{
	size_t len = strlen(type);
	unsigned long val;
	char buf[64], *end;
	int ret;

	ret = xns_readlink(path, buf, sizeof(buf));
	if (ret)
		return ret;
	if (strncmp(buf, type, len) || buf[len] != ':' || buf[len + 1] != '[' ||
	    buf[len + 2] < '0' || buf[len + 2] > '9')
		return -EINVAL;
	errno = 0;
	val = strtoul(buf + len + 2, &end, 10);
	if (errno || strcmp(end, "]") || val == 0 || val > 0xffffffffUL)
		return -EINVAL;
	*inum = val;
	return 0;
}

/* Inode number of the @type namespace of @pid (0: the caller). */
static int ns_pid_inum(pid_t pid, const char *type, __u32 *inum)
{
	char path[64];

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", pid, type);
	else
		snprintf(path, sizeof(path), "/proc/self/ns/%s", type);
	return ns_link_inum(path, type, inum);
}

/* Open the nsfs file of the @type namespace of @pid (0: the caller). */
static int ns_open(pid_t pid, const char *type)
{
	char path[64];
	int fd;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", pid, type);
	else
		snprintf(path, sizeof(path), "/proc/self/ns/%s", type);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* What a process sees of both types. */
struct nsc_view {
	__s32 err;
	__u32 counter_inum;	/* readlink of /proc/self/ns/counter */
	__u32 xns_inum;		/* readlink of /proc/self/ns/xns */
	__u32 pad;
	struct ns_counter_info info;	/* NS_COUNTER_IOC_GET */
};

static int nsc_view(struct nsc_view *view)
{
	int devfd, ret;

	memset(view, 0, sizeof(*view));
	ret = ns_pid_inum(0, NSC_NAME, &view->counter_inum);
	/* 0 if xns is not loaded. */
	if (!ret && xns_module_loaded())
		ret = xns_self_inum(&view->xns_inum);
	devfd = nsc_open_dev();
	if (!ret)
		ret = devfd < 0 ? devfd : nsc_get(devfd, &view->info);
	if (devfd >= 0)
		close(devfd);
	view->err = ret;
	return ret;
}

/*
 * A helper that optionally moves into a new counter namespace and/or a
 * new xns, increments its counter @incs times, checks that a child it
 * forks inherits both namespaces, reports what it sees and stays until
 * released.
 */
struct nsc_holder_args {
	bool counter;
	bool xns;
	unsigned int incs;
};

static int nsc_holder_fn(struct xns_child *c, void *arg)
{
	const struct nsc_holder_args *args = arg;
	struct nsc_view view = {}, kid;
	int devfd, ret = 0;
	unsigned int i;
	pid_t pid;

	devfd = nsc_open_dev();
	if (devfd < 0)
		ret = devfd;
	if (!ret && args->counter)
		ret = nsc_unshare();
	if (!ret && args->xns)
		ret = xns_unshare();
	for (i = 0; !ret && i < args->incs; i++)
		ret = xns_ioctl(devfd, NS_COUNTER_IOC_INC, NULL);
	if (devfd >= 0)
		close(devfd);
	if (!ret)
		ret = nsc_view(&view);
	if (!ret) {
		/* A child starts out in the same namespaces. */
		pid = fork();
		if (pid == 0)
			_exit(nsc_view(&kid) || kid.counter_inum != view.counter_inum ||
			      kid.xns_inum != view.xns_inum ||
			      kid.info.value != view.info.value);
		if (pid < 0 || waitpid(pid, &ret, 0) != pid)
			ret = -ECHILD;
		else if (ret)
			ret = -EXDEV;
	}
	view.err = ret;
	if (xns_send(c->rep, &view, sizeof(view)) || ret)
		return 1;
	xns_child_hold(c);
	return 0;
}

/* Start a holder; returns 0 with @view filled in, or a negative errno. */
static int nsc_holder_start(struct xns_child *c,
			    const struct nsc_holder_args *args,
			    struct nsc_view *view)
{
	int ret;

	memset(view, 0, sizeof(*view));
	ret = xns_child_start(c, nsc_holder_fn, (void *)args);
	if (ret)
		return ret;
	ret = xns_child_recv(c, view, sizeof(*view));
	if (!ret)
		ret = view->err;
	if (ret)
		xns_child_stop(c);
	return ret;
}

FIXTURE(sample)
{
	struct xns_child kid;
	struct xns_child kid2;
	int fd;
	int fd2;
	char bind_target[64];
	bool mounted;
};

FIXTURE_SETUP(sample)
{
	int ret;

	xns_child_init(&self->kid);
	xns_child_init(&self->kid2);
	self->fd = -1;
	self->fd2 = -1;
	self->bind_target[0] = '\0';
	self->mounted = false;

	if (geteuid() != 0)
		SKIP(return, "must be run as root");
	if (xns_setup_load(_metadata))
		return;
	if (access(nsc_module_path(), R_OK))
		SKIP(return, "%s: %s (build samples/rust or set NS_COUNTER_MODULE)",
		     nsc_module_path(), strerror(errno));
	/* Bind mounts made by a test stay private to it. */
	ASSERT_EQ(0, unshare(CLONE_NEWNS));
	ASSERT_EQ(0, mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));
	/* Last: a failed setup skips the teardown. */
	ret = nsc_load();
	ASSERT_TRUE(ret == 0 || ret == -EEXIST) {
		TH_LOG("loading %s failed: %s", nsc_module_path(), strerror(-ret));
	}
}

FIXTURE_TEARDOWN(sample)
{
	int ret;

	xns_child_kill(&self->kid);
	xns_child_kill(&self->kid2);
	if (self->fd >= 0)
		close(self->fd);
	if (self->fd2 >= 0)
		close(self->fd2);
	xns_teardown_bind_target(self->bind_target, self->mounted);
	if (nsc_loaded()) {
		ret = nsc_unload_wait(XNS_SETTLE_MS);
		if (ret)
			TH_LOG("could not unload %s: %s", NSC_MODULE_NAME,
			       strerror(-ret));
	}
	/* Leave xns loaded for whatever runs next. */
	if (xns_load())
		TH_LOG("could not load xns again");
}

/* The sample must refuse to unload, and stay usable. */
static void expect_busy(struct __test_metadata *_metadata, const char *what)
{
	struct ns_counter_info info;
	int ret, devfd;

	ret = nsc_unload();
	EXPECT_EQ(-EAGAIN, ret) {
		TH_LOG("delete_module(%s) while %s: %s, want EAGAIN",
		       NSC_MODULE_NAME, what, ret ? strerror(-ret) : "unloaded");
	}
	ASSERT_TRUE(nsc_loaded()) {
		TH_LOG("%s was unloaded while %s", NSC_MODULE_NAME, what);
	}
	devfd = nsc_open_dev();
	ASSERT_GE(devfd, 0);
	EXPECT_EQ(0, nsc_get(devfd, &info));
	close(devfd);
}

/* With nothing left, the sample must unload; then load it again. */
static void expect_unloads(struct __test_metadata *_metadata,
			   const char *what)
{
	int ret;

	ret = nsc_unload_wait(XNS_SETTLE_MS);
	ASSERT_EQ(0, ret) {
		TH_LOG("delete_module(%s) after %s: %s", NSC_MODULE_NAME, what,
		       strerror(-ret));
	}
	ASSERT_FALSE(nsc_loaded());
	ret = nsc_load();
	ASSERT_EQ(0, ret) {
		TH_LOG("loading %s again: %s", nsc_module_path(), strerror(-ret));
	}
}

TEST_F(sample, proc_entries)
{
	ino_t xino = 0, cino = 0, uino = 0;
	dev_t xdev = 0, cdev = 0, udev = 0;
	struct ns_counter_info info;
	__u32 inum = 0;
	__u64 id = 0;
	int devfd;

	ASSERT_EQ(0, xns_path_ino(XNS_SELF_LINK, &xino, &xdev));
	ASSERT_EQ(0, xns_path_ino(NSC_SELF_LINK, &cino, &cdev));
	ASSERT_EQ(0, xns_path_ino("/proc/self/ns/uts", &uino, &udev));
	EXPECT_NE(xino, cino);
	EXPECT_NE(uino, cino);
	/* One nsfs for all types: st_dev + st_ino identify a namespace. */
	EXPECT_EQ(xdev, cdev);
	EXPECT_EQ(udev, cdev);

	ASSERT_EQ(0, ns_link_inum(NSC_SELF_LINK, NSC_NAME, &inum));
	EXPECT_EQ(cino, inum);
	EXPECT_TRUE(xns_ns_dir_lists("xns"));
	EXPECT_TRUE(xns_ns_dir_lists(NSC_NAME));

	devfd = nsc_open_dev();
	ASSERT_GE(devfd, 0) {
		TH_LOG("open %s: %s", NSC_DEV, strerror(-devfd));
	}
	ASSERT_EQ(0, nsc_get(devfd, &info));
	close(devfd);
	EXPECT_EQ(cino, info.inum);
	EXPECT_EQ(0U, info.pad);

	self->fd = ns_open(0, NSC_NAME);
	ASSERT_GE(self->fd, 0);
	ASSERT_EQ(0, ioctl(self->fd, NS_GET_ID, &id));
	EXPECT_EQ(info.ns_id, id);
}

TEST_F(sample, nsfs_ioctls)
{
	ino_t user_ino = 0;
	struct stat st;
	int fd;

	ASSERT_EQ(0, xns_path_ino("/proc/self/ns/user", &user_ino, NULL));
	self->fd = ns_open(0, NSC_NAME);
	ASSERT_GE(self->fd, 0);
	self->fd2 = ns_open(0, "xns");
	ASSERT_GE(self->fd2, 0);

	EXPECT_EQ(NS_COUNTER_NS_TYPE, ioctl(self->fd, NS_GET_NSTYPE));
	EXPECT_EQ(XNS_NS_TYPE, ioctl(self->fd2, NS_GET_NSTYPE));

	/* Counter namespaces do not nest. */
	EXPECT_EQ(-1, ioctl(self->fd, NS_GET_PARENT));
	EXPECT_EQ(EINVAL, errno);

	/* The initial one is owned by the initial user namespace. */
	fd = ioctl(self->fd, NS_GET_USERNS);
	ASSERT_GE(fd, 0) {
		TH_LOG("NS_GET_USERNS: %m");
	}
	ASSERT_EQ(0, fstat(fd, &st));
	close(fd);
	EXPECT_EQ(user_ino, st.st_ino);
}

TEST_F(sample, counter)
{
	struct nsc_holder_args args = { .counter = true, .incs = 3 };
	struct ns_counter_info before, after;
	struct nsc_view view;
	int devfd, ret;

	devfd = nsc_open_dev();
	ASSERT_GE(devfd, 0);
	self->fd = devfd;
	ASSERT_EQ(0, nsc_get(devfd, &before));
	ASSERT_EQ(0, xns_ioctl(devfd, NS_COUNTER_IOC_INC, NULL));
	ASSERT_EQ(0, xns_ioctl(devfd, NS_COUNTER_IOC_INC, NULL));
	ASSERT_EQ(0, nsc_get(devfd, &after));
	EXPECT_EQ(before.value + 2, after.value);
	EXPECT_EQ(before.inum, after.inum);
	EXPECT_EQ(before.ns_id, after.ns_id);

	/* A new namespace has a counter of its own, starting at 0. */
	ret = nsc_holder_start(&self->kid, &args, &view);
	ASSERT_EQ(0, ret) {
		TH_LOG("unshare and increment in a child: %s", strerror(-ret));
	}
	EXPECT_EQ(3U, view.info.value);
	EXPECT_NE(after.inum, view.info.inum);
	EXPECT_NE(after.ns_id, view.info.ns_id);
	EXPECT_EQ(view.counter_inum, view.info.inum);

	ASSERT_EQ(0, nsc_get(devfd, &before));
	EXPECT_EQ(after.value, before.value) {
		TH_LOG("increments in a child namespace changed the initial one");
	}
	EXPECT_EQ(0, xns_child_stop(&self->kid));

	EXPECT_EQ(-ENOTTY, xns_ioctl(devfd, _IO(NS_COUNTER_IOC_MAGIC, 3), NULL));
	/* Its old creation command: namespaces come from NS_CREATE_CHILD. */
	EXPECT_EQ(-ENOTTY, xns_ioctl(devfd, _IO(NS_COUNTER_IOC_MAGIC, 0), NULL));
}

/* Probe: setns() into both namespaces of a holder, one at a time. */
struct cross_args {
	int counter_fd;		/* counter namespace of holder A */
	int xns_fd;		/* xns of holder B */
	struct nsc_view start, a, b;
};

static int cross_child(__always_unused struct xns_child *c, void *arg)
{
	struct cross_args *args = arg;
	struct nsc_view view;

	xns_child_check(!setns(args->counter_fd, 0), "setns(counter): %m");
	xns_child_check(!nsc_view(&view), "view: %s", strerror(-view.err));
	xns_child_check(view.counter_inum == args->a.counter_inum,
			"counter %u after setns, want %u", view.counter_inum,
			args->a.counter_inum);
	xns_child_check(view.xns_inum == args->start.xns_inum,
			"setns(counter) moved xns from %u to %u",
			args->start.xns_inum, view.xns_inum);
	xns_child_check(view.info.value == args->a.info.value,
			"counter value %llu, want %llu",
			(unsigned long long)view.info.value,
			(unsigned long long)args->a.info.value);

	xns_child_check(!setns(args->xns_fd, 0), "setns(xns): %m");
	xns_child_check(!nsc_view(&view), "view: %s", strerror(-view.err));
	xns_child_check(view.xns_inum == args->b.xns_inum,
			"xns %u after setns, want %u", view.xns_inum,
			args->b.xns_inum);
	xns_child_check(view.counter_inum == args->a.counter_inum,
			"setns(xns) moved counter from %u to %u",
			args->a.counter_inum, view.counter_inum);
	return 0;
}

TEST_F(sample, independent_of_xns)
{
	struct nsc_holder_args only_counter = { .counter = true, .incs = 2 };
	struct nsc_holder_args only_xns = { .xns = true };
	struct cross_args args = { .counter_fd = -1, .xns_fd = -1 };
	int ret;

	ASSERT_EQ(0, nsc_view(&args.start));

	ret = nsc_holder_start(&self->kid, &only_counter, &args.a);
	ASSERT_EQ(0, ret) {
		TH_LOG("child in a new counter namespace: %s", strerror(-ret));
	}
	EXPECT_NE(args.start.counter_inum, args.a.counter_inum);
	EXPECT_EQ(args.start.xns_inum, args.a.xns_inum) {
		TH_LOG("a new counter namespace changed the xns");
	}

	ret = nsc_holder_start(&self->kid2, &only_xns, &args.b);
	ASSERT_EQ(0, ret) {
		TH_LOG("child in a new xns: %s", strerror(-ret));
	}
	EXPECT_NE(args.start.xns_inum, args.b.xns_inum);
	EXPECT_EQ(args.start.counter_inum, args.b.counter_inum) {
		TH_LOG("a new xns changed the counter namespace");
	}
	EXPECT_NE(args.a.counter_inum, args.b.xns_inum);

	/* Keep both namespaces by a file only; their members exit. */
	self->fd = ns_open(self->kid.pid, NSC_NAME);
	ASSERT_GE(self->fd, 0);
	self->fd2 = ns_open(self->kid2.pid, "xns");
	ASSERT_GE(self->fd2, 0);
	EXPECT_EQ(0, xns_child_stop(&self->kid));
	EXPECT_EQ(0, xns_child_stop(&self->kid2));

	args.counter_fd = self->fd;
	args.xns_fd = self->fd2;
	EXPECT_EQ(0, xns_run_child(cross_child, &args));
}

/* Probe: setns() with the wrong and the right flags. */
struct setns_args {
	int counter_fd;		/* a new counter namespace */
	int init_fd;		/* the initial counter namespace */
	int xns_fd;		/* the caller's xns */
	__u32 counter_inum;
	__u32 init_inum;
	__u64 value;
};

static void check_counter(const struct setns_args *args, __u32 want,
			  const char *step)
{
	__u32 inum = 0;
	int ret;

	ret = ns_pid_inum(0, NSC_NAME, &inum);
	xns_child_check(!ret, "%s: readlink: %s", step, strerror(-ret));
	xns_child_check(inum == want, "%s: counter %u, want %u (new %u, initial %u)",
			step, inum, want, args->counter_inum, args->init_inum);
}

static int setns_child(__always_unused struct xns_child *c, void *arg)
{
	const struct setns_args *args = arg;
	struct nsc_view view;
	__u32 xinum = 0;
	int ret;

	xns_child_check(!xns_self_inum(&xinum), "readlink xns");

	ret = xns_setns(args->counter_fd, XNS_NS_TYPE);
	xns_child_check(ret == -EINVAL, "setns(counter, XNS_NS_TYPE): %s",
			ret ? strerror(-ret) : "success");
	ret = xns_setns(args->counter_fd, CLONE_NEWUTS);
	xns_child_check(ret == -EINVAL, "setns(counter, CLONE_NEWUTS): %s",
			ret ? strerror(-ret) : "success");
	ret = xns_setns(args->xns_fd, NS_COUNTER_NS_TYPE);
	xns_child_check(ret == -EINVAL, "setns(xns, NS_COUNTER_NS_TYPE): %s",
			ret ? strerror(-ret) : "success");
	check_counter(args, args->init_inum, "after the failed setns calls");

	ret = xns_setns(args->counter_fd, 0);
	xns_child_check(!ret, "setns(counter, 0): %s", strerror(-ret));
	check_counter(args, args->counter_inum, "setns(counter, 0)");
	ret = nsc_view(&view);
	xns_child_check(!ret, "view: %s", strerror(-ret));
	xns_child_check(view.info.value == args->value,
			"counter value %llu, want %llu",
			(unsigned long long)view.info.value,
			(unsigned long long)args->value);
	xns_child_check(view.xns_inum == xinum, "setns(counter) changed the xns");

	ret = xns_setns(args->init_fd, NS_COUNTER_NS_TYPE);
	xns_child_check(!ret, "setns(initial, NS_COUNTER_NS_TYPE): %s",
			strerror(-ret));
	check_counter(args, args->init_inum, "setns(initial, NS_COUNTER_NS_TYPE)");

	ret = xns_setns(args->counter_fd, NS_COUNTER_NS_TYPE);
	xns_child_check(!ret, "setns(counter, NS_COUNTER_NS_TYPE): %s",
			strerror(-ret));
	check_counter(args, args->counter_inum, "setns(counter, NS_COUNTER_NS_TYPE)");
	return 0;
}

TEST_F(sample, setns)
{
	struct nsc_holder_args args = { .counter = true, .incs = 5 };
	struct setns_args sargs;
	struct nsc_view view;
	int xfd;

	ASSERT_EQ(0, nsc_holder_start(&self->kid, &args, &view));
	self->fd = ns_open(self->kid.pid, NSC_NAME);
	ASSERT_GE(self->fd, 0);
	self->fd2 = ns_open(0, NSC_NAME);
	ASSERT_GE(self->fd2, 0);
	xfd = ns_open(0, "xns");
	ASSERT_GE(xfd, 0);

	sargs.counter_fd = self->fd;
	sargs.init_fd = self->fd2;
	sargs.xns_fd = xfd;
	sargs.counter_inum = view.counter_inum;
	sargs.value = view.info.value;
	ASSERT_EQ(0, ns_pid_inum(0, NSC_NAME, &sargs.init_inum));
	EXPECT_EQ(0, xns_run_child(setns_child, &sargs));
	close(xfd);
}

/* Probe: setns(pidfd) into the holder's counter and xns, one or both. */
struct setns_pidfd_args {
	pid_t pid;
	struct nsc_view holder;
};

static int setns_pidfd_child(__always_unused struct xns_child *c, void *arg)
{
	const struct setns_pidfd_args *args = arg;
	const struct nsc_view *holder = &args->holder;
	struct nsc_view start, now;
	int pidfd, ret;

	xns_child_check(!nsc_view(&start), "view");
	pidfd = xns_pidfd_open(args->pid);
	xns_child_check(pidfd >= 0, "pidfd_open: %s", strerror(-pidfd));

	ret = xns_setns(pidfd, NS_COUNTER_NS_TYPE);
	xns_child_check(!ret, "setns(pidfd, NS_COUNTER_NS_TYPE): %s",
			strerror(-ret));
	xns_child_check(!nsc_view(&now), "view");
	xns_child_check(now.counter_inum == holder->counter_inum &&
			now.xns_inum == start.xns_inum,
			"counter only: counter %u xns %u, want %u and %u",
			now.counter_inum, now.xns_inum, holder->counter_inum,
			start.xns_inum);

	ret = xns_setns(pidfd, NS_COUNTER_NS_TYPE | XNS_NS_TYPE);
	xns_child_check(!ret, "setns(pidfd, NS_COUNTER_NS_TYPE | XNS_NS_TYPE): %s",
			strerror(-ret));
	xns_child_check(!nsc_view(&now), "view");
	xns_child_check(now.counter_inum == holder->counter_inum &&
			now.xns_inum == holder->xns_inum,
			"both: counter %u xns %u, want %u and %u",
			now.counter_inum, now.xns_inum, holder->counter_inum,
			holder->xns_inum);
	xns_child_check(now.info.value == holder->info.value,
			"counter value %llu, want %llu",
			(unsigned long long)now.info.value,
			(unsigned long long)holder->info.value);
	return 0;
}

TEST_F(sample, setns_pidfd)
{
	struct nsc_holder_args args = { .counter = true, .xns = true, .incs = 3 };
	struct setns_pidfd_args sargs;

	ASSERT_EQ(0, nsc_holder_start(&self->kid, &args, &sargs.holder));
	sargs.pid = self->kid.pid;
	EXPECT_EQ(0, xns_run_child(setns_pidfd_child, &sargs));
}

/* Probe, unprivileged: who may create and enter counter namespaces. */
static int unpriv_child(__always_unused struct xns_child *c, void *arg)
{
	const int *fds = arg;	/* /dev/ns_counter, initial counter ns */
	__u32 before = 0, after = 0;
	ino_t user_ino = 0;
	struct stat st;
	int ret, nsfd;

	ret = xns_drop_privs(XNS_NOBODY, XNS_NOBODY);
	xns_child_check(!ret, "drop privileges: %s", strerror(-ret));
	/* Refused by the ioctl, on any counter namespace's file. */
	nsfd = ns_open(0, NSC_NAME);
	xns_child_check(nsfd >= 0, "open counter ns: %s", strerror(-nsfd));
	ret = xns_create_child(nsfd);
	xns_child_check(ret == -EPERM,
			"NS_CREATE_CHILD without CAP_SYS_ADMIN: %s, want EPERM",
			ret < 0 ? strerror(-ret) : "success");
	close(nsfd);
	ret = xns_create_child(fds[1]);
	xns_child_check(ret == -EPERM,
			"NS_CREATE_CHILD of the initial ns without CAP_SYS_ADMIN: %s",
			ret < 0 ? strerror(-ret) : "success");
	ret = xns_ioctl(fds[0], NS_COUNTER_IOC_INC, NULL);
	xns_child_check(!ret, "INC unprivileged: %s", strerror(-ret));

	if (xns_enter_userns())
		return XNS_CHILD_SKIP;
	xns_child_check(!ns_pid_inum(0, NSC_NAME, &before), "readlink");
	ret = nsc_unshare();
	xns_child_check(!ret, "unshare as root of a user namespace: %s",
			strerror(-ret));
	xns_child_check(!ns_pid_inum(0, NSC_NAME, &after), "readlink");
	xns_child_check(before != after, "unshare kept counter %u", before);

	/* The new namespace is owned by the new user namespace. */
	xns_child_check(!xns_path_ino("/proc/self/ns/user", &user_ino, NULL),
			"stat user ns");
	nsfd = ns_open(0, NSC_NAME);
	xns_child_check(nsfd >= 0, "open counter ns: %s", strerror(-nsfd));
	ret = ioctl(nsfd, NS_GET_USERNS);
	xns_child_check(ret >= 0, "NS_GET_USERNS: %m");
	xns_child_check(!fstat(ret, &st) && st.st_ino == user_ino,
			"the new counter namespace is not owned by the new user namespace");

	/* No way back: the initial one is owned by init_user_ns. */
	ret = xns_setns(fds[1], NS_COUNTER_NS_TYPE);
	xns_child_check(ret == -EPERM, "setns into the initial counter ns: %s",
			ret ? strerror(-ret) : "success");
	return 0;
}

TEST_F(sample, permissions)
{
	struct ns_counter_info before, after;
	int fds[2], ret;

	self->fd = nsc_open_dev();
	ASSERT_GE(self->fd, 0);
	self->fd2 = ns_open(0, NSC_NAME);
	ASSERT_GE(self->fd2, 0);
	fds[0] = self->fd;
	fds[1] = self->fd2;
	ASSERT_EQ(0, nsc_get(self->fd, &before));
	ret = xns_run_child(unpriv_child, fds);
	if (ret == XNS_CHILD_SKIP)
		SKIP(return, "unprivileged user namespaces are not available");
	EXPECT_EQ(0, ret);
	ASSERT_EQ(0, nsc_get(self->fd, &after));
	EXPECT_EQ(before.value + 1, after.value);
}

TEST_F(sample, unload_sample_keeps_xns)
{
	struct xns_holder_args one = { .depth = 1 };
	struct nsc_holder_args args = { .counter = true };
	struct xns_holder_report rep;
	struct nsc_view view;
	__u32 xinum = 0, inum = 0;
	struct xns_info info;
	char link[64];
	int ret, devfd;

	/* Cache the /proc entries of this process first. */
	ASSERT_EQ(0, xns_self_inum(&xinum));
	ASSERT_EQ(0, xns_readlink(NSC_SELF_LINK, link, sizeof(link)));

	ret = nsc_unload_wait(XNS_SETTLE_MS);
	ASSERT_EQ(0, ret) {
		TH_LOG("delete_module(%s): %s", NSC_MODULE_NAME, strerror(-ret));
	}
	EXPECT_FALSE(nsc_loaded());
	ret = xns_readlink(NSC_SELF_LINK, link, sizeof(link));
	EXPECT_EQ(-ENOENT, ret) {
		TH_LOG("readlink %s after unloading: %s", NSC_SELF_LINK,
		       ret ? strerror(-ret) : link);
	}
	EXPECT_FALSE(xns_ns_dir_lists(NSC_NAME));
	EXPECT_EQ(-ENOENT, nsc_open_dev());

	/* xns is untouched. */
	EXPECT_TRUE(xns_module_loaded());
	EXPECT_TRUE(xns_ns_dir_lists("xns"));
	ASSERT_EQ(0, xns_self_inum(&inum));
	EXPECT_EQ(xinum, inum);
	devfd = xns_open_dev();
	ASSERT_GE(devfd, 0);
	EXPECT_EQ(0, xns_get_info(devfd, &info));
	EXPECT_EQ(xinum, info.inum);
	close(devfd);
	ret = xns_holder_start(&self->kid, &one, &rep);
	ASSERT_EQ(0, ret) {
		TH_LOG("xns unshare without the sample: %s", strerror(-ret));
	}
	EXPECT_NE(xinum, rep.inum);
	EXPECT_EQ(0, xns_child_stop(&self->kid));

	/* And the sample comes back, beside xns. */
	ret = nsc_load();
	ASSERT_EQ(0, ret) {
		TH_LOG("loading %s again: %s", nsc_module_path(), strerror(-ret));
	}
	ASSERT_EQ(0, ns_pid_inum(0, NSC_NAME, &inum));
	EXPECT_NE(xinum, inum);
	ASSERT_EQ(0, nsc_holder_start(&self->kid, &args, &view));
	EXPECT_NE(inum, view.counter_inum);
	EXPECT_EQ(xinum, view.xns_inum);
}

/* Probe: enter a counter namespace and check what it holds. */
struct enter_args {
	int fd;
	__u32 inum;
	__u64 value;
};

static int enter_child(__always_unused struct xns_child *c, void *arg)
{
	const struct enter_args *args = arg;
	struct nsc_view view;
	int ret;

	ret = xns_setns(args->fd, NS_COUNTER_NS_TYPE);
	xns_child_check(!ret, "setns(counter): %s", strerror(-ret));
	ret = nsc_view(&view);
	xns_child_check(!ret, "view: %s", strerror(-ret));
	xns_child_check(view.counter_inum == args->inum && view.info.inum == args->inum,
			"counter %u (GET: %u) after setns, want %u",
			view.counter_inum, view.info.inum, args->inum);
	xns_child_check(view.info.value == args->value,
			"counter value %llu, want %llu",
			(unsigned long long)view.info.value,
			(unsigned long long)args->value);
	return 0;
}

TEST_F(sample, unload_xns_keeps_sample)
{
	struct nsc_holder_args args = { .counter = true, .incs = 2 };
	struct xns_holder_args one = { .depth = 1 };
	struct xns_holder_report rep;
	struct enter_args eargs;
	struct nsc_view view, fresh;
	__u32 cinum = 0, inum = 0;
	char link[64];
	int ret;

	if (xns_setup_module_file(_metadata, "cannot reload xns"))
		return;
	/* Cache the /proc entries of this process first. */
	ASSERT_EQ(0, xns_readlink(XNS_SELF_LINK, link, sizeof(link)));
	ASSERT_EQ(0, ns_pid_inum(0, NSC_NAME, &cinum));
	/* A counter namespace in use does not keep xns loaded. */
	ASSERT_EQ(0, nsc_holder_start(&self->kid, &args, &view));

	ret = xns_unload_wait(XNS_SETTLE_MS);
	ASSERT_EQ(0, ret) {
		TH_LOG("delete_module(xns): %s", strerror(-ret));
	}
	EXPECT_FALSE(xns_module_loaded());
	ret = xns_readlink(XNS_SELF_LINK, link, sizeof(link));
	EXPECT_EQ(-ENOENT, ret) {
		TH_LOG("readlink %s after unloading xns: %s", XNS_SELF_LINK,
		       ret ? strerror(-ret) : link);
	}
	EXPECT_FALSE(xns_ns_dir_lists("xns"));
	EXPECT_TRUE(xns_ns_dir_lists(NSC_NAME));

	/* The sample is untouched: the initial namespace, the held one... */
	ASSERT_EQ(0, ns_pid_inum(0, NSC_NAME, &inum));
	EXPECT_EQ(cinum, inum);
	self->fd = ns_open(self->kid.pid, NSC_NAME);
	ASSERT_GE(self->fd, 0);
	eargs.fd = self->fd;
	eargs.inum = view.counter_inum;
	eargs.value = 2;
	EXPECT_EQ(0, xns_run_child(enter_child, &eargs));
	/* ... and new ones. */
	ret = nsc_holder_start(&self->kid2, &args, &fresh);
	ASSERT_EQ(0, ret) {
		TH_LOG("counter unshare without xns: %s", strerror(-ret));
	}
	EXPECT_NE(cinum, fresh.counter_inum);
	EXPECT_NE(view.counter_inum, fresh.counter_inum);
	EXPECT_EQ(0U, fresh.xns_inum);
	EXPECT_EQ(2U, fresh.info.value);

	/* The sample can be unloaded and loaded again without xns. */
	EXPECT_EQ(0, xns_child_stop(&self->kid));
	EXPECT_EQ(0, xns_child_stop(&self->kid2));
	close(self->fd);
	self->fd = -1;
	expect_unloads(_metadata, "its namespaces went, without xns");

	/* xns comes back, beside the sample. */
	ret = xns_load();
	ASSERT_EQ(0, ret) {
		TH_LOG("loading %s again: %s", xns_module_path(), strerror(-ret));
	}
	ASSERT_EQ(0, nsc_view(&view));
	EXPECT_NE(0U, view.xns_inum);
	EXPECT_NE(view.xns_inum, view.counter_inum);
	EXPECT_TRUE(xns_ns_dir_lists("xns"));
	EXPECT_TRUE(xns_ns_dir_lists(NSC_NAME));
	ret = xns_holder_start(&self->kid, &one, &rep);
	ASSERT_EQ(0, ret) {
		TH_LOG("xns unshare after reloading it: %s", strerror(-ret));
	}
	EXPECT_NE(view.xns_inum, rep.inum);
	EXPECT_EQ(0, xns_child_stop(&self->kid));
}

TEST_F(sample, busy_while_pinned)
{
	struct nsc_holder_args args = { .counter = true };
	struct nsc_view view;
	char src[64];

	/* A member of a non-initial namespace. */
	ASSERT_EQ(0, nsc_holder_start(&self->kid, &args, &view));
	expect_busy(_metadata, "a process is in a non-initial counter namespace");
	ASSERT_EQ(0, xns_child_stop(&self->kid));
	expect_unloads(_metadata, "its last member exited");

	/* A file of the initial namespace. */
	self->fd = ns_open(0, NSC_NAME);
	ASSERT_GE(self->fd, 0);
	expect_busy(_metadata, "the initial counter namespace is open");
	close(self->fd);
	self->fd = -1;
	expect_unloads(_metadata, "closing the initial counter namespace");

	/* A file of a namespace without members. */
	ASSERT_EQ(0, nsc_holder_start(&self->kid, &args, &view));
	self->fd = ns_open(self->kid.pid, NSC_NAME);
	ASSERT_GE(self->fd, 0);
	ASSERT_EQ(0, xns_child_stop(&self->kid));
	expect_busy(_metadata, "a counter namespace without members is open");
	close(self->fd);
	self->fd = -1;
	expect_unloads(_metadata, "closing it");

	/* A bind mount of a namespace without members. */
	xns_make_bind_target(_metadata, self->bind_target,
			     sizeof(self->bind_target), "nsc-bind");
	ASSERT_EQ(0, nsc_holder_start(&self->kid, &args, &view));
	snprintf(src, sizeof(src), "/proc/%d/ns/%s", self->kid.pid, NSC_NAME);
	ASSERT_EQ(0, mount(src, self->bind_target, NULL, MS_BIND, NULL)) {
		TH_LOG("mount --bind %s %s: %m", src, self->bind_target);
	}
	self->mounted = true;
	ASSERT_EQ(0, xns_child_stop(&self->kid));
	expect_busy(_metadata, "a counter namespace without members is bind-mounted");
	ASSERT_EQ(0, umount2(self->bind_target, 0));
	self->mounted = false;
	expect_unloads(_metadata, "the umount");

	/* The device. */
	self->fd = nsc_open_dev();
	ASSERT_GE(self->fd, 0);
	expect_busy(_metadata, NSC_DEV " is open");
	close(self->fd);
	self->fd = -1;
	expect_unloads(_metadata, "closing " NSC_DEV);
}

/* The id of the counter namespace of @pid (0: the caller). */
static int nsc_pid_ns_id(pid_t pid, __u64 *id)
{
	char path[64];

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", pid, NSC_NAME);
	else
		snprintf(path, sizeof(path), NSC_SELF_LINK);
	return xns_path_ns_id(path, id);
}

/* The handle of the counter namespace file @fd, which is namespace @id. */
static void nsc_handle_of(struct __test_metadata *_metadata, int fd,
			  __u64 id, struct xns_ns_handle *h)
{
	xns_check_handle(_metadata, fd, NSC_NAME, NS_COUNTER_NS_TYPE, id, h);
}

/* Open @h; the fd must be the counter namespace @id with inode @ino. */
static int nsc_open_handle(struct __test_metadata *_metadata,
			   const struct xns_ns_handle *h, __u64 id, ino_t ino)
{
	return xns_check_open_handle(_metadata, h, NS_COUNTER_NS_TYPE, id, ino);
}

TEST_F(sample, listns)
{
	struct nsc_holder_args args = { .counter = true };
	struct xns_ids cl, xl, both, all;
	__u64 init_id = 0, xinit = 0, id = 0, init_user = 0;
	struct nsc_view view;

	ASSERT_EQ(0, xns_path_ns_id("/proc/1/ns/" NSC_NAME, &init_id));
	ASSERT_EQ(0, xns_path_ns_id("/proc/1/ns/xns", &xinit));
	ASSERT_EQ(0, xns_path_ns_id("/proc/1/ns/user", &init_user));
	EXPECT_GT(init_id, XNS_LAST_INIT_NS_ID);
	ASSERT_EQ(0, nsc_holder_start(&self->kid, &args, &view));
	ASSERT_EQ(0, nsc_pid_ns_id(self->kid.pid, &id));
	EXPECT_EQ(view.info.ns_id, id);
	EXPECT_GT(id, init_id);

	/* Each type on its own, and both bits at once. */
	xns_check_list_union(_metadata, NS_COUNTER_NS_TYPE, XNS_NS_TYPE, &cl,
			     &xl, &both);
	EXPECT_TRUE(xns_ids_has(&cl, init_id)) {
		TH_LOG("the initial counter namespace %llu is not listed",
		       (unsigned long long)init_id);
	}
	EXPECT_TRUE(xns_ids_has(&cl, id)) {
		TH_LOG("the child's counter namespace %llu is not listed",
		       (unsigned long long)id);
	}
	EXPECT_FALSE(xns_ids_has(&cl, xinit));
	EXPECT_TRUE(xns_ids_has(&xl, xinit));
	EXPECT_TRUE(xns_ids_disjoint(&cl, &xl));
	xns_check_listed_type(_metadata, &cl, NS_COUNTER_NS_TYPE, NULL);
	xns_check_list(_metadata, 0, 0, &all);
	EXPECT_TRUE(xns_ids_has(&all, init_id));
	EXPECT_TRUE(xns_ids_has(&all, id));
	/* Both made in the initial user namespace. */
	xns_check_list(_metadata, NS_COUNTER_NS_TYPE, init_user, &cl);
	EXPECT_TRUE(xns_ids_has(&cl, init_id));
	EXPECT_TRUE(xns_ids_has(&cl, id));

	/* Its member gone, it leaves the list. */
	ASSERT_EQ(0, xns_child_stop(&self->kid));
	EXPECT_EQ(0, xns_wait_listed(NS_COUNTER_NS_TYPE, id, false,
				     XNS_SETTLE_MS));
	EXPECT_EQ(0, xns_wait_listed(0, id, false, XNS_SETTLE_MS));
	EXPECT_EQ(0, xns_wait_listed(NS_COUNTER_NS_TYPE, init_id, true, 0));
}

/* What a child in a user namespace of its own reports. */
struct nsc_userns_report {
	__u64 userns_id;
	__u64 id;		/* its counter namespace */
};

struct nsc_userns_args {
	struct xns_ns_handle init_handle;
};

/* Root of a new user namespace: it sees its own counter namespace only. */
static int nsc_userns_child(struct xns_child *c, void *arg)
{
	const struct nsc_userns_args *args = arg;
	struct nsc_userns_report rep = {};
	struct xns_ns_handle h;
	int ret;

	ret = xns_enter_userns();
	xns_child_check(!ret, "enter a user namespace: %s", strerror(-ret));
	ret = xns_path_ns_id("/proc/self/ns/user", &rep.userns_id);
	xns_child_check(!ret, "NS_GET_ID of the user ns: %s", strerror(-ret));
	ret = nsc_unshare();
	xns_child_check(!ret, "unshare (NS_CREATE_CHILD + setns): %s",
			strerror(-ret));
	ret = nsc_pid_ns_id(0, &rep.id);
	xns_child_check(!ret, "NS_GET_ID: %s", strerror(-ret));

	xns_child_lists_only(NS_COUNTER_NS_TYPE, 0, rep.id);
	xns_child_lists_only(NS_COUNTER_NS_TYPE, LISTNS_CURRENT_USER, rep.id);
	xns_child_lists_only(NS_COUNTER_NS_TYPE, rep.userns_id, rep.id);

	/* Refused as for a built-in type: EPERM from nsfs, ESTALE here. */
	xns_child_may_not_open(&args->init_handle, "the initial counter ns");
	xns_ns_handle_id(&h, rep.id);
	xns_child_opens(&h, rep.id, "the own counter ns");

	if (xns_send(c->rep, &rep, sizeof(rep)))
		return 1;
	xns_child_hold(c);
	return 0;
}

TEST_F(sample, listns_visibility)
{
	struct nsc_userns_args args = {};
	struct nsc_userns_report rep;
	__u64 init_id = 0;
	struct xns_ids l;
	int ret;

	self->fd2 = ns_open(1, NSC_NAME);
	ASSERT_GE(self->fd2, 0);
	ASSERT_EQ(0, xns_fd_ns_id(self->fd2, &init_id));
	nsc_handle_of(_metadata, self->fd2, init_id, &args.init_handle);

	ASSERT_EQ(0, xns_child_start(&self->kid, nsc_userns_child, &args));
	ret = xns_child_recv(&self->kid, &rep, sizeof(rep));
	ASSERT_EQ(0, ret) {
		TH_LOG("the child in a user namespace failed: exit %d",
		       xns_child_reap(&self->kid));
	}
	/* Privileged: listed by its owner, and in the unfiltered list. */
	xns_check_list(_metadata, NS_COUNTER_NS_TYPE, rep.userns_id, &l);
	ASSERT_EQ(1U, l.nr);
	EXPECT_EQ(rep.id, l.id[0]);
	xns_check_list(_metadata, NS_COUNTER_NS_TYPE, 0, &l);
	EXPECT_TRUE(xns_ids_has(&l, rep.id));
	EXPECT_TRUE(xns_ids_has(&l, init_id));

	EXPECT_EQ(0, xns_child_stop(&self->kid));
	EXPECT_EQ(0, xns_wait_listed(NS_COUNTER_NS_TYPE, rep.id, false,
				     XNS_SETTLE_MS));
}

TEST_F(sample, file_handle)
{
	struct nsc_holder_args args = { .counter = true, .incs = 4 };
	struct xns_ns_handle h, id_only, bad, again;
	struct enter_args eargs;
	struct nsc_view view;
	__u64 id = 0, init_id = 0;
	struct stat st;
	int fd;

	/* The initial namespace. */
	fd = ns_open(1, NSC_NAME);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, xns_fd_ns_id(fd, &init_id));
	ASSERT_EQ(0, fstat(fd, &st));
	nsc_handle_of(_metadata, fd, init_id, &h);
	close(fd);
	fd = nsc_open_handle(_metadata, &h, init_id, st.st_ino);
	ASSERT_GE(fd, 0);
	close(fd);

	/* A child namespace, kept by a file opened from its handle alone. */
	ASSERT_EQ(0, nsc_holder_start(&self->kid, &args, &view));
	self->fd = ns_open(self->kid.pid, NSC_NAME);
	ASSERT_GE(self->fd, 0);
	ASSERT_EQ(0, xns_fd_ns_id(self->fd, &id));
	ASSERT_EQ(0, fstat(self->fd, &st));
	nsc_handle_of(_metadata, self->fd, id, &h);
	ASSERT_EQ(0, xns_child_stop(&self->kid));
	self->fd2 = nsc_open_handle(_metadata, &h, id, st.st_ino);
	ASSERT_GE(self->fd2, 0);
	close(self->fd);
	self->fd = -1;
	ASSERT_EQ(0, xns_ns_handle_get(self->fd2, &again));
	EXPECT_EQ(0, memcmp(&h, &again, sizeof(h)));

	/* By id alone. */
	xns_ns_handle_id(&id_only, id);
	fd = nsc_open_handle(_metadata, &id_only, id, st.st_ino);
	ASSERT_GE(fd, 0);
	close(fd);

	/* Of another type. */
	bad = h;
	bad.fid.ns_type = XNS_NS_TYPE;
	EXPECT_EQ(-ESTALE, xns_ns_handle_open(&bad, O_RDONLY | O_CLOEXEC));
	bad.fid.ns_type = CLONE_NEWUTS;
	EXPECT_EQ(-ESTALE, xns_ns_handle_open(&bad, O_RDONLY | O_CLOEXEC));

	/* Entered through the fd: the counter is the child's. */
	eargs.fd = self->fd2;
	eargs.inum = st.st_ino;
	eargs.value = 4;
	EXPECT_EQ(0, xns_run_child(enter_child, &eargs));
}

TEST_F(sample, stale_handle)
{
	struct nsc_holder_args args = { .counter = true };
	struct xns_ns_handle h, init_h, id_only;
	__u64 id = 0, init_id = 0;
	struct nsc_view view;
	struct xns_ids all;
	int ret;

	self->fd = ns_open(1, NSC_NAME);
	ASSERT_GE(self->fd, 0);
	ASSERT_EQ(0, xns_fd_ns_id(self->fd, &init_id));
	nsc_handle_of(_metadata, self->fd, init_id, &init_h);
	close(self->fd);
	self->fd = -1;

	/* A namespace whose last member exited. */
	ASSERT_EQ(0, nsc_holder_start(&self->kid, &args, &view));
	self->fd = ns_open(self->kid.pid, NSC_NAME);
	ASSERT_GE(self->fd, 0);
	ASSERT_EQ(0, xns_fd_ns_id(self->fd, &id));
	nsc_handle_of(_metadata, self->fd, id, &h);
	close(self->fd);
	self->fd = -1;
	ASSERT_EQ(0, xns_child_stop(&self->kid));
	ret = xns_wait_stale(&h, XNS_SETTLE_MS);
	EXPECT_EQ(-ESTALE, ret) {
		TH_LOG("open_by_handle_at after the last member exited: %s",
		       ret ? strerror(-ret) : "opened");
	}
	xns_ns_handle_id(&id_only, id);
	EXPECT_EQ(-ESTALE, xns_wait_stale(&id_only, XNS_SETTLE_MS));
	EXPECT_EQ(0, xns_wait_listed(0, id, false, XNS_SETTLE_MS));

	/* The initial namespace, once the sample is unloaded. */
	ret = nsc_unload_wait(XNS_SETTLE_MS);
	ASSERT_EQ(0, ret) {
		TH_LOG("delete_module(%s): %s", NSC_MODULE_NAME, strerror(-ret));
	}
	EXPECT_EQ(-ESTALE, xns_ns_handle_open(&init_h, O_RDONLY | O_CLOEXEC));
	xns_ns_handle_id(&id_only, init_id);
	EXPECT_EQ(-ESTALE, xns_ns_handle_open(&id_only, O_RDONLY | O_CLOEXEC));
	xns_check_list(_metadata, 0, 0, &all);
	EXPECT_FALSE(xns_ids_has(&all, init_id));
	EXPECT_EQ(-EOPNOTSUPP, xns_listns(NS_COUNTER_NS_TYPE, 0, 0, NULL, 0));
	ret = nsc_load();
	ASSERT_EQ(0, ret) {
		TH_LOG("loading %s again: %s", nsc_module_path(), strerror(-ret));
	}
}

TEST_F(sample, busy_while_handle_open)
{
	struct nsc_holder_args args = { .counter = true };
	struct xns_ns_handle h;
	struct nsc_view view;
	__u64 id = 0;
	int fd;

	ASSERT_EQ(0, nsc_holder_start(&self->kid, &args, &view));
	fd = ns_open(self->kid.pid, NSC_NAME);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, xns_fd_ns_id(fd, &id));
	nsc_handle_of(_metadata, fd, id, &h);
	self->fd = xns_ns_handle_open(&h, O_RDONLY | O_CLOEXEC);
	close(fd);
	ASSERT_GE(self->fd, 0) {
		TH_LOG("open_by_handle_at: %s", strerror(-self->fd));
	}
	ASSERT_EQ(0, xns_child_stop(&self->kid));
	expect_busy(_metadata, "a counter namespace opened by handle is open");
	EXPECT_EQ(0, xns_wait_listed(NS_COUNTER_NS_TYPE, id, true, 0));
	close(self->fd);
	self->fd = -1;
	expect_unloads(_metadata, "closing it");
}

/*
 * NS_CREATE_CHILD on counter namespaces: a new namespace owned by the
 * caller's user namespace, with a counter of 0, that does not refer to
 * the namespace of the file (NS_GET_PARENT: EINVAL).
 */

/* NS_GET_PARENT of a counter namespace file must fail with EINVAL. */
static void expect_no_parent(struct __test_metadata *_metadata, int fd)
{
	int ret = ioctl(fd, NS_GET_PARENT);

	EXPECT_EQ(-1, ret);
	EXPECT_EQ(EINVAL, errno) {
		TH_LOG("NS_GET_PARENT of a new counter namespace: %m, want EINVAL");
	}
	if (ret >= 0)
		close(ret);
}

TEST_F(sample, create_child)
{
	struct stat st, st_init, st_user, st_owner;
	__u64 init_id = 0, id = 0;
	struct enter_args eargs;
	struct xns_ns_handle h;
	__u32 before = 0, after = 0;
	int ufd;

	ASSERT_EQ(0, stat("/proc/self/ns/user", &st_user));
	ASSERT_EQ(0, ns_pid_inum(0, NSC_NAME, &before));
	self->fd = ns_open(0, NSC_NAME);
	ASSERT_GE(self->fd, 0);
	ASSERT_EQ(0, xns_fd_ns_id(self->fd, &init_id));
	self->fd2 = xns_create_child(self->fd);
	ASSERT_LE(0, self->fd2) {
		TH_LOG("NS_CREATE_CHILD on %s: %s", NSC_SELF_LINK,
		       strerror(-self->fd2));
	}
	EXPECT_EQ(FD_CLOEXEC, fcntl(self->fd2, F_GETFD));
	EXPECT_EQ(NS_COUNTER_NS_TYPE, ioctl(self->fd2, NS_GET_NSTYPE));
	ASSERT_EQ(0, fstat(self->fd, &st_init));
	ASSERT_EQ(0, fstat(self->fd2, &st));
	EXPECT_EQ(st_init.st_dev, st.st_dev);
	EXPECT_NE(st_init.st_ino, st.st_ino);
	ASSERT_EQ(0, xns_fd_ns_id(self->fd2, &id));
	EXPECT_NE(init_id, id);
	expect_no_parent(_metadata, self->fd2);
	ufd = ioctl(self->fd2, NS_GET_USERNS);
	ASSERT_GE(ufd, 0) {
		TH_LOG("NS_GET_USERNS: %m");
	}
	ASSERT_EQ(0, fstat(ufd, &st_owner));
	close(ufd);
	EXPECT_EQ(st_user.st_ino, st_owner.st_ino) {
		TH_LOG("a new counter namespace is not owned by the caller's user namespace");
	}

	/* Nobody moved; the file alone holds it, listed. */
	ASSERT_EQ(0, ns_pid_inum(0, NSC_NAME, &after));
	EXPECT_EQ(before, after);
	EXPECT_EQ(0, xns_wait_listed(NS_COUNTER_NS_TYPE, id, true, 0)) {
		TH_LOG("listns does not show a counter namespace held by its file");
	}
	nsc_handle_of(_metadata, self->fd2, id, &h);

	/* Entered (by a probe): its own counter, 0. */
	eargs.fd = self->fd2;
	eargs.inum = st.st_ino;
	eargs.value = 0;
	EXPECT_EQ(0, xns_run_child(enter_child, &eargs));

	/* Closing the file frees it. */
	close(self->fd2);
	self->fd2 = -1;
	EXPECT_EQ(0, xns_wait_listed(NS_COUNTER_NS_TYPE, id, false,
				     XNS_SETTLE_MS));
	EXPECT_EQ(-ESTALE, xns_wait_stale(&h, XNS_SETTLE_MS));
}

TEST_F(sample, create_child_of_other_namespace)
{
	struct nsc_holder_args args = { .counter = true, .incs = 3 };
	__u64 holder_id = 0, id = 0;
	struct enter_args eargs;
	struct nsc_view view;
	struct stat st;

	/* A namespace the test is not in, with a counter of 3. */
	ASSERT_EQ(0, nsc_holder_start(&self->kid, &args, &view));
	EXPECT_EQ(3U, view.info.value);
	self->fd = ns_open(self->kid.pid, NSC_NAME);
	ASSERT_GE(self->fd, 0);
	ASSERT_EQ(0, xns_fd_ns_id(self->fd, &holder_id));
	self->fd2 = xns_create_child(self->fd);
	ASSERT_LE(0, self->fd2) {
		TH_LOG("NS_CREATE_CHILD on another task's counter ns: %s",
		       strerror(-self->fd2));
	}
	ASSERT_EQ(0, xns_fd_ns_id(self->fd2, &id));
	EXPECT_NE(holder_id, id);
	expect_no_parent(_metadata, self->fd2);

	/* It does not keep the other one alive. */
	ASSERT_EQ(0, xns_child_stop(&self->kid));
	close(self->fd);
	self->fd = -1;
	EXPECT_EQ(0, xns_wait_listed(NS_COUNTER_NS_TYPE, holder_id, false,
				     XNS_SETTLE_MS));
	EXPECT_EQ(0, xns_wait_listed(NS_COUNTER_NS_TYPE, id, true, 0));

	/* Nor does it inherit its counter. */
	ASSERT_EQ(0, fstat(self->fd2, &st));
	eargs.fd = self->fd2;
	eargs.inum = st.st_ino;
	eargs.value = 0;
	EXPECT_EQ(0, xns_run_child(enter_child, &eargs));
}

/* Probe, unprivileged: NS_CREATE_CHILD is refused, on any counter ns. */
static int create_refused_child(__always_unused struct xns_child *c,
				void *arg)
{
	int initfd = *(int *)arg;
	__u32 before = 0, after = 0;
	int ret, own;

	ret = xns_drop_privs(XNS_NOBODY, XNS_NOBODY);
	xns_child_check(!ret, "drop privileges: %s", strerror(-ret));
	xns_child_check(!ns_pid_inum(0, NSC_NAME, &before), "readlink");
	own = ns_open(0, NSC_NAME);
	xns_child_check(own >= 0, "open counter ns: %s", strerror(-own));
	ret = xns_create_child(own);
	xns_child_check(ret == -EPERM,
			"NS_CREATE_CHILD without CAP_SYS_ADMIN: %s, want EPERM",
			ret < 0 ? strerror(-ret) : "a file");
	ret = xns_create_child(initfd);
	xns_child_check(ret == -EPERM,
			"NS_CREATE_CHILD on a root-owned file: %s, want EPERM",
			ret < 0 ? strerror(-ret) : "a file");
	ret = nsc_unshare();
	xns_child_check(ret == -EPERM, "unshare: %s, want EPERM",
			ret ? strerror(-ret) : "success");
	xns_child_check(!ns_pid_inum(0, NSC_NAME, &after) && after == before,
			"a refused create moved us");
	close(own);
	return 0;
}

TEST_F(sample, create_child_refused_leaves_nothing)
{
	struct xns_ids before, after;

	self->fd = ns_open(1, NSC_NAME);
	ASSERT_GE(self->fd, 0);
	xns_check_list(_metadata, NS_COUNTER_NS_TYPE, 0, &before);
	EXPECT_EQ(0, xns_run_child(create_refused_child, &self->fd));
	xns_check_list(_metadata, NS_COUNTER_NS_TYPE, 0, &after);
	EXPECT_TRUE(xns_ids_subset(&before, &after)) {
		TH_LOG("a refused NS_CREATE_CHILD left a counter namespace listed");
	}
}

TEST_F(sample, busy_while_created_child_open)
{
	self->fd = ns_open(0, NSC_NAME);
	ASSERT_GE(self->fd, 0);
	self->fd2 = xns_create_child(self->fd);
	ASSERT_LE(0, self->fd2) {
		TH_LOG("NS_CREATE_CHILD: %s", strerror(-self->fd2));
	}
	close(self->fd);
	self->fd = -1;
	expect_busy(_metadata, "an NS_CREATE_CHILD file is open");
	close(self->fd2);
	self->fd2 = -1;
	expect_unloads(_metadata, "closing the NS_CREATE_CHILD file");
}

/*
 * max_module_namespaces (/proc/sys/user) limits the namespaces of every
 * registered type together, per user and user namespace, as
 * max_uts_namespaces limits UTS namespaces.  Each case runs in a child,
 * as root of a user namespace of its own with the limit set there, so
 * that its count starts at 0 and the test process keeps the privileges
 * the teardown needs to unload the sample.  From there listns() shows
 * only the child's current namespaces: a lister that the test starts
 * first, in the initial user namespace, lists for it.
 */

/* In a child: all namespaces of @ns_type, as @lister sees them. */
static void nsc_child_list(struct xns_child *lister, __u32 ns_type,
			   struct xns_ids *l)
{
	int ret = xns_lister_list(lister, ns_type, l);

	xns_child_check(!ret, "listns(ns_type %#x) by the lister: %s",
			ns_type, strerror(-ret));
}

/* In a child: NS_GET_ID of @fd, a namespace file. */
static __u64 nsc_child_fd_id(int fd)
{
	__u64 id = 0;
	int ret;

	ret = xns_fd_ns_id(fd, &id);
	xns_child_check(!ret, "NS_GET_ID: %s", strerror(-ret));
	return id;
}

/* In a child: close @fd, a namespace file, and wait until it is freed. */
static void nsc_child_close(struct xns_child *lister, int fd, __u32 ns_type)
{
	__u64 id = nsc_child_fd_id(fd);
	int ret;

	close(fd);
	ret = xns_lister_wait_gone(lister, ns_type, id, XNS_SETTLE_MS);
	xns_child_check(!ret, "namespace %llu still listed after closing it: %s",
			(unsigned long long)id, strerror(-ret));
}

/* In a child: NS_CREATE_CHILD on @fd must fail with ENOSPC. */
static void nsc_child_enospc(int fd, const char *what)
{
	int ret = xns_create_child(fd);

	xns_child_check(ret == -ENOSPC, "%s: %s, want ENOSPC", what,
			ret < 0 ? strerror(-ret) : "a file");
}

#define NSC_LIMIT	3

/* Limit NSC_LIMIT: as many counter namespaces, not one more. */
static int limit_child(__always_unused struct xns_child *c, void *arg)
{
	struct xns_child *lister = arg;
	__u32 inum = 0, inum_after = 0;
	struct xns_ids before, after;
	int home, c1, c2, c3, ret;

	ret = xns_enter_userns_limit(NSC_LIMIT);
	xns_child_check(!ret, "a user namespace with max_module_namespaces=%d: %s",
			NSC_LIMIT, strerror(-ret));
	home = ns_open(0, NSC_NAME);
	xns_child_check(home >= 0, "open %s: %s", NSC_SELF_LINK,
			strerror(-home));
	/* Two kept by their files, one by the task in it. */
	c1 = xns_create_child(home);
	xns_child_check(c1 >= 0, "first namespace: %s", strerror(-c1));
	c2 = xns_create_child(home);
	xns_child_check(c2 >= 0, "second namespace: %s", strerror(-c2));
	ret = nsc_unshare();
	xns_child_check(!ret, "third namespace, entered: %s", strerror(-ret));

	xns_child_check(!ns_pid_inum(0, NSC_NAME, &inum), "readlink");
	nsc_child_list(lister, NS_COUNTER_NS_TYPE, &before);
	nsc_child_enospc(home, "a fourth namespace with max_module_namespaces=3");
	nsc_child_enospc(c1, "a fourth namespace, on a file of another");
	ret = nsc_unshare();
	xns_child_check(ret == -ENOSPC, "a fourth namespace, as an unshare: %s, want ENOSPC",
			ret ? strerror(-ret) : "success");
	xns_child_check(!ns_pid_inum(0, NSC_NAME, &inum_after) &&
			inum_after == inum, "a refused unshare moved the caller");
	nsc_child_list(lister, NS_COUNTER_NS_TYPE, &after);
	xns_child_check(xns_ids_subset(&before, &after),
			"listns: a new counter namespace after the refused creations");

	/* Freeing one gives its slot back, and only its slot. */
	nsc_child_close(lister, c1, NS_COUNTER_NS_TYPE);
	c3 = xns_create_child(home);
	xns_child_check(c3 >= 0, "after closing one: %s", strerror(-c3));
	nsc_child_enospc(home, "one more after the freed slot was taken again");
	close(c3);
	close(c2);
	close(home);
	return 0;
}

TEST_F(sample, create_child_limit)
{
	ASSERT_EQ(0, xns_lister_start(&self->kid2));
	EXPECT_EQ(0, xns_run_child(limit_child, &self->kid2));
	EXPECT_EQ(0, xns_child_reap(&self->kid2));
}

/* Limit 2: one xns and one counter namespace take it all. */
static int shared_limit_child(__always_unused struct xns_child *c, void *arg)
{
	struct xns_ids xbefore, xafter, cbefore, cafter;
	struct xns_child *lister = arg;
	int xhome, chome, x, cn, cn2, ret;

	ret = xns_enter_userns_limit(2);
	xns_child_check(!ret, "a user namespace with max_module_namespaces=2: %s",
			strerror(-ret));
	xhome = xns_open_ns(0);
	xns_child_check(xhome >= 0, "open %s: %s", XNS_SELF_LINK,
			strerror(-xhome));
	chome = ns_open(0, NSC_NAME);
	xns_child_check(chome >= 0, "open %s: %s", NSC_SELF_LINK,
			strerror(-chome));
	x = xns_create_child(xhome);
	xns_child_check(x >= 0, "an xns: %s", strerror(-x));
	cn = xns_create_child(chome);
	xns_child_check(cn >= 0, "a counter namespace next to one xns: %s",
			strerror(-cn));

	nsc_child_list(lister, XNS_NS_TYPE, &xbefore);
	nsc_child_list(lister, NS_COUNTER_NS_TYPE, &cbefore);
	nsc_child_enospc(xhome, "an xns after one xns and one counter namespace");
	nsc_child_enospc(chome, "a counter namespace after one xns and one counter namespace");
	ret = xns_unshare();
	xns_child_check(ret == -ENOSPC, "xns unshare at the limit: %s, want ENOSPC",
			ret ? strerror(-ret) : "success");
	ret = nsc_unshare();
	xns_child_check(ret == -ENOSPC, "counter unshare at the limit: %s, want ENOSPC",
			ret ? strerror(-ret) : "success");
	nsc_child_list(lister, XNS_NS_TYPE, &xafter);
	nsc_child_list(lister, NS_COUNTER_NS_TYPE, &cafter);
	xns_child_check(xns_ids_subset(&xbefore, &xafter) &&
			xns_ids_subset(&cbefore, &cafter),
			"listns: a namespace was left after a refused creation");

	/* The slot of the freed xns takes a counter namespace. */
	nsc_child_close(lister, x, XNS_NS_TYPE);
	cn2 = xns_create_child(chome);
	xns_child_check(cn2 >= 0, "a counter namespace in the slot of an xns: %s",
			strerror(-cn2));
	nsc_child_enospc(xhome, "an xns after two counter namespaces");
	close(cn2);
	close(cn);
	close(chome);
	close(xhome);
	return 0;
}

TEST_F(sample, limit_shared_with_xns)
{
	ASSERT_EQ(0, xns_lister_start(&self->kid2));
	EXPECT_EQ(0, xns_run_child(shared_limit_child, &self->kid2));
	EXPECT_EQ(0, xns_child_reap(&self->kid2));
}

TEST_HARNESS_MAIN
