// SPDX-License-Identifier: GPL-2.0
/*
 * LTP's errno tables for setns(2) and the nsfs ioctls, applied to xns, to
 * the counter sample's type and to UTS.
 *
 * LTP's setns01 and ioctl_ns01 to ioctl_ns07 are the errno checklist people
 * trust for the built-in namespace types (setns02 adds the success rows of
 * setns()).  Here every row runs once per type: TEST_F(ltp, ...) has the
 * variants uts (the built-in reference), xns and counter.  The rows are
 * written from the intent of LTP's tables, not from its code, and extended
 * where a module type adds a case (the nstype of a registered type, a
 * pidfd, a user namespace).  Where the types differ by design (xns nests,
 * as PID namespaces do; UTS and counter namespaces do not), the variant
 * says which errno to expect, and the xns variant also checks the PID
 * namespace in the same situation, as the built-in hierarchical reference.
 *
 * Every call that must fail is also checked to change nothing: the links
 * in /proc/self/ns of every type, what the type itself reports of the
 * caller's namespace (the hostname, XNS_IOC_GET_INFO, NS_COUNTER_IOC_GET),
 * the lowest free descriptor (no file opened) and the ioctl's argument.
 *
 * LTP test: row                     TEST_F(ltp, ...)                 uts     xns     counter
 * --------------------------------  -------------------------------  ------  ------  -------
 * setns01: invalid fd               setns01_invalid_fd               EBADF   EBADF   EBADF
 * setns01: regular file fd          setns01_regular_file_fd          EINVAL  EINVAL  EINVAL
 * setns01: invalid ns_type          setns01_invalid_nstype           EINVAL  EINVAL  EINVAL
 * setns01: mismatch ns_type/fd      setns01_mismatch_nstype          EINVAL  EINVAL  EINVAL
 * setns01+: a bit no type has       setns01_unknown_nstype_bit       EINVAL  EINVAL  EINVAL
 * setns01: without CAP_SYS_ADMIN    setns01_without_cap_sys_admin    EPERM   EPERM   EPERM
 * setns01+: root of a new userns    setns01_userns_root              EPERM   EPERM   EPERM
 * setns02: enter a child, go back   setns02_enter_and_return         0       0       0
 * ioctl_ns01: initial's parent      ioctl_ns01_parent_of_initial     EINVAL  EPERM*  EINVAL
 * ioctl_ns01: parent out of scope   ioctl_ns01_parent_out_of_scope   EINVAL  EPERM*  EINVAL
 * ioctl_ns02: no hierarchy          ioctl_ns02_ns05_parent_of_child  EINVAL  -       EINVAL
 * ioctl_ns03: not a user namespace  ioctl_ns03_owner_uid             EINVAL  EINVAL  EINVAL
 * ioctl_ns04: owner out of scope    ioctl_ns04_userns_out_of_scope   EPERM   EPERM   EPERM
 * ioctl_ns05: parent of a child     ioctl_ns02_ns05_parent_of_child  -       0*      -
 * ioctl_ns06: owner of a child      ioctl_ns06_userns_of_child       0       0       0
 * ioctl_ns07: not a namespace       ioctl_ns07_not_a_namespace       ENOTTY  ENOTTY  ENOTTY
 * ioctl_ns07+: on a namespace       nsfs_nstype_and_id               0       0       0
 * ioctl_ns07+: unknown command      nsfs_unknown_ioctl               ENOTTY  ENOTTY  ENOTTY
 * ioctl_ns07+: another type's one   nsfs_unknown_ioctl               EINVAL  EINVAL  EINVAL
 *
 * "+": a row LTP's table does not have, in the spirit of the one named.
 * "-": the row does not apply to the type; the same TEST checks the other
 * one there.  "*": the PID namespace is checked beside it and must give
 * the same.  Documentation/xns/testing.rst has the table with what each
 * row checks.
 *
 * Each case loads the sample ($NS_COUNTER_MODULE, default
 * /lib/modules/rust_ns_counter.ko) if it is not loaded, and the program
 * unloads it at its end if it was not loaded at its start (a load and an
 * unload per case took 10 s of the debug kernel's run); xns must be
 * loaded or loadable ($XNS_MODULE) and is left loaded.
 * The test process never changes namespaces: what must succeed runs in
 * helper processes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <linux/capability.h>
#include <linux/nsfs.h>
#include <linux/xns.h>

#include "../../../../samples/rust/ns_counter.h"
#include "xns_util.h"
#include "kselftest_harness.h"
#include "xns_harness.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME		0x00000080
#endif
/* Older <linux/nsfs.h> lack these; the values are fixed UAPI. */
#ifndef NS_GET_PID_FROM_PIDNS
#define NS_GET_PID_FROM_PIDNS	_IOR(NSIO, 0x6, int)
#define NS_GET_TGID_FROM_PIDNS	_IOR(NSIO, 0x7, int)
#define NS_GET_PID_IN_PIDNS	_IOR(NSIO, 0x8, int)
#define NS_GET_TGID_IN_PIDNS	_IOR(NSIO, 0x9, int)
#endif
#ifndef NS_GET_MNTNS_ID
#define NS_GET_MNTNS_ID		_IOR(NSIO, 5, __u64)
#endif
/* struct mnt_ns_info is MNT_NS_INFO_SIZE_VER0, 16 bytes. */
#ifndef NS_MNT_GET_INFO
#define NS_MNT_GET_INFO		_IOC(_IOC_READ, NSIO, 10, 16)
#define NS_MNT_GET_NEXT		_IOC(_IOC_READ, NSIO, 11, 16)
#define NS_MNT_GET_PREV		_IOC(_IOC_READ, NSIO, 12, 16)
#endif
/* UTS_NS_INIT_ID of <linux/nsfs.h>: the id of the initial UTS namespace. */
#define LTP_UTS_INIT_ID		2ULL

/* The hostname of the UTS namespace of the holder (see ltp_begin()). */
#define LTP_CHILD_HOSTNAME	"xns-errno-child"

#define LTP_LINK_MAX		64
#define LTP_VIEW_MAX		96
#define LTP_MSG_MAX		512

enum ltp_kind {
	LTP_UTS,
	LTP_XNS,
	LTP_COUNTER,
};

/*
 * FIXTURE_VARIANT(ltp) and FIXTURE_DATA(ltp), spelled out where they are
 * pointer types: checkpatch reads the macros as expressions.
 */
FIXTURE_VARIANT(ltp);

/* What the checks of a row need to know of the process making the call. */
struct ltp_ctx {
	const struct _fixture_variant_ltp *variant;
	int devfd;	/* /dev/xns or /dev/ns_counter; -1 for UTS */
	int home;	/* where a setns() that wrongly succeeded goes back to */
};

/* What the holder reports of the namespace it made. */
struct ltp_holder_report {
	__s32 err;
	char link[LTP_LINK_MAX];	/* readlink of /proc/self/ns/<type> */
	char view[LTP_VIEW_MAX];	/* ltp_view() */
};

FIXTURE(ltp)
{
	struct ltp_ctx ctx;
	int init;	/* the initial namespace of the type: pid 1's */
	int child;	/* a new namespace the caller is not in, owned by the
			 * initial user namespace and held by @holder
			 */
	struct ltp_holder_report held;
	struct xns_child holder;
	struct xns_child kid;
};

FIXTURE_VARIANT(ltp)
{
	enum ltp_kind kind;
	const char *name;	/* the entry in /proc/<pid>/ns */
	int nstype;		/* NS_GET_NSTYPE, setns() */
	const char *other_file;	/* a file of the type that is no nsfs file */
	int parent_errno;	/* NS_GET_PARENT of its initial namespace */
	bool nests;		/* NS_GET_PARENT of a child gives the parent */
};

FIXTURE_VARIANT_ADD(ltp, uts)
{
	.kind = LTP_UTS,
	.name = "uts",
	.nstype = CLONE_NEWUTS,
	.other_file = "/proc/sys/kernel/hostname",
	.parent_errno = EINVAL,
	.nests = false,
};

FIXTURE_VARIANT_ADD(ltp, xns)
{
	.kind = LTP_XNS,
	.name = "xns",
	.nstype = XNS_NS_TYPE,
	.other_file = XNS_DEV,
	.parent_errno = EPERM,
	.nests = true,
};

