// SPDX-License-Identifier: GPL-2.0

//! A sample namespace type provided by a module: `counter`.
//!
//! Every task is in exactly one counter namespace, shown as `/proc/<pid>/ns/counter`. Each
//! namespace holds a 64-bit value, 0 when it is created, that its members increment. Namespaces
//! are created with the `NS_CREATE_CHILD` ioctl on an nsfs file of a counter namespace, inherited
//! on fork and entered with `setns()`. See `ns_counter.h`.
//!
//! The type is written only against the namespace abstractions of xns, `rust/namespace.rs` and
//! `rust/user_namespace.rs`, which are compiled into this module as they are. It can be loaded
//! and unloaded independently of xns.

use kernel::{
    fs::File,
    miscdevice::{
        MiscDevice,
        MiscDeviceOptions,
        MiscDeviceRegistration, //
    },
    prelude::*,
    sync::{
        aref::ARef,
        atomic::{
            Atomic,
            Relaxed, //
        }, //
    },
    uaccess::UserSlice, //
};

#[path = "../../rust/namespace.rs"]
mod namespace;
#[path = "../../rust/user_namespace.rs"]
mod user_namespace;

use namespace::{
    Namespace,
    NamespaceType,
    NsExtType,
    Registration, //
};
use uapi::{
    ns_counter_info,
    NS_COUNTER_IOC_GET,
    NS_COUNTER_IOC_INC,
    NS_COUNTER_NS_TYPE, //
};
use user_namespace::UserNamespace;

module! {
    type: NsCounterModule,
    name: "rust_ns_counter",
    authors: ["xns developers"],
    description: "Sample namespace type provided by a module: a value per namespace",
    license: "GPL",
}

/// The user space interface, mirroring `ns_counter.h` with the names of the C header; the
/// layout is checked at compile time.
#[allow(non_camel_case_types)]
mod uapi {
    use kernel::{
        ioctl::{
            _IO,
            _IOR, //
        },
        transmute::{
            AsBytes,
            FromBytes, //
        }, //
    };

    /// Returned by `NS_GET_NSTYPE` and accepted by `setns()`.
    pub(crate) const NS_COUNTER_NS_TYPE: u32 = 0x20;

    /// The caller's counter namespace (`struct ns_counter_info`).
    #[repr(C)]
    #[derive(Clone, Copy)]
    pub(crate) struct ns_counter_info {
        /// The value.
        pub(crate) value: u64,
        /// 64-bit namespace id, as `NS_GET_ID` returns.
        pub(crate) ns_id: u64,
        /// Inode number, as in readlink of `/proc/self/ns/counter`.
        pub(crate) inum: u32,
        /// Always 0.
        pub(crate) pad: u32,
    }

    const _: () = assert!(core::mem::size_of::<ns_counter_info>() == 24);
    const _: () = assert!(core::mem::align_of::<ns_counter_info>() == 8);
    const _: () = assert!(core::mem::offset_of!(ns_counter_info, inum) == 16);

    // SAFETY: `ns_counter_info` consists of integers only, so every bit pattern is valid.
    unsafe impl FromBytes for ns_counter_info {}
    // SAFETY: `ns_counter_info` has no padding: two `u64` are followed by two `u32` that fill the
    // last 8 bytes (checked above with `offset_of!` and `size_of`).
    unsafe impl AsBytes for ns_counter_info {}

    /// The ioctl type of `/dev/ns_counter`.
    pub(crate) const NS_COUNTER_IOC_MAGIC: u32 = 0xb9;

    /// Describe the caller's namespace.
    pub(crate) const NS_COUNTER_IOC_GET: u32 = _IOR::<ns_counter_info>(NS_COUNTER_IOC_MAGIC, 1);
    /// Add 1 to the value of the caller's namespace.
    pub(crate) const NS_COUNTER_IOC_INC: u32 = _IO(NS_COUNTER_IOC_MAGIC, 2);
}

/// The description of the counter type.
static COUNTER_TYPE: NsExtType<Counter> = NsExtType::new();

/// The data of a counter namespace.
///
/// Namespaces do not nest: a new one refers to nothing but its owner, so each namespace is kept
/// alive only by its members and its nsfs files.
struct Counter {
    /// The owning user namespace.
    owner: ARef<UserNamespace>,
    /// The value, wrapping at `u64::MAX`.
    value: Atomic<u64>,
}

