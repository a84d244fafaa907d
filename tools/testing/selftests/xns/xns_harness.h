/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fixture set-up shared by the xns selftests: load the module and open
 * /dev/xns, skipping or failing the test as the kselftest harness does.
 * A missing module file skips, except where XNS_REQUIRE_MODULE=1 (make
 * check); a file that does not load always fails, with its errno.
 * Include after "xns_util.h" and "kselftest_harness.h".
 *
 * Each helper returns 0 (or the open fd) on success and -1 after SKIP();
 * the fixture then returns at once.  A failed ASSERT ends the test there.
 *
 * Below them, checks that tests share: they fail the test with EXPECT
 * or ASSERT and log what they saw.
 */
#ifndef XNS_HARNESS_H
#define XNS_HARNESS_H

#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "xns_util.h"
#include "kselftest_harness.h"

/*
 * The module file must exist for loading it: skip if it does not (xns is
 * not built), or fail where it is always shipped (XNS_REQUIRE_MODULE=1).
 */
static inline int xns_setup_module_file(struct __test_metadata *_metadata,
					const char *why)
{
	int err;

	if (xns_module_file_exists())
		return 0;
	err = errno;
	ASSERT_FALSE(xns_module_required()) {
		TH_LOG("%s: %s, and XNS_REQUIRE_MODULE=1: it must be shipped",
		       xns_module_path(), strerror(err));
	}
	SKIP(return -1, "%s: %s (set XNS_MODULE): %s", xns_module_path(),
	     strerror(err), why);
}

/* Make sure xns is loaded: skip or fail if it is not and cannot be. */
static inline int xns_setup_load(struct __test_metadata *_metadata)
{
	int ret;

	if (!xns_module_loaded() &&
	    xns_setup_module_file(_metadata, "xns is not loaded"))
		return -1;
	ret = xns_load();
	ASSERT_EQ(0, ret) {
		TH_LOG("loading %s failed: %s", xns_module_path(),
		       xns_load_strerror(ret));
	}
	return 0;
}

/*
 * Make sure xns is loaded from its file, for tests that unload and load it
 * again: skip or fail if the file does not exist, even when xns is loaded.
 */
static inline int xns_setup_reload(struct __test_metadata *_metadata)
{
	int ret;

	if (xns_setup_module_file(_metadata, "cannot reload xns"))
		return -1;
	ret = xns_load();
	ASSERT_EQ(0, ret) {
		TH_LOG("loading %s failed: %s", xns_module_path(),
		       xns_load_strerror(ret));
	}
	return 0;
}

/* Open /dev/xns; returns the fd. */
static inline int xns_setup_open_dev(struct __test_metadata *_metadata)
{
	int fd = xns_open_dev();

	ASSERT_GE(fd, 0) {
		TH_LOG("open %s: %s", XNS_DEV, strerror(-fd));
	}
	return fd;
}

/* xns_setup_load(), then xns_setup_open_dev(): the fd, or -1 after SKIP(). */
static inline int xns_setup_dev(struct __test_metadata *_metadata)
{
	if (xns_setup_load(_metadata))
		return -1;
	return xns_setup_open_dev(_metadata);
}

/*
 * Make an empty file /tmp/@name-XXXXXX, in @path, to bind-mount a
 * namespace on.  On failure @path is left empty, for
 * xns_teardown_bind_target().
 */
static inline void xns_make_bind_target(struct __test_metadata *_metadata,
					char *path, size_t size,
					const char *name)
{
	int fd;

	snprintf(path, size, "/tmp/%s-XXXXXX", name);
	fd = mkstemp(path);
	ASSERT_GE(fd, 0) {
		path[0] = '\0';
		TH_LOG("mkstemp in /tmp: %m");
	}
	close(fd);
}

/* For teardown: unmount @path if @mounted, and remove it. */
static inline void xns_teardown_bind_target(const char *path, bool mounted)
{
	if (mounted)
		umount2(path, MNT_DETACH);
	if (path[0])
		unlink(path);
}

/* xns must refuse to unload (EAGAIN) while @what, and stay loaded. */
static inline void xns_check_busy(struct __test_metadata *_metadata,
				  const char *what)
{
	int ret;

	ret = xns_unload();
	EXPECT_EQ(-EAGAIN, ret) {
		TH_LOG("delete_module while %s: %s, want EAGAIN", what,
		       ret ? strerror(-ret) : "unloaded");
	}
	ASSERT_TRUE(xns_module_loaded()) {
		TH_LOG("xns was unloaded while %s", what);
	}
}

