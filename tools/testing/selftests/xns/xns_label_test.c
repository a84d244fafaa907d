// SPDX-License-Identifier: GPL-2.0
/*
 * xns labels: the per-namespace key/value table behind /dev/xns.
 *
 * Every test runs in a namespace of its own (the fixture unshares one),
 * so it starts with no labels and leaves none behind.  Every rejected
 * call is checked to return the documented errno and to leave the table
 * exactly as it was.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/xns.h>

#include "xns_util.h"
#include "kselftest_harness.h"
#include "xns_harness.h"

/* All labels of a namespace, sorted by key. */
struct snapshot {
	__u32 n;
	struct xns_label labels[XNS_LABELS_MAX];
};

FIXTURE(labels)
{
	int devfd;
	__u32 inum;
	struct xns_child kid;
	long page_size;
};

FIXTURE_SETUP(labels)
{
	struct xns_info info;
	__u32 count = 0;
	int ret;

	self->devfd = -1;
	xns_child_init(&self->kid);
	self->page_size = sysconf(_SC_PAGESIZE);

	self->devfd = xns_setup_dev(_metadata);
	if (self->devfd < 0)
		return;
	/* A fresh namespace: no labels, and nothing left behind. */
	ret = xns_unshare();
	ASSERT_EQ(0, ret) {
		TH_LOG("NS_CREATE_CHILD + setns: %s", strerror(-ret));
	}
	ASSERT_EQ(0, xns_get_info(self->devfd, &info));
	self->inum = info.inum;
	ASSERT_EQ(0U, info.nr_labels) {
		TH_LOG("a new namespace starts with %u labels", info.nr_labels);
	}
	ASSERT_EQ(0, xns_label_count(self->devfd, &count));
	ASSERT_EQ(0U, count);
}

FIXTURE_TEARDOWN(labels)
{
	xns_child_kill(&self->kid);
	if (self->devfd >= 0)
		close(self->devfd);
}

static int cmp_label(const void *a, const void *b)
{
	const struct xns_label *la = a, *lb = b;

	return strcmp(la->key, lb->key);
}

static void take_snapshot(struct __test_metadata *_metadata, int devfd,
			  struct snapshot *snap)
{
	char keys[XNS_LABELS_MAX][XNS_LABEL_KEY_MAX];
	__u32 i, count = XNS_LABELS_MAX;
	int ret;

	memset(snap, 0, sizeof(*snap));
	memset(keys, 0, sizeof(keys));
	ret = xns_label_list(devfd, keys, &count);
	ASSERT_EQ(0, ret) {
		TH_LOG("XNS_IOC_LABEL_LIST: %s", strerror(-ret));
	}
	ASSERT_LE(count, (__u32)XNS_LABELS_MAX);
	snap->n = count;
	for (i = 0; i < count; i++) {
		struct xns_label *l = &snap->labels[i];

		ASSERT_NE(NULL, memchr(keys[i], '\0', XNS_LABEL_KEY_MAX)) {
			TH_LOG("LIST returned an unterminated key");
		}
		xns_strfill(l->key, sizeof(l->key), keys[i]);
		ret = xns_label_get(devfd, l->key, l->value, sizeof(l->value));
		ASSERT_EQ(0, ret) {
			TH_LOG("listed key \"%s\" cannot be read: %s", l->key,
			       strerror(-ret));
		}
	}
	qsort(snap->labels, snap->n, sizeof(snap->labels[0]), cmp_label);
}

/* The table must still be @before; @what says what was just tried. */
static void check_unchanged(struct __test_metadata *_metadata, int devfd,
			    const struct snapshot *before, const char *what)
{
	struct snapshot after;
	__u32 i;

	take_snapshot(_metadata, devfd, &after);
	EXPECT_EQ(before->n, after.n) {
		TH_LOG("%s changed the number of labels", what);
	}
	for (i = 0; i < before->n && i < after.n; i++) {
		EXPECT_STREQ(before->labels[i].key, after.labels[i].key) {
			TH_LOG("%s changed the keys", what);
		}
		EXPECT_STREQ(before->labels[i].value, after.labels[i].value) {
			TH_LOG("%s changed the value of %s", what,
			       before->labels[i].key);
		}
	}
}

static void expect_value(struct __test_metadata *_metadata, int devfd,
			 const char *key, const char *value)
{
	char buf[XNS_LABEL_VALUE_MAX] = "";
	int ret;

	ret = xns_label_get(devfd, key, buf, sizeof(buf));
	EXPECT_EQ(0, ret) {
		TH_LOG("GET \"%s\": %s", key, strerror(-ret));
	}
	EXPECT_STREQ(value, buf);
}

static void expect_absent(struct __test_metadata *_metadata, int devfd,
			  const char *key)
{
	EXPECT_EQ(-ENOENT, xns_label_get(devfd, key, NULL, 0)) {
		TH_LOG("label \"%s\" should not exist", key);
	}
}

static __u32 nr_labels(struct __test_metadata *_metadata, int devfd)
{
	struct xns_info info;

	ASSERT_EQ(0, xns_get_info(devfd, &info));
	return info.nr_labels;
}

