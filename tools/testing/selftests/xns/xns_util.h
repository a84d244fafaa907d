/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the xns selftests: loading and unloading the module,
 * the /dev/xns ioctls, creating namespaces with NS_CREATE_CHILD,
 * /proc/<pid>/ns/xns, listns(2) and nsfs file handles, dropping
 * privileges and small helper processes driven over pipes.
 *
 * Every helper that can fail returns 0 (or a non-negative value) on
 * success and a negative errno on failure, so that tests can write
 * ASSERT_EQ(-EINVAL, xns_label_set(...)).
 */
#ifndef __XNS_UTIL_H
#define __XNS_UTIL_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <linux/capability.h>
#include <linux/nsfs.h>
#include <linux/types.h>
#include <linux/xns.h>

#include "kselftest.h"

/* Older <linux/nsfs.h> lack these; the values are fixed UAPI. */
#ifndef NS_GET_USERNS
#define NS_GET_USERNS		_IO(NSIO, 0x1)
#endif
#ifndef NS_GET_PARENT
#define NS_GET_PARENT		_IO(NSIO, 0x2)
#endif
#ifndef NS_GET_NSTYPE
#define NS_GET_NSTYPE		_IO(NSIO, 0x3)
#endif
#ifndef NS_GET_OWNER_UID
#define NS_GET_OWNER_UID	_IO(NSIO, 0x4)
#endif
#ifndef NS_GET_ID
#define NS_GET_ID		_IOR(NSIO, 13, __u64)
#endif
/* Patch 0010 of the series: a new child of a namespace of a module's type. */
#ifndef NS_CREATE_CHILD
#define NS_CREATE_CHILD		_IO(NSIO, 0x20)
#endif

/* listns(2), nsfs file handles: older <linux/nsfs.h> lack them too. */
#ifndef NS_ID_REQ_SIZE_VER0
struct ns_id_req {
	__u32 size;
	__u32 spare;
	__u64 ns_id;
	struct {
		__u32 ns_type;
		__u32 spare2;
		__u64 user_ns_id;
	};
};

#define NS_ID_REQ_SIZE_VER0	32
#endif
#ifndef LISTNS_CURRENT_USER
#define LISTNS_CURRENT_USER	0xffffffffffffffffULL
#endif
#ifndef NSFS_FILE_HANDLE_SIZE_VER0
struct nsfs_file_handle {
	__u64 ns_id;
	__u32 ns_type;
	__u32 ns_inum;
};

#define NSFS_FILE_HANDLE_SIZE_VER0	16
#endif
#ifndef __NR_listns
#define __NR_listns		470	/* all but alpha and mips */
#endif
/* The directory fd that makes open_by_handle_at() decode nsfs handles. */
#ifndef FD_NSFS_ROOT
#define FD_NSFS_ROOT		-10003
#endif
/* What nsfs encodes handles as (FILEID_NSFS in <linux/exportfs.h>). */
#define XNS_FILEID_NSFS		0xf1
/* The ids of the initial namespaces of the built-in types are 1 to 8. */
#define XNS_LAST_INIT_NS_ID	8ULL

#define XNS_MODULE_NAME		"xns"
#define XNS_MODULE_DEFAULT	"/lib/modules/xns.ko"
#define XNS_DEV			"/dev/xns"
#define XNS_SYSFS_DIR		"/sys/module/xns"
/*
 * The per-user limit of namespaces of all registered types (patch 0011),
 * as max_uts_namespaces is for UTS: the file shows and sets the value of
 * the reader's user namespace.
 */
#define XNS_SYSCTL_MAX_NS	"/proc/sys/user/max_module_namespaces"
#define XNS_SYSCTL_MAX_UTS	"/proc/sys/user/max_uts_namespaces"
#define XNS_SELF_LINK		"/proc/self/ns/xns"

/* An unprivileged uid and gid that need no /etc/passwd entry. */
#define XNS_NOBODY		65534

/* How long to wait for asynchronous teardown (RCU, deferred fput). */
#define XNS_SETTLE_MS		5000

/* Exit code of a helper process that could not set up its precondition. */
#define XNS_CHILD_SKIP		KSFT_SKIP

static inline void xns_msleep(unsigned int ms)
{
	struct timespec ts = {
		.tv_sec = ms / 1000,
		.tv_nsec = (long)(ms % 1000) * 1000000L,
	};

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static inline const char *xns_module_path(void)
{
	const char *path = getenv("XNS_MODULE");

	return path && *path ? path : XNS_MODULE_DEFAULT;
}

static inline bool xns_module_file_exists(void)
{
	return access(xns_module_path(), R_OK) == 0;
}

static inline bool xns_module_loaded(void)
{
	return access(XNS_SYSFS_DIR, F_OK) == 0;
}

/*
 * Must the module file be there?  make check's guest always ships it and
 * sets XNS_REQUIRE_MODULE=1, so a missing file is a failure, not a reason
 * to skip.
 */
static inline bool xns_module_required(void)
{
	const char *env = getenv("XNS_REQUIRE_MODULE");

	return env && !strcmp(env, "1");
}

/* finit_module() of the module file @path, errors passed through unchanged. */
static inline int xns_finit_module_file(const char *path)
{
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, "", 0);
	ret = ret ? -errno : 0;
	close(fd);
	return ret;
}

