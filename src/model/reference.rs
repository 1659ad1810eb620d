//! [`Ref`]: a reference from one element to another — the name the file shows, and the id
//! of the element it was resolved to.
//!
//! The file keeps names (readable, diffable); in memory a reference also holds its target's
//! [`Uid`]. When that element exists, the id wins: a reference made to an element keeps
//! pointing at it even if the element was renamed in between (an undo step replayed, a
//! peer's edit made against the old name), and its name is rewritten to the element's
//! current one (`refs::link`). A reference typed by hand, or to an element that does not
//! exist (yet), has no id and is resolved by its name.

use std::fmt;
use std::ops::Deref;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::uid::Uid;

/// A reference by name to another element, with the id of the element it resolved to.
#[derive(Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Ref {
    name: String,
    to: Uid,
}

impl Ref {
    /// A reference by name only (resolved by name until linked).
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            to: Uid::NONE,
        }
    }

    /// A reference to the element `to`, currently called `name`.
    pub fn linked(name: impl Into<String>, to: Uid) -> Self {
        Self {
            name: name.into(),
            to,
        }
    }

    /// The name, as the file shows it (`Event` or `Context.Event`).
    pub fn as_str(&self) -> &str {
        &self.name
    }

    /// True when it names nothing (an optional reference left out).
    pub fn is_empty(&self) -> bool {
        self.name.is_empty()
    }

    /// The id of the element it resolved to ([`Uid::NONE`]: resolved by name).
    pub fn target(&self) -> Uid {
        self.to
    }

    /// Points it, by name, somewhere else: the id is dropped until it is linked again.
    pub fn set(&mut self, name: impl Into<String>) {
        self.name = name.into();
        self.to = Uid::NONE;
    }

    /// Drops the id (a pasted copy is resolved by name where it lands).
    pub fn unlink(&mut self) {
        self.to = Uid::NONE;
    }

    /// Links it to `to` under `name` (used by `refs`: renames and linking).
    pub(crate) fn link(&mut self, name: Option<String>, to: Uid) {
        if let Some(name) = name {
            self.name = name;
        }
        self.to = to;
    }
}

impl Deref for Ref {
    type Target = str;
    fn deref(&self) -> &str {
        &self.name
    }
}

impl AsRef<str> for Ref {
    fn as_ref(&self) -> &str {
        &self.name
    }
}

impl From<&str> for Ref {
    fn from(name: &str) -> Self {
        Ref::new(name)
    }
}

impl From<String> for Ref {
    fn from(name: String) -> Self {
        Ref::new(name)
    }
}

impl From<&String> for Ref {
    fn from(name: &String) -> Self {
        Ref::new(name.as_str())
    }
}

impl From<&Ref> for String {
    fn from(r: &Ref) -> Self {
        r.name.clone()
    }
}

impl PartialEq<str> for Ref {
    fn eq(&self, other: &str) -> bool {
        self.name == other
    }
}

impl PartialEq<&str> for Ref {
    fn eq(&self, other: &&str) -> bool {
        self.name == *other
    }
}

impl PartialEq<String> for Ref {
    fn eq(&self, other: &String) -> bool {
        &self.name == other
    }
}

impl PartialEq<Ref> for str {
    fn eq(&self, other: &Ref) -> bool {
        self == other.name
    }
}

impl PartialEq<Ref> for &str {
    fn eq(&self, other: &Ref) -> bool {
        *self == other.name
    }
}

impl PartialEq<Ref> for String {
    fn eq(&self, other: &Ref) -> bool {
        *self == other.name
    }
}

impl fmt::Display for Ref {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

impl fmt::Debug for Ref {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.to.is_none() {
            write!(f, "{:?}", self.name)
        } else {
            write!(f, "{:?}→{}", self.name, self.to)
        }
    }
}

thread_local! {
    /// Whether references (de)serialize with their target's id, see [`with_ids`].
    static WITH_IDS: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Between a name and its target's id in the form [`with_ids`] writes.
const ID_MARK: char = '\u{1}';

/// Runs `f` with references serialized as `name` + U+0001 + the target's id (and read back
/// so), instead of the name alone. The shared board stores elements this way, so that a
/// reference made on one machine still points at its element after a peer renamed it; the
/// file and everything else keep names only (the mark is never read from a file).
pub fn with_ids<R>(f: impl FnOnce() -> R) -> R {
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            WITH_IDS.with(|w| w.set(self.0));
        }
    }
    let _restore = Restore(WITH_IDS.with(|w| w.replace(true)));
    f()
}

/// The file holds the name only; ids are linked after loading (`Model::assign_ids`).
impl Serialize for Ref {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if WITH_IDS.with(|w| w.get()) && !self.to.is_none() {
            return s.collect_str(&format_args!("{}{ID_MARK}{}", self.name, self.to));
        }
        self.name.serialize(s)
    }
}

impl<'de> Deserialize<'de> for Ref {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        if WITH_IDS.with(|w| w.get())
            && let Some((name, id)) = text.split_once(ID_MARK)
            && let Some(to) = Uid::parse(id)
        {
            return Ok(Ref::linked(name, to));
        }
        Ok(Ref::new(text))
    }
}
