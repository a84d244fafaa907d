// SPDX-License-Identifier: GPL-2.0

//! The `max_namespaces` module parameter.
//!
//! Like `/proc/sys/user/max_*_namespaces`, root can change it at run time, through
//! `/sys/module/xns/parameters/max_namespaces`, and the new value applies to the namespaces
//! created afterwards. The parameters of the `module!` macro can only be set at load time and do
//! not appear in sysfs, so the parameter is declared here the way C's
//! `module_param(max_namespaces, uint, 0644)` does it. Its operations are those of `uint`
//! parameters, except that the value is stored atomically: namespace creation reads it without
//! the parameter lock.
//!
//! C header: [`include/linux/moduleparam.h`](srctree/include/linux/moduleparam.h)

use kernel::{
    bindings,
    error::code::EINVAL,
    ffi::{
        c_char,
        c_int,
        c_uint, //
    },
    module::this_module,
    module_param::KernelParam,
    sync::atomic::{
        Atomic,
        Relaxed, //
    }, //
};

/// The storage of a `uint` module parameter.
///
/// # Invariants
///
/// It is only written by [`set_uint`], under the parameter lock or while the module is loaded,
/// and only read by `param_get_uint()` under the parameter lock, and by [`UintParam::get`].
#[repr(transparent)]
pub(crate) struct UintParam(Atomic<u32>);

impl UintParam {
    const fn new(default: u32) -> Self {
        Self(Atomic::new(default))
    }

    /// Returns the current value.
    pub(crate) fn get(&self) -> u32 {
        self.0.load(Relaxed)
    }
}

/// The operations of [`UintParam`] parameters.
static UINT_PARAM_OPS: bindings::kernel_param_ops = bindings::kernel_param_ops {
    flags: 0,
    set: Some(set_uint),
    get: Some(bindings::param_get_uint),
    free: None,
};

/// Sets a [`UintParam`] from a string, as `param_set_uint()` does.
///
/// # Safety
///
/// `val` must be null or point to a NUL-terminated string, and `kp` must point to a parameter
/// whose `arg` points to a [`UintParam`], both valid for the duration of the call.
unsafe extern "C" fn set_uint(val: *const c_char, kp: *const bindings::kernel_param) -> c_int {
    if val.is_null() {
        return EINVAL.to_errno();
    }
    let mut value: c_uint = 0;
    // SAFETY: `val` points to a NUL-terminated string and `value` is valid for writes.
    let ret = unsafe { bindings::kstrtouint(val, 0, &mut value) };
    if ret != 0 {
        return ret;
    }
    // SAFETY: By the safety requirements, `kp` is valid and its `arg` points to a `UintParam`,
    // which lives in a `static`.
    let param = unsafe { &*(*kp).__bindgen_anon_1.arg.cast::<UintParam>() };
    param.0.store(value, Relaxed);
    0
}

/// Maximum number of xns namespaces, besides the initial one, per user; like
/// `/proc/sys/user/max_*_namespaces`.
pub(crate) static MAX_NAMESPACES: UintParam = UintParam::new(1024);

/// The parameter for the module loader and sysfs.
#[link_section = "__param"]
#[used(compiler)]
static MAX_NAMESPACES_PARAM: KernelParam = KernelParam::new(bindings::kernel_param {
    name: kernel::str::as_char_ptr_in_const_context(if cfg!(MODULE) {
        c"max_namespaces"
    } else {
        c"xns.max_namespaces"
    }),
    mod_: this_module::<crate::LocalModule>().as_ptr(),
    ops: &UINT_PARAM_OPS,
    perm: 0o644,
    level: -1,
    flags: 0,
    __bindgen_anon_1: bindings::kernel_param__bindgen_ty_1 {
        // `UINT_PARAM_OPS` expects a `UintParam`, `param_get_uint()` the `unsigned int` in it.
        arg: MAX_NAMESPACES.0.as_ptr().cast(),
    },
});

/// The parameter's type, for `modinfo`.
#[cfg(MODULE)]
#[link_section = ".modinfo"]
#[used(compiler)]
static MAX_NAMESPACES_PARMTYPE: [u8; 29] = *b"parmtype=max_namespaces:uint\0";

/// The parameter's description, for `modinfo`.
#[cfg(MODULE)]
#[link_section = ".modinfo"]
#[used(compiler)]
static MAX_NAMESPACES_PARM: [u8; 78] =
    *b"parm=max_namespaces:Maximum number of xns namespaces per user (default: 1024)\0";
