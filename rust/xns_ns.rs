// SPDX-License-Identifier: GPL-2.0

//! The xns namespace type: a tree of namespaces, each holding a table of labels.
//!
//! Modelled on the UTS namespace (`kernel/utsname.c`): a namespace is owned by the user namespace
//! of its creator, which needs `CAP_SYS_ADMIN` there; the number of namespaces per user is
//! limited by `max_module_namespaces` in `/proc/sys/user`, as `max_uts_namespaces` limits UTS; `setns()` needs `CAP_SYS_ADMIN` over the target's owner and the caller's user
//! namespace. Like PID namespaces, namespaces nest and `NS_GET_PARENT` works within the caller's
//! subtree.

use crate::{
    namespace::{
        Namespace,
        NamespaceType,
        NsExtType, //
    },
    uapi::{
        XNS_LABELS_MAX,
        XNS_LABEL_KEY_MAX,
        XNS_LABEL_VALUE_MAX,
        XNS_MAX_DEPTH,
        XNS_NS_TYPE, //
    },
    user_namespace::UserNamespace, //
};
use core::ptr;
use kernel::{
    new_mutex,
    prelude::*,
    sync::{
        aref::ARef,
        atomic::{
            Atomic,
            Relaxed, //
        },
        Arc,
        Mutex, //
    }, //
};

/// The description of the xns type.
pub(crate) static XNS_TYPE: NsExtType<Xns> = NsExtType::new();

/// State shared by all xns namespaces: the number of namespaces alive.
pub(crate) struct XnsShared {
    /// Namespaces alive, including the initial one.
    nr_live: Atomic<u32>,
}

impl XnsShared {
    /// Creates the shared state.
    pub(crate) fn new() -> Result<Arc<Self>> {
        Ok(Arc::new(
            Self {
                nr_live: Atomic::new(0),
            },
            GFP_KERNEL,
        )?)
    }
}

/// A namespace's share of the counter in [`XnsShared`], given back on drop.
///
/// # Invariants
///
/// The namespace is counted once in `shared.nr_live`.
struct Account {
    shared: Arc<XnsShared>,
}

impl Account {
    /// Counts a new namespace.
    fn new(shared: Arc<XnsShared>) -> Self {
        shared.nr_live.add(1, Relaxed);
        // INVARIANT: The namespace was just counted.
        Self { shared }
    }
}

impl Drop for Account {
    fn drop(&mut self) {
        self.shared.nr_live.fetch_sub(1, Relaxed);
    }
}

/// A label key: 1 to `XNS_LABEL_KEY_MAX - 1` printable ASCII characters, NUL padded.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct LabelKey([u8; XNS_LABEL_KEY_MAX]);

impl LabelKey {
    /// Parses the key of a `struct xns_label`: NUL-terminated, non-empty, printable.
    pub(crate) fn parse(raw: &[u8; XNS_LABEL_KEY_MAX]) -> Result<Self> {
        let mut key = [0u8; XNS_LABEL_KEY_MAX];
        let mut len = 0;
        for (dst, &byte) in key.iter_mut().zip(raw.iter()) {
            if byte == 0 {
                break;
            }
            if !(0x21..=0x7e).contains(&byte) {
                return Err(EINVAL);
            }
            *dst = byte;
            len += 1;
        }
        // No terminating NUL, or an empty key.
        if len == 0 || len == XNS_LABEL_KEY_MAX {
            return Err(EINVAL);
        }
        Ok(Self(key))
    }

    /// Returns the key, NUL padded.
    pub(crate) fn as_bytes(&self) -> &[u8; XNS_LABEL_KEY_MAX] {
        &self.0
    }
}

/// A label value: at most `XNS_LABEL_VALUE_MAX - 1` bytes other than NUL, NUL padded.
#[derive(Clone, Copy)]
pub(crate) struct LabelValue([u8; XNS_LABEL_VALUE_MAX]);

impl LabelValue {
    /// Parses the value of a `struct xns_label`: NUL-terminated.
    pub(crate) fn parse(raw: &[u8; XNS_LABEL_VALUE_MAX]) -> Result<Self> {
        let mut value = [0u8; XNS_LABEL_VALUE_MAX];
        for (dst, &byte) in value.iter_mut().zip(raw.iter()) {
            if byte == 0 {
                return Ok(Self(value));
            }
            *dst = byte;
        }
        // No terminating NUL.
        Err(EINVAL)
    }

    /// Returns the value, NUL padded.
    pub(crate) fn as_bytes(&self) -> &[u8; XNS_LABEL_VALUE_MAX] {
        &self.0
    }
}

/// One label of a namespace.
struct Label {
    key: LabelKey,
    value: LabelValue,
}

/// The data of an xns namespace.
#[pin_data]
pub(crate) struct Xns {
    /// The parent namespace; `None` for the initial namespace.
    parent: Option<ARef<Namespace<Xns>>>,
    /// The owning user namespace.
    owner: ARef<UserNamespace>,
    /// Nesting depth, 0 for the initial namespace.
    depth: u32,
    /// The namespace's share of the module's counters.
    account: Account,
    /// The labels, at most `XNS_LABELS_MAX`.
    #[pin]
    labels: Mutex<KVVec<Label>>,
}

