//! The PostgreSQL engine: the store as one ordered table, `(k bytea primary key, v bytea)`,
//! read and written in `SERIALIZABLE` transactions. PostgreSQL (or CockroachDB, YugabyteDB)
//! detects conflicts; a serialization failure (SQLSTATE 40001) or deadlock (40P01) makes
//! [`unkai_store::Kv::transact`] run the transaction again.
//!
//! Reads are network round trips, so this engine reports
//! [`Engine::blocking_reads`](unkai_store::Engine::blocking_reads): transaction bodies run in
//! `tokio::task::block_in_place`, which needs tokio's multi-threaded runtime. Writes are
//! buffered by the transaction layer and sent in three statements at commit.
#![deny(missing_docs)]

use std::str::FromStr;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use tokio::runtime::Handle;
use tokio_postgres::NoTls;
use tokio_postgres::error::SqlState;
use unkai_store::{BoxFuture, Changes, Conflict, Engine, Error, KeyRange, KeyValue, Result};

/// How to reach PostgreSQL.
#[derive(Clone, Debug)]
pub struct Options {
    /// A `postgres://` URL or a `key=value` connection string.
    pub url: String,
    /// The table that holds the store (created if missing).
    pub table: String,
    /// Most connections in the pool.
    pub pool_size: usize,
}

impl Options {
    /// Defaults for `url`.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            table: "unkai_kv".into(),
            pool_size: 32,
        }
    }
}

/// The PostgreSQL engine.
pub struct Postgres {
    pool: Pool,
    sql: Sql,
    target: String,
}

/// The statements, with the table name filled in.
#[derive(Clone)]
struct Sql {
    get: String,
    range: String,
    range_rev: String,
    delete_range: String,
    delete: String,
    upsert: String,
    counter: String,
}

impl Postgres {
    /// Connects and creates the table if it does not exist.
    pub async fn connect(options: Options) -> Result<Self> {
        let table = &options.table;
        if table.is_empty()
            || !table
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        {
            return Err(Error::Engine(format!(
                "table name {table:?} must be lowercase letters, digits and underscores"
            )));
        }
        let config = tokio_postgres::Config::from_str(&options.url)
            .map_err(|error| Error::Engine(format!("bad PostgreSQL URL: {error}")))?;
        let target = describe_target(&config);
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(options.pool_size)
            .build()
            .map_err(Error::engine)?;
        let client = pool.get().await.map_err(|error| {
            Error::Engine(format!("cannot connect to PostgreSQL at {target}: {error}"))
        })?;
        client
            .batch_execute(&format!(
                "CREATE TABLE IF NOT EXISTS {table} (k bytea PRIMARY KEY, v bytea NOT NULL)"
            ))
            .await
            .map_err(Error::engine)?;
        let sql = Sql {
            get: format!("SELECT v FROM {table} WHERE k = $1"),
            range: format!("SELECT k, v FROM {table} WHERE k >= $1 AND k < $2 ORDER BY k LIMIT $3"),
            range_rev: format!(
                "SELECT k, v FROM {table} WHERE k >= $1 AND k < $2 ORDER BY k DESC LIMIT $3"
            ),
            delete_range: format!("DELETE FROM {table} WHERE k >= $1 AND k < $2"),
            delete: format!("DELETE FROM {table} WHERE k = ANY($1)"),
            upsert: format!(
                "INSERT INTO {table} (k, v) SELECT * FROM UNNEST($1::bytea[], $2::bytea[]) \
                 ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v"
            ),
            counter: format!("SELECT v FROM {table} WHERE k = $1 FOR UPDATE"),
        };
        Ok(Self { pool, sql, target })
    }
}

