// SPDX-License-Identifier: GPL-2.0
/*
 * xns namespaces: identity in /proc/<pid>/ns/xns and nsfs, creation with
 * NS_CREATE_CHILD (the ioctl itself, and with setns() as an unshare),
 * inheritance, setns(), the nsfs ioctls, lifetime (pins by open files and
 * bind mounts), the depth limit and the per-user limit,
 * max_module_namespaces in /proc/sys/user.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <linux/capability.h>
#include <linux/nsfs.h>
#include <linux/securebits.h>
#include <linux/xns.h>

#include "xns_util.h"
#include "kselftest_harness.h"
#include "xns_harness.h"

#define NR_KIDS		8

FIXTURE(xns)
{
	int devfd;
	struct xns_info info;
	struct xns_child kids[NR_KIDS];
	struct xns_child lister;
	char bind_target[64];
	bool mounted;
};

FIXTURE_SETUP(xns)
{
	int ret, i;

	self->devfd = -1;
	self->bind_target[0] = '\0';
	self->mounted = false;
	for (i = 0; i < NR_KIDS; i++)
		xns_child_init(&self->kids[i]);
	xns_child_init(&self->lister);

	self->devfd = xns_setup_dev(_metadata);
	if (self->devfd < 0)
		return;
	ret = xns_get_info(self->devfd, &self->info);
	ASSERT_EQ(0, ret) {
		TH_LOG("XNS_IOC_GET_INFO: %s", strerror(-ret));
	}
}

FIXTURE_TEARDOWN(xns)
{
	int i;

	for (i = 0; i < NR_KIDS; i++)
		xns_child_kill(&self->kids[i]);
	xns_child_kill(&self->lister);
	xns_teardown_bind_target(self->bind_target, self->mounted);
	if (self->devfd >= 0)
		close(self->devfd);
}

/*
 * nr_live of an idle system: only the initial namespace, once namespaces
 * of earlier tests have been freed.  Returns the value to compare with.
 */
static __u32 settled_nr_live(struct __test_metadata *_metadata, int devfd)
{
	__u32 nr = 0;
	int ret;

	ret = xns_wait_nr_live(devfd, 1, XNS_SETTLE_MS, &nr);
	if (ret == -ETIMEDOUT) {
		TH_LOG("note: %u xns namespaces alive before the test", nr);
		return nr;
	}
	ASSERT_EQ(0, ret);
	return nr;
}

static __u32 self_inum(struct __test_metadata *_metadata)
{
	__u32 inum = 0;
	int ret;

	ret = xns_self_inum(&inum);
	ASSERT_EQ(0, ret) {
		TH_LOG("readlink %s: %s", XNS_SELF_LINK, strerror(-ret));
	}
	return inum;
}

static __u32 info_inum(struct __test_metadata *_metadata, int devfd)
{
	struct xns_info info;
	int ret;

	ret = xns_get_info(devfd, &info);
	ASSERT_EQ(0, ret) {
		TH_LOG("XNS_IOC_GET_INFO: %s", strerror(-ret));
	}
	return info.inum;
}

static __u32 fd_inum(struct __test_metadata *_metadata, int fd)
{
	__u32 inum = 0;

	ASSERT_EQ(0, xns_fd_inum(fd, &inum));
	return inum;
}

TEST_F(xns, readlink_matches_stat)
{
	struct stat st, st_uts, st_fd;
	__u32 inum = 0;
	char link[64];
	int ret, fd;

	ret = xns_readlink(XNS_SELF_LINK, link, sizeof(link));
	ASSERT_EQ(0, ret) {
		TH_LOG("readlink %s: %s", XNS_SELF_LINK, strerror(-ret));
	}
	ret = xns_parse_link(link, &inum);
	ASSERT_EQ(0, ret) {
		TH_LOG("%s points to \"%s\", not \"xns:[N]\"", XNS_SELF_LINK, link);
	}

	ASSERT_EQ(0, stat(XNS_SELF_LINK, &st));
	ASSERT_EQ(0, stat("/proc/self/ns/uts", &st_uts));
	EXPECT_EQ(inum, st.st_ino) {
		TH_LOG("readlink says %s, stat says inode %lu", link,
		       (unsigned long)st.st_ino);
	}
	EXPECT_EQ(st_uts.st_dev, st.st_dev) {
		TH_LOG("xns nsfs file is not on the nsfs superblock");
	}

	fd = open(XNS_SELF_LINK, O_RDONLY | O_CLOEXEC);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, fstat(fd, &st_fd));
	EXPECT_EQ(st.st_ino, st_fd.st_ino);
	EXPECT_EQ(st.st_dev, st_fd.st_dev);
	close(fd);

	EXPECT_EQ(inum, info_inum(_metadata, self->devfd)) {
		TH_LOG("XNS_IOC_GET_INFO disagrees with %s", link);
	}
}

TEST_F(xns, inum_unique_among_ns_entries)
{
	struct dirent *de;
	struct stat st_xns, st;
	char path[300];
	int nr_xns = 0, nr_other = 0;
	DIR *dir;

	ASSERT_EQ(0, stat(XNS_SELF_LINK, &st_xns));
	dir = opendir("/proc/self/ns");
	ASSERT_NE(NULL, dir);
	while ((de = readdir(dir))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (!strcmp(de->d_name, "xns")) {
			nr_xns++;
			continue;
		}
		snprintf(path, sizeof(path), "/proc/self/ns/%s", de->d_name);
		if (stat(path, &st)) {
			TH_LOG("note: cannot stat %s: %m", path);
			continue;
		}
		nr_other++;
		EXPECT_FALSE(st.st_ino == st_xns.st_ino && st.st_dev == st_xns.st_dev) {
			TH_LOG("%s has the same inode %lu as xns", path,
			       (unsigned long)st.st_ino);
		}
	}
	closedir(dir);
	EXPECT_EQ(1, nr_xns) {
		TH_LOG("readdir of /proc/self/ns lists xns %d times", nr_xns);
	}
	EXPECT_GT(nr_other, 0);
}

TEST_F(xns, unshare_gives_new_namespace)
{
	struct xns_info before, after, again;
	__u32 inum0, inum1, inum2, nr;
	__u64 id0 = 0, id1 = 0;
	int ret, fd0, fd1;

	nr = settled_nr_live(_metadata, self->devfd);
	inum0 = self_inum(_metadata);
	ASSERT_EQ(0, xns_get_info(self->devfd, &before));
	EXPECT_EQ(inum0, before.inum);

	fd0 = xns_open_ns(0);
	ASSERT_GE(fd0, 0);
	ASSERT_EQ(0, ioctl(fd0, NS_GET_ID, &id0));
	EXPECT_EQ(before.ns_id, id0) {
		TH_LOG("XNS_IOC_GET_INFO ns_id differs from NS_GET_ID");
	}

	ret = xns_unshare();
	ASSERT_EQ(0, ret) {
		TH_LOG("NS_CREATE_CHILD + setns: %s", strerror(-ret));
	}
	inum1 = self_inum(_metadata);
	EXPECT_NE(inum0, inum1) {
		TH_LOG("NS_CREATE_CHILD + setns kept namespace %u", inum0);
	}
	ASSERT_EQ(0, xns_get_info(self->devfd, &after));
	EXPECT_EQ(inum1, after.inum);
	EXPECT_EQ(before.depth + 1, after.depth);
	EXPECT_EQ(0U, after.nr_labels);
	EXPECT_EQ(nr + 1, after.nr_live);
	EXPECT_NE(before.ns_id, after.ns_id);

	fd1 = xns_open_ns(0);
	ASSERT_GE(fd1, 0);
	EXPECT_EQ(inum1, fd_inum(_metadata, fd1));
	ASSERT_EQ(0, ioctl(fd1, NS_GET_ID, &id1));
	EXPECT_EQ(after.ns_id, id1);
	/* The old file still refers to the old namespace. */
	EXPECT_EQ(inum0, fd_inum(_metadata, fd0));

	/* A child namespace keeps its parent alive. */
	ASSERT_EQ(0, xns_unshare());
	inum2 = self_inum(_metadata);
	EXPECT_NE(inum0, inum2);
	EXPECT_NE(inum1, inum2);
	ASSERT_EQ(0, xns_get_info(self->devfd, &again));
	EXPECT_EQ(inum2, again.inum);
	EXPECT_EQ(before.depth + 2, again.depth);
	EXPECT_EQ(nr + 2, again.nr_live);

	close(fd0);
	close(fd1);
}

TEST_F(xns, nstype)
{
	int fd, ret;

	fd = xns_open_ns(0);
	ASSERT_GE(fd, 0);
	ret = ioctl(fd, NS_GET_NSTYPE);
	EXPECT_EQ(XNS_NS_TYPE, ret) {
		TH_LOG("NS_GET_NSTYPE on the initial xns: %d (%m)", ret);
	}
	close(fd);

	ASSERT_EQ(0, xns_unshare());
	fd = xns_open_ns(0);
	ASSERT_GE(fd, 0);
	ret = ioctl(fd, NS_GET_NSTYPE);
	EXPECT_EQ(XNS_NS_TYPE, ret) {
		TH_LOG("NS_GET_NSTYPE on a new xns: %d (%m)", ret);
	}
	close(fd);
}