/* Three more labels for the error tests to check against. */
static void populate(struct __test_metadata *_metadata, int devfd,
		     struct snapshot *snap)
{
	__u32 before = nr_labels(_metadata, devfd);

	ASSERT_EQ(0, xns_label_set(devfd, "alpha", "1"));
	ASSERT_EQ(0, xns_label_set(devfd, "beta", "two words"));
	ASSERT_EQ(0, xns_label_set(devfd, "k.e-y_9", "x"));
	take_snapshot(_metadata, devfd, snap);
	ASSERT_EQ(before + 3, snap->n);
}

TEST_F(labels, set_get)
{
	int ret;

	ret = xns_label_set(self->devfd, "color", "blue");
	ASSERT_EQ(0, ret) {
		TH_LOG("SET color=blue: %s", strerror(-ret));
	}
	expect_value(_metadata, self->devfd, "color", "blue");
	EXPECT_EQ(1U, nr_labels(_metadata, self->devfd));

	ASSERT_EQ(0, xns_label_set(self->devfd, "shape", "round"));
	expect_value(_metadata, self->devfd, "color", "blue");
	expect_value(_metadata, self->devfd, "shape", "round");
	EXPECT_EQ(2U, nr_labels(_metadata, self->devfd));
}

TEST_F(labels, replace)
{
	__u32 count = 0;

	ASSERT_EQ(0, xns_label_set(self->devfd, "color", "blue"));
	ASSERT_EQ(0, xns_label_set(self->devfd, "color", "a longer value"));
	expect_value(_metadata, self->devfd, "color", "a longer value");
	ASSERT_EQ(0, xns_label_set(self->devfd, "color", "red"));
	expect_value(_metadata, self->devfd, "color", "red");
	EXPECT_EQ(1U, nr_labels(_metadata, self->devfd));
	ASSERT_EQ(0, xns_label_count(self->devfd, &count));
	EXPECT_EQ(1U, count);
}

TEST_F(labels, delete)
{
	int ret;

	ASSERT_EQ(0, xns_label_set(self->devfd, "color", "blue"));
	ASSERT_EQ(0, xns_label_set(self->devfd, "shape", "round"));
	ret = xns_label_del(self->devfd, "color");
	ASSERT_EQ(0, ret) {
		TH_LOG("DEL color: %s", strerror(-ret));
	}
	expect_absent(_metadata, self->devfd, "color");
	expect_value(_metadata, self->devfd, "shape", "round");
	EXPECT_EQ(1U, nr_labels(_metadata, self->devfd));

	EXPECT_EQ(-ENOENT, xns_label_del(self->devfd, "color"));
	ASSERT_EQ(0, xns_label_del(self->devfd, "shape"));
	EXPECT_EQ(0U, nr_labels(_metadata, self->devfd));

	/* A deleted key can be set again. */
	ASSERT_EQ(0, xns_label_set(self->devfd, "color", "green"));
	expect_value(_metadata, self->devfd, "color", "green");
}

TEST_F(labels, list)
{
	static const char * const names[] = {
		"one", "two", "three", "four", "five",
	};
	char keys[8][XNS_LABEL_KEY_MAX];
	bool seen[ARRAY_SIZE(names)] = {};
	__u32 count, i, j;
	int ret;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		ASSERT_EQ(0, xns_label_set(self->devfd, names[i], "v")) {
			TH_LOG("SET %s", names[i]);
		}
	}

	memset(keys, 0, sizeof(keys));
	count = ARRAY_SIZE(names);
	ret = xns_label_list(self->devfd, keys, &count);
	ASSERT_EQ(0, ret) {
		TH_LOG("LIST with exactly enough room: %s", strerror(-ret));
	}
	ASSERT_EQ((__u32)ARRAY_SIZE(names), count);
	for (i = 0; i < count; i++) {
		for (j = 0; j < ARRAY_SIZE(names); j++) {
			if (!strcmp(keys[i], names[j])) {
				EXPECT_FALSE(seen[j]) {
					TH_LOG("key %s listed twice", names[j]);
				}
				seen[j] = true;
				break;
			}
		}
		EXPECT_LT(j, (__u32)ARRAY_SIZE(names)) {
			TH_LOG("LIST returned unknown key \"%.63s\"", keys[i]);
		}
	}
	for (j = 0; j < ARRAY_SIZE(names); j++) {
		EXPECT_TRUE(seen[j]) {
			TH_LOG("key %s not listed", names[j]);
		}
	}

	/* More room than needed: count comes back as the number of labels. */
	count = ARRAY_SIZE(keys);
	ASSERT_EQ(0, xns_label_list(self->devfd, keys, &count));
	EXPECT_EQ((__u32)ARRAY_SIZE(names), count);
}

TEST_F(labels, list_empty)
{
	char keys[4][XNS_LABEL_KEY_MAX];
	__u32 count;

	count = 0;
	EXPECT_EQ(0, xns_label_list(self->devfd, NULL, &count));
	EXPECT_EQ(0U, count);
	count = ARRAY_SIZE(keys);
	EXPECT_EQ(0, xns_label_list(self->devfd, keys, &count));
	EXPECT_EQ(0U, count);
}

