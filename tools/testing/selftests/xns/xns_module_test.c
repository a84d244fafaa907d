// SPDX-License-Identifier: GPL-2.0
/*
 * xns module lifetime: the module cannot be unloaded while any of its
 * namespaces other than the initial one exists, or any xns nsfs file
 * (also one that NS_CREATE_CHILD returned) is open or bind-mounted
 * (delete_module() fails with EAGAIN, i.e. EWOULDBLOCK); once all are
 * gone it unloads, /proc/<pid>/ns/xns disappears, and loading it again
 * starts from a fresh state.  The core refuses malformed registrations
 * (test_modules/test_ns_ext_register.ko tries them) with EINVAL or EEXIST.
 *
 * These tests unload and reload the module, so they need its file
 * ($XNS_MODULE, default /lib/modules/xns.ko).  They leave it loaded.
 */
#define _GNU_SOURCE
#include <dirent.h>
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

/* The per-user limit that max_module_namespaces replaced. */
#define OLD_PARAM	XNS_SYSFS_DIR "/parameters/max_namespaces"

FIXTURE(module)
{
	struct xns_child kid;
	char bind_target[64];
	bool mounted;
	bool label_set;
};

FIXTURE_SETUP(module)
{
	xns_child_init(&self->kid);
	self->bind_target[0] = '\0';
	self->mounted = false;
	self->label_set = false;

	if (geteuid() != 0)
		SKIP(return, "must be run as root");
	if (xns_setup_reload(_metadata))
		return;
	/* Bind mounts made by a test stay private to it. */
	ASSERT_EQ(0, unshare(CLONE_NEWNS));
	ASSERT_EQ(0, mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));
}

FIXTURE_TEARDOWN(module)
{
	int devfd;

	xns_child_kill(&self->kid);
	xns_teardown_bind_target(self->bind_target, self->mounted);
	if (self->label_set) {
		devfd = xns_open_dev();
		if (devfd >= 0) {
			xns_label_del(devfd, "survivor");
			close(devfd);
		}
	}
	/* Leave the module loaded for whatever runs next. */
	if (xns_load())
		TH_LOG("could not load xns again");
}

/* The module must refuse to unload, and stay usable. */
static void expect_busy(struct __test_metadata *_metadata, const char *what)
{
	struct xns_info info;
	int devfd;

	xns_check_busy(_metadata, what);
	devfd = xns_open_dev();
	ASSERT_GE(devfd, 0);
	EXPECT_EQ(0, xns_get_info(devfd, &info));
	close(devfd);
}

/* With nothing left, the module must unload (allowing for RCU etc.). */
static void expect_unloads(struct __test_metadata *_metadata,
			   const char *what)
{
	__u32 inum;
	int ret;

	ret = xns_unload_wait(XNS_SETTLE_MS);
	ASSERT_EQ(0, ret) {
		TH_LOG("delete_module after %s: %s", what, strerror(-ret));
	}
	EXPECT_FALSE(xns_module_loaded());
	ret = xns_open_dev();
	EXPECT_EQ(-ENOENT, ret) {
		TH_LOG("%s after unloading: %s", XNS_DEV,
		       ret < 0 ? strerror(-ret) : "opened");
	}
	if (ret >= 0)
		close(ret);
	ret = xns_self_inum(&inum);
	EXPECT_EQ(-ENOENT, ret) {
		TH_LOG("%s after unloading: %s", XNS_SELF_LINK,
		       ret ? strerror(-ret) : "still there");
	}
}

static void reload(struct __test_metadata *_metadata)
{
	int ret = xns_finit_module();

	ASSERT_EQ(0, ret) {
		TH_LOG("loading %s again: %s", xns_module_path(),
		       strerror(-ret));
	}
}

