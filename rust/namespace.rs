// SPDX-License-Identifier: GPL-2.0

//! Namespace types provided by modules.
//!
//! A module implements [`NamespaceType`] for the per-namespace data of its type, declares one
//! `static` [`NsExtType`] for it (its `struct proc_ns_operations` and its `struct ns_ext_type`
//! registry entry), and keeps a [`Registration`] in its module data. Namespaces of the type are
//! [`Namespace`]s, reference counted with [`ARef`] through their embedded `struct ns_common`.
//!
//! The core kernel owns their lifetime: it counts the references, pins the module once per
//! namespace, and with the last reference calls back into the module only to drop the type's
//! data ([`Drop`] of the implementing type), then frees the memory itself.
//!
//! This file only depends on `kernel` and on [`UserNamespace`] from `user_namespace.rs`, so other
//! namespace types can reuse it (e.g. with `#[path]`), together with that file.
//!
//! C headers: [`include/linux/ns_common.h`](srctree/include/linux/ns_common.h),
//! [`include/linux/proc_ns.h`](srctree/include/linux/proc_ns.h) and
//! [`include/linux/nsproxy.h`](srctree/include/linux/nsproxy.h).

use crate::user_namespace::UserNamespace;
use core::{
    marker::PhantomData,
    ops::Deref,
    ptr::{
        self,
        NonNull, //
    },
};
use kernel::{
    bindings,
    container_of,
    error::{
        to_result,
        VTABLE_DEFAULT_ERROR, //
    },
    prelude::*,
    sync::{
        aref::{
            ARef,
            AlwaysRefCounted, //
        },
        atomic::{
            Acquire,
            Atomic,
            Full,
            Release, //
        },
    },
    task::Task,
    types::Opaque, //
};

/// A namespace type implemented by a module.
///
/// The implementing type is the per-namespace data; [`Namespace<Self>`] adds the common part.
/// The `install`, `owner`, `get_parent` and `create_child` operations of the type's
/// `struct proc_ns_operations` call the associated functions below; `get` and `put` are the
/// core's, the same for every type. `OwnerModule`, which `#[vtable]` sets to the module being
/// built, is the module the core pins for each namespace.
#[vtable]
pub(crate) trait NamespaceType: Sized + Send + Sync + 'static {
    /// Name of the `/proc/<pid>/ns` entry, unique among all namespace types.
    const NAME: &'static CStr;

    /// `ns_common::ns_type`, as returned by `NS_GET_NSTYPE` and accepted by `setns()`.
    ///
    /// Must not be 0, must fit in an `int` and must not overlap `CLONE_NS_ALL`.
    const NS_TYPE: u32;

    /// Returns the `static` description of this type.
    fn ext_type() -> &'static NsExtType<Self>;

    /// Moves the task doing `setns()` into `ns`, by recording it in `nsset`.
    ///
    /// The default requires `CAP_SYS_ADMIN` over both the owner of `ns` and the user namespace
    /// of the caller's new credentials, as for UTS namespaces.
    fn install(nsset: &NsSet, ns: &Namespace<Self>) -> Result {
        if !Self::owner(ns).capable_sys_admin() || !nsset.user_ns().capable_sys_admin() {
            return Err(EPERM);
        }
        nsset.install(ns)
    }

    /// Returns the user namespace owning `ns`.
    fn owner(ns: &Namespace<Self>) -> &UserNamespace;

    /// Returns the parent of `ns` for `NS_GET_PARENT`, with a reference taken.
    ///
    /// Optional: without it, `NS_GET_PARENT` fails with `EINVAL`.
    fn get_parent(_ns: &Namespace<Self>) -> Result<ARef<Namespace<Self>>> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Takes the reference the data of a namespace being freed holds to its parent, if any.
    ///
    /// The core puts the parent after the namespace is freed, so a chain of ancestors kept alive
    /// only by their descendants is freed one namespace after the other, not recursively.
    fn take_parent(self: Pin<&mut Self>) -> Option<ARef<Namespace<Self>>> {
        None
    }

    /// Creates a child of `parent` for the `NS_CREATE_CHILD` ioctl on an nsfs file of `parent`,
    /// owned by the caller's user namespace, after the type's permission and limit checks.
    ///
    /// The core returns an nsfs file of the new namespace; the caller enters it with `setns()`,
    /// which applies [`NamespaceType::install`]. Optional: without it, `NS_CREATE_CHILD` fails
    /// with `EOPNOTSUPP`.
    fn create_child(_parent: &Namespace<Self>) -> Result<ARef<Namespace<Self>>> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
}

