// SPDX-License-Identifier: GPL-2.0

//! xns: an experimental namespace type provided by a module.
//!
//! Every task is in exactly one xns namespace, shown as `/proc/<pid>/ns/xns`. Each namespace
//! holds a table of labels. A child namespace is created with the `NS_CREATE_CHILD` ioctl on an
//! nsfs file of its parent, inherited on fork and entered with `setns()`. `/dev/xns` gives access
//! to the labels. See `include/uapi/linux/xns.h`.

use kernel::{
    miscdevice::{
        MiscDeviceOptions,
        MiscDeviceRegistration, //
    },
    prelude::*, //
};

mod device;
mod namespace;
mod uapi;
mod user_namespace;
mod xns_ns;

use device::XnsDevice;
use namespace::Registration;
use xns_ns::{
    Xns,
    XnsShared, //
};

module! {
    type: XnsModule,
    name: "xns",
    authors: ["xns developers"],
    description: "An experimental namespace type provided by a module",
    license: "GPL",
}

/// The module: the xns namespace type and `/dev/xns`.
///
/// Fields are dropped in declaration order: the device goes first, then the type is
/// unregistered, which frees its initial namespace.
#[pin_data]
struct XnsModule {
    #[pin]
    _device: MiscDeviceRegistration<XnsDevice>,
    _registration: Registration<Xns>,
}

impl kernel::InPlaceModule for XnsModule {
    fn init(_module: &'static ThisModule) -> impl PinInit<Self, Error> {
        // The type is registered last, when nothing else here can fail: a module whose init
        // fails is freed at once, whatever references to it were taken meanwhile.
        try_pin_init!(Self {
            // Every user may use the labels of the namespaces it is in.
            _device <- MiscDeviceRegistration::register(MiscDeviceOptions {
                name: c"xns",
                mode: 0o666,
            }),
            _registration: Registration::new(Xns::initial(XnsShared::new()?))?,
        })
    }
}
