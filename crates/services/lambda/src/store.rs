//! Lambda's keyspace. Function names are case-sensitive, as in Lambda.
//!
//! | key | value |
//! |---|---|
//! | `Lambda, "fn", name` | [`Function`]: what is shared by its versions |
//! | `Lambda, "ver", name, number` | [`Version`]; `$LATEST` is number 0 |
//! | `Lambda, "alias", name, alias` | [`Alias`] |
//! | `Lambda, "eic", name, qualifier` | [`EventInvokeConfig`] |
//! | `Lambda, "async", due (ms), id` | [`Queued`]: an `Event` invocation waiting for its turn |
//! | `Lambda, "inflight", id` | [`Claimed`]: one a node is running, until its lease ends |
//! | `Lambda, "url", name, qualifier` | [`FunctionUrl`] (qualifier `""` for the function) |
//! | `Lambda, "url-id", url id` | the function name and qualifier of a URL id |

use serde::{Deserialize, Serialize};
use unkai_store::record::{self, Record};
use unkai_store::{KeyRange, Result, Space, Tx, tuple};

/// The version name of the unpublished, changeable version.
pub const LATEST: &str = "$LATEST";

/// What a function's versions share.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Function {
    /// The name.
    pub name: String,
    /// The number the next published version gets.
    pub next_version: u64,
    /// The `$LATEST` revision the last published version was made from.
    pub last_published: Option<(String, u64)>,
    /// Reserved concurrency, when set.
    pub reserved_concurrency: Option<u32>,
    /// Tags.
    pub tags: Vec<(String, String)>,
    /// The resource policy's statements, as JSON documents, and its revision.
    pub policy: Vec<String>,
    /// The revision of the policy.
    pub policy_revision: String,
}

impl Record for Function {
    const VERSION: u8 = 1;
}

/// Where a version's code is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Code {
    /// An uploaded zip, extracted under the code directory by its SHA-256 (hex).
    Zip {
        /// SHA-256 of the zip, hex.
        sha256: String,
        /// The zip's size in bytes.
        size: u64,
    },
    /// A directory on this machine, used in place (`S3Bucket: hot-reload`).
    Directory {
        /// The absolute path.
        path: String,
    },
}

/// One version of a function's configuration and code.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Version {
    /// `$LATEST` or the published number.
    pub version: String,
    /// The AWS runtime identifier.
    pub runtime: String,
    /// The execution role's ARN.
    pub role: String,
    /// The handler.
    pub handler: String,
    /// The description.
    pub description: String,
    /// Timeout in seconds.
    pub timeout: u32,
    /// Memory in MB.
    pub memory: u32,
    /// `/tmp` size in MB.
    pub ephemeral_storage: u32,
    /// Environment variables, in the order given.
    pub environment: Vec<(String, String)>,
    /// `x86_64` or `arm64`.
    pub architectures: Vec<String>,
    /// The code.
    pub code: Code,
    /// SHA-256 of the code, base64, as Lambda reports it.
    pub code_sha256: String,
    /// Size of the code in bytes.
    pub code_size: u64,
    /// Layer ARNs.
    pub layers: Vec<String>,
    /// The dead-letter queue or topic.
    pub dead_letter_target: Option<String>,
    /// `PassThrough` or `Active`.
    pub tracing_mode: String,
    /// `2024-01-31T12:00:00.000+0000`.
    pub last_modified: String,
    /// Changes with every change of this version.
    pub revision_id: String,
}

impl Record for Version {
    const VERSION: u8 = 1;
}

/// An alias: a name for a version, optionally splitting traffic with a second one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Alias {
    /// The alias name.
    pub name: String,
    /// The version it points at.
    pub function_version: String,
    /// The description.
    pub description: String,
    /// Additional version and its weight (0–1).
    pub routing: Vec<(String, f64)>,
    /// Changes with every change.
    pub revision_id: String,
}

impl Record for Alias {
    const VERSION: u8 = 1;
}

/// Asynchronous invocation settings of a function or one of its qualifiers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventInvokeConfig {
    /// Retries after a function error (0–2; default 2).
    pub maximum_retry_attempts: Option<u32>,
    /// How old an event may get (60–21600 s; default 21600).
    pub maximum_event_age: Option<u32>,
    /// Where successes go.
    pub on_success: Option<String>,
    /// Where failures go.
    pub on_failure: Option<String>,
    /// Seconds since the epoch, with milliseconds.
    pub last_modified_ms: u64,
}

impl Record for EventInvokeConfig {
    const VERSION: u8 = 1;
}

