//! The embedded engine: unkai's default store, a [`fjall`] database in the data directory.
//!
//! Transactions are optimistic. Each one reads from a fjall snapshot; at commit its reads and
//! writes go to one committer thread, which checks the reads against everything committed since
//! the snapshot (the [`history`] of recent writes), then applies every transaction that passed
//! in one write batch with one fsync: **group commit**. A lone writer waits for one fsync; many
//! concurrent writers share one. A transaction is acknowledged only after its batch is durable
//! (or, with [`Durability::Os`], handed to the operating system), and its writes become visible
//! to other transactions only then.
//!
//! Why fjall rather than redb: see `docs/design/0001-embedded-engine.md`.
#![deny(missing_docs)]

mod committer;
mod history;

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::thread::JoinHandle;

use fjall::Readable;
use unkai_store::{BoxFuture, Changes, Conflict, Engine, Error, KeyRange, KeyValue, Result};

use committer::Request;

/// What an acknowledged write promises.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Durability {
    /// Acknowledged means on disk (fsync): survives a power loss.
    #[default]
    Fsync,
    /// Acknowledged means written to the operating system: survives a crash of unkai, not a
    /// power loss or a kernel crash.
    Os,
}

impl Durability {
    /// What the setting promises, in a few words for `unkai up`'s output.
    pub fn promise(self) -> &'static str {
        match self {
            Durability::Fsync => "acknowledged writes are on disk (fsync)",
            Durability::Os => "acknowledged writes survive a crash of unkai, not a power loss (os)",
        }
    }

    fn persist_mode(self) -> fjall::PersistMode {
        match self {
            Durability::Fsync => fjall::PersistMode::SyncAll,
            Durability::Os => fjall::PersistMode::Buffer,
        }
    }
}

/// How to open the embedded engine.
#[derive(Clone, Debug)]
pub struct Options {
    /// The directory the database lives in (created if missing).
    pub path: PathBuf,
    /// What an acknowledged write promises.
    pub durability: Durability,
    /// Block cache size in bytes.
    pub cache_bytes: u64,
}

impl Options {
    /// Defaults for a database in `path`.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            durability: Durability::Fsync,
            cache_bytes: 32 << 20,
        }
    }
}

/// The embedded engine.
pub struct Embedded {
    shared: Arc<Shared>,
    requests: mpsc::Sender<Request>,
    committer: Mutex<Option<JoinHandle<()>>>,
    options: Options,
}

/// What transactions and the committer share.
struct Shared {
    db: fjall::Database,
    data: fjall::Keyspace,
    /// The version of the last durable batch. A snapshot taken after loading it contains at
    /// least that batch.
    committed: AtomicU64,
}

impl Embedded {
    /// Opens (or creates) the database at `options.path`.
    pub fn open(options: Options) -> Result<Self> {
        std::fs::create_dir_all(&options.path).map_err(Error::engine)?;
        let db = fjall::Database::builder(&options.path)
            .cache_size(options.cache_bytes)
            .worker_threads(1)
            .open()
            .map_err(|error| match error {
                fjall::Error::Locked => Error::Engine(format!(
                    "the data directory {} is in use by another unkai process",
                    options.path.display()
                )),
                other => Error::engine(other),
            })?;
        let data = db
            .keyspace("kv", fjall::KeyspaceCreateOptions::default)
            .map_err(Error::engine)?;
        let shared = Arc::new(Shared {
            db,
            data,
            committed: AtomicU64::new(0),
        });
        let (requests, inbox) = mpsc::channel();
        let committer = committer::spawn(shared.clone(), inbox, options.durability)?;
        Ok(Self {
            shared,
            requests,
            committer: Mutex::new(Some(committer)),
            options,
        })
    }
}

impl Drop for Embedded {
    fn drop(&mut self) {
        let _ = self.requests.send(Request::Close { reply: None });
        let handle = self.committer.lock().ok().and_then(|mut slot| slot.take());
        if let Some(handle) = handle {
            let _ = handle.join();
        }
    }
}