FIXTURE_VARIANT_ADD(ltp, counter)
{
	.kind = LTP_COUNTER,
	.name = "counter",
	.nstype = NS_COUNTER_NS_TYPE,
	.other_file = NSC_DEV,
	.parent_errno = EINVAL,
	.nests = false,
};

/* Every namespace type a setns() could move, built in or registered. */
static const struct {
	const char *name;
	int nstype;
} ltp_types[] = {
	{ "cgroup", CLONE_NEWCGROUP },
	{ "ipc", CLONE_NEWIPC },
	{ "mnt", CLONE_NEWNS },
	{ "net", CLONE_NEWNET },
	{ "pid", CLONE_NEWPID },
	{ "time", CLONE_NEWTIME },
	{ "user", CLONE_NEWUSER },
	{ "uts", CLONE_NEWUTS },
	{ "xns", XNS_NS_TYPE },
	{ "counter", NS_COUNTER_NS_TYPE },
};

/* The entries of /proc/self/ns that a snapshot compares. */
static const char *const ltp_ns_entries[] = {
	"cgroup", "ipc", "mnt", "net", "pid", "pid_for_children", "time",
	"time_for_children", "user", "uts", "xns", "counter",
};

#define LTP_NR_ENTRIES		12

static_assert(ARRAY_SIZE(ltp_ns_entries) == LTP_NR_ENTRIES,
	      "LTP_NR_ENTRIES must count ltp_ns_entries");

/* The state a failed call must leave as it was. */
struct ltp_snap {
	char link[LTP_NR_ENTRIES][LTP_LINK_MAX];
	char view[LTP_VIEW_MAX];
};

/* Arguments of the helper processes. */
struct ltp_helper {
	struct _test_data_ltp *self;
	int arg;
};

/* What a failed check says; the checks below return it, or NULL. */
static char ltp_msg[LTP_MSG_MAX];

static const char *ltp_errname(int err)
{
	switch (err) {
	case 0:
		return "success";
	case EBADF:
		return "EBADF";
	case EINVAL:
		return "EINVAL";
	case EPERM:
		return "EPERM";
	case ENOTTY:
		return "ENOTTY";
	case ENOENT:
		return "ENOENT";
	case EACCES:
		return "EACCES";
	case EOPNOTSUPP:
		return "EOPNOTSUPP";
	}
	return strerror(err);
}

/* Open /proc/<pid>/ns/<name> (@pid 0: the caller's); the fd or -errno. */
static int ltp_open_ns(pid_t pid, const char *name)
{
	char path[64];
	int fd;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", pid, name);
	else
		snprintf(path, sizeof(path), "/proc/self/ns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* readlink of /proc/self/ns/<name> into @link (LTP_LINK_MAX bytes). */
static int ltp_self_link(const char *name, char *link)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/ns/%s", name);
	return xns_readlink(path, link, LTP_LINK_MAX);
}

/* The lowest free descriptor: a file a failed call left open shows. */
static int ltp_lowest_free_fd(void)
{
	int fd = open("/", O_PATH | O_CLOEXEC);

	if (fd >= 0)
		close(fd);
	return fd;
}

/* The index of @name in ltp_ns_entries, or -1. */
static int ltp_entry(const char *name)
{
	int i;

	for (i = 0; i < LTP_NR_ENTRIES; i++)
		if (!strcmp(ltp_ns_entries[i], name))
			return i;
	return -1;
}

/* Move the calling thread into a new namespace of the type. */
static int ltp_enter_new(const struct _fixture_variant_ltp *variant)
{
	if (variant->kind == LTP_UTS)
		return unshare(CLONE_NEWUTS) ? -errno : 0;
	return xns_unshare_type(variant->name, variant->nstype);
}

/* What the type itself says of the caller's namespace. */
static int ltp_view(const struct ltp_ctx *ctx, char *buf, size_t size)
{
	struct ns_counter_info cinfo;
	struct xns_info info;
	char host[72];
	int ret;

	switch (ctx->variant->kind) {
	case LTP_UTS:
		memset(host, 0, sizeof(host));
		if (gethostname(host, sizeof(host) - 1))
			return -errno;
		snprintf(buf, size, "hostname %s", host);
		return 0;
	case LTP_XNS:
		ret = xns_get_info(ctx->devfd, &info);
		if (ret)
			return ret;
		snprintf(buf, size, "xns inum %u depth %u labels %u", info.inum,
			 info.depth, info.nr_labels);
		return 0;
	case LTP_COUNTER:
		memset(&cinfo, 0, sizeof(cinfo));
		ret = xns_ioctl(ctx->devfd, NS_COUNTER_IOC_GET, &cinfo);
		if (ret)
			return ret;
		snprintf(buf, size, "counter inum %u value %llu", cinfo.inum,
			 (unsigned long long)cinfo.value);
		return 0;
	}
	return -EINVAL;
}

static void ltp_snap_take(const struct ltp_ctx *ctx, struct ltp_snap *s)
{
	int i, ret;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < LTP_NR_ENTRIES; i++) {
		ret = ltp_self_link(ltp_ns_entries[i], s->link[i]);
		if (ret)
			snprintf(s->link[i], LTP_LINK_MAX, "(%s)",
				 ltp_errname(-ret));
	}
	ret = ltp_view(ctx, s->view, sizeof(s->view));
	if (ret)
		snprintf(s->view, sizeof(s->view), "(%s)", ltp_errname(-ret));
}

/*
 * Does @b differ from @a in an entry other than @skip (NULL: none; then
 * the type's view is compared too)?  If so, @msg says what changed.
 */
static bool ltp_snap_differs(const struct ltp_snap *a, const struct ltp_snap *b,
			     const char *skip, char *msg, size_t size)
{
	int i;

	for (i = 0; i < LTP_NR_ENTRIES; i++) {
		if (skip && !strcmp(ltp_ns_entries[i], skip))
			continue;
		if (strcmp(a->link[i], b->link[i])) {
			snprintf(msg, size, "/proc/self/ns/%s from %s to %s",
				 ltp_ns_entries[i], a->link[i], b->link[i]);
			return true;
		}
	}
	if (!skip && strcmp(a->view, b->view)) {
		snprintf(msg, size, "what the type reports from \"%s\" to \"%s\"",
			 a->view, b->view);
		return true;
	}
	return false;
}

/*
 * setns(@fd, @nstype), @fd being @what, must fail with @want and change
 * nothing.  Returns NULL, or what went wrong.
 */
static const char *ltp_setns_fails(const struct ltp_ctx *ctx, int fd,
				   int nstype, int want, const char *what)
{
	struct ltp_snap before, after;
	char diff[256];
	int err;

	ltp_snap_take(ctx, &before);
	err = setns(fd, nstype) ? errno : 0;
	ltp_snap_take(ctx, &after);
	/* Do not stay where a wrong success took us. */
	if (!err && ctx->home >= 0)
		setns(ctx->home, 0);
	if (err != want)
		snprintf(ltp_msg, sizeof(ltp_msg), "%s: setns(%s, %#x): %s, want %s",
			 ctx->variant->name, what, (unsigned int)nstype,
			 ltp_errname(err), ltp_errname(want));
	else if (ltp_snap_differs(&before, &after, NULL, diff, sizeof(diff)))
		snprintf(ltp_msg, sizeof(ltp_msg),
			 "%s: setns(%s, %#x) failed with %s but changed %s",
			 ctx->variant->name, what, (unsigned int)nstype,
			 ltp_errname(err), diff);
	else
		return NULL;
	return ltp_msg;
}

/* Does @cmd give a new file descriptor when it succeeds? */
static bool ltp_cmd_opens(unsigned long cmd)
{
	return cmd == NS_GET_USERNS || cmd == NS_GET_PARENT ||
	       cmd == NS_CREATE_CHILD || cmd == NS_MNT_GET_NEXT ||
	       cmd == NS_MNT_GET_PREV;
}

/*
 * ioctl(@fd, @cmd, buffer), @what, must fail with @want and change
 * nothing: no file opened, the buffer as it was, the namespaces as they
 * were.  Returns NULL, or what went wrong.
 */
