use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;

use crate::Result;

/// A boxed, sendable future: the engine traits are object-safe.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A key and its value.
pub type KeyValue = (Vec<u8>, Vec<u8>);

/// A half-open key range `[start, end)`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct KeyRange {
    /// First key in the range.
    pub start: Vec<u8>,
    /// First key after the range.
    pub end: Vec<u8>,
}

impl KeyRange {
    /// The range `[start, end)`.
    pub fn new(start: impl Into<Vec<u8>>, end: impl Into<Vec<u8>>) -> Self {
        Self {
            start: start.into(),
            end: end.into(),
        }
    }

    /// Every key that starts with `prefix`.
    pub fn prefix(prefix: &[u8]) -> Self {
        Self::new(prefix, prefix_end(prefix))
    }

    /// Whether `key` lies in the range.
    pub fn contains(&self, key: &[u8]) -> bool {
        self.start.as_slice() <= key && key < self.end.as_slice()
    }

    /// Whether the two ranges share a key.
    pub fn overlaps(&self, other: &KeyRange) -> bool {
        self.start < other.end && other.start < self.end
    }

    /// Whether the range holds no key.
    pub fn is_empty(&self) -> bool {
        self.start >= self.end
    }
}

/// The first key after every key that starts with `prefix` (an empty vector when there is
/// none, which as a range end means "to the end of the keyspace" only for the all-0xFF prefix).
pub(crate) fn prefix_end(prefix: &[u8]) -> Vec<u8> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < 0xFF {
            end.push(last + 1);
            return end;
        }
    }
    vec![0xFF; prefix.len() + 1]
}

/// The smallest key after `key`.
pub(crate) fn key_after(key: &[u8]) -> Vec<u8> {
    let mut next = Vec::with_capacity(key.len() + 1);
    next.extend_from_slice(key);
    next.push(0);
    next
}

/// What a read of `range` depended on: all of it, or (when it stopped early at `last`) the
/// part up to and including `last` in the direction it read.
pub(crate) fn read_through(range: &KeyRange, last: Option<&[u8]>, reverse: bool) -> KeyRange {
    match last {
        Some(last) if reverse => KeyRange::new(last.to_vec(), range.end.clone()),
        Some(last) => KeyRange::new(range.start.clone(), key_after(last)),
        None => range.clone(),
    }
}

/// What is left of `range` to read once `read` (a [`read_through`] of it) has been.
pub(crate) fn unread(range: &KeyRange, read: &KeyRange, reverse: bool) -> KeyRange {
    if reverse {
        KeyRange::new(range.start.clone(), read.start.clone())
    } else {
        KeyRange::new(read.end.clone(), range.end.clone())
    }
}

/// What a transaction read, for engines that detect conflicts themselves (optimistic engines).
#[derive(Clone, Debug, Default)]
pub struct ReadSet {
    /// Keys read with `get` that were not served from the transaction's own writes.
    pub keys: Vec<Vec<u8>>,
    /// Ranges read with `range`, cut at the last key the read returned when a limit stopped it.
    pub ranges: Vec<KeyRange>,
}

impl ReadSet {
    /// Whether nothing was read from the snapshot.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty() && self.ranges.is_empty()
    }
}

/// The effect of a transaction, applied atomically by [`Transaction::commit`]: first every
/// cleared range, then every write.
#[derive(Clone, Debug, Default)]
pub struct Changes {
    /// Ranges cleared, in the order they were cleared.
    pub cleared: Vec<KeyRange>,
    /// Keys set (`Some`) or cleared (`None`), last write wins.
    pub writes: BTreeMap<Vec<u8>, Option<Vec<u8>>>,
    /// What the transaction read (engines with their own conflict detection ignore it).
    pub reads: ReadSet,
    /// Values to store under `prefix` + a [`STAMP_LEN`]-byte stamp the engine chooses at commit
    /// (see [`crate::Tx::append`]), in the order they were appended.
    pub appends: Vec<(Vec<u8>, Vec<u8>)>,
}

