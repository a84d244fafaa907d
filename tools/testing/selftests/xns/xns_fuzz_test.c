// SPDX-License-Identifier: GPL-2.0
/*
 * xns ioctl fuzzer: for XNS_STRESS_SECONDS (default 5) per test, random
 * ioctls on /dev/xns and on xns nsfs files:
 *
 *  - commands: fully random numbers (except the VFS's own generic ioctls,
 *    which do_vfs_ioctl() handles before the file does), the real ones
 *    with corrupted direction, size, number or type bits, and the real
 *    ones;
 *  - arguments: NULL, an unmapped (munmap'd) page, a read-only page,
 *    a buffer whose tail runs into the unmapped page, kernel and
 *    non-canonical addresses, and valid buffers with random contents
 *    (keys and values not terminated, empty, not printable; huge counts
 *    in struct xns_label_list with a small or missing key array, a non-0
 *    reserved field); in the concurrent test also a page another thread
 *    keeps mprotect()ing.
 *
 * Each call must return 0 or an errno of the documented set, and where the
 * outcome follows from the arguments and the namespace's state (the real
 * commands, on all but the mprotect()ed page) exactly that outcome.  After
 * every call the namespace (XNS_IOC_GET_INFO but nr_live, the sorted
 * LABEL_LIST, LABEL_GET of each key) must be unchanged, unless the call
 * succeeded at changing it, and nsfs ioctls must leave no descriptor
 * behind.  NS_CREATE_CHILD, the only nsfs ioctl that creates, must give a
 * new xns (or ENOSPC at XNS_MAX_DEPTH) on each file; now and then the
 * fuzzer enters a child of its own namespace made so, as an unshare.  It
 * keeps few namespaces alive, far below max_module_namespaces (INT_MAX
 * in a new user namespace, max_threads / 2 in the initial one).
 *
 * Tests: dev_ioctls (/dev/xns only), nsfs_ioctls (mostly nsfs, on the
 * caller's namespace, one it is not below and a child one), userns (both,
 * as root of a user namespace that does not own the xns: the EPERM paths)
 * and concurrent (NR_THREADS threads, each in an xns of its own, unshare
 * being per thread, plus the mprotect() thread).
 *
 * Everything runs in namespaces the test unshares; the initial one is
 * only looked at through nsfs.  XNS_SEED repeats a run's choices.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <linux/nsfs.h>
#include <linux/xns.h>

#include "xns_util.h"
#include "xns_stress.h"
#include "kselftest_harness.h"
#include "xns_harness.h"

#define NR_THREADS		4
/* Valid keys come mostly from k00..k23, so that they are found again. */
#define NR_KEYS			24
#define THREAD_SELF_LINK	"/proc/thread-self/ns/xns"
#define MNT_INFO_VER0		16

#ifndef NSIO
#define NSIO			0xb7
#endif
#define NSFS_CMD(dir, nr, size)	_IOC(dir, NSIO, nr, size)
#define NS_CMD_GET_USERNS	NSFS_CMD(_IOC_NONE, 1, 0)
#define NS_CMD_GET_PARENT	NSFS_CMD(_IOC_NONE, 2, 0)
#define NS_CMD_GET_NSTYPE	NSFS_CMD(_IOC_NONE, 3, 0)
#define NS_CMD_GET_OWNER_UID	NSFS_CMD(_IOC_NONE, 4, 0)
#define NS_CMD_GET_MNTNS_ID	NSFS_CMD(_IOC_READ, 5, 8)
#define NS_CMD_GET_ID		NSFS_CMD(_IOC_READ, 13, 8)
#define NS_CMD_CREATE_CHILD	NSFS_CMD(_IOC_NONE, 0x20, 0)
#define NS_CLONE_NEWUSER	0x10000000

static const unsigned int dev_cmds[] = {
	XNS_IOC_LABEL_SET, XNS_IOC_LABEL_GET, XNS_IOC_LABEL_DEL,
	XNS_IOC_LABEL_LIST, XNS_IOC_GET_INFO,
};

#define NR_DEV_CMDS	ARRAY_SIZE(dev_cmds)

static const unsigned int ns_cmds[] = {
	NS_CMD_GET_USERNS, NS_CMD_GET_PARENT, NS_CMD_GET_NSTYPE,
	NS_CMD_GET_OWNER_UID, NS_CMD_GET_MNTNS_ID,
	NSFS_CMD(_IOC_READ, 6, 4), NSFS_CMD(_IOC_READ, 7, 4),
	NSFS_CMD(_IOC_READ, 8, 4), NSFS_CMD(_IOC_READ, 9, 4),
	NSFS_CMD(_IOC_READ, 10, MNT_INFO_VER0),
	NSFS_CMD(_IOC_READ, 11, MNT_INFO_VER0),
	NSFS_CMD(_IOC_READ, 12, MNT_INFO_VER0),
	NS_CMD_GET_ID, NS_CMD_CREATE_CHILD,
};

#define NR_NS_CMDS	ARRAY_SIZE(ns_cmds)

/* Where an argument points. */
enum ptr_kind {
	PK_VALID,
	PK_NULL,
	PK_HOLE,
	PK_RO,
	PK_STRADDLE,
	PK_KERNEL,
	PK_NONCANON,
	PK_FLIP,
	NR_PK,
};

static const char * const pk_names[NR_PK] = {
	"valid", "NULL", "unmapped", "read-only", "straddling", "kernel",
	"non-canonical", "mprotect-flipped",
};

/* Where the key array of a LABEL_LIST points. */
enum keys_kind {
	KP_BIG,
	KP_TAIL,
	KP_NULL,
	KP_HOLE,
	KP_RO,
	KP_KERNEL,
	NR_KP,
};

/* What a call's outcome must be. */
#define EXPECT_ANY		INT_MIN
#define EXPECT_FD_USERNS	(INT_MIN + 1)
#define EXPECT_FD_PARENT	(INT_MIN + 2)
#define EXPECT_FD_CHILD		(INT_MIN + 3)

/* Outcomes counted, for the summary. */
static const int outcome_errnos[] = {
	0, ENOTTY, EFAULT, EINVAL, ENOENT, ENOSPC, EOVERFLOW, EPERM,
};

#define NR_OUTCOMES	ARRAY_SIZE(outcome_errnos)

struct snap {
	__u32 inum;
	__u32 depth;
	__u32 nr_labels;
	__u64 ns_id;
	__u32 n;
	char keys[XNS_LABELS_MAX][XNS_LABEL_KEY_MAX];
	char values[XNS_LABELS_MAX][XNS_LABEL_VALUE_MAX];
};

enum ns_fd_kind { NSFD_OWN, NSFD_OTHER, NSFD_CHILD, NR_NSFD };