static const char *ltp_ioctl_fails(const struct ltp_ctx *ctx, int fd,
				   unsigned long cmd, int want, const char *what)
{
	unsigned char arg[64], copy[64];
	struct ltp_snap before, after;
	int low, ret, err = 0;
	char diff[256];

	memset(arg, 0xa5, sizeof(arg));
	memcpy(copy, arg, sizeof(arg));
	ltp_snap_take(ctx, &before);
	low = ltp_lowest_free_fd();
	ret = ioctl(fd, cmd, arg);
	if (ret < 0)
		err = errno;
	else if (ltp_cmd_opens(cmd))
		close(ret);
	ltp_snap_take(ctx, &after);
	if (ret >= 0)
		snprintf(ltp_msg, sizeof(ltp_msg), "%s: %s: returned %d, want %s",
			 ctx->variant->name, what, ret, ltp_errname(want));
	else if (err != want)
		snprintf(ltp_msg, sizeof(ltp_msg), "%s: %s: %s, want %s",
			 ctx->variant->name, what, ltp_errname(err),
			 ltp_errname(want));
	else if (ltp_lowest_free_fd() != low)
		snprintf(ltp_msg, sizeof(ltp_msg),
			 "%s: %s failed with %s but left a file open",
			 ctx->variant->name, what, ltp_errname(err));
	else if (memcmp(arg, copy, sizeof(arg)))
		snprintf(ltp_msg, sizeof(ltp_msg),
			 "%s: %s failed with %s but wrote to its argument",
			 ctx->variant->name, what, ltp_errname(err));
	else if (ltp_snap_differs(&before, &after, NULL, diff, sizeof(diff)))
		snprintf(ltp_msg, sizeof(ltp_msg),
			 "%s: %s failed with %s but changed %s",
			 ctx->variant->name, what, ltp_errname(err), diff);
	else
		return NULL;
	return ltp_msg;
}

/* In the test: the call of a row must have done what the row says. */
#define EXPECT_ROW(call) do {					\
	const char *_row_msg = (call);				\
	EXPECT_TRUE(!_row_msg) {				\
		TH_LOG("%s", _row_msg);				\
	}							\
} while (0)

/* The same in a helper process, which then exits with status 1. */
#define CHILD_ROW(call) do {					\
	const char *_row_msg = (call);				\
	xns_child_check(!_row_msg, "%s", _row_msg);		\
} while (0)

/* In a helper: become uid 65534, then root of a new user namespace. */
static void ltp_child_enter_userns(void)
{
	int ret;

	ret = xns_drop_privs(XNS_NOBODY, XNS_NOBODY);
	xns_child_check(!ret, "becoming uid %d: %s", XNS_NOBODY,
			strerror(-ret));
	/* The guest has USER_NS=y: not being able to is a failure. */
	ret = xns_enter_userns();
	xns_child_check(!ret, "a new user namespace as uid %d: %s", XNS_NOBODY,
			strerror(-ret));
	xns_child_check(geteuid() == 0, "not root in the new user namespace");
}

/*
 * The holder: in a new namespace of the type (with the hostname
 * LTP_CHILD_HOSTNAME for UTS), made as root of the initial user
 * namespace, which owns it; it reports what it sees and stays.
 */
static int ltp_holder_fn(struct xns_child *c, void *arg)
{
	const struct ltp_ctx *ctx = arg;
	struct ltp_holder_report rep;
	int ret;

	memset(&rep, 0, sizeof(rep));
	ret = ltp_enter_new(ctx->variant);
	if (!ret && ctx->variant->kind == LTP_UTS &&
	    sethostname(LTP_CHILD_HOSTNAME, strlen(LTP_CHILD_HOSTNAME)))
		ret = -errno;
	if (!ret)
		ret = ltp_self_link(ctx->variant->name, rep.link);
	if (!ret)
		ret = ltp_view(ctx, rep.view, sizeof(rep.view));
	rep.err = ret;
	if (xns_send(c->rep, &rep, sizeof(rep)) || ret)
		return 1;
	xns_child_hold(c);
	return 0;
}

/*
 * Every case starts with the type's device, files of the caller's and of
 * the initial namespace of the type, and a child namespace (the holder's).
 */
static void ltp_begin(struct __test_metadata *_metadata,
		      struct _test_data_ltp *self,
		      const struct _fixture_variant_ltp *variant)
{
	char link[LTP_LINK_MAX];
	int ret;

	self->ctx.variant = variant;
	if (variant->kind != LTP_UTS) {
		self->ctx.devfd = open(variant->other_file, O_RDWR | O_CLOEXEC);
		ASSERT_LE(0, self->ctx.devfd) {
			TH_LOG("open %s: %m", variant->other_file);
		}
	}
	self->ctx.home = ltp_open_ns(0, variant->name);
	ASSERT_LE(0, self->ctx.home) {
		TH_LOG("open /proc/self/ns/%s: %s", variant->name,
		       strerror(-self->ctx.home));
	}
	self->init = ltp_open_ns(1, variant->name);
	ASSERT_LE(0, self->init) {
		TH_LOG("open /proc/1/ns/%s: %s", variant->name,
		       strerror(-self->init));
	}

	ret = xns_child_start(&self->holder, ltp_holder_fn, &self->ctx);
	ASSERT_EQ(0, ret);
	ret = xns_child_recv(&self->holder, &self->held, sizeof(self->held));
	ASSERT_EQ(0, ret) {
		TH_LOG("the holder died before reporting: status %d",
		       xns_child_reap(&self->holder));
	}
	ASSERT_EQ(0, self->held.err) {
		TH_LOG("holder: a new %s namespace: %s", variant->name,
		       strerror(-self->held.err));
	}
	self->child = ltp_open_ns(self->holder.pid, variant->name);
	ASSERT_LE(0, self->child) {
		TH_LOG("open /proc/%d/ns/%s: %s", self->holder.pid,
		       variant->name, strerror(-self->child));
	}
	/* A child, and one that is not ours. */
	ASSERT_EQ(0, ltp_self_link(variant->name, link));
	ASSERT_STRNE(link, self->held.link);
}

FIXTURE_SETUP(ltp)
{
	int ret, err;

	self->ctx.variant = variant;
	self->ctx.devfd = -1;
	self->ctx.home = -1;
	self->init = -1;
	self->child = -1;
	xns_child_init(&self->holder);
	xns_child_init(&self->kid);

	if (geteuid() != 0)
		SKIP(return, "must be run as root");
	/* Every variant uses both module types, as other types. */
	if (xns_setup_load(_metadata))
		return;
	if (nsc_loaded())
		return;
	if (access(nsc_module_path(), R_OK)) {
		err = errno;
		ASSERT_FALSE(xns_module_required()) {
			TH_LOG("%s: %s, and XNS_REQUIRE_MODULE=1: it must be shipped",
			       nsc_module_path(), strerror(err));
		}
		SKIP(return, "%s: %s (build samples/rust or set NS_COUNTER_MODULE)",
		     nsc_module_path(), strerror(err));
	}
	/* Kept loaded for the next cases: counter_unload_at_exit(). */
	ret = nsc_load();
	ASSERT_TRUE(ret == 0 || ret == -EEXIST) {
		TH_LOG("loading %s failed: %s", nsc_module_path(),
		       strerror(-ret));
	}
}

FIXTURE_TEARDOWN(ltp)
{
	xns_child_kill(&self->holder);
	xns_child_kill(&self->kid);
}

/* Whether the sample was loaded when the program started. */
static bool counter_was_loaded;

static void __attribute__((constructor)) counter_note_loaded(void)
{
	counter_was_loaded = nsc_loaded();
}

/*
 * In the harness's process, at its exit: unload the sample if a case
 * loaded it.  The cases ran in children, which have exited, so no file
 * of a counter namespace is left open.
 */
static void __attribute__((destructor)) counter_unload_at_exit(void)
{
	int ret;

	if (counter_was_loaded || !nsc_loaded())
		return;
	ret = nsc_unload_wait(XNS_SETTLE_MS);
	if (ret)
		printf("# could not unload %s: %s\n", NSC_MODULE_NAME,
		       strerror(-ret));
}

/*
 * setns01 "invalid fd": -1 (LTP's row), a descriptor just closed and
 * INT_MAX, with the type's nstype and with 0: EBADF.
 */
