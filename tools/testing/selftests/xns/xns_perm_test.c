// SPDX-License-Identifier: GPL-2.0
/*
 * xns permissions: creating namespaces (NS_CREATE_CHILD, on any xns file)
 * and entering them and writing labels need CAP_SYS_ADMIN (in the
 * caller's user namespace, resp. over the owner of the namespace
 * concerned); reading labels does not; reading another process's
 * /proc/<pid>/ns/xns needs ptrace read access.
 *
 * The unprivileged side runs in helper processes as uid/gid 65534 with
 * no capabilities, sometimes inside a user namespace of their own.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include <linux/nsfs.h>
#include <linux/xns.h>

#include "xns_util.h"
#include "kselftest_harness.h"
#include "xns_harness.h"

FIXTURE(perm)
{
	int devfd;
	__u32 inum;
	struct xns_child kid;
	struct xns_child holder;
};

/*
 * Each test runs in a new namespace owned by the initial user namespace,
 * holding the label owner=root.
 */
FIXTURE_SETUP(perm)
{
	struct xns_info info;
	int ret;

	self->devfd = -1;
	xns_child_init(&self->kid);
	xns_child_init(&self->holder);

	if (geteuid() != 0)
		SKIP(return, "must be run as root");
	self->devfd = xns_setup_dev(_metadata);
	if (self->devfd < 0)
		return;
	ret = xns_unshare();
	ASSERT_EQ(0, ret) {
		TH_LOG("NS_CREATE_CHILD + setns as root: %s", strerror(-ret));
	}
	ASSERT_EQ(0, xns_label_set(self->devfd, "owner", "root"));
	ASSERT_EQ(0, xns_get_info(self->devfd, &info));
	self->inum = info.inum;
}

FIXTURE_TEARDOWN(perm)
{
	xns_child_kill(&self->kid);
	xns_child_kill(&self->holder);
	if (self->devfd >= 0)
		close(self->devfd);
}

/* Arguments of the unprivileged helpers. */
struct perm_args {
	int devfd;	/* opened by root, for when /dev/xns is root-only */
	int nsfd;	/* an xns nsfs file opened by root, or -1 */
	pid_t pid;	/* a root-owned process, or 0 */
};

/* Become uid 65534 and open /dev/xns (helpers only). */
static int become_nobody(const struct perm_args *args)
{
	int devfd, ret;

	ret = xns_drop_privs(XNS_NOBODY, XNS_NOBODY);
	xns_child_check(!ret, "dropping privileges: %s", strerror(-ret));
	devfd = xns_open_dev_or(args->devfd);
	xns_child_check(devfd >= 0, "open %s as uid %d: %s", XNS_DEV,
			XNS_NOBODY, strerror(-devfd));
	return devfd;
}

/* Also move into a new user namespace mapping root to 65534. */
static int become_userns_root(const struct perm_args *args)
{
	int devfd, ret;

	ret = xns_drop_privs(XNS_NOBODY, XNS_NOBODY);
	xns_child_check(!ret, "dropping privileges: %s", strerror(-ret));
	ret = xns_enter_userns();
	if (ret) {
		fprintf(stderr, "# cannot create a user namespace as uid %d: %s\n",
			XNS_NOBODY, strerror(-ret));
		_exit(XNS_CHILD_SKIP);
	}
	xns_child_check(getuid() == 0 && geteuid() == 0,
			"not root in the new user namespace");
	devfd = xns_open_dev_or(args->devfd);
	xns_child_check(devfd >= 0, "open %s: %s", XNS_DEV, strerror(-devfd));
	return devfd;
}

static __u32 child_inum(void)
{
	__u32 inum = 0;
	int ret;

	ret = xns_self_inum(&inum);
	xns_child_check(!ret, "readlink %s: %s", XNS_SELF_LINK, strerror(-ret));
	return inum;
}

/* Run @fn in a helper process and return its exit status. */
static int run_helper(struct __test_metadata *_metadata, struct xns_child *kid,
		      int devfd, xns_child_fn fn, struct perm_args *args)
{
	int ret;

	args->devfd = devfd;
	ret = xns_child_start(kid, fn, args);
	ASSERT_EQ(0, ret);
	return xns_child_stop(kid);
}