/* delete_module() of @name, retrying for up to @timeout_ms while busy. */
static inline int xns_unload_module_wait(const char *name,
					 unsigned int timeout_ms)
{
	unsigned int waited = 0;

	for (;;) {
		if (!syscall(SYS_delete_module, name, O_NONBLOCK))
			return 0;
		if (errno != EAGAIN || waited >= timeout_ms)
			return -errno;
		xns_msleep(10);
		waited += 10;
	}
}

/* Whether /proc/self/ns lists an entry @name (readdir, not lookup). */
static inline bool xns_ns_dir_lists(const char *name)
{
	struct dirent *de;
	bool found = false;
	DIR *dir;

	dir = opendir("/proc/self/ns");
	if (!dir)
		return false;
	while ((de = readdir(dir)))
		found |= !strcmp(de->d_name, name);
	closedir(dir);
	return found;
}

/* finit_module() of xns.ko. */
static inline int xns_finit_module(void)
{
	return xns_finit_module_file(xns_module_path());
}

/*
 * Make sure the module is loaded.  Returns 0 if it is (already or now),
 * else the negative errno of opening or loading its file, unchanged.
 * -ENOENT is ambiguous: open() says the file is missing, finit_module()
 * that the module needs a symbol the kernel does not have.  Callers that
 * may skip when the module is not built check xns_module_file_exists()
 * first; xns_load_strerror() tells the two apart in messages.
 */
static inline int xns_load(void)
{
	int ret;

	if (xns_module_loaded())
		return 0;
	ret = xns_finit_module();
	if (ret == -EEXIST)
		ret = 0;
	return ret;
}

/* A message for a failed xns_load(): the errno, named, and what it means. */
/* The counter sample, samples/rust/rust_ns_counter.rs. */
#define NSC_MODULE_NAME		"rust_ns_counter"
#define NSC_MODULE_DEFAULT	"/lib/modules/" NSC_MODULE_NAME ".ko"
#define NSC_SYSFS_DIR		"/sys/module/" NSC_MODULE_NAME
#define NSC_DEV			"/dev/ns_counter"
#define NSC_NAME		"counter"
#define NSC_SELF_LINK		"/proc/self/ns/" NSC_NAME

/* Where the sample is: $NS_COUNTER_MODULE, or the guest's copy. */
static inline const char *nsc_module_path(void)
{
	const char *path = getenv("NS_COUNTER_MODULE");

	return path && *path ? path : NSC_MODULE_DEFAULT;
}

static inline bool nsc_loaded(void)
{
	return access(NSC_SYSFS_DIR, F_OK) == 0;
}

/* finit_module() of the sample, errors passed through unchanged. */
static inline int nsc_load(void)
{
	return xns_finit_module_file(nsc_module_path());
}

static inline int nsc_unload(void)
{
	if (syscall(SYS_delete_module, NSC_MODULE_NAME, O_NONBLOCK))
		return -errno;
	return 0;
}

/* Unload, retrying for up to @timeout_ms while the module is busy. */
static inline int nsc_unload_wait(unsigned int timeout_ms)
{
	return xns_unload_module_wait(NSC_MODULE_NAME, timeout_ms);
}

static inline const char *xns_load_strerror(int err)
{
	static char msg[256];
	const char *hint = "";

	if (err == -ENOENT)
		hint = xns_module_file_exists() ?
		       " from finit_module: an unknown symbol (see the kernel log)" :
		       ": the file does not exist (set XNS_MODULE)";
	else if (err == -ENOEXEC)
		hint = ": not a module for this kernel (see the kernel log)";
	snprintf(msg, sizeof(msg), "%s (errno %d)%s", strerror(-err), -err,
		 hint);
	return msg;
}

static inline int xns_unload(void)
{
	if (syscall(SYS_delete_module, XNS_MODULE_NAME, O_NONBLOCK))
		return -errno;
	return 0;
}

/* Unload, retrying for up to @timeout_ms while the module is busy. */
static inline int xns_unload_wait(unsigned int timeout_ms)
{
	unsigned int waited = 0;
	int ret;

	for (;;) {
		ret = xns_unload();
		if (ret != -EAGAIN || waited >= timeout_ms)
			return ret;
		xns_msleep(10);
		waited += 10;
	}
}