static void check_userns(struct __test_metadata *_metadata, int fd)
{
	struct stat st_user, st;
	int ufd, ret;

	ASSERT_EQ(0, stat("/proc/self/ns/user", &st_user));
	ufd = ioctl(fd, NS_GET_USERNS);
	ASSERT_GE(ufd, 0) {
		TH_LOG("NS_GET_USERNS: %m");
	}
	ASSERT_EQ(0, fstat(ufd, &st));
	EXPECT_EQ(st_user.st_ino, st.st_ino) {
		TH_LOG("owner %lu is not our user namespace %lu",
		       (unsigned long)st.st_ino, (unsigned long)st_user.st_ino);
	}
	EXPECT_EQ(st_user.st_dev, st.st_dev);
	ret = ioctl(ufd, NS_GET_NSTYPE);
	EXPECT_EQ(CLONE_NEWUSER, ret);
	close(ufd);
}

TEST_F(xns, get_userns)
{
	int fd;

	fd = xns_open_ns(0);
	ASSERT_GE(fd, 0);
	check_userns(_metadata, fd);
	close(fd);

	ASSERT_EQ(0, xns_unshare());
	fd = xns_open_ns(0);
	ASSERT_GE(fd, 0);
	check_userns(_metadata, fd);
	close(fd);
}

TEST_F(xns, owner_uid_einval)
{
	uid_t uid = 4242;
	int fd, ufd, ret;

	fd = xns_open_ns(0);
	ASSERT_GE(fd, 0);
	ret = ioctl(fd, NS_GET_OWNER_UID, &uid);
	EXPECT_EQ(-1, ret);
	EXPECT_EQ(EINVAL, errno) {
		TH_LOG("NS_GET_OWNER_UID on xns: %m, want EINVAL");
	}
	EXPECT_EQ((uid_t)4242, uid);

	/* The same call works on the owning user namespace. */
	ufd = ioctl(fd, NS_GET_USERNS);
	ASSERT_GE(ufd, 0);
	EXPECT_EQ(0, ioctl(ufd, NS_GET_OWNER_UID, &uid));
	EXPECT_EQ((uid_t)0, uid);
	close(ufd);
	close(fd);
}

TEST_F(xns, get_parent)
{
	struct xns_holder_args one = { .depth = 1 }, two = { .depth = 2 };
	struct xns_holder_report rep;
	__u32 init_inum, mid_inum;
	int fd, pfd, ppfd, ret;

	if (self->info.depth != 0)
		SKIP(return, "not started in the initial xns (depth %u)",
		     self->info.depth);
	init_inum = self->info.inum;

	ret = xns_holder_start(&self->kids[0], &one, &rep);
	ASSERT_EQ(0, ret) {
		TH_LOG("child unshare: %s", strerror(-ret));
	}
	fd = xns_open_ns(self->kids[0].pid);
	ASSERT_GE(fd, 0);
	EXPECT_EQ(rep.inum, fd_inum(_metadata, fd));
	pfd = ioctl(fd, NS_GET_PARENT);
	ASSERT_GE(pfd, 0) {
		TH_LOG("NS_GET_PARENT of a child namespace: %m");
	}
	EXPECT_EQ(init_inum, fd_inum(_metadata, pfd));
	EXPECT_EQ(XNS_NS_TYPE, ioctl(pfd, NS_GET_NSTYPE));

	/* The initial namespace has no parent. */
	ret = ioctl(pfd, NS_GET_PARENT);
	EXPECT_EQ(-1, ret);
	EXPECT_EQ(EPERM, errno) {
		TH_LOG("NS_GET_PARENT of the initial xns: %m, want EPERM");
	}
	close(pfd);
	close(fd);

	/* Two levels: the parent of the parent is the initial namespace. */
	ret = xns_holder_start(&self->kids[1], &two, &rep);
	ASSERT_EQ(0, ret);
	fd = xns_open_ns(self->kids[1].pid);
	ASSERT_GE(fd, 0);
	pfd = ioctl(fd, NS_GET_PARENT);
	ASSERT_GE(pfd, 0);
	mid_inum = fd_inum(_metadata, pfd);
	EXPECT_NE(rep.inum, mid_inum);
	EXPECT_NE(init_inum, mid_inum);
	ppfd = ioctl(pfd, NS_GET_PARENT);
	ASSERT_GE(ppfd, 0);
	EXPECT_EQ(init_inum, fd_inum(_metadata, ppfd));
	close(ppfd);
	close(pfd);
	close(fd);

	EXPECT_EQ(0, xns_child_stop(&self->kids[0]));
	EXPECT_EQ(0, xns_child_stop(&self->kids[1]));
}

TEST_F(xns, get_parent_out_of_scope)
{
	struct xns_holder_args one = { .depth = 1 }, two = { .depth = 2 };
	struct xns_holder_report rep;
	__u32 mine;
	int fd_other, fd_mine, fd_below, pfd, ret;

	/* A namespace two levels below ours, in another branch. */
	ret = xns_holder_start(&self->kids[0], &two, &rep);
	ASSERT_EQ(0, ret);
	fd_other = xns_open_ns(self->kids[0].pid);
	ASSERT_GE(fd_other, 0);
	pfd = ioctl(fd_other, NS_GET_PARENT);
	ASSERT_GE(pfd, 0) {
		TH_LOG("NS_GET_PARENT below the caller's namespace: %m");
	}
	close(pfd);

	ASSERT_EQ(0, xns_unshare());
	mine = self_inum(_metadata);

	/* Its parent is now outside our subtree. */
	pfd = ioctl(fd_other, NS_GET_PARENT);
	EXPECT_EQ(-1, pfd);
	EXPECT_EQ(EPERM, errno) {
		TH_LOG("NS_GET_PARENT into another branch: %m, want EPERM");
	}

	/* So is the parent of our own namespace. */
	fd_mine = xns_open_ns(0);
	ASSERT_GE(fd_mine, 0);
	pfd = ioctl(fd_mine, NS_GET_PARENT);
	EXPECT_EQ(-1, pfd);
	EXPECT_EQ(EPERM, errno) {
		TH_LOG("NS_GET_PARENT above the caller's namespace: %m, want EPERM");
	}

	/* The parent of a child of ours is our namespace. */
	ret = xns_holder_start(&self->kids[1], &one, &rep);
	ASSERT_EQ(0, ret);
	fd_below = xns_open_ns(self->kids[1].pid);
	ASSERT_GE(fd_below, 0);
	pfd = ioctl(fd_below, NS_GET_PARENT);
	ASSERT_GE(pfd, 0) {
		TH_LOG("NS_GET_PARENT of a child of the caller's namespace: %m");
	}
	EXPECT_EQ(mine, fd_inum(_metadata, pfd));
	close(pfd);

	close(fd_below);
	close(fd_mine);
	close(fd_other);
	EXPECT_EQ(0, xns_child_stop(&self->kids[0]));
	EXPECT_EQ(0, xns_child_stop(&self->kids[1]));
}

struct inherit_report {
	__s32 err;
	__u32 at_fork;
	__u32 after_unshare;
};

static int inherit_child(struct xns_child *c, __always_unused void *arg)
{
	struct inherit_report rep = {};

	rep.err = xns_self_inum(&rep.at_fork);
	if (!rep.err)
		rep.err = xns_unshare();
	if (!rep.err)
		rep.err = xns_self_inum(&rep.after_unshare);
	if (xns_send(c->rep, &rep, sizeof(rep)) || rep.err)
		return 1;
	xns_child_hold(c);
	return 0;
}

TEST_F(xns, fork_inherits)
{
	struct inherit_report rep;
	__u32 mine, theirs;
	int ret;

	mine = self_inum(_metadata);
	ASSERT_EQ(0, xns_child_start(&self->kids[0], inherit_child, NULL));
	ret = xns_child_recv(&self->kids[0], &rep, sizeof(rep));
	ASSERT_EQ(0, ret);
	ASSERT_EQ(0, rep.err) {
		TH_LOG("child: %s", strerror(-rep.err));
	}
	EXPECT_EQ(mine, rep.at_fork) {
		TH_LOG("a forked child is in xns %u, its parent in %u",
		       rep.at_fork, mine);
	}
	EXPECT_NE(mine, rep.after_unshare);
	/* The child's unshare did not move its parent. */
	EXPECT_EQ(mine, self_inum(_metadata));
	ASSERT_EQ(0, xns_pid_inum(self->kids[0].pid, &theirs));
	EXPECT_EQ(rep.after_unshare, theirs);
	EXPECT_EQ(0, xns_child_stop(&self->kids[0]));
}

static int setns_child(struct xns_child *c, void *arg)
{
	struct xns_holder_report rep = {};
	int fd = *(int *)arg;

	rep.err = xns_setns(fd, 0);
	if (!rep.err)
		rep.err = xns_self_inum(&rep.inum);
	if (xns_send(c->rep, &rep, sizeof(rep)) || rep.err)
		return 1;
	xns_child_hold(c);
	return 0;
}