TEST_F(module, load)
{
	struct xns_info info;
	__u32 inum = 0;
	int devfd, ret;

	/* Start from an unloaded module, so that the load is real. */
	ret = xns_unload_wait(XNS_SETTLE_MS);
	ASSERT_EQ(0, ret) {
		TH_LOG("xns is loaded and busy: %s", strerror(-ret));
	}
	ASSERT_FALSE(xns_module_loaded());

	ret = xns_finit_module();
	ASSERT_EQ(0, ret) {
		TH_LOG("finit_module(%s): %s", xns_module_path(),
		       strerror(-ret));
	}
	EXPECT_TRUE(xns_module_loaded());
	devfd = xns_open_dev();
	ASSERT_GE(devfd, 0) {
		TH_LOG("open %s after loading: %s", XNS_DEV, strerror(-devfd));
	}
	ret = xns_self_inum(&inum);
	ASSERT_EQ(0, ret) {
		TH_LOG("readlink %s after loading: %s", XNS_SELF_LINK,
		       strerror(-ret));
	}
	ASSERT_EQ(0, xns_get_info(devfd, &info));
	EXPECT_EQ(inum, info.inum);
	EXPECT_EQ(0U, info.depth);
	EXPECT_EQ(0U, info.nr_labels);
	EXPECT_EQ(1U, info.nr_live);
	close(devfd);
	/* The limit is max_module_namespaces now, not a parameter of xns. */
	EXPECT_EQ(-ENOENT, xns_path_ino(OLD_PARAM, NULL, NULL));

	/* A second load is refused. */
	ret = xns_finit_module();
	EXPECT_EQ(-EEXIST, ret) {
		TH_LOG("loading xns twice: %s, want EEXIST",
		       ret ? strerror(-ret) : "success");
	}
}

TEST_F(module, busy_while_namespace_alive)
{
	struct xns_holder_args one = { .depth = 1 }, two = { .depth = 2 };
	struct xns_holder_report rep;
	int ret;

	ret = xns_holder_start(&self->kid, &one, &rep);
	ASSERT_EQ(0, ret) {
		TH_LOG("child unshare: %s", strerror(-ret));
	}
	expect_busy(_metadata, "a process is in a non-initial xns");
	ASSERT_EQ(0, xns_child_stop(&self->kid));
	expect_unloads(_metadata, "its last member exited");
	reload(_metadata);

	/* A namespace kept only as the parent of another one counts too. */
	ASSERT_EQ(0, xns_holder_start(&self->kid, &two, &rep));
	expect_busy(_metadata, "a process is two levels down");
	ASSERT_EQ(0, xns_child_stop(&self->kid));
	expect_unloads(_metadata, "the nested namespaces went");
	reload(_metadata);
}

TEST_F(module, busy_while_nsfs_open)
{
	struct xns_holder_args one = { .depth = 1 };
	struct xns_holder_report rep;
	int fd, pfd;

	/* A file of the initial namespace. */
	fd = xns_open_ns(0);
	ASSERT_GE(fd, 0);
	expect_busy(_metadata, "the initial xns is open");
	close(fd);
	expect_unloads(_metadata, "closing the initial xns");
	reload(_metadata);

	/* A file of a namespace whose members have all exited. */
	ASSERT_EQ(0, xns_holder_start(&self->kid, &one, &rep));
	fd = xns_open_ns(self->kid.pid);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, xns_child_stop(&self->kid));
	expect_busy(_metadata, "an xns without members is open");

	/* A file made by NS_GET_PARENT, alone. */
	pfd = ioctl(fd, NS_GET_PARENT);
	ASSERT_GE(pfd, 0) {
		TH_LOG("NS_GET_PARENT: %m");
	}
	close(fd);
	expect_busy(_metadata, "an NS_GET_PARENT file is open");
	close(pfd);
	expect_unloads(_metadata, "closing all xns files");
	reload(_metadata);
}

