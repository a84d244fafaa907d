// SPDX-License-Identifier: GPL-2.0

//! Namespace types provided by modules.
//!
//! A module implements [`NamespaceType`] for the per-namespace data of its type, declares one
//! `static` [`NsExtType`] for it (its `struct proc_ns_operations` and its `struct ns_ext_type`
//! registry entry), and keeps a [`Registration`] alive while the type is in use. Namespaces of
//! the type are [`Namespace`]s, reference counted with [`ARef`] through their embedded
//! `struct ns_common`.
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
    mem::MaybeUninit,
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
        rcu, //
    },
    task::Task,
    types::Opaque,
    warn_on, //
};

/// A namespace type implemented by a module.
///
/// The implementing type is the per-namespace data; [`Namespace<Self>`] adds the common part.
/// The `get`, `put`, `install`, `owner`, `get_parent` and `create_child` operations of the
/// type's `struct proc_ns_operations` call the associated functions below.
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

    /// Returns the namespace of `task`, with a reference taken.
    ///
    /// Returns `None` if the task is exiting or the type is not registered.
    fn get(task: &Task) -> Option<ARef<Namespace<Self>>> {
        Self::ext_type().task_get(task)
    }

    /// Drops a reference to `ns` that the core kernel held.
    ///
    /// The namespace is freed with its last reference, see [`Namespace`]; per-namespace cleanup
    /// belongs in the [`Drop`] implementation of `Self`.
    fn put(ns: ARef<Namespace<Self>>) {
        drop(ns);
    }

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
    /// The parent is put after the namespace is freed, so a chain of ancestors kept alive only
    /// by their descendants is freed one namespace after the other, not recursively.
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
/// - `common` was set up with `__ns_common_init()` for `T::NS_TYPE` and the operations of
///   `T::ext_type()`, and `id` is its id from `__ns_tree_gen_id()`.
/// - The reference count of `common` (`__ns_ref`) counts all [`ARef`]s to the namespace and all
///   references held by the core kernel.
/// - The namespace lives in a [`KBox`] allocation. When the count drops to zero, `data` is dropped
///   and the inode number freed at once, and the allocation is freed after an RCU grace period.
/// - `ucounts` is null for an initial namespace; otherwise the namespace is counted against
///   `max_module_namespaces` through it, by `ns_ext_inc_ucount()`, until it is freed.
#[repr(C)]
#[pin_data]
pub(crate) struct Namespace<T: NamespaceType> {
    #[pin]
    common: Opaque<bindings::ns_common>,
    id: u64,
    ucounts: *mut bindings::ucounts,
    #[pin]
    data: T,
}

