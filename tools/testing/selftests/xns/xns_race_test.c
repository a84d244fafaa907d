// SPDX-License-Identifier: GPL-2.0
/*
 * xns shared-state races: unlike xns_fuzz_test (one namespace per thread)
 * and xns_stress_test (processes that mostly move between namespaces),
 * the tasks here work on ONE namespace at the same time, for
 * XNS_STRESS_SECONDS / 2 (default 2.5 s, at most RACE_MAX_SECONDS) per
 * case:
 *
 *  - shared_table: NR_WRITERS threads set/get/del/list the labels of one
 *    namespace, each on keys of its own and on contended keys, with a
 *    share of malformed calls, next to a thread without CAP_SYS_ADMIN;
 *  - fd_close: threads do ioctls on a /dev/xns fd and on an nsfs fd while
 *    another thread closes them and dup2()s other files over them;
 *  - setns_exit: threads label a namespace while another thread of the
 *    process unshares (NS_CREATE_CHILD on its namespace, then setns()),
 *    nests to XNS_MAX_DEPTH, setns()es back, drops and regains
 *    CAP_SYS_ADMIN, and forks children that label and exit;
 *  - limit: threads create nested namespaces while another thread keeps
 *    rewriting max_module_namespaces, in a user namespace of the case's
 *    own, whose count starts at 0 and whose limit only the case sees.
 *
 * What is checked, not only counted: every errno is in the documented
 * set of its ioctl, and each case sees the documented errnos it can
 * provoke (table "want" below); a label read is always a complete value
 * that a writer wrote, for the key asked, and not newer than that
 * writer's last write; a task's own keys always read back exactly what it
 * last did, whatever the others do; the list never holds a key nobody may
 * write or a key twice, and when quiescent it is exactly the keys GET
 * finds; a fd swapped under an ioctl gives the old file's or the new
 * file's answer, or EBADF/ENOTTY, and never a leaked fd; labels outlive
 * the task that wrote them; a limit reads back what was written; the
 * number of live namespaces never exceeds the largest limit written and
 * comes back to its start, when the limit counts exactly once more.  Outcomes that
 * are only possible because of a race are counted and bounded.
 *
 * Each case runs in a child process of its own that is in a namespace
 * the case unshares, so the initial namespace is never written.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/capability.h>
#include <linux/nsfs.h>
#include <linux/xns.h>

#include "xns_util.h"
#include "xns_stress.h"
#include "kselftest_harness.h"
#include "xns_harness.h"

#define RACE_MAX_SECONDS	12.0
#define NR_WRITERS		4
#define OWN_KEYS		10
/* Own keys plus contended ones exceed XNS_LABELS_MAX: SET sees ENOSPC. */
#define SHARED_KEYS		40
#define NOCAP_KEYS		4
#define NR_CALLERS		3
#define NR_LABELERS		2
#define NR_CREATORS		3
#define CHAIN			4
#define MAX_ERRNO		134

#define THREAD_SELF_LINK	"/proc/thread-self/ns/xns"

/* OP_CREATE is NS_CREATE_CHILD on an xns nsfs file, the rest /dev/xns. */
enum op { OP_CREATE, OP_SET, OP_GET, OP_DEL, OP_LIST, OP_INFO, NR_OPS };

static const char * const op_names[NR_OPS] = {
	"CREATE_CHILD", "LABEL_SET", "LABEL_GET", "LABEL_DEL", "LABEL_LIST",
	"GET_INFO",
};

static const unsigned long op_cmds[NR_OPS] = {
	NS_CREATE_CHILD, XNS_IOC_LABEL_SET, XNS_IOC_LABEL_GET,
	XNS_IOC_LABEL_DEL, XNS_IOC_LABEL_LIST, XNS_IOC_GET_INFO,
};

/*
 * The errnos include/uapi/linux/xns.h documents, per ioctl (for
 * NS_CREATE_CHILD, xns's checks and ENOTTY for a wrong command).
 */
static const int documented[NR_OPS][8] = {
	[OP_CREATE]	= { ENOTTY, EPERM, ENOSPC },
	[OP_SET]	= { ENOTTY, EFAULT, EINVAL, EPERM, ENOSPC },
	[OP_GET]	= { ENOTTY, EFAULT, EINVAL, ENOENT },
	[OP_DEL]	= { ENOTTY, EFAULT, EINVAL, ENOENT, EPERM },
	[OP_LIST]	= { ENOTTY, EFAULT, EINVAL, EOVERFLOW },
	[OP_INFO]	= { ENOTTY, EFAULT, EINVAL },
};

/*
 * Shared by all threads and child processes of a case (MAP_SHARED), and
 * read by the test process once they are done.
 */
struct race {
	__u64 seed;
	__u64 deadline;
	double seconds;
	int devfd;
	__u32 ns_inum;
	__u32 ns_depth;
	/* Outcomes of the ioctls: [op][errno], 0 is success. */
	__u64 out[NR_OPS][MAX_ERRNO];
	/* Outcomes allowed only because another task raced this one. */
	__u64 races;
	__u64 calls;
	__u64 checks;
	/* Writers' sequence numbers: a value read cannot be newer. */
	__u32 seq[NR_WRITERS];
	/* shared_table */
	__u64 lists_nonempty;
	/* fd_close */
	__u64 fd_calls, fd_ok, fd_badf, fd_notty, swaps;
	__u64 ns_id[2];
	__u32 ns_ino[2];
	/* setns_exit */
	__u64 unshares, setns, exits, depth_hits, capdrops;
	/* limit */
	__u32 base, max_written, max_seen, start_live;
	__u64 writes;
	int failed;
	char msg[512];
};

static struct race *race_map(void)
{
	struct race *r;

