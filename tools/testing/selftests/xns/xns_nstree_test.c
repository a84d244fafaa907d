// SPDX-License-Identifier: GPL-2.0
/*
 * xns in the kernel's namespace trees (kernel/nstree.c):
 *
 *  - listns(2) lists the initial xns and every xns that has a user (a
 *    task, an open nsfs file, a bind mount), unfiltered, filtered by
 *    XNS_NS_TYPE alone or with other type bits, and by owning user
 *    namespace; a namespace leaves the list with its last user;
 *  - nsfs file handles: name_to_handle_at() on an xns file gives an
 *    FILEID_NSFS handle {ns_id, XNS_NS_TYPE, inum} and open_by_handle_at()
 *    on FD_NSFS_ROOT opens the namespace again, also from an id-only
 *    handle; the fd can be entered with setns().  A namespace that is gone
 *    or a handle of the wrong type gives ESTALE;
 *  - the visibility rules of the built-in types: a caller that is not
 *    privileged in the initial user and pid namespaces lists and opens by
 *    handle only the xns it is in (the others fail as a built-in type's
 *    do: nsfs refuses with EPERM, which userspace sees as ESTALE);
 *  - a namespace kept only by a file opened from a handle, or only by a
 *    bind mount, keeps the module from unloading (EAGAIN); gone, the
 *    module unloads and its namespaces are neither listed nor opened.
 *
 * Runs as root.  The unload fixture needs the module file ($XNS_MODULE,
 * default /lib/modules/xns.ko); it leaves the module loaded.
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
#include <sys/mount.h>
#include <sys/stat.h>
#include <linux/nsfs.h>
#include <linux/xns.h>

#include "xns_util.h"
#include "kselftest_harness.h"
#include "xns_harness.h"

#define INIT_XNS_LINK		"/proc/1/ns/xns"
#define INIT_USER_LINK		"/proc/1/ns/user"

/* A CSIGNAL bit that no namespace type uses (xns is 0x40, the sample 0x20). */
#define UNUSED_NS_BIT		0x10

#define ULL(x)			((unsigned long long)(x))

/* Tries for listings that must agree, 10 ms apart. */
#define RETRIES			50

/* Start a holder @depth xns levels down; the id of its xns in *@id. */
static void start_holder(struct __test_metadata *_metadata,
			 struct xns_child *c, unsigned int depth, __u64 *id)
{
	struct xns_holder_args args = { .depth = depth };
	struct xns_holder_report rep;
	int ret;

	ret = xns_holder_start(c, &args, &rep);
	ASSERT_EQ(0, ret) {
		TH_LOG("child unshare: %s", strerror(-ret));
	}
	ret = xns_pid_ns_id(c->pid, id);
	ASSERT_EQ(0, ret) {
		TH_LOG("NS_GET_ID of the child's xns: %s", strerror(-ret));
	}
}

/* Open @path, take its handle and check it names the xns @id. */
static void handle_of(struct __test_metadata *_metadata, const char *path,
		      __u64 id, struct xns_ns_handle *h)
{
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_GE(fd, 0) {
		TH_LOG("open %s: %m", path);
	}
	xns_check_handle(_metadata, fd, path, XNS_NS_TYPE, id, h);
	close(fd);
}

/* Open @h; the fd must be the xns @id (and inode @ino, if not 0). */
static int open_handle(struct __test_metadata *_metadata,
		       const struct xns_ns_handle *h, __u64 id, ino_t ino)
{
	return xns_check_open_handle(_metadata, h, XNS_NS_TYPE, id, ino);
}

/* After the last user of @id went: not listed, and its handles ESTALE. */
static void expect_gone(struct __test_metadata *_metadata, __u64 id,
			const struct xns_ns_handle *h)
{
	struct xns_ns_handle id_only;
	int ret;

	ret = xns_wait_listed(XNS_NS_TYPE, id, false, XNS_SETTLE_MS);
	EXPECT_EQ(0, ret) {
		TH_LOG("xns %llu is still listed by listns(XNS_NS_TYPE): %s",
		       ULL(id), strerror(-ret));
	}
	ret = xns_wait_listed(0, id, false, XNS_SETTLE_MS);
	EXPECT_EQ(0, ret) {
		TH_LOG("xns %llu is still listed by listns(0): %s", ULL(id),
		       strerror(-ret));
	}
	ret = xns_wait_stale(h, XNS_SETTLE_MS);
	EXPECT_EQ(-ESTALE, ret) {
		TH_LOG("open_by_handle_at(xns %llu) after it went: %s",
		       ULL(id), ret ? strerror(-ret) : "opened");
	}
	xns_ns_handle_id(&id_only, id);
	ret = xns_wait_stale(&id_only, XNS_SETTLE_MS);
	EXPECT_EQ(-ESTALE, ret) {
		TH_LOG("open_by_handle_at(id-only %llu) after it went: %s",
		       ULL(id), ret ? strerror(-ret) : "opened");
	}
}

FIXTURE(nstree)
{
	int devfd;
	int fd;
	struct xns_child kid[3];
	char bind_target[64];
	bool mounted;
	__u64 init_id;		/* of the initial xns, /proc/1/ns/xns */
};