static int unshare_helper(__always_unused struct xns_child *c, void *arg)
{
	struct xns_info info;
	__u32 before;
	int devfd, ret;

	devfd = become_nobody(arg);
	before = child_inum();
	ret = xns_unshare();
	xns_child_check(ret == -EPERM,
			"NS_CREATE_CHILD + setns without CAP_SYS_ADMIN: %s, want EPERM",
			ret ? strerror(-ret) : "success");
	xns_child_check(child_inum() == before, "a failed unshare moved us");
	ret = xns_get_info(devfd, &info);
	xns_child_check(!ret && info.inum == before,
			"GET_INFO after the failed unshare: %s", strerror(-ret));
	return 0;
}

TEST_F(perm, unprivileged_cannot_unshare)
{
	struct perm_args args = { .nsfd = -1 };
	__u32 before = 0, after = 0;
	int ret;

	ASSERT_EQ(0, xns_nr_live(self->devfd, &before));
	ret = run_helper(_metadata, &self->kid, self->devfd,
			 unshare_helper, &args);
	EXPECT_EQ(0, ret) {
		TH_LOG("helper failed with exit status %d", ret);
	}
	ASSERT_EQ(0, xns_nr_live(self->devfd, &after));
	EXPECT_EQ(before, after) {
		TH_LOG("a refused unshare left a namespace behind");
	}
}

/* Drop CAP_SYS_ADMIN from the effective and permitted sets, staying root. */
static int drop_sys_admin(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};

	if (syscall(SYS_capget, &hdr, data))
		return -errno;
	data[0].effective &= ~(1U << CAP_SYS_ADMIN);
	data[0].permitted &= ~(1U << CAP_SYS_ADMIN);
	if (syscall(SYS_capset, &hdr, data))
		return -errno;
	return 0;
}

/* The lowest free descriptor: a file NS_CREATE_CHILD left open shows. */
static int lowest_free_fd(int any)
{
	int fd = fcntl(any, F_DUPFD_CLOEXEC, 0);

	if (fd >= 0)
		close(fd);
	return fd;
}

/*
 * NS_CREATE_CHILD on our own xns and on the root-owned args->nsfd: EPERM
 * from the ioctl, no file, nobody moved.
 */
static void create_child_refused(const struct perm_args *args,
				 const char *who)
{
	int own, low, ret;
	__u32 before;

	before = child_inum();
	own = xns_open_ns(0);
	xns_child_check(own >= 0, "open %s: %s", XNS_SELF_LINK,
			strerror(-own));
	low = lowest_free_fd(own);
	ret = xns_create_child(own);
	xns_child_check(ret == -EPERM,
			"NS_CREATE_CHILD on our xns %s: %s, want EPERM", who,
			ret < 0 ? strerror(-ret) : "a file");
	ret = xns_create_child(args->nsfd);
	xns_child_check(ret == -EPERM,
			"NS_CREATE_CHILD on another xns %s: %s, want EPERM", who,
			ret < 0 ? strerror(-ret) : "a file");
	xns_child_check(lowest_free_fd(own) == low,
			"a refused NS_CREATE_CHILD left a file open");
	ret = xns_unshare();
	xns_child_check(ret == -EPERM, "unshare %s: %s, want EPERM", who,
			ret ? strerror(-ret) : "success");
	xns_child_check(child_inum() == before, "a refused create moved us");
	close(own);
}

static int create_child_nobody_helper(__always_unused struct xns_child *c,
				      void *arg)
{
	close(become_nobody(arg));
	create_child_refused(arg, "as uid 65534");
	return 0;
}

static int create_child_nocap_helper(__always_unused struct xns_child *c,
				     void *arg)
{
	int ret = drop_sys_admin();

	xns_child_check(!ret, "dropping CAP_SYS_ADMIN: %s", strerror(-ret));
	xns_child_check(geteuid() == 0, "not root any more");
	create_child_refused(arg, "as root without CAP_SYS_ADMIN");
	return 0;
}