static const char * const nsfd_names[NR_NSFD] = {
	"own", "non-descendant", "child",
};

struct fuzzer {
	int id;
	__u64 rng;
	__u64 deadline_ms;
	int devfd;
	size_t page;
	/* Four pages: two read-write, an unmapped one, a read-only one. */
	char *area;
	char *hole;
	char *ro;
	/* A page another thread mprotect()s, or NULL. */
	char *flip;
	char ro_key[8];
	bool check_fds;
	/* In a user namespace of its own, below namespaces it does not own. */
	bool userns;
	/* Does the caller's user namespace own its xns (may it write)? */
	bool writable;
	int nsfd[NR_NSFD];
	__u32 child_parent_inum;
	/* Depths of the namespaces of nsfd[NSFD_OTHER] and nsfd[NSFD_CHILD]. */
	__u32 other_depth;
	__u32 child_depth;
	__u64 creates;
	__u64 enters;
	struct snap cur;
	struct snap now;
	char keybuf[XNS_LABELS_MAX][XNS_LABEL_KEY_MAX];
	__u64 dev_calls;
	__u64 ns_calls;
	__u64 outcomes[NR_OUTCOMES];
	__u64 skipped;
	int err;
	char msg[400];
};

static unsigned int rnd(struct fuzzer *f, unsigned int n)
{
	return splitmix64(&f->rng) % n;
}

static void count_outcome(struct fuzzer *f, int err)
{
	unsigned int i;

	for (i = 0; i < NR_OUTCOMES; i++)
		if (outcome_errnos[i] == err)
			f->outcomes[i]++;
}

static __printf(2, 3) int fz_fail(struct fuzzer *f, const char *fmt, ...)
{
	va_list ap;

	if (f->err)
		return -1;
	f->err = 1;
	va_start(ap, fmt);
	vsnprintf(f->msg, sizeof(f->msg), fmt, ap);
	va_end(ap);
	return -1;
}

static const char *errname(int err)
{
	static __thread char buf[32];

	switch (err) {
	case 0: return "success";
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case EFAULT: return "EFAULT";
	case EINVAL: return "EINVAL";
	case ENOTTY: return "ENOTTY";
	case ENOSPC: return "ENOSPC";
	case EOVERFLOW: return "EOVERFLOW";
	}
	snprintf(buf, sizeof(buf), "errno %d", err);
	return buf;
}

/* Is @cmd one of the VFS's generic ioctls (fs/ioctl.c)? */
static bool vfs_cmd(unsigned int cmd)
{
	unsigned int type = _IOC_TYPE(cmd);

	/* FIBMAP, FIGETBSZ; FIONREAD, FIONBIO, FIOCLEX, FIOASYNC, ... */
	if (type == 0 || (cmd & 0xffffff00) == 0x5400)
		return true;
	/* FS_IOC_*FLAGS, FIEMAP; FIFREEZE, FSGETXATTR, RESVSP, ...; FICLONE*,
	 * FIDEDUPERANGE; FS_IOC_GETFSUUID, GETFSSYSFSPATH.
	 */
	return type == 'f' || type == 'X' || type == 0x94 || type == 0x15;
}

static int dev_cmd_index(unsigned int cmd)
{
	unsigned int i;

	for (i = 0; i < NR_DEV_CMDS; i++)
		if (dev_cmds[i] == cmd)
			return i;
	return -1;
}

static bool is_ns_cmd(unsigned int cmd)
{
	unsigned int i;

	for (i = 0; i < NR_NS_CMDS; i++)
		if (ns_cmds[i] == cmd)
			return true;
	return false;
}

/* The spec of a key: 1 to 63 printable characters, NUL-terminated. */
static bool spec_key_ok(const char *key)
{
	size_t i;

	for (i = 0; i < XNS_LABEL_KEY_MAX && key[i]; i++)
		if ((unsigned char)key[i] < 0x21 || (unsigned char)key[i] > 0x7e)
			return false;
	return i > 0 && i < XNS_LABEL_KEY_MAX;
}

static bool spec_value_ok(const char *value)
{
	return memchr(value, 0, XNS_LABEL_VALUE_MAX);
}

static int cmp_key(const void *a, const void *b)
{
	return strncmp(a, b, XNS_LABEL_KEY_MAX);
}

/* The state of the caller's namespace. */
static int take_snap(struct fuzzer *f, struct snap *s)
{
	struct xns_info info;
	struct xns_label label;
	__u32 count = XNS_LABELS_MAX, i;
	int ret;

	memset(s, 0, sizeof(*s));
	ret = xns_get_info(f->devfd, &info);
	if (ret)
		return fz_fail(f, "snapshot: GET_INFO: %s", strerror(-ret));
	s->inum = info.inum;
	s->depth = info.depth;
	s->nr_labels = info.nr_labels;
	s->ns_id = info.ns_id;
	ret = xns_label_list(f->devfd, s->keys, &count);
	if (ret || count > XNS_LABELS_MAX)
		return fz_fail(f, "snapshot: LIST: %s, count %u",
			       strerror(-ret), count);
	s->n = count;
	qsort(s->keys, count, XNS_LABEL_KEY_MAX, cmp_key);
	for (i = 0; i < count; i++) {
		if (!spec_key_ok(s->keys[i]))
			return fz_fail(f, "snapshot: LIST gave a bad key");
		memcpy(label.key, s->keys[i], XNS_LABEL_KEY_MAX);
		memset(label.value, 0, sizeof(label.value));
		ret = xns_ioctl(f->devfd, XNS_IOC_LABEL_GET, &label);
		if (ret)
			return fz_fail(f, "snapshot: GET %.64s: %s", s->keys[i],
				       strerror(-ret));
		memcpy(s->values[i], label.value, XNS_LABEL_VALUE_MAX);
	}
	return 0;
}

static int snap_find(const struct snap *s, const char *key)
{
	__u32 i;

	for (i = 0; i < s->n; i++)
		if (!strncmp(s->keys[i], key, XNS_LABEL_KEY_MAX))
			return i;
	return -1;
}

/* NULL if equal, else what differs. */
static const char *snap_diff(const struct snap *a, const struct snap *b)
{
	__u32 i;

	if (a->inum != b->inum || a->ns_id != b->ns_id)
		return "namespace (inum or id)";
	if (a->depth != b->depth)
		return "depth";
	if (a->nr_labels != b->nr_labels || a->n != b->n ||
	    a->nr_labels != a->n)
		return "number of labels";
	for (i = 0; i < a->n; i++) {
		if (strncmp(a->keys[i], b->keys[i], XNS_LABEL_KEY_MAX))
			return "keys";
		if (memcmp(a->values[i], b->values[i], XNS_LABEL_VALUE_MAX))
			return "values";
	}
	return NULL;
}