FIXTURE_SETUP(nstree)
{
	int i, ret;

	self->devfd = -1;
	self->fd = -1;
	for (i = 0; i < 3; i++)
		xns_child_init(&self->kid[i]);
	self->bind_target[0] = '\0';
	self->mounted = false;

	ASSERT_EQ(0U, geteuid()) {
		TH_LOG("must be run as root");
	}
	self->devfd = xns_setup_dev(_metadata);
	if (self->devfd < 0)
		return;
	/* Bind mounts made by a test stay private to it. */
	ASSERT_EQ(0, unshare(CLONE_NEWNS));
	ASSERT_EQ(0, mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));
	ret = xns_path_ns_id(INIT_XNS_LINK, &self->init_id);
	ASSERT_EQ(0, ret) {
		TH_LOG("NS_GET_ID on %s: %s", INIT_XNS_LINK, strerror(-ret));
	}
}

FIXTURE_TEARDOWN(nstree)
{
	int i;

	for (i = 0; i < 3; i++)
		xns_child_kill(&self->kid[i]);
	if (self->fd >= 0)
		close(self->fd);
	xns_teardown_bind_target(self->bind_target, self->mounted);
	if (self->devfd >= 0)
		close(self->devfd);
}

TEST_F(nstree, listns_initial)
{
	struct xns_ids xl, all, uts;
	__u64 uts_id = 0, owner = 0, init_user = 0, got = 0;
	int fd, ufd;

	/* A dynamic id, above those of the built-in initial namespaces. */
	EXPECT_GT(self->init_id, XNS_LAST_INIT_NS_ID);
	fd = open(INIT_XNS_LINK, O_RDONLY | O_CLOEXEC);
	ASSERT_GE(fd, 0);
	EXPECT_EQ(XNS_NS_TYPE, ioctl(fd, NS_GET_NSTYPE));
	/* Owned by the initial user namespace. */
	ufd = ioctl(fd, NS_GET_USERNS);
	ASSERT_GE(ufd, 0) {
		TH_LOG("NS_GET_USERNS: %m");
	}
	EXPECT_EQ(0, xns_fd_ns_id(ufd, &owner));
	close(ufd);
	close(fd);
	ASSERT_EQ(0, xns_path_ns_id(INIT_USER_LINK, &init_user));
	EXPECT_EQ(init_user, owner);
	ASSERT_EQ(0, xns_path_ns_id("/proc/self/ns/uts", &uts_id));

	xns_check_list(_metadata, XNS_NS_TYPE, 0, &xl);
	xns_check_list(_metadata, 0, 0, &all);
	xns_check_list(_metadata, CLONE_NEWUTS, 0, &uts);
	EXPECT_TRUE(xns_ids_has(&xl, self->init_id)) {
		TH_LOG("listns(XNS_NS_TYPE) does not list the initial xns %llu",
		       ULL(self->init_id));
	}
	EXPECT_TRUE(xns_ids_has(&all, self->init_id)) {
		TH_LOG("listns(0) does not list the initial xns %llu",
		       ULL(self->init_id));
	}
	/* The UTS filter shows no xns, the xns filter no UTS namespace. */
	EXPECT_TRUE(xns_ids_has(&uts, uts_id));
	EXPECT_FALSE(xns_ids_has(&xl, uts_id));
	EXPECT_TRUE(xns_ids_disjoint(&xl, &uts));

	/* Everything listed as xns is an xns, and in the unfiltered list. */
	xns_check_listed_type(_metadata, &xl, XNS_NS_TYPE, &all);

	/* By owner: the initial user namespace owns the initial xns. */
	xns_check_list(_metadata, XNS_NS_TYPE, init_user, &xl);
	EXPECT_TRUE(xns_ids_has(&xl, self->init_id));
	xns_check_list(_metadata, XNS_NS_TYPE, LISTNS_CURRENT_USER, &xl);
	EXPECT_TRUE(xns_ids_has(&xl, self->init_id));

	/* A bit no type has is still refused. */
	EXPECT_EQ(-EOPNOTSUPP, xns_listns(UNUSED_NS_BIT, 0, 0, all.id, 1));

	/* /proc/self/ns/xns is the same namespace as NS_GET_ID says. */
	ASSERT_EQ(0, xns_pid_ns_id(0, &got));
	EXPECT_TRUE(xns_ids_has(&all, got));
}