TEST_F(xns, shared_iff_same_namespace)
{
	struct xns_holder_args zero = { .depth = 0 }, one = { .depth = 1 };
	struct xns_holder_report a, b, c, d, e;
	__u32 mine, ia, ib, ic, id, ie;
	int fd, ret, i;

	mine = self_inum(_metadata);
	ASSERT_EQ(0, xns_holder_start(&self->kids[0], &zero, &a));
	ASSERT_EQ(0, xns_holder_start(&self->kids[1], &zero, &b));
	ASSERT_EQ(0, xns_holder_start(&self->kids[2], &one, &c));
	ASSERT_EQ(0, xns_holder_start(&self->kids[3], &one, &d));
	ASSERT_EQ(0, xns_pid_inum(self->kids[0].pid, &ia));
	ASSERT_EQ(0, xns_pid_inum(self->kids[1].pid, &ib));
	ASSERT_EQ(0, xns_pid_inum(self->kids[2].pid, &ic));
	ASSERT_EQ(0, xns_pid_inum(self->kids[3].pid, &id));
	EXPECT_EQ(a.inum, ia);
	EXPECT_EQ(c.inum, ic);

	/* Same namespace, same inode number. */
	EXPECT_EQ(mine, ia);
	EXPECT_EQ(mine, ib);
	/* Each unshare made its own namespace. */
	EXPECT_NE(mine, ic);
	EXPECT_NE(mine, id);
	EXPECT_NE(ic, id) {
		TH_LOG("two separate unshares gave the same namespace %u", ic);
	}

	/* Joining one makes them share it again. */
	fd = xns_open_ns(self->kids[2].pid);
	ASSERT_GE(fd, 0);
	ret = xns_child_start(&self->kids[4], setns_child, &fd);
	ASSERT_EQ(0, ret);
	ASSERT_EQ(0, xns_child_recv(&self->kids[4], &e, sizeof(e)));
	ASSERT_EQ(0, e.err) {
		TH_LOG("child setns: %s", strerror(-e.err));
	}
	ASSERT_EQ(0, xns_pid_inum(self->kids[4].pid, &ie));
	EXPECT_EQ(ic, ie);
	EXPECT_EQ(ic, e.inum);
	close(fd);

	for (i = 0; i < 5; i++) {
		EXPECT_EQ(0, xns_child_stop(&self->kids[i])) {
			TH_LOG("child %d failed", i);
		}
	}
}

TEST_F(xns, setns_enters_and_returns)
{
	__u32 orig, other;
	int fd_orig, fd_other, ret;

	orig = self_inum(_metadata);
	fd_orig = xns_open_ns(0);
	ASSERT_GE(fd_orig, 0);
	ASSERT_EQ(0, xns_unshare());
	other = self_inum(_metadata);
	ASSERT_NE(orig, other);
	fd_other = xns_open_ns(0);
	ASSERT_GE(fd_other, 0);

	ret = xns_setns(fd_orig, 0);
	ASSERT_EQ(0, ret) {
		TH_LOG("setns(xns fd, 0): %s", strerror(-ret));
	}
	EXPECT_EQ(orig, self_inum(_metadata));
	EXPECT_EQ(orig, info_inum(_metadata, self->devfd));

	ret = xns_setns(fd_other, XNS_NS_TYPE);
	ASSERT_EQ(0, ret) {
		TH_LOG("setns(xns fd, XNS_NS_TYPE): %s", strerror(-ret));
	}
	EXPECT_EQ(other, self_inum(_metadata));
	EXPECT_EQ(other, info_inum(_metadata, self->devfd));

	ret = xns_setns(fd_orig, XNS_NS_TYPE);
	ASSERT_EQ(0, ret);
	EXPECT_EQ(orig, self_inum(_metadata));
	EXPECT_EQ(orig, info_inum(_metadata, self->devfd));

	close(fd_other);
	close(fd_orig);
}

TEST_F(xns, setns_wrong_flags_einval)
{
	static const struct {
		int flags;
		const char *name;
	} bad[] = {
		{ CLONE_NEWUTS, "CLONE_NEWUTS" },
		{ CLONE_NEWNET, "CLONE_NEWNET" },
		{ CLONE_NEWNS, "CLONE_NEWNS" },
		{ CLONE_NEWIPC, "CLONE_NEWIPC" },
		{ CLONE_NEWUSER, "CLONE_NEWUSER" },
		{ CLONE_NEWPID, "CLONE_NEWPID" },
		{ CLONE_NEWCGROUP, "CLONE_NEWCGROUP" },
		{ 0x80, "CLONE_NEWTIME" },
		{ XNS_NS_TYPE | CLONE_NEWUTS, "XNS_NS_TYPE | CLONE_NEWUTS" },
		{ -1, "-1" },
		{ XNS_NS_TYPE >> 1, "XNS_NS_TYPE >> 1" },
	};
	char uts_before[64], uts_after[64];
	__u32 orig;
	int fd_orig, fd_other, fd_uts, ret;
	unsigned int i;

	orig = self_inum(_metadata);
	fd_orig = xns_open_ns(0);
	ASSERT_GE(fd_orig, 0);
	ASSERT_EQ(0, xns_unshare());
	fd_other = xns_open_ns(0);
	ASSERT_GE(fd_other, 0);
	ASSERT_EQ(0, xns_setns(fd_orig, 0));
	ASSERT_EQ(orig, self_inum(_metadata));

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		ret = xns_setns(fd_other, bad[i].flags);
		EXPECT_EQ(-EINVAL, ret) {
			TH_LOG("setns(xns fd, %s): %s, want EINVAL", bad[i].name,
			       strerror(-ret));
		}
		EXPECT_EQ(orig, self_inum(_metadata)) {
			TH_LOG("setns(xns fd, %s) changed the namespace",
			       bad[i].name);
		}
		EXPECT_EQ(orig, info_inum(_metadata, self->devfd));
	}

	/* Nor is XNS_NS_TYPE accepted for another type. */
	ASSERT_EQ(0, xns_readlink("/proc/self/ns/uts", uts_before,
				  sizeof(uts_before)));
	fd_uts = open("/proc/self/ns/uts", O_RDONLY | O_CLOEXEC);
	ASSERT_GE(fd_uts, 0);
	ret = xns_setns(fd_uts, XNS_NS_TYPE);
	EXPECT_EQ(-EINVAL, ret) {
		TH_LOG("setns(uts fd, XNS_NS_TYPE): %s, want EINVAL",
		       strerror(-ret));
	}
	ASSERT_EQ(0, xns_readlink("/proc/self/ns/uts", uts_after,
				  sizeof(uts_after)));
	EXPECT_STREQ(uts_before, uts_after);
	EXPECT_EQ(orig, self_inum(_metadata));

	close(fd_uts);
	close(fd_other);
	close(fd_orig);
}

TEST_F(xns, setns_non_ns_fd_einval)
{
	const int flags[] = { 0, XNS_NS_TYPE };
	int fds[4], ret;
	unsigned int i, j;
	__u32 inum;

	inum = self_inum(_metadata);

	fds[0] = open("/dev/null", O_RDONLY | O_CLOEXEC);
	fds[1] = self->devfd;
	fds[2] = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	fds[3] = open("/proc/self/ns", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	for (i = 0; i < ARRAY_SIZE(fds); i++) {
		ASSERT_GE(fds[i], 0);
		for (j = 0; j < ARRAY_SIZE(flags); j++) {
			ret = xns_setns(fds[i], flags[j]);
			EXPECT_EQ(-EINVAL, ret) {
				TH_LOG("setns(non-ns fd #%u, %#x): %s, want EINVAL",
				       i, flags[j], strerror(-ret));
			}
			EXPECT_EQ(inum, self_inum(_metadata));
		}
	}
	close(fds[0]);
	close(fds[2]);
	close(fds[3]);
}

/*
 * Enter the namespace behind @fd, check it is @inum and has the label
 * @key = @value, and go back to @home.
 */
static void check_pinned(struct __test_metadata *_metadata, int devfd,
			 int fd, int home, __u32 inum, const char *key,
			 const char *value)
{
	char buf[XNS_LABEL_VALUE_MAX];
	struct xns_info info;
	int ret;

	EXPECT_EQ(inum, fd_inum(_metadata, fd));
	ret = xns_setns(fd, 0);
	ASSERT_EQ(0, ret) {
		TH_LOG("setns into the pinned namespace: %s", strerror(-ret));
	}
	EXPECT_EQ(inum, self_inum(_metadata));
	ASSERT_EQ(0, xns_get_info(devfd, &info));
	EXPECT_EQ(inum, info.inum);
	EXPECT_EQ(1U, info.nr_labels);
	buf[0] = '\0';
	ret = xns_label_get(devfd, key, buf, sizeof(buf));
	EXPECT_EQ(0, ret) {
		TH_LOG("label %s of the pinned namespace: %s", key,
		       strerror(-ret));
	}
	EXPECT_STREQ(value, buf);
	ASSERT_EQ(0, xns_setns(home, 0));
}

TEST_F(xns, pin_by_fd)
{
	struct xns_holder_args args = {
		.depth = 1, .key = "pinned", .value = "by-fd",
	};
	struct xns_holder_report rep;
	__u32 base, nr = 0;
	int fd, home, ret;

	base = settled_nr_live(_metadata, self->devfd);
	home = xns_open_ns(0);
	ASSERT_GE(home, 0);
	ret = xns_holder_start(&self->kids[0], &args, &rep);
	ASSERT_EQ(0, ret) {
		TH_LOG("child: %s", strerror(-ret));
	}
	fd = xns_open_ns(self->kids[0].pid);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, xns_nr_live(self->devfd, &nr));
	EXPECT_EQ(base + 1, nr);

	/* The last member exits; the open file keeps the namespace. */
	ASSERT_EQ(0, xns_child_stop(&self->kids[0]));
	xns_msleep(100);
	ASSERT_EQ(0, xns_nr_live(self->devfd, &nr));
	EXPECT_EQ(base + 1, nr) {
		TH_LOG("namespace pinned by an open file was freed");
	}
	check_pinned(_metadata, self->devfd, fd, home, rep.inum, "pinned",
		     "by-fd");
	ASSERT_EQ(0, xns_nr_live(self->devfd, &nr));
	EXPECT_EQ(base + 1, nr);

	close(fd);
	ret = xns_wait_nr_live(self->devfd, base, XNS_SETTLE_MS, &nr);
	EXPECT_EQ(0, ret) {
		TH_LOG("nr_live still %u, want %u, after closing the last pin",
		       nr, base);
	}
	close(home);
}