/* Is the page at @p unmapped?  (Something else might have reused it.) */
static bool unmapped(struct fuzzer *f, char *p)
{
	return msync(p, f->page, MS_ASYNC) && errno == ENOMEM;
}

static void *kernel_ptr(struct fuzzer *f)
{
	switch (rnd(f, 3)) {
	case 0:
		return (void *)(uintptr_t)(0xffff888000000000ULL +
					   rnd(f, 1 << 20) * 64);
	case 1:
		return (void *)(~(uintptr_t)0 - rnd(f, 64));
	default:
		return (void *)(uintptr_t)0xffffffff80000000ULL;
	}
}

/*
 * A pointer of kind @pk to @size bytes.  Valid buffers are in the first
 * page; the second page ends at the hole and holds key arrays and
 * straddling buffers.  Returns NULL with *@pk set to NR_PK if the kind is
 * not available right now.
 */
static void *arg_ptr(struct fuzzer *f, enum ptr_kind *pk, size_t size,
		     size_t ro_off)
{
	switch (*pk) {
	case PK_VALID:
		return f->area + rnd(f, (f->page - size) / 8 + 1) * 8;
	case PK_NULL:
		return NULL;
	case PK_HOLE:
		if (!unmapped(f, f->hole))
			break;
		return f->hole + rnd(f, f->page - 8);
	case PK_RO:
		return f->ro + ro_off;
	case PK_STRADDLE:
		if (size < 2 || !unmapped(f, f->hole))
			break;
		return f->hole - 1 - rnd(f, size - 1);
	case PK_KERNEL:
		return kernel_ptr(f);
	case PK_NONCANON:
		return (void *)(uintptr_t)((1ULL << 62) + rnd(f, 4096));
	case PK_FLIP:
		if (!f->flip)
			break;
		return f->flip + rnd(f, (f->page - size) / 8 + 1) * 8;
	default:
		break;
	}
	*pk = NR_PK;
	f->skipped++;
	return NULL;
}

static enum ptr_kind pick_pk(struct fuzzer *f)
{
	unsigned int r = rnd(f, 100);

	if (r < 50)
		return PK_VALID;
	if (r < 57 && f->flip)
		return PK_FLIP;
	return PK_NULL + rnd(f, PK_FLIP - PK_NULL);
}

static bool bad_ptr(enum ptr_kind pk)
{
	return pk == PK_NULL || pk == PK_HOLE || pk == PK_STRADDLE ||
	       pk == PK_KERNEL || pk == PK_NONCANON;
}

static void fill_random(struct fuzzer *f, void *buf, size_t len)
{
	unsigned char *p = buf;
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = rnd(f, 256);
}

static void fill_printable(struct fuzzer *f, char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = 0x21 + rnd(f, 0x7e - 0x21 + 1);
}

/* A label with a key and value of random shapes; the spec judges them. */
static void gen_label(struct fuzzer *f, struct xns_label *label)
{
	size_t len;

	memset(label, 0, sizeof(*label));
	switch (rnd(f, 10)) {
	case 0:
		break;		/* empty */
	case 1:
		fill_printable(f, label->key, XNS_LABEL_KEY_MAX);
		break;		/* not terminated */
	case 2:
		len = 1 + rnd(f, XNS_LABEL_KEY_MAX - 1);
		fill_printable(f, label->key, len);
		label->key[rnd(f, len)] = rnd(f, 2) ? 0x20 + rnd(f, 2) * 0x5f :
					  0x80 + rnd(f, 0x80);
		break;		/* not printable */
	case 3:
		fill_random(f, label->key, XNS_LABEL_KEY_MAX);
		break;
	case 4:
		len = 1 + rnd(f, XNS_LABEL_KEY_MAX - 1);
		fill_printable(f, label->key, len);
		break;		/* valid, most likely new */
	default:
		if (f->cur.n && rnd(f, 2))
			memcpy(label->key, f->cur.keys[rnd(f, f->cur.n)],
			       XNS_LABEL_KEY_MAX);
		else
			snprintf(label->key, sizeof(label->key), "k%02u",
				 rnd(f, NR_KEYS));
		/* Junk after the NUL does not matter. */
		if (!rnd(f, 4))
			fill_random(f, label->key + 4, XNS_LABEL_KEY_MAX - 4);
		break;
	}
	switch (rnd(f, 6)) {
	case 0:
		fill_random(f, label->value, XNS_LABEL_VALUE_MAX);
		memset(label->value, 'x', rnd(f, 2) ? 0 : 64);
		/* maybe not terminated */
		break;
	case 1:
		memset(label->value, 'v', XNS_LABEL_VALUE_MAX);
		break;		/* not terminated */
	default:
		len = rnd(f, XNS_LABEL_VALUE_MAX);
		fill_random(f, label->value, len);
		for (; len; len--)
			if (!label->value[len - 1])
				label->value[len - 1] = 'z';
		break;
	}
}

/* The expected outcome of a real /dev/xns command on a valid label. */
static int expect_label(struct fuzzer *f, unsigned int cmd,
			const struct xns_label *label)
{
	bool exists;

	if (!spec_key_ok(label->key))
		return -EINVAL;
	exists = snap_find(&f->cur, label->key) >= 0;
	switch (cmd) {
	case XNS_IOC_LABEL_SET:
		if (!spec_value_ok(label->value))
			return -EINVAL;
		return exists || f->cur.n < XNS_LABELS_MAX ? 0 : -ENOSPC;
	case XNS_IOC_LABEL_GET:
	case XNS_IOC_LABEL_DEL:
		return exists ? 0 : -ENOENT;
	}
	return EXPECT_ANY;
}

struct dev_call {
	unsigned int cmd;
	int exact;
	enum ptr_kind pk;
	void *arg;
	int expect;
	/* For checking results. */
	struct xns_label label;
	struct xns_label_list list;
	enum keys_kind kk;
	char *keys;
	size_t keys_room;
};