TEST_F(nstree, listns_children)
{
	struct xns_ids xl, all;
	__u64 a = 0, b = 0, parent = 0, owner = 0, init_user = 0;
	int fd, pfd, ufd;

	start_holder(_metadata, &self->kid[0], 1, &a);
	start_holder(_metadata, &self->kid[1], 2, &b);
	/* Ids grow with creation. */
	EXPECT_GT(a, self->init_id);
	EXPECT_GT(b, a);
	fd = xns_open_ns(self->kid[1].pid);
	ASSERT_GE(fd, 0);
	pfd = ioctl(fd, NS_GET_PARENT);
	ASSERT_GE(pfd, 0) {
		TH_LOG("NS_GET_PARENT: %m");
	}
	EXPECT_EQ(0, xns_fd_ns_id(pfd, &parent));
	EXPECT_LT(a, parent);
	EXPECT_LT(parent, b);
	close(pfd);
	ufd = ioctl(fd, NS_GET_USERNS);
	ASSERT_GE(ufd, 0);
	EXPECT_EQ(0, xns_fd_ns_id(ufd, &owner));
	close(ufd);
	close(fd);

	xns_check_list(_metadata, XNS_NS_TYPE, 0, &xl);
	xns_check_list(_metadata, 0, 0, &all);
	EXPECT_TRUE(xns_ids_has(&xl, self->init_id));
	EXPECT_TRUE(xns_ids_has(&xl, a)) {
		TH_LOG("listns(XNS_NS_TYPE) does not list the child xns %llu",
		       ULL(a));
	}
	EXPECT_TRUE(xns_ids_has(&xl, b)) {
		TH_LOG("listns(XNS_NS_TYPE) does not list the grandchild xns %llu",
		       ULL(b));
	}
	EXPECT_TRUE(xns_ids_has(&all, a));
	EXPECT_TRUE(xns_ids_has(&all, b));

	/* Made by root in the initial user namespace, owned by it. */
	ASSERT_EQ(0, xns_path_ns_id(INIT_USER_LINK, &init_user));
	EXPECT_EQ(init_user, owner);
	xns_check_list(_metadata, XNS_NS_TYPE, init_user, &xl);
	EXPECT_TRUE(xns_ids_has(&xl, a));
	EXPECT_TRUE(xns_ids_has(&xl, b));

	/* Members gone: off the list. */
	EXPECT_EQ(0, xns_child_stop(&self->kid[0]));
	EXPECT_EQ(0, xns_wait_listed(XNS_NS_TYPE, a, false, XNS_SETTLE_MS));
	xns_check_list(_metadata, XNS_NS_TYPE, 0, &xl);
	EXPECT_TRUE(xns_ids_has(&xl, b));
	EXPECT_EQ(0, xns_child_stop(&self->kid[1]));
	EXPECT_EQ(0, xns_wait_listed(XNS_NS_TYPE, b, false, XNS_SETTLE_MS));
	EXPECT_EQ(0, xns_wait_listed(0, b, false, XNS_SETTLE_MS));
}

TEST_F(nstree, listns_multi_type)
{
	struct xns_ids xl, uts, both, net;
	__u64 a = 0, uts_id = 0;

	start_holder(_metadata, &self->kid[0], 1, &a);
	ASSERT_EQ(0, xns_path_ns_id("/proc/self/ns/uts", &uts_id));

	/* Two bits: the kernel walks the unified list, filtering by bit. */
	xns_check_list_union(_metadata, XNS_NS_TYPE, CLONE_NEWUTS, &xl, &uts,
			     &both);
	EXPECT_TRUE(xns_ids_has(&both, a));
	EXPECT_TRUE(xns_ids_has(&both, self->init_id));
	EXPECT_TRUE(xns_ids_has(&both, uts_id));

	/* And xns with a type that has other namespaces: none of them. */
	xns_check_list_union(_metadata, XNS_NS_TYPE, CLONE_NEWNET, &xl, &net,
			     &both);
	EXPECT_TRUE(xns_ids_has(&both, a));
	EXPECT_FALSE(xns_ids_has(&both, uts_id));
}

/* listns(@ns_type, @user_ns_id) @page ids at a time into @l. */
static void list_paged(struct __test_metadata *_metadata, __u32 ns_type,
		       __u64 user_ns_id, size_t page, struct xns_ids *l)
{
	__u64 last = 0;
	ssize_t ret;

	l->nr = 0;
	for (;;) {
		ASSERT_LE(l->nr + page, (size_t)XNS_IDS_MAX);
		ret = xns_listns(ns_type, user_ns_id, last, l->id + l->nr, page);
		/* Past the last namespace of the tree: ENOENT. */
		if (ret == -ENOENT || ret == 0)
			break;
		ASSERT_GT(ret, 0) {
			TH_LOG("listns(ns_type %#x, after %llu, %zu): %s",
			       ns_type, ULL(last), page, strerror(-ret));
		}
		ASSERT_LE((size_t)ret, page);
		l->nr += ret;
		last = l->id[l->nr - 1];
		if ((size_t)ret < page)
			break;
	}
}

TEST_F(nstree, listns_pagination)
{
	struct xns_ids full, paged;
	__u64 id[3];
	size_t page;
	int i, try;

	for (i = 0; i < 3; i++)
		start_holder(_metadata, &self->kid[i], 1, &id[i]);
	xns_check_list(_metadata, XNS_NS_TYPE, 0, &full);
	ASSERT_GE(full.nr, 4U);
	for (i = 0; i < 3; i++)
		EXPECT_TRUE(xns_ids_has(&full, id[i]));

	for (page = 1; page <= 2; page++) {
		for (try = 0; try < RETRIES; try++) {
			xns_check_list(_metadata, XNS_NS_TYPE, 0, &full);
			list_paged(_metadata, XNS_NS_TYPE, 0, page, &paged);
			if (xns_ids_equal(&full, &paged))
				break;
			xns_msleep(10);
		}
		ASSERT_EQ(full.nr, paged.nr) {
			TH_LOG("%zu at a time: %zu ids, in one call %zu", page,
			       paged.nr, full.nr);
		}
		EXPECT_TRUE(xns_ids_equal(&full, &paged));
	}

	/* By owner: the user namespace's list of what it owns. */
	for (try = 0; try < RETRIES; try++) {
		xns_check_list(_metadata, XNS_NS_TYPE, LISTNS_CURRENT_USER, &full);
		list_paged(_metadata, XNS_NS_TYPE, LISTNS_CURRENT_USER, 1,
			   &paged);
		if (xns_ids_equal(&full, &paged))
			break;
		xns_msleep(10);
	}
	for (i = 0; i < 3; i++)
		EXPECT_TRUE(xns_ids_has(&full, id[i]));
	ASSERT_EQ(full.nr, paged.nr);
	EXPECT_TRUE(xns_ids_equal(&full, &paged));
}