impl Counter {
    /// Returns the data of a namespace owned by `owner`, with a value of 0, as an initialiser
    /// for [`Namespace::new`] and [`Registration::new`] (it cannot fail).
    fn new(owner: ARef<UserNamespace>) -> Result<Self> {
        Ok(Self {
            owner,
            value: Atomic::new(0),
        })
    }

    /// Returns the counter namespace of the current task, with a reference taken.
    fn current() -> Result<ARef<Namespace<Self>>> {
        COUNTER_TYPE.task_get(current!()).ok_or(ENODEV)
    }
}

// The operations of the type. The core calls them through the `struct proc_ns_operations` in
// `COUNTER_TYPE`; `#[vtable]` records which of the optional ones are provided.
#[vtable]
impl NamespaceType for Counter {
    const NAME: &'static CStr = c"counter";
    const NS_TYPE: u32 = NS_COUNTER_NS_TYPE;

    fn ext_type() -> &'static NsExtType<Self> {
        &COUNTER_TYPE
    }

    // `install` is the default: `CAP_SYS_ADMIN` over the target's owner and over the user
    // namespace of the caller's credentials. `get_parent` is not provided: `NS_GET_PARENT` fails
    // with `EINVAL`, as for UTS namespaces.

    fn owner(ns: &Namespace<Self>) -> &UserNamespace {
        &ns.owner
    }

    /// A new namespace (`NS_CREATE_CHILD`) owned by the caller's user namespace, where the caller
    /// needs `CAP_SYS_ADMIN` (`EPERM`), as for `unshare(CLONE_NEWUTS)`. Namespaces do not nest,
    /// so `_parent` only says which type to create.
    fn create_child(_parent: &Namespace<Self>) -> Result<ARef<Namespace<Self>>> {
        let owner = UserNamespace::current();
        if !owner.capable_sys_admin() {
            return Err(EPERM);
        }
        // Counted against `max_module_namespaces` of `owner` (`ENOSPC`); the data keeps its own
        // reference to `owner`, which must be the one given here.
        Namespace::new(&owner.clone(), Self::new(owner))
    }
}

/// The `/dev/ns_counter` misc device; open files carry no state.
struct CounterDevice;

#[vtable]
impl MiscDevice for CounterDevice {
    type Ptr = ();

    fn open(_file: &File, _misc: &MiscDeviceRegistration<Self>) -> Result {
        Ok(())
    }

    fn ioctl(_device: (), _file: &File, cmd: u32, arg: usize) -> Result<isize> {
        match cmd {
            NS_COUNTER_IOC_GET => get(UserPtr::from_addr(arg))?,
            NS_COUNTER_IOC_INC => {
                Counter::current()?.value.add(1, Relaxed);
            }
            _ => return Err(ENOTTY),
        }
        Ok(0)
    }
}

/// `NS_COUNTER_IOC_GET`: describe the caller's namespace.
fn get(arg: UserPtr) -> Result {
    let ns = Counter::current()?;
    let info = ns_counter_info {
        value: ns.value.load(Relaxed),
        ns_id: ns.id(),
        inum: ns.inum(),
        pad: 0,
    };
    UserSlice::new(arg, size_of::<ns_counter_info>())
        .writer()
        .write(&info)
}

/// The module: the counter namespace type and `/dev/ns_counter`.
///
/// Fields are dropped in declaration order: the device goes first, then the type is
/// unregistered, which frees its initial namespace.
#[pin_data]
struct NsCounterModule {
    #[pin]
    _device: MiscDeviceRegistration<CounterDevice>,
    _registration: Registration<Counter>,
}

impl kernel::InPlaceModule for NsCounterModule {
    fn init(_module: &'static ThisModule) -> impl PinInit<Self, Error> {
        let init_owner = ARef::from(UserNamespace::init());
        // The type is registered last: from then on every task sees it in `/proc/<pid>/ns` and
        // can use it, so all it needs exists first, and a failing init never takes back a type
        // that was in use.
        try_pin_init!(Self {
            _device <- MiscDeviceRegistration::register(MiscDeviceOptions {
                name: c"ns_counter",
                // The default node mode, 0600 (`/dev/xns` is 0666).
                mode: 0,
            }),
            _registration: Registration::new(Counter::new(init_owner))?,
        })
    }
}
