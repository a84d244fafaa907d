// SPDX-License-Identifier: GPL-2.0
/*
 * Allocation failures in every xns entry point: each call runs once with
 * every slab allocation failing (failslab for this thread, make-it-fail),
 * then with its 1st, 2nd, 3rd, ... allocation failing (fail-nth), until it
 * runs with none failing.  A call whose allocation failed must fail with
 * ENOMEM (or succeed, where the kernel falls back: kvrealloc() retries a
 * failed krealloc(), so one failure alone never fails a growing label
 * table) and leave everything observable as it was; kmemleak, which make
 * check's debug kernel scans after the run, finds what it leaked.
 *
 * The kernel's generic entry points get the same for xns namespaces:
 * listns(2), name_to_handle_at() and open_by_handle_at() of nsfs file
 * handles, and loading a module that provides a namespace type (xns
 * itself, unloaded for it and loaded again after, and the counter sample).
 *
 * Needs CONFIG_FAILSLAB and CONFIG_FAULT_INJECTION_DEBUG_FS (make check's
 * debug kernel, configs/debug.config).  Elsewhere it skips, unless
 * XNS_REQUIRE_FAULT_INJECTION=1 says the kernel must have them.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "../../../../samples/rust/ns_counter.h"
#include "xns_util.h"
#include "kselftest_harness.h"
#include "xns_harness.h"

#define FAIL_NTH		"/proc/thread-self/fail-nth"
#define MAKE_IT_FAIL		"/proc/thread-self/make-it-fail"
#define FAILSLAB_DIR		"/sys/kernel/debug/failslab"
/* More allocations than any entry point makes: a loop that does not end. */
#define FAULT_MAX_POINTS	200U

/* Counts that a failed call must leave as they were (refs_take()). */
struct fault_refs {
	int nr_fds;		/* open in this process */
	long refcnt;		/* of the xns module */
	__u32 nr_live;		/* xns namespaces */
};

struct fault_state;
struct fault_list;
struct fault_handle;
struct fault_module;

static void list_free(struct fault_list *l);
static void handle_free(struct fault_handle *h);

/* A call: 0 or -errno. */
typedef int (*fault_call)(struct fault_state *st);

/* What a test and its calls share. */
struct fault_state {
	int devfd;
	int nth_fd;		/* this thread's fail-nth */
	int all_fd;		/* and its make-it-fail */
	int orig_fd;		/* the xns the test started in */
	int child_fd;		/* a child of it, for setns() */
	__u32 orig_inum;
	__u32 nr_live;
	__u32 nr_labels;
	int want;		/* errno of a failed call; 0: ENOMEM */
	unsigned int max_points; /* 0: FAULT_MAX_POINTS */
	fault_call prepare;	/* before each call, failing nothing; or NULL */
	unsigned int points;	/* allocations failed, the call with @want */
	unsigned int recovered;	/* allocations failed, the call succeeded */
	unsigned int all_failed; /* calls with every allocation failing: @want */
	bool reported;		/* the test logged the counts itself */
	struct fault_list *list;	/* of the listns() cases */
	struct fault_handle *handle;	/* of the file handle cases */
	const struct fault_module *mod;	/* of the module load cases */
	int mod_fd;		/* the module file */
	unsigned long module_code;	/* modules lie above; 0: no filter */
	struct fault_refs refs;	/* before the calls (refs_take()) */
};

/* After a failed call: whether everything is as it was. */
typedef bool (*fault_check)(struct fault_state *st);

FIXTURE(fault) {
	struct fault_state st;
};

static bool fault_injection_required(void)
{
	const char *v = getenv("XNS_REQUIRE_FAULT_INJECTION");

	return v && !strcmp(v, "1");
}

/*
 * Open this thread's fail-nth and make-it-fail and set failslab up; -1
 * after SKIP() where the kernel has no fault injection.
 */
static int fault_setup_injection(struct __test_metadata *_metadata,
				 struct fault_state *st)
{
	st->nth_fd = open(FAIL_NTH, O_RDWR | O_CLOEXEC);
	if (st->nth_fd < 0) {
		ASSERT_FALSE(fault_injection_required()) {
			TH_LOG("%s: %s, and XNS_REQUIRE_FAULT_INJECTION=1",
			       FAIL_NTH, strerror(errno));
		}
		SKIP(return -1, "%s: %s: no fault injection in this kernel",
		     FAIL_NTH, strerror(errno));
	}
	/*
	 * Fail GFP_KERNEL allocations too (by default failslab leaves alone
	 * every allocation that may reclaim), and print nothing: the stack
	 * trace of each injected failure would read as a kernel splat.
	 */
	ASSERT_EQ(0, xns_write_file(FAILSLAB_DIR "/ignore-gfp-wait", "N"));
	ASSERT_EQ(0, xns_write_file(FAILSLAB_DIR "/verbose", "0"));
	/* Every allocation fails, but only for a task with make-it-fail set. */
	ASSERT_EQ(0, xns_write_file(FAILSLAB_DIR "/task-filter", "Y"));
	ASSERT_EQ(0, xns_write_file(FAILSLAB_DIR "/interval", "1"));
	ASSERT_EQ(0, xns_write_file(FAILSLAB_DIR "/times", "-1"));
	ASSERT_EQ(0, xns_write_file(FAILSLAB_DIR "/probability", "100"));
	/* Open now: with make-it-fail set, opening it would fail too. */
	st->all_fd = open(MAKE_IT_FAIL, O_RDWR | O_CLOEXEC);
	ASSERT_GE(st->all_fd, 0);
	return 0;
}