// SAFETY: A `Namespace<T>` may be dropped (freed with its last reference) on any thread, and its
// data is `Send`.
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
    /// `init` initialises the type's data, whose [`NamespaceType::owner`] must be `owner`, an
    /// inode number and an id are allocated, and the namespace joins the namespace trees, which
    /// make it visible to `listns()` and nsfs file handles whenever it is in use. If anything
    /// fails, whatever was done is undone. Fails with `ENOSPC` if a limit is reached and with
    /// `EINVAL` if `T` is not registered or the data has another owner.
    pub(crate) fn new(owner: &UserNamespace, init: impl PinInit<T, Error>) -> Result<ARef<Self>> {
        // SAFETY: `owner` is a valid user namespace.
        let ucounts = unsafe { bindings::ns_ext_inc_ucount(owner.as_ptr()) };
        if ucounts.is_null() {
            return Err(ENOSPC);
        }
        let ns = match Self::new_unlisted(init) {
            Ok(ns) if ptr::eq(T::owner(&ns), owner) => ns,
            result => {
                // SAFETY: `ucounts` came from `ns_ext_inc_ucount()` above and counts nothing else.
                unsafe { bindings::ns_ext_dec_ucount(ucounts) };
                return Err(match result {
                    Ok(_) => EINVAL,
                    Err(err) => err,
                });
            }
        };
        let ptr = ARef::into_raw(ns).as_ptr();
        // SAFETY: The namespace was just created and is not shared yet, so nothing else accesses
        // `ucounts`; `free` gives the count back.
        unsafe { (*ptr).ucounts = ucounts };
        // SAFETY: `ptr` came from `into_raw` above, whose reference is taken back.
        // INVARIANT: The namespace is counted through `ucounts`.
        let ns = unsafe { ARef::from_raw(NonNull::new_unchecked(ptr)) };
        // SAFETY: `ns` is a namespace of type `T` with an id, not yet in any tree. `free` removes
        // it from the trees before its RCU-deferred free.
        to_result(unsafe { bindings::ns_ext_tree_add(ns.as_common_ptr()) })?;
        Ok(ns)
    }

    /// Creates a namespace that is in no namespace tree, for the initial namespace, which
    /// `ns_ext_type_register()` adds to the trees.
    fn new_unlisted(init: impl PinInit<T, Error>) -> Result<ARef<Self>> {
        let ops = T::ext_type().ops_ptr();
        let ns = KBox::try_pin_init(
            try_pin_init!(Self {
                data <- init,
                common <- Opaque::try_ffi_init(move |slot: *mut bindings::ns_common| {
                    // SAFETY: `slot` is valid for writes of a `struct ns_common`.
                    unsafe { ptr::write_bytes(slot, 0, 1) };
                    // SAFETY: `slot` is a zeroed `struct ns_common` and `ops` points to the
                    // `static` operations table of `T`. On failure nothing was allocated.
                    to_result(unsafe { bindings::__ns_common_init(slot, T::NS_TYPE, ops, 0) })
                }),
                id: 0,
                ucounts: ptr::null_mut(),
            }),
            // Charged to the creator's memory cgroup, as UTS namespaces are (`SLAB_ACCOUNT`).
            GFP_KERNEL_ACCOUNT,
        )?;
        // SAFETY: The namespace is not moved out of its allocation: it is converted to a raw
        // pointer and only freed by `Self::free_rcu`.
        let ptr = KBox::into_raw(unsafe { Pin::into_inner_unchecked(ns) });
        // SAFETY: `ptr` is valid and not shared yet, and `common` was initialised above.
        // `__ns_tree_gen_id()` must be called before the reference count is used, as until then
        // the namespace counts as an initial one whose reference count is never changed.
        unsafe { (*ptr).id = bindings::__ns_tree_gen_id((*ptr).common.get(), 0) };
        // SAFETY: `ptr` is valid and non-null.
        // INVARIANT: `__ns_common_init()` set the reference count to one, which is owned by the
        // returned `ARef`, and `id` was just set.
        Ok(unsafe { ARef::from_raw(NonNull::new_unchecked(ptr)) })
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
        // SAFETY: `inum` is set by `__ns_common_init()` and never changed afterwards.
        unsafe { (*self.common.get()).inum }
    }

    /// Returns the 64-bit id of the namespace, as `NS_GET_ID` returns.
    #[inline]
    pub(crate) fn id(&self) -> u64 {
        self.id
    }

    /// Returns the current reference count; only meaningful when nobody else can change it.
    #[inline]
    pub(crate) fn refcount(&self) -> i32 {
        // SAFETY: `common` is initialised, by the type invariants.
        unsafe { bindings::__ns_ref_read(self.common.get()) }
    }

    /// Frees a namespace whose reference count dropped to zero, and then each ancestor whose
    /// last reference was held by the namespace freed before it.
    ///
    /// # Safety
    ///
    /// `ptr` must be a namespace whose reference count just dropped to zero.
    unsafe fn release(ptr: *mut Self) {
        // SAFETY: By the safety requirements, the count of `ptr` just dropped to zero.
        let mut parent = unsafe { Self::free(ptr) };
        while let Some(ns) = parent {
            let ptr = ARef::into_raw(ns).as_ptr();
            // SAFETY: The reference given up by `into_raw` is dropped here, so the count is
            // nonzero; if it drops to zero, the namespace is freed here, once.
            parent = if unsafe { bindings::__ns_ref_put((*ptr).common.get()) } {
                // SAFETY: The count just dropped to zero.
                unsafe { Self::free(ptr) }
            } else {
                None
            };
        }
    }

    /// Frees a namespace whose reference count dropped to zero, except for the reference to its
    /// parent that its data held ([`NamespaceType::take_parent`]), which is returned.
    ///
    /// # Safety
    ///
    /// `ptr` must be a namespace whose reference count just dropped to zero.
    unsafe fn free(ptr: *mut Self) -> Option<ARef<Self>> {
        // SAFETY: With the count at zero nothing else accesses the namespace, and the data is not
        // moved: it is only dropped in place below.
        let parent = T::take_parent(unsafe { Pin::new_unchecked(&mut (*ptr).data) });
        // SAFETY: `ptr` is valid: the count just dropped to zero, nothing freed it yet.
        let common = unsafe { Opaque::cast_into(&raw const (*ptr).common) };
        // SAFETY: `common` is initialised. Walkers of the trees may still see it until the grace
        // period that `free_rcu` waits for; `ns_rcu` shares storage with the tree nodes, so this
        // comes before `call_rcu()`. Nothing is done for a namespace that is in no tree.
        unsafe { bindings::ns_ext_tree_remove(common) };
        // SAFETY: With the count at zero nobody else can access the namespace, so the data can
        // be dropped; it is never used again, only the allocation is freed later.
        unsafe { ptr::drop_in_place(&raw mut (*ptr).data) };
        // SAFETY: `ptr` is valid; a non-null `ucounts` counts this namespace, once.
        let ucounts = unsafe { (*ptr).ucounts };
        if !ucounts.is_null() {
            // SAFETY: `ucounts` came from `ns_ext_inc_ucount()` and is given back only here.
            unsafe { bindings::ns_ext_dec_ucount(ucounts) };
        }
        // SAFETY: `common` was initialised by `__ns_common_init()` and its inode number is freed
        // only here, once.
        unsafe { bindings::__ns_common_free(common) };
        // SAFETY: `ns_rcu` is unused until now and `free_rcu` frees the allocation after a grace
        // period. The module waits for it in `Registration::drop` with `rcu_barrier()`.
        unsafe { bindings::call_rcu(&raw mut (*common).ns_rcu, Some(Self::free_rcu)) };
        parent
    }

    /// Frees the allocation of a namespace released by [`Self::free`].
    ///
    /// # Safety
    ///
    /// `head` must be the `ns_rcu` of a namespace passed to `call_rcu()` by [`Self::free`].
    unsafe extern "C" fn free_rcu(head: *mut bindings::callback_head) {
        // SAFETY: By the safety requirements, `head` is the `ns_rcu` field of a `ns_common`.
        let common = unsafe { container_of!(head, bindings::ns_common, ns_rcu) };
        // SAFETY: By the safety requirements, `common` is embedded in a `Namespace<T>`.
        let ns = unsafe { container_of!(Opaque::cast_from(common).cast_mut(), Self, common) };
        // SAFETY: The namespace was allocated as a `KBox<Self>` in `Self::new`. Its data has
        // already been dropped and `common` needs no drop, so it is freed as a
        // `KBox<MaybeUninit<Self>>`, which has the same layout and runs no destructor.
        drop(unsafe { KBox::from_raw(ns.cast::<MaybeUninit<Self>>()) });
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
// the namespace is freed exactly when it drops to zero.
unsafe impl<T: NamespaceType> AlwaysRefCounted for Namespace<T> {
    #[inline]
    fn inc_ref(&self) {
        // SAFETY: The existence of a shared reference means that the refcount is nonzero.
        unsafe { bindings::__ns_ref_inc(self.common.get()) };
    }

    #[inline]
    unsafe fn dec_ref(obj: NonNull<Self>) {
        let ptr = obj.as_ptr();
        // SAFETY: The safety requirements guarantee that the refcount is nonzero.
        if unsafe { bindings::__ns_ref_put((*ptr).common.get()) } {
            // SAFETY: The count just dropped to zero.
            unsafe { Self::release(ptr) };
        }
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
/// - `ops` is the operations table of `T`, with `module` set to the module implementing `T`.
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
    ///
    /// `module` must be the module implementing `T` (`THIS_MODULE`): the core pins it for each
    /// reference it holds on a namespace of the type.
    pub(crate) const fn new(module: &'static ThisModule) -> Self {
        Self {
            ops: bindings::proc_ns_operations {
                name: kernel::str::as_char_ptr_in_const_context(T::NAME),
                real_ns_name: ptr::null(),
                get: Some(Self::get_callback),
                put: Some(Self::put_callback),
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
                module: module.as_ptr(),
            },
            ext: Opaque::new(bindings::ns_ext_type {
                ops: ptr::null(),
                init_ns: ptr::null_mut(),
                slot: 0,
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
        // `Registration::drop` leaves `STATE_LIVE` before `ns_ext_type_unregister()`, which waits
        // for a grace period before the initial namespace is dropped.
        let _guard = rcu::read_lock();
        if !self.is_live() {
            return None;
        }
        // SAFETY: `task` is valid, and `self` is registered until the RCU read-side critical
        // section ends, so its slot and initial namespace are valid.
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
        match T::get(task) {
            Some(ns) => Namespace::into_common(ns),
            None => ptr::null_mut(),
        }
    }

    /// The `put` operation.
    ///
    /// # Safety
    ///
    /// `ns` must be a namespace of type `T` on which the caller owns a reference.
    unsafe extern "C" fn put_callback(ns: *mut bindings::ns_common) {
        // SAFETY: The caller passes a namespace of type `T`.
        let ns = unsafe { Namespace::<T>::from_common(ns) };
        // SAFETY: The caller owns a reference, which is handed over to `T::put`.
        T::put(unsafe { ARef::from_raw(NonNull::from(ns)) });
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

/// A registered namespace type, and its initial namespace.
///
/// Dropping it unregisters the type, drops the initial namespace and waits for the RCU-deferred
/// frees of the type's namespaces, after which the module may go away. As
/// `ns_ext_type_unregister()` requires, it must be dropped when the module exits (it belongs in
/// the module's data), when the references of the core kernel, which pin the module, are gone;
/// and it must outlive every other reference to a namespace of the type held by the module.
///
/// # Invariants
///
/// `T::ext_type()` is registered (`STATE_LIVE`) with `init_ns` as its initial namespace, and
/// `init_ns` is `Some` until `drop`.
pub(crate) struct Registration<T: NamespaceType> {
    init_ns: Option<ARef<Namespace<T>>>,
}

impl<T: NamespaceType> Registration<T> {
    /// Creates the initial namespace of `T` from `init` and registers the type.
    ///
    /// `module` must be the module given to [`NsExtType::new`] (`EINVAL` otherwise). Fails with
    /// `EBUSY` if the type is already registered, and with the errors of
    /// `ns_ext_type_register()`.
    pub(crate) fn new(init: impl PinInit<T, Error>, module: &'static ThisModule) -> Result<Self> {
        let ty = T::ext_type();
        if !ptr::eq(ty.ops.module, module.as_ptr()) {
            return Err(EINVAL);
        }
        let init_ns = Namespace::new_unlisted(init)?;
        if ty.state.cmpxchg(STATE_IDLE, STATE_BUSY, Full).is_err() {
            Self::discard(init_ns);
            return Err(EBUSY);
        }
        // SAFETY: The state moved to `STATE_BUSY`, so nobody else reads or writes `ext`.
        unsafe {
            ty.as_raw().write(bindings::ns_ext_type {
                ops: ty.ops_ptr(),
                init_ns: init_ns.as_common_ptr(),
                slot: 0,
            })
        };
        // SAFETY: `ext` is a complete `struct ns_ext_type` in a `static`. The initial namespace
        // stays alive until `drop` unregisters the type.
        if let Err(err) = to_result(unsafe { bindings::ns_ext_type_register(ty.as_raw()) }) {
            ty.state.store(STATE_IDLE, Release);
            Self::discard(init_ns);
            return Err(err);
        }
        // INVARIANT: The type was just registered with `init_ns`.
        ty.state.store(STATE_LIVE, Release);
        Ok(Self {
            init_ns: Some(init_ns),
        })
    }

    /// Drops a namespace that was never visible outside this module, and waits until it is freed.
    fn discard(ns: ARef<Namespace<T>>) {
        drop(ns);
        rcu::rcu_barrier();
    }
}

impl<T: NamespaceType> Drop for Registration<T> {
    fn drop(&mut self) {
        let ty = T::ext_type();
        ty.state.store(STATE_BUSY, Release);
        // SAFETY: By the type invariants, `ext` is registered.
        unsafe { bindings::ns_ext_type_unregister(ty.as_raw()) };
        ty.state.store(STATE_IDLE, Release);
        if let Some(init_ns) = self.init_ns.take() {
            // Every other reference pins the module, so only ours is left.
            warn_on!(init_ns.refcount() != 1);
            drop(init_ns);
        }
        // Namespaces freed so far may still wait for their grace period in `free_rcu`, which is
        // code of this module.
        rcu::rcu_barrier();
    }
}