struct iso_report {
	__s32 err;
	__u32 inum;
	__u32 count;
	char value[XNS_LABEL_VALUE_MAX];
};

/*
 * Phase 1: read the parent's label, unshare, look at the new table and
 * set "child".  Phase 2 (after a byte from the parent): check that the
 * parent's later label did not arrive.
 */
static int iso_child(struct xns_child *c, __always_unused void *arg)
{
	struct iso_report rep = {};
	char buf[XNS_LABEL_VALUE_MAX];
	int devfd, ret;

	devfd = xns_open_dev();
	xns_child_check(devfd >= 0, "open: %s", strerror(-devfd));
	rep.err = xns_label_get(devfd, "parent", rep.value, sizeof(rep.value));
	xns_child_check(!rep.err, "before unsharing, parent's label: %s",
			strerror(-rep.err));
	ret = xns_unshare();
	xns_child_check(!ret, "unshare: %s", strerror(-ret));
	ret = xns_self_inum(&rep.inum);
	xns_child_check(!ret, "readlink: %s", strerror(-ret));
	ret = xns_label_count(devfd, &rep.count);
	xns_child_check(!ret, "LIST: %s", strerror(-ret));
	ret = xns_label_get(devfd, "parent", NULL, 0);
	xns_child_check(ret == -ENOENT,
			"parent's label after unsharing: %s, want ENOENT",
			ret ? strerror(-ret) : "visible");
	ret = xns_label_set(devfd, "child", "c");
	xns_child_check(!ret, "SET child: %s", strerror(-ret));
	if (xns_send(c->rep, &rep, sizeof(rep)))
		return 1;

	xns_child_hold(c);
	ret = xns_label_get(devfd, "parent2", NULL, 0);
	xns_child_check(ret == -ENOENT, "parent's new label: %s, want ENOENT",
			ret ? strerror(-ret) : "visible");
	ret = xns_label_get(devfd, "child", buf, sizeof(buf));
	xns_child_check(!ret && !strcmp(buf, "c"), "own label lost");
	ret = xns_label_count(devfd, &rep.count);
	xns_child_check(!ret && rep.count == 1, "%u labels, want 1",
			rep.count);
	if (xns_send(c->rep, &rep, sizeof(rep)))
		return 1;
	xns_child_hold(c);
	close(devfd);
	return 0;
}

TEST_F(labels, isolation_after_unshare)
{
	struct iso_report rep;
	__u32 count = 0;
	int ret;

	ASSERT_EQ(0, xns_label_set(self->devfd, "parent", "p"));
	ASSERT_EQ(0, xns_child_start(&self->kid, iso_child, NULL));
	ret = xns_child_recv(&self->kid, &rep, sizeof(rep));
	ASSERT_EQ(0, ret) {
		TH_LOG("child failed in phase 1: exit %d",
		       xns_child_reap(&self->kid));
	}
	EXPECT_STREQ("p", rep.value);
	EXPECT_NE(self->inum, rep.inum);
	EXPECT_EQ(0U, rep.count) {
		TH_LOG("a new namespace sees %u labels of its parent",
		       rep.count);
	}

	/* The child's label is invisible here. */
	expect_absent(_metadata, self->devfd, "child");
	ASSERT_EQ(0, xns_label_count(self->devfd, &count));
	EXPECT_EQ(1U, count);
	expect_value(_metadata, self->devfd, "parent", "p");

	ASSERT_EQ(0, xns_label_set(self->devfd, "parent2", "p2"));
	ASSERT_EQ(0, xns_child_release(&self->kid));
	ret = xns_child_recv(&self->kid, &rep, sizeof(rep));
	EXPECT_EQ(0, ret) {
		TH_LOG("child failed in phase 2");
	}
	EXPECT_EQ(0, xns_child_stop(&self->kid));
	expect_absent(_metadata, self->devfd, "child");
}

static int shared_child(struct xns_child *c, __always_unused void *arg)
{
	char buf[XNS_LABEL_VALUE_MAX];
	int devfd, ret, ok = 0;

	devfd = xns_open_dev();
	xns_child_check(devfd >= 0, "open: %s", strerror(-devfd));
	ret = xns_label_set(devfd, "fromchild", "1");
	xns_child_check(!ret, "SET fromchild: %s", strerror(-ret));
	if (xns_send(c->rep, &ok, sizeof(ok)))
		return 1;
	xns_child_hold(c);
	ret = xns_label_get(devfd, "fromparent", buf, sizeof(buf));
	xns_child_check(!ret && !strcmp(buf, "2"),
			"parent's label in a shared namespace: %s",
			ret ? strerror(-ret) : buf);
	ret = xns_label_del(devfd, "fromchild");
	xns_child_check(!ret, "DEL fromchild: %s", strerror(-ret));
	if (xns_send(c->rep, &ok, sizeof(ok)))
		return 1;
	xns_child_hold(c);
	return 0;
}

