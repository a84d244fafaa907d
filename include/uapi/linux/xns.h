/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * xns: an experimental namespace type provided by a module.
 *
 * Every task is in exactly one xns namespace, shown as /proc/<pid>/ns/xns
 * ("xns:[inum]").  Each namespace holds a table of labels (key -> value),
 * isolated the way the IPC namespace isolates SysV IPC ids.
 *
 * A new child of a namespace is created with the nsfs ioctl
 * NS_CREATE_CHILD (<linux/nsfs.h>) on a file of it, e.g. opened from
 * /proc/self/ns/xns: it returns a file of the child (O_CLOEXEC), which
 * holds it.  It needs CAP_SYS_ADMIN in the caller's user namespace, which
 * owns the child (else EPERM), and fails with ENOSPC if the child would be
 * deeper than XNS_MAX_DEPTH or over the per-user limit of namespaces of
 * all registered types, /proc/sys/user/max_module_namespaces of the
 * caller's user namespace or an ancestor (as max_uts_namespaces limits
 * UTS namespaces).  Namespaces are inherited on fork and entered with
 * setns(fd, 0) or setns(fd, XNS_NS_TYPE), also through a pidfd, which
 * needs CAP_SYS_ADMIN over the namespace's owner and over the caller's
 * user namespace.
 */
#ifndef _UAPI_LINUX_XNS_H
#define _UAPI_LINUX_XNS_H

#include <linux/ioctl.h>
#include <linux/types.h>

/*
 * Returned by NS_GET_NSTYPE and accepted by setns().  It lies in the
 * CSIGNAL bits of the clone flags, which no CLONE_NEW* flag uses apart
 * from CLONE_NEWTIME (0x80), so it can never be mistaken for one.
 */
#define XNS_NS_TYPE		0x00000040

/* Namespaces nest at most this deep below the initial one. */
#define XNS_MAX_DEPTH		32

/* Sizes include the terminating NUL. */
#define XNS_LABEL_KEY_MAX	64
#define XNS_LABEL_VALUE_MAX	256
/* Labels per namespace. */
#define XNS_LABELS_MAX		64

/**
 * struct xns_label - one label
 * @key: NUL-terminated, 1 to XNS_LABEL_KEY_MAX - 1 printable characters
 * @value: NUL-terminated, at most XNS_LABEL_VALUE_MAX - 1 bytes
 */
struct xns_label {
	char key[XNS_LABEL_KEY_MAX];
	char value[XNS_LABEL_VALUE_MAX];
};

/**
 * struct xns_label_list - the keys of all labels
 * @count: in: room in @keys, in labels; out: number of labels
 * @reserved: must be 0
 * @keys: user pointer to @count arrays of XNS_LABEL_KEY_MAX bytes
 */
struct xns_label_list {
	__u32 count;
	__u32 reserved;
	__aligned_u64 keys;
};

/**
 * struct xns_info - the caller's namespace and module-wide counters
 * @inum: inode number, as in readlink of /proc/self/ns/xns
 * @depth: 0 for the initial namespace
 * @nr_labels: labels in the namespace
 * @nr_live: namespaces alive in the whole system, including the initial one
 * @ns_id: 64-bit namespace id, as NS_GET_ID returns
 */
struct xns_info {
	__u32 inum;
	__u32 depth;
	__u32 nr_labels;
	__u32 nr_live;
	__aligned_u64 ns_id;
};

#define XNS_IOC_MAGIC		0xb8

/*
 * Errors common to all: ENOTTY unknown command, EFAULT bad pointer,
 * EINVAL malformed argument (key empty, not printable or not terminated,
 * value not terminated, reserved field not 0).  Command number 0 is
 * retired: it fails with ENOTTY.
 */

/* Set or replace a label.  EPERM without CAP_SYS_ADMIN over the owning
 * user namespace of the caller's xns, ENOSPC at XNS_LABELS_MAX.
 */
#define XNS_IOC_LABEL_SET	_IOW(XNS_IOC_MAGIC, 1, struct xns_label)
/* Look up @key, fill @value.  ENOENT if there is no such label. */
#define XNS_IOC_LABEL_GET	_IOWR(XNS_IOC_MAGIC, 2, struct xns_label)
/* Delete the label @key (@value is ignored).  ENOENT, EPERM as above. */
#define XNS_IOC_LABEL_DEL	_IOW(XNS_IOC_MAGIC, 3, struct xns_label)
/* List keys.  EOVERFLOW, with @count set, if @keys has too little room. */
#define XNS_IOC_LABEL_LIST	_IOWR(XNS_IOC_MAGIC, 4, struct xns_label_list)
#define XNS_IOC_GET_INFO	_IOR(XNS_IOC_MAGIC, 5, struct xns_info)

#endif /* _UAPI_LINUX_XNS_H */