TEST_F(module, busy_while_created_child_open)
{
	struct xns_holder_args one = { .depth = 1 };
	struct xns_holder_report rep;
	int fd, child;

	/* A child of the initial namespace, held by its file alone. */
	fd = xns_open_ns(0);
	ASSERT_GE(fd, 0);
	child = xns_create_child(fd);
	ASSERT_LE(0, child) {
		TH_LOG("NS_CREATE_CHILD: %s", strerror(-child));
	}
	close(fd);
	expect_busy(_metadata, "an NS_CREATE_CHILD file is open");
	close(child);
	expect_unloads(_metadata, "closing the NS_CREATE_CHILD file");
	reload(_metadata);

	/* A child of a namespace whose members have all exited since. */
	ASSERT_EQ(0, xns_holder_start(&self->kid, &one, &rep));
	fd = xns_open_ns(self->kid.pid);
	ASSERT_GE(fd, 0);
	child = xns_create_child(fd);
	ASSERT_LE(0, child) {
		TH_LOG("NS_CREATE_CHILD: %s", strerror(-child));
	}
	close(fd);
	ASSERT_EQ(0, xns_child_stop(&self->kid));
	expect_busy(_metadata, "a grandchild's NS_CREATE_CHILD file is open");
	close(child);
	expect_unloads(_metadata, "closing the grandchild's file");
	reload(_metadata);
}

TEST_F(module, busy_while_bind_mounted)
{
	struct xns_holder_args one = { .depth = 1 };
	struct xns_holder_report rep;
	char src[64];

	xns_make_bind_target(_metadata, self->bind_target,
			     sizeof(self->bind_target), "xns-bind");

	/* The initial namespace, bind-mounted and not open. */
	ASSERT_EQ(0, mount(XNS_SELF_LINK, self->bind_target, NULL, MS_BIND,
			   NULL)) {
		TH_LOG("mount --bind %s %s: %m", XNS_SELF_LINK,
		       self->bind_target);
	}
	self->mounted = true;
	expect_busy(_metadata, "the initial xns is bind-mounted");
	ASSERT_EQ(0, umount2(self->bind_target, 0));
	self->mounted = false;
	expect_unloads(_metadata, "the umount");
	reload(_metadata);

	/* A namespace without members, bind-mounted. */
	ASSERT_EQ(0, xns_holder_start(&self->kid, &one, &rep));
	xns_pid_path(self->kid.pid, src, sizeof(src));
	ASSERT_EQ(0, mount(src, self->bind_target, NULL, MS_BIND, NULL)) {
		TH_LOG("mount --bind %s %s: %m", src, self->bind_target);
	}
	self->mounted = true;
	ASSERT_EQ(0, xns_child_stop(&self->kid));
	expect_busy(_metadata, "an xns without members is bind-mounted");
	ASSERT_EQ(0, umount2(self->bind_target, 0));
	self->mounted = false;
	expect_unloads(_metadata, "the umount");
	reload(_metadata);
}

TEST_F(module, busy_while_dev_open)
{
	int devfd;

	devfd = xns_open_dev();
	ASSERT_GE(devfd, 0);
	expect_busy(_metadata, XNS_DEV " is open");
	close(devfd);
	expect_unloads(_metadata, "closing " XNS_DEV);
	reload(_metadata);
}

static int gone_child(__always_unused struct xns_child *c,
		      __always_unused void *arg)
{
	char link[64];
	int ret;

	ret = xns_readlink(XNS_SELF_LINK, link, sizeof(link));
	xns_child_check(ret == -ENOENT,
			"fresh process: readlink %s: %s, want ENOENT",
			XNS_SELF_LINK, ret ? strerror(-ret) : link);
	xns_child_check(access(XNS_SELF_LINK, F_OK) && errno == ENOENT,
			"fresh process: %s exists", XNS_SELF_LINK);
	return 0;
}