/* What the helper in a user namespace of its own reports. */
struct userns_report {
	__u64 userns_id;
	__u64 outer_id;		/* its first xns: it keeps an fd of it */
	__u64 inner_id;		/* a child of the first: its current xns */
};

struct userns_args {
	int devfd;
	__u64 init_id;
	struct xns_ns_handle init_handle;
};

/*
 * Root in a new user namespace: privileged there, not over the initial
 * user namespace, so it lists and opens only the xns it is in.
 */
static int userns_child(struct xns_child *c, void *arg)
{
	const struct userns_args *args = arg;
	struct userns_report rep = {};
	struct xns_ns_handle h;
	struct xns_ids l;
	int outer_fd, ret;

	ret = xns_enter_userns();
	xns_child_check(!ret, "enter a user namespace: %s", strerror(-ret));
	ret = xns_path_ns_id("/proc/self/ns/user", &rep.userns_id);
	xns_child_check(!ret, "NS_GET_ID of the user ns: %s", strerror(-ret));
	ret = xns_unshare();
	xns_child_check(!ret, "NS_CREATE_CHILD + setns: %s", strerror(-ret));
	outer_fd = xns_open_ns(0);
	xns_child_check(outer_fd >= 0, "open xns: %s", strerror(-outer_fd));
	ret = xns_fd_ns_id(outer_fd, &rep.outer_id);
	xns_child_check(!ret, "NS_GET_ID: %s", strerror(-ret));
	ret = xns_unshare();
	xns_child_check(!ret, "NS_CREATE_CHILD + setns: %s", strerror(-ret));
	ret = xns_pid_ns_id(0, &rep.inner_id);
	xns_child_check(!ret, "NS_GET_ID: %s", strerror(-ret));

	/* Only the current xns, however filtered, even by its owner. */
	xns_child_lists_only(XNS_NS_TYPE, 0, rep.inner_id);
	xns_child_lists_only(XNS_NS_TYPE, LISTNS_CURRENT_USER, rep.inner_id);
	xns_child_lists_only(XNS_NS_TYPE, rep.userns_id, rep.inner_id);
	ret = xns_ids_list(0, 0, &l);
	xns_child_check(!ret, "listns(0): %s", strerror(-ret));
	xns_child_check(xns_ids_has(&l, rep.inner_id),
			"listns(0) does not list the current xns");
	xns_child_check(!xns_ids_has(&l, rep.outer_id),
			"listns(0) lists an xns the caller is not in");
	xns_child_check(!xns_ids_has(&l, args->init_id),
			"listns(0) lists the initial xns");

	/* The same for handles: refused but for the current xns. */
	xns_ns_handle_id(&h, USER_NS_INIT_ID);
	xns_child_may_not_open(&h, "the initial user namespace (built-in control)");
	ret = xns_ns_handle_get(outer_fd, &h);
	xns_child_check(!ret, "name_to_handle_at: %s", strerror(-ret));
	xns_child_may_not_open(&h, "the first xns");
	xns_child_may_not_open(&args->init_handle, "the initial xns");
	xns_ns_handle_id(&h, args->init_id);
	xns_child_may_not_open(&h, "the initial xns by id");
	xns_ns_handle_id(&h, rep.inner_id);
	xns_child_opens(&h, rep.inner_id, "the current xns by id");

	if (xns_send(c->rep, &rep, sizeof(rep)))
		return 1;
	xns_child_hold(c);
	close(outer_fd);
	return 0;
}

