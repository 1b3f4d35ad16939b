use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::engine::{read_through, unread, visit_pages};
use crate::{Changes, Conflict, Engine, Error, KeyRange, KeyValue, ReadSet, Result, Transaction};

/// How long a transaction keeps retrying on conflicts before it gives up.
const RETRY_BUDGET: Duration = Duration::from_secs(20);

/// The store, as services see it: a cheap handle to one engine.
#[derive(Clone)]
pub struct Kv(Arc<dyn Engine>);

impl fmt::Debug for Kv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Kv").field(&self.0.name()).finish()
    }
}

/// A hook that runs once the transaction that registered it has committed.
type Hook = Box<dyn FnOnce() + Send>;

impl Kv {
    /// Wraps an engine.
    pub fn new(engine: impl Engine) -> Self {
        Self(Arc::new(engine))
    }

    /// The engine's short name (`embedded`, `postgres`).
    pub fn engine_name(&self) -> &'static str {
        self.0.name()
    }

    /// One line for humans: where the data lives and what durability is promised.
    pub fn describe(&self) -> String {
        self.0.describe()
    }

    /// Runs `body` as one serializable transaction and returns what it returned.
    ///
    /// `body` may run more than once (when a concurrent transaction conflicts), so it must do no
    /// I/O except through the [`Tx`], and must leave effects that depend on the commit to
    /// [`Tx::on_commit`]. An `Err` from `body` aborts the transaction: nothing is written.
    pub async fn transact<T, E, F>(&self, mut body: F) -> Result<T, E>
    where
        F: FnMut(&mut Tx) -> Result<T, E> + Send,
        E: From<Error>,
    {
        // Engines may answer without ever waiting (a read-only transaction on the embedded
        // engine); taking from tokio's cooperative budget keeps loops of transactions from
        // starving other tasks.
        tokio::task::consume_budget().await;
        let started = Instant::now();
        let mut attempts = 0u32;
        loop {
            attempts += 1;
            let mut tx = Tx::new(self.0.begin().await?);
            let output = if self.0.blocking_reads() {
                tokio::task::block_in_place(|| body(&mut tx))
            } else {
                body(&mut tx)
            }?;
            let (inner, changes, hooks) = tx.finish();
            match inner.commit(changes).await {
                Ok(()) => {
                    for hook in hooks {
                        hook();
                    }
                    return Ok(output);
                }
                Err(Conflict::Retry) if started.elapsed() < RETRY_BUDGET => {
                    tracing::trace!(attempts, "store transaction conflict, retrying");
                    backoff(attempts).await;
                }
                Err(Conflict::Retry) => return Err(Error::Conflict { attempts }.into()),
                Err(Conflict::Failed(error)) => return Err(error.into()),
            }
        }
    }

    /// Makes everything acknowledged durable and stops the engine's background work.
    pub async fn close(&self) -> Result<()> {
        self.0.close().await
    }
}

/// Waits a little before a retry: nothing on the first, then a jittered, capped exponential.
async fn backoff(attempts: u32) {
    if attempts < 2 {
        return;
    }
    let cap_us = 100u64 << attempts.min(7);
    let wait = rand::random_range(0..=cap_us);
    tokio::time::sleep(Duration::from_micros(wait)).await;
}

/// One attempt of a transaction: reads at a snapshot, buffered writes that later reads see.
pub struct Tx {
    inner: Box<dyn Transaction>,
    writes: BTreeMap<Vec<u8>, Option<Vec<u8>>>,
    cleared: Vec<KeyRange>,
    appends: Vec<(Vec<u8>, Vec<u8>)>,
    reads: ReadSet,
    hooks: Vec<Hook>,
}

impl fmt::Debug for Tx {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tx")
            .field("writes", &self.writes.len())
            .field("cleared", &self.cleared.len())
            .finish()
    }
}

impl Tx {
    fn new(inner: Box<dyn Transaction>) -> Self {
        Self {
            inner,
            writes: BTreeMap::new(),
            cleared: Vec::new(),
            appends: Vec::new(),
            reads: ReadSet::default(),
            hooks: Vec::new(),
        }
    }

    fn finish(self) -> (Box<dyn Transaction>, Changes, Vec<Hook>) {
        let changes = Changes {
            cleared: self.cleared,
            writes: self.writes,
            reads: self.reads,
            appends: self.appends,
        };
        (self.inner, changes, self.hooks)
    }

    fn is_cleared(&self, key: &[u8]) -> bool {
        self.cleared.iter().any(|range| range.contains(key))
    }

    /// The value under `key`, including this transaction's own writes.
    pub fn get(&mut self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        if let Some(buffered) = self.writes.get(key) {
            return Ok(buffered.clone());
        }
        if self.is_cleared(key) {
            return Ok(None);
        }
        self.reads.keys.push(key.to_vec());
        self.inner.get(key)
    }

    /// Stores `value` under `key`.
    pub fn set(&mut self, key: impl Into<Vec<u8>>, value: impl Into<Vec<u8>>) {
        self.writes.insert(key.into(), Some(value.into()));
    }