TEST_F(ltp, setns01_invalid_fd)
{
	const int nstypes[] = { variant->nstype, 0 };
	unsigned int i;
	int closed;

	ltp_begin(_metadata, self, variant);
	closed = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, closed);
	close(closed);
	for (i = 0; i < ARRAY_SIZE(nstypes); i++) {
		EXPECT_ROW(ltp_setns_fails(&self->ctx, -1, nstypes[i], EBADF,
					   "-1"));
		EXPECT_ROW(ltp_setns_fails(&self->ctx, closed, nstypes[i], EBADF,
					   "a closed descriptor"));
		EXPECT_ROW(ltp_setns_fails(&self->ctx, INT_MAX, nstypes[i],
					   EBADF, "INT_MAX"));
	}
}

/*
 * setns01 "regular file fd": a file that is neither an nsfs file nor a
 * pidfd, with the type's nstype (LTP's row) and with 0: EINVAL.  Besides
 * LTP's unlinked regular file: a directory, a pipe, /proc/self/ns and the
 * type's own file that is no namespace (/proc/sys/kernel/hostname,
 * /dev/xns, /dev/ns_counter).
 */
TEST_F(ltp, setns01_regular_file_fd)
{
	const int nstypes[] = { variant->nstype, 0 };
	char path[] = "/tmp/xns-errno-XXXXXX";
	struct {
		int fd;
		const char *what;
	} files[5];
	unsigned int i, j;
	int pipefd[2];

	ltp_begin(_metadata, self, variant);
	files[0].fd = mkstemp(path);
	files[0].what = "an unlinked regular file";
	ASSERT_LE(0, files[0].fd) {
		TH_LOG("mkstemp %s: %m", path);
	}
	unlink(path);
	files[1].fd = open("/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	files[1].what = "the directory /tmp";
	ASSERT_EQ(0, pipe2(pipefd, O_CLOEXEC));
	files[2].fd = pipefd[0];
	files[2].what = "a pipe";
	files[3].fd = open(variant->other_file, O_RDONLY | O_CLOEXEC);
	files[3].what = variant->other_file;
	files[4].fd = open("/proc/self/ns", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	files[4].what = "the directory /proc/self/ns";
	for (i = 0; i < ARRAY_SIZE(files); i++) {
		ASSERT_LE(0, files[i].fd) {
			TH_LOG("open %s: %m", files[i].what);
		}
		for (j = 0; j < ARRAY_SIZE(nstypes); j++)
			EXPECT_ROW(ltp_setns_fails(&self->ctx, files[i].fd,
						   nstypes[j], EINVAL,
						   files[i].what));
	}
	for (i = 0; i < ARRAY_SIZE(files); i++)
		close(files[i].fd);
	close(pipefd[1]);
}

/*
 * setns01 "invalid ns_type": a file of the type with the nstype -1 (LTP's
 * row), INT_MIN and every bit but the type's own: EINVAL.
 */
TEST_F(ltp, setns01_invalid_nstype)
{
	const int nstypes[] = { -1, INT_MIN, ~variant->nstype };
	unsigned int i;

	ltp_begin(_metadata, self, variant);
	for (i = 0; i < ARRAY_SIZE(nstypes); i++) {
		EXPECT_ROW(ltp_setns_fails(&self->ctx, self->child, nstypes[i],
					   EINVAL, "a child namespace"));
		EXPECT_ROW(ltp_setns_fails(&self->ctx, self->ctx.home,
					   nstypes[i], EINVAL,
					   "its own namespace"));
	}
}

/*
 * setns01 "mismatch ns_type/fd": a file of the type with the nstype of
 * every other type, built in or registered, alone and together with its
 * own; and a file of every other type with this type's nstype: EINVAL.
 */
TEST_F(ltp, setns01_mismatch_nstype)
{
	unsigned int i, others = 0;
	char what[96];
	int fd;

	ltp_begin(_metadata, self, variant);
	for (i = 0; i < ARRAY_SIZE(ltp_types); i++) {
		if (ltp_types[i].nstype == variant->nstype)
			continue;
		snprintf(what, sizeof(what), "a child namespace, as %s",
			 ltp_types[i].name);
		EXPECT_ROW(ltp_setns_fails(&self->ctx, self->child,
					   ltp_types[i].nstype, EINVAL, what));
		snprintf(what, sizeof(what), "a child namespace, as %s and %s",
			 variant->name, ltp_types[i].name);
		EXPECT_ROW(ltp_setns_fails(&self->ctx, self->child,
					   variant->nstype | ltp_types[i].nstype,
					   EINVAL, what));

		fd = ltp_open_ns(0, ltp_types[i].name);
		/* A built-in type this kernel does not have. */
		if (fd == -ENOENT)
			continue;
		ASSERT_LE(0, fd) {
			TH_LOG("open /proc/self/ns/%s: %s", ltp_types[i].name,
			       strerror(-fd));
		}
		snprintf(what, sizeof(what), "its %s namespace, as %s",
			 ltp_types[i].name, variant->name);
		EXPECT_ROW(ltp_setns_fails(&self->ctx, fd, variant->nstype,
					   EINVAL, what));
		close(fd);
		others++;
	}
	/* At least UTS and the two module types are there. */
	EXPECT_LE(2U, others);
}

/*
 * An nstype bit that no type has (listns() refuses it as a filter,
 * EOPNOTSUPP), alone and with the type's own: EINVAL, for a file of the
 * type and for a pidfd of a task in a child namespace; with a pidfd,
 * all or nothing: the caller's namespaces of every type stay as they were.
 */
TEST_F(ltp, setns01_unknown_nstype_bit)
{
	/* 0x08 is left out: xns_module_test registers a type there. */
	static const int bits[] = { 0x01, 0x10, CLONE_VM };
	unsigned int i;
	ssize_t ret;
	int pidfd;

	ltp_begin(_metadata, self, variant);
	pidfd = xns_pidfd_open(self->holder.pid);
	ASSERT_LE(0, pidfd) {
		TH_LOG("pidfd_open(%d): %s", self->holder.pid, strerror(-pidfd));
	}
	for (i = 0; i < ARRAY_SIZE(bits); i++) {
		ret = xns_listns(bits[i], 0, 0, NULL, 0);
		ASSERT_EQ(-EOPNOTSUPP, ret) {
			TH_LOG("listns(ns_type %#x): %zd: a type has the bit",
			       (unsigned int)bits[i], ret);
		}
		EXPECT_ROW(ltp_setns_fails(&self->ctx, self->child, bits[i],
					   EINVAL, "a child namespace"));
		EXPECT_ROW(ltp_setns_fails(&self->ctx, self->child,
					   variant->nstype | bits[i], EINVAL,
					   "a child namespace"));
		EXPECT_ROW(ltp_setns_fails(&self->ctx, pidfd, bits[i], EINVAL,
					   "a pidfd"));
		EXPECT_ROW(ltp_setns_fails(&self->ctx, pidfd,
					   variant->nstype | bits[i], EINVAL,
					   "a pidfd"));
	}
	close(pidfd);
}

enum {
	LTP_SETEUID,	/* seteuid(65534), as LTP does */
	LTP_CAPSET,	/* root without CAP_SYS_ADMIN in its effective set */
};

/* Helper: setns() without CAP_SYS_ADMIN, into its own and a child. */
static int ltp_nocap_fn(__always_unused struct xns_child *c, void *arg)
{
	const struct ltp_helper *h = arg;
	const struct ltp_ctx *ctx = &h->self->ctx;
	int nstype = ctx->variant->nstype;
	__u64 eff = ~0ULL;
	int ret;

	if (h->arg == LTP_SETEUID) {
		xns_child_check(!seteuid(XNS_NOBODY), "seteuid(%d): %m",
				XNS_NOBODY);
	} else {
		ret = xns_set_cap_effective(CAP_SYS_ADMIN, false);
		xns_child_check(!ret, "dropping CAP_SYS_ADMIN: %s",
				strerror(-ret));
		xns_child_check(geteuid() == 0, "not root any more");
	}
	ret = xns_cap_effective(&eff);
	xns_child_check(!ret && !(eff & (1ULL << CAP_SYS_ADMIN)),
			"CAP_SYS_ADMIN is still effective");

	CHILD_ROW(ltp_setns_fails(ctx, ctx->home, nstype, EPERM,
				  "its own namespace"));
	CHILD_ROW(ltp_setns_fails(ctx, ctx->home, 0, EPERM,
				  "its own namespace"));
	CHILD_ROW(ltp_setns_fails(ctx, h->self->child, nstype, EPERM,
				  "a child namespace"));
	CHILD_ROW(ltp_setns_fails(ctx, h->self->child, 0, EPERM,
				  "a child namespace"));
	return 0;
}

/*
 * setns01 "without CAP_SYS_ADMIN": after seteuid(65534) (LTP's row), and
 * as root with CAP_SYS_ADMIN dropped, setns() into the namespace it is in
 * and into a child: EPERM.
 */
TEST_F(ltp, setns01_without_cap_sys_admin)
{
	struct ltp_helper h = { .self = self, .arg = LTP_SETEUID };
	int ret;

	ltp_begin(_metadata, self, variant);
	ret = xns_run_child(ltp_nocap_fn, &h);
	EXPECT_EQ(0, ret) {
		TH_LOG("after seteuid(%d): helper exit status %d", XNS_NOBODY,
		       ret);
	}
	h.arg = LTP_CAPSET;
	ret = xns_run_child(ltp_nocap_fn, &h);
	EXPECT_EQ(0, ret) {
		TH_LOG("root without CAP_SYS_ADMIN: helper exit status %d", ret);
	}
}

/* Helper: setns() as root of a new user namespace. */
static int ltp_userns_setns_fn(__always_unused struct xns_child *c,
			       void *arg)
{
	const struct ltp_helper *h = arg;
	struct ltp_ctx ctx = h->self->ctx;
	const char *name = ctx.variant->name;
	int nstype = ctx.variant->nstype;
	char own_link[LTP_LINK_MAX], link[LTP_LINK_MAX];
	int own, ret;

	ltp_child_enter_userns();
	CHILD_ROW(ltp_setns_fails(&ctx, ctx.home, nstype, EPERM,
				  "its namespace, owned by the initial user namespace"));
	CHILD_ROW(ltp_setns_fails(&ctx, h->self->child, nstype, EPERM,
				  "a child owned by the initial user namespace"));
	CHILD_ROW(ltp_setns_fails(&ctx, h->self->child, 0, EPERM,
				  "a child owned by the initial user namespace"));

	/* The namespaces its own user namespace owns it may enter. */
	ret = ltp_enter_new(ctx.variant);
	xns_child_check(!ret, "%s: a new namespace as root of a new user namespace: %s",
			name, strerror(-ret));
	own = ltp_open_ns(0, name);
	xns_child_check(own >= 0, "open /proc/self/ns/%s: %s", name,
			strerror(-own));
	ret = ltp_self_link(name, own_link);
	xns_child_check(!ret, "readlink /proc/self/ns/%s: %s", name,
			strerror(-ret));
	ctx.home = own;
	CHILD_ROW(ltp_setns_fails(&ctx, h->self->child, nstype, EPERM,
				  "a child owned by the initial user namespace, from its own"));

	ret = ltp_enter_new(ctx.variant);
	xns_child_check(!ret, "%s: a second new namespace: %s", name,
			strerror(-ret));
	ret = xns_setns(own, nstype);
	xns_child_check(!ret, "%s: setns(one its user namespace owns, %#x): %s",
			name, (unsigned int)nstype, ltp_errname(-ret));
	ret = ltp_self_link(name, link);
	xns_child_check(!ret && !strcmp(link, own_link),
			"%s: setns into %s took it to %s", name, own_link, link);
	ret = xns_setns(own, 0);
	xns_child_check(!ret, "%s: setns(the namespace it is in, 0): %s", name,
			ltp_errname(-ret));
	close(own);
	return 0;
}

/*
 * setns01 "without CAP_SYS_ADMIN", from a user namespace: root of a new
 * user namespace (made as uid 65534) has CAP_SYS_ADMIN there, not over
 * the namespaces the initial user namespace owns: EPERM into the one it
 * is in and into a child, also after it made one of its own, which it
 * may enter (success).
 */
TEST_F(ltp, setns01_userns_root)
{
	struct ltp_helper h = { .self = self };
	int ret;

	ltp_begin(_metadata, self, variant);
	ret = xns_run_child(ltp_userns_setns_fn, &h);
	EXPECT_EQ(0, ret) {
		TH_LOG("helper exit status %d", ret);
	}
}

/* In a helper: it must be in the holder's namespace, all else as @start. */
static void ltp_child_entered(const struct ltp_ctx *ctx,
			      const struct ltp_snap *start,
			      const struct ltp_holder_report *held,
			      const char *how)
{
	int own = ltp_entry(ctx->variant->name);
	struct ltp_snap now;
	char diff[256];

	ltp_snap_take(ctx, &now);
	xns_child_check(!strcmp(now.link[own], held->link), "%s: in %s, want %s",
			how, now.link[own], held->link);
	xns_child_check(!strcmp(now.view, held->view),
			"%s: the type reports \"%s\", want \"%s\"", how,
			now.view, held->view);
	xns_child_check(!ltp_snap_differs(start, &now, ctx->variant->name,
					  diff, sizeof(diff)),
			"%s also changed %s", how, diff);
}

/* In a helper: it must be back where it started. */
static void ltp_child_back(const struct ltp_ctx *ctx,
			   const struct ltp_snap *start, const char *how)
{
	struct ltp_snap now;
	char diff[256];

	ltp_snap_take(ctx, &now);
	xns_child_check(!ltp_snap_differs(start, &now, NULL, diff, sizeof(diff)),
			"%s: not back, %s", how, diff);
}

/* Helper: setns() into the holder's namespace and back, three ways. */
static int ltp_enter_fn(__always_unused struct xns_child *c, void *arg)
{
	const struct ltp_helper *h = arg;
	const struct ltp_ctx *ctx = &h->self->ctx;
	const int nstypes[] = { ctx->variant->nstype, 0 };
	struct ltp_snap start;
	unsigned int i;
	int pidfd, ret;

	ltp_snap_take(ctx, &start);
	/* The namespace it is in: nothing changes. */
	ret = xns_setns(ctx->home, ctx->variant->nstype);
	xns_child_check(!ret, "setns(its own namespace, %#x): %s",
			(unsigned int)ctx->variant->nstype, ltp_errname(-ret));
	ltp_child_back(ctx, &start, "setns into its own namespace");

	for (i = 0; i < ARRAY_SIZE(nstypes); i++) {
		ret = xns_setns(h->self->child, nstypes[i]);
		xns_child_check(!ret, "setns(a child namespace, %#x): %s",
				(unsigned int)nstypes[i], ltp_errname(-ret));
		ltp_child_entered(ctx, &start, &h->self->held,
				  "setns(a child namespace)");
		ret = xns_setns(ctx->home, nstypes[i]);
		xns_child_check(!ret, "setns(its old namespace, %#x): %s",
				(unsigned int)nstypes[i], ltp_errname(-ret));
		ltp_child_back(ctx, &start, "setns(its old namespace)");
	}

	pidfd = xns_pidfd_open(h->self->holder.pid);
	xns_child_check(pidfd >= 0, "pidfd_open(%d): %s", h->self->holder.pid,
			ltp_errname(-pidfd));
	ret = xns_setns(pidfd, ctx->variant->nstype);
	xns_child_check(!ret, "setns(a pidfd, %#x): %s",
			(unsigned int)ctx->variant->nstype, ltp_errname(-ret));
	ltp_child_entered(ctx, &start, &h->self->held, "setns(a pidfd)");
	ret = xns_setns(ctx->home, 0);
	xns_child_check(!ret, "setns(its old namespace, 0): %s",
			ltp_errname(-ret));
	ltp_child_back(ctx, &start, "setns(its old namespace) after the pidfd");
	close(pidfd);
	return 0;
}

/*
 * setns02's success rows: setns() into the namespace one is in changes
 * nothing; into a child, with the type's nstype, with 0 and by a pidfd of
 * a task in it, moves the caller there (the /proc link, and the type
 * reports the child: its hostname, GET_INFO, the counter) and nowhere
 * else; setns() back restores everything.
 */
TEST_F(ltp, setns02_enter_and_return)
{
	struct ltp_helper h = { .self = self };
	int ret;

	ltp_begin(_metadata, self, variant);
	ret = xns_run_child(ltp_enter_fn, &h);
	EXPECT_EQ(0, ret) {
		TH_LOG("helper exit status %d", ret);
	}
}

/*
 * The PID namespace as the reference for xns, the built-in type that
 * nests: in a new PID namespace, its first process may not get the parent
 * of its own namespace (ioctl_ns01, EPERM), and the process that made it
 * gets the parent of its pid_for_children (ioctl_ns05).
 */
static int ltp_pid_reference_fn(__always_unused struct xns_child *c,
				void *arg)
{
	const struct ltp_helper *h = arg;
	struct stat st_mine, st_child, st_parent;
	int go[2], fd, pfd, status;
	char byte;
	pid_t pid;

	xns_child_check(!unshare(CLONE_NEWPID), "PID: unshare(CLONE_NEWPID): %m");
	xns_child_check(!pipe2(go, O_CLOEXEC), "pipe: %m");
	fflush(NULL);
	pid = fork();
	xns_child_check(pid >= 0, "fork: %m");
	if (pid == 0) {
		close(go[1]);
		if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0))
			_exit(1);
		if (h->arg == 1) {
			fd = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
			xns_child_check(fd >= 0, "open /proc/self/ns/pid: %m");
			pfd = ioctl(fd, NS_GET_PARENT);
			xns_child_check(pfd < 0 && errno == EPERM,
					"PID: NS_GET_PARENT of its own PID namespace, as pid %d in it: %s, want EPERM",
					getpid(),
					pfd < 0 ? ltp_errname(errno) : "a file");
		}
		while (read(go[0], &byte, 1) > 0)
			;
		_exit(0);
	}
	close(go[0]);
	if (h->arg == 5) {
		fd = open("/proc/self/ns/pid_for_children", O_RDONLY | O_CLOEXEC);
		xns_child_check(fd >= 0, "open /proc/self/ns/pid_for_children: %m");
		pfd = ioctl(fd, NS_GET_PARENT);
		xns_child_check(pfd >= 0,
				"PID: NS_GET_PARENT of a child PID namespace: %s, want its parent",
				ltp_errname(errno));
		xns_child_check(!stat("/proc/self/ns/pid", &st_mine) &&
				!fstat(fd, &st_child) && !fstat(pfd, &st_parent),
				"stat: %m");
		xns_child_check(st_parent.st_ino == st_mine.st_ino &&
				st_child.st_ino != st_mine.st_ino,
				"PID: the parent of PID namespace %lu is %lu, want %lu",
				(unsigned long)st_child.st_ino,
				(unsigned long)st_parent.st_ino,
				(unsigned long)st_mine.st_ino);
		close(pfd);
		close(fd);
	}
	close(go[1]);
	xns_child_check(waitpid(pid, &status, 0) == pid, "waitpid: %m");
	xns_child_check(WIFEXITED(status) && !WEXITSTATUS(status),
			"PID: pid 1 of the new PID namespace failed (status %#x)",
			status);
	return 0;
}