FIXTURE_SETUP(fault)
{
	struct fault_state *st = &self->st;

	st->nth_fd = -1;
	st->all_fd = -1;
	st->orig_fd = -1;
	st->child_fd = -1;
	st->devfd = xns_setup_dev(_metadata);
	if (st->devfd < 0)
		return;
	if (fault_setup_injection(_metadata, st))
		return;
	st->orig_fd = xns_open_ns(0);
	ASSERT_GE(st->orig_fd, 0);
	ASSERT_EQ(0, xns_self_inum(&st->orig_inum));
	ASSERT_EQ(0, xns_nr_live(st->devfd, &st->nr_live));
	/* The label calls work on a namespace of their own. */
	ASSERT_EQ(0, xns_unshare());
	ASSERT_EQ(0, xns_label_set(st->devfd, "kept", "value"));
	st->nr_labels = 1;
}

FIXTURE_TEARDOWN(fault)
{
	struct fault_state *st = &self->st;

	if (st->nth_fd >= 0) {
		if (!st->reported) {
			TH_LOG("single failures: %u calls failed with ENOMEM, %u recovered",
			       st->points, st->recovered);
			TH_LOG("every allocation failing: %u calls failed with ENOMEM",
			       st->all_failed);
		}
		close(st->nth_fd);
	}
	if (st->all_fd >= 0) {
		xns_write_file(FAILSLAB_DIR "/probability", "0");
		close(st->all_fd);
	}
	list_free(st->list);
	handle_free(st->handle);
	if (st->child_fd >= 0)
		close(st->child_fd);
	if (st->orig_fd >= 0)
		close(st->orig_fd);
	if (st->devfd >= 0)
		close(st->devfd);
}

/* Make this thread's @n-th fault point from now on fail. */
static int fault_arm(int nth_fd, unsigned int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", n);

	return pwrite(nth_fd, buf, len, 0) == len ? 0 : -errno;
}

/*
 * After the call: 1 if the armed failure happened, 0 if the call made
 * fewer allocations (the counter is then reset).  fail-nth is read and
 * written through a buffer on the kernel's stack, allocating nothing.
 */
static int fault_fired(int nth_fd)
{
	char buf[16] = "";

	if (pread(nth_fd, buf, sizeof(buf) - 1, 0) <= 0)
		return -errno;
	if (atoi(buf) == 0)
		return 1;
	return pwrite(nth_fd, "0", 1, 0) == 1 ? 0 : -errno;
}

/* @call with every slab allocation of this thread failing. */
static int fault_every(struct fault_state *st, fault_call call)
{
	int ret;

	if (pwrite(st->all_fd, "1", 1, 0) != 1)
		return -EIO;
	ret = call(st);
	if (pwrite(st->all_fd, "0", 1, 0) != 1)
		return -EIO;
	return ret;
}

/*
 * Run @call with every allocation failing, then with its 1st, 2nd, ...
 * allocation failing until it makes no more.  A failed call must give
 * ENOMEM and leave @unchanged true; a call that succeeded (with or
 * without a failed allocation) is undone by @undo (NULL if it changes
 * nothing).
 */
static void fault_loop(struct __test_metadata *_metadata,
		       struct fault_state *st, fault_call call,
		       fault_check unchanged, fault_call undo)
{
	unsigned int n, max = st->max_points ?: FAULT_MAX_POINTS;
	int want = st->want ?: ENOMEM;
	int ret, fired;

	if (st->prepare)
		ASSERT_EQ(0, st->prepare(st));
	ret = fault_every(st, call);
	ASSERT_NE(-EIO, ret);
	if (ret) {
		ASSERT_EQ(-want, ret) {
			TH_LOG("with every allocation failing: %s",
			       strerror(-ret));
		}
		st->all_failed++;
		ASSERT_TRUE(unchanged(st)) {
			TH_LOG("every allocation failed and changed the state");
		}
	} else if (undo) {
		ASSERT_EQ(0, undo(st));
	}

	for (n = 1; n <= max; n++) {
		if (st->prepare)
			ASSERT_EQ(0, st->prepare(st));
		ASSERT_EQ(0, fault_arm(st->nth_fd, n));
		ret = call(st);
		fired = fault_fired(st->nth_fd);
		ASSERT_GE(fired, 0);
		if (!ret) {
			if (undo)
				ASSERT_EQ(0, undo(st));
			if (!fired)
				break;
			st->recovered++;
			continue;
		}
		ASSERT_TRUE(fired) {
			TH_LOG("failed without a failed allocation: %s",
			       strerror(-ret));
		}
		ASSERT_EQ(-want, ret) {
			TH_LOG("with allocation %u failing: %s", n,
			       strerror(-ret));
		}
		st->points++;
		ASSERT_TRUE(unchanged(st)) {
			TH_LOG("allocation %u failed and changed the state", n);
		}
	}
	ASSERT_LE(n, max);
}

static const char *errno_name(int err)
{
	switch (err) {
	case ENOMEM:
		return "ENOMEM";
	case EFAULT:
		return "EFAULT";
	}
	return strerror(err);
}

/*
 * Log what the fault_loop()s since the last report exercised, as @what,
 * and count from 0 again.
 */
