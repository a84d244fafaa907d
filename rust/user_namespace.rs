// SPDX-License-Identifier: GPL-2.0

//! User namespaces.
//!
//! C header: [`include/linux/user_namespace.h`](srctree/include/linux/user_namespace.h)

use core::ptr::{
    self,
    NonNull, //
};
use kernel::{
    bindings,
    sync::aref::{
        ARef,
        AlwaysRefCounted, //
    },
    types::Opaque, //
};

/// Wraps the kernel's `struct user_namespace`.
///
/// # Invariants
///
/// Instances of this type are always reference-counted: a call to `get_user_ns()` ensures that
/// the allocation remains valid at least until the matching call to `put_user_ns()`.
#[repr(transparent)]
pub(crate) struct UserNamespace(Opaque<bindings::user_namespace>);

// SAFETY:
// - `UserNamespace::dec_ref` can be called from any thread: `put_user_ns()` defers the freeing to
//   a work item.
// - It is okay to send ownership of `UserNamespace` across thread boundaries.
unsafe impl Send for UserNamespace {}

// SAFETY: It's OK to access `UserNamespace` through shared references from other threads because
// the only operations on it are the reference count and capability checks, which are properly
// synchronised by C code.
unsafe impl Sync for UserNamespace {}

impl UserNamespace {
    /// Creates a reference to a [`UserNamespace`] from a valid pointer.
    ///
    /// # Safety
    ///
    /// The caller must ensure that `ptr` is valid and remains valid for the lifetime of the
    /// returned [`UserNamespace`] reference.
    #[inline]
    pub(crate) unsafe fn from_ptr<'a>(ptr: *const bindings::user_namespace) -> &'a Self {
        // SAFETY: The safety requirements guarantee the validity of the dereference, while the
        // `UserNamespace` type being transparent makes the cast ok.
        unsafe { &*ptr.cast() }
    }

    /// Returns a raw pointer to the inner C struct.
    #[inline]
    pub(crate) fn as_ptr(&self) -> *mut bindings::user_namespace {
        self.0.get()
    }

    /// Returns the initial user namespace, `init_user_ns`.
    #[inline]
    pub(crate) fn init() -> &'static Self {
        // SAFETY: `init_user_ns` is a static object that is never freed.
        unsafe { Self::from_ptr(&raw const bindings::init_user_ns) }
    }

    /// Returns the user namespace of the current task's subjective credentials, with a
    /// reference taken.
    #[inline]
    pub(crate) fn current() -> ARef<Self> {
        // SAFETY: `current_user_ns()` is always valid while the current task runs, as its
        // credentials hold a reference to it.
        let ns = unsafe { Self::from_ptr(bindings::current_user_ns()) };
        ARef::from(ns)
    }

    /// Checks whether the current task has the capability `cap` over this user namespace.
    ///
    /// Sets `PF_SUPERPRIV` on success, as `ns_capable()` does.
    #[inline]
    pub(crate) fn ns_capable(&self, cap: u32) -> bool {
        let Ok(cap) = i32::try_from(cap) else {
            return false;
        };
        // SAFETY: By the type invariants, `self` is a valid user namespace.
        unsafe { bindings::ns_capable(self.as_ptr(), cap) }
    }

    /// Checks whether the current task has `CAP_SYS_ADMIN` over this user namespace.
    #[inline]
    pub(crate) fn capable_sys_admin(&self) -> bool {
        self.ns_capable(bindings::CAP_SYS_ADMIN)
    }
}

impl PartialEq for UserNamespace {
    #[inline]
    fn eq(&self, other: &Self) -> bool {
        ptr::eq(self.as_ptr(), other.as_ptr())
    }
}

impl Eq for UserNamespace {}

// SAFETY: The type invariants guarantee that `UserNamespace` is always reference-counted.
unsafe impl AlwaysRefCounted for UserNamespace {
    #[inline]
    fn inc_ref(&self) {
        // SAFETY: The existence of a shared reference means that the refcount is nonzero.
        unsafe { bindings::get_user_ns(self.as_ptr()) };
    }

    #[inline]
    unsafe fn dec_ref(obj: NonNull<Self>) {
        // SAFETY: The safety requirements guarantee that the refcount is nonzero. The cast is
        // okay because `UserNamespace` has the same representation as `struct user_namespace`.
        unsafe { bindings::put_user_ns(obj.cast().as_ptr()) };
    }
}