static inline int xns_open_dev(void)
{
	int fd = open(XNS_DEV, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

/*
 * Open /dev/xns as the caller; if the device node does not let it (it may
 * be root-only), use a duplicate of @fallback, opened by a privileged
 * process before it dropped its privileges.  The ioctls check the
 * caller's credentials, not those of the opener.
 */
static inline int xns_open_dev_or(int fallback)
{
	int fd = xns_open_dev();

	if ((fd == -EACCES || fd == -EPERM) && fallback >= 0) {
		fd = fcntl(fallback, F_DUPFD_CLOEXEC, 0);
		if (fd < 0)
			fd = -errno;
	}
	return fd;
}

static inline int xns_ioctl(int fd, unsigned long cmd, void *arg)
{
	int ret = ioctl(fd, cmd, arg);

	return ret < 0 ? -errno : ret;
}

static inline int xns_get_info(int devfd, struct xns_info *info)
{
	memset(info, 0, sizeof(*info));
	return xns_ioctl(devfd, XNS_IOC_GET_INFO, info);
}

/* Copy at most size - 1 bytes of @src and NUL-fill the rest of @dst. */
static inline void xns_strfill(char *dst, size_t size, const char *src)
{
	size_t len = 0;

	while (len < size - 1 && src[len])
		len++;

	memset(dst, 0, size);
	memcpy(dst, src, len);
}

static inline void xns_label_fill(struct xns_label *label, const char *key,
				  const char *value)
{
	xns_strfill(label->key, sizeof(label->key), key);
	xns_strfill(label->value, sizeof(label->value), value ? value : "");
}

static inline int xns_label_set(int devfd, const char *key, const char *value)
{
	struct xns_label label;

	xns_label_fill(&label, key, value);
	return xns_ioctl(devfd, XNS_IOC_LABEL_SET, &label);
}

/* Look up @key and copy its value (NUL-terminated) into @value. */
static inline int xns_label_get(int devfd, const char *key, char *value,
				size_t size)
{
	struct xns_label label;
	int ret;

	xns_label_fill(&label, key, NULL);
	ret = xns_ioctl(devfd, XNS_IOC_LABEL_GET, &label);
	if (!ret && value && size)
		xns_strfill(value, size, label.value);
	return ret;
}

static inline int xns_label_del(int devfd, const char *key)
{
	struct xns_label label;

	xns_label_fill(&label, key, NULL);
	return xns_ioctl(devfd, XNS_IOC_LABEL_DEL, &label);
}

/* LIST into @keys, which has room for *@count keys; *@count is updated. */
static inline int xns_label_list(int devfd, char (*keys)[XNS_LABEL_KEY_MAX],
				 __u32 *count)
{
	struct xns_label_list list = {
		.count = *count,
		.keys = (__u64)(unsigned long)keys,
	};
	int ret;

	ret = xns_ioctl(devfd, XNS_IOC_LABEL_LIST, &list);
	*count = list.count;
	return ret;
}

/* Number of labels, as LIST with no room reports it. */
static inline int xns_label_count(int devfd, __u32 *count)
{
	int ret;

	*count = 0;
	ret = xns_label_list(devfd, NULL, count);
	return ret == -EOVERFLOW ? 0 : ret;
}

/* Parse "xns:[N]", strictly. */
static inline int xns_parse_link(const char *link, __u32 *inum)
{
	unsigned long val;
	char *end;

	if (strncmp(link, "xns:[", 5) || link[5] < '0' || link[5] > '9')
		return -EINVAL;
	errno = 0;
	val = strtoul(link + 5, &end, 10);
	if (errno || strcmp(end, "]") || val == 0 || val > 0xffffffffUL)
		return -EINVAL;
	*inum = val;
	return 0;
}

/* readlink() @path into @buf (NUL-terminated); -ENAMETOOLONG if cut. */
static inline int xns_readlink(const char *path, char *buf, size_t size)
{
	ssize_t len = readlink(path, buf, size);

	if (len < 0)
		return -errno;
	if ((size_t)len >= size)
		return -ENAMETOOLONG;
	buf[len] = '\0';
	return 0;
}

static inline int xns_link_inum(const char *path, __u32 *inum)
{
	char buf[64];
	int ret;

	ret = xns_readlink(path, buf, sizeof(buf));
	if (ret)
		return ret;
	return xns_parse_link(buf, inum);
}

static inline void xns_pid_path(pid_t pid, char *buf, size_t size)
{
	if (pid)
		snprintf(buf, size, "/proc/%d/ns/xns", pid);
	else
		snprintf(buf, size, XNS_SELF_LINK);
}

/* Inode number of the xns of @pid (0: the caller), via readlink. */
static inline int xns_pid_inum(pid_t pid, __u32 *inum)
{
	char path[64];

	xns_pid_path(pid, path, sizeof(path));
	return xns_link_inum(path, inum);
}

static inline int xns_self_inum(__u32 *inum)
{
	return xns_pid_inum(0, inum);
}

/* Open the nsfs file of the xns of @pid (0: the caller). */
static inline int xns_open_ns(pid_t pid)
{
	char path[64];
	int fd;

	xns_pid_path(pid, path, sizeof(path));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

static inline int xns_fd_inum(int fd, __u32 *inum)
{
	struct stat st;

	if (fstat(fd, &st))
		return -errno;
	*inum = st.st_ino;
	return 0;
}

static inline int xns_path_ino(const char *path, ino_t *ino, dev_t *dev)
{
	struct stat st;

	if (stat(path, &st))
		return -errno;
	if (ino)
		*ino = st.st_ino;
	if (dev)
		*dev = st.st_dev;
	return 0;
}

/* A pidfd for @pid (setns() with a pidfd enters several of its namespaces). */
static inline int xns_pidfd_open(pid_t pid)
{
	int fd = syscall(SYS_pidfd_open, pid, 0);

	return fd < 0 ? -errno : fd;
}

static inline int xns_setns(int fd, int flags)
{
	return setns(fd, flags) ? -errno : 0;
}

/*
 * NS_CREATE_CHILD: a new child of the namespace @nsfd refers to, owned by
 * the caller's user namespace.  Returns its nsfs fd (O_CLOEXEC), which
 * holds it, or a negative errno: the type's checks (for xns -EPERM
 * without CAP_SYS_ADMIN in the caller's user namespace, -ENOSPC at
 * XNS_MAX_DEPTH), -ENOSPC at max_module_namespaces of the caller's user
 * namespace or an ancestor, -EOPNOTSUPP for a built-in type, -ENOTTY for
 * a file that is not a namespace.
 */
static inline int xns_create_child(int nsfd)
{
	int fd = ioctl(nsfd, NS_CREATE_CHILD);

	return fd < 0 ? -errno : fd;
}

/*
 * What unshare() does for a built-in type, for the type named @ns_name in
 * /proc/<pid>/ns: NS_CREATE_CHILD on the calling thread's namespace, then
 * setns(child, @ns_type).  Returns 0 or the negative errno of the step
 * that failed; on failure the caller's namespaces are unchanged.  It
 * opens /proc/thread-self/ns, not /proc/self/ns, which is the main
 * thread's: like unshare(), it moves the calling thread only.
 */
static inline int xns_unshare_type(const char *ns_name, int ns_type)
{
	char path[64];
	int nsfd, child, ret;

	snprintf(path, sizeof(path), "/proc/thread-self/ns/%s", ns_name);
	nsfd = open(path, O_RDONLY | O_CLOEXEC);
	if (nsfd < 0)
		return -errno;
	child = xns_create_child(nsfd);
	close(nsfd);
	if (child < 0)
		return child;
	ret = xns_setns(child, ns_type);
	close(child);
	return ret;
}

/* Move the calling thread into a new child of its xns. */
static inline int xns_unshare(void)
{
	return xns_unshare_type("xns", XNS_NS_TYPE);
}

/* NS_GET_ID: the 64-bit id of the namespace @fd refers to. */
static inline int xns_fd_ns_id(int fd, __u64 *id)
{
	*id = 0;
	return ioctl(fd, NS_GET_ID, id) ? -errno : 0;
}

/* The id of the namespace @path (e.g. /proc/1/ns/xns) refers to. */
static inline int xns_path_ns_id(const char *path, __u64 *id)
{
	int fd, ret;

	*id = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = xns_fd_ns_id(fd, id);
	close(fd);
	return ret;
}

/* The id of the xns of @pid (0: the caller). */
static inline int xns_pid_ns_id(pid_t pid, __u64 *id)
{
	char path[64];

	xns_pid_path(pid, path, sizeof(path));
	return xns_path_ns_id(path, id);
}

/*
 * listns(2): up to @nr ids of namespaces of the types in @ns_type (0: all)
 * owned by @user_ns_id (0: any; LISTNS_CURRENT_USER: the caller's), after
 * @last_id (0: from the first).  The number of ids, or a negative errno.
 */
static inline ssize_t xns_listns(__u32 ns_type, __u64 user_ns_id,
				 __u64 last_id, __u64 *ids, size_t nr)
{
	struct ns_id_req req = {
		.size = sizeof(req),
		.ns_id = last_id,
		.ns_type = ns_type,
		.user_ns_id = user_ns_id,
	};
	long ret;

	ret = syscall(__NR_listns, &req, ids, nr, 0);
	return ret < 0 ? -errno : ret;
}

/*
 * An nsfs file handle as name_to_handle_at() fills it in: a struct
 * file_handle with room for exactly one struct nsfs_file_handle.
 */
struct xns_ns_handle {
	__u32 handle_bytes;
	__s32 handle_type;
	struct nsfs_file_handle fid;
};

static_assert(offsetof(struct xns_ns_handle, fid) ==
	      offsetof(struct file_handle, f_handle),
	      "struct xns_ns_handle must be laid out as struct file_handle");

/* name_to_handle_at(@fd, "", AT_EMPTY_PATH) of an nsfs file. */
static inline int xns_ns_handle_get(int fd, struct xns_ns_handle *h)
{
	int mnt_id;

	memset(h, 0, sizeof(*h));
	h->handle_bytes = sizeof(h->fid);
	if (name_to_handle_at(fd, "", (struct file_handle *)h, &mnt_id,
			      AT_EMPTY_PATH))
		return -errno;
	return 0;
}

/* A handle naming the namespace by its id alone (no type, no inode). */
static inline void xns_ns_handle_id(struct xns_ns_handle *h, __u64 ns_id)
{
	memset(h, 0, sizeof(*h));
	h->handle_bytes = sizeof(h->fid);
	h->handle_type = XNS_FILEID_NSFS;
	h->fid.ns_id = ns_id;
}

/* open_by_handle_at(FD_NSFS_ROOT, @h, @flags); the fd or a negative errno. */
static inline int xns_ns_handle_open(const struct xns_ns_handle *h, int flags)
{
	struct xns_ns_handle copy = *h;
	int fd;

	fd = open_by_handle_at(FD_NSFS_ROOT, (struct file_handle *)&copy,
			       flags);
	return fd < 0 ? -errno : fd;
}

/* What xns_ids_list() keeps of one listing; more is an error. */
#define XNS_IDS_MAX		1024

/* The ids of one listns() call, in the order it returned them. */
struct xns_ids {
	size_t nr;
	__u64 id[XNS_IDS_MAX];
};

/*
 * All namespaces listns(@ns_type, @user_ns_id) shows, in one call: 0, a
 * listns() error, -E2BIG if there were more than XNS_IDS_MAX - 1 (the
 * listing may be cut) or -EBADMSG if the ids were not strictly ascending,
 * the order of the kernel's namespace trees.
 */
static inline int xns_ids_list(__u32 ns_type, __u64 user_ns_id,
			       struct xns_ids *l)
{
	ssize_t ret;
	size_t i;

	l->nr = 0;
	ret = xns_listns(ns_type, user_ns_id, 0, l->id, XNS_IDS_MAX);
	if (ret < 0)
		return ret;
	if (ret >= XNS_IDS_MAX)
		return -E2BIG;
	l->nr = ret;
	for (i = 1; i < l->nr; i++)
		if (l->id[i - 1] >= l->id[i])
			return -EBADMSG;
	return 0;
}

static inline bool xns_ids_has(const struct xns_ids *l, __u64 id)
{
	size_t i;

	for (i = 0; i < l->nr; i++)
		if (l->id[i] == id)
			return true;
	return false;
}

/* Do @a and @b have no id in common? */
static inline bool xns_ids_disjoint(const struct xns_ids *a,
				    const struct xns_ids *b)
{
	size_t i;

	for (i = 0; i < a->nr; i++)
		if (xns_ids_has(b, a->id[i]))
			return false;
	return true;
}

/* Is every id of @b also in @a (nothing new in @b)? */
static inline bool xns_ids_subset(const struct xns_ids *a,
				  const struct xns_ids *b)
{
	size_t i;

	for (i = 0; i < b->nr; i++)
		if (!xns_ids_has(a, b->id[i]))
			return false;
	return true;
}

static inline bool xns_ids_equal(const struct xns_ids *a,
				 const struct xns_ids *b)
{
	return a->nr == b->nr &&
	       !memcmp(a->id, b->id, a->nr * sizeof(a->id[0]));
}

/* Is @m exactly the ids of @a and of @b, ascending? */
static inline bool xns_ids_is_union(const struct xns_ids *a,
				    const struct xns_ids *b,
				    const struct xns_ids *m)
{
	size_t i;

	for (i = 0; i < a->nr; i++)
		if (!xns_ids_has(m, a->id[i]))
			return false;
	for (i = 0; i < b->nr; i++)
		if (!xns_ids_has(m, b->id[i]))
			return false;
	for (i = 0; i < m->nr; i++)
		if (!xns_ids_has(a, m->id[i]) && !xns_ids_has(b, m->id[i]))
			return false;
	for (i = 1; i < m->nr; i++)
		if (m->id[i - 1] >= m->id[i])
			return false;
	return true;
}

/*
 * Wait up to @timeout_ms until listns(@ns_type) lists @id (@want) or does
 * not (!@want).  Leaving the list should be immediate once the last user
 * is gone, but task exit and fput() finish a little after waitpid() and
 * close() return.  Returns 0, -ETIMEDOUT or a listing error.
 */
static inline int xns_wait_listed(__u32 ns_type, __u64 id, bool want,
				  unsigned int timeout_ms)
{
	unsigned int waited = 0;
	struct xns_ids l;
	int ret;

	for (;;) {
		ret = xns_ids_list(ns_type, 0, &l);
		if (ret || xns_ids_has(&l, id) == want)
			return ret;
		if (waited >= timeout_ms)
			return -ETIMEDOUT;
		xns_msleep(10);
		waited += 10;
	}
}

/* Open the namespace @id by an id-only handle; its NS_GET_NSTYPE. */
static inline int xns_id_nstype(__u64 id)
{
	struct xns_ns_handle h;
	int fd, ret;

	xns_ns_handle_id(&h, id);
	fd = xns_ns_handle_open(&h, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fd;
	ret = ioctl(fd, NS_GET_NSTYPE);
	if (ret < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/*
 * Wait up to @timeout_ms until @h no longer opens.  Returns the error of
 * open_by_handle_at() (-ESTALE once the namespace is gone), or 0 if it
 * still opened at the end.
 */
static inline int xns_wait_stale(const struct xns_ns_handle *h,
				 unsigned int timeout_ms)
{
	unsigned int waited = 0;
	int fd;

	for (;;) {
		fd = xns_ns_handle_open(h, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return fd;
		close(fd);
		if (waited >= timeout_ms)
			return 0;
		xns_msleep(10);
		waited += 10;
	}
}

static inline int xns_nr_live(int devfd, __u32 *nr_live)
{
	struct xns_info info;
	int ret;

	ret = xns_get_info(devfd, &info);
	if (!ret)
		*nr_live = info.nr_live;
	return ret;
}

/*
 * Wait up to @timeout_ms for nr_live to become @want; namespaces may be
 * freed after an RCU grace period.  Returns 0, -ETIMEDOUT (with the last
 * value in *@seen) or an ioctl error.
 */
static inline int xns_wait_nr_live(int devfd, __u32 want,
				   unsigned int timeout_ms, __u32 *seen)
{
	unsigned int waited = 0;
	__u32 nr = 0;
	int ret;

	for (;;) {
		ret = xns_nr_live(devfd, &nr);
		if (seen)
			*seen = nr;
		if (ret)
			return ret;
		if (nr == want)
			return 0;
		if (waited >= timeout_ms)
			return -ETIMEDOUT;
		xns_msleep(10);
		waited += 10;
	}
}

static inline int xns_write_file(const char *path, const char *buf)
{
	size_t len = strlen(buf);
	ssize_t ret;
	int fd;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = write(fd, buf, len);
	if (ret < 0)
		ret = -errno;
	else if ((size_t)ret != len)
		ret = -EIO;
	else
		ret = 0;
	close(fd);
	return ret;
}

static inline int xns_read_file(const char *path, char *buf, size_t size)
{
	ssize_t len;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	len = read(fd, buf, size - 1);
	if (len < 0)
		len = -errno;
	close(fd);
	if (len < 0)
		return len;
	buf[len] = '\0';
	return 0;
}

/* Effective capability set of the caller. */
static inline int xns_cap_effective(__u64 *eff)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};

	if (syscall(SYS_capget, &hdr, data))
		return -errno;
	*eff = (__u64)data[1].effective << 32 | data[0].effective;
	return 0;
}

/*
 * Raise or lower @cap in the calling thread's effective set.  It uses the
 * raw syscall: glibc's capset() would apply it to all threads.
 */
static inline int xns_set_cap_effective(int cap, bool on)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};

	if (syscall(SYS_capget, &hdr, data))
		return -errno;
	if (on)
		data[cap / 32].effective |= 1U << (cap % 32);
	else
		data[cap / 32].effective &= ~(1U << (cap % 32));
	if (syscall(SYS_capset, &hdr, data))
		return -errno;
	return 0;
}

/*
 * Become @uid/@gid with no supplementary groups and no capabilities.
 * The process is made dumpable again (so that it owns its /proc files,
 * e.g. to write its uid_map) and is killed when its parent dies.
 */
static inline int xns_drop_privs(uid_t uid, gid_t gid)
{
	__u64 eff = ~0ULL;
	int ret;

	if (setgroups(0, NULL) || setresgid(gid, gid, gid) ||
	    setresuid(uid, uid, uid))
		return -errno;
	/* Changing credentials cleared both. */
	if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) ||
	    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0))
		return -errno;
	if (getuid() != uid || geteuid() != uid || getgid() != gid)
		return -EPERM;
	ret = xns_cap_effective(&eff);
	if (ret)
		return ret;
	return eff ? -EPERM : 0;
}