static void fault_report(struct __test_metadata *_metadata,
			 struct fault_state *st, const char *what)
{
	const char *err = errno_name(st->want ?: ENOMEM);

	TH_LOG("%s: single failures: %u calls failed with %s, %u recovered",
	       what, st->points, err, st->recovered);
	TH_LOG("%s: every allocation failing: %u calls failed with %s", what,
	       st->all_failed, err);
	st->points = 0;
	st->recovered = 0;
	st->all_failed = 0;
	st->reported = true;
}

/* For the checks: print why the state is not as it was, and say so. */
static __printf(1, 2) bool fault_changed(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "# changed: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return false;
}

static bool labels_are(struct fault_state *st, const char *key,
		       const char *value)
{
	char got[XNS_LABEL_VALUE_MAX];
	__u32 count = 0;
	int ret;

	if (xns_label_count(st->devfd, &count) || count != st->nr_labels)
		return false;
	ret = xns_label_get(st->devfd, key, got, sizeof(got));
	if (!value)
		return ret == -ENOENT;
	return !ret && !strcmp(got, value);
}

static int set_new(struct fault_state *st)
{
	return xns_label_set(st->devfd, "new", "value");
}

static bool new_is_absent(struct fault_state *st)
{
	return labels_are(st, "new", NULL) && labels_are(st, "kept", "value");
}

static int del_new(struct fault_state *st)
{
	return xns_label_del(st->devfd, "new");
}

TEST_F(fault, label_set_new)
{
	struct fault_state *st = &self->st;
	char key[16];
	int i;

	/*
	 * The table grows by doubling: adding to 1 to 7 labels grows it three
	 * times, each within kmalloc.  (At 8 the next size, 16 labels, is over
	 * a page: kvmalloc() falls back to vmalloc(), whose failure warns with
	 * a stack trace, which the runner would take for a kernel splat.)
	 */
	for (i = 0; i < 7; i++) {
		fault_loop(_metadata, st, set_new, new_is_absent, del_new);
		snprintf(key, sizeof(key), "fill%d", i);
		ASSERT_EQ(0, xns_label_set(st->devfd, key, "value"));
		st->nr_labels++;
	}
	EXPECT_NE(0U, st->all_failed) {
		TH_LOG("no set failed: the table never had to grow");
	}
}

static int replace_kept(struct fault_state *st)
{
	return xns_label_set(st->devfd, "kept", "replaced");
}

static bool kept_is_old(struct fault_state *st)
{
	return labels_are(st, "kept", "value");
}

static int restore_kept(struct fault_state *st)
{
	return xns_label_set(st->devfd, "kept", "value");
}

TEST_F(fault, label_set_replace)
{
	fault_loop(_metadata, &self->st, replace_kept, kept_is_old,
		   restore_kept);
}

static int del_kept(struct fault_state *st)
{
	return xns_label_del(st->devfd, "kept");
}

TEST_F(fault, label_del)
{
	fault_loop(_metadata, &self->st, del_kept, kept_is_old, restore_kept);
}

static int get_kept(struct fault_state *st)
{
	char value[XNS_LABEL_VALUE_MAX];

	return xns_label_get(st->devfd, "kept", value, sizeof(value));
}

TEST_F(fault, label_get)
{
	fault_loop(_metadata, &self->st, get_kept, kept_is_old, NULL);
}

static int list_labels(struct fault_state *st)
{
	static char keys[4][XNS_LABEL_KEY_MAX];
	__u32 count = 4;

	return xns_label_list(st->devfd, keys, &count);
}

TEST_F(fault, label_list)
{
	fault_loop(_metadata, &self->st, list_labels, kept_is_old, NULL);
	EXPECT_NE(0U, self->st.points + self->st.all_failed);
}