TEST_F(labels, shared_after_fork)
{
	int ok;

	ASSERT_EQ(0, xns_child_start(&self->kid, shared_child, NULL));
	ASSERT_EQ(0, xns_child_recv(&self->kid, &ok, sizeof(ok)));
	expect_value(_metadata, self->devfd, "fromchild", "1");
	ASSERT_EQ(0, xns_label_set(self->devfd, "fromparent", "2"));
	ASSERT_EQ(0, xns_child_release(&self->kid));
	ASSERT_EQ(0, xns_child_recv(&self->kid, &ok, sizeof(ok)));
	expect_absent(_metadata, self->devfd, "fromchild");
	EXPECT_EQ(0, xns_child_stop(&self->kid));
}

TEST_F(labels, key_length)
{
	char key[XNS_LABEL_KEY_MAX];
	struct snapshot before;
	struct xns_label l;
	unsigned long cmds[] = {
		XNS_IOC_LABEL_SET, XNS_IOC_LABEL_GET, XNS_IOC_LABEL_DEL,
	};
	unsigned int i;
	__u32 count = 0;
	int ret;

	/* 63 characters and the NUL: the longest key. */
	memset(key, 'a', sizeof(key) - 1);
	key[sizeof(key) - 1] = '\0';
	ret = xns_label_set(self->devfd, key, "long");
	ASSERT_EQ(0, ret) {
		TH_LOG("SET with a %zu-character key: %s", strlen(key),
		       strerror(-ret));
	}
	expect_value(_metadata, self->devfd, key, "long");
	populate(_metadata, self->devfd, &before);
	ASSERT_EQ(4U, before.n);
	EXPECT_EQ(strlen(key), strlen(before.labels[0].key));

	/* 64 characters: no room for the NUL. */
	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		memset(&l, 0, sizeof(l));
		memset(l.key, 'a', sizeof(l.key));
		xns_strfill(l.value, sizeof(l.value), "x");
		ret = xns_ioctl(self->devfd, cmds[i], &l);
		EXPECT_EQ(-EINVAL, ret) {
			TH_LOG("ioctl %#lx with an unterminated key: %s",
			       cmds[i], strerror(-ret));
		}
	}
	check_unchanged(_metadata, self->devfd, &before, "unterminated key");

	ASSERT_EQ(0, xns_label_del(self->devfd, key));
	ASSERT_EQ(0, xns_label_count(self->devfd, &count));
	EXPECT_EQ(3U, count);
}

TEST_F(labels, key_empty)
{
	unsigned long cmds[] = {
		XNS_IOC_LABEL_SET, XNS_IOC_LABEL_GET, XNS_IOC_LABEL_DEL,
	};
	struct snapshot before;
	struct xns_label l;
	unsigned int i;
	int ret;

	populate(_metadata, self->devfd, &before);
	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		memset(&l, 0, sizeof(l));
		xns_strfill(l.value, sizeof(l.value), "x");
		ret = xns_ioctl(self->devfd, cmds[i], &l);
		EXPECT_EQ(-EINVAL, ret) {
			TH_LOG("ioctl %#lx with an empty key: %s", cmds[i],
			       strerror(-ret));
		}
		/* Bytes after a leading NUL do not make a key. */
		memset(l.key + 1, 'a', sizeof(l.key) - 2);
		ret = xns_ioctl(self->devfd, cmds[i], &l);
		EXPECT_EQ(-EINVAL, ret) {
			TH_LOG("ioctl %#lx with key \"\\0aaa...\": %s", cmds[i],
			       strerror(-ret));
		}
	}
	check_unchanged(_metadata, self->devfd, &before, "empty key");
}

TEST_F(labels, key_not_printable)
{
	static const char * const bad[] = {
		"a\001b", "tab\tkey", "new\nline", "del\177", "\033[0m",
		"cr\r", "\010",
	};
	unsigned long cmds[] = {
		XNS_IOC_LABEL_SET, XNS_IOC_LABEL_GET, XNS_IOC_LABEL_DEL,
	};
	struct snapshot before;
	struct xns_label l;
	unsigned int i, j;
	int ret;

	populate(_metadata, self->devfd, &before);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		for (j = 0; j < ARRAY_SIZE(cmds); j++) {
			xns_label_fill(&l, bad[i], "x");
			ret = xns_ioctl(self->devfd, cmds[j], &l);
			EXPECT_EQ(-EINVAL, ret) {
				TH_LOG("ioctl %#lx with key #%u: %s, want EINVAL",
				       cmds[j], i, strerror(-ret));
			}
		}
	}
	check_unchanged(_metadata, self->devfd, &before, "non-printable key");

	/* Printable punctuation is fine. */
	ASSERT_EQ(0, xns_label_set(self->devfd, "a.b-c_d:e/f~g", "ok"));
	expect_value(_metadata, self->devfd, "a.b-c_d:e/f~g", "ok");
}

