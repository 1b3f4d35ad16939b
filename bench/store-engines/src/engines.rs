//! The two candidate engines behind one tiny trait, so that every workload (and in particular
//! the group-commit stage) runs the exact same code against both.

use std::path::Path;

use anyhow::{Context, Result, bail};
use redb::{ReadableDatabase, TableDefinition};

pub const KEY_LEN: usize = 16;
pub const VALUE_LEN: usize = 100;
/// Block cache (fjall) / page cache (redb) given to each engine.
pub const CACHE_BYTES: usize = 64 * 1024 * 1024;

pub type Key = [u8; KEY_LEN];
pub type Value = [u8; VALUE_LEN];

/// How hard a commit must hit the disk before it returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Durability {
    /// fsync before returning: redb `Durability::Immediate`, fjall `PersistMode::SyncAll`.
    Sync,
    /// Hand to the OS only: fjall `PersistMode::Buffer` (survives a process crash, not power
    /// loss); redb `Durability::None` (survives neither until a later Immediate commit).
    Os,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EngineKind {
    Redb,
    Fjall,
}

impl EngineKind {
    pub fn parse(name: &str) -> Result<Self> {
        match name {
            "redb" => Ok(Self::Redb),
            "fjall" => Ok(Self::Fjall),
            other => bail!("unknown engine {other:?} (expected redb or fjall)"),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Redb => "redb",
            Self::Fjall => "fjall",
        }
    }

    pub fn open(self, dir: &Path) -> Result<Box<dyn Store>> {
        Ok(match self {
            Self::Redb => Box::new(RedbStore::open(dir)?),
            Self::Fjall => Box::new(FjallStore::open(dir)?),
        })
    }
}

/// What the benchmark (and the group-commit stage) needs from an engine.
pub trait Store: Send + Sync {
    /// Human-readable configuration, printed with the results.
    fn config(&self) -> String;
    /// Applies all puts in ONE write transaction / batch and commits it once.
    fn put_batch(&self, kvs: &[(Key, Value)], durability: Durability) -> Result<()>;
    /// Point read; returns the value length if the key exists.
    fn get(&self, key: &[u8]) -> Result<Option<usize>>;
    /// Reads up to `limit` consecutive pairs starting at `start`; returns (pairs, bytes).
    fn scan(&self, start: &[u8], limit: usize) -> Result<(usize, usize)>;
    /// Brings the store to a steady on-disk state after the bulk load.
    fn checkpoint(&self) -> Result<()>;
    /// Makes everything committed so far durable.
    fn sync(&self) -> Result<()>;
}

const TABLE: TableDefinition<&[u8], &[u8]> = TableDefinition::new("kv");

pub struct RedbStore {
    db: redb::Database,
}

impl RedbStore {
    fn open(dir: &Path) -> Result<Self> {
        let db = redb::Database::builder()
            .set_cache_size(CACHE_BYTES)
            .create(dir.join("kv.redb"))
            .context("creating redb database")?;
        let tx = db.begin_write()?;
        tx.open_table(TABLE)?;
        tx.commit()?;
        Ok(Self { db })
    }
}

impl Store for RedbStore {
    fn config(&self) -> String {
        format!(
            "redb 4.6, cache {} MiB, 1-phase commit, quick-repair off, ExclusiveWriter; \
             one read txn per get/scan",
            CACHE_BYTES >> 20
        )
    }

    fn put_batch(&self, kvs: &[(Key, Value)], durability: Durability) -> Result<()> {
        let mut tx = self.db.begin_write()?;
        tx.set_durability(match durability {
            Durability::Sync => redb::Durability::Immediate,
            Durability::Os => redb::Durability::None,
        })?;
        {
            let mut table = tx.open_table(TABLE)?;
            for (key, value) in kvs {
                table.insert(key.as_slice(), value.as_slice())?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    fn get(&self, key: &[u8]) -> Result<Option<usize>> {
        let tx = self.db.begin_read()?;
        let table = tx.open_table(TABLE)?;
        Ok(table.get(key)?.map(|v| v.value().len()))
    }

    fn scan(&self, start: &[u8], limit: usize) -> Result<(usize, usize)> {
        let tx = self.db.begin_read()?;
        let table = tx.open_table(TABLE)?;
        let (mut pairs, mut bytes) = (0, 0);
        for entry in table.range(start..)?.take(limit) {
            let (k, v) = entry?;
            pairs += 1;
            bytes += k.value().len() + v.value().len();
        }
        Ok((pairs, bytes))
    }

    fn checkpoint(&self) -> Result<()> {
        Ok(()) // every preload batch was already an Immediate commit
    }

    fn sync(&self) -> Result<()> {
        let mut tx = self.db.begin_write()?;
        tx.set_durability(redb::Durability::Immediate)?;
        tx.commit()?;
        Ok(())
    }
}

pub struct FjallStore {
    db: fjall::Database,
    keyspace: fjall::Keyspace,
}

impl FjallStore {
    fn open(dir: &Path) -> Result<Self> {
        let db = fjall::Database::builder(dir.join("fjall"))
            .cache_size(CACHE_BYTES as u64)
            .open()
            .context("opening fjall database")?;
        let keyspace = db.keyspace("kv", fjall::KeyspaceCreateOptions::default)?;
        Ok(Self { db, keyspace })
    }
}

impl Store for FjallStore {
    fn config(&self) -> String {
        format!(
            "fjall 3.1, block cache {} MiB, default keyspace options (64 MiB memtable, \
             leveled, LZ4 on last level), default worker threads; plain Database + WriteBatch; \
             memtable flushed to an SST after preload",
            CACHE_BYTES >> 20
        )
    }

    fn put_batch(&self, kvs: &[(Key, Value)], durability: Durability) -> Result<()> {
        let mode = match durability {
            Durability::Sync => fjall::PersistMode::SyncAll,
            Durability::Os => fjall::PersistMode::Buffer,
        };
        let mut batch = self.db.batch().durability(Some(mode));
        for (key, value) in kvs {
            batch.insert(&self.keyspace, key.as_slice(), value.as_slice());
        }
        batch.commit()?;
        Ok(())
    }

    fn get(&self, key: &[u8]) -> Result<Option<usize>> {
        Ok(self.keyspace.get(key)?.map(|v| v.len()))
    }

    fn scan(&self, start: &[u8], limit: usize) -> Result<(usize, usize)> {
        let (mut pairs, mut bytes) = (0, 0);
        for guard in self.keyspace.range(start..).take(limit) {
            let (k, v) = guard.into_inner()?;
            pairs += 1;
            bytes += k.len() + v.len();
        }
        Ok((pairs, bytes))
    }

    fn checkpoint(&self) -> Result<()> {
        // Without this the whole preload would still sit in the (64 MiB) memtable and reads
        // would never touch an SST. `rotate_memtable_and_wait` is doc(hidden) in fjall 3.1.
        self.keyspace.rotate_memtable_and_wait()?;
        Ok(())
    }

    fn sync(&self) -> Result<()> {
        self.db.persist(fjall::PersistMode::SyncAll)?;
        Ok(())
    }
}