/// The length of the stamp an engine puts after an appended value's prefix.
pub const STAMP_LEN: usize = 12;

impl Changes {
    /// Whether the transaction wrote nothing.
    pub fn is_read_only(&self) -> bool {
        self.cleared.is_empty() && self.writes.is_empty() && self.appends.is_empty()
    }
}

/// The commit could not be serialized after the transactions that committed since its snapshot:
/// run it again.
#[derive(Debug)]
pub enum Conflict {
    /// A concurrent transaction changed something this one read.
    Retry,
    /// The engine failed.
    Failed(crate::Error),
}

impl From<crate::Error> for Conflict {
    fn from(error: crate::Error) -> Self {
        Conflict::Failed(error)
    }
}

/// A storage engine: a transactional ordered key-value store.
///
/// Architecture Invariant: nothing above this trait knows which engine runs; engine behaviour is
/// pinned by the [`crate::conformance`] suite.
pub trait Engine: Send + Sync + 'static {
    /// A short name: `embedded` or `postgres`.
    fn name(&self) -> &'static str;

    /// One line for humans: where the data lives and what durability is promised.
    fn describe(&self) -> String;

    /// Opens a transaction at a consistent snapshot.
    fn begin(&self) -> BoxFuture<'_, Result<Box<dyn Transaction>>>;

    /// Whether [`Transaction`] reads block on network I/O, so the caller must move off the async
    /// worker while it runs the transaction body.
    fn blocking_reads(&self) -> bool {
        false
    }

    /// Makes everything acknowledged so far durable and stops background work.
    fn close(&self) -> BoxFuture<'_, Result<()>>;
}

/// Visits `range` a page at a time, each page read by `read(cursor, limit)`.
pub(crate) fn visit_pages(
    range: &KeyRange,
    reverse: bool,
    mut read: impl FnMut(&KeyRange, usize) -> Result<Vec<KeyValue>>,
    visit: &mut Visitor<'_>,
) -> Result<()> {
    const PAGE: usize = 256;
    let mut cursor = range.clone();
    while !cursor.is_empty() {
        let page = read(&cursor, PAGE)?;
        for (key, value) in &page {
            if !visit(key, value)? {
                return Ok(());
            }
        }
        match page.last() {
            Some((last, _)) if page.len() == PAGE => {
                let read = read_through(&cursor, Some(last), reverse);
                cursor = unread(&cursor, &read, reverse);
            }
            _ => break,
        }
    }
    Ok(())
}

/// What [`Transaction::visit`] calls with each pair: `false` stops the visit.
pub type Visitor<'a> = dyn FnMut(&[u8], &[u8]) -> Result<bool> + 'a;

/// One attempt of a transaction inside an engine: consistent reads, then an atomic commit.
pub trait Transaction: Send {
    /// The value stored under `key`, at the snapshot.
    fn get(&mut self, key: &[u8]) -> Result<Option<Vec<u8>>>;

    /// Up to `limit` pairs in `range`, ascending or (when `reverse`) descending, at the snapshot.
    fn range(&mut self, range: &KeyRange, limit: usize, reverse: bool) -> Result<Vec<KeyValue>>;

    /// Calls `visit` with the pairs in `range`, ascending or (when `reverse`) descending, at
    /// the snapshot, until it returns `false` or the range ends. Engines that can lend their
    /// pairs without copying them override this; the default reads pages through [`range`].
    ///
    /// [`range`]: Transaction::range
    fn visit(&mut self, range: &KeyRange, reverse: bool, visit: &mut Visitor<'_>) -> Result<()> {
        visit_pages(
            range,
            reverse,
            |cursor, limit| self.range(cursor, limit, reverse),
            visit,
        )
    }

    /// Applies `changes` atomically and durably, or reports that a concurrent commit conflicts.
    fn commit(self: Box<Self>, changes: Changes) -> BoxFuture<'static, Result<(), Conflict>>;
}