fn describe_target(config: &tokio_postgres::Config) -> String {
    let host = match config.get_hosts().first() {
        Some(tokio_postgres::config::Host::Tcp(host)) => host.clone(),
        Some(tokio_postgres::config::Host::Unix(path)) => path.display().to_string(),
        None => "localhost".into(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let db = config.get_dbname().unwrap_or("(default database)");
    format!("{host}:{port}/{db}")
}

impl Engine for Postgres {
    fn name(&self) -> &'static str {
        "postgres"
    }

    fn describe(&self) -> String {
        format!(
            "postgres at {}; acknowledged writes are committed by PostgreSQL",
            self.target
        )
    }

    fn begin(&self) -> BoxFuture<'_, Result<Box<dyn unkai_store::Transaction>>> {
        Box::pin(async move {
            let client = self.pool.get().await.map_err(Error::engine)?;
            client
                .batch_execute("BEGIN ISOLATION LEVEL SERIALIZABLE")
                .await
                .map_err(Error::engine)?;
            Ok(Box::new(Transaction {
                client: Some(client),
                sql: self.sql.clone(),
                runtime: Handle::current(),
            }) as Box<dyn unkai_store::Transaction>)
        })
    }

    fn blocking_reads(&self) -> bool {
        true
    }

    fn close(&self) -> BoxFuture<'_, Result<()>> {
        self.pool.close();
        Box::pin(std::future::ready(Ok(())))
    }
}

struct Transaction {
    /// `None` once committed or rolled back.
    client: Option<deadpool_postgres::Object>,
    sql: Sql,
    runtime: Handle,
}

impl Transaction {
    fn client(&self) -> Result<&deadpool_postgres::Object> {
        self.client.as_ref().ok_or(Error::Closed)
    }
}

impl Drop for Transaction {
    fn drop(&mut self) {
        // An abandoned transaction is rolled back before its connection returns to the pool.
        if let Some(client) = self.client.take() {
            self.runtime.spawn(async move {
                if let Err(error) = client.batch_execute("ROLLBACK").await {
                    tracing::debug!(%error, "rollback of an abandoned transaction failed");
                }
            });
        }
    }
}

fn is_conflict(error: &tokio_postgres::Error) -> bool {
    matches!(
        error.code(),
        Some(&SqlState::T_R_SERIALIZATION_FAILURE)
            | Some(&SqlState::T_R_DEADLOCK_DETECTED)
            | Some(&SqlState::UNIQUE_VIOLATION)
    )
}

impl unkai_store::Transaction for Transaction {
    fn get(&mut self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        let client = self.client()?;
        let row = self.runtime.block_on(async {
            let statement = client.prepare_cached(&self.sql.get).await?;
            client.query_opt(&statement, &[&key]).await
        });
        match row {
            Ok(row) => Ok(row.map(|row| row.get(0))),
            Err(error) => Err(Error::engine(error)),
        }
    }

    fn range(&mut self, range: &KeyRange, limit: usize, reverse: bool) -> Result<Vec<KeyValue>> {
        if range.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let client = self.client()?;
        let sql = if reverse {
            &self.sql.range_rev
        } else {
            &self.sql.range
        };
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = self.runtime.block_on(async {
            let statement = client.prepare_cached(sql).await?;
            client
                .query(&statement, &[&range.start, &range.end, &limit])
                .await
        });
        let rows = rows.map_err(Error::engine)?;
        Ok(rows
            .into_iter()
            .map(|row| (row.get(0), row.get(1)))
            .collect())
    }

    fn commit(mut self: Box<Self>, changes: Changes) -> BoxFuture<'static, Result<(), Conflict>> {
        let client = self.client.take();
        let sql = self.sql.clone();
        Box::pin(async move {
            let client = client.ok_or(Conflict::Failed(Error::Closed))?;
            match apply(&client, &sql, changes).await {
                Ok(()) => Ok(()),
                Err(error) => {
                    let _ = client.batch_execute("ROLLBACK").await;
                    if is_conflict(&error) {
                        Err(Conflict::Retry)
                    } else {
                        Err(Conflict::Failed(Error::engine(error)))
                    }
                }
            }
        })
    }
}

