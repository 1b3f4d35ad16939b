//! The committer thread: validates transactions and commits them in groups, one fsync per group.

use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::sync::{Arc, mpsc};
use std::thread::JoinHandle;
use std::time::Instant;

use tokio::sync::oneshot;
use unkai_store::{Changes, Conflict, Error, Result};

use crate::history::History;
use crate::{Durability, Shared};

/// Most transactions in one group.
const MAX_GROUP: usize = 4096;
/// The longest key fjall stores.
const MAX_KEY: usize = 65_535;

pub(crate) enum Request {
    Commit {
        /// The committed version the transaction's snapshot holds.
        version: u64,
        changes: Changes,
        reply: oneshot::Sender<Result<(), Conflict>>,
    },
    Close {
        reply: Option<oneshot::Sender<Result<()>>>,
    },
}

struct Pending {
    version: u64,
    changes: Changes,
    reply: oneshot::Sender<Result<(), Conflict>>,
}

pub(crate) fn spawn(
    shared: Arc<Shared>,
    inbox: mpsc::Receiver<Request>,
    durability: Durability,
) -> Result<JoinHandle<()>> {
    std::thread::Builder::new()
        .name("unkai-commit".into())
        .spawn(move || run(shared, inbox, durability))
        .map_err(Error::engine)
}

fn run(shared: Arc<Shared>, inbox: mpsc::Receiver<Request>, durability: Durability) {
    let mut history = History::default();
    let mut version = shared.committed.load(Ordering::Acquire);
    let mut closing = None;
    while let Ok(first) = inbox.recv() {
        let mut group = Vec::new();
        let mut next = Some(first);
        while let Some(request) = next.take() {
            match request {
                Request::Commit {
                    version,
                    changes,
                    reply,
                } => group.push(Pending {
                    version,
                    changes,
                    reply,
                }),
                Request::Close { reply } => {
                    closing = Some(reply);
                    break;
                }
            }
            if group.len() < MAX_GROUP {
                next = inbox.try_recv().ok();
            }
        }
        if !group.is_empty() {
            version += 1;
            commit_group(&shared, &mut history, version, group, durability);
        }
        if closing.is_some() {
            break;
        }
        history.prune(Instant::now());
    }
    let persisted = shared
        .db
        .persist(fjall::PersistMode::SyncAll)
        .map_err(Error::engine);
    if let Err(error) = &persisted {
        tracing::error!(%error, "store flush at close failed");
    }
    drop(shared);
    if let Some(Some(reply)) = closing {
        let _ = reply.send(persisted);
    }
}

fn commit_group(
    shared: &Shared,
    history: &mut History,
    version: u64,
    group: Vec<Pending>,
    durability: Durability,
) {
    // Later transactions of the group overwrite earlier ones, so each key is written once.
    let mut merged: BTreeMap<Vec<u8>, Option<Vec<u8>>> = BTreeMap::new();
    let mut accepted = Vec::with_capacity(group.len());
    // Appended values are stamped with the group's version and their order in the group, so
    // stamps grow in commit order.
    let mut appended = 0u32;
    for pending in group {
        if let Some(key) = pending
            .changes
            .writes
            .keys()
            .find(|key| key.len() > MAX_KEY)
        {
            let error = Error::Engine(format!(
                "a key of {} bytes is longer than the {MAX_KEY} bytes the embedded engine stores",
                key.len()
            ));
            let _ = pending.reply.send(Err(Conflict::Failed(error)));
            continue;
        }
        if history.conflicts(pending.version, &pending.changes.reads) {
            let _ = pending.reply.send(Err(Conflict::Retry));
            continue;
        }
        if let Err(error) = clear_ranges(shared, &mut merged, &pending.changes) {
            let _ = pending.reply.send(Err(Conflict::Failed(error)));
            continue;
        }
        let Changes {
            cleared,
            mut writes,
            appends,
            ..
        } = pending.changes;
        for (prefix, value) in appends {
            let mut key = prefix;
            key.extend_from_slice(&version.to_be_bytes());
            key.extend_from_slice(&appended.to_be_bytes());
            appended += 1;
            writes.insert(key, Some(value));
        }
        history.record(version, writes.keys(), &cleared);
        merged.extend(writes);
        accepted.push(pending.reply);
    }
    if accepted.is_empty() {
        return;
    }
    let mut batch = shared
        .db
        .batch()
        .durability(Some(durability.persist_mode()));
    for (key, value) in merged {
        match value {
            Some(value) => batch.insert(&shared.data, key, value),
            None => batch.remove(&shared.data, key),
        }
    }
    match batch.commit() {
        Ok(()) => {
            shared.committed.store(version, Ordering::Release);
            for reply in accepted {
                let _ = reply.send(Ok(()));
            }
        }
        Err(error) => {
            tracing::error!(%error, "store commit failed");
            let message = error.to_string();
            for reply in accepted {
                let _ = reply.send(Err(Conflict::Failed(Error::Engine(message.clone()))));
            }
        }
    }
}

/// Turns the transaction's cleared ranges into removals of every key they hold: keys already
/// committed and keys set by earlier transactions of this group.
fn clear_ranges(
    shared: &Shared,
    merged: &mut BTreeMap<Vec<u8>, Option<Vec<u8>>>,
    changes: &Changes,
) -> Result<()> {
    for range in &changes.cleared {
        for guard in shared
            .data
            .range(range.start.as_slice()..range.end.as_slice())
        {
            let key = guard.key().map_err(Error::engine)?;
            merged.insert(key.to_vec(), None);
        }
        for (_, value) in merged.range_mut(range.start.clone()..range.end.clone()) {
            *value = None;
        }
    }
    Ok(())
}
