// SPDX-License-Identifier: GPL-2.0

//! KUnit tests of the parts of xns that need no namespace: label keys and values, the label
//! table and the count of namespaces alive.
//!
//! A module of its own, built only for kernels with KUnit, so that `xns.ko` carries no tests. It
//! compiles the xns sources it tests, as `xns.ko` does, but registers nothing; KUnit runs the
//! suites when the module is loaded, and `xns_kunit_test` (in `tools/testing/selftests/xns`)
//! loads it and reports the results from debugfs.

use kernel::prelude::*;

// The parts of the module that the tests do not use are compiled all the same.
#[allow(dead_code)]
mod namespace;
#[allow(dead_code)]
mod uapi;
#[allow(dead_code)]
mod user_namespace;
#[allow(dead_code)]
mod xns_ns;

module! {
    type: XnsKunit,
    name: "xns_kunit",
    authors: ["xns developers"],
    description: "KUnit tests of the xns label logic",
    license: "GPL",
}

/// The module: KUnit runs the suites below when it is loaded.
struct XnsKunit;

impl kernel::Module for XnsKunit {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        Ok(Self)
    }
}

#[kunit_tests(xns_labels)]
mod tests {
    use crate::{
        uapi::{
            XNS_LABELS_MAX,
            XNS_LABEL_KEY_MAX,
            XNS_LABEL_VALUE_MAX, //
        },
        xns_ns::{
            LabelKey,
            LabelValue,
            Xns,
            XnsShared, //
        },
    };
    use kernel::prelude::*;

    /// A raw key of `XNS_LABEL_KEY_MAX` bytes starting with `bytes`, the rest NUL.
    fn raw_key(bytes: &[u8]) -> [u8; XNS_LABEL_KEY_MAX] {
        let mut raw = [0u8; XNS_LABEL_KEY_MAX];
        raw[..bytes.len()].copy_from_slice(bytes);
        raw
    }

    /// A raw value of `XNS_LABEL_VALUE_MAX` bytes starting with `bytes`, the rest NUL.
    fn raw_value(bytes: &[u8]) -> [u8; XNS_LABEL_VALUE_MAX] {
        let mut raw = [0u8; XNS_LABEL_VALUE_MAX];
        raw[..bytes.len()].copy_from_slice(bytes);
        raw
    }

    fn key(bytes: &[u8]) -> Result<LabelKey> {
        LabelKey::parse(&raw_key(bytes))
    }

    fn value(bytes: &[u8]) -> Result<LabelValue> {
        LabelValue::parse(&raw_value(bytes))
    }

    /// The key `k<n>`, distinct for every `n` below 1000.
    fn nth_key(n: usize) -> Result<LabelKey> {
        let digits = [
            b'k',
            b'0' + (n / 100 % 10) as u8,
            b'0' + (n / 10 % 10) as u8,
            b'0' + (n % 10) as u8,
        ];
        key(&digits)
    }

    #[test]
    fn key_bytes() {
        // Every byte value as a one-byte key: printable ASCII but space.
        for byte in 1..=u8::MAX {
            let parsed = LabelKey::parse(&raw_key(&[byte]));
            assert_eq!(parsed.is_ok(), (0x21..=0x7e).contains(&byte));
            if let Err(err) = parsed {
                assert_eq!(err, EINVAL);
            }
        }
        // And in the middle of a key.
        for byte in 1..=u8::MAX {
            let parsed = LabelKey::parse(&raw_key(&[b'a', byte, b'b']));
            assert_eq!(parsed.is_ok(), (0x21..=0x7e).contains(&byte));
        }
    }

    #[test]
    fn key_lengths() {
        assert_eq!(LabelKey::parse(&raw_key(b"")).err(), Some(EINVAL));
        let longest = [b'x'; XNS_LABEL_KEY_MAX - 1];
        assert!(LabelKey::parse(&raw_key(&longest)).is_ok());
        // No room for the terminating NUL.
        let unterminated = [b'x'; XNS_LABEL_KEY_MAX];
        assert_eq!(LabelKey::parse(&unterminated).err(), Some(EINVAL));
        // What follows the NUL is not part of the key.
        let parsed = key(b"ab\0junk");
        assert!(parsed.is_ok_and(|key| key.as_bytes() == &raw_key(b"ab")));
    }