async fn apply(
    client: &deadpool_postgres::Object,
    sql: &Sql,
    changes: Changes,
) -> Result<(), tokio_postgres::Error> {
    if !changes.cleared.is_empty() {
        let statement = client.prepare_cached(&sql.delete_range).await?;
        for range in &changes.cleared {
            client
                .execute(&statement, &[&range.start, &range.end])
                .await?;
        }
    }
    let mut writes = changes.writes;
    // Appended values are stamped from a counter row per prefix, which serializes appenders.
    let mut stamps: std::collections::BTreeMap<Vec<u8>, u64> = std::collections::BTreeMap::new();
    for (prefix, value) in changes.appends {
        let next = match stamps.get(&prefix) {
            Some(last) => last + 1,
            None => {
                let counter = counter_key(&prefix);
                let statement = client.prepare_cached(&sql.counter).await?;
                let row = client.query_opt(&statement, &[&counter]).await?;
                let current = row
                    .map(|row| row.get::<_, Vec<u8>>(0))
                    .and_then(|bytes| <[u8; 8]>::try_from(bytes.as_slice()).ok())
                    .map_or(0, u64::from_be_bytes);
                current + 1
            }
        };
        stamps.insert(prefix.clone(), next);
        let mut key = prefix;
        key.extend_from_slice(&next.to_be_bytes());
        key.extend_from_slice(&0u32.to_be_bytes());
        writes.insert(key, Some(value));
    }
    for (prefix, last) in stamps {
        writes.insert(counter_key(&prefix), Some(last.to_be_bytes().to_vec()));
    }
    let mut deleted = Vec::new();
    let mut keys = Vec::new();
    let mut values = Vec::new();
    for (key, value) in writes {
        match value {
            Some(value) => {
                keys.push(key);
                values.push(value);
            }
            None => deleted.push(key),
        }
    }
    if !deleted.is_empty() {
        let statement = client.prepare_cached(&sql.delete).await?;
        client.execute(&statement, &[&deleted]).await?;
    }
    if !keys.is_empty() {
        let statement = client.prepare_cached(&sql.upsert).await?;
        client.execute(&statement, &[&keys, &values]).await?;
    }
    client.batch_execute("COMMIT").await
}

/// Where the counter of appends under `prefix` lives.
fn counter_key(prefix: &[u8]) -> Vec<u8> {
    unkai_store::tuple::key(unkai_store::Space::Meta)
        .str("append")
        .bytes(prefix)
        .finish()
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use unkai_store::conformance::Harness;
    use unkai_store::{BoxFuture, Kv};

    use super::*;

    static TABLES: AtomicUsize = AtomicUsize::new(0);

    /// Each test gets its own table in the shared test cluster.
    struct Fixture {
        url: String,
        table: String,
    }

    impl Harness for Fixture {
        fn open(&self) -> BoxFuture<'_, Kv> {
            Box::pin(async move {
                let mut options = Options::new(&self.url);
                options.table = self.table.clone();
                Kv::new(
                    Postgres::connect(options)
                        .await
                        .expect("connect to PostgreSQL"),
                )
            })
        }
    }

    fn fixture() -> Fixture {
        let cluster = unkai_testkit::postgres();
        let n = TABLES.fetch_add(1, Ordering::Relaxed);
        Fixture {
            url: cluster.url(),
            table: format!("kv_{}_{n}", std::process::id()),
        }
    }

    unkai_store::conformance_suite!(fixture());

    #[tokio::test(flavor = "multi_thread")]
    async fn bad_urls_and_table_names_are_refused_with_a_reason() {
        let bad_url = Postgres::connect(Options::new("postgres://nobody@127.0.0.1:1/x")).await;
        assert!(matches!(bad_url, Err(Error::Engine(m)) if m.contains("cannot connect")));
        let mut options = Options::new(unkai_testkit::postgres().url());
        options.table = "Robert'); DROP TABLE x;--".into();
        let bad_table = Postgres::connect(options).await;
        assert!(matches!(bad_table, Err(Error::Engine(m)) if m.contains("table name")));
    }
}