/*
 * ioctl_ns01: NS_GET_PARENT of the initial namespace (pid 1's) fails:
 * EPERM for xns, which nests and whose initial namespace has no parent
 * (as for PID, checked beside it); EINVAL for UTS and counter, which have
 * no hierarchy (for UTS this is ioctl_ns02's own row).
 */
TEST_F(ltp, ioctl_ns01_parent_of_initial)
{
	int fd;

	ltp_begin(_metadata, self, variant);
	EXPECT_ROW(ltp_ioctl_fails(&self->ctx, self->init, NS_GET_PARENT,
				   variant->parent_errno,
				   "NS_GET_PARENT of the initial namespace"));
	if (!variant->nests)
		return;
	fd = ltp_open_ns(1, "pid");
	ASSERT_LE(0, fd) {
		TH_LOG("open /proc/1/ns/pid: %s", strerror(-fd));
	}
	EXPECT_ROW(ltp_ioctl_fails(&self->ctx, fd, NS_GET_PARENT, EPERM,
				   "PID: NS_GET_PARENT of the initial PID namespace"));
	close(fd);
}

/* Helper: NS_GET_PARENT of the namespace it made and is in. */
static int ltp_own_parent_fn(__always_unused struct xns_child *c, void *arg)
{
	const struct ltp_helper *h = arg;
	struct ltp_ctx ctx = h->self->ctx;
	int ret, fd;

	ret = ltp_enter_new(ctx.variant);
	xns_child_check(!ret, "%s: a new namespace: %s", ctx.variant->name,
			strerror(-ret));
	fd = ltp_open_ns(0, ctx.variant->name);
	xns_child_check(fd >= 0, "open /proc/self/ns/%s: %s",
			ctx.variant->name, strerror(-fd));
	ctx.home = fd;
	CHILD_ROW(ltp_ioctl_fails(&ctx, fd, NS_GET_PARENT,
				  ctx.variant->parent_errno,
				  "NS_GET_PARENT of the namespace it made and entered"));
	close(fd);
	return 0;
}

