// SPDX-License-Identifier: GPL-2.0
/*
 * setns() on a pidfd with XNS_NS_TYPE: entering another task's xns the way
 * container runtimes enter every other namespace of a container, alone or
 * together with built-in types, all or nothing.
 *
 * A helper child moves into the namespaces a test asks for, reports their
 * inode numbers and waits; the test opens a pidfd on it and calls setns().
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "xns_util.h"
#include "kselftest_harness.h"
#include "xns_harness.h"

/* A CSIGNAL bit that no namespace type uses (xns is 0x40, the sample 0x20). */
#define XNS_UNUSED_NS_BIT	0x10

/* The namespaces a helper child is in, as inode numbers. */
struct ns_inums {
	__u32 xns;
	__u32 uts;
};

static int self_inums(struct ns_inums *ids)
{
	ino_t uts = 0;
	int ret;

	ret = xns_self_inum(&ids->xns);
	if (!ret)
		ret = xns_path_ino("/proc/self/ns/uts", &uts, NULL);
	ids->uts = uts;
	return ret;
}

/* Child: unshare what @arg asks for (XNS_NS_TYPE, CLONE_NEWUTS), report, wait. */
static int child_unshare(struct xns_child *c, void *arg)
{
	int flags = *(int *)arg;
	struct ns_inums ids;
	int ret = 0;

	if (flags & XNS_NS_TYPE)
		ret = xns_unshare();
	if (!ret && (flags & CLONE_NEWUTS) && unshare(CLONE_NEWUTS))
		ret = -errno;
	if (!ret)
		ret = self_inums(&ids);
	if (ret) {
		ids.xns = 0;
		ids.uts = -ret;
	}
	if (xns_send(c->rep, &ids, sizeof(ids)))
		return 1;
	xns_child_hold(c);
	return 0;
}

/* The helper child a test enters the namespaces of. */
struct target {
	struct xns_child child;
	int pidfd;
	struct ns_inums ids;
};

/* Start @t in the namespaces @flags asks for and open its pidfd. */
static void start_target(struct __test_metadata *_metadata, struct target *t,
			 int flags)
{
	ASSERT_EQ(0, xns_child_start(&t->child, child_unshare, &flags));
	ASSERT_EQ(0, xns_child_recv(&t->child, &t->ids, sizeof(t->ids)));
	ASSERT_NE(0U, t->ids.xns) {
		TH_LOG("child could not unshare: %s", strerror(t->ids.uts));
	}
	t->pidfd = xns_pidfd_open(t->child.pid);
	ASSERT_GE(t->pidfd, 0) {
		TH_LOG("pidfd_open: %s", strerror(-t->pidfd));
	}
}

FIXTURE(pidfd) {
	int devfd;
	struct ns_inums before;	/* the test process's, at the start */
	struct target t;
};

FIXTURE_SETUP(pidfd)
{
	self->t.pidfd = -1;
	xns_child_init(&self->t.child);
	self->devfd = xns_setup_dev(_metadata);
	if (self->devfd < 0)
		return;
	ASSERT_EQ(0, self_inums(&self->before));
}

FIXTURE_TEARDOWN(pidfd)
{
	if (self->t.pidfd >= 0)
		close(self->t.pidfd);
	if (self->t.child.pid > 0) {
		kill(self->t.child.pid, SIGKILL);
		waitpid(self->t.child.pid, NULL, 0);
	}
	if (self->devfd >= 0)
		close(self->devfd);
}

TEST_F(pidfd, enters_xns_alone)
{
	struct ns_inums now;

	start_target(_metadata, &self->t, XNS_NS_TYPE);
	ASSERT_NE(self->before.xns, self->t.ids.xns);
	ASSERT_EQ(0, xns_setns(self->t.pidfd, XNS_NS_TYPE));
	ASSERT_EQ(0, self_inums(&now));
	EXPECT_EQ(self->t.ids.xns, now.xns);
	EXPECT_EQ(self->before.uts, now.uts);
}

TEST_F(pidfd, enters_xns_with_uts)
{
	struct ns_inums now;

	start_target(_metadata, &self->t, XNS_NS_TYPE | CLONE_NEWUTS);
	ASSERT_EQ(0, xns_setns(self->t.pidfd, XNS_NS_TYPE | CLONE_NEWUTS));
	ASSERT_EQ(0, self_inums(&now));
	EXPECT_EQ(self->t.ids.xns, now.xns);
	EXPECT_EQ(self->t.ids.uts, now.uts);
}