	r = mmap(NULL, sizeof(*r), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	return r == MAP_FAILED ? NULL : r;
}

static bool race_over(struct race *r)
{
	return __atomic_load_n(&r->failed, __ATOMIC_RELAXED) ||
	       now_ms() >= r->deadline;
}

/* Record the first failed check; every task stops soon after. */
static __printf(4, 5) bool __race_check(struct race *r, bool ok, int line,
					const char *fmt, ...)
{
	va_list ap;
	int len;

	if (ok) {
		__atomic_fetch_add(&r->checks, 1, __ATOMIC_RELAXED);
		return true;
	}
	if (__atomic_exchange_n(&r->failed, 1, __ATOMIC_SEQ_CST))
		return false;
	len = snprintf(r->msg, sizeof(r->msg), "line %d: ", line);
	va_start(ap, fmt);
	vsnprintf(r->msg + len, sizeof(r->msg) - len, fmt, ap);
	va_end(ap);
	return false;
}

#define race_check(r, cond, fmt, ...) \
	__race_check(r, cond, __LINE__, fmt, ##__VA_ARGS__)

#define race_fail(r, fmt, ...) \
	__race_check(r, false, __LINE__, fmt, ##__VA_ARGS__)

static void count(__u64 *p)
{
	__atomic_fetch_add(p, 1, __ATOMIC_RELAXED);
}

static bool is_documented(int op, int err)
{
	unsigned int i;

	if (!err)
		return true;
	for (i = 0; i < ARRAY_SIZE(documented[op]) && documented[op][i]; i++)
		if (documented[op][i] == err)
			return true;
	return false;
}

/*
 * An ioctl on @fd, counted per outcome; fails the case on an errno the
 * UAPI does not document for @op.  Returns what the ioctl returned (0 or
 * an fd) or a negative errno.
 */
static int race_ioctl_fd(struct race *r, int fd, int op, unsigned long cmd,
			 void *arg)
{
	int ret = xns_ioctl(fd, cmd, arg);
	int err = ret < 0 ? -ret : 0;

	count(&r->calls);
	if (err < MAX_ERRNO)
		count(&r->out[op][err]);
	if (!is_documented(op, err))
		race_fail(r, "%s: %s, not a documented errno", op_names[op],
			  strerror(err));
	return ret;
}

/* A /dev/xns ioctl, as race_ioctl_fd(). */
static int race_ioctl(struct race *r, int op, unsigned long cmd, void *arg)
{
	return race_ioctl_fd(r, r->devfd, op, cmd, arg);
}

/*
 * Unshare: @cmd (NS_CREATE_CHILD, or a malformed variant of it) on the
 * calling thread's xns, counted as OP_CREATE, then setns() into the child,
 * which must work.  Returns 0 or the negative errno of the ioctl; on
 * failure the thread stays where it was.
 */
static int race_unshare(struct race *r, unsigned long cmd)
{
	int nsfd, child, ret;

	nsfd = open(THREAD_SELF_LINK, O_RDONLY | O_CLOEXEC);
	if (!race_check(r, nsfd >= 0, "open %s: %s", THREAD_SELF_LINK,
			strerror(errno)))
		return -EBADF;
	child = race_ioctl_fd(r, nsfd, OP_CREATE, cmd, NULL);
	close(nsfd);
	if (child < 0)
		return child;
	ret = xns_setns(child, XNS_NS_TYPE);
	close(child);
	race_check(r, !ret, "setns into a child just made: %s",
		   strerror(-ret));
	return ret;
}

/* The same command number with another size: ENOTTY. */
static unsigned long wrong_size(unsigned long cmd)
{
	return _IOC(_IOC_DIR(cmd), _IOC_TYPE(cmd), _IOC_NR(cmd),
		    _IOC_SIZE(cmd) + 8);
}

/*
 * Keys: "o<w>.<k>" belong to writer w, "c.<k>" are contended, "n.<k>" are
 * only ever set by the thread without CAP_SYS_ADMIN and so never exist.
 * Key ids: 0..NR_WRITERS * OWN_KEYS - 1 own, then the shared, then nocap.
 */
#define KEY_SHARED0	(NR_WRITERS * OWN_KEYS)
#define KEY_NOCAP0	(KEY_SHARED0 + SHARED_KEYS)
#define NR_KEY_IDS	(KEY_NOCAP0 + NOCAP_KEYS)

static void key_name(char *buf, unsigned int id)
{
	if (id < KEY_SHARED0)
		snprintf(buf, XNS_LABEL_KEY_MAX, "o%u.%u", id / OWN_KEYS,
			 id % OWN_KEYS);
	else if (id < KEY_NOCAP0)
		snprintf(buf, XNS_LABEL_KEY_MAX, "c.%u", id - KEY_SHARED0);
	else
		snprintf(buf, XNS_LABEL_KEY_MAX, "n.%u", id - KEY_NOCAP0);
}

/* The id of a key name, or -1 if it is none of ours. */
static int key_id(const char *name)
{
	char buf[XNS_LABEL_KEY_MAX];
	unsigned int a = 0, b = 0;
	int id = -1;

	if (sscanf(name, "o%u.%u", &a, &b) == 2 && a < NR_WRITERS &&
	    b < OWN_KEYS)
		id = a * OWN_KEYS + b;
	else if (sscanf(name, "c.%u", &a) == 1 && a < SHARED_KEYS)
		id = KEY_SHARED0 + a;
	else if (sscanf(name, "n.%u", &a) == 1 && a < NOCAP_KEYS)
		id = KEY_NOCAP0 + a;
	if (id < 0)
		return -1;
	/* Exactly our spelling, nothing after it. */
	key_name(buf, id);
	return strcmp(buf, name) ? -1 : id;
}

/*
 * The value writer @w writes to key @id as its write number @seq: a
 * header naming all three, then filler derived from them, of a length
 * derived from them (up to XNS_LABEL_VALUE_MAX - 1), NUL padded.  Half of
 * one write and half of another cannot pass value_ok().
 */
static void make_value(char *v, unsigned int id, unsigned int w, __u32 seq)
{
	__u64 h = (__u64)id << 40 ^ (__u64)w << 32 ^ seq;
	size_t len, n;

	memset(v, 0, XNS_LABEL_VALUE_MAX);
	n = snprintf(v, XNS_LABEL_VALUE_MAX, "%u:%u:%u:", id, w, seq);
	len = n + splitmix64(&h) % (XNS_LABEL_VALUE_MAX - n);
	while (n < len)
		v[n++] = 'a' + splitmix64(&h) % 26;
}

/* Check a value read for key @id; @exact: it must be this one. */
static bool value_ok(struct race *r, const char *v, unsigned int id,
		     const char *exact)
{
	char want[XNS_LABEL_VALUE_MAX];
	unsigned int vid, w;
	__u32 seq;

	if (exact)
		return race_check(r, !memcmp(v, exact, XNS_LABEL_VALUE_MAX),
				  "key %u: read \"%.40s\", last wrote \"%.40s\"",
				  id, v, exact);
	if (!race_check(r, sscanf(v, "%u:%u:%u:", &vid, &w, &seq) == 3 &&
			vid == id && w < NR_WRITERS &&
			(id >= KEY_SHARED0 || w == id / OWN_KEYS),
			"key %u: value \"%.60s\" no writer wrote", id, v))
		return false;
	make_value(want, id, w, seq);
	if (!race_check(r, !memcmp(v, want, XNS_LABEL_VALUE_MAX),
			"key %u: value \"%.60s\" is not complete", id, v))
		return false;
	return race_check(r, seq <= __atomic_load_n(&r->seq[w],
						   __ATOMIC_ACQUIRE),
			  "key %u: value of write %u of writer %u before it was made",
			  id, seq, w);
}

static bool all_zero(const char *p, size_t n)
{
	while (n--)
		if (*p++)
			return false;
	return true;
}

/* A writer's own keys: what it last did to each. */
struct own {
	bool present[OWN_KEYS];
	char value[OWN_KEYS][XNS_LABEL_VALUE_MAX];
};

struct writer {
	struct race *r;
	unsigned int w;
	__u64 rng;
	struct own own;
};

static int label_op(struct race *r, int op, unsigned int id, const char *v,
		    struct xns_label *out)
{
	struct xns_label l;
	char key[XNS_LABEL_KEY_MAX];
	int ret;

	key_name(key, id);
	xns_label_fill(&l, key, NULL);
	if (v)
		memcpy(l.value, v, sizeof(l.value));
	ret = race_ioctl(r, op, op_cmds[op], &l);
	if (out)
		*out = l;
	return ret;
}

/* LIST into a buffer of @room keys; checks what every list must hold. */
static int list_check(struct race *r, unsigned int room, struct writer *me,
		      char (*keys)[XNS_LABEL_KEY_MAX], __u32 *nr)
{
	struct xns_label_list list = {
		.count = room,
		.keys = (__u64)(unsigned long)keys,
	};
	bool seen[NR_KEY_IDS] = {};
	unsigned int i;
	int ret, id;

	ret = race_ioctl(r, OP_LIST, XNS_IOC_LABEL_LIST, &list);
	*nr = list.count;
	if (ret == -EOVERFLOW) {
		race_check(r, list.count > room && list.count <= XNS_LABELS_MAX,
			   "LIST EOVERFLOW: count %u for room %u", list.count,
			   room);
		return ret;
	}
	if (!race_check(r, !ret, "LIST: %s", strerror(-ret)))
		return ret;
	if (!race_check(r, list.count <= room, "LIST: %u keys in room for %u",
			list.count, room))
		return -EIO;
	for (i = 0; i < list.count; i++) {
		char *k = keys[i];
		size_t len = strnlen(k, XNS_LABEL_KEY_MAX);

		id = key_id(k);
		if (!race_check(r, id >= 0 && id < KEY_NOCAP0 &&
				len < XNS_LABEL_KEY_MAX &&
				all_zero(k + len, XNS_LABEL_KEY_MAX - len),
				"LIST: key \"%.64s\" nobody may have set", k))
			return -EIO;
		if (!race_check(r, !seen[id], "LIST: key %s twice", k))
			return -EIO;
		seen[id] = true;
	}
	if (list.count)
		count(&r->lists_nonempty);
	/* Our own keys are ours alone: the list must show them exactly. */
	for (i = 0; me && i < OWN_KEYS; i++)
		if (!race_check(r, seen[me->w * OWN_KEYS + i] ==
				me->own.present[i],
				"LIST: own key o%u.%u %s, but it was %s", me->w,
				i, seen[me->w * OWN_KEYS + i] ? "listed" :
				"missing", me->own.present[i] ? "set" :
				"deleted"))
			return -EIO;
	return 0;
}

/* A PROT_NONE page: pointers into it give EFAULT. */
static void *hole;

/*
 * A malformed call, one fault at a time so that its errno is certain:
 * ENOTTY (wrong size), EFAULT (NULL or unmapped argument, or LIST into an
 * unmapped key array), EINVAL (key with a space, LIST reserved != 0).
 */
static void bad_call(struct race *r, __u64 *rng)
{
	struct xns_label_list list = { .count = XNS_LABELS_MAX };
	int op = 1 + splitmix64(rng) % (NR_OPS - 1);
	int kind = splitmix64(rng) % 4;
	unsigned long cmd = op_cmds[op];
	struct xns_info info;
	struct xns_label l;
	void *arg;
	int ret, want;

	xns_label_fill(&l, "c.0", "bad");
	arg = op == OP_LIST ? (void *)&list : op == OP_INFO ? (void *)&info :
	      (void *)&l;
	switch (kind) {
	case 0:
		cmd = wrong_size(cmd);
		want = ENOTTY;
		break;
	case 1:
		arg = NULL;
		want = EFAULT;
		break;
	case 2:
		if (op == OP_LIST)
			list.keys = (__u64)(unsigned long)hole;
		else
			arg = hole;
		want = EFAULT;
		break;
	default:
		if (op == OP_INFO) {
			arg = hole;
			want = EFAULT;
		} else if (op == OP_LIST) {
			list.reserved = 1;
			want = EINVAL;
		} else {
			l.key[1] = ' ';
			want = EINVAL;
		}
		break;
	}
	ret = race_ioctl(r, op, cmd, arg);
	/* No key to write to the unmapped array: nothing to fault on. */
	if (op == OP_LIST && kind == 2 && !ret && !list.count)
		return;
	race_check(r, ret == -want, "%s, bad call %d: %s, want %s",
		   op_names[op], kind, strerror(-ret), strerror(want));
}

static void check_info(struct race *r)
{
	struct xns_info info;
	int ret;

	ret = race_ioctl(r, OP_INFO, XNS_IOC_GET_INFO, &info);
	race_check(r, !ret && info.inum == r->ns_inum &&
		   info.depth == r->ns_depth &&
		   info.nr_labels <= XNS_LABELS_MAX,
		   "GET_INFO: %s, inum %u depth %u labels %u, want %u/%u",
		   strerror(-ret), info.inum, info.depth, info.nr_labels,
		   r->ns_inum, r->ns_depth);
}

/* SET every contended key: with the own keys, more than fit. */
static void fill_shared(struct writer *me)
{
	char v[XNS_LABEL_VALUE_MAX];
	struct race *r = me->r;
	unsigned int id;
	__u32 seq;
	int ret;

	for (id = KEY_SHARED0; id < KEY_NOCAP0; id++) {
		seq = __atomic_add_fetch(&r->seq[me->w], 1, __ATOMIC_RELEASE);
		make_value(v, id, me->w, seq);
		ret = label_op(r, OP_SET, id, v, NULL);
		if (ret == -ENOSPC)
			count(&r->races);
		else if (!race_check(r, !ret, "SET key %u: %s", id,
				     strerror(-ret)))
			return;
	}
}

/*
 * A writer: own keys always exact; contended keys and other writers' keys
 * complete values of some write; lists consistent.  @own_only leaves the
 * contended keys alone (setns_exit uses them for exiting children).
 */
static void writer_loop(struct writer *me, bool own_only)
{
	char (*keys)[XNS_LABEL_KEY_MAX];
	struct race *r = me->r;
	char v[XNS_LABEL_VALUE_MAX];
	struct xns_label got;
	unsigned int p, k, id, ops = 0;
	__u32 seq, nr;
	int ret;

	keys = calloc(XNS_LABELS_MAX, XNS_LABEL_KEY_MAX);
	if (!race_check(r, keys, "calloc"))
		return;
	while (!race_over(r)) {
		/* Now and then fill the table: SET must meet ENOSPC. */
		if (!own_only && !me->w && !(++ops % 256))
			fill_shared(me);
		p = splitmix64(&me->rng) % 100;
		k = splitmix64(&me->rng) % OWN_KEYS;
		id = me->w * OWN_KEYS + k;
		if (own_only && p >= 50 && p < 80)
			p = 80 + p % 12;
		if (p < 25) {
			seq = __atomic_add_fetch(&r->seq[me->w], 1,
						 __ATOMIC_RELEASE);
			make_value(v, id, me->w, seq);
			ret = label_op(r, OP_SET, id, v, NULL);
			/* Replacing never runs out of room. */
			if (ret == -ENOSPC && !me->own.present[k]) {
				count(&r->races);
				continue;
			}
			if (!race_check(r, !ret, "SET own key %u: %s", id,
					strerror(-ret)))
				break;
			me->own.present[k] = true;
			memcpy(me->own.value[k], v, sizeof(v));
		} else if (p < 35) {
			ret = label_op(r, OP_DEL, id, NULL, NULL);
			if (!race_check(r, ret == (me->own.present[k] ? 0 : -ENOENT),
					"DEL own key %u: %s, it was %s", id,
					strerror(-ret), me->own.present[k] ?
					"set" : "deleted"))
				break;
			me->own.present[k] = false;
		} else if (p < 50) {
			ret = label_op(r, OP_GET, id, NULL, &got);
			if (!race_check(r, ret == (me->own.present[k] ? 0 : -ENOENT),
					"GET own key %u: %s, it was %s", id,
					strerror(-ret), me->own.present[k] ?
					"set" : "deleted"))
				break;
			if (!ret)
				value_ok(r, got.value, id, me->own.value[k]);
		} else if (p < 62) {
			id = KEY_SHARED0 + splitmix64(&me->rng) % SHARED_KEYS;
			seq = __atomic_add_fetch(&r->seq[me->w], 1,
						 __ATOMIC_RELEASE);
			make_value(v, id, me->w, seq);
			ret = label_op(r, OP_SET, id, v, NULL);
			if (ret == -ENOSPC)
				count(&r->races);
			else
				race_check(r, !ret, "SET key %u: %s", id,
					   strerror(-ret));
		} else if (p < 70) {
			id = KEY_SHARED0 + splitmix64(&me->rng) % SHARED_KEYS;
			ret = label_op(r, OP_DEL, id, NULL, NULL);
			if (ret == -ENOENT)
				count(&r->races);
			else
				race_check(r, !ret, "DEL key %u: %s", id,
					   strerror(-ret));
		} else if (p < 80) {
			/* Anyone's key but our own. */
			id = splitmix64(&me->rng) % (KEY_NOCAP0 - OWN_KEYS);
			if (id >= me->w * OWN_KEYS)
				id += OWN_KEYS;
			ret = label_op(r, OP_GET, id, NULL, &got);
			if (ret == -ENOENT)
				count(&r->races);
			else if (race_check(r, !ret, "GET key %u: %s", id,
					    strerror(-ret)))
				value_ok(r, got.value, id, NULL);
		} else if (p < 90) {
			nr = splitmix64(&me->rng) % 4 ? XNS_LABELS_MAX :
			     splitmix64(&me->rng) % (XNS_LABELS_MAX + 1);
			list_check(r, nr, me, keys, &nr);
		} else if (p < 92) {
			check_info(r);
		} else {
			bad_call(r, &me->rng);
		}
	}
	free(keys);
}

static void *writer_thread(void *arg)
{
	writer_loop(arg, false);
	return NULL;
}

static void *labeler_thread(void *arg)
{
	writer_loop(arg, true);
	return NULL;
}

/*
 * Without CAP_SYS_ADMIN (this thread only): SET and DEL must fail, so the
 * "n." keys never exist; GET and LIST work as for everyone.
 */
static void *nocap_thread(void *arg)
{
	struct writer *me = arg;
	struct race *r = me->r;
	char (*keys)[XNS_LABEL_KEY_MAX];
	char v[XNS_LABEL_VALUE_MAX];
	struct xns_label got;
	unsigned int p, id;
	__u32 nr;
	int ret;

	keys = calloc(XNS_LABELS_MAX, XNS_LABEL_KEY_MAX);
	ret = xns_set_cap_effective(CAP_SYS_ADMIN, false);
	if (!race_check(r, keys && !ret, "drop CAP_SYS_ADMIN: %s",
			strerror(-ret)))
		goto out;
	while (!race_over(r)) {
		p = splitmix64(&me->rng) % 100;
		if (p < 40) {
			id = KEY_NOCAP0 + splitmix64(&me->rng) % NOCAP_KEYS;
			make_value(v, id, 0, 0);
			ret = label_op(r, OP_SET, id, v, NULL);
			/* Which of two failures wins is not documented. */
			race_check(r, ret == -EPERM || ret == -ENOSPC,
				   "SET without CAP_SYS_ADMIN: %s",
				   strerror(-ret));
		} else if (p < 60) {
			id = splitmix64(&me->rng) % NR_KEY_IDS;
			ret = label_op(r, OP_DEL, id, NULL, NULL);
			race_check(r, ret == -EPERM || ret == -ENOENT,
				   "DEL without CAP_SYS_ADMIN: %s",
				   strerror(-ret));
		} else if (p < 80) {
			id = splitmix64(&me->rng) % KEY_NOCAP0;
			ret = label_op(r, OP_GET, id, NULL, &got);
			if (ret != -ENOENT &&
			    race_check(r, !ret, "GET without CAP_SYS_ADMIN: %s",
				       strerror(-ret)))
				value_ok(r, got.value, id, NULL);
		} else {
			list_check(r, XNS_LABELS_MAX, NULL, keys, &nr);
		}
	}
out:
	free(keys);
	return NULL;
}

/*
 * Quiescent: the list is exactly the keys GET finds, own keys exactly
 * as their writers left them, GET_INFO counts the same; then empty it.
 */
static void check_quiescent(struct race *r, struct writer *w, int nr_w)
{
	char (*keys)[XNS_LABEL_KEY_MAX];
	bool listed[NR_KEY_IDS] = {};
	struct xns_label got;
	struct xns_info info;
	unsigned int id, i;
	__u32 nr = 0;
	int ret;

	keys = calloc(XNS_LABELS_MAX, XNS_LABEL_KEY_MAX);
	if (!race_check(r, keys, "calloc"))
		return;
	ret = list_check(r, XNS_LABELS_MAX, NULL, keys, &nr);
	if (!race_check(r, !ret, "quiescent LIST: %s", strerror(-ret)))
		goto out;
	ret = race_ioctl(r, OP_INFO, XNS_IOC_GET_INFO, &info);
	race_check(r, !ret && info.nr_labels == nr,
		   "quiescent: LIST has %u keys, GET_INFO %u", nr,
		   info.nr_labels);
	for (i = 0; i < nr; i++)
		listed[key_id(keys[i])] = true;
	for (id = 0; id < NR_KEY_IDS; id++) {
		struct writer *owner = NULL;
		unsigned int k = id % OWN_KEYS;

		if (id < KEY_SHARED0 && (int)(id / OWN_KEYS) < nr_w)
			owner = &w[id / OWN_KEYS];
		ret = label_op(r, OP_GET, id, NULL, &got);
		if (!race_check(r, ret == (listed[id] ? 0 : -ENOENT),
				"quiescent: key %u %s, GET %s", id,
				listed[id] ? "listed" : "not listed",
				strerror(-ret)))
			break;
		if (owner)
			race_check(r, listed[id] == owner->own.present[k],
				   "quiescent: own key %u of writer %u %s", id,
				   owner->w, listed[id] ? "set" : "missing");
		if (!ret)
			value_ok(r, got.value, id, owner ?
				 owner->own.value[k] : NULL);
	}
	for (i = 0; i < nr; i++)
		race_check(r, !label_op(r, OP_DEL, key_id(keys[i]), NULL, NULL),
			   "quiescent: DEL %s", keys[i]);
	ret = race_ioctl(r, OP_INFO, XNS_IOC_GET_INFO, &info);
	race_check(r, !ret && !info.nr_labels, "%u labels left",
		   info.nr_labels);
out:
	free(keys);
}

/* In the case's process: a namespace of its own, described in @r. */
static int enter_new_ns(struct race *r)
{
	struct xns_info info;
	int ret;

	r->devfd = xns_open_dev();
	if (!race_check(r, r->devfd >= 0, "open %s: %s", XNS_DEV,
			strerror(-r->devfd)))
		return -1;
	ret = xns_unshare();
	if (!race_check(r, !ret, "unshare: %s", strerror(-ret)))
		return -1;
	ret = xns_get_info(r->devfd, &info);
	if (!race_check(r, !ret, "GET_INFO: %s", strerror(-ret)))
		return -1;
	r->ns_inum = info.inum;
	r->ns_depth = info.depth;
	return 0;
}

static void init_writers(struct race *r, struct writer *w, int nr)
{
	int i;

	memset(w, 0, nr * sizeof(*w));
	for (i = 0; i < nr; i++) {
		w[i].r = r;
		w[i].w = i;
		w[i].rng = r->seed + i * 0x1000193;
	}
}

static void shared_table(struct race *r)
{
	struct writer w[NR_WRITERS + 1];
	pthread_t t[NR_WRITERS + 1];
	int i, nr = 0;

	if (enter_new_ns(r))
		return;
	init_writers(r, w, NR_WRITERS + 1);
	for (i = 0; i < NR_WRITERS + 1; i++, nr++)
		if (!race_check(r, !pthread_create(&t[i], NULL,
						   i < NR_WRITERS ?
						   writer_thread : nocap_thread,
						   &w[i]), "pthread_create"))
			break;
	for (i = 0; i < nr; i++)
		pthread_join(t[i], NULL);
	if (!r->failed)
		check_quiescent(r, w, NR_WRITERS);
}

/* fd_close: the two fd numbers the callers use and the mutator swaps. */
#define DEV_SLOT	200
#define NS_SLOT		201

struct fdrace {
	struct race *r;
	__u64 rng;
	/* Files the mutator puts in the slots: /dev/xns twice, X, Y, null. */
	int src[5];
};

static bool slot_answer_ok(struct race *r, int op, long ret, void *arg)
{
	struct xns_info *info = arg;
	struct xns_label *l = arg;
	__u64 id = *(__u64 *)arg;
	struct stat st;
	int fd = ret;

	switch (op) {
	case 0:
		return race_check(r, info->inum == r->ns_inum,
				  "GET_INFO through a swapped fd: inum %u, want %u",
				  info->inum, r->ns_inum);
	case 1:
		return race_check(r, !strcmp(l->value, "v"),
				  "LABEL_GET through a swapped fd: \"%.40s\"",
				  l->value);
	case 2:
		return race_check(r, id == r->ns_id[0] || id == r->ns_id[1],
				  "NS_GET_ID through a swapped fd: %llu",
				  (unsigned long long)id);
	case 3:
		/* Only Y has a parent in our subtree: X. */
		if (!race_check(r, !fstat(fd, &st) && st.st_ino == r->ns_ino[0],
				"NS_GET_PARENT: inode %lu, want %u",
				(unsigned long)st.st_ino, r->ns_ino[0]))
			return false;
		close(fd);
		return true;
	case 4:
		return race_check(r, ret == XNS_NS_TYPE,
				  "NS_GET_NSTYPE through a swapped fd: %ld", ret);
	default:
		ret = ioctl(fd, NS_GET_NSTYPE);
		close(fd);
		return race_check(r, ret == CLONE_NEWUSER,
				  "NS_GET_USERNS gave a file of type %ld", ret);
	}
}

/*
 * Ioctls on the two slots, whatever file is there: the answer of
 * /dev/xns or of an xns nsfs file, ENOTTY from another kind of file,
 * EBADF from an empty slot, EPERM from NS_GET_PARENT of X.
 */
static void *caller_thread(void *arg)
{
	static const unsigned long cmds[] = {
		XNS_IOC_GET_INFO, XNS_IOC_LABEL_GET, NS_GET_ID, NS_GET_PARENT,
		NS_GET_NSTYPE, NS_GET_USERNS,
	};
	struct fdrace *f = arg;
	struct race *r = f->r;
	union {
		struct xns_info info;
		struct xns_label l;
		__u64 id;
	} u;
	unsigned int op;
	long ret;
	int slot;

	while (!race_over(r)) {
		slot = splitmix64(&f->rng) % 2 ? DEV_SLOT : NS_SLOT;
		op = splitmix64(&f->rng) % ARRAY_SIZE(cmds);
		memset(&u, 0, sizeof(u));
		xns_label_fill(&u.l, "k", NULL);
		ret = ioctl(slot, cmds[op], &u);
		count(&r->fd_calls);
		if (ret >= 0) {
			count(&r->fd_ok);
			slot_answer_ok(r, op, ret, &u);
		} else if (errno == EBADF) {
			count(&r->fd_badf);
		} else if (errno == ENOTTY) {
			count(&r->fd_notty);
		} else {
			race_check(r, op == 3 && errno == EPERM,
				   "ioctl %#lx on fd %d: %s", cmds[op], slot,
				   strerror(errno));
		}
	}
	return NULL;
}

/* Close the slots and dup2() files over them, some opened just for it. */
static void *mutator_thread(void *arg)
{
	static const char * const paths[] = {
		XNS_DEV, XNS_SELF_LINK, "/dev/null",
	};
	struct fdrace *f = arg;
	struct race *r = f->r;
	int slot, fd, kind;

	while (!race_over(r)) {
		slot = splitmix64(&f->rng) % 2 ? DEV_SLOT : NS_SLOT;
		kind = splitmix64(&f->rng) % 3;
		if (kind == 0) {
			close(slot);
			sched_yield();
		}
		if (kind < 2) {
			fd = f->src[splitmix64(&f->rng) % ARRAY_SIZE(f->src)];
			race_check(r, dup2(fd, slot) == slot, "dup2: %s",
				   strerror(errno));
		} else {
			/* The slot holds the only reference to the file. */
			fd = open(paths[splitmix64(&f->rng) % ARRAY_SIZE(paths)],
				  O_RDONLY | O_CLOEXEC);
			if (!race_check(r, fd >= 0, "open: %s", strerror(errno)))
				break;
			race_check(r, dup2(fd, slot) == slot, "dup2: %s",
				   strerror(errno));
			close(fd);
		}
		count(&r->swaps);
		sched_yield();
	}
	return NULL;
}

static int count_fds(void)
{
	struct dirent *d;
	int nr = 0;
	DIR *dir;

	dir = opendir("/proc/self/fd");
	if (!dir)
		return -errno;
	while ((d = readdir(dir)))
		nr += d->d_name[0] != '.';
	closedir(dir);
	return nr;
}

static void fd_close(struct race *r)
{
	struct xns_holder_args args = { .depth = 1 };
	struct fdrace f[NR_CALLERS + 1] = {};
	pthread_t t[NR_CALLERS + 1];
	struct xns_holder_report rep;
	struct xns_child c = XNS_CHILD_INIT;
	int i, nr = 0, nfd, ret;

	if (enter_new_ns(r))
		return;
	ret = xns_label_set(r->devfd, "k", "v");
	if (!race_check(r, !ret, "SET: %s", strerror(-ret)))
		return;
	/* Y, a child of X pinned only by our fds. */
	ret = xns_holder_start(&c, &args, &rep);
	if (!race_check(r, !ret, "holder: %s", strerror(-ret)))
		return;
	f[0].src[0] = xns_open_dev();
	f[0].src[1] = xns_open_dev();
	f[0].src[2] = xns_open_ns(0);
	f[0].src[3] = xns_open_ns(c.pid);
	f[0].src[4] = open("/dev/null", O_RDONLY | O_CLOEXEC);
	xns_child_stop(&c);
	for (i = 0; i < 5; i++)
		if (!race_check(r, f[0].src[i] >= 0, "open source %d", i))
			return;
	r->ns_ino[0] = r->ns_inum;
	r->ns_ino[1] = rep.inum;
	if (!race_check(r, !ioctl(f[0].src[2], NS_GET_ID, &r->ns_id[0]) &&
			!ioctl(f[0].src[3], NS_GET_ID, &r->ns_id[1]),
			"NS_GET_ID: %s", strerror(errno)))
		return;
	nfd = count_fds();
	dup2(f[0].src[0], DEV_SLOT);
	dup2(f[0].src[2], NS_SLOT);
	for (i = 0; i < NR_CALLERS + 1; i++) {
		memcpy(f[i].src, f[0].src, sizeof(f[i].src));
		f[i].r = r;
		f[i].rng = r->seed + i * 0x9e3779b9;
	}
	for (i = 0; i < NR_CALLERS + 1; i++, nr++)
		if (!race_check(r, !pthread_create(&t[i], NULL,
						   i < NR_CALLERS ? caller_thread :
						   mutator_thread, &f[i]),
				"pthread_create"))
			break;
	for (i = 0; i < nr; i++)
		pthread_join(t[i], NULL);
	close(DEV_SLOT);
	close(NS_SLOT);
	/* Every fd NS_GET_PARENT and NS_GET_USERNS gave was closed. */
	ret = count_fds();
	race_check(r, ret == nfd, "%d fds open, %d before the race", ret, nfd);
	for (i = 0; i < 5; i++)
		close(f[0].src[i]);
}

/* The exiting children of setns_exit write "c." keys as writer EXIT_W. */
#define EXIT_W		(NR_WRITERS - 1)

/*
 * A child forked by the churn thread: it sets key @id in the churn
 * thread's namespace (X), or first unshares (@fresh) so that the label
 * dies with it, and exits at once.
 */
static void exiting_child(struct race *r, unsigned int id, __u32 seq,
			  bool fresh)
{
	char v[XNS_LABEL_VALUE_MAX];
	struct xns_label l;
	char key[XNS_LABEL_KEY_MAX];

	if (fresh && xns_unshare())
		_exit(2);
	key_name(key, id);
	make_value(v, id, EXIT_W, seq);
	xns_label_fill(&l, key, NULL);
	memcpy(l.value, v, sizeof(v));
	_exit(ioctl(r->devfd, XNS_IOC_LABEL_SET, &l) ? 3 : 0);
}

struct churn {
	struct race *r;
	int nsfd;
	__u64 rng;
};

static bool back_home(struct churn *c)
{
	struct race *r = c->r;
	struct xns_info info;
	int ret;

	ret = xns_setns(c->nsfd, XNS_NS_TYPE);
	count(&r->setns);
	if (!race_check(r, !ret, "setns back: %s", strerror(-ret)))
		return false;
	ret = xns_get_info(r->devfd, &info);
	return race_check(r, !ret && info.inum == r->ns_inum,
			  "after setns: inum %u, want %u", info.inum,
			  r->ns_inum);
}

/* Unshare into a fresh child of X: empty, one level down, isolated. */
static bool churn_unshare(struct churn *c)
{
	struct race *r = c->r;
	struct xns_label got;
	struct xns_info info;
	__u32 nr = 0;
	int ret;

	ret = race_unshare(r, NS_CREATE_CHILD);
	count(&r->unshares);
	if (!race_check(r, !ret, "unshare: %s", strerror(-ret)))
		return false;
	ret = race_ioctl(r, OP_INFO, XNS_IOC_GET_INFO, &info);
	if (!race_check(r, !ret && info.depth == r->ns_depth + 1 &&
			!info.nr_labels && info.inum != r->ns_inum,
			"new namespace: depth %u labels %u inum %u", info.depth,
			info.nr_labels, info.inum))
		return false;
	/* X's labels, which the labelers keep changing, are not here. */
	ret = label_op(r, OP_GET, 0, NULL, &got);
	race_check(r, ret == -ENOENT, "GET of X's key in a child: %s",
		   strerror(-ret));
	ret = xns_label_set(r->devfd, "c.0", "y");
	race_check(r, !ret && !xns_label_count(r->devfd, &nr) && nr == 1,
		   "SET in a child: %s, %u labels", strerror(-ret), nr);
	return back_home(c);
}

/* Nest down to XNS_MAX_DEPTH: the next NS_CREATE_CHILD gives ENOSPC. */
static bool churn_nest(struct churn *c)
{
	struct race *r = c->r;
	struct xns_info info;
	int ret;

	for (;;) {
		ret = xns_get_info(r->devfd, &info);
		if (!race_check(r, !ret, "GET_INFO: %s", strerror(-ret)))
			return false;
		ret = race_unshare(r, NS_CREATE_CHILD);
		count(&r->unshares);
		if (ret)
			break;
	}
	if (!race_check(r, ret == -ENOSPC && info.depth == XNS_MAX_DEPTH,
			"unshare at depth %u: %s", info.depth, strerror(-ret)))
		return false;
	count(&r->depth_hits);
	return back_home(c);
}

/* Without CAP_SYS_ADMIN for a moment: CREATE_CHILD, setns, SET fail. */
static bool churn_capdrop(struct churn *c)
{
	char v[XNS_LABEL_VALUE_MAX];
	struct race *r = c->r;
	struct xns_info info;
	int ret, ret2, ret3;

	ret = xns_set_cap_effective(CAP_SYS_ADMIN, false);
	if (!race_check(r, !ret, "drop CAP_SYS_ADMIN: %s", strerror(-ret)))
		return false;
	ret = race_unshare(r, NS_CREATE_CHILD);
	ret2 = xns_setns(c->nsfd, XNS_NS_TYPE);
	memset(v, 0, sizeof(v));
	ret3 = label_op(r, OP_SET, KEY_NOCAP0, v, NULL);
	xns_set_cap_effective(CAP_SYS_ADMIN, true);
	count(&r->capdrops);
	if (!race_check(r, ret == -EPERM && ret2 == -EPERM && ret3 == -EPERM,
			"without CAP_SYS_ADMIN: CREATE_CHILD %s, setns %s, SET %s",
			strerror(-ret), strerror(-ret2), strerror(-ret3)))
		return false;
	ret = xns_get_info(r->devfd, &info);
	return race_check(r, !ret && info.inum == r->ns_inum,
			  "a refused CREATE_CHILD moved us: inum %u",
			  info.inum);
}

/* A child labels X (or its own namespace) and exits; the label stays. */
static bool churn_exit(struct churn *c, __u32 n)
{
	struct race *r = c->r;
	unsigned int id = KEY_SHARED0 + n % SHARED_KEYS;
	char v[XNS_LABEL_VALUE_MAX];
	bool fresh = n % 3 == 0;
	struct xns_label got;
	int status, ret;
	pid_t pid;

	__atomic_store_n(&r->seq[EXIT_W], n, __ATOMIC_RELEASE);
	pid = fork();
	if (!pid)
		exiting_child(r, id, n, fresh);
	if (!race_check(r, pid > 0, "fork: %s", strerror(errno)))
		return false;
	if (!race_check(r, waitpid(pid, &status, 0) == pid &&
			WIFEXITED(status) && !WEXITSTATUS(status),
			"exiting child: status %#x", status))
		return false;
	count(&r->exits);
	ret = label_op(r, OP_GET, id, NULL, &got);
	if (fresh)
		return race_check(r, ret == -ENOENT,
				  "label of a child's own namespace in X: %s",
				  strerror(-ret));
	make_value(v, id, EXIT_W, n);
	if (!race_check(r, !ret, "label of an exited child: %s",
			strerror(-ret)) || !value_ok(r, got.value, id, v))
		return false;
	ret = label_op(r, OP_DEL, id, NULL, NULL);
	return race_check(r, !ret, "DEL: %s", strerror(-ret));
}

static void *churn_thread(void *arg)
{
	struct churn *c = arg;
	struct race *r = c->r;
	bool ok = true;
	__u32 n;
	int ret;

	for (n = 1; ok && !race_over(r); n++) {
		switch (n % 8) {
		case 0:
			ok = n % 64 ? back_home(c) : churn_nest(c);
			break;
		case 1:
			ok = churn_capdrop(c);
			break;
		case 2:
			ret = race_unshare(r, wrong_size(NS_CREATE_CHILD));
			ok = race_check(r, ret == -ENOTTY,
					"CREATE_CHILD of the wrong size: %s",
					strerror(-ret));
			break;
		case 3:
		case 6:
			ok = churn_exit(c, n);
			break;
		default:
			ok = churn_unshare(c);
			break;
		}
	}
	return NULL;
}

static void setns_exit(struct race *r)
{
	struct writer w[NR_LABELERS];
	pthread_t t[NR_LABELERS + 1];
	struct churn c = {};
	int i, nr = 0;

	if (enter_new_ns(r))
		return;
	c.r = r;
	c.rng = r->seed;
	c.nsfd = xns_open_ns(0);
	if (!race_check(r, c.nsfd >= 0, "open: %s", strerror(-c.nsfd)))
		return;
	/* The first nesting is at once: every run reaches the depth limit. */
	if (!churn_nest(&c))
		return;
	init_writers(r, w, NR_LABELERS);
	for (i = 0; i < NR_LABELERS + 1; i++, nr++)
		if (!race_check(r, !pthread_create(&t[i], NULL,
						   i < NR_LABELERS ?
						   labeler_thread : churn_thread,
						   i < NR_LABELERS ?
						   (void *)&w[i] : (void *)&c),
				"pthread_create"))
			break;
	for (i = 0; i < nr; i++)
		pthread_join(t[i], NULL);
	if (!r->failed)
		check_quiescent(r, w, NR_LABELERS);
	close(c.nsfd);
}

/*
 * limit: values written are base + one of these, to max_module_namespaces
 * of the case's user namespace.
 */
static const unsigned int limit_steps[] = { 0, 1, 2, 3, 5, 8 };

static int write_limit(unsigned int val)
{
	return xns_limit_write(XNS_SYSCTL_MAX_NS, val);
}

static int read_limit(unsigned int *val)
{
	unsigned long v = 0;
	int ret;

	ret = xns_limit_read(XNS_SYSCTL_MAX_NS, &v);
	*val = v;
	return ret;
}

/*
 * The case's namespaces, all counted in its user namespace, never exceed
 * the largest limit written; the others are those alive before the case.
 */
static void check_bound(struct race *r)
{
	__u32 live = 0, max;

	if (xns_nr_live(r->devfd, &live))
		return;
	max = __atomic_load_n(&r->max_written, __ATOMIC_ACQUIRE);
	if (live > __atomic_load_n(&r->max_seen, __ATOMIC_RELAXED))
		__atomic_store_n(&r->max_seen, live, __ATOMIC_RELAXED);
	race_check(r, live <= r->start_live + max,
		   "%u namespaces alive, %u before the case, limit never above %u",
		   live, r->start_live, max);
}

static void *limit_writer(void *arg)
{
	struct churn *c = arg;
	struct race *r = c->r;
	unsigned int val, back = 0;
	int ret;

	while (!race_over(r)) {
		val = r->base + limit_steps[splitmix64(&c->rng) %
					    ARRAY_SIZE(limit_steps)];
		/* Raise the bound before the kernel may use the value. */
		if (val > r->max_written)
			__atomic_store_n(&r->max_written, val,
					 __ATOMIC_RELEASE);
		ret = write_limit(val);
		if (!race_check(r, !ret, "write max_module_namespaces: %s",
				strerror(-ret)))
			break;
		ret = read_limit(&back);
		race_check(r, !ret && back == val,
			   "max_module_namespaces reads %u after writing %u",
			   back, val);
		count(&r->writes);
		check_bound(r);
		sched_yield();
	}
	return NULL;
}

/* Creators: a chain of up to CHAIN namespaces, then back to X. */
static void *limit_creator(void *arg)
{
	struct churn *c = arg;
	struct race *r = c->r;
	int i, ret;

	while (!race_over(r)) {
		for (i = 0; i < CHAIN; i++) {
			ret = race_unshare(r, NS_CREATE_CHILD);
			if (ret) {
				race_check(r, ret == -ENOSPC, "unshare: %s",
					   strerror(-ret));
				break;
			}
			check_bound(r);
		}
		if (i && !back_home(c))
			break;
	}
	return NULL;
}

/*
 * Quiescent, every namespace of the race freed: the limit counts exactly
 * (base + 2 allows two more), then a limit of base: none.
 */
static void limit_quiescent(struct race *r, struct churn *c)
{
	__u32 seen;
	int ret, ret2, ret3;

	ret = xns_wait_nr_live(r->devfd, r->start_live + 1, XNS_SETTLE_MS,
			       &seen);
	if (!race_check(r, !ret, "%u namespaces alive after the race, want %u",
			seen, r->start_live + 1))
		return;
	ret = write_limit(r->base + 2);
	if (!race_check(r, !ret, "write max_module_namespaces: %s",
			strerror(-ret)))
		return;
	ret = race_unshare(r, NS_CREATE_CHILD);
	ret2 = race_unshare(r, NS_CREATE_CHILD);
	ret3 = race_unshare(r, NS_CREATE_CHILD);
	race_check(r, !ret && !ret2 && ret3 == -ENOSPC,
		   "limit base + 2: unshares gave %d %d %d", ret, ret2, ret3);
	if (!back_home(c))
		return;
	xns_wait_nr_live(r->devfd, r->start_live + 1, XNS_SETTLE_MS, NULL);
	ret = write_limit(r->base);
	if (!race_check(r, !ret, "write max_module_namespaces: %s",
			strerror(-ret)))
		return;
	ret = race_unshare(r, NS_CREATE_CHILD);
	race_check(r, ret == -ENOSPC, "limit base: unshare %s",
		   strerror(-ret));
}

static void limit(struct race *r)
{
	struct churn c[NR_CREATORS + 1] = {};
	pthread_t t[NR_CREATORS + 1];
	int i, nr = 0, fd, ret;

	/* Single-threaded still, as unshare(CLONE_NEWUSER) needs. */
	ret = xns_enter_userns();
	if (!race_check(r, !ret, "entering a user namespace: %s",
			strerror(-ret)))
		return;
	if (enter_new_ns(r))
		return;
	fd = xns_open_ns(0);
	if (!race_check(r, fd >= 0, "open: %s", strerror(-fd)))
		return;
	/* What root has in its new user namespace: X.  Steps go on top. */
	r->base = 1;
	r->max_written = r->base;
	ret = write_limit(r->base);
	if (!race_check(r, !ret, "write max_module_namespaces: %s",
			strerror(-ret)))
		return;
	for (i = 0; i < NR_CREATORS + 1; i++) {
		c[i].r = r;
		c[i].nsfd = fd;
		c[i].rng = r->seed + i;
	}
	for (i = 0; i < NR_CREATORS + 1; i++, nr++)
		if (!race_check(r, !pthread_create(&t[i], NULL,
						   i < NR_CREATORS ?
						   limit_creator : limit_writer,
						   &c[i]), "pthread_create"))
			break;
	for (i = 0; i < nr; i++)
		pthread_join(t[i], NULL);
	if (!r->failed)
		limit_quiescent(r, &c[0]);
	close(fd);
}

/* The documented errnos a case must see: { op, errno }, 0 for success. */
struct want {
	int op;
	int err;
};

static const struct want want_shared[] = {
	{ OP_SET, 0 }, { OP_SET, EPERM }, { OP_SET, ENOSPC },
	{ OP_SET, EINVAL }, { OP_SET, EFAULT }, { OP_SET, ENOTTY },
	{ OP_GET, 0 }, { OP_GET, ENOENT }, { OP_GET, EINVAL },
	{ OP_GET, EFAULT }, { OP_GET, ENOTTY },
	{ OP_DEL, 0 }, { OP_DEL, ENOENT }, { OP_DEL, EPERM },
	{ OP_DEL, EINVAL }, { OP_DEL, EFAULT }, { OP_DEL, ENOTTY },
	{ OP_LIST, 0 }, { OP_LIST, EOVERFLOW }, { OP_LIST, EINVAL },
	{ OP_LIST, EFAULT }, { OP_LIST, ENOTTY },
	{ OP_INFO, 0 }, { OP_INFO, EFAULT }, { OP_INFO, ENOTTY },
};

static const struct want want_setns[] = {
	{ OP_CREATE, 0 }, { OP_CREATE, EPERM }, { OP_CREATE, ENOSPC },
	{ OP_CREATE, ENOTTY }, { OP_SET, 0 }, { OP_SET, EPERM },
	{ OP_GET, 0 }, { OP_GET, ENOENT }, { OP_DEL, 0 }, { OP_DEL, ENOENT },
	{ OP_LIST, 0 },
};

static const struct want want_limit[] = {
	{ OP_CREATE, 0 }, { OP_CREATE, ENOSPC },
};

FIXTURE(race)
{
	int devfd;
	struct race *r;
	__u32 start_live;
};

FIXTURE_SETUP(race)
{
	double seconds;
	int ret;

	self->devfd = -1;
	self->r = NULL;
	if (geteuid() != 0)
		SKIP(return, "must be run as root");
	self->devfd = xns_setup_dev(_metadata);
	if (self->devfd < 0)
		return;
	self->r = race_map();
	ASSERT_NE(NULL, self->r);
	/* Kept mapped, so that no later mapping (a thread stack) lands there. */
	hole = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, hole);
	ret = xns_nr_live(self->devfd, &self->start_live);
	ASSERT_EQ(0, ret);
	seconds = stress_seconds() / 2;
	if (seconds > RACE_MAX_SECONDS)
		seconds = RACE_MAX_SECONDS;
	self->r->seconds = seconds;
	self->r->seed = stress_seed();
	self->r->start_live = self->start_live;
	ksft_print_msg("seed=%llu (XNS_SEED to repeat), %.1f s\n",
		       (unsigned long long)self->r->seed, seconds);
}

FIXTURE_TEARDOWN(race)
{
	if (self->r)
		munmap(self->r, sizeof(*self->r));
	if (hole && hole != MAP_FAILED)
		munmap(hole, 4096);
	if (self->devfd >= 0)
		close(self->devfd);
}

/*
 * Run @fn in a child process, then check what every case checks: no
 * failed check, the child exited cleanly, every namespace is freed, and
 * the errnos in @want were all seen.
 */
static void run_race(struct __test_metadata *_metadata, struct race *r,
		     int devfd, void (*fn)(struct race *r),
		     const struct want *want, int nr_want)
{
	__u64 start = now_ms();
	int status = 0, i, op, e;
	double secs;
	__u32 seen;
	pid_t pid;

	r->deadline = start + (__u64)(r->seconds * 1000);
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		fn(r);
		_exit(r->failed);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	secs = (now_ms() - start) / 1000.0;
	ksft_print_msg("%llu ioctls on /dev/xns in %.1f s (%.0f/s)\n",
		       (unsigned long long)(r->calls + r->fd_calls), secs,
		       (r->calls + r->fd_calls) / secs);
	ksft_print_msg("%llu checks, %llu race outcomes\n",
		       (unsigned long long)r->checks,
		       (unsigned long long)r->races);
	for (op = 0; op < NR_OPS; op++) {
		char line[512];
		int len = 0;

		for (e = 0; e < MAX_ERRNO; e++)
			if (r->out[op][e])
				len += snprintf(line + len, sizeof(line) - len,
						" %s=%llu", e ? strerrorname_np(e) :
						"ok",
						(unsigned long long)r->out[op][e]);
		if (len)
			ksft_print_msg("  %-10s%s\n", op_names[op], line);
	}
	ASSERT_EQ(0, r->failed) {
		TH_LOG("%s", r->msg);
	}
	ASSERT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status)) {
		TH_LOG("case process: status %#x", status);
	}
	for (i = 0; i < nr_want; i++) {
		EXPECT_NE(0ULL, r->out[want[i].op][want[i].err]) {
			TH_LOG("%s never gave %s", op_names[want[i].op],
			       want[i].err ? strerrorname_np(want[i].err) :
			       "success");
		}
	}
	EXPECT_EQ(0, xns_wait_nr_live(devfd, r->start_live, XNS_SETTLE_MS,
				      &seen)) {
		TH_LOG("%u namespaces alive, %u before the case", seen,
		       r->start_live);
	}
}