TEST_F(xns, pin_by_bind_mount)
{
	struct xns_holder_args args = {
		.depth = 1, .key = "pinned", .value = "by-mount",
	};
	struct xns_holder_report rep;
	char src[64];
	__u32 base, nr = 0, inum = 0;
	ino_t ino = 0;
	int fd, home, ret;

	/* Keep the bind mount private to this test process. */
	ASSERT_EQ(0, unshare(CLONE_NEWNS));
	ASSERT_EQ(0, mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));
	xns_make_bind_target(_metadata, self->bind_target,
			     sizeof(self->bind_target), "xns-bind");

	base = settled_nr_live(_metadata, self->devfd);
	home = xns_open_ns(0);
	ASSERT_GE(home, 0);
	ret = xns_holder_start(&self->kids[0], &args, &rep);
	ASSERT_EQ(0, ret) {
		TH_LOG("child: %s", strerror(-ret));
	}
	xns_pid_path(self->kids[0].pid, src, sizeof(src));
	ASSERT_EQ(0, mount(src, self->bind_target, NULL, MS_BIND, NULL)) {
		TH_LOG("mount --bind %s %s: %m", src, self->bind_target);
	}
	self->mounted = true;
	ASSERT_EQ(0, xns_path_ino(self->bind_target, &ino, NULL));
	EXPECT_EQ(rep.inum, ino);

	ASSERT_EQ(0, xns_child_stop(&self->kids[0]));
	xns_msleep(100);
	ASSERT_EQ(0, xns_nr_live(self->devfd, &nr));
	EXPECT_EQ(base + 1, nr) {
		TH_LOG("namespace pinned by a bind mount was freed");
	}

	fd = open(self->bind_target, O_RDONLY | O_CLOEXEC);
	ASSERT_GE(fd, 0);
	check_pinned(_metadata, self->devfd, fd, home, rep.inum, "pinned",
		     "by-mount");
	close(fd);
	ASSERT_EQ(0, xns_nr_live(self->devfd, &nr));
	EXPECT_EQ(base + 1, nr);

	ASSERT_EQ(0, umount2(self->bind_target, 0)) {
		TH_LOG("umount %s: %m", self->bind_target);
	}
	self->mounted = false;
	ret = xns_wait_nr_live(self->devfd, base, XNS_SETTLE_MS, &nr);
	EXPECT_EQ(0, ret) {
		TH_LOG("nr_live still %u, want %u, after the umount", nr, base);
	}
	/* The target is a plain file again. */
	fd = open(self->bind_target, O_RDONLY | O_CLOEXEC);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, xns_fd_inum(fd, &inum));
	EXPECT_NE(rep.inum, inum);
	close(fd);
	close(home);
}

struct depth_report {
	__s32 err;
	__u32 done;
	__u32 depth;
};

static int depth_child(struct xns_child *c, __always_unused void *arg)
{
	__u32 inums[XNS_MAX_DEPTH + 1];
	struct depth_report rep = {};
	struct xns_info info;
	unsigned int i, j;
	int devfd, ret;

	devfd = xns_open_dev();
	xns_child_check(devfd >= 0, "open %s: %s", XNS_DEV, strerror(-devfd));
	ret = xns_get_info(devfd, &info);
	xns_child_check(!ret && info.depth == 0, "not in the initial xns");
	inums[0] = info.inum;
	for (i = 1; i <= XNS_MAX_DEPTH; i++) {
		ret = xns_unshare();
		xns_child_check(!ret, "unshare to depth %u: %s", i,
				strerror(-ret));
		ret = xns_get_info(devfd, &info);
		xns_child_check(!ret, "GET_INFO: %s", strerror(-ret));
		xns_child_check(info.depth == i, "depth %u after %u unshares",
				info.depth, i);
		inums[i] = info.inum;
		for (j = 0; j < i; j++)
			xns_child_check(inums[j] != inums[i],
					"depth %u and %u share inum %u", j, i,
					inums[i]);
		rep.done = i;
	}

	ret = xns_unshare();
	xns_child_check(ret == -ENOSPC,
			"unshare beyond XNS_MAX_DEPTH: %s, want ENOSPC",
			ret ? strerror(-ret) : "success");
	ret = xns_get_info(devfd, &info);
	xns_child_check(!ret && info.depth == XNS_MAX_DEPTH &&
			info.inum == inums[XNS_MAX_DEPTH],
			"a failed unshare moved the caller");
	rep.depth = info.depth;
	close(devfd);
	if (xns_send(c->rep, &rep, sizeof(rep)))
		return 1;
	xns_child_hold(c);
	return 0;
}

TEST_F(xns, depth_limit)
{
	struct depth_report rep = {};
	__u32 base, nr = 0;
	int ret;

	if (self->info.depth != 0)
		SKIP(return, "not started in the initial xns");

	base = settled_nr_live(_metadata, self->devfd);
	ASSERT_EQ(0, xns_child_start(&self->kids[0], depth_child, NULL));
	ret = xns_child_recv(&self->kids[0], &rep, sizeof(rep));
	ASSERT_EQ(0, ret) {
		TH_LOG("child failed: exit status %d",
		       xns_child_reap(&self->kids[0]));
	}
	EXPECT_EQ((__u32)XNS_MAX_DEPTH, rep.done);
	EXPECT_EQ((__u32)XNS_MAX_DEPTH, rep.depth);
	/* The whole chain is alive: each namespace pins its parent. */
	ASSERT_EQ(0, xns_nr_live(self->devfd, &nr));
	EXPECT_EQ(base + XNS_MAX_DEPTH, nr);

	EXPECT_EQ(0, xns_child_stop(&self->kids[0]));
	ret = xns_wait_nr_live(self->devfd, base, XNS_SETTLE_MS, &nr);
	EXPECT_EQ(0, ret) {
		TH_LOG("nr_live %u, want %u, after the chain was released",
		       nr, base);
	}
}

TEST_F(xns, nr_live_counts)
{
	struct xns_holder_args zero = { .depth = 0 }, one = { .depth = 1 },
			       two = { .depth = 2 };
	struct xns_holder_report rep;
	__u32 base, nr = 0;
	int ret;

	base = settled_nr_live(_metadata, self->devfd);
	ASSERT_EQ(0, xns_holder_start(&self->kids[0], &one, &rep));
	ASSERT_EQ(0, xns_nr_live(self->devfd, &nr));
	EXPECT_EQ(base + 1, nr);
	ASSERT_EQ(0, xns_holder_start(&self->kids[1], &one, &rep));
	ASSERT_EQ(0, xns_nr_live(self->devfd, &nr));
	EXPECT_EQ(base + 2, nr);
	ASSERT_EQ(0, xns_holder_start(&self->kids[2], &two, &rep));
	ASSERT_EQ(0, xns_nr_live(self->devfd, &nr));
	EXPECT_EQ(base + 4, nr);
	/* Another member of an existing namespace adds nothing. */
	ASSERT_EQ(0, xns_holder_start(&self->kids[3], &zero, &rep));
	ASSERT_EQ(0, xns_nr_live(self->devfd, &nr));
	EXPECT_EQ(base + 4, nr);
	EXPECT_EQ(0, xns_child_stop(&self->kids[3]));

	EXPECT_EQ(0, xns_child_stop(&self->kids[2]));
	ret = xns_wait_nr_live(self->devfd, base + 2, XNS_SETTLE_MS, &nr);
	EXPECT_EQ(0, ret) {
		TH_LOG("nr_live %u, want %u, after a chain of two went", nr,
		       base + 2);
	}
	EXPECT_EQ(0, xns_child_stop(&self->kids[0]));
	ret = xns_wait_nr_live(self->devfd, base + 1, XNS_SETTLE_MS, &nr);
	EXPECT_EQ(0, ret);
	EXPECT_EQ(0, xns_child_stop(&self->kids[1]));
	ret = xns_wait_nr_live(self->devfd, base, XNS_SETTLE_MS, &nr);
	EXPECT_EQ(0, ret) {
		TH_LOG("nr_live %u, want %u, with no namespaces left", nr,
		       base);
	}
}

/*
 * NS_CREATE_CHILD, the generic creation path: the ioctl on its own, apart
 * from the unshare (create, then setns()) the other tests use.
 */

static __u64 fd_ns_id(struct __test_metadata *_metadata, int fd)
{
	__u64 id = 0;
	int ret;

	ret = xns_fd_ns_id(fd, &id);
	ASSERT_EQ(0, ret) {
		TH_LOG("NS_GET_ID: %s", strerror(-ret));
	}
	return id;
}