TEST_F(nstree, userns_visibility)
{
	struct userns_args args = {
		.devfd = self->devfd, .init_id = self->init_id,
	};
	struct userns_report rep;
	struct xns_ids l;
	__u64 owner = 0, init_user = 0;
	int fd, ufd, ret;

	handle_of(_metadata, INIT_XNS_LINK, self->init_id, &args.init_handle);
	ASSERT_EQ(0, xns_child_start(&self->kid[0], userns_child, &args));
	ret = xns_child_recv(&self->kid[0], &rep, sizeof(rep));
	ASSERT_EQ(0, ret) {
		TH_LOG("the child in a user namespace failed: exit %d",
		       xns_child_reap(&self->kid[0]));
	}
	EXPECT_GT(rep.outer_id, self->init_id);
	EXPECT_GT(rep.inner_id, rep.outer_id);

	/* Owned by the child's user namespace. */
	fd = xns_open_ns(self->kid[0].pid);
	ASSERT_GE(fd, 0);
	ufd = ioctl(fd, NS_GET_USERNS);
	ASSERT_GE(ufd, 0);
	EXPECT_EQ(0, xns_fd_ns_id(ufd, &owner));
	EXPECT_EQ(rep.userns_id, owner);
	close(ufd);
	close(fd);

	/* Privileged: both, by their owner, and not by init_user_ns. */
	xns_check_list(_metadata, XNS_NS_TYPE, rep.userns_id, &l);
	ASSERT_EQ(2U, l.nr);
	EXPECT_EQ(rep.outer_id, l.id[0]);
	EXPECT_EQ(rep.inner_id, l.id[1]);
	xns_check_list(_metadata, 0, rep.userns_id, &l);
	EXPECT_TRUE(xns_ids_has(&l, rep.outer_id));
	EXPECT_TRUE(xns_ids_has(&l, rep.inner_id));
	EXPECT_FALSE(xns_ids_has(&l, self->init_id));
	ASSERT_EQ(0, xns_path_ns_id(INIT_USER_LINK, &init_user));
	xns_check_list(_metadata, XNS_NS_TYPE, init_user, &l);
	EXPECT_TRUE(xns_ids_has(&l, self->init_id));
	EXPECT_FALSE(xns_ids_has(&l, rep.outer_id));
	EXPECT_FALSE(xns_ids_has(&l, rep.inner_id));
	xns_check_list(_metadata, XNS_NS_TYPE, 0, &l);
	EXPECT_TRUE(xns_ids_has(&l, self->init_id));
	EXPECT_TRUE(xns_ids_has(&l, rep.outer_id));
	EXPECT_TRUE(xns_ids_has(&l, rep.inner_id));

	/* With the child go both (its fd, its task). */
	EXPECT_EQ(0, xns_child_stop(&self->kid[0]));
	EXPECT_EQ(0, xns_wait_listed(XNS_NS_TYPE, rep.outer_id, false,
				     XNS_SETTLE_MS));
	EXPECT_EQ(0, xns_wait_listed(XNS_NS_TYPE, rep.inner_id, false,
				     XNS_SETTLE_MS));
}

struct unpriv_args {
	__u64 other_id;
	struct xns_ns_handle other;
};

/* Nobody in the initial user namespace: its own xns only. */
static int unpriv_child(__always_unused struct xns_child *c, void *arg)
{
	const struct unpriv_args *args = arg;
	struct xns_ns_handle h;
	struct xns_ids l;
	__u64 cur = 0;
	int ret;

	ret = xns_drop_privs(XNS_NOBODY, XNS_NOBODY);
	xns_child_check(!ret, "drop privileges: %s", strerror(-ret));
	ret = xns_pid_ns_id(0, &cur);
	xns_child_check(!ret, "NS_GET_ID of the own xns: %s", strerror(-ret));

	xns_child_lists_only(XNS_NS_TYPE, 0, cur);
	xns_child_lists_only(XNS_NS_TYPE, LISTNS_CURRENT_USER, cur);
	ret = xns_ids_list(0, 0, &l);
	xns_child_check(!ret, "listns(0): %s", strerror(-ret));
	xns_child_check(xns_ids_has(&l, cur),
			"listns(0) does not list the current xns");
	xns_child_check(!xns_ids_has(&l, args->other_id),
			"listns(0) lists another task's xns");

	xns_child_may_not_open(&args->other, "another task's xns");
	xns_ns_handle_id(&h, args->other_id);
	xns_child_may_not_open(&h, "another task's xns by id");
	xns_ns_handle_id(&h, cur);
	xns_child_opens(&h, cur, "the own xns by id");
	return 0;
}

TEST_F(nstree, unprivileged_visibility)
{
	struct unpriv_args args;
	char path[64];

	start_holder(_metadata, &self->kid[0], 1, &args.other_id);
	xns_pid_path(self->kid[0].pid, path, sizeof(path));
	handle_of(_metadata, path, args.other_id, &args.other);
	EXPECT_EQ(0, xns_run_child(unpriv_child, &args));
}

TEST_F(nstree, unlisted_after_exit)
{
	struct xns_ns_handle h;
	char path[64];
	__u64 a = 0;

	start_holder(_metadata, &self->kid[0], 1, &a);
	xns_pid_path(self->kid[0].pid, path, sizeof(path));
	handle_of(_metadata, path, a, &h);
	ASSERT_EQ(0, xns_wait_listed(XNS_NS_TYPE, a, true, 0));
	ASSERT_EQ(0, xns_child_stop(&self->kid[0]));
	expect_gone(_metadata, a, &h);
}

TEST_F(nstree, kept_by_fd)
{
	struct xns_ns_handle h, id_only;
	struct stat st;
	char path[64];
	__u64 a = 0;
	int fd;

	start_holder(_metadata, &self->kid[0], 1, &a);
	xns_pid_path(self->kid[0].pid, path, sizeof(path));
	self->fd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_GE(self->fd, 0);
	ASSERT_EQ(0, fstat(self->fd, &st));
	ASSERT_EQ(0, xns_ns_handle_get(self->fd, &h));
	ASSERT_EQ(0, xns_child_stop(&self->kid[0]));

	/* No member left: still listed and opened while the fd is open. */
	xns_msleep(50);
	EXPECT_EQ(0, xns_wait_listed(XNS_NS_TYPE, a, true, 0)) {
		TH_LOG("an xns kept by an fd is not listed");
	}
	EXPECT_EQ(0, xns_wait_listed(0, a, true, 0));
	fd = open_handle(_metadata, &h, a, st.st_ino);
	if (fd >= 0)
		close(fd);
	xns_ns_handle_id(&id_only, a);
	fd = open_handle(_metadata, &id_only, a, st.st_ino);
	if (fd >= 0)
		close(fd);

	close(self->fd);
	self->fd = -1;
	expect_gone(_metadata, a, &h);
}