TEST_F(labels, bytes_after_nul_ignored)
{
	struct xns_label l;
	char keys[4][XNS_LABEL_KEY_MAX];
	__u32 count = ARRAY_SIZE(keys);

	memset(&l, 'z', sizeof(l));
	memcpy(l.key, "abc", 4);
	memcpy(l.value, "v", 2);
	ASSERT_EQ(0, xns_ioctl(self->devfd, XNS_IOC_LABEL_SET, &l));
	expect_value(_metadata, self->devfd, "abc", "v");

	memset(&l, 'y', sizeof(l));
	memcpy(l.key, "abc", 4);
	memcpy(l.value, "w", 2);
	ASSERT_EQ(0, xns_ioctl(self->devfd, XNS_IOC_LABEL_SET, &l));
	expect_value(_metadata, self->devfd, "abc", "w");

	memset(keys, 0, sizeof(keys));
	ASSERT_EQ(0, xns_label_list(self->devfd, keys, &count));
	ASSERT_EQ(1U, count) {
		TH_LOG("garbage after the NUL made different keys");
	}
	EXPECT_STREQ("abc", keys[0]);

	memset(&l, 'x', sizeof(l));
	memcpy(l.key, "abc", 4);
	ASSERT_EQ(0, xns_ioctl(self->devfd, XNS_IOC_LABEL_DEL, &l));
	expect_absent(_metadata, self->devfd, "abc");
}

TEST_F(labels, value_length)
{
	char value[XNS_LABEL_VALUE_MAX];
	struct snapshot before;
	struct xns_label l;
	int ret;

	/* 255 bytes and the NUL: the longest value. */
	memset(value, 'v', sizeof(value) - 1);
	value[sizeof(value) - 1] = '\0';
	ret = xns_label_set(self->devfd, "long", value);
	ASSERT_EQ(0, ret) {
		TH_LOG("SET with a %zu-byte value: %s", strlen(value),
		       strerror(-ret));
	}
	expect_value(_metadata, self->devfd, "long", value);

	/* The empty value is a value. */
	ASSERT_EQ(0, xns_label_set(self->devfd, "empty", ""));
	expect_value(_metadata, self->devfd, "empty", "");

	populate(_metadata, self->devfd, &before);
	ASSERT_EQ(5U, before.n);

	/* 256 bytes: no NUL.  Neither a new label nor a replacement. */
	memset(&l, 0, sizeof(l));
	xns_strfill(l.key, sizeof(l.key), "new");
	memset(l.value, 'w', sizeof(l.value));
	EXPECT_EQ(-EINVAL, xns_ioctl(self->devfd, XNS_IOC_LABEL_SET, &l));
	xns_strfill(l.key, sizeof(l.key), "long");
	EXPECT_EQ(-EINVAL, xns_ioctl(self->devfd, XNS_IOC_LABEL_SET, &l));
	xns_strfill(l.key, sizeof(l.key), "alpha");
	EXPECT_EQ(-EINVAL, xns_ioctl(self->devfd, XNS_IOC_LABEL_SET, &l));
	check_unchanged(_metadata, self->devfd, &before, "unterminated value");
}

TEST_F(labels, labels_max)
{
	char key[16], value[16];
	__u32 count = 0;
	struct snapshot before;
	int i, ret;

	for (i = 0; i < XNS_LABELS_MAX; i++) {
		snprintf(key, sizeof(key), "k%02d", i);
		snprintf(value, sizeof(value), "v%d", i);
		ret = xns_label_set(self->devfd, key, value);
		ASSERT_EQ(0, ret) {
			TH_LOG("label %d of %d: %s", i + 1, XNS_LABELS_MAX,
			       strerror(-ret));
		}
	}
	EXPECT_EQ((__u32)XNS_LABELS_MAX, nr_labels(_metadata, self->devfd));
	take_snapshot(_metadata, self->devfd, &before);
	ASSERT_EQ((__u32)XNS_LABELS_MAX, before.n);

	ret = xns_label_set(self->devfd, "onemore", "x");
	EXPECT_EQ(-ENOSPC, ret) {
		TH_LOG("label %d: %s, want ENOSPC", XNS_LABELS_MAX + 1,
		       ret ? strerror(-ret) : "created");
	}
	check_unchanged(_metadata, self->devfd, &before, "SET on a full table");
	expect_absent(_metadata, self->devfd, "onemore");

	/* Replacing needs no new slot. */
	ret = xns_label_set(self->devfd, "k10", "replaced");
	EXPECT_EQ(0, ret) {
		TH_LOG("replacing a label in a full table: %s", strerror(-ret));
	}
	expect_value(_metadata, self->devfd, "k10", "replaced");

	/* Deleting one makes room for one. */
	ASSERT_EQ(0, xns_label_del(self->devfd, "k00"));
	ASSERT_EQ(0, xns_label_set(self->devfd, "onemore", "x"));
	EXPECT_EQ(-ENOSPC, xns_label_set(self->devfd, "twomore", "x"));
	ASSERT_EQ(0, xns_label_count(self->devfd, &count));
	EXPECT_EQ((__u32)XNS_LABELS_MAX, count);
}

TEST_F(labels, missing_key_enoent)
{
	struct snapshot before;

	populate(_metadata, self->devfd, &before);
	EXPECT_EQ(-ENOENT, xns_label_get(self->devfd, "nosuch", NULL, 0));
	EXPECT_EQ(-ENOENT, xns_label_del(self->devfd, "nosuch"));
	/* Keys are compared whole, and case matters. */
	EXPECT_EQ(-ENOENT, xns_label_get(self->devfd, "alph", NULL, 0));
	EXPECT_EQ(-ENOENT, xns_label_get(self->devfd, "alphab", NULL, 0));
	EXPECT_EQ(-ENOENT, xns_label_del(self->devfd, "ALPHA"));
	check_unchanged(_metadata, self->devfd, &before, "GET/DEL of a missing key");
}