static __u64 self_ns_id(struct __test_metadata *_metadata)
{
	__u64 id = 0;
	int ret;

	ret = xns_pid_ns_id(0, &id);
	ASSERT_EQ(0, ret) {
		TH_LOG("NS_GET_ID of %s: %s", XNS_SELF_LINK, strerror(-ret));
	}
	return id;
}

/* NS_GET_PARENT of @fd, as a namespace id. */
static __u64 parent_ns_id(struct __test_metadata *_metadata, int fd)
{
	__u64 id;
	int pfd;

	pfd = ioctl(fd, NS_GET_PARENT);
	ASSERT_GE(pfd, 0) {
		TH_LOG("NS_GET_PARENT of a new child: %m");
	}
	id = fd_ns_id(_metadata, pfd);
	close(pfd);
	return id;
}

/* All xns namespaces listns() shows. */
static void list_xns(struct __test_metadata *_metadata, struct xns_ids *l)
{
	int ret = xns_ids_list(XNS_NS_TYPE, 0, l);

	ASSERT_EQ(0, ret) {
		TH_LOG("listns(XNS_NS_TYPE): %s", strerror(-ret));
	}
}

TEST_F(xns, create_child_returns_child)
{
	struct xns_info before, info;
	struct stat st_home, st_child;
	__u64 home_id, child_id, child2_id;
	int home, child, child2, ret;
	__u32 base, nr = 0;

	base = settled_nr_live(_metadata, self->devfd);
	home = xns_open_ns(0);
	ASSERT_GE(home, 0);
	home_id = fd_ns_id(_metadata, home);
	ASSERT_EQ(0, xns_get_info(self->devfd, &before));

	child = xns_create_child(home);
	ASSERT_LE(0, child) {
		TH_LOG("NS_CREATE_CHILD on %s: %s", XNS_SELF_LINK,
		       strerror(-child));
	}
	EXPECT_EQ(FD_CLOEXEC, fcntl(child, F_GETFD));
	/* An nsfs file of a new xns... */
	EXPECT_EQ(XNS_NS_TYPE, ioctl(child, NS_GET_NSTYPE));
	ASSERT_EQ(0, fstat(home, &st_home));
	ASSERT_EQ(0, fstat(child, &st_child));
	EXPECT_EQ(st_home.st_dev, st_child.st_dev);
	EXPECT_NE(st_home.st_ino, st_child.st_ino);
	child_id = fd_ns_id(_metadata, child);
	EXPECT_NE(0ULL, child_id);
	EXPECT_NE(home_id, child_id);
	/* ...whose parent is the namespace of the file... */
	EXPECT_EQ(home_id, parent_ns_id(_metadata, child));
	/* ...owned by the caller's user namespace. */
	check_userns(_metadata, child);

	/* The ioctl moves nobody; the file alone holds the child. */
	EXPECT_EQ(home_id, self_ns_id(_metadata));
	ASSERT_EQ(0, xns_get_info(self->devfd, &info));
	EXPECT_EQ(before.inum, info.inum);
	EXPECT_EQ(before.depth, info.depth);
	EXPECT_EQ(base + 1, info.nr_live);

	/* setns() enters it: empty, one level down. */
	ret = xns_setns(child, 0);
	ASSERT_EQ(0, ret) {
		TH_LOG("setns(child, 0): %s", strerror(-ret));
	}
	EXPECT_EQ(child_id, self_ns_id(_metadata));
	ASSERT_EQ(0, xns_get_info(self->devfd, &info));
	EXPECT_EQ(child_id, info.ns_id);
	EXPECT_EQ((__u32)st_child.st_ino, info.inum);
	EXPECT_EQ(before.depth + 1, info.depth);
	EXPECT_EQ(0U, info.nr_labels);

	/* A second child of the same file, entered with XNS_NS_TYPE. */
	child2 = xns_create_child(home);
	ASSERT_LE(0, child2);
	child2_id = fd_ns_id(_metadata, child2);
	EXPECT_NE(child_id, child2_id);
	EXPECT_NE(home_id, child2_id);
	EXPECT_EQ(child_id, self_ns_id(_metadata));
	ret = xns_setns(child2, XNS_NS_TYPE);
	ASSERT_EQ(0, ret) {
		TH_LOG("setns(child, XNS_NS_TYPE): %s", strerror(-ret));
	}
	EXPECT_EQ(child2_id, self_ns_id(_metadata));
	ASSERT_EQ(0, xns_get_info(self->devfd, &info));
	EXPECT_EQ(before.depth + 1, info.depth);
	EXPECT_EQ(base + 2, info.nr_live);

	ASSERT_EQ(0, xns_setns(home, 0));
	close(child2);
	close(child);
	close(home);
	ret = xns_wait_nr_live(self->devfd, base, XNS_SETTLE_MS, &nr);
	EXPECT_EQ(0, ret) {
		TH_LOG("nr_live %u, want %u, with the children's files closed",
		       nr, base);
	}
}

TEST_F(xns, create_child_of_other_namespace)
{
	struct xns_holder_args one = {
		.depth = 1, .key = "holder", .value = "s",
	};
	struct xns_holder_report rep;
	__u64 home_id, s_id, c_id, c2_id;
	int home, sfd, c, c2, ret;
	struct xns_info info;
	__u32 base, nr = 0;

	base = settled_nr_live(_metadata, self->devfd);
	home = xns_open_ns(0);
	ASSERT_GE(home, 0);
	home_id = fd_ns_id(_metadata, home);
	/* S: a child of ours that another process is in, not us. */
	ret = xns_holder_start(&self->kids[0], &one, &rep);
	ASSERT_EQ(0, ret) {
		TH_LOG("holder: %s", strerror(-ret));
	}
	sfd = xns_open_ns(self->kids[0].pid);
	ASSERT_GE(sfd, 0);
	s_id = fd_ns_id(_metadata, sfd);

	c = xns_create_child(sfd);
	ASSERT_LE(0, c) {
		TH_LOG("NS_CREATE_CHILD on another task's xns: %s",
		       strerror(-c));
	}
	c_id = fd_ns_id(_metadata, c);
	EXPECT_EQ(s_id, parent_ns_id(_metadata, c)) {
		TH_LOG("the parent is not the namespace of the file");
	}
	EXPECT_EQ(home_id, self_ns_id(_metadata));
	check_userns(_metadata, c);

	/* Entered: two levels below us, without S's labels. */
	ASSERT_EQ(0, xns_setns(c, 0));
	ASSERT_EQ(0, xns_get_info(self->devfd, &info));
	EXPECT_EQ(c_id, info.ns_id);
	EXPECT_EQ(self->info.depth + 2, info.depth);
	EXPECT_EQ(0U, info.nr_labels);
	EXPECT_EQ(-ENOENT, xns_label_get(self->devfd, "holder", NULL, 0));
	ASSERT_EQ(0, xns_setns(home, 0));

	/* From a sibling of S, a child of S all the same. */
	ASSERT_EQ(0, xns_unshare());
	EXPECT_NE(home_id, self_ns_id(_metadata));
	c2 = xns_create_child(sfd);
	ASSERT_LE(0, c2) {
		TH_LOG("NS_CREATE_CHILD on a sibling's xns: %s",
		       strerror(-c2));
	}
	c2_id = fd_ns_id(_metadata, c2);
	EXPECT_NE(c_id, c2_id);
	ASSERT_EQ(0, xns_setns(c2, XNS_NS_TYPE));
	ASSERT_EQ(0, xns_get_info(self->devfd, &info));
	EXPECT_EQ(c2_id, info.ns_id);
	EXPECT_EQ(self->info.depth + 2, info.depth);
	/* Seen from home, where S is in reach of NS_GET_PARENT. */
	ASSERT_EQ(0, xns_setns(home, 0));
	EXPECT_EQ(s_id, parent_ns_id(_metadata, c2));

	close(c2);
	close(c);
	close(sfd);
	close(home);
	EXPECT_EQ(0, xns_child_stop(&self->kids[0]));
	ret = xns_wait_nr_live(self->devfd, base, XNS_SETTLE_MS, &nr);
	EXPECT_EQ(0, ret) {
		TH_LOG("nr_live %u, want %u", nr, base);
	}
}

TEST_F(xns, create_child_builtin_type_eopnotsupp)
{
	static const char * const names[] = {
		"uts", "ipc", "net", "mnt", "pid", "user", "cgroup", "time",
	};
	char path[64], link[64], again[64];
	__u32 inum, nr = 0, nr_after = 0;
	unsigned int i, tested = 0;
	int fd, ret;

	inum = self_inum(_metadata);
	ASSERT_EQ(0, xns_nr_live(self->devfd, &nr));
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		snprintf(path, sizeof(path), "/proc/self/ns/%s", names[i]);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 && errno == ENOENT) {
			TH_LOG("note: no %s (not configured)", path);
			continue;
		}
		ASSERT_LE(0, fd) {
			TH_LOG("open %s: %m", path);
		}
		ASSERT_EQ(0, xns_readlink(path, link, sizeof(link)));
		ret = xns_create_child(fd);
		EXPECT_EQ(-EOPNOTSUPP, ret) {
			TH_LOG("NS_CREATE_CHILD on %s: %s, want EOPNOTSUPP",
			       link, ret < 0 ? strerror(-ret) : "a file");
		}
		if (ret >= 0)
			close(ret);
		ASSERT_EQ(0, xns_readlink(path, again, sizeof(again)));
		EXPECT_STREQ(link, again);
		close(fd);
		tested++;
	}
	EXPECT_LE(3U, tested);
	EXPECT_EQ(inum, self_inum(_metadata));
	ASSERT_EQ(0, xns_nr_live(self->devfd, &nr_after));
	EXPECT_EQ(nr, nr_after);
}