    #[test]
    fn value_bytes_and_lengths() {
        for byte in 1..=u8::MAX {
            assert!(LabelValue::parse(&raw_value(&[byte])).is_ok());
        }
        assert!(LabelValue::parse(&raw_value(b"")).is_ok());
        let longest = [0xffu8; XNS_LABEL_VALUE_MAX - 1];
        assert!(LabelValue::parse(&raw_value(&longest)).is_ok());
        let unterminated = [b'v'; XNS_LABEL_VALUE_MAX];
        assert_eq!(LabelValue::parse(&unterminated).err(), Some(EINVAL));
        let parsed = value(b"v\0junk");
        assert!(parsed.is_ok_and(|value| value.as_bytes() == &raw_value(b"v")));
    }

    #[test]
    fn table_limits() -> Result {
        let ns = KBox::pin_init(Xns::initial(XnsShared::new()?), GFP_KERNEL)?;
        for n in 0..XNS_LABELS_MAX {
            ns.label_set(&nth_key(n)?, &value(b"1")?)?;
        }
        assert_eq!(ns.nr_labels(), XNS_LABELS_MAX);
        // Full: a new key is refused, an existing one is replaced.
        assert_eq!(
            ns.label_set(&nth_key(XNS_LABELS_MAX)?, &value(b"1")?).err(),
            Some(ENOSPC)
        );
        ns.label_set(&nth_key(7)?, &value(b"seven")?)?;
        assert_eq!(ns.nr_labels(), XNS_LABELS_MAX);
        assert!(ns.label_get(&nth_key(7)?)?.as_bytes() == &raw_value(b"seven"));
        // Deleting makes room, once.
        ns.label_del(&nth_key(0)?)?;
        assert_eq!(ns.label_del(&nth_key(0)?).err(), Some(ENOENT));
        assert_eq!(ns.label_get(&nth_key(0)?).err(), Some(ENOENT));
        ns.label_set(&nth_key(XNS_LABELS_MAX)?, &value(b"1")?)?;
        assert_eq!(ns.nr_labels(), XNS_LABELS_MAX);
        Ok(())
    }

    #[test]
    fn table_listing() -> Result {
        let ns = KBox::pin_init(Xns::initial(XnsShared::new()?), GFP_KERNEL)?;
        let mut keys = KVec::new();
        assert_eq!(ns.label_keys(0, &mut keys)?, 0);
        for n in 0..3 {
            ns.label_set(&nth_key(n)?, &value(b"")?)?;
        }
        // Too little room: the count, and nothing written.
        assert_eq!(ns.label_keys(2, &mut keys)?, 3);
        assert!(keys.is_empty());
        // Room enough: every key, NUL padded, in the order they were set.
        assert_eq!(ns.label_keys(3, &mut keys)?, 3);
        assert_eq!(keys.len(), 3 * XNS_LABEL_KEY_MAX);
        for n in 0..3 {
            let slot = &keys[n * XNS_LABEL_KEY_MAX..(n + 1) * XNS_LABEL_KEY_MAX];
            assert!(slot == nth_key(n)?.as_bytes());
        }
        Ok(())
    }

    #[test]
    fn namespaces_alive() -> Result {
        let shared = XnsShared::new()?;
        let first = KBox::pin_init(Xns::initial(shared.clone()), GFP_KERNEL)?;
        assert_eq!(first.nr_live(), 1);
        let second = KBox::pin_init(Xns::initial(shared), GFP_KERNEL)?;
        assert_eq!(first.nr_live(), 2);
        drop(second);
        assert_eq!(first.nr_live(), 1);
        Ok(())
    }
}