/* A buffer that any misread command would act on: "alpha" = "changed". */
union any_arg {
	struct xns_label label;
	struct xns_label_list list;
	struct xns_info info;
	char pad[1024];
};

static void fill_any(union any_arg *arg, char (*keys)[XNS_LABEL_KEY_MAX])
{
	memset(arg, 0, sizeof(*arg));
	xns_label_fill(&arg->label, "alpha", "changed");
	if (keys) {
		/* Also a plausible struct xns_label_list. */
		arg->list.count = XNS_LABELS_MAX;
		arg->list.reserved = 0;
		arg->list.keys = (__u64)(unsigned long)keys;
	}
}

TEST_F(labels, unknown_cmd_enotty)
{
	const unsigned long cmds[] = {
		_IO(XNS_IOC_MAGIC, 6),
		_IOWR(XNS_IOC_MAGIC, 6, struct xns_label),
		_IOW(XNS_IOC_MAGIC, 0x81, struct xns_label),
		_IO(XNS_IOC_MAGIC, 0xff),
		_IO(XNS_IOC_MAGIC + 1, 0),
		_IOW(XNS_IOC_MAGIC + 1, 1, struct xns_label),
		_IOW(XNS_IOC_MAGIC - 1, 3, struct xns_label),
		_IOC(_IOC_WRITE, 0, 1, sizeof(struct xns_label)),
		0,
		TCGETS,
	};
	struct snapshot before;
	union any_arg arg;
	unsigned int i;
	__u32 inum = 0;
	int ret;

	populate(_metadata, self->devfd, &before);
	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		fill_any(&arg, NULL);
		ret = xns_ioctl(self->devfd, cmds[i], &arg);
		EXPECT_EQ(-ENOTTY, ret) {
			TH_LOG("ioctl %#lx: %s, want ENOTTY", cmds[i],
			       ret < 0 ? strerror(-ret) : "success");
		}
		ASSERT_EQ(0, xns_self_inum(&inum));
		EXPECT_EQ(self->inum, inum) {
			TH_LOG("ioctl %#lx moved the caller", cmds[i]);
		}
	}
	check_unchanged(_metadata, self->devfd, &before, "unknown commands");
}

TEST_F(labels, wrong_size_enotty)
{
	const size_t ls = sizeof(struct xns_label);
	const size_t lls = sizeof(struct xns_label_list);
	const size_t is = sizeof(struct xns_info);
	const unsigned long cmds[] = {
		_IOC(_IOC_WRITE, XNS_IOC_MAGIC, 1, ls - 1),
		_IOC(_IOC_WRITE, XNS_IOC_MAGIC, 1, ls + 1),
		_IOC(_IOC_WRITE, XNS_IOC_MAGIC, 1, XNS_LABEL_KEY_MAX),
		_IOC(_IOC_READ | _IOC_WRITE, XNS_IOC_MAGIC, 2, ls - 1),
		_IOC(_IOC_READ | _IOC_WRITE, XNS_IOC_MAGIC, 2, ls + 64),
		_IOC(_IOC_WRITE, XNS_IOC_MAGIC, 3, ls - 1),
		_IOC(_IOC_WRITE, XNS_IOC_MAGIC, 3, XNS_LABEL_KEY_MAX),
		_IOC(_IOC_READ | _IOC_WRITE, XNS_IOC_MAGIC, 4, lls - 8),
		_IOC(_IOC_READ | _IOC_WRITE, XNS_IOC_MAGIC, 4, lls + 8),
		_IOC(_IOC_READ, XNS_IOC_MAGIC, 5, is - 8),
		_IOC(_IOC_READ, XNS_IOC_MAGIC, 5, is + 8),
		_IOC(_IOC_NONE, XNS_IOC_MAGIC, 0, sizeof(int)),
		/* Right size, wrong direction. */
		_IOC(_IOC_READ | _IOC_WRITE, XNS_IOC_MAGIC, 1, ls),
		_IOC(_IOC_WRITE, XNS_IOC_MAGIC, 2, ls),
		_IOC(_IOC_READ, XNS_IOC_MAGIC, 3, ls),
		_IOC(_IOC_READ, XNS_IOC_MAGIC, 4, lls),
		_IOC(_IOC_READ | _IOC_WRITE, XNS_IOC_MAGIC, 5, is),
		_IOC(_IOC_WRITE, XNS_IOC_MAGIC, 0, 0),
	};
	char keys[XNS_LABELS_MAX][XNS_LABEL_KEY_MAX];
	struct snapshot before;
	union any_arg arg;
	unsigned int i;
	__u32 inum = 0;
	int ret;

	populate(_metadata, self->devfd, &before);
	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		/* Labels for 1-3, a list for 4 (same bytes: see fill_any). */
		fill_any(&arg, _IOC_NR(cmds[i]) == 4 ? keys : NULL);
		ret = xns_ioctl(self->devfd, cmds[i], &arg);
		EXPECT_EQ(-ENOTTY, ret) {
			TH_LOG("ioctl nr %u dir %u size %u: %s, want ENOTTY",
			       (unsigned int)_IOC_NR(cmds[i]),
			       (unsigned int)_IOC_DIR(cmds[i]),
			       (unsigned int)_IOC_SIZE(cmds[i]),
			       ret < 0 ? strerror(-ret) : "success");
		}
		ASSERT_EQ(0, xns_self_inum(&inum));
		EXPECT_EQ(self->inum, inum) {
			TH_LOG("ioctl %#lx moved the caller", cmds[i]);
		}
	}
	check_unchanged(_metadata, self->devfd, &before, "wrong-size commands");
}