/*
 * Move into a new user namespace and map its root to the caller's
 * current uid and gid, as an unprivileged process may do.
 */
static inline int xns_enter_userns(void)
{
	uid_t uid = geteuid();
	gid_t gid = getegid();
	char map[64];
	int ret;

	if (unshare(CLONE_NEWUSER))
		return -errno;
	ret = xns_write_file("/proc/self/setgroups", "deny");
	if (ret)
		return ret;
	snprintf(map, sizeof(map), "0 %u 1", (unsigned int)uid);
	ret = xns_write_file("/proc/self/uid_map", map);
	if (ret)
		return ret;
	snprintf(map, sizeof(map), "0 %u 1", (unsigned int)gid);
	return xns_write_file("/proc/self/gid_map", map);
}

/*
 * Read a limit of /proc/sys/user (XNS_SYSCTL_MAX_NS, ...) as the caller's
 * user namespace has it: a decimal number and a newline, else -EBADMSG.
 */
static inline int xns_limit_read(const char *path, unsigned long *val)
{
	char buf[32], *end;
	int ret;

	ret = xns_read_file(path, buf, sizeof(buf));
	if (ret)
		return ret;
	if (buf[0] < '0' || buf[0] > '9')
		return -EBADMSG;
	errno = 0;
	*val = strtoul(buf, &end, 10);
	if (errno || strcmp(end, "\n"))
		return -EBADMSG;
	return 0;
}