impl Engine for Embedded {
    fn name(&self) -> &'static str {
        "embedded"
    }

    fn describe(&self) -> String {
        format!(
            "embedded at {}; {}",
            self.options.path.display(),
            self.options.durability.promise()
        )
    }

    fn begin(&self) -> BoxFuture<'_, Result<Box<dyn unkai_store::Transaction>>> {
        // Load the version before taking the snapshot: the snapshot then holds at least that
        // version, and a newer one only makes conflict checks stricter, never looser.
        let version = self.shared.committed.load(Ordering::Acquire);
        let snapshot = self.shared.db.snapshot();
        let tx = Transaction {
            snapshot,
            data: self.shared.data.clone(),
            version,
            requests: self.requests.clone(),
        };
        Box::pin(std::future::ready(Ok(
            Box::new(tx) as Box<dyn unkai_store::Transaction>
        )))
    }

    fn close(&self) -> BoxFuture<'_, Result<()>> {
        let (reply, done) = tokio::sync::oneshot::channel();
        let sent = self.requests.send(Request::Close { reply: Some(reply) });
        Box::pin(async move {
            match sent {
                Ok(()) => done.await.unwrap_or(Ok(())),
                Err(_) => Ok(()),
            }
        })
    }
}

struct Transaction {
    snapshot: fjall::Snapshot,
    data: fjall::Keyspace,
    version: u64,
    requests: mpsc::Sender<Request>,
}

impl unkai_store::Transaction for Transaction {
    fn get(&mut self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        let value = self.snapshot.get(&self.data, key).map_err(Error::engine)?;
        Ok(value.map(|slice| slice.to_vec()))
    }

    fn range(&mut self, range: &KeyRange, limit: usize, reverse: bool) -> Result<Vec<KeyValue>> {
        let mut out = Vec::with_capacity(limit.min(1024));
        if limit > 0 {
            self.visit(range, reverse, &mut |key, value| {
                out.push((key.to_vec(), value.to_vec()));
                Ok(out.len() < limit)
            })?;
        }
        Ok(out)
    }

    fn visit(
        &mut self,
        range: &KeyRange,
        reverse: bool,
        visit: &mut unkai_store::Visitor<'_>,
    ) -> Result<()> {
        if range.is_empty() {
            return Ok(());
        }
        let iter = self
            .snapshot
            .range(&self.data, range.start.as_slice()..range.end.as_slice());
        let mut each = |guard: fjall::Guard| -> Result<bool> {
            let (key, value) = guard.into_inner().map_err(Error::engine)?;
            visit(&key, &value)
        };
        if reverse {
            for guard in iter.rev() {
                if !each(guard)? {
                    break;
                }
            }
        } else {
            for guard in iter {
                if !each(guard)? {
                    break;
                }
            }
        }
        Ok(())
    }

    fn commit(self: Box<Self>, changes: Changes) -> BoxFuture<'static, Result<(), Conflict>> {
        if changes.is_read_only() {
            return Box::pin(std::future::ready(Ok(())));
        }
        let (reply, outcome) = tokio::sync::oneshot::channel();
        let sent = self.requests.send(Request::Commit {
            version: self.version,
            changes,
            reply,
        });
        drop(self);
        Box::pin(async move {
            sent.map_err(|_| Conflict::Failed(Error::Closed))?;
            outcome.await.map_err(|_| Conflict::Failed(Error::Closed))?
        })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use unkai_store::conformance::Harness;
    use unkai_store::{BoxFuture, Kv};

    use super::*;

    struct Fixture {
        dir: tempfile::TempDir,
        durability: Durability,
    }

    impl Harness for Fixture {
        fn open(&self) -> BoxFuture<'_, Kv> {
            Box::pin(async move {
                let mut options = Options::new(self.dir.path().join("store"));
                options.durability = self.durability;
                Kv::new(Embedded::open(options).expect("open embedded store"))
            })
        }
    }

    fn fixture(durability: Durability) -> Fixture {
        Fixture {
            dir: tempfile::tempdir().expect("temp dir"),
            durability,
        }
    }

    mod fsync {
        use super::*;
        unkai_store::conformance_suite!(fixture(Durability::Fsync));
    }

    mod os {
        use super::*;
        unkai_store::conformance_suite!(fixture(Durability::Os));
    }

    #[test]
    fn a_second_open_of_the_same_directory_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let first = Embedded::open(Options::new(dir.path())).unwrap();
        let second = Embedded::open(Options::new(dir.path()));
        assert!(matches!(second, Err(Error::Engine(message)) if message.contains("in use")));
        drop(first);
        let _ = Arc::new(Embedded::open(Options::new(dir.path())).unwrap());
    }
}