TEST_F(perm, unprivileged_cannot_create_child)
{
	struct xns_holder_args one = { .depth = 1 };
	struct xns_holder_report rep;
	struct perm_args args = {};
	struct xns_ids before, after;
	__u32 nr = 0, nr_after = 0;
	int ret;

	ASSERT_EQ(0, xns_holder_start(&self->holder, &one, &rep));
	args.nsfd = xns_open_ns(self->holder.pid);
	ASSERT_GE(args.nsfd, 0);
	ASSERT_EQ(0, xns_nr_live(self->devfd, &nr));
	ASSERT_EQ(0, xns_ids_list(XNS_NS_TYPE, 0, &before));

	ret = run_helper(_metadata, &self->kid, self->devfd,
			 create_child_nobody_helper, &args);
	EXPECT_EQ(0, ret) {
		TH_LOG("uid 65534: helper failed with exit status %d", ret);
	}
	ret = run_helper(_metadata, &self->kid, self->devfd,
			 create_child_nocap_helper, &args);
	EXPECT_EQ(0, ret) {
		TH_LOG("root without CAP_SYS_ADMIN: helper failed with exit status %d",
		       ret);
	}

	/* Nothing was made: no new namespace listed, none counted. */
	ASSERT_EQ(0, xns_ids_list(XNS_NS_TYPE, 0, &after));
	EXPECT_TRUE(xns_ids_subset(&before, &after)) {
		TH_LOG("a refused NS_CREATE_CHILD left a namespace listed");
	}
	ASSERT_EQ(0, xns_nr_live(self->devfd, &nr_after));
	EXPECT_GE(nr, nr_after) {
		TH_LOG("a refused NS_CREATE_CHILD left a namespace behind");
	}
	close(args.nsfd);
	EXPECT_EQ(0, xns_child_stop(&self->holder));
}

static int setns_helper(__always_unused struct xns_child *c, void *arg)
{
	const struct perm_args *args = arg;
	__u32 before;
	int ret;

	become_nobody(args);
	before = child_inum();
	ret = xns_setns(args->nsfd, 0);
	xns_child_check(ret == -EPERM,
			"unprivileged setns(xns, 0): %s, want EPERM",
			ret ? strerror(-ret) : "success");
	ret = xns_setns(args->nsfd, XNS_NS_TYPE);
	xns_child_check(ret == -EPERM,
			"unprivileged setns(xns, XNS_NS_TYPE): %s, want EPERM",
			ret ? strerror(-ret) : "success");
	xns_child_check(child_inum() == before, "a failed setns moved us");
	return 0;
}

TEST_F(perm, unprivileged_cannot_setns)
{
	struct xns_holder_args one = { .depth = 1 };
	struct xns_holder_report rep;
	struct perm_args args = {};
	__u32 inum = 0;
	int ret;

	ASSERT_EQ(0, xns_holder_start(&self->holder, &one, &rep));
	args.nsfd = xns_open_ns(self->holder.pid);
	ASSERT_GE(args.nsfd, 0);

	ret = run_helper(_metadata, &self->kid, self->devfd,
			 setns_helper, &args);
	EXPECT_EQ(0, ret) {
		TH_LOG("helper failed with exit status %d", ret);
	}

	/* Root may. */
	ret = xns_setns(args.nsfd, 0);
	EXPECT_EQ(0, ret) {
		TH_LOG("setns as root: %s", strerror(-ret));
	}
	ASSERT_EQ(0, xns_self_inum(&inum));
	EXPECT_EQ(rep.inum, inum);

	close(args.nsfd);
	EXPECT_EQ(0, xns_child_stop(&self->holder));
}