/*
 * ioctl_ns01, the child's row: in a new namespace it made, a process may
 * not get the parent of its own namespace, which is outside its subtree:
 * EPERM for xns (and PID, checked beside it); EINVAL for UTS and counter.
 */
TEST_F(ltp, ioctl_ns01_parent_out_of_scope)
{
	struct ltp_helper h = { .self = self, .arg = 1 };
	int ret;

	ltp_begin(_metadata, self, variant);
	ret = xns_run_child(ltp_own_parent_fn, &h);
	EXPECT_EQ(0, ret) {
		TH_LOG("helper exit status %d", ret);
	}
	if (!variant->nests)
		return;
	ret = xns_run_child(ltp_pid_reference_fn, &h);
	EXPECT_EQ(0, ret) {
		TH_LOG("PID reference: helper exit status %d", ret);
	}
}

/*
 * ioctl_ns02 and ioctl_ns05: NS_GET_PARENT of a child namespace, from its
 * parent.  UTS and counter namespaces have no hierarchy: EINVAL
 * (ioctl_ns02).  xns nests: a file of the caller's namespace, the same
 * inode and NS_GET_ID as /proc/self/ns/xns and not the child's
 * (ioctl_ns05; and the same for PID beside it).
 */
TEST_F(ltp, ioctl_ns02_ns05_parent_of_child)
{
	struct ltp_helper h = { .self = self, .arg = 5 };
	struct stat st_home, st_child, st_parent;
	__u64 home_id = 0, parent_id = 0;
	int pfd, ret;

	ltp_begin(_metadata, self, variant);
	if (!variant->nests) {
		EXPECT_ROW(ltp_ioctl_fails(&self->ctx, self->child,
					   NS_GET_PARENT, EINVAL,
					   "NS_GET_PARENT of a child namespace"));
		return;
	}
	pfd = ioctl(self->child, NS_GET_PARENT);
	ASSERT_LE(0, pfd) {
		TH_LOG("NS_GET_PARENT of a child namespace: %s, want its parent",
		       ltp_errname(errno));
	}
	ASSERT_EQ(0, fstat(self->ctx.home, &st_home));
	ASSERT_EQ(0, fstat(self->child, &st_child));
	ASSERT_EQ(0, fstat(pfd, &st_parent));
	EXPECT_EQ(st_home.st_ino, st_parent.st_ino);
	EXPECT_EQ(st_home.st_dev, st_parent.st_dev);
	EXPECT_NE(st_child.st_ino, st_parent.st_ino);
	ASSERT_EQ(0, xns_fd_ns_id(self->ctx.home, &home_id));
	ASSERT_EQ(0, xns_fd_ns_id(pfd, &parent_id));
	EXPECT_EQ(home_id, parent_id);
	EXPECT_EQ(variant->nstype, ioctl(pfd, NS_GET_NSTYPE));
	close(pfd);

	ret = xns_run_child(ltp_pid_reference_fn, &h);
	EXPECT_EQ(0, ret) {
		TH_LOG("PID reference: helper exit status %d", ret);
	}
}

/*
 * ioctl_ns03: NS_GET_OWNER_UID of a namespace that is not a user
 * namespace (its own, a child, the initial one): EINVAL, the uid not
 * written.  The owning user namespace answers (uid 0).
 */
