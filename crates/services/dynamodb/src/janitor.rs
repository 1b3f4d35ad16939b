//! Background work of the DynamoDB service: removing the data of deleted tables and indexes,
//! filling new global indexes, expiring items by time to live, trimming stream records older
//! than 24 hours.
//!
//! Work that must survive a restart is a job record in the store, written in the transaction
//! that caused it (DeleteTable, UpdateTable). One node at a time does the work: it holds a
//! lease in the store and renews it while it works.

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::Notify;
use unkai_store::record::{self, Record};
use unkai_store::{KeyRange, Space, Tx, tuple};

use crate::item::Value;
use crate::keys::PrimaryKey;
use crate::ops::{Scope, millis};
use crate::table::{Index, IndexStatus, Table};
use crate::write::{Meta, Origin, index_entry_key, project, write};
use crate::{Error, Shared, keys, store, streams};

/// How many keys one transaction of background work touches.
const CHUNK: usize = 256;
/// How long a lease lasts without renewal.
const LEASE_MS: u64 = 15_000;
/// Items whose TTL lies further back than this are left alone, as DynamoDB does.
const TTL_HORIZON_SECONDS: u64 = 5 * 365 * 24 * 3600;

/// Wakes the janitor when there is new work.
#[derive(Debug, Default)]
pub(crate) struct Janitor {
    notify: Notify,
}

impl Janitor {
    /// Asks for a pass soon.
    pub(crate) fn wake(&self) {
        self.notify.notify_one();
    }
}

/// A unit of background work.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
enum Job {
    /// Remove every key in `[start, end)`, a chunk at a time.
    Clear { start: Vec<u8>, end: Vec<u8> },
    /// Index the items of a table, from `cursor`, into a new index.
    Backfill {
        account: String,
        region: String,
        table: String,
        table_id: u64,
        index: u32,
        cursor: Vec<u8>,
    },
}

impl Record for Job {
    const VERSION: u8 = 1;
}

#[derive(Clone, Debug, Serialize, Deserialize)]
struct Lease {
    holder: u64,
    until_ms: u64,
}

impl Record for Lease {
    const VERSION: u8 = 1;
}

fn jobs() -> KeyRange {
    tuple::key(Space::DynamoDb).str("job").range()
}

fn add_job(tx: &mut Tx, job: &Job) {
    let key = tuple::key(Space::DynamoDb)
        .str("job")
        .uint(rand::random())
        .finish();
    tx.set(key, record::encode(job));
}

/// Schedules the removal of a deleted table's items and index entries.
pub(crate) fn drop_table(tx: &mut Tx, table: &Table) {
    let items = store::items(table.id);
    add_job(
        tx,
        &Job::Clear {
            start: items.start,
            end: items.end,
        },
    );
    for index in table.global_indexes.iter().chain(&table.local_indexes) {
        drop_index(tx, table, index);
    }
    for stream in &table.streams {
        let records = streams::records(table.id, stream.number);
        add_job(
            tx,
            &Job::Clear {
                start: records.start,
                end: records.end,
            },
        );
    }
}

/// Schedules the removal of an index's entries.
pub(crate) fn drop_index(tx: &mut Tx, table: &Table, index: &Index) {
    let entries = store::index_entries(table.id, index.number);
    add_job(
        tx,
        &Job::Clear {
            start: entries.start,
            end: entries.end,
        },
    );
}

/// Schedules the filling of a new index.
pub(crate) fn backfill(tx: &mut Tx, scope: Scope<'_>, table: &Table, index: &Index) {
    add_job(
        tx,
        &Job::Backfill {
            account: scope.account.into(),
            region: scope.region.into(),
            table: table.name.clone(),
            table_id: table.id,
            index: index.number,
            cursor: store::items(table.id).start,
        },
    );
}