TEST_F(race, shared_table)
{
	struct race *r = self->r;

	run_race(_metadata, r, self->devfd, shared_table, want_shared,
		 ARRAY_SIZE(want_shared));
	ksft_print_msg("%llu lists with keys\n",
		       (unsigned long long)r->lists_nonempty);
	/* Every thread got through; races did not crowd out the work. */
	EXPECT_LE(1000ULL, r->calls);
	EXPECT_LE(10ULL, r->lists_nonempty);
	EXPECT_GT(r->calls / 2, r->races);
}

TEST_F(race, fd_close)
{
	struct race *r = self->r;

	run_race(_metadata, r, self->devfd, fd_close, NULL, 0);
	ksft_print_msg("%llu swapped-fd ioctls: %llu ok, %llu EBADF, %llu ENOTTY; %llu swaps\n",
		       (unsigned long long)r->fd_calls,
		       (unsigned long long)r->fd_ok,
		       (unsigned long long)r->fd_badf,
		       (unsigned long long)r->fd_notty,
		       (unsigned long long)r->swaps);
	/* The slots were empty and held other files at times... */
	EXPECT_NE(0ULL, r->fd_badf);
	EXPECT_NE(0ULL, r->fd_notty);
	EXPECT_LE(100ULL, r->swaps);
	/* ...but mostly a file that answered. */
	EXPECT_LE(r->fd_calls / 10, r->fd_ok);
	EXPECT_GT(r->fd_calls / 2, r->fd_badf);
}