/* Set a limit of /proc/sys/user in the caller's user namespace. */
static inline int xns_limit_write(const char *path, unsigned long val)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lu", val);
	return xns_write_file(path, buf);
}

/*
 * xns_enter_userns(), then set max_module_namespaces of the new user
 * namespace to @max.  There the caller owns no namespace yet, so its
 * count starts at 0 whatever other tests left behind, and as its root it
 * has CAP_SYS_RESOURCE, which writing the limit needs.  Each namespace it
 * creates counts here and in every ancestor user namespace.
 */
static inline int xns_enter_userns_limit(unsigned long max)
{
	int ret;

	ret = xns_enter_userns();
	if (ret)
		return ret;
	return xns_limit_write(XNS_SYSCTL_MAX_NS, max);
}

/* Write all of @buf to @fd. */
static inline int xns_send(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t ret;

	while (len) {
		ret = write(fd, p, len);
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret < 0)
			return -errno;
		p += ret;
		len -= ret;
	}
	return 0;
}

/* Read exactly @len bytes; -EPIPE if the writer went away first. */
static inline int xns_recv(int fd, void *buf, size_t len)
{
	char *p = buf;
	ssize_t ret;

	while (len) {
		ret = read(fd, p, len);
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret < 0)
			return -errno;
		if (ret == 0)
			return -EPIPE;
		p += ret;
		len -= ret;
	}
	return 0;
}