/// A namespace of type `T`: a `struct ns_common` followed by the type's data.
///
/// # Invariants
///
/// - `common` is at the start of a `kmalloc()` allocation ([`KBox`]), as the core frees it with
///   `kfree_rcu()`, and was set up by `ns_ext_ns_init()` or `ns_ext_type_register()` for the
///   registration of `T::ext_type()`.
/// - The reference count of `common` (`__ns_ref`) counts all [`ARef`]s to the namespace and all
///   references held by the core kernel. When it drops to zero the core calls
///   [`NsExtType::release_callback`], which drops `data`, and frees the memory after an RCU grace
///   period.
/// - `ucounts` is null for an initial namespace; otherwise the namespace is counted against
///   `max_module_namespaces` through it, by `ns_ext_inc_ucount()`, until it is released.
#[repr(C)]
#[pin_data]
pub(crate) struct Namespace<T: NamespaceType> {
    // First: the core frees the allocation through a pointer to `common`.
    #[pin]
    common: Opaque<bindings::ns_common>,
    ucounts: *mut bindings::ucounts,
    #[pin]
    data: T,
}

// SAFETY: A `Namespace<T>` may be released (its data dropped) on any thread, and its data is
// `Send`.
unsafe impl<T: NamespaceType> Send for Namespace<T> {}

// SAFETY: Shared references only give access to the reference count and immutable fields of
// `common`, which the C side accesses atomically, and to `data`, which is `Sync`.
unsafe impl<T: NamespaceType> Sync for Namespace<T> {}

impl<T: NamespaceType> Namespace<T> {
    /// Creates a namespace of the registered type `T` owned by `owner`, with a reference count
    /// of one.
    ///
    /// First the namespace is counted against `max_module_namespaces` of `owner` and its
    /// ancestors for the caller's effective user id, as `clone_uts_ns()` counts first; then
    /// `init` initialises the type's data, whose [`NamespaceType::owner`] must be `owner`, the
    /// core gives the namespace an inode number and an id, and the namespace joins the namespace
    /// trees, which make it visible to `listns()` and nsfs file handles whenever it is in use. If
    /// anything fails, whatever was done is undone. Fails with `ENOSPC` if a limit is reached and
    /// with `EINVAL` if `T` is not registered or the data has another owner.
    pub(crate) fn new(owner: &UserNamespace, init: impl PinInit<T, Error>) -> Result<ARef<Self>> {
        // SAFETY: `owner` is a valid user namespace.
        let ucounts = unsafe { bindings::ns_ext_inc_ucount(owner.as_ptr()) };
        if ucounts.is_null() {
            return Err(ENOSPC);
        }
        let ns = match Self::alloc(init, ucounts) {
            Ok(ns) => ns,
            Err(err) => {
                // SAFETY: `ucounts` came from `ns_ext_inc_ucount()` above and counts nothing else.
                unsafe { bindings::ns_ext_dec_ucount(ucounts) };
                return Err(err);
            }
        };
        let ptr = KBox::into_raw(ns);
        // SAFETY: `ptr` is a namespace whose data is initialised and whose `common` is zeroed, in
        // a `kmalloc()` allocation with `common` at its start. On success the core owns it and
        // frees it with its last reference; on failure it did not touch it.
        let ret = unsafe { bindings::ns_ext_ns_init((*ptr).common.get(), T::ext_type().as_raw()) };
        if let Err(err) = to_result(ret) {
            // SAFETY: `ptr` came from `KBox::into_raw` above and nothing else owns it.
            drop(unsafe { KBox::from_raw(ptr) });
            // SAFETY: `ucounts` came from `ns_ext_inc_ucount()` above and counts nothing else.
            unsafe { bindings::ns_ext_dec_ucount(ucounts) };
            return Err(err);
        }
        // SAFETY: `ns_ext_ns_init()` set the reference count to one, which the `ARef` owns.
        // INVARIANT: `common` was just set up by `ns_ext_ns_init()`.
        let ns = unsafe { ARef::from_raw(NonNull::new_unchecked(ptr)) };
        if !ptr::eq(T::owner(&ns), owner) {
            return Err(EINVAL);
        }
        // SAFETY: `ns` is a namespace of type `T` with an id, not yet in any tree. The core
        // removes it from the trees when it frees it.
        to_result(unsafe { bindings::ns_ext_tree_add(ns.as_common_ptr()) })?;
        Ok(ns)
    }