/* A LABEL_LIST argument; returns the expected outcome. */
static int build_list(struct fuzzer *f, struct dev_call *c)
{
	struct xns_label_list *list = c->arg;
	__u32 n = f->cur.n;
	size_t need;

	switch (rnd(f, 6)) {
	case 0:
		list->count = 0;
		break;
	case 1:
		list->count = n ? n - 1 : 0;
		break;
	case 2:
		list->count = n;
		break;
	case 3:
		list->count = XNS_LABELS_MAX;
		break;
	case 4:
		list->count = 0xffffffff;
		break;
	default:
		list->count = splitmix64(&f->rng);
		break;
	}
	list->reserved = rnd(f, 8) ? 0 : (__u32)splitmix64(&f->rng) | 1;
	c->kk = rnd(f, NR_KP);
	c->keys_room = 0;
	switch (c->kk) {
	case KP_BIG:
		c->keys = f->area + f->page;
		c->keys_room = f->page;
		break;
	case KP_TAIL:
		c->keys_room = rnd(f, XNS_LABELS_MAX * XNS_LABEL_KEY_MAX / 4);
		c->keys = f->hole - c->keys_room;
		if (!unmapped(f, f->hole))
			c->kk = KP_BIG;
		break;
	case KP_NULL:
		c->keys = NULL;
		break;
	case KP_HOLE:
		c->keys = f->hole;
		if (!unmapped(f, f->hole))
			c->kk = KP_NULL;
		break;
	case KP_RO:
		c->keys = f->ro;
		break;
	default:
		c->keys = kernel_ptr(f);
		break;
	}
	if (c->kk == KP_BIG || c->kk == KP_NULL) {
		c->keys = c->kk == KP_BIG ? f->area + f->page : NULL;
		c->keys_room = c->kk == KP_BIG ? f->page : 0;
	}
	list->keys = (__u64)(uintptr_t)c->keys;
	c->list = *list;
	if (list->reserved)
		return -EINVAL;
	if (n > list->count)
		return -EOVERFLOW;
	need = (size_t)n * XNS_LABEL_KEY_MAX;
	if (!need || need <= c->keys_room)
		return 0;
	return -EFAULT;
}

/* Choose a command and an argument for /dev/xns. */
static void build_dev_call(struct fuzzer *f, struct dev_call *c)
{
	static const unsigned int sizes[] = {
		0, sizeof(struct xns_label), sizeof(struct xns_label_list),
		sizeof(struct xns_info),
	};
	unsigned int r = rnd(f, 100), cmd;
	size_t size;

	memset(c, 0, sizeof(*c));
	c->exact = -1;
	c->expect = -ENOTTY;
	if (r < 20) {
		do {
			cmd = splitmix64(&f->rng);
		} while (vfs_cmd(cmd) || dev_cmd_index(cmd) >= 0);
	} else if (r < 45) {
		do {
			cmd = dev_cmds[rnd(f, NR_DEV_CMDS)];
			switch (rnd(f, 4)) {
			case 0:
				cmd ^= (1 + rnd(f, 3)) << _IOC_DIRSHIFT;
				break;
			case 1:
				cmd &= ~(_IOC_SIZEMASK << _IOC_SIZESHIFT);
				cmd |= (rnd(f, 2) ? rnd(f, 1 << 14) :
					sizes[rnd(f, 4)]) << _IOC_SIZESHIFT;
				break;
			case 2:
				cmd ^= (1 + rnd(f, 255)) << _IOC_NRSHIFT;
				break;
			default:
				cmd ^= (1 + rnd(f, 255)) << _IOC_TYPESHIFT;
				break;
			}
		} while (vfs_cmd(cmd) || dev_cmd_index(cmd) >= 0);
	} else {
		c->exact = rnd(f, NR_DEV_CMDS);
		cmd = dev_cmds[c->exact];
	}
	c->cmd = cmd;
	size = _IOC_SIZE(cmd);
	if (size < 8 || size > sizeof(struct xns_label))
		size = sizeof(struct xns_label);

	c->pk = pick_pk(f);
	/*
	 * The kernel follows the key pointer of a LABEL_LIST: it must not be
	 * whatever an earlier call left on the mprotect()ed page.
	 */
	if (c->exact >= 0 && cmd == XNS_IOC_LABEL_LIST && c->pk == PK_FLIP)
		c->pk = PK_NULL;
	switch (c->exact < 0 ? 0 : cmd) {
	case XNS_IOC_LABEL_SET:
	case XNS_IOC_LABEL_GET:
	case XNS_IOC_LABEL_DEL:
		c->arg = arg_ptr(f, &c->pk, sizeof(struct xns_label), 0);
		break;
	case XNS_IOC_LABEL_LIST:
		c->arg = arg_ptr(f, &c->pk, sizeof(struct xns_label_list), 512);
		break;
	case XNS_IOC_GET_INFO:
		c->arg = arg_ptr(f, &c->pk, sizeof(struct xns_info), 1024);
		break;
	default:
		c->arg = arg_ptr(f, &c->pk, size, 0);
		if (c->pk == PK_VALID)
			fill_random(f, c->arg, size);
		return;
	}
	if (c->pk == NR_PK) {
		c->expect = EXPECT_ANY;
		return;
	}
	/* SET and DEL check permission before they read their argument. */
	if (!f->writable && (cmd == XNS_IOC_LABEL_SET ||
			     cmd == XNS_IOC_LABEL_DEL)) {
		if (c->pk == PK_RO)
			memcpy(&c->label, f->ro, sizeof(c->label));
		c->expect = -EPERM;
		return;
	}
	if (bad_ptr(c->pk)) {
		c->expect = -EFAULT;
		return;
	}
	if (c->pk == PK_FLIP) {
		c->expect = EXPECT_ANY;
		return;
	}
	if (c->pk == PK_RO) {
		memcpy(&c->label, f->ro, sizeof(c->label));
		switch (cmd) {
		case XNS_IOC_LABEL_SET:
		case XNS_IOC_LABEL_DEL:
			c->expect = expect_label(f, cmd, &c->label);
			break;
		case XNS_IOC_LABEL_GET:
			c->expect = expect_label(f, cmd, &c->label) ?: -EFAULT;
			break;
		default:
			c->expect = -EFAULT;
			break;
		}
		return;
	}
	/* A valid buffer. */
	switch (cmd) {
	case XNS_IOC_LABEL_SET:
	case XNS_IOC_LABEL_GET:
	case XNS_IOC_LABEL_DEL:
		gen_label(f, &c->label);
		memcpy(c->arg, &c->label, sizeof(c->label));
		c->expect = expect_label(f, cmd, &c->label);
		break;
	case XNS_IOC_LABEL_LIST:
		c->expect = build_list(f, c);
		break;
	default:
		fill_random(f, c->arg, sizeof(struct xns_info));
		c->expect = 0;
		break;
	}
}

static bool dev_errno_ok(int err)
{
	return err == ENOTTY || err == EFAULT || err == EINVAL ||
	       err == ENOENT || err == ENOSPC || err == EOVERFLOW ||
	       err == EPERM;
}

