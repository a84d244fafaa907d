// SPDX-License-Identifier: GPL-2.0

//! The user space interface of xns, mirroring `include/uapi/linux/xns.h`.
//!
//! Names are those of the C header so that the two can be compared textually; the layouts are
//! checked at compile time.

#![allow(non_camel_case_types)]

use kernel::{
    ioctl::{
        _IOR,
        _IOW,
        _IOWR, //
    },
    transmute::{
        AsBytes,
        FromBytes, //
    }, //
};

/// Returned by `NS_GET_NSTYPE` and accepted by `setns()`.
pub(crate) const XNS_NS_TYPE: u32 = 0x40;

/// Namespaces nest at most this deep below the initial one.
pub(crate) const XNS_MAX_DEPTH: u32 = 32;

/// Size of a label key, including the terminating NUL.
pub(crate) const XNS_LABEL_KEY_MAX: usize = 64;
/// Size of a label value, including the terminating NUL.
pub(crate) const XNS_LABEL_VALUE_MAX: usize = 256;
/// Labels per namespace.
pub(crate) const XNS_LABELS_MAX: usize = 64;

/// One label (`struct xns_label`).
#[repr(C)]
#[derive(Clone, Copy)]
pub(crate) struct xns_label {
    /// NUL-terminated, 1 to `XNS_LABEL_KEY_MAX - 1` printable characters.
    pub(crate) key: [u8; XNS_LABEL_KEY_MAX],
    /// NUL-terminated, at most `XNS_LABEL_VALUE_MAX - 1` bytes.
    pub(crate) value: [u8; XNS_LABEL_VALUE_MAX],
}

/// The keys of all labels (`struct xns_label_list`).
#[repr(C)]
#[derive(Clone, Copy)]
pub(crate) struct xns_label_list {
    /// In: room in `keys`, in labels; out: number of labels.
    pub(crate) count: u32,
    /// Must be 0.
    pub(crate) reserved: u32,
    /// User pointer to `count` arrays of `XNS_LABEL_KEY_MAX` bytes.
    pub(crate) keys: u64,
}

/// The caller's namespace and module-wide counters (`struct xns_info`).
#[repr(C)]
#[derive(Clone, Copy)]
pub(crate) struct xns_info {
    /// Inode number, as in readlink of `/proc/self/ns/xns`.
    pub(crate) inum: u32,
    /// 0 for the initial namespace.
    pub(crate) depth: u32,
    /// Labels in the namespace.
    pub(crate) nr_labels: u32,
    /// Namespaces alive in the whole system, including the initial one.
    pub(crate) nr_live: u32,
    /// 64-bit namespace id, as `NS_GET_ID` returns.
    pub(crate) ns_id: u64,
}

const _: () = assert!(core::mem::size_of::<xns_label>() == 320);
const _: () = assert!(core::mem::align_of::<xns_label>() == 1);
const _: () = assert!(core::mem::size_of::<xns_label_list>() == 16);
const _: () = assert!(core::mem::align_of::<xns_label_list>() == 8);
const _: () = assert!(core::mem::offset_of!(xns_label_list, keys) == 8);
const _: () = assert!(core::mem::size_of::<xns_info>() == 24);
const _: () = assert!(core::mem::align_of::<xns_info>() == 8);
const _: () = assert!(core::mem::offset_of!(xns_info, ns_id) == 16);

// SAFETY: `xns_label` consists of byte arrays only, so every bit pattern is valid.
unsafe impl FromBytes for xns_label {}
// SAFETY: `xns_label` consists of byte arrays only, so it has no padding.
unsafe impl AsBytes for xns_label {}
// SAFETY: `xns_label_list` consists of integers only, so every bit pattern is valid.
unsafe impl FromBytes for xns_label_list {}
// SAFETY: `xns_label_list` has no padding: two `u32` fill the 8 bytes before the `u64` (checked
// above with `offset_of!`), and its size is exactly the sum of its fields.
unsafe impl AsBytes for xns_label_list {}
// SAFETY: `xns_info` consists of integers only, so every bit pattern is valid.
unsafe impl FromBytes for xns_info {}
// SAFETY: `xns_info` has no padding: four `u32` fill the 16 bytes before the `u64` (checked above
// with `offset_of!`), and its size is exactly the sum of its fields.
unsafe impl AsBytes for xns_info {}

/// The ioctl type of `/dev/xns`.
pub(crate) const XNS_IOC_MAGIC: u32 = 0xb8;

/// Set or replace a label.
pub(crate) const XNS_IOC_LABEL_SET: u32 = _IOW::<xns_label>(XNS_IOC_MAGIC, 1);
/// Look up a label by key and return its value.
pub(crate) const XNS_IOC_LABEL_GET: u32 = _IOWR::<xns_label>(XNS_IOC_MAGIC, 2);
/// Delete a label.
pub(crate) const XNS_IOC_LABEL_DEL: u32 = _IOW::<xns_label>(XNS_IOC_MAGIC, 3);
/// List the keys of all labels.
pub(crate) const XNS_IOC_LABEL_LIST: u32 = _IOWR::<xns_label_list>(XNS_IOC_MAGIC, 4);
/// Describe the caller's namespace.
pub(crate) const XNS_IOC_GET_INFO: u32 = _IOR::<xns_info>(XNS_IOC_MAGIC, 5);