impl Xns {
    /// Returns an initialiser for the initial namespace, owned by the initial user namespace.
    pub(crate) fn initial(shared: Arc<XnsShared>) -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            parent: None,
            owner: ARef::from(UserNamespace::init()),
            depth: 0,
            account: Account::new(shared),
            labels <- new_mutex!(KVVec::new()),
        })
    }

    /// Returns the xns namespace of the current task, with a reference taken.
    pub(crate) fn current() -> Result<ARef<Namespace<Self>>> {
        XNS_TYPE.task_get(current!()).ok_or(ENODEV)
    }

    /// Returns the nesting depth, 0 for the initial namespace.
    pub(crate) fn depth(&self) -> u32 {
        self.depth
    }

    /// Returns the number of namespaces alive, including the initial one.
    pub(crate) fn nr_live(&self) -> u32 {
        self.account.shared.nr_live.load(Relaxed)
    }

    /// Returns the number of labels.
    pub(crate) fn nr_labels(&self) -> usize {
        self.labels.lock().len()
    }

    /// Fails with `EPERM` unless the caller may change the labels: it needs `CAP_SYS_ADMIN`
    /// over the owner of the namespace.
    pub(crate) fn may_write(&self) -> Result {
        if self.owner.capable_sys_admin() {
            Ok(())
        } else {
            Err(EPERM)
        }
    }

    /// Sets or replaces the label `key`. Fails with `ENOSPC` at `XNS_LABELS_MAX` labels.
    pub(crate) fn label_set(&self, key: &LabelKey, value: &LabelValue) -> Result {
        let mut labels = self.labels.lock();
        if let Some(label) = labels.iter_mut().find(|label| label.key == *key) {
            label.value = *value;
            return Ok(());
        }
        if labels.len() >= XNS_LABELS_MAX {
            return Err(ENOSPC);
        }
        labels.push(
            Label {
                key: *key,
                value: *value,
            },
            // Charged to the memory cgroup of the task that sets the label.
            GFP_KERNEL_ACCOUNT,
        )?;
        Ok(())
    }

    /// Returns the value of the label `key`, or `ENOENT`.
    pub(crate) fn label_get(&self, key: &LabelKey) -> Result<LabelValue> {
        let labels = self.labels.lock();
        labels
            .iter()
            .find(|label| label.key == *key)
            .map(|label| label.value)
            .ok_or(ENOENT)
    }

    /// Deletes the label `key`, or fails with `ENOENT`.
    pub(crate) fn label_del(&self, key: &LabelKey) -> Result {
        let mut labels = self.labels.lock();
        let len = labels.len();
        labels.retain(|label| label.key != *key);
        if labels.len() == len {
            return Err(ENOENT);
        }
        Ok(())
    }

    /// Appends the keys of all labels to `keys`, each `XNS_LABEL_KEY_MAX` bytes, NUL padded,
    /// if they are at most `room`; returns the number of labels either way.
    pub(crate) fn label_keys(&self, room: usize, keys: &mut KVec<u8>) -> Result<usize> {
        let labels = self.labels.lock();
        if labels.len() <= room {
            for label in labels.iter() {
                keys.extend_from_slice(label.key.as_bytes(), GFP_KERNEL)?;
            }
        }
        Ok(labels.len())
    }
}

#[vtable]
impl NamespaceType for Xns {
    const NAME: &'static CStr = c"xns";
    const NS_TYPE: u32 = XNS_NS_TYPE;

    fn ext_type() -> &'static NsExtType<Self> {
        &XNS_TYPE
    }

    // `install` is the default: `CAP_SYS_ADMIN` over the target's owner and over the user
    // namespace of the caller's credentials, as `utsns_install()`.

    fn owner(ns: &Namespace<Self>) -> &UserNamespace {
        &ns.owner
    }

    fn take_parent(self: Pin<&mut Self>) -> Option<ARef<Namespace<Self>>> {
        self.project().parent.take()
    }

    /// A new child of `parent` (`NS_CREATE_CHILD`), owned by the caller's user namespace, where
    /// the caller needs `CAP_SYS_ADMIN` (`EPERM`). Fails with `ENOSPC` beyond `XNS_MAX_DEPTH`
    /// or `max_module_namespaces` (see [`Namespace::new`]). On failure nothing changed.
    fn create_child(parent: &Namespace<Self>) -> Result<ARef<Namespace<Self>>> {
        let owner = UserNamespace::current();
        if !owner.capable_sys_admin() {
            return Err(EPERM);
        }
        let depth = parent.depth.checked_add(1).ok_or(ENOSPC)?;
        if depth > XNS_MAX_DEPTH {
            return Err(ENOSPC);
        }
        let shared = parent.account.shared.clone();
        // The namespace is counted in `nr_live` only once it passed the limits, by `Account::new`
        // in the initialiser; on failure, the initialiser drops what it took.
        Namespace::new(
            &owner.clone(),
            try_pin_init!(Self {
                parent: Some(ARef::from(parent)),
                owner,
                depth,
                account: Account::new(shared),
                labels <- new_mutex!(KVVec::new()),
            }),
        )
    }

    /// The parent of `ns`, if it is the caller's namespace or one of its descendants (`EPERM`
    /// otherwise, and for the initial namespace), as `pidns_get_parent()`.
    fn get_parent(ns: &Namespace<Self>) -> Result<ARef<Namespace<Self>>> {
        let active = Self::current().map_err(|_| EPERM)?;
        let parent = ns.parent.as_ref().ok_or(EPERM)?;
        let mut p = Some(parent);
        while let Some(ancestor) = p {
            if ptr::eq::<Namespace<Self>>(&**ancestor, &*active) {
                return Ok(parent.clone());
            }
            p = ancestor.parent.as_ref();
        }
        Err(EPERM)
    }
}