/* Check what a successful call returned, against the state before it. */
static int check_dev_result(struct fuzzer *f, struct dev_call *c)
{
	const struct xns_label *label = c->arg;
	const struct xns_label_list *list = c->arg;
	const struct xns_info *info = c->arg;
	int i;

	if (c->pk != PK_VALID)
		return 0;
	switch (c->cmd) {
	case XNS_IOC_LABEL_GET:
		i = snap_find(&f->cur, c->label.key);
		if (i < 0 || strncmp(label->key, c->label.key, XNS_LABEL_KEY_MAX) ||
		    memcmp(label->value, f->cur.values[i], XNS_LABEL_VALUE_MAX))
			return fz_fail(f, "LABEL_GET %.64s: wrong key or value",
				       c->label.key);
		break;
	case XNS_IOC_LABEL_LIST:
		if (list->count != f->cur.n)
			return fz_fail(f, "LABEL_LIST: count %u, want %u",
				       list->count, f->cur.n);
		if (!f->cur.n)
			break;
		memcpy(f->keybuf, c->keys, (size_t)f->cur.n * XNS_LABEL_KEY_MAX);
		qsort(f->keybuf, f->cur.n, XNS_LABEL_KEY_MAX, cmp_key);
		if (memcmp(f->keybuf, f->cur.keys,
			   (size_t)f->cur.n * XNS_LABEL_KEY_MAX))
			return fz_fail(f, "LABEL_LIST: wrong keys");
		break;
	case XNS_IOC_GET_INFO:
		if (info->inum != f->cur.inum || info->depth != f->cur.depth ||
		    info->nr_labels != f->cur.n || info->ns_id != f->cur.ns_id ||
		    !info->nr_live)
			return fz_fail(f, "GET_INFO: wrong fields");
		break;
	}
	return 0;
}

/* After a successful change, the new state must show it. */
static int check_change(struct fuzzer *f, struct dev_call *c)
{
	int i;

	if (c->exact < 0)
		return fz_fail(f, "cmd %#x is not an xns ioctl but succeeded",
			       c->cmd);
	switch (c->cmd) {
	case XNS_IOC_LABEL_SET:
	case XNS_IOC_LABEL_DEL:
		if (c->pk != PK_VALID && c->pk != PK_RO)
			return 1;
		i = snap_find(&f->now, c->label.key);
		if (c->cmd == XNS_IOC_LABEL_DEL ? i >= 0 :
		    i < 0 || strcmp(f->now.values[i], c->label.value))
			return fz_fail(f, "%s %.64s: not done",
				       c->cmd == XNS_IOC_LABEL_DEL ? "DEL" : "SET",
				       c->label.key);
		return 1;
	}
	return 0;
}

static int dev_step(struct fuzzer *f)
{
	struct dev_call c;
	const char *diff;
	int ret, err, changed;

	build_dev_call(f, &c);
	if (c.pk == NR_PK)
		return 0;
	ret = ioctl(f->devfd, c.cmd, c.arg);
	err = ret < 0 ? errno : 0;
	f->dev_calls++;
	count_outcome(f, err);
	if (ret > 0 || (err && !dev_errno_ok(err)))
		return fz_fail(f, "/dev/xns cmd %#x (%s arg): %d, %s", c.cmd,
			       pk_names[c.pk], ret, errname(err));
	if (c.expect != EXPECT_ANY && -err != c.expect)
		return fz_fail(f, "/dev/xns %#x (%s arg, key %.64s, list %u/%u/%d): %s, want %s",
			       c.cmd, pk_names[c.pk], c.label.key,
			       c.list.count, c.list.reserved, c.kk,
			       errname(err), errname(-c.expect));
	if (err == EOVERFLOW && c.pk == PK_VALID &&
	    ((struct xns_label_list *)c.arg)->count != f->cur.n)
		return fz_fail(f, "LABEL_LIST EOVERFLOW: count %u, want %u",
			       ((struct xns_label_list *)c.arg)->count,
			       f->cur.n);
	if (!err && check_dev_result(f, &c))
		return -1;
	if (take_snap(f, &f->now))
		return -1;
	changed = err ? 0 : check_change(f, &c);
	if (changed < 0)
		return -1;
	if (changed) {
		memcpy(&f->cur, &f->now, sizeof(f->cur));
		return 0;
	}
	diff = snap_diff(&f->cur, &f->now);
	if (diff)
		return fz_fail(f, "/dev/xns cmd %#x (%s arg) returned %s and changed the %s",
			       c.cmd, pk_names[c.pk], errname(err), diff);
	return 0;
}

/* The depth of the namespace of the file of kind @kind. */
static __u32 ns_depth(struct fuzzer *f, enum ns_fd_kind kind)
{
	switch (kind) {
	case NSFD_OWN:
		return f->cur.depth;
	case NSFD_OTHER:
		return f->other_depth;
	default:
		return f->child_depth;
	}
}

/* The expected outcome of nsfs command @cmd on a file of kind @kind. */
static int expect_ns(struct fuzzer *f, unsigned int cmd, enum ns_fd_kind kind,
		     enum ptr_kind pk)
{
	unsigned int nr = _IOC_NR(cmd);

	switch (cmd) {
	case NS_CMD_GET_USERNS:
		/* The owner must be the caller's user namespace or below. */
		if (!f->userns || kind == NSFD_CHILD ||
		    (kind == NSFD_OWN && f->writable))
			return EXPECT_FD_USERNS;
		return -EPERM;
	case NS_CMD_GET_PARENT:
		return kind == NSFD_CHILD && f->child_parent_inum == f->cur.inum ?
		       EXPECT_FD_PARENT : -EPERM;
	case NS_CMD_GET_NSTYPE:
		return XNS_NS_TYPE;
	case NS_CMD_GET_ID:
		if (pk == PK_FLIP)
			return EXPECT_ANY;
		return pk == PK_VALID ? 0 : -EFAULT;
	case NS_CMD_CREATE_CHILD:
		/*
		 * The argument is ignored, and the caller has CAP_SYS_ADMIN
		 * in its user namespace (which owns the child) in every test;
		 * max_module_namespaces is never reached.
		 */
		return ns_depth(f, kind) < XNS_MAX_DEPTH ? EXPECT_FD_CHILD :
		       -ENOSPC;
	}
	/* NS_MNT_GET_{INFO,NEXT,PREV} accept any size from version 0 up. */
	if (_IOC_TYPE(cmd) == NSIO && nr >= 10 && nr <= 12 &&
	    _IOC_DIR(cmd) == _IOC_READ && _IOC_SIZE(cmd) >= MNT_INFO_VER0)
		/* NEXT and PREV need CAP_SYS_ADMIN in the initial userns. */
		return f->userns && nr != 10 ? -EPERM : -EINVAL;
	return is_ns_cmd(cmd) ? -EINVAL : -ENOTTY;
}

