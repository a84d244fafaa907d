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
 */
#ifndef XNS_HARNESS_H
#define XNS_HARNESS_H

#include <errno.h>
#include <string.h>

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

#endif /* XNS_HARNESS_H */