/*
 * A helper process.  In the parent, @ctl is the write end of a pipe to
 * the child and @rep the read end of a pipe from it; in the child, the
 * other ends.  The child typically does some work, reports a result with
 * xns_send(c->rep, ...), then blocks in xns_child_hold() until the parent
 * calls xns_child_release() (or dies: the child then gets SIGKILL).
 */
struct xns_child {
	pid_t pid;
	int ctl;
	int rep;
};

typedef int (*xns_child_fn)(struct xns_child *c, void *arg);

#define XNS_CHILD_INIT { .pid = -1, .ctl = -1, .rep = -1 }

static inline void xns_child_init(struct xns_child *c)
{
	c->pid = -1;
	c->ctl = -1;
	c->rep = -1;
}

static inline int xns_child_start(struct xns_child *c, xns_child_fn fn,
				  void *arg)
{
	pid_t parent = getpid();
	int down[2], up[2];
	pid_t pid;

	/* Writing to a child that died must fail, not kill the test. */
	signal(SIGPIPE, SIG_IGN);
	if (pipe2(down, O_CLOEXEC))
		return -errno;
	if (pipe2(up, O_CLOEXEC)) {
		close(down[0]);
		close(down[1]);
		return -errno;
	}
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		close(down[0]);
		close(down[1]);
		close(up[0]);
		close(up[1]);
		return -errno;
	}
	if (pid == 0) {
		close(down[1]);
		close(up[0]);
		if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) ||
		    getppid() != parent)
			_exit(1);
		c->pid = getpid();
		c->ctl = down[0];
		c->rep = up[1];
		_exit(fn(c, arg));
	}
	close(down[0]);
	close(up[1]);
	c->pid = pid;
	c->ctl = down[1];
	c->rep = up[0];
	return 0;
}