TEST_F(module, unload_removes_proc_entry)
{
	struct stat st;
	char link[64];
	int ret, fd;

	/* Look the entry up first, so that its dentry is cached. */
	ASSERT_EQ(0, xns_readlink(XNS_SELF_LINK, link, sizeof(link)));
	ASSERT_TRUE(xns_ns_dir_lists("xns"));
	expect_unloads(_metadata, "nothing was pinned");

	ret = xns_readlink(XNS_SELF_LINK, link, sizeof(link));
	EXPECT_EQ(-ENOENT, ret) {
		TH_LOG("readlink %s after unloading: %s", XNS_SELF_LINK,
		       ret ? strerror(-ret) : link);
	}
	EXPECT_EQ(-1, stat(XNS_SELF_LINK, &st));
	EXPECT_EQ(ENOENT, errno);
	fd = open(XNS_SELF_LINK, O_RDONLY | O_CLOEXEC);
	EXPECT_EQ(-1, fd) {
		close(fd);
	}
	EXPECT_EQ(ENOENT, errno);
	EXPECT_FALSE(xns_ns_dir_lists("xns")) {
		TH_LOG("/proc/self/ns lists xns after unloading");
	}
	ret = xns_run_child(gone_child, NULL);
	EXPECT_EQ(0, ret);
	reload(_metadata);
}

struct fresh_report {
	__s32 err;
	__u32 link_inum;
	struct xns_info info;
	__u32 nr_keys;
	__s32 get_survivor;
};

static int fresh_child(struct xns_child *c, __always_unused void *arg)
{
	struct fresh_report rep = {};
	int devfd;

	rep.err = xns_self_inum(&rep.link_inum);
	devfd = xns_open_dev();
	if (!rep.err)
		rep.err = devfd < 0 ? devfd : xns_get_info(devfd, &rep.info);
	if (!rep.err)
		rep.err = xns_label_count(devfd, &rep.nr_keys);
	if (!rep.err)
		rep.get_survivor = xns_label_get(devfd, "survivor", NULL, 0);
	if (devfd >= 0)
		close(devfd);
	return xns_send(c->rep, &rep, sizeof(rep)) ? 1 : 0;
}

static void get_fresh_report(struct __test_metadata *_metadata,
			     struct xns_child *kid, struct fresh_report *rep)
{
	ASSERT_EQ(0, xns_child_start(kid, fresh_child, NULL));
	ASSERT_EQ(0, xns_child_recv(kid, rep, sizeof(*rep)));
	EXPECT_EQ(0, xns_child_reap(kid));
	ASSERT_EQ(0, rep->err) {
		TH_LOG("fresh process: %s", strerror(-rep->err));
	}
}

TEST_F(module, reload_starts_fresh)
{
	struct xns_holder_args one = {
		.depth = 1, .key = "child", .value = "c",
	};
	struct xns_holder_report rep;
	struct fresh_report before, after;
	int devfd, ret;

	/* Leave traces: a label in the initial namespace, a dead child ns. */
	devfd = xns_open_dev();
	ASSERT_GE(devfd, 0);
	ret = xns_label_set(devfd, "survivor", "1");
	ASSERT_EQ(0, ret) {
		TH_LOG("LABEL_SET in the initial xns: %s", strerror(-ret));
	}
	self->label_set = true;
	close(devfd);
	ASSERT_EQ(0, xns_holder_start(&self->kid, &one, &rep));
	ASSERT_EQ(0, xns_child_stop(&self->kid));
	get_fresh_report(_metadata, &self->kid, &before);
	ASSERT_EQ(0, before.get_survivor);

	expect_unloads(_metadata, "leaving a label");
	self->label_set = false;
	reload(_metadata);

	get_fresh_report(_metadata, &self->kid, &after);
	EXPECT_EQ(after.info.inum, after.link_inum);
	EXPECT_EQ(0U, after.info.depth);
	EXPECT_EQ(1U, after.info.nr_live);
	EXPECT_EQ(0U, after.info.nr_labels);
	EXPECT_EQ(0U, after.nr_keys);
	EXPECT_EQ(-ENOENT, after.get_survivor) {
		TH_LOG("a label survived unloading the module");
	}
	EXPECT_NE(before.info.ns_id, after.info.ns_id) {
		TH_LOG("the new initial xns reuses namespace id %llu",
		       (unsigned long long)after.info.ns_id);
	}
	/* proc_inum_ida may hand out the same number again; only report. */
	if (before.info.inum == after.info.inum)
		TH_LOG("note: the new initial xns got inode number %u again",
		       after.info.inum);

	/* And it works. */
	ASSERT_EQ(0, xns_holder_start(&self->kid, &one, &rep));
	EXPECT_NE(after.info.inum, rep.inum);
	EXPECT_EQ(0, xns_child_stop(&self->kid));
}