static const struct {
	unsigned long cmd;
	const char *name;
} ptr_cmds[] = {
	{ XNS_IOC_LABEL_SET, "LABEL_SET" },
	{ XNS_IOC_LABEL_GET, "LABEL_GET" },
	{ XNS_IOC_LABEL_DEL, "LABEL_DEL" },
	{ XNS_IOC_LABEL_LIST, "LABEL_LIST" },
	{ XNS_IOC_GET_INFO, "GET_INFO" },
};

TEST_F(labels, null_pointer_efault)
{
	struct snapshot before;
	unsigned int i;
	int ret;

	populate(_metadata, self->devfd, &before);
	for (i = 0; i < ARRAY_SIZE(ptr_cmds); i++) {
		ret = xns_ioctl(self->devfd, ptr_cmds[i].cmd, NULL);
		EXPECT_EQ(-EFAULT, ret) {
			TH_LOG("%s(NULL): %s, want EFAULT", ptr_cmds[i].name,
			       ret < 0 ? strerror(-ret) : "success");
		}
	}
	check_unchanged(_metadata, self->devfd, &before, "NULL arguments");
}

TEST_F(labels, unmapped_pointer_efault)
{
	const long ps = self->page_size;
	struct xns_label_list *list;
	struct xns_label *label;
	struct snapshot before;
	char *map, *hole;
	unsigned int i;
	int ret;

	populate(_metadata, self->devfd, &before);
	map = mmap(NULL, 2 * ps, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, map);
	hole = map + ps;
	ASSERT_EQ(0, munmap(hole, ps));

	for (i = 0; i < ARRAY_SIZE(ptr_cmds); i++) {
		ret = xns_ioctl(self->devfd, ptr_cmds[i].cmd, hole);
		EXPECT_EQ(-EFAULT, ret) {
			TH_LOG("%s(unmapped): %s, want EFAULT",
			       ptr_cmds[i].name,
			       ret < 0 ? strerror(-ret) : "success");
		}
	}

	/* A label whose key is readable but whose value runs off the map. */
	label = (struct xns_label *)(hole - XNS_LABEL_KEY_MAX - 16);
	xns_strfill(label->key, sizeof(label->key), "straddle");
	memset(label->value, 'x', 15);
	label->value[15] = '\0';
	ret = xns_ioctl(self->devfd, XNS_IOC_LABEL_SET, label);
	EXPECT_EQ(-EFAULT, ret) {
		TH_LOG("SET of a label crossing into unmapped memory: %s",
		       ret < 0 ? strerror(-ret) : "success");
	}
	xns_strfill(label->key, sizeof(label->key), "alpha");
	ret = xns_ioctl(self->devfd, XNS_IOC_LABEL_GET, label);
	EXPECT_EQ(-EFAULT, ret) {
		TH_LOG("GET into a label crossing into unmapped memory: %s",
		       ret < 0 ? strerror(-ret) : "success");
	}

	/* A list whose keys land in the hole. */
	list = (struct xns_label_list *)map;
	memset(list, 0, sizeof(*list));
	list->count = XNS_LABELS_MAX;
	list->keys = (__u64)(unsigned long)hole;
	ret = xns_ioctl(self->devfd, XNS_IOC_LABEL_LIST, list);
	EXPECT_EQ(-EFAULT, ret) {
		TH_LOG("LIST into unmapped memory: %s",
		       ret < 0 ? strerror(-ret) : "success");
	}
	/* Room for one key before the hole, three to write. */
	list->count = XNS_LABELS_MAX;
	list->keys = (__u64)(unsigned long)(hole - XNS_LABEL_KEY_MAX);
	ret = xns_ioctl(self->devfd, XNS_IOC_LABEL_LIST, list);
	EXPECT_EQ(-EFAULT, ret) {
		TH_LOG("LIST running into unmapped memory: %s",
		       ret < 0 ? strerror(-ret) : "success");
	}
	/* The list struct itself crossing into the hole. */
	list = (struct xns_label_list *)(hole - 8);
	list->count = XNS_LABELS_MAX;
	list->reserved = 0;
	ret = xns_ioctl(self->devfd, XNS_IOC_LABEL_LIST, list);
	EXPECT_EQ(-EFAULT, ret);

	check_unchanged(_metadata, self->devfd, &before, "unmapped arguments");
	expect_absent(_metadata, self->devfd, "straddle");
	munmap(map, ps);
}