    /// Allocates a namespace with a zeroed `common`, for `ns_ext_ns_init()` or
    /// `ns_ext_type_register()` to set up, and data from `init`.
    fn alloc(init: impl PinInit<T, Error>, ucounts: *mut bindings::ucounts) -> Result<KBox<Self>> {
        let ns = KBox::try_pin_init(
            try_pin_init!(Self {
                common: Opaque::zeroed(),
                ucounts,
                data <- init,
            }),
            // Charged to the creator's memory cgroup, as UTS namespaces are (`SLAB_ACCOUNT`).
            GFP_KERNEL_ACCOUNT,
        )?;
        // SAFETY: The namespace is not moved out of its allocation: the caller hands the raw
        // pointer to the core, which frees it in place, or drops the box.
        Ok(unsafe { Pin::into_inner_unchecked(ns) })
    }

    /// Returns the namespace embedding `common`.
    ///
    /// # Safety
    ///
    /// `common` must be the `ns_common` of a `Namespace<T>` that stays alive for `'a`.
    pub(crate) unsafe fn from_common<'a>(common: *const bindings::ns_common) -> &'a Self {
        // SAFETY: By the safety requirements, `common` is in bounds of a `Namespace<T>`.
        let ns = unsafe { container_of!(Opaque::cast_from(common).cast_mut(), Self, common) };
        // SAFETY: By the safety requirements, the namespace is alive for `'a`.
        unsafe { &*ns }
    }

    /// Returns a raw pointer to the embedded `struct ns_common`.
    #[inline]
    pub(crate) fn as_common_ptr(&self) -> *mut bindings::ns_common {
        self.common.get()
    }

    /// Turns a reference into the raw `struct ns_common` pointer that owns it, as the core's
    /// `get()` and `get_parent()` operations return.
    fn into_common(ns: ARef<Self>) -> *mut bindings::ns_common {
        let ns = ARef::into_raw(ns);
        // SAFETY: `ns` is valid: the reference now owned by the caller keeps it alive.
        unsafe { ns.as_ref() }.as_common_ptr()
    }

    /// Returns the inode number of the namespace.
    #[inline]
    pub(crate) fn inum(&self) -> u32 {
        // SAFETY: `inum` is set up by the core before the namespace is shared and never changed.
        unsafe { (*self.common.get()).inum }
    }

    /// Returns the 64-bit id of the namespace, as `NS_GET_ID` returns.
    #[inline]
    pub(crate) fn id(&self) -> u64 {
        // SAFETY: `common` is initialised; its id is set up by the core before the namespace is
        // shared and never changed.
        unsafe { bindings::ns_common_id(self.common.get()) }
    }
}

impl<T: NamespaceType> Deref for Namespace<T> {
    type Target = T;

    #[inline]
    fn deref(&self) -> &T {
        &self.data
    }
}

// SAFETY: By the type invariants, the reference count of `common` keeps the namespace alive, and
// the core releases the namespace exactly when it drops to zero.
unsafe impl<T: NamespaceType> AlwaysRefCounted for Namespace<T> {
    #[inline]
    fn inc_ref(&self) {
        // SAFETY: The existence of a shared reference means that the refcount is nonzero.
        unsafe { bindings::__ns_ref_inc(self.common.get()) };
    }

    #[inline]
    unsafe fn dec_ref(obj: NonNull<Self>) {
        // SAFETY: The safety requirements guarantee that the refcount is nonzero; the core frees
        // the namespace if it drops to zero.
        unsafe { bindings::ns_ext_ns_put((*obj.as_ptr()).common.get()) };
    }
}

/// The set of namespaces being prepared by `setns()` (`struct nsset`).
///
/// # Invariants
///
/// Instances only exist during the `install()` operation of a registered namespace type, for the
/// `nsset` passed to it, whose `nsproxy` and `cred` are valid.
#[repr(transparent)]
pub(crate) struct NsSet(Opaque<bindings::nsset>);