/* The lowest free descriptor, to notice descriptors left open. */
static int lowest_free_fd(struct fuzzer *f)
{
	int fd = fcntl(f->devfd, F_DUPFD_CLOEXEC, 0);

	if (fd >= 0)
		close(fd);
	return fd;
}

static int check_ns_fd(struct fuzzer *f, int fd, int expect)
{
	int type = ioctl(fd, NS_GET_NSTYPE);
	__u32 inum = 0;

	if (expect == EXPECT_FD_USERNS && type != NS_CLONE_NEWUSER)
		return fz_fail(f, "NS_GET_USERNS gave a file of type %#x", type);
	if (expect == EXPECT_FD_PARENT &&
	    (type != XNS_NS_TYPE || xns_fd_inum(fd, &inum) ||
	     inum != f->child_parent_inum))
		return fz_fail(f, "NS_GET_PARENT gave type %#x inode %u, want xns %u",
			       type, inum, f->child_parent_inum);
	return 0;
}

/*
 * A file NS_CREATE_CHILD returned for the file @parent of kind @kind: a
 * new xns, close-on-exec, whose parent is @parent's namespace.  Returns 1
 * if the fuzzer entered it (a child of its own namespace, sometimes), so
 * that its namespace changed, 0 if not, -1 on a failed check.
 */
static int check_child_fd(struct fuzzer *f, int fd, int parent,
			  enum ns_fd_kind kind)
{
	int type = ioctl(fd, NS_GET_NSTYPE), pfd, ret = 0;
	__u32 inum = 0, parent_inum = 0, pinum = 0;

	f->creates++;
	if (type != XNS_NS_TYPE || xns_fd_inum(fd, &inum) ||
	    xns_fd_inum(parent, &parent_inum) || inum == parent_inum)
		return fz_fail(f, "NS_CREATE_CHILD on the %s xns file gave type %#x inode %u",
			       nsfd_names[kind], type, inum);
	if (fcntl(fd, F_GETFD) != FD_CLOEXEC)
		return fz_fail(f, "NS_CREATE_CHILD: not close-on-exec");
	/* NS_GET_PARENT shows it where it is the caller's namespace or below. */
	if (kind == NSFD_OWN ||
	    (kind == NSFD_CHILD && f->child_parent_inum == f->cur.inum)) {
		pfd = ioctl(fd, NS_GET_PARENT);
		if (pfd >= 0) {
			ret = xns_fd_inum(pfd, &pinum);
			close(pfd);
		}
		if (pfd < 0 || ret || pinum != parent_inum)
			return fz_fail(f, "NS_CREATE_CHILD on the %s xns file: parent %u, want %u",
				       nsfd_names[kind], pinum, parent_inum);
	}
	if (kind != NSFD_OWN || rnd(f, 4))
		return 0;
	ret = xns_setns(fd, rnd(f, 2) ? 0 : XNS_NS_TYPE);
	if (ret)
		return fz_fail(f, "setns into a child of the own xns: %s",
			       strerror(-ret));
	f->enters++;
	if (take_snap(f, &f->now))
		return -1;
	if (f->now.depth != f->cur.depth + 1 || f->now.n ||
	    f->now.inum != inum)
		return fz_fail(f, "entered child: depth %u -> %u, %u labels, xns %u, want %u",
			       f->cur.depth, f->now.depth, f->now.n,
			       f->now.inum, inum);
	memcpy(&f->cur, &f->now, sizeof(f->cur));
	/* The new namespace belongs to the caller's user namespace. */
	f->writable = true;
	return 1;
}

static int ns_step(struct fuzzer *f)
{
	enum ns_fd_kind kind = rnd(f, NR_NSFD);
	unsigned int r = rnd(f, 100), cmd;
	enum ptr_kind pk = pick_pk(f);
	int fd = f->nsfd[kind], low = -1, ret, err, expect, newfd, entered = 0;
	const char *diff;
	void *arg;
	__u64 id;

	if (fd < 0)
		return 0;
	if (r < 25) {
		do {
			cmd = splitmix64(&f->rng);
		} while (vfs_cmd(cmd) || is_ns_cmd(cmd));
	} else if (r < 50) {
		cmd = _IOC(rnd(f, 4), NSIO, rnd(f, 8) ? rnd(f, 20) : 0x20,
			   rnd(f, 2) ? rnd(f, 64) : rnd(f, 1 << 14));
	} else {
		cmd = ns_cmds[rnd(f, NR_NS_CMDS)];
	}
	arg = arg_ptr(f, &pk, 8, 1536);
	if (pk == NR_PK)
		return 0;
	/* The pid ioctls take a number. */
	if (_IOC_NR(cmd) >= 6 && _IOC_NR(cmd) <= 9 && rnd(f, 2))
		arg = (void *)(uintptr_t)rnd(f, 100000);
	expect = expect_ns(f, cmd, kind, pk);
	if (f->check_fds)
		low = lowest_free_fd(f);
	ret = ioctl(fd, cmd, arg);
	err = ret < 0 ? errno : 0;
	f->ns_calls++;
	count_outcome(f, err);
	if (err && err != ENOTTY && err != EFAULT && err != EINVAL &&
	    err != EPERM && err != ENOSPC)
		return fz_fail(f, "nsfs cmd %#x on the %s xns file (%s arg): %s",
			       cmd, nsfd_names[kind], pk_names[pk], errname(err));
	if (ret >= 0 && (expect == EXPECT_FD_USERNS ||
			 expect == EXPECT_FD_PARENT)) {
		newfd = ret;
		ret = check_ns_fd(f, newfd, expect);
		close(newfd);
		if (ret < 0)
			return -1;
	} else if (ret >= 0 && expect == EXPECT_FD_CHILD) {
		newfd = ret;
		entered = check_child_fd(f, newfd, fd, kind);
		close(newfd);
		if (entered < 0)
			return -1;
	} else if (expect != EXPECT_ANY && (err ? -err : ret) != expect) {
		if (ret > 0 && expect != XNS_NS_TYPE)
			close(ret);
		return fz_fail(f, "nsfs cmd %#x on the %s xns file (%s arg): %d (%s), want %d",
			       cmd, nsfd_names[kind], pk_names[pk], ret,
			       errname(err), expect);
	}
	if (cmd == NS_CMD_GET_ID && !err && pk == PK_VALID) {
		memcpy(&id, arg, sizeof(id));
		if (!id || (kind == NSFD_OWN && id != f->cur.ns_id))
			return fz_fail(f, "NS_GET_ID: %llu, want %llu",
				       (unsigned long long)id,
				       (unsigned long long)f->cur.ns_id);
	}
	if (f->check_fds && lowest_free_fd(f) != low)
		return fz_fail(f, "nsfs cmd %#x: descriptors changed (%d free before)",
			       cmd, low);
	/* Entering a child was checked, and its state taken, above. */
	if (entered)
		return 0;
	if (take_snap(f, &f->now))
		return -1;
	diff = snap_diff(&f->cur, &f->now);
	if (diff)
		return fz_fail(f, "nsfs cmd %#x returned %d and changed the %s",
			       cmd, ret, diff);
	return 0;
}