/// Runs the janitor until `shutdown` resolves.
pub(crate) async fn run(shared: Arc<Shared>, shutdown: impl std::future::Future<Output = ()>) {
    let holder: u64 = rand::random();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let busy = match pass(&shared, holder).await {
            Ok(busy) => busy,
            Err(error) => {
                tracing::warn!(%error, "dynamodb janitor pass failed");
                false
            }
        };
        let pause = if busy {
            Duration::ZERO
        } else {
            shared.options.janitor_interval
        };
        tokio::select! {
            () = &mut shutdown => return,
            () = shared.janitor.notify.notified() => {}
            () = tokio::time::sleep(pause) => {}
        }
    }
}

/// One pass: a chunk of each job, then TTL and stream trimming. Returns whether work remains.
async fn pass(shared: &Shared, holder: u64) -> Result<bool, Error> {
    let now = millis(&shared.clock);
    let leased = shared
        .kv
        .transact(|tx| {
            let key = tuple::key(Space::DynamoDb)
                .str("lease")
                .str("janitor")
                .finish();
            if let Some(bytes) = tx.get(&key)? {
                let lease: Lease = record::decode(&key, &bytes)?;
                if lease.holder != holder && lease.until_ms > now {
                    return Ok::<_, Error>(false);
                }
                // Held with more than half its time left: no write (an idle server would
                // otherwise make one durable write a second).
                if lease.holder == holder && lease.until_ms > now + LEASE_MS / 2 {
                    return Ok(true);
                }
            }
            tx.set(
                key,
                record::encode(&Lease {
                    holder,
                    until_ms: now + LEASE_MS,
                }),
            );
            Ok(true)
        })
        .await?;
    if !leased {
        return Ok(false);
    }
    let mut busy = false;
    let pending = shared.kv.transact(|tx| tx.range(&jobs(), 64)).await?;
    for (key, value) in pending {
        let job: Job = record::decode(&key, &value)?;
        busy |= step(shared, &key, job, now).await?;
    }
    expire_and_trim(shared, now).await?;
    Ok(busy)
}

/// Does one chunk of a job; returns whether the job has more to do.
async fn step(shared: &Shared, job_key: &[u8], job: Job, now: u64) -> Result<bool, Error> {
    match job {
        Job::Clear { start, end } => {
            shared
                .kv
                .transact(|tx| {
                    let range = KeyRange::new(start.clone(), end.clone());
                    let page = tx.range(&range, CHUNK)?;
                    for (key, _) in &page {
                        tx.clear(key.clone());
                    }
                    if page.len() < CHUNK {
                        tx.clear(job_key.to_vec());
                        return Ok::<_, Error>(false);
                    }
                    let next = Job::Clear {
                        start: [
                            page.last().map(|(k, _)| k.as_slice()).unwrap_or_default(),
                            &[0],
                        ]
                        .concat(),
                        end: end.clone(),
                    };
                    tx.set(job_key.to_vec(), record::encode(&next));
                    Ok(true)
                })
                .await
        }
        Job::Backfill {
            account,
            region,
            table,
            table_id,
            index,
            cursor,
        } => {
            shared
                .kv
                .transact(|tx| {
                    let current = store::get_table(tx, &account, &region, &table)?
                        .filter(|t| t.id == table_id);
                    let Some(mut current) = current else {
                        tx.clear(job_key.to_vec());
                        return Ok::<_, Error>(false);
                    };
                    let Some(target) = current
                        .global_indexes
                        .iter()
                        .find(|i| i.number == index)
                        .cloned()
                    else {
                        tx.clear(job_key.to_vec());
                        return Ok(false);
                    };
                    let range = KeyRange::new(cursor.clone(), store::items(table_id).end);
                    let page = tx.range(&range, CHUNK)?;
                    for (key, value) in &page {
                        let item = store::decode_item(key, value)?;
                        // Items whose index key is invalid (too long, empty) stay out of the
                        // index, as DynamoDB's index key violations do.
                        if keys::check_index_key(&target, &item).is_err() {
                            continue;
                        }
                        if let Some(entry) = index_entry_key(&current, &target, &item) {
                            tx.set(
                                entry,
                                store::encode_item(&project(&current, &target, &item)),
                            );
                        }
                    }
                    if page.len() < CHUNK {
                        if let Some(done) = current
                            .global_indexes
                            .iter_mut()
                            .find(|i| i.number == index)
                        {
                            done.status = IndexStatus::Active;
                        }
                        store::put_table(tx, &account, &region, &current);
                        tx.clear(job_key.to_vec());
                        return Ok(false);
                    }
                    let next = Job::Backfill {
                        account: account.clone(),
                        region: region.clone(),
                        table: table.clone(),
                        table_id,
                        index,
                        cursor: [
                            page.last().map(|(k, _)| k.as_slice()).unwrap_or_default(),
                            &[0],
                        ]
                        .concat(),
                    };
                    tx.set(job_key.to_vec(), record::encode(&next));
                    let _ = now;
                    Ok(true)
                })
                .await
        }
    }
}