/// An `Event` invocation, queued durably until it runs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Queued {
    /// The request id the caller got.
    pub request_id: String,
    /// The function's name.
    pub function: String,
    /// The qualifier invoked, if any.
    pub qualifier: Option<String>,
    /// The event.
    pub payload: Vec<u8>,
    /// When it was accepted, ms since the epoch.
    pub received_ms: u64,
    /// How many times it has run.
    pub attempts: u32,
    /// How many times it was throttled (the backoff doubles from 1 s with each).
    pub throttles: u32,
}

impl Record for Queued {
    const VERSION: u8 = 1;
}

/// A function URL.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FunctionUrl {
    /// The URL id: the first label of its host.
    pub id: String,
    /// `NONE` or `AWS_IAM`.
    pub auth_type: String,
    /// `BUFFERED` or `RESPONSE_STREAM`.
    pub invoke_mode: String,
    /// The CORS configuration, as its JSON document.
    pub cors: Option<String>,
    /// `2024-01-31T12:00:00.000000Z`.
    pub created: String,
    /// The same form.
    pub last_modified: String,
}

impl Record for FunctionUrl {
    const VERSION: u8 = 1;
}

fn url_key(name: &str, qualifier: &str) -> Vec<u8> {
    tuple::key(Space::Lambda)
        .str("url")
        .str(name)
        .str(qualifier)
        .finish()
}

fn url_id_key(id: &str) -> Vec<u8> {
    tuple::key(Space::Lambda).str("url-id").str(id).finish()
}

/// Every URL of `name`.
pub(crate) fn urls(name: &str) -> KeyRange {
    tuple::key(Space::Lambda).str("url").str(name).range()
}

pub(crate) fn get_url(tx: &mut Tx, name: &str, qualifier: &str) -> Result<Option<FunctionUrl>> {
    let key = url_key(name, qualifier);
    tx.get(&key)?
        .map(|bytes| record::decode(&key, &bytes))
        .transpose()
}

pub(crate) fn put_url(tx: &mut Tx, name: &str, qualifier: &str, url: &FunctionUrl) {
    tx.set(url_key(name, qualifier), record::encode(url));
    tx.set(
        url_id_key(&url.id),
        tuple::key(Space::Lambda).str(name).str(qualifier).finish(),
    );
}

pub(crate) fn delete_url(tx: &mut Tx, name: &str, qualifier: &str, id: &str) {
    tx.clear(url_key(name, qualifier));
    tx.clear(url_id_key(id));
}

/// The function name and qualifier behind a URL id.
pub(crate) fn url_target(tx: &mut Tx, id: &str) -> Result<Option<(String, String)>> {
    let key = url_id_key(id);
    let Some(value) = tx.get(&key)? else {
        return Ok(None);
    };
    let mut reader = tuple::Reader::new(&value, Space::Lambda)
        .map_err(|error| unkai_store::Error::corrupt(&key, error))?;
    let name = reader
        .str()
        .map_err(|error| unkai_store::Error::corrupt(&key, error))?;
    let qualifier = reader
        .str()
        .map_err(|error| unkai_store::Error::corrupt(&key, error))?;
    Ok(Some((name, qualifier)))
}

/// Decodes a URL record read from [`urls`], with its qualifier.
pub(crate) fn decode_url(key: &[u8], value: &[u8]) -> Result<(String, FunctionUrl)> {
    let mut reader = tuple::Reader::new(key, Space::Lambda)
        .map_err(|error| unkai_store::Error::corrupt(key, error))?;
    let qualifier = (|| {
        reader.str()?;
        reader.str()?;
        reader.str()
    })()
    .map_err(|error: tuple::DecodeError| unkai_store::Error::corrupt(key, error))?;
    Ok((qualifier, record::decode(key, value)?))
}

/// An `Event` invocation a node took from the queue and runs; another node may take it back
/// once the lease ended (its runner died).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claimed {
    /// The invocation.
    pub queued: Queued,
    /// Until when (ms since the epoch) it is the runner's.
    pub lease_until_ms: u64,
}

impl Record for Claimed {
    const VERSION: u8 = 1;
}

fn claimed_key(id: &str) -> Vec<u8> {
    tuple::key(Space::Lambda).str("inflight").str(id).finish()
}

/// Every claimed invocation.
pub(crate) fn claimed() -> KeyRange {
    tuple::key(Space::Lambda).str("inflight").range()
}

/// Takes the queued entry at `key` for this node: `None` when another node took it first.
pub(crate) fn claim(tx: &mut Tx, key: &[u8], lease_until_ms: u64) -> Result<Option<Queued>> {
    let Some(bytes) = tx.get(key)? else {
        return Ok(None);
    };
    let queued: Queued = record::decode(key, &bytes)?;
    tx.clear(key.to_vec());
    tx.set(
        claimed_key(&queued.request_id),
        record::encode(&Claimed {
            queued: queued.clone(),
            lease_until_ms,
        }),
    );
    Ok(Some(queued))
}