TEST_F(ltp, ioctl_ns03_owner_uid)
{
	static const char *const whats[] = {
		"NS_GET_OWNER_UID of its own namespace",
		"NS_GET_OWNER_UID of a child namespace",
		"NS_GET_OWNER_UID of the initial namespace",
	};
	uid_t uid = 4242;
	int fds[3], i, ufd;

	ltp_begin(_metadata, self, variant);
	fds[0] = self->ctx.home;
	fds[1] = self->child;
	fds[2] = self->init;
	for (i = 0; i < 3; i++)
		EXPECT_ROW(ltp_ioctl_fails(&self->ctx, fds[i], NS_GET_OWNER_UID,
					   EINVAL, whats[i]));

	ufd = ioctl(self->ctx.home, NS_GET_USERNS);
	ASSERT_LE(0, ufd) {
		TH_LOG("NS_GET_USERNS: %m");
	}
	EXPECT_EQ(0, ioctl(ufd, NS_GET_OWNER_UID, &uid));
	EXPECT_EQ((uid_t)0, uid);
	close(ufd);
}

/* Helper: NS_GET_USERNS from a new user namespace. */
static int ltp_userns_owner_fn(__always_unused struct xns_child *c,
			       void *arg)
{
	const struct ltp_helper *h = arg;
	const struct ltp_ctx *ctx = &h->self->ctx;

	ltp_child_enter_userns();
	CHILD_ROW(ltp_ioctl_fails(ctx, ctx->home, NS_GET_USERNS, EPERM,
				  "NS_GET_USERNS of its namespace, from a new userns"));
	CHILD_ROW(ltp_ioctl_fails(ctx, h->self->child, NS_GET_USERNS, EPERM,
				  "NS_GET_USERNS of a child namespace, from a new userns"));
	CHILD_ROW(ltp_ioctl_fails(ctx, h->self->init, NS_GET_USERNS, EPERM,
				  "NS_GET_USERNS of the initial namespace, from a new userns"));
	return 0;
}

/*
 * ioctl_ns04: NS_GET_USERNS fails with EPERM when the owner is out of the
 * caller's scope: LTP's own row, the initial user namespace (which has no
 * owner), as the reference; and the type's namespaces, owned by the
 * initial user namespace, asked from a new user namespace.  From the
 * initial user namespace they give it.
 */
TEST_F(ltp, ioctl_ns04_userns_out_of_scope)
{
	struct ltp_helper h = { .self = self };
	struct stat st_user, st;
	int fds[3], i, fd, ufd, ret;

	ltp_begin(_metadata, self, variant);
	fd = ltp_open_ns(0, "user");
	ASSERT_LE(0, fd) {
		TH_LOG("open /proc/self/ns/user: %s", strerror(-fd));
	}
	EXPECT_ROW(ltp_ioctl_fails(&self->ctx, fd, NS_GET_USERNS, EPERM,
				   "user: NS_GET_USERNS of the initial user namespace"));
	ASSERT_EQ(0, fstat(fd, &st_user));
	close(fd);

	fds[0] = self->ctx.home;
	fds[1] = self->child;
	fds[2] = self->init;
	for (i = 0; i < 3; i++) {
		ufd = ioctl(fds[i], NS_GET_USERNS);
		ASSERT_LE(0, ufd) {
			TH_LOG("NS_GET_USERNS of namespace %d: %m", i);
		}
		ASSERT_EQ(0, fstat(ufd, &st));
		EXPECT_EQ(st_user.st_ino, st.st_ino);
		close(ufd);
	}

	ret = xns_run_child(ltp_userns_owner_fn, &h);
	EXPECT_EQ(0, ret) {
		TH_LOG("helper exit status %d", ret);
	}
}

/*
 * Helper: as root of a new user namespace, in a new namespace of the type
 * it made; reports and stays.
 */
static int ltp_userns_child_fn(struct xns_child *c, void *arg)
{
	const struct ltp_ctx *ctx = arg;
	const char *name = ctx->variant->name;
	struct stat st_user, st_owner;
	int err, fd, ufd;

	ltp_child_enter_userns();
	err = ltp_enter_new(ctx->variant);
	xns_child_check(!err, "%s: a new namespace as root of a new user namespace: %s",
			name, strerror(-err));
	fd = ltp_open_ns(0, name);
	xns_child_check(fd >= 0, "open /proc/self/ns/%s: %s", name,
			strerror(-fd));
	ufd = ioctl(fd, NS_GET_USERNS);
	xns_child_check(ufd >= 0, "%s: NS_GET_USERNS of the namespace it made: %m",
			name);
	xns_child_check(!stat("/proc/self/ns/user", &st_user) &&
			!fstat(ufd, &st_owner), "stat: %m");
	xns_child_check(st_user.st_ino == st_owner.st_ino,
			"%s: the namespace it made is owned by %lu, not its user namespace %lu",
			name, (unsigned long)st_owner.st_ino,
			(unsigned long)st_user.st_ino);
	close(ufd);
	close(fd);
	if (xns_send(c->rep, &err, sizeof(err)))
		return 1;
	xns_child_hold(c);
	return 0;
}

/*
 * ioctl_ns06: NS_GET_USERNS of a namespace made by root of a new user
 * namespace (created as uid 65534) gives that user namespace, seen from
 * outside too: the same inode and NS_GET_ID as /proc/<pid>/ns/user, a
 * user namespace (NS_GET_NSTYPE) owned by uid 65534.  LTP's own row
 * beside it: NS_GET_USERNS of that user namespace gives ours.
 */
TEST_F(ltp, ioctl_ns06_userns_of_child)
{
	struct stat st_user, st_kid_user, st;
	__u64 kid_user_id = 0, id = 0;
	uid_t uid = 4242;
	int err = -1, fd, ufd, kfd, ret;
	char path[64];

	ltp_begin(_metadata, self, variant);
	ret = xns_child_start(&self->kid, ltp_userns_child_fn, &self->ctx);
	ASSERT_EQ(0, ret);
	ret = xns_child_recv(&self->kid, &err, sizeof(err));
	ASSERT_EQ(0, ret) {
		TH_LOG("the helper died before reporting: status %d",
		       xns_child_reap(&self->kid));
	}
	ASSERT_EQ(0, err);

	ASSERT_EQ(0, stat("/proc/self/ns/user", &st_user));
	snprintf(path, sizeof(path), "/proc/%d/ns/user", self->kid.pid);
	ASSERT_EQ(0, stat(path, &st_kid_user));
	ASSERT_NE(st_user.st_ino, st_kid_user.st_ino);
	ASSERT_EQ(0, xns_path_ns_id(path, &kid_user_id));

	fd = ltp_open_ns(self->kid.pid, variant->name);
	ASSERT_LE(0, fd) {
		TH_LOG("open /proc/%d/ns/%s: %s", self->kid.pid, variant->name,
		       strerror(-fd));
	}
	ufd = ioctl(fd, NS_GET_USERNS);
	ASSERT_LE(0, ufd) {
		TH_LOG("NS_GET_USERNS of a namespace made in a new user namespace: %m");
	}
	ASSERT_EQ(0, fstat(ufd, &st));
	EXPECT_EQ(st_kid_user.st_ino, st.st_ino);
	EXPECT_EQ(0, xns_fd_ns_id(ufd, &id));
	EXPECT_EQ(kid_user_id, id);
	EXPECT_EQ(CLONE_NEWUSER, ioctl(ufd, NS_GET_NSTYPE));
	EXPECT_EQ(0, ioctl(ufd, NS_GET_OWNER_UID, &uid));
	EXPECT_EQ((uid_t)XNS_NOBODY, uid);
	close(ufd);
	close(fd);

	kfd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, kfd);
	ufd = ioctl(kfd, NS_GET_USERNS);
	ASSERT_LE(0, ufd) {
		TH_LOG("user: NS_GET_USERNS of a child user namespace: %m");
	}
	ASSERT_EQ(0, fstat(ufd, &st));
	EXPECT_EQ(st_user.st_ino, st.st_ino);
	close(ufd);
	close(kfd);
	EXPECT_EQ(0, xns_child_stop(&self->kid));
}