TEST_F(xns, create_child_not_nsfs_enotty)
{
	char tmp[] = "/tmp/xns-create-XXXXXX";
	int fds[6], pipefd[2], ns, opath, ret;
	__u32 inum, nr = 0, nr_after = 0;
	unsigned int i;

	inum = self_inum(_metadata);
	ASSERT_EQ(0, xns_nr_live(self->devfd, &nr));
	ASSERT_EQ(0, pipe2(pipefd, O_CLOEXEC));
	fds[0] = open("/dev/null", O_RDONLY | O_CLOEXEC);
	fds[1] = self->devfd;
	fds[2] = mkstemp(tmp);
	if (fds[2] >= 0)
		unlink(tmp);
	fds[3] = open("/proc/self/ns", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	fds[4] = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	fds[5] = pipefd[0];
	for (i = 0; i < ARRAY_SIZE(fds); i++) {
		ASSERT_LE(0, fds[i]) {
			TH_LOG("file #%u: %m", i);
		}
		ret = xns_create_child(fds[i]);
		EXPECT_EQ(-ENOTTY, ret) {
			TH_LOG("NS_CREATE_CHILD on non-nsfs file #%u: %s, want ENOTTY",
			       i, ret < 0 ? strerror(-ret) : "a file");
		}
		if (ret >= 0)
			close(ret);
	}

	/* On /dev/xns, its old creation command number is gone too. */
	ret = xns_ioctl(self->devfd, _IO(XNS_IOC_MAGIC, 0), NULL);
	EXPECT_EQ(-ENOTTY, ret) {
		TH_LOG("/dev/xns command 0: %s, want ENOTTY",
		       ret < 0 ? strerror(-ret) : "success");
	}

	/* On an xns file: the command with another direction or size. */
	ns = xns_open_ns(0);
	ASSERT_GE(ns, 0);
	ret = xns_ioctl(ns, _IOC(_IOC_NONE, NSIO, 0x20, 8), NULL);
	EXPECT_EQ(-ENOTTY, ret);
	ret = xns_ioctl(ns, _IOR(NSIO, 0x20, __u64), NULL);
	EXPECT_EQ(-ENOTTY, ret);
	/* An O_PATH file has no ioctls at all. */
	opath = open(XNS_SELF_LINK, O_PATH | O_CLOEXEC);
	ASSERT_GE(opath, 0);
	EXPECT_EQ(-EBADF, xns_create_child(opath));
	close(opath);
	close(ns);

	EXPECT_EQ(inum, self_inum(_metadata));
	ASSERT_EQ(0, xns_nr_live(self->devfd, &nr_after));
	EXPECT_EQ(nr, nr_after);
	close(fds[0]);
	close(fds[2]);
	close(fds[3]);
	close(fds[4]);
	close(pipefd[0]);
	close(pipefd[1]);
}

TEST_F(xns, create_child_depth_limit)
{
	struct xns_holder_args deep = { .depth = XNS_MAX_DEPTH };
	struct xns_ids before, after;
	struct xns_holder_report rep;
	int fd_max, fd_below, home, own, c, ret;
	__u32 base, nr = 0;
	struct xns_info info;

	if (self->info.depth != 0)
		SKIP(return, "not started in the initial xns");

	base = settled_nr_live(_metadata, self->devfd);
	home = xns_open_ns(0);
	ASSERT_GE(home, 0);
	ret = xns_holder_start(&self->kids[0], &deep, &rep);
	ASSERT_EQ(0, ret) {
		TH_LOG("holder at XNS_MAX_DEPTH: %s", strerror(-ret));
	}
	ASSERT_EQ((__u32)XNS_MAX_DEPTH, rep.depth);
	fd_max = xns_open_ns(self->kids[0].pid);
	ASSERT_GE(fd_max, 0);

	/* Not below XNS_MAX_DEPTH, whoever asks: nothing is made. */
	list_xns(_metadata, &before);
	ret = xns_create_child(fd_max);
	EXPECT_EQ(-ENOSPC, ret) {
		TH_LOG("NS_CREATE_CHILD at XNS_MAX_DEPTH: %s, want ENOSPC",
		       ret < 0 ? strerror(-ret) : "a file");
	}
	if (ret >= 0)
		close(ret);
	list_xns(_metadata, &after);
	EXPECT_TRUE(xns_ids_subset(&before, &after)) {
		TH_LOG("listns: a new xns after a refused NS_CREATE_CHILD");
	}
	ASSERT_EQ(0, xns_nr_live(self->devfd, &nr));
	EXPECT_EQ(base + XNS_MAX_DEPTH, nr);

	/* One level up, the depth is the parent's + 1: allowed. */
	fd_below = ioctl(fd_max, NS_GET_PARENT);
	ASSERT_GE(fd_below, 0);
	c = xns_create_child(fd_below);
	ASSERT_LE(0, c) {
		TH_LOG("NS_CREATE_CHILD at depth %d: %s", XNS_MAX_DEPTH - 1,
		       strerror(-c));
	}
	ASSERT_EQ(0, xns_setns(c, 0));
	ASSERT_EQ(0, xns_get_info(self->devfd, &info));
	EXPECT_EQ((__u32)XNS_MAX_DEPTH, info.depth);
	EXPECT_EQ(base + XNS_MAX_DEPTH + 1, info.nr_live);
	/* There, on our own namespace, and as an unshare. */
	own = xns_open_ns(0);
	ASSERT_GE(own, 0);
	EXPECT_EQ(-ENOSPC, xns_create_child(own));
	EXPECT_EQ(-ENOSPC, xns_unshare());
	ASSERT_EQ(0, xns_get_info(self->devfd, &info));
	EXPECT_EQ((__u32)XNS_MAX_DEPTH, info.depth);
	EXPECT_EQ(base + XNS_MAX_DEPTH + 1, info.nr_live);

	ASSERT_EQ(0, xns_setns(home, 0));
	close(own);
	close(c);
	close(fd_below);
	close(fd_max);
	close(home);
	EXPECT_EQ(0, xns_child_stop(&self->kids[0]));
	ret = xns_wait_nr_live(self->devfd, base, XNS_SETTLE_MS, &nr);
	EXPECT_EQ(0, ret) {
		TH_LOG("nr_live %u, want %u", nr, base);
	}
}

TEST_F(xns, create_child_file_pins)
{
	struct xns_ns_handle h;
	__u32 base, nr = 0, inum;
	int home, c, fd, ret;
	__u64 id;

	base = settled_nr_live(_metadata, self->devfd);
	home = xns_open_ns(0);
	ASSERT_GE(home, 0);
	c = xns_create_child(home);
	ASSERT_LE(0, c);
	id = fd_ns_id(_metadata, c);
	inum = fd_inum(_metadata, c);
	ret = xns_ns_handle_get(c, &h);
	ASSERT_EQ(0, ret) {
		TH_LOG("name_to_handle_at: %s", strerror(-ret));
	}

	/* No task was ever in it: its file alone keeps it, listed. */
	EXPECT_EQ(0, xns_wait_listed(XNS_NS_TYPE, id, true, 0)) {
		TH_LOG("listns does not show a namespace held by its file");
	}
	ASSERT_EQ(0, xns_setns(c, 0));
	ASSERT_EQ(0, xns_label_set(self->devfd, "pinned", "by-create"));
	ASSERT_EQ(0, xns_setns(home, 0));
	/* Its only member left again. */
	xns_msleep(100);
	ASSERT_EQ(0, xns_nr_live(self->devfd, &nr));
	EXPECT_EQ(base + 1, nr);
	EXPECT_EQ(0, xns_wait_listed(XNS_NS_TYPE, id, true, 0));
	fd = xns_ns_handle_open(&h, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd) {
		TH_LOG("open_by_handle_at: %s", strerror(-fd));
	}
	EXPECT_EQ(id, fd_ns_id(_metadata, fd));
	close(fd);
	check_pinned(_metadata, self->devfd, c, home, inum, "pinned",
		     "by-create");

	/* Closing the file frees it. */
	close(c);
	ret = xns_wait_nr_live(self->devfd, base, XNS_SETTLE_MS, &nr);
	EXPECT_EQ(0, ret) {
		TH_LOG("nr_live still %u, want %u, after closing the child's file",
		       nr, base);
	}
	EXPECT_EQ(0, xns_wait_listed(XNS_NS_TYPE, id, false, XNS_SETTLE_MS));
	EXPECT_EQ(-ESTALE, xns_wait_stale(&h, XNS_SETTLE_MS));
	close(home);
}

/*
 * The per-user limit: max_module_namespaces in /proc/sys/user (patch
 * 0006), a ucount as max_uts_namespaces is for UTS.  A namespace of any
 * registered type counts, from its creation until it is freed, for its
 * creator's euid in the user namespace that owns it (the creator's) and,
 * for the owner of each user namespace on the way up, in every ancestor;
 * over any of their limits NS_CREATE_CHILD fails with ENOSPC.  The tests
 * set the limit in a user namespace of their own, where the caller's count
 * starts at 0 whatever other tests left in the initial one.
 */

/*
 * Start @lister, which lists from the initial user namespace what the
 * test no longer sees from its own (xns_lister_fn()).
 */
static void start_lister(struct __test_metadata *_metadata,
			 struct xns_child *lister)
{
	int ret = xns_lister_start(lister);

	ASSERT_EQ(0, ret) {
		TH_LOG("starting a lister: %s", strerror(-ret));
	}
}

/* All xns namespaces, as @lister sees them. */
static void lister_list_xns(struct __test_metadata *_metadata,
			    struct xns_child *lister, struct xns_ids *l)
{
	int ret = xns_lister_list(lister, XNS_NS_TYPE, l);

	ASSERT_EQ(0, ret) {
		TH_LOG("listns(XNS_NS_TYPE) by the lister: %s", strerror(-ret));
	}
}

/* Move into a new user namespace whose max_module_namespaces is @max. */
static void enter_userns_limit(struct __test_metadata *_metadata,
			       unsigned long max)
{
	unsigned long back = 0;
	int ret;

	ret = xns_enter_userns_limit(max);
	ASSERT_EQ(0, ret) {
		TH_LOG("a user namespace with max_module_namespaces=%lu: %s",
		       max, strerror(-ret));
	}
	ret = xns_limit_read(XNS_SYSCTL_MAX_NS, &back);
	ASSERT_EQ(0, ret) {
		TH_LOG("reading %s: %s", XNS_SYSCTL_MAX_NS, strerror(-ret));
	}
	ASSERT_EQ(max, back);
}

#define LIMIT	3

TEST_F(xns, per_user_limit)
{
	struct xns_holder_args one = { .depth = 1 };
	struct xns_holder_report rep;
	struct xns_ids before, after;
	__u32 base, nr = 0;
	int ret, i;

	base = settled_nr_live(_metadata, self->devfd);
	start_lister(_metadata, &self->lister);
	enter_userns_limit(_metadata, LIMIT);

	/* LIMIT namespaces, each kept by the task in it. */
	for (i = 0; i < LIMIT; i++) {
		ret = xns_holder_start(&self->kids[i], &one, &rep);
		ASSERT_EQ(0, ret) {
			TH_LOG("namespace %d of %d: %s", i + 1, LIMIT,
			       strerror(-ret));
		}
	}
	lister_list_xns(_metadata, &self->lister, &before);
	ret = xns_holder_start(&self->kids[LIMIT], &one, &rep);
	EXPECT_EQ(-ENOSPC, ret) {
		TH_LOG("namespace %d with max_module_namespaces=%d: %s, want ENOSPC",
		       LIMIT + 1, LIMIT, ret ? strerror(-ret) : "created");
	}
	ASSERT_EQ(0, xns_nr_live(self->devfd, &nr));
	EXPECT_EQ(base + LIMIT, nr);
	lister_list_xns(_metadata, &self->lister, &after);
	EXPECT_TRUE(xns_ids_subset(&before, &after)) {
		TH_LOG("listns: a new xns after a refused unshare");
	}

	/* Freeing one gives its slot back, and only its slot. */
	EXPECT_EQ(0, xns_child_stop(&self->kids[0]));
	ASSERT_EQ(0, xns_wait_nr_live(self->devfd, base + LIMIT - 1,
				      XNS_SETTLE_MS, &nr));
	ret = xns_holder_start(&self->kids[0], &one, &rep);
	EXPECT_EQ(0, ret) {
		TH_LOG("after freeing one: %s", strerror(-ret));
	}
	ret = xns_holder_start(&self->kids[LIMIT], &one, &rep);
	EXPECT_EQ(-ENOSPC, ret) {
		TH_LOG("one more after the freed slot was taken again: %s",
		       ret ? strerror(-ret) : "created");
	}

	for (i = 0; i < LIMIT; i++)
		EXPECT_EQ(0, xns_child_stop(&self->kids[i]));
	EXPECT_EQ(0, xns_wait_nr_live(self->devfd, base, XNS_SETTLE_MS, &nr)) {
		TH_LOG("nr_live %u, want %u", nr, base);
	}
}

/*
 * Where max_module_namespaces leaves room for two more namespaces: two
 * children of @home, their files in @c[0] and @c[1], and no third, by
 * NS_CREATE_CHILD on @home (and on @c[0] if @any_parent) nor as an
 * unshare: nothing new listed, @base + 2 alive.  @where, for messages,
 * says what limits the caller.
 */
static void fill_limit_of_two(struct __test_metadata *_metadata,
			      struct xns_child *lister, int devfd, __u32 base,
			      int home, bool any_parent, const char *where,
			      int *c)
{
	struct xns_ids before, after;
	__u32 nr = 0;
	int ret;

	/* Namespaces that only a file holds count as any other. */
	c[0] = xns_create_child(home);
	ASSERT_LE(0, c[0]) {
		TH_LOG("first namespace%s: %s", where, strerror(-c[0]));
	}
	c[1] = xns_create_child(home);
	ASSERT_LE(0, c[1]) {
		TH_LOG("second namespace%s: %s", where, strerror(-c[1]));
	}
	lister_list_xns(_metadata, lister, &before);
	ret = xns_create_child(home);
	EXPECT_EQ(-ENOSPC, ret) {
		TH_LOG("a third namespace%s: %s, want ENOSPC", where,
		       ret < 0 ? strerror(-ret) : "a file");
	}
	if (ret >= 0)
		close(ret);
	if (any_parent) {
		/* Whatever the parent. */
		ret = xns_create_child(c[0]);
		EXPECT_EQ(-ENOSPC, ret);
		if (ret >= 0)
			close(ret);
	}
	EXPECT_EQ(-ENOSPC, xns_unshare());
	lister_list_xns(_metadata, lister, &after);
	EXPECT_TRUE(xns_ids_subset(&before, &after)) {
		TH_LOG("listns: a new xns after a refused NS_CREATE_CHILD");
	}
	ASSERT_EQ(0, xns_nr_live(devfd, &nr));
	EXPECT_EQ(base + 2, nr);
}

/*
 * After fill_limit_of_two(): closing @c[0] frees its namespace, and the
 * slot, for a child of @parent.  Then nothing is left of them but @home.
 */
static void free_one_of_two(struct __test_metadata *_metadata, int devfd,
			    __u32 base, int *c, int parent)
{
	__u32 nr = 0;
	int c3;

	close(c[0]);
	ASSERT_EQ(0, xns_wait_nr_live(devfd, base + 1, XNS_SETTLE_MS, &nr));
	c3 = xns_create_child(parent);
	EXPECT_LE(0, c3) {
		TH_LOG("after closing one: %s", strerror(-c3));
	}
	if (c3 >= 0)
		close(c3);
	close(c[1]);
}

TEST_F(xns, create_child_per_user_limit)
{
	__u32 base, nr = 0;
	int home, c[2];

	base = settled_nr_live(_metadata, self->devfd);
	start_lister(_metadata, &self->lister);
	enter_userns_limit(_metadata, 2);

	home = xns_open_ns(0);
	ASSERT_GE(home, 0);
	fill_limit_of_two(_metadata, &self->lister, self->devfd, base, home,
			  true, " with max_module_namespaces=2", c);
	free_one_of_two(_metadata, self->devfd, base, c, c[1]);
	close(home);
	EXPECT_EQ(0, xns_wait_nr_live(self->devfd, base, XNS_SETTLE_MS, &nr));
}

/* Besides root, the user namespace of two_users_child() maps this uid. */
#define OTHER_UID	1

/*
 * In a new user namespace, whose uid_map the test writes (it takes a
 * privileged writer to map two uids): root and OTHER_UID, with
 * max_module_namespaces 1, each have a count of their own.
 */
static int two_users_child(struct xns_child *c, __always_unused void *arg)
{
	int home, mine, other, ret;
	__u64 eff = 0;
	char byte = 0;

	xns_child_check(!unshare(CLONE_NEWUSER), "unshare(CLONE_NEWUSER): %m");
	if (xns_send(c->rep, &byte, sizeof(byte)))
		return 1;
	xns_child_hold(c);
	xns_child_check(geteuid() == 0, "euid %u after the uid_map was written",
			geteuid());
	ret = xns_limit_write(XNS_SYSCTL_MAX_NS, 1);
	xns_child_check(!ret, "max_module_namespaces=1: %s", strerror(-ret));

	home = xns_open_ns(0);
	xns_child_check(home >= 0, "open %s: %s", XNS_SELF_LINK,
			strerror(-home));
	mine = xns_create_child(home);
	xns_child_check(mine >= 0, "root's namespace: %s", strerror(-mine));
	ret = xns_create_child(home);
	xns_child_check(ret == -ENOSPC,
			"root's second namespace with max_module_namespaces=1: %s, want ENOSPC",
			ret < 0 ? strerror(-ret) : "a file");

	/* Another euid, keeping the capabilities: its own count. */
	xns_child_check(!prctl(PR_SET_SECUREBITS, SECBIT_NO_SETUID_FIXUP, 0, 0,
			       0), "PR_SET_SECUREBITS: %m");
	xns_child_check(!setresuid(-1, OTHER_UID, -1), "seteuid(%d): %m",
			OTHER_UID);
	ret = xns_cap_effective(&eff);
	xns_child_check(!ret && (eff & 1ULL << CAP_SYS_ADMIN),
			"euid %d has no CAP_SYS_ADMIN", OTHER_UID);
	other = xns_create_child(home);
	xns_child_check(other >= 0,
			"uid %d could not create while root is at its limit: %s",
			OTHER_UID, strerror(-other));
	ret = xns_create_child(home);
	xns_child_check(ret == -ENOSPC,
			"second namespace of uid %d: %s, want ENOSPC", OTHER_UID,
			ret < 0 ? strerror(-ret) : "a file");

	/* Root is still at its limit, until its namespace is freed. */
	xns_child_check(!setresuid(-1, 0, -1), "seteuid(0): %m");
	ret = xns_create_child(home);
	xns_child_check(ret == -ENOSPC,
			"root's second namespace after uid %d's: %s, want ENOSPC",
			OTHER_UID, ret < 0 ? strerror(-ret) : "a file");
	close(mine);
	ret = xns_create_child(home);
	xns_child_check(ret >= 0, "root, after closing its namespace: %s",
			strerror(-ret));
	close(ret);
	close(other);
	close(home);
	return 0;
}

TEST_F(xns, per_user_limit_is_per_user)
{
	struct xns_child *kid = &self->kids[0];
	char path[64], map[64];
	char byte;
	int ret;

	ASSERT_EQ(0, xns_child_start(kid, two_users_child, NULL));
	ret = xns_child_recv(kid, &byte, sizeof(byte));
	ASSERT_EQ(0, ret) {
		TH_LOG("the child made no user namespace: exit %d",
		       xns_child_reap(kid));
	}
	snprintf(path, sizeof(path), "/proc/%d/uid_map", kid->pid);
	snprintf(map, sizeof(map), "0 %u 1\n%d %d 1\n", geteuid(), OTHER_UID,
		 XNS_NOBODY);
	ret = xns_write_file(path, map);
	ASSERT_EQ(0, ret) {
		TH_LOG("writing %s: %s", path, strerror(-ret));
	}
	snprintf(path, sizeof(path), "/proc/%d/gid_map", kid->pid);
	snprintf(map, sizeof(map), "0 %u 1\n", getegid());
	ret = xns_write_file(path, map);
	ASSERT_EQ(0, ret) {
		TH_LOG("writing %s: %s", path, strerror(-ret));
	}
	ASSERT_EQ(0, xns_child_release(kid));
	EXPECT_EQ(0, xns_child_reap(kid));
}

/*
 * User namespace A allows 2, its child B 100: from B the third fails,
 * since B's namespaces also count in A, for A's root, the owner of B.
 * UTS namespaces, limited the same way, do the same.
 */
TEST_F(xns, per_user_limit_hierarchy)
{
	__u32 base, nr = 0;
	int home, c[2], ret;

	base = settled_nr_live(_metadata, self->devfd);
	start_lister(_metadata, &self->lister);
	enter_userns_limit(_metadata, 2);
	ASSERT_EQ(0, xns_limit_write(XNS_SYSCTL_MAX_UTS, 1));
	enter_userns_limit(_metadata, 100);
	ASSERT_EQ(0, xns_limit_write(XNS_SYSCTL_MAX_UTS, 100));

	home = xns_open_ns(0);
	ASSERT_GE(home, 0);
	fill_limit_of_two(_metadata, &self->lister, self->devfd, base, home,
			  false, " in B (100) below A (2)", c);

	/* The same for UTS, with max_uts_namespaces 1 in A. */
	ASSERT_EQ(0, unshare(CLONE_NEWUTS)) {
		TH_LOG("first UTS namespace in B: %m");
	}
	ret = unshare(CLONE_NEWUTS) ? -errno : 0;
	EXPECT_EQ(-ENOSPC, ret) {
		TH_LOG("a second UTS namespace in B (100) below A (1): %s, want ENOSPC",
		       ret ? strerror(-ret) : "created");
	}

	/* Freeing one in B gives A's slot back. */
	free_one_of_two(_metadata, self->devfd, base, c, home);
	close(home);
	EXPECT_EQ(0, xns_wait_nr_live(self->devfd, base, XNS_SETTLE_MS, &nr));
}

static const char * const user_limits[] = {
	XNS_SYSCTL_MAX_NS, XNS_SYSCTL_MAX_UTS,
};

/* Opening @path for writing must fail with EACCES. */
static void child_check_read_only(const char *path, const char *who)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	xns_child_check(fd < 0 && errno == EACCES,
			"open(%s, O_WRONLY) %s: %s, want EACCES", path, who,
			fd < 0 ? strerror(errno) : "opened");
}

