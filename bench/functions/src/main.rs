//! Functions, measured: cold starts per runtime split into the runtime's own start and
//! unkai's share, warm `Invoke` latency and throughput of a Rust function, and 1,000
//! instances held at once.
//!
//! ```text
//! cargo run --release -p unkai-bench-functions -- [--quick] [--cold N] [--seconds N]
//!     [--instances N] [--unkai PATH] [--function PATH] [--dir DIR]
//! ```
//!
//! - Cold start: each round changes the function's configuration (so no warm instance may
//!   serve it) and invokes it once with `LogType: Tail`. In the same round, the same runtime
//!   is started bare: this driver serves a minimal Runtime API itself, starts the worker
//!   directly, hands it the same event and waits for its response. unkai's share is
//!   the cold invocation's time minus the bare start's (both medians): routing, SigV4, the
//!   store reads, the sandbox, the spawn and the Runtime API.
//! - Warm: the Rust function (`tests/functions/rust`, `lambda_runtime`) answering `echo` at
//!   1, 16 and 64 connections: p50/p99, invocations/s and CPU per invocation (unkai, and the
//!   workers); then the same with the lean function (`lean.rs`: this driver's binary as a
//!   `bootstrap` with the least Runtime API client there is), where the worker's share is
//!   small and what remains is unkai's.
//! - Instances: N concurrent invocations of a function that sleeps 2 s, so N instances run at
//!   once (AWS's default account concurrency is 1,000); errors must be 0.
//! - `--unkai`, `--function`: the unkai binary and the Rust function's `bootstrap`; without
//!   them `cargo build --release` builds both. `--dir`: where data directories go (default
//!   `target/bench-functions`, outside /tmp, so workers get their private /tmp).
//!
//! The client signs every request (SigV4) with the development key; one HTTP/1.1 connection
//! per concurrent caller.

use std::collections::HashMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime};

use anyhow::{Context, Result, bail};
use base64::Engine as _;
use bytes::Bytes;
use http::StatusCode;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use unkai_bench_proc::{children, cpu_seconds_of};
use unkai_edge::sigv4::{self, SigningParams};

struct Options {
    quick: bool,
    cold: usize,
    seconds: f64,
    instances: usize,
    unkai: Option<PathBuf>,
    function: Option<PathBuf>,
    dir: PathBuf,
}

const USAGE: &str = "usage: [--quick] [--cold N] [--seconds N] [--instances N] [--unkai PATH] \
    [--function PATH] [--dir DIR]";

fn parse_options(root: &Path) -> Result<Options> {
    let mut options = Options {
        quick: false,
        cold: 20,
        seconds: 5.0,
        instances: 1000,
        unkai: None,
        function: None,
        dir: root.join("target/bench-functions"),
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || {
            args.next()
                .with_context(|| format!("{arg} needs a value; {USAGE}"))
        };
        match arg.as_str() {
            "--quick" => {
                options.quick = true;
                options.cold = 5;
                options.seconds = 1.0;
                options.instances = 100;
            }
            "--cold" => options.cold = value()?.parse()?,
            "--seconds" => options.seconds = value()?.parse()?,
            "--instances" => options.instances = value()?.parse()?,
            "--unkai" => options.unkai = Some(value()?.into()),
            "--function" => options.function = Some(value()?.into()),
            "--dir" => options.dir = value()?.into(),
            "--help" | "-h" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => bail!("unknown argument {other:?}; {USAGE}"),
        }
    }
    Ok(options)
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("bench/functions is two levels down")
        .to_owned()
}