/// Ends a claim.
pub(crate) fn release(tx: &mut Tx, id: &str) {
    tx.clear(claimed_key(id));
}

pub(crate) fn decode_claimed(key: &[u8], bytes: &[u8]) -> Result<Claimed> {
    record::decode(key, bytes)
}

fn function_key(name: &str) -> Vec<u8> {
    tuple::key(Space::Lambda).str("fn").str(name).finish()
}

/// Every function, by name.
pub(crate) fn functions() -> KeyRange {
    tuple::key(Space::Lambda).str("fn").range()
}

/// The functions named after `name`.
pub(crate) fn functions_after(name: &str) -> KeyRange {
    let mut start = function_key(name);
    start.push(0xFF);
    KeyRange {
        start,
        end: functions().end,
    }
}

/// The function name in a key of [`functions`].
pub(crate) fn function_name_of(key: &[u8]) -> Option<String> {
    let mut reader = tuple::Reader::new(key, Space::Lambda).ok()?;
    let _ = reader.str().ok()?;
    reader.str().ok()
}

pub(crate) fn get_function(tx: &mut Tx, name: &str) -> Result<Option<Function>> {
    let key = function_key(name);
    tx.get(&key)?
        .map(|bytes| record::decode(&key, &bytes))
        .transpose()
}

pub(crate) fn put_function(tx: &mut Tx, function: &Function) {
    tx.set(function_key(&function.name), record::encode(function));
}

fn version_number(version: &str) -> i64 {
    version.parse().unwrap_or(0)
}

fn version_key(name: &str, version: &str) -> Vec<u8> {
    tuple::key(Space::Lambda)
        .str("ver")
        .str(name)
        .int(version_number(version))
        .finish()
}

/// Every version of `name`, `$LATEST` first.
pub(crate) fn versions(name: &str) -> KeyRange {
    tuple::key(Space::Lambda).str("ver").str(name).range()
}

pub(crate) fn get_version(tx: &mut Tx, name: &str, version: &str) -> Result<Option<Version>> {
    let key = version_key(name, version);
    tx.get(&key)?
        .map(|bytes| record::decode(&key, &bytes))
        .transpose()
}

pub(crate) fn put_version(tx: &mut Tx, name: &str, version: &Version) {
    tx.set(version_key(name, &version.version), record::encode(version));
}

pub(crate) fn delete_version(tx: &mut Tx, name: &str, version: &str) {
    tx.clear(version_key(name, version));
}

fn alias_key(name: &str, alias: &str) -> Vec<u8> {
    tuple::key(Space::Lambda)
        .str("alias")
        .str(name)
        .str(alias)
        .finish()
}

/// Every alias of `name`.
pub(crate) fn aliases(name: &str) -> KeyRange {
    tuple::key(Space::Lambda).str("alias").str(name).range()
}

pub(crate) fn get_alias(tx: &mut Tx, name: &str, alias: &str) -> Result<Option<Alias>> {
    let key = alias_key(name, alias);
    tx.get(&key)?
        .map(|bytes| record::decode(&key, &bytes))
        .transpose()
}

pub(crate) fn put_alias(tx: &mut Tx, function: &str, alias: &Alias) {
    tx.set(alias_key(function, &alias.name), record::encode(alias));
}

pub(crate) fn delete_alias(tx: &mut Tx, function: &str, alias: &str) {
    tx.clear(alias_key(function, alias));
}

fn event_invoke_config_key(name: &str, qualifier: &str) -> Vec<u8> {
    tuple::key(Space::Lambda)
        .str("eic")
        .str(name)
        .str(qualifier)
        .finish()
}

/// Every event invoke configuration of `name`.
pub(crate) fn event_invoke_configs(name: &str) -> KeyRange {
    tuple::key(Space::Lambda).str("eic").str(name).range()
}

pub(crate) fn get_event_invoke_config(
    tx: &mut Tx,
    name: &str,
    qualifier: &str,
) -> Result<Option<EventInvokeConfig>> {
    let key = event_invoke_config_key(name, qualifier);
    tx.get(&key)?
        .map(|bytes| record::decode(&key, &bytes))
        .transpose()
}

pub(crate) fn put_event_invoke_config(
    tx: &mut Tx,
    name: &str,
    qualifier: &str,
    config: &EventInvokeConfig,
) {
    tx.set(
        event_invoke_config_key(name, qualifier),
        record::encode(config),
    );
}

pub(crate) fn delete_event_invoke_config(tx: &mut Tx, name: &str, qualifier: &str) {
    tx.clear(event_invoke_config_key(name, qualifier));
}