impl NsSet {
    /// Creates a reference to an [`NsSet`] from a valid pointer.
    ///
    /// # Safety
    ///
    /// `ptr` must be the `nsset` passed to a namespace type's `install()` operation, and the
    /// returned reference must not outlive that call.
    unsafe fn from_raw<'a>(ptr: *mut bindings::nsset) -> &'a Self {
        // SAFETY: The safety requirements guarantee the validity of the dereference, while the
        // `NsSet` type being transparent makes the cast ok.
        unsafe { &*ptr.cast() }
    }

    /// Returns the user namespace of the credentials the task will have after `setns()`.
    pub(crate) fn user_ns(&self) -> &UserNamespace {
        // SAFETY: By the type invariants, `cred` is valid, and so is its `user_ns`, to which it
        // holds a reference, for as long as `self`.
        unsafe { UserNamespace::from_ptr((*(*self.0.get()).cred).user_ns) }
    }

    /// Selects `ns` as the task's namespace of type `T`; the set takes its own reference.
    ///
    /// Fails with `EINVAL` if `T` is not registered.
    pub(crate) fn install<T: NamespaceType>(&self, ns: &Namespace<T>) -> Result {
        let ty = T::ext_type();
        if !ty.is_live() {
            return Err(EINVAL);
        }
        // SAFETY: By the type invariants `self` is a valid `nsset`, `T` is registered so its slot
        // is valid, and `ns` is a live namespace of type `T`.
        unsafe { bindings::nsset_ext_install(self.0.get(), ty.as_raw(), ns.as_common_ptr()) };
        Ok(())
    }
}

/// [`NsExtType::state`]: not registered.
const STATE_IDLE: u32 = 0;
/// [`NsExtType::state`]: being registered or unregistered by a [`Registration`].
const STATE_BUSY: u32 = 1;
/// [`NsExtType::state`]: registered.
const STATE_LIVE: u32 = 2;

/// The `static` description of namespace type `T`: its `struct proc_ns_operations` and its entry
/// in the core's registry of module namespace types (`struct ns_ext_type`).
///
/// Each type has exactly one, returned by [`NamespaceType::ext_type`], so that the operations
/// and the registry entry have a single stable address.
///
/// # Invariants
///
/// - `ops` is the operations table of `T`, with `module` set to `T::OwnerModule` and `put` to
///   the core's `ns_ext_ns_put()`.
/// - `ext` is only written by a [`Registration`] that moved `state` from `STATE_IDLE` to
///   `STATE_BUSY`, and by the core while registering it.
/// - While `state` is `STATE_LIVE`, `ext` is registered with `ns_ext_type_register()`: its `ops`
///   point to `ops`, its `init_ns` to a namespace of type `T` and its `slot` is valid.
pub(crate) struct NsExtType<T: NamespaceType> {
    ops: bindings::proc_ns_operations,
    ext: Opaque<bindings::ns_ext_type>,
    state: Atomic<u32>,
    _t: PhantomData<T>,
}

// SAFETY: `ops` is never changed, `ext` is only written while no other thread reads it (see the
// type invariants) and `state` is atomic.
unsafe impl<T: NamespaceType> Sync for NsExtType<T> {}

impl<T: NamespaceType> NsExtType<T> {
    /// Creates the description of `T`, for a `static` returned by [`NamespaceType::ext_type`].
    pub(crate) const fn new() -> Self {
        Self {
            ops: bindings::proc_ns_operations {
                name: kernel::str::as_char_ptr_in_const_context(T::NAME),
                real_ns_name: ptr::null(),
                get: Some(Self::get_callback),
                put: Some(bindings::ns_ext_ns_put),
                install: Some(Self::install_callback),
                owner: Some(Self::owner_callback),
                get_parent: if T::HAS_GET_PARENT {
                    Some(Self::get_parent_callback)
                } else {
                    None
                },
                create_child: if T::HAS_CREATE_CHILD {
                    Some(Self::create_child_callback)
                } else {
                    None
                },
                // The module the core pins for each namespace of the type.
                module: kernel::module::this_module::<T::OwnerModule>().as_ptr(),
            },
            ext: Opaque::new(bindings::ns_ext_type {
                ops: ptr::null(),
                init_ns: ptr::null_mut(),
                release: None,
                ns_type: 0,
                slot: 0,
                generation: 0,
            }),
            state: Atomic::new(STATE_IDLE),
            _t: PhantomData,
        }
    }

    fn ops_ptr(&self) -> *const bindings::proc_ns_operations {
        &self.ops
    }

    fn as_raw(&self) -> *mut bindings::ns_ext_type {
        self.ext.get()
    }