TEST_F(nstree, kept_by_bind_mount)
{
	struct xns_ns_handle h;
	char path[64];
	__u64 a = 0;
	int fd;

	xns_make_bind_target(_metadata, self->bind_target,
			     sizeof(self->bind_target), "xns-nstree");
	start_holder(_metadata, &self->kid[0], 1, &a);
	xns_pid_path(self->kid[0].pid, path, sizeof(path));
	ASSERT_EQ(0, mount(path, self->bind_target, NULL, MS_BIND, NULL)) {
		TH_LOG("mount --bind %s %s: %m", path, self->bind_target);
	}
	self->mounted = true;
	ASSERT_EQ(0, xns_child_stop(&self->kid[0]));

	/* The mount is its only user. */
	handle_of(_metadata, self->bind_target, a, &h);
	xns_msleep(50);
	EXPECT_EQ(0, xns_wait_listed(XNS_NS_TYPE, a, true, 0)) {
		TH_LOG("an xns kept by a bind mount is not listed");
	}
	fd = open_handle(_metadata, &h, a, h.fid.ns_inum);
	if (fd >= 0)
		close(fd);

	ASSERT_EQ(0, umount2(self->bind_target, 0));
	self->mounted = false;
	expect_gone(_metadata, a, &h);
}

TEST_F(nstree, handle_initial)
{
	struct xns_ns_handle h, again, id_only;
	struct stat st, st2;
	int fd, fd2;

	fd = open(INIT_XNS_LINK, O_RDONLY | O_CLOEXEC);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, fstat(fd, &st));
	close(fd);
	handle_of(_metadata, INIT_XNS_LINK, self->init_id, &h);

	fd = open_handle(_metadata, &h, self->init_id, st.st_ino);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, fstat(fd, &st2));
	/* The same nsfs inode, not a copy. */
	EXPECT_EQ(st.st_dev, st2.st_dev);
	/* And its handle is the same handle. */
	ASSERT_EQ(0, xns_ns_handle_get(fd, &again));
	EXPECT_EQ(0, memcmp(&h, &again, sizeof(h)));
	close(fd);

	xns_ns_handle_id(&id_only, self->init_id);
	fd2 = open_handle(_metadata, &id_only, self->init_id, st.st_ino);
	ASSERT_GE(fd2, 0);
	close(fd2);

	/* nsfs inodes are immutable: no writing, by path or by handle. */
	fd = xns_ns_handle_open(&h, O_RDWR | O_CLOEXEC);
	EXPECT_EQ(-EPERM, fd);
	if (fd >= 0)
		close(fd);
}

/* Probe: enter the xns of two fds opened by handle. */
struct enter_args {
	int child_fd;		/* a child xns, kept by this fd only */
	int init_fd;		/* the initial xns */
	__u64 child_id;
	__u64 init_id;
};

/* In the probe: the caller is in xns @want, with or without the label. */
static void check_in(__u64 want, bool labelled, const char *step)
{
	struct xns_info info;
	char value[16];
	__u64 id = 0;
	int devfd, ret;

	ret = xns_pid_ns_id(0, &id);
	xns_child_check(!ret && id == want, "%s: in xns %llu, want %llu", step,
			ULL(id), ULL(want));
	devfd = xns_open_dev();
	xns_child_check(devfd >= 0, "open %s", XNS_DEV);
	ret = xns_get_info(devfd, &info);
	xns_child_check(!ret && info.ns_id == want,
			"%s: GET_INFO says xns %llu, want %llu", step,
			ULL(info.ns_id), ULL(want));
	ret = xns_label_get(devfd, "nstree", value, sizeof(value));
	close(devfd);
	if (labelled)
		xns_child_check(!ret && !strcmp(value, "child"),
				"%s: LABEL_GET: %s", step,
				ret ? strerror(-ret) : value);
	else
		xns_child_check(ret == -ENOENT, "%s: LABEL_GET: %s", step,
				ret ? strerror(-ret) : value);
}

static int enter_child(__always_unused struct xns_child *c, void *arg)
{
	const struct enter_args *args = arg;
	int ret;

	ret = xns_setns(args->child_fd, 0);
	xns_child_check(!ret, "setns(child, 0): %s", strerror(-ret));
	check_in(args->child_id, true, "setns(child, 0)");
	ret = xns_setns(args->init_fd, XNS_NS_TYPE);
	xns_child_check(!ret, "setns(initial, XNS_NS_TYPE): %s",
			strerror(-ret));
	check_in(args->init_id, false, "setns(initial, XNS_NS_TYPE)");
	ret = xns_setns(args->child_fd, XNS_NS_TYPE);
	xns_child_check(!ret, "setns(child, XNS_NS_TYPE): %s", strerror(-ret));
	check_in(args->child_id, true, "setns(child, XNS_NS_TYPE)");
	return 0;
}