    /// Removes `key`.
    pub fn clear(&mut self, key: impl Into<Vec<u8>>) {
        self.writes.insert(key.into(), None);
    }

    /// Removes every key in `range`.
    pub fn clear_range(&mut self, range: KeyRange) {
        if range.is_empty() {
            return;
        }
        let buffered: Vec<Vec<u8>> = self
            .writes
            .range(range.start.clone()..range.end.clone())
            .map(|(key, _)| key.clone())
            .collect();
        for key in buffered {
            self.writes.remove(&key);
        }
        self.cleared.push(range);
    }

    /// Up to `limit` pairs in `range`, in ascending key order.
    pub fn range(&mut self, range: &KeyRange, limit: usize) -> Result<Vec<KeyValue>> {
        self.scan(range, limit, false)
    }

    /// Up to `limit` pairs in `range`, in descending key order.
    pub fn range_rev(&mut self, range: &KeyRange, limit: usize) -> Result<Vec<KeyValue>> {
        self.scan(range, limit, true)
    }

    /// Calls `visit` with the pairs in `range` (ascending, or descending when `reverse`), this
    /// transaction's own writes included, until it returns `false` or the range ends: what
    /// [`Tx::range`] reads, without collecting (or, on the embedded engine, copying) the pairs.
    pub fn visit(
        &mut self,
        range: &KeyRange,
        reverse: bool,
        mut visit: impl FnMut(&[u8], &[u8]) -> Result<bool>,
    ) -> Result<()> {
        if range.is_empty() {
            return Ok(());
        }
        if !self.writes.is_empty() || !self.cleared.is_empty() {
            // Own writes to merge: pages of `scan`, which records what each page read.
            return visit_pages(
                range,
                reverse,
                |cursor, limit| self.scan(cursor, limit, reverse),
                &mut visit,
            );
        }
        // Where the visit stopped, if it stopped before the end: the read ends there.
        let mut stopped: Option<Vec<u8>> = None;
        self.inner.visit(range, reverse, &mut |key, value| {
            let more = visit(key, value)?;
            if !more {
                stopped = Some(key.to_vec());
            }
            Ok(more)
        })?;
        self.reads
            .ranges
            .push(read_through(range, stopped.as_deref(), reverse));
        Ok(())
    }

    /// Stores `value` under `prefix` followed by a stamp of [`crate::STAMP_LEN`] bytes that the
    /// engine assigns at commit: stamps under one prefix grow in commit order, so a reader that
    /// has seen a stamp never later finds a new value before it. This is how logs (stream
    /// records) are appended without every writer contending for a counter. The value is not
    /// visible to this transaction's own reads.
    pub fn append(&mut self, prefix: impl Into<Vec<u8>>, value: impl Into<Vec<u8>>) {
        self.appends.push((prefix.into(), value.into()));
    }

    /// Runs `hook` after this transaction has committed durably (never if it aborts or retries).
    pub fn on_commit(&mut self, hook: impl FnOnce() + Send + 'static) {
        self.hooks.push(Box::new(hook));
    }

    fn scan(&mut self, range: &KeyRange, limit: usize, reverse: bool) -> Result<Vec<KeyValue>> {
        let mut out: Vec<KeyValue> = Vec::new();
        if limit == 0 || range.is_empty() {
            return Ok(out);
        }
        let mut cursor = range.clone();
        loop {
            let want = limit - out.len();
            let page = self.inner.range(&cursor, want, reverse)?;
            let exhausted = page.len() < want;
            // The part of `cursor` this page has fully accounted for.
            let last = page.last().filter(|_| !exhausted);
            let covered = read_through(&cursor, last.map(|(key, _)| key.as_slice()), reverse);
            let stored = page
                .into_iter()
                .filter(|(key, _)| !self.writes.contains_key(key) && !self.is_cleared(key));
            let buffered = self
                .writes
                .range(covered.start.clone()..covered.end.clone())
                .filter_map(|(key, value)| Some((key.clone(), value.clone()?)));
            if reverse {
                merge_into(&mut out, stored, buffered.rev(), |a, b| a > b);
            } else {
                merge_into(&mut out, stored, buffered, |a, b| a < b);
            }
            if out.len() >= limit {
                out.truncate(limit);
                break;
            }
            if exhausted {
                break;
            }
            cursor = unread(&cursor, &covered, reverse);
        }
        let stopped = out.last().filter(|_| out.len() == limit);
        let read = read_through(range, stopped.map(|(last, _)| last.as_slice()), reverse);
        self.reads.ranges.push(read);
        Ok(out)
    }
}

/// Appends the merge of two sorted sequences (sorted by `before`) to `out`.
fn merge_into(
    out: &mut Vec<KeyValue>,
    a: impl Iterator<Item = KeyValue>,
    b: impl Iterator<Item = KeyValue>,
    before: impl Fn(&[u8], &[u8]) -> bool,
) {
    let mut a = a.peekable();
    let mut b = b.peekable();
    loop {
        let take_a = match (a.peek(), b.peek()) {
            (Some(x), Some(y)) => before(&x.0, &y.0),
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => return,
        };
        let next = if take_a { a.next() } else { b.next() };
        out.extend(next);
    }
}