/* The nsfs ioctls, as LTP's ioctl_ns07 and xns_ns_test use them. */
static const struct {
	unsigned long cmd;
	const char *name;
} ltp_nsfs_cmds[] = {
	{ NS_GET_USERNS, "NS_GET_USERNS" },
	{ NS_GET_PARENT, "NS_GET_PARENT" },
	{ NS_GET_NSTYPE, "NS_GET_NSTYPE" },
	{ NS_GET_OWNER_UID, "NS_GET_OWNER_UID" },
	{ NS_GET_ID, "NS_GET_ID" },
	{ NS_CREATE_CHILD, "NS_CREATE_CHILD" },
};

/*
 * ioctl_ns07: the nsfs ioctls on files that are no namespace files (LTP's
 * directory; a regular file, both ends of a pipe, /dev/null and the
 * type's own file that is no namespace): ENOTTY, nothing opened or
 * written.
 */
TEST_F(ltp, ioctl_ns07_not_a_namespace)
{
	char path[] = "/tmp/xns-errno-XXXXXX";
	struct {
		int fd;
		const char *what;
	} files[6];
	unsigned int i, j;
	int pipefd[2];
	char what[128];

	ltp_begin(_metadata, self, variant);
	files[0].fd = open("/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	files[0].what = "the directory /tmp";
	files[1].fd = mkstemp(path);
	files[1].what = "an unlinked regular file";
	ASSERT_LE(0, files[1].fd) {
		TH_LOG("mkstemp %s: %m", path);
	}
	unlink(path);
	ASSERT_EQ(0, pipe2(pipefd, O_CLOEXEC));
	files[2].fd = pipefd[0];
	files[2].what = "the read end of a pipe";
	files[3].fd = pipefd[1];
	files[3].what = "the write end of a pipe";
	files[4].fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	files[4].what = "/dev/null";
	files[5].fd = open(variant->other_file, O_RDONLY | O_CLOEXEC);
	files[5].what = variant->other_file;
	for (i = 0; i < ARRAY_SIZE(files); i++) {
		ASSERT_LE(0, files[i].fd) {
			TH_LOG("open %s: %m", files[i].what);
		}
		for (j = 0; j < ARRAY_SIZE(ltp_nsfs_cmds); j++) {
			snprintf(what, sizeof(what), "%s of %s",
				 ltp_nsfs_cmds[j].name, files[i].what);
			EXPECT_ROW(ltp_ioctl_fails(&self->ctx, files[i].fd,
						   ltp_nsfs_cmds[j].cmd, ENOTTY,
						   what));
		}
	}
	for (i = 0; i < ARRAY_SIZE(files); i++)
		close(files[i].fd);
}

/*
 * ioctl_ns07's requests on the type's namespace files instead: NS_GET_NSTYPE
 * gives the type's nstype for its own, a child and the initial namespace;
 * NS_GET_ID gives one id per namespace, the one the type reports (xns,
 * counter), fixed for the initial UTS namespace, above the built-in ones
 * for the module types; the inode is the one in the /proc link.
 */
TEST_F(ltp, nsfs_nstype_and_id)
{
	struct ns_counter_info cinfo;
	__u64 home_id = 0, child_id = 0, init_id = 0, again = 0;
	struct xns_info info;
	char link[LTP_LINK_MAX], want[LTP_LINK_MAX];
	struct stat st;
	int fd;

	ltp_begin(_metadata, self, variant);
	EXPECT_EQ(variant->nstype, ioctl(self->ctx.home, NS_GET_NSTYPE));
	EXPECT_EQ(variant->nstype, ioctl(self->child, NS_GET_NSTYPE));
	EXPECT_EQ(variant->nstype, ioctl(self->init, NS_GET_NSTYPE));

	ASSERT_EQ(0, xns_fd_ns_id(self->ctx.home, &home_id));
	ASSERT_EQ(0, xns_fd_ns_id(self->child, &child_id));
	ASSERT_EQ(0, xns_fd_ns_id(self->init, &init_id));
	EXPECT_NE(home_id, child_id);
	fd = ltp_open_ns(0, variant->name);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, xns_fd_ns_id(fd, &again));
	close(fd);
	EXPECT_EQ(home_id, again);
	EXPECT_TRUE(variant->kind == LTP_UTS ? init_id == LTP_UTS_INIT_ID :
		    init_id > XNS_LAST_INIT_NS_ID) {
		TH_LOG("the initial namespace has the id %llu",
		       (unsigned long long)init_id);
	}
	if (variant->kind == LTP_XNS) {
		ASSERT_EQ(0, xns_get_info(self->ctx.devfd, &info));
		EXPECT_EQ(info.ns_id, home_id);
	} else if (variant->kind == LTP_COUNTER) {
		memset(&cinfo, 0, sizeof(cinfo));
		ASSERT_EQ(0, xns_ioctl(self->ctx.devfd, NS_COUNTER_IOC_GET, &cinfo));
		EXPECT_EQ(cinfo.ns_id, home_id);
	}

	ASSERT_EQ(0, fstat(self->ctx.home, &st));
	ASSERT_EQ(0, ltp_self_link(variant->name, link));
	snprintf(want, sizeof(want), "%s:[%lu]", variant->name,
		 (unsigned long)st.st_ino);
	EXPECT_STREQ(want, link);
}

/*
 * Commands nsfs does not have: ENOTTY, also for a known number with
 * another size or direction and for other drivers' commands; the commands
 * of other types (PID, mount namespaces): EINVAL.  On the type's own and
 * on a child namespace, nothing opened or written.
 */
TEST_F(ltp, nsfs_unknown_ioctl)
{
	static const struct {
		unsigned long cmd;
		int want;
		const char *name;
	} cmds[] = {
		{ _IO(NSIO, 0x0), ENOTTY, "_IO(NSIO, 0)" },
		{ _IO(NSIO, 0xe), ENOTTY, "_IO(NSIO, 14)" },
		{ _IO(NSIO, 0x1f), ENOTTY, "_IO(NSIO, 0x1f)" },
		{ _IO(NSIO, 0x21), ENOTTY, "_IO(NSIO, 0x21)" },
		{ _IO(NSIO, 0xff), ENOTTY, "_IO(NSIO, 0xff)" },
		{ _IO(NSIO, 13), ENOTTY, "NS_GET_ID without its argument" },
		{ _IOR(NSIO, 13, __u32), ENOTTY, "NS_GET_ID with 4 bytes" },
		{ _IOW(NSIO, 0x3, int), ENOTTY, "NS_GET_NSTYPE with an argument" },
		{ _IOR(NSIO, 0x20, int), ENOTTY, "NS_CREATE_CHILD with an argument" },
		{ _IOC(_IOC_READ, NSIO, 10, 8), ENOTTY,
		  "NS_MNT_GET_INFO smaller than its first version" },
		{ XNS_IOC_GET_INFO, ENOTTY, "XNS_IOC_GET_INFO" },
		{ NS_COUNTER_IOC_GET, ENOTTY, "NS_COUNTER_IOC_GET" },
		{ NS_GET_PID_FROM_PIDNS, EINVAL, "NS_GET_PID_FROM_PIDNS" },
		{ NS_GET_TGID_FROM_PIDNS, EINVAL, "NS_GET_TGID_FROM_PIDNS" },
		{ NS_GET_PID_IN_PIDNS, EINVAL, "NS_GET_PID_IN_PIDNS" },
		{ NS_GET_TGID_IN_PIDNS, EINVAL, "NS_GET_TGID_IN_PIDNS" },
		{ NS_GET_MNTNS_ID, EINVAL, "NS_GET_MNTNS_ID" },
		{ NS_MNT_GET_INFO, EINVAL, "NS_MNT_GET_INFO" },
		{ NS_MNT_GET_NEXT, EINVAL, "NS_MNT_GET_NEXT" },
		{ NS_MNT_GET_PREV, EINVAL, "NS_MNT_GET_PREV" },
	};
	char what[128];
	unsigned int i;

	ltp_begin(_metadata, self, variant);
	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		snprintf(what, sizeof(what), "%s of its own namespace",
			 cmds[i].name);
		EXPECT_ROW(ltp_ioctl_fails(&self->ctx, self->ctx.home,
					   cmds[i].cmd, cmds[i].want, what));
		snprintf(what, sizeof(what), "%s of a child namespace",
			 cmds[i].name);
		EXPECT_ROW(ltp_ioctl_fails(&self->ctx, self->child, cmds[i].cmd,
					   cmds[i].want, what));
	}
}

TEST_HARNESS_MAIN