TEST_F(nstree, handle_setns)
{
	struct xns_holder_args args = {
		.depth = 1, .key = "nstree", .value = "child",
	};
	struct xns_holder_report rep;
	struct enter_args eargs = { .init_id = self->init_id };
	struct xns_ns_handle h, id_only;
	char value[16];
	int fd, ret;

	ret = xns_holder_start(&self->kid[0], &args, &rep);
	ASSERT_EQ(0, ret) {
		TH_LOG("child unshare: %s", strerror(-ret));
	}
	fd = xns_open_ns(self->kid[0].pid);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, xns_fd_ns_id(fd, &eargs.child_id));
	ASSERT_EQ(0, xns_ns_handle_get(fd, &h));

	/* Reopened by handle, the new fd alone keeps the namespace. */
	self->fd = open_handle(_metadata, &h, eargs.child_id, rep.inum);
	ASSERT_GE(self->fd, 0);
	close(fd);
	ASSERT_EQ(0, xns_child_stop(&self->kid[0]));
	xns_ns_handle_id(&id_only, self->init_id);
	fd = open_handle(_metadata, &id_only, self->init_id, 0);
	ASSERT_GE(fd, 0);

	eargs.child_fd = self->fd;
	eargs.init_fd = fd;
	EXPECT_EQ(0, xns_run_child(enter_child, &eargs));
	close(fd);

	/* The label proves it was the child's namespace; ours has none. */
	EXPECT_EQ(-ENOENT, xns_label_get(self->devfd, "nstree", value,
					 sizeof(value)));
}

TEST_F(nstree, handle_wrong_type)
{
	struct xns_ns_handle h, bad;
	char path[64];
	__u64 a = 0;
	int fd, ret;

	start_holder(_metadata, &self->kid[0], 1, &a);
	xns_pid_path(self->kid[0].pid, path, sizeof(path));
	handle_of(_metadata, path, a, &h);

	/* An xns id with the UTS type. */
	bad = h;
	bad.fid.ns_type = CLONE_NEWUTS;
	EXPECT_EQ(-ESTALE, xns_ns_handle_open(&bad, O_RDONLY | O_CLOEXEC));
	/* An xns id with the wrong inode number. */
	bad = h;
	bad.fid.ns_inum++;
	EXPECT_EQ(-ESTALE, xns_ns_handle_open(&bad, O_RDONLY | O_CLOEXEC));
	/* A type without an inode number. */
	bad = h;
	bad.fid.ns_inum = 0;
	EXPECT_EQ(-ESTALE, xns_ns_handle_open(&bad, O_RDONLY | O_CLOEXEC));
	/* An id nothing has. */
	xns_ns_handle_id(&bad, ~0ULL - 1);
	EXPECT_EQ(-ESTALE, xns_ns_handle_open(&bad, O_RDONLY | O_CLOEXEC));

	/* A UTS handle with the xns type. */
	fd = open("/proc/self/ns/uts", O_RDONLY | O_CLOEXEC);
	ASSERT_GE(fd, 0);
	ret = xns_ns_handle_get(fd, &bad);
	close(fd);
	ASSERT_EQ(0, ret);
	ASSERT_EQ((__u32)CLONE_NEWUTS, bad.fid.ns_type);
	bad.fid.ns_type = XNS_NS_TYPE;
	EXPECT_EQ(-ESTALE, xns_ns_handle_open(&bad, O_RDONLY | O_CLOEXEC));

	/* The good one still opens. */
	fd = open_handle(_metadata, &h, a, h.fid.ns_inum);
	ASSERT_GE(fd, 0);
	close(fd);
}

/*
 * Unloading: a namespace kept by a file opened from a handle, or by a bind
 * mount, keeps the module; once gone, so are its namespaces' ids.
 */
FIXTURE(unload)
{
	struct xns_child kid;
	int fd;
	char bind_target[64];
	bool mounted;
};

FIXTURE_SETUP(unload)
{
	xns_child_init(&self->kid);
	self->fd = -1;
	self->bind_target[0] = '\0';
	self->mounted = false;

	ASSERT_EQ(0U, geteuid()) {
		TH_LOG("must be run as root");
	}
	if (xns_setup_reload(_metadata))
		return;
	ASSERT_EQ(0, unshare(CLONE_NEWNS));
	ASSERT_EQ(0, mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));
}

FIXTURE_TEARDOWN(unload)
{
	xns_child_kill(&self->kid);
	if (self->fd >= 0)
		close(self->fd);
	xns_teardown_bind_target(self->bind_target, self->mounted);
	/* Leave the module loaded for whatever runs next. */
	if (xns_load())
		TH_LOG("could not load xns again");
}

/* The module must refuse to unload while @id is kept, and keep it listed. */
static void expect_busy(struct __test_metadata *_metadata, __u64 id,
			const char *what)
{
	xns_check_busy(_metadata, what);
	EXPECT_EQ(0, xns_wait_listed(XNS_NS_TYPE, id, true, 0)) {
		TH_LOG("xns %llu is not listed while %s", ULL(id), what);
	}
}