TEST_F(pidfd, flags_without_xns_keep_xns)
{
	struct ns_inums now;

	start_target(_metadata, &self->t, XNS_NS_TYPE | CLONE_NEWUTS);
	ASSERT_EQ(0, xns_setns(self->t.pidfd, CLONE_NEWUTS));
	ASSERT_EQ(0, self_inums(&now));
	EXPECT_EQ(self->before.xns, now.xns);
	EXPECT_EQ(self->t.ids.uts, now.uts);
}

/* The target in the initial xns (an empty slot): the caller goes back there. */
TEST_F(pidfd, enters_initial_xns)
{
	struct ns_inums now;

	start_target(_metadata, &self->t, CLONE_NEWUTS);
	ASSERT_EQ(self->before.xns, self->t.ids.xns);
	ASSERT_EQ(0, xns_unshare());
	ASSERT_EQ(0, self_inums(&now));
	ASSERT_NE(self->before.xns, now.xns);
	ASSERT_EQ(0, xns_setns(self->t.pidfd, XNS_NS_TYPE));
	ASSERT_EQ(0, self_inums(&now));
	EXPECT_EQ(self->before.xns, now.xns);
}

TEST_F(pidfd, unregistered_bit_einval)
{
	struct ns_inums now;

	start_target(_metadata, &self->t, XNS_NS_TYPE | CLONE_NEWUTS);
	EXPECT_EQ(-EINVAL, xns_setns(self->t.pidfd, XNS_UNUSED_NS_BIT));
	EXPECT_EQ(-EINVAL, xns_setns(self->t.pidfd, XNS_NS_TYPE |
				     CLONE_NEWUTS | XNS_UNUSED_NS_BIT));
	ASSERT_EQ(0, self_inums(&now));
	EXPECT_EQ(self->before.xns, now.xns);
	EXPECT_EQ(self->before.uts, now.uts);
}

/*
 * In a user namespace of its own, a process may enter a UTS namespace
 * that user namespace owns, but not the initial xns (owned by the initial
 * user namespace).  Asking for both must fail with EPERM and change
 * nothing, although the UTS part alone succeeds.  Runs in a child process,
 * which reports what it saw.
 */
struct atomic_report {
	int both;		/* setns(XNS | UTS): 0 or -errno */
	int uts_unchanged;	/* ... left the caller's UTS alone */
	int uts_alone;		/* setns(UTS) afterwards: 0 or -errno */
	int uts_entered;	/* ... entered the target's UTS */
};

static void atomic_in_userns(int rep)
{
	struct atomic_report r = { .both = 1, .uts_alone = 1 };
	struct xns_child target = XNS_CHILD_INIT;
	int flags = CLONE_NEWUTS, pidfd;
	struct ns_inums mine, theirs, now;

	if (xns_enter_userns() || self_inums(&mine) ||
	    xns_child_start(&target, child_unshare, &flags) ||
	    xns_child_recv(&target, &theirs, sizeof(theirs)) || !theirs.xns)
		goto out;
	pidfd = xns_pidfd_open(target.pid);
	if (pidfd < 0)
		goto out;
	r.both = xns_setns(pidfd, XNS_NS_TYPE | CLONE_NEWUTS);
	r.uts_unchanged = !self_inums(&now) && now.uts == mine.uts &&
			  now.xns == mine.xns;
	r.uts_alone = xns_setns(pidfd, CLONE_NEWUTS);
	r.uts_entered = !self_inums(&now) && now.uts == theirs.uts;
out:
	xns_send(rep, &r, sizeof(r));
}

TEST_F(pidfd, all_or_nothing)
{
	struct atomic_report r;
	int sv[2], status;
	pid_t pid;

	ASSERT_EQ(0, pipe(sv));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		close(sv[0]);
		atomic_in_userns(sv[1]);
		_exit(0);
	}
	close(sv[1]);
	ASSERT_EQ(0, xns_recv(sv[0], &r, sizeof(r)));
	close(sv[0]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_NE(1, r.both) {
		TH_LOG("setting up the user namespace and the target failed");
	}
	EXPECT_EQ(-EPERM, r.both);
	EXPECT_TRUE(r.uts_unchanged);
	EXPECT_EQ(0, r.uts_alone);
	EXPECT_TRUE(r.uts_entered);
}

TEST_HARNESS_MAIN