/* In the child: wait until the parent releases us or goes away. */
static inline void xns_child_hold(struct xns_child *c)
{
	char byte;

	xns_recv(c->ctl, &byte, 1);
}

/* In the parent: receive what the child sent with xns_send(c->rep, ...). */
static inline int xns_child_recv(struct xns_child *c, void *buf, size_t len)
{
	return xns_recv(c->rep, buf, len);
}

static inline int xns_child_release(struct xns_child *c)
{
	char byte = 0;

	return xns_send(c->ctl, &byte, 1);
}

/*
 * Wait for the child to exit and close our ends of its pipes.  Returns
 * its exit status, 128 + signal number if it was killed, or a negative
 * errno if it could not be waited for.
 */
static inline int xns_child_reap(struct xns_child *c)
{
	int status = 0;
	pid_t ret;

	if (c->ctl >= 0)
		close(c->ctl);
	if (c->rep >= 0)
		close(c->rep);
	c->ctl = -1;
	c->rep = -1;
	if (c->pid <= 0)
		return -ECHILD;
	do {
		ret = waitpid(c->pid, &status, 0);
	} while (ret < 0 && errno == EINTR);
	c->pid = -1;
	if (ret < 0)
		return -errno;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

/* Release the child and wait for it. */
static inline int xns_child_stop(struct xns_child *c)
{
	if (c->pid > 0)
		xns_child_release(c);
	return xns_child_reap(c);
}

/* For teardown: kill the child if it still runs and reap it. */
static inline void xns_child_kill(struct xns_child *c)
{
	if (c->pid > 0)
		kill(c->pid, SIGKILL);
	if (c->pid > 0 || c->ctl >= 0 || c->rep >= 0)
		xns_child_reap(c);
}

/* Fork, run @fn in the child and return its exit status (see reap). */
static inline int xns_run_child(xns_child_fn fn, void *arg)
{
	struct xns_child c;
	int ret;

	xns_child_init(&c);
	ret = xns_child_start(&c, fn, arg);
	if (ret)
		return ret;
	return xns_child_stop(&c);
}

/* In a helper process: report a failed check and exit with status 1. */
static inline __printf(3, 4) __noreturn void
__xns_child_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "# %s:%d: child %d: ", file, line, getpid());
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
	_exit(1);
}