    /// Returns whether the type is registered.
    fn is_live(&self) -> bool {
        self.state.load(Acquire) == STATE_LIVE
    }

    /// Returns the namespace of `task`, with a reference taken.
    ///
    /// Returns `None` if the task is exiting or the type is not registered.
    pub(crate) fn task_get(&self, task: &Task) -> Option<ARef<Namespace<T>>> {
        // Not while a `Registration` writes `ext`.
        if !self.is_live() {
            return None;
        }
        // SAFETY: `task` is valid and `ext` is not written while `STATE_LIVE` lasts;
        // `ns_ext_task_get()` returns NULL unless `ext` is registered.
        let common = unsafe { bindings::ns_ext_task_get(task.as_ptr(), self.as_raw()) };
        let common = NonNull::new(common)?;
        // SAFETY: `ns_ext_task_get()` returns a namespace of this type with a reference taken,
        // which is now owned by the returned `ARef`.
        Some(unsafe { ARef::from_raw(NonNull::from(Namespace::<T>::from_common(common.as_ptr()))) })
    }

    /// The `get` operation.
    ///
    /// # Safety
    ///
    /// `task` must be a valid task.
    unsafe extern "C" fn get_callback(
        task: *mut bindings::task_struct,
    ) -> *mut bindings::ns_common {
        // SAFETY: The caller passes a valid task, which outlives this call, and `Task` is a
        // transparent wrapper of `struct task_struct`.
        let task = unsafe { &*task.cast::<Task>() };
        match T::ext_type().task_get(task) {
            Some(ns) => Namespace::into_common(ns),
            None => ptr::null_mut(),
        }
    }

    /// The `release` callback of the registry entry: drops the namespace's data when its last
    /// reference is gone, and returns the reference it held to its parent, for the core to put.
    ///
    /// # Safety
    ///
    /// `ns` must be a namespace of type `T` whose reference count just dropped to zero, passed
    /// once; the core frees its memory afterwards.
    unsafe extern "C" fn release_callback(
        ns: *mut bindings::ns_common,
    ) -> *mut bindings::ns_common {
        // SAFETY: By the safety requirements, `ns` is embedded in a `Namespace<T>`.
        let ptr = unsafe { container_of!(Opaque::cast_from(ns).cast_mut(), Namespace<T>, common) };
        // SAFETY: With the count at zero nothing else accesses the namespace, and the data is not
        // moved: it is only dropped in place below.
        let parent = T::take_parent(unsafe { Pin::new_unchecked(&mut (*ptr).data) });
        // SAFETY: `ptr` is valid until the core frees it, after this returns.
        let ucounts = unsafe { (*ptr).ucounts };
        // SAFETY: With the count at zero nobody else can access the namespace, so it can be
        // dropped in place; the core frees the memory and never drops it again.
        unsafe { ptr::drop_in_place(ptr) };
        // After the data: whatever the data counts (xns counts the namespaces alive) is given
        // back before the limit lets another namespace be created.
        if !ucounts.is_null() {
            // SAFETY: A non-null `ucounts` came from `ns_ext_inc_ucount()` for this namespace and
            // is given back only here.
            unsafe { bindings::ns_ext_dec_ucount(ucounts) };
        }
        parent.map_or(ptr::null_mut(), Namespace::into_common)
    }

    /// The `install` operation.
    ///
    /// # Safety
    ///
    /// `nsset` must be the set being prepared by `setns()` and `ns` a namespace of type `T` on
    /// which the caller holds a reference for the duration of the call.
    unsafe extern "C" fn install_callback(
        nsset: *mut bindings::nsset,
        ns: *mut bindings::ns_common,
    ) -> c_int {
        // SAFETY: The caller passes the `nsset` of `setns()`, only used during this call.
        let nsset = unsafe { NsSet::from_raw(nsset) };
        // SAFETY: The caller passes a namespace of type `T` that stays alive during this call.
        let ns = unsafe { Namespace::<T>::from_common(ns) };
        match T::install(nsset, ns) {
            Ok(()) => 0,
            Err(err) => err.to_errno(),
        }
    }

    /// The `owner` operation.
    ///
    /// # Safety
    ///
    /// `ns` must be a namespace of type `T` on which the caller holds a reference.
    unsafe extern "C" fn owner_callback(
        ns: *mut bindings::ns_common,
    ) -> *mut bindings::user_namespace {
        // SAFETY: The caller passes a namespace of type `T` that stays alive during this call.
        let ns = unsafe { Namespace::<T>::from_common(ns) };
        T::owner(ns).as_ptr()
    }