/* listns(@ns_type, @user_ns_id) into @l, all of it. */
static inline void xns_check_list(struct __test_metadata *_metadata,
				  __u32 ns_type, __u64 user_ns_id,
				  struct xns_ids *l)
{
	int ret = xns_ids_list(ns_type, user_ns_id, l);

	ASSERT_EQ(0, ret) {
		TH_LOG("listns(ns_type %#x, user_ns_id %#llx): %s", ns_type,
		       (unsigned long long)user_ns_id, strerror(-ret));
	}
}

/*
 * listns() of the types @a, @b and @a | @b into @la, @lb and @both: the
 * third must be the union of the other two.  They agree while no
 * namespace comes or goes in between, so give what is still going from
 * earlier tests 50 tries, 10 ms apart.
 */
static inline void xns_check_list_union(struct __test_metadata *_metadata,
					__u32 a, __u32 b, struct xns_ids *la,
					struct xns_ids *lb,
					struct xns_ids *both)
{
	int try;

	for (try = 0; try < 50; try++) {
		xns_check_list(_metadata, a, 0, la);
		xns_check_list(_metadata, b, 0, lb);
		xns_check_list(_metadata, a | b, 0, both);
		if (xns_ids_is_union(la, lb, both))
			return;
		xns_msleep(10);
	}
	EXPECT_TRUE(xns_ids_is_union(la, lb, both)) {
		TH_LOG("listns(%#x | %#x): %zu ids, the two alone %zu and %zu",
		       a, b, both->nr, la->nr, lb->nr);
	}
}

/*
 * Every id in @l, listed by listns(@ns_type), must open by handle as a
 * namespace of @ns_type and, if @all is not NULL, be in @all too.  One
 * that went meanwhile must be off the list by now: it is passed over.
 */
static inline void xns_check_listed_type(struct __test_metadata *_metadata,
					 const struct xns_ids *l,
					 __u32 ns_type,
					 const struct xns_ids *all)
{
	size_t i;
	int type;

	for (i = 0; i < l->nr; i++) {
		type = xns_id_nstype(l->id[i]);
		if (type == -ESTALE &&
		    !xns_wait_listed(ns_type, l->id[i], false, 0))
			continue;
		EXPECT_EQ((int)ns_type, type) {
			TH_LOG("listed id %llu opens as type %d",
			       (unsigned long long)l->id[i], type);
		}
		if (all)
			EXPECT_TRUE(xns_ids_has(all, l->id[i]));
	}
}

/*
 * Take the handle of the nsfs file @fd (@what, for messages), which must
 * be the namespace @id of type @ns_type: {@id, @ns_type, its inode}.
 */
static inline void xns_check_handle(struct __test_metadata *_metadata,
				    int fd, const char *what, __u32 ns_type,
				    __u64 id, struct xns_ns_handle *h)
{
	struct stat st;
	int ret;

	ASSERT_EQ(0, fstat(fd, &st));
	ret = xns_ns_handle_get(fd, h);
	ASSERT_EQ(0, ret) {
		TH_LOG("name_to_handle_at(%s): %s", what, strerror(-ret));
	}
	EXPECT_EQ(sizeof(h->fid), h->handle_bytes);
	EXPECT_EQ(XNS_FILEID_NSFS, h->handle_type);
	EXPECT_EQ(id, h->fid.ns_id);
	EXPECT_EQ(ns_type, h->fid.ns_type);
	EXPECT_EQ(st.st_ino, h->fid.ns_inum);
}

/*
 * Open @h; the fd must be the namespace @id of type @ns_type (and inode
 * @ino, if not 0).  Returns the fd, or the negative errno after failing.
 */
static inline int xns_check_open_handle(struct __test_metadata *_metadata,
					const struct xns_ns_handle *h,
					__u32 ns_type, __u64 id, ino_t ino)
{
	struct stat st;
	__u64 got = 0;
	int fd;

	fd = xns_ns_handle_open(h, O_RDONLY | O_CLOEXEC);
	EXPECT_GE(fd, 0) {
		TH_LOG("open_by_handle_at(ns_id %llu, ns_type %#x), want type %#x: %s",
		       (unsigned long long)h->fid.ns_id, h->fid.ns_type,
		       ns_type, strerror(-fd));
	}
	if (fd < 0)
		return fd;
	EXPECT_EQ((int)ns_type, ioctl(fd, NS_GET_NSTYPE));
	EXPECT_EQ(0, xns_fd_ns_id(fd, &got));
	EXPECT_EQ(id, got);
	EXPECT_EQ(0, fstat(fd, &st));
	if (ino)
		EXPECT_EQ(ino, st.st_ino);
	return fd;
}

#endif /* XNS_HARNESS_H */