/// Every table of every account and region.
fn all_tables() -> KeyRange {
    tuple::key(Space::DynamoDb).str("table").range()
}

/// Deletes expired items of tables with TTL, and trims old stream records.
async fn expire_and_trim(shared: &Shared, now: u64) -> Result<(), Error> {
    let tables = shared
        .kv
        .transact(|tx| tx.range(&all_tables(), usize::MAX))
        .await?;
    for (key, value) in tables {
        let table = store::decode_table(&key, &value)?;
        if let Some(attribute) = &table.ttl {
            expire(shared, &table, attribute, now).await?;
        }
        for stream in &table.streams {
            trim(shared, &table, stream.number, now).await?;
        }
    }
    Ok(())
}

async fn expire(shared: &Shared, table: &Table, attribute: &str, now_ms: u64) -> Result<(), Error> {
    let now = now_ms / 1000;
    let mut range = store::items(table.id);
    loop {
        let page = shared.kv.transact(|tx| tx.range(&range, CHUNK)).await?;
        for (key, value) in &page {
            let item = store::decode_item(key, value)?;
            let expired = match item.get(attribute) {
                Some(Value::N(number)) => {
                    let text = number.to_string();
                    let seconds: f64 = text.parse().unwrap_or(f64::MAX);
                    seconds >= 0.0
                        && seconds <= now as f64
                        && (now as f64 - seconds) < TTL_HORIZON_SECONDS as f64
                }
                _ => false,
            };
            if !expired {
                continue;
            }
            let key = key.clone();
            shared
                .kv
                .transact(|tx| {
                    let Some(bytes) = tx.get(&key)? else {
                        return Ok::<_, Error>(());
                    };
                    let current = store::decode_item(&key, &bytes)?;
                    if current != item {
                        return Ok(());
                    }
                    let Some((hash, range)) = table.key.values(&current) else {
                        return Ok(());
                    };
                    let primary = PrimaryKey {
                        hash: hash.clone(),
                        range: range.cloned(),
                    };
                    write(
                        tx,
                        table,
                        &primary,
                        Some(&current),
                        None,
                        &Meta {
                            now_ms,
                            origin: Origin::TimeToLive,
                        },
                    )?;
                    Ok(())
                })
                .await?;
        }
        match page.last() {
            Some((last, _)) if page.len() == CHUNK => {
                range.start = [last.as_slice(), &[0]].concat()
            }
            _ => return Ok(()),
        }
    }
}

async fn trim(shared: &Shared, table: &Table, stream: u32, now_ms: u64) -> Result<(), Error> {
    let cutoff = now_ms.saturating_sub(streams::RETENTION_MS);
    shared
        .kv
        .transact(|tx| {
            let page = tx.range(&streams::records(table.id, stream), CHUNK)?;
            for (key, value) in &page {
                let stored: streams::StoredRecord = record::decode(key, value)?;
                if stored.created_ms >= cutoff {
                    break;
                }
                tx.clear(key.clone());
            }
            Ok::<_, Error>(())
        })
        .await
}