/*
 * An open /proc/self/ns/xns entry is tied to the registration it was made
 * for: after a reload, which may put the new module's operations at the
 * old address, the old entry must not resolve to the new registration.
 */
TEST_F(module, stale_proc_entry_after_reload)
{
	char link[64];
	ssize_t len;
	int fd;

	fd = open(XNS_SELF_LINK, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	ASSERT_LE(0, fd) TH_LOG("open %s: %s", XNS_SELF_LINK, strerror(errno));
	ASSERT_LT(0, readlinkat(fd, "", link, sizeof(link)));
	/* The O_PATH fd of the link pins neither a namespace nor the module. */
	expect_unloads(_metadata, "an O_PATH fd of the /proc entry was open");
	reload(_metadata);

	len = readlinkat(fd, "", link, sizeof(link));
	EXPECT_EQ(-1, len) {
		TH_LOG("the entry of the old registration reads %.*s",
		       (int)(len > 0 ? len : 0), link);
	}
	EXPECT_EQ(ENOENT, errno);
	close(fd);
	/* A fresh lookup finds the new registration. */
	EXPECT_LT(0, readlink(XNS_SELF_LINK, link, sizeof(link)));
}

TEST_F(module, proc_entry_works_after_reload)
{
	struct xns_info info;
	__u32 inum = 0;
	char link[64];
	int devfd, ret;

	/* Cache the /proc/self/ns/xns dentry of this process. */
	ASSERT_EQ(0, xns_readlink(XNS_SELF_LINK, link, sizeof(link)));
	expect_unloads(_metadata, "nothing was pinned");
	reload(_metadata);

	devfd = xns_open_dev();
	ASSERT_GE(devfd, 0);
	ASSERT_EQ(0, xns_get_info(devfd, &info));
	close(devfd);
	ret = xns_self_inum(&inum);
	EXPECT_EQ(0, ret) {
		TH_LOG("readlink %s in a process that used it before the reload: %s",
		       XNS_SELF_LINK, strerror(-ret));
		TH_LOG("(a cached /proc entry still pointing at the old module?)");
	}
	EXPECT_EQ(info.inum, inum);
}

/*
 * test_modules/test_ns_ext_register.ko registers one namespace type, made
 * malformed as its reg_case parameter says, and leaves what
 * ns_ext_type_register() returned in its "result" parameter.
 */
#define REG_TEST_MODULE	"/lib/modules/test_ns_ext_register.ko"
#define REG_TEST_NAME	"test_ns_ext_register"
#define REG_TEST_RESULT	"/sys/module/" REG_TEST_NAME "/parameters/result"

/* What registering @reg_case returned; the test module is unloaded again. */
static int try_reg_case(struct __test_metadata *_metadata,
			const char *reg_case)
{
	char params[64], buf[16];
	int fd, ret;

	snprintf(params, sizeof(params), "reg_case=%s", reg_case);
	fd = open(REG_TEST_MODULE, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd) TH_LOG("%s: %s", REG_TEST_MODULE, strerror(errno));
	ret = syscall(SYS_finit_module, fd, params, 0);
	close(fd);
	ASSERT_EQ(0, ret) TH_LOG("finit_module(%s): %s", params,
				 strerror(errno));
	ASSERT_EQ(0, xns_read_file(REG_TEST_RESULT, buf, sizeof(buf)));
	ASSERT_EQ(0, syscall(SYS_delete_module, REG_TEST_NAME, O_NONBLOCK));
	return atoi(buf);
}

TEST_F(module, registration_refusals)
{
	static const struct {
		const char *reg_case;
		int err;
	} cases[] = {
		{ "no-owner", EINVAL },
		{ "empty-name", EINVAL },
		{ "slash-name", EINVAL },
		{ "dot-name", EINVAL },
		{ "dotdot-name", EINVAL },
		{ "long-name", EINVAL },
		{ "builtin-name", EEXIST },
		{ "builtin-name-children", EEXIST },
		{ "xns-name", EEXIST },
		{ "zero-type", EINVAL },
		{ "two-bits", EINVAL },
		{ "clone-bit", EINVAL },
		{ "xns-type", EEXIST },
		{ "own-put", EINVAL },
		{ "no-release", EINVAL },
	};
	const char *got;
	unsigned int i;
	int ret;

	/* xns is registered: its name and ns_type are taken. */
	ASSERT_EQ(0, xns_load());
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		ret = try_reg_case(_metadata, cases[i].reg_case);
		got = "registered";
		if (ret)
			got = strerror(-ret);
		EXPECT_EQ(-cases[i].err, ret)
			TH_LOG("reg_case=%s: %s, want %s", cases[i].reg_case,
			       got, strerror(cases[i].err));
		/* Nothing of a refused type is left behind. */
		EXPECT_NE(0, access("/proc/self/ns/ns_ext_test", F_OK));
	}
	/* Well formed, the same type registers (and unregisters). */
	ret = try_reg_case(_metadata, "ok");
	ASSERT_EQ(0, ret) TH_LOG("reg_case=ok: %s", strerror(-ret));
	EXPECT_EQ(0, access(XNS_SELF_LINK, F_OK));
}

