// SPDX-License-Identifier: GPL-2.0

//! `/dev/xns`: the ioctls of `include/uapi/linux/xns.h`.
//!
//! Every ioctl acts on the caller's current xns namespace. A failed call changes nothing.

use crate::{
    uapi::{
        xns_info,
        xns_label,
        xns_label_list,
        XNS_IOC_GET_INFO,
        XNS_IOC_LABEL_DEL,
        XNS_IOC_LABEL_GET,
        XNS_IOC_LABEL_LIST,
        XNS_IOC_LABEL_SET,
        XNS_LABEL_KEY_MAX, //
    },
    xns_ns::{
        LabelKey,
        LabelValue,
        Xns, //
    }, //
};
use kernel::{
    fs::File,
    miscdevice::{
        MiscDevice,
        MiscDeviceRegistration, //
    },
    prelude::*,
    uaccess::UserSlice, //
};

/// The `/dev/xns` misc device; open files carry no state.
pub(crate) struct XnsDevice;

#[vtable]
impl MiscDevice for XnsDevice {
    type Ptr = ();

    fn open(_file: &File, _misc: &MiscDeviceRegistration<Self>) -> Result {
        Ok(())
    }

    fn ioctl(_device: (), _file: &File, cmd: u32, arg: usize) -> Result<isize> {
        let arg = UserPtr::from_addr(arg);
        match cmd {
            XNS_IOC_LABEL_SET => label_set(arg)?,
            XNS_IOC_LABEL_GET => label_get(arg)?,
            XNS_IOC_LABEL_DEL => label_del(arg)?,
            XNS_IOC_LABEL_LIST => label_list(arg)?,
            XNS_IOC_GET_INFO => get_info(arg)?,
            _ => return Err(ENOTTY),
        }
        Ok(0)
    }
}

/// Reads a `T` from user memory at `arg`.
fn read_arg<T: kernel::transmute::FromBytes>(arg: UserPtr) -> Result<T> {
    UserSlice::new(arg, size_of::<T>()).reader().read::<T>()
}

/// Writes `value` to user memory at `arg`.
fn write_arg<T: kernel::transmute::AsBytes>(arg: UserPtr, value: &T) -> Result {
    UserSlice::new(arg, size_of::<T>()).writer().write(value)
}

/// `XNS_IOC_LABEL_SET`: set or replace a label.
fn label_set(arg: UserPtr) -> Result {
    let ns = Xns::current()?;
    ns.may_write()?;
    let label = read_arg::<xns_label>(arg)?;
    let key = LabelKey::parse(&label.key)?;
    let value = LabelValue::parse(&label.value)?;
    ns.label_set(&key, &value)
}

/// `XNS_IOC_LABEL_GET`: look up a label and return its value.
fn label_get(arg: UserPtr) -> Result {
    let ns = Xns::current()?;
    let label = read_arg::<xns_label>(arg)?;
    let key = LabelKey::parse(&label.key)?;
    let value = ns.label_get(&key)?;
    let label = xns_label {
        key: *key.as_bytes(),
        value: *value.as_bytes(),
    };
    write_arg(arg, &label)
}

/// `XNS_IOC_LABEL_DEL`: delete a label; its value is ignored.
fn label_del(arg: UserPtr) -> Result {
    let ns = Xns::current()?;
    ns.may_write()?;
    let label = read_arg::<xns_label>(arg)?;
    let key = LabelKey::parse(&label.key)?;
    ns.label_del(&key)
}

/// `XNS_IOC_LABEL_LIST`: list the keys, or report their number with `EOVERFLOW`.
fn label_list(arg: UserPtr) -> Result {
    let ns = Xns::current()?;
    let mut list = read_arg::<xns_label_list>(arg)?;
    if list.reserved != 0 {
        return Err(EINVAL);
    }
    let room = usize::try_from(list.count).unwrap_or(usize::MAX);
    let mut keys = KVec::new();
    let nr_labels = ns.label_keys(room, &mut keys)?;
    let count = u32::try_from(nr_labels).map_err(|_| EOVERFLOW)?;
    if nr_labels > room {
        list.count = count;
        write_arg(arg, &list)?;
        return Err(EOVERFLOW);
    }
    if !keys.is_empty() {
        let keys_ptr = usize::try_from(list.keys).map_err(|_| EFAULT)?;
        let len = nr_labels.checked_mul(XNS_LABEL_KEY_MAX).ok_or(EOVERFLOW)?;
        UserSlice::new(UserPtr::from_addr(keys_ptr), len)
            .writer()
            .write_slice(&keys)?;
    }
    list.count = count;
    write_arg(arg, &list)
}

/// `XNS_IOC_GET_INFO`: describe the caller's namespace.
fn get_info(arg: UserPtr) -> Result {
    let ns = Xns::current()?;
    let info = xns_info {
        inum: ns.inum(),
        depth: ns.depth(),
        nr_labels: u32::try_from(ns.nr_labels()).map_err(|_| EOVERFLOW)?,
        nr_live: ns.nr_live(),
        ns_id: ns.id(),
    };
    write_arg(arg, &info)
}