TEST_F(labels, readonly_output_efault)
{
	char keys[XNS_LABELS_MAX][XNS_LABEL_KEY_MAX];
	const long ps = self->page_size;
	struct xns_label_list *list, rwlist;
	struct xns_label *label;
	struct snapshot before;
	char *ro;
	int ret;

	populate(_metadata, self->devfd, &before);
	ro = mmap(NULL, ps, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	label = (struct xns_label *)ro;
	xns_label_fill(label, "alpha", "");
	list = (struct xns_label_list *)(ro + 1024);
	list->count = XNS_LABELS_MAX;
	list->reserved = 0;
	list->keys = (__u64)(unsigned long)keys;
	ASSERT_EQ(0, mprotect(ro, ps, PROT_READ));

	ret = xns_ioctl(self->devfd, XNS_IOC_LABEL_GET, label);
	EXPECT_EQ(-EFAULT, ret) {
		TH_LOG("GET into read-only memory: %s",
		       ret < 0 ? strerror(-ret) : "success");
	}
	ret = xns_ioctl(self->devfd, XNS_IOC_GET_INFO, ro + 2048);
	EXPECT_EQ(-EFAULT, ret) {
		TH_LOG("GET_INFO into read-only memory: %s",
		       ret < 0 ? strerror(-ret) : "success");
	}
	/* The count cannot be written back. */
	ret = xns_ioctl(self->devfd, XNS_IOC_LABEL_LIST, list);
	EXPECT_EQ(-EFAULT, ret) {
		TH_LOG("LIST with the struct in read-only memory: %s",
		       ret < 0 ? strerror(-ret) : "success");
	}
	/* The keys cannot be written. */
	memset(&rwlist, 0, sizeof(rwlist));
	rwlist.count = XNS_LABELS_MAX;
	rwlist.keys = (__u64)(unsigned long)(ro + 2048);
	ret = xns_ioctl(self->devfd, XNS_IOC_LABEL_LIST, &rwlist);
	EXPECT_EQ(-EFAULT, ret) {
		TH_LOG("LIST into read-only keys: %s",
		       ret < 0 ? strerror(-ret) : "success");
	}
	check_unchanged(_metadata, self->devfd, &before, "read-only outputs");

	/* Read-only memory is fine for what is only read. */
	ASSERT_EQ(0, mprotect(ro, ps, PROT_READ | PROT_WRITE));
	xns_label_fill(label, "fromro", "ok");
	ASSERT_EQ(0, mprotect(ro, ps, PROT_READ));
	ret = xns_ioctl(self->devfd, XNS_IOC_LABEL_SET, label);
	EXPECT_EQ(0, ret) {
		TH_LOG("SET from read-only memory: %s", strerror(-ret));
	}
	expect_value(_metadata, self->devfd, "fromro", "ok");
	ret = xns_ioctl(self->devfd, XNS_IOC_LABEL_DEL, label);
	EXPECT_EQ(0, ret) {
		TH_LOG("DEL from read-only memory: %s", strerror(-ret));
	}
	check_unchanged(_metadata, self->devfd, &before, "SET and DEL");
	munmap(ro, ps);
}

TEST_F(labels, list_reserved_einval)
{
	const __u32 reserved[] = { 1, 0x80000000, 0xffffffff };
	char keys[XNS_LABELS_MAX][XNS_LABEL_KEY_MAX];
	struct xns_label_list list;
	struct snapshot before;
	unsigned int i;
	int ret;

	populate(_metadata, self->devfd, &before);
	for (i = 0; i < ARRAY_SIZE(reserved); i++) {
		memset(&list, 0, sizeof(list));
		list.count = XNS_LABELS_MAX;
		list.reserved = reserved[i];
		list.keys = (__u64)(unsigned long)keys;
		ret = xns_ioctl(self->devfd, XNS_IOC_LABEL_LIST, &list);
		EXPECT_EQ(-EINVAL, ret) {
			TH_LOG("LIST with reserved=%#x: %s, want EINVAL",
			       reserved[i], ret < 0 ? strerror(-ret) : "success");
		}
	}
	check_unchanged(_metadata, self->devfd, &before, "LIST with reserved set");
}

TEST_F(labels, list_too_small_eoverflow)
{
	char keys[XNS_LABELS_MAX][XNS_LABEL_KEY_MAX];
	struct snapshot before;
	__u32 room, count;
	int ret;

	populate(_metadata, self->devfd, &before);
	for (room = 0; room < before.n; room++) {
		count = room;
		ret = xns_label_list(self->devfd, room ? keys : NULL, &count);
		EXPECT_EQ(-EOVERFLOW, ret) {
			TH_LOG("LIST with room for %u of %u: %s, want EOVERFLOW",
			       room, before.n,
			       ret < 0 ? strerror(-ret) : "success");
		}
		EXPECT_EQ(before.n, count) {
			TH_LOG("EOVERFLOW must report the number of labels");
		}
	}
	check_unchanged(_metadata, self->devfd, &before, "LIST without room");
	count = before.n;
	EXPECT_EQ(0, xns_label_list(self->devfd, keys, &count));
	EXPECT_EQ(before.n, count);
}

TEST_HARNESS_MAIN