fn build(root: &Path) -> Result<(PathBuf, PathBuf)> {
    eprintln!("building unkai and the Rust test function (release)…");
    let status = Command::new(env!("CARGO"))
        .args([
            "build",
            "--release",
            "-p",
            "unkai",
            "-p",
            "unkai-test-function",
        ])
        .current_dir(root)
        .status()?;
    if !status.success() {
        bail!("cargo build failed");
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    Ok((
        target.join("release/unkai"),
        target.join("release/bootstrap"),
    ))
}

/// A zip of `files`: (name in the zip, bytes, unix mode).
fn zip(files: &[(&str, Vec<u8>, u32)]) -> Result<String> {
    let mut buffer = std::io::Cursor::new(Vec::new());
    {
        let mut writer = zip::ZipWriter::new(&mut buffer);
        for (name, bytes, mode) in files {
            let options = zip::write::SimpleFileOptions::default().unix_permissions(*mode);
            writer.start_file(*name, options)?;
            writer.write_all(bytes)?;
        }
        writer.finish()?;
    }
    Ok(base64::engine::general_purpose::STANDARD.encode(buffer.into_inner()))
}

/// One signed HTTP/1.1 connection to unkai.
struct Connection {
    authority: String,
    sender: hyper::client::conn::http1::SendRequest<Full<Bytes>>,
}

impl Connection {
    async fn open(authority: &str) -> Result<Self> {
        let stream = tokio::net::TcpStream::connect(authority).await?;
        stream.set_nodelay(true)?;
        let (sender, connection) =
            hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
        tokio::spawn(connection);
        Ok(Self {
            authority: authority.to_owned(),
            sender,
        })
    }

    async fn call(
        &mut self,
        method: http::Method,
        path: &str,
        headers: &[(&str, &str)],
        body: Bytes,
    ) -> Result<(StatusCode, http::HeaderMap, Bytes)> {
        let mut request = http::Request::builder()
            .method(method)
            .uri(path)
            .header("host", &self.authority)
            .header("content-type", "application/json");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let mut request = request.body(Full::new(body.clone()))?;
        sigv4::sign_request(
            &mut request,
            &body,
            &SigningParams {
                access_key_id: "test",
                secret: "test",
                region: "us-east-1",
                service: "lambda",
                at: SystemTime::now(),
            },
        );
        self.sender.ready().await?;
        let response = self.sender.send_request(request).await?;
        let (parts, body) = response.into_parts();
        let body = body.collect().await?.to_bytes();
        Ok((parts.status, parts.headers, body))
    }

    async fn json(&mut self, method: http::Method, path: &str, body: &Value) -> Result<Value> {
        let (status, _, bytes) = self
            .call(method, path, &[], Bytes::from(body.to_string()))
            .await?;
        if !status.is_success() {
            bail!("{path}: {status} {}", String::from_utf8_lossy(&bytes));
        }
        Ok(serde_json::from_slice(&bytes).unwrap_or(Value::Null))
    }

    async fn invoke(&mut self, function: &str, event: &Value, tail: bool) -> Result<Invoked> {
        let headers: &[(&str, &str)] = if tail {
            &[("x-amz-log-type", "Tail")]
        } else {
            &[]
        };
        let started = Instant::now();
        let (status, headers, body) = self
            .call(
                http::Method::POST,
                &format!("/2015-03-31/functions/{function}/invocations"),
                headers,
                Bytes::from(event.to_string()),
            )
            .await?;
        let elapsed = started.elapsed();
        if status != StatusCode::OK || headers.contains_key("x-amz-function-error") {
            bail!(
                "invoke {function}: {status} {}",
                String::from_utf8_lossy(&body)
            );
        }
        let log = headers
            .get("x-amz-log-result")
            .and_then(|value| base64::engine::general_purpose::STANDARD.decode(value).ok())
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
            .unwrap_or_default();
        Ok(Invoked { elapsed, log })
    }
}

struct Invoked {
    elapsed: Duration,
    log: String,
}

/// `Init Duration: 12.34 ms` from a REPORT line.
fn init_duration(log: &str) -> Option<Duration> {
    let rest = log.split("Init Duration: ").nth(1)?;
    let millis: f64 = rest.split(' ').next()?.parse().ok()?;
    Some(Duration::from_secs_f64(millis / 1000.0))
}

struct Server {
    child: Child,
    authority: String,
    _dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn start_unkai(binary: &Path, dir: &Path, sandbox: bool) -> Result<Server> {
    std::fs::create_dir_all(dir)?;
    let dir = tempfile::Builder::new().prefix("unkai-").tempdir_in(dir)?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let authority = format!("127.0.0.1:{port}");
    let config = dir.path().join("unkai.toml");
    std::fs::write(
        &config,
        format!(
            "[functions]\nidle_timeout_seconds = 600\nsandbox = {sandbox}\nprepare_sdks = false\n"
        ),
    )?;
    let log = std::fs::File::create(dir.path().join("server.log"))?;
    let child = Command::new(binary)
        .args([
            "up",
            "--dev-credentials",
            "--listen",
            &authority,
            "--data-dir",
        ])
        .arg(dir.path().join("data"))
        .arg("--config")
        .arg(&config)
        .stdout(log.try_clone()?)
        .stderr(log)
        .spawn()
        .context("start unkai")?;
    let deadline = Instant::now() + Duration::from_secs(10);
    while tokio::net::TcpStream::connect(&authority).await.is_err() {
        if Instant::now() > deadline {
            bail!(
                "unkai did not start; see {}",
                dir.path().join("server.log").display()
            );
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(Server {
        child,
        authority,
        _dir: dir,
    })
}

/// A runtime as the benchmark deploys it.
struct Runtime {
    name: &'static str,
    runtime: &'static str,
    handler: &'static str,
    files: Vec<(&'static str, Vec<u8>, u32)>,
    /// How to start it bare: program and arguments, relative to its code directory.
    bare: Vec<String>,
}

fn runtimes(root: &Path, rust_bootstrap: &Path) -> Result<Vec<Runtime>> {
    let functions = root.join("tests/functions");
    let bootstraps = root.join("crates/runtime/bootstraps");
    Ok(vec![
        Runtime {
            name: "rust",
            runtime: "provided.al2023",
            handler: "bootstrap",
            files: vec![("bootstrap", std::fs::read(rust_bootstrap)?, 0o755)],
            bare: vec!["./bootstrap".into()],
        },
        Runtime {
            name: "python",
            runtime: "python3.12",
            handler: "app.handler",
            files: vec![(
                "app.py",
                std::fs::read(functions.join("python/app.py"))?,
                0o644,
            )],
            bare: vec![
                "python3".into(),
                "-u".into(),
                bootstraps.join("python/bootstrap.py").display().to_string(),
            ],
        },
        Runtime {
            name: "node",
            runtime: "nodejs20.x",
            handler: "index.handler",
            files: vec![(
                "index.mjs",
                std::fs::read(functions.join("node/index.mjs"))?,
                0o644,
            )],
            bare: vec![
                "node".into(),
                bootstraps.join("node/bootstrap.mjs").display().to_string(),
            ],
        },
    ])
}

async fn create(connection: &mut Connection, name: &str, runtime: &Runtime) -> Result<()> {
    connection
        .json(
            http::Method::POST,
            "/2015-03-31/functions",
            &json!({
                "FunctionName": name,
                "Runtime": runtime.runtime,
                "Role": "arn:aws:iam::000000000000:role/bench",
                "Handler": runtime.handler,
                "Timeout": 30,
                "Code": {"ZipFile": zip(&runtime.files)?},
            }),
        )
        .await?;
    Ok(())
}

/// The runtime started bare against this driver's own minimal Runtime API: time to its first
/// `next`, and to its response for one event.
async fn bare_start(runtime: &Runtime, code: &Path, event: &Value) -> Result<(Duration, Duration)> {
    use hyper::service::service_fn;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let port = listener.local_addr()?.port();
    let (asked, mut asked_rx) = tokio::sync::mpsc::unbounded_channel::<Instant>();
    let (answered, mut answered_rx) = tokio::sync::mpsc::unbounded_channel::<Instant>();
    let event = Bytes::from(event.to_string());
    let server = tokio::spawn(async move {
        let served = Arc::new(AtomicBool::new(false));
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let (asked, answered, event, served) = (
                asked.clone(),
                answered.clone(),
                event.clone(),
                served.clone(),
            );
            tokio::spawn(async move {
                let service = service_fn(move |request: http::Request<hyper::body::Incoming>| {
                    let (asked, answered, event, served) = (
                        asked.clone(),
                        answered.clone(),
                        event.clone(),
                        served.clone(),
                    );
                    async move {
                        let path = request.uri().path().to_owned();
                        let _ = request.into_body().collect().await;
                        let response = if path.ends_with("/invocation/next") {
                            let _ = asked.send(Instant::now());
                            if served.swap(true, Ordering::SeqCst) {
                                // One event only: the next `next` waits forever.
                                std::future::pending::<()>().await;
                            }
                            let deadline = SystemTime::now()
                                .duration_since(SystemTime::UNIX_EPOCH)
                                .unwrap_or_default()
                                .as_millis()
                                + 30_000;
                            http::Response::builder()
                                .header("lambda-runtime-aws-request-id", "bare-1")
                                .header("lambda-runtime-deadline-ms", deadline.to_string())
                                .header(
                                    "lambda-runtime-invoked-function-arn",
                                    "arn:aws:lambda:us-east-1:000000000000:function:bare",
                                )
                                .header("lambda-runtime-trace-id", "Root=1-0-0;Sampled=0")
                                .body(Full::new(event))
                        } else {
                            let _ = answered.send(Instant::now());
                            http::Response::builder()
                                .status(StatusCode::ACCEPTED)
                                .body(Full::new(Bytes::from_static(b"{\"status\":\"OK\"}")))
                        };
                        Ok::<_, std::convert::Infallible>(
                            response.unwrap_or_else(|_| http::Response::new(Full::default())),
                        )
                    }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    let program = if runtime.bare[0].starts_with("./") {
        code.join(&runtime.bare[0][2..])
    } else {
        PathBuf::from(&runtime.bare[0])
    };
    let started = Instant::now();
    let mut child = tokio::process::Command::new(program)
        .args(&runtime.bare[1..])
        .current_dir(code)
        .env_clear()
        .envs([
            ("PATH", "/usr/local/bin:/usr/bin:/bin"),
            ("LAMBDA_TASK_ROOT", &code.display().to_string()),
            ("_HANDLER", runtime.handler),
            ("AWS_LAMBDA_RUNTIME_API", &format!("127.0.0.1:{port}")),
            ("AWS_LAMBDA_FUNCTION_NAME", "bare"),
            ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST"),
            ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128"),
            ("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/bare"),
            ("AWS_LAMBDA_LOG_STREAM_NAME", "bare"),
            ("AWS_REGION", "us-east-1"),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()?;
    let first_next = asked_rx.recv().await.context("no first next")?;
    let response = tokio::time::timeout(Duration::from_secs(30), answered_rx.recv())
        .await?
        .context("no response")?;
    let _ = child.kill().await;
    server.abort();
    Ok((first_next - started, response - started))
}

fn median(values: &mut [Duration]) -> Duration {
    values.sort();
    values.get(values.len() / 2).copied().unwrap_or_default()
}

fn percentile(values: &mut [Duration], p: f64) -> Duration {
    values.sort();
    if values.is_empty() {
        return Duration::ZERO;
    }
    values[((values.len() as f64 * p) as usize).min(values.len() - 1)]
}

fn ms(duration: Duration) -> String {
    format!("{:.2} ms", duration.as_secs_f64() * 1000.0)
}

fn us(duration: Duration) -> String {
    format!("{:.0} µs", duration.as_secs_f64() * 1e6)
}

struct Warm {
    connections: usize,
    invocations: u64,
    seconds: f64,
    p50: Duration,
    p99: Duration,
    unkai_cpu: f64,
    worker_cpu: f64,
}

async fn warm(server: &Server, function: &str, connections: usize, seconds: f64) -> Result<Warm> {
    let pid = server.child.id();
    let mut pool = Vec::new();
    for _ in 0..connections {
        let mut connection = Connection::open(&server.authority).await?;
        connection.invoke(function, &json!({"n": 1}), false).await?;
        pool.push(connection);
    }
    let workers = children(pid);
    let (unkai_before, workers_before) = (cpu_seconds_of(&[pid]), cpu_seconds_of(&workers));
    let stop = Arc::new(AtomicBool::new(false));
    let count = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for mut connection in pool {
        let (stop, count, function) = (stop.clone(), count.clone(), function.to_owned());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                match connection.invoke(&function, &json!({"n": 1}), false).await {
                    Ok(invoked) => {
                        latencies.push(invoked.elapsed);
                        count.fetch_add(1, Ordering::Relaxed);
                    }
                    Err(error) => return Err(error),
                }
            }
            Ok::<_, anyhow::Error>(latencies)
        }));
    }
    tokio::time::sleep(Duration::from_secs_f64(seconds)).await;
    stop.store(true, Ordering::Relaxed);
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await??);
    }
    let elapsed = started.elapsed().as_secs_f64();
    let workers_now = children(pid);
    let invocations = count.load(Ordering::Relaxed);
    Ok(Warm {
        connections,
        invocations,
        seconds: elapsed,
        p50: percentile(&mut latencies, 0.5),
        p99: percentile(&mut latencies, 0.99),
        unkai_cpu: (cpu_seconds_of(&[pid]) - unkai_before) / invocations.max(1) as f64,
        worker_cpu: (cpu_seconds_of(&workers_now) - workers_before) / invocations.max(1) as f64,
    })
}

mod lean;

fn main() -> Result<()> {
    // Started by unkai as the lean function's `bootstrap`.
    if let Ok(api) = std::env::var("AWS_LAMBDA_RUNTIME_API") {
        return lean::serve(&api);
    }
    tokio::runtime::Runtime::new()?.block_on(run())
}

async fn run() -> Result<()> {
    let root = repo_root();
    let options = parse_options(&root)?;
    let (unkai, rust_bootstrap) = match (&options.unkai, &options.function) {
        (Some(unkai), Some(function)) => (unkai.clone(), function.clone()),
        _ => build(&root)?,
    };
    let runtimes = runtimes(&root, &rust_bootstrap)?;
    let server = start_unkai(&unkai, &options.dir, true).await?;
    let bare_server = start_unkai(&unkai, &options.dir, false).await?;
    let mut connection = Connection::open(&server.authority).await?;
    let mut bare_connection = Connection::open(&bare_server.authority).await?;
    let mut out = String::new();
    use std::fmt::Write as _;
    let _ = writeln!(
        out,
        "# Functions\n\n{} cores; unkai `{}`, data under {}; client on the same machine, SigV4 \
         on every request.\n",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        unkai.display(),
        options.dir.display()
    );

    // Cold starts.
    let _ = writeln!(
        out,
        "## Cold start ({} rounds each; medians)\n\n| runtime | bare start: first `next` | bare \
         start: response | cold Invoke, sandboxed | Init Duration | unkai's share, sandboxed | \
         cold Invoke, no sandbox | unkai's share, no sandbox |\n|---|---:|---:|---:|---:|---:|---:|---:|",
        options.cold
    );
    let event = json!({"numbers": [1, 2, 3]});
    for runtime in &runtimes {
        create(&mut connection, runtime.name, runtime).await?;
        create(&mut bare_connection, runtime.name, runtime).await?;
        let code = tempfile::tempdir()?;
        for (name, bytes, mode) in &runtime.files {
            let path = code.path().join(name);
            std::fs::write(&path, bytes)?;
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(*mode))?;
        }
        let (mut colds, mut inits, mut unconfined) = (Vec::new(), Vec::new(), Vec::new());
        let (mut nexts, mut responses) = (Vec::new(), Vec::new());
        // Bare and cold starts take turns, so that the machine's drift touches both alike.
        for round in 0..options.cold {
            let (next, response) = bare_start(runtime, code.path(), &event).await?;
            nexts.push(next);
            responses.push(response);
            for (connection, sandboxed) in [(&mut connection, true), (&mut bare_connection, false)]
            {
                connection
                    .json(
                        http::Method::PUT,
                        &format!("/2015-03-31/functions/{}/configuration", runtime.name),
                        &json!({"Environment": {"Variables": {"ROUND": round.to_string()}}}),
                    )
                    .await?;
                let invoked = connection.invoke(runtime.name, &event, true).await?;
                if sandboxed {
                    inits.extend(init_duration(&invoked.log));
                    colds.push(invoked.elapsed);
                } else {
                    unconfined.push(invoked.elapsed);
                }
            }
        }
        let (cold, init, next, response, unconfined) = (
            median(&mut colds),
            median(&mut inits),
            median(&mut nexts),
            median(&mut responses),
            median(&mut unconfined),
        );
        eprintln!(
            "  {}: bare {} sandboxed {} unconfined {}",
            runtime.name,
            ms(response),
            ms(cold),
            ms(unconfined)
        );
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            runtime.name,
            ms(next),
            ms(response),
            ms(cold),
            ms(init),
            ms(cold.saturating_sub(response)),
            ms(unconfined),
            ms(unconfined.saturating_sub(response)),
        );
    }
    drop(bare_server);
    let _ = writeln!(
        out,
        "\nunkai's share = cold Invoke − bare start to response: the edge (SigV4, routing), the \
         function's records, the process spawn (when sandboxed: through a launcher started ahead \
         of need, which confines itself and executes the worker) and the Runtime API. Bare and \
         cold starts take turns, round by round. No sandbox: `[functions] sandbox = false`.\n"
    );

    // Warm invocations.
    let lean = Runtime {
        name: "rust-lean",
        runtime: "provided.al2023",
        handler: "bootstrap",
        files: vec![("bootstrap", std::fs::read(std::env::current_exe()?)?, 0o755)],
        bare: Vec::new(),
    };
    create(&mut connection, lean.name, &lean).await?;
    for (function, title) in [
        ("rust", "Rust function (`lambda_runtime`)"),
        (
            "rust-lean",
            "lean Rust function (`bench/functions/src/lean.rs`)",
        ),
    ] {
        let _ = writeln!(
            out,
            "## Warm Invoke, {title}, {} s per row\n\n| connections | invocations/s | p50 | p99 | \
             unkai CPU/invocation | worker CPU/invocation |\n|---:|---:|---:|---:|---:|---:|",
            options.seconds
        );
        for connections in [1, 16, 64] {
            let result = warm(&server, function, connections, options.seconds).await?;
            eprintln!(
                "  warm {function} x{}: {:.0}/s p50 {}",
                result.connections,
                result.invocations as f64 / result.seconds,
                us(result.p50)
            );
            let _ = writeln!(
                out,
                "| {} | {:.0} | {} | {} | {:.1} µs | {:.1} µs |",
                result.connections,
                result.invocations as f64 / result.seconds,
                us(result.p50),
                us(result.p99),
                result.unkai_cpu * 1e6,
                result.worker_cpu * 1e6
            );
        }
        out.push('\n');
    }

    // Many instances at once.
    let instances = options.instances;
    eprintln!("  {instances} concurrent instances…");
    let pid = server.child.id();
    let mut pool = Vec::new();
    for _ in 0..instances {
        pool.push(Connection::open(&server.authority).await?);
    }
    let started = Instant::now();
    let peak = Arc::new(AtomicU64::new(0));
    let peak_rss = Arc::new(AtomicU64::new(0));
    let sampler = {
        let (peak, peak_rss) = (peak.clone(), peak_rss.clone());
        tokio::spawn(async move {
            loop {
                let workers = children(pid);
                peak.fetch_max(workers.len() as u64, Ordering::Relaxed);
                let rss: u64 = workers
                    .iter()
                    .chain([&pid])
                    .filter_map(|pid| unkai_bench_proc::memory_kib(*pid).ok())
                    .map(|(rss, _)| rss)
                    .sum();
                peak_rss.fetch_max(rss, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
        })
    };
    let mut tasks = Vec::new();
    for mut connection in pool {
        tasks.push(tokio::spawn(async move {
            connection
                .invoke("rust", &json!({"action": "sleep", "seconds": 2}), false)
                .await
        }));
    }
    let mut errors: HashMap<String, usize> = HashMap::new();
    for task in tasks {
        if let Err(error) = task.await? {
            let text = error.to_string();
            *errors.entry(text.chars().take(120).collect()).or_default() += 1;
        }
    }
    let elapsed = started.elapsed();
    sampler.abort();
    let failed: usize = errors.values().sum();
    let _ = writeln!(
        out,
        "\n## {instances} concurrent invocations (each sleeps 2 s)\n\n- completed: {}, errors: {failed}\n\
         - wall time: {}\n- worker processes at the peak: {}\n- RSS at the peak, unkai and workers: {:.0} MiB\n",
        instances - failed,
        ms(elapsed),
        peak.load(Ordering::Relaxed),
        peak_rss.load(Ordering::Relaxed) as f64 / 1024.0
    );
    for (error, count) in errors {
        let _ = writeln!(out, "  - {count}× {error}");
    }
    println!("{out}");
    Ok(())
}