static int labels_helper(__always_unused struct xns_child *c, void *arg)
{
	char keys[4][XNS_LABEL_KEY_MAX];
	char buf[XNS_LABEL_VALUE_MAX];
	struct xns_info info;
	__u32 count = 4;
	int devfd, ret;

	devfd = become_nobody(arg);

	/* Reading is allowed. */
	ret = xns_label_get(devfd, "owner", buf, sizeof(buf));
	xns_child_check(!ret && !strcmp(buf, "root"),
			"unprivileged LABEL_GET: %s", strerror(-ret));
	memset(keys, 0, sizeof(keys));
	ret = xns_label_list(devfd, keys, &count);
	xns_child_check(!ret && count == 1 && !strcmp(keys[0], "owner"),
			"unprivileged LABEL_LIST: %s, %u keys", strerror(-ret),
			count);
	ret = xns_get_info(devfd, &info);
	xns_child_check(!ret && info.nr_labels == 1,
			"unprivileged GET_INFO: %s", strerror(-ret));

	/* Writing is not. */
	ret = xns_label_set(devfd, "owner", "nobody");
	xns_child_check(ret == -EPERM,
			"unprivileged LABEL_SET (replace): %s, want EPERM",
			ret ? strerror(-ret) : "success");
	ret = xns_label_set(devfd, "new", "x");
	xns_child_check(ret == -EPERM,
			"unprivileged LABEL_SET (new): %s, want EPERM",
			ret ? strerror(-ret) : "success");
	ret = xns_label_del(devfd, "owner");
	xns_child_check(ret == -EPERM,
			"unprivileged LABEL_DEL: %s, want EPERM",
			ret ? strerror(-ret) : "success");
	return 0;
}

static void expect_labels_untouched(struct __test_metadata *_metadata,
				    int devfd)
{
	char buf[XNS_LABEL_VALUE_MAX] = "";
	__u32 count = 0;

	EXPECT_EQ(0, xns_label_get(devfd, "owner", buf, sizeof(buf)));
	EXPECT_STREQ("root", buf);
	EXPECT_EQ(-ENOENT, xns_label_get(devfd, "new", NULL, 0));
	ASSERT_EQ(0, xns_label_count(devfd, &count));
	EXPECT_EQ(1U, count);
}

TEST_F(perm, unprivileged_reads_but_cannot_write_labels)
{
	struct perm_args args = { .nsfd = -1 };
	int ret;

	ret = run_helper(_metadata, &self->kid, self->devfd,
			 labels_helper, &args);
	EXPECT_EQ(0, ret) {
		TH_LOG("helper failed with exit status %d", ret);
	}
	expect_labels_untouched(_metadata, self->devfd);
}

static int userns_unshare_helper(__always_unused struct xns_child *c,
				 void *arg)
{
	char buf[XNS_LABEL_VALUE_MAX];
	ino_t init_userns = 0, userns = 0;
	struct xns_info info;
	__u32 before, after, owner = 0;
	int devfd, fd, ufd, ret;

	ret = xns_path_ino("/proc/self/ns/user", &init_userns, NULL);
	xns_child_check(!ret, "stat user ns: %s", strerror(-ret));
	devfd = become_userns_root(arg);
	ret = xns_path_ino("/proc/self/ns/user", &userns, NULL);
	xns_child_check(!ret && userns != init_userns,
			"unshare(CLONE_NEWUSER) did not change the user ns");

	before = child_inum();
	ret = xns_unshare();
	xns_child_check(!ret,
			"NS_CREATE_CHILD + setns as root of a user namespace: %s",
			strerror(-ret));
	after = child_inum();
	xns_child_check(after != before, "NS_CREATE_CHILD + setns did not move us");

	ret = xns_label_set(devfd, "mine", "yes");
	xns_child_check(!ret, "LABEL_SET in our own xns: %s", strerror(-ret));
	ret = xns_label_get(devfd, "mine", buf, sizeof(buf));
	xns_child_check(!ret && !strcmp(buf, "yes"), "LABEL_GET: %s",
			strerror(-ret));
	ret = xns_label_set(devfd, "mine", "still");
	xns_child_check(!ret, "LABEL_SET (replace): %s", strerror(-ret));
	ret = xns_label_set(devfd, "other", "x");
	xns_child_check(!ret, "LABEL_SET (second): %s", strerror(-ret));
	ret = xns_label_del(devfd, "other");
	xns_child_check(!ret, "LABEL_DEL in our own xns: %s", strerror(-ret));
	ret = xns_get_info(devfd, &info);
	xns_child_check(!ret && info.nr_labels == 1 && info.inum == after,
			"GET_INFO: %s, %u labels", strerror(-ret),
			info.nr_labels);
	/* The parent's label is not here. */
	ret = xns_label_get(devfd, "owner", NULL, 0);
	xns_child_check(ret == -ENOENT, "parent's label: %s, want ENOENT",
			ret ? strerror(-ret) : "visible");

	/* The new xns is owned by our user namespace. */
	fd = xns_open_ns(0);
	xns_child_check(fd >= 0, "open %s: %s", XNS_SELF_LINK, strerror(-fd));
	ufd = ioctl(fd, NS_GET_USERNS);
	xns_child_check(ufd >= 0, "NS_GET_USERNS: %m");
	ret = xns_fd_inum(ufd, &owner);
	xns_child_check(!ret && owner == userns,
			"owner of the new xns is user ns %lu, not ours (%lu)",
			(unsigned long)owner, (unsigned long)userns);
	close(ufd);
	close(fd);
	return 0;
}