/* In a child: max_module_namespaces behaves as max_uts_namespaces. */
static int sysctl_child(__always_unused struct xns_child *c,
			__always_unused void *arg)
{
	unsigned long val = 0;
	unsigned int i;
	int home, ret;

	/* Without CAP_SYS_RESOURCE: read only. */
	ret = xns_drop_privs(XNS_NOBODY, XNS_NOBODY);
	xns_child_check(!ret, "dropping privileges: %s", strerror(-ret));
	for (i = 0; i < ARRAY_SIZE(user_limits); i++) {
		ret = xns_limit_read(user_limits[i], &val);
		xns_child_check(!ret, "reading %s as nobody: %s",
				user_limits[i], strerror(-ret));
		child_check_read_only(user_limits[i], "as nobody");
	}

	/* Root of a new user namespace: its own values, INT_MAX at first. */
	ret = xns_enter_userns();
	xns_child_check(!ret, "entering a user namespace: %s", strerror(-ret));
	for (i = 0; i < ARRAY_SIZE(user_limits); i++) {
		const char *path = user_limits[i];

		ret = xns_limit_read(path, &val);
		xns_child_check(!ret && val == INT_MAX,
				"%s in a new user namespace: %s, %lu, want %d",
				path, strerror(-ret), val, INT_MAX);
		ret = xns_limit_write(path, 5);
		xns_child_check(!ret, "writing 5 to %s: %s", path,
				strerror(-ret));
		ret = xns_write_file(path, "-1");
		xns_child_check(ret == -EINVAL,
				"writing -1 to %s: %s, want EINVAL", path,
				ret ? strerror(-ret) : "written");
		ret = xns_limit_write(path, (unsigned long)INT_MAX + 1);
		xns_child_check(ret == -EINVAL,
				"writing INT_MAX + 1 to %s: %s, want EINVAL",
				path, ret ? strerror(-ret) : "written");
		ret = xns_limit_read(path, &val);
		xns_child_check(!ret && val == 5,
				"%s after refused writes: %s, %lu, want 5", path,
				strerror(-ret), val);
		ret = xns_limit_write(path, INT_MAX);
		xns_child_check(!ret, "writing INT_MAX to %s: %s", path,
				strerror(-ret));

		/* Writing takes CAP_SYS_RESOURCE over the user namespace. */
		ret = xns_set_cap_effective(CAP_SYS_RESOURCE, false);
		xns_child_check(!ret, "dropping CAP_SYS_RESOURCE: %s",
				strerror(-ret));
		child_check_read_only(path, "without CAP_SYS_RESOURCE");
		ret = xns_limit_read(path, &val);
		xns_child_check(!ret && val == INT_MAX,
				"reading %s without CAP_SYS_RESOURCE: %s, %lu",
				path, strerror(-ret), val);
		ret = xns_set_cap_effective(CAP_SYS_RESOURCE, true);
		xns_child_check(!ret, "raising CAP_SYS_RESOURCE: %s",
				strerror(-ret));
	}

	/* 0: not a single namespace. */
	ret = xns_limit_write(XNS_SYSCTL_MAX_NS, 0);
	xns_child_check(!ret, "writing 0: %s", strerror(-ret));
	home = xns_open_ns(0);
	xns_child_check(home >= 0, "open %s: %s", XNS_SELF_LINK,
			strerror(-home));
	ret = xns_create_child(home);
	xns_child_check(ret == -ENOSPC,
			"NS_CREATE_CHILD with max_module_namespaces=0: %s, want ENOSPC",
			ret < 0 ? strerror(-ret) : "a file");
	close(home);
	return 0;
}

TEST_F(xns, max_module_namespaces_sysctl)
{
	unsigned long val = 0, after = 0;
	struct stat st, st_uts;
	int ret;

	/* Beside max_uts_namespaces, and alike. */
	ASSERT_EQ(0, stat(XNS_SYSCTL_MAX_NS, &st)) {
		TH_LOG("%s: %m", XNS_SYSCTL_MAX_NS);
	}
	ASSERT_EQ(0, stat(XNS_SYSCTL_MAX_UTS, &st_uts));
	EXPECT_TRUE(S_ISREG(st.st_mode));
	EXPECT_EQ(st_uts.st_mode, st.st_mode);
	ret = xns_limit_read(XNS_SYSCTL_MAX_NS, &val);
	ASSERT_EQ(0, ret) {
		TH_LOG("reading %s: %s", XNS_SYSCTL_MAX_NS, strerror(-ret));
	}
	EXPECT_GE((unsigned long)INT_MAX, val);

	EXPECT_EQ(0, xns_run_child(sysctl_child, NULL));
	/* What the child wrote was its own user namespace's. */
	ASSERT_EQ(0, xns_limit_read(XNS_SYSCTL_MAX_NS, &after));
	EXPECT_EQ(val, after);
}

TEST_HARNESS_MAIN
