// SPDX-License-Identifier: GPL-2.0

//! Misc devices with a device node mode.
//!
//! [`kernel::miscdevice::MiscDeviceRegistration`] always leaves `struct miscdevice::mode` at 0,
//! which makes devtmpfs create the node with mode 0600. [`MiscRegistration`] registers the same
//! `struct miscdevice` with the same file operations, but with a chosen mode.
//!
//! C header: [`include/linux/miscdevice.h`](srctree/include/linux/miscdevice.h)

use core::marker::PhantomData;
use kernel::{
    bindings,
    error::to_result,
    miscdevice::{
        MiscDevice,
        MiscDeviceOptions, //
    },
    prelude::*,
    types::Opaque, //
};

/// A registration of a misc device whose node has a given mode.
///
/// It has the layout of [`kernel::miscdevice::MiscDeviceRegistration<T>`], a transparent wrapper
/// of the `struct miscdevice`, which the file operations of [`MiscDevice`] expect to find in the
/// private data of the file on `open()`.
///
/// # Invariants
///
/// `inner` is a `struct miscdevice` created by [`MiscDeviceOptions::into_raw`] for `T` and
/// registered with `misc_register()` until `drop`.
#[repr(transparent)]
#[pin_data(PinnedDrop)]
pub(crate) struct MiscRegistration<T> {
    #[pin]
    inner: Opaque<bindings::miscdevice>,
    _t: PhantomData<T>,
}

// SAFETY: It is allowed to call `misc_deregister` on a different thread from where you called
// `misc_register`.
unsafe impl<T> Send for MiscRegistration<T> {}

// SAFETY: There are no `&self` methods that access the misc device.
unsafe impl<T> Sync for MiscRegistration<T> {}

impl<T: MiscDevice> MiscRegistration<T> {
    /// Registers a misc device whose node gets mode `mode` (e.g. `0o666`).
    pub(crate) fn register(opts: MiscDeviceOptions, mode: u16) -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            inner <- Opaque::try_ffi_init(move |slot: *mut bindings::miscdevice| {
                let mut raw = opts.into_raw::<T>();
                raw.mode = mode;
                // SAFETY: The initializer can write to the provided `slot`.
                unsafe { slot.write(raw) };
                // SAFETY: `slot` holds a complete misc device. It is deregistered before `slot`
                // is deallocated, as the memory is pinned and `drop` deregisters it. The file
                // operations from `into_raw` treat the registered `struct miscdevice` as a
                // `MiscDeviceRegistration<T>`, which is a transparent wrapper of it, like `Self`.
                // INVARIANT: On success, `slot` contains a registered misc device.
                to_result(unsafe { bindings::misc_register(slot) })
            }),
            _t: PhantomData,
        })
    }
}

#[pinned_drop]
impl<T> PinnedDrop for MiscRegistration<T> {
    fn drop(self: Pin<&mut Self>) {
        // SAFETY: By the type invariants, the device is registered.
        unsafe { bindings::misc_deregister(self.inner.get()) };
    }
}