TEST_F(perm, userns_root_can_unshare_and_label)
{
	struct perm_args args = { .nsfd = -1 };
	int ret;

	ret = run_helper(_metadata, &self->kid, self->devfd,
			 userns_unshare_helper, &args);
	if (ret == XNS_CHILD_SKIP)
		SKIP(return, "unprivileged user namespaces are not available");
	EXPECT_EQ(0, ret) {
		TH_LOG("helper failed with exit status %d", ret);
	}
	EXPECT_EQ(-ENOENT, xns_label_get(self->devfd, "mine", NULL, 0));
	expect_labels_untouched(_metadata, self->devfd);
}

static int userns_parent_labels_helper(__always_unused struct xns_child *c,
				       void *arg)
{
	char buf[XNS_LABEL_VALUE_MAX];
	int devfd, fd, ufd, ret;

	devfd = become_userns_root(arg);

	/* Still in the xns owned by the initial user namespace. */
	ret = xns_label_get(devfd, "owner", buf, sizeof(buf));
	xns_child_check(!ret && !strcmp(buf, "root"), "LABEL_GET: %s",
			strerror(-ret));
	ret = xns_label_set(devfd, "owner", "hijacked");
	xns_child_check(ret == -EPERM,
			"LABEL_SET in an xns of the initial user ns: %s, want EPERM",
			ret ? strerror(-ret) : "success");
	ret = xns_label_set(devfd, "new", "x");
	xns_child_check(ret == -EPERM,
			"LABEL_SET (new) in an xns of the initial user ns: %s, want EPERM",
			ret ? strerror(-ret) : "success");
	ret = xns_label_del(devfd, "owner");
	xns_child_check(ret == -EPERM,
			"LABEL_DEL in an xns of the initial user ns: %s, want EPERM",
			ret ? strerror(-ret) : "success");

	/* Its owner is outside our user namespace. */
	fd = xns_open_ns(0);
	xns_child_check(fd >= 0, "open %s: %s", XNS_SELF_LINK, strerror(-fd));
	ufd = ioctl(fd, NS_GET_USERNS);
	xns_child_check(ufd < 0 && errno == EPERM,
			"NS_GET_USERNS of an xns owned by an ancestor: %m, want EPERM");
	close(fd);
	return 0;
}

TEST_F(perm, userns_root_cannot_label_parent_xns)
{
	struct perm_args args = { .nsfd = -1 };
	int ret;

	ret = run_helper(_metadata, &self->kid, self->devfd,
			 userns_parent_labels_helper, &args);
	if (ret == XNS_CHILD_SKIP)
		SKIP(return, "unprivileged user namespaces are not available");
	EXPECT_EQ(0, ret) {
		TH_LOG("helper failed with exit status %d", ret);
	}
	expect_labels_untouched(_metadata, self->devfd);
}