/*
 * A type unregistered while one of its namespaces is referenced keeps its
 * slot, ns_type and module pin until that namespace is freed, and may then
 * register again (the steps are in test_ns_ext_register.c).
 */
TEST_F(module, early_unregister_keeps_slot)
{
	static const char *const steps[] = {
		"ok", "allocation", "register", "ns_ext_ns_init",
		"module not pinned by the namespace",
		"initial namespace not released at unregister",
		"allocation", "registered again over a live namespace",
		"last release or module unpin missing",
		"not registered again once all namespaces were freed",
		"initial namespace not released at the second unregister",
	};
	char buf[16];
	int fd, ret;

	fd = open(REG_TEST_MODULE, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd) TH_LOG("%s: %s", REG_TEST_MODULE, strerror(errno));
	ASSERT_EQ(0, syscall(SYS_finit_module, fd, "", 0))
		TH_LOG("finit_module: %s", strerror(errno));
	close(fd);
	fd = open("/sys/module/" REG_TEST_NAME "/parameters/early_unregister",
		  O_WRONLY | O_CLOEXEC);
	ASSERT_LE(0, fd) TH_LOG("early_unregister: %s", strerror(errno));
	ASSERT_EQ(1, write(fd, "1", 1));
	close(fd);
	ASSERT_EQ(0, xns_read_file(REG_TEST_RESULT, buf, sizeof(buf)));
	ret = atoi(buf);
	EXPECT_EQ(0, ret) {
		TH_LOG("step %d: %s", ret, ret > 0 && ret < (int)ARRAY_SIZE(steps) ?
		       steps[ret] : "?");
	}
	/* Nothing of the type is left: it unloads. */
	ASSERT_EQ(0, syscall(SYS_delete_module, REG_TEST_NAME, O_NONBLOCK))
		TH_LOG("delete_module: %s", strerror(errno));
}

TEST_HARNESS_MAIN