    /// The `create_child` operation.
    ///
    /// # Safety
    ///
    /// `ns` must be a namespace of type `T` on which the caller holds a reference.
    unsafe extern "C" fn create_child_callback(
        ns: *mut bindings::ns_common,
    ) -> *mut bindings::ns_common {
        // SAFETY: The caller passes a namespace of type `T` that stays alive during this call.
        let ns = unsafe { Namespace::<T>::from_common(ns) };
        match T::create_child(ns) {
            Ok(child) => Namespace::into_common(child),
            Err(err) => err.to_ptr(),
        }
    }

    /// The `get_parent` operation.
    ///
    /// # Safety
    ///
    /// `ns` must be a namespace of type `T` on which the caller holds a reference.
    unsafe extern "C" fn get_parent_callback(
        ns: *mut bindings::ns_common,
    ) -> *mut bindings::ns_common {
        // SAFETY: The caller passes a namespace of type `T` that stays alive during this call.
        let ns = unsafe { Namespace::<T>::from_common(ns) };
        match T::get_parent(ns) {
            Ok(parent) => Namespace::into_common(parent),
            Err(err) => err.to_ptr(),
        }
    }
}

/// A registered namespace type.
///
/// It belongs in the module's data, so that the type is registered for as long as the module
/// is initialised. Dropping it unregisters the type and drops the registration's reference to
/// the initial namespace. Dropping it earlier is safe: namespaces of the type that are still
/// referenced keep the type's slot in the core, and the module, until they are freed, and the
/// type can be registered again once they are gone.
///
/// # Invariants
///
/// `T::ext_type()` is registered (`STATE_LIVE`) until `drop`.
pub(crate) struct Registration<T: NamespaceType> {
    _t: PhantomData<T>,
}

impl<T: NamespaceType> Registration<T> {
    /// Creates the initial namespace of `T` from `init` and registers the type.
    ///
    /// Fails with `EBUSY` if the type is already registered, and with the errors of
    /// `ns_ext_type_register()`.
    pub(crate) fn new(init: impl PinInit<T, Error>) -> Result<Self> {
        let ty = T::ext_type();
        let init_ns = KBox::into_raw(Namespace::alloc(init, ptr::null_mut())?);
        if ty.state.cmpxchg(STATE_IDLE, STATE_BUSY, Full).is_err() {
            // SAFETY: `init_ns` came from `KBox::into_raw` above and was never shared.
            drop(unsafe { KBox::from_raw(init_ns) });
            return Err(EBUSY);
        }
        // SAFETY: The state moved to `STATE_BUSY`, so nobody else reads or writes `ext`.
        unsafe {
            ty.as_raw().write(bindings::ns_ext_type {
                ops: ty.ops_ptr(),
                // SAFETY: `init_ns` is valid.
                init_ns: (*init_ns).as_common_ptr(),
                release: Some(NsExtType::<T>::release_callback),
                ns_type: T::NS_TYPE,
                slot: 0,
                generation: 0,
            })
        };
        // SAFETY: `ext` is a complete `struct ns_ext_type` in a `static`, and `init_ns` a
        // namespace whose data is set up and whose `common` is zeroed, at the start of a
        // `kmalloc()` allocation. On success the core owns the initial namespace and frees it
        // with its last reference, after `drop` unregisters the type.
        if let Err(err) = to_result(unsafe { bindings::ns_ext_type_register(ty.as_raw()) }) {
            ty.state.store(STATE_IDLE, Release);
            // SAFETY: On failure the core did not keep `init_ns`, which came from `into_raw`.
            drop(unsafe { KBox::from_raw(init_ns) });
            return Err(err);
        }
        // INVARIANT: The type was just registered.
        ty.state.store(STATE_LIVE, Release);
        Ok(Self { _t: PhantomData })
    }
}

impl<T: NamespaceType> Drop for Registration<T> {
    fn drop(&mut self) {
        let ty = T::ext_type();
        ty.state.store(STATE_BUSY, Release);
        // SAFETY: By the type invariants, `ext` is registered.
        unsafe { bindings::ns_ext_type_unregister(ty.as_raw()) };
        ty.state.store(STATE_IDLE, Release);
    }
}