static int userns_setns_helper(__always_unused struct xns_child *c,
			       void *arg)
{
	__u32 outer, own, inner;
	int fd_outer, fd_own, ret;

	/* Our current xns, owned by the initial user namespace. */
	fd_outer = xns_open_ns(0);
	xns_child_check(fd_outer >= 0, "open %s: %s", XNS_SELF_LINK,
			strerror(-fd_outer));
	outer = child_inum();

	close(become_userns_root(arg));
	ret = xns_unshare();
	xns_child_check(!ret, "NS_CREATE_CHILD + setns: %s", strerror(-ret));
	own = child_inum();
	fd_own = xns_open_ns(0);
	xns_child_check(fd_own >= 0, "open own xns: %s", strerror(-fd_own));
	ret = xns_unshare();
	xns_child_check(!ret, "second NS_CREATE_CHILD + setns: %s", strerror(-ret));
	inner = child_inum();
	xns_child_check(outer != own && own != inner, "unshare reused a namespace");

	ret = xns_setns(fd_outer, 0);
	xns_child_check(ret == -EPERM,
			"setns into an xns of the initial user ns: %s, want EPERM",
			ret ? strerror(-ret) : "success");
	ret = xns_setns(fd_outer, XNS_NS_TYPE);
	xns_child_check(ret == -EPERM,
			"setns(XNS_NS_TYPE) into an xns of the initial user ns: %s, want EPERM",
			ret ? strerror(-ret) : "success");
	xns_child_check(child_inum() == inner, "a failed setns moved us");

	/* An xns owned by our user namespace can be entered. */
	ret = xns_setns(fd_own, 0);
	xns_child_check(!ret, "setns into our own xns: %s", strerror(-ret));
	xns_child_check(child_inum() == own, "setns went elsewhere");

	close(fd_own);
	close(fd_outer);
	return 0;
}

TEST_F(perm, userns_root_cannot_setns_to_init_owned)
{
	struct perm_args args = { .nsfd = -1 };
	int ret;

	ret = run_helper(_metadata, &self->kid, self->devfd,
			 userns_setns_helper, &args);
	if (ret == XNS_CHILD_SKIP)
		SKIP(return, "unprivileged user namespaces are not available");
	EXPECT_EQ(0, ret) {
		TH_LOG("helper failed with exit status %d", ret);
	}
}

static int readlink_helper(__always_unused struct xns_child *c, void *arg)
{
	const struct perm_args *args = arg;
	const pid_t pids[] = { 1, args->pid };
	char path[64], link[64];
	unsigned int i;
	int fd, ret;

	become_nobody(args);
	for (i = 0; i < ARRAY_SIZE(pids); i++) {
		xns_pid_path(pids[i], path, sizeof(path));
		ret = xns_readlink(path, link, sizeof(link));
		xns_child_check(ret == -EACCES,
				"readlink %s as uid %d: %s, want EACCES", path,
				XNS_NOBODY, ret ? strerror(-ret) : link);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		xns_child_check(fd < 0 && errno == EACCES,
				"open %s as uid %d: %m, want EACCES", path,
				XNS_NOBODY);
	}
	/* Our own is fine. */
	ret = xns_readlink(XNS_SELF_LINK, link, sizeof(link));
	xns_child_check(!ret, "readlink of our own xns: %s", strerror(-ret));
	return 0;
}

TEST_F(perm, readlink_needs_ptrace_access)
{
	struct xns_holder_args zero = { .depth = 0 };
	struct xns_holder_report rep;
	struct perm_args args = { .nsfd = -1 };
	struct stat st;
	int ret;

	ASSERT_EQ(0, stat("/proc/1", &st));
	if (st.st_uid != 0)
		SKIP(return, "pid 1 is not owned by root");
	ASSERT_EQ(0, xns_holder_start(&self->holder, &zero, &rep));
	args.pid = self->holder.pid;
	ret = run_helper(_metadata, &self->kid, self->devfd,
			 readlink_helper, &args);
	EXPECT_EQ(0, ret) {
		TH_LOG("helper failed with exit status %d", ret);
	}
	EXPECT_EQ(0, xns_child_stop(&self->holder));
}

TEST_HARNESS_MAIN