static void close_ns_fds(struct fuzzer *f)
{
	int i;

	for (i = 0; i < NR_NSFD; i++) {
		if (f->nsfd[i] >= 0)
			close(f->nsfd[i]);
		f->nsfd[i] = -1;
	}
}

/*
 * Files for the nsfs ioctls: the caller's namespace, @other (not below
 * it), and a child namespace whose only member exited.
 */
static int open_ns_fds(struct fuzzer *f, int other)
{
	struct xns_holder_args one = { .depth = 1 };
	struct xns_holder_report rep;
	struct xns_child kid;
	int ret;

	close_ns_fds(f);
	f->nsfd[NSFD_OWN] = open(THREAD_SELF_LINK, O_RDONLY | O_CLOEXEC);
	if (f->nsfd[NSFD_OWN] < 0)
		return fz_fail(f, "open %s: %m", THREAD_SELF_LINK);
	f->nsfd[NSFD_OTHER] = fcntl(other, F_DUPFD_CLOEXEC, 0);
	if (f->nsfd[NSFD_OTHER] < 0)
		return fz_fail(f, "dup: %m");
	xns_child_init(&kid);
	ret = xns_holder_start(&kid, &one, &rep);
	if (ret)
		return fz_fail(f, "child unshare: %s", strerror(-ret));
	f->nsfd[NSFD_CHILD] = xns_open_ns(kid.pid);
	ret = xns_child_stop(&kid);
	if (f->nsfd[NSFD_CHILD] < 0 || ret)
		return fz_fail(f, "child xns file: %s, exit %d",
			       strerror(-f->nsfd[NSFD_CHILD]), ret);
	f->child_parent_inum = f->cur.inum;
	f->child_depth = f->cur.depth + 1;
	return 0;
}

/*
 * Four pages: [0] read-write for arguments, [1] read-write for key arrays
 * and straddling buffers, [2] unmapped, [3] read-only, holding a valid
 * label at 0, a LABEL_LIST with room for all keys (in page 1) at 512.
 */
