/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * rust_ns_counter: a sample namespace type provided by a module, written
 * against the namespace abstractions of xns.
 *
 * Every task is in exactly one "counter" namespace, shown as
 * /proc/<pid>/ns/counter ("counter:[inum]").  Each namespace holds a
 * 64-bit value, 0 when the namespace is created.  Namespaces do not nest
 * (NS_GET_PARENT fails with EINVAL) and are owned by the user namespace of
 * their creator.
 *
 * A new namespace is created with the nsfs ioctl NS_CREATE_CHILD
 * (<linux/nsfs.h>) on a file of any counter namespace, e.g. opened from
 * /proc/self/ns/counter; it needs CAP_SYS_ADMIN in the caller's user
 * namespace (else EPERM), fails with ENOSPC over the per-user limit
 * /proc/sys/user/max_module_namespaces, shared with xns and any other
 * registered type, and returns a file of the new namespace (O_CLOEXEC),
 * which holds it.  The new namespace does not refer to the one the ioctl
 * was called on.  Namespaces are inherited on fork and entered with
 * setns(fd, 0) or setns(fd, NS_COUNTER_NS_TYPE), which needs
 * CAP_SYS_ADMIN over the namespace's owner and over the caller's user
 * namespace.
 */
#ifndef _UAPI_NS_COUNTER_H
#define _UAPI_NS_COUNTER_H

#include <linux/ioctl.h>
#include <linux/types.h>

/*
 * Returned by NS_GET_NSTYPE and accepted by setns().  Like XNS_NS_TYPE
 * (0x40), it lies in the CSIGNAL bits of the clone flags, which no
 * CLONE_NEW* flag uses apart from CLONE_NEWTIME (0x80).
 */
#define NS_COUNTER_NS_TYPE	0x00000020

/**
 * struct ns_counter_info - the caller's counter namespace
 * @value: the value, incremented by NS_COUNTER_IOC_INC
 * @ns_id: 64-bit namespace id, as NS_GET_ID returns
 * @inum: inode number, as in readlink of /proc/self/ns/counter
 * @pad: always 0
 */
struct ns_counter_info {
	__aligned_u64 value;
	__aligned_u64 ns_id;
	__u32 inum;
	__u32 pad;
};

#define NS_COUNTER_IOC_MAGIC	0xb9

/*
 * All ioctls act on the caller's counter namespace.  ENOTTY unknown
 * command (number 0 is retired), EFAULT bad pointer.
 */

/* Describe the caller's namespace. */
#define NS_COUNTER_IOC_GET	_IOR(NS_COUNTER_IOC_MAGIC, 1, struct ns_counter_info)
/* Add 1 to the value (wrapping at 2^64); open to every member. */
#define NS_COUNTER_IOC_INC	_IO(NS_COUNTER_IOC_MAGIC, 2)

#endif /* _UAPI_NS_COUNTER_H */