/* NS_CREATE_CHILD alone; closing the child's file drops the child. */
static int create(struct fault_state *st)
{
	int fd = xns_create_child(st->orig_fd);

	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

/* Create a namespace and enter it; going back to the test's own drops it. */
static int create_enter(__always_unused struct fault_state *st)
{
	return xns_unshare();
}

static int back_home(struct fault_state *st)
{
	return xns_setns(st->orig_fd, 0);
}

static bool at_home(struct fault_state *st)
{
	__u32 inum = 0;

	return !xns_self_inum(&inum) && inum == st->orig_inum;
}

/* Back to as many live namespaces as before the test: none leaked. */
static void expect_all_freed(struct __test_metadata *_metadata,
			     struct fault_state *st)
{
	__u32 seen = 0;

	EXPECT_EQ(0, xns_wait_nr_live(st->devfd, st->nr_live, XNS_SETTLE_MS,
				      &seen)) {
		TH_LOG("nr_live %u, want %u", seen, st->nr_live);
	}
}

TEST_F(fault, create)
{
	struct fault_state *st = &self->st;

	/* Leaving the set-up's namespace frees it: it has no other user. */
	ASSERT_EQ(0, back_home(st));
	fault_loop(_metadata, st, create, at_home, NULL);
	EXPECT_NE(0U, st->points + st->all_failed);
	/* So is every namespace that a failed create made, or a file left. */
	expect_all_freed(_metadata, st);
}

TEST_F(fault, create_enter)
{
	struct fault_state *st = &self->st;

	ASSERT_EQ(0, back_home(st));
	fault_loop(_metadata, st, create_enter, at_home, back_home);
	EXPECT_NE(0U, st->points + st->all_failed);
	expect_all_freed(_metadata, st);
}

static int enter_child(struct fault_state *st)
{
	return xns_setns(st->child_fd, XNS_NS_TYPE);
}

TEST_F(fault, setns)
{
	struct fault_state *st = &self->st;

	st->child_fd = xns_open_ns(0);
	ASSERT_GE(st->child_fd, 0);
	ASSERT_EQ(0, back_home(st));
	fault_loop(_metadata, st, enter_child, at_home, back_home);
	EXPECT_NE(0U, st->points + st->all_failed);
}

static int open_link(__always_unused struct fault_state *st)
{
	int fd = xns_open_ns(0);

	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

TEST_F(fault, proc_open)
{
	fault_loop(_metadata, &self->st, open_link, kept_is_old, NULL);
	EXPECT_NE(0U, self->st.points + self->st.all_failed);
}

static int read_link(__always_unused struct fault_state *st)
{
	char buf[64];

	return xns_readlink(XNS_SELF_LINK, buf, sizeof(buf));
}

TEST_F(fault, proc_readlink)
{
	fault_loop(_metadata, &self->st, read_link, kept_is_old, NULL);
}

/*
 * What a failed call must leave as it was, beyond what it is about
 * (struct fault_refs): the open fds, the references to the xns module (a
 * namespace listed or opened pins it) and the live namespaces.
 */
static int nr_open_fds(void)
{
	struct dirent *de;
	DIR *dir;
	int nr = 0;

	dir = opendir("/proc/self/fd");
	if (!dir)
		return -errno;
	while ((de = readdir(dir)))
		nr += de->d_name[0] != '.';
	closedir(dir);
	return nr;
}

static long xns_refcnt(void)
{
	char buf[32];

	if (xns_read_file(XNS_SYSFS_DIR "/refcnt", buf, sizeof(buf)))
		return -1;
	return strtol(buf, NULL, 10);
}

static int refs_take(struct fault_state *st, struct fault_refs *r)
{
	r->nr_fds = nr_open_fds();
	r->refcnt = xns_refcnt();
	if (r->nr_fds < 0 || r->refcnt < 0)
		return -EIO;
	return xns_nr_live(st->devfd, &r->nr_live);
}

static bool refs_unchanged(struct fault_state *st)
{
	struct fault_refs now;

	if (refs_take(st, &now))
		return fault_changed("cannot read the fds, refcnt or nr_live");
	if (now.nr_fds != st->refs.nr_fds || now.refcnt != st->refs.refcnt ||
	    now.nr_live != st->refs.nr_live)
		return fault_changed("%d fds, xns refcnt %ld, nr_live %u; before %d, %ld, %u",
				     now.nr_fds, now.refcnt, now.nr_live,
				     st->refs.nr_fds, st->refs.refcnt,
				     st->refs.nr_live);
	return true;
}

/* Back in the initial xns, the set-up's namespace freed: references then. */
static void refs_start(struct __test_metadata *_metadata,
		       struct fault_state *st, long *refcnt)
{
	ASSERT_EQ(0, back_home(st));
	expect_all_freed(_metadata, st);
	*refcnt = xns_refcnt();
	ASSERT_LE(0, *refcnt);
}

/* The xns module's references back to @want: nothing kept a namespace. */
static void expect_refcnt(struct __test_metadata *_metadata, long want)
{
	unsigned int waited = 0;
	long seen;

	while ((seen = xns_refcnt()) != want && waited < XNS_SETTLE_MS) {
		xns_msleep(10);
		waited += 10;
	}
	EXPECT_EQ(want, seen) {
		TH_LOG("xns refcnt %ld, want %ld", seen, want);
	}
}

/*
 * listns(2) makes no allocation of its own: the ids go to the caller's
 * buffer with put_user() one by one, each namespace pinned (a reference
 * and its module) while its id is written.  Writing to a page that was
 * never faulted in allocates in the page fault (the anon_vma of the
 * mapping); failing, the fault fails and so does listns(), with EFAULT,
 * and it must drop the namespace it held.  The buffer is laid out for
 * that to be the new child, kept by nothing but its file: the shared page
 * before it is faulted in once, the private page is new for every call.
 */
struct fault_list {
	__u32 ns_type;
	__u64 user_ns_id;
	__u64 id;		/* the child's, the first id on the new page */
	bool touch;		/* fault the new page in before the call */
	long page;
	char *area;		/* shared page, new private page, guard page */
	__u64 *buf;
	size_t nr;
	ssize_t got;
	struct xns_ids base;	/* what listns() listed before */
	struct xns_ids now;
};

static void list_free(struct fault_list *l)
{
	if (!l)
		return;
	if (l->area)
		munmap(l->area, 3 * l->page);
	free(l);
}

static int list_prepare(struct fault_state *st)
{
	struct fault_list *l = st->list;
	char *fresh = l->area + l->page;

	/* MAP_FIXED replaces the page of the last call, anon_vma and all. */
	if (mmap(fresh, l->page, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != fresh)
		return -errno;
	if (l->touch)
		memset(fresh, 0, l->page);
	return 0;
}

static int list_call(struct fault_state *st)
{
	struct fault_list *l = st->list;

	l->got = xns_listns(l->ns_type, l->user_ns_id, 0, l->buf, l->nr);
	return l->got < 0 ? l->got : 0;
}

/* A call that succeeded listed what there is. */
static int list_check(struct fault_state *st)
{
	struct fault_list *l = st->list;

	if ((size_t)l->got != l->base.nr ||
	    memcmp(l->buf, l->base.id, l->got * sizeof(__u64))) {
		fault_changed("listns() listed %zd ids, want the %zu of before",
			      l->got, l->base.nr);
		return -EBADMSG;
	}
	return 0;
}

static bool list_unchanged(struct fault_state *st)
{
	struct fault_list *l = st->list;
	int ret;

	ret = xns_ids_list(l->ns_type, l->user_ns_id, &l->now);
	if (ret)
		return fault_changed("listns(): %s", strerror(-ret));
	if (!xns_ids_equal(&l->base, &l->now))
		return fault_changed("listns() lists %zu ids, %zu before",
				     l->now.nr, l->base.nr);
	return refs_unchanged(st);
}

/* Until two listings 20 ms apart agree: earlier tests' namespaces go. */
static void list_settle(struct __test_metadata *_metadata,
			struct fault_list *l)
{
	int try;

	for (try = 0; try < 50; try++) {
		xns_check_list(_metadata, l->ns_type, l->user_ns_id, &l->base);
		xns_msleep(20);
		xns_check_list(_metadata, l->ns_type, l->user_ns_id, &l->now);
		if (xns_ids_equal(&l->base, &l->now))
			return;
	}
	ASSERT_TRUE(xns_ids_equal(&l->base, &l->now)) {
		TH_LOG("listns() gives %zu, then %zu ids", l->base.nr,
		       l->now.nr);
	}
}

static void list_test(struct __test_metadata *_metadata,
		      struct fault_state *st, __u32 ns_type, bool by_owner)
{
	struct fault_list *l;
	long refcnt;
	size_t k;

	refs_start(_metadata, st, &refcnt);
	l = calloc(1, sizeof(*l));
	ASSERT_NE(NULL, l);
	st->list = l;
	l->ns_type = ns_type;
	if (by_owner)
		ASSERT_EQ(0, xns_path_ns_id("/proc/self/ns/user",
					    &l->user_ns_id));
	l->page = sysconf(_SC_PAGESIZE);
	ASSERT_LT(0, l->page);
	l->area = mmap(NULL, 3 * l->page, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, l->area) {
		l->area = NULL;
	}
	ASSERT_EQ(l->area, mmap(l->area, l->page, PROT_READ | PROT_WRITE,
				MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
	memset(l->area, 0, l->page);
	st->child_fd = xns_create_child(st->orig_fd);
	ASSERT_LE(0, st->child_fd) {
		TH_LOG("NS_CREATE_CHILD: %s", strerror(-st->child_fd));
	}
	ASSERT_EQ(0, xns_fd_ns_id(st->child_fd, &l->id));

	list_settle(_metadata, l);
	for (k = 0; k < l->base.nr && l->base.id[k] != l->id; k++)
		;
	ASSERT_LT(k, l->base.nr) {
		TH_LOG("listns(%#x, %llu) does not list the new xns %llu",
		       ns_type, (unsigned long long)l->user_ns_id,
		       (unsigned long long)l->id);
	}
	ASSERT_LE(k * sizeof(__u64), (size_t)l->page);
	l->buf = (__u64 *)(l->area + l->page) - k;
	l->nr = k + l->page / sizeof(__u64);
	ASSERT_EQ(0, refs_take(st, &st->refs));
	st->prepare = list_prepare;

	l->touch = true;
	fault_loop(_metadata, st, list_call, list_unchanged, list_check);
	fault_report(_metadata, st, "listns, the buffer faulted in");

	l->touch = false;
	st->want = EFAULT;
	fault_loop(_metadata, st, list_call, list_unchanged, list_check);
	EXPECT_NE(0U, st->points + st->all_failed);
	fault_report(_metadata, st, "listns, the buffer not faulted in");

	/* What the failed calls held when they failed goes with its file. */
	close(st->child_fd);
	st->child_fd = -1;
	expect_all_freed(_metadata, st);
	expect_refcnt(_metadata, refcnt);
}

TEST_F(fault, listns_all)
{
	list_test(_metadata, &self->st, 0, false);
}

TEST_F(fault, listns_type)
{
	list_test(_metadata, &self->st, XNS_NS_TYPE, false);
}

TEST_F(fault, listns_owner)
{
	list_test(_metadata, &self->st, 0, true);
}

/*
 * nsfs file handles of a live xns, kept by a process in it and nothing
 * else: no nsfs file of it is open, so open_by_handle_at() makes its
 * dentry and inode (path_from_stashed()) every time, and a failed open
 * must drop the reference it took.  Once the process exits the namespace
 * must be freed and its handle stale.
 */
struct fault_handle {
	struct xns_child holder;	/* the namespace's only member */
	__u64 id;
	struct xns_ns_handle full;	/* what name_to_handle_at() gave */
	struct xns_ns_handle open;	/* what the calls open */
	struct xns_ns_handle got;	/* what a call took */
	int ns_fd;			/* a file of it, for name_to_handle_at() */
	int fd;				/* what a call opened */
	long refcnt;			/* of xns, before the holder */
};

static void handle_free(struct fault_handle *h)
{
	if (!h)
		return;
	xns_child_kill(&h->holder);
	if (h->ns_fd >= 0)
		close(h->ns_fd);
	if (h->fd >= 0)
		close(h->fd);
	free(h);
}

/* A holder one level down, the handle of its xns; its file if @keep. */
static struct fault_handle *handle_setup(struct __test_metadata *_metadata,
					 struct fault_state *st, bool keep)
{
	struct xns_holder_args one = { .depth = 1 };
	struct xns_holder_report rep;
	struct fault_handle *h;
	char path[64];
	int fd, ret;

	h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	h->ns_fd = -1;
	h->fd = -1;
	xns_child_init(&h->holder);
	st->handle = h;
	refs_start(_metadata, st, &h->refcnt);
	ret = xns_holder_start(&h->holder, &one, &rep);
	if (ret) {
		TH_LOG("holder: %s", strerror(-ret));
		return NULL;
	}
	xns_pid_path(h->holder.pid, path, sizeof(path));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		TH_LOG("open %s: %m", path);
		return NULL;
	}
	ret = xns_fd_ns_id(fd, &h->id);
	if (!ret)
		xns_check_handle(_metadata, fd, path, XNS_NS_TYPE, h->id,
				 &h->full);
	if (keep)
		h->ns_fd = fd;
	else
		close(fd);
	if (ret || refs_take(st, &st->refs))
		return NULL;
	return h;
}

/* The holder exits: its namespace must be freed, its handle stale. */
static void handle_done(struct __test_metadata *_metadata,
			struct fault_state *st)
{
	struct fault_handle *h = st->handle;
	int ret;

	if (h->ns_fd >= 0) {
		close(h->ns_fd);
		h->ns_fd = -1;
	}
	ASSERT_EQ(0, xns_child_stop(&h->holder));
	expect_all_freed(_metadata, st);
	expect_refcnt(_metadata, h->refcnt);
	ret = xns_wait_stale(&h->full, XNS_SETTLE_MS);
	EXPECT_EQ(-ESTALE, ret) {
		TH_LOG("open_by_handle_at() once the holder exited: %s",
		       ret ? strerror(-ret) : "opened");
	}
}

static int name_handle(struct fault_state *st)
{
	return xns_ns_handle_get(st->handle->ns_fd, &st->handle->got);
}

static int check_name(struct fault_state *st)
{
	struct fault_handle *h = st->handle;

	if (memcmp(&h->got, &h->full, sizeof(h->got))) {
		fault_changed("name_to_handle_at() gave another handle");
		return -EBADMSG;
	}
	return 0;
}

TEST_F(fault, name_to_handle)
{
	struct fault_state *st = &self->st;

	ASSERT_NE(NULL, handle_setup(_metadata, st, true));
	fault_loop(_metadata, st, name_handle, refs_unchanged, check_name);
	EXPECT_NE(0U, st->points + st->all_failed);
	fault_report(_metadata, st, "name_to_handle_at");
	handle_done(_metadata, st);
}

static int open_handle(struct fault_state *st)
{
	struct fault_handle *h = st->handle;

	h->fd = xns_ns_handle_open(&h->open, O_RDONLY | O_CLOEXEC);
	return h->fd < 0 ? h->fd : 0;
}

/* A call that succeeded opened the namespace; closing it drops it. */
static int check_open(struct fault_state *st)
{
	struct fault_handle *h = st->handle;
	__u64 id = 0;
	int ret;

	ret = xns_fd_ns_id(h->fd, &id);
	close(h->fd);
	h->fd = -1;
	if (!ret && id != h->id)
		ret = -EBADMSG;
	if (ret)
		fault_changed("opened namespace %llu, want %llu: %s",
			      (unsigned long long)id,
			      (unsigned long long)h->id, strerror(-ret));
	return ret;
}

TEST_F(fault, open_by_handle)
{
	struct fault_state *st = &self->st;
	struct fault_handle *h = handle_setup(_metadata, st, false);

	ASSERT_NE(NULL, h);
	h->open = h->full;
	fault_loop(_metadata, st, open_handle, refs_unchanged, check_open);
	EXPECT_NE(0U, st->points + st->all_failed);
	fault_report(_metadata, st, "open_by_handle_at");
	handle_done(_metadata, st);
}

TEST_F(fault, open_by_handle_id)
{
	struct fault_state *st = &self->st;
	struct fault_handle *h = handle_setup(_metadata, st, false);

	ASSERT_NE(NULL, h);
	xns_ns_handle_id(&h->open, h->id);
	fault_loop(_metadata, st, open_handle, refs_unchanged, check_open);
	EXPECT_NE(0U, st->points + st->all_failed);
	fault_report(_metadata, st, "open_by_handle_at, id only");
	handle_done(_metadata, st);
}

/*
 * Loading a module that provides a namespace type: finit_module() with
 * each allocation of the module's own code failing in turn: its init
 * (registering the type, its initial namespace, /proc/<pid>/ns/<name>,
 * its device) and what that calls.  A failed load must leave no trace of
 * the type; a load that succeeded must give a type that works, and is
 * unloaded again.  xns is unloaded for its case, and loaded again after.
 *
 * The loader's own allocations (the file, the sections, sysfs, other
 * subsystems' notifiers) are not failed: they are the same for every
 * module, come before or after the module's code runs, and failing each
 * in turn (some 280 per module, most of them absorbed, each then a full
 * load and unload) took nine tenths of the test's time and tested the
 * loader, not a namespace type.  failslab's stack filter counts an
 * allocation only if a frame of its stack (of the 32 innermost) lies
 * above the kernel image, where x86_64 places modules;
 * module_works_unload() checks that the module did lie there.
 */
#define FAULT_MAX_LOAD_POINTS	1000U
#define KALLSYMS		"/proc/kallsyms"

/* The address just past the kernel image (_end), or 0. */
static unsigned long kernel_image_end(void)
{
	unsigned long addr, end = 0;
	char line[256], name[128], type;
	FILE *f = fopen(KALLSYMS, "re");

	if (!f)
		return 0;
	while (!end && fgets(line, sizeof(line), f))
		if (sscanf(line, "%lx %c %127s", &addr, &type, name) == 3 &&
		    !strcmp(name, "_end"))
			end = addr;
	fclose(f);
	return end;
}

/* Count only allocations with a frame above the kernel image. */
static int fault_only_module_code(struct fault_state *st)
{
	char buf[32];
	int ret;

	st->module_code = kernel_image_end();
	if (!st->module_code)
		return -ENOENT;
	snprintf(buf, sizeof(buf), "%#lx", st->module_code);
	ret = xns_write_file(FAILSLAB_DIR "/stacktrace-depth", "32");
	return ret ?: xns_write_file(FAILSLAB_DIR "/require-start", buf);
}

struct fault_module {
	const char *name;	/* as delete_module() takes it */
	const char *env;	/* names another file */
	const char *file;	/* by default */
	const char *ns_name;	/* in /proc/<pid>/ns */
	const char *dev;
	__u32 ns_type;
	xns_child_fn works;	/* in a helper process: 0 if the type works */
};

static const char *module_file(const struct fault_module *m)
{
	const char *path = getenv(m->env);

	return path && *path ? path : m->file;
}

/* Where the loaded module's code starts, or 0. */
static unsigned long module_text(const struct fault_module *m)
{
	char path[96], buf[32];

	snprintf(path, sizeof(path), "/sys/module/%s/sections/.text",
		 m->name);
	if (xns_read_file(path, buf, sizeof(buf)))
		return 0;
	return strtoul(buf, NULL, 16);
}

static bool module_loaded(const struct fault_module *m)
{
	char path[64];

	snprintf(path, sizeof(path), "/sys/module/%s", m->name);
	return !access(path, F_OK);
}

/* Unload, retrying while namespaces of the type are still going. */
static int module_unload(const struct fault_module *m)
{
	return xns_unload_module_wait(m->name, XNS_SETTLE_MS);
}

static int module_load(struct fault_state *st)
{
	return syscall(SYS_finit_module, st->mod_fd, "", 0) ? -errno : 0;
}

/* Nothing of the type: not loaded, not in /proc, no device, not listed. */
static bool module_absent(struct fault_state *st)
{
	const struct fault_module *m = st->mod;
	char path[64];
	ssize_t ret;
	__u64 id;

	if (module_loaded(m))
		return fault_changed("%s is loaded", m->name);
	snprintf(path, sizeof(path), "/proc/self/ns/%s", m->ns_name);
	if (!access(path, F_OK))
		return fault_changed("%s exists", path);
	if (errno != ENOENT)
		return fault_changed("%s: %m", path);
	if (xns_ns_dir_lists(m->ns_name))
		return fault_changed("/proc/self/ns lists %s", m->ns_name);
	if (!access(m->dev, F_OK))
		return fault_changed("%s exists", m->dev);
	if (errno != ENOENT)
		return fault_changed("%s: %m", m->dev);
	ret = xns_listns(m->ns_type, 0, 0, &id, 1);
	if (ret != -EOPNOTSUPP)
		return fault_changed("listns(%#x): %s, want EOPNOTSUPP",
				     m->ns_type,
				     ret < 0 ? strerror(-ret) : "listed");
	return true;
}

/* After a load that succeeded: the type works; unloaded, it is gone. */
static int module_works_unload(struct fault_state *st)
{
	const struct fault_module *m = st->mod;
	unsigned long text = module_text(m);
	int ret;

	if (text < st->module_code) {
		fault_changed("%s's code at %#lx, below the filter's %#lx",
			      m->name, text, st->module_code);
		return -EBADMSG;
	}
	ret = xns_run_child(m->works, NULL);
	if (ret) {
		fault_changed("%s loaded, but does not work (%d)", m->name,
			      ret);
		return ret < 0 ? ret : -EBADMSG;
	}
	ret = module_unload(m);
	if (ret) {
		fault_changed("delete_module(%s): %s", m->name,
			      strerror(-ret));
		return ret;
	}
	return module_absent(st) ? 0 : -EBADMSG;
}

/* In a helper process: a new xns, a label set in it and read back. */
static int xns_works(__always_unused struct xns_child *c,
		     __always_unused void *arg)
{
	char value[XNS_LABEL_VALUE_MAX];
	int devfd, ret;

	devfd = xns_open_dev();
	xns_child_check(devfd >= 0, "open %s: %s", XNS_DEV, strerror(-devfd));
	ret = xns_unshare();
	xns_child_check(!ret, "new xns: %s", strerror(-ret));
	ret = xns_label_set(devfd, "loaded", "yes");
	xns_child_check(!ret, "LABEL_SET: %s", strerror(-ret));
	ret = xns_label_get(devfd, "loaded", value, sizeof(value));
	xns_child_check(!ret && !strcmp(value, "yes"), "LABEL_GET: %s",
			ret ? strerror(-ret) : value);
	close(devfd);
	return 0;
}

#define COUNTER_DEV		"/dev/ns_counter"

/* In a helper process: a new counter namespace, counting from 0. */
static int counter_works(__always_unused struct xns_child *c,
			 __always_unused void *arg)
{
	struct ns_counter_info info = {};
	int devfd, ret;

	devfd = open(COUNTER_DEV, O_RDWR | O_CLOEXEC);
	xns_child_check(devfd >= 0, "open %s: %m", COUNTER_DEV);
	ret = xns_unshare_type("counter", NS_COUNTER_NS_TYPE);
	xns_child_check(!ret, "new counter namespace: %s", strerror(-ret));
	xns_child_check(!ioctl(devfd, NS_COUNTER_IOC_INC), "INC: %m");
	xns_child_check(!ioctl(devfd, NS_COUNTER_IOC_GET, &info), "GET: %m");
	xns_child_check(info.value == 1, "counter %llu after one INC",
			(unsigned long long)info.value);
	close(devfd);
	return 0;
}

static const struct fault_module xns_module = {
	.name = XNS_MODULE_NAME,
	.env = "XNS_MODULE",
	.file = XNS_MODULE_DEFAULT,
	.ns_name = "xns",
	.dev = XNS_DEV,
	.ns_type = XNS_NS_TYPE,
	.works = xns_works,
};

static const struct fault_module counter_module = {
	.name = "rust_ns_counter",
	.env = "NS_COUNTER_MODULE",
	.file = "/lib/modules/rust_ns_counter.ko",
	.ns_name = "counter",
	.dev = COUNTER_DEV,
	.ns_type = NS_COUNTER_NS_TYPE,
	.works = counter_works,
};

FIXTURE(fault_load) {
	struct fault_state st;
	bool was_loaded;	/* the module, before the test */
};

FIXTURE_VARIANT(fault_load) {
	const struct fault_module *mod;
};

FIXTURE_VARIANT_ADD(fault_load, xns) {
	.mod = &xns_module,
};

FIXTURE_VARIANT_ADD(fault_load, counter) {
	.mod = &counter_module,
};

FIXTURE_SETUP(fault_load)
{
	struct fault_state *st = &self->st;
	const struct fault_module *m = variant->mod;
	const char *file = module_file(m);
	int ret;

	st->devfd = -1;
	st->nth_fd = -1;
	st->all_fd = -1;
	st->orig_fd = -1;
	st->child_fd = -1;
	st->mod_fd = -1;
	st->mod = m;
	st->max_points = FAULT_MAX_LOAD_POINTS;
	if (geteuid() != 0)
		SKIP(return, "must be run as root");
	if (access(file, R_OK)) {
		ASSERT_FALSE(xns_module_required()) {
			TH_LOG("%s: %m, and XNS_REQUIRE_MODULE=1", file);
		}
		SKIP(return, "%s: %s (set %s)", file, strerror(errno), m->env);
	}
	if (fault_setup_injection(_metadata, st))
		return;
	ret = fault_only_module_code(st);
	ASSERT_EQ(0, ret) {
		TH_LOG("failslab's stack filter: %s (CONFIG_FAULT_INJECTION_STACKTRACE_FILTER?)",
		       strerror(-ret));
	}
	st->mod_fd = open(file, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, st->mod_fd) {
		TH_LOG("open %s: %m", file);
	}
	/* Last: a failed set-up skips the teardown, which loads xns again. */
	self->was_loaded = module_loaded(m);
	ret = module_unload(m);
	ASSERT_TRUE(!ret || ret == -ENOENT) {
		TH_LOG("delete_module(%s): %s", m->name, strerror(-ret));
	}
}

/* In the parent: also after the test timed out or crashed. */
FIXTURE_TEARDOWN_PARENT(fault_load)
{
	const struct fault_module *m = variant->mod;
	int ret = 0;

	if (self->st.all_fd >= 0)
		xns_write_file(FAILSLAB_DIR "/probability", "0");
	if (self->st.module_code)
		xns_write_file(FAILSLAB_DIR "/require-start", "0");
	/* Leave the module as it was, and xns loaded for what runs next. */
	if (self->was_loaded && !module_loaded(m))
		ret = xns_finit_module_file(module_file(m));
	else if (!self->was_loaded && module_loaded(m))
		ret = module_unload(m);
	if (ret && ret != -EEXIST)
		TH_LOG("could not leave %s as it was: %s", m->name,
		       strerror(-ret));
	if (xns_load())
		TH_LOG("could not load xns again");
}

TEST_F_TIMEOUT(fault_load, finit_module, 120)
{
	struct fault_state *st = &self->st;
	const struct fault_module *m = variant->mod;
	int ret;

	ASSERT_TRUE(module_absent(st));
	fault_loop(_metadata, st, module_load, module_absent,
		   module_works_unload);
	EXPECT_NE(0U, st->points + st->all_failed);
	fault_report(_metadata, st, m->name);

	/* A plain load after them all succeeds and works. */
	ret = module_load(st);
	ASSERT_EQ(0, ret) {
		TH_LOG("finit_module(%s) after the failed loads: %s",
		       module_file(m), strerror(-ret));
	}
	EXPECT_EQ(0, xns_run_child(m->works, NULL));
}

TEST_HARNESS_MAIN