static int setup_area(struct fuzzer *f)
{
	struct xns_label_list list = {};
	struct xns_label label;

	f->page = sysconf(_SC_PAGESIZE);
	if (f->page < XNS_LABELS_MAX * XNS_LABEL_KEY_MAX)
		return fz_fail(f, "page size %zu too small", f->page);
	f->area = mmap(NULL, 4 * f->page, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (f->area == MAP_FAILED) {
		f->area = NULL;
		return fz_fail(f, "mmap: %m");
	}
	f->hole = f->area + 2 * f->page;
	f->ro = f->area + 3 * f->page;
	snprintf(f->ro_key, sizeof(f->ro_key), "k%02u", rnd(f, NR_KEYS));
	xns_label_fill(&label, f->ro_key, "read-only");
	memcpy(f->ro, &label, sizeof(label));
	list.count = XNS_LABELS_MAX;
	list.keys = (__u64)(uintptr_t)(f->area + f->page);
	memcpy(f->ro + 512, &list, sizeof(list));
	if (munmap(f->hole, f->page) ||
	    mprotect(f->ro, f->page, PROT_READ))
		return fz_fail(f, "munmap/mprotect: %m");
	return 0;
}

static void free_area(struct fuzzer *f)
{
	if (!f->area)
		return;
	munmap(f->area, 2 * f->page);
	munmap(f->ro, f->page);
	f->area = NULL;
}

/* Seed the namespace with a few labels, so that there is state to lose. */
static int populate(struct fuzzer *f)
{
	char key[8];
	int i, ret;

	for (i = 0; i < 6; i++) {
		snprintf(key, sizeof(key), "k%02u", rnd(f, NR_KEYS));
		ret = xns_label_set(f->devfd, key, "initial");
		if (ret)
			return fz_fail(f, "LABEL_SET %s: %s", key,
				       strerror(-ret));
	}
	return take_snap(f, &f->cur);
}

/* dev/ns: percentage of /dev/xns calls; the rest go to nsfs files. */
static void fuzz_loop(struct fuzzer *f, int other, unsigned int dev_pct)
{
	__u32 inum;
	int ret;

	if (setup_area(f) || populate(f))
		return;
	if (f->userns) {
		ret = xns_enter_userns();
		if (ret) {
			fz_fail(f, "entering a user namespace: %s",
				strerror(-ret));
			return;
		}
		f->writable = false;
	}
	if (open_ns_fds(f, other))
		return;
	while (!f->err && now_ms() < f->deadline_ms) {
		inum = f->cur.inum;
		if (rnd(f, 100) < dev_pct) {
			if (dev_step(f))
				break;
		} else if (ns_step(f)) {
			break;
		}
		/* After entering a child, look at the new namespace's file. */
		if (f->cur.inum != inum) {
			close(f->nsfd[NSFD_OWN]);
			f->nsfd[NSFD_OWN] = open(THREAD_SELF_LINK,
						 O_RDONLY | O_CLOEXEC);
			if (f->nsfd[NSFD_OWN] < 0)
				fz_fail(f, "open %s: %m", THREAD_SELF_LINK);
		}
	}
}

static void fuzzer_init(struct fuzzer *f, int id, __u64 seed, double seconds,
			int devfd, __u32 other_depth)
{
	int i;

	memset(f, 0, sizeof(*f));
	f->id = id;
	f->rng = seed ^ (0x9e3779b97f4a7c15ULL * (id + 1));
	f->deadline_ms = now_ms() + (__u64)(seconds * 1000);
	f->devfd = devfd;
	f->other_depth = other_depth;
	f->writable = true;
	for (i = 0; i < NR_NSFD; i++)
		f->nsfd[i] = -1;
}

static void fuzzer_fini(struct fuzzer *f)
{
	close_ns_fds(f);
	free_area(f);
}

FIXTURE(fuzz)
{
	int devfd;
	int initfd;
	__u32 init_depth;
	struct fuzzer *f;
	__u64 seed;
	double seconds;
};

FIXTURE_SETUP(fuzz)
{
	struct xns_info info;
	int ret;

	self->devfd = -1;
	self->initfd = -1;
	self->f = NULL;
	if (geteuid() != 0)
		SKIP(return, "must be run as root");
	self->devfd = xns_setup_dev(_metadata);
	if (self->devfd < 0)
		return;
	/* The namespace we came from; nsfs ioctls only look at it. */
	self->initfd = xns_open_ns(0);
	ASSERT_LE(0, self->initfd);
	ASSERT_EQ(0, xns_get_info(self->devfd, &info));
	self->init_depth = info.depth;
	ret = xns_unshare();
	ASSERT_EQ(0, ret) {
		TH_LOG("NS_CREATE_CHILD + setns: %s", strerror(-ret));
	}
	self->f = calloc(NR_THREADS, sizeof(*self->f));
	ASSERT_NE(NULL, self->f);
	self->seed = stress_seed();
	self->seconds = stress_seconds();
	ksft_print_msg("seed=%llu (XNS_SEED to repeat), %.1f s\n",
		       (unsigned long long)self->seed, self->seconds);
}

FIXTURE_TEARDOWN(fuzz)
{
	free(self->f);
	if (self->initfd >= 0)
		close(self->initfd);
	if (self->devfd >= 0)
		close(self->devfd);
}

static void report(struct __test_metadata *_metadata, struct fuzzer *f,
		   int nr, __u64 start)
{
	__u64 dev = 0, ns = 0, skipped = 0, out[NR_OUTCOMES] = {};
	unsigned int j;
	int i;

	for (i = 0; i < nr; i++) {
		dev += f[i].dev_calls;
		ns += f[i].ns_calls;
		skipped += f[i].skipped;
		for (j = 0; j < NR_OUTCOMES; j++)
			out[j] += f[i].outcomes[j];
		EXPECT_EQ(0, f[i].err) {
			TH_LOG("fuzzer %d: %s", i, f[i].msg);
		}
	}
	ksft_print_msg("fuzz calls=%llu (/dev/xns %llu, nsfs %llu, %llu skipped) in %.1f s\n",
		       (unsigned long long)(dev + ns), (unsigned long long)dev,
		       (unsigned long long)ns, (unsigned long long)skipped,
		       (now_ms() - start) / 1000.0);
	for (j = 0; j < NR_OUTCOMES; j++)
		ksft_print_msg("  %-9s %llu\n", errname(outcome_errnos[j]),
			       (unsigned long long)out[j]);
	EXPECT_NE(0ULL, dev + ns);
}

TEST_F_TIMEOUT(fuzz, dev_ioctls, 120)
{
	__u64 start = now_ms();

	fuzzer_init(self->f, 0, self->seed, self->seconds, self->devfd,
		    self->init_depth);
	self->f->check_fds = true;
	fuzz_loop(self->f, self->initfd, 100);
	fuzzer_fini(self->f);
	report(_metadata, self->f, 1, start);
}

TEST_F_TIMEOUT(fuzz, nsfs_ioctls, 120)
{
	__u64 start = now_ms();

	fuzzer_init(self->f, 0, self->seed, self->seconds, self->devfd,
		    self->init_depth);
	self->f->check_fds = true;
	/* A few /dev/xns calls, for label changes. */
	fuzz_loop(self->f, self->initfd, 10);
	fuzzer_fini(self->f);
	report(_metadata, self->f, 1, start);
}

/*
 * As root in a user namespace of its own, in an xns owned by the initial
 * one: LABEL_SET and LABEL_DEL fail with EPERM, until the fuzzer enters a
 * child made by NS_CREATE_CHILD, which the caller owns; NS_GET_USERNS and NS_MNT_GET_NEXT/PREV give
 * EPERM too.
 */
TEST_F_TIMEOUT(fuzz, userns, 120)
{
	__u64 start = now_ms();

	fuzzer_init(self->f, 0, self->seed, self->seconds, self->devfd,
		    self->init_depth);
	self->f->check_fds = true;
	self->f->userns = true;
	fuzz_loop(self->f, self->initfd, 50);
	fuzzer_fini(self->f);
	report(_metadata, self->f, 1, start);
}

struct thread_arg {
	struct fuzzer *f;
	int other;
};

/* Each thread fuzzes a namespace of its own (unshare is per thread). */
static void *fuzz_thread(void *p)
{
	struct thread_arg *a = p;
	struct fuzzer *f = a->f;
	int ret;

	ret = xns_unshare();
	if (ret)
		fz_fail(f, "unshare in thread: %s", strerror(-ret));
	else
		fuzz_loop(f, a->other, 60);
	fuzzer_fini(f);
	return NULL;
}

struct flipper {
	char *page;
	size_t size;
	__u64 deadline_ms;
	__u64 flips;
	int err;
};

static void *flip_thread(void *p)
{
	static const int prots[] = {
		PROT_NONE, PROT_READ, PROT_READ | PROT_WRITE,
	};
	struct flipper *fl = p;
	struct xns_label label;
	unsigned int i = 0;

	xns_label_fill(&label, "k00", "flipped");
	while (now_ms() < fl->deadline_ms) {
		if (mprotect(fl->page, fl->size, prots[i % 3])) {
			fl->err = errno;
			break;
		}
		if (prots[i % 3] & PROT_WRITE)
			memcpy(fl->page, &label, sizeof(label));
		fl->flips++;
		i++;
		usleep(50 + i % 200);
	}
	mprotect(fl->page, fl->size, PROT_READ | PROT_WRITE);
	return NULL;
}

TEST_F_TIMEOUT(fuzz, concurrent, 120)
{
	struct thread_arg args[NR_THREADS];
	pthread_t threads[NR_THREADS], flip;
	struct flipper fl = {};
	__u64 start = now_ms();
	int i;

	fl.size = sysconf(_SC_PAGESIZE);
	fl.page = mmap(NULL, fl.size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, fl.page);
	fl.deadline_ms = start + (__u64)(self->seconds * 1000);
	ASSERT_EQ(0, pthread_create(&flip, NULL, flip_thread, &fl));
	for (i = 0; i < NR_THREADS; i++) {
		fuzzer_init(&self->f[i], i, self->seed, self->seconds,
			    self->devfd, self->init_depth);
		self->f[i].flip = fl.page;
		args[i].f = &self->f[i];
		args[i].other = self->initfd;
		ASSERT_EQ(0, pthread_create(&threads[i], NULL, fuzz_thread,
					    &args[i]));
	}
	for (i = 0; i < NR_THREADS; i++)
		pthread_join(threads[i], NULL);
	pthread_join(flip, NULL);
	munmap(fl.page, fl.size);
	EXPECT_EQ(0, fl.err);
	ksft_print_msg("mprotect flips=%llu\n", (unsigned long long)fl.flips);
	report(_metadata, self->f, NR_THREADS, start);
}

TEST_HARNESS_MAIN