TEST_F(race, setns_exit)
{
	struct race *r = self->r;

	run_race(_metadata, r, self->devfd, setns_exit, want_setns,
		 ARRAY_SIZE(want_setns));
	ksft_print_msg("%llu unshares, %llu setns, %llu children exited\n",
		       (unsigned long long)r->unshares,
		       (unsigned long long)r->setns,
		       (unsigned long long)r->exits);
	ksft_print_msg("%llu times at the depth limit, %llu without CAP_SYS_ADMIN\n",
		       (unsigned long long)r->depth_hits,
		       (unsigned long long)r->capdrops);
	/* Every outcome here is exact: nothing is excused as a race. */
	EXPECT_EQ(0ULL, r->races);
	EXPECT_LE(10ULL, r->exits);
	EXPECT_LE(10ULL, r->setns);
}

TEST_F(race, limit)
{
	unsigned int init_max = 0, after = 0;
	struct race *r = self->r;
	int ret;

	ret = read_limit(&init_max);
	ASSERT_EQ(0, ret) {
		TH_LOG("read %s: %s", XNS_SYSCTL_MAX_NS, strerror(-ret));
	}
	run_race(_metadata, r, self->devfd, limit, want_limit, ARRAY_SIZE(want_limit));
	ksft_print_msg("%llu limit writes, at most %u namespaces alive, limit %u + up to %u\n",
		       (unsigned long long)r->writes, r->max_seen, r->base,
		       r->max_written - r->base);
	EXPECT_LE(10ULL, r->writes);
	/* The case wrote the limit of its own user namespace only. */
	ASSERT_EQ(0, read_limit(&after));
	EXPECT_EQ(init_max, after);
}

TEST_HARNESS_MAIN