/// Deletes everything stored for function `name`.
pub(crate) fn delete_function(tx: &mut Tx, name: &str) -> Result<()> {
    for (key, value) in tx.range(&urls(name), usize::MAX)? {
        let (qualifier, url) = decode_url(&key, &value)?;
        delete_url(tx, name, &qualifier, &url.id);
    }
    tx.clear(function_key(name));
    tx.clear_range(versions(name));
    tx.clear_range(aliases(name));
    tx.clear_range(event_invoke_configs(name));
    Ok(())
}

pub(crate) fn queued_key(due_ms: u64, id: &str) -> Vec<u8> {
    tuple::key(Space::Lambda)
        .str("async")
        .int(due_ms as i64)
        .str(id)
        .finish()
}

/// Queued invocations due at or before `now_ms`.
pub(crate) fn queued_until(now_ms: u64) -> KeyRange {
    KeyRange {
        start: tuple::key(Space::Lambda).str("async").finish(),
        end: tuple::key(Space::Lambda)
            .str("async")
            .int(now_ms as i64 + 1)
            .finish(),
    }
}

pub(crate) fn enqueue(tx: &mut Tx, due_ms: u64, queued: &Queued) {
    tx.set(
        queued_key(due_ms, &queued.request_id),
        record::encode(queued),
    );
}

pub(crate) fn decode_queued(key: &[u8], bytes: &[u8]) -> Result<Queued> {
    record::decode(key, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_keep_their_encoding() {
        let version = Version {
            version: "1".into(),
            runtime: "python3.12".into(),
            role: "arn:aws:iam::000000000000:role/r".into(),
            handler: "app.handler".into(),
            description: String::new(),
            timeout: 3,
            memory: 128,
            ephemeral_storage: 512,
            environment: vec![("A".into(), "b".into())],
            architectures: vec!["x86_64".into()],
            code: Code::Zip {
                sha256: "ab".into(),
                size: 2,
            },
            code_sha256: "qw==".into(),
            code_size: 2,
            layers: vec![],
            dead_letter_target: None,
            tracing_mode: "PassThrough".into(),
            last_modified: "2024-01-31T12:00:00.000+0000".into(),
            revision_id: "r".into(),
        };
        assert_eq!(
            hex::encode(record::encode(&version)),
            "0101310a707974686f6e332e31322061726e3a6177733a69616d3a3a3030303030303030303030303a\
             726f6c652f720b6170702e68616e646c6572000380018004010141016201067838365f36340002616202\
             0471773d3d0200000b506173735468726f7567681c323032342d30312d33315431323a30303a30302e\
             3030302b303030300172"
        );
        let function = Function {
            name: "f".into(),
            next_version: 2,
            last_published: Some(("r".into(), 1)),
            reserved_concurrency: Some(5),
            tags: vec![("k".into(), "v".into())],
            policy: vec!["{}".into()],
            policy_revision: "p".into(),
        };
        assert_eq!(
            record::decode::<Function>(b"k", &record::encode(&function)).unwrap(),
            function
        );
        let claimed = Claimed {
            queued: Queued {
                request_id: "r".into(),
                function: "f".into(),
                qualifier: None,
                payload: b"{}".to_vec(),
                received_ms: 1,
                attempts: 2,
                throttles: 3,
            },
            lease_until_ms: 4,
        };
        assert_eq!(
            record::encode(&claimed),
            [1, 1, b'r', 1, b'f', 0, 2, b'{', b'}', 1, 2, 3, 4]
        );
    }

    #[tokio::test]
    async fn a_queued_invocation_is_claimed_once() {
        use unkai_store::Kv;
        use unkai_store_embedded::{Embedded, Options};
        let dir = tempfile::tempdir().unwrap();
        let kv = Kv::new(Embedded::open(Options::new(dir.path())).unwrap());
        let queued = Queued {
            request_id: "r".into(),
            function: "f".into(),
            qualifier: None,
            payload: Vec::new(),
            received_ms: 1,
            attempts: 0,
            throttles: 0,
        };
        let key = queued_key(5, "r");
        kv.transact(|tx| {
            enqueue(tx, 5, &queued);
            Ok::<_, unkai_store::Error>(())
        })
        .await
        .unwrap();
        let (first, second) = tokio::join!(
            kv.transact(|tx| claim(tx, &key, 10)),
            kv.transact(|tx| claim(tx, &key, 10))
        );
        let claims = [first.unwrap(), second.unwrap()];
        assert_eq!(claims.iter().filter(|claim| claim.is_some()).count(), 1);
        let inflight = kv.transact(|tx| tx.range(&claimed(), 10)).await.unwrap();
        assert_eq!(inflight.len(), 1);
    }
}