/* Nothing left: the module unloads, and its ids are gone with it. */
static void expect_unloads(struct __test_metadata *_metadata,
			   const __u64 *ids, const struct xns_ns_handle *h,
			   int n, const char *what)
{
	struct xns_ns_handle id_only;
	struct xns_ids all;
	int i, ret;

	ret = xns_unload_wait(XNS_SETTLE_MS);
	ASSERT_EQ(0, ret) {
		TH_LOG("delete_module after %s: %s", what, strerror(-ret));
	}
	ASSERT_FALSE(xns_module_loaded());
	xns_check_list(_metadata, 0, 0, &all);
	for (i = 0; i < n; i++) {
		EXPECT_FALSE(xns_ids_has(&all, ids[i])) {
			TH_LOG("xns %llu is listed after unloading",
			       ULL(ids[i]));
		}
		EXPECT_EQ(-ESTALE, xns_ns_handle_open(&h[i], O_RDONLY | O_CLOEXEC));
		xns_ns_handle_id(&id_only, ids[i]);
		EXPECT_EQ(-ESTALE, xns_ns_handle_open(&id_only, O_RDONLY | O_CLOEXEC));
	}
	/* No type has the bit any more. */
	EXPECT_EQ(-EOPNOTSUPP, xns_listns(XNS_NS_TYPE, 0, 0, NULL, 0));
}

static void reload(struct __test_metadata *_metadata, __u64 old_init_id)
{
	__u64 init_id = 0;
	int ret;

	ret = xns_finit_module();
	ASSERT_EQ(0, ret) {
		TH_LOG("loading %s again: %s", xns_module_path(),
		       strerror(-ret));
	}
	ASSERT_EQ(0, xns_path_ns_id(INIT_XNS_LINK, &init_id));
	EXPECT_GT(init_id, old_init_id);
	EXPECT_EQ(0, xns_wait_listed(XNS_NS_TYPE, init_id, true, 0)) {
		TH_LOG("the new initial xns %llu is not listed", ULL(init_id));
	}
}

/*
 * The initial xns, and a child of it that @kid holds: their ids in @ids
 * and handles in @h, the child's /proc/<pid>/ns/xns in @path.
 */
static void init_and_child(struct __test_metadata *_metadata,
			   struct xns_child *kid, __u64 *ids,
			   struct xns_ns_handle *h, char *path, size_t size)
{
	ASSERT_EQ(0, xns_path_ns_id(INIT_XNS_LINK, &ids[0]));
	handle_of(_metadata, INIT_XNS_LINK, ids[0], &h[0]);
	start_holder(_metadata, kid, 1, &ids[1]);
	xns_pid_path(kid->pid, path, size);
	handle_of(_metadata, path, ids[1], &h[1]);
}

TEST_F(unload, handle_fd_pins_module)
{
	struct xns_ns_handle h[2];
	__u64 ids[2] = {};
	char path[64];
	int fd;

	init_and_child(_metadata, &self->kid, ids, h, path, sizeof(path));

	/* A child xns, kept only by a file opened from its handle. */
	self->fd = xns_ns_handle_open(&h[1], O_RDONLY | O_CLOEXEC);
	ASSERT_GE(self->fd, 0) {
		TH_LOG("open_by_handle_at: %s", strerror(-self->fd));
	}
	ASSERT_EQ(0, xns_child_stop(&self->kid));
	expect_busy(_metadata, ids[1], "an xns opened by handle is open");
	close(self->fd);
	self->fd = -1;

	/* The initial xns, opened by handle. */
	fd = xns_ns_handle_open(&h[0], O_RDONLY | O_CLOEXEC);
	ASSERT_GE(fd, 0);
	expect_busy(_metadata, ids[0], "the initial xns opened by handle is open");
	close(fd);

	expect_unloads(_metadata, ids, h, 2, "closing the files");
	reload(_metadata, ids[0]);
}

TEST_F(unload, bind_mount_pins_module)
{
	struct xns_ns_handle h[2];
	__u64 ids[2] = {};
	char path[64];
	int fd;

	xns_make_bind_target(_metadata, self->bind_target,
			     sizeof(self->bind_target), "xns-nstree");
	init_and_child(_metadata, &self->kid, ids, h, path, sizeof(path));
	ASSERT_EQ(0, mount(path, self->bind_target, NULL, MS_BIND, NULL)) {
		TH_LOG("mount --bind %s %s: %m", path, self->bind_target);
	}
	self->mounted = true;
	ASSERT_EQ(0, xns_child_stop(&self->kid));

	/* Listed only because of the mount. */
	expect_busy(_metadata, ids[1], "an xns is bind-mounted");
	fd = open_handle(_metadata, &h[1], ids[1], h[1].fid.ns_inum);
	ASSERT_GE(fd, 0);
	close(fd);

	ASSERT_EQ(0, umount2(self->bind_target, 0));
	self->mounted = false;
	EXPECT_EQ(0, xns_wait_listed(XNS_NS_TYPE, ids[1], false, XNS_SETTLE_MS));
	expect_unloads(_metadata, ids, h, 2, "the umount");
	reload(_metadata, ids[0]);
}

TEST_HARNESS_MAIN