#define xns_child_fail(fmt, ...) \
	__xns_child_fail(__FILE__, __LINE__, fmt, ##__VA_ARGS__)

#define xns_child_check(cond, fmt, ...) \
	((cond) ? (void)0 : xns_child_fail(fmt, ##__VA_ARGS__))

/* In a helper process: listns(@ns_type, @user_ns_id) must give only @id. */
static inline void xns_child_lists_only(__u32 ns_type, __u64 user_ns_id,
					__u64 id)
{
	struct xns_ids l;
	int ret;

	ret = xns_ids_list(ns_type, user_ns_id, &l);
	xns_child_check(!ret, "listns(ns_type %#x, user_ns_id %#llx): %s",
			ns_type, (unsigned long long)user_ns_id,
			strerror(-ret));
	xns_child_check(l.nr == 1 && l.id[0] == id,
			"listns(ns_type %#x, user_ns_id %#llx): %zu ids, the first %llu; want only %llu",
			ns_type, (unsigned long long)user_ns_id, l.nr,
			(unsigned long long)(l.nr ? l.id[0] : 0),
			(unsigned long long)id);
}

/* In a helper process: @h must open as the namespace @id. */
static inline void xns_child_opens(const struct xns_ns_handle *h, __u64 id,
				   const char *what)
{
	__u64 got = 0;
	int fd, ret;

	fd = xns_ns_handle_open(h, O_RDONLY | O_CLOEXEC);
	xns_child_check(fd >= 0, "open_by_handle_at(%s): %s", what,
			strerror(-fd));
	ret = xns_fd_ns_id(fd, &got);
	xns_child_check(!ret && got == id, "%s: opened %llu, want %llu", what,
			(unsigned long long)got, (unsigned long long)id);
	close(fd);
}

/*
 * In a helper process: @h must be refused as for a built-in type.
 * nsfs_fh_to_dentry() refuses with EPERM, which exportfs_decode_fh() turns
 * into ESTALE for every type (the kernel's file_handle_test expects ESTALE
 * for UTS and IPC namespaces of another user namespace).  The callers
 * check that the same handle opens where it is visible.
 */
static inline void xns_child_may_not_open(const struct xns_ns_handle *h,
					  const char *what)
{
	int fd;

	fd = xns_ns_handle_open(h, O_RDONLY | O_CLOEXEC);
	if (fd >= 0)
		close(fd);
	xns_child_check(fd == -ESTALE, "open_by_handle_at(%s): %s, want ESTALE",
			what, fd < 0 ? strerror(-fd) : "opened");
}

/*
 * What a holder child reports once it is set up: its namespace, or the
 * error of the step that failed.
 */
struct xns_holder_report {
	__s32 err;
	__u32 inum;
	__u32 depth;
	__u32 pad;
};

/*
 * A helper that does @depth nested xns_unshare()s, optionally sets a
 * label in the new namespace, reports, and stays in it until released.
 */
struct xns_holder_args {
	unsigned int depth;
	const char *key;
	const char *value;
};

static inline int xns_holder_fn(struct xns_child *c, void *arg)
{
	const struct xns_holder_args *args = arg;
	struct xns_holder_report rep = {};
	struct xns_info info;
	unsigned int i;
	int devfd;

	devfd = xns_open_dev();
	rep.err = devfd < 0 ? devfd : 0;
	for (i = 0; !rep.err && args && i < args->depth; i++)
		rep.err = xns_unshare();
	if (!rep.err && args && args->key)
		rep.err = xns_label_set(devfd, args->key, args->value);
	if (!rep.err)
		rep.err = xns_get_info(devfd, &info);
	if (!rep.err) {
		rep.inum = info.inum;
		rep.depth = info.depth;
	}
	if (devfd >= 0)
		close(devfd);
	if (xns_send(c->rep, &rep, sizeof(rep)))
		return 1;
	if (rep.err)
		return 1;
	xns_child_hold(c);
	return 0;
}

/*
 * Start a holder.  Returns 0 with @rep filled in, or a negative errno:
 * the child's setup error, or -EPIPE if it died before reporting.
 * The child is left running (or reaped on failure).
 */
static inline int xns_holder_start(struct xns_child *c,
				   const struct xns_holder_args *args,
				   struct xns_holder_report *rep)
{
	int ret;

	memset(rep, 0, sizeof(*rep));
	ret = xns_child_start(c, xns_holder_fn, (void *)args);
	if (ret)
		return ret;
	ret = xns_child_recv(c, rep, sizeof(*rep));
	if (!ret)
		ret = rep->err;
	if (ret)
		xns_child_stop(c);
	return ret;
}

/*
 * A lister: a helper that lists namespaces for a caller that cannot see
 * them itself.  Outside the initial user namespace listns() shows only
 * the caller's current namespaces, so a test that moves into a user
 * namespace of its own starts a lister first, as root of the initial
 * one, and asks it what exists.  It serves until its pipes are closed.
 */
static inline int xns_lister_fn(struct xns_child *c,
				__always_unused void *arg)
{
	struct xns_ids *l = malloc(sizeof(*l));
	__u32 ns_type;
	int err;

	if (!l)
		return 1;
	while (!xns_recv(c->ctl, &ns_type, sizeof(ns_type))) {
		err = xns_ids_list(ns_type, 0, l);
		if (xns_send(c->rep, &err, sizeof(err)) ||
		    xns_send(c->rep, l, sizeof(*l)))
			return 1;
	}
	free(l);
	return 0;
}

static inline int xns_lister_start(struct xns_child *c)
{
	return xns_child_start(c, xns_lister_fn, NULL);
}

/* xns_ids_list(@ns_type, 0, @l) as the lister @c sees it. */
static inline int xns_lister_list(struct xns_child *c, __u32 ns_type,
				  struct xns_ids *l)
{
	int ret, err = 0;

	l->nr = 0;
	ret = xns_send(c->ctl, &ns_type, sizeof(ns_type));
	if (!ret)
		ret = xns_recv(c->rep, &err, sizeof(err));
	if (!ret)
		ret = xns_recv(c->rep, l, sizeof(*l));
	return ret ? ret : err;
}

/*
 * Wait up to @timeout_ms until the lister @c no longer lists @id, of type
 * @ns_type.  Returns 0, -ETIMEDOUT or a listing error.
 */
static inline int xns_lister_wait_gone(struct xns_child *c, __u32 ns_type,
				       __u64 id, unsigned int timeout_ms)
{
	unsigned int waited = 0;
	struct xns_ids *l = malloc(sizeof(*l));
	int ret;

	if (!l)
		return -ENOMEM;
	for (;;) {
		ret = xns_lister_list(c, ns_type, l);
		if (ret || !xns_ids_has(l, id))
			break;
		if (waited >= timeout_ms) {
			ret = -ETIMEDOUT;
			break;
		}
		xns_msleep(10);
		waited += 10;
	}
	free(l);
	return ret;
}

#endif /* __XNS_UTIL_H */
